// SPDX-License-Identifier: GPL-2.0-only
/* skbdrop: every dropped packet with the kernel's reason, where it was dropped, flow, device. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/btf.h"
#include "core/clock.h"
#include "core/dropreason.h"
#include "core/event.h"
#include "core/log.h"
#include "core/maps.h"
#include "core/net.h"
#include "core/stacks.h"
#include "core/syms.h"
#include "core/tool.h"
#include "shared/stack.h"
#include "skel/skbdrop.skel.h"
#include "tools/skbdrop.h"

struct row {
	struct skbdrop_key k;
	unsigned long long n;
};

struct skbdrop {
	struct ks_net_opts net;
	bool count, stack, list;
	const char *reason_arg;
	unsigned int reasons[SKBDROP_REASONS];
	unsigned int nreasons;
	int nargs; /* kfree_skb's arguments here: 2 (no reason), 3, 4 (+ the receiving socket) */
	struct ks_syms *syms;
	unsigned long long last; /* --count: CLOCK_MONOTONIC of the last report */
	struct row *rows;
	size_t cap;
	unsigned long long ips[KS_STACK_DEPTH];
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct skbdrop, count, "count", 'C',
		"count drops per reason and place instead of printing each (at the end, or every "
		"interval)"),
	KS_FLAG(struct skbdrop, stack, "stack", 's', "the kernel stack of each drop"),
	KS_STR(struct skbdrop, reason_arg, "reason", 'r', "NAME[,NAME]",
	       "only these drop reasons (NO_SOCKET,NETFILTER_DROP ...)"),
	KS_FLAG(struct skbdrop, list, "list-reasons", 0,
		"list this kernel's drop reasons and exit"),
	KS_NETNS_OPT(struct skbdrop, net),
	KS_FAMILY_OPTS(struct skbdrop, net),
	KS_PORT_OPTS(struct skbdrop, net),
	KS_ADDR_OPTS(struct skbdrop, net),
	{ 0 },
};

/* "function+0xoff", "function+0xoff [module]", or the address when kallsyms has no name. */
static const char *place(struct skbdrop *st, unsigned long long a, bool ret, char *buf, size_t len,
			 const char **fn)
{
	struct ks_sym s;

	/* a return address may point just past its function (a call at the end) */
	ks_syms_kernel(st->syms, a - ret, &s);
	*fn = s.name;
	if (!s.name)
		snprintf(buf, len, "0x%llx", a);
	else if (s.module)
		snprintf(buf, len, "%s+0x%llx [%s]", s.name, s.offset + ret, s.module);
	else
		snprintf(buf, len, "%s+0x%llx", s.name, s.offset + ret);
	return buf;
}

/* Frames of a kernel stack below the tracing machinery, one by one, leaf first. */
static void stack_each(struct skbdrop *st, const unsigned long long *ips, unsigned int n,
		       void (*fn)(void *arg, const char *frame), void *arg)
{
	bool top = true;
	char buf[256];

	for (unsigned int i = 0; i < n && ips[i]; i++) {
		struct ks_sym s;
		const char *name;

		ks_syms_kernel(st->syms, ips[i] - (i ? 1 : 0), &s);
		if (top && ks_stack_tracing_frame(&s))
			continue;
		top = false;
		fn(arg, place(st, ips[i], i > 0, buf, sizeof(buf), &name));
	}
}

static void frame_json(void *arg, const char *frame)
{
	ks_json_str(arg, NULL, frame);
}

static void frame_text(void *arg, const char *frame)
{
	fprintf(arg, "        %s\n", frame);
}

static const char *reason_name(const struct skbdrop *st, unsigned int code, char *buf, size_t len)
{
	return st->nargs < 3 ? NULL : ks_drop_reason_name(code, buf, len);
}

static void reason_json(struct ks_json *j, const struct skbdrop *st, unsigned int code)
{
	char buf[64];

	if (st->nargs < 3) {
		ks_json_null(j, "reason");
		ks_json_null(j, "reason_code");
		return;
	}
	ks_json_str(j, "reason", reason_name(st, code, buf, sizeof(buf)));
	ks_json_uint(j, "reason_code", code);
}

