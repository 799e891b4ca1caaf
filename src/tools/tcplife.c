// SPDX-License-Identifier: GPL-2.0-only
/* tcplife: one line per TCP connection at its close: owner, flow, bytes, lifetime. */
#include "core/event.h"
#include "core/net.h"
#include "core/tool.h"
#include "skel/tcplife.skel.h"
#include "tools/tcplife.h"

struct tcplife {
	struct ks_net_opts net;
};

static const struct ks_opt opts[] = {
	KS_SOCK_EVENT_OPTS(struct tcplife, net, tcplife),
	{ 0 },
};

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct tcplife_event *e = data;
	int aw = ks_net_addr_width(c);
	struct ks_line l;

	if (size < sizeof(*e))
		return 0;
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_sock_event_json(c, &e->hdr, e->owned, &e->flow, e->skaddr);
		ks_json_str(j, "open", e->active ? "active" : "passive");
		ks_json_uint(j, "tx_bytes", e->tx_bytes);
		ks_json_uint(j, "rx_bytes", e->rx_bytes);
		ks_json_uint(j, "duration_ns", e->duration_ns);
		ks_json_str(j, "start", ks_tcp_state_name(e->start));
		ks_json_str(j, "last_state", ks_tcp_state_name(e->last));
		ks_json_obj_end(j);
		return 0;
	}
	ks_sock_event_line_w(c, &l, &e->hdr, &e->flow, aw);
	ks_line_char(&l, ' ');
	ks_line_uint(&l, e->tx_bytes / 1024, 6);
	ks_line_char(&l, ' ');
	ks_line_uint(&l, e->rx_bytes / 1024, 6);
	ks_line_char(&l, ' ');
	ks_line_fixed(&l, e->duration_ns, 6, 2, 0);
	ks_line_put(&l, c->out);
	return 0;
}

static void header(struct ks_ctx *c)
{
	ks_event_text_header(c);
	ks_sock_event_header_w(c, ks_net_addr_width(c));
	fprintf(c->out, " %6s %6s %s\n", "TX_KB", "RX_KB", "MS");
}

KSCOPE_BPF_TOOL(
	tcplife, .summary = "trace TCP connections at their close: bytes each way and lifetime",
	.usage = "",
	.help = "One line per TCP connection when it closes: the process that owns it (the one\n"
		"that connected or accepted it; else the task that closed it), local and remote\n"
		"address and port, TX_KB and RX_KB, the payload the peer acknowledged and the\n"
		"payload received (SYN and FIN left out), and MS, its lifetime: from connect()'s\n"
		"SYN_SENT, or for a listener's child from SYN_RECV (the handshake's last ACK).\n"
		"Connections whose opening was not seen (opened before tracing) are left out.\n"
		"Both ends of a local connection are shown. The task filters (-p, -c ...)\n"
		"select the owner. JSON events add family, proto, netns, owner, skaddr, open\n"
		"(active or passive), tx_bytes and rx_bytes (exact), duration_ns, start (the\n"
		"state the lifetime starts at) and last_state (the state it closed from).\n\n"
		"examples:\n"
		"  kscope tcplife                      every TCP connection at its close\n"
		"  kscope tcplife -L 80,443            connections to local web servers\n"
		"  kscope tcplife -D 5432 -w           to PostgreSQL, whole IPv6 addresses\n"
		"  kscope tcplife --netns web --json   one namespace's, as JSON lines",
	.opts = opts, KS_STATE(struct tcplife),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.prepare = ks_net_prepare, .configure = ks_net_configure_state,
	.loop = { .ring = "ks_events", .on_event = on_event, .header = header });
