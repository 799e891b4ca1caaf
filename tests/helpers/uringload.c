// SPDX-License-Identifier: GPL-2.0-only
/* uringload: a deterministic io_uring workload for the io_uring tools' tests (liburing). */
/*
 * usage: uringload ACTION ARGS... [ACTION ARGS...]...
 *
 * Like schedload, it first waits for SIGUSR1 (SigCgt bit 0x200 in /proc/PID/status says it
 * is safe to send), then makes a ring of 64 entries and does the actions on it in order, each
 * waiting for all its completions and checking their results, prints a line per action, prints
 * "done", then waits for a second SIGUSR1 with its rings still open (so a tracer can name
 * them) and exits 0. Every request has its own user_data.
 *
 *   nop N             N IORING_OP_NOP; prints "nop N"
 *   async N           N NOPs with IOSQE_ASYNC (each handed to an io-wq worker); "async N"
 *   read N FILE       N reads of 4096 bytes at offsets 0, 4096 ... of FILE (made N * 4096
 *                     bytes long before the trigger if shorter), opened with O_DIRECT;
 *                     where the file system refuses O_DIRECT (tmpfs on some kernels) the
 *                     reads are buffered. The file stays open until the end. Prints
 *                     "read N direct fd FD" or "read N buffered (O_DIRECT: REASON) fd FD"
 *   timeout N MS      N timeouts of MS ms, all in flight at once (each ends with -ETIME);
 *                     prints "timeout N MS"
 *   badf N            N reads of fd FD, which is closed: each ends with -EBADF, or fails at
 *                     submission with it (5.10); prints "badf N fd FD"
 *   overflow N        on a second ring of 8 SQ and 8 CQ entries (IORING_SETUP_CQSIZE): 8
 *                     NOPs not reaped (the CQ is then full), then N more NOPs whose CQEs go
 *                     to the overflow list; then all 8 + N are reaped. Prints
 *                     "overflow N cq 8 ring fd FD"
 *
 * After the trigger it makes the main ring and prints "ring fd FD". Requests are submitted
 * one action at a time, and badf's one by one (5.10 stops a batch at a failed request).
 * Output uses write(2) only. Exit codes: 0 done, 1 an action failed, 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>

#include "trigger.h"
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK	     4096
#define RING_ENTRIES 64
#define SMALL_CQ     8
#define BAD_FD	     999

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (write(1, buf, (size_t)n) != n)
		exit(1);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "uringload: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static long num_arg(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < min || v > max) {
		fprintf(stderr, "uringload: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static unsigned long long next_ud = 1;

static struct io_uring_sqe *sqe_get(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		die("no free SQE", EBUSY);
	return sqe;
}

static void submit(struct io_uring *ring, int n)
{
	int ret = io_uring_submit(ring);

	if (ret != n)
		die("io_uring_submit", ret < 0 ? ret : EIO);
}

/* Reap @n completions of @ring; each result must be @want (or @alt, if not 0). */
static void reap(struct io_uring *ring, int n, int want, int alt, const char *what)
{
	for (int i = 0; i < n; i++) {
		struct io_uring_cqe *cqe;
		int ret = io_uring_wait_cqe(ring, &cqe);

		if (ret)
			die("io_uring_wait_cqe", ret);
		if (cqe->res != want && (!alt || cqe->res != alt)) {
			fprintf(stderr, "uringload: %s: result %d, expected %d\n", what, cqe->res,
				want);
			exit(1);
		}
		io_uring_cqe_seen(ring, cqe);
	}
}

static void nops(struct io_uring *ring, int n, unsigned int flags)
{
	for (int i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get(ring);

		io_uring_prep_nop(sqe);
		sqe->flags |= flags;
		io_uring_sqe_set_data64(sqe, next_ud++);
	}
	submit(ring, n);
	reap(ring, n, 0, 0, "nop");
}

/* Make @path at least @size bytes long (before the trigger: not part of the workload). */
static void file_prepare(const char *path, long size)
{
	static char block[BLOCK];
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	off_t have;

	if (fd < 0)
		die(path, errno);
	memset(block, 'u', sizeof(block));
	have = lseek(fd, 0, SEEK_END);
	for (; have >= 0 && have < size; have += BLOCK)
		if (write(fd, block, BLOCK) != BLOCK)
			die(path, errno);
	if (fsync(fd) || close(fd))
		die(path, errno);
}

static int reads_one_batch(struct io_uring *ring, int fd, int n, char *buf)
{
	for (int i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get(ring);

		io_uring_prep_read(sqe, fd, buf + (size_t)i * BLOCK, BLOCK, (__u64)i * BLOCK);
		io_uring_sqe_set_data64(sqe, next_ud++);
	}
	submit(ring, n);
	reap(ring, n, BLOCK, 0, "read");
	return 0;
}

