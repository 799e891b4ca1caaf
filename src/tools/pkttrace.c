// SPDX-License-Identifier: GPL-2.0-only
/* pkttrace: packets that match a filter followed hop by hop, one block per packet. */
#include <bpf/libbpf.h>
#include <errno.h>
#include <search.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "core/btf.h"
#include "core/dropreason.h"
#include "core/event.h"
#include "core/log.h"
#include "core/maps.h"
#include "core/net.h"
#include "core/syms.h"
#include "core/tool.h"
#include "skel/pkttrace.skel.h"
#include "tools/pkttrace.h"

/* Hops kept per packet; a packet that loops longer shows how many more it made. */
#define PKT_MAX_HOPS 64

/* --proto: up to two protocol numbers (icmp is ICMP and ICMPv6). */
struct pkt_proto {
	unsigned char a, b;
};

/* A packet being followed, by the number the BPF side gave it. */
struct pkt {
	unsigned long long key;	 /* the BPF side's number */
	unsigned long long num;	 /* ours: 1, 2 ... in the order first seen */
	struct pkt *prev, *next; /* open packets, oldest first */
	struct pkttrace_event *hops;
	unsigned int n, cap, more;
	bool has_flow;
	struct ks_flow flow;
	struct ks_event_hdr who; /* the first hop's task (its ts: the first hop's time) */
};

/* How a packet's block ends when its last hop does not say it. */
enum pkt_end { END_HOP, END_RUNNING, END_EVICTED };

struct pkttrace {
	struct ks_net_opts net;
	struct pkt_proto proto;
	long long count, max_packets;
	/* while running */
	void *tree; /* struct pkt by key (tsearch) */
	struct pkt *oldest, *newest;
	size_t open;
	unsigned long long numbered, done;
	struct ks_syms *syms;
	bool no_qdisc_enq, reasons;
};

static int proto_opt(const char *arg, void *field, char *err, size_t errlen)
{
	struct pkt_proto *p = field;
	long long v;

	if (!strcmp(arg, "icmp")) {
		p->a = 1;
		p->b = 58;
		return 0;
	}
	for (v = 1; v < 256; v++) {
		const char *n = ks_ip_proto_name((int)v);

		if (n && !strcmp(n, arg))
			break;
	}
	if (v == 256 && ks_parse_ll(arg, 1, 255, &v)) {
		snprintf(err, errlen, "'%s' is no protocol: tcp, udp, icmp ... or a number (1-255)",
			 arg);
		return -EINVAL;
	}
	p->a = p->b = (unsigned char)v;
	return 0;
}

static const struct ks_opt opts[] = {
	KS_NETNS_OPT(struct pkttrace, net),
	KS_FAMILY_OPTS(struct pkttrace, net),
	KS_PORT_OPTS(struct pkttrace, net),
	KS_ADDR_OPTS(struct pkttrace, net),
	KS_FUNC(struct pkttrace, proto, "proto", 0, "PROTO",
		"only this protocol: tcp, udp, icmp (v4 and v6), icmpv6, or a number", proto_opt),
	KS_INT(struct pkttrace, count, "count", 0, "N", "stop after N packets", 1, 1LL << 40),
	KS_INT(struct pkttrace, max_packets, "max-packets", 0, "N",
	       "packets followed at once (default 1024); more are counted, not followed", 1,
	       1 << 20),
	{ 0 },
};

/* Hook (program name before "__") and tracepoint of every hop, to switch off absent ones. */
static const struct {
	const char *hook, *tp;
} hooks[] = {
	{ "dev_queue", "net_dev_queue" },
	{ "qdisc_enq", "qdisc_enqueue" },
	{ "qdisc_deq", "qdisc_dequeue" },
	{ "start_xmit", "net_dev_start_xmit" },
	{ "xmit", "net_dev_xmit" },
	{ "rx_entry", "netif_rx_entry" },
	{ "gro_entry", "napi_gro_receive_entry" },
	{ "recv_entry", "netif_receive_skb_entry" },
	{ "list_entry", "netif_receive_skb_list_entry" },
	{ "rx", "netif_rx" },
	{ "receive", "netif_receive_skb" },
	{ "tcp", "tcp_probe" },
	{ "copy", "skb_copy_datagram_iovec" },
	{ "consume", "consume_skb" },
	{ "kfree", "kfree_skb" },
};

