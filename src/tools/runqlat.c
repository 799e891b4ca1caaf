// SPDX-License-Identifier: GPL-2.0-only
/* runqlat: how long runnable tasks wait for a CPU, as log2 histograms (per key). */
#include <bpf/libbpf.h>

#include "core/khist.h"
#include "core/log.h"
#include "core/tool.h"
#include "skel/runqlat.skel.h"

static bool millis, per_process, per_thread, per_cgroup, per_pidns;

static const struct ks_opt opts[] = {
	{ "milliseconds", 'm', KS_OPT_FLAG, NULL, "histogram in milliseconds (default us)",
	  &millis },
	{ "pids", 'P', KS_OPT_FLAG, NULL, "one histogram per process", &per_process },
	{ "tids", 'L', KS_OPT_FLAG, NULL, "one histogram per thread", &per_thread },
	{ "per-cgroup", 0, KS_OPT_FLAG, NULL, "one histogram per cgroup v2 (path shown)",
	  &per_cgroup },
	{ "pidnss", 0, KS_OPT_FLAG, NULL, "one histogram per PID namespace", &per_pidns },
	{ 0 },
};

static struct ks_khist_fmt fmt = {
	.map = "hists", .key_size = sizeof(__u64), .type = "histograms", .hist = true, .total = true
};
static int by;

static void configure(struct runqlat_bpf *skel)
{
	skel->rodata->by = by;
	skel->rodata->unit_div = millis ? 1000000 : 1000;
	if (by == KS_BY_ALL)
		bpf_map__set_max_entries(skel->maps.hists, 1);
}

static int run(struct ks_ctx *c)
{
	int ret;

	if (per_process + per_thread + per_cgroup + per_pidns > 1) {
		ks_error("choose one of -P, -L, --per-cgroup and --pidnss");
		return KS_EXIT_USAGE;
	}
	by = per_process  ? KS_BY_PID
	     : per_thread ? KS_BY_TID
	     : per_cgroup ? KS_BY_CGROUP
	     : per_pidns  ? KS_BY_PIDNS
			  : KS_BY_ALL;
	ks_khist_fmt_task(&fmt, by);
	fmt.unit = millis ? "msecs" : "usecs";
	ret = KS_RUN_SKEL(c, runqlat, configure, ks_khist_loop(&fmt));
	ks_khist_fmt_release(&fmt);
	return ret;
}

KSCOPE_TOOL(
	runqlat, .bpf_elf = runqlat_bpf__elf_bytes,
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
		"  kscope runqlat --per-cgroup      per cgroup v2, with its path",
	.opts = opts, .flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM,
	.run = run);
