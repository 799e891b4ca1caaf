/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the streaming floors (streamfloor, biofloor, netfloor) share: their event ring, as
 * large as kscope's default (2 MiB), and the count of events it had no room for.
 * Included once, by the program, after vmlinux.h and bpf_helpers.h.
 */
#ifndef BENCH_FLOOR_BPF_H
#define BENCH_FLOOR_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 2 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* One event the ring had no room for. */
static __always_inline void floor_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		(*n)++;
}

#endif
