// SPDX-License-Identifier: GPL-2.0-only
/* pkttrace: follow the packets that match a flow filter hop by hop over the network tracepoints. */
#include "bpf/events.bpf.h"
#include "bpf/net.bpf.h"
#include "bpf/syscall.bpf.h"
#include "tools/pkttrace.h"

/* --proto: the protocol numbers a packet may have (icmp: 1 and 58); 0 any. */
const volatile __u8 proto_a = 0, proto_b = 0;
/*
 * How many arguments kfree_skb and consume_skb have here (without the tracepoint's own
 * data pointer): kfree_skb(skb, location) gained the reason in 5.17 and rx_sk later,
 * consume_skb(skb) the location in 6.3. User space reads them from the kernel's BTF; the
 * defaults are what every kernel has, and the verifier never sees a read of an argument
 * past them (a constant branch), which it would refuse.
 */
const volatile int kfree_nargs = 2;
const volatile int consume_nargs = 1;

/* A followed packet: its number and its last hop, by skb address. */
struct pkt_state {
	__u64 id;
	__u32 last;	 /* enum pkttrace_hop */
	__u16 ethertype; /* skb->protocol of an IP packet (network order); 0 not IP */
	__u16 pad;
	__u32 netns; /* where it was last seen (its device's, else its socket's); 0 unknown */
	__u32 pad2;
};

/* Packets in flight; max_entries is --max-packets (user space). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct pkt_state);
} inflight SEC(".maps");

/*
 * Per CPU: [0] packets numbered on this CPU, [1] packets that matched while the table was
 * full (not followed). A packet's number is the count on its CPU times 2^16 plus the CPU:
 * unique without the atomic fetch-and-add that 5.10 lacks; user space renumbers them 1, 2 ...
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

/* What a hop knows beyond the skb: the arguments of its tracepoint. */
struct hop_args {
	struct net_device *dev; /* NULL: skb->dev */
	struct Qdisc *q;
	__u64 location;
	__u32 len; /* with has_len: instead of skb->len (the skb may be gone, or copied in part) */
	__u32 reason;
	int rc;
	__u8 flags; /* PKT_F_LOC, PKT_F_REASON */
	bool has_len;
};

static __always_inline __u64 *count_slot(__u32 i)
{
	return bpf_map_lookup_elem(&counts, &i);
}

enum phase { PH_TX, PH_RXIN, PH_STACK, PH_END };

static __always_inline enum phase phase_of(__u32 hop)
{
	if (hop <= PKT_HOP_XMIT)
		return PH_TX;
	if (hop <= PKT_HOP_RX)
		return PH_RXIN;
	if (hop <= PKT_HOP_TCP)
		return PH_STACK;
	return PH_END;
}

/*
 * Hops where a packet may be first seen: the transmit path's entry (net_dev_queue), and
 * where skbs made inside it appear (GSO segments a qdisc made show first at its dequeue,
 * packets that bypass the qdisc at the driver), and every receive entry point.
 */
static __always_inline bool is_start(__u32 hop)
{
	return hop == PKT_HOP_QUEUE || hop == PKT_HOP_QDISC_DEQ || hop == PKT_HOP_START_XMIT ||
	       (hop >= PKT_HOP_RX_ENTRY && hop <= PKT_HOP_RECEIVE);
}

/*
 * A followed skb met at hop @hop, where packets start: is it the same packet going on, or
 * did its skb end unseen (freed by __kfree_skb, merged by GRO, read from a UDP socket: no
 * tracepoint) and come back as a new packet? Going on: loopback and veth hand the sent
 * skb to the receive path (a transmit hop before any receive hop), the receive path passes
 * it from the driver's entry to netif_rx and netif_receive_skb, and a forwarded packet (no
 * socket) is queued for transmit after it was received. Anything else starts anew,
 * decapsulated packets too.
 */
