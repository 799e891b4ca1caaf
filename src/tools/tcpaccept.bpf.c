// SPDX-License-Identifier: GPL-2.0-only
/* tcpaccept: passive TCP opens, told by the task that accepted them, with their queue time. */
#include "bpf/events.bpf.h"
#include "bpf/net.bpf.h"
#include "bpf/syscall.bpf.h"
#include "tools/tcpaccept.h"

/*
 * When each new connection became ESTABLISHED, which is when the kernel queued it to its
 * listener's accept queue, until accept() takes it. LRU: connections never accepted that
 * close unseen (tracing began in the middle) must not fill it for good.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} ready SEC(".maps");

static __always_inline int on_state(void *ctx, struct sock *sk, int old, int new, bool btf)
{
	__u64 key = (__u64)sk, now;

	/* the new socket is made in SYN_RECV when the handshake's last ACK comes */
	if (old == KS_TCP_SYN_RECV && new == KS_TCP_ESTABLISHED) {
		now = bpf_ktime_get_ns();
		bpf_map_update_elem(&ready, &key, &now, BPF_ANY);
	} else if (new == KS_TCP_CLOSE) {
		bpf_map_delete_elem(&ready, &key);
	}
	return 0;
}

KS_TCP_STATE(state, on_state)

static __always_inline int on_accept(void *ctx, struct sock *sk)
{
	__u64 key = (__u64)sk, *since, ready_ns = 0;
	struct tcpaccept_event *e;
	struct ks_flow f;

	since = bpf_map_lookup_elem(&ready, &key);
	if (since) {
		ready_ns = *since;
		bpf_map_delete_elem(&ready, &key);
	}
	if (!ks_filter_current())
		return 0;
	ks_sk_flow(sk, &f, false);
	if (!ks_net_match(&f))
		return 0;
	e = ks_reserve(sizeof(*e));
	if (!e)
		return 0;
	ks_hdr_fill(&e->hdr);
	e->flow = f;
	e->queued = ready_ns != 0;
	e->queue_ns = ready_ns ? e->hdr.ts - ready_ns : 0;
	e->pad = 0;
	ks_submit(e, sizeof(*e));
	return 0;
}

KS_ACCEPT_HOOKS(accept, on_accept)
