/* SPDX-License-Identifier: GPL-2.0-only */
/* Block requests as the block tools see them: flags, and one request's life, BPF and user. */
#ifndef KS_SHARED_BLOCK_H
#define KS_SHARED_BLOCK_H

#include "shared/event.h"

/*
 * A request's operation and flags, in kscope's own stable bits: the low byte is the
 * operation (REQ_OP_*: 0 read, 1 write, 2 flush, 3 discard, 5 secure erase, 9 write
 * zeroes; stable across kernels), the bits above are flags whose kernel bit numbers move
 * between releases (enum req_flag_bits), mapped by CO-RE in src/bpf/block.bpf.h.
 */
#define KS_BLK_OP_MASK	0xffu
#define KS_BLK_SYNC	(1u << 8)
#define KS_BLK_META	(1u << 9)
#define KS_BLK_FUA	(1u << 10)
#define KS_BLK_PREFLUSH (1u << 11)
#define KS_BLK_RAHEAD	(1u << 12)

#define KS_BLK_OP_READ	       0
#define KS_BLK_OP_WRITE	       1
#define KS_BLK_OP_FLUSH	       2
#define KS_BLK_OP_DISCARD      3
#define KS_BLK_OP_SECURE_ERASE 5
#define KS_BLK_OP_WRITE_ZEROES 9

/*
 * A disk as the kernel numbers it: MKDEV(major, minor) of include/linux/kdev_t.h (major in
 * the bits above 20), which is also what the classic block tracepoints print.
 */
#define KS_BLK_MINORBITS	 20
#define KS_BLK_DEV(major, minor) (((major) << KS_BLK_MINORBITS) | (minor))
#define KS_BLK_MAJOR(dev)	 ((dev) >> KS_BLK_MINORBITS)
#define KS_BLK_MINOR(dev)	 ((dev) & ((1u << KS_BLK_MINORBITS) - 1))

/* One request in flight, from its creation (or issue) to its completion. */
struct ks_blk_req {
	/*
	 * The submitter, taken in its own context when the block layer made the request
	 * (block_io_start, or block_bio_queue on kernels without it); who.ts is that moment.
	 * Valid only with have_who: a request made before tracing started, or while the
	 * hooks that see submitters were off, has only what issue and completion tell.
	 */
	struct ks_event_hdr who;
	unsigned long long issue_ns; /* block_rq_issue: handed to the driver */
	unsigned long long sector;   /* first 512-byte sector on the disk */
	unsigned int bytes;	     /* the request's size at issue */
	unsigned int dev;	     /* KS_BLK_DEV of its disk */
	unsigned int flags;	     /* KS_BLK_OP_* | KS_BLK_* */
	unsigned int have_who;
	unsigned int pidns; /* the submitter's pid namespace, for per-pidns keys */
	int error;	    /* completion: 0 or a negative errno (blk_status_t mapped) */
};

#endif
