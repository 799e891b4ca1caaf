// SPDX-License-Identifier: GPL-2.0-only
/* bitesize: block IO sizes as log2 histograms of Kbytes, per submitting process. */
#include "bpf/block.bpf.h"

KS_HIST_MAP(hists, __u64, 10240);

static __always_inline void on_done(void *ctx, struct ks_blk_req *r, __u64 now)
{
	__u64 key = ks_blk_who_key(r);
	struct ks_hist_val *v = ks_hist_add(&hists, &key, r->bytes, 1024);

	if (v && (ks_by == KS_BY_PID || ks_by == KS_BY_TID))
		__builtin_memcpy(v->comm, r->who.comm, sizeof(v->comm));
}

KS_BLOCK_TRACK(on_done)
