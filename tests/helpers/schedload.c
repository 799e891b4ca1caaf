// SPDX-License-Identifier: GPL-2.0-only
/* schedload: deterministic scheduler load for the scheduler tools' tests, started by SIGUSR1. */
/*
 * usage: schedload MODE ARGS...
 *
 * Like workload, every mode first waits for SIGUSR1 (SigCgt bit 0x200 in /proc/PID/status
 * says it is safe to send), does what the mode says, prints what it did, prints "done",
 * then waits for a second SIGUSR1 and exits 0. Between "done" and that signal it neither
 * runs nor wakes: a test stops the tracer there, so what the tracer saw is exactly what
 * was printed.
 *
 *   spin N MS [CPU]   N threads named spin-0 ... on one CPU (CPU, default the first
 *                     this process may use), each busy until MS ms after the trigger; then
 *                     they block, and the main thread prints for each:
 *                       thread TID pcount P run_delay_ns R exec_ns E
 *                     from /proc/self/task/TID/schedstat (P: times it was switched in;
 *                     R: ns it waited runnable on a run queue; E: ns it ran), then for each
 *                       switches TID VOL INVOL
 *                     its voluntary and involuntary context switches (taskstate.h: read
 *                     once it is blocked and off its CPU, so final; VOL + INVOL is the
 *                     number of sched_switch events that switched it out, and as it was
 *                     created after the trigger and ends blocked, also the number that
 *                     switched it in), then
 *                       window_ns W cpu C
 *                     W: ns from before the first thread was made to after the last one
 *                     blocked (their slices, all on CPU C, fit in it one after another),
 *                     then
 *                       main TID
 *   hold N [CPU]      like spin, but the threads spin from the trigger until a second
 *                     SIGUSR1; once all of them have run, "spinning" is printed, so from
 *                     then until that signal CPU C always has all N runnable. Then they
 *                     block and the same lines as spin's follow (window_ns from the first
 *                     trigger).
 *   block K MS        a thread named blocker, made after the trigger, reads a pipe K times;
 *                     for each read the main thread waits until it has blocked and left
 *                     its CPU (taskstate.h), sleeps MS ms, and writes a byte. So each of its
 *                     K blocked slices off CPU is MS ms or longer; then it blocks for good
 *                     and the main thread prints
 *                       blocker TID vol V invol I exec_ns E max_read_ns X window_ns W
 *                     V + I: its switches out (all but its last are followed by a switch
 *                     in); X: its longest read (each blocked slice fits in one); W: ns from
 *                     before it was made to after its last block (all its slices fit in
 *                     it); then
 *                       main TID
 *   sleep K MS        the main thread sleeps K times MS ms (K off-CPU slices of about
 *                     MS ms each); prints "main TID"
 *   udp N             sends N UDP datagrams to itself over 127.0.0.1 and receives them;
 *                     prints "sent N"
 *
 * Output uses write(2) only. Exit codes: 0 done, 1 an action failed, 2 bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "taskstate.h"
#include "trigger.h"

#define MAX_THREADS 64

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && write(1, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1) < 0)
		exit(1);
}

static void die(const char *what)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "schedload: %s: %s\n", what, strerror(errno));
	if (write(2, buf, strlen(buf)) < 0)
		exit(1);
	exit(1);
}

static long num_arg(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < min || v > max) {
		fprintf(stderr, "schedload: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

struct worker {
	pthread_t thread;
	int index;
	pid_t tid;
	unsigned long long deadline;
	int done_fd, hold_fd;
	int started_fd; /* hold: a byte once running, or -1 */
	/* its voluntary switches just before its last read (ts_wait_blocked) */
	volatile unsigned long long vol_before;
	volatile int blocking;
};

/* hold: set by the main thread to end the spinning. */
static volatile int stop_spinning;

static unsigned long long own_vol_switches(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		die("getrusage");
	return (unsigned long long)ru.ru_nvcsw;
}

/* Block for good in read(@fd): the process exits under us after the last trigger. */
static void block_for_good(struct worker *w, int fd)
{
	char c;

	w->vol_before = own_vol_switches();
	__atomic_store_n(&w->blocking, 1, __ATOMIC_RELEASE);
	for (;;)
		if (read(fd, &c, 1) <= 0 && errno != EINTR)
			pause();
}

