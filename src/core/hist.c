// SPDX-License-Identifier: GPL-2.0-only
/* Histogram bucketing and printing (text in BCC's layout, JSON as explicit buckets). */
#include <string.h>

#include "core/hist.h"

#define STARS 40

unsigned int ks_log2_slot(unsigned long long v)
{
	return v > 1 ? 63 - __builtin_clzll(v) : 0;
}

void ks_log2_bounds(unsigned int i, unsigned long long *low, unsigned long long *high)
{
	*low = i ? 1ULL << i : 0;
	*high = i >= 63 ? ~0ULL : (2ULL << i) - 1;
}

static int digits(unsigned long long v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static void stars(FILE *f, unsigned long long v, unsigned long long max)
{
	int n = max ? (int)((v * STARS + max / 2) / max) : 0;

	if (v && !n)
		n = 1;
	fputc('|', f);
	for (int i = 0; i < STARS; i++)
		fputc(i < n ? '*' : ' ', f);
	fputs("|\n", f);
}

/* Index range [*first, *last] of non-empty slots; false if all are empty. */
static bool used_range(const unsigned long long *slots, unsigned int n, unsigned int *first,
		       unsigned int *last, unsigned long long *max)
{
	bool any = false;

	*max = 0;
	for (unsigned int i = 0; i < n; i++) {
		if (!slots[i])
			continue;
		if (!any)
			*first = i;
		*last = i;
		any = true;
		if (slots[i] > *max)
			*max = slots[i];
	}
	return any;
}

void ks_hist_print_log2(FILE *f, const unsigned long long *slots, unsigned int n, const char *unit)
{
	unsigned int first, last;
	unsigned long long max, lo, hi;
	int w;

	if (!used_range(slots, n, &first, &last, &max))
		return;
	ks_log2_bounds(last, &lo, &hi);
	w = digits(hi) > 10 ? digits(hi) : 10;
	fprintf(f, "%*s%-*s : count    distribution\n", w, unit, w + 4, "");
	for (unsigned int i = 0; i <= last; i++) {
		ks_log2_bounds(i, &lo, &hi);
		fprintf(f, "%*llu -> %-*llu : %-8llu ", w, lo, w, hi, slots[i]);
		stars(f, slots[i], max);
	}
}

void ks_hist_print_linear(FILE *f, const unsigned long long *slots, unsigned int n,
			  unsigned long long base, unsigned long long step, const char *unit)
{
	unsigned int first, last;
	unsigned long long max;
	int w;

	if (!used_range(slots, n, &first, &last, &max))
		return;
	w = digits(base + (unsigned long long)last * step);
	if (w < 10)
		w = 10;
	fprintf(f, "%*s%-*s : count    distribution\n", w, unit, 4, "");
	for (unsigned int i = first; i <= last; i++) {
		fprintf(f, "%*llu     : %-8llu ", w, base + (unsigned long long)i * step, slots[i]);
		stars(f, slots[i], max);
	}
}

static void json_buckets(struct ks_json *j, const char *key, const unsigned long long *slots,
			 unsigned int n, const char *unit, bool linear, unsigned long long base,
			 unsigned long long step)
{
	unsigned int first = 0, last = 0;
	unsigned long long max;
	bool any = used_range(slots, n, &first, &last, &max);

	ks_json_obj_begin(j, key);
	ks_json_str(j, "unit", unit);
	ks_json_arr_begin(j, "buckets");
	for (unsigned int i = first; any && i <= last; i++) {
		unsigned long long lo, hi;

		if (linear) {
			lo = base + (unsigned long long)i * step;
			hi = lo + step - 1;
		} else {
			ks_log2_bounds(i, &lo, &hi);
		}
		ks_json_obj_begin(j, NULL);
		ks_json_uint(j, "low", lo);
		ks_json_uint(j, "high", hi);
		ks_json_uint(j, "count", slots[i]);
		ks_json_obj_end(j);
	}
	ks_json_arr_end(j);
	ks_json_obj_end(j);
}

void ks_hist_json_log2(struct ks_json *j, const char *key, const unsigned long long *slots,
		       unsigned int n, const char *unit)
{
	json_buckets(j, key, slots, n, unit, false, 0, 0);
}

void ks_hist_json_linear(struct ks_json *j, const char *key, const unsigned long long *slots,
			 unsigned int n, unsigned long long base, unsigned long long step,
			 const char *unit)
{
	json_buckets(j, key, slots, n, unit, true, base, step);
}