static void location_json(struct ks_json *j, struct skbdrop *st, unsigned long long a)
{
	const char *fn;
	char buf[256], hex[24];

	ks_json_str(j, "location", place(st, a, true, buf, sizeof(buf), &fn));
	if (fn)
		ks_json_str(j, "function", fn);
	else
		ks_json_null(j, "function");
	snprintf(hex, sizeof(hex), "0x%llx", a);
	ks_json_str(j, "address", hex); /* a string: JSON numbers lose 64-bit precision */
}

/* The PROTO column: the IP protocol, else the link layer's (ARP ...), "-" for none. */
static const char *proto_label(const struct skbdrop_event *e, char *buf, size_t len)
{
	const char *n;

	if (e->flow.family) {
		n = ks_ip_proto_name(e->flow.proto);
		if (n)
			return n;
		snprintf(buf, len, "%u", e->flow.proto);
		return buf;
	}
	if (e->ethertype == 0x0806)
		return "arp";
	if (!e->ethertype)
		return "-";
	snprintf(buf, len, "0x%04x", e->ethertype);
	return buf;
}

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct skbdrop_event *e = data;
	struct skbdrop *st = c->state;
	const size_t base = offsetof(struct skbdrop_event, stack);
	unsigned int nstack = 0;
	char buf[256], pb[16];
	const char *fn, *r;
	struct ks_line l;

	if (size < base)
		return 0;
	if (e->nstack && size >= sizeof(*e))
		nstack = KS_MIN(e->nstack, (unsigned int)SKBDROP_STACK);
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_event_json_begin(c, &e->hdr);
		ks_json_bool(j, "owner", e->owned);
		reason_json(j, st, e->reason);
		location_json(j, st, e->location);
		ks_flow_json(j, &e->flow, KS_FLOW_PKT);
		ks_json_uint(j, "ethertype", e->ethertype);
		ks_json_uint(j, "len", e->len);
		if (e->ifindex)
			ks_json_uint(j, "ifindex", e->ifindex);
		else
			ks_json_null(j, "ifindex");
		if (e->ifname[0])
			ks_json_strn(j, "ifname", e->ifname, strnlen(e->ifname, sizeof(e->ifname)));
		else
			ks_json_null(j, "ifname");
		if (st->stack) {
			ks_json_arr_begin(j, "stack");
			stack_each(st, e->stack, nstack, frame_json, j);
			ks_json_arr_end(j);
		}
		ks_json_obj_end(j);
		return 0;
	}
	ks_event_text_prefix(c, &e->hdr);
	ks_line_init(&l);
	ks_line_uint(&l, e->hdr.pid, -7);
	ks_line_char(&l, ' ');
	ks_line_text(&l, e->hdr.comm, strnlen(e->hdr.comm, KS_COMM_LEN), -16);
	ks_line_char(&l, ' ');
	if (e->flow.netns)
		ks_line_uint(&l, e->flow.netns, -10);
	else
		ks_line_str(&l, "-", -10);
	ks_line_char(&l, ' ');
	if (e->ifname[0])
		ks_line_text(&l, e->ifname, strnlen(e->ifname, sizeof(e->ifname)), -8);
	else
		ks_line_str(&l, "-", -8);
	ks_line_char(&l, ' ');
	ks_line_str(&l, proto_label(e, pb, sizeof(pb)), -5);
	ks_line_char(&l, ' ');
	ks_line_flow(&l, &e->flow);
	ks_line_char(&l, ' ');
	r = reason_name(st, e->reason, buf, sizeof(buf));
	ks_line_str(&l, r ? r : "-", -22);
	ks_line_char(&l, ' ');
	ks_line_str(&l, place(st, e->location, true, buf, sizeof(buf), &fn), 0);
	ks_line_put(&l, c->out);
	if (st->stack)
		stack_each(st, e->stack, nstack, frame_text, c->out);
	return 0;
}

static void header(struct ks_ctx *c)
{
	const struct skbdrop *st = c->state;

	if (st->count)
		return;
	ks_event_text_header(c);
	fprintf(c->out, "%-7s %-16s %-10s %-8s %-5s %-15s %-5s %-15s %-5s %-22s %s\n", "PID",
		"COMM", "NETNS", "IF", "PROTO", "SADDR", "SPORT", "DADDR", "DPORT", "REASON",
		"LOCATION");
}

