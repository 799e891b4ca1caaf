// SPDX-License-Identifier: GPL-2.0-only
/* tcplife: each TCP connection at its close, with its bytes each way and its lifetime. */
#include "bpf/events.bpf.h"
#include "bpf/net.bpf.h"
#include "bpf/syscall.bpf.h"
#include "tools/tcplife.h"

/* A connection's opening, from the first state change seen on it. */
struct birth {
	__u64 ts;    /* when it entered @start */
	__u8 start;  /* SYN_SENT, SYN_RECV, or the state it went to from one of them */
	__u8 active; /* opened by connect() */
	__u8 pad[6];
};

/* Connections whose opening was seen, by socket address. LRU: closes that went unseen. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct birth);
} births SEC(".maps");

/*
 * The payload each way, from the RFC 4898 counters of struct tcp_sock, which count
 * sequence numbers: bytes_acked (the advance of snd_una) holds our SYN when we connected
 * (a listener's child starts past it) and our FIN once acknowledged; bytes_received (the
 * advance of rcv_nxt past the peer's SYN) holds the peer's FIN once it was taken in order.
 * Our FIN was sent when the socket closes from a state entered by sending it; it was
 * acknowledged when nothing is left unacknowledged (snd_una reached write_seq, which
 * counts it). The peer's FIN was taken when tcp_fin() set SOCK_DONE.
 */
static __always_inline void payload(struct sock *sk, int old, bool active, struct tcplife_event *e,
				    bool btf)
{
	struct tcp_sock *tp = btf ? bpf_skc_to_tcp_sock(sk) : (struct tcp_sock *)sk;
	bool fin_sent = old == KS_TCP_FIN_WAIT1 || old == KS_TCP_FIN_WAIT2 ||
			old == KS_TCP_CLOSING || old == KS_TCP_LAST_ACK;
	__u64 acked, rcvd;
	unsigned long flags;
	bool all_acked;

	e->tx_bytes = e->rx_bytes = 0;
	if (!tp)
		return;
	/*
	 * tp_btf: the socket as the tcp_sock it is (a helper's check), then plain loads
	 * where five probe reads were.
	 */
	acked = KS_READ(btf, tp, bytes_acked);
	rcvd = KS_READ(btf, tp, bytes_received);
	flags = KS_READ(btf, sk, __sk_common.skc_flags);
	all_acked = KS_READ(btf, tp, snd_una) == KS_READ(btf, tp, write_seq);
	if (active && acked)
		acked--;
	if (fin_sent && acked && all_acked)
		acked--;
	if ((flags >> bpf_core_enum_value(enum sock_flags, SOCK_DONE)) & 1 && rcvd)
		rcvd--;
	e->tx_bytes = acked;
	e->rx_bytes = rcvd;
}

static __always_inline void emit(struct sock *sk, int old, const struct birth *b, __u64 now,
				 bool btf)
{
	struct tcplife_event *e;
	struct ks_event_hdr h;
	struct ks_flow f;
	int who;

	/* only now are the flow's ports all known: connect() picks the local one later */
	ks_sk_flow(sk, &f, btf);
	if (!ks_net_match(&f))
		return;
	who = ks_sk_who(sk, &h);
	if (who < 0)
		return;
	e = ks_reserve(sizeof(*e));
	if (!e)
		return;
	e->hdr = h;
	e->hdr.ts = now;
	e->flow = f;
	payload(sk, old, b->active, e, btf);
	e->duration_ns = now - b->ts;
	e->skaddr = (__u64)sk;
	e->start = b->start;
	e->last = old;
	e->active = b->active;
	e->owned = who;
	e->pad = 0;
	ks_submit(e, sizeof(*e));
}

static __always_inline int on_state(void *ctx, struct sock *sk, int old, int new, bool btf)
{
	__u64 key = (__u64)sk;
	struct birth *b = bpf_map_lookup_elem(&births, &key), nb = {};

	/* connect(), listen(): the caller owns the socket (a listener: its children until accepted)
	 */
	ks_owner_on_state(sk, old, new);
	ks_owner_on_listen(sk, old, new, btf);
	if (new == KS_TCP_CLOSE) {
		if (b)
			emit(sk, old, b, bpf_ktime_get_ns(), btf);
		bpf_map_delete_elem(&births, &key);
		ks_owner_del(sk);
		return 0;
	}
	if (b)
		return 0;
	/*
	 * Only connections whose opening is seen are timed and shown: without it, whether
	 * bytes_acked holds our SYN (who opened it) is unknown, and so is the lifetime.
	 * Listeners (CLOSE -> LISTEN) are no connections. A listener's child is born in
	 * SYN_RECV (LISTEN -> SYN_RECV) when the handshake's last ACK arrives.
	 */
	if (new == KS_TCP_SYN_SENT || old == KS_TCP_SYN_SENT)
		nb.active = 1;
	else if (new != KS_TCP_SYN_RECV && old != KS_TCP_SYN_RECV)
		return 0;
	nb.ts = bpf_ktime_get_ns();
	nb.start = new;
	bpf_map_update_elem(&births, &key, &nb, BPF_ANY);
	return 0;
}

KS_TCP_STATE(state, on_state)

KS_ACCEPT_HOOKS(accept, ks_owner_accepted)
