// SPDX-License-Identifier: GPL-2.0-only
/* tcptop: TCP bytes sent and received, summed per process and flow in the kernel. */
#include "bpf/missed.bpf.h"
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
 * Kernels with fentry or kprobes: the return of inet_sendmsg/inet6_sendmsg and
 * inet_recvmsg/inet6_recvmsg, which sock_sendmsg and sock_recvmsg call for IPv4 and IPv6
 * sockets and whose results the tracepoints above report: the same bytes where both exist
 * (the core prefers these: they run for inet sockets only). Not tcp_sendmsg and
 * tcp_cleanup_rbuf as BCC's tcptop: tcp_recvmsg calls the latter again, with the bytes
 * copied so far, each time it processes its backlog or waits within one call.
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

/* kprobe variants: the call's socket and flags, kept from the entry to the return. */
struct call {
	__u64 sock;
	int flags;
	int pad;
};

/* Per thread. LRU: a return the kretprobe missed (its instances ran out) would stay. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct call);
} calls SEC(".maps");

/*
 * Before 5.13 or so the kernel skips a kprobe program, uncounted, while bpf_prog_active is
 * held on the CPU, which a map operation from user space holds too (a task preempted in
 * it, on a one-CPU machine). A skipped entry or return shows as a return without an entry
 * or an entry over one not returned: counted as missed (bpf/missed.bpf.h), so a test run
 * that lost bytes that way says so.
 */
static __always_inline int call_enter(struct socket *sock, int flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call v = { .sock = (__u64)sock, .flags = flags };

	if (bpf_map_update_elem(&calls, &id, &v, BPF_NOEXIST)) {
		ks_count_missed();
		bpf_map_update_elem(&calls, &id, &v, BPF_ANY);
	}
	return 0;
}

static __always_inline int call_return(long ret, bool rx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *v = bpf_map_lookup_elem(&calls, &id);

	if (!v) {
		ks_count_missed();
		return 0;
	}
	on_ret((struct socket *)v->sock, ret, v->flags, rx, false);
	bpf_map_delete_elem(&calls, &id);
	return 0;
}

SEC("kprobe/inet_sendmsg")
int BPF_KPROBE(send__kprobe, struct socket *sock)
{
	return call_enter(sock, 0);
}

SEC("kprobe/inet6_sendmsg")
int BPF_KPROBE(send__kprobe6, struct socket *sock)
{
	return call_enter(sock, 0);
}

SEC("kretprobe/inet_sendmsg")
int BPF_KRETPROBE(send__kretprobe, int ret)
{
	return call_return(ret, false);
}

SEC("kretprobe/inet6_sendmsg")
int BPF_KRETPROBE(send__kretprobe6, int ret)
{
	return call_return(ret, false);
}

SEC("kprobe/inet_recvmsg")
int BPF_KPROBE(recv__kprobe, struct socket *sock, struct msghdr *msg, size_t size, int flags)
{
	return call_enter(sock, flags);
}

SEC("kprobe/inet6_recvmsg")
int BPF_KPROBE(recv__kprobe6, struct socket *sock, struct msghdr *msg, size_t size, int flags)
{
	return call_enter(sock, flags);
}

SEC("kretprobe/inet_recvmsg")
int BPF_KRETPROBE(recv__kretprobe, int ret)
{
	return call_return(ret, true);
}

SEC("kretprobe/inet6_recvmsg")
int BPF_KRETPROBE(recv__kretprobe6, int ret)
{
	return call_return(ret, true);
}
