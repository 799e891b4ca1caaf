// SPDX-License-Identifier: GPL-2.0-only
/* tcpconnlat: each TCP connect's latency, from connect() sending the SYN to established. */
#include "bpf/events.bpf.h"
#include "bpf/net.bpf.h"
#include "tools/tcpconnlat.h"

const volatile __u64 min_ns = 0; /* only connects at least this slow */

static __always_inline int on_state(void *ctx, struct sock *sk, int old, int new, bool btf)
{
	struct tcpconnlat_event *e;
	struct ks_sk_owner o;
	struct ks_flow f;
	__u64 now, lat;

	/* a failed connect has no latency to tell: tcpconnect shows those */
	if (!ks_connect_end(sk, old, new, &o) || new != KS_TCP_ESTABLISHED || !o.pass)
		return 0;
	now = bpf_ktime_get_ns();
	lat = now - o.who.ts;
	if (lat < min_ns)
		return 0;
	ks_sk_flow(sk, &f, btf);
	if (!ks_net_match(&f))
		return 0;
	e = ks_reserve(sizeof(*e));
	if (!e)
		return 0;
	e->hdr = o.who;
	e->hdr.ts = now;
	e->flow = f;
	e->lat_ns = lat;
	ks_submit(e, sizeof(*e));
	return 0;
}

KS_TCP_STATE(state, on_state)
