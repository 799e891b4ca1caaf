// SPDX-License-Identifier: GPL-2.0-only
/* tcpconnlat: trace TCP connect latency (SYN sent to established), one line per connect. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/net.h"
#include "core/tool.h"
#include "skel/tcpconnlat.skel.h"
#include "tools/tcpconnlat.h"

struct tcpconnlat {
	struct ks_net_opts net;
	unsigned long long min_ns;
	bool lport; /* -L: accepted for BCC's tcpconnlat; LPORT is always shown */
};

/* Milliseconds, fractions allowed (BCC's MIN_MS is a float), into ns. */
static int min_ms_opt(const char *arg, void *field, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!*arg || *end || errno || !isfinite(v) || v < 0 || v > 3.6e9) {
		snprintf(err, errlen, "'%s' is not a number of milliseconds (0 or more)", arg);
		return -EINVAL;
	}
	*(unsigned long long *)field = (unsigned long long)(v * 1e6 + 0.5);
	return 0;
}

static const struct ks_opt opts[] = {
	KS_FUNC(struct tcpconnlat, min_ns, "min-ms", 'm', "MS",
		"only connects that took at least MS milliseconds (as MIN_MS)", min_ms_opt),
	KS_FLAG(struct tcpconnlat, lport, "print-lport", 'L',
		"accepted for BCC's tcpconnlat: LPORT is always shown"),
	KS_ALIAS('t', "elapsed"),
	KS_NETNS_OPT(struct tcpconnlat, net),
	KS_FAMILY_OPTS(struct tcpconnlat, net),
	KS_PORT_OPTS(struct tcpconnlat, net),
	KS_ADDR_OPTS(struct tcpconnlat, net),
	{ 0 },
};

static const struct ks_opt args[] = {
	KS_FUNC(struct tcpconnlat, min_ns, "MIN_MS", 0, NULL,
		"only connects that took at least this many ms (BCC's; fractions allowed)",
		min_ms_opt),
	{ 0 },
};

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct tcpconnlat_event *e = data;
	struct ks_line l;

	if (size < sizeof(*e))
		return 0;
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_event_json_begin(c, &e->hdr);
		ks_flow_json(j, &e->flow, KS_FLOW_SOCK);
		ks_json_uint(j, "latency_ns", e->lat_ns);
		ks_json_obj_end(j);
		return 0;
	}
	ks_sock_event_line(c, &l, &e->hdr, &e->flow);
	ks_line_char(&l, ' ');
	ks_line_fixed(&l, e->lat_ns, 6, 3, 0);
	ks_line_put(&l, c->out);
	return 0;
}

static void header(struct ks_ctx *c)
{
	ks_sock_event_header(c);
	fprintf(c->out, " LAT(ms)\n");
}

static int configure(struct ks_ctx *c)
{
	const struct tcpconnlat *st = c->state;
	struct tcpconnlat_bpf *skel = c->skel;

	skel->rodata->min_ns = st->min_ns;
	return ks_net_configure(c, &st->net);
}

KSCOPE_BPF_TOOL(
	tcpconnlat, .summary = "trace TCP connect latency (SYN sent to established)",
	.usage = "[MIN_MS]",
	.help = "One line per connect() that completed its handshake: the process that called\n"
		"connect(), local and remote address and port, and LAT(ms), from\n"
		"connect() moving the socket to SYN_SENT (the SYN goes out next) to ESTABLISHED\n"
		"(the SYN-ACK came). Failed connects have no latency here: tcpconnect shows them.\n"
		"JSON events add family, proto, netns and latency_ns.\n\n"
		"examples:\n"
		"  kscope tcpconnlat                   every connect's latency\n"
		"  kscope tcpconnlat 10                connects slower than 10 ms\n"
		"  kscope tcpconnlat -m 0.5 --rport 443 --json",
	.opts = opts, .args = args, KS_STATE(struct tcpconnlat),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.prepare = ks_net_prepare, .configure = configure,
	.loop = { .ring = "ks_events", .on_event = on_event, .header = header });
