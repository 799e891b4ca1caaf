// SPDX-License-Identifier: GPL-2.0-only
/* bioload: a deterministic O_DIRECT block workload started by SIGUSR1, for the block tool tests. */
/*
 * usage: bioload DEV OP...
 *
 *   r SIZE@OFFSET                  one read of SIZE bytes at byte OFFSET
 *   w SIZE@OFFSET                  one write
 *   seq r|w N SIZE START           N IOs of SIZE at START, START+SIZE, ... (ascending)
 *   shuffle r|w N SIZE START SEED  the same N offsets in a pseudo-random order fixed by SEED
 *   flush                          fdatasync(DEV): one flush request where the device has a
 *                                  volatile write cache (queue/write_cache "write back")
 *
 * SIZE, OFFSET and START take a k or m suffix (1024, 1048576). Every IO is a pread or pwrite
 * on an O_DIRECT file descriptor of DEV, one at a time, from a buffer aligned to the page, so
 * each one is exactly one block request: SIZE and OFFSET must be multiples of the device's
 * logical block size, the IO must lie inside the device, and SIZE may not be more than one
 * request holds (queue/max_sectors_kb, and max_segments pages since the buffer's pages need not
 * be contiguous); otherwise it exits 2 before doing anything. Writes write a pattern made
 * from the offset.
 *
 * Like tests/helpers/workload.c it first waits for SIGUSR1 (SigCgt bit 0x200 in
 * /proc/PID/status says it may be sent), then does the IOs in order from this process (its
 * pid submits them) and prints one line per IO done: "io r|w BYTES OFFSET", "io flush 0 0".
 * Exit codes: 0 done; 1 an IO failed or was short; 2 bad usage or an IO the device can't
 * take as one request. WORKLOAD_COMM=name sets the command name first.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "trigger.h"

enum { EXIT_IO = 1, EXIT_USAGE = 2 };
enum op_kind { OP_READ, OP_WRITE, OP_FLUSH };

struct io {
	enum op_kind op;
	uint64_t size, off;
};

/* What the device takes, from /sys/dev/block/MAJ:MIN/ (a partition's queue is its disk's). */
struct limits {
	uint64_t lbs;	    /* logical block size */
	uint64_t max_io;    /* the largest IO that stays one request */
	uint64_t dev_bytes; /* the device's size */
};

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("bioload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static uint64_t sysfs_u64(const char *dir, const char *name, bool parent)
{
	char path[512];
	unsigned long long v;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/%s%s", dir, parent ? "../" : "", name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fscanf(f, "%llu", &v);
	fclose(f);
	return n == 1 ? v : 0;
}

static void read_limits(const char *dev, int fd, struct limits *lim)
{
	uint64_t kb, segs, page = (uint64_t)sysconf(_SC_PAGESIZE);
	char dir[128], qdir[160];
	struct stat st;
	bool part;

	if (fstat(fd, &st) || !S_ISBLK(st.st_mode))
		die(EXIT_USAGE, "%s is not a block device", dev);
	snprintf(dir, sizeof(dir), "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
	snprintf(qdir, sizeof(qdir), "%s/queue", dir);
	part = access(qdir, F_OK) != 0;
	lim->lbs = sysfs_u64(dir, "queue/logical_block_size", part);
	kb = sysfs_u64(dir, "queue/max_sectors_kb", part);
	segs = sysfs_u64(dir, "queue/max_segments", part);
	lim->dev_bytes = sysfs_u64(dir, "size", false) * 512;
	if (!lim->lbs || !kb || !segs)
		die(EXIT_USAGE, "cannot read the queue limits of %s under %s", dev, dir);
	/*
	 * One request: at most max_sectors_kb, and at most max_segments pages (the buffer is
	 * contiguous in virtual memory only) and 256 pages (one bio's vectors in every kernel).
	 */
	lim->max_io = kb * 1024;
	if (segs * page < lim->max_io)
		lim->max_io = segs * page;
	if (256 * page < lim->max_io)
		lim->max_io = 256 * page;
}

static uint64_t parse_size(const char *s, const char *what)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		die(EXIT_USAGE, "bad %s '%s'", what, s);
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || v > (1ULL << 50))
		die(EXIT_USAGE, "bad %s '%s'", what, s);
	return v;
}

static enum op_kind parse_rw(const char *s)
{
	if (!strcmp(s, "r"))
		return OP_READ;
	if (!strcmp(s, "w"))
		return OP_WRITE;
	die(EXIT_USAGE, "bad direction '%s' (r or w)", s);
}

/* splitmix64: a small generator whose sequence is the same everywhere for a seed. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static struct io *ios;
static size_t nios, cap;

static void add_io(enum op_kind op, uint64_t size, uint64_t off)
{
	if (nios == cap) {
		cap = cap ? cap * 2 : 64;
		ios = realloc(ios, cap * sizeof(*ios));
		if (!ios)
			die(EXIT_IO, "out of memory");
	}
	ios[nios++] = (struct io){ .op = op, .size = size, .off = off };
}

/* N IOs of SIZE from START, ascending; shuffled (Fisher-Yates) when SHUFFLE. */
static void add_run(enum op_kind op, uint64_t n, uint64_t size, uint64_t start, bool shuffle,
		    uint64_t seed)
{
	size_t first = nios;

	if (!n || n > 1000000)
		die(EXIT_USAGE, "bad count %" PRIu64 " (1 to 1000000)", n);
	for (uint64_t i = 0; i < n; i++)
		add_io(op, size, start + i * size);
	if (!shuffle)
		return;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(next_rand(&seed) % (i + 1));
		struct io t = ios[first + i];

		ios[first + i] = ios[first + j];
		ios[first + j] = t;
	}
}

