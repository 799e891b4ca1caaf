// SPDX-License-Identifier: GPL-2.0-only
/* stackload: CPU and sleep patterns in named functions, for the stack tools' tests. */
/*
 * usage: stackload MODE ARGS...
 *
 * Built without PIE and with frame pointers (see the Makefile), so user stacks unwind
 * through its own functions. Like workload, every mode first waits for SIGUSR1, then acts
 * and exits 0 (2 for bad usage).
 *
 *   burn A_MS B_MS ROUNDS  ROUNDS times: burn_a spins for A_MS of its own CPU time, then
 *                          burn_b for B_MS; CPU time, so other load on the CPU can't skew
 *                          the split between them
 *   sleep N MS             sleep_here() sleeps N times MS milliseconds (nanosleep)
 *   spin THREADS CPU MS    THREADS threads pinned to CPU each spin (spin_here) for MS of
 *                          wall-clock time; the main thread waits for them
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, used))

static volatile unsigned long sink;

static long long clock_ms_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Spin until this thread has used @ns more CPU time. */
static NOINLINE void spin_cpu(long long ns)
{
	long long end = clock_ms_ns(CLOCK_THREAD_CPUTIME_ID) + ns;

	while (clock_ms_ns(CLOCK_THREAD_CPUTIME_ID) < end)
		for (int i = 0; i < 2000; i++)
			sink += (unsigned long)i;
}

NOINLINE void burn_a(long long ns)
{
	spin_cpu(ns);
	__asm__ volatile("" ::: "memory"); /* not a tail call: burn_a stays on the stack */
}

NOINLINE void burn_b(long long ns)
{
	spin_cpu(ns);
	__asm__ volatile("" ::: "memory");
}

NOINLINE void sleep_here(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
	__asm__ volatile("" ::: "memory");
}

static long long spin_ns;
static int spin_cpu_nr;

NOINLINE void spin_here(void)
{
	long long end = clock_ms_ns(CLOCK_MONOTONIC) + spin_ns;

	while (clock_ms_ns(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 2000; i++)
			sink += (unsigned long)i;
	__asm__ volatile("" ::: "memory");
}

static void *spinner(void *arg)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(spin_cpu_nr, &set);
	sched_setaffinity(0, sizeof(set), &set);
	spin_here();
	return arg;
}

static void usage(void)
{
	fprintf(stderr, "usage: stackload burn A_MS B_MS ROUNDS | sleep N MS | "
			"spin THREADS CPU MS\n");
	exit(2);
}

static void on_usr1(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t block, wait;

	if (argc < 2)
		usage();
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &wait);
	sigdelset(&wait, SIGUSR1);
	sigaction(SIGUSR1, &sa, NULL);
	sigsuspend(&wait);

	if (!strcmp(argv[1], "burn") && argc == 5) {
		long long a = atoll(argv[2]) * 1000000LL, b = atoll(argv[3]) * 1000000LL;

		for (int r = atoi(argv[4]); r > 0; r--) {
			burn_a(a);
			burn_b(b);
		}
	} else if (!strcmp(argv[1], "sleep") && argc == 4) {
		for (int n = atoi(argv[2]); n > 0; n--)
			sleep_here(atoi(argv[3]));
	} else if (!strcmp(argv[1], "spin") && argc == 5) {
		int n = atoi(argv[2]);
		pthread_t *t = calloc((size_t)n, sizeof(*t));

		spin_cpu_nr = atoi(argv[3]);
		spin_ns = atoll(argv[4]) * 1000000LL;
		for (int i = 0; i < n; i++)
			pthread_create(&t[i], NULL, spinner, NULL);
		for (int i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		free(t);
	} else {
		usage();
	}
	return 0;
}