/* Most drops first; then by reason and place, so that equal counts keep their order. */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	if (x->k.reason != y->k.reason)
		return x->k.reason < y->k.reason ? -1 : 1;
	if (x->k.location != y->k.location)
		return x->k.location < y->k.location ? -1 : 1;
	return x->k.kstack - y->k.kstack;
}

/* The interval's counts, summed over CPUs, read and emptied; the number of rows or -errno. */
static long collect(struct ks_ctx *c, struct skbdrop *st)
{
	struct skbdrop_bpf *skel = c->skel;
	struct ks_map_dump d;
	long n = ks_map_dump(bpf_map__fd(skel->maps.counts), KS_MAP_RESET, &d);

	if (n >= 0 && (d.key_size != sizeof(struct skbdrop_key) || d.cpu_value != 8))
		n = -EINVAL;
	if (n >= 0 && d.n > st->cap) {
		struct row *r = realloc(st->rows, d.n * sizeof(*r));

		if (r) {
			st->rows = r;
			st->cap = d.n;
		} else {
			n = -ENOMEM;
		}
	}
	for (size_t i = 0; n >= 0 && i < d.n; i++) {
		struct row *r = &st->rows[i];

		memcpy(&r->k, ks_map_dump_key(&d, i), sizeof(r->k));
		r->n = 0;
		for (unsigned int cpu = 0; cpu < d.ncpu; cpu++)
			r->n += *(const unsigned long long *)ks_map_dump_value(&d, i, cpu);
	}
	if (n >= 0)
		n = (long)d.n;
	ks_map_dump_free(&d);
	return n;
}

/* Stack @id of the count map's stacks into st->ips: the number of frames (0: none, lost). */
static unsigned int stack_read(struct ks_ctx *c, struct skbdrop *st, int id)
{
	struct skbdrop_bpf *skel = c->skel;
	unsigned int n = 0;

	memset(st->ips, 0, sizeof(st->ips));
	if (id < 0 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.stacks), &id, st->ips))
		return 0;
	while (n < KS_STACK_DEPTH && st->ips[n])
		n++;
	return n;
}

static void report(struct ks_ctx *c, struct skbdrop *st, size_t n, unsigned long long total,
		   unsigned long long interval_ns)
{
	char buf[256], rb[64];
	const char *fn;

	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_json_obj_begin(j, NULL);
		ks_json_str(j, "type", "drops");
		ks_json_uint(j, "time_ns", ks_now_realtime());
		ks_json_uint(j, "interval_ns", interval_ns);
		ks_json_uint(j, "total", total);
		ks_json_arr_begin(j, "rows");
		for (size_t i = 0; i < n; i++) {
			const struct row *r = &st->rows[i];

			ks_json_obj_begin(j, NULL);
			ks_json_uint(j, "count", r->n);
			reason_json(j, st, r->k.reason);
			location_json(j, st, r->k.location);
			if (st->stack) {
				unsigned int ns = stack_read(c, st, r->k.kstack);

				ks_json_arr_begin(j, "stack");
				stack_each(st, st->ips, ns, frame_json, j);
				ks_json_arr_end(j);
			}
			ks_json_obj_end(j);
		}
		ks_json_arr_end(j);
		ks_json_obj_end(j);
		return;
	}
	if (c->opt.interval > 0 || c->opt.timestamp)
		fprintf(c->out, "%s\n", ks_fmt_hms(buf, sizeof(buf), ks_now_realtime()));
	fprintf(c->out, "%10s %-22s %s\n", "COUNT", "REASON", "LOCATION");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &st->rows[i];
		const char *name = reason_name(st, r->k.reason, rb, sizeof(rb));

		fprintf(c->out, "%10llu %-22s %s\n", r->n, name ? name : "-",
			place(st, r->k.location, true, buf, sizeof(buf), &fn));
		if (st->stack)
			stack_each(st, st->ips, stack_read(c, st, r->k.kstack), frame_text, c->out);
	}
	if (c->opt.interval > 0)
		fputc('\n', c->out);
}

