/* SPDX-License-Identifier: GPL-2.0-only */
/* tcpconnect's event and count key: how one active TCP open ended. */
#ifndef KS_TCPCONNECT_H
#define KS_TCPCONNECT_H

#include "shared/event.h"
#include "shared/net.h"

/* How a connect ended. */
enum tcpconnect_result {
	TCPCONNECT_OK,	   /* SYN_SENT -> ESTABLISHED */
	TCPCONNECT_ERROR,  /* SYN_SENT -> CLOSE with sk_err set: refused, timed out, unreachable */
	TCPCONNECT_CLOSED, /* SYN_SENT -> CLOSE without an error: the caller gave up (close) */
	TCPCONNECT_NOSYN,  /* connect() failed before any SYN (--before-syn): err is its errno */
};

struct tcpconnect_event {
	struct ks_event_hdr hdr; /* the caller of connect(); hdr.ts: when it ended */
	struct ks_flow flow;
	unsigned long long lat_ns; /* SYN_SENT to the end; 0 for TCPCONNECT_NOSYN */
	int result;		   /* enum tcpconnect_result */
	int err;		   /* errno: sk_err at the change, or connect()'s; 0 if none */
};

/* --count: connects per remote address and port and result. */
struct tcpconnect_key {
	unsigned char daddr[16];
	unsigned short dport;
	unsigned short family;
	int result;
	int err;
};

#endif
