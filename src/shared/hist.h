/* SPDX-License-Identifier: GPL-2.0-only */
/* Histogram layout shared by BPF programs and user space. */
#ifndef KS_SHARED_HIST_H
#define KS_SHARED_HIST_H

/* log2 histogram: slot i counts values in [2^i, 2^(i+1)), slot 0 also counts 0. */
#define KS_HIST_SLOTS 64

struct ks_hist {
	unsigned long long slots[KS_HIST_SLOTS];
};

#endif
