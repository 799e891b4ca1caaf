/* SPDX-License-Identifier: GPL-2.0-only */
/* opensnoop's event, shared by its BPF program and user space. */
#ifndef KS_OPENSNOOP_H
#define KS_OPENSNOOP_H

#include "shared/event.h"

#define OPEN_PATH_MAX 4096 /* the longest path the kernel takes, NUL included */

enum open_kind { OPEN_OPEN, OPEN_OPENAT, OPEN_OPENAT2 };

struct open_event {
	struct ks_event_hdr hdr;
	long long ret; /* fd, or -errno */
	unsigned long long flags;
	unsigned long long mode;
	int dfd;
	unsigned short kind;	      /* enum open_kind */
	unsigned short path_len;      /* bytes in path with the NUL; OPEN_PATH_MAX + 1: truncated */
	char path[OPEN_PATH_MAX + 1]; /* only path_len bytes are sent */
};

#endif
