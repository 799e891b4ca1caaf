// SPDX-License-Identifier: GPL-2.0-only
/* syscount: syscall counts per syscall or per process, with optional latency. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/clock.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/maps.h"
#include "core/open.h"
#include "core/syscalls.h"
#include "core/tool.h"
#include "skel/syscount.skel.h"
#include "tools/syscount.h"

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

struct row {
	long key; /* syscall number, or pid */
	char comm[16];
	unsigned long long count, total_ns, max_ns;
};

struct syscount {
	bool by_process, latency, millis, failures, list;
	long long top;
	int only_errno;
	struct row *rows; /* the last report's */
	size_t nrows;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct syscount, by_process, "process", 'P', "count by process, not by syscall"),
	KS_FLAG(struct syscount, latency, "latency", 'L',
		"also measure time spent: total, average, max"),
	KS_FLAG(struct syscount, millis, "milliseconds", 'm',
		"show latency in milliseconds (default us)"),
	KS_FLAG(struct syscount, failures, "failures", 'x', "count failed syscalls only"),
	KS_FUNC(struct syscount, only_errno, "errno", 'e', "ERRNO",
		"count only syscalls failing with ERRNO (ENOENT or 2)", parse_errno),
	KS_INT(struct syscount, top, "top", 0, "N",
	       "show the N busiest rows (default 10 in text, all in JSON; 0 for all)", 0, 1000000),
	KS_FLAG(struct syscount, list, "list", 'l', "list the syscalls this kernel knows and exit"),
	KS_REFUSE('T', "is BCC's top N: kscope syscount takes --top N, and --timestamp for times"),
	KS_REFUSE('i', "is BCC's interval: kscope syscount takes it as its first argument "
		       "(syscount 5: a report every 5 s)"),
	{ 0 },
};

/* Read every non-empty entry and reset it, so each report covers its own interval. */
static int collect(struct ks_ctx *c)
{
	struct syscount *st = c->state;
	struct syscount_bpf *skel = c->skel;
	struct bpf_map *m = st->by_process ? skel->maps.by_pid : skel->maps.by_nr;
	struct ks_map_dump d;
	int n = ks_map_dump(bpf_map__fd(m), KS_MAP_RESET, &d);
	struct row *rows = NULL;

	st->nrows = 0;
	if (n >= 0 && (d.cpu_value != sizeof(struct syscount_stat) || d.key_size != 4))
		n = -EINVAL;
	if (n >= 0 && !(rows = realloc(st->rows, (d.n ? d.n : 1) * sizeof(*rows))))
		n = -ENOMEM;
	if (rows)
		st->rows = rows;
	for (size_t i = 0; n >= 0 && i < d.n; i++) {
		struct row *r = &st->rows[st->nrows];
		unsigned int key;

		memset(r, 0, sizeof(*r));
		memcpy(&key, ks_map_dump_key(&d, i), sizeof(key));
		r->key = key;
		/* Summed over the CPUs; the name from the first CPU that saw the process. */
		for (unsigned int cpu = 0; cpu < d.ncpu; cpu++) {
			const struct syscount_stat *v = ks_map_dump_value(&d, i, cpu);

			r->count += v->count;
			r->total_ns += v->total_ns;
			r->max_ns = KS_MAX(r->max_ns, v->max_ns);
			if (!r->comm[0] && v->comm[0])
				memcpy(r->comm, v->comm, sizeof(r->comm));
		}
		if (r->count)
			st->nrows++;
	}
	ks_map_dump_free(&d);
	return n < 0 ? n : 0;
}

