// SPDX-License-Identifier: GPL-2.0-only
/* tcpstates: trace TCP state changes with the flow, the owner and the time in each state. */
#include "core/event.h"
#include "core/net.h"
#include "core/tool.h"
#include "skel/tcpstates.skel.h"
#include "tools/tcpstates.h"

struct tcpstates {
	struct ks_net_opts net;
};

static const struct ks_opt opts[] = {
	KS_SOCK_EVENT_OPTS(struct tcpstates, net, tcpstates),
	KS_REFUSE('Y', "is BCC's journald output; kscope tcpstates writes to stdout (--json)"),
	{ 0 },
};

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct tcpstates_event *e = data;
	struct ks_line l;

	if (size < sizeof(*e))
		return 0;
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_sock_event_json(c, &e->hdr, e->owned, &e->flow, e->skaddr);
		ks_json_str(j, "oldstate", ks_tcp_state_name(e->oldstate));
		ks_json_str(j, "newstate", ks_tcp_state_name(e->newstate));
		if (e->prev_ns)
			ks_json_uint(j, "prev_ns", e->prev_ns);
		else
			ks_json_null(j, "prev_ns");
		ks_json_obj_end(j);
		return 0;
	}
	ks_sock_event_line_w(c, &l, &e->hdr, &e->flow, ks_net_addr_width(c));
	ks_line_char(&l, ' ');
	ks_line_str(&l, ks_tcp_state_name(e->oldstate), -11);
	ks_line_str(&l, " -> ", 0);
	ks_line_str(&l, ks_tcp_state_name(e->newstate), -11);
	ks_line_char(&l, ' ');
	if (e->prev_ns)
		ks_line_fixed(&l, e->prev_ns, 6, 3, 0);
	else
		ks_line_char(&l, '-');
	ks_line_put(&l, c->out);
	return 0;
}

static void header(struct ks_ctx *c)
{
	ks_event_text_header(c);
	ks_sock_event_header_w(c, ks_net_addr_width(c));
	fprintf(c->out, " %-11s    %-11s %s\n", "OLDSTATE", "NEWSTATE", "MS");
}

KSCOPE_BPF_TOOL(
	tcpstates, .summary = "trace TCP state changes with the time spent in each state",
	.usage = "",
	.help = "One line per state change of a TCP socket: the process that owns it (the one\n"
		"that connected it, or that listens: a listener's children are its own until\n"
		"accepted, then the accepting process's; else whatever task ran the change, often\n"
		"a softirq's), local and remote address and port, the old and new state, and MS,\n"
		"the time spent in the old state ('-' when it began before tracing). At\n"
		"CLOSE -> SYN_SENT an unbound socket's local port is 0: connect() picks it after.\n"
		"The task filters (-p, -c ...) select the owner. JSON events add family, proto,\n"
		"netns (inode number), skaddr, owner (true when the process is the socket's\n"
		"owner), oldstate, newstate and prev_ns (null when unknown).\n\n"
		"examples:\n"
		"  kscope tcpstates                    every TCP state change\n"
		"  kscope tcpstates -D 80,443          connections to web ports\n"
		"  kscope tcpstates --netns web --json one namespace's, as JSON lines",
	.opts = opts, KS_STATE(struct tcpstates),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.prepare = ks_net_prepare, .configure = ks_net_configure_state,
	.loop = { .ring = "ks_events", .on_event = on_event, .header = header });
