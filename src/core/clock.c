// SPDX-License-Identifier: GPL-2.0-only
/* The clocks kscope reads: BPF's monotonic time, the wall clock, and between the two. */
#include <time.h>

#include "core/clock.h"

static unsigned long long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

unsigned long long ks_now_mono(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

unsigned long long ks_now_realtime(void)
{
	return clock_ns(CLOCK_REALTIME);
}

unsigned long long ks_realtime_offset(void)
{
	unsigned long long best = 0, best_gap = ~0ULL;

	/* The pair read closest together bounds the error by its gap. */
	for (int i = 0; i < 5; i++) {
		unsigned long long m1 = clock_ns(CLOCK_MONOTONIC);
		unsigned long long r = clock_ns(CLOCK_REALTIME);
		unsigned long long m2 = clock_ns(CLOCK_MONOTONIC);

		if (m2 - m1 < best_gap) {
			best_gap = m2 - m1;
			best = r - (m1 + (m2 - m1) / 2);
		}
	}
	return best;
}