/* qsort has no argument pointer: rows sort by time spent when -L measured it. */
static bool sort_by_time;

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	unsigned long long kx = sort_by_time ? x->total_ns : x->count;
	unsigned long long ky = sort_by_time ? y->total_ns : y->count;

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
	struct syscount *st = c->state;
	long long limit = st->top >= 0 ? st->top : (c->opt.json ? 0 : 10);
	double div = st->millis ? 1e6 : 1e3;
	const char *unit = st->millis ? "ms" : "us";
	char buf[32];
	int err = collect(c);
	size_t n;

	if (err)
		return err;
	sort_by_time = st->latency;
	if (st->nrows > 1) /* nothing collected: rows is NULL, which qsort must not get */
		qsort(st->rows, st->nrows, sizeof(*st->rows), row_cmp);
	n = limit ? KS_MIN(st->nrows, (size_t)limit) : st->nrows;

	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_json_obj_begin(j, NULL);
		ks_json_str(j, "type", "syscalls");
		ks_json_uint(j, "time_ns", ks_now_realtime());
		ks_json_str(j, "by", st->by_process ? "process" : "syscall");
		ks_json_arr_begin(j, "rows");
		for (size_t i = 0; i < n; i++) {
			const struct row *r = &st->rows[i];

			ks_json_obj_begin(j, NULL);
			if (st->by_process) {
				ks_json_int(j, "pid", r->key);
				ks_json_strn(j, "comm", r->comm, strnlen(r->comm, sizeof(r->comm)));
			} else {
				ks_json_str(j, "syscall", ks_syscall_name(r->key));
				ks_json_int(j, "nr", r->key);
			}
			ks_json_uint(j, "count", r->count);
			if (st->latency) {
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
	if (st->by_process)
		fprintf(c->out, "%-7s %-16s %10s", "PID", "COMM", "COUNT");
	else
		fprintf(c->out, "%-22s %10s", "SYSCALL", "COUNT");
	if (st->latency)
		fprintf(c->out, " %14s(%s) %10s(%s) %10s(%s)", "TOTAL", unit, "AVG", unit, "MAX",
			unit);
	fputc('\n', c->out);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &st->rows[i];
		char comm[4 * sizeof(r->comm) + 1];

		if (st->by_process)
			fprintf(c->out, "%-7ld %-16s %10llu", r->key,
				ks_text_escape_str(comm, sizeof(comm), r->comm,
						   strnlen(r->comm, sizeof(r->comm)), 0),
				r->count);
		else
			fprintf(c->out, "%-22s %10llu", syscall_label(r->key, buf, sizeof(buf)),
				r->count);
		if (st->latency)
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
	return KS_DONE;
}

static int prepare(struct ks_ctx *c)
{
	const struct syscount *st = c->state;

	return st->list ? list_syscalls(c) : 0;
}

static int configure(struct ks_ctx *c)
{
	const struct syscount *st = c->state;
	struct syscount_bpf *skel = c->skel;

	skel->rodata->by_process = st->by_process;
	skel->rodata->latency = st->latency;
	skel->rodata->failures_only = st->failures;
	skel->rodata->only_errno = st->only_errno;
	if (!st->latency)
		ks_bpf_disable_hook(c->obj, "sys_enter");
	/* Table maps we don't use cost memory: shrink them to one entry. */
	if (st->by_process)
		bpf_map__set_max_entries(skel->maps.by_nr, 1);
	else
		bpf_map__set_max_entries(skel->maps.by_pid, 1);
	if (!st->latency)
		bpf_map__set_max_entries(skel->maps.starts, 1);
	return 0;
}

static void finish(struct ks_ctx *c)
{
	struct syscount *st = c->state;

	free(st->rows);
	st->rows = NULL;
}

KSCOPE_BPF_TOOL(syscount, .summary = "count syscalls by syscall or by process, with latency",
		.usage = "[interval [count]]",
		.help = "Counts are kept in the kernel and printed at the end, or every interval.\n"
			"Syscall names come from the running kernel (see --list).\n\n"
			"examples:\n"
			"  kscope syscount                  top 10 syscalls until Ctrl-C\n"
			"  kscope syscount -L -p 1234       one process, with time spent\n"
			"  kscope syscount -P 1 5           top processes every second, 5 times\n"
			"  kscope syscount -e ENOENT        only calls failing with ENOENT",
		.opts = opts, KS_STATE(struct syscount, .top = -1),
		.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM,
		.prepare = prepare, .configure = configure, .loop = { .on_tick = on_tick },
		.finish = finish);
