// SPDX-License-Identifier: GPL-2.0-only
/* profile: CPU sampling with kernel and user stacks; text, folded, JSON or a flame graph. */
#include <string.h>

#include "core/log.h"
#include "core/perf.h"
#include "core/stacks.h"
#include "core/tool.h"
#include "skel/profile.skel.h"

struct profile {
	struct ks_stack_opts so;
	long long hz;
	bool idle, per_thread, annotate;
	const char *event;
};

static const struct ks_opt opts[] = {
	KS_INT(struct profile, hz, "frequency", 'F', "HZ",
	       "samples per second on each CPU (default 49)", 1, 100000),
	KS_STR(struct profile, event, "event", 0, "EVENT",
	       "what to sample on: auto (cycles where the CPU has "
	       "them, else cpu-clock), cycles, cpu-clock"),
	KS_FLAG(struct profile, idle, "include-idle", 'I', "count the idle task's samples too"),
	KS_FLAG(struct profile, per_thread, "per-thread", 0, "keep threads apart"),
	KS_STACK_OPTS(struct profile, so),
	KS_FLAG(struct profile, annotate, "annotate", 'a',
		"accepted for BCC's profile: folded kernel frames always end in _[k]"),
	KS_REFUSE('c', "is BCC's sample period (a sample every COUNT events); kscope profile "
		       "samples at -F HZ, and takes --cgroup PATH for a cgroup"),
	KS_REFUSE('L', "is BCC's thread filter; kscope takes -t TID (--tid)"),
	KS_REFUSE('C', "is BCC's CPU filter; kscope profile samples every CPU and has none"),
	KS_REFUSE_LONG("stack-storage-size", "is BCC's; kscope takes --stack-storage N"),
	{ 0 },
};

static int prepare(struct ks_ctx *c)
{
	struct profile *st = c->state;

	if (!strcmp(st->event, "auto"))
		c->sample_want = KS_SAMPLE_AUTO;
	else if (!strcmp(st->event, "cycles"))
		c->sample_want = KS_SAMPLE_CYCLES;
	else if (!strcmp(st->event, "cpu-clock"))
		c->sample_want = KS_SAMPLE_CPU_CLOCK;
	else {
		ks_error("unknown --event '%s': expected auto, cycles or cpu-clock", st->event);
		return KS_EXIT_USAGE;
	}
	c->sample_hz = (unsigned long long)st->hz;
	return ks_stacks_prepare(c, &st->so);
}

static int configure(struct ks_ctx *c)
{
	const struct profile *st = c->state;
	struct profile_bpf *skel = c->skel;

	skel->rodata->include_idle = st->idle;
	skel->rodata->per_thread = st->per_thread;
	return 0;
}

KSCOPE_BPF_TOOL(
	profile, .summary = "sample on-CPU stacks at a fixed rate: where CPU time goes",
	.usage = "[duration]",
	.help = "Samples every CPU HZ times a second (the hardware cycles event where the CPU\n"
		"has one, the cpu-clock timer otherwise), counts kernel and user stacks in\n"
		"the kernel, and prints them at the end (or every --interval), symbolized.\n"
		"The idle task is left out unless -I. User stacks need frame pointers.\n"
		"As in BCC's profile, the argument is the duration and -d is --delimited.\n\n"
		"examples:\n"
		"  kscope profile 10                       10 seconds, every process\n"
		"  kscope profile -F 99 -p 1234 -f         one process, folded stacks\n"
		"  kscope profile --svg cpu.svg 30         a flame graph of 30 seconds\n"
		"  kscope profile --cgroup /sys/fs/cgroup/app   one container",
	.opts = opts,
	KS_STATE(struct profile, .so = { .title = "CPU profile", .unit = "samples" }, .hz = 49,
		 .event = "auto"),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_DURATION_ARG, .prepare = prepare,
	.configure = configure, .loop = KS_STACKS_LOOP);
