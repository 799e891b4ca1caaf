/* SPDX-License-Identifier: GPL-2.0-only */
/* sigsnoop's event, shared by its BPF program and user space. */
#ifndef KS_SIGSNOOP_H
#define KS_SIGSNOOP_H

#include "shared/event.h"

enum sig_kind {
	SIG_KILL,
	SIG_TKILL,
	SIG_TGKILL,
	SIG_SIGQUEUE,	/* rt_sigqueueinfo */
	SIG_TGSIGQUEUE, /* rt_tgsigqueueinfo */
	SIG_PIDFD,	/* pidfd_send_signal: target is a pidfd */
	SIG_GENERATED,	/* signal:signal_generate, any origin */
	SIG_KIND_NR,
};

struct sig_event {
	struct ks_event_hdr hdr; /* the sender */
	long long ret;		 /* syscall result; for SIG_GENERATED the tracepoint's result */
	int target_pid;		 /* as passed: may be 0 or negative (process groups) */
	int target_tid;		 /* tkill/tgkill/rt_tgsigqueueinfo; 0 otherwise */
	int sig;
	int kind;	      /* enum sig_kind */
	char target_comm[16]; /* SIG_GENERATED only */
};

#endif
