// SPDX-License-Identifier: GPL-2.0-only
/* offcputime: time threads spend blocked, summed by the kernel and user stack they blocked in. */
#include "bpf/sched.bpf.h"
#include "bpf/stacks.bpf.h"

const volatile __u64 min_block_ns = 1;
const volatile __u64 max_block_ns = ~0ULL;
const volatile __u32 state_mask = 0; /* with has_state: count only these states */
const volatile bool has_state = false;
const volatile bool user_threads_only = false;
const volatile bool kernel_threads_only = false;
const volatile bool per_thread = false;

/* A thread that left its CPU: when, and what it was doing. */
struct blocked {
	__u64 ts;
	struct ks_stack_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct blocked);
} starts SEC(".maps");

static __always_inline bool wanted(struct task_struct *prev, unsigned int state)
{
	if (has_state) {
		/* state 0 (preempted, still runnable) is bit 0 of the mask here */
		__u32 bit = state ? state << 1 : 1;

		if (!(state_mask & bit))
			return false;
	}
	if (user_threads_only || kernel_threads_only) {
		if (ks_task_kthread(prev) != kernel_threads_only)
			return false;
	}
	return ks_filter_current();
}

static __always_inline int on_switch(void *ctx, bool preempt, struct task_struct *prev,
				     struct task_struct *next)
{
	__u32 tid = BPF_CORE_READ(prev, pid), next_tid;
	struct blocked *b, rec = {};
	__u64 now = bpf_ktime_get_ns(), delta;

	/* prev leaves the CPU: remember when, and its stacks (it is current here). */
	if (tid && wanted(prev, ks_task_state(prev))) {
		rec.ts = now;
		rec.key.pid = BPF_CORE_READ(prev, tgid);
		rec.key.tid = per_thread ? tid : 0;
		rec.key.other_kstack = -KS_EFAULT;
		ks_stack_ids(ctx, &rec.key.kstack, &rec.key.ustack);
		bpf_get_current_comm(rec.key.comm, sizeof(rec.key.comm));
		bpf_map_update_elem(&starts, &tid, &rec, BPF_ANY);
	}
	/* next comes back: count the time it was away. */
	next_tid = BPF_CORE_READ(next, pid);
	b = bpf_map_lookup_elem(&starts, &next_tid);
	if (!b)
		return 0;
	delta = now - b->ts;
	if (delta >= min_block_ns && delta <= max_block_ns)
		ks_stack_count(&b->key, delta);
	bpf_map_delete_elem(&starts, &next_tid);
	return 0;
}

KS_SCHED_SWITCH(sched_switch, on_switch)
KS_STACK_EXEC_HOOK()
