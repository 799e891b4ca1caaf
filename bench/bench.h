/* SPDX-License-Identifier: GPL-2.0-only */
/* What the benchmark's workloads share: the clock, pinning, and per-chunk timing. */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Operations per chunk: a workload notes the time after each CHUNK operations. */
#define BENCH_CHUNK 1000

static inline unsigned long long bench_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Pins the calling thread to @cpu; 0 or -errno, said on stderr as @who's. */
static inline int bench_pin(const char *who, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "%s: cannot pin to CPU %d: %s\n", who, cpu, strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * Prints "ready pid=PID" and waits for SIGUSR1 (the trial's start signal); 0, or -1 if the
 * wait failed. SIGUSR1 is blocked before the line goes out, so an early one stays pending.
 */
static inline int bench_wait_usr1(void)
{
	sigset_t usr1;
	int sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	printf("ready pid=%d\n", (int)getpid());
	fflush(stdout);
	return sigwait(&usr1, &sig) ? -1 : 0;
}

static inline int bench_cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

struct bench_chunks {
	double p10, p50; /* ns per operation of the 10th-percentile and the median chunk */
};

/*
 * @end[0..@nck-1] are the chunks' end times, the first chunk starting at @t0. Turns them
 * into durations, sorted (in place), and returns the 10th-percentile and median chunk
 * per operation: the cost without preemptions and host noise, which a whole run's time
 * includes.
 */
static inline struct bench_chunks bench_chunks(unsigned long long *end, long long nck,
					       unsigned long long t0)
{
	struct bench_chunks c = { 0, 0 };

	if (nck <= 0)
		return c;
	for (long long i = nck - 1; i > 0; i--)
		end[i] -= end[i - 1];
	end[0] -= t0;
	qsort(end, nck, sizeof(*end), bench_cmp_ull);
	c.p10 = (double)end[nck / 10] / BENCH_CHUNK;
	c.p50 = (double)end[nck / 2] / BENCH_CHUNK;
	return c;
}

/*
 * Busy time of all CPUs (everything but idle and iowait, from /proc/stat's jiffies), in
 * ns: what a run cost the whole machine, softirqs and the tracer's reader included.
 */
static inline unsigned long long bench_busy_ns(void)
{
	unsigned long long v[10] = { 0 }, sum = 0;
	FILE *f = fopen("/proc/stat", "r");
	int k;

	if (!f)
		return 0;
	k = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	fclose(f);
	/* user nice system [idle iowait] irq softirq steal; guest time is already in user */
	for (int i = 0; i < k && i < 8; i++)
		if (i != 3 && i != 4)
			sum += v[i];
	return sum * (1000000000ULL / sysconf(_SC_CLK_TCK));
}

/* A measured run: its CLOCK_MONOTONIC and machine-busy (bench_busy_ns) times at each end. */
struct bench_span {
	unsigned long long t0, t1, b0, b1;
};

static inline void bench_span_begin(struct bench_span *s)
{
	s->b0 = bench_busy_ns();
	s->t0 = bench_mono_ns();
}

static inline void bench_span_end(struct bench_span *s)
{
	s->t1 = bench_mono_ns();
	s->b1 = bench_busy_ns();
}

/*
 * A workload's result line, which bench/stats.awk reads by key: "WHO: pid= cpu= EXTRA n=
 * elapsed_ns= ns_per_op= chunk_p10_ns_per_op= chunk_p50_ns_per_op= busy_ns_per_op= RATE=
 * nvcsw= nivcsw=", @n operations in span @s, @chunk the end times of its n / BENCH_CHUNK
 * chunks (bench_chunks), @extra the workload's own "key=value" words, @rate the name of
 * its operations per second.
 */
static inline void bench_report(const char *who, int cpu, const char *extra, long long n,
				const struct bench_span *s, unsigned long long *chunk,
				const char *rate)
{
	struct bench_chunks pc = bench_chunks(chunk, n / BENCH_CHUNK, s->t0);
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	printf("%s: pid=%d cpu=%d %s n=%lld elapsed_ns=%llu ns_per_op=%.1f "
	       "chunk_p10_ns_per_op=%.1f chunk_p50_ns_per_op=%.1f busy_ns_per_op=%.1f "
	       "%s=%.0f nvcsw=%ld nivcsw=%ld\n",
	       who, (int)getpid(), cpu, extra, n, s->t1 - s->t0, (double)(s->t1 - s->t0) / n,
	       pc.p10, pc.p50, (double)(s->b1 - s->b0) / n, rate, n * 1e9 / (s->t1 - s->t0),
	       ru.ru_nvcsw, ru.ru_nivcsw);
}

#endif
