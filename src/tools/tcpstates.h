/* SPDX-License-Identifier: GPL-2.0-only */
/* tcpstates' event: one state change of a TCP socket. */
#ifndef KS_TCPSTATES_H
#define KS_TCPSTATES_H

#include "shared/event.h"
#include "shared/net.h"

struct tcpstates_event {
	struct ks_event_hdr hdr; /* the socket's owner if known (owned), else the current task */
	struct ks_flow flow;
	unsigned long long skaddr;
	unsigned long long prev_ns; /* time spent in the old state; 0: its start was not seen */
	int oldstate, newstate;
	unsigned int owned; /* hdr is the process that connected or accepted the socket */
	unsigned int pad;
};

#endif
