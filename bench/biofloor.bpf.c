// SPDX-License-Identifier: GPL-2.0-only
/* The disk-IO floors: issue-to-completion time of every request, histogram or ring buffer. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "floor.bpf.h"
#include "biofloor.h"

char LICENSE[] SEC("license") = "GPL";

#define SLOTS 64

/* Set by the loader before load: wake the reader only past this much waiting data. */
const volatile __u64 wake_bytes = 1 << 19;

/* Issue times by request: a request's address is unique while it is in flight. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} starts SEC(".maps");

/* One log2 histogram of microseconds; per CPU, so a slot is a plain increment. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

SEC("tp_btf/block_rq_issue")
int BPF_PROG(bf_issue, struct request *rq)
{
	__u64 key = (__u64)rq, ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&starts, &key, &ts, BPF_ANY);
	return 0;
}

/* The issue time of @rq, taken out of the map; 0 if it was issued before we attached. */
static __always_inline __u64 take_start(struct request *rq)
{
	__u64 key = (__u64)rq, *tsp, ts;

	tsp = bpf_map_lookup_elem(&starts, &key);
	if (!tsp)
		return 0;
	ts = *tsp;
	bpf_map_delete_elem(&starts, &key);
	return ts;
}

/* floor(log2(v)) by halving: few enough steps for any verifier, no helper calls. */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0;

	for (int s = 32; s > 0; s >>= 1) {
		if (v >> s) {
			v >>= s;
			r += s;
		}
	}
	return r;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(bf_complete_hist, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	__u64 ts = take_start(rq), *slot;
	__u32 k;

	if (!ts)
		return 0;
	k = log2_slot((bpf_ktime_get_ns() - ts) / 1000) & (SLOTS - 1);
	slot = bpf_map_lookup_elem(&hist, &k);
	if (slot)
		(*slot)++;
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(bf_complete_stream, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	__u64 ts = take_start(rq), now, avail;
	struct gendisk *disk;
	struct bf_event *e;

	if (!ts)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		floor_lost();
		return 0;
	}
	now = bpf_ktime_get_ns();
	e->ts = now;
	e->lat_ns = now - ts;
	e->sector = rq->__sector;
	disk = rq->q->disk;
	e->dev = disk ? (__u32)disk->major << 20 | (__u32)disk->first_minor : 0;
	e->bytes = nr_bytes;
	e->flags = rq->cmd_flags;
	e->pad = 0;
	/* Batched, as the streaming floor: the reader drains on its timer until a quarter. */
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(e, avail > wake_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	return 0;
}
