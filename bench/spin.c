// SPDX-License-Identifier: GPL-2.0-only
/* spin: a busy CPU for the sampling benchmark; prints how much work it got done. */
/*
 * usage: spin CPU SECONDS
 * Pinned to CPU, spins in fixed work units for SECONDS of wall-clock time and prints the
 * number of units ("units=N"): fewer units with a profiler attached is what it cost.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long long units = 0;
	cpu_set_t set;
	double end;

	if (argc != 3) {
		fprintf(stderr, "usage: spin CPU SECONDS\n");
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(atoi(argv[1]), &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("spin: sched_setaffinity");
	end = now() + atof(argv[2]);
	while (now() < end) {
		for (int i = 0; i < 100000; i++)
			sink += (unsigned long)i;
		units++;
	}
	printf("units=%llu\n", units);
	return 0;
}
