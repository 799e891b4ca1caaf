// SPDX-License-Identifier: GPL-2.0-only
/* uringlat: io_uring request latency (submit to completion) per opcode, with counts. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/clock.h"
#include "core/errors.h"
#include "core/khist.h"
#include "core/log.h"
#include "core/maps.h"
#include "core/tool.h"
#include "core/uring.h"
#include "skel/uringlat.skel.h"
#include "tools/uringlat.h"

struct uringlat {
	bool millis, per_ring;
	struct ks_uring_caps caps;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct uringlat, millis, "milliseconds", 'm',
		"histograms in milliseconds (default us)"),
	KS_FLAG(struct uringlat, per_ring, "per-ring", 0,
		"one histogram per ring and opcode (labelled by process and ring fd)"),
	{ 0 },
};

/* The opcode's name, or its number in brackets for one this kernel's BTF doesn't name. */
/*
 * A row for the core's per-task labels: they read the 64-bit key at the start of the key
 * (uringlat_key.key) and the name in val.comm.
 */
static void task_row(struct ks_khist_row *r, const struct uringlat_key *k, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->key = k;
	memcpy(r->val.comm, name, sizeof(r->val.comm));
}

/* The ring's fd: seen at io_uring_create, else the process's only ring; -1 if unknown. */
static int ring_fd(const struct uringlat_key *k)
{
	return k->ring_fd >= 0 ? k->ring_fd : ks_uring_ring_fd(k->ring_pid);
}

/* "1234 (comm)", "/cgroup/path", "0xffff... (pid 1234 comm, fd 5)": the key alone. */
static void key_label(const struct uringlat_key *k, const char *name, char *buf, size_t len)
{
	struct ks_khist_fmt tf = { 0 };
	struct ks_khist_row r;
	char comm[4 * 16 + 1];

	if (k->by == URINGLAT_BY_RING) {
		int fd = ring_fd(k);

		ks_text_escape_str(comm, sizeof(comm), name, strnlen(name, 16), 0);
		if (fd >= 0)
			snprintf(buf, len, "%#llx (pid %u %s, fd %d)", k->key, k->ring_pid, comm,
				 fd);
		else
			snprintf(buf, len, "%#llx (pid %u %s)", k->key, k->ring_pid, comm);
		return;
	}
	buf[0] = '\0';
	ks_khist_fmt_task(&tf, (enum ks_hist_by)k->by);
	task_row(&r, k, name);
	if (tf.label)
		tf.label(&r, buf, len);
}

static void key_json(struct ks_json *j, const struct uringlat_key *k, const char *name)
{
	struct ks_khist_fmt tf = { 0 };
	struct ks_khist_row r;
	char ring[32];

	if (k->by == URINGLAT_BY_RING) {
		int fd = ring_fd(k);

		snprintf(ring, sizeof(ring), "%#llx", k->key);
		ks_json_str(j, "ring", ring);
		ks_json_uint(j, "pid", k->ring_pid);
		ks_json_strn(j, "comm", name, strnlen(name, 16));
		if (fd >= 0)
			ks_json_int(j, "ring_fd", fd);
		else
			ks_json_null(j, "ring_fd");
		return;
	}
	ks_khist_fmt_task(&tf, (enum ks_hist_by)k->by);
	task_row(&r, k, name);
	if (tf.json_key)
		tf.json_key(j, &r);
}

static void json_opcode(struct ks_json *j, unsigned int op)
{
	const char *n = ks_uring_op_name(op);

	if (n)
		ks_json_str(j, "opcode", n);
	else
		ks_json_null(j, "opcode");
	ks_json_uint(j, "opcode_nr", op);
}

static void hist_label(const struct ks_khist_row *r, char *buf, size_t len)
{
	const struct uringlat_key *k = r->key;
	char key[256], op[16];

	if (k->by == KS_BY_ALL) {
		snprintf(buf, len, "%s", ks_uring_op_label(k->opcode, op, sizeof(op)));
		return;
	}
	key_label(k, r->val.comm, key, sizeof(key));
	snprintf(buf, len, "%s, opcode = %s", key, ks_uring_op_label(k->opcode, op, sizeof(op)));
}

static void hist_json_key(struct ks_json *j, const struct ks_khist_row *r)
{
	const struct uringlat_key *k = r->key;

	key_json(j, k, r->val.comm);
	json_opcode(j, k->opcode);
}

