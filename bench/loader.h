/* SPDX-License-Identifier: GPL-2.0-only */
/* What the floors' loaders share: quiet libbpf, a stop flag on Ctrl-C, per-CPU sums. */
#ifndef BENCH_LOADER_H
#define BENCH_LOADER_H

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
