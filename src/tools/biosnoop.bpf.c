// SPDX-License-Identifier: GPL-2.0-only
/* biosnoop: stream every completed block request with its submitter and times. */
/*
 * A block IO is an event: at the top rates of a fast disk (a few hundred thousand a
 * second), and with io_uring's worker threads crowding the CPUs the reader runs on, the
 * default 2 MiB (about 90 ms of events) filled before the reader got its turn. 8 MiB is
 * about a third of a second.
 */
#define KS_RINGBUF_BYTES (8 * 1024 * 1024)

#include "bpf/block.bpf.h"
#include "bpf/events.bpf.h"
#include "tools/biosnoop.h"

static __always_inline void on_done(void *ctx, struct ks_blk_req *r, __u64 now)
{
	struct biosnoop_event *e = ks_reserve(sizeof(*e));

	if (!e)
		return;
	__builtin_memcpy(&e->hdr, &r->who, sizeof(e->hdr));
	e->hdr.ts = now;
	e->sector = r->sector;
	e->queue_ns = r->issue_ns - r->who.ts;
	e->device_ns = now - r->issue_ns;
	e->bytes = r->bytes;
	e->dev = r->dev;
	e->flags = r->flags;
	e->error = r->error;
	ks_submit(e, sizeof(*e));
}

KS_BLOCK_TRACK(on_done)