static const char *const hop_names[PKT_HOP_NR] = {
	[PKT_HOP_QUEUE] = "net_dev_queue",
	[PKT_HOP_QDISC_ENQ] = "qdisc_enqueue",
	[PKT_HOP_QDISC_DEQ] = "qdisc_dequeue",
	[PKT_HOP_START_XMIT] = "net_dev_start_xmit",
	[PKT_HOP_XMIT] = "net_dev_xmit",
	[PKT_HOP_RX_ENTRY] = "netif_rx_entry",
	[PKT_HOP_GRO_ENTRY] = "napi_gro_receive_entry",
	[PKT_HOP_RECV_ENTRY] = "netif_receive_skb_entry",
	[PKT_HOP_LIST_ENTRY] = "netif_receive_skb_list_entry",
	[PKT_HOP_RX] = "netif_rx",
	[PKT_HOP_RECEIVE] = "netif_receive_skb",
	[PKT_HOP_TCP] = "tcp_probe",
	[PKT_HOP_DELIVERED] = "skb_copy_datagram_iovec",
	[PKT_HOP_CONSUMED] = "consume_skb",
	[PKT_HOP_DROPPED] = "kfree_skb",
};

/* What no tracepoint shows: said in --help, in the meta line and in docs/network-tools.md. */
static const char *const unseen[] = {
	"ip_rcv/ipv6_rcv (IP input, its checks and early demux)",
	"ip_forward/ip6_forward (forwarding decisions)",
	"ip_output/ip6_output (IP output, fragmentation, neighbour resolution)",
	"nf_hook_slow (netfilter hooks: iptables/nftables verdicts other than drops)",
	"fib_lookup (routing)",
	"the enqueue to a socket's receive queue (__udp_enqueue_schedule_skb, tcp_queue_rcv)",
};

static const char *hop_name(unsigned int hop)
{
	return hop < PKT_HOP_NR && hop_names[hop] ? hop_names[hop] : "?";
}

