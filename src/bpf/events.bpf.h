/* SPDX-License-Identifier: GPL-2.0-only */
/* Streaming events to user space: one ring buffer, batched wake-ups, lost events counted. */
#ifndef KS_BPF_EVENTS_H
#define KS_BPF_EVENTS_H

#include "bpf/kscope.bpf.h"

#ifndef KS_RINGBUF_BYTES
#define KS_RINGBUF_BYTES (2 * 1024 * 1024)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, KS_RINGBUF_BYTES);
} ks_events SEC(".maps");

/* Events that found the ring full; user space sums and reports them at exit. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ks_lost SEC(".maps");

/* Set by user space: wake the reader only once this much data is waiting. */
const volatile __u64 ks_wakeup_bytes = KS_RINGBUF_BYTES / 4;

static __always_inline void ks_count_lost(void)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&ks_lost, &key);

	if (n)
		(*n)++;
}

/*
 * A wake-up per event costs more than the rest of the event (an IPI and a context switch
 * at high rates); the reader drains on its own timer, so wake it only when the waiting
 * data grows past the threshold, and past each further quarter of it: a reader that is
 * slow or stopped gets a few wake-ups per ring, not one per event. @before and @after are
 * the waiting bytes without and with this event; a wake-up lost to a race between CPUs is
 * made up at the next step.
 */
static __always_inline __u64 ks_wakeup_flag(__u64 before, __u64 after)
{
	__u64 step = ks_wakeup_bytes / 4 ? ks_wakeup_bytes / 4 : 1;

	return after >= ks_wakeup_bytes && before / step != after / step ? BPF_RB_FORCE_WAKEUP
									 : BPF_RB_NO_WAKEUP;
}

/* Bytes a record of @size takes in the ring: an 8-byte header, rounded up to 8. */
static __always_inline __u64 ks_record_bytes(__u64 size)
{
	return (size + 8 + 7) & ~7ULL;
}

/* Reserve a fixed-size event; NULL (and counted as lost) when the ring is full. */
static __always_inline void *ks_reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&ks_events, size, 0);

	if (!e)
		ks_count_lost();
	return e;
}

/* Submit an event from ks_reserve(@size): its record is already counted as waiting. */
static __always_inline void ks_submit(void *e, __u64 size)
{
	__u64 after = bpf_ringbuf_query(&ks_events, BPF_RB_AVAIL_DATA);

	bpf_ringbuf_submit(e, ks_wakeup_flag(after - ks_record_bytes(size), after));
}

/* Copy @size bytes (a variable-length event) into the ring; counted as lost if full. */
static __always_inline void ks_output(void *data, __u64 size)
{
	__u64 before = bpf_ringbuf_query(&ks_events, BPF_RB_AVAIL_DATA);

	if (bpf_ringbuf_output(&ks_events, data, size,
			       ks_wakeup_flag(before, before + ks_record_bytes(size))))
		ks_count_lost();
}

#endif
