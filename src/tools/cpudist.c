// SPDX-License-Identifier: GPL-2.0-only
/* cpudist: how long tasks run per scheduling slice (or stay off CPU), as log2 histograms. */
#include <bpf/libbpf.h>

#include "core/khist.h"
#include "core/log.h"
#include "core/tool.h"
#include "skel/cpudist.skel.h"

static bool millis, offcpu, per_process, per_thread;

static const struct ks_opt opts[] = {
	{ "offcpu", 'O', KS_OPT_FLAG, NULL, "off-CPU time (switch-out to switch-in) instead",
	  &offcpu },
	{ "milliseconds", 'm', KS_OPT_FLAG, NULL, "histogram in milliseconds (default us)",
	  &millis },
	{ "pids", 'P', KS_OPT_FLAG, NULL, "one histogram per process", &per_process },
	{ "tids", 'L', KS_OPT_FLAG, NULL, "one histogram per thread", &per_thread },
	{ 0 },
};

static struct ks_khist_fmt fmt = {
	.map = "hists", .key_size = sizeof(__u64), .type = "histograms", .hist = true, .total = true
};
static int by;

static void configure(struct cpudist_bpf *skel)
{
	skel->rodata->offcpu = offcpu;
	skel->rodata->by = by;
	skel->rodata->unit_div = millis ? 1000000 : 1000;
	if (by == KS_BY_ALL)
		bpf_map__set_max_entries(skel->maps.hists, 1);
	if (!offcpu)
		bpf_map__set_max_entries(skel->maps.offstart, 1);
}

static int run(struct ks_ctx *c)
{
	int ret;

	if (per_process && per_thread) {
		ks_error("choose one of -P and -L");
		return KS_EXIT_USAGE;
	}
	by = per_process ? KS_BY_PID : per_thread ? KS_BY_TID : KS_BY_ALL;
	ks_khist_fmt_task(&fmt, by);
	fmt.unit = millis ? "msecs" : "usecs";
	ret = KS_RUN_SKEL(c, cpudist, configure, ks_khist_loop(&fmt));
	ks_khist_fmt_release(&fmt);
	return ret;
}

KSCOPE_TOOL(cpudist, .bpf_elf = cpudist_bpf__elf_bytes,
	    .summary = "time on CPU per scheduling slice (or off CPU, -O) as histograms",
	    .usage = "[interval [count]]",
	    .help = "On CPU: from a task's switch-in to its switch-out. Off CPU (-O): from its\n"
		    "switch-out to its next switch-in, asleep or waiting for a CPU. The idle\n"
		    "task is left out. JSON reports are those of runqlat (\"histograms\").\n\n"
		    "examples:\n"
		    "  kscope cpudist                   one histogram until Ctrl-C\n"
		    "  kscope cpudist -O -p 1234 1 5    off-CPU time of a process, 5 x 1 s\n"
		    "  kscope cpudist -L -m             per thread, in ms",
	    .opts = opts, .flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM,
	    .run = run);
