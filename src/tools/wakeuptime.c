// SPDX-License-Identifier: GPL-2.0-only
/* wakeuptime: blocked time by the waker's stack; text, folded, JSON or a flame graph. */
#include <errno.h>

#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/stacks.h"
#include "core/tool.h"
#include "skel/wakeuptime.skel.h"

static struct ks_stack_opts so = { .title = "Wake-up time",
				   .unit = "us",
				   .divisor = 1000,
				   .min_block_us = 1,
				   .other_label = "target" };
static struct ks_stacks *stk;

static const struct ks_opt opts[] = {
	KS_BLOCK_OPTS(so),
	KS_STACK_OPTS(so),
	{ 0 },
};

static void configure(struct wakeuptime_bpf *skel)
{
	skel->rodata->min_block_ns = (unsigned long long)so.min_block_us * 1000;
	skel->rodata->max_block_ns =
		so.max_block_us > 0 ? (unsigned long long)so.max_block_us * 1000 : ~0ULL;
	ks_stacks_configure(stk, skel->obj);
}

static int run(struct ks_ctx *c)
{
	return KS_STACKS_RUN(c, wakeuptime, &so, &stk, configure);
}

KSCOPE_TOOL(wakeuptime, .bpf_elf = wakeuptime_bpf__elf_bytes,
	    .summary = "time threads spend blocked, summed by the stack of their waker",
	    .usage = "[interval [count]]",
	    .help = "When a traced thread goes to sleep its time is stamped; when another thread\n"
		    "wakes it, the time it slept is added to the waker's kernel and user stack.\n"
		    "The filters (-p, -c ...) choose the sleeping threads. Microseconds.\n\n"
		    "examples:\n"
		    "  kscope wakeuptime -p 1234 -d 10           who wakes process 1234\n"
		    "  kscope wakeuptime -d 30 --svg wake.svg    a wake-up flame graph\n\n"
		    "Folded stacks read target;--;waker;waker's stack.",
	    .opts = opts, .flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL, .run = run);
