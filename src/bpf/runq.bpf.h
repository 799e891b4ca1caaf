/* SPDX-License-Identifier: GPL-2.0-only */
/* Run-queue waits: when a traced task became runnable, and how long until it got a CPU. */
#ifndef KS_BPF_RUNQ_H
#define KS_BPF_RUNQ_H

#include "bpf/sched.bpf.h"

/*
 * When each traced thread last became runnable (woken, new, or left the CPU still
 * runnable), until it is switched in. Threads stay in here only while they wait.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} ks_runq_start SEC(".maps");

/* Task @t became runnable now: start its wait, if the filter takes it. Idle tasks never. */
static __always_inline void ks_runq_enqueue(struct task_struct *t)
{
	__u32 tid = BPF_CORE_READ(t, pid);
	__u64 ts;

	if (!tid || !ks_filter_task(t))
		return;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&ks_runq_start, &tid, &ts, BPF_ANY);
}

/*
 * The run-queue side of a sched_switch: @prev starts waiting if it stays runnable, and
 * @next's wait ends. Returns how long @next waited in ns, or 0 if its wait was not traced
 * (filtered out, or it began before kscope attached).
 */
static __always_inline __u64 ks_runq_switch(bool preempt, struct task_struct *prev,
					    struct task_struct *next)
{
	__u32 tid;
	__u64 *tsp, delta;

	if (ks_switch_prev_runnable(preempt, prev))
		ks_runq_enqueue(prev);
	tid = BPF_CORE_READ(next, pid);
	tsp = bpf_map_lookup_elem(&ks_runq_start, &tid);
	if (!tsp)
		return 0;
	delta = bpf_ktime_get_ns() - *tsp;
	bpf_map_delete_elem(&ks_runq_start, &tid);
	/* A zero wait still counts as a sample: never return 0 for one. */
	return delta ? delta : 1;
}

#endif
