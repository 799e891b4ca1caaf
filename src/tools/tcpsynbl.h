/* SPDX-License-Identifier: GPL-2.0-only */
/* tcpsynbl's map: accept queue samples and overflows per listening socket. */
#ifndef KS_TCPSYNBL_H
#define KS_TCPSYNBL_H

#include "shared/hist.h"

/* A listener as a packet reaches it: its namespace, family, bound address and port. */
struct tcpsynbl_key {
	unsigned int netns;
	unsigned short family;
	unsigned short port;	/* host order */
	unsigned char addr[16]; /* bound address (IPv4 in the first 4 bytes); zero: any */
};

struct tcpsynbl_val {
	/* the accept queue's length (log2 slots) when each connection completed: count, sum */
	struct ks_hist_val h;
	unsigned long long peak;      /* the longest sampled */
	unsigned long long limit;     /* the listener's backlog (sk_max_ack_backlog) */
	unsigned long long overflows; /* SYNs and handshakes dropped: the accept queue full */
};

#endif
