// SPDX-License-Identifier: GPL-2.0-only
/* runqlat: run-queue latency (runnable to running) as log2 histograms, per key, in kernel. */
#include "bpf/hist.bpf.h"
#include "bpf/runq.bpf.h"

const volatile __u64 unit_div = 1000; /* ns per histogram unit */

KS_HIST_MAP(hists, __u64, 10240);

static __always_inline int on_wakeup(void *ctx, struct task_struct *p)
{
	ks_runq_enqueue(p);
	return 0;
}

static __always_inline int on_switch(void *ctx, bool preempt, struct task_struct *prev,
				     struct task_struct *next)
{
	__u64 delta = ks_runq_switch(preempt, prev, next), key;
	struct ks_hist_val *v;

	if (!delta)
		return 0;
	key = ks_task_key(next, ks_by);
	v = ks_hist_add(&hists, &key, delta, unit_div);
	if (v)
		ks_hist_name_task(v, next, ks_by);
	return 0;
}

KS_SCHED_WAKEUP(wakeup, on_wakeup)
KS_SCHED_SWITCH(switch, on_switch)
