/* SPDX-License-Identifier: GPL-2.0-only */
/* runqlen's per-CPU histogram of sampled run-queue lengths, shared with its BPF program. */
#ifndef KS_RUNQLEN_H
#define KS_RUNQLEN_H

#define RUNQLEN_SLOTS 64 /* lengths 0..62; the last slot counts 63 and more */

struct runqlen_hist {
	unsigned long long slots[RUNQLEN_SLOTS];
};

#endif
