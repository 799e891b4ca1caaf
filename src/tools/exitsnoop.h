/* SPDX-License-Identifier: GPL-2.0-only */
/* exitsnoop's event, shared by its BPF program and user space. */
#ifndef KS_EXITSNOOP_H
#define KS_EXITSNOOP_H

#include "shared/event.h"

struct exit_event {
	struct ks_event_hdr hdr;
	unsigned long long start_ns; /* task start, CLOCK_MONOTONIC */
	unsigned int exit_code;	     /* as wait(2) encodes it: code << 8 | core 0x80 | signal */
	unsigned int pad;
};

#endif
