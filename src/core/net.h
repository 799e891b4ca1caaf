/* SPDX-License-Identifier: GPL-2.0-only */
/* What the network tools share in user space: flow filter options, names, flow output. */
#ifndef KS_CORE_NET_H
#define KS_CORE_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/opt.h"
#include "core/out.h"
#include "shared/net.h"

struct ks_ctx;

/* Ports given to one port option: --lport 80,443. */
struct ks_net_ports {
	unsigned short n;
	unsigned short p[KS_NET_PORTS];
};

/*
 * A network tool's filter options, kept in its state (struct tcpfoo { struct ks_net_opts
 * net; ... }) and written into its object by ks_net_configure. Each part is optional:
 * the option macros below add the ones a tool takes.
 */
struct ks_net_opts {
	unsigned int netns; /* --netns, parsed to the namespace's inode number */
	bool v4, v6;	    /* -4, -6 */
	struct ks_net_ports lport, rport, port;
	struct ks_net_addr laddr, raddr, addr;
	bool wide; /* -w (KS_SOCK_EVENT_OPTS): address columns for every IPv6 address */
};

/* Option parsers (KS_FUNC): a namespace, a port list, an address or prefix. */
int ks_netns_opt(const char *arg, void *field, char *err, size_t errlen);
int ks_ports_opt(const char *arg, void *field, char *err, size_t errlen);
int ks_addr_opt(const char *arg, void *field, char *err, size_t errlen);

/*
 * --netns NS: only flows of that network namespace. NS is a name under /run/netns (as `ip
 * netns` makes them), a path to a namespace file (/proc/PID/ns/net, a bind mount), or the
 * namespace's inode number (what `ls -L -i /proc/PID/ns/net` and JSON events show).
 */
#define KS_NETNS_OPT(type, field)                                                                  \
	KS_FUNC(type, field.netns, "netns", 0, "NS",                                               \
		"only this network namespace: a name (ip netns), a path (/proc/PID/ns/net) or "    \
		"its inode number",                                                                \
		ks_netns_opt)

/* -4/--ipv4 and -6/--ipv6. */
#define KS_FAMILY_OPTS(type, field)                                                                \
	KS_FLAG(type, field.v4, "ipv4", '4', "IPv4 only"),                                         \
		KS_FLAG(type, field.v6, "ipv6", '6', "IPv6 only")

/* --lport, --rport, --port: comma-separated lists of up to KS_NET_PORTS ports. */
#define KS_PORT_OPTS(type, field) KS_PORT_OPTS_KEYS(type, field, 0, 0)

/* The same with short options for --lport and --rport (BCC's tcplife -L and -D), or 0. */
#define KS_PORT_OPTS_KEYS(type, field, lkey, rkey)                                                 \
	KS_FUNC(type, field.lport, "lport", lkey, "PORTS", "only these local ports (80,443)",      \
		ks_ports_opt),                                                                     \
		KS_FUNC(type, field.rport, "rport", rkey, "PORTS", "only these remote ports",      \
			ks_ports_opt),                                                             \
		KS_FUNC(type, field.port, "port", 0, "PORTS", "only these ports, at either end",   \
			ks_ports_opt)

/* --laddr, --raddr, --addr: an IPv4 or IPv6 address, or a prefix (10.0.0.0/8). */
#define KS_ADDR_OPTS(type, field)                                                                  \
	KS_FUNC(type, field.laddr, "laddr", 0, "ADDR", "only this local address or prefix",        \
		ks_addr_opt),                                                                      \
		KS_FUNC(type, field.raddr, "raddr", 0, "ADDR",                                     \
			"only this remote address or prefix", ks_addr_opt),                        \
		KS_FUNC(type, field.addr, "addr", 0, "ADDR",                                       \
			"only this address or prefix, at either end", ks_addr_opt)

/*
 * The options of a tool printing one line per socket event with local and remote columns
 * (tcplife, tcpstates): every filter above, with BCC's -L and -D for --lport and --rport,
 * -w/--wide (ks_net_addr_width), BCC's -t as --elapsed, and BCC's -s (CSV) refused.
 */
