// SPDX-License-Identifier: GPL-2.0-only
/* biotop: the processes (threads, cgroups) doing the most block IO, per disk, each interval. */
#include <stddef.h>

#include <bpf/libbpf.h>

#include "core/block.h"
#include "core/khist.h"
#include "core/tool.h"
#include "core/top.h"
#include "skel/biotop.skel.h"
#include "tools/biotop.h"

struct row {
	struct biotop_key k;
	struct biotop_stat s;
};

struct biotop {
	struct ks_top top;
	unsigned int dev;
};

static const struct ks_opt opts[] = {
	KS_TOP_OPTS(struct biotop, top),
	KS_DISK_OPT(struct biotop, dev),
	{ 0 },
};

static unsigned long long requests(const struct biotop_stat *s)
{
	return s->reads + s->writes + s->others;
}

/* Bytes descending as BCC's biotop, then requests; then the key, so equal rows keep still. */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	unsigned long long bx = x->s.read_bytes + x->s.write_bytes;
	unsigned long long by = y->s.read_bytes + y->s.write_bytes;

	if (bx != by)
		return bx < by ? 1 : -1;
	if (requests(&x->s) != requests(&y->s))
		return requests(&x->s) < requests(&y->s) ? 1 : -1;
	if (x->k.who != y->k.who)
		return x->k.who < y->k.who ? -1 : 1;
	return x->k.dev < y->k.dev ? -1 : x->k.dev > y->k.dev;
}

static void report_json(struct ks_ctx *c, size_t n, unsigned long long interval_ns)
{
	const struct biotop *st = c->state;
	struct ks_json *j = &c->json;

	ks_top_json_begin(c, "biotop", NULL, interval_ns);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = ks_top_row(&st->top, i, sizeof(*r));

		ks_json_obj_begin(j, NULL);
		ks_khist_task_json(j, c->opt.by, r->k.who, r->s.comm);
		ks_disk_json(j, r->k.dev);
		ks_json_uint(j, "reads", r->s.reads);
		ks_json_uint(j, "writes", r->s.writes);
		ks_json_uint(j, "others", r->s.others);
		ks_json_uint(j, "read_bytes", r->s.read_bytes);
		ks_json_uint(j, "write_bytes", r->s.write_bytes);
		ks_json_uint(j, "avg_ns", r->s.total_ns / requests(&r->s));
		ks_json_uint(j, "max_ns", r->s.max_ns);
		ks_json_obj_end(j);
	}
	ks_top_json_end(c);
}

static void report_text(struct ks_ctx *c, size_t n)
{
	const struct biotop *st = c->state;
	char disk[32];

	ks_top_title(c, &st->top, true);
	ks_top_who_header(c, c->opt.by);
	fprintf(c->out, "%-9s %6s %6s %5s %9s %9s %8s %8s\n", "DISK", "READS", "WRITES", "OTHER",
		"READ_KB", "WRITE_KB", "AVGms", "MAXms");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = ks_top_row(&st->top, i, sizeof(*r));

		ks_top_who_text(c, c->opt.by, r->k.who, r->s.comm);
		fprintf(c->out, "%-9s %6llu %6llu %5llu %9llu %9llu %8.2f %8.2f\n",
			ks_disk_name(r->k.dev, disk, sizeof(disk)), r->s.reads, r->s.writes,
			r->s.others, r->s.read_bytes / 1024, r->s.write_bytes / 1024,
			(double)r->s.total_ns / (double)requests(&r->s) / 1e6,
			(double)r->s.max_ns / 1e6);
	}
	ks_top_end(c, &st->top);
}

static int on_tick(struct ks_ctx *c, bool last)
{
	struct biotop *st = c->state;
	struct biotop_bpf *skel = c->skel;
	const struct ks_top_fmt fmt = { sizeof(struct row), offsetof(struct row, s), row_cmp,
					report_json, report_text };

	(void)last;
	return ks_top_report(c, &st->top, bpf_map__fd(skel->maps.stats), &fmt);
}

static int prepare(struct ks_ctx *c)
{
	struct biotop *st = c->state;

	ks_top_prepare(c, &st->top);
	/* -P is the default: per process unless -L, --per-cgroup or --pidnss said otherwise */
	if (c->opt.by == KS_BY_ALL)
		c->opt.by = KS_BY_PID;
	return 0;
}

static int configure(struct ks_ctx *c)
{
	const struct biotop *st = c->state;

	/* the submitter is every row's subject: requests made before tracing are left out */
	return ks_block_configure(c, st->dev, KS_BLK_NEED_WHO | KS_BLK_NEED_DEV | KS_BLK_NEED_IO);
}

static void finish(struct ks_ctx *c)
{
	struct biotop *st = c->state;

	ks_top_free(&st->top);
}

KSCOPE_BPF_TOOL(
	biotop,
	.summary = "top for disks: the processes doing the most block IO, per disk, every interval",
	.usage = "[interval [count]]",
	.help = "Every interval (default 1 s), one row per submitter and disk, the most bytes\n"
		"first: the process (-P, the default; -L thread, --per-cgroup cgroup, --pidnss\n"
		"PID namespace) that SUBMITTED the requests, seen when the block layer made them;\n"
		"the disk; the requests completed in the interval: READS, WRITES, and OTHER\n"
		"(flushes, discards, write zeroes: no data of their own); the KB read and\n"
		"written; the device time (issue -> completion) of the row's requests, average\n"
		"and maximum. Requests made before tracing started are left out. The filters\n"
		"select the submitter. On a terminal each report redraws the screen (-C:\n"
		"appends). JSON, one line per interval: {\"type\":\"biotop\",\"time_ns\",\n"
		"\"interval_ns\",\"by\",\"rows\":[{\"pid\",\"comm\" (or tid, cgroup, pidns),\n"
		"\"disk\",\"major\",\"minor\",\"reads\",\"writes\",\"others\",\"read_bytes\",\n"
		"\"write_bytes\",\"avg_ns\",\"max_ns\"}]}.\n\n"
		"examples:\n"
		"  kscope biotop                       top 20 every second until Ctrl-C\n"
		"  kscope biotop -C 5 3                every 5 seconds, 3 times, appended\n"
		"  kscope biotop -d vda --per-cgroup   the cgroups doing IO on vda\n"
		"  kscope biotop -r 0 --json 10        every row every 10 seconds, as JSON",
	.opts = opts, KS_STATE(struct biotop, .top.rows = -1),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_PER_TASK,
	.prepare = prepare, .configure = configure, .layouts = ks_block_layouts,
	.loop = { .on_tick = on_tick }, .finish = finish);
