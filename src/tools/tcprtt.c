// SPDX-License-Identifier: GPL-2.0-only
/* tcprtt: TCP smoothed round-trip times as log2 histograms, per remote or local address or port. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/khist.h"
#include "core/log.h"
#include "core/net.h"
#include "core/tool.h"
#include "skel/tcprtt.skel.h"
#include "tools/tcprtt.h"

struct tcprtt {
	struct ks_net_opts net;
	bool millis, by_raddr, by_laddr;
	int by; /* TCPRTT_BY_* */
};

static const char *const by_names[] = { "all", "raddr", "laddr", "rport", "lport" };

static int by_opt(const char *arg, void *field, char *err, size_t errlen)
{
	for (size_t i = 0; i < KS_ARRAY_SIZE(by_names); i++) {
		if (!strcmp(arg, by_names[i])) {
			*(int *)field = (int)i;
			return 0;
		}
	}
	snprintf(err, errlen, "'%s' is not raddr, laddr, rport, lport or all", arg);
	return -EINVAL;
}

static const struct ks_opt opts[] = {
	KS_FLAG(struct tcprtt, millis, "milliseconds", 'm',
		"histograms in milliseconds (default us)"),
	KS_FUNC(struct tcprtt, by, "by", 0, "KEY",
		"one histogram per raddr, laddr, rport or lport (default all: one)", by_opt),
	KS_FLAG(struct tcprtt, by_raddr, "byraddr", 'B', "--by raddr, as BCC's -B"),
	KS_FLAG(struct tcprtt, by_laddr, "byladdr", 'b', "--by laddr, as BCC's -b"),
	KS_NETNS_OPT(struct tcprtt, net),
	KS_FAMILY_OPTS(struct tcprtt, net),
	KS_PORT_OPTS(struct tcprtt, net),
	KS_ADDR_OPTS(struct tcprtt, net),
	KS_REFUSE('P', "is BCC's remote port filter; kscope tcprtt takes --rport"),
	KS_REFUSE('a', "is BCC's local address filter; kscope tcprtt takes --laddr"),
	KS_REFUSE('A', "is BCC's remote address filter; kscope tcprtt takes --raddr"),
	{ 0 },
};

static void label(const struct ks_khist_row *r, char *buf, size_t len)
{
	const struct tcprtt_key *k = r->key;
	char a[64];

	if (k->by == TCPRTT_BY_RADDR || k->by == TCPRTT_BY_LADDR)
		snprintf(buf, len, "%s = %s", by_names[k->by],
			 ks_addr_str(k->family, k->addr, a, sizeof(a)));
	else if (k->by < KS_ARRAY_SIZE(by_names))
		snprintf(buf, len, "%s = %u", by_names[k->by], k->port);
	else
		snprintf(buf, len, "?");
}

static void json_key(struct ks_json *j, const struct ks_khist_row *r)
{
	const struct tcprtt_key *k = r->key;
	char a[64];

	if (k->by == TCPRTT_BY_RADDR || k->by == TCPRTT_BY_LADDR) {
		ks_json_str(j, "family", ks_family_name(k->family));
		ks_json_str(j, by_names[k->by], ks_addr_str(k->family, k->addr, a, sizeof(a)));
	} else if (k->by == TCPRTT_BY_RPORT || k->by == TCPRTT_BY_LPORT) {
		ks_json_uint(j, by_names[k->by], k->port);
	}
}

static const struct ks_khist_fmt fmt = { .map = "hists",
					 .key_size = sizeof(struct tcprtt_key),
					 .type = "histograms",
					 .hist = true,
					 .total = true,
					 .label = label,
					 .json_key = json_key };

static int prepare(struct ks_ctx *c)
{
	struct tcprtt *st = c->state;

	if (st->by_raddr + st->by_laddr + (st->by != TCPRTT_BY_ALL) > 1) {
		ks_error("-B, -b and --by conflict: one key at a time");
		return KS_EXIT_USAGE;
	}
	if (st->by_raddr)
		st->by = TCPRTT_BY_RADDR;
	else if (st->by_laddr)
		st->by = TCPRTT_BY_LADDR;
	c->khist.by = by_names[st->by];
	c->khist.key_name = st->by == TCPRTT_BY_ALL ? NULL : "";
	c->khist.unit = st->millis ? "msecs" : "usecs";
	return ks_net_check(c, &st->net);
}

static int configure(struct ks_ctx *c)
{
	const struct tcprtt *st = c->state;
	struct tcprtt_bpf *skel = c->skel;
	bool owner = ks_common_tasks(&c->opt);

	skel->rodata->unit_div = st->millis ? 1000000 : 1000;
	skel->rodata->by = st->by;
	/* the owners cost a hook on every state change and on accept: only for task filters */
	if (!owner) {
		ks_bpf_disable_hook(c->obj, "state");
		ks_bpf_disable_hook(c->obj, "accept");
	}
	if (st->by == TCPRTT_BY_ALL && bpf_map__set_max_entries(skel->maps.hists, 1))
		return -EINVAL;
	return ks_net_configure(c, &st->net);
}

KSCOPE_BPF_TOOL(
	tcprtt,
	.summary =
		"TCP smoothed round-trip time as histograms, per remote or local address or port",
	.usage = "[interval [count]]",
	.help = "One sample per segment an established TCP socket receives (tcp_probe): the\n"
		"socket's smoothed RTT (srtt) as the kernel has it before that segment, in log2\n"
		"buckets of microseconds (-m: milliseconds); sockets without an estimate yet are\n"
		"left out. One histogram, or one per remote or local address or port (--by; -B\n"
		"and -b as BCC's). The flow filters select sockets; the task filters (-p, -c ...)\n"
		"the sockets' owners, the processes that connected or accepted them while\n"
		"tracing. JSON reports: {\"type\":\"histograms\",\"by\",\"unit\",\"rows\":\n"
		"[{\"raddr\"/\"laddr\" and \"family\", or \"rport\"/\"lport\", \"count\",\n"
		"\"total_ns\", \"hist\"}]}.\n\n"
		"examples:\n"
		"  kscope tcprtt                      one histogram until Ctrl-C\n"
		"  kscope tcprtt -B -m 5 3            per remote address, in ms, every 5 s, 3 "
		"times\n"
		"  kscope tcprtt --by lport --lport 80,443   per local port, web servers only\n"
		"  kscope tcprtt --raddr 10.0.0.0/8   to one network",
	.opts = opts, KS_STATE(struct tcprtt),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM, .khist = &fmt,
	.prepare = prepare, .configure = configure, .loop = KS_KHIST_LOOP);
