// SPDX-License-Identifier: GPL-2.0-only
/* biolatency: block IO latency (device time, and queue time) as log2 histograms, per key. */
#include "bpf/block.bpf.h"
#include "tools/biolatency.h"

const volatile __u64 unit_div = 1000; /* ns per histogram unit */
const volatile __u8 parts = 0;	      /* BIOLAT_*, the report's keys */

KS_HIST_MAP(hists, struct biolat_key, 10240);

static __always_inline void add(struct biolat_key *k, const struct ks_blk_req *r, __u64 ns)
{
	struct ks_hist_val *v = ks_hist_add(&hists, k, ns, unit_div);

	if (v && r->have_who && (ks_by == KS_BY_PID || ks_by == KS_BY_TID))
		__builtin_memcpy(v->comm, r->who.comm, sizeof(v->comm));
}

static __always_inline void on_done(void *ctx, struct ks_blk_req *r, __u64 now)
{
	struct biolat_key k = {};

	k.who = ks_blk_who_key(r);
	if (parts & BIOLAT_DISK)
		k.dev = r->dev;
	if (parts & BIOLAT_FLAGS)
		k.flags = (__u16)r->flags;
	k.parts = parts | (__u8)(ks_by << 4);
	k.kind = BIOLAT_DEVICE;
	add(&k, r, now - r->issue_ns);
	if ((parts & BIOLAT_QUEUED) && r->have_who) {
		k.kind = BIOLAT_QUEUE;
		add(&k, r, r->issue_ns - r->who.ts);
	}
}

KS_BLOCK_TRACK(on_done)
