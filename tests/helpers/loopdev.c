// SPDX-License-Identifier: GPL-2.0-only
/* loopdev: attach a file to a free loop device, or detach one, for the block-device tests. */
/*
 * usage: loopdev attach FILE [--direct-io]
 *        loopdev detach DEV [FILE]
 *
 * attach takes a free loop device (LOOP_CTL_GET_FREE), binds FILE to it (LOOP_CONFIGURE, or
 * LOOP_SET_FD + LOOP_SET_STATUS64 on kernels without it) and prints one line on stdout:
 *
 *   /dev/loopN dio=on|off filedio=yes|no
 *
 * dio: whether the loop device does direct IO on FILE (what /sys/block/loopN/loop/dio says);
 * filedio: whether FILE itself takes O_DIRECT reads of the loop's logical block size (so
 * "dio=off filedio=yes" after --direct-io means the kernel refused it for another reason).
 * With --direct-io the loop's logical block size is FILE's direct IO alignment where statx
 * tells it (STATX_DIOALIGN), else the kernel's default. Another process may take the same free
 * device between the query and the bind (the machine is shared): then it asks again.
 * A line on stderr says what was attached.
 *
 * detach unbinds DEV (LOOP_CLR_FD) and waits until /sys/block/loopN/loop/backing_file is gone.
 * With FILE it only does so when DEV is bound to FILE (same device and inode), so a cleanup
 * never detaches a device someone else attached after it was freed.
 *
 * Exit codes: 0 done; 1 failed; 2 bad usage; 3 no loop devices here (no /dev/loop-control);
 * 4 detach: DEV is not bound (to FILE), left alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#ifndef LOOP_CONFIGURE
/* 5.8 and later; spelled out for older headers (the running kernel decides). */
#define LOOP_CONFIGURE 0x4C0A
struct loop_config {
	__u32 fd;
	__u32 block_size;
	struct loop_info64 info;
	__u64 __reserved[8];
};
#endif
#ifndef LOOP_SET_DIRECT_IO
#define LOOP_SET_DIRECT_IO 0x4C08
#endif
#ifndef LOOP_SET_BLOCK_SIZE
#define LOOP_SET_BLOCK_SIZE 0x4C09
#endif
#ifndef LO_FLAGS_DIRECT_IO
#define LO_FLAGS_DIRECT_IO 16
#endif

enum { EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_NOLOOP = 3, EXIT_NOTOURS = 4 };

static void usage(void)
{
	fprintf(stderr, "usage: loopdev attach FILE [--direct-io] | loopdev detach DEV [FILE]\n");
	exit(EXIT_USAGE);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* First line of a sysfs file into buf (newline cut); 0 or -errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		err = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	if (!err)
		buf[strcspn(buf, "\n")] = '\0';
	return err;
}

/* "loopN" from /dev/loopN (the name sysfs uses). */
static const char *dev_name(const char *dev)
{
	const char *s = strrchr(dev, '/');

	return s ? s + 1 : dev;
}

