// SPDX-License-Identifier: GPL-2.0-only
/* offcputime: blocked time by kernel + user stack; text, folded, JSON or a flame graph. */
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/stacks.h"
#include "core/tool.h"
#include "skel/offcputime.skel.h"

struct offcputime {
	struct ks_stack_opts so;
	bool uthreads, kthreads, per_thread;
	unsigned int
		states; /* bit 0 preempted (R), bit 1 sleeping (S), bit 2 uninterruptible (D) */
};

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
			snprintf(err, errlen,
				 "expected task states R, S and D, comma-separated (not BCC's "
				 "bitmask: its 1 is S, 2 is D)");
			return -EINVAL;
		}
	}
	if (!m) {
		snprintf(err, errlen, "expected task states R, S and D, comma-separated");
		return -EINVAL;
	}
	*(unsigned int *)ptr = m;
	return 0;
}

static const struct ks_opt opts[] = {
	KS_BLOCK_OPTS(struct offcputime, so),
	KS_FUNC(struct offcputime, states, "state", 0, "STATES",
		"only threads that left the CPU in these states: "
		"R (preempted), S (sleeping), D (uninterruptible), e.g. S,D",
		parse_state),
	KS_FLAG(struct offcputime, uthreads, "user-threads-only", 'u', "user threads only"),
	KS_FLAG(struct offcputime, kthreads, "kernel-threads-only", 'k', "kernel threads only"),
	KS_FLAG(struct offcputime, per_thread, "per-thread", 0, "keep threads apart"),
	KS_STACK_OPTS(struct offcputime, so),
	KS_REFUSE_LONG("stack-storage-size", "is BCC's; kscope takes --stack-storage N"),
	{ 0 },
};

static int prepare(struct ks_ctx *c)
{
	struct offcputime *st = c->state;

	if (st->uthreads && st->kthreads) {
		ks_error("--user-threads-only and --kernel-threads-only exclude each other");
		return KS_EXIT_USAGE;
	}
	return ks_stacks_prepare(c, &st->so);
}

static int configure(struct ks_ctx *c)
{
	const struct offcputime *st = c->state;
	struct offcputime_bpf *skel = c->skel;

	skel->rodata->state_mask = st->states;
	skel->rodata->has_state = st->states != 0;
	skel->rodata->user_threads_only = st->uthreads;
	skel->rodata->kernel_threads_only = st->kthreads;
	skel->rodata->per_thread = st->per_thread;
	return 0;
}

KSCOPE_BPF_TOOL(
	offcputime, .summary = "time threads spend blocked, summed by the stack they blocked in",
	.usage = "[duration]",
	.help = "At each context switch the thread leaving the CPU is stamped with its kernel\n"
		"and user stacks; when it runs again, the time it was away is added to that\n"
		"stack. Totals in microseconds, at the end (or every --interval).\n"
		"As in BCC's offcputime, the argument is the duration, -u and -k choose user\n"
		"or kernel threads (--uid UID is the user filter) and -d is --delimited.\n\n"
		"examples:\n"
		"  kscope offcputime -p 1234 10              one process for 10 s\n"
		"  kscope offcputime --state D -m 1000       uninterruptible waits >= 1 ms\n"
		"  kscope offcputime --svg off.svg 30        an off-CPU flame graph",
	.opts = opts,
	KS_STATE(struct offcputime, .so = { .title = "Off-CPU time",
					    .unit = "us",
					    .divisor = 1000,
					    .min_block_us = 1 }),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_DURATION_ARG, .prepare = prepare,
	.configure = configure, .loop = KS_STACKS_LOOP);
