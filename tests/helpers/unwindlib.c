// SPDX-License-Identifier: GPL-2.0-only
/* libunwindlib: the shared-library frames of unwindload's call chains, leaf functions included. */
/*
 * Each uw_lib_ACTION (exported, so also in .dynsym) calls a static uw_leaf_ACTION (only in
 * .symtab), which makes the C library call or burns the CPU. Built with unwindload's flags
 * (with and without frame pointers, see the Makefile).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "unwindlib.h"

static volatile unsigned long uw_lib_steps;

static UW_FN int uw_leaf_nap(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };
	int err = 0;

	/* restarted after a signal with what is left, like a sleep that must last */
	while (nanosleep(&ts, &ts))
		if (errno != EINTR) {
			err = -errno;
			break;
		}
	UW_AFTER(uw_lib_steps);
	return err;
}

UW_FN int uw_lib_nap(long ns)
{
	int err = uw_leaf_nap(ns);

	UW_AFTER(uw_lib_steps);
	return err;
}

static UW_FN int uw_leaf_pipe(int fd)
{
	ssize_t n;
	char c;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	UW_AFTER(uw_lib_steps);
	return n == 1 ? 0 : n < 0 ? -errno : -EPIPE;
}

UW_FN int uw_lib_pipe(int fd)
{
	int err = uw_leaf_pipe(fd);

	UW_AFTER(uw_lib_steps);
	return err;
}

static UW_FN int uw_leaf_cond(struct uw_cond *c)
{
	int err = 0;

	while (!c->set && !err)
		err = -pthread_cond_wait(&c->cond, &c->lock);
	c->set = 0;
	UW_AFTER(uw_lib_steps);
	return err;
}

UW_FN int uw_lib_cond(struct uw_cond *c)
{
	int err;

	pthread_mutex_lock(&c->lock);
	err = uw_leaf_cond(c);
	pthread_mutex_unlock(&c->lock);
	UW_AFTER(uw_lib_steps);
	return err;
}

/* sizes from 16 bytes to 64 KiB, so both the small bins and larger chunks are used */
static UW_FN unsigned long uw_leaf_malloc(unsigned long n, unsigned int *seed)
{
	unsigned long bytes = 0;

	for (unsigned long i = 0; i < n; i++) {
		size_t size = (size_t)16 << (rand_r(seed) % 13);
		volatile char *p = malloc(size);

		if (!p)
			continue;
		p[0] = (char)i;
		p[size - 1] = (char)i;
		free((void *)p);
		bytes += size;
	}
	UW_AFTER(uw_lib_steps);
	return bytes;
}

UW_FN unsigned long uw_lib_malloc(unsigned long n, unsigned int *seed)
{
	unsigned long bytes = uw_leaf_malloc(n, seed);

	UW_AFTER(uw_lib_steps);
	return bytes;
}

static UW_FN unsigned long uw_leaf_spin(unsigned long iters)
{
	unsigned long x = iters;

	UW_LEAF_FRAME();
	/* no library call: every sample of the spin lands in this function */
	for (unsigned long i = 0; i < iters; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	UW_AFTER(uw_lib_steps);
	return x;
}

UW_FN unsigned long uw_lib_spin(unsigned long iters)
{
	unsigned long x = uw_leaf_spin(iters);

	UW_AFTER(uw_lib_steps);
	return x;
}

UW_FN int uw_lib_wake_pipe(int fd)
{
	char c = 1;
	ssize_t n = write(fd, &c, 1);

	UW_AFTER(uw_lib_steps);
	return n == 1 ? 0 : n < 0 ? -errno : -EIO;
}

UW_FN int uw_lib_wake_cond(struct uw_cond *c)
{
	int err;

	pthread_mutex_lock(&c->lock);
	c->set = 1;
	err = -pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	UW_AFTER(uw_lib_steps);
	return err;
}
