/* SPDX-License-Identifier: GPL-2.0-only */
/* execsnoop's event, shared by its BPF program and user space. */
#ifndef KS_EXECSNOOP_H
#define KS_EXECSNOOP_H

#include "shared/event.h"

#define EXEC_ARGS_MAX  4096 /* bytes of filename + argv kept per exec (power of two) */
#define EXEC_MAX_ARGS  64   /* hard limit of --max-args */
#define EXEC_TRUNCATED 1    /* more arguments, or longer ones, than were kept */

struct exec_event {
	struct ks_event_hdr hdr;
	long long ret;	       /* 0, or -errno of a failed exec */
	unsigned int argc;     /* argv strings kept after the filename */
	unsigned int args_len; /* bytes used in args */
	unsigned int flags;    /* EXEC_TRUNCATED */
	unsigned int pad;
	char args[EXEC_ARGS_MAX]; /* "filename\0argv0\0argv1\0..." */
};

#endif
