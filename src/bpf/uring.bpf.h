/* SPDX-License-Identifier: GPL-2.0-only */
/* io_uring tracepoints in every argument layout and attach flavour, feeding one body per logic. */
#ifndef KS_BPF_URING_H
#define KS_BPF_URING_H

/*
 * An io_uring request's life as its tracepoints show it, in the kernels' BTF of the test
 * matrix (5.10, 6.1, 6.12, 6.18, 7.2):
 *
 *   submitted   io_uring_submit_req(req)                                    6.12, 6.18, 7.2
 *               io_uring_submit_sqe(req, force_nonblock)                    6.1
 *               io_uring_submit_sqe(ctx, req, opcode, user_data, flags,
 *                                   force_nonblock, sq_thread)              5.10
 *   punted      io_uring_queue_async_work(req, rw)                          6.1+ (7.2: bool rw)
 *               io_uring_queue_async_work(ctx, rw, req, work, flags)        5.10
 *   completed   io_uring_complete(ctx, req, cqe)                            after 6.12 (6.18, 7.2)
 *               io_uring_complete(ctx, req, user_data, res, cflags, e1, e2) up to 6.12 (6.1)
 *               io_uring_complete(ctx, user_data, res, cflags)              5.10
 *   failed      io_uring_req_failed(sqe, req, error)                        6.1+ (init failures;
 *               5.19's (sqe, ctx, req, error) is left unused)
 *   overflow    io_uring_cqe_overflow(ctx, user_data, res, cflags, ocqe)    6.1+
 *   ring made   io_uring_create(fd, ctx, sq_entries, cq_entries, flags)     every kernel
 *
 * Each layout is a hook of its own (programs HOOK__tp_btf and HOOK__raw_tp), because a
 * program that reads more arguments than a tracepoint has is refused (tp_btf at load,
 * raw_tp at attach). User space (src/core/uring.c) reads each tracepoint's arguments from
 * the kernel's BTF before load, keeps the hook of the matching layout and switches the
 * others off; the core then picks tp_btf or raw_tp for each hook left.
 *
 * Submissions and completions are matched through ks_uring_reqs, keyed by the request
 * (struct io_kiocb pointer) where the completion tracepoint has it, and by (ring, user_data)
 * where it does not (5.10: ks_uring_by_ud, set by user space). Only requests submitted while
 * tracing, by tasks that pass the filter, are in it: the filters select the submitter.
 *
 * The bodies read the kernel's structures with BPF_CORE_READ only: the same body runs with
 * BTF-typed (tp_btf) and plain (raw_tp) pointers.
 */

#include "bpf/kscope.bpf.h"

/* Match requests by (ring, user_data), not by the request: set by user space from BTF. */
const volatile bool ks_uring_by_ud = false;

/* A request being traced, from its submission to its completion. */
struct ks_uring_req {
	struct ks_event_hdr hdr; /* the submitter, at submission (hdr.ts: when) */
	__u64 ring;		 /* struct io_ring_ctx pointer */
	__u64 user_data;
	__u64 punt_ns;		/* when it was handed to io-wq (first time), 0 if never */
	__u64 key;		/* the tool's report key for it, set by the tool's submit body */
	__u64 ino;		/* at completion: its file's inode number, 0 if none or unknown */
	char name[KS_COMM_LEN]; /* the tool's name for that key (a process name) */
	__s32 fd;		/* its fd (or fixed-file index), -1 unknown */
	__u32 flags;		/* low bits of req->flags: KS_URING_F_* */
	__u8 opcode;
	__u8 file; /* at completion: KS_URING_FILE_* (whether fd means anything) */
	__u8 pad[6];
};

/* ks_uring_req.file: did the request have a file when it completed? */
enum {
	KS_URING_FILE_UNKNOWN = 0, /* no request pointer at completion (5.10) */
	KS_URING_FILE_NONE = 1,	   /* nop, timeout ...: fd is stale, not the request's */
	KS_URING_FILE_SET = 2,
};

/* req->flags bits that mirror the SQE's flags (IOSQE_*_BIT), stable across kernels. */
#define KS_URING_F_FIXED_FILE  (1u << 0)
#define KS_URING_F_FORCE_ASYNC (1u << 4)

