/* SPDX-License-Identifier: GPL-2.0-only */
/* Block requests from creation to completion, on the block tracepoints, for the block tools. */
#ifndef KS_BPF_BLOCK_H
#define KS_BPF_BLOCK_H

/*
 * KS_BLOCK_TRACK(fn) defines the programs that follow every request of the block layer and
 * calls the tool's body once per completed request:
 *
 *   static __always_inline void fn(void *ctx, struct ks_blk_req *r, __u64 now);
 *
 * r (src/shared/block.h) says who submitted the request (r->have_who), when it was made
 * (r->who.ts), issued (r->issue_ns) and completed (now), its disk, sector, size and flags.
 * The hooks, each in tp_btf and raw_tp variants (the core chooses one per hook):
 *
 *   blk_start  block_io_start (6.5+): the request was made from a bio, in the submitter's
 *              context: the submitter and the start of the queue time.
 *   blk_bio    block_bio_queue (bio first: 5.11+), blk_bioq (queue first: before 5.11): a
 *              bio entered the block layer, in the submitter's context; where block_io_start
 *              is missing, its submitter is joined to the request at issue through rq->bio.
 *   blk_issue  block_rq_issue: the request goes to the driver.
 *   blk_done   block_rq_complete: the driver completed it.
 *
 * Why tracepoints and not the kernel functions (blk_account_io_start, ...) BCC hooks: those
 * were renamed, made inline and split across releases; the tracepoints are ABI-like and
 * exist on every kernel kscope runs on. Why no classic tracepoint variant: its records
 * carry the disk and sector but not the request, so issue and completion could only be
 * paired by (disk, sector), which two requests can share.
 *
 * Why not block_rq_insert: requests issued directly (no I/O scheduler, or an idle one) are
 * never inserted, while every request is made once; the queue time runs from creation.
 *
 * User space (ks_block_configure in src/core/block.h) switches off the hooks a run does not
 * need, chooses between blk_start, blk_bio and blk_bioq by the kernel's BTF, and sets:
 */
#include "bpf/hist.bpf.h"
#include "bpf/missed.bpf.h"
#include "shared/block.h"

/* -d: the disk's KS_BLK_DEV, 0 for every disk. */
const volatile __u32 ks_blk_dev_filter = 0;
/*
 * Requests whose submitter is unknown are dropped: a filter (-p, -c ...) or per-task keys
 * need it, and it is known only for requests made while tracing.
 */
const volatile bool ks_blk_need_who = false;
/* Look the submitter up by rq->bio at issue (blk_bio, blk_bioq are on). */
const volatile bool ks_blk_by_bio = false;
/* The body uses the disk (ks_blk_req.dev), and the sector, size and flags. */
const volatile bool ks_blk_need_dev = false;
const volatile bool ks_blk_need_io = false;
/* The submitter's hooks are on (always with ks_blk_need_who and ks_blk_by_bio). */
const volatile bool ks_blk_start = false;
/* block_rq_complete's error is an errno (before 5.x: int), not a blk_status_t. */
const volatile bool ks_blk_err_errno = false;

/* Requests in flight, by address. Entries of requests never completed are overwritten. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ks_blk_req);
} ks_blk_reqs SEC(".maps");

/*
 * Submitters of bios not yet made into requests (blk_bio): LRU, since a bio merged into a
 * request made from another never shows up as rq->bio. One entry when not used.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ks_blk_req);
} ks_blk_bios SEC(".maps");

/*
 * Completions whose program the kernel never ran (ks_missed, bpf/missed.bpf.h): the kernel
 * skips a tracing program that is already running on the CPU (another completion, preempted
 * or interrupted, holds it) without always counting it: one completion in several thousand
 * at a few hundred thousand IOPS here, any BPF tracer alike. It shows when the request's
 * address is made into a request again while its entry still says issued: its completion
 * went unseen.
 */

