// SPDX-License-Identifier: GPL-2.0-only
/* Benchmark workload: N random 4 KiB O_DIRECT reads from a block device, timed precisely. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <liburing.h>
#include <linux/fs.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static const char usage[] =
	"usage: randread [-n COUNT] [-c CPU] [-q DEPTH] [-w] DEVICE\n"
	"\n"
	"Reads COUNT (default 1000000) random 4 KiB-aligned 4 KiB blocks of DEVICE with O_DIRECT,\n"
	"pinned to CPU (default: the last online CPU; -1: not pinned).\n"
	"  -q DEPTH  io_uring with DEPTH reads in flight (default 32): each completion is\n"
	"            replaced at once, so the ring stays full; 0: one pread() at a time\n"
	"  -w        print 'ready pid=PID' and wait for SIGUSR1 before reading\n"
	"On exit prints one line: randread: pid=... n=... elapsed_ns=... ns_per_op=... (an op\n"
	"is one read); busy_ns_per_op is the whole machine's busy CPU time (/proc/stat) over\n"
	"COUNT: the tracer's cost on every CPU, other processes' work included.\n";

#define BLOCK 4096
/* Chunk end times, as in openloop: the 10th-percentile chunk is the cost without noise. */
#define CHUNK BENCH_CHUNK

static unsigned long long *chunk;
static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64: cheap, and the same sequence of offsets in every run. */
static unsigned long long next_offset(unsigned long long blocks)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng % blocks) * BLOCK;
}

static void chunk_mark(long long done, long long *ck)
{
	if (done % CHUNK == 0)
		chunk[(*ck)++] = bench_mono_ns();
}

/* One read at a time: the whole path of every IO is on the clock. */
static int run_sync(int fd, long long n, unsigned long long blocks, char *buf)
{
	long long ck = 0;

	for (long long i = 0; i < n; i++) {
		unsigned long long off = next_offset(blocks);
		ssize_t r = pread(fd, buf, BLOCK, (off_t)off);

		if (r != BLOCK) {
			fprintf(stderr, "randread: read at %llu: %s\n", off,
				r < 0 ? strerror(errno) : "short read");
			return -EIO;
		}
		chunk_mark(i + 1, &ck);
	}
	return 0;
}

/*
 * DEPTH reads in flight through io_uring, the buffers and the file registered (the least
 * per-request work): the rate is what the device side sustains, not the submitter.
 */
static int run_uring(int fd, long long n, unsigned long long blocks, char *bufs, unsigned int depth)
{
	struct io_uring_params p = { 0 };
	long long sent = 0, done = 0, ck = 0;
	struct iovec *iov = NULL;
	struct io_uring ring;
	int err;

	/* A CQ twice the SQ: completions never overflow while we refill. */
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 2 * depth;
	err = io_uring_queue_init_params(depth, &ring, &p);
	if (err) {
		fprintf(stderr, "randread: io_uring setup: %s\n", strerror(-err));
		return err;
	}
	iov = calloc(depth, sizeof(*iov));
	if (!iov) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < depth; i++)
		iov[i] = (struct iovec){ bufs + (size_t)i * BLOCK, BLOCK };
	err = io_uring_register_buffers(&ring, iov, depth);
	if (!err)
		err = io_uring_register_files(&ring, &fd, 1);
	if (err) {
		fprintf(stderr, "randread: io_uring register: %s\n", strerror(-err));
		goto out;
	}
	while (done < n) {
		struct io_uring_cqe *cqe;
		unsigned int head, seen = 0;

		/* Refill: one free slot per completed read; the slot is the buffer index. */
		while (sent < n && sent - done < depth) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			unsigned int slot = (unsigned int)(sent % depth);

			io_uring_prep_read_fixed(sqe, 0, iov[slot].iov_base, BLOCK,
						 next_offset(blocks), slot);
			sqe->flags |= IOSQE_FIXED_FILE;
			sent++;
		}
		err = io_uring_submit_and_wait(&ring, 1);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "randread: io_uring submit: %s\n", strerror(-err));
			goto out;
		}
		io_uring_for_each_cqe(&ring, head, cqe)
		{
			if (cqe->res != BLOCK) {
				fprintf(stderr, "randread: read: %s\n",
					cqe->res < 0 ? strerror(-cqe->res) : "short read");
				err = -EIO;
				goto out;
			}
			seen++;
			done++;
			chunk_mark(done, &ck);
		}
		io_uring_cq_advance(&ring, seen);
	}
	err = 0;
out:
	io_uring_queue_exit(&ring);
	free(iov);
	return err;
}

int main(int argc, char **argv)
{
	int cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1, depth = 32, c, fd, err;
	unsigned long long size = 0, blocks;
	bool wait_signal = false;
	struct bench_span span;
	long long n = 1000000;
	char *bufs, extra[32];

	while ((c = getopt(argc, argv, "n:c:q:wh")) != -1) {
		switch (c) {
		case 'n':
			n = strtoll(optarg, NULL, 0);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'q':
			depth = atoi(optarg);
			break;
		case 'w':
			wait_signal = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || n <= 0 || depth < 0 || depth > 4096) {
		fputs(usage, stderr);
		return 2;
	}
	chunk = calloc(n / CHUNK + 1, sizeof(*chunk));
	if (!chunk || posix_memalign((void **)&bufs, BLOCK, (size_t)(depth ? depth : 1) * BLOCK))
		return 1;
	memset(bufs, 0, (size_t)(depth ? depth : 1) * BLOCK);
	if (cpu >= 0 && bench_pin("randread", cpu))
		return 1;
	fd = open(argv[optind], O_RDONLY | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "randread: cannot open %s: %s\n", argv[optind], strerror(errno));
		return 2;
	}
	if (ioctl(fd, BLKGETSIZE64, &size) || size < BLOCK) {
		fprintf(stderr, "randread: %s: not a block device of at least 4 KiB\n",
			argv[optind]);
		return 2;
	}
	blocks = size / BLOCK;

	if (wait_signal && bench_wait_usr1())
		return 1;

	bench_span_begin(&span);
	if (depth)
		err = run_uring(fd, n, blocks, bufs, (unsigned int)depth);
	else
		err = run_sync(fd, n, blocks, bufs);
	bench_span_end(&span);
	if (err)
		return 1;
	snprintf(extra, sizeof(extra), "depth=%d", depth);
	bench_report("randread", cpu, extra, n, &span, chunk, "iops");
	return 0;
}
