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

/* What the rows of a BPF hash map key -> struct ks_hist_val (KS_HIST_MAP) are read into. */
struct ks_khist;

/*
 * A reader of the map named @map (a string that must outlive it) whose keys are
 * @key_size bytes; NULL with errno set. Create it before the BPF object is loaded: the
 * map is looked up in the running tool's object at each report.
 */
struct ks_khist *ks_khist_new(const char *map, size_t key_size);
void ks_khist_free(struct ks_khist *h);

/*
 * Read every key's histogram and delete it from the map, so each report covers the time
 * since the previous one (samples the BPF side adds between the read and the delete of a
 * key are lost with it: a few, at most, per key and report). Rows with no samples are
 * dropped. Returns the number of rows, or -errno.
 */
int ks_khist_collect(struct ks_khist *h, int map_fd);

size_t ks_khist_rows(const struct ks_khist *h);
const struct ks_khist_row *ks_khist_row(const struct ks_khist *h, size_t i);

/* How a report of keyed histograms looks (ks_khist_report). */
struct ks_khist_fmt {
	const char *map;      /* the BPF map (KS_HIST_MAP) in the running tool's object */
	size_t key_size;      /* its key size */
	const char *type;     /* JSON line type ("histograms") */
	const char *by;	      /* JSON "by": what the keys are ("pid"), "all" for one key */
	const char *key_name; /* text: "pid" in "pid = LABEL" above each histogram; NULL: no line */
	const char *unit;     /* the slots' unit: "usecs", "msecs", "nsecs" */
	bool hist;	      /* histograms; false: a table of counts (and totals) */
	bool total;	      /* sums were measured: totals in the table and in JSON */
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
 * The loop of a histogram tool (ks_bpf_run): ks_khist_report(@fmt) every interval and at
 * the end. One such tool runs at a time.
 */
const struct ks_loop *ks_khist_loop(struct ks_khist_fmt *fmt);

#endif