static int on_tick(struct ks_ctx *c, bool last)
{
	struct skbdrop *st = c->state;
	struct skbdrop_bpf *skel = c->skel;
	unsigned long long now = ks_now_mono(), total = 0, full;
	long n;

	if (!st->count)
		return 0;
	n = collect(c, st);
	if (n < 0)
		return n;
	qsort(st->rows, (size_t)n, sizeof(*st->rows), row_cmp);
	for (long i = 0; i < n; i++)
		total += st->rows[i].n;
	/* the summary's "events": the drops counted */
	c->events += total;
	report(c, st, (size_t)n, total, now - (st->last ? st->last : c->start_ns));
	st->last = now;
	if (st->stack) {
		/* each interval's stacks anew: ids the next counts name are made again */
		for (long i = 0; i < n; i++)
			if (st->rows[i].k.kstack >= 0)
				bpf_map_delete_elem(bpf_map__fd(skel->maps.stacks),
						    &st->rows[i].k.kstack);
	}
	full = ks_percpu_sum(bpf_map__fd(skel->maps.counts_full), 0);
	if (last && full)
		ks_warn("%llu drops not counted: the count map was full (%u keys)", full,
			bpf_map__max_entries(skel->maps.counts));
	return 0;
}

static int list_one(unsigned int code, const char *name, void *arg)
{
	struct ks_ctx *c = arg;

	if (c->opt.json) {
		ks_json_obj_begin(&c->json, NULL);
		ks_json_uint(&c->json, "code", code);
		ks_json_str(&c->json, "name", name);
		ks_json_obj_end(&c->json);
	} else {
		fprintf(c->out, "%u %s\n", code, name);
	}
	return 0;
}

