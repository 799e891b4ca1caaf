// SPDX-License-Identifier: GPL-2.0-only
/* biopattern: sequential and random block IO per disk, by where each request begins. */
#include "bpf/block.bpf.h"
#include "tools/biopattern.h"

/* Per disk: the sector after its last completed request. Kept across reports. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} ends SEC(".maps");

/* Per disk: this report's counts, read and deleted by user space each interval. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct biopattern_counts);
} counts SEC(".maps");

static const struct biopattern_counts zero;

static __always_inline void on_done(void *ctx, struct ks_blk_req *r, __u64 now)
{
	__u64 end = r->sector + r->bytes / 512, *last;
	struct biopattern_counts *n;
	__u32 dev = r->dev;

	/* flushes carry no data and no position */
	if (!r->bytes)
		return;
	n = bpf_map_lookup_elem(&counts, &dev);
	if (!n) {
		bpf_map_update_elem(&counts, &dev, &zero, BPF_NOEXIST);
		n = bpf_map_lookup_elem(&counts, &dev);
		if (!n)
			return;
	}
	__sync_fetch_and_add(&n->count, 1);
	__sync_fetch_and_add(&n->bytes, r->bytes);
	/*
	 * Completion order, as the disk served them. Two CPUs completing requests of one
	 * disk at once may each compare with the same previous end: a rare misclassification.
	 */
	last = bpf_map_lookup_elem(&ends, &dev);
	if (!last) {
		bpf_map_update_elem(&ends, &dev, &end, BPF_ANY);
		return;
	}
	if (*last == r->sector)
		__sync_fetch_and_add(&n->sequential, 1);
	else
		__sync_fetch_and_add(&n->random, 1);
	*last = end;
}

KS_BLOCK_TRACK(on_done)
