// SPDX-License-Identifier: GPL-2.0-only
/* tcpconnect: active TCP opens with the caller of connect(), the flow and how each ended. */
#include "bpf/events.bpf.h"
#include "bpf/net.bpf.h"
#include "bpf/syscall.bpf.h"
#include "tools/tcpconnect.h"

#define KS_EBADF       9
#define KS_ENOTSOCK    88
#define KS_EINPROGRESS 115

const volatile bool count_mode = false; /* --count: add to counts, no events */
const volatile long nr_connect = -1;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct tcpconnect_key);
	__type(value, __u64);
} counts SEC(".maps");

/*
 * --before-syn: a connect() call of a task that passed the filter, on a socket not yet
 * connecting, by thread, from entry to return.
 */
struct connect_call {
	__u64 sk;
	unsigned char daddr[16]; /* from connect()'s sockaddr: the socket may not have it */
	__u16 dport;
	__u16 family;
	__u32 syn; /* the call reached SYN_SENT: the state hook tells its end */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct connect_call);
} calls SEC(".maps");

static __always_inline void count(const struct ks_flow *f, int result, int err)
{
	struct tcpconnect_key k;
	__u64 one = 1, *n;

	__builtin_memset(&k, 0, sizeof(k));
	__builtin_memcpy(k.daddr, f->daddr, sizeof(k.daddr));
	k.dport = f->dport;
	k.family = f->family;
	k.result = result;
	k.err = err;
	n = bpf_map_lookup_elem(&counts, &k);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return;
	}
	/* another CPU may have made it meanwhile: then add to its */
	if (!bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST))
		return;
	n = bpf_map_lookup_elem(&counts, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		ks_count_lost(); /* the map is full: said at the end as lost */
}

static __always_inline void report(const struct ks_event_hdr *h, const struct ks_flow *f, __u64 lat,
				   int result, int err)
{
	struct tcpconnect_event *e;

	if (count_mode) {
		count(f, result, err);
		return;
	}
	e = ks_reserve(sizeof(*e));
	if (!e)
		return;
	e->hdr = *h;
	e->flow = *f;
	e->lat_ns = lat;
	e->result = result;
	e->err = err;
	ks_submit(e, sizeof(*e));
}

/*
 * Connects in progress that passed the filters, for the summary: +1 at SYN_SENT, -1 at
 * the end, per CPU (one connect may start and end on different CPUs: only the sum counts).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pending SEC(".maps");

static __always_inline void pending_add(__u64 n)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&pending, &key);

	if (v)
		*v += n;
}

/* connect() moved @sk to SYN_SENT: tell its call (--before-syn), count it as pending. */
static __always_inline void on_syn_sent(struct sock *sk, bool btf)
{
	__u64 tid = bpf_get_current_pid_tgid();
	struct connect_call *call = bpf_map_lookup_elem(&calls, &tid);
	struct ks_sk_owner *o = ks_owner_get(sk);
	struct ks_flow f;

	if (call)
		call->syn = 1;
	if (!o || !o->pass)
		return;
	/*
	 * The local port is picked after this change, so a local-port filter can't judge
	 * the connect yet; the rest can: an owner that fails it is not counted as pending.
	 */
	if (!ks_net.nlport && !ks_net.nport) {
		ks_sk_flow(sk, &f, btf);
		if (!ks_net_match(&f)) {
			o->pass = 0;
			return;
		}
	}
	pending_add(1);
}

static __always_inline int on_state(void *ctx, struct sock *sk, int old, int new, bool btf)
{
	struct ks_sk_owner o;
	struct ks_flow f;
	__u64 now, lat;
	int err, result;

	if (!ks_connect_end(sk, old, new, &o)) {
		if (old == KS_TCP_CLOSE && new == KS_TCP_SYN_SENT)
			on_syn_sent(sk, btf);
		return 0;
	}
	if (!o.pass)
		return 0;
	pending_add(-1);
	ks_sk_flow(sk, &f, btf);
	if (!ks_net_match(&f))
		return 0;
	now = bpf_ktime_get_ns();
	lat = now - o.who.ts;
	o.who.ts = now;
	/* the kernel sets sk_err before it closes a failed connect; close() leaves it 0 */
	err = new == KS_TCP_CLOSE ? KS_READ(btf, sk, sk_err) : 0;
	result = new == KS_TCP_ESTABLISHED ? TCPCONNECT_OK
		 : err			   ? TCPCONNECT_ERROR
					   : TCPCONNECT_CLOSED;
	report(&o.who, &f, lat, result, err);
	return 0;
}

