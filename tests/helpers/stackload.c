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
 *   weird MS               burn_weird spins for MS of its CPU time: its symbol is
 *                          "burn;weird<ESC>[7m name" (a ';', a terminal escape, a space)
 *   handoff N MS           the same, but before each sleep the child waits until the parent
 *                          has blocked in read_here and left its CPU (taskstate.h): so each of
 *                          the N reads blocks MS ms or more, whatever else runs
 *
 * With STACKLOAD_REPORT=1 in the environment it says what it did, once done, on stdout
 * (times in ns, of the clocks named):
 *   burn:    "FUNC calls N wall_ns W exec_ns E" for burn_a and burn_b (W: CLOCK_MONOTONIC
 *            around the calls; E: the thread's CPU time in them), then "burn wall_ns W
 *            exec_ns E switches S" for the whole burn (S: its context switches meanwhile)
 *   sleep:   "sleep_here wall_ns W" for each call, then "sleep exec_ns E" (its CPU time
 *            from the trigger to the end)
 *   pipe, handoff: "read_here wall_ns W" for each of the parent's reads
 * burn A_MS B_MS ROUNDS CPU (a fourth argument) runs on that CPU only.
 *
 * With STACKLOAD_COMM set in the environment, the command name becomes that (prctl; the
 * kernel keeps 15 bytes) before anything else happens: any bytes, for the escaping tests.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "taskstate.h"

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

/* Any binary may name its functions anything: the symbol says so (see the usage). */
NOINLINE void burn_weird(long long ns) __asm__("\"burn;weird\x1b[7m name\"");
NOINLINE void burn_weird(long long ns)
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
	fprintf(stderr, "usage: stackload burn A_MS B_MS ROUNDS [CPU] | sleep N MS | "
			"spin THREADS CPU MS | pipe N MS | handoff N MS | weird MS\n");
	exit(2);
}

static int reporting;

/* What one kind of call did: how often, how long by the wall clock and by CPU time. */
struct calls {
	long n;
	long long wall_ns, exec_ns;
};

static void calls_add(struct calls *c, long long wall0, long long exec0)
{
	c->n++;
	c->wall_ns += clock_ms_ns(CLOCK_MONOTONIC) - wall0;
	c->exec_ns += clock_ms_ns(CLOCK_THREAD_CPUTIME_ID) - exec0;
}

static long long own_switches(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

/* burn's fourth argument: run on that CPU only. */
static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		exit(1);
}

/* handoff: what the parent tells the child through shared memory before each read. */
struct handoff {
	volatile long round; /* the read it is about to make, from 1 */
	volatile unsigned long long vol_before;
};

/* handoff, in the parent: about to make read @i (from 0). */
static void handoff_reading(struct handoff *h, int i)
{
	struct rusage ru;

	if (!h)
		return;
	getrusage(RUSAGE_THREAD, &ru);
	h->vol_before = (unsigned long long)ru.ru_nvcsw;
	__atomic_store_n(&h->round, i + 1, __ATOMIC_RELEASE);
}

