/* SPDX-License-Identifier: GPL-2.0-only */
/* tcpconnlat's event: one connect's handshake, SYN sent to established. */
#ifndef KS_TCPCONNLAT_H
#define KS_TCPCONNLAT_H

#include "shared/event.h"
#include "shared/net.h"

struct tcpconnlat_event {
	struct ks_event_hdr hdr; /* the caller of connect(); hdr.ts: when it was established */
	struct ks_flow flow;
	unsigned long long lat_ns; /* CLOSE -> SYN_SENT (in connect()) to ESTABLISHED */
};

#endif
