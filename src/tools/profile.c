// SPDX-License-Identifier: GPL-2.0-only
/* profile: CPU sampling with kernel and user stacks; text, folded, JSON or a flame graph. */
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/perf.h"
#include "core/stacks.h"
#include "core/tool.h"
#include "skel/profile.skel.h"

static struct ks_stack_opts so = { .title = "CPU profile", .unit = "samples" };
static long long hz = 49;
static bool idle, per_thread;
static const char *event = "auto";
static struct ks_stacks *stk;

static const struct ks_opt opts[] = {
	{ "frequency", 'F', KS_OPT_INT, "HZ", "samples per second on each CPU (default 49)", &hz, 1,
	  100000 },
	{ "event", 0, KS_OPT_STR, "EVENT",
	  "what to sample on: auto (cycles where the CPU has "
	  "them, else cpu-clock), cycles, cpu-clock",
	  &event },
	{ "include-idle", 'I', KS_OPT_FLAG, NULL, "count the idle task's samples too", &idle },
	{ "per-thread", 0, KS_OPT_FLAG, NULL, "keep threads apart", &per_thread },
	KS_STACK_OPTS(so),
	{ 0 },
};

static void configure(struct profile_bpf *skel)
{
	skel->rodata->include_idle = idle;
	skel->rodata->per_thread = per_thread;
	ks_stacks_configure(stk, skel->obj);
}

static int run(struct ks_ctx *c)
{
	if (!strcmp(event, "auto"))
		c->sample_want = KS_SAMPLE_AUTO;
	else if (!strcmp(event, "cycles"))
		c->sample_want = KS_SAMPLE_CYCLES;
	else if (!strcmp(event, "cpu-clock"))
		c->sample_want = KS_SAMPLE_CPU_CLOCK;
	else {
		ks_error("unknown --event '%s': expected auto, cycles or cpu-clock", event);
		return KS_EXIT_USAGE;
	}
	c->sample_hz = (unsigned long long)hz;
	return KS_STACKS_RUN(c, profile, &so, &stk, configure);
}

KSCOPE_TOOL(profile, .bpf_elf = profile_bpf__elf_bytes,
	    .summary = "sample on-CPU stacks at a fixed rate: where CPU time goes",
	    .usage = "[interval [count]]",
	    .help = "Samples every CPU HZ times a second (the hardware cycles event where the CPU\n"
		    "has one, the cpu-clock timer otherwise), counts kernel and user stacks in\n"
		    "the kernel, and prints them at the end (or every interval), symbolized.\n"
		    "The idle task is left out unless -I. User stacks need frame pointers.\n\n"
		    "examples:\n"
		    "  kscope profile -d 10                    10 seconds, every process\n"
		    "  kscope profile -F 99 -p 1234 --folded   one process, folded stacks\n"
		    "  kscope profile -d 30 --svg cpu.svg      a flame graph of 30 seconds\n"
		    "  kscope profile -c /sys/fs/cgroup/app    one container\n\n"
		    "BCC's -f is --folded (or -f), its -d (delimiter) is --delimited, its -U is\n"
		    "--user-stacks-only, its -L TID is -t TID, and its duration is -d SECONDS.",
	    .opts = opts, .flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL, .run = run);
