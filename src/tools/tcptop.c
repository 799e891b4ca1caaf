// SPDX-License-Identifier: GPL-2.0-only
/* tcptop: the flows (processes, cgroups) moving the most TCP bytes, each interval. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/khist.h"
#include "core/net.h"
#include "core/tool.h"
#include "core/top.h"
#include "skel/tcptop.skel.h"
#include "tools/tcptop.h"

enum { SORT_ALL, SORT_SENT, SORT_RECEIVED };

struct tcptop {
	struct ks_top top;
	struct ks_net_opts net;
	int sort;
	bool nosummary;
};

struct row {
	struct tcptop_key k;
	struct tcptop_val v;
};

static int sort_opt(const char *arg, void *field, char *err, size_t errlen)
{
	static const char *const names[] = { "all", "sent", "received" };

	for (size_t i = 0; i < KS_ARRAY_SIZE(names); i++) {
		if (!strcmp(arg, names[i])) {
			*(int *)field = (int)i;
			return 0;
		}
	}
	snprintf(err, errlen, "'%s' is no sort order: all, sent or received", arg);
	return -EINVAL;
}

static const struct ks_opt opts[] = {
	KS_TOP_OPTS(struct tcptop, top),
	KS_FUNC(struct tcptop, sort, "sort", 's', "ORDER",
		"rows by bytes: all (received + sent, the default), sent or received", sort_opt),
	KS_FLAG(struct tcptop, nosummary, "nosummary", 'S', "no loadavg line above each report"),
	KS_NETNS_OPT(struct tcptop, net),
	KS_FAMILY_OPTS(struct tcptop, net),
	KS_PORT_OPTS(struct tcptop, net),
	KS_ADDR_OPTS(struct tcptop, net),
	{ 0 },
};

/* Most bytes first, then the key, so rows with equal counts keep still between reports. */
static int row_cmp_by(const struct row *x, const struct row *y, int sort)
{
	unsigned long long bx =
		(sort != SORT_RECEIVED ? x->v.tx : 0) + (sort != SORT_SENT ? x->v.rx : 0);
	unsigned long long by =
		(sort != SORT_RECEIVED ? y->v.tx : 0) + (sort != SORT_SENT ? y->v.rx : 0);

	if (bx != by)
		return bx < by ? 1 : -1;
	return memcmp(&x->k, &y->k, sizeof(x->k));
}

static int cmp_all(const void *a, const void *b)
{
	return row_cmp_by(a, b, SORT_ALL);
}

static int cmp_sent(const void *a, const void *b)
{
	return row_cmp_by(a, b, SORT_SENT);
}

static int cmp_received(const void *a, const void *b)
{
	return row_cmp_by(a, b, SORT_RECEIVED);
}

static bool by_flow(const struct ks_ctx *c)
{
	return c->opt.by == KS_BY_ALL;
}

static void report_json(struct ks_ctx *c, size_t n, unsigned long long interval_ns)
{
	const struct tcptop *st = c->state;
	struct ks_json *j = &c->json;

	ks_top_json_begin(c, "tcptop", by_flow(c) ? "flow" : NULL, interval_ns);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = ks_top_row(&st->top, i, sizeof(*r));

		ks_json_obj_begin(j, NULL);
		ks_khist_task_json(j, by_flow(c) ? KS_BY_PID : c->opt.by, r->k.who, r->v.comm);
		if (by_flow(c))
			ks_flow_json(j, &r->k.flow, KS_FLOW_SOCK);
		ks_json_uint(j, "rx_bytes", r->v.rx);
		ks_json_uint(j, "tx_bytes", r->v.tx);
		ks_json_obj_end(j);
	}
	ks_top_json_end(c);
}

/* "addr:port", or "[addr]:port" for IPv6. */
static const char *endpoint(int family, const unsigned char *addr, unsigned int port, char *buf,
			    size_t len)
{
	char a[64];

	ks_addr_str(family, addr, a, sizeof(a));
	snprintf(buf, len, family == 10 ? "[%s]:%u" : "%s:%u", a, port);
	return buf;
}