/* OP... -> ios; returns whether any writes or flushes are asked (the open mode). */
static bool parse_ops(int argc, char **argv)
{
	bool writes = false;

	for (int i = 0; i < argc;) {
		const char *op = argv[i];
		int left = argc - i - 1;

		if ((!strcmp(op, "r") || !strcmp(op, "w")) && left >= 1) {
			char *at = strchr(argv[i + 1], '@');

			if (!at)
				die(EXIT_USAGE, "bad IO '%s' (SIZE@OFFSET)", argv[i + 1]);
			*at = '\0';
			add_io(parse_rw(op), parse_size(argv[i + 1], "size"),
			       parse_size(at + 1, "offset"));
			i += 2;
		} else if (!strcmp(op, "seq") && left >= 4) {
			add_run(parse_rw(argv[i + 1]), parse_size(argv[i + 2], "count"),
				parse_size(argv[i + 3], "size"), parse_size(argv[i + 4], "start"),
				false, 0);
			i += 5;
		} else if (!strcmp(op, "shuffle") && left >= 5) {
			add_run(parse_rw(argv[i + 1]), parse_size(argv[i + 2], "count"),
				parse_size(argv[i + 3], "size"), parse_size(argv[i + 4], "start"),
				true, parse_size(argv[i + 5], "seed"));
			i += 6;
		} else if (!strcmp(op, "flush")) {
			add_io(OP_FLUSH, 0, 0);
			i++;
		} else {
			die(EXIT_USAGE,
			    "bad or incomplete op '%s' (r|w SIZE@OFFSET, seq r|w N SIZE "
			    "START, shuffle r|w N SIZE START SEED, flush)",
			    op);
		}
	}
	for (size_t i = 0; i < nios; i++)
		writes |= ios[i].op != OP_READ;
	return writes;
}

static void check_ios(const char *dev, const struct limits *lim)
{
	for (size_t i = 0; i < nios; i++) {
		const struct io *io = &ios[i];

		if (io->op == OP_FLUSH)
			continue;
		if (!io->size || io->size % lim->lbs || io->off % lim->lbs)
			die(EXIT_USAGE,
			    "IO of %" PRIu64 " bytes at %" PRIu64
			    ": size and offset must be non-zero multiples of %s's logical block "
			    "size (%" PRIu64 ")",
			    io->size, io->off, dev, lim->lbs);
		if (io->size > lim->max_io)
			die(EXIT_USAGE,
			    "IO of %" PRIu64 " bytes is more than one request of %s holds (%" PRIu64
			    " bytes)",
			    io->size, dev, lim->max_io);
		if (io->off + io->size > lim->dev_bytes)
			die(EXIT_USAGE,
			    "IO of %" PRIu64 " bytes at %" PRIu64 " ends past %s's %" PRIu64
			    " bytes",
			    io->size, io->off, dev, lim->dev_bytes);
	}
}

static void fill(unsigned char *buf, uint64_t size, uint64_t off)
{
	for (uint64_t i = 0; i < size; i += 8) {
		uint64_t v = (off + i) ^ 0x6b73636f70650000ULL;

		memcpy(buf + i, &v, 8);
	}
}

int main(int argc, char **argv)
{
	const char *comm = getenv("WORKLOAD_COMM");
	struct limits lim;
	struct stat st;
	uint64_t maxsize = 0;
	void *buf;
	bool writes;
	int fd;

	if (comm && *comm)
		prctl(PR_SET_NAME, comm, 0, 0, 0);
	if (argc < 3)
		die(EXIT_USAGE, "usage: bioload DEV OP... (see its source for the OPs)");
	writes = parse_ops(argc - 2, argv + 2);
	if (stat(argv[1], &st))
		die(EXIT_USAGE, "cannot open %s: %s", argv[1], strerror(errno));
	if (!S_ISBLK(st.st_mode))
		die(EXIT_USAGE, "%s is not a block device", argv[1]);
	fd = open(argv[1], (writes ? O_RDWR : O_RDONLY) | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		die(EXIT_IO, "cannot open %s: %s", argv[1], strerror(errno));
	read_limits(argv[1], fd, &lim);
	check_ios(argv[1], &lim);
	for (size_t i = 0; i < nios; i++)
		if (ios[i].size > maxsize)
			maxsize = ios[i].size;
	if (posix_memalign(&buf, (size_t)sysconf(_SC_PAGESIZE), maxsize ? maxsize : 8))
		die(EXIT_IO, "out of memory");
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (trigger_arm())
		die(EXIT_IO, "cannot catch SIGUSR1: %s", strerror(errno));
	trigger_wait();
	for (size_t i = 0; i < nios; i++) {
		const struct io *io = &ios[i];
		ssize_t n = 0;

		switch (io->op) {
		case OP_READ:
			n = pread(fd, buf, io->size, (off_t)io->off);
			break;
		case OP_WRITE:
			fill(buf, io->size, io->off);
			n = pwrite(fd, buf, io->size, (off_t)io->off);
			break;
		case OP_FLUSH:
			n = fdatasync(fd);
			break;
		}
		if (n < 0)
			die(EXIT_IO, "IO %zu failed: %s", i + 1, strerror(errno));
		if ((uint64_t)n != io->size)
			die(EXIT_IO, "IO %zu: %zd of %" PRIu64 " bytes", i + 1, n, io->size);
		printf("io %s %" PRIu64 " %" PRIu64 "\n",
		       io->op == OP_READ    ? "r"
		       : io->op == OP_WRITE ? "w"
					    : "flush",
		       io->size, io->off);
	}
	free(buf);
	close(fd);
	return fflush(stdout) ? EXIT_IO : 0;
}