static __always_inline bool goes_on(__u32 last, __u32 hop, struct sk_buff *skb)
{
	enum phase p = phase_of(last);

	switch (hop) {
	case PKT_HOP_QUEUE:
		return p == PH_TX || !BPF_CORE_READ(skb, sk);
	case PKT_HOP_QDISC_DEQ:
		return last == PKT_HOP_QUEUE || last == PKT_HOP_QDISC_ENQ ||
		       last == PKT_HOP_QDISC_DEQ;
	case PKT_HOP_RX:
		return p == PH_TX || last == PKT_HOP_RX_ENTRY;
	case PKT_HOP_RECEIVE:
		return p == PH_TX || p == PH_RXIN;
	default: /* start_xmit, and the drivers' receive entry points */
		return p == PH_TX;
	}
}

static __always_inline void emit(struct sk_buff *skb, __u64 id, __u32 hop, __u8 flags,
				 const struct ks_flow *f, const struct hop_args *a)
{
	struct pkttrace_event *e = ks_reserve(sizeof(*e));
	struct net_device *dev;

	if (!e)
		return;
	__builtin_memset(e, 0, sizeof(*e));
	if (flags & PKT_F_FIRST)
		ks_hdr_fill(&e->hdr);
	else
		e->hdr.ts = bpf_ktime_get_ns();
	e->id = id;
	e->skb = (__u64)skb;
	e->hop = hop;
	e->cpu = bpf_get_smp_processor_id();
	e->flags = flags;
	if (f)
		e->flow = *f;
	if (hop == PKT_HOP_UNSEEN) {
		ks_submit(e, sizeof(*e));
		return;
	}
	e->flags |= a->flags;
	e->location = a->location;
	e->reason = a->reason;
	e->rc = a->rc;
	e->len = a->has_len ? a->len : BPF_CORE_READ(skb, len);
	dev = a->dev ? a->dev : BPF_CORE_READ(skb, dev);
	if (dev) {
		e->ifindex = BPF_CORE_READ(dev, ifindex);
		BPF_CORE_READ_STR_INTO(&e->dev, dev, name);
		e->netns = ks_net_inum(BPF_CORE_READ(dev, nd_net.net));
	} else {
		e->netns = ks_sk_netns(BPF_CORE_READ(skb, sk));
	}
	if (hop == PKT_HOP_DELIVERED) {
		__u64 pid_tgid = bpf_get_current_pid_tgid();

		e->pid = pid_tgid >> 32;
		e->tid = (__u32)pid_tgid;
		bpf_get_current_comm(e->name, sizeof(e->name));
	} else if (a->q) {
		/* not inside BPF_CORE_READ: struct hop_args is ours, no kernel type to relocate */
		struct Qdisc *q = a->q;

		e->qhandle = BPF_CORE_READ(q, handle);
		BPF_CORE_READ_STR_INTO(&e->name, q, ops, id);
	}
	ks_submit(e, sizeof(*e));
}

/*
 * Start following @skb at hop @hop when its headers match the filter: on transmit from the
 * network header, on receive (before the IP layer set it) from skb->data, where the driver's
 * eth_type_trans left the IP header.
 */
static __always_inline bool start(struct sk_buff *skb, __u32 hop, struct ks_flow *f,
				  struct pkt_state *st)
{
	__u64 key = (__u64)skb, *n, *full;
	__u32 cpu = bpf_get_smp_processor_id();

	if (phase_of(hop) == PH_TX)
		ks_skb_flow(skb, f);
	else
		ks_skb_flow_at(skb, BPF_CORE_READ(skb, data), f);
	if (proto_a && f->proto != proto_a && f->proto != proto_b)
		return false;
	if (!ks_net_match(f))
		return false;
	/* -p, -c ...: packets their task sends (ks_skb_who: never one started in a softirq) */
	if (ks_filter_tasks()) {
		struct ks_event_hdr h;

		if (ks_skb_who(skb, NULL, &h) < 0)
			return false;
	}
	n = count_slot(0);
	if (!n)
		return false;
	*n += 1;
	st->id = (*n << 16) | (cpu & 0xffff);
	st->last = hop;
	st->ethertype = f->family == KS_AF_INET	   ? bpf_htons(KS_ETH_P_IP)
			: f->family == KS_AF_INET6 ? bpf_htons(KS_ETH_P_IPV6)
						   : 0;
	st->pad = 0;
	st->netns = f->netns;
	st->pad2 = 0;
	if (bpf_map_update_elem(&inflight, &key, st, BPF_ANY)) {
		full = count_slot(1);
		if (full)
			*full += 1;
		return false;
	}
	return true;
}

