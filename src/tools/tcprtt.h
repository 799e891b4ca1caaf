/* SPDX-License-Identifier: GPL-2.0-only */
/* tcprtt's histogram key: what the smoothed RTT samples are grouped by. */
#ifndef KS_TCPRTT_H
#define KS_TCPRTT_H

/* --by: the key's parts. */
enum {
	TCPRTT_BY_ALL,	 /* one histogram */
	TCPRTT_BY_RADDR, /* remote address */
	TCPRTT_BY_LADDR, /* local address */
	TCPRTT_BY_RPORT, /* remote port */
	TCPRTT_BY_LPORT, /* local port */
};

struct tcprtt_key {
	unsigned char addr[16]; /* raddr or laddr (IPv4 in the first 4 bytes) */
	unsigned short family;	/* with an address */
	unsigned short port;	/* rport or lport */
	unsigned int by;	/* TCPRTT_BY_*: which of them */
};

#endif