static void *spin(void *arg)
{
	struct worker *w = arg;
	char name[16], c = 1;

	w->tid = gettid_();
	snprintf(name, sizeof(name), "spin-%d", w->index);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	if (w->started_fd >= 0 && write(w->started_fd, &c, 1) != 1)
		die("write");
	while (mono_ns() < w->deadline && !stop_spinning)
		;
	if (write(w->done_fd, &c, 1) != 1)
		die("write");
	block_for_good(w, w->hold_fd);
	return NULL;
}

/* Wait until worker @w is blocked in its last read(@fd) and off its CPU: its counts are
 * final. */
static void wait_worker_blocked(struct worker *w, int fd)
{
	char dir[64];

	while (!__atomic_load_n(&w->blocking, __ATOMIC_ACQUIRE))
		usleep(1000);
	snprintf(dir, sizeof(dir), "/proc/self/task/%d", (int)w->tid);
	ts_wait_blocked(dir, w->vol_before, SYS_read, fd);
}

/* The state letter of thread @tid of this process (R, S, D ...), 0 if unreadable. */
static char thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n > 0 ? n : 0] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] && p[2] ? p[2] : 0;
}

/* block: the thread that reads, and what it measured. */
struct blocker {
	struct worker w;
	long k;
	int go[2], hold[2];
	volatile long round; /* the read it is in (1...k), set once vol_before is */
	unsigned long long max_read_ns;
};

static void *blocker(void *arg)
{
	struct blocker *b = arg;
	char c;

	prctl(PR_SET_NAME, "blocker", 0, 0, 0);
	__atomic_store_n(&b->w.tid, gettid_(), __ATOMIC_RELEASE);
	for (long i = 0; i < b->k; i++) {
		unsigned long long t;

		b->w.vol_before = own_vol_switches();
		__atomic_store_n(&b->round, i + 1, __ATOMIC_RELEASE);
		t = mono_ns();
		if (read(b->go[0], &c, 1) != 1)
			die("read");
		t = mono_ns() - t;
		if (t > b->max_read_ns)
			b->max_read_ns = t;
	}
	block_for_good(&b->w, b->hold[0]);
	return NULL;
}

/* spin (@ms > 0) or hold (@ms == 0): see the usage at the top. */
static int mode_spin(int n, long ms, int cpu)
{
	struct worker w[MAX_THREADS];
	int done[2], hold[2], started[2];
	unsigned long long t0;
	cpu_set_t set;
	char c;

	if (pipe(done) || pipe(hold) || pipe(started))
		die("pipe");
	if (cpu < 0) {
		if (sched_getaffinity(0, sizeof(set), &set))
			die("sched_getaffinity");
		for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set); cpu++)
			;
	}
	/* The main thread moves first: threads inherit the CPU and never migrate. */
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
	trigger_wait();
	t0 = mono_ns();
	unsigned long long deadline = ms ? t0 + (unsigned long long)ms * 1000000ULL : ~0ULL;

	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ .index = i,
					.deadline = deadline,
					.done_fd = done[1],
					.hold_fd = hold[0],
					.started_fd = ms ? -1 : started[1] };
		errno = pthread_create(&w[i].thread, NULL, spin, &w[i]);
		if (errno)
			die("pthread_create");
	}
	if (!ms) {
		for (int i = 0; i < n; i++)
			if (read(started[0], &c, 1) != 1)
				die("read");
		say("spinning\n");
		trigger_wait();
		stop_spinning = 1;
	}
	for (int i = 0; i < n; i++)
		if (read(done[0], &c, 1) != 1)
			die("read");
	for (int i = 0; i < n; i++) {
		unsigned long long exec = 0, delay = 0, pcount = 0;
		char path[64];
		FILE *f;

		/* Blocked in its last read and off its CPU: no switch left to count. */
		while (thread_state(w[i].tid) != 'S')
			usleep(1000);
		wait_worker_blocked(&w[i], hold[0]);
		snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", (int)w[i].tid);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%llu %llu %llu", &exec, &delay, &pcount) != 3)
			die(path);
		fclose(f);
		say("thread %d pcount %llu run_delay_ns %llu exec_ns %llu\n", (int)w[i].tid, pcount,
		    delay, exec);
	}
	for (int i = 0; i < n; i++) {
		unsigned long long vol, invol;
		char dir[64];

		snprintf(dir, sizeof(dir), "/proc/self/task/%d", (int)w[i].tid);
		ts_switches(dir, &vol, &invol);
		say("switches %d %llu %llu\n", (int)w[i].tid, vol, invol);
	}
	say("window_ns %llu cpu %d\n", mono_ns() - t0, cpu);
	say("main %d\n", (int)gettid_());
	return 0;
}

