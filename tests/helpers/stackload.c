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
 *   pipe N MS              a child process N times sleeps MS ms and writes a byte to a pipe
 *                          (in wake_here); the parent reads each byte in read_here, so it is
 *                          blocked about N x MS ms in all, each time woken by the child
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

static inline __attribute__((always_inline)) long raw_syscall3(long nr, long a, long b, long c);

NOINLINE void sleep_here(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (raw_syscall3(SYS_nanosleep, (long)&ts, (long)&ts, 0))
		;
	__asm__ volatile("" ::: "memory");
}

/*
 * A system call made right here, not in the C library: libc's wrappers keep no frame
 * pointer, so a stack taken inside one skips its caller (the frame-pointer walk goes
 * from the wrapper's return address straight to the caller's caller).
 */
static inline __attribute__((always_inline)) long raw_syscall3(long nr, long a, long b, long c)
{
#ifdef __x86_64__
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
#else
	return syscall(nr, a, b, c);
#endif
}

NOINLINE void wake_here(int fd)
{
	char c = 1;

	if (raw_syscall3(SYS_write, fd, (long)&c, 1) != 1)
		exit(1);
	__asm__ volatile("" ::: "memory");
}

NOINLINE void read_here(int fd)
{
	char c;

	if (raw_syscall3(SYS_read, fd, (long)&c, 1) != 1)
		exit(1);
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
			"spin THREADS CPU MS | pipe N MS\n");
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
	} else if (!strcmp(argv[1], "pipe") && argc == 4) {
		int n = atoi(argv[2]), ms = atoi(argv[3]), fds[2], st;
		pid_t child;

		if (pipe(fds))
			return 1;
		child = fork();
		if (child < 0)
			return 1;
		if (!child) {
			for (int i = 0; i < n; i++) {
				sleep_here(ms);
				wake_here(fds[1]);
			}
			_exit(0);
		}
		for (int i = 0; i < n; i++)
			read_here(fds[0]);
		waitpid(child, &st, 0);
	} else {
		usage();
	}
	return 0;
}
