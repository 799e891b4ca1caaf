/* SPDX-License-Identifier: GPL-2.0-only */
/* Sockets and packets for the network tools: flows, the flow filter, TCP state hooks, owners. */
#ifndef KS_BPF_NET_H
#define KS_BPF_NET_H

/*
 * What the network tools share on the BPF side:
 *
 *   ks_sk_flow      a socket's flow (addresses, ports, family, protocol, netns)
 *   ks_skb_flow     a packet's flow, parsed from its IPv4/IPv6 and TCP/UDP headers
 *   ks_net_match    the flow filter user space wrote into ks_net (core/net.h's options)
 *   KS_TCP_STATE    inet_sock_set_state in tp_btf and raw_tp variants, TCP sockets only
 *   ks_owner_*      which process a socket belongs to: the task that connected it (at
 *                   SYN_SENT, in connect()'s context) or accepted it (KS_ACCEPT_HOOKS, at
 *                   the return of accept/accept4), kept until the socket closes
 *
 * Why not kprobes on tcp_v4_connect, inet_csk_accept, tcp_set_state (BCC's way): our
 * kernels refuse them, and those functions were renamed or inlined across releases. The
 * tracepoint inet_sock_set_state (4.16+) sees every state change of every TCP socket; the
 * caller of connect() is current at CLOSE -> SYN_SENT; the accepting process is found at
 * the return of accept, where the new descriptor leads to its socket.
 */
#include <bpf/bpf_endian.h>

#include "bpf/hist.bpf.h"
#include "bpf/kscope.bpf.h"
#include "shared/net.h"

#define KS_AF_INET    2
#define KS_AF_INET6   10
#define KS_ETH_P_IP   0x0800
#define KS_ETH_P_IPV6 0x86DD

/* The flow filter: all zero (every flow) unless user space wrote one (ks_net_configure). */
const volatile struct ks_net_filter ks_net = {};

/* Does @addr (family @family) fall in filter @a? A filter without family passes all. */
static __always_inline bool ks_net_addr_in(const volatile struct ks_net_addr *a,
					   const unsigned char *addr, __u16 family)
{
	unsigned int bits = a->bits;

	if (!a->family)
		return true;
	if (a->family != family)
		return false;
	for (int i = 0; i < 16; i++) {
		unsigned char m;

		if (bits == 0)
			break;
		m = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));
		if ((addr[i] & m) != (a->addr[i] & m))
			return false;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return true;
}

/* Is @port among the first @n of @set? An empty set passes all. */
static __always_inline bool ks_net_port_in(const volatile unsigned short *set, unsigned int n,
					   __u16 port)
{
	if (!n)
		return true;
	for (int i = 0; i < KS_NET_PORTS; i++) {
		if (i >= n)
			break;
		if (set[i] == port)
			return true;
	}
	return false;
}

/*
 * Does flow @f pass the filter? Unset parts cost nothing: the verifier sees the zeros of
 * .rodata and drops the branches.
 */
static __always_inline bool ks_net_match(const struct ks_flow *f)
{
	if (ks_net.netns && f->netns != ks_net.netns)
		return false;
	if (ks_net.family && f->family != ks_net.family)
		return false;
	if (ks_net.nlport && !ks_net_port_in(ks_net.lport, ks_net.nlport, f->sport))
		return false;
	if (ks_net.nrport && !ks_net_port_in(ks_net.rport, ks_net.nrport, f->dport))
		return false;
	if (ks_net.nport && !ks_net_port_in(ks_net.port, ks_net.nport, f->sport) &&
	    !ks_net_port_in(ks_net.port, ks_net.nport, f->dport))
		return false;
	if (ks_net.laddr.family && !ks_net_addr_in(&ks_net.laddr, f->saddr, f->family))
		return false;
	if (ks_net.raddr.family && !ks_net_addr_in(&ks_net.raddr, f->daddr, f->family))
		return false;
	if (ks_net.addr.family && !ks_net_addr_in(&ks_net.addr, f->saddr, f->family) &&
	    !ks_net_addr_in(&ks_net.addr, f->daddr, f->family))
		return false;
	return true;
}

