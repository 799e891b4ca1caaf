/* SPDX-License-Identifier: GPL-2.0-only */
/* runqslower's event: one run-queue wait above the threshold. */
#ifndef KS_RUNQSLOWER_H
#define KS_RUNQSLOWER_H

#include "shared/event.h"

struct runqslower_event {
	struct ks_event_hdr hdr;     /* the task that waited, at the moment it got the CPU */
	unsigned long long delta_ns; /* how long it waited */
	unsigned int prev_pid;	     /* the task it took the CPU from (tgid, tid, comm) */
	unsigned int prev_tid;
	char prev_comm[KS_COMM_LEN];
	unsigned int cpu;
	unsigned int pad;
};

#endif
