// SPDX-License-Identifier: GPL-2.0-only
/* tcpconnect: trace active TCP opens and how they ended, or count them per destination. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <bpf/libbpf.h>

#include "core/clock.h"
#include "core/errors.h"
#include "core/event.h"
#include "core/log.h"
#include "core/maps.h"
#include "core/net.h"
#include "core/tool.h"
#include "skel/tcpconnect.skel.h"
#include "tools/tcpconnect.h"

struct row {
	struct tcpconnect_key k;
	unsigned long long n;
};

struct tcpconnect {
	struct ks_net_opts net;
	bool count;
	bool before_syn;
	bool lport; /* -L: accepted for BCC's tcpconnect; LPORT is always shown */
	struct row *tab;
	size_t ntab;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct tcpconnect, count, "count", 0,
		"count connects per remote address, port and result instead of tracing each"),
	KS_NOTE('c', "BCC's -c (counting connects) is --count in kscope; -c CGROUP (--cgroup) is "
		     "the cgroup filter, as in every kscope tool"),
	KS_FLAG(struct tcpconnect, before_syn, "before-syn", 0,
		"also connects that fail before any SYN (no route: ENETUNREACH, no local address: "
		"EADDRNOTAVAIL), from connect()'s return"),
	KS_FUNC(struct tcpconnect, net.rport, "rport", 'P', "PORTS",
		"only these remote ports (80,443), as BCC's -P", ks_ports_opt),
	KS_FUNC(struct tcpconnect, net.lport, "lport", 0, "PORTS", "only these local ports",
		ks_ports_opt),
	KS_FUNC(struct tcpconnect, net.port, "port", 0, "PORTS", "only these ports, at either end",
		ks_ports_opt),
	KS_FLAG(struct tcpconnect, lport, "print-lport", 'L',
		"accepted for BCC's tcpconnect: LPORT is always shown"),
	KS_ALIAS('t', "elapsed"),
	KS_REFUSE('d', "is BCC's DNS lookup tracing; kscope tcpconnect has none (its duration "
		       "is --duration)"),
	KS_NETNS_OPT(struct tcpconnect, net),
	KS_FAMILY_OPTS(struct tcpconnect, net),
	KS_ADDR_OPTS(struct tcpconnect, net),
	{ 0 },
};

/* What a connect's end is called: ok, closed, or the errno's name. */
static const char *result_name(int result, int err)
{
	if (result == TCPCONNECT_OK)
		return "ok";
	if (result == TCPCONNECT_CLOSED)
		return "closed";
	return ks_errno_name(err);
}

static const char *const result_json[] = { "ok", "failed", "closed", "no_syn" };

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct tcpconnect_event *e = data;
	struct ks_line l;

	if (size < sizeof(*e) || e->result < 0 || e->result > TCPCONNECT_NOSYN)
		return 0;
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_event_json_begin(c, &e->hdr);
		ks_flow_json(j, &e->flow, KS_FLOW_SOCK);
		ks_json_str(j, "result", result_json[e->result]);
		if (e->err)
			ks_json_str(j, "error", ks_errno_name(e->err));
		else
			ks_json_null(j, "error");
		if (e->result == TCPCONNECT_NOSYN)
			ks_json_null(j, "latency_ns");
		else
			ks_json_uint(j, "latency_ns", e->lat_ns);
		ks_json_obj_end(j);
		return 0;
	}
	ks_sock_event_line(c, &l, &e->hdr, &e->flow);
	ks_line_char(&l, ' ');
	ks_line_str(&l, result_name(e->result, e->err), -12);
	ks_line_char(&l, ' ');
	if (e->result == TCPCONNECT_NOSYN)
		ks_line_char(&l, '-');
	else
		ks_line_fixed(&l, e->lat_ns, 6, 3, 0);
	ks_line_put(&l, c->out);
	return 0;
}

static void header(struct ks_ctx *c)
{
	const struct tcpconnect *st = c->state;

	if (st->count)
		return;
	ks_sock_event_header(c);
	fprintf(c->out, " %-12s %s\n", "RESULT", "MS");
}

/* Most connects first; then by key, so equal rows keep their order from one report to the next. */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return memcmp(&x->k, &y->k, sizeof(x->k));
}

/* The interval's counts (all of them when there is no interval), read and emptied. */
static int collect(struct ks_ctx *c)
{
	struct tcpconnect *st = c->state;
	struct tcpconnect_bpf *skel = c->skel;
	struct ks_map_dump d;
	int n = ks_map_dump(bpf_map__fd(skel->maps.counts), KS_MAP_RESET, &d);
	struct row *tab = NULL;

	st->ntab = 0;
	if (n >= 0 && (d.key_size != sizeof(struct tcpconnect_key) ||
		       d.cpu_value != sizeof(unsigned long long)))
		n = -EINVAL;
	if (n >= 0 && !(tab = realloc(st->tab, (d.n ? d.n : 1) * sizeof(*tab))))
		n = -ENOMEM;
	if (tab)
		st->tab = tab;
	for (size_t i = 0; n >= 0 && i < d.n; i++, st->ntab++) {
		memcpy(&st->tab[i].k, ks_map_dump_key(&d, i), sizeof(st->tab[i].k));
		memcpy(&st->tab[i].n, ks_map_dump_value(&d, i, 0), sizeof(st->tab[i].n));
	}
	ks_map_dump_free(&d);
	if (n < 0) {
		ks_error("cannot read the connect counts: %s", strerror(-n));
		return ks_fail(c, KS_EXIT_FAIL, n);
	}
	qsort(st->tab, st->ntab, sizeof(*st->tab), row_cmp);
	return 0;
}

