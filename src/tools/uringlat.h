/* SPDX-License-Identifier: GPL-2.0-only */
/* uringlat's map keys and counters, shared by its BPF side and its report. */
#ifndef KS_URINGLAT_H
#define KS_URINGLAT_H

/* The opcode of a ring's overflow count, which belongs to no opcode. */
#define URINGLAT_NO_OP 0xffffffffu

/* uringlat_key.by for --per-ring (the others are enum ks_hist_by values). */
#define URINGLAT_BY_RING 16

/* The key of every uringlat map: one report row. */
struct uringlat_key {
	unsigned long long key; /* ks_task_key of the submitter, or the ring (--per-ring) */
	unsigned int by;	/* what key is: enum ks_hist_by, or URINGLAT_BY_RING */
	unsigned int opcode;	/* enum io_uring_op, or URINGLAT_NO_OP */
	int err;		/* map errs: the negative result; 0 in the others */
	unsigned int ring_pid;	/* --per-ring: the ring's process; else 0 */
	int ring_fd;		/* --per-ring: its fd there, -1 unknown; else 0 */
	unsigned int pad;
};

/* Map counts: how the key's requests completed, and its ring overflows. */
struct uringlat_counts {
	unsigned long long inline_done; /* never handed to io-wq */
	unsigned long long punted;	/* went through io-wq (io_uring_queue_async_work) */
	unsigned long long overflow;	/* CQEs that went to the overflow list (URINGLAT_NO_OP) */
	char name[16];			/* the key's process name, as in its histogram */
};

/* Map errs: requests of the key's opcode that ended with error key.err. */
struct uringlat_err {
	unsigned long long count;
	char name[16];
};

#endif