/* Inode number of network namespace @net (what /proc/PID/ns/net shows). */
static __always_inline __u32 ks_net_inum(struct net *net)
{
	return net ? BPF_CORE_READ(net, ns.inum) : 0;
}

/* The network namespace of socket @sk. */
static __always_inline __u32 ks_sk_netns(struct sock *sk)
{
	return ks_net_inum(BPF_CORE_READ(sk, __sk_common.skc_net.net));
}

/*
 * The local and remote address of @skc (a socket's or a connection request's common part)
 * into @f, whose family is set: IPv4 in the first 4 bytes, IPv6 whole.
 */
static __always_inline void ks_skc_addrs(struct sock_common *skc, struct ks_flow *f, bool btf)
{
	if (f->family == KS_AF_INET) {
		__u32 s = KS_READ(btf, skc, skc_rcv_saddr);
		__u32 d = KS_READ(btf, skc, skc_daddr);

		__builtin_memcpy(f->saddr, &s, 4);
		__builtin_memcpy(f->daddr, &d, 4);
	} else if (f->family == KS_AF_INET6) {
		BPF_CORE_READ_INTO(&f->saddr, skc, skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&f->daddr, skc, skc_v6_daddr.in6_u.u6_addr8);
	}
}

/*
 * The flow of socket @sk: local end in s*, remote in d*. @btf: @sk is BTF-typed (tp_btf),
 * its fields are read with plain loads. An IPv4 socket on an IPv6 socket (v4-mapped) is
 * reported as the IPv6 socket it is.
 */
static __always_inline void ks_sk_flow(struct sock *sk, struct ks_flow *f, bool btf)
{
	__u16 family = KS_READ(btf, sk, __sk_common.skc_family);

	__builtin_memset(f, 0, sizeof(*f));
	f->family = family;
	f->proto = KS_READ(btf, sk, sk_protocol);
	/*
	 * inet_sport, not skc_num: at CLOSE the port was given back (skc_num is 0) before
	 * the tracepoint ran, while inet_sport keeps it, as inet_sock_set_state's own sport
	 * does. It is 0 at SYN_SENT: connect() picks the port after that change. A load
	 * past struct sock is refused on a tp_btf pointer: a probe read.
	 */
	f->sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	f->dport = __builtin_bswap16(KS_READ(btf, sk, __sk_common.skc_dport));
	ks_skc_addrs(&sk->__sk_common, f, btf);
	/* two plain loads where @sk is BTF-typed, two probe reads elsewhere */
	f->netns = btf ? sk->__sk_common.skc_net.net->ns.inum : ks_sk_netns(sk);
}

/* Is @sk a TCP socket (inet_sock_set_state also runs for DCCP, SCTP, MPTCP subflows' parents)? */
static __always_inline bool ks_sk_is_tcp(struct sock *sk, bool btf)
{
	return KS_READ(btf, sk, sk_protocol) == IPPROTO_TCP;
}

/*
 * The flow of packet @skb, parsed from its headers: IPv4 or IPv6 (without extension
 * headers), then TCP or UDP ports. @l3 is where the network header starts: skb->data on
 * the receive path before the IP layer (netif_receive_skb: the MAC header was pulled,
 * skb->network_header is not yet set), head + network_header elsewhere (ks_skb_l3).
 * Returns false when it is no IP packet: f->family is then 0, f->netns still set.
 */
