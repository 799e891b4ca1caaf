/* SPDX-License-Identifier: GPL-2.0-only */
/* biotop's map: block IO counts, bytes and device time per (submitter, disk). */
#ifndef KS_BIOTOP_H
#define KS_BIOTOP_H

struct biotop_key {
	unsigned long long who; /* the submitter's key (ks_blk_who_key): pid by default */
	unsigned int dev;	/* KS_BLK_DEV */
	unsigned int pad;	/* zero: keys are compared as bytes */
};

struct biotop_stat {
	unsigned long long reads, writes; /* REQ_OP_READ, REQ_OP_WRITE requests */
	/* Flushes, discards, write zeroes ...: counted, but they move no data of their own. */
	unsigned long long others;
	unsigned long long read_bytes, write_bytes;
	unsigned long long total_ns; /* device time (issue -> completion) of all of the above */
	unsigned long long max_ns;
	char comm[16]; /* the submitter's name when the key was first seen in this interval */
};

#endif
