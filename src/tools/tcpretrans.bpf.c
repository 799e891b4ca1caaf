// SPDX-License-Identifier: GPL-2.0-only
/* tcpretrans: TCP retransmissions and SYN-ACK retransmissions as events, or counted per flow. */
#include "bpf/events.bpf.h"
#include "bpf/net.bpf.h"
#include "bpf/syscall.bpf.h"
#include "tools/tcpretrans.h"

/* --count: rows in counts instead of events in the ring. */
const volatile bool count_mode = false;

/* icsk_pending while the loss-probe timer runs (include/net/inet_connection_sock.h). */
#define ICSK_TIME_LOSS_PROBE 5

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct tcpretrans_key);
	__type(value, struct tcpretrans_stat);
} counts SEC(".maps");

static const struct tcpretrans_stat zero_stat;

static __always_inline void count(struct tcpretrans_event *e)
{
	struct tcpretrans_key k;
	struct tcpretrans_stat *s;

	__builtin_memset(&k, 0, sizeof(k));
	k.flow = e->flow;
	k.state = e->state;
	s = bpf_map_lookup_elem(&counts, &k);
	if (!s) {
		bpf_map_update_elem(&counts, &k, &zero_stat, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&counts, &k);
		if (!s)
			return;
	}
	if (e->err) {
		__sync_fetch_and_add(&s->failed, 1);
		return;
	}
	__sync_fetch_and_add(&s->sent, 1);
	__sync_fetch_and_add(&s->segs, e->segs);
	if (e->kind == TCPRETRANS_SYNACK)
		__sync_fetch_and_add(&s->synack, 1);
	else if (e->tlp)
		__sync_fetch_and_add(&s->tlp, 1);
	else if (e->ca_state == TCPRETRANS_CA_LOSS)
		__sync_fetch_and_add(&s->loss, 1);
	else if (e->ca_state == TCPRETRANS_CA_RECOVERY)
		__sync_fetch_and_add(&s->recovery, 1);
	/* the last writer names the row: a race between CPUs only picks one of two names */
	s->pid = e->hdr.pid;
	__builtin_memcpy(s->comm, e->hdr.comm, sizeof(s->comm));
}

/*
 * Hand over @e, filled on the stack but for its header, about a socket of @owner's: unless
 * the flow or task filters drop it, a ring record, or a row of --count. Retransmissions are
 * rare: the filters can wait until the event is made.
 */
static __always_inline void emit(struct tcpretrans_event *e, struct sock *owner)
{
	int who;

	if (!ks_net_match(&e->flow))
		return;
	who = ks_sk_who(owner, &e->hdr);
	if (who < 0)
		return;
	e->hdr.ts = bpf_ktime_get_ns();
	e->owned = who;
	e->pad[0] = e->pad[1] = 0;
	if (count_mode)
		count(e);
	else
		ks_output(e, sizeof(*e));
}

/*
 * tcp_retransmit_skb: @skb of @sk's retransmit queue was sent again (@err 0) or, on
 * kernels whose tracepoint has the err argument (@has_err, 6.17+), the try failed (@err).
 */
static __always_inline int on_retransmit(struct sock *sk, struct sk_buff *skb, int err,
					 bool has_err, bool btf)
{
	struct inet_connection_sock *icsk = (struct inet_connection_sock *)sk;
	const struct tcp_skb_cb *cb;
	struct tcpretrans_event e;

	ks_sk_flow(sk, &e.flow, btf);
	e.skaddr = (__u64)sk;
	e.kind = TCPRETRANS_SKB;
	e.state = KS_READ(btf, sk, __sk_common.skc_state);
	/* bit fields and the socket past struct sock: probe reads on either variant */
	e.ca_state = BPF_CORE_READ_BITFIELD_PROBED(icsk, icsk_ca_state);
	/*
	 * The loss-probe timer's handler keeps icsk_pending at LOSS_PROBE while it sends the
	 * probe (the other timers clear it first), and probes are only armed in the Open state,
	 * where nothing else retransmits: timeouts move to Loss, fast retransmits to Recovery.
	 */
	e.tlp = e.ca_state == TCPRETRANS_CA_OPEN &&
		BPF_CORE_READ(icsk, icsk_pending) == ICSK_TIME_LOSS_PROBE;
	/* TCP_SKB_CB(skb): the control block TCP keeps in skb->cb */
	cb = (const struct tcp_skb_cb *)&skb->cb;
	e.seq = BPF_CORE_READ(cb, seq);
	e.len = BPF_CORE_READ(cb, end_seq) - e.seq;
	e.segs = BPF_CORE_READ(cb, tcp_gso_segs);
	e.err = err;
	e.has_err = has_err;
	emit(&e, sk);
	return 0;
}

/* Both ends of a connection request: the listener's port is the local one. */
static __always_inline void req_flow(struct request_sock *req, struct ks_flow *f, bool btf)
{
	__u16 family = KS_READ(btf, req, __req_common.skc_family);

	__builtin_memset(f, 0, sizeof(*f));
	f->family = family;
	f->proto = IPPROTO_TCP;
	f->sport = KS_READ(btf, req, __req_common.skc_num);
	f->dport = __builtin_bswap16(KS_READ(btf, req, __req_common.skc_dport));
	ks_skc_addrs(&req->__req_common, f, btf);
	f->netns = ks_net_inum(BPF_CORE_READ(req, __req_common.skc_net.net));
}

/*
 * tcp_retransmit_synack: listener @sk sent its SYN-ACK to request @req again (traced
 * only when it was sent). The request has no owner yet: the listener's is named.
 */
static __always_inline int on_synack(struct sock *sk, struct request_sock *req, bool btf)
{
	struct tcpretrans_event e;

	req_flow(req, &e.flow, btf);
	e.skaddr = (__u64)req;
	e.kind = TCPRETRANS_SYNACK;
	/* SYN_RECV as the protocol has it: NEW_SYN_RECV is how the kernel keeps requests */
	e.state = KS_TCP_SYN_RECV;
	e.ca_state = TCPRETRANS_CA_NONE;
	e.tlp = 0;
	e.seq = 0;
	e.len = 1;
	e.segs = 1;
	e.err = 0;
	e.has_err = 0;
	emit(&e, sk);
	return 0;
}

/* tcp_retransmit_skb(sk, skb) before 6.17: traced when sent. */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(rtx__tp_btf, struct sock *sk, struct sk_buff *skb)
{
	return on_retransmit(sk, skb, 0, false, true);
}

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(rtx__raw_tp, struct sock *sk, struct sk_buff *skb)
{
	return on_retransmit(sk, skb, 0, false, false);
}

/* tcp_retransmit_skb(sk, skb, err) from 6.17: every try, failed ones with their errno. */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(rtxe__tp_btf, struct sock *sk, struct sk_buff *skb, int err)
{
	return on_retransmit(sk, skb, err, true, true);
}

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(rtxe__raw_tp, struct sock *sk, struct sk_buff *skb, int err)
{
	return on_retransmit(sk, skb, err, true, false);
}

SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(synack__tp_btf, struct sock *sk, struct request_sock *req)
{
	return on_synack(sk, req, true);
}

SEC("raw_tp/tcp_retransmit_synack")
int BPF_PROG(synack__raw_tp, struct sock *sk, struct request_sock *req)
{
	return on_synack(sk, req, false);
}

KS_OWNER_HOOKS(state, accept)
