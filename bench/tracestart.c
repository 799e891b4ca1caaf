// SPDX-License-Identifier: GPL-2.0-only
/* Start-up of a tracer running a one-liner: time until its probe fires, and its peak RSS. */
/*
 * usage: tracestart RUNS PROGRAM -- TRACER ARGS...
 *
 * PROGRAM is a bpftrace-language program; this adds a probe that prints "ready" and exits
 * when this process calls getppid(), passes its pid as $1, and runs TRACER ARGS... -e
 * PROGRAM PID. Meanwhile it calls getppid() every 100 us. The time from fork to reading
 * "ready" is the start-up: parse, compile, load, attach, first event. The tracer's peak
 * RSS comes from wait4(). Prints one line: median and min of RUNS runs in ms, and the
 * largest peak RSS in KiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One run: start-up in ms (negative on failure) and peak RSS in KiB. */
static double one(char **tracer, int ntracer, const char *prog, long *rss)
{
	char *argv[64], pidbuf[16], *full, buf[4096];
	int p[2], n = 0, st;
	size_t have = 0;
	struct rusage ru;
	double t0, t = -1;
	pid_t pid;

	snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
	if (asprintf(&full,
		     "%s\ntracepoint:syscalls:sys_enter_getppid /pid == $1/ "
		     "{ printf(\"ready\\n\"); exit(); }",
		     prog) < 0)
		return -1;
	for (int i = 0; i < ntracer && n < 60; i++)
		argv[n++] = tracer[i];
	argv[n++] = "-e";
	argv[n++] = full;
	argv[n++] = pidbuf;
	argv[n] = NULL;
	if (pipe(p))
		return -1;
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(p[1], 1);
		dup2(null, 2);
		close(p[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	while (now_ms() - t0 < 20000) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		ssize_t r;

		syscall(SYS_getppid);
		if (poll(&pf, 1, 0) > 0) {
			r = read(p[0], buf + have, sizeof(buf) - 1 - have);
			if (r <= 0)
				break;
			have += (size_t)r;
			buf[have] = 0;
			if (strstr(buf, "ready")) {
				t = now_ms() - t0;
				break;
			}
			if (have > sizeof(buf) / 2)
				have = 0;
		}
		usleep(100);
	}
	if (t < 0)
		kill(pid, SIGKILL);
	while (read(p[0], buf, sizeof(buf)) > 0 || errno == EINTR)
		;
	/* drain to EOF so the tracer never blocks on a full pipe while it exits */
	fcntl(p[0], F_SETFL, 0);
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	close(p[0]);
	if (wait4(pid, &st, 0, &ru) < 0)
		return -1;
	*rss = ru.ru_maxrss;
	free(full);
	return t;
}

int main(int argc, char **argv)
{
	int runs, sep = -1, ok = 0;
	double *v;
	long rss_max = 0;

	if (argc < 5)
		goto usage;
	runs = atoi(argv[1]);
	for (int i = 3; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			sep = i;
			break;
		}
	if (runs < 1 || sep < 0 || sep + 1 >= argc)
		goto usage;
	v = calloc((size_t)runs, sizeof(*v));
	if (!v)
		return 1;
	for (int r = 0; r < runs; r++) {
		long rss = 0;
		double t = one(argv + sep + 1, argc - sep - 1, argv[2], &rss);

		if (t < 0)
			continue;
		v[ok++] = t;
		if (rss > rss_max)
			rss_max = rss;
	}
	if (!ok) {
		printf("failed\n");
		return 1;
	}
	qsort(v, (size_t)ok, sizeof(*v), cmp_d);
	printf("median_ms=%.1f min_ms=%.1f rss_kib=%ld runs=%d\n", v[ok / 2], v[0], rss_max, ok);
	free(v);
	return 0;
usage:
	fprintf(stderr, "usage: tracestart RUNS PROGRAM -- TRACER ARGS...\n");
	return 2;
}
