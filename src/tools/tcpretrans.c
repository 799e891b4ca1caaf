// SPDX-License-Identifier: GPL-2.0-only
/* tcpretrans: trace TCP retransmissions with flow, states and reason, or count them per flow. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/btf.h"
#include "core/clock.h"
#include "core/errors.h"
#include "core/event.h"
#include "core/log.h"
#include "core/maps.h"
#include "core/net.h"
#include "core/tool.h"
#include "skel/tcpretrans.skel.h"
#include "tools/tcpretrans.h"

struct row {
	const struct tcpretrans_key *k;
	const struct tcpretrans_stat *s;
};

struct tcpretrans {
	struct ks_net_opts net;
	bool count, sequence;
	unsigned long long last; /* --count: CLOCK_MONOTONIC of the last report (or the attach) */
	struct ks_map_dump dump; /* --count: the last report's entries */
	struct row *tab;
	size_t ntab;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct tcpretrans, count, "count", 0,
		"count per flow and TCP state instead of tracing (-c is the cgroup filter)"),
	KS_FLAG(struct tcpretrans, sequence, "sequence", 's',
		"SEQ and LEN columns: the sequence space sent again"),
	KS_NETNS_OPT(struct tcpretrans, net),
	KS_FAMILY_OPTS(struct tcpretrans, net),
	KS_PORT_OPTS(struct tcpretrans, net),
	KS_ADDR_OPTS(struct tcpretrans, net),
	KS_REFUSE('l', "is BCC's tail loss probes: kscope tcpretrans always shows the probes that "
		       "retransmit (reason tlp)"),
	KS_NOTE('c', "BCC's -c (counting retransmits per flow) is --count in kscope; -c CGROUP "
		     "(--cgroup) is "
		     "the cgroup filter, as in every kscope tool"),
	{ 0 },
};

static const char *ca_name(unsigned int ca)
{
	static const char *const names[] = { "Open", "Disorder", "CWR", "Recovery", "Loss" };

	return ca < KS_ARRAY_SIZE(names) ? names[ca] : NULL;
}

/* Why it was sent again, as far as the sender's state tells: see the help text. */
static const char *reason(const struct tcpretrans_event *e)
{
	static const char *const names[] = { "open", "disorder", "cwr", "recovery", "loss" };

	if (e->kind == TCPRETRANS_SYNACK)
		return "synack";
	if (e->tlp)
		return "tlp";
	return e->ca_state < KS_ARRAY_SIZE(names) ? names[e->ca_state] : "?";
}

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct tcpretrans *st = c->state;
	const struct tcpretrans_event *e = data;
	struct ks_line l;

	if (size < sizeof(*e))
		return 0;
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_sock_event_json(c, &e->hdr, e->owned, &e->flow, e->skaddr);
		ks_json_str(j, "kind", e->kind == TCPRETRANS_SYNACK ? "synack" : "segment");
		ks_json_str(j, "state", ks_tcp_state_name(e->state));
		if (ca_name(e->ca_state))
			ks_json_str(j, "ca_state", ca_name(e->ca_state));
		else
			ks_json_null(j, "ca_state");
		ks_json_str(j, "reason", reason(e));
		ks_json_bool(j, "tlp", e->tlp);
		ks_json_uint(j, "seq", e->seq);
		ks_json_uint(j, "len", e->len);
		ks_json_uint(j, "segs", e->segs);
		ks_json_int(j, "err", e->err);
		if (e->err)
			ks_json_str(j, "error", ks_errno_name(e->err));
		else
			ks_json_null(j, "error");
		ks_json_obj_end(j);
		return 0;
	}
	ks_sock_event_line(c, &l, &e->hdr, &e->flow);
	ks_line_char(&l, ' ');
	ks_line_str(&l, ks_tcp_state_name(e->state), -11);
	ks_line_char(&l, ' ');
	ks_line_str(&l, reason(e), -8);
	ks_line_char(&l, ' ');
	ks_line_uint(&l, e->segs, 4);
	if (st->sequence) {
		ks_line_char(&l, ' ');
		ks_line_uint(&l, e->seq, 10);
		ks_line_char(&l, ' ');
		ks_line_uint(&l, e->len, 6);
	}
	ks_line_char(&l, ' ');
	ks_line_str(&l, e->err ? ks_errno_name(e->err) : "sent", 0);
	ks_line_put(&l, c->out);
	return 0;
}