static int mode_block(long k, long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	struct blocker b = { .k = k };
	unsigned long long t0, vol, invol;
	pthread_t thread;
	char dir[64], c = 1;

	if (pipe(b.go) || pipe(b.hold))
		die("pipe");
	trigger_wait();
	t0 = mono_ns();
	errno = pthread_create(&thread, NULL, blocker, &b);
	if (errno)
		die("pthread_create");
	while (!__atomic_load_n(&b.w.tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	snprintf(dir, sizeof(dir), "/proc/self/task/%d", (int)b.w.tid);
	for (long i = 0; i < k; i++) {
		/* its i-th read has begun (it recorded its count first), and blocked */
		while (__atomic_load_n(&b.round, __ATOMIC_ACQUIRE) != i + 1)
			usleep(1000);
		ts_wait_blocked(dir, b.w.vol_before, SYS_read, b.go[0]);
		while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
			;
		ts = (struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
		if (write(b.go[1], &c, 1) != 1)
			die("write");
	}
	wait_worker_blocked(&b.w, b.hold[0]);
	ts_switches(dir, &vol, &invol);
	say("blocker %d vol %llu invol %llu exec_ns %llu max_read_ns %llu window_ns %llu\n",
	    (int)b.w.tid, vol, invol, ts_exec_ns(dir), b.max_read_ns, mono_ns() - t0);
	say("main %d\n", (int)gettid_());
	return 0;
}

static int mode_sleep(long k, long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	trigger_wait();
	for (long i = 0; i < k; i++)
		while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
			;
	say("main %d\n", (int)gettid_());
	return 0;
}

static int mode_udp(long n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	char buf[64] = "schedload";
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		die("socket");
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(s, (struct sockaddr *)&a, &alen))
		die("bind");
	trigger_wait();
	for (long i = 0; i < n; i++) {
		if (sendto(s, buf, sizeof(buf), 0, (struct sockaddr *)&a, sizeof(a)) < 0)
			die("sendto");
		if (recv(s, buf, sizeof(buf), 0) < 0)
			die("recv");
	}
	say("sent %ld\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	if (trigger_arm())
		die("sigaction");
	if (argc >= 4 && argc <= 5 && !strcmp(argv[1], "spin"))
		ret = mode_spin((int)num_arg(argv[2], 1, MAX_THREADS), num_arg(argv[3], 1, 600000),
				argc == 5 ? (int)num_arg(argv[4], 0, CPU_SETSIZE - 1) : -1);
	else if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "hold"))
		ret = mode_spin((int)num_arg(argv[2], 1, MAX_THREADS), 0,
				argc == 4 ? (int)num_arg(argv[3], 0, CPU_SETSIZE - 1) : -1);
	else if (argc == 4 && !strcmp(argv[1], "block"))
		ret = mode_block(num_arg(argv[2], 1, 100000), num_arg(argv[3], 1, 600000));
	else if (argc == 4 && !strcmp(argv[1], "sleep"))
		ret = mode_sleep(num_arg(argv[2], 1, 100000), num_arg(argv[3], 1, 600000));
	else if (argc == 3 && !strcmp(argv[1], "udp"))
		ret = mode_udp(num_arg(argv[2], 1, 100000000));
	else {
		fprintf(stderr, "usage: schedload spin N MS [CPU] | hold N [CPU] | block K MS | "
				"sleep K MS | udp N\n");
		return 2;
	}
	say("done\n");
	trigger_wait();
	return ret;
}