static void counts_json(struct ks_ctx *c)
{
	const struct tcpconnect *st = c->state;
	struct ks_json *j = &c->json;

	ks_json_obj_begin(j, NULL);
	ks_json_str(j, "type", "tcpconnect");
	ks_json_uint(j, "time_ns", ks_now_realtime());
	ks_json_arr_begin(j, "rows");
	for (size_t i = 0; i < st->ntab; i++) {
		const struct tcpconnect_key *k = &st->tab[i].k;
		char addr[64];

		ks_json_obj_begin(j, NULL);
		ks_json_str(j, "family", ks_family_name(k->family));
		ks_json_str(j, "raddr", ks_addr_str(k->family, k->daddr, addr, sizeof(addr)));
		ks_json_uint(j, "rport", k->dport);
		ks_json_str(j, "result", result_json[k->result]);
		if (k->err)
			ks_json_str(j, "error", ks_errno_name(k->err));
		else
			ks_json_null(j, "error");
		ks_json_uint(j, "count", st->tab[i].n);
		ks_json_obj_end(j);
	}
	ks_json_arr_end(j);
	ks_json_obj_end(j);
}

static void counts_text(struct ks_ctx *c)
{
	const struct tcpconnect *st = c->state;

	if (c->opt.interval > 0 || c->opt.timestamp)
		ks_print_report_time(c->out);
	fprintf(c->out, "%-39s %-5s %-12s %s\n", "RADDR", "RPORT", "RESULT", "CONNECTS");
	for (size_t i = 0; i < st->ntab; i++) {
		const struct tcpconnect_key *k = &st->tab[i].k;
		struct ks_line l;

		ks_line_init(&l);
		ks_line_addr(&l, k->family, k->daddr, -39);
		ks_line_char(&l, ' ');
		ks_line_uint(&l, k->dport, -5);
		ks_line_char(&l, ' ');
		ks_line_str(&l, result_name(k->result, k->err), -12);
		ks_line_char(&l, ' ');
		ks_line_uint(&l, st->tab[i].n, 0);
		ks_line_put(&l, c->out);
	}
	if (c->opt.interval > 0)
		fputc('\n', c->out);
}

/* Connects still in SYN_SENT at the end: their result came after tracing. */
static void pending(struct ks_ctx *c)
{
	struct tcpconnect_bpf *skel = c->skel;
	long long n = (long long)ks_percpu_sum(bpf_map__fd(skel->maps.pending), 0);

	if (n < 0)
		n = 0; /* ended connects whose start came before a reset: none here */
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_json_obj_begin(j, NULL);
		ks_json_str(j, "type", "pending");
		ks_json_str(j, "tool", "tcpconnect");
		ks_json_uint(j, "connects", (unsigned long long)n);
		ks_json_obj_end(j);
	} else if (n) {
		ks_out_flush(c->out);
		ks_warn("%lld connects still in SYN_SENT when tracing ended: their results are not "
			"shown",
			n);
	}
}

static int on_tick(struct ks_ctx *c, bool last)
{
	const struct tcpconnect *st = c->state;
	int err;

	if (st->count) {
		err = collect(c);
		if (err)
			return err;
		if (c->opt.json)
			counts_json(c);
		else
			counts_text(c);
	}
	if (last)
		pending(c);
	return 0;
}

static int prepare(struct ks_ctx *c)
{
	const struct tcpconnect *st = c->state;

	return ks_net_prepare_count(c, st->count);
}

static int configure(struct ks_ctx *c)
{
	const struct tcpconnect *st = c->state;
	struct tcpconnect_bpf *skel = c->skel;

	skel->rodata->count_mode = st->count;
	skel->rodata->nr_connect = SYS_connect;
	if (!st->before_syn) {
		ks_bpf_disable_hook(c->obj, "connect_enter");
		ks_bpf_disable_hook(c->obj, "connect_exit");
	}
	return ks_net_configure(c, &st->net);
}

static void finish(struct ks_ctx *c)
{
	struct tcpconnect *st = c->state;

	free(st->tab);
	st->tab = NULL;
}

KSCOPE_BPF_TOOL(
	tcpconnect, .summary = "trace active TCP opens (connect) and how each ended",
	.usage = "[interval [count]]",
	.help = "One line per connect(), when its handshake ends: the process that called\n"
		"connect(), local address and port (the port is chosen during the\n"
		"connect: hence the line at the end), remote address and port, RESULT (ok; the\n"
		"error: ECONNREFUSED for a reset, ETIMEDOUT when the SYN retries ran out,\n"
		"EHOSTUNREACH or ENETUNREACH for an ICMP error; closed when the caller closed it\n"
		"first) and MS, the time from connect() to the end. Connects still in progress at\n"
		"the end are counted on stderr. With --count, connects are counted per remote\n"
		"address, port and result in the kernel and printed at the end, or every "
		"interval.\n"
		"JSON events add family, proto, netns, result (ok, failed, closed, no_syn), error\n"
		"(errno name or null) and latency_ns.\n\n"
		"examples:\n"
		"  kscope tcpconnect                   every TCP connect and its result\n"
		"  kscope tcpconnect -P 80,443 -p 1234 one process's connects to web ports\n"
		"  kscope tcpconnect --count 5         connects per destination every 5 s\n"
		"  kscope tcpconnect --before-syn      with those that fail before any SYN",
	.opts = opts, KS_STATE(struct tcpconnect),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.prepare = prepare, .configure = configure, .finish = finish,
	.loop = {
		.ring = "ks_events", .on_event = on_event, .on_tick = on_tick, .header = header });
