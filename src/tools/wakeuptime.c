// SPDX-License-Identifier: GPL-2.0-only
/* wakeuptime: blocked time by the waker's stack; text, folded, JSON or a flame graph. */
#include "core/stacks.h"
#include "core/tool.h"
#include "skel/wakeuptime.skel.h"

struct wakeuptime {
	struct ks_stack_opts so;
};

static const struct ks_opt opts[] = {
	KS_BLOCK_OPTS(struct wakeuptime, so),
	KS_STACK_OPTS(struct wakeuptime, so),
	{ 0 },
};

static int prepare(struct ks_ctx *c)
{
	struct wakeuptime *st = c->state;

	return ks_stacks_prepare(c, &st->so);
}

KSCOPE_BPF_TOOL(
	wakeuptime, .summary = "time threads spend blocked, summed by the stack of their waker",
	.usage = "[interval [count]]",
	.help = "When a traced thread goes to sleep its time is stamped; when another thread\n"
		"wakes it, the time it slept is added to the waker's kernel and user stack.\n"
		"The filters (-p, -c ...) choose the sleeping threads. Microseconds.\n\n"
		"examples:\n"
		"  kscope wakeuptime -p 1234 -d 10           who wakes process 1234\n"
		"  kscope wakeuptime -d 30 --svg wake.svg    a wake-up flame graph\n\n"
		"Folded stacks read target;--;waker;waker's stack.",
	.opts = opts,
	KS_STATE(struct wakeuptime, .so = { .title = "Wake-up time",
					    .unit = "us",
					    .divisor = 1000,
					    .min_block_us = 1,
					    .other_label = "target" }),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL, .prepare = prepare,
	.loop = KS_STACKS_LOOP);
