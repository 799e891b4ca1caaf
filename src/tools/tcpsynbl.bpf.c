// SPDX-License-Identifier: GPL-2.0-only
/* tcpsynbl: accept queue length of listening TCP sockets against their backlog, overflows. */
#include "bpf/net.bpf.h"
#include "tools/tcpsynbl.h"

/* Set by user space: consume_skb's call in tcp_rcv_state_process is in [lo, hi). */
const volatile __u64 rcv_state_lo = 0, rcv_state_hi = 0;
/* SKB_DROP_REASON_TCP_LISTEN_OVERFLOW on this kernel (6.15+), from its BTF; 0 none. */
const volatile __u32 overflow_reason = 0;
/* A task filter was given: listeners whose listen() went unseen are left out. */
const volatile bool task_filter = false;

/* Read and emptied by user space every interval. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct tcpsynbl_key);
	__type(value, struct tcpsynbl_val);
} stats SEC(".maps");

struct synbl_lsn {
	__u64 sk;
	__u32 pass; /* the task that called listen() passed the task filter */
	__u32 pad;
};

/* Listening sockets seen going CLOSE -> LISTEN, by what a packet to them carries. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tcpsynbl_key);
	__type(value, struct synbl_lsn);
} listeners SEC(".maps");

static __always_inline void key_of(const struct ks_flow *f, struct tcpsynbl_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->netns = f->netns;
	k->family = f->family;
	k->port = f->sport;
	__builtin_memcpy(k->addr, f->saddr, 16);
}

/* Too big for the BPF stack: new rows start from this. */
static const struct tcpsynbl_val zero_val __attribute__((unused));

static __always_inline struct tcpsynbl_val *val_of(const struct tcpsynbl_key *k)
{
	struct tcpsynbl_val *v = bpf_map_lookup_elem(&stats, k);

	if (v)
		return v;
	bpf_map_update_elem(&stats, k, &zero_val, BPF_NOEXIST);
	return bpf_map_lookup_elem(&stats, k);
}

/* Does a listener with flow @f pass the filters? @l: its entry, if its listen() was seen. */
static __always_inline bool wanted(const struct ks_flow *f, const struct synbl_lsn *l)
{
	if (!ks_net_match(f))
		return false;
	return l ? l->pass : !task_filter;
}

/*
 * A connection completes: the kernel clones the listener into the child socket and sets
 * the child's state LISTEN -> SYN_RECV before it overwrites what it copied, so the child
 * still holds the listener's accept queue length, backlog, address and port: the moment
 * BCC's tcpsynbl samples (tcp_v4_syn_recv_sock), without a kprobe. A full queue (length
 * above the backlog) drops the handshake before the clone: those are the overflows below.
 */
static __always_inline int on_state(void *ctx, struct sock *sk, int old, int new, bool btf)
{
	struct tcpsynbl_key k;
	struct synbl_lsn *l;
	struct ks_flow f;

	if (!(old == KS_TCP_LISTEN && new == KS_TCP_SYN_RECV) &&
	    !(old == KS_TCP_CLOSE && new == KS_TCP_LISTEN) &&
	    !(old == KS_TCP_LISTEN && new == KS_TCP_CLOSE))
		return 0;
	ks_sk_flow(sk, &f, btf);
	key_of(&f, &k);
	if (new == KS_TCP_LISTEN) {
		/* listen(): the caller is current */
		struct synbl_lsn n = { .sk = (__u64)sk, .pass = ks_filter_current() };

		bpf_map_update_elem(&listeners, &k, &n, BPF_ANY);
	} else if (new == KS_TCP_CLOSE) {
		l = bpf_map_lookup_elem(&listeners, &k);
		if (l && l->sk == (__u64)sk)
			bpf_map_delete_elem(&listeners, &k);
	} else {
		__u64 len = KS_READ(btf, sk, sk_ack_backlog);
		struct tcpsynbl_val *v;

		if (!wanted(&f, bpf_map_lookup_elem(&listeners, &k)) || !(v = val_of(&k)))
			return 0;
		ks_hist_record(&v->h, len, 1);
		if (len > v->peak)
			v->peak = len;
		v->limit = KS_READ(btf, sk, sk_max_ack_backlog);
	}
	return 0;
}

KS_TCP_STATE(state, on_state)

/*
 * Would listener @sk drop a SYN (@syn) or a handshake's last ACK for a full accept queue?
 * tcp_conn_request's test first: a full SYN queue without syncookies drops the SYN as a
 * ListenDrop, not an overflow; then, for both, sk_acceptq_is_full.
 */
static __always_inline bool overflows(struct sock *sk, bool syn)
{
	__u32 len = BPF_CORE_READ(sk, sk_ack_backlog), max = BPF_CORE_READ(sk, sk_max_ack_backlog);

	if (syn && !BPF_CORE_READ(sk, __sk_common.skc_net.net, ipv4.sysctl_tcp_syncookies) &&
	    BPF_CORE_READ((struct inet_connection_sock *)sk, icsk_accept_queue.qlen.counter) >=
		    (int)max)
		return false;
	return len > max;
}

