// SPDX-License-Identifier: GPL-2.0-only
/* softirqs: time spent in (or number of) softirq handlers, per vector. */
#include <string.h>

#include "tools/irqs.h"
#include "skel/softirqs.skel.h"

static const struct ks_opt opts[] = IRQS_OPTS("softirqs");

/* The kernel's softirq vectors, in enum order (include/linux/interrupt.h). */
static const char *const vec_names[] = { "hi",	     "timer",	"net_tx", "net_rx",  "block",
					 "irq_poll", "tasklet", "sched",  "hrtimer", "rcu" };

static unsigned int vec_of(const struct ks_khist_row *r)
{
	unsigned int v;

	memcpy(&v, r->key, sizeof(v));
	return v;
}

static void label(const struct ks_khist_row *r, char *buf, size_t len)
{
	unsigned int v = vec_of(r);

	if (v < KS_ARRAY_SIZE(vec_names))
		snprintf(buf, len, "%s", vec_names[v]);
	else
		snprintf(buf, len, "[%u]", v);
}

static void json_key(struct ks_json *j, const struct ks_khist_row *r)
{
	char name[16];

	label(r, name, sizeof(name));
	ks_json_str(j, "name", name);
	ks_json_uint(j, "vec", vec_of(r));
}

static int vec_cmp(const struct ks_khist_row *a, const struct ks_khist_row *b)
{
	return (vec_of(a) > vec_of(b)) - (vec_of(a) < vec_of(b));
}

static const struct ks_khist_fmt fmt = { .map = "softirqs",
					 .key_size = sizeof(unsigned int),
					 .type = "softirqs",
					 .by = "softirq",
					 .key_name = "softirq",
					 .label_title = "SOFTIRQ",
					 .label = label,
					 .json_key = json_key };

static int configure(struct ks_ctx *c)
{
	return irqs_configure(c, "softirq_exit");
}

static int prepare(struct ks_ctx *c)
{
	const struct irqs *o = c->state;

	/* Histograms in vector order, as BCC prints them; tables by time. */
	c->khist.cmp = o->dist ? vec_cmp : NULL;
	return irqs_prepare(c);
}

KSCOPE_BPF_TOOL(
	softirqs, .summary = "time spent in softirq handlers (or their counts), per vector",
	.usage = "[interval [count]]",
	.help = "Vectors: hi, timer, net_tx, net_rx, block, irq_poll, tasklet, sched,\n"
		"hrtimer, rcu. Softirqs belong to no process: the filters -p, -t, -u, -n and\n"
		"-c don't apply. BCC's -d (histograms) is -D here, the duration --duration.\n"
		"JSON reports: {\"type\":\"softirqs\",\"rows\":[{\"name\",\"vec\",\n"
		"\"count\",\"total_ns\" (not with -C),\"hist\" (with -D)}]}.\n\n"
		"examples:\n"
		"  kscope softirqs                  total time per vector until Ctrl-C\n"
		"  kscope softirqs -C 1 5           counts every second, 5 times\n"
		"  kscope softirqs -D               histograms in us",
	.opts = opts, KS_STATE(struct irqs),
	.flags = KS_TOOL_BPF | KS_TOOL_INTERVAL | KS_TOOL_STREAM, .khist = &fmt, .prepare = prepare,
	.configure = configure, .loop = KS_KHIST_LOOP);
