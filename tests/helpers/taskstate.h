/* SPDX-License-Identifier: GPL-2.0-only */
/* Exact scheduling facts about a thread, read from /proc, for the test helpers' reports. */
#ifndef KS_TEST_TASKSTATE_H
#define KS_TEST_TASKSTATE_H

/*
 * A helper that reports what a thread did to the scheduler (how often it left its CPU)
 * must read the counts once that thread can no longer change them: blocked, and off its
 * CPU. Its state letter says S as soon as it is about to sleep, while it still runs (and
 * may be preempted on the way, which is not blocking), so these wait for proof instead:
 *
 *  - the voluntary switch count grew past what the thread recorded just before it made
 *    the blocking call (a preemption counts as involuntary), and
 *  - DIR/syscall names that call: the kernel answers it only for a task that is off its
 *    CPU (it waits for that), and says "running" otherwise.
 *
 * DIR is /proc/self/task/TID for a thread of this process, /proc/PID for another one.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* DIR/FILE into @buf (NUL-terminated, possibly cut), or an empty string. No malloc: the
 * callers may run while the thread they watch holds the memory map lock. */
static inline void ts_read(const char *dir, const char *file, char *buf, size_t size)
{
	char path[96];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
}

/* The value after "NAME:" in DIR/status, 0 if absent. */
static inline unsigned long long ts_status(const char *dir, const char *name)
{
	char buf[4096], *p;

	ts_read(dir, "status", buf, sizeof(buf));
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, strlen(name)) && p[strlen(name)] == ':')
			return strtoull(p + strlen(name) + 1, NULL, 10);
	return 0;
}

/* Voluntary and involuntary context switches so far: each is one sched_switch event
 * with this thread as the task leaving the CPU. */
static inline void ts_switches(const char *dir, unsigned long long *vol, unsigned long long *invol)
{
	*vol = ts_status(dir, "voluntary_ctxt_switches");
	*invol = ts_status(dir, "nonvoluntary_ctxt_switches");
}

/* Nanoseconds the thread has run (schedstat's first field). */
static inline unsigned long long ts_exec_ns(const char *dir)
{
	char buf[128];

	ts_read(dir, "schedstat", buf, sizeof(buf));
	return strtoull(buf, NULL, 10);
}

/* Off its CPU inside system call @nr with first argument @arg? */
static inline int ts_off_cpu_in(const char *dir, long nr, long arg)
{
	char buf[256], *end;
	long n;

	ts_read(dir, "syscall", buf, sizeof(buf));
	n = strtol(buf, &end, 10);
	if (end == buf || n != nr)
		return 0;
	return strtol(end, NULL, 16) == arg;
}

/* Wait until the thread blocked in system call @nr(@arg, ...) after its voluntary switch
 * count was @vol_before, and left its CPU. */
static inline void ts_wait_blocked(const char *dir, unsigned long long vol_before, long nr,
				   long arg)
{
	struct timespec ms = { 0, 1000000 };
	unsigned long long vol, invol;

	for (;;) {
		ts_switches(dir, &vol, &invol);
		if (vol > vol_before && ts_off_cpu_in(dir, nr, arg))
			return;
		nanosleep(&ms, NULL);
	}
}

#endif
