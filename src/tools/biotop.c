// SPDX-License-Identifier: GPL-2.0-only
/* biotop: the processes (threads, cgroups) doing the most block IO, per disk, each interval. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "core/block.h"
#include "core/cgroup.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/khist.h"
#include "core/maps.h"
#include "core/tool.h"
#include "skel/biotop.skel.h"
#include "tools/biotop.h"

struct row {
	struct biotop_key k;
	struct biotop_stat s;
};

struct biotop {
	bool noclear;
	long long rows; /* -r: -1 until given (20 in text, all in JSON), 0 for all */
	unsigned int dev;
	bool clear;		 /* text on a terminal, without -C: redraw in place */
	unsigned long long last; /* CLOCK_MONOTONIC of the last report (or of the attach) */
	struct row *tab;	 /* the last report's rows */
	size_t ntab;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct biotop, noclear, "noclear", 'C',
		"don't clear the screen: append each report"),
	KS_INT(struct biotop, rows, "rows", 'r', "N",
	       "the N busiest rows (default 20; all in JSON; 0: all)", 0, 1000000),
	KS_DISK_OPT(struct biotop, dev),
	{ 0 },
};

/* The interval's rows: read and emptied, so each report covers its own interval only. */
static int collect(struct ks_ctx *c)
{
	struct biotop *st = c->state;
	struct biotop_bpf *skel = c->skel;
	struct ks_map_dump d;
	int n = ks_map_dump(bpf_map__fd(skel->maps.stats), KS_MAP_RESET, &d);
	struct row *tab = NULL;

	st->ntab = 0;
	if (n >= 0 &&
	    (d.key_size != sizeof(struct biotop_key) || d.cpu_value != sizeof(struct biotop_stat)))
		n = -EINVAL;
	if (n >= 0 && !(tab = realloc(st->tab, (d.n ? d.n : 1) * sizeof(*tab))))
		n = -ENOMEM;
	if (tab)
		st->tab = tab;
	for (size_t i = 0; n >= 0 && i < d.n; i++, st->ntab++) {
		memcpy(&st->tab[i].k, ks_map_dump_key(&d, i), sizeof(st->tab[i].k));
		memcpy(&st->tab[i].s, ks_map_dump_value(&d, i, 0), sizeof(st->tab[i].s));
	}
	ks_map_dump_free(&d);
	return n < 0 ? n : 0;
}

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

static const char *const by_names[] = { "all", "pid", "tid", "cgroup", "pidns" };

static void report_json(struct ks_ctx *c, size_t n, unsigned long long interval_ns)
{
	const struct biotop *st = c->state;
	struct ks_json *j = &c->json;

	ks_json_obj_begin(j, NULL);
	ks_json_str(j, "type", "biotop");
	ks_json_uint(j, "time_ns", ks_now_realtime());
	ks_json_uint(j, "interval_ns", interval_ns);
	ks_json_str(j, "by", by_names[c->opt.by]);
	ks_json_arr_begin(j, "rows");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &st->tab[i];

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
	ks_json_arr_end(j);
	ks_json_obj_end(j);
}

/* BCC's first line: "HH:MM:SS loadavg: " and /proc/loadavg as it is. */
static void report_title(struct ks_ctx *c)
{
	char hms[16], load[128];

	if (ks_read_line("/proc/loadavg", load, sizeof(load)))
		snprintf(load, sizeof(load), "?");
	fprintf(c->out, "%s loadavg: %s\n\n", ks_fmt_hms(hms, sizeof(hms), ks_now_realtime()),
		load);
}

/* The submitter's columns: PID COMM, TID COMM, CGROUP or PIDNS. */
static void who_text(struct ks_ctx *c, const struct row *r)
{
	char buf[4096];

	switch (c->opt.by) {
	case KS_BY_PID:
	case KS_BY_TID:
		fprintf(c->out, "%-7llu %-16s ", r->k.who,
			ks_text_escape_str(buf, sizeof(buf), r->s.comm,
					   strnlen(r->s.comm, sizeof(r->s.comm)), 0));
		break;
	case KS_BY_CGROUP:
		/* the path is escaped by ks_cgroup_label; long ones push the columns right */
		fprintf(c->out, "%-24s ", ks_cgroup_label(r->k.who, buf, sizeof(buf)));
		break;
	default:
		fprintf(c->out, "%-12llu ", r->k.who);
	}
}

static void report_text(struct ks_ctx *c, size_t n)
{
	const struct biotop *st = c->state;
	char disk[32];

	if (st->clear)
		fputs("\033[H\033[2J", c->out); /* home, then clear: the report redraws in place */
	report_title(c);
	switch (c->opt.by) {
	case KS_BY_PID:
	case KS_BY_TID:
		fprintf(c->out, "%-7s %-16s ", c->opt.by == KS_BY_PID ? "PID" : "TID", "COMM");
		break;
	case KS_BY_CGROUP:
		fprintf(c->out, "%-24s ", "CGROUP");
		break;
	default:
		fprintf(c->out, "%-12s ", "PIDNS");
	}
	fprintf(c->out, "%-9s %6s %6s %5s %9s %9s %8s %8s\n", "DISK", "READS", "WRITES", "OTHER",
		"READ_KB", "WRITE_KB", "AVGms", "MAXms");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &st->tab[i];

		who_text(c, r);
		fprintf(c->out, "%-9s %6llu %6llu %5llu %9llu %9llu %8.2f %8.2f\n",
			ks_disk_name(r->k.dev, disk, sizeof(disk)), r->s.reads, r->s.writes,
			r->s.others, r->s.read_bytes / 1024, r->s.write_bytes / 1024,
			(double)r->s.total_ns / (double)requests(&r->s) / 1e6,
			(double)r->s.max_ns / 1e6);
	}
	if (!st->clear)
		fputc('\n', c->out);
}

static int on_tick(struct ks_ctx *c, bool last)
{
	struct biotop *st = c->state;
	unsigned long long now = ks_now_mono(), interval_ns;
	long long limit = st->rows >= 0 ? st->rows : (c->opt.json ? 0 : 20);
	int err = collect(c);
	size_t n;

	(void)last;
	if (err)
		return err;
	/* the time this report covers: the last one, at Ctrl-C, is shorter than the interval */
	interval_ns = now - (st->last ? st->last : c->start_ns);
	st->last = now;
	if (st->ntab > 1)
		qsort(st->tab, st->ntab, sizeof(*st->tab), row_cmp);
	n = limit ? KS_MIN(st->ntab, (size_t)limit) : st->ntab;
	if (c->opt.json)
		report_json(c, n, interval_ns);
	else
		report_text(c, n);
	return 0;
}

static int prepare(struct ks_ctx *c)
{
	struct biotop *st = c->state;

	/* a top needs intervals: every second by default, as BCC's biotop */
	if (c->opt.interval <= 0)
		c->opt.interval = 1;
	/* -P is the default: per process unless -L, --per-cgroup or --pidnss said otherwise */
	if (c->opt.by == KS_BY_ALL)
		c->opt.by = KS_BY_PID;
	/* c->out is stdout, written through descriptor 1 by a stream of its own (ks_out_stdout) */
	st->clear = !st->noclear && !c->opt.json && isatty(STDOUT_FILENO);
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

	free(st->tab);
	st->tab = NULL;
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
	.opts = opts, KS_STATE(struct biotop, .rows = -1),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_PER_TASK,
	.prepare = prepare, .configure = configure, .layouts = ks_block_layouts,
	.loop = { .on_tick = on_tick }, .finish = finish);
