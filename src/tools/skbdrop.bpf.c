// SPDX-License-Identifier: GPL-2.0-only
/* skbdrop: every packet the kernel drops (kfree_skb), with reason, place, flow and device. */
#include "bpf/events.bpf.h"
#include "bpf/net.bpf.h"
#include "bpf/syscall.bpf.h"
#include "shared/stack.h"
#include "tools/skbdrop.h"

/* Set by user space before load. */
const volatile bool count_mode = false; /* --count: into counts, no events */
const volatile bool want_stack = false; /* --stack */
const volatile bool need_flow = true;	/* events, or a flow filter: parse the packet */
const volatile __u32 nreasons = 0;	/* --reason: keep only these codes */
const volatile __u32 reasons[SKBDROP_REASONS] = {};

/* --count: per-CPU, so a drop costs no atomic operation; user space sums. One entry unless. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, struct skbdrop_key);
	__type(value, __u64);
} counts SEC(".maps");

/* Drops --count could not count: the map was full. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts_full SEC(".maps");

/* --count --stack: the kernel stacks counts name. Sized by user space (1 without). */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KS_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

static __always_inline bool reason_wanted(__u32 reason)
{
	for (int i = 0; i < SKBDROP_REASONS; i++) {
		if (i >= nreasons)
			break;
		if (reasons[i] == reason)
			return true;
	}
	return false;
}

/*
 * The packet's flow. The network header is not set before the receive path reaches
 * __netif_receive_skb (a driver's or the backlog's drop): there skb->data is where it
 * starts, once the link layer set skb->protocol. Other protocols are not parsed.
 */
static __always_inline void skb_flow(struct sk_buff *skb, struct ks_flow *f)
{
	const unsigned char *l3 = ks_skb_l3(skb);
	__u16 proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));

	if (proto != KS_ETH_P_IP && proto != KS_ETH_P_IPV6)
		l3 = NULL;
	else if (!l3)
		l3 = BPF_CORE_READ(skb, data);
	ks_skb_flow_at(skb, l3, f);
}

static __always_inline void count(void *ctx, void *location, __u32 reason)
{
	struct skbdrop_key k = { .location = (__u64)location, .reason = reason, .kstack = -1 };
	__u64 one = 1, *n;
	__u32 zero = 0;

	if (want_stack)
		k.kstack = bpf_get_stackid(ctx, &stacks, 0);
	n = bpf_map_lookup_elem(&counts, &k);
	if (n) {
		(*n)++;
		return;
	}
	/* another CPU may have made the key meanwhile: then count in this CPU's slot of it */
	if (!bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST))
		return;
	n = bpf_map_lookup_elem(&counts, &k);
	if (!n)
		n = bpf_map_lookup_elem(&counts_full, &zero);
	if (n)
		(*n)++;
}

static __always_inline void fill(struct skbdrop_event *e, struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);

	if (dev) {
		e->ifindex = BPF_CORE_READ(dev, ifindex);
		BPF_CORE_READ_INTO(&e->ifname, dev, name);
	} else {
		e->ifindex = BPF_CORE_READ(skb, skb_iif);
		e->ifname[0] = 0;
	}
	e->len = BPF_CORE_READ(skb, len);
	e->ethertype = bpf_ntohs(BPF_CORE_READ(skb, protocol));
}

static __always_inline int on_drop(void *ctx, struct sk_buff *skb, void *location, __u32 reason,
				   struct sock *rx_sk)
{
	struct skbdrop_event *e;
	struct ks_event_hdr h;
	struct ks_flow f = {};
	long n;
	int who;

	if (nreasons && !reason_wanted(reason))
		return 0;
	if (need_flow) {
		skb_flow(skb, &f);
		if (!ks_net_match(&f))
			return 0;
	}
	/* counting names no task: the header is filled only to apply a task filter */
	if (count_mode) {
		if (ks_filter_tasks() && ks_skb_who(skb, rx_sk, &h) < 0)
			return 0;
		count(ctx, location, reason);
		return 0;
	}
	who = ks_skb_who(skb, rx_sk, &h);
	if (who < 0)
		return 0;
	/* without --stack the frames are not sent: two sizes, each a constant */
	if (want_stack)
		e = ks_reserve(sizeof(*e));
	else
		e = ks_reserve(offsetof(struct skbdrop_event, stack));
	if (!e)
		return 0;
	e->hdr = h;
	e->flow = f;
	e->location = (__u64)location;
	e->reason = reason;
	e->owned = who;
	e->pad = 0;
	e->pad2 = 0;
	e->nstack = 0;
	fill(e, skb);
	if (want_stack) {
		n = bpf_get_stack(ctx, e->stack, sizeof(e->stack), 0);
		e->nstack = n > 0 ? n / sizeof(__u64) : 0;
		ks_submit(e, sizeof(*e));
	} else {
		ks_submit(e, offsetof(struct skbdrop_event, stack));
	}
	return 0;
}

/*
 * kfree_skb's arguments changed twice: (skb, location) before 5.17, then the reason, then
 * (6.11) the receiving socket. One hook per layout; user space keeps the kernel's (BTF).
 */
SEC("tp_btf/kfree_skb")
int BPF_PROG(drop4__tp_btf, struct sk_buff *skb, void *location, int reason, struct sock *rx_sk)
{
	return on_drop(ctx, skb, location, reason, rx_sk);
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(drop4__raw_tp, struct sk_buff *skb, void *location, int reason, struct sock *rx_sk)
{
	return on_drop(ctx, skb, location, reason, rx_sk);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(drop3__tp_btf, struct sk_buff *skb, void *location, int reason)
{
	return on_drop(ctx, skb, location, reason, NULL);
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(drop3__raw_tp, struct sk_buff *skb, void *location, int reason)
{
	return on_drop(ctx, skb, location, reason, NULL);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(drop2__tp_btf, struct sk_buff *skb, void *location)
{
	return on_drop(ctx, skb, location, SKBDROP_NO_REASON, NULL);
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(drop2__raw_tp, struct sk_buff *skb, void *location)
{
	return on_drop(ctx, skb, location, SKBDROP_NO_REASON, NULL);
}

/* Under a task filter only: whose drops they are (ks_skb_who). */
KS_SOFTIRQ_HOOKS(softirq_in, softirq_out)
KS_OWNER_HOOKS(owner_state, owner_accept)
