/* SPDX-License-Identifier: GPL-2.0-only */
/* One log2 histogram per key (pid, tid, cgroup, irq ...): read, reset, sort, print, JSON. */
#ifndef KS_KHIST_H
#define KS_KHIST_H

#include <stdio.h>

#include "core/out.h"
#include "shared/hist.h"

struct ks_ctx;
struct ks_loop;

/* One key's histogram as read from the map. */
struct ks_khist_row {
	const void *key; /* key_size bytes, as the BPF side wrote it */
	struct ks_hist_val val;
};

/* The rows of a BPF hash map key -> struct ks_hist_val (KS_HIST_MAP), as last read. */
struct ks_khist;

/* How a report of keyed histograms looks (ks_khist_report). */
struct ks_khist_fmt {
	const char *map;  /* the BPF map (KS_HIST_MAP) in the running tool's object */
	size_t key_size;  /* its key size */
	const char *type; /* JSON line type ("histograms") */
	const char *by;	  /* JSON "by": what the keys are ("pid"), "all" for one key */
	/* text: "pid" in "pid = LABEL" above each histogram; NULL: no line; "": LABEL alone */
	const char *key_name;
	const char *unit;	      /* the slots' unit: "usecs", "msecs", "nsecs" */
	bool hist;		      /* histograms; false: a table of counts (and totals) */
	bool total;		      /* sums were measured: totals in the table and in JSON */
	unsigned long long total_div; /* text table: total in ns divided by this (1000: us) */
	const char *label_title;      /* text table: title of the key column ("HARDIRQ") */
	/* Order of rows; NULL: by total (or count) descending, then by key bytes. */
	int (*cmp)(const struct ks_khist_row *a, const struct ks_khist_row *b);
	/* Text label of a row's key ("1234 (schedload)", "net_rx"). */
	void (*label)(const struct ks_khist_row *r, char *buf, size_t len);
	/* JSON members that identify the key ("pid": 1234, "comm": ...). */
	void (*json_key)(struct ks_json *j, const struct ks_khist_row *r);
	struct ks_khist *reader; /* made by the first report; ks_khist_fmt_release frees it */
};

/*
 * The report of per-task log2 histograms (KS_HIST_MAP @map with 64-bit keys, ks_task_key)
 * for a tool's registration: .khist = KS_KHIST_TASK("hists"), with KS_TOOL_PER_* flags
 * choosing the key. JSON lines of type "histograms", with counts and totals.
 */
#define KS_KHIST_TASK(map_name)                                                                    \
	(&(const struct ks_khist_fmt){ .map = (map_name),                                          \
				       .key_size = sizeof(unsigned long long),                     \
				       .type = "histograms",                                       \
				       .hist = true,                                               \
				       .total = true })

/*
 * The label and the JSON members of a task key @key of kind @by (enum ks_hist_by) with
 * its name @comm (16 bytes, may be NULL where @by has none), as ks_khist_fmt_task's
 * reports show them: for tools whose keys hold a task key among other things.
 */
void ks_khist_task_label(int by, unsigned long long key, const char *comm, char *buf, size_t len);
void ks_khist_task_json(struct ks_json *j, int by, unsigned long long key, const char *comm);

/* Free what reports with @f allocated (its reader); @f can be used again. */
void ks_khist_fmt_release(struct ks_khist_fmt *f);

/*
 * Set @f's by, key_name, label and json_key for 64-bit task keys of kind @by (enum
 * ks_hist_by, see ks_task_key in src/bpf/hist.bpf.h): "pid = 1234 (comm)" and
 * {"pid":1234,"comm":...}; tid likewise; "cgroup = /path" (ks_cgroup_label: "memory:/path"
 * for v1) and {"cgroup_id","cgroup",...} (ks_cgroup_json);
 * "pidns = 4026531836" and {"pidns"}; nothing for KS_BY_ALL (one histogram, by "all").
 */
void ks_khist_fmt_task(struct ks_khist_fmt *f, enum ks_hist_by by);

/*
 * One report: collect the histograms of fmt->map in @c's BPF object (and reset them),
 * sort, print. JSON: one line {"type": fmt->type, "time_ns",
 * "by", "unit", "rows": [{key members, "count", "total_ns" (with fmt->total), "hist"
 * (with fmt->hist: {"unit", "buckets"} as ks_hist_json_log2)}]}. Text: "[HH:MM:SS]" in
 * interval mode or with -T, then for each row "KEY_NAME = LABEL" (if key_name) and its
 * histogram in BCC's layout, or the table; a blank line between reports. @last is the
 * loop's on_tick argument. Returns 0 or -errno.
 */
int ks_khist_report(struct ks_ctx *c, struct ks_khist_fmt *fmt, bool last);

/*
 * The loop of a keyed-histogram tool, for its registration: .loop = KS_KHIST_LOOP reports
 * c->khist (ks_khist_report) every interval and at the end.
 */
int ks_khist_loop_tick(struct ks_ctx *c, bool last);
#define KS_KHIST_LOOP                                                                              \
	{                                                                                          \
		.on_tick = ks_khist_loop_tick                                                      \
	}

/*
 * The core's part of configuring a tool with KS_TOOL_PER_* flags, the object open: the
 * user's choice of key into the .rodata variable ks_by, and c->khist's map cut to one
 * entry when everything goes under one key. Returns 0 or -errno.
 */
int ks_khist_configure(struct ks_ctx *c);

#endif
