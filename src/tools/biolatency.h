/* SPDX-License-Identifier: GPL-2.0-only */
/* biolatency's histogram key: what one histogram is of. */
#ifndef KS_BIOLATENCY_H
#define KS_BIOLATENCY_H

/* biolat_key.parts: which members mean something (the report labels from the key alone). */
#define BIOLAT_DISK   1u /* -D: dev */
#define BIOLAT_FLAGS  2u /* -F: flags */
#define BIOLAT_QUEUED 4u /* -Q: kind tells queue time from device time */

/* kind */
#define BIOLAT_DEVICE 0 /* issue -> completion */
#define BIOLAT_QUEUE  1 /* request made -> issue */

struct biolat_key {
	unsigned long long who; /* the submitter's key (ks_blk_who_key), 0 for all */
	unsigned int dev;	/* KS_BLK_DEV */
	unsigned short flags;	/* KS_BLK_* */
	unsigned char kind;	/* BIOLAT_DEVICE, BIOLAT_QUEUE */
	unsigned char parts;	/* BIOLAT_* | the submitter's enum ks_hist_by << 4 */
};

#endif
