/* SPDX-License-Identifier: GPL-2.0-only */
/* The streaming disk-IO floor's record: one completed request, 40 bytes. */
#ifndef BENCH_BIOFLOOR_H
#define BENCH_BIOFLOOR_H

struct bf_event {
	unsigned long long ts;	   /* completion time, ns */
	unsigned long long lat_ns; /* issue to completion */
	unsigned long long sector;
	unsigned int dev;   /* MAJOR << 20 | MINOR, as the block tracepoints print it */
	unsigned int bytes; /* completed by this call */
	unsigned int flags; /* the request's cmd_flags (REQ_OP_* and modifiers) */
	unsigned int pad;
};

#endif
