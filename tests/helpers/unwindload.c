// SPDX-License-Identifier: GPL-2.0-only
/* unwindload: known call chains through a shared library into libc, for the stack unwinding tests.
 */
/*
 * usage: unwindload [-n COUNT] [-d SECONDS] [-m MS] [--now] ACTION...
 *
 * Built the ordinary way, -O2 and PIE, three times (see the Makefile): unwindload without
 * frame pointers (only .eh_frame says how to unwind it), unwindload-fp with them, and
 * unwindload-stripped (unwindload without symbols: they are in a debug file found by
 * build-id or .gnu_debuglink). Each links libunwindlib (unwindlib.c) from its own directory.
 *
 * Each ACTION runs COUNT times (-n, default 10) through its own chain of functions, none
 * inlined or tail-called (leaf first; tests/lib.sh uw_chain prints them):
 *   nap     uw_leaf_nap < uw_lib_nap < uw_outer_nap < uw_main_nap < main, in nanosleep()
 *           for MS milliseconds (-m, default 10): off-CPU through libc's frameless wrapper
 *   pipe    uw_leaf_pipe < uw_lib_pipe < uw_outer_pipe < uw_main_pipe < main, in read() on a
 *           pipe the waker thread writes a byte to MS ms after it was asked
 *   cond    uw_leaf_cond < uw_lib_cond < uw_outer_cond < uw_main_cond < main, in
 *           pthread_cond_wait() until the waker thread signals, MS ms after it was asked
 *   malloc  uw_leaf_malloc < uw_lib_malloc < uw_outer_malloc < uw_main_malloc < main: each
 *           time 1000 malloc/free pairs of 16 bytes to 64 KiB (on CPU, in libc)
 *   spin    uw_leaf_spin < uw_lib_spin < uw_outer_spin < uw_main_spin < main: each time
 *           1000000 rounds of arithmetic in uw_leaf_spin itself (on CPU, no library call)
 * uw_leaf_* and uw_lib_* are in the library (uw_leaf_* static: only in its .symtab), the
 * others in the program. With -d SECONDS, malloc and spin run until the main thread has
 * used that much CPU time (a fraction allowed) instead of COUNT times.
 *
 * The waker thread, for pipe and cond, waits for a request on a pipe of its own, sleeps MS
 * ms, then wakes the main thread: uw_lib_wake_pipe < uw_waker_pipe < uw_waker_thread (in
 * write()) or uw_lib_wake_cond < uw_waker_cond < uw_waker_thread (in
 * pthread_cond_signal()).
 *
 * Like schedload it arms the SIGUSR1 trigger (SigCgt bit 0x200 in /proc/PID/status says it
 * may be sent) and prints "ready PID TID WAKER_TID" (the main thread runs the actions, the
 * waker thread wakes it); after the trigger it runs the actions in order, prints one line
 * each, then "done", and holds still until a second SIGUSR1 lets it exit 0:
 *   "ACTION calls N" (nap, pipe, cond: N = COUNT)
 *   "malloc calls N allocs A bytes B" (A malloc/free pairs in all, B bytes allocated)
 *   "spin calls N iters I" (I rounds in uw_leaf_spin in all)
 * With --now it neither waits for the trigger nor holds: for `perf record -- unwindload`.
 * Exit codes: 0 done, 1 a system call failed (message on stderr), 2 bad arguments.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trigger.h"
#include "unwindlib.h"

/* which build this is (the Makefile's -DUW_NAME): each of the three has its own build-id */
#ifndef UW_NAME
#define UW_NAME "unwindload"
#endif

#define MALLOC_BATCH 1000UL
#define SPIN_ITERS   1000000UL

static volatile unsigned long uw_steps;

struct uw_ctx {
	long delay_ns; /* the nap, and the waker's sleep before it wakes */
	unsigned long count;
	long long cpu_ns; /* -d: CPU time for malloc and spin, 0: COUNT times */
	int req[2];	  /* main -> waker: 'p' write to data, 'c' signal cond, 'q' quit */
	int data[2];	  /* waker -> main: the pipe action's byte */
	struct uw_cond cond;
	pthread_barrier_t started;
	pid_t waker_tid;
};