struct ks_uring_key {
	__u64 a; /* the request, or the ring with ks_uring_by_ud */
	__u64 b; /* 0, or the user_data with ks_uring_by_ud */
};

/*
 * Requests in flight. LRU: a request whose completion is never seen must not hold a slot
 * for ever (its CQE went to the overflow list, on kernels whose io_uring_complete passes
 * the CQE and so fires only once it is placed); a new request at the same address
 * replaces its entry anyway.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ks_uring_key);
	__type(value, struct ks_uring_req);
} ks_uring_reqs SEC(".maps");

/* What is known of a ring whose requests were traced (or that a traced task made). */
struct ks_uring_ring {
	__u64 key;		/* the tool's report key of its last traced submitter */
	__u32 pid;		/* tgid of the task that made it, or of its last traced submitter */
	__s32 fd;		/* its fd in that process, -1 when it was made before tracing */
	char name[KS_COMM_LEN]; /* the tool's name for key */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct ks_uring_ring);
} ks_uring_rings SEC(".maps");

/* 5.10's struct io_kiocb kept user_data in itself; later kernels in req->cqe. */
struct io_kiocb___ud {
	__u64 user_data;
} __attribute__((preserve_access_index));

static __always_inline __u64 ks_uring_req_user_data(struct io_kiocb *req)
{
	if (bpf_core_field_exists(req->cqe))
		return BPF_CORE_READ(req, cqe.user_data);
	return BPF_CORE_READ((struct io_kiocb___ud *)req, user_data);
}

/* The request's fd: set from the SQE at init where req has a cqe (6.1+); -1 on 5.10. */
static __always_inline __s32 ks_uring_req_fd(struct io_kiocb *req)
{
	if (bpf_core_field_exists(req->cqe))
		return BPF_CORE_READ(req, cqe.fd);
	return -1;
}

static __always_inline struct ks_uring_key ks_uring_key_of(__u64 req, __u64 ring, __u64 ud)
{
	struct ks_uring_key k = { .a = req };

	if (ks_uring_by_ud) {
		k.a = ring;
		k.b = ud;
	}
	return k;
}

/* Too big for the BPF stack: new entries start from this. */
static const struct ks_uring_req ks_uring_req_zero __attribute__((unused));

/*
 * A request was submitted by the current task: start tracking it if the task passes the
 * filter, and call the tool's @fn(struct ks_uring_req *r, struct ks_uring_ring *ring) to set
 * r->key and r->name (ring may be NULL when the ring table is full).
 */
#define ks_uring_submit(ring_, req_, opcode_, ud_, fd_, flags_, fn)                                \
	({                                                                                         \
		__u64 __ring = (__u64)(ring_);                                                     \
		struct ks_uring_key __k = ks_uring_key_of((__u64)(req_), __ring, (ud_));           \
		struct ks_uring_req *__r;                                                          \
		struct ks_uring_ring *__rg;                                                        \
		if (ks_filter_current() &&                                                         \
		    !bpf_map_update_elem(&ks_uring_reqs, &__k, &ks_uring_req_zero, BPF_ANY) &&     \
		    (__r = bpf_map_lookup_elem(&ks_uring_reqs, &__k))) {                           \
			ks_hdr_fill(&__r->hdr);                                                    \
			__r->ring = __ring;                                                        \
			__r->user_data = (ud_);                                                    \
			__r->fd = (fd_);                                                           \
			__r->flags = (flags_);                                                     \
			__r->opcode = (opcode_);                                                   \
			__rg = ks_uring_ring_note(__ring, __r->hdr.pid);                           \
			fn(__r, __rg);                                                             \
		}                                                                                  \
		0;                                                                                 \
	})

/* The ring @ring, traced from now on (made or used by @pid, a traced task): its entry. */
static __always_inline struct ks_uring_ring *ks_uring_ring_note(__u64 ring, __u32 pid)
{
	struct ks_uring_ring *rg = bpf_map_lookup_elem(&ks_uring_rings, &ring), n = { .fd = -1 };

	/* A ring made before tracing, or the address of a freed ring used again by another. */
	if (rg && rg->pid == pid)
		return rg;
	n.pid = pid;
	bpf_map_update_elem(&ks_uring_rings, &ring, &n, BPF_ANY);
	return bpf_map_lookup_elem(&ks_uring_rings, &ring);
}

