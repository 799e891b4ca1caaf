// SPDX-License-Identifier: GPL-2.0-only
/* syscount: syscall counts per syscall or per process, with optional latency. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/open.h"
#include "core/syscalls.h"
#include "core/tool.h"
#include "skel/syscount.skel.h"
#include "tools/syscount.h"

static bool by_process, latency, millis, failures, list;
static long long top = -1;
static int only_errno;

static int parse_errno(const char *arg, void *ptr, char *err, size_t errlen)
{
	int e = ks_errno_parse(arg);

	if (e <= 0) {
		snprintf(err, errlen, "expected an errno name (ENOENT) or number");
		return -EINVAL;
	}
	*(int *)ptr = e;
	return 0;
}

static const struct ks_opt opts[] = {
	{ "process", 'P', KS_OPT_FLAG, NULL, "count by process, not by syscall", &by_process },
	{ "latency", 'L', KS_OPT_FLAG, NULL, "also measure time spent: total, average, max",
	  &latency },
	{ "milliseconds", 'm', KS_OPT_FLAG, NULL, "show latency in milliseconds (default us)",
	  &millis },
	{ "failures", 'x', KS_OPT_FLAG, NULL, "count failed syscalls only", &failures },
	{ "errno", 'e', KS_OPT_FUNC, "ERRNO",
	  "count only syscalls failing with ERRNO (ENOENT or 2)", &only_errno, 0, 0, parse_errno },
	{ "top", 0, KS_OPT_INT, "N",
	  "show the N busiest rows (default 10 in text, all in JSON; "
	  "0 for all)",
	  &top, 0, 1000000 },
	{ "list", 'l', KS_OPT_FLAG, NULL, "list the syscalls this kernel knows and exit", &list },
	{ 0 },
};

struct row {
	long key; /* syscall number, or pid */
	char comm[16];
	unsigned long long count, total_ns, max_ns;
};

struct state {
	struct syscount_bpf *skel;
	struct syscount_stat *vals; /* one per possible CPU */
	struct syscount_stat *zeros;
	int ncpu;
	struct row *rows;
	size_t nrows, cap;
};

static struct state st;

static int add_row(long key, const struct syscount_stat *v, int ncpu)
{
	struct row r = { .key = key };

	for (int i = 0; i < ncpu; i++) {
		r.count += v[i].count;
		r.total_ns += v[i].total_ns;
		if (v[i].max_ns > r.max_ns)
			r.max_ns = v[i].max_ns;
		if (!r.comm[0] && v[i].comm[0])
			memcpy(r.comm, v[i].comm, sizeof(r.comm));
	}
	if (!r.count)
		return 0;
	if (st.nrows == st.cap) {
		struct row *n = realloc(st.rows, (st.cap = st.cap ? st.cap * 2 : 256) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		st.rows = n;
	}
	st.rows[st.nrows++] = r;
	return 1;
}

/* Read every non-empty entry and reset it, so each report covers its own interval. */
static int collect(void)
{
	int err = 0;

	st.nrows = 0;
	if (!by_process) {
		int fd = bpf_map__fd(st.skel->maps.by_nr);

		for (unsigned int nr = 0; nr < SYSCOUNT_MAX_NR; nr++) {
			if (bpf_map_lookup_elem(fd, &nr, st.vals))
				continue;
			err = add_row(nr, st.vals, st.ncpu);
			if (err < 0)
				return err;
			if (err)
				bpf_map_update_elem(fd, &nr, st.zeros, BPF_EXIST);
		}
		return 0;
	}
	{
		int fd = bpf_map__fd(st.skel->maps.by_pid);
		unsigned int key, next, *keys = NULL;
		size_t n = 0, cap = 0;
		void *prev = NULL;

		while (!bpf_map_get_next_key(fd, prev, &next)) {
			if (n == cap) {
				unsigned int *k =
					realloc(keys, (cap = cap ? cap * 2 : 256) * sizeof(*k));

				if (!k) {
					free(keys);
					return -ENOMEM;
				}
				keys = k;
			}
			keys[n++] = next;
			key = next;
			prev = &key;
		}
		for (size_t i = 0; i < n && err >= 0; i++) {
			if (bpf_map_lookup_and_delete_elem(fd, &keys[i], st.vals) &&
			    (bpf_map_lookup_elem(fd, &keys[i], st.vals) ||
			     bpf_map_delete_elem(fd, &keys[i])))
				continue;
			err = add_row(keys[i], st.vals, st.ncpu);
		}
		free(keys);
		return err < 0 ? err : 0;
	}
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	unsigned long long kx = latency ? x->total_ns : x->count;
	unsigned long long ky = latency ? y->total_ns : y->count;

	if (kx != ky)
		return kx < ky ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static const char *syscall_label(long nr, char *buf, size_t len)
{
	const char *n = ks_syscall_name(nr);

	if (n)
		return n;
	snprintf(buf, len, "[%ld]", nr);
	return buf;
}

static int on_tick(struct ks_ctx *c, bool last)
{
	long long limit = top >= 0 ? top : (c->opt.json ? 0 : 10);
	double div = millis ? 1e6 : 1e3;
	const char *unit = millis ? "ms" : "us";
	char buf[32];
	int err = collect();
	size_t n;

	if (err)
		return err;
	qsort(st.rows, st.nrows, sizeof(*st.rows), row_cmp);
	n = limit ? KS_MIN(st.nrows, (size_t)limit) : st.nrows;

	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_json_obj_begin(j, NULL);
		ks_json_str(j, "type", "syscalls");
		ks_json_uint(j, "time_ns", ks_now_realtime());
		ks_json_str(j, "by", by_process ? "process" : "syscall");
		ks_json_arr_begin(j, "rows");
		for (size_t i = 0; i < n; i++) {
			const struct row *r = &st.rows[i];

			ks_json_obj_begin(j, NULL);
			if (by_process) {
				ks_json_int(j, "pid", r->key);
				ks_json_strn(j, "comm", r->comm, strnlen(r->comm, sizeof(r->comm)));
			} else {
				ks_json_str(j, "syscall", ks_syscall_name(r->key));
				ks_json_int(j, "nr", r->key);
			}
			ks_json_uint(j, "count", r->count);
			if (latency) {
				ks_json_uint(j, "total_ns", r->total_ns);
				ks_json_uint(j, "avg_ns", r->total_ns / r->count);
				ks_json_uint(j, "max_ns", r->max_ns);
			}
			ks_json_obj_end(j);
		}
		ks_json_arr_end(j);
		ks_json_obj_end(j);
		return 0;
	}

	if (c->opt.interval > 0 || c->opt.timestamp)
		ks_print_report_time(c->out);
	if (by_process)
		fprintf(c->out, "%-7s %-16s %10s", "PID", "COMM", "COUNT");
	else
		fprintf(c->out, "%-22s %10s", "SYSCALL", "COUNT");
	if (latency)
		fprintf(c->out, " %14s(%s) %10s(%s) %10s(%s)", "TOTAL", unit, "AVG", unit, "MAX",
			unit);
	fputc('\n', c->out);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &st.rows[i];

		if (by_process)
			fprintf(c->out, "%-7ld %-16.16s %10llu", r->key, r->comm, r->count);
		else
			fprintf(c->out, "%-22s %10llu", syscall_label(r->key, buf, sizeof(buf)),
				r->count);
		if (latency)
			fprintf(c->out, " %18.3f %14.3f %14.3f", r->total_ns / div,
				r->total_ns / div / r->count, r->max_ns / div);
		fputc('\n', c->out);
	}
	if (!last || c->opt.interval > 0)
		fputc('\n', c->out);
	return 0;
}