static __always_inline bool ks_skb_flow_at(struct sk_buff *skb, const unsigned char *l3,
					   struct ks_flow *f)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	unsigned int thoff;
	__u8 vihl = 0;
	__u16 ports[2];

	__builtin_memset(f, 0, sizeof(*f));
	if (dev)
		f->netns = ks_net_inum(BPF_CORE_READ(dev, nd_net.net));
	else
		f->netns = ks_sk_netns(BPF_CORE_READ(skb, sk));
	if (!l3 || bpf_probe_read_kernel(&vihl, 1, l3))
		return false;
	if (vihl >> 4 == 4) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), l3))
			return false;
		f->family = KS_AF_INET;
		f->proto = ip.protocol;
		__builtin_memcpy(f->saddr, &ip.saddr, 4);
		__builtin_memcpy(f->daddr, &ip.daddr, 4);
		/* a fragment after the first carries no ports */
		if (ip.frag_off & bpf_htons(0x1fff))
			return true;
		thoff = (vihl & 0xf) * 4;
	} else if (vihl >> 4 == 6) {
		struct ipv6hdr ip6;

		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), l3))
			return false;
		f->family = KS_AF_INET6;
		f->proto = ip6.nexthdr;
		__builtin_memcpy(f->saddr, &ip6.saddr, 16);
		__builtin_memcpy(f->daddr, &ip6.daddr, 16);
		thoff = sizeof(ip6);
	} else {
		return false;
	}
	if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		return true;
	if (bpf_probe_read_kernel(ports, sizeof(ports), l3 + thoff))
		return true;
	f->sport = bpf_ntohs(ports[0]);
	f->dport = bpf_ntohs(ports[1]);
	return true;
}

/*
 * Where @skb's network header is: head + network_header once the IP layer (or, sending,
 * the socket) set it; NULL when it was never set (~0).
 */
static __always_inline const unsigned char *ks_skb_l3(struct sk_buff *skb)
{
	__u16 nh = BPF_CORE_READ(skb, network_header);

	if (nh == (__u16)~0U)
		return NULL;
	return BPF_CORE_READ(skb, head) + nh;
}

/* ks_skb_flow_at from the network header, for packets past the start of the receive path. */
static __always_inline bool ks_skb_flow(struct sk_buff *skb, struct ks_flow *f)
{
	return ks_skb_flow_at(skb, ks_skb_l3(skb), f);
}

/*
 * inet_sock_set_state of TCP sockets: fn(ctx, sk, old, new, btf) with the states of
 * shared/net.h. Variants tp_btf and raw_tp of hook HOOK; the core chooses one.
 */