/* Direct IO alignment of FILE from statx (0 when the kernel or the filesystem don't say). */
static unsigned int dio_align(const char *file)
{
#ifdef STATX_DIOALIGN
	struct statx stx;

	if (statx(AT_FDCWD, file, 0, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align >= 512 &&
	    stx.stx_dio_offset_align <= 4096 &&
	    !(stx.stx_dio_offset_align & (stx.stx_dio_offset_align - 1)))
		return stx.stx_dio_offset_align;
#else
	(void)file;
#endif
	return 0;
}

/* Whether FILE takes an O_DIRECT read of BS bytes at offset 0. */
static bool file_takes_dio(const char *file, unsigned int bs)
{
	void *buf = NULL;
	bool ok = false;
	int fd;

	fd = open(file, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (!posix_memalign(&buf, 4096, bs)) {
		ok = pread(fd, buf, bs, 0) >= 0;
		free(buf);
	}
	close(fd);
	return ok;
}

/* Whether the loop device on FD is bound to the file with stat ST (0 / -ENXIO / -errno). */
static int bound_to(int fd, const struct stat *st)
{
	struct loop_info64 info;

	memset(&info, 0, sizeof(info));
	if (ioctl(fd, LOOP_GET_STATUS64, &info))
		return -errno;
	if (info.lo_device != (__u64)st->st_dev || info.lo_inode != (__u64)st->st_ino)
		return -ESTALE;
	return 0;
}

/* Bind FILEFD to the loop device on FD: LOOP_CONFIGURE, or the older ioctls. 0 or -errno. */
static int bind_file(int fd, int filefd, const char *file, unsigned int bs, bool dio)
{
	struct loop_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (__u32)filefd;
	cfg.block_size = bs;
	cfg.info.lo_flags = dio ? LO_FLAGS_DIRECT_IO : 0;
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", file);
	if (ioctl(fd, LOOP_CONFIGURE, &cfg) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -errno;
	/* before 5.8: bind, then set what LOOP_CONFIGURE would have set */
	if (ioctl(fd, LOOP_SET_FD, filefd))
		return -errno;
	cfg.info.lo_flags = 0;
	if (ioctl(fd, LOOP_SET_STATUS64, &cfg.info) ||
	    (bs && ioctl(fd, LOOP_SET_BLOCK_SIZE, (unsigned long)bs))) {
		int err = -errno;

		ioctl(fd, LOOP_CLR_FD, 0);
		return err;
	}
	return 0;
}

/* Whether the loop device NAME does direct IO: sysfs, else its status flags. */
static bool dio_on(const char *name, int fd)
{
	struct loop_info64 info;
	char path[256], val[16];

	snprintf(path, sizeof(path), "/sys/block/%s/loop/dio", name);
	if (read_line(path, val, sizeof(val)) == 0)
		return val[0] == '1';
	memset(&info, 0, sizeof(info));
	return ioctl(fd, LOOP_GET_STATUS64, &info) == 0 && (info.lo_flags & LO_FLAGS_DIRECT_IO);
}

static int do_attach(const char *file, bool want_dio)
{
	unsigned int bs = want_dio ? dio_align(file) : 0;
	char dev[64], lbs[32], path[256];
	struct stat st;
	int ctl, filefd, fd = -1, err = 0;
	bool dio, filedio;

	filefd = open(file, O_RDWR | O_CLOEXEC);
	if (filefd < 0 || fstat(filefd, &st)) {
		fprintf(stderr, "loopdev: cannot open %s: %s\n", file, strerror(errno));
		return EXIT_FAIL;
	}
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		err = errno;
		fprintf(stderr, "loopdev: no loop devices here: /dev/loop-control: %s\n",
			strerror(err));
		return err == ENOENT || err == ENODEV || err == ENXIO ? EXIT_NOLOOP : EXIT_FAIL;
	}
	/* a free device may be taken by another process before we bind it: ask again */
	for (int tries = 0; tries < 100; tries++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (n < 0) {
			fprintf(stderr, "loopdev: no free loop device: %s\n", strerror(errno));
			return EXIT_FAIL;
		}
		snprintf(dev, sizeof(dev), "/dev/loop%d", n);
		/* devtmpfs makes the node as the device is added; a udev /dev may lag */
		for (int w = 0; w < 50; w++) {
			fd = open(dev, O_RDWR | O_CLOEXEC);
			if (fd >= 0 || errno != ENOENT)
				break;
			sleep_ms(20);
		}
		if (fd < 0) {
			fprintf(stderr, "loopdev: cannot open %s: %s\n", dev, strerror(errno));
			return EXIT_FAIL;
		}
		err = bind_file(fd, filefd, file, bs, want_dio);
		if (err != -EBUSY)
			break;
		close(fd);
		fd = -1;
		sleep_ms(10 + tries);
	}
	close(ctl);
	if (err || fd < 0) {
		fprintf(stderr, "loopdev: cannot bind %s to a loop device: %s\n", file,
			strerror(err ? -err : EBUSY));
		return EXIT_FAIL;
	}
	if (bound_to(fd, &st)) {
		fprintf(stderr, "loopdev: %s is not bound to %s after binding\n", dev, file);
		return EXIT_FAIL;
	}
	dio = dio_on(dev_name(dev), fd);
	/* a kernel that took LOOP_CONFIGURE's flag but did not act on it */
	if (want_dio && !dio && ioctl(fd, LOOP_SET_DIRECT_IO, 1UL) == 0)
		dio = dio_on(dev_name(dev), fd);
	close(fd);
	close(filefd);
	snprintf(path, sizeof(path), "/sys/block/%s/queue/logical_block_size", dev_name(dev));
	if (read_line(path, lbs, sizeof(lbs)))
		snprintf(lbs, sizeof(lbs), "512");
	filedio = file_takes_dio(file, (unsigned int)strtoul(lbs, NULL, 10));
	printf("%s dio=%s filedio=%s\n", dev, dio ? "on" : "off", filedio ? "yes" : "no");
	fprintf(stderr, "loopdev: %s attached to %s, logical block %s bytes, direct IO %s%s\n", dev,
		file, lbs, dio ? "on" : "off",
		dio || !want_dio ? ""
		: filedio	 ? " (the kernel refused it although the file takes O_DIRECT)"
				 : " (the file's filesystem refuses O_DIRECT)");
	return fflush(stdout) ? EXIT_FAIL : 0;
}

static bool still_bound(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", name);
	return access(path, F_OK) == 0;
}

static int do_detach(const char *dev, const char *file)
{
	struct stat st, dst;
	int fd, err;

	if (file && stat(file, &st)) {
		fprintf(stderr, "loopdev: cannot stat %s: %s\n", file, strerror(errno));
		return EXIT_FAIL;
	}
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &dst)) {
		fprintf(stderr, "loopdev: cannot open %s: %s\n", dev, strerror(errno));
		return errno == ENOENT ? EXIT_NOTOURS : EXIT_FAIL;
	}
	if (!S_ISBLK(dst.st_mode)) {
		fprintf(stderr, "loopdev: %s is not a block device\n", dev);
		return EXIT_USAGE;
	}
	if (file) {
		err = bound_to(fd, &st);
		if (err) {
			fprintf(stderr, "loopdev: %s is %s: left alone\n", dev,
				err == -ENXIO ? "not bound" : "not bound to that file");
			close(fd);
			return err == -ENXIO || err == -ESTALE ? EXIT_NOTOURS : EXIT_FAIL;
		}
	}
	if (ioctl(fd, LOOP_CLR_FD, 0)) {
		err = errno;
		close(fd);
		fprintf(stderr, "loopdev: cannot detach %s: %s\n", dev, strerror(err));
		return err == ENXIO ? EXIT_NOTOURS : EXIT_FAIL;
	}
	/* the kernel unbinds on the last close when others still hold the device */
	close(fd);
	for (int w = 0; w < 250 && still_bound(dev_name(dev)); w++)
		sleep_ms(20);
	if (still_bound(dev_name(dev))) {
		fprintf(stderr, "loopdev: %s still bound 5 s after detaching (held open?)\n", dev);
		return EXIT_FAIL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "attach")) {
		if (argc == 3)
			return do_attach(argv[2], false);
		if (argc == 4 && !strcmp(argv[3], "--direct-io"))
			return do_attach(argv[2], true);
	} else if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "detach")) {
		return do_detach(argv[2], argc == 4 ? argv[3] : NULL);
	}
	usage();
}