static int list_syscalls(struct ks_ctx *c)
{
	ks_syscalls_load();
	for (long nr = 0; nr < KS_SYSCALLS_MAX; nr++) {
		const char *n = ks_syscall_name(nr);

		if (!n)
			continue;
		if (c->opt.json) {
			ks_json_obj_begin(&c->json, NULL);
			ks_json_str(&c->json, "type", "syscall");
			ks_json_int(&c->json, "nr", nr);
			ks_json_str(&c->json, "name", n);
			ks_json_str(&c->json, "source", ks_syscalls_source());
			ks_json_obj_end(&c->json);
		} else {
			fprintf(c->out, "%4ld %s\n", nr, n);
		}
	}
	return KS_EXIT_OK;
}

static void configure(struct syscount_bpf *skel)
{
	st.skel = skel;
	skel->rodata->by_process = by_process;
	skel->rodata->latency = latency;
	skel->rodata->failures_only = failures;
	skel->rodata->only_errno = only_errno;
	if (!latency)
		ks_bpf_disable_hook(skel->obj, "sys_enter");
	/* Table maps we don't use cost memory: shrink them to one entry. */
	if (by_process)
		bpf_map__set_max_entries(skel->maps.by_nr, 1);
	else
		bpf_map__set_max_entries(skel->maps.by_pid, 1);
	if (!latency)
		bpf_map__set_max_entries(skel->maps.starts, 1);
}

static int run(struct ks_ctx *c)
{
	static const struct ks_loop loop = { .on_tick = on_tick };
	int ret = KS_EXIT_FAIL;

	if (list)
		return list_syscalls(c);
	st.ncpu = libbpf_num_possible_cpus();
	st.vals = calloc(st.ncpu, sizeof(*st.vals));
	st.zeros = calloc(st.ncpu, sizeof(*st.zeros));
	/* Syscall names are learnt at the first report, while the kernel counts. */
	if (st.vals && st.zeros)
		ret = KS_RUN_SKEL(c, syscount, configure, &loop);
	free(st.vals);
	free(st.zeros);
	free(st.rows);
	return ret;
}

KSCOPE_TOOL(syscount, .bpf_elf = syscount_bpf__elf_bytes,
	    .summary = "count syscalls by syscall or by process, with latency",
	    .usage = "[interval [count]]",
	    .help = "Counts are kept in the kernel and printed at the end, or every interval.\n"
		    "Syscall names come from the running kernel (see --list).\n\n"
		    "examples:\n"
		    "  kscope syscount                  top 10 syscalls until Ctrl-C\n"
		    "  kscope syscount -L -p 1234       one process, with time spent\n"
		    "  kscope syscount -P 1 5           top processes every second, 5 times\n"
		    "  kscope syscount -e ENOENT        only calls failing with ENOENT\n\n"
		    "BCC's 'syscount -T N' is '--top N' here: -T means timestamps in every tool.",
	    .opts = opts, .flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM,
	    .run = run);