/* Rows by key, then opcode: a key's opcodes stay together. */
static int key_cmp(const struct uringlat_key *a, const struct uringlat_key *b)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->opcode != b->opcode)
		return a->opcode < b->opcode ? -1 : 1;
	return a->err < b->err ? 1 : a->err > b->err ? -1 : 0;
}

static int hist_cmp(const struct ks_khist_row *a, const struct ks_khist_row *b)
{
	return key_cmp(a->key, b->key);
}

static int dump_cmp(const void *a, const void *b)
{
	return key_cmp(*(const struct uringlat_key *const *)a,
		       *(const struct uringlat_key *const *)b);
}

/*
 * Read and reset map @name, and give its entries in report order: @order[i] points at the
 * i-th key, whose value is at the same index of @d (ks_map_dump_value of its position).
 */
static int dump_sorted(struct ks_ctx *c, const char *name, size_t vsize, struct ks_map_dump *d,
		       const struct uringlat_key ***order)
{
	struct bpf_map *m = bpf_object__find_map_by_name(c->obj, name);
	int n = m ? ks_map_dump(bpf_map__fd(m), KS_MAP_RESET, d) : -ENOENT;

	*order = NULL;
	if (n < 0)
		return n;
	if (d->key_size != sizeof(struct uringlat_key) || d->cpu_value != vsize)
		return -EINVAL;
	*order = calloc(d->n ? d->n : 1, sizeof(**order));
	if (!*order)
		return -ENOMEM;
	for (size_t i = 0; i < d->n; i++)
		(*order)[i] = ks_map_dump_key(d, i);
	qsort(*order, d->n, sizeof(**order), dump_cmp);
	return 0;
}

static const void *value_of(const struct ks_map_dump *d, const struct uringlat_key *k)
{
	return ks_map_dump_value(d, (size_t)((const char *)k - d->keys) / d->key_size, 0);
}

/* What this kernel can't count, as words for the counts line and the warning. */
static const char *const missing_what[] = { "punted", "failed_at_submit", "overflows" };

static bool missing(const struct uringlat *st, int i)
{
	return i == 0 ? !st->caps.punt : i == 1 ? !st->caps.failed : !st->caps.overflow;
}

static void counts_json(struct ks_ctx *c, const struct ks_map_dump *cd,
			const struct uringlat_key **co, const struct ks_map_dump *ed,
			const struct uringlat_key **eo)
{
	const struct uringlat *st = c->state;
	struct ks_json *j = &c->json;

	ks_json_obj_begin(j, NULL);
	ks_json_str(j, "type", "uring_counts");
	ks_json_uint(j, "time_ns", ks_now_realtime());
	ks_json_str(j, "by", st->per_ring ? "ring" : c->khist.by);
	ks_json_arr_begin(j, "rows");
	for (size_t i = 0; i < cd->n; i++) {
		const struct uringlat_counts *v = value_of(cd, co[i]);

		if (co[i]->opcode == URINGLAT_NO_OP)
			continue;
		ks_json_obj_begin(j, NULL);
		key_json(j, co[i], v->name);
		json_opcode(j, co[i]->opcode);
		ks_json_uint(j, "count", v->inline_done + v->punted);
		ks_json_uint(j, "inline", v->inline_done);
		ks_json_uint(j, "punted", v->punted);
		ks_json_obj_end(j);
	}
	ks_json_arr_end(j);
	ks_json_arr_begin(j, "errors");
	for (size_t i = 0; i < ed->n; i++) {
		const struct uringlat_err *v = value_of(ed, eo[i]);
		const char *e = ks_errno_name(-eo[i]->err);

		ks_json_obj_begin(j, NULL);
		key_json(j, eo[i], v->name);
		json_opcode(j, eo[i]->opcode);
		if (e)
			ks_json_str(j, "errno", e);
		else
			ks_json_null(j, "errno");
		ks_json_int(j, "error", eo[i]->err);
		ks_json_uint(j, "count", v->count);
		ks_json_obj_end(j);
	}
	ks_json_arr_end(j);
	if (st->caps.overflow) {
		ks_json_arr_begin(j, "overflows");
		for (size_t i = 0; i < cd->n; i++) {
			const struct uringlat_counts *v = value_of(cd, co[i]);

			if (co[i]->opcode != URINGLAT_NO_OP)
				continue;
			ks_json_obj_begin(j, NULL);
			key_json(j, co[i], v->name);
			ks_json_uint(j, "count", v->overflow);
			ks_json_obj_end(j);
		}
		ks_json_arr_end(j);
	} else {
		ks_json_null(j, "overflows");
	}
	ks_json_arr_begin(j, "unavailable");
	for (int i = 0; i < (int)KS_ARRAY_SIZE(missing_what); i++)
		if (missing(st, i))
			ks_json_str(j, NULL, missing_what[i]);
	ks_json_arr_end(j);
	ks_json_obj_end(j);
}