static long long thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A line on stdout now: the tests read it while unwindload runs. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "unwindload: %s: %s\n", what, strerror(err));
	exit(1);
}

/* --- the waker thread ----------------------------------------------------------------------- */

static UW_FN int uw_waker_pipe(struct uw_ctx *c)
{
	int err = uw_lib_wake_pipe(c->data[1]);

	UW_AFTER(uw_steps);
	return err;
}

static UW_FN int uw_waker_cond(struct uw_ctx *c)
{
	int err = uw_lib_wake_cond(&c->cond);

	UW_AFTER(uw_steps);
	return err;
}

static UW_FN void *uw_waker_thread(void *arg)
{
	struct uw_ctx *c = arg;
	struct timespec ts;
	char req;
	int err;

	c->waker_tid = gettid();
	pthread_barrier_wait(&c->started);
	for (;;) {
		ssize_t n = read(c->req[0], &req, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1)
			die("waker: read", n < 0 ? errno : EPIPE);
		if (req == 'q')
			break;
		ts.tv_sec = c->delay_ns / 1000000000L;
		ts.tv_nsec = c->delay_ns % 1000000000L;
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		err = req == 'p' ? uw_waker_pipe(c) : uw_waker_cond(c);
		if (err)
			die(req == 'p' ? "waker: write" : "waker: pthread_cond_signal", -err);
	}
	UW_AFTER(uw_steps);
	return NULL;
}

/* Ask the waker for @what ('p', 'c', 'q'). */
static void waker_ask(struct uw_ctx *c, char what)
{
	if (write(c->req[1], &what, 1) != 1)
		die("write to the waker", errno);
}

/* --- the chains: uw_main_ACTION -> uw_outer_ACTION -> uw_lib_ACTION (library) ------------- */

static UW_FN int uw_outer_nap(struct uw_ctx *c)
{
	int err = uw_lib_nap(c->delay_ns);

	UW_AFTER(uw_steps);
	return err;
}

static UW_FN unsigned long uw_main_nap(struct uw_ctx *c)
{
	unsigned long i;

	for (i = 0; i < c->count; i++) {
		int err = uw_outer_nap(c);

		if (err)
			die("nanosleep", -err);
	}
	UW_AFTER(uw_steps);
	return i;
}

static UW_FN int uw_outer_pipe(struct uw_ctx *c)
{
	int err;

	waker_ask(c, 'p');
	err = uw_lib_pipe(c->data[0]);
	UW_AFTER(uw_steps);
	return err;
}

static UW_FN unsigned long uw_main_pipe(struct uw_ctx *c)
{
	unsigned long i;

	for (i = 0; i < c->count; i++) {
		int err = uw_outer_pipe(c);

		if (err)
			die("read from the pipe", -err);
	}
	UW_AFTER(uw_steps);
	return i;
}

static UW_FN int uw_outer_cond(struct uw_ctx *c)
{
	int err;

	waker_ask(c, 'c');
	err = uw_lib_cond(&c->cond);
	UW_AFTER(uw_steps);
	return err;
}

static UW_FN unsigned long uw_main_cond(struct uw_ctx *c)
{
	unsigned long i;

	for (i = 0; i < c->count; i++) {
		int err = uw_outer_cond(c);

		if (err)
			die("pthread_cond_wait", -err);
	}
	UW_AFTER(uw_steps);
	return i;
}

static UW_FN unsigned long uw_outer_malloc(unsigned int *seed)
{
	unsigned long bytes = uw_lib_malloc(MALLOC_BATCH, seed);

	UW_AFTER(uw_steps);
	return bytes;
}

static UW_FN unsigned long uw_main_malloc(struct uw_ctx *c, unsigned long *bytes)
{
	long long end = thread_cpu_ns() + c->cpu_ns;
	unsigned int seed = 1;
	unsigned long i;

	*bytes = 0;
	for (i = 0; c->cpu_ns ? thread_cpu_ns() < end : i < c->count; i++)
		*bytes += uw_outer_malloc(&seed);
	UW_AFTER(uw_steps);
	return i;
}

