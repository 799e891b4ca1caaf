/* SPDX-License-Identifier: GPL-2.0-only */
/* What the floors' loaders share: quiet libbpf, a stop flag on Ctrl-C, per-CPU sums. */
#ifndef BENCH_LOADER_H
#define BENCH_LOADER_H

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t bench_stop;

static void bench_on_signal(int sig)
{
	bench_stop = 1;
}

/* libbpf's warnings only: its info lines would drown the "tracing" line a trial waits for. */
static int bench_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

/* Quiet libbpf; SIGINT and SIGTERM set bench_stop (no SA_RESTART: a poll returns EINTR). */
static inline void bench_loader_init(void)
{
	struct sigaction sa = { .sa_handler = bench_on_signal };

	libbpf_set_print(bench_libbpf_print);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Waits for SIGINT or SIGTERM, blocked between the test and the wait so none is missed. */
static inline void bench_wait_stop(void)
{
	sigset_t stops, old;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigprocmask(SIG_BLOCK, &stops, &old);
	while (!bench_stop)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Element @key of a per-CPU array of u64 (map @fd), summed over the CPUs; 0 on error. */
static inline unsigned long long bench_percpu_sum(int fd, unsigned int key)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long sum = 0, *v;

	v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));
	if (v && ncpu > 0 && !bpf_map_lookup_elem(fd, &key, v))
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

static int bench_count_event(void *ctx, void *data, size_t size)
{
	(*(unsigned long long *)ctx)++;
	return 0;
}

/*
 * Streaming floors: drain ring buffer @fd until SIGINT or SIGTERM, counting its records into
 * *@events, after saying "@who: tracing, Ctrl-C to end" on stderr (what a trial waits for).
 * The reader wakes on the floor's wake-ups or every 100 ms. 0, or -errno said on stderr.
 */
static inline int bench_drain(int fd, const char *who, unsigned long long *events)
{
	struct ring_buffer *rb = ring_buffer__new(fd, bench_count_event, events, NULL);
	int err = 0;

	if (!rb) {
		err = -errno;
		fprintf(stderr, "%s: cannot open the ring buffer: %s\n", who, strerror(errno));
		return err;
	}
	fprintf(stderr, "%s: tracing, Ctrl-C to end\n", who);
	while (!bench_stop) {
		/* Returns on a wake-up or after 100 ms; a timeout consumes nothing, so drain. */
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "%s: polling the ring buffer: %s\n", who, strerror(-err));
			break;
		}
		err = 0;
		ring_buffer__consume(rb);
	}
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return err;
}

#endif
