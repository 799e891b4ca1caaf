// SPDX-License-Identifier: GPL-2.0-only
/* The network floors: drops counted by reason and location; a record per closed TCP connection. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "floor.bpf.h"
#include "netfloor.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load: wake the reader only past this much waiting data. */
const volatile __u64 wake_bytes = 1 << 19;

struct drop_key {
	__u64 location;
	__u32 reason;
	__u32 pad;
};

/* Drops by (location, reason), per CPU: an increment, no lock. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct drop_key);
	__type(value, __u64);
} drops SEC(".maps");

SEC("tp_btf/kfree_skb")
int BPF_PROG(nf_drop, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	struct drop_key k = { .location = (__u64)location, .reason = reason };
	__u64 *n = bpf_map_lookup_elem(&drops, &k), one = 1;

	if (n)
		(*n)++;
	else
		bpf_map_update_elem(&drops, &k, &one, BPF_NOEXIST);
	return 0;
}

struct birth {
	__u64 ts;
	__u32 pid;
	char comm[16];
};

/* When each socket was born and who opened it, until it closes. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct birth);
} births SEC(".maps");

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(nf_state, struct sock *sk, int old, int new)
{
	__u64 key = (__u64)sk, avail;
	struct tcp_sock *tp = (void *)sk;
	struct nf_event *e;
	struct birth *b;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	if (new == TCP_SYN_SENT || (old == TCP_LISTEN && new == TCP_SYN_RECV)) {
		struct birth nb = { .ts = bpf_ktime_get_ns() };

		nb.pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(nb.comm, sizeof(nb.comm));
		bpf_map_update_elem(&births, &key, &nb, BPF_ANY);
		return 0;
	}
	if (new != TCP_CLOSE)
		return 0;
	b = bpf_map_lookup_elem(&births, &key);
	if (!b)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		floor_lost();
		bpf_map_delete_elem(&births, &key);
		return 0;
	}
	e->ts = bpf_ktime_get_ns();
	e->life_ns = e->ts - b->ts;
	e->pid = b->pid;
	__builtin_memcpy(e->comm, b->comm, sizeof(e->comm));
	e->tx_bytes = BPF_CORE_READ(tp, bytes_acked);
	e->rx_bytes = BPF_CORE_READ(tp, bytes_received);
	e->family = sk->__sk_common.skc_family;
	e->lport = sk->__sk_common.skc_num;
	e->rport = __builtin_bswap16(sk->__sk_common.skc_dport);
	e->pad = 0;
	if (e->family == 2 /* AF_INET */) {
		__builtin_memset(e->laddr, 0, sizeof(e->laddr));
		__builtin_memset(e->raddr, 0, sizeof(e->raddr));
		__builtin_memcpy(e->laddr, &sk->__sk_common.skc_rcv_saddr, 4);
		__builtin_memcpy(e->raddr, &sk->__sk_common.skc_daddr, 4);
	} else {
		BPF_CORE_READ_INTO(&e->laddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&e->raddr, sk, __sk_common.skc_v6_daddr);
	}
	bpf_map_delete_elem(&births, &key);
	/* Batched, as the other streaming floors: the reader drains on its timer until a quarter.
	 */
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(e, avail > wake_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	return 0;
}