/* --reason NAME,...: the codes of this kernel, or the exit code after one message. */
static int parse_reasons(struct skbdrop *st)
{
	char *dup = strdup(st->reason_arg), *save = NULL, *tok;
	int ret = 0;

	if (!dup)
		return KS_EXIT_FAIL;
	for (tok = strtok_r(dup, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		int err;

		if (st->nreasons == SKBDROP_REASONS) {
			ks_error("--reason: more than %d reasons", SKBDROP_REASONS);
			ret = KS_EXIT_USAGE;
			break;
		}
		err = ks_drop_reason_parse(tok, &st->reasons[st->nreasons]);
		if (err == -EOPNOTSUPP || st->nargs < 3) {
			ks_error("--reason %s: drop reasons: not in this kernel (kfree_skb gives "
				 "none before 5.17)",
				 tok);
			ret = KS_EXIT_UNSUPPORTED;
		} else if (err) {
			ks_error("--reason %s: no such drop reason in this kernel (--list-reasons "
				 "lists them)",
				 tok);
			ret = KS_EXIT_USAGE;
		} else {
			st->nreasons++;
		}
	}
	if (!ret && !st->nreasons) {
		ks_error("--reason '%s': no reason named", st->reason_arg);
		ret = KS_EXIT_USAGE;
	}
	free(dup);
	return ret;
}

static int prepare(struct ks_ctx *c)
{
	struct skbdrop *st = c->state;
	const char *types[4];
	int err;

	if (st->list) {
		if (!ks_drop_reasons_known()) {
			ks_error("drop reasons: not in this kernel (its BTF has no enum "
				 "skb_drop_reason: before 5.17)");
			return KS_EXIT_UNSUPPORTED;
		}
		if (c->opt.json)
			ks_json_init(&c->json, c->out);
		ks_drop_reason_foreach(list_one, c);
		return KS_DONE;
	}
	err = ks_net_prepare_count(c, st->count);
	if (err)
		return err;
	/* without kernel BTF the core's start says what is missing, as for every tool */
	st->nargs = ks_btf_check() ? 0 : ks_btf_tp_args("kfree_skb", types, 4);
	if (st->nargs && st->nargs < 2) {
		ks_error(
			"cannot read the arguments of tracepoint kfree_skb from the kernel BTF: %s",
			strerror(st->nargs < 0 ? -st->nargs : EINVAL));
		return KS_EXIT_UNSUPPORTED;
	}
	if (st->reason_arg && (err = parse_reasons(st)))
		return err;
	st->syms = ks_syms_new();
	return st->syms ? 0 : KS_EXIT_FAIL;
}

/* Keep the drop hook of this kernel's kfree_skb (see skbdrop.bpf.c). */
static int layouts(struct bpf_object *obj)
{
	static const char *const hooks[] = { "drop2", "drop3", "drop4" };
	const char *types[4];
	int n = ks_btf_tp_args("kfree_skb", types, 4);

	if (n < 2)
		return n < 0 ? n : -EINVAL;
	for (int i = 0; i < 3; i++)
		if (i + 2 != KS_MIN(n, 4))
			ks_bpf_disable_hook(obj, hooks[i]);
	return 0;
}

static int configure(struct ks_ctx *c)
{
	static const struct ks_net_opts none;
	struct skbdrop *st = c->state;
	struct skbdrop_bpf *skel = c->skel;
	bool who = ks_common_tasks(&c->opt);
	int err = ks_net_configure(c, &st->net);

	if (!err && st->nargs)
		err = layouts(c->obj);
	if (err)
		return err;
	skel->rodata->count_mode = st->count;
	skel->rodata->want_stack = st->stack;
	skel->rodata->need_flow = !st->count || memcmp(&st->net, &none, sizeof(none));
	skel->rodata->nreasons = st->nreasons;
	memcpy((void *)skel->rodata->reasons, st->reasons, sizeof(st->reasons));
	/* what a run does not use gets one entry, or its hooks switched off */
	bpf_map__set_max_entries(skel->maps.counts, st->count ? 10240 : 1);
	bpf_map__set_max_entries(skel->maps.stacks, st->count && st->stack ? 1024 : 1);
	if (!who) {
		bpf_map__set_max_entries(skel->maps.ks_owners, 1);
		ks_bpf_disable_hook(c->obj, "softirq_in");
		ks_bpf_disable_hook(c->obj, "softirq_out");
		ks_bpf_disable_hook(c->obj, "owner_state");
		ks_bpf_disable_hook(c->obj, "owner_accept");
	}
	return 0;
}

static void meta(struct ks_ctx *c)
{
	const struct skbdrop *st = c->state;

	if (c->opt.json) {
		ks_json_uint(&c->json, "drop_reasons", st->nargs >= 3 ? ks_drop_reason_max() : 0);
		if (st->nargs < 3)
			ks_json_str(&c->json, "note", "drop reasons: not in this kernel");
	} else if (st->nargs < 3) {
		fprintf(stderr, "kscope: %s: drop reasons: not in this kernel (location only)\n",
			c->tool->name);
	}
}

static void finish(struct ks_ctx *c)
{
	struct skbdrop *st = c->state;

	ks_syms_free(st->syms);
	st->syms = NULL;
	free(st->rows);
	st->rows = NULL;
}

KSCOPE_BPF_TOOL(
	skbdrop, .summary = "every dropped packet with the kernel's drop reason, place and flow",
	.usage = "[interval [count]]",
	.help = "One line per packet the kernel drops (tracepoint kfree_skb): the task it ran\n"
		"in, the network namespace (inode number), the interface, the protocol,\n"
		"source and destination address and port where the packet is IPv4 or IPv6,\n"
		"the drop REASON by the running kernel's name for it (5.17 and later; '-'\n"
		"before) and the LOCATION in the kernel that dropped it (function+offset).\n"
		"-s adds each drop's kernel stack. -C counts drops per reason and location\n"
		"instead, printed at the end or every interval, most first. The task filters\n"
		"(-p, -c ...) select the socket's owner where its connect or accept was seen,\n"
		"else the task the drop ran in, but never a drop in a softirq (most of the\n"
		"receive path), whose task has nothing to do with the packet.\n\n"
		"examples:\n"
		"  kscope skbdrop                            every drop\n"
		"  kscope skbdrop -C 5                       counts every 5 seconds\n"
		"  kscope skbdrop --netns web -r NO_SOCKET   one namespace, one reason\n"
		"  kscope skbdrop -s --port 443 --json       drops of port 443 with stacks",
	.opts = opts, KS_STATE(struct skbdrop),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.prepare = prepare, .configure = configure, .layouts = layouts, .meta = meta,
	.loop = { .ring = "ks_events", .on_event = on_event, .on_tick = on_tick, .header = header },
	.finish = finish);