/* The network namespace @skb is in: its device's, else its socket's; 0 if neither. */
static __always_inline __u32 skb_netns(struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	struct sock *sk;

	if (dev)
		return ks_net_inum(BPF_CORE_READ(dev, nd_net.net));
	sk = BPF_CORE_READ(skb, sk);
	return sk ? ks_sk_netns(sk) : 0;
}

/* One hop of @skb: follow on, start, or end it. */
static __always_inline int on_hop(struct sk_buff *skb, __u32 hop, const struct hop_args *a)
{
	__u64 key = (__u64)skb;
	struct pkt_state *st, fresh;
	struct ks_flow f;
	__u32 ns;

	if (!skb)
		return 0;
	st = bpf_map_lookup_elem(&inflight, &key);
	if (!st)
		goto start;
	/*
	 * A packet changes namespace only where goes_on lets it go on at a start hop (a veth
	 * hands the sent skb to the peer's receive path): elsewhere an skb met in another
	 * namespace is another packet under the address of one that ended unseen. Not at
	 * net_dev_xmit: the driver may have freed the skb already.
	 */
	ns = hop != PKT_HOP_XMIT ? skb_netns(skb) : 0;
	if ((is_start(hop) && !goes_on(st->last, hop, skb)) ||
	    (!is_start(hop) && ns && st->netns && ns != st->netns)) {
		emit(skb, st->id, PKT_HOP_UNSEEN, PKT_F_LAST, NULL, a);
		bpf_map_delete_elem(&inflight, &key);
		st = NULL;
		goto start;
	}
	if (ns)
		st->netns = ns;
	/*
	 * Elsewhere, an skb that is no IP packet under a followed one's address (a unix or
	 * netlink message read, a socket's own buffer freed) means that packet ended unseen.
	 * Not at net_dev_xmit: the driver may have freed the skb already.
	 */
	if (st && !is_start(hop) && hop != PKT_HOP_XMIT && st->ethertype &&
	    BPF_CORE_READ(skb, protocol) != st->ethertype) {
		emit(skb, st->id, PKT_HOP_UNSEEN, PKT_F_LAST, NULL, a);
		bpf_map_delete_elem(&inflight, &key);
		return 0;
	}
	if (phase_of(hop) == PH_END) {
		emit(skb, st->id, hop, PKT_F_LAST, NULL, a);
		bpf_map_delete_elem(&inflight, &key);
		return 0;
	}
	st->last = hop;
	emit(skb, st->id, hop, 0, NULL, a);
	return 0;
start:
	if (!is_start(hop) || !start(skb, hop, &f, &fresh))
		return 0;
	emit(skb, fresh.id, hop, PKT_F_FIRST, &f, a);
	return 0;
}

/* A hop whose tracepoint's only argument of interest is the skb at @ctx[@i]. */
static __always_inline int skb_hop(__u64 *ctx, int i, __u32 hop)
{
	struct hop_args a = {};

	return on_hop((struct sk_buff *)ctx[i], hop, &a);
}

static __always_inline int on_start_xmit(__u64 *ctx)
{
	struct hop_args a = { .dev = (struct net_device *)ctx[1] };

	return on_hop((struct sk_buff *)ctx[0], PKT_HOP_START_XMIT, &a);
}

/* net_dev_xmit(skb, rc, dev, skb_len): the skb may be freed already, so len is the argument. */
static __always_inline int on_xmit(__u64 *ctx)
{
	struct hop_args a = {
		.rc = (int)ctx[1],
		.dev = (struct net_device *)ctx[2],
		.len = (__u32)ctx[3],
		.has_len = true,
	};

	return on_hop((struct sk_buff *)ctx[0], PKT_HOP_XMIT, &a);
}

