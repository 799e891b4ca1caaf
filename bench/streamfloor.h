/* SPDX-License-Identifier: GPL-2.0-only */
/* The streaming floor's event: a 56-byte header and the path, like opensnoop's. */
#ifndef BENCH_STREAMFLOOR_H
#define BENCH_STREAMFLOOR_H

#define SF_PATH_MAX 4096

struct sf_event {
	unsigned long long ts;
	unsigned int pid;
	unsigned int tid;
	long long ret;
	unsigned long long flags;
	char comm[16];
	int dfd;
	unsigned int path_len;	/* bytes in path, with the NUL */
	char path[SF_PATH_MAX]; /* only path_len bytes are sent */
};

#endif
