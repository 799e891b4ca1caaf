/* SPDX-License-Identifier: GPL-2.0-only */
/* biosnoop's event: one completed block request. */
#ifndef KS_BIOSNOOP_H
#define KS_BIOSNOOP_H

#include "shared/event.h"

struct biosnoop_event {
	struct ks_event_hdr hdr;      /* the submitter; ts is the completion */
	unsigned long long sector;    /* first 512-byte sector */
	unsigned long long queue_ns;  /* request made -> issued */
	unsigned long long device_ns; /* issued -> completed */
	unsigned int bytes;
	unsigned int dev;   /* KS_BLK_DEV */
	unsigned int flags; /* KS_BLK_* */
	int error;	    /* as struct ks_blk_req's */
};

#endif