static void report_text(struct ks_ctx *c, size_t n)
{
	const struct tcptop *st = c->state;
	char l[80], r[80];
	int w = 21; /* BCC's width for IPv4; wider when an IPv6 flow needs it */

	ks_top_title(c, &st->top, !st->nosummary);
	for (size_t i = 0; by_flow(c) && i < n; i++) {
		const struct row *x = ks_top_row(&st->top, i, sizeof(*x));

		w = KS_MAX(w, (int)strlen(endpoint(x->k.flow.family, x->k.flow.saddr,
						   x->k.flow.sport, l, sizeof(l))));
		w = KS_MAX(w, (int)strlen(endpoint(x->k.flow.family, x->k.flow.daddr,
						   x->k.flow.dport, r, sizeof(r))));
	}
	ks_top_who_header(c, by_flow(c) ? KS_BY_PID : c->opt.by);
	if (by_flow(c))
		fprintf(c->out, "%-*s %-*s ", w, "LADDR", w, "RADDR");
	fprintf(c->out, "%8s %8s\n", "RX_KB", "TX_KB");
	for (size_t i = 0; i < n; i++) {
		const struct row *x = ks_top_row(&st->top, i, sizeof(*x));
		const struct ks_flow *f = &x->k.flow;

		if (by_flow(c)) {
			ks_top_who_text(c, KS_BY_PID, x->k.who, x->v.comm);
			fprintf(c->out, "%-*s %-*s ", w,
				endpoint(f->family, f->saddr, f->sport, l, sizeof(l)), w,
				endpoint(f->family, f->daddr, f->dport, r, sizeof(r)));
		} else {
			ks_top_who_text(c, c->opt.by, x->k.who, x->v.comm);
		}
		fprintf(c->out, "%8llu %8llu\n", x->v.rx / 1024, x->v.tx / 1024);
	}
	ks_top_end(c, &st->top);
}

static int on_tick(struct ks_ctx *c, bool last)
{
	struct tcptop *st = c->state;
	struct tcptop_bpf *skel = c->skel;
	int (*const cmp[])(const void *, const void *) = { cmp_all, cmp_sent, cmp_received };
	const struct ks_top_fmt fmt = { sizeof(struct row), offsetof(struct row, v), cmp[st->sort],
					report_json, report_text };

	(void)last;
	return ks_top_report(c, &st->top, bpf_map__fd(skel->maps.stats), &fmt);
}

static int prepare(struct ks_ctx *c)
{
	struct tcptop *st = c->state;

	ks_top_prepare(c, &st->top);
	return ks_net_check(c, &st->net);
}

static int configure(struct ks_ctx *c)
{
	const struct tcptop *st = c->state;
	struct tcptop_bpf *skel = c->skel;
	const struct ks_net_opts none = { 0 };

	skel->rodata->by_flow = by_flow(c);
	skel->rodata->need_flow = by_flow(c) || memcmp(&st->net, &none, sizeof(none));
	return ks_net_configure(c, &st->net);
}

static void finish(struct ks_ctx *c)
{
	struct tcptop *st = c->state;

	ks_top_free(&st->top);
}

KSCOPE_BPF_TOOL(
	tcptop, .summary = "top for TCP: the flows, processes or cgroups moving the most bytes",
	.usage = "[interval [count]]",
	.help = "Every interval (default 1 s), one row per flow and process, the most bytes\n"
		"first: the process that sent or received (PID, COMM: the caller of send/recv,\n"
		"write/read ...), the local and remote address and port, and the KB it received\n"
		"(RX_KB: read by the process, not what arrived) and sent (TX_KB: what send\n"
		"accepted) in the interval. -P sums per process instead of per flow, -L per\n"
		"thread, --per-cgroup per cgroup, --pidnss per PID namespace. The task filters\n"
		"select the caller, the flow filters the socket. On a terminal each report\n"
		"redraws the screen (-C: appends). JSON, one line per interval: {\"type\":\n"
		"\"tcptop\",\"time_ns\",\"interval_ns\",\"by\" (\"flow\", \"pid\" ...),\"rows\":\n"
		"[{\"pid\",\"comm\" (or tid, cgroup, pidns), per flow \"family\",\"laddr\",\n"
		"\"lport\",\"raddr\",\"rport\",\"proto\",\"netns\"; "
		"\"rx_bytes\",\"tx_bytes\"}]}.\n\n"
		"examples:\n"
		"  kscope tcptop                       top 20 flows every second until Ctrl-C\n"
		"  kscope tcptop -C -P 5 3             processes, every 5 seconds, 3 times\n"
		"  kscope tcptop --per-cgroup -s sent  the cgroups sending the most\n"
		"  kscope tcptop --rport 443 --json 10 flows to port 443 every 10 s, as JSON",
	.opts = opts, KS_STATE(struct tcptop, .top.rows = -1),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_PER_TASK,
	.prepare = prepare, .configure = configure, .loop = { .on_tick = on_tick },
	.finish = finish);
