/* SPDX-License-Identifier: GPL-2.0-only */
/* uringslower's event: one io_uring request slower than the threshold. */
#ifndef KS_URINGSLOWER_H
#define KS_URINGSLOWER_H

#include "shared/event.h"

struct uringslower_event {
	struct ks_event_hdr hdr;       /* the submitter, at submission; ts: the completion */
	unsigned long long latency_ns; /* submission to completion */
	unsigned long long queued_ns;  /* submission to the hand-off to io-wq (punted only) */
	unsigned long long wq_ns;      /* hand-off to io-wq to completion (punted only) */
	unsigned long long ring;       /* struct io_ring_ctx pointer */
	unsigned long long user_data;
	unsigned long long ino; /* the file's inode number at completion, 0 if none or unknown */
	int res;		/* the CQE's result: >= 0, or -errno */
	int fd;			/* the request's fd (or fixed-file index), -1 unknown */
	unsigned int flags;	/* KS_URING_F_* of src/bpf/uring.bpf.h */
	unsigned int done_tid;	/* the task that posted the completion */
	char done_comm[KS_COMM_LEN];
	unsigned char opcode;
	unsigned char punted;
	unsigned char file; /* KS_URING_FILE_*: whether fd is the request's */
	unsigned char pad[5];
};

#endif