#define KS_TCP_STATE(hook, fn)                                                                     \
	SEC("tp_btf/inet_sock_set_state")                                                          \
	int BPF_PROG(hook##__tp_btf, struct sock *sk, int old, int new)                            \
	{                                                                                          \
		if (!ks_sk_is_tcp(sk, true))                                                       \
			return 0;                                                                  \
		return fn(ctx, sk, old, new, true);                                                \
	}                                                                                          \
	SEC("raw_tp/inet_sock_set_state")                                                          \
	int BPF_PROG(hook##__raw_tp, struct sock *sk, int old, int new)                            \
	{                                                                                          \
		if (!ks_sk_is_tcp(sk, false))                                                      \
			return 0;                                                                  \
		return fn(ctx, sk, old, new, false);                                               \
	}

/* The process a socket belongs to, and when it was connected or accepted. */
struct ks_sk_owner {
	struct ks_event_hdr who; /* who.ts: connect() (SYN sent) or accept's return */
	__u32 pidns;
	__u16 accepted; /* 1: accepted (passive open), 0: connected (active) */
	__u16 pass;	/* the owner passed the task filter (-p, -c ...) when it was recorded */
};

#ifndef KS_OWNERS_MAX
#define KS_OWNERS_MAX 65536
#endif

/*
 * Owners of open sockets, by address. LRU: a socket whose close went unseen (tracing began
 * after a state the tools drop) would otherwise hold its entry for good.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KS_OWNERS_MAX);
	__type(key, __u64);
	__type(value, struct ks_sk_owner);
} ks_owners SEC(".maps");

/* @o: the current task as an owner (@accepted: by accept). */
static __always_inline void ks_owner_fill(struct ks_sk_owner *o, __u32 accepted)
{
	__builtin_memset(o, 0, sizeof(*o));
	ks_hdr_fill(&o->who);
	if (ks_by == KS_BY_PIDNS)
		o->pidns = ks_task_pidns(ks_current());
	o->accepted = accepted;
	o->pass = ks_filter_current();
}

/* Record the current task as @sk's owner (@accepted: by accept). Returns true. */
static __always_inline bool ks_owner_set(struct sock *sk, __u32 accepted)
{
	__u64 key = (__u64)sk;
	struct ks_sk_owner o;

	ks_owner_fill(&o, accepted);
	bpf_map_update_elem(&ks_owners, &key, &o, BPF_ANY);
	return true;
}

static __always_inline struct ks_sk_owner *ks_owner_get(struct sock *sk)
{
	__u64 key = (__u64)sk;

	return bpf_map_lookup_elem(&ks_owners, &key);
}

static __always_inline void ks_owner_del(struct sock *sk)
{
	__u64 key = (__u64)sk;

	bpf_map_delete_elem(&ks_owners, &key);
}

/*
 * Who an event on @sk is about: its owner where known (h gets the owner's header, h->ts
 * when it connected or accepted): returns 1; else the current task (h filled now): 0.
 * Returns -1 when that task does not pass the task filter: the event is to be dropped.
 */
static __always_inline int ks_sk_who(struct sock *sk, struct ks_event_hdr *h)
{
	struct ks_sk_owner *o = ks_owner_get(sk);

	if (o) {
		if (!o->pass)
			return -1;
		__builtin_memcpy(h, &o->who, sizeof(*h));
		return 1;
	}
	if (!ks_filter_current())
		return -1;
	ks_hdr_fill(h);
	return 0;
}

/*
 * For a KS_TCP_STATE body that keeps owners: CLOSE -> SYN_SENT happens in connect(), in
 * the caller's context. Returns whether it made an owner entry (false for other changes).
 */
static __always_inline bool ks_owner_on_state(struct sock *sk, int old, int new)
{
	if (old == KS_TCP_CLOSE && new == KS_TCP_SYN_SENT)
		return ks_owner_set(sk, 0);
	return false;
}

/* Syscall numbers of accept and accept4 on this architecture, set by user space; -1 absent. */
const volatile long ks_nr_accept = -1;
const volatile long ks_nr_accept4 = -1;

/*
 * The struct socket behind descriptor @fd of the current task: files->fdt->fd[fd], a
 * struct file whose private_data is the socket. NULL if there is no such file. The caller
 * must know the file is a socket (accept just returned it, connect did not refuse it with
 * ENOTSOCK): another file's private_data is something else.
 */
static __always_inline struct socket *ks_fd_socket(int fd)
{
	struct file *file = NULL, **fds;
	struct fdtable *fdt;
	unsigned int max;

	/* the table through the task's BTF pointer where there is one: plain loads */
	if (KS_HAVE_TASK_BTF()) {
		fdt = bpf_get_current_task_btf()->files->fdt;
		fds = fdt->fd;
		max = fdt->max_fds;
	} else {
		fdt = BPF_CORE_READ(ks_current(), files, fdt);
		fds = BPF_CORE_READ(fdt, fd);
		max = BPF_CORE_READ(fdt, max_fds);
	}

	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), fds + fd);
	if (!file)
		return NULL;
	return BPF_CORE_READ(file, private_data);
}

