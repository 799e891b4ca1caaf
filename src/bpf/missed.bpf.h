/* SPDX-License-Identifier: GPL-2.0-only */
/* Program runs the kernel skipped without counting them, as the programs find out. */
#ifndef KS_BPF_MISSED_H
#define KS_BPF_MISSED_H

#include "bpf/kscope.bpf.h"

/*
 * Runs of a tool's programs the kernel skipped and did not count in the programs'
 * recursion misses, found out by the programs themselves: a block completion never seen
 * (bpf/block.bpf.h), a kprobe's return without its entry (tcptop). src/core/loop.c adds it
 * to the summary's "missed"; a test that fails with missed runs is run once more.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ks_missed SEC(".maps");

static __always_inline void ks_count_missed(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&ks_missed, &zero);

	if (n)
		(*n)++;
}

#endif
