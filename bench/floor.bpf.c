// SPDX-License-Identifier: GPL-2.0-only
/* The counting floor: the least a syscall-counting tool can do, one per-CPU increment. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

/* Same hook as kscope syscount: every syscall exit, no filter. */
SEC("tp_btf/sys_exit")
int BPF_PROG(floor_count, struct pt_regs *regs, long ret)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&counts, &key);

	if (n)
		(*n)++;
	return 0;
}

/*
 * The same count from raw_tp: no BTF in the object, so libbpf never reads the kernel's BTF;
 * shows how much of start-up and RSS is that read.
 */
SEC("raw_tp/sys_exit")
int floor_count_raw(void *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&counts, &key);

	if (n)
		(*n)++;
	return 0;
}

/* The hook alone: what attaching any program to sys_exit costs before it does anything. */
SEC("tp_btf/sys_exit")
int BPF_PROG(floor_empty, struct pt_regs *regs, long ret)
{
	return 0;
}
