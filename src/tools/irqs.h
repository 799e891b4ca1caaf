/* SPDX-License-Identifier: GPL-2.0-only */
/* What hardirqs and softirqs share in user space: their options and report settings. */
#ifndef KS_TOOLS_IRQS_H
#define KS_TOOLS_IRQS_H

#include "core/khist.h"
#include "core/log.h"
#include "core/tool.h"

/* The state of an interrupt tool: its options. */
struct irqs {
	bool count_only, dist, nanos;
};

/* The options table of an interrupt tool; WHAT: "interrupts". */
/* clang-format off: one option a line */
#define IRQS_OPTS(what)                                                                            \
	{                                                                                          \
		KS_FLAG(struct irqs, count_only, "count", 'C',                                     \
			"count " what " instead of timing them"),                                  \
			KS_FLAG(struct irqs, dist, "dist", 'D',                                    \
				"a histogram of handler times per key"),                           \
			KS_FLAG(struct irqs, nanos, "nanoseconds", 'N',                            \
				"times in nanoseconds (default us)"),                              \
			KS_REFUSE('d', "is BCC's histograms: kscope takes -D (--dist), and "       \
				       "--duration SECONDS for a duration"),                       \
			KS_REFUSE('c', "is BCC's CPU filter (libbpf-tools: a cgroup); kscope "     \
				       "has neither for " what),                                   \
			{ 0 },                                                                     \
	}
/* clang-format on */

/* prepare: settle c->khist from the options; KS_EXIT_USAGE (after saying why) on a conflict. */
static inline int irqs_prepare(struct ks_ctx *c)
{
	const struct irqs *o = c->state;

	if (o->count_only && o->dist) {
		ks_error("-C counts and -D times: choose one");
		return KS_EXIT_USAGE;
	}
	c->khist.hist = o->dist;
	c->khist.total = !o->count_only;
	c->khist.unit = o->nanos ? "nsecs" : "usecs";
	c->khist.total_div = o->nanos ? 1 : 1000;
	return 0;
}

/*
 * configure: the objects' count_only and unit_div, and with -C the exit hook @exit_hook
 * switched off (counting needs only the entry).
 */
static inline int irqs_configure(struct ks_ctx *c, const char *exit_hook)
{
	const struct irqs *o = c->state;
	unsigned long long div = o->nanos ? 1 : 1000;
	bool count = o->count_only;
	int err = ks_bpf_set_rodata(c->obj, "count_only", &count, sizeof(count));

	if (count)
		ks_bpf_disable_hook(c->obj, exit_hook);
	return err ? err : ks_bpf_set_rodata(c->obj, "unit_div", &div, sizeof(div));
}

#endif
