// SPDX-License-Identifier: GPL-2.0-only
/* profile: sample on-CPU stacks at a fixed rate on every CPU and count them in kernel. */
#include "bpf/stacks.bpf.h"

const volatile bool include_idle = false;
const volatile bool per_thread = false;

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ks_stack_key key = {};

	/* The idle task is thread 0 of every CPU. */
	if (!include_idle && (__u32)pid_tgid == 0)
		return 0;
	if (!ks_filter_current())
		return 0;
	key.pid = pid_tgid >> 32;
	key.tid = per_thread ? (__u32)pid_tgid : 0;
	key.other_kstack = -KS_EFAULT;
	ks_stack_ids(ctx, &key.kstack, &key.ustack);
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	ks_stack_count(&key, 1);
	return 0;
}

KS_STACK_EXEC_HOOK()