/* Before 5.15 a request named its disk itself; later its queue does (CO-RE flavours). */
struct request___rq_disk {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

struct request_queue___disk {
	struct gendisk *disk;
} __attribute__((preserve_access_index));

/*
 * KS_BLK_DEV of the disk of @rq, 0 if it has none (a passthrough request, say). @btf: @rq
 * is a tp_btf argument (KS_READ), and so are the pointers read from it.
 */
static __always_inline __u32 ks_blk_rq_dev(struct request *rq, bool btf)
{
	struct gendisk *disk;

	if (bpf_core_field_exists(((struct request___rq_disk *)rq)->rq_disk)) {
		struct request___rq_disk *o = (void *)rq;

		disk = KS_READ(btf, o, rq_disk);
	} else {
		struct request_queue___disk *q = (void *)KS_READ(btf, rq, q);

		disk = KS_READ(btf, q, disk);
	}
	if (!disk)
		return 0;
	return KS_BLK_DEV((__u32)KS_READ(btf, disk, major), (__u32)KS_READ(btf, disk, first_minor));
}

/* One flag of enum req_flag_bits, wherever this kernel puts it. */
#define KS_BLK_FLAG(cmd, bit, ours)                                                                \
	(bpf_core_enum_value_exists(enum req_flag_bits, bit) &&                                    \
			 ((cmd) >> bpf_core_enum_value(enum req_flag_bits, bit)) & 1               \
		 ? (ours)                                                                          \
		 : 0)

/* @rq's operation and flags in kscope's bits (KS_BLK_*). */
static __always_inline __u32 ks_blk_rq_flags(struct request *rq, bool btf)
{
	__u32 cmd = KS_READ(btf, rq, cmd_flags);

	return (cmd & KS_BLK_OP_MASK) | KS_BLK_FLAG(cmd, __REQ_SYNC, KS_BLK_SYNC) |
	       KS_BLK_FLAG(cmd, __REQ_META, KS_BLK_META) | KS_BLK_FLAG(cmd, __REQ_FUA, KS_BLK_FUA) |
	       KS_BLK_FLAG(cmd, __REQ_PREFLUSH, KS_BLK_PREFLUSH) |
	       KS_BLK_FLAG(cmd, __REQ_RAHEAD, KS_BLK_RAHEAD);
}

/* The current task as a request's submitter, if it passes the filters: 0, or -1 to drop. */
static __always_inline int ks_blk_who_fill(struct ks_blk_req *r)
{
	if (!ks_filter_current())
		return -1;
	ks_hdr_fill(&r->who);
	if (ks_by == KS_BY_PIDNS)
		r->pidns = ks_task_pidns(ks_current());
	r->have_who = 1;
	return 0;
}

/*
 * block_io_start: the request was just made, by the current task. The entry is built on
 * the stack and stored with one update: a lookup after an update would cost a second hash
 * walk on every request.
 */
static __always_inline int ks_blk_on_start(struct request *rq, bool btf)
{
	__u64 key = (__u64)rq;
	struct ks_blk_req r;

	if (ks_blk_dev_filter && ks_blk_rq_dev(rq, btf) != ks_blk_dev_filter)
		return 0;
	__builtin_memset(&r, 0, sizeof(r));
	if (ks_blk_who_fill(&r))
		return 0;
	/* almost always new: the lookup of an old entry costs only when there is one */
	if (bpf_map_update_elem(&ks_blk_reqs, &key, &r, BPF_NOEXIST)) {
		struct ks_blk_req *old = bpf_map_lookup_elem(&ks_blk_reqs, &key);

		if (old && old->issue_ns)
			ks_count_missed();
		bpf_map_update_elem(&ks_blk_reqs, &key, &r, BPF_ANY);
	}
	return 0;
}

/* block_bio_queue: a bio enters the block layer, from the current task. */
static __always_inline int ks_blk_on_bio(struct bio *bio)
{
	__u64 key = (__u64)bio;
	struct ks_blk_req r;

	__builtin_memset(&r, 0, sizeof(r));
	if (ks_blk_who_fill(&r))
		return 0;
	bpf_map_update_elem(&ks_blk_bios, &key, &r, BPF_ANY);
	return 0;
}

/* What the issue tells of @rq: its disk (if asked for), position, size and flags. */
static __always_inline void ks_blk_issue_fill(struct ks_blk_req *r, struct request *rq, __u32 dev,
					      bool btf)
{
	r->issue_ns = bpf_ktime_get_ns();
	r->dev = dev;
	if (ks_blk_need_io) {
		r->sector = KS_READ(btf, rq, __sector);
		r->bytes = KS_READ(btf, rq, __data_len);
		r->flags = ks_blk_rq_flags(rq, btf);
	}
}

/* block_rq_issue: the request goes to the driver (again, if it was requeued). */
static __always_inline int ks_blk_on_issue(struct request *rq, bool btf)
{
	__u64 key = (__u64)rq;
	struct ks_blk_req *r;
	__u32 dev = 0;

	if (ks_blk_dev_filter || ks_blk_need_dev) {
		dev = ks_blk_rq_dev(rq, btf);
		if (ks_blk_dev_filter && dev != ks_blk_dev_filter)
			return 0;
	}
	/* without the submitter's hooks nothing stored the request before its issue */
	r = ks_blk_start ? bpf_map_lookup_elem(&ks_blk_reqs, &key) : NULL;
	if (!r && ks_blk_by_bio) {
		__u64 bio = (__u64)KS_READ(btf, rq, bio);
		struct ks_blk_req *b = bio ? bpf_map_lookup_elem(&ks_blk_bios, &bio) : NULL;

		if (b) {
			ks_blk_issue_fill(b, rq, dev, btf);
			bpf_map_update_elem(&ks_blk_reqs, &key, b, BPF_ANY);
			bpf_map_delete_elem(&ks_blk_bios, &bio);
			return 0;
		}
	}
	if (!r) {
		struct ks_blk_req n;

		if (ks_blk_need_who)
			return 0;
		__builtin_memset(&n, 0, sizeof(n));
		ks_blk_issue_fill(&n, rq, dev, btf);
		bpf_map_update_elem(&ks_blk_reqs, &key, &n, BPF_ANY);
		return 0;
	}
	ks_blk_issue_fill(r, rq, dev, btf);
	return 0;
}

/*
 * block_rq_complete: the tool's body sees the request once, then it is forgotten. A
 * request completed in parts is counted at its first completion (with its full size).
 */
#define KS_BLOCK_DONE(fn, rq, err)                                                                 \
	({                                                                                         \
		__u64 key = (__u64)(rq);                                                           \
		struct ks_blk_req *r = bpf_map_lookup_elem(&ks_blk_reqs, &key);                    \
                                                                                                   \
		if (r) {                                                                           \
			if (r->issue_ns) {                                                         \
				r->error = (int)(err);                                             \
				fn(ctx, r, bpf_ktime_get_ns());                                    \
			}                                                                          \
			bpf_map_delete_elem(&ks_blk_reqs, &key);                                   \
		}                                                                                  \
		0;                                                                                 \
	})

/* blk_status_t is a u8; an int errno before it was passed raw. */
#define KS_BLK_ERR(e) (ks_blk_err_errno ? (int)(e) : (int)(__u8)(e))

#define KS_BLOCK_TRACK(fn)                                                                         \
	SEC("tp_btf/block_io_start")                                                               \
	int BPF_PROG(blk_start__tp_btf, struct request *rq)                                        \
	{                                                                                          \
		return ks_blk_on_start(rq, true);                                                  \
	}                                                                                          \
	SEC("raw_tp/block_io_start")                                                               \
	int BPF_PROG(blk_start__raw_tp, struct request *rq)                                        \
	{                                                                                          \
		return ks_blk_on_start(rq, false);                                                 \
	}                                                                                          \
	SEC("tp_btf/block_bio_queue")                                                              \
	int BPF_PROG(blk_bio__tp_btf, struct bio *bio)                                             \
	{                                                                                          \
		return ks_blk_on_bio(bio);                                                         \
	}                                                                                          \
	SEC("raw_tp/block_bio_queue")                                                              \
	int BPF_PROG(blk_bio__raw_tp, struct bio *bio)                                             \
	{                                                                                          \
		return ks_blk_on_bio(bio);                                                         \
	}                                                                                          \
	SEC("tp_btf/block_bio_queue")                                                              \
	int BPF_PROG(blk_bioq__tp_btf, void *q, struct bio *bio)                                   \
	{                                                                                          \
		return ks_blk_on_bio(bio);                                                         \
	}                                                                                          \
	SEC("raw_tp/block_bio_queue")                                                              \
	int BPF_PROG(blk_bioq__raw_tp, void *q, struct bio *bio)                                   \
	{                                                                                          \
		return ks_blk_on_bio(bio);                                                         \
	}                                                                                          \
	SEC("tp_btf/block_rq_issue")                                                               \
	int BPF_PROG(blk_issue__tp_btf, struct request *rq)                                        \
	{                                                                                          \
		return ks_blk_on_issue(rq, true);                                                  \
	}                                                                                          \
	SEC("raw_tp/block_rq_issue")                                                               \
	int BPF_PROG(blk_issue__raw_tp, struct request *rq)                                        \
	{                                                                                          \
		return ks_blk_on_issue(rq, false);                                                 \
	}                                                                                          \
	SEC("tp_btf/block_rq_complete")                                                            \
	int BPF_PROG(blk_done__tp_btf, struct request *rq, long err)                               \
	{                                                                                          \
		return KS_BLOCK_DONE(fn, rq, KS_BLK_ERR(err));                                     \
	}                                                                                          \
	SEC("raw_tp/block_rq_complete")                                                            \
	int BPF_PROG(blk_done__raw_tp, struct request *rq, long err)                               \
	{                                                                                          \
		return KS_BLOCK_DONE(fn, rq, KS_BLK_ERR(err));                                     \
	}

/* The key of @r's submitter for per-task reports (ks_by), as ks_task_key gives it. */
static __always_inline __u64 ks_blk_who_key(const struct ks_blk_req *r)
{
	switch (ks_by) {
	case KS_BY_PID:
		return r->who.pid;
	case KS_BY_TID:
		return r->who.tid;
	case KS_BY_CGROUP:
		return r->who.cgroup;
	case KS_BY_PIDNS:
		return r->pidns;
	}
	return 0;
}

#endif