static UW_FN unsigned long uw_outer_spin(void)
{
	unsigned long x = uw_lib_spin(SPIN_ITERS);

	UW_AFTER(uw_steps);
	return x;
}

static UW_FN unsigned long uw_main_spin(struct uw_ctx *c)
{
	long long end = thread_cpu_ns() + c->cpu_ns;
	unsigned long i, x = 0;

	for (i = 0; c->cpu_ns ? thread_cpu_ns() < end : i < c->count; i++)
		x += uw_outer_spin();
	uw_steps += x & 1; /* the result is used: the rounds are not optimised away */
	return i;
}

static int run(struct uw_ctx *c, const char *action)
{
	unsigned long n, bytes;

	if (!strcmp(action, "nap"))
		say("nap calls %lu\n", uw_main_nap(c));
	else if (!strcmp(action, "pipe"))
		say("pipe calls %lu\n", uw_main_pipe(c));
	else if (!strcmp(action, "cond"))
		say("cond calls %lu\n", uw_main_cond(c));
	else if (!strcmp(action, "malloc")) {
		n = uw_main_malloc(c, &bytes);
		say("malloc calls %lu allocs %lu bytes %lu\n", n, n * MALLOC_BATCH, bytes);
	} else if (!strcmp(action, "spin")) {
		n = uw_main_spin(c);
		say("spin calls %lu iters %lu\n", n, n * SPIN_ITERS);
	} else
		return -EINVAL;
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s [-n COUNT] [-d SECONDS] [-m MS] [--now] "
		"nap|pipe|cond|malloc|spin...\n",
		UW_NAME);
	exit(2);
}

/* A number in [min, max] from @s, or exit 2. */
static long long num_arg(const char *opt, const char *s, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "unwindload: %s: bad value '%s' (%lld to %lld)\n", opt, s, min,
			max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static struct uw_ctx c = { .delay_ns = 10000000L,
				   .count = 10,
				   .cond = { PTHREAD_MUTEX_INITIALIZER,
					     PTHREAD_COND_INITIALIZER } };
	pthread_t waker;
	int now = 0, i, err;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--now")) {
			now = 1;
			continue;
		}
		if (i + 1 >= argc || argv[i][2])
			usage();
		switch (argv[i][1]) {
		case 'n':
			c.count = (unsigned long)num_arg("-n", argv[++i], 1, 100000000);
			break;
		case 'm':
			c.delay_ns = (long)num_arg("-m", argv[++i], 0, 60000) * 1000000L;
			break;
		case 'd': {
			char *end;
			double d = strtod(argv[++i], &end);

			if (end == argv[i] || *end || !(d > 0 && d <= 3600)) {
				fprintf(stderr, "unwindload: -d: bad value '%s' (seconds, > 0)\n",
					argv[i]);
				exit(2);
			}
			c.cpu_ns = (long long)(d * 1e9);
			break;
		}
		default:
			usage();
		}
	}
	if (i >= argc)
		usage();
	for (int k = i; k < argc; k++)
		if (strcmp(argv[k], "nap") && strcmp(argv[k], "pipe") && strcmp(argv[k], "cond") &&
		    strcmp(argv[k], "malloc") && strcmp(argv[k], "spin")) {
			fprintf(stderr, "unwindload: unknown action '%s'\n", argv[k]);
			exit(2);
		}

	/* armed before the waker starts: it inherits SIGUSR1 blocked, only main takes it */
	if (!now && trigger_arm())
		die("sigaction", errno);
	if (pipe(c.req) || pipe(c.data))
		die("pipe", errno);
	pthread_barrier_init(&c.started, NULL, 2);
	err = pthread_create(&waker, NULL, uw_waker_thread, &c);
	if (err)
		die("pthread_create", err);
	pthread_barrier_wait(&c.started);
	say("ready %d %d %d\n", getpid(), gettid(), c.waker_tid);
	if (!now)
		trigger_wait();

	for (; i < argc; i++)
		run(&c, argv[i]);
	say("done\n");
	if (!now)
		trigger_wait();
	waker_ask(&c, 'q');
	pthread_join(waker, NULL);
	return 0;
}
