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
 * TCP sockets only; a MSG_PEEK read moves nothing.
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
 * Older kernels: tcp_sendmsg's return (the bytes queued) and tcp_cleanup_rbuf, which
 * tcp_recvmsg calls with the bytes it copied to the reader, as BCC's tcptop hooks them.
 * User space keeps these only where the tracepoints are missing: the core would prefer
 * fentry, and these miss sendpage (sendfile before 6.5) and count MSG_PEEK reads.
 */
SEC("fexit/tcp_sendmsg")
int BPF_PROG(send__fexit, struct sock *sk, struct msghdr *msg, size_t size, int ret)
{
	return on_bytes(sk, ret, false, true);
}

/*
 * kprobe variant: the socket kept from the entry until the return, per thread. LRU: a
 * return the kretprobe missed (its instances ran out) would hold its entry for good.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u64);
} sending SEC(".maps");

SEC("kprobe/tcp_sendmsg")
int BPF_KPROBE(send__kprobe, struct sock *sk)
{
	__u64 id = bpf_get_current_pid_tgid(), p = (__u64)sk;

	bpf_map_update_elem(&sending, &id, &p, BPF_ANY);
	return 0;
}

SEC("kretprobe/tcp_sendmsg")
int BPF_KRETPROBE(send__kretprobe, int ret)
{
	__u64 id = bpf_get_current_pid_tgid(), *p = bpf_map_lookup_elem(&sending, &id);

	if (!p)
		return 0;
	on_bytes((struct sock *)*p, ret, false, false);
	bpf_map_delete_elem(&sending, &id);
	return 0;
}

SEC("fentry/tcp_cleanup_rbuf")
int BPF_PROG(recv__fentry, struct sock *sk, int copied)
{
	return on_bytes(sk, copied, true, true);
}

SEC("kprobe/tcp_cleanup_rbuf")
int BPF_KPROBE(recv__kprobe, struct sock *sk, int copied)
{
	return on_bytes(sk, copied, true, false);
}
