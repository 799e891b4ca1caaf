// SPDX-License-Identifier: GPL-2.0-only
/* runqslower: stream each run-queue wait longer than a threshold, with the task it followed. */
#include "bpf/events.bpf.h"
#include "bpf/runq.bpf.h"
#include "tools/runqslower.h"

const volatile __u64 min_ns = 10000000;

static __always_inline int on_wakeup(void *ctx, struct task_struct *p)
{
	ks_runq_enqueue(p);
	return 0;
}

static __always_inline int on_switch(void *ctx, bool preempt, struct task_struct *prev,
				     struct task_struct *next)
{
	__u64 delta = ks_runq_switch(preempt, prev, next);
	struct runqslower_event *e;

	if (!delta || delta < min_ns)
		return 0;
	e = ks_reserve(sizeof(*e));
	if (!e)
		return 0;
	ks_hdr_fill_task(&e->hdr, next);
	e->delta_ns = delta;
	e->prev_pid = BPF_CORE_READ(prev, tgid);
	e->prev_tid = BPF_CORE_READ(prev, pid);
	BPF_CORE_READ_INTO(&e->prev_comm, prev, comm);
	e->cpu = bpf_get_smp_processor_id();
	e->pad = 0;
	ks_submit(e, sizeof(*e));
	return 0;
}

KS_SCHED_WAKEUP(wakeup, on_wakeup)
KS_SCHED_SWITCH(switch, on_switch)