static __always_inline int on_qdisc_enq(__u64 *ctx)
{
	struct hop_args a = { .q = (struct Qdisc *)ctx[0] };

	return on_hop((struct sk_buff *)ctx[2], PKT_HOP_QDISC_ENQ, &a);
}

/* qdisc_dequeue(qdisc, txq, packets, skb): the first of the packets dequeued, or NULL. */
static __always_inline int on_qdisc_deq(__u64 *ctx)
{
	struct hop_args a = { .q = (struct Qdisc *)ctx[0] };

	return on_hop((struct sk_buff *)ctx[3], PKT_HOP_QDISC_DEQ, &a);
}

static __always_inline int on_copy(__u64 *ctx)
{
	struct hop_args a = { .len = (__u32)ctx[1], .has_len = true };

	return on_hop((struct sk_buff *)ctx[0], PKT_HOP_DELIVERED, &a);
}

static __always_inline int on_consume(__u64 *ctx)
{
	struct hop_args a = {};

	if (consume_nargs >= 2) {
		a.location = ctx[1];
		a.flags = PKT_F_LOC;
	}
	return on_hop((struct sk_buff *)ctx[0], PKT_HOP_CONSUMED, &a);
}

static __always_inline int on_kfree(__u64 *ctx)
{
	struct hop_args a = { .location = ctx[1], .flags = PKT_F_LOC };

	if (kfree_nargs >= 3) {
		a.reason = (__u32)ctx[2];
		a.flags |= PKT_F_REASON;
	}
	return on_hop((struct sk_buff *)ctx[0], PKT_HOP_DROPPED, &a);
}

/* tp_btf and raw_tp variants of hook HOOK on tracepoint TP, with one body BODY(ctx). */
#define PKT_TP(hook, tp, body)                                                                     \
	SEC("tp_btf/" #tp)                                                                         \
	int hook##__tp_btf(__u64 *ctx)                                                             \
	{                                                                                          \
		return body;                                                                       \
	}                                                                                          \
	SEC("raw_tp/" #tp)                                                                         \
	int hook##__raw_tp(__u64 *ctx)                                                             \
	{                                                                                          \
		return body;                                                                       \
	}

PKT_TP(dev_queue, net_dev_queue, skb_hop(ctx, 0, PKT_HOP_QUEUE))
PKT_TP(qdisc_enq, qdisc_enqueue, on_qdisc_enq(ctx))
PKT_TP(qdisc_deq, qdisc_dequeue, on_qdisc_deq(ctx))
PKT_TP(start_xmit, net_dev_start_xmit, on_start_xmit(ctx))
PKT_TP(xmit, net_dev_xmit, on_xmit(ctx))
PKT_TP(rx_entry, netif_rx_entry, skb_hop(ctx, 0, PKT_HOP_RX_ENTRY))
PKT_TP(gro_entry, napi_gro_receive_entry, skb_hop(ctx, 0, PKT_HOP_GRO_ENTRY))
PKT_TP(recv_entry, netif_receive_skb_entry, skb_hop(ctx, 0, PKT_HOP_RECV_ENTRY))
PKT_TP(list_entry, netif_receive_skb_list_entry, skb_hop(ctx, 0, PKT_HOP_LIST_ENTRY))
PKT_TP(rx, netif_rx, skb_hop(ctx, 0, PKT_HOP_RX))
PKT_TP(receive, netif_receive_skb, skb_hop(ctx, 0, PKT_HOP_RECEIVE))
PKT_TP(tcp, tcp_probe, skb_hop(ctx, 1, PKT_HOP_TCP))
PKT_TP(copy, skb_copy_datagram_iovec, on_copy(ctx))
PKT_TP(consume, consume_skb, on_consume(ctx))
PKT_TP(kfree, kfree_skb, on_kfree(ctx))

/* Under a task filter only: whose packets they are (ks_skb_who). */
KS_SOFTIRQ_HOOKS(softirq_in, softirq_out)
KS_OWNER_HOOKS(owner_state, owner_accept)
