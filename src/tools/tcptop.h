/* SPDX-License-Identifier: GPL-2.0-only */
/* tcptop's map: TCP bytes received and sent per (process, flow), or per task key. */
#ifndef KS_TCPTOP_H
#define KS_TCPTOP_H

#include "shared/net.h"

struct tcptop_key {
	/* the caller's tgid per flow (the default); else its task key (-P, -L, --per-cgroup) */
	unsigned long long who;
	struct ks_flow flow; /* all zero unless per flow */
	unsigned int pad;    /* zero: keys are compared as bytes */
};

struct tcptop_val {
	unsigned long long rx, tx; /* bytes received (read by the process) and sent */
	char comm[16];		   /* the process's (or thread's) name when the key was made */
};

#endif