/* The text table's first column: the key, when there is one. */
static void text_key(struct ks_ctx *c, const struct uringlat_key *k, const char *name)
{
	char key[256];

	if (k->by == KS_BY_ALL)
		return;
	key_label(k, name, key, sizeof(key));
	fprintf(c->out, "%-32s ", key);
}

static void text_key_title(struct ks_ctx *c)
{
	const struct uringlat *st = c->state;

	char title[16];
	size_t i;

	if (c->opt.by == KS_BY_ALL && !st->per_ring)
		return;
	snprintf(title, sizeof(title), "%s", st->per_ring ? "ring" : c->khist.key_name);
	for (i = 0; title[i]; i++)
		title[i] = (char)toupper((unsigned char)title[i]);
	fprintf(c->out, "%-32s ", title);
}

static void counts_text(struct ks_ctx *c, const struct ks_map_dump *cd,
			const struct uringlat_key **co, const struct ks_map_dump *ed,
			const struct uringlat_key **eo)
{
	const struct uringlat *st = c->state;
	char op[16];

	fputc('\n', c->out);
	text_key_title(c);
	fprintf(c->out, "%-16s %10s %10s %10s\n", "OPCODE", "COUNT", "INLINE", "PUNTED");
	for (size_t i = 0; i < cd->n; i++) {
		const struct uringlat_counts *v = value_of(cd, co[i]);

		if (co[i]->opcode == URINGLAT_NO_OP)
			continue;
		text_key(c, co[i], v->name);
		fprintf(c->out, "%-16s %10llu %10llu ",
			ks_uring_op_label(co[i]->opcode, op, sizeof(op)),
			v->inline_done + v->punted, v->inline_done);
		if (st->caps.punt)
			fprintf(c->out, "%10llu\n", v->punted);
		else
			fprintf(c->out, "%10s\n", "-");
	}
	if (ed->n) {
		fputc('\n', c->out);
		text_key_title(c);
		fprintf(c->out, "%-16s %-16s %10s\n", "OPCODE", "ERROR", "COUNT");
	}
	for (size_t i = 0; i < ed->n; i++) {
		const struct uringlat_err *v = value_of(ed, eo[i]);
		const char *e = ks_errno_name(-eo[i]->err);
		char num[16];

		snprintf(num, sizeof(num), "%d", eo[i]->err);
		text_key(c, eo[i], v->name);
		fprintf(c->out, "%-16s %-16s %10llu\n",
			ks_uring_op_label(eo[i]->opcode, op, sizeof(op)), e ? e : num, v->count);
	}
	fputc('\n', c->out);
	if (!st->caps.overflow) {
		fprintf(c->out, "CQ overflows: not counted (no io_uring_cqe_overflow here)\n");
		return;
	}
	for (size_t i = 0; i < cd->n; i++) {
		const struct uringlat_counts *v = value_of(cd, co[i]);

		if (co[i]->opcode != URINGLAT_NO_OP)
			continue;
		text_key(c, co[i], v->name);
		fprintf(c->out, "CQ overflows: %llu\n", v->overflow);
	}
	for (size_t i = 0; i < cd->n; i++)
		if (co[i]->opcode == URINGLAT_NO_OP)
			return;
	fprintf(c->out, "CQ overflows: 0\n");
}

static int on_tick(struct ks_ctx *c, bool last)
{
	const struct uringlat_key **co = NULL, **eo = NULL;
	struct ks_map_dump cd = { 0 }, ed = { 0 };
	int err = ks_khist_report(c, &c->khist, true);

	if (!err)
		err = dump_sorted(c, "counts", sizeof(struct uringlat_counts), &cd, &co);
	if (!err)
		err = dump_sorted(c, "errs", sizeof(struct uringlat_err), &ed, &eo);
	if (!err && c->opt.json)
		counts_json(c, &cd, co, &ed, eo);
	else if (!err)
		counts_text(c, &cd, co, &ed, eo);
	if (!err && !c->opt.json && (!last || c->opt.interval > 0))
		fputc('\n', c->out);
	free(co);
	free(eo);
	ks_map_dump_free(&cd);
	ks_map_dump_free(&ed);
	return err;
}