static void header(struct ks_ctx *c)
{
	const struct tcpretrans *st = c->state;

	if (st->count)
		return;
	ks_event_text_header(c);
	ks_sock_event_header(c);
	fprintf(c->out, " %-11s %-8s %4s", "STATE", "REASON", "SEGS");
	if (st->sequence)
		fprintf(c->out, " %10s %6s", "SEQ", "LEN");
	fprintf(c->out, " %s\n", "RESULT");
}

/* --count: the interval's rows, read and emptied; st->tab points into st->dump. */
static int collect(struct ks_ctx *c)
{
	struct tcpretrans *st = c->state;
	struct tcpretrans_bpf *skel = c->skel;
	struct row *tab;
	int n;

	st->ntab = 0;
	ks_map_dump_free(&st->dump);
	n = ks_map_dump(bpf_map__fd(skel->maps.counts), KS_MAP_RESET, &st->dump);
	if (n < 0)
		return n;
	if (st->dump.key_size != sizeof(struct tcpretrans_key) ||
	    st->dump.cpu_value != sizeof(struct tcpretrans_stat))
		return -EINVAL;
	tab = realloc(st->tab, (st->dump.n ? st->dump.n : 1) * sizeof(*tab));
	if (!tab)
		return -ENOMEM;
	st->tab = tab;
	for (; st->ntab < st->dump.n; st->ntab++) {
		tab[st->ntab].k = ks_map_dump_key(&st->dump, st->ntab);
		tab[st->ntab].s = ks_map_dump_value(&st->dump, st->ntab, 0);
	}
	return 0;
}

/* Most segments first, then tries; then the key, so equal rows keep their order. */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->s->segs != y->s->segs)
		return x->s->segs < y->s->segs ? 1 : -1;
	if (x->s->sent + x->s->failed != y->s->sent + y->s->failed)
		return x->s->sent + x->s->failed < y->s->sent + y->s->failed ? 1 : -1;
	return memcmp(x->k, y->k, sizeof(*x->k));
}

static void report_json(struct ks_ctx *c, unsigned long long interval_ns)
{
	const struct tcpretrans *st = c->state;
	struct ks_json *j = &c->json;

	ks_json_obj_begin(j, NULL);
	ks_json_str(j, "type", "counts");
	ks_json_uint(j, "time_ns", ks_now_realtime());
	ks_json_uint(j, "interval_ns", interval_ns);
	ks_json_arr_begin(j, "rows");
	for (size_t i = 0; i < st->ntab; i++) {
		const struct row *r = &st->tab[i];

		ks_json_obj_begin(j, NULL);
		ks_flow_json(j, &r->k->flow, KS_FLOW_SOCK);
		ks_json_str(j, "state", ks_tcp_state_name((int)r->k->state));
		ks_json_uint(j, "retransmits", r->s->sent);
		ks_json_uint(j, "segs", r->s->segs);
		ks_json_uint(j, "loss", r->s->loss);
		ks_json_uint(j, "recovery", r->s->recovery);
		ks_json_uint(j, "tlp", r->s->tlp);
		ks_json_uint(j, "synack", r->s->synack);
		ks_json_uint(j, "failed", r->s->failed);
		ks_json_uint(j, "pid", r->s->pid);
		ks_json_strn(j, "comm", r->s->comm, strnlen(r->s->comm, sizeof(r->s->comm)));
		ks_json_obj_end(j);
	}
	ks_json_arr_end(j);
	ks_json_obj_end(j);
}

static void report_text(struct ks_ctx *c, bool last)
{
	const struct tcpretrans *st = c->state;
	struct ks_line l;

	if (c->opt.interval > 0 || c->opt.timestamp)
		ks_print_report_time(c->out);
	ks_line_flow_header(c->out);
	fprintf(c->out, " %-11s %7s %7s %6s %6s %6s %6s %6s %-7s %s\n", "STATE", "RETRANS", "SEGS",
		"LOSS", "RECOV", "TLP", "SYNACK", "FAILED", "PID", "COMM");
	for (size_t i = 0; i < st->ntab; i++) {
		const struct row *r = &st->tab[i];
		const unsigned long long cols[] = { r->s->sent,	    r->s->segs, r->s->loss,
						    r->s->recovery, r->s->tlp,	r->s->synack,
						    r->s->failed };

		ks_line_init(&l);
		ks_line_flow(&l, &r->k->flow);
		ks_line_char(&l, ' ');
		ks_line_str(&l, ks_tcp_state_name((int)r->k->state), -11);
		for (size_t k = 0; k < KS_ARRAY_SIZE(cols); k++) {
			ks_line_char(&l, ' ');
			ks_line_uint(&l, cols[k], k < 2 ? 7 : 6);
		}
		ks_line_char(&l, ' ');
		ks_line_uint(&l, r->s->pid, -7);
		ks_line_char(&l, ' ');
		ks_line_text(&l, r->s->comm, strnlen(r->s->comm, sizeof(r->s->comm)), 0);
		ks_line_put(&l, c->out);
	}
	if (!last || c->opt.interval > 0)
		fputc('\n', c->out);
}

