/* SPDX-License-Identifier: GPL-2.0-only */
/* Counting by stack: the stack trace map, the counts, and notes for user-space symbols. */
#ifndef KS_BPF_STACKS_H
#define KS_BPF_STACKS_H

#include "bpf/events.bpf.h"
#include "shared/stack.h"

#define KS_EFAULT 14 /* what bpf_get_stackid gives for "no stack of this kind" */

/* User space sizes both maps before load (--stack-storage); these are the defaults. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KS_STACK_DEPTH * sizeof(__u64));
} ks_stack_traces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 40960);
	__type(key, struct ks_stack_key);
	__type(value, __u64);
} ks_counts SEC(".maps");

/* Processes user space was told of (KS_NOTE_NEW_PID), so each is told once. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} ks_seen_pids SEC(".maps");

/* Counts that found ks_counts full; user space reports them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ks_counts_dropped SEC(".maps");

const volatile bool ks_kernel_stacks = true;
const volatile bool ks_user_stacks = true;

/* Send a note; forced wake-up: notes are rare, and the process may be about to exit. */
static __always_inline void ks_stack_note(__u32 kind, __u32 pid)
{
	struct ks_stack_note *n = bpf_ringbuf_reserve(&ks_events, sizeof(*n), 0);

	if (!n) {
		ks_count_lost();
		return;
	}
	n->kind = kind;
	n->pid = pid;
	bpf_ringbuf_submit(n, BPF_RB_FORCE_WAKEUP);
}

/* Tell user space about @pid the first time it is counted. */
static __always_inline void ks_stack_seen(__u32 pid)
{
	__u8 one = 1;

	if (!ks_user_stacks || !pid || bpf_map_lookup_elem(&ks_seen_pids, &pid))
		return;
	if (!bpf_map_update_elem(&ks_seen_pids, &pid, &one, BPF_NOEXIST))
		ks_stack_note(KS_NOTE_NEW_PID, pid);
}

/* A process exec'd: forget it here and in user space; its next count tells anew. */
static __always_inline void ks_stack_exec(__u32 pid)
{
	if (ks_user_stacks && bpf_map_delete_elem(&ks_seen_pids, &pid) == 0)
		ks_stack_note(KS_NOTE_EXEC, pid);
}

/* The stacks of the current task at @ctx (a program's context) into @key. */
static __always_inline void ks_stack_ids(void *ctx, int *kstack, int *ustack)
{
	*kstack = ks_kernel_stacks ? bpf_get_stackid(ctx, &ks_stack_traces, 0) : -KS_EFAULT;
	*ustack = ks_user_stacks ? bpf_get_stackid(ctx, &ks_stack_traces, BPF_F_USER_STACK)
				 : -KS_EFAULT;
}

/* Add @v to the count of @key, creating it; counted as dropped when the map is full. */
static __always_inline void ks_stack_count(const struct ks_stack_key *key, __u64 v)
{
	__u64 *n = bpf_map_lookup_elem(&ks_counts, key);

	if (n) {
		__sync_fetch_and_add(n, v);
		return;
	}
	/* A new stack: maybe a new process too (looked up only here, not per count). */
	ks_stack_seen(key->pid);
	if (bpf_map_update_elem(&ks_counts, key, &v, BPF_NOEXIST)) {
		n = bpf_map_lookup_elem(&ks_counts, key);
		if (n) {
			__sync_fetch_and_add(n, v);
		} else {
			__u32 zero = 0;
			__u64 *d = bpf_map_lookup_elem(&ks_counts_dropped, &zero);

			if (d)
				(*d)++;
		}
	}
}

/*
 * The exec hook every stack tool needs (what was learnt of an exec'ing process's mappings
 * no longer holds), in the three ways to attach to sched_process_exec.
 */
#define KS_STACK_EXEC_HOOK()                                                                       \
	SEC("tp_btf/sched_process_exec")                                                           \
	int BPF_PROG(stack_exec__tp_btf)                                                           \
	{                                                                                          \
		ks_stack_exec(bpf_get_current_pid_tgid() >> 32);                                   \
		return 0;                                                                          \
	}                                                                                          \
	SEC("raw_tp/sched_process_exec")                                                           \
	int BPF_PROG(stack_exec__raw_tp)                                                           \
	{                                                                                          \
		ks_stack_exec(bpf_get_current_pid_tgid() >> 32);                                   \
		return 0;                                                                          \
	}                                                                                          \
	SEC("tracepoint/sched/sched_process_exec")                                                 \
	int stack_exec__tp(void *ctx)                                                              \
	{                                                                                          \
		ks_stack_exec(bpf_get_current_pid_tgid() >> 32);                                   \
		return 0;                                                                          \
	}

#endif