/* io_uring_create: a ring made by a traced task; its fd is known only here. */
static __always_inline int ks_uring_created(int fd, __u64 ring)
{
	struct ks_uring_ring n = { .fd = fd };

	if (!ks_filter_current())
		return 0;
	n.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_map_update_elem(&ks_uring_rings, &ring, &n, BPF_ANY);
	return 0;
}

/* The request was handed to an io-wq worker: remember when (the first time). */
static __always_inline int ks_uring_punted(struct io_kiocb *req, __u64 ring)
{
	struct ks_uring_key k = ks_uring_key_of((__u64)req, ring, ks_uring_req_user_data(req));
	struct ks_uring_req *r = bpf_map_lookup_elem(&ks_uring_reqs, &k);

	if (r && !r->punt_ns)
		r->punt_ns = bpf_ktime_get_ns();
	return 0;
}

/* Whether the request had a file at its completion, and which (its inode number). */
static __always_inline void ks_uring_req_file(struct ks_uring_req *r, struct io_kiocb *req)
{
	struct file *f = BPF_CORE_READ(req, file);

	r->file = f ? KS_URING_FILE_SET : KS_URING_FILE_NONE;
	r->ino = f ? BPF_CORE_READ(f, f_inode, i_ino) : 0;
}

/*
 * A completion was posted with result @res: if its request was traced, call the tool's
 * @fn(void *ctx, struct ks_uring_req *r, __s32 res, __u64 now) and forget the request.
 */
#define ks_uring_completed(ctx_, req_, ring_, ud_, res_, fn)                                       \
	({                                                                                         \
		struct ks_uring_key __k = ks_uring_key_of((__u64)(req_), (__u64)(ring_), (ud_));   \
		struct ks_uring_req *__r = bpf_map_lookup_elem(&ks_uring_reqs, &__k);              \
		if (__r) {                                                                         \
			if (req_)                                                                  \
				ks_uring_req_file(__r, (struct io_kiocb *)(req_));                 \
			fn((ctx_), __r, (res_), bpf_ktime_get_ns());                               \
			bpf_map_delete_elem(&ks_uring_reqs, &__k);                                 \
		}                                                                                  \
		0;                                                                                 \
	})

