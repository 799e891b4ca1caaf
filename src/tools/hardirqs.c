// SPDX-License-Identifier: GPL-2.0-only
/* hardirqs: time spent in (or number of) hard interrupt handlers, per handler name. */
#include <string.h>

#include <bpf/libbpf.h>

#include "tools/irqs.h"
/* after tools/irqs.h: the skeleton needs struct ks_filter from core/tool.h */
#include "skel/hardirqs.skel.h"

static struct irqs_opts o;

static const struct ks_opt opts[] = { IRQS_OPTS(o, "interrupts") };

static void label(const struct ks_khist_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strnlen(r->key, 32), (const char *)r->key);
}

static void json_key(struct ks_json *j, const struct ks_khist_row *r)
{
	ks_json_strn(j, "name", r->key, strnlen(r->key, 32));
}

static struct ks_khist_fmt fmt = { .map = "irqs",
				   .key_size = 32,
				   .type = "hardirqs",
				   .by = "irq",
				   .key_name = "hardirq",
				   .label_title = "HARDIRQ",
				   .label = label,
				   .json_key = json_key };

static void configure(struct hardirqs_bpf *skel)
{
	skel->rodata->count_only = o.count_only;
	skel->rodata->unit_div = o.nanos ? 1 : 1000;
	if (o.count_only)
		ks_bpf_disable_hook(skel->obj, "irq_exit");
}

static int run(struct ks_ctx *c)
{
	int ret;

	if (!irqs_fmt_set(&fmt, &o))
		return KS_EXIT_USAGE;
	ret = KS_RUN_SKEL(c, hardirqs, configure, ks_khist_loop(&fmt));
	ks_khist_fmt_release(&fmt);
	return ret;
}

KSCOPE_TOOL(hardirqs, .bpf_elf = hardirqs_bpf__elf_bytes,
	    .summary = "time spent in hard interrupt handlers (or their counts), per handler",
	    .usage = "[interval [count]]",
	    .help = "Keyed by the handler's name (irqaction->name, as /proc/interrupts shows\n"
		    "it). Interrupts belong to no process: the filters -p, -t, -u, -n and -c\n"
		    "don't apply. BCC's -d (histograms) is -D here: -d is the duration in every\n"
		    "tool. JSON reports: {\"type\":\"hardirqs\",\"rows\":[{\"name\",\"count\",\n"
		    "\"total_ns\" (not with -C), \"hist\" (with -D)}]}.\n\n"
		    "examples:\n"
		    "  kscope hardirqs                  total time per handler until Ctrl-C\n"
		    "  kscope hardirqs -C 1 5           counts every second, 5 times\n"
		    "  kscope hardirqs -D -N            histograms in ns",
	    .opts = opts, .flags = KS_TOOL_BPF | KS_TOOL_INTERVAL | KS_TOOL_STREAM, .run = run);
