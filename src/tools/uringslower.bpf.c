// SPDX-License-Identifier: GPL-2.0-only
/* uringslower: stream each io_uring request slower than a threshold, with where its time went. */
#include "bpf/events.bpf.h"
#include "bpf/uring.bpf.h"
#include "tools/uringslower.h"

const volatile __u64 min_ns = 10000000;

static __always_inline void on_submit(struct ks_uring_req *r, struct ks_uring_ring *ring)
{
}

static __always_inline void on_complete(void *ctx, struct ks_uring_req *r, __s32 res, __u64 now)
{
	__u64 lat = now - r->hdr.ts;
	struct uringslower_event *e;

	if (lat < min_ns)
		return;
	e = ks_reserve(sizeof(*e));
	if (!e)
		return;
	e->hdr = r->hdr;
	e->hdr.ts = now;
	e->latency_ns = lat;
	e->punted = r->punt_ns != 0;
	e->queued_ns = r->punt_ns ? r->punt_ns - r->hdr.ts : 0;
	e->wq_ns = r->punt_ns ? now - r->punt_ns : 0;
	e->ring = r->ring;
	e->user_data = r->user_data;
	e->res = res;
	e->fd = r->fd;
	e->flags = r->flags;
	e->file = r->file;
	e->ino = r->ino;
	e->opcode = r->opcode;
	e->done_tid = (__u32)bpf_get_current_pid_tgid();
	bpf_get_current_comm(e->done_comm, sizeof(e->done_comm));
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	ks_submit(e, sizeof(*e));
}

KS_URING_SUBMIT(on_submit)
KS_URING_COMPLETE(on_complete)