/* The sock of ks_fd_socket(@fd), with the same caveat; NULL if none. */
static __always_inline struct sock *ks_fd_sock(int fd)
{
	struct socket *sock = ks_fd_socket(fd);

	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

/*
 * The return of accept and accept4: fn(ctx, sk) for the socket accepted, in the accepting
 * task's context, when it is TCP. Hook HOOK, in the variants of syscall.bpf.h: fexit or the
 * syscalls' own tracepoints or kretprobes, else raw_syscalls' sys_exit. The tool's object
 * includes bpf/syscall.bpf.h and sets ks_nr_accept* (ks_net_configure does).
 */
#define KS_ACCEPT_BODY(fn)                                                                         \
	static __always_inline int fn##__accepted(void *ctx, const struct ks_sysexit *x)           \
	{                                                                                          \
		struct sock *sk;                                                                   \
                                                                                                   \
		if (x->ret < 0 || (x->id != ks_nr_accept && x->id != ks_nr_accept4))               \
			return 0;                                                                  \
		sk = ks_fd_sock((int)x->ret);                                                      \
		if (!sk || !ks_sk_is_tcp(sk, false))                                               \
			return 0;                                                                  \
		return fn(ctx, sk);                                                                \
	}

#define KS_ACCEPT_HOOKS(hook, fn)                                                                  \
	KS_ACCEPT_BODY(fn)                                                                         \
	KS_SYSCALL_FN_EXIT(hook, accept, ks_nr_accept, fn##__accepted)                             \
	KS_SYSCALL_FN_EXIT(hook, accept4, ks_nr_accept4, fn##__accepted)                           \
	KS_SYSCALL_EXIT(hook, fn##__accepted)

/*
 * Active opens, for the tools that report how a connect() ended (tcpconnect, tcpconnlat):
 * call from a KS_TCP_STATE body before anything else. At CLOSE -> SYN_SENT it records the
 * caller of connect() as the socket's owner (ks_owner_on_state) and returns 0.
 * When a socket with a connect-made owner leaves the handshake, to ESTABLISHED or to CLOSE
 * (a simultaneous open passes SYN_RECV first and ends there later), it copies the owner
 * into @o (o->who.ts: when connect() moved it to SYN_SENT), forgets it and returns 1;
 * otherwise 0. So in an object without accept hooks, every owner left in ks_owners is a
 * connect still in progress.
 */
static __always_inline int ks_connect_end(struct sock *sk, int old, int new, struct ks_sk_owner *o)
{
	struct ks_sk_owner *cur;

	if (ks_owner_on_state(sk, old, new))
		return 0;
	if (new != KS_TCP_ESTABLISHED &&new != KS_TCP_CLOSE)
		return 0;
	cur = ks_owner_get(sk);
	if (!cur || cur->accepted)
		return 0;
	__builtin_memcpy(o, cur, sizeof(*o));
	ks_owner_del(sk);
	return 1;
}

/*
 * The hooks of a tool that needs sockets' owners only (tcpretrans, tcprtt): the caller of
 * connect() (CLOSE -> SYN_SENT) and of listen() (CLOSE -> LISTEN: what a listener's SYN-ACKs
 * are attributed to), the acceptor at accept's return; forgotten at CLOSE. Hooks STATE
 * (KS_TCP_STATE) and ACCEPT (KS_ACCEPT_HOOKS); the object includes bpf/syscall.bpf.h.
 */
static __always_inline int ks_owner_state(void *ctx, struct sock *sk, int old, int new, bool btf)
{
	if (!ks_owner_on_state(sk, old, new) && old == KS_TCP_CLOSE && new == KS_TCP_LISTEN)
		ks_owner_set(sk, 0);
	if (new == KS_TCP_CLOSE)
		ks_owner_del(sk);
	return 0;
}

static __always_inline int ks_owner_accepted(void *ctx, struct sock *sk)
{
	ks_owner_set(sk, 1);
	return 0;
}

#define KS_OWNER_HOOKS(state, accept)                                                              \
	KS_TCP_STATE(state, ks_owner_state)                                                        \
	KS_ACCEPT_HOOKS(accept, ks_owner_accepted)

/*
 * Which task a packet is about, for the task filters of the packet tools (skbdrop,
 * pkttrace). The owner of its socket where that socket's connect or accept was seen
 * (KS_OWNER_HOOKS); else the current task, but not inside a softirq: most of the receive
 * path runs there, on whatever task the CPU was running, which says nothing about the
 * packet. KS_SOFTIRQ_HOOKS(in, out) keep the softirq flag; a tool without task filters
 * switches them and the owner hooks off.
 *
 * A flag, not a depth (softirqs do not nest on a CPU): an exit missed while the hooks were
 * being attached one after the other is made good by the next exit on that CPU, where a
 * depth would stay off by one for good.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ks_softirq SEC(".maps");

static __always_inline void ks_softirq_set(bool in)
{
	__u32 zero = 0, *on = bpf_map_lookup_elem(&ks_softirq, &zero);

	if (on)
		*on = in;
}

#define KS_SOFTIRQ_HOOKS(in, out)                                                                  \
	SEC("tp_btf/softirq_entry")                                                                \
	int BPF_PROG(in##__tp_btf)                                                                 \
	{                                                                                          \
		ks_softirq_set(true);                                                              \
		return 0;                                                                          \
	}                                                                                          \
	SEC("raw_tp/softirq_entry")                                                                \
	int BPF_PROG(in##__raw_tp)                                                                 \
	{                                                                                          \
		ks_softirq_set(true);                                                              \
		return 0;                                                                          \
	}                                                                                          \
	SEC("tp_btf/softirq_exit")                                                                 \
	int BPF_PROG(out##__tp_btf)                                                                \
	{                                                                                          \
		ks_softirq_set(false);                                                             \
		return 0;                                                                          \
	}                                                                                          \
	SEC("raw_tp/softirq_exit")                                                                 \
	int BPF_PROG(out##__raw_tp)                                                                \
	{                                                                                          \
		ks_softirq_set(false);                                                             \
		return 0;                                                                          \
	}

/*
 * Under a task filter: the owner of @skb's socket (else of @rx_sk, the receiving socket
 * kfree_skb names on 6.11+; may be NULL) where known: 1, @h the owner; else the current
 * task outside softirqs: 0, @h filled; -1 when it does not pass. Without a task filter:
 * the current task (0).
 */
static __always_inline int ks_skb_who(struct sk_buff *skb, struct sock *rx_sk,
				      struct ks_event_hdr *h)
{
	if (ks_filter_tasks()) {
		struct sock *sk = BPF_CORE_READ(skb, sk);
		struct ks_sk_owner *o = ks_owner_get(sk ? sk : rx_sk);
		__u32 zero = 0, *softirq;

		if (o) {
			if (!o->pass)
				return -1;
			__builtin_memcpy(h, &o->who, sizeof(*h));
			return 1;
		}
		softirq = bpf_map_lookup_elem(&ks_softirq, &zero);
		if ((softirq && *softirq) || !ks_filter_current())
			return -1;
	}
	ks_hdr_fill(h);
	return 0;
}

/*
 * Owners of listening sockets, by namespace, family and local port, for tools that call
 * ks_owner_on_listen: a listener's child then belongs to the process that listens until one
 * accepts it. Its handshake, and a close before accept, run in softirq context on whatever
 * task the CPU had (often the connecting peer, on loopback): without this they would be
 * that task's. SO_REUSEPORT listeners of one port share an entry: the last to listen.
 */
struct ks_listen_key {
	__u32 netns;
	__u16 family;
	__u16 port;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* no memory in the objects that never use it */
	__type(key, struct ks_listen_key);
	__type(value, struct ks_sk_owner);
} ks_listeners SEC(".maps");

/*
 * For a KS_TCP_STATE body, beside ks_owner_on_state: CLOSE -> LISTEN (in listen(), the
 * caller's context) makes the caller the listener's owner (ks_owners, as the tool's own
 * ks_owner_del at CLOSE expects) and its children's, LISTEN -> CLOSE forgets the latter, and a
 * child born (LISTEN -> SYN_RECV: it starts as a copy of its listener) gets that owner until accept
 * returns it (ks_owner_accepted). The listener's port is known at listen() when it was bound first;
 * listen() without bind() picks one after the change: such children stay without owner until
 * accepted.
 */
static __always_inline void ks_owner_on_listen(struct sock *sk, int old, int new, bool btf)
{
	struct ks_listen_key k;
	struct ks_sk_owner o, *lo;
	__u64 key = (__u64)sk;

	if (old != KS_TCP_LISTEN && new != KS_TCP_LISTEN)
		return;
	k.netns = ks_sk_netns(sk);
	k.family = KS_READ(btf, sk, __sk_common.skc_family);
	k.port = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	if (new == KS_TCP_LISTEN) {
		ks_owner_fill(&o, 0);
		bpf_map_update_elem(&ks_listeners, &k, &o, BPF_ANY);
		bpf_map_update_elem(&ks_owners, &key, &o, BPF_ANY);
	} else if (new == KS_TCP_CLOSE) {
		bpf_map_delete_elem(&ks_listeners, &k);
	} else if (new == KS_TCP_SYN_RECV) {
		lo = bpf_map_lookup_elem(&ks_listeners, &k);
		if (lo) {
			o = *lo;
			o.accepted = 1;
			bpf_map_update_elem(&ks_owners, &key, &o, BPF_ANY);
		}
	}
}

#endif
