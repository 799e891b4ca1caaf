// SPDX-License-Identifier: GPL-2.0-only
/* Flow filter options, protocol and state names, and flow output for the network tools. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "core/event.h"
#include "core/log.h"
#include "core/net.h"
#include "core/tool.h"

int ks_netns_opt(const char *arg, void *field, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	long long ino;

	/* a bare number is an inode number: JSON events and `ls -i` give that */
	if (!ks_parse_ll(arg, 1, UINT_MAX, &ino)) {
		*(unsigned int *)field = (unsigned int)ino;
		return 0;
	}
	if (strchr(arg, '/'))
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", arg);
	if (stat(path, &st)) {
		snprintf(err, errlen, "no network namespace %s: %s", path, strerror(errno));
		return -EINVAL;
	}
	/* a namespace file (nsfs) is no directory, and its inode is the namespace's */
	if (S_ISDIR(st.st_mode) || st.st_ino > UINT_MAX) {
		snprintf(err, errlen, "%s is not a namespace file", path);
		return -EINVAL;
	}
	*(unsigned int *)field = (unsigned int)st.st_ino;
	return 0;
}

int ks_ports_opt(const char *arg, void *field, char *err, size_t errlen)
{
	struct ks_net_ports *p = field;
	char buf[256], *save = NULL, *tok;

	if (strlen(arg) >= sizeof(buf)) {
		snprintf(err, errlen, "port list too long");
		return -EINVAL;
	}
	strcpy(buf, arg);
	p->n = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long long v;

		if (ks_parse_ll(tok, 1, 65535, &v)) {
			snprintf(err, errlen, "'%s' is not a port (1-65535)", tok);
			return -EINVAL;
		}
		if (p->n == KS_NET_PORTS) {
			snprintf(err, errlen, "more than %d ports", KS_NET_PORTS);
			return -EINVAL;
		}
		p->p[p->n++] = (unsigned short)v;
	}
	if (!p->n) {
		snprintf(err, errlen, "no port given");
		return -EINVAL;
	}
	return 0;
}

int ks_addr_opt(const char *arg, void *field, char *err, size_t errlen)
{
	struct ks_net_addr *a = field;
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	long long bits = -1;

	if (strlen(arg) >= sizeof(buf)) {
		snprintf(err, errlen, "'%s' is not an address", arg);
		return -EINVAL;
	}
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (ks_parse_ll(slash + 1, 0, 128, &bits)) {
			snprintf(err, errlen, "'%s' is not a prefix length", slash + 1);
			return -EINVAL;
		}
	}
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->addr) == 1) {
		a->family = AF_INET;
		if (bits > 32) {
			snprintf(err, errlen, "/%lld is longer than an IPv4 address", bits);
			return -EINVAL;
		}
		a->bits = bits < 0 ? 32 : (unsigned char)bits;
	} else if (inet_pton(AF_INET6, buf, a->addr) == 1) {
		a->family = AF_INET6;
		a->bits = bits < 0 ? 128 : (unsigned char)bits;
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", buf);
		return -EINVAL;
	}
	return 0;
}

/* The family every address filter of @o agrees on: 0 none, -1 they disagree. */
static int addr_family(const struct ks_net_opts *o)
{
	const struct ks_net_addr *a[] = { &o->laddr, &o->raddr, &o->addr };
	int fam = 0;

	for (size_t i = 0; i < 3; i++) {
		if (!a[i]->family)
			continue;
		if (fam && fam != a[i]->family)
			return -1;
		fam = a[i]->family;
	}
	return fam;
}

int ks_net_check(struct ks_ctx *c, const struct ks_net_opts *o)
{
	int fam = addr_family(o);

	(void)c;
	if (o->v4 && o->v6) {
		ks_error("-4 and -6 exclude each other (leave both out for both families)");
		return KS_EXIT_USAGE;
	}
	if (fam < 0) {
		ks_error("the address filters mix IPv4 and IPv6: no flow can match them all");
		return KS_EXIT_USAGE;
	}
	if (fam && ((o->v4 && fam != AF_INET) || (o->v6 && fam != AF_INET6))) {
		ks_error("the address filters are %s, -%c asks for the other family",
			 fam == AF_INET ? "IPv4" : "IPv6", o->v4 ? '4' : '6');
		return KS_EXIT_USAGE;
	}
	return 0;
}