static int on_tick(struct ks_ctx *c, bool last)
{
	struct tcpretrans *st = c->state;
	unsigned long long now = ks_now_mono(), interval_ns;
	int err;

	if (!st->count)
		return 0;
	err = collect(c);
	if (err)
		return err;
	interval_ns = now - (st->last ? st->last : c->start_ns);
	st->last = now;
	if (st->ntab > 1)
		qsort(st->tab, st->ntab, sizeof(*st->tab), row_cmp);
	if (c->opt.json)
		report_json(c, interval_ns);
	else
		report_text(c, last);
	return 0;
}

/*
 * 6.17 gave tcp_retransmit_skb an err argument, and traces failed tries with it: keep the
 * hook of this kernel's layout.
 */
static int layouts(struct bpf_object *obj)
{
	const char *types[3];

	ks_bpf_disable_hook(obj,
			    ks_btf_tp_args("tcp_retransmit_skb", types, 3) >= 3 ? "rtx" : "rtxe");
	return 0;
}

static int prepare(struct ks_ctx *c)
{
	const struct tcpretrans *st = c->state;

	return ks_net_prepare_count(c, st->count);
}

static int configure(struct ks_ctx *c)
{
	const struct tcpretrans *st = c->state;
	struct tcpretrans_bpf *skel = c->skel;
	int err;

	skel->rodata->count_mode = st->count;
	/* the other mode's store is never written: the smallest the kernel takes */
	if (st->count)
		err = bpf_map__set_max_entries(skel->maps.ks_events, 4096);
	else
		err = bpf_map__set_max_entries(skel->maps.counts, 1);
	if (!err)
		err = layouts(c->obj);
	return err ? err : ks_net_configure(c, &st->net);
}

static void finish(struct ks_ctx *c)
{
	struct tcpretrans *st = c->state;

	free(st->tab);
	st->tab = NULL;
	ks_map_dump_free(&st->dump);
}

KSCOPE_BPF_TOOL(
	tcpretrans,
	.summary =
		"trace TCP retransmissions with flow, TCP and congestion state; --count per flow",
	.usage = "[interval [count]]",
	.help = "One line per retransmission: the process that owns the socket (the one that\n"
		"connected or accepted it while tracing; else whatever task ran the send, often\n"
		"a timer's or a softirq's), local and remote address and port, the TCP state,\n"
		"REASON, SEGS (segments sent again, what TcpRetransSegs counts) and RESULT. "
		"REASON\n"
		"is the sender's congestion state: loss (after a retransmission timeout), "
		"recovery\n"
		"(fast retransmit), tlp (a tail loss probe: the timer's probe in the Open state),\n"
		"open, disorder or cwr; synack is a listener's SYN-ACK sent again. RESULT is "
		"sent,\n"
		"or the errno of a try the kernel gave up (kernels from 6.17 trace those; older\n"
		"ones trace sent retransmissions only). --count: a table per flow and state at "
		"the\n"
		"end (or every interval): RETRANS sent, their SEGS, how many of them were LOSS,\n"
		"RECOV, TLP and SYNACK, the FAILED tries, and the last owner. The task filters\n"
		"(-p, -c ...) select the owner. JSON events add family, proto, netns, skaddr,\n"
		"owner, kind (segment, synack), state, ca_state, reason, tlp, seq, len, segs, err\n"
		"and error; --count's JSON reports: "
		"{\"type\":\"counts\",\"time_ns\",\"interval_ns\",\n"
		"\"rows\":[{flow..., \"state\", \"retransmits\", \"segs\", \"loss\", "
		"\"recovery\",\n"
		"\"tlp\", \"synack\", \"failed\", \"pid\", \"comm\"}]}.\n\n"
		"examples:\n"
		"  kscope tcpretrans                   every retransmission\n"
		"  kscope tcpretrans --rport 443 -s    to port 443, with sequence numbers\n"
		"  kscope tcpretrans --count 10        per flow, every 10 seconds\n"
		"  kscope tcpretrans --netns web --json one namespace's, as JSON lines",
	.opts = opts, KS_STATE(struct tcpretrans),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.prepare = prepare, .configure = configure, .layouts = layouts, .finish = finish,
	.loop = {
		.ring = "ks_events", .on_event = on_event, .on_tick = on_tick, .header = header });