static int pkt_cmp(const void *a, const void *b)
{
	const struct pkt *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static struct pkt *pkt_find(struct pkttrace *st, unsigned long long key)
{
	struct pkt k = { .key = key };
	void *r = tfind(&k, &st->tree, pkt_cmp);

	return r ? *(struct pkt **)r : NULL;
}

static struct pkt *pkt_new(struct pkttrace *st, unsigned long long key)
{
	struct pkt *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->key = key;
	if (!tsearch(p, &st->tree, pkt_cmp)) {
		free(p);
		return NULL;
	}
	p->num = ++st->numbered;
	p->prev = st->newest;
	if (st->newest)
		st->newest->next = p;
	else
		st->oldest = p;
	st->newest = p;
	st->open++;
	return p;
}

static void pkt_free(struct pkttrace *st, struct pkt *p)
{
	tdelete(p, &st->tree, pkt_cmp);
	if (p->prev)
		p->prev->next = p->next;
	else
		st->oldest = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		st->newest = p->prev;
	st->open--;
	free(p->hops);
	free(p);
}

/*
 * Hops in the order they came: the ring keeps the order in which the hops reserved their
 * records, and the hops of one skb follow each other (on one CPU, or handed over to
 * another through a queue), so their times never go back (the tests check it).
 */
static int pkt_add(struct pkt *p, const struct pkttrace_event *e)
{
	if (p->n == PKT_MAX_HOPS) {
		p->more++;
		return 0;
	}
	if (p->n == p->cap) {
		unsigned int cap = p->cap ? p->cap * 2 : 8;
		struct pkttrace_event *h = realloc(p->hops, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		p->hops = h;
		p->cap = cap;
	}
	p->hops[p->n++] = *e;
	return 0;
}

/* Kernel address @addr as "function+0xoff" into @buf; "0x..." when unknown. */
static const char *where(struct pkttrace *st, unsigned long long addr, char *buf, size_t len)
{
	struct ks_sym s;

	if (!st->syms)
		st->syms = ks_syms_new();
	if (st->syms && !ks_syms_kernel(st->syms, addr, &s))
		snprintf(buf, len, "%s+0x%llx", s.name, s.offset);
	else
		snprintf(buf, len, "0x%llx", addr);
	return buf;
}

static const char *end_name(const struct pkttrace_event *last, enum pkt_end how)
{
	if (how == END_RUNNING)
		return "none";
	if (how == END_EVICTED)
		return "evicted";
	switch (last ? last->hop : PKT_HOP_NONE) {
	case PKT_HOP_DELIVERED:
		return "delivered";
	case PKT_HOP_CONSUMED:
		return "consumed";
	case PKT_HOP_DROPPED:
		return "dropped";
	default:
		return "unseen";
	}
}

/* "1.2.3.4:80", "[::1]:80", or the address alone for protocols without ports. */
static const char *endpoint(const struct ks_flow *f, const unsigned char *addr, unsigned short port,
			    char *buf, size_t len)
{
	char a[64];

	ks_addr_str(f->family, addr, a, sizeof(a));
	if (f->proto != 6 && f->proto != 17)
		snprintf(buf, len, "%s", a);
	else if (f->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

static void print_json(struct ks_ctx *c, struct pkt *p, const struct pkttrace_event *end,
		       enum pkt_end how)
{
	struct pkttrace *st = c->state;
	struct ks_json *j = &c->json;
	const struct pkttrace_event *first = p->n ? &p->hops[0] : NULL;
	char buf[128];

	ks_event_json_begin(c, &p->who);
	ks_json_uint(j, "packet", p->num);
	if (p->has_flow)
		ks_flow_json(j, &p->flow, KS_FLOW_PKT);
	else
		ks_json_null(j, "family");
	ks_json_str(j, "end", end_name(end, how));
	if (end && end->hop == PKT_HOP_DROPPED && (end->flags & PKT_F_REASON)) {
		ks_json_str(j, "reason", ks_drop_reason_name(end->reason, buf, sizeof(buf)));
		ks_json_uint(j, "reason_code", end->reason);
	} else if (end && end->hop == PKT_HOP_DROPPED) {
		ks_json_null(j, "reason");
	}
	if (end && (end->flags & PKT_F_LOC))
		ks_json_str(j, "location", where(st, end->location, buf, sizeof(buf)));
	if (end && end->hop == PKT_HOP_DELIVERED) {
		ks_json_uint(j, "reader_pid", end->pid);
		ks_json_uint(j, "reader_tid", end->tid);
		ks_json_strn(j, "reader_comm", end->name, strnlen(end->name, sizeof(end->name)));
	}
	if (first)
		ks_json_uint(j, "duration_ns", p->hops[p->n - 1].hdr.ts - first->hdr.ts);
	ks_json_uint(j, "hops_not_shown", p->more);
	ks_json_arr_begin(j, "hops");
	for (unsigned int i = 0; i < p->n; i++) {
		const struct pkttrace_event *h = &p->hops[i];

		ks_json_obj_begin(j, NULL);
		ks_json_str(j, "hop", hop_name(h->hop));
		ks_json_uint(j, "time_ns", ks_realtime(c, h->hdr.ts));
		ks_json_int(j, "delta_ns", i ? (long long)(h->hdr.ts - p->hops[i - 1].hdr.ts) : 0);
		if (h->dev[0])
			ks_json_strn(j, "dev", h->dev, strnlen(h->dev, sizeof(h->dev)));
		else
			ks_json_null(j, "dev");
		ks_json_uint(j, "ifindex", h->ifindex);
		if (h->netns)
			ks_json_uint(j, "netns", h->netns);
		else
			ks_json_null(j, "netns");
		ks_json_uint(j, "cpu", h->cpu);
		ks_json_uint(j, "len", h->len);
		if (h->hop == PKT_HOP_XMIT)
			ks_json_int(j, "rc", h->rc);
		if (h->hop == PKT_HOP_QDISC_ENQ || h->hop == PKT_HOP_QDISC_DEQ) {
			ks_json_strn(j, "qdisc", h->name, strnlen(h->name, sizeof(h->name)));
			snprintf(buf, sizeof(buf), "%x:%x", h->qhandle >> 16, h->qhandle & 0xffff);
			ks_json_str(j, "handle", buf);
		}
		ks_json_obj_end(j);
	}
	ks_json_arr_end(j);
	ks_json_obj_end(j);
}

/* The DETAIL column of hop @h (after @prev). */
static void hop_detail(struct pkttrace *st, struct ks_line *l, const struct pkttrace_event *h,
		       const struct pkttrace_event *prev)
{
	char buf[128];

	if (prev && prev->netns != h->netns && h->netns) {
		ks_line_str(l, " netns ", 0);
		ks_line_uint(l, h->netns, 0);
	}
	switch (h->hop) {
	case PKT_HOP_XMIT:
		if (h->rc) {
			ks_line_str(l, " rc ", 0);
			ks_line_uint(l, (unsigned int)h->rc, 0);
		}
		break;
	case PKT_HOP_QDISC_ENQ:
	case PKT_HOP_QDISC_DEQ:
		ks_line_char(l, ' ');
		ks_line_text(l, h->name, strnlen(h->name, sizeof(h->name)), 0);
		snprintf(buf, sizeof(buf), " %x:%x", h->qhandle >> 16, h->qhandle & 0xffff);
		ks_line_str(l, buf, 0);
		break;
	case PKT_HOP_DELIVERED:
		ks_line_str(l, " pid ", 0);
		ks_line_uint(l, h->pid, 0);
		ks_line_char(l, ' ');
		ks_line_text(l, h->name, strnlen(h->name, sizeof(h->name)), 0);
		break;
	case PKT_HOP_DROPPED:
		if (h->flags & PKT_F_REASON) {
			ks_line_char(l, ' ');
			ks_line_str(l, ks_drop_reason_name(h->reason, buf, sizeof(buf)), 0);
		}
		/* fall through */
	case PKT_HOP_CONSUMED:
		if (h->flags & PKT_F_LOC) {
			where(st, h->location, buf, sizeof(buf));
			ks_line_str(l, " at ", 0);
			ks_line_text(l, buf, strlen(buf), 0);
		}
		break;
	}
}

static void print_text(struct ks_ctx *c, struct pkt *p, const struct pkttrace_event *end,
		       enum pkt_end how)
{
	struct pkttrace *st = c->state;
	const struct ks_flow *f = &p->flow;
	char a[96], b[96], t[16];
	struct ks_line l;

	fprintf(c->out, "#%llu ", p->num);
	if (c->opt.timestamp && p->n)
		fprintf(c->out, "%s ", ks_fmt_hms(t, sizeof(t), ks_realtime(c, p->hops[0].hdr.ts)));
	if (!p->has_flow)
		fprintf(c->out, "(first hop lost)");
	else if (f->family != AF_INET && f->family != AF_INET6)
		fprintf(c->out, "not IP");
	else if (ks_ip_proto_name(f->proto))
		fprintf(c->out, "%s %s -> %s", ks_ip_proto_name(f->proto),
			endpoint(f, f->saddr, f->sport, a, sizeof(a)),
			endpoint(f, f->daddr, f->dport, b, sizeof(b)));
	else
		fprintf(c->out, "proto %u %s -> %s", f->proto,
			endpoint(f, f->saddr, f->sport, a, sizeof(a)),
			endpoint(f, f->daddr, f->dport, b, sizeof(b)));
	if (p->has_flow && f->netns)
		fprintf(c->out, " netns %u", f->netns);
	fputc('\n', c->out);
	for (unsigned int i = 0; i < p->n; i++) {
		const struct pkttrace_event *h = &p->hops[i], *prev = i ? h - 1 : NULL;

		ks_line_init(&l);
		ks_line_fixed(&l, h->hdr.ts > c->start_ns ? h->hdr.ts - c->start_ns : 0, 9, 6, 12);
		ks_line_char(&l, ' ');
		ks_line_fixed(&l, prev ? h->hdr.ts - prev->hdr.ts : 0, 3, 2, 10);
		ks_line_char(&l, ' ');
		ks_line_str(&l, hop_name(h->hop), -28);
		ks_line_char(&l, ' ');
		ks_line_text(&l, h->dev[0] ? h->dev : "-", h->dev[0] ? strnlen(h->dev, 16) : 1,
			     -15);
		ks_line_char(&l, ' ');
		ks_line_uint(&l, h->len, 6);
		ks_line_char(&l, ' ');
		ks_line_uint(&l, h->cpu, 3);
		hop_detail(st, &l, h, prev);
		ks_line_put(&l, c->out);
	}
	if (p->more)
		fprintf(c->out, "    ... %u more hops not shown\n", p->more);
	fputs("    ", c->out);
	switch (how) {
	case END_RUNNING:
		fputs("no end seen before tracing stopped (in flight, or its end has no "
		      "tracepoint)",
		      c->out);
		break;
	case END_EVICTED:
		fputs("no end seen: more packets were open than kscope keeps (--max-packets)",
		      c->out);
		break;
	case END_HOP:
		if (!end || end->hop == PKT_HOP_UNSEEN) {
			fputs("end not traced: its skb was freed or merged where no tracepoint "
			      "sees "
			      "it, then came back as a new packet",
			      c->out);
			break;
		}
		if (end->hop == PKT_HOP_DELIVERED) {
			fprintf(c->out, "delivered to pid %u (", end->pid);
			ks_text_comm(c->out, end->name, 0);
			fprintf(c->out, "), %u bytes read", end->len);
		} else if (end->hop == PKT_HOP_CONSUMED) {
			fputs("consumed", c->out);
		} else {
			fputs("dropped", c->out);
			if (end->flags & PKT_F_REASON)
				fprintf(c->out, ": %s",
					ks_drop_reason_name(end->reason, a, sizeof(a)));
		}
		if (end->flags & PKT_F_LOC)
			fprintf(c->out, " at %s", where(st, end->location, a, sizeof(a)));
		break;
	}
	if (p->n > 1) {
		ks_line_init(&l);
		ks_line_str(&l, ", ", 0);
		ks_line_fixed(&l, p->hops[p->n - 1].hdr.ts - p->hops[0].hdr.ts, 3, 2, 0);
		ks_line_str(&l, " us from the first hop to the last", 0);
		fwrite(l.buf, 1, l.len, c->out);
	}
	fputs("\n\n", c->out);
}

/* Print packet @p's block (@end: its last hop, if it has one) and forget it. 1: --count done. */
static int pkt_done(struct ks_ctx *c, struct pkt *p, const struct pkttrace_event *end,
		    enum pkt_end how)
{
	struct pkttrace *st = c->state;

	if (c->opt.json)
		print_json(c, p, end, how);
	else
		print_text(c, p, end, how);
	pkt_free(st, p);
	return st->count && ++st->done >= (unsigned long long)st->count;
}

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	struct pkttrace *st = c->state;
	const struct pkttrace_event *e = data;
	struct pkt *p;
	int err;

	/* libbpf goes on through the ring after a positive return: the rest is not wanted */
	if (size < sizeof(*e) || (st->count && st->done >= (unsigned long long)st->count))
		return st->count && st->done >= (unsigned long long)st->count;
	p = pkt_find(st, e->id);
	if (!p && !(p = pkt_new(st, e->id)))
		return -ENOMEM;
	if (e->flags & PKT_F_FIRST) {
		p->flow = e->flow;
		p->has_flow = true;
		p->who = e->hdr;
	} else if (!p->who.ts) {
		p->who.ts = e->hdr.ts; /* its first hop was lost: the task is unknown */
	}
	if (e->hop != PKT_HOP_UNSEEN && (err = pkt_add(p, e)))
		return err;
	if (e->flags & PKT_F_LAST)
		return pkt_done(c, p, e, END_HOP);
	/* ends lost with the ring full would otherwise stay open for good */
	if (st->open > (size_t)st->max_packets * 2)
		return pkt_done(c, st->oldest, NULL, END_EVICTED);
	return 0;
}

/* At the end: the packets still open, then what could not be followed. */
static int on_tick(struct ks_ctx *c, bool last)
{
	struct pkttrace *st = c->state;
	struct bpf_map *m = bpf_object__find_map_by_name(c->obj, "counts");
	unsigned long long full = m ? ks_percpu_sum(bpf_map__fd(m), 1) : 0;

	if (!last || (st->count && st->done >= (unsigned long long)st->count))
		return 0;
	while (st->oldest) {
		if (pkt_done(c, st->oldest, NULL, END_RUNNING))
			break;
	}
	if (full)
		ks_warn("%llu matching packets were not followed: %lld were in flight already "
			"(--max-packets)",
			full, st->max_packets);
	return 0;
}

static void header(struct ks_ctx *c)
{
	fprintf(c->out, "%12s %10s %-28s %-15s %6s %3s %s\n", "TIME(s)", "+US", "HOP", "DEV", "LEN",
		"CPU", "DETAIL");
}

static void meta(struct ks_ctx *c)
{
	const struct pkttrace *st = c->state;
	struct ks_json *j = &c->json;

	if (c->opt.json) {
		ks_json_arr_begin(j, "unseen_hops");
		for (size_t i = 0; i < KS_ARRAY_SIZE(unseen); i++)
			ks_json_str(j, NULL, unseen[i]);
		ks_json_arr_end(j);
		ks_json_arr_begin(j, "missing_hops");
		if (st->no_qdisc_enq)
			ks_json_str(j, NULL, "qdisc_enqueue");
		ks_json_arr_end(j);
		ks_json_bool(j, "drop_reasons", st->reasons);
		return;
	}
	ks_info("not seen without kprobes: %s; %s; %s; %s; %s; %s", unseen[0], unseen[1], unseen[2],
		unseen[3], unseen[4], unseen[5]);
	if (st->no_qdisc_enq)
		ks_info("this kernel has no qdisc_enqueue tracepoint: queueing shows at dequeue");
	if (!st->reasons)
		ks_info("this kernel's kfree_skb gives no drop reason: drops show where only");
}

/* Switch off the hooks whose tracepoint this kernel lacks (qdisc_enqueue before 5.19 ...). */
static int layouts(struct bpf_object *obj)
{
	for (size_t i = 0; i < KS_ARRAY_SIZE(hooks); i++)
		if (ks_btf_tp_args(hooks[i].tp, NULL, 0) == -ENOENT)
			ks_bpf_disable_hook(obj, hooks[i].hook);
	return 0;
}

static int prepare(struct ks_ctx *c)
{
	const struct pkttrace *st = c->state;

	return ks_net_check(c, &st->net);
}

static int configure(struct ks_ctx *c)
{
	struct pkttrace *st = c->state;
	struct pkttrace_bpf *skel = c->skel;
	int n, err;

	err = ks_net_configure(c, &st->net);
	if (err)
		return err;
	skel->rodata->proto_a = st->proto.a;
	skel->rodata->proto_b = st->proto.b;
	n = ks_btf_tp_args("kfree_skb", NULL, 0);
	skel->rodata->kfree_nargs = n > 0 ? n : 2;
	st->reasons = n >= 3;
	n = ks_btf_tp_args("consume_skb", NULL, 0);
	skel->rodata->consume_nargs = n > 0 ? n : 1;
	st->no_qdisc_enq = ks_btf_tp_args("qdisc_enqueue", NULL, 0) == -ENOENT;
	err = bpf_map__set_max_entries(skel->maps.inflight, (__u32)st->max_packets);
	if (err)
		return err;
	/* which task a packet is about costs hooks of its own: only for the task filters */
	if (!ks_common_tasks(&c->opt)) {
		bpf_map__set_max_entries(skel->maps.ks_owners, 1);
		ks_bpf_disable_hook(c->obj, "softirq_in");
		ks_bpf_disable_hook(c->obj, "softirq_out");
		ks_bpf_disable_hook(c->obj, "owner_state");
		ks_bpf_disable_hook(c->obj, "owner_accept");
	}
	return layouts(c->obj);
}

static void finish(struct ks_ctx *c)
{
	struct pkttrace *st = c->state;

	while (st->oldest)
		pkt_free(st, st->oldest);
	ks_syms_free(st->syms);
	st->syms = NULL;
}

KSCOPE_BPF_TOOL(
	pkttrace,
	.summary = "follow packets that match a filter hop by hop through the network stack",
	.usage = "",
	.help = "Follows each packet that matches the filters from the first tracepoint it meets\n"
		"(net_dev_queue on transmit; a driver's entry point, netif_rx or\n"
		"netif_receive_skb on receive) through qdisc_enqueue/dequeue, net_dev_start_xmit,\n"
		"net_dev_xmit, netif_rx, netif_receive_skb, tcp_probe to its end: read by a\n"
		"process (skb_copy_datagram_iovec: delivered), consumed (consume_skb) or dropped\n"
		"(kfree_skb, with the kernel's reason by name and where). One block per packet\n"
		"once it ended: the flow, then a line per hop: the time since tracing started,\n"
		"+US since the previous hop, the device, skb length, CPU and details. Loopback\n"
		"and veth hand the sent skb to the receiving side: its receive hops follow, and\n"
		"netif_rx comes before net_dev_xmit (the driver hands it on, then returns).\n\n"
		"Not seen (no tracepoint; kprobes would be needed): the IP layer (ip_rcv,\n"
		"ip_forward, ip_output), netfilter hooks, routing, the socket receive queue; the\n"
		"meta line (--json) lists them. A packet whose skb ends where no tracepoint sees\n"
		"it (a UDP datagram read on newer kernels, a received pure TCP ACK, a segment\n"
		"merged by GRO) ends 'not traced' once its skb comes back as another packet, or\n"
		"'no end seen' when tracing stops.\n\n"
		"The task filters (-p, -c ...) keep the packets their tasks send: the packet's\n"
		"socket's owner where its TCP connect or accept was seen, else the task running\n"
		"at the first hop outside a softirq. Packets they receive start in a softirq and\n"
		"are left out.\n\n"
		"JSON: one event per packet: the common fields (the task the CPU ran at the\n"
		"first hop: the sender of a packet a process sent), packet (1, 2 ...), the flow\n"
		"(family, saddr, sport, daddr, dport, proto, netns), end (delivered, consumed,\n"
		"dropped, unseen, none, evicted), reason and reason_code (dropped), location\n"
		"(consumed, dropped), reader_pid, reader_tid, reader_comm (delivered),\n"
		"duration_ns, hops_not_shown and hops: [{hop, time_ns, delta_ns, dev, ifindex,\n"
		"netns, cpu, len, rc (net_dev_xmit), qdisc and handle (qdisc hops)}].\n\n"
		"examples:\n"
		"  kscope pkttrace --proto icmp --count 2      the next two ICMP packets\n"
		"  kscope pkttrace --proto udp --port 53       DNS packets through the stack\n"
		"  kscope pkttrace --netns web --json          one namespace's packets, as JSON",
	.opts = opts, KS_STATE(struct pkttrace, .max_packets = 1024),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM, .prepare = prepare,
	.configure = configure, .layouts = layouts, .finish = finish, .meta = meta,
	.loop = {
		.ring = "ks_events", .on_event = on_event, .on_tick = on_tick, .header = header });
