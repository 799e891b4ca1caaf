/* SPDX-License-Identifier: GPL-2.0-only */
/* tcpaccept's event: one passive TCP open, at its accept. */
#ifndef KS_TCPACCEPT_H
#define KS_TCPACCEPT_H

#include "shared/event.h"
#include "shared/net.h"

struct tcpaccept_event {
	struct ks_event_hdr hdr; /* the task that accepted; hdr.ts: accept's return */
	struct ks_flow flow;
	unsigned long long queue_ns; /* ESTABLISHED to accepted; valid if queued */
	unsigned int queued;	     /* 0: it became ESTABLISHED unseen (before tracing) */
	unsigned int pad;
};

#endif
