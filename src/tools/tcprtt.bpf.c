// SPDX-License-Identifier: GPL-2.0-only
/* tcprtt: TCP smoothed RTT at each received segment, as log2 histograms per address or port. */
#include "bpf/hist.bpf.h"
#include "bpf/net.bpf.h"
#include "bpf/syscall.bpf.h"
#include "tools/tcprtt.h"

const volatile __u64 unit_div = 1000; /* ns per histogram unit */
const volatile int by = TCPRTT_BY_ALL;

KS_HIST_MAP(hists, struct tcprtt_key, 10240);

/*
 * tcp_probe runs in tcp_rcv_established for every segment an established socket receives,
 * before the segment's ACK updates the estimate: srtt_us is the RTT smoothed so far, in
 * microseconds << 3.
 */
static __always_inline int on_probe(struct sock *sk, bool btf)
{
	__u32 srtt = BPF_CORE_READ((struct tcp_sock *)sk, srtt_us) >> 3;
	struct tcprtt_key k;
	struct ks_event_hdr h;
	struct ks_flow f;

	/* no estimate yet */
	if (!srtt)
		return 0;
	ks_sk_flow(sk, &f, btf);
	if (!ks_net_match(&f))
		return 0;
	/* with a task filter the samples are the owners' (the owner hooks are on) */
	if (ks_filter_tasks() && ks_sk_who(sk, &h) < 0)
		return 0;
	__builtin_memset(&k, 0, sizeof(k));
	k.by = by;
	if (by == TCPRTT_BY_RADDR || by == TCPRTT_BY_LADDR) {
		__builtin_memcpy(k.addr, by == TCPRTT_BY_RADDR ? f.daddr : f.saddr, sizeof(k.addr));
		k.family = f.family;
	} else if (by == TCPRTT_BY_RPORT || by == TCPRTT_BY_LPORT) {
		k.port = by == TCPRTT_BY_RPORT ? f.dport : f.sport;
	}
	ks_hist_add(&hists, &k, (__u64)srtt * 1000, unit_div);
	return 0;
}

SEC("tp_btf/tcp_probe")
int BPF_PROG(probe__tp_btf, struct sock *sk, struct sk_buff *skb)
{
	return on_probe(sk, true);
}

SEC("raw_tp/tcp_probe")
int BPF_PROG(probe__raw_tp, struct sock *sk, struct sk_buff *skb)
{
	return on_probe(sk, false);
}

KS_OWNER_HOOKS(state, accept)
