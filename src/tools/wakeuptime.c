// SPDX-License-Identifier: GPL-2.0-only
/* wakeuptime: blocked time by the waker's stack; text, folded, JSON or a flame graph. */
#include "core/stacks.h"
#include "core/tool.h"
#include "skel/wakeuptime.skel.h"

struct wakeuptime {
	struct ks_stack_opts so;
	bool uthreads;
};

static const struct ks_opt opts[] = {
	KS_BLOCK_OPTS(struct wakeuptime, so),
	KS_FLAG(struct wakeuptime, uthreads, "user-threads-only", 'u',
		"only sleeping user threads (no kernel threads)"),
	KS_STACK_OPTS(struct wakeuptime, so),
	KS_REFUSE('v', "is libbpf-tools wakeuptime's raw addresses; kscope prints symbols only, "
		       "and takes --verbose for its own messages"),
	KS_REFUSE_LONG("stack-storage-size", "is BCC's; kscope takes --stack-storage N"),
	{ 0 },
};

static int prepare(struct ks_ctx *c)
{
	struct wakeuptime *st = c->state;

	return ks_stacks_prepare(c, &st->so);
}

static int configure(struct ks_ctx *c)
{
	const struct wakeuptime *st = c->state;
	struct wakeuptime_bpf *skel = c->skel;

	skel->rodata->user_threads_only = st->uthreads;
	return 0;
}

KSCOPE_BPF_TOOL(
	wakeuptime, .summary = "time threads spend blocked, summed by the stack of their waker",
	.usage = "[duration]",
	.help = "When a traced thread goes to sleep its time is stamped; when another thread\n"
		"wakes it, the time it slept is added to the waker's kernel and user stack.\n"
		"The filters (-p, -c ...) choose the sleeping threads. Microseconds. As in\n"
		"BCC's wakeuptime, the argument is the duration and -u means user threads.\n\n"
		"examples:\n"
		"  kscope wakeuptime -p 1234 10              who wakes process 1234\n"
		"  kscope wakeuptime --svg wake.svg 30       a wake-up flame graph\n\n"
		"Folded stacks read target;--;waker;waker's stack.",
	.opts = opts,
	KS_STATE(struct wakeuptime, .so = { .title = "Wake-up time",
					    .unit = "us",
					    .divisor = 1000,
					    .min_block_us = 1,
					    .other_label = "target" }),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_DURATION_ARG, .prepare = prepare,
	.configure = configure, .loop = KS_STACKS_LOOP);
