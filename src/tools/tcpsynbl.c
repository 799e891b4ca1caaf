// SPDX-License-Identifier: GPL-2.0-only
/* tcpsynbl: accept queue length of listening TCP sockets against their backlog, overflows. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/btf.h"
#include "core/hist.h"
#include "core/net.h"
#include "core/probe.h"
#include "core/tool.h"
#include "core/top.h"
#include "skel/tcpsynbl.skel.h"
#include "tools/tcpsynbl.h"

struct tcpsynbl {
	struct ks_top top; /* the rows of a report; no -C or -r */
	struct ks_net_opts net;
};

struct row {
	struct tcpsynbl_key k;
	struct tcpsynbl_val v;
};

static const struct ks_opt opts[] = {
	KS_NETNS_OPT(struct tcpsynbl, net),
	KS_FAMILY_OPTS(struct tcpsynbl, net),
	KS_FUNC(struct tcpsynbl, net.lport, "lport", 0, "PORTS",
		"only listeners on these ports (80,443)", ks_ports_opt),
	KS_FUNC(struct tcpsynbl, net.laddr, "laddr", 0, "ADDR",
		"only listeners bound to this address or prefix", ks_addr_opt),
	{ 0 },
};

/* Overflows first, then the longest queue, then the key: the listeners in trouble on top. */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->v.overflows != y->v.overflows)
		return x->v.overflows < y->v.overflows ? 1 : -1;
	if (x->v.peak != y->v.peak)
		return x->v.peak < y->v.peak ? 1 : -1;
	return memcmp(&x->k, &y->k, sizeof(x->k));
}

static void report_json(struct ks_ctx *c, size_t n, unsigned long long interval_ns)
{
	const struct tcpsynbl *st = c->state;
	struct ks_json *j = &c->json;

	ks_top_json_begin(c, "tcpsynbl", "listener", interval_ns);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = ks_top_row(&st->top, i, sizeof(*r));

		ks_json_obj_begin(j, NULL);
		ks_json_str(j, "family", ks_family_name(r->k.family));
		ks_json_str(j, "laddr", ks_addr_str(r->k.family, r->k.addr, (char[64]){ 0 }, 64));
		ks_json_uint(j, "lport", r->k.port);
		ks_json_uint(j, "netns", r->k.netns);
		ks_json_uint(j, "limit", r->v.limit);
		ks_json_uint(j, "samples", r->v.h.count);
		ks_json_uint(j, "peak", r->v.peak);
		ks_json_uint(j, "overflows", r->v.overflows);
		ks_hist_json_log2(j, "hist", r->v.h.slots, KS_HIST_SLOTS, "backlog");
		ks_json_obj_end(j);
	}
	ks_top_json_end(c);
}

static void report_text(struct ks_ctx *c, size_t n)
{
	const struct tcpsynbl *st = c->state;

	if (c->opt.interval > 0 || c->opt.timestamp)
		ks_print_report_time(c->out);
	if (!n)
		fprintf(c->out, "no connection completed or dropped at a listener\n");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = ks_top_row(&st->top, i, sizeof(*r));
		char a[64];

		ks_addr_str(r->k.family, r->k.addr, a, sizeof(a));
		fprintf(c->out,
			"listener %s%s%s:%u netns %u: backlog_max = %llu, %llu connections, "
			"peak %llu, %llu overflows\n",
			r->k.family == 10 ? "[" : "", a, r->k.family == 10 ? "]" : "", r->k.port,
			r->k.netns, r->v.limit, r->v.h.count, r->v.peak, r->v.overflows);
		ks_hist_print_log2(c->out, r->v.h.slots, KS_HIST_SLOTS, "backlog");
	}
	fputc('\n', c->out);
}

static int on_tick(struct ks_ctx *c, bool last)
{
	struct tcpsynbl *st = c->state;
	struct tcpsynbl_bpf *skel = c->skel;
	const struct ks_top_fmt fmt = { sizeof(struct row), offsetof(struct row, v), row_cmp,
					report_json, report_text };

	(void)last;
	return ks_top_report(c, &st->top, bpf_map__fd(skel->maps.stats), &fmt);
}

static int prepare(struct ks_ctx *c)
{
	const struct tcpsynbl *st = c->state;

	return ks_net_check(c, &st->net);
}