#define KS_SOCK_EVENT_OPTS(type, field, tool)                                                      \
	KS_NETNS_OPT(type, field), KS_FAMILY_OPTS(type, field),                                    \
		KS_PORT_OPTS_KEYS(type, field, 'L', 'D'), KS_ADDR_OPTS(type, field),               \
		KS_FLAG(type, field.wide, "wide", 'w', "wide columns: whole IPv6 addresses"),      \
		KS_ALIAS('t', "elapsed"),                                                          \
		KS_REFUSE('s', "is BCC's comma-separated output; kscope " #tool " takes --json")

/*
 * From a tool's configure: write @o into the object's ks_net (src/bpf/net.bpf.h), and the
 * syscall numbers of accept and accept4 where the object has them. -4 and -6 together, or
 * a family that contradicts an address filter, is refused with a message (-EINVAL, which
 * the caller turns into exit code 2: call it from prepare through ks_net_check first).
 * Returns 0 or -errno.
 */
int ks_net_configure(struct ks_ctx *c, const struct ks_net_opts *o);

/* Check @o's options against each other: 0, or exit code 2 after one message. */
int ks_net_check(struct ks_ctx *c, const struct ks_net_opts *o);

/* "ESTABLISHED", "SYN_SENT" ... as ss and BCC name TCP states; "UNKNOWN" otherwise. */
const char *ks_tcp_state_name(int state);

/* "tcp", "udp", "icmp", "icmpv6" ...; NULL for a protocol without a name here. */
const char *ks_ip_proto_name(int proto);

/* "ipv4", "ipv6", or "" for family 0. */
const char *ks_family_name(int family);

/* @addr of @family as text (inet_ntop) into @buf (at least 46 bytes); "-" for family 0. */
const char *ks_addr_str(int family, const unsigned char *addr, char *buf, size_t len);

/* Which end of a flow, or how a flow's members are named in JSON. */
enum ks_flow_names {
	KS_FLOW_SOCK, /* laddr, lport, raddr, rport: a socket's local and remote end */
	KS_FLOW_PKT,  /* saddr, sport, daddr, dport: a packet's source and destination */
};

/*
 * JSON members of flow @f: "family" ("ipv4"/"ipv6", null if unknown), the addresses and
 * ports named as @names says, "proto" (its name, or number) where @f->proto is set, and
 * "netns" (inode number) where known.
 */
void ks_flow_json(struct ks_json *j, const struct ks_flow *f, enum ks_flow_names names);

/*
 * An address into a text line, left-aligned in @width columns (ks_line's rule: negative
 * left, positive right).
 */
void ks_line_addr(struct ks_line *l, int family, const unsigned char *addr, int width);

/*
 * A socket's flow into a text line: the columns LADDR (15) LPORT (5) RADDR (15) RPORT (5),
 * left-aligned, a space between them and none after; ks_line_flow_header prints their
 * titles the same way. For the event lines of the network tools.
 */
void ks_line_flow(struct ks_line *l, const struct ks_flow *f);
void ks_line_flow_header(FILE *f);

/*
 * The start of a socket event about flow @f whose header @h names the socket's owner
 * (@owned) or the task that ran it. JSON: ks_event_json_begin, "owner", the flow's members
 * (KS_FLOW_SOCK) and "skaddr" @skaddr; the caller adds its own and ends the object. Text:
 * ks_event_text_prefix, then into @l (initialised here) PID (7) COMM (16) and the flow
 * (ks_line_flow); the caller adds its columns and puts the line. The header's titles:
 * ks_sock_event_header (after ks_event_text_header), the caller ends the line.
 */
struct ks_event_hdr;
void ks_sock_event_json(struct ks_ctx *c, const struct ks_event_hdr *h, bool owned,
			const struct ks_flow *f, unsigned long long skaddr);
void ks_sock_event_line(struct ks_ctx *c, struct ks_line *l, const struct ks_event_hdr *h,
			const struct ks_flow *f);
void ks_sock_event_header(struct ks_ctx *c);

/*
 * For a tool whose state begins with its struct ks_net_opts (struct tcpfoo { struct
 * ks_net_opts net; ... }), usable as its .prepare and .configure: ks_net_check and
 * ks_net_configure on those options.
 */
int ks_net_prepare(struct ks_ctx *c);
int ks_net_configure_state(struct ks_ctx *c);

/*
 * ks_net_prepare for a tool that prints events unless it counts (--count, @count): an
 * interval without --count is refused (exit code 2), since events are printed as they
 * come. 0 or an exit code.
 */
int ks_net_prepare_count(struct ks_ctx *c, bool count);

/*
 * ks_line_flow, ks_line_flow_header, ks_sock_event_line and ks_sock_event_header with
 * address columns @width wide (15 there; 39 fits every IPv6 address: BCC's -w).
 */
void ks_line_flow_w(struct ks_line *l, const struct ks_flow *f, int width);
void ks_line_flow_header_w(FILE *f, int width);
void ks_sock_event_line_w(struct ks_ctx *c, struct ks_line *l, const struct ks_event_hdr *h,
			  const struct ks_flow *f, int width);
void ks_sock_event_header_w(struct ks_ctx *c, int width);

/*
 * For a tool whose state begins with its struct ks_net_opts (as for ks_net_prepare), the
 * width of its address columns: IPv4's (15) as BCC's, or with -w every IPv6 address's (39).
 */
int ks_net_addr_width(const struct ks_ctx *c);

#endif
