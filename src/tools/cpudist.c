// SPDX-License-Identifier: GPL-2.0-only
/* cpudist: how long tasks run per scheduling slice (or stay off CPU), as log2 histograms. */
#include <bpf/libbpf.h>

#include "core/khist.h"
#include "core/tool.h"
#include "skel/cpudist.skel.h"

struct cpudist {
	bool millis, offcpu;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct cpudist, offcpu, "offcpu", 'O',
		"off-CPU time (switch-out to switch-in) instead"),
	KS_FLAG(struct cpudist, millis, "milliseconds", 'm',
		"histogram in milliseconds (default us)"),
	KS_REFUSE('I', "is BCC's idle-task time; kscope cpudist always leaves the idle task out"),
	KS_REFUSE('e', "is BCC's average and total summary; kscope cpudist's --json rows carry "
		       "count and total_ns"),
	{ 0 },
};

static int configure(struct ks_ctx *c)
{
	const struct cpudist *st = c->state;
	struct cpudist_bpf *skel = c->skel;

	skel->rodata->offcpu = st->offcpu;
	skel->rodata->unit_div = st->millis ? 1000000 : 1000;
	c->khist.unit = st->millis ? "msecs" : "usecs";
	/* Only off-CPU time needs the switch-out times. */
	return st->offcpu ? 0 : bpf_map__set_max_entries(skel->maps.offstart, 1);
}

KSCOPE_BPF_TOOL(
	cpudist, .summary = "time on CPU per scheduling slice (or off CPU, -O) as histograms",
	.usage = "[interval [count]]",
	.help = "On CPU: from a task's switch-in to its switch-out. Off CPU (-O): from its\n"
		"switch-out to its next switch-in, asleep or waiting for a CPU. The idle\n"
		"task is left out. JSON reports are those of runqlat (\"histograms\").\n\n"
		"examples:\n"
		"  kscope cpudist                   one histogram until Ctrl-C\n"
		"  kscope cpudist -O -p 1234 1 5    off-CPU time of a process, 5 x 1 s\n"
		"  kscope cpudist -L -m             per thread, in ms",
	.opts = opts, KS_STATE(struct cpudist),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM |
		 KS_TOOL_PER_PID | KS_TOOL_PER_TID,
	.khist = KS_KHIST_TASK("hists"), .configure = configure, .loop = KS_KHIST_LOOP);
