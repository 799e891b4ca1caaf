// SPDX-License-Identifier: GPL-2.0-only
/* offcputime: blocked time by kernel + user stack; text, folded, JSON or a flame graph. */
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/stacks.h"
#include "core/tool.h"
#include "skel/offcputime.skel.h"

static struct ks_stack_opts so = {
	.title = "Off-CPU time", .unit = "us", .divisor = 1000, .min_block_us = 1
};
static bool uthreads, kthreads, per_thread;
static unsigned int states;
static bool has_states;
static struct ks_stacks *stk;

/* --state R,S,D: bit 0 preempted (R), bit 1 sleeping (S), bit 2 uninterruptible (D). */
static int parse_state(const char *arg, void *ptr, char *err, size_t errlen)
{
	unsigned int m = 0;

	for (const char *p = arg; *p; p++) {
		switch (*p) {
		case 'R':
			m |= 1;
			break;
		case 'S':
			m |= 2;
			break;
		case 'D':
			m |= 4;
			break;
		case ',':
			break;
		default:
			snprintf(err, errlen, "expected task states R, S and D, comma-separated");
			return -EINVAL;
		}
	}
	if (!m) {
		snprintf(err, errlen, "expected task states R, S and D, comma-separated");
		return -EINVAL;
	}
	*(unsigned int *)ptr = m;
	has_states = true;
	return 0;
}

static const struct ks_opt opts[] = {
	KS_BLOCK_OPTS(so),
	{ "state", 0, KS_OPT_FUNC, "STATES",
	  "only threads that left the CPU in these states: "
	  "R (preempted), S (sleeping), D (uninterruptible), e.g. S,D",
	  &states, 0, 0, parse_state },
	{ "user-threads-only", 0, KS_OPT_FLAG, NULL, "user threads only", &uthreads },
	{ "kernel-threads-only", 'k', KS_OPT_FLAG, NULL, "kernel threads only", &kthreads },
	{ "per-thread", 0, KS_OPT_FLAG, NULL, "keep threads apart", &per_thread },
	KS_STACK_OPTS(so),
	{ 0 },
};

static void configure(struct offcputime_bpf *skel)
{
	skel->rodata->min_block_ns = (unsigned long long)so.min_block_us * 1000;
	skel->rodata->max_block_ns =
		so.max_block_us > 0 ? (unsigned long long)so.max_block_us * 1000 : ~0ULL;
	skel->rodata->state_mask = states;
	skel->rodata->has_state = has_states;
	skel->rodata->user_threads_only = uthreads;
	skel->rodata->kernel_threads_only = kthreads;
	skel->rodata->per_thread = per_thread;
	ks_stacks_configure(stk, skel->obj);
}

static int run(struct ks_ctx *c)
{
	if (uthreads && kthreads) {
		ks_error("--user-threads-only and --kernel-threads-only exclude each other");
		return KS_EXIT_USAGE;
	}
	return KS_STACKS_RUN(c, offcputime, &so, &stk, configure);
}

KSCOPE_TOOL(
	offcputime, .bpf_elf = offcputime_bpf__elf_bytes,
	.summary = "time threads spend blocked, summed by the stack they blocked in",
	.usage = "[interval [count]]",
	.help = "At each context switch the thread leaving the CPU is stamped with its kernel\n"
		"and user stacks; when it runs again, the time it was away is added to that\n"
		"stack. Totals in microseconds, at the end (or every interval).\n\n"
		"examples:\n"
		"  kscope offcputime -p 1234 -d 10           one process for 10 s\n"
		"  kscope offcputime --state D -m 1000       uninterruptible waits >= 1 ms\n"
		"  kscope offcputime -d 30 --svg off.svg     an off-CPU flame graph\n\n"
		"BCC's -u (user threads) is --user-threads-only: -u is the user filter here;\n"
		"its -f is --folded, its -d (delimiter) --delimited, its -U --user-stacks-only.",
	.opts = opts, .flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL, .run = run);