static void ports_copy(unsigned short *dst, unsigned short *n, const struct ks_net_ports *p)
{
	*n = p->n;
	memcpy(dst, p->p, sizeof(p->p));
}

int ks_net_configure(struct ks_ctx *c, const struct ks_net_opts *o)
{
	struct ks_net_filter f;
	long nr;
	int err, fam = addr_family(o);

	memset(&f, 0, sizeof(f));
	f.netns = o->netns;
	f.family = o->v4 ? AF_INET : o->v6 ? AF_INET6 : fam > 0 ? (unsigned short)fam : 0;
	ports_copy(f.lport, &f.nlport, &o->lport);
	ports_copy(f.rport, &f.nrport, &o->rport);
	ports_copy(f.port, &f.nport, &o->port);
	f.laddr = o->laddr;
	f.raddr = o->raddr;
	f.addr = o->addr;
	err = ks_bpf_set_rodata(c->obj, "ks_net", &f, sizeof(f));
	if (err)
		return err;
	/* objects without accept hooks have no such variables: nothing to set */
	nr = SYS_accept;
	ks_bpf_set_rodata(c->obj, "ks_nr_accept", &nr, sizeof(nr));
	nr = SYS_accept4;
	ks_bpf_set_rodata(c->obj, "ks_nr_accept4", &nr, sizeof(nr));
	return 0;
}

