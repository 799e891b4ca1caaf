// SPDX-License-Identifier: GPL-2.0-only
/* biosnoop: stream every completed block request with its submitter and times. */
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
