/* SPDX-License-Identifier: GPL-2.0-only */
/* What hardirqs and softirqs share in user space: their options and report settings. */
#ifndef KS_TOOLS_IRQS_H
#define KS_TOOLS_IRQS_H

#include "core/khist.h"
#include "core/log.h"
#include "core/tool.h"

struct irqs_opts {
	bool count_only, dist, nanos;
};

/* The options table of an interrupt tool storing into struct irqs_opts O; WHAT: "interrupts". */
#define IRQS_OPTS(o, what)                                                                             \
	{                                                                                              \
		"count",	'C', KS_OPT_FLAG, NULL, "count " what " instead of timing them",       \
		&(o).count_only                                                                        \
	},                                                                                             \
		{ "dist", 'D', KS_OPT_FLAG, NULL, "a histogram of handler times per key", &(o).dist }, \
		{ "nanoseconds", 'N', KS_OPT_FLAG, NULL, "times in nanoseconds (default us)",          \
		  &(o).nanos },                                                                        \
	{                                                                                              \
		0                                                                                      \
	}

/* Settle @f from @o; false (after saying why) for options that don't go together. */
static inline bool irqs_fmt_set(struct ks_khist_fmt *f, const struct irqs_opts *o)
{
	if (o->count_only && o->dist) {
		ks_error("-C counts and -D times: choose one");
		return false;
	}
	f->hist = o->dist;
	f->total = !o->count_only;
	f->unit = o->nanos ? "nsecs" : "usecs";
	f->total_div = o->nanos ? 1 : 1000;
	return true;
}

#endif
