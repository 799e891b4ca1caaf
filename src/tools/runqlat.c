// SPDX-License-Identifier: GPL-2.0-only
/* runqlat: how long runnable tasks wait for a CPU, as log2 histograms (per key). */
#include "core/khist.h"
#include "core/tool.h"
#include "skel/runqlat.skel.h"

struct runqlat {
	bool millis;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct runqlat, millis, "milliseconds", 'm',
		"histogram in milliseconds (default us)"),
	{ 0 },
};

static int configure(struct ks_ctx *c)
{
	const struct runqlat *st = c->state;
	struct runqlat_bpf *skel = c->skel;

	skel->rodata->unit_div = st->millis ? 1000000 : 1000;
	c->khist.unit = st->millis ? "msecs" : "usecs";
	return 0;
}

KSCOPE_BPF_TOOL(
	runqlat,
	.summary = "run-queue latency: how long runnable tasks wait for a CPU, as histograms",
	.usage = "[interval [count]]",
	.help = "A task's wait starts when it is woken (or created), or when it leaves the CPU\n"
		"still runnable (preempted); it ends when it is switched in. The filters\n"
		"select the waiting task. JSON reports: {\"type\":\"histograms\",\"by\",\"unit\",\n"
		"\"rows\":[{key..., \"count\", \"total_ns\", \"hist\"}]}.\n\n"
		"examples:\n"
		"  kscope runqlat                   one histogram until Ctrl-C\n"
		"  kscope runqlat -m 5 3            in ms, every 5 seconds, 3 times\n"
		"  kscope runqlat -P -p 1234        per process (here one)\n"
		"  kscope runqlat --per-cgroup      per cgroup, with its path",
	.opts = opts, KS_STATE(struct runqlat),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM |
		 KS_TOOL_PER_TASK,
	.khist = KS_KHIST_TASK("hists"), .configure = configure, .loop = KS_KHIST_LOOP);
