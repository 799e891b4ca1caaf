// SPDX-License-Identifier: GPL-2.0-only
/* Benchmark workload: N openat+close (or getppid) calls, pinned to one CPU, timed precisely. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static const char usage[] =
	"usage: openloop [-n COUNT] [-c CPU] [-g] [-w | -s START_FILE] PATH\n"
	"\n"
	"Calls openat(AT_FDCWD, PATH, O_RDONLY) and close() COUNT times (default 1000000),\n"
	"pinned to CPU (default: the last online CPU; -1: not pinned). PATH is created if\n"
	"missing, before the wait, so the loop itself makes only the COUNT openat calls.\n"
	"  -g             getppid() instead: COUNT calls of a syscall no tracer here traces\n"
	"                 (PATH is not touched)\n"
	"  -w             print 'ready pid=PID' and wait for SIGUSR1 before looping\n"
	"  -s START_FILE  wait until START_FILE exists before looping\n"
	"On exit prints one line: openloop: pid=... n=... elapsed_ns=... ns_per_op=...\n";

/* Chunk end times: the median chunk shows the cost without the preemptions. */
#define CHUNK BENCH_CHUNK
static unsigned long long *chunk;

int main(int argc, char **argv)
{
	long long n = 1000000;
	int cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
	const char *start_file = NULL, *path;
	bool wait_signal = false, getppid_only = false;
	unsigned long long t0, t1;
	struct bench_chunks pc;
	struct rusage ru;
	long long nck;
	int c, fd;

	while ((c = getopt(argc, argv, "n:c:gws:h")) != -1) {
		switch (c) {
		case 'n':
			n = strtoll(optarg, NULL, 0);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'g':
			getppid_only = true;
			break;
		case 'w':
			wait_signal = true;
			break;
		case 's':
			start_file = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || n <= 0) {
		fputs(usage, stderr);
		return 2;
	}
	path = argv[optind];
	chunk = calloc(n / CHUNK + 1, sizeof(*chunk));
	if (!chunk)
		return 1;

	if (cpu >= 0 && bench_pin("openloop", cpu))
		return 1;
	if (!getppid_only) {
		fd = open(path, O_RDONLY | O_CREAT, 0644);
		if (fd < 0) {
			fprintf(stderr, "openloop: cannot open %s: %s\n", path, strerror(errno));
			return 1;
		}
		close(fd);
	}

	if (wait_signal) {
		if (bench_wait_usr1())
			return 1;
	} else if (start_file) {
		struct stat st;
		struct timespec ms = { 0, 1000000 };

		while (stat(start_file, &st))
			nanosleep(&ms, NULL);
	}

	/* Raw syscalls: glibc's open() may become openat() anyway, but say what we mean. */
	t0 = bench_mono_ns();
	for (long long i = 0, ck = 0; i < n; i++) {
		if (getppid_only) {
			syscall(SYS_getppid);
			if ((i + 1) % CHUNK == 0)
				chunk[ck++] = bench_mono_ns();
			continue;
		}
		fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "openloop: openat %s failed at %lld: %s\n", path, i,
				strerror(errno));
			return 1;
		}
		syscall(SYS_close, fd);
		if ((i + 1) % CHUNK == 0)
			chunk[ck++] = bench_mono_ns();
	}
	t1 = bench_mono_ns();

	getrusage(RUSAGE_SELF, &ru);
	nck = n / CHUNK;
	pc = bench_chunks(chunk, nck, t0);
	printf("openloop: pid=%d cpu=%d n=%lld elapsed_ns=%llu ns_per_op=%.1f "
	       "chunk_p10_ns_per_op=%.1f chunk_p50_ns_per_op=%.1f nvcsw=%ld nivcsw=%ld\n",
	       (int)getpid(), cpu, n, t1 - t0, (double)(t1 - t0) / n, pc.p10, pc.p50, ru.ru_nvcsw,
	       ru.ru_nivcsw);
	return 0;
}
