// SPDX-License-Identifier: GPL-2.0-only
/* tcpstates: every state change of TCP sockets, with the time spent in the state left. */
#include "bpf/events.bpf.h"
#include "bpf/net.bpf.h"
#include "bpf/syscall.bpf.h"
#include "tools/tcpstates.h"

/* When each socket entered its current state. LRU: sockets whose close went unseen. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} entered SEC(".maps");

static __always_inline int on_state(void *ctx, struct sock *sk, int old, int new, bool btf)
{
	__u64 key = (__u64)sk, now = bpf_ktime_get_ns(), *since;
	struct tcpstates_event *e;
	struct ks_event_hdr h;
	struct ks_flow f;
	int who;

	/* connect(), listen(): the caller owns the socket (a listener: its children until accepted)
	 */
	ks_owner_on_state(sk, old, new);
	ks_owner_on_listen(sk, old, new, btf);
	since = bpf_map_lookup_elem(&entered, &key);
	ks_sk_flow(sk, &f, btf);
	if (!ks_net_match(&f))
		goto out;
	who = ks_sk_who(sk, &h);
	if (who < 0)
		goto out;
	e = ks_reserve(sizeof(*e));
	if (!e)
		goto out;
	e->hdr = h;
	e->hdr.ts = now;
	e->owned = who;
	e->flow = f;
	e->skaddr = key;
	e->prev_ns = since ? now - *since : 0;
	e->oldstate = old;
	e->newstate = new;
	ks_submit(e, sizeof(*e));
out:
	if (new == KS_TCP_CLOSE) {
		bpf_map_delete_elem(&entered, &key);
		ks_owner_del(sk);
	} else {
		bpf_map_update_elem(&entered, &key, &now, BPF_ANY);
	}
	return 0;
}

KS_TCP_STATE(state, on_state)

KS_ACCEPT_HOOKS(accept, ks_owner_accepted)
