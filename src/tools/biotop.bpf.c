// SPDX-License-Identifier: GPL-2.0-only
/* biotop: block IO per (submitter, disk): requests, bytes and device time, summed in kernel. */
#include "bpf/block.bpf.h"
#include "tools/biotop.h"

/* Read and emptied by user space every interval: only this interval's keys take room. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct biotop_key);
	__type(value, struct biotop_stat);
} stats SEC(".maps");

static __always_inline void on_done(void *ctx, struct ks_blk_req *r, __u64 now)
{
	struct biotop_key k = {};
	struct biotop_stat *s;
	__u64 ns = now - r->issue_ns;
	__u32 op = r->flags & KS_BLK_OP_MASK;

	/* configured with KS_BLK_NEED_WHO: only requests whose submitter is known get here */
	k.who = ks_blk_who_key(r);
	k.dev = r->dev;
	s = bpf_map_lookup_elem(&stats, &k);
	if (!s) {
		struct biotop_stat zero = {};

		__builtin_memcpy(zero.comm, r->who.comm, sizeof(zero.comm));
		/* NOEXIST: another CPU may have made it meanwhile; then that one is used */
		bpf_map_update_elem(&stats, &k, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&stats, &k);
		if (!s)
			return; /* the map is full: this interval has 10240 keys already */
	}
	/* Atomic: completions of one key run on several CPUs at once. */
	if (op == KS_BLK_OP_READ) {
		__sync_fetch_and_add(&s->reads, 1);
		__sync_fetch_and_add(&s->read_bytes, r->bytes);
	} else if (op == KS_BLK_OP_WRITE) {
		__sync_fetch_and_add(&s->writes, 1);
		__sync_fetch_and_add(&s->write_bytes, r->bytes);
	} else {
		__sync_fetch_and_add(&s->others, 1);
	}
	__sync_fetch_and_add(&s->total_ns, ns);
	/*
	 * A racy maximum: two CPUs completing requests of the same key at the same moment may
	 * leave the smaller of their two times. A compare-and-swap loop would close that, but
	 * BPF has cmpxchg only from 5.12 and kscope loads on 5.10; a lost maximum needs two
	 * completions of one submitter and disk within a few instructions of each other.
	 */
	if (ns > s->max_ns)
		s->max_ns = ns;
}

KS_BLOCK_TRACK(on_done)
