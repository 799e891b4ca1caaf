/* SPDX-License-Identifier: GPL-2.0-only */
/* Histograms: log2 and linear buckets, printed BCC-style as text or as JSON buckets. */
#ifndef KS_HIST_H
#define KS_HIST_H

#include <stdio.h>

#include "core/out.h"
#include "shared/hist.h"

/* The log2 slot of @v: 0 for 0 and 1, otherwise floor(log2(v)). Same as the BPF side. */
unsigned int ks_log2_slot(unsigned long long v);

/* Bounds of log2 slot @i: [0,1] for slot 0, else [2^i, 2^(i+1) - 1]. */
void ks_log2_bounds(unsigned int i, unsigned long long *low, unsigned long long *high);

/*
 * Print a log2 histogram of @n slots in BCC's layout ("low -> high : count |****|"),
 * from slot 0 to the last non-empty one; nothing at all when every slot is empty.
 * @unit heads the value column ("usecs").
 */
void ks_hist_print_log2(FILE *f, const unsigned long long *slots, unsigned int n, const char *unit);

/*
 * Print a linear histogram: slot i holds [base + i*step, base + (i+1)*step). Rows from the
 * first to the last non-empty slot.
 */
void ks_hist_print_linear(FILE *f, const unsigned long long *slots, unsigned int n,
			  unsigned long long base, unsigned long long step, const char *unit);

/*
 * Write a histogram as a JSON object member @key (or an array element when @key is NULL):
 * {"unit": ..., "buckets": [{"low": l, "high": h, "count": c}, ...]} with inclusive
 * bounds, from the first to the last non-empty slot.
 */
void ks_hist_json_log2(struct ks_json *j, const char *key, const unsigned long long *slots,
		       unsigned int n, const char *unit);
void ks_hist_json_linear(struct ks_json *j, const char *key, const unsigned long long *slots,
			 unsigned int n, unsigned long long base, unsigned long long step,
			 const char *unit);

#endif