static void reads(struct io_uring *ring, int n, const char *path)
{
	char *buf = NULL;
	const char *why = NULL;
	int fd;

	if (posix_memalign((void **)&buf, BLOCK, (size_t)n * BLOCK))
		die("posix_memalign", ENOMEM);
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 && errno == EINVAL) {
		why = "EINVAL at open";
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		die(path, errno);
	reads_one_batch(ring, fd, n, buf);
	/* fd stays open until the end: a tracer can still find the file's path by it. */
	free(buf);
	if (why)
		say("read %d buffered (O_DIRECT: %s) fd %d\n", n, why, fd);
	else
		say("read %d direct fd %d\n", n, fd);
}

static void timeouts(struct io_uring *ring, int n, long ms)
{
	struct __kernel_timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	for (int i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get(ring);

		io_uring_prep_timeout(sqe, &ts, 0, 0);
		io_uring_sqe_set_data64(sqe, next_ud++);
	}
	submit(ring, n);
	reap(ring, n, -ETIME, 0, "timeout");
}

static void badf(struct io_uring *ring, int n)
{
	static char buf[64];

	if (fcntl(BAD_FD, F_GETFD) != -1 || errno != EBADF)
		die("fd 999 is open", EEXIST);
	for (int i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get(ring);
		int ret;

		io_uring_prep_read(sqe, BAD_FD, buf, sizeof(buf), 0);
		io_uring_sqe_set_data64(sqe, next_ud++);
		/* A request failed at submission still counts as submitted, with its CQE. */
		ret = io_uring_submit(ring);
		if (ret != 1)
			die("io_uring_submit", ret < 0 ? ret : EIO);
		reap(ring, 1, -EBADF, 0, "badf");
	}
}

static void overflow(int n)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE, .cq_entries = SMALL_CQ };
	struct io_uring small;
	int ret = io_uring_queue_init_params(SMALL_CQ, &small, &p);

	if (ret)
		die("io_uring_queue_init_params", ret);
	if (p.cq_entries != SMALL_CQ)
		die("CQ size not as asked", EINVAL);
	/* Two batches: one fills the CQ, the next overflows it (NOPs complete inline). */
	for (int batch = 0; batch < 2; batch++) {
		int k = batch ? n : SMALL_CQ;

		for (int i = 0; i < k; i++) {
			struct io_uring_sqe *sqe = sqe_get(&small);

			io_uring_prep_nop(sqe);
			io_uring_sqe_set_data64(sqe, next_ud++);
		}
		submit(&small, k);
	}
	reap(&small, SMALL_CQ + n, 0, 0, "overflow");
	say("overflow %d cq %d ring fd %d\n", n, SMALL_CQ, small.ring_fd);
	/* Left open, like the main ring, until the end. */
}

int main(int argc, char **argv)
{
	struct io_uring ring;
	int ret;

	if (argc < 3) {
		fprintf(stderr, "usage: uringload ACTION ARGS... (see the source)\n");
		return 2;
	}
	/* Check the arguments, and make the read files, before the trigger. */
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		int need = !strcmp(a, "read") || !strcmp(a, "timeout") ? 2 : 1;

		if (strcmp(a, "nop") && strcmp(a, "async") && strcmp(a, "read") &&
		    strcmp(a, "timeout") && strcmp(a, "badf") && strcmp(a, "overflow")) {
			fprintf(stderr, "uringload: unknown action '%s'\n", a);
			return 2;
		}
		if (i + need >= argc) {
			fprintf(stderr, "uringload: %s: missing arguments\n", a);
			return 2;
		}
		num_arg(argv[i + 1], 1, strcmp(a, "overflow") ? RING_ENTRIES : SMALL_CQ);
		if (!strcmp(a, "read"))
			file_prepare(argv[i + 2], num_arg(argv[i + 1], 1, RING_ENTRIES) * BLOCK);
		if (!strcmp(a, "timeout"))
			num_arg(argv[i + 2], 1, 10000);
		i += need + 1;
	}
	if (trigger_arm())
		die("sigaction", errno);
	trigger_wait();

	/* Made after the trigger, so that a tracer sees it made (and learns its fd). */
	ret = io_uring_queue_init(RING_ENTRIES, &ring, 0);
	if (ret)
		die("io_uring_queue_init", ret);
	say("ring fd %d\n", ring.ring_fd);

	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		int n = (int)num_arg(argv[i + 1], 1, RING_ENTRIES);

		if (!strcmp(a, "nop")) {
			nops(&ring, n, 0);
			say("nop %d\n", n);
		} else if (!strcmp(a, "async")) {
			nops(&ring, n, IOSQE_ASYNC);
			say("async %d\n", n);
		} else if (!strcmp(a, "read")) {
			reads(&ring, n, argv[i + 2]);
			i++;
		} else if (!strcmp(a, "timeout")) {
			timeouts(&ring, n, num_arg(argv[i + 2], 1, 10000));
			say("timeout %d %s\n", n, argv[i + 2]);
			i++;
		} else if (!strcmp(a, "badf")) {
			badf(&ring, n);
			say("badf %d fd %d\n", n, BAD_FD);
		} else {
			overflow(n);
		}
		i += 2;
	}
	say("done\n");
	trigger_wait();
	io_uring_queue_exit(&ring);
	return 0;
}