const char *ks_tcp_state_name(int state)
{
	static const char *const names[] = {
		[KS_TCP_ESTABLISHED] = "ESTABLISHED",
		[KS_TCP_SYN_SENT] = "SYN_SENT",
		[KS_TCP_SYN_RECV] = "SYN_RECV",
		[KS_TCP_FIN_WAIT1] = "FIN_WAIT1",
		[KS_TCP_FIN_WAIT2] = "FIN_WAIT2",
		[KS_TCP_TIME_WAIT] = "TIME_WAIT",
		[KS_TCP_CLOSE] = "CLOSE",
		[KS_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
		[KS_TCP_LAST_ACK] = "LAST_ACK",
		[KS_TCP_LISTEN] = "LISTEN",
		[KS_TCP_CLOSING] = "CLOSING",
		[KS_TCP_NEW_SYN_RECV] = "NEW_SYN_RECV",
		[KS_TCP_BOUND_INACTIVE] = "BOUND_INACTIVE",
	};

	if (state <= 0 || state >= KS_TCP_MAX_STATES || !names[state])
		return "UNKNOWN";
	return names[state];
}

const char *ks_ip_proto_name(int proto)
{
	switch (proto) {
	case 1:
		return "icmp";
	case 2:
		return "igmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 33:
		return "dccp";
	case 47:
		return "gre";
	case 50:
		return "esp";
	case 58:
		return "icmpv6";
	case 132:
		return "sctp";
	case 136:
		return "udplite";
	case 262:
		return "mptcp";
	}
	return NULL;
}

const char *ks_family_name(int family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : "";
}

/*
 * @a as dotted decimal into @buf (at least 16 bytes). By hand: glibc's inet_ntop formats an
 * IPv4 address with sprintf, which cost more than the rest of a tcplife line.
 */
static const char *ipv4_str(const unsigned char *a, char *buf)
{
	char *p = buf;

	for (int i = 0; i < 4; i++) {
		unsigned int v = a[i];

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
	return buf;
}

const char *ks_addr_str(int family, const unsigned char *addr, char *buf, size_t len)
{
	if (family == AF_INET && len >= 16)
		return ipv4_str(addr, buf);
	if ((family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, addr, buf, (socklen_t)len))
		snprintf(buf, len, "-");
	return buf;
}

void ks_flow_json(struct ks_json *j, const struct ks_flow *f, enum ks_flow_names names)
{
	static const char *const keys[][4] = {
		[KS_FLOW_SOCK] = { "laddr", "lport", "raddr", "rport" },
		[KS_FLOW_PKT] = { "saddr", "sport", "daddr", "dport" },
	};
	const char *const *k = keys[names];
	char a[INET6_ADDRSTRLEN];
	const char *p;

	if (f->family == AF_INET || f->family == AF_INET6) {
		ks_json_str(j, "family", ks_family_name(f->family));
		ks_json_str(j, k[0], ks_addr_str(f->family, f->saddr, a, sizeof(a)));
		ks_json_uint(j, k[1], f->sport);
		ks_json_str(j, k[2], ks_addr_str(f->family, f->daddr, a, sizeof(a)));
		ks_json_uint(j, k[3], f->dport);
	} else {
		ks_json_null(j, "family");
	}
	if (f->proto) {
		p = ks_ip_proto_name(f->proto);
		if (p)
			ks_json_str(j, "proto", p);
		else
			ks_json_uint(j, "proto", f->proto);
	}
	if (f->netns)
		ks_json_uint(j, "netns", f->netns);
	else
		ks_json_null(j, "netns");
}

void ks_line_addr(struct ks_line *l, int family, const unsigned char *addr, int width)
{
	char a[INET6_ADDRSTRLEN];

	ks_line_str(l, ks_addr_str(family, addr, a, sizeof(a)), width);
}

void ks_line_flow_w(struct ks_line *l, const struct ks_flow *f, int width)
{
	ks_line_addr(l, f->family, f->saddr, -width);
	ks_line_char(l, ' ');
	ks_line_uint(l, f->sport, -5);
	ks_line_char(l, ' ');
	ks_line_addr(l, f->family, f->daddr, -width);
	ks_line_char(l, ' ');
	ks_line_uint(l, f->dport, -5);
}

void ks_line_flow(struct ks_line *l, const struct ks_flow *f)
{
	ks_line_flow_w(l, f, 15);
}

void ks_line_flow_header_w(FILE *f, int width)
{
	fprintf(f, "%-*s %-5s %-*s %-5s", width, "LADDR", "LPORT", width, "RADDR", "RPORT");
}

void ks_line_flow_header(FILE *f)
{
	ks_line_flow_header_w(f, 15);
}

void ks_sock_event_json(struct ks_ctx *c, const struct ks_event_hdr *h, bool owned,
			const struct ks_flow *f, unsigned long long skaddr)
{
	ks_event_json_begin(c, h);
	ks_json_bool(&c->json, "owner", owned);
	ks_flow_json(&c->json, f, KS_FLOW_SOCK);
	ks_json_uint(&c->json, "skaddr", skaddr);
}

void ks_sock_event_line_w(struct ks_ctx *c, struct ks_line *l, const struct ks_event_hdr *h,
			  const struct ks_flow *f, int width)
{
	ks_event_text_prefix(c, h);
	ks_line_init(l);
	ks_line_uint(l, h->pid, -7);
	ks_line_char(l, ' ');
	ks_line_text(l, h->comm, strnlen(h->comm, KS_COMM_LEN), -16);
	ks_line_char(l, ' ');
	ks_line_flow_w(l, f, width);
}

void ks_sock_event_line(struct ks_ctx *c, struct ks_line *l, const struct ks_event_hdr *h,
			const struct ks_flow *f)
{
	ks_sock_event_line_w(c, l, h, f, 15);
}

void ks_sock_event_header_w(struct ks_ctx *c, int width)
{
	fprintf(c->out, "%-7s %-16s ", "PID", "COMM");
	ks_line_flow_header_w(c->out, width);
}

void ks_sock_event_header(struct ks_ctx *c)
{
	ks_sock_event_header_w(c, 15);
}

int ks_net_addr_width(const struct ks_ctx *c)
{
	return ((const struct ks_net_opts *)c->state)->wide ? 39 : 15;
}

int ks_net_prepare(struct ks_ctx *c)
{
	return ks_net_check(c, c->state);
}

int ks_net_configure_state(struct ks_ctx *c)
{
	return ks_net_configure(c, c->state);
}

int ks_net_prepare_count(struct ks_ctx *c, bool count)
{
	if (c->opt.interval > 0 && !count) {
		ks_error("an interval needs --count: events are printed as they come");
		return KS_EXIT_USAGE;
	}
	return ks_net_prepare(c);
}
