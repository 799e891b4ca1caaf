// SPDX-License-Identifier: GPL-2.0-only
/* hardirqs: time spent in (or number of) hard interrupt handlers, per handler name. */
#include <string.h>

#include "tools/irqs.h"
#include "skel/hardirqs.skel.h"

static const struct ks_opt opts[] = IRQS_OPTS("interrupts");

static void label(const struct ks_khist_row *r, char *buf, size_t len)
{
	/* A driver's name for its handler: escaped like any other name kscope prints. */
	ks_text_escape_str(buf, len, (const char *)r->key, strnlen(r->key, 32), 0);
}

static void json_key(struct ks_json *j, const struct ks_khist_row *r)
{
	ks_json_strn(j, "name", r->key, strnlen(r->key, 32));
}

static const struct ks_khist_fmt fmt = { .map = "irqs",
					 .key_size = 32,
					 .type = "hardirqs",
					 .by = "irq",
					 .key_name = "hardirq",
					 .label_title = "HARDIRQ",
					 .label = label,
					 .json_key = json_key };

static int configure(struct ks_ctx *c)
{
	return irqs_configure(c, "irq_exit");
}

KSCOPE_BPF_TOOL(hardirqs,
		.summary = "time spent in hard interrupt handlers (or their counts), per handler",
		.usage = "[interval [count]]",
		.help = "Keyed by the handler's name (irqaction->name, as /proc/interrupts shows\n"
			"it). Interrupts belong to no process: the filters -p, -t, -u, -n and -c\n"
			"don't apply. BCC's -d (histograms) is -D here, the duration --duration.\n"
			"JSON reports: {\"type\":\"hardirqs\",\"rows\":[{\"name\",\"count\",\n"
			"\"total_ns\" (not with -C), \"hist\" (with -D)}]}.\n\n"
			"examples:\n"
			"  kscope hardirqs                  total time per handler until Ctrl-C\n"
			"  kscope hardirqs -C 1 5           counts every second, 5 times\n"
			"  kscope hardirqs -D -N            histograms in ns",
		.opts = opts, KS_STATE(struct irqs),
		.flags = KS_TOOL_BPF | KS_TOOL_INTERVAL | KS_TOOL_STREAM, .khist = &fmt,
		.prepare = irqs_prepare, .configure = configure, .loop = KS_KHIST_LOOP);