/* One hook, tp_btf and raw_tp, with the same arguments and body. */
#define KS_URING_PROG(hook, tp, body, ...)                                                         \
	SEC("tp_btf/" #tp)                                                                         \
	int BPF_PROG(hook##__tp_btf, ##__VA_ARGS__)                                                \
	{                                                                                          \
		return body;                                                                       \
	}                                                                                          \
	SEC("raw_tp/" #tp)                                                                         \
	int BPF_PROG(hook##__raw_tp, ##__VA_ARGS__)                                                \
	{                                                                                          \
		return body;                                                                       \
	}

/*
 * Submission and punting in every layout (hooks submit_req, submit_sqe, submit_sqe_ctx,
 * punt_req, punt_ctx, ring_create). @fn as for ks_uring_submit:
 *   static __always_inline void fn(struct ks_uring_req *r, struct ks_uring_ring *ring);
 */
#define KS_URING_SUBMIT(fn)                                                                        \
	KS_URING_PROG(submit_req, io_uring_submit_req,                                             \
		      ks_uring_submit(BPF_CORE_READ(req, ctx), req, BPF_CORE_READ(req, opcode),    \
				      ks_uring_req_user_data(req), ks_uring_req_fd(req),           \
				      (__u32)BPF_CORE_READ(req, flags), fn),                       \
		      struct io_kiocb *req)                                                        \
	KS_URING_PROG(submit_sqe, io_uring_submit_sqe,                                             \
		      ks_uring_submit(BPF_CORE_READ(req, ctx), req, BPF_CORE_READ(req, opcode),    \
				      ks_uring_req_user_data(req), ks_uring_req_fd(req),           \
				      (__u32)BPF_CORE_READ(req, flags), fn),                       \
		      struct io_kiocb *req, bool force_nonblock)                                   \
	KS_URING_PROG(submit_sqe_ctx, io_uring_submit_sqe,                                         \
		      ks_uring_submit(ring, req, opcode, user_data, -1, flags, fn), void *ring,    \
		      void *req, __u8 opcode, __u64 user_data, __u32 flags, bool force_nonblock,   \
		      bool sq_thread)                                                              \
	KS_URING_PROG(punt_req, io_uring_queue_async_work,                                         \
		      ks_uring_punted(req, (__u64)BPF_CORE_READ(req, ctx)), struct io_kiocb *req,  \
		      int rw)                                                                      \
	KS_URING_PROG(punt_ctx, io_uring_queue_async_work, ks_uring_punted(req, (__u64)ring),      \
		      void *ring, int rw, struct io_kiocb *req, void *work, unsigned int flags)    \
	KS_URING_PROG(ring_create, io_uring_create, ks_uring_created(fd, (__u64)ring), int fd,     \
		      void *ring, __u32 sq_entries, __u32 cq_entries, __u32 flags)

/*
 * Completion in every layout (hooks complete_cqe, complete_res, complete_ud). @fn as for
 * ks_uring_completed:
 *   static __always_inline void fn(void *ctx, struct ks_uring_req *r, __s32 res, __u64 now);
 */
#define KS_URING_COMPLETE(fn)                                                                      \
	KS_URING_PROG(complete_cqe, io_uring_complete,                                             \
		      ks_uring_completed(ctx, req, ring, 0, BPF_CORE_READ(cqe, res), fn),          \
		      void *ring, void *req, struct io_uring_cqe *cqe)                             \
	KS_URING_PROG(complete_res, io_uring_complete,                                             \
		      ks_uring_completed(ctx, req, ring, user_data, res, fn), void *ring,          \
		      void *req, __u64 user_data, int res, unsigned int cflags, __u64 extra1,      \
		      __u64 extra2)                                                                \
	KS_URING_PROG(complete_ud, io_uring_complete,                                              \
		      ks_uring_completed(ctx, 0, ring, user_data, res, fn), void *ring,            \
		      __u64 user_data, int res, unsigned int cflags)

/*
 * A request that failed before it was submitted (bad opcode, bad flags: io_init_req), in the
 * submitter's context. Requests already traced are left to their completion, so each
 * request counts once. Hook req_failed:
 *   static __always_inline void fn(void *ctx, __u64 ring, __u8 opcode, int error);
 */
static __always_inline bool ks_uring_traced(struct io_kiocb *req)
{
	struct ks_uring_key k = ks_uring_key_of((__u64)req, (__u64)BPF_CORE_READ(req, ctx),
						ks_uring_req_user_data(req));

	return bpf_map_lookup_elem(&ks_uring_reqs, &k) != NULL;
}

#define ks_uring_failed(ctx_, sqe_, req_, err_, fn)                                                \
	({                                                                                         \
		if (ks_filter_current() && !ks_uring_traced(req_))                                 \
			fn((ctx_), (__u64)BPF_CORE_READ(req_, ctx), BPF_CORE_READ(sqe_, opcode),   \
			   (err_));                                                                \
		0;                                                                                 \
	})

#define KS_URING_FAILED(fn)                                                                        \
	KS_URING_PROG(req_failed, io_uring_req_failed, ks_uring_failed(ctx, sqe, req, error, fn),  \
		      const struct io_uring_sqe *sqe, struct io_kiocb *req, int error)

/*
 * A completion went to the ring's overflow list (the CQ was full). It fires wherever the
 * completion is posted, so the ring, not the current task, says whether it is traced: rings
 * that traced tasks made or submitted to (ks_uring_rings). Hook cqe_overflow:
 *   static __always_inline void fn(void *ctx, struct ks_uring_ring *ring, __u64 user_data);
 */
#define ks_uring_overflowed(ctx_, ring_, ud_, fn)                                                  \
	({                                                                                         \
		__u64 __ring = (__u64)(ring_);                                                     \
		struct ks_uring_ring *__rg = bpf_map_lookup_elem(&ks_uring_rings, &__ring);        \
		if (__rg)                                                                          \
			fn((ctx_), __rg, (ud_));                                                   \
		0;                                                                                 \
	})

#define KS_URING_OVERFLOW(fn)                                                                      \
	KS_URING_PROG(cqe_overflow, io_uring_cqe_overflow,                                         \
		      ks_uring_overflowed(ctx, ring, user_data, fn), void *ring, __u64 user_data,  \
		      __s32 res, __u32 cflags, void *ocqe)

#endif