/* An overflow at listener @sk (its entry @l, if known): where @check, if the test says so. */
static __always_inline int count_overflow(struct sock *sk, const struct synbl_lsn *l, bool syn,
					  bool check)
{
	struct tcpsynbl_val *v;
	struct tcpsynbl_key k;
	struct ks_flow f;

	if (check && !overflows(sk, syn))
		return 0;
	ks_sk_flow(sk, &f, false);
	key_of(&f, &k);
	if (!l)
		l = bpf_map_lookup_elem(&listeners, &k);
	if (!wanted(&f, l) || !(v = val_of(&k)))
		return 0;
	__sync_fetch_and_add(&v->overflows, 1);
	v->limit = BPF_CORE_READ(sk, sk_max_ack_backlog);
	return 0;
}

/*
 * The listener a received TCP segment @skb is for, from our map: bound to its destination
 * address, else to any address of its family, else (IPv4) a dual-stack IPv6 one. Its
 * network namespace comes from its route: TCP cleared skb->dev before the listener saw it.
 */
static __always_inline struct synbl_lsn *listener_of(struct sk_buff *skb, __u8 *flags)
{
	const unsigned char *l3 = ks_skb_l3(skb);
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	struct tcpsynbl_key k;
	struct synbl_lsn *l;
	struct ks_flow f;
	__u16 th;

	if (!ks_skb_flow_at(skb, l3, &f) || f.proto != IPPROTO_TCP)
		return NULL;
	if (!dev) {
		struct dst_entry *dst = (void *)(BPF_CORE_READ(skb, _skb_refdst) & ~1UL);

		dev = BPF_CORE_READ(dst, dev);
	}
	th = BPF_CORE_READ(skb, transport_header);
	if (bpf_probe_read_kernel(flags, 1, BPF_CORE_READ(skb, head) + th + 13))
		return NULL;
	__builtin_memset(&k, 0, sizeof(k));
	k.netns = ks_net_inum(BPF_CORE_READ(dev, nd_net.net));
	k.family = f.family;
	k.port = f.dport;
	__builtin_memcpy(k.addr, f.daddr, 16);
	l = bpf_map_lookup_elem(&listeners, &k);
	if (l)
		return l;
	__builtin_memset(k.addr, 0, sizeof(k.addr));
	l = bpf_map_lookup_elem(&listeners, &k);
	if (l || f.family != KS_AF_INET)
		return l;
	k.family = KS_AF_INET6;
	return bpf_map_lookup_elem(&listeners, &k);
}

#define KS_TH_SYN 0x02
#define KS_TH_ACK 0x10

/*
 * A SYN at a listener with a full accept queue is dropped in tcp_conn_request, which has
 * no tracepoint, and the packet is then consumed, not freed as a drop: fentry there, or
 * consume_skb's call in tcp_rcv_state_process (6.3+: consume_skb gives where it was
 * called), just after the decision, with the listener's queue as it was.
 */
SEC("fentry/tcp_conn_request")
int BPF_PROG(syn__fentry, struct request_sock_ops *ops, const void *af_ops, struct sock *sk,
	     struct sk_buff *skb)
{
	return count_overflow(sk, NULL, true, true);
}

static __always_inline int on_consume(struct sk_buff *skb, __u64 location)
{
	struct synbl_lsn *l;
	__u8 flags = 0;

	if (location < rcv_state_lo || location >= rcv_state_hi)
		return 0;
	l = listener_of(skb, &flags);
	if (!l || (flags & (KS_TH_SYN | KS_TH_ACK)) != KS_TH_SYN)
		return 0;
	return count_overflow((struct sock *)l->sk, l, true, true);
}

SEC("tp_btf/consume_skb")
int BPF_PROG(syn__tp_btf, struct sk_buff *skb, void *location)
{
	return on_consume(skb, (__u64)location);
}

SEC("raw_tp/consume_skb")
int BPF_PROG(syn__raw_tp, struct sk_buff *skb, void *location)
{
	return on_consume(skb, (__u64)location);
}

/*
 * The last ACK of a handshake at a full accept queue: tcp_v4/v6_syn_recv_sock make no
 * child (fentry), and from 6.15 the packet is freed with TCP_LISTEN_OVERFLOW.
 */
SEC("fentry/tcp_v4_syn_recv_sock")
int BPF_PROG(ack__fentry, struct sock *sk)
{
	return count_overflow(sk, NULL, false, true);
}

SEC("fentry/tcp_v6_syn_recv_sock")
int BPF_PROG(ack__fentry6, struct sock *sk)
{
	return count_overflow(sk, NULL, false, true);
}

static __always_inline int on_drop(struct sk_buff *skb, __u32 reason)
{
	struct synbl_lsn *l;
	__u8 flags = 0;

	if (!overflow_reason || reason != overflow_reason)
		return 0;
	l = listener_of(skb, &flags);
	/* the kernel said the queue was full; it may have room again by now */
	return l ? count_overflow((struct sock *)l->sk, l, false, false) : 0;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(ack__tp_btf, struct sk_buff *skb, void *location, int reason)
{
	return on_drop(skb, reason);
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(ack__raw_tp, struct sk_buff *skb, void *location, int reason)
{
	return on_drop(skb, reason);
}
