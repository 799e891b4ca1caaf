// SPDX-License-Identifier: GPL-2.0-only
/* tcpaccept: trace passive TCP opens with the process that accepted them. */
#include <string.h>

#include "core/event.h"
#include "core/net.h"
#include "core/tool.h"
#include "skel/tcpaccept.skel.h"
#include "tools/tcpaccept.h"

struct tcpaccept {
	struct ks_net_opts net;
};

static const struct ks_opt opts[] = {
	KS_FUNC(struct tcpaccept, net.lport, "lport", 'P', "PORTS",
		"only these local ports (80,443), as BCC's -P", ks_ports_opt),
	KS_FUNC(struct tcpaccept, net.rport, "rport", 0, "PORTS", "only these remote ports",
		ks_ports_opt),
	KS_FUNC(struct tcpaccept, net.port, "port", 0, "PORTS", "only these ports, at either end",
		ks_ports_opt),
	KS_ALIAS('t', "elapsed"),
	KS_NETNS_OPT(struct tcpaccept, net),
	KS_FAMILY_OPTS(struct tcpaccept, net),
	KS_ADDR_OPTS(struct tcpaccept, net),
	{ 0 },
};

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct tcpaccept_event *e = data;
	struct ks_line l;

	if (size < sizeof(*e))
		return 0;
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_event_json_begin(c, &e->hdr);
		ks_flow_json(j, &e->flow, KS_FLOW_SOCK);
		if (e->queued)
			ks_json_uint(j, "queue_ns", e->queue_ns);
		else
			ks_json_null(j, "queue_ns");
		ks_json_obj_end(j);
		return 0;
	}
	ks_sock_event_line(c, &l, &e->hdr, &e->flow);
	ks_line_char(&l, ' ');
	if (e->queued)
		ks_line_fixed(&l, e->queue_ns, 6, 3, 0);
	else
		ks_line_char(&l, '-');
	ks_line_put(&l, c->out);
	return 0;
}

static void header(struct ks_ctx *c)
{
	ks_sock_event_header(c);
	fprintf(c->out, " QUEUE(ms)\n");
}

KSCOPE_BPF_TOOL(
	tcpaccept, .summary = "trace passive TCP opens (accept) with the process that accepted",
	.usage = "",
	.help = "One line per connection accepted through accept() or accept4(): the process\n"
		"that accepted it (not whatever task ran the handshake's softirq), local address\n"
		"and port, remote address and port, and QUEUE(ms), how long the\n"
		"connection waited in its listener's accept queue, from ESTABLISHED to the accept\n"
		"('-' when it was established before tracing began). Accepts made by io_uring or\n"
		"inside the kernel are not seen. JSON events add family, proto, netns and\n"
		"queue_ns (null when unknown).\n\n"
		"examples:\n"
		"  kscope tcpaccept                    every accepted connection\n"
		"  kscope tcpaccept -P 80,443          connections to the web ports\n"
		"  kscope tcpaccept -p 1234 --json     one server's, as JSON lines",
	.opts = opts, KS_STATE(struct tcpaccept),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.prepare = ks_net_prepare, .configure = ks_net_configure_state,
	.loop = { .ring = "ks_events", .on_event = on_event, .header = header });