static int prepare(struct ks_ctx *c)
{
	const struct uringlat *st = c->state;

	if (st->per_ring && c->opt.by != KS_BY_ALL) {
		ks_error("--per-ring and -P/-L/--per-cgroup/--pidnss: choose one key");
		return KS_EXIT_USAGE;
	}
	c->khist.unit = st->millis ? "msecs" : "usecs";
	c->khist.label = hist_label;
	c->khist.json_key = hist_json_key;
	c->khist.cmp = hist_cmp;
	if (st->per_ring) {
		c->khist.by = "ring";
		c->khist.key_name = "ring";
	} else if (c->opt.by == KS_BY_ALL) {
		c->khist.key_name = "opcode";
	}
	return 0;
}

static int configure(struct ks_ctx *c)
{
	struct uringlat *st = c->state;
	struct uringlat_bpf *skel = c->skel;
	int err;

	skel->rodata->unit_div = st->millis ? 1000000 : 1000;
	skel->rodata->per_ring = st->per_ring;
	/* One histogram per opcode even with one key: undo the core's one-entry map. */
	err = bpf_map__set_max_entries(skel->maps.hists, 10240);
	if (!err)
		err = ks_uring_configure(c, &st->caps);
	if (err)
		return err;
	/* JSON says it in each counts line ("unavailable"); stderr stays for errors there. */
	for (int i = 0; !c->opt.json && st->caps.known && i < (int)KS_ARRAY_SIZE(missing_what); i++)
		if (missing(st, i))
			ks_warn("this kernel has no io_uring_%s tracepoint: %s not counted",
				i == 0	 ? "queue_async_work"
				: i == 1 ? "req_failed"
					 : "cqe_overflow",
				i == 0	 ? "punts to io-wq"
				: i == 1 ? "requests failed at submission"
					 : "CQ overflows");
	return 0;
}

KSCOPE_BPF_TOOL(
	uringlat,
	.summary = "io_uring request latency (submit to completion) per opcode, as histograms",
	.usage = "[interval [count]]",
	.help = "One histogram per opcode (read, write, nop, timeout ...: names from this\n"
		"kernel's BTF), then a table of counts per opcode: requests completed inline\n"
		"(never handed to an io-wq worker) and punted to io-wq, completions with a\n"
		"negative result and requests failed at submission per errno, and CQ overflows.\n"
		"Only requests submitted after tracing began are timed. The filters select the\n"
		"submitting task. A timeout that expires completes with ETIME: it is listed\n"
		"with the errors, as the CQE says.\n"
		"JSON reports: {\"type\":\"histograms\",\"by\",\"unit\",\"rows\":[{key...,\n"
		"\"opcode\",\"opcode_nr\",\"count\",\"total_ns\",\"hist\"}]}, then\n"
		"{\"type\":\"uring_counts\",\"by\",\"rows\":[{key...,\"opcode\",\"opcode_nr\","
		"\"count\",\n"
		"\"inline\",\"punted\"}],\"errors\":[{key...,\"opcode\",\"opcode_nr\",\"errno\","
		"\"error\",\n"
		"\"count\"}],\"overflows\":[{key...,\"count\"}] (null where not counted),\n"
		"\"unavailable\":[what this kernel can't count]}.\n\n"
		"examples:\n"
		"  kscope uringlat                  one histogram per opcode until Ctrl-C\n"
		"  kscope uringlat -m 5 3           in ms, every 5 seconds, 3 times\n"
		"  kscope uringlat -P -p 1234       per process (here one)\n"
		"  kscope uringlat --per-ring       per ring, labelled by process and fd",
	.opts = opts, KS_STATE(struct uringlat),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM |
		 KS_TOOL_PER_TASK,
	.khist = &(const struct ks_khist_fmt){ .map = "hists",
					       .key_size = sizeof(struct uringlat_key),
					       .type = "histograms",
					       .hist = true,
					       .total = true },
	.prepare = prepare, .configure = configure, .layouts = ks_uring_hooks,
	.loop = { .on_tick = on_tick });
