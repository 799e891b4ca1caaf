// SPDX-License-Identifier: GPL-2.0-only
/* tcptop: TCP bytes sent and received, summed per process and flow in the kernel. */
#include "bpf/net.bpf.h"
#include "tools/tcptop.h"

#define KS_MSG_PEEK 2

/* Set by user space: key by flow (the default), and whether flows are read at all. */
const volatile bool by_flow = true;
const volatile bool need_flow = true;

/* Read and emptied by user space every interval: only this interval's keys take room. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct tcptop_key);
	__type(value, struct tcptop_val);
} stats SEC(".maps");

/*
 * @bytes moved by the current task on TCP socket @sk. Every hook runs in the caller's
 * context (the syscall, not a softirq): the process is current, and the task filters
 * apply to it directly.
 */
static __always_inline int on_bytes(struct sock *sk, long bytes, bool rx, bool btf)
{
	struct task_struct *t;
	struct tcptop_key k;
	struct tcptop_val *v;

	if (bytes <= 0 || !ks_filter_current())
		return 0;
	__builtin_memset(&k, 0, sizeof(k));
	if (need_flow) {
		ks_sk_flow(sk, &k.flow, btf);
		if (!ks_net_match(&k.flow))
			return 0;
		if (!by_flow)
			__builtin_memset(&k.flow, 0, sizeof(k.flow));
	}
	t = ks_current();
	k.who = by_flow ? bpf_get_current_pid_tgid() >> 32 : ks_task_key(t, ks_by);
	v = bpf_map_lookup_elem(&stats, &k);
	if (!v) {
		struct tcptop_val zero = {};

		if (by_flow || ks_by == KS_BY_PID)
			BPF_CORE_READ_INTO(&zero.comm, t, group_leader, comm);
		else if (ks_by == KS_BY_TID)
			bpf_get_current_comm(zero.comm, sizeof(zero.comm));
		/* NOEXIST: another CPU may have made it meanwhile; then that one is used */
		bpf_map_update_elem(&stats, &k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&stats, &k);
		if (!v)
			return 0; /* the map is full: this interval has 10240 keys already */
	}
	/* Atomic: threads of one process send on one socket from several CPUs at once. */
	if (rx)
		__sync_fetch_and_add(&v->rx, bytes);
	else
		__sync_fetch_and_add(&v->tx, bytes);
	return 0;
}

/*
 * Kernels 6.3+: sock_send_length and sock_recv_length, at the return of every socket's
 * sendmsg and recvmsg (send, write, sendfile from 6.5, io_uring ...), with the bytes moved.
 * TCP sockets only; a MSG_PEEK read moves nothing. On the kernels before 6.5, sendfile's
 * sendpage path moves bytes past both these and the hooks below.
 */
SEC("tp_btf/sock_send_length")
int BPF_PROG(send__tp_btf, struct sock *sk, int ret, int flags)
{
	if (!ks_sk_is_tcp(sk, true))
		return 0;
	return on_bytes(sk, ret, false, true);
}

SEC("raw_tp/sock_send_length")
int BPF_PROG(send__raw_tp, struct sock *sk, int ret, int flags)
{
	if (!ks_sk_is_tcp(sk, false))
		return 0;
	return on_bytes(sk, ret, false, false);
}

SEC("tracepoint/sock/sock_send_length")
int send__tp(struct trace_event_raw_sock_msg_length *tp)
{
	if (tp->protocol != IPPROTO_TCP)
		return 0;
	return on_bytes(tp->sk, tp->ret, false, false);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(recv__tp_btf, struct sock *sk, int ret, int flags)
{
	if ((flags & KS_MSG_PEEK) || !ks_sk_is_tcp(sk, true))
		return 0;
	return on_bytes(sk, ret, true, true);
}

SEC("raw_tp/sock_recv_length")
int BPF_PROG(recv__raw_tp, struct sock *sk, int ret, int flags)
{
	if ((flags & KS_MSG_PEEK) || !ks_sk_is_tcp(sk, false))
		return 0;
	return on_bytes(sk, ret, true, false);
}

SEC("tracepoint/sock/sock_recv_length")
int recv__tp(struct trace_event_raw_sock_msg_length *tp)
{
	if ((tp->flags & KS_MSG_PEEK) || tp->protocol != IPPROTO_TCP)
		return 0;
	return on_bytes(tp->sk, tp->ret, true, false);
}

/*
 * Kernels with fentry: the return of inet_sendmsg/inet6_sendmsg and
 * inet_recvmsg/inet6_recvmsg, which sock_sendmsg and sock_recvmsg call for IPv4 and IPv6
 * sockets and whose results the tracepoints above report: the same bytes where both exist
 * (the core prefers these: they run for inet sockets only). Not tcp_cleanup_rbuf as BCC's
 * tcptop: tcp_recvmsg calls it again, with the bytes copied so far, each time it
 * processes its backlog or waits within one call.
 */
static __always_inline int on_ret(struct socket *sock, long ret, int flags, bool rx, bool btf)
{
	struct sock *sk = btf ? sock->sk : BPF_CORE_READ(sock, sk);

	if (rx && (flags & KS_MSG_PEEK))
		return 0;
	if (!sk || !ks_sk_is_tcp(sk, btf))
		return 0;
	return on_bytes(sk, ret, rx, btf);
}

SEC("fexit/inet_sendmsg")
int BPF_PROG(send__fexit, struct socket *sock, struct msghdr *msg, size_t size, int ret)
{
	return on_ret(sock, ret, 0, false, true);
}

SEC("fexit/inet6_sendmsg")
int BPF_PROG(send__fexit6, struct socket *sock, struct msghdr *msg, size_t size, int ret)
{
	return on_ret(sock, ret, 0, false, true);
}

SEC("fexit/inet_recvmsg")
int BPF_PROG(recv__fexit, struct socket *sock, struct msghdr *msg, size_t size, int flags, int ret)
{
	return on_ret(sock, ret, flags, true, true);
}

SEC("fexit/inet6_recvmsg")
int BPF_PROG(recv__fexit6, struct socket *sock, struct msghdr *msg, size_t size, int flags, int ret)
{
	return on_ret(sock, ret, flags, true, true);
}

/*
 * Kernels with kprobes only (no fentry, before 6.3): no kretprobes, which hold one of a few
 * instances (as many as CPUs, on kernels built without CONFIG_PREEMPT) while their call
 * runs: senders blocked on a full send buffer and readers waiting for data sleep in
 * theirs, and the others' returns were lost, uncounted (seen on 5.10 with one CPU).
 *
 * Sent: tcp_sendmsg(sk, msg, size), BCC's hook, IPv4 and IPv6 alike: the bytes asked
 * for, which a blocking socket sends all of unless the call fails (a failed or partial
 * non-blocking send is counted in full).
 */
SEC("kprobe/tcp_sendmsg")
int BPF_KPROBE(send__kprobe, struct sock *sk, void *msg, size_t size)
{
	return on_bytes(sk, (long)size, false, false);
}

/*
 * Received: skb_copy_datagram_iter(skb, offset, to, len), which copies each piece of a TCP
 * read to the reader, in the reader's context (skb->sk is the socket: set on the skbs of
 * its receive queue). A read with MSG_PEEK is counted too.
 */
SEC("kprobe/skb_copy_datagram_iter")
int BPF_KPROBE(recv__kprobe, const struct sk_buff *skb, int offset, void *to, int len)
{
	struct sock *sk = BPF_CORE_READ(skb, sk);

	if (!sk || !ks_sk_is_tcp(sk, false))
		return 0;
	return on_bytes(sk, len, true, false);
}
