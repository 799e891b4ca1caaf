/* SPDX-License-Identifier: GPL-2.0-only */
/* Flows and the flow filter of the network tools, shared by BPF programs and user space. */
#ifndef KS_SHARED_NET_H
#define KS_SHARED_NET_H

/*
 * One connection or packet as the network tools name it. For a socket, s* is the local end
 * and d* the remote one; for a packet, s* is its source and d* its destination.
 */
struct ks_flow {
	unsigned char saddr[16]; /* IPv4 in the first 4 bytes, network order */
	unsigned char daddr[16];
	unsigned short sport; /* host order; 0 where the protocol has no ports */
	unsigned short dport;
	unsigned short family; /* AF_INET, AF_INET6; 0: not an IP packet (or not parsed) */
	unsigned char proto;   /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP ...; 0 unknown */
	unsigned char pad;
	unsigned int netns; /* inode number of its network namespace; 0 unknown */
};

/* Ports a filter can list for one end (--lport 80,443 ...). */
#define KS_NET_PORTS 8

/* An address filter: one address or a prefix (10.0.0.0/8, fd00::/64). */
struct ks_net_addr {
	unsigned char addr[16];
	unsigned short family; /* 0: no filter */
	unsigned char bits;    /* prefix length: 32 or 128 for one address */
	unsigned char pad;
};

/*
 * The flow filter of a network tool (core/net.h's options), in each object's .rodata as
 * ks_net (src/bpf/net.bpf.h). All zero means every flow. "Local" and "remote" are the
 * socket's ends, or a packet's source and destination; port and addr match either end.
 */
struct ks_net_filter {
	unsigned int netns;    /* --netns: inode number, 0 any */
	unsigned short family; /* -4, -6: AF_INET or AF_INET6, 0 any */
	unsigned short nlport, nrport, nport;
	unsigned short lport[KS_NET_PORTS];
	unsigned short rport[KS_NET_PORTS];
	unsigned short port[KS_NET_PORTS];
	struct ks_net_addr laddr, raddr, addr;
};

/* TCP states, as the kernel numbers them (include/net/tcp_states.h: a stable ABI). */
enum {
	KS_TCP_ESTABLISHED = 1,
	KS_TCP_SYN_SENT,
	KS_TCP_SYN_RECV,
	KS_TCP_FIN_WAIT1,
	KS_TCP_FIN_WAIT2,
	KS_TCP_TIME_WAIT,
	KS_TCP_CLOSE,
	KS_TCP_CLOSE_WAIT,
	KS_TCP_LAST_ACK,
	KS_TCP_LISTEN,
	KS_TCP_CLOSING,
	KS_TCP_NEW_SYN_RECV,
	KS_TCP_BOUND_INACTIVE,
	KS_TCP_MAX_STATES,
};

#endif