/* Where the function @name starts and the next one (by address) starts, from kallsyms. */
static int ksym_range(const char *name, unsigned long long *lo, unsigned long long *hi)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long a, start = 0, next = ~0ULL;
	char type, sym[256], line[512];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &a, &type, sym) != 3)
			continue;
		if (!start && !strcmp(sym, name))
			start = a;
		else if (a && (type == 't' || type == 'T') && a < next && (!start || a > start))
			next = a;
	}
	fclose(f);
	/* a candidate taken before the start was found may lie below it: scan once more */
	if (start && next <= start) {
		next = ~0ULL;
		f = fopen("/proc/kallsyms", "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "%llx %c %255s", &a, &type, sym) == 3 && a > start &&
			    a < next && (type == 't' || type == 'T'))
				next = a;
		if (f)
			fclose(f);
	}
	if (!start || next == ~0ULL)
		return -ENOENT;
	*lo = start;
	*hi = next;
	return 0;
}

static int find_reason(const char *name, long long value, void *arg)
{
	if (strcmp(name, "SKB_DROP_REASON_TCP_LISTEN_OVERFLOW"))
		return 0;
	*(unsigned int *)arg = (unsigned int)value;
	return 1;
}

static int configure(struct ks_ctx *c)
{
	const struct tcpsynbl *st = c->state;
	struct tcpsynbl_bpf *skel = c->skel;
	const char *types[4];
	unsigned int reason = 0;
	unsigned long long lo = 0, hi = 0;
	bool fentry = !ks_feature_probe(KS_FEAT_FENTRY);

	skel->rodata->task_filter =
		c->opt.pid || c->opt.tid || c->opt.has_uid || c->opt.comm[0] || c->opt.cgroup;
	/*
	 * The tracepoint variants need consume_skb's caller (6.3+) and kfree_skb's
	 * TCP_LISTEN_OVERFLOW (6.15+); without them, and without fentry, the overflows of
	 * that kind are not counted (the hook is left out rather than failing the tool).
	 */
	if (ks_btf_tp_args("consume_skb", types, 2) < 2 ||
	    ksym_range("tcp_rcv_state_process", &lo, &hi)) {
		ks_bpf_disable_hook(c->obj, "syn");
		if (fentry)
			bpf_program__set_autoload(skel->progs.syn__fentry, true);
	}
	skel->rodata->rcv_state_lo = lo;
	skel->rodata->rcv_state_hi = hi;
	ks_btf_enum_foreach("skb_drop_reason", find_reason, &reason);
	if (!reason || ks_btf_tp_args("kfree_skb", types, 3) < 3) {
		ks_bpf_disable_hook(c->obj, "ack");
		if (fentry) {
			bpf_program__set_autoload(skel->progs.ack__fentry, true);
			bpf_program__set_autoload(skel->progs.ack__fentry6, true);
		}
	}
	skel->rodata->overflow_reason = reason;
	return ks_net_configure(c, &st->net);
}

static void finish(struct ks_ctx *c)
{
	struct tcpsynbl *st = c->state;

	ks_top_free(&st->top);
}

KSCOPE_BPF_TOOL(
	tcpsynbl,
	.summary = "accept queue length of listening TCP sockets against their backlog, overflows",
	.usage = "[interval [count]]",
	.help = "For each listening socket (address, port, network namespace): backlog_max,\n"
		"the backlog listen() asked for (as the kernel capped it); a histogram of its\n"
		"accept queue's length each time a connection completed (the moment BCC's\n"
		"tcpsynbl samples); the longest; and the overflows: SYNs and handshakes the\n"
		"kernel dropped because the queue was full (TcpExtListenOverflows). The queue\n"
		"holds backlog_max + 1 connections. At the end, or every interval. The task\n"
		"filters select the process that called listen() while tracing. JSON, one line\n"
		"per report: "
		"{\"type\":\"tcpsynbl\",\"time_ns\",\"interval_ns\",\"by\":\"listener\",\n"
		"\"rows\":[{\"family\",\"laddr\",\"lport\",\"netns\",\"limit\",\"samples\","
		"\"peak\",\n"
		"\"overflows\",\"hist\"}]}.\n\n"
		"examples:\n"
		"  kscope tcpsynbl                     until Ctrl-C\n"
		"  kscope tcpsynbl --lport 80,443 10   web listeners, every 10 seconds\n"
		"  kscope tcpsynbl --netns web --json  one namespace's, as JSON",
	.opts = opts, KS_STATE(struct tcpsynbl),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM,
	.prepare = prepare, .configure = configure, .loop = { .on_tick = on_tick },
	.finish = finish);
