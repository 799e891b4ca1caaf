/* SPDX-License-Identifier: GPL-2.0-only */
/* tcplife's event: one TCP connection at its close. */
#ifndef KS_TCPLIFE_H
#define KS_TCPLIFE_H

#include "shared/event.h"
#include "shared/net.h"

struct tcplife_event {
	struct ks_event_hdr hdr; /* the owner if known (owned), else the task that closed it */
	struct ks_flow flow;
	unsigned long long tx_bytes;	/* payload the peer acknowledged (SYN and FIN left out) */
	unsigned long long rx_bytes;	/* payload received in order (the peer's FIN left out) */
	unsigned long long duration_ns; /* from entering @start to the close */
	unsigned long long skaddr;	/* the socket's address, as tcpstates shows it */
	unsigned char start;		/* SYN_SENT, SYN_RECV, or the state entered first seen */
	unsigned char last;		/* the state it closed from */
	unsigned char active;		/* 1: opened by connect(), 0: by a listener */
	unsigned char owned;		/* hdr is the process that connected or accepted it */
	unsigned int pad;
};

#endif
