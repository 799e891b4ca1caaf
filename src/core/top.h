/* SPDX-License-Identifier: GPL-2.0-only */
/* What the "top" tools share: a table read and emptied from a BPF map every interval. */
#ifndef KS_TOP_H
#define KS_TOP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/opt.h"

struct ks_ctx;

/*
 * A top tool's table and options, kept in its state (struct biotop { struct ks_top top;
 * ... }, KS_STATE(struct biotop, .top.rows = -1)). The rows are records of the tool's own
 * type: the map's key at offset 0, its value at the offset given to ks_top_tick.
 */
struct ks_top {
	bool noclear;		 /* -C */
	long long rows;		 /* -r: -1 until given (20 in text, all in JSON), 0 for all */
	bool clear;		 /* text on a terminal without -C: each report redraws it */
	unsigned long long last; /* CLOCK_MONOTONIC of the last report (0: none yet) */
	void *tab;		 /* the last report's records */
	size_t ntab;
};

/* -C/--noclear and -r/--rows N, into the struct ks_top @field of state @type. */
#define KS_TOP_OPTS(type, field)                                                                   \
	KS_FLAG(type, field.noclear, "noclear", 'C',                                               \
		"don't clear the screen: append each report"),                                     \
		KS_INT(type, field.rows, "rows", 'r', "N",                                         \
		       "the N busiest rows (default 20; all in JSON; 0: all)", 0, 1000000)

/*
 * From a top tool's prepare: reports every second unless an interval was given (as BCC's
 * tops), and decide whether each report redraws the screen (text on a terminal, no -C).
 */
void ks_top_prepare(struct ks_ctx *c, struct ks_top *t);

/* How a top tool's report is made (ks_top_report). */
struct ks_top_fmt {
	size_t rec_size; /* bytes per record (the tool's row type) */
	size_t val_off;	 /* where the value starts in a record: the map's key size */
	int (*cmp)(const void *a, const void *b); /* order of the rows; NULL: map order */
	/* Write the report of the first @n rows (ks_top_row) as JSON or as text. */
	void (*json)(struct ks_ctx *c, size_t n, unsigned long long interval_ns);
	void (*text)(struct ks_ctx *c, size_t n);
};

/*
 * One report, from a top tool's on_tick: read and empty the hash map @fd (so each report
 * covers its own interval) into @t->tab, records with the key at 0 and the value at
 * @f->val_off (the map's key must be @f->val_off bytes, its value @f->rec_size -
 * @f->val_off), sort them, and call @f->json or @f->text with the number of rows to show
 * (-r, or its default) and, for JSON, the time the report covers (the last one, at
 * Ctrl-C, is shorter than the interval). Returns 0 or -errno.
 */
int ks_top_report(struct ks_ctx *c, struct ks_top *t, int fd, const struct ks_top_fmt *f);

/* Record @i of the last report. */
static inline void *ks_top_row(const struct ks_top *t, size_t i, size_t rec_size)
{
	return (char *)t->tab + i * rec_size;
}

/*
 * The head of a text report: the screen cleared when redrawing, then BCC's title line
 * "HH:MM:SS loadavg: ..." (/proc/loadavg as it is) and a blank line, unless @summary is
 * false (libbpf-tools' -S).
 */
void ks_top_title(struct ks_ctx *c, const struct ks_top *t, bool summary);

/* The end of a text report: a blank line between appended reports. */
void ks_top_end(struct ks_ctx *c, const struct ks_top *t);

/*
 * JSON: opens the report's line {"type": @type, "time_ns", "interval_ns", "by": @by (NULL:
 * the -P/-L/--per-cgroup/--pidnss choice: "pid", "tid", "cgroup", "pidns", "all"), "rows": [
 * for the caller's rows; ks_top_json_end closes it.
 */
void ks_top_json_begin(struct ks_ctx *c, const char *type, const char *by,
		       unsigned long long interval_ns);
void ks_top_json_end(struct ks_ctx *c);

/*
 * The columns naming a row's task key @who of kind @by (enum ks_hist_by, usually
 * c->opt.by): "PID COMM", "TID COMM", "CGROUP" (the path, escaped) or "PIDNS",
 * left-aligned, then a space. @comm: 16 bytes, used by pid and tid.
 */
void ks_top_who_header(struct ks_ctx *c, int by);
void ks_top_who_text(struct ks_ctx *c, int by, unsigned long long who, const char *comm);

/* From the tool's finish: free the table. */
void ks_top_free(struct ks_top *t);

#endif
