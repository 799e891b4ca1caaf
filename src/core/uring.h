/* SPDX-License-Identifier: GPL-2.0-only */
/* What the io_uring tools share in user space: hook layouts, opcode names, rings and fds. */
#ifndef KS_URING_H
#define KS_URING_H

#include "core/common.h"

struct bpf_object;
struct ks_ctx;

/* What the running kernel lets the io_uring tools see (ks_uring_configure). */
struct ks_uring_caps {
	bool known;    /* the kernel's BTF was read: the rest means something */
	bool punt;     /* io_uring_queue_async_work: requests punted to io-wq are known */
	bool failed;   /* io_uring_req_failed: requests failed at submission are counted */
	bool overflow; /* io_uring_cqe_overflow: CQ overflows are counted */
	bool fd;       /* the request's fd is known (req->cqe.fd: 6.1 and later) */
	bool by_ud;    /* requests matched by (ring, user_data): no req in io_uring_complete */
};

/*
 * Configure a tool object that uses src/bpf/uring.bpf.h (opened, not loaded): read the
 * arguments of each io_uring tracepoint from the kernel's BTF, keep the hook of the layout
 * found (see the table in uring.bpf.h), switch the others off, and set ks_uring_by_ud.
 * Optional hooks whose tracepoint is missing, or has a layout kscope does not know, are
 * switched off and reported in @caps; for submission and completion, which the tools
 * can't do without, the newest layout's hook is left on, and the core's attach choice
 * then stops the tool saying why. Returns 0 or -errno.
 */
int ks_uring_configure(struct ks_ctx *c, struct ks_uring_caps *caps);
/* The same on any opened object @obj; ks_uring_hooks without the caps: a tool's .layouts. */
int ks_uring_layouts(struct bpf_object *obj, struct ks_uring_caps *caps);
int ks_uring_hooks(struct bpf_object *obj);

/*
 * Name of io_uring opcode @op ("read", "nop", "timeout"): the running kernel's enum
 * io_uring_op from BTF, IORING_OP_ cut off and lower case; where the BTF lacks the enum
 * (5.10), the table of the uapi header kscope was written against. NULL if unknown.
 */
const char *ks_uring_op_name(unsigned int op);
/* ks_uring_op_name, or "[N]" (in @buf) for an opcode without a name. */
const char *ks_uring_op_label(unsigned int op, char *buf, size_t len);
/* Where the names come from: "btf" or "header". */
const char *ks_uring_op_source(void);

/*
 * The fd of the io_uring instance in process @pid when it has exactly one (the ring of a
 * request made before tracing began, whose io_uring_create was not seen); -1 otherwise.
 */
int ks_uring_ring_fd(unsigned int pid);

/*
 * The path of fd @fd of process @pid (readlink of /proc/PID/fd/FD) into @buf, if that fd
 * still leads to inode number @ino; 0, -ESTALE when it leads elsewhere now, or -errno.
 */
int ks_uring_fd_path(unsigned int pid, int fd, unsigned long long ino, char *buf, size_t len);

#endif
