/* SPDX-License-Identifier: GPL-2.0-only */
/* biopattern's counts per disk, for one interval. */
#ifndef KS_BIOPATTERN_H
#define KS_BIOPATTERN_H

struct biopattern_counts {
	unsigned long long count;      /* requests with data */
	unsigned long long sequential; /* began where the disk's previous request ended */
	unsigned long long random;     /* began elsewhere (the disk's first is neither) */
	unsigned long long bytes;
};

#endif