KS_TCP_STATE(state, on_state)

static __always_inline int on_connect_enter(void *ctx, const struct ks_sysenter *e)
{
	__u64 tid = bpf_get_current_pid_tgid();
	const void *uaddr = (const void *)ks_sysarg(e, 1);
	struct connect_call call;
	struct socket *sock;
	__u16 family = 0;

	if (e->id != nr_connect || !ks_filter_current())
		return 0;
	sock = ks_fd_socket((int)ks_sysarg(e, 0));
	/*
	 * Not a socket, or not one of ours: connect() refuses it (EBADF, ENOTSOCK) and the
	 * return drops the call. A socket already connecting gets its earlier attempt's
	 * result, which the state hook told.
	 */
	if (!sock || BPF_CORE_READ(sock, state) != SS_UNCONNECTED)
		return 0;
	__builtin_memset(&call, 0, sizeof(call));
	call.sk = (__u64)BPF_CORE_READ(sock, sk);
	bpf_probe_read_user(&family, sizeof(family), uaddr);
	if (family == KS_AF_INET) {
		struct sockaddr_in sin;

		if (bpf_probe_read_user(&sin, sizeof(sin), uaddr))
			return 0;
		__builtin_memcpy(call.daddr, &sin.sin_addr, 4);
		call.dport = bpf_ntohs(sin.sin_port);
	} else if (family == KS_AF_INET6) {
		struct sockaddr_in6 sin6;

		if (bpf_probe_read_user(&sin6, sizeof(sin6), uaddr))
			return 0;
		__builtin_memcpy(call.daddr, &sin6.sin6_addr, 16);
		call.dport = bpf_ntohs(sin6.sin6_port);
	} else {
		return 0; /* AF_UNSPEC disconnects; other families are no TCP connect */
	}
	call.family = family;
	bpf_map_update_elem(&calls, &tid, &call, BPF_ANY);
	return 0;
}

static __always_inline int on_connect_exit(void *ctx, const struct ks_sysexit *x)
{
	__u64 tid = bpf_get_current_pid_tgid();
	struct connect_call *p;
	struct connect_call call;
	struct ks_event_hdr h;
	struct sock *sk;
	struct ks_flow f;

	if (x->id != nr_connect)
		return 0;
	p = bpf_map_lookup_elem(&calls, &tid);
	if (!p)
		return 0;
	call = *p;
	bpf_map_delete_elem(&calls, &tid);
	if (x->ret >= 0 || call.syn || x->ret == -KS_EINPROGRESS || x->ret == -KS_EBADF ||
	    x->ret == -KS_ENOTSOCK)
		return 0;
	sk = (struct sock *)call.sk;
	if (!sk || !ks_sk_is_tcp(sk, false))
		return 0;
	ks_sk_flow(sk, &f, false);
	if (call.family == f.family) {
		__builtin_memcpy(f.daddr, call.daddr, sizeof(f.daddr));
		f.dport = call.dport;
	}
	if (!ks_net_match(&f))
		return 0;
	ks_hdr_fill(&h);
	report(&h, &f, 0, TCPCONNECT_NOSYN, (int)-x->ret);
	return 0;
}

KS_SYSCALL_ENTER(connect_enter, on_connect_enter)
KS_SYSCALL_EXIT(connect_exit, on_connect_exit)
KS_SYSCALL_FN_BOTH(connect_enter, connect_exit, connect, 3, nr_connect, on_connect_enter,
		   on_connect_exit)
