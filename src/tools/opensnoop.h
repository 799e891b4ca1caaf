/* SPDX-License-Identifier: GPL-2.0-only */
/* opensnoop's event, shared by its BPF program and user space. */
#ifndef KS_OPENSNOOP_H
#define KS_OPENSNOOP_H

#include "shared/event.h"

#define OPEN_PATH_MAX 4096

enum open_kind { OPEN_OPEN, OPEN_OPENAT, OPEN_OPENAT2 };

struct open_event {
	struct ks_event_hdr hdr;
	long long ret;		 /* fd, or -errno */
	unsigned long long flags;
	unsigned long long mode;
	int dfd;
	unsigned short kind;	 /* enum open_kind */
	unsigned short path_len; /* bytes in path, with the NUL; OPEN_PATH_MAX: truncated */
	char path[OPEN_PATH_MAX]; /* only path_len bytes are sent */
};

#endif
