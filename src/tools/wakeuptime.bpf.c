// SPDX-License-Identifier: GPL-2.0-only
/* wakeuptime: time threads spend blocked, summed by the stack of the thread that woke them. */
#include "bpf/sched.bpf.h"
#include "bpf/stacks.bpf.h"

const volatile __u64 min_block_ns = 1;
const volatile __u64 max_block_ns = ~0ULL;
const volatile bool user_threads_only = false;

/* When each traced thread went to sleep. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} starts SEC(".maps");

static __always_inline int on_switch(void *ctx, bool preempt, struct task_struct *prev,
				     struct task_struct *next)
{
	__u32 tid = BPF_CORE_READ(prev, pid);
	__u64 now;

	/* Only a thread that sleeps waits for a waker; a preempted one waits for a CPU. */
	if (!tid || ks_switch_prev_runnable(preempt, prev) || !ks_filter_current())
		return 0;
	if (user_threads_only && ks_task_kthread(prev))
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &tid, &now, BPF_ANY);
	return 0;
}

static __always_inline int on_wakeup(void *ctx, struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);
	__u64 *ts = bpf_map_lookup_elem(&starts, &tid), delta;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ks_stack_key key = {};

	if (!ts)
		return 0;
	delta = bpf_ktime_get_ns() - *ts;
	bpf_map_delete_elem(&starts, &tid);
	if (delta < min_block_ns || delta > max_block_ns)
		return 0;
	/* current is the waker: its stacks and name; the woken thread is the other task. */
	key.pid = pid_tgid >> 32;
	ks_stack_ids(ctx, &key.kstack, &key.ustack);
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	key.other_pid = BPF_CORE_READ(p, tgid);
	key.other_kstack = -KS_EFAULT;
	BPF_CORE_READ_STR_INTO(&key.other_comm, p, comm);
	ks_stack_count(&key, delta);
	return 0;
}

KS_SCHED_SWITCH(sched_switch, on_switch)
/* sched_waking, not sched_wakeup: only it always runs in the waker (see sched.bpf.h) */
KS_SCHED_WAKING(sched_waking, on_wakeup)
KS_STACK_EXEC_HOOK()