/* handoff, in the child: wait until @parent blocked in its read @i of @fd, off its CPU. */
static void handoff_wait(struct handoff *h, int i, pid_t parent, int fd)
{
	char dir[32];

	if (!h)
		return;
	snprintf(dir, sizeof(dir), "/proc/%d", (int)parent);
	while (__atomic_load_n(&h->round, __ATOMIC_ACQUIRE) != i + 1)
		usleep(1000);
	ts_wait_blocked(dir, h->vol_before, SYS_read, fd);
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
	if (getenv("STACKLOAD_COMM"))
		prctl(PR_SET_NAME, getenv("STACKLOAD_COMM"), 0, 0, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &wait);
	sigdelset(&wait, SIGUSR1);
	sigaction(SIGUSR1, &sa, NULL);
	sigsuspend(&wait);
	reporting = getenv("STACKLOAD_REPORT") && !strcmp(getenv("STACKLOAD_REPORT"), "1");

	if (!strcmp(argv[1], "weird") && argc == 3) {
		burn_weird(atoll(argv[2]) * 1000000LL);
		return 0;
	}
	if (!strcmp(argv[1], "burn") && (argc == 5 || argc == 6)) {
		long long a_ns = atoll(argv[2]) * 1000000LL, b_ns = atoll(argv[3]) * 1000000LL;
		struct calls a = { 0 }, b = { 0 }, all = { 0 };
		long long w, e, w0, e0, sw0;

		if (argc == 6)
			pin_to(atoi(argv[5]));
		sw0 = own_switches();
		w0 = clock_ms_ns(CLOCK_MONOTONIC);
		e0 = clock_ms_ns(CLOCK_THREAD_CPUTIME_ID);
		/* called from main itself: main is right below them on the stack */
		for (int r = atoi(argv[4]); r > 0; r--) {
			w = clock_ms_ns(CLOCK_MONOTONIC);
			e = clock_ms_ns(CLOCK_THREAD_CPUTIME_ID);
			burn_a(a_ns);
			calls_add(&a, w, e);
			w = clock_ms_ns(CLOCK_MONOTONIC);
			e = clock_ms_ns(CLOCK_THREAD_CPUTIME_ID);
			burn_b(b_ns);
			calls_add(&b, w, e);
		}
		calls_add(&all, w0, e0);
		if (reporting)
			printf("burn_a calls %ld wall_ns %lld exec_ns %lld\n"
			       "burn_b calls %ld wall_ns %lld exec_ns %lld\n"
			       "burn wall_ns %lld exec_ns %lld switches %lld\n",
			       a.n, a.wall_ns, a.exec_ns, b.n, b.wall_ns, b.exec_ns, all.wall_ns,
			       all.exec_ns, own_switches() - sw0);
	} else if (!strcmp(argv[1], "sleep") && argc == 4) {
		long long e0 = clock_ms_ns(CLOCK_THREAD_CPUTIME_ID);

		for (int n = atoi(argv[2]); n > 0; n--) {
			long long t = clock_ms_ns(CLOCK_MONOTONIC);

			sleep_here(atoi(argv[3]));
			if (reporting)
				printf("sleep_here wall_ns %lld\n",
				       clock_ms_ns(CLOCK_MONOTONIC) - t);
		}
		if (reporting)
			printf("sleep exec_ns %lld\n", clock_ms_ns(CLOCK_THREAD_CPUTIME_ID) - e0);
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
	} else if ((!strcmp(argv[1], "pipe") || !strcmp(argv[1], "handoff")) && argc == 4) {
		int n = atoi(argv[2]), ms = atoi(argv[3]), fds[2], st;
		long long *wall = calloc((size_t)n + 1, sizeof(*wall));
		struct handoff *h = NULL;
		pid_t child, parent = getpid();

		if (!wall || pipe(fds))
			return 1;
		if (!strcmp(argv[1], "handoff")) {
			h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
			if (h == MAP_FAILED)
				return 1;
		}
		child = fork();
		if (child < 0)
			return 1;
		/* read_here and wake_here called from main itself: main is right below them */
		if (!child) {
			for (int i = 0; i < n; i++) {
				handoff_wait(h, i, parent, fds[0]);
				sleep_here(ms);
				wake_here(fds[1]);
			}
			_exit(0);
		}
		for (int i = 0; i < n; i++) {
			long long t = reporting ? clock_ms_ns(CLOCK_MONOTONIC) : 0;

			handoff_reading(h, i);
			read_here(fds[0]);
			if (reporting)
				wall[i] = clock_ms_ns(CLOCK_MONOTONIC) - t;
		}
		waitpid(child, &st, 0);
		for (int i = 0; reporting && i < n; i++)
			printf("read_here wall_ns %lld\n", wall[i]);
		free(wall);
	} else {
		usage();
	}
	return 0;
}
