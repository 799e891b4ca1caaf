/* SPDX-License-Identifier: GPL-2.0-only */
/* Layout shared by the syscall-table reader (syscalls.bpf.c) and src/core/syscalls.c. */
#ifndef KS_SYSCALLS_SHARED_H
#define KS_SYSCALLS_SHARED_H

#define KS_SYSCALLS_MAX 1024

struct ks_syscall_name {
	char name[40]; /* "sys_openat" as the kernel names it */
};

#endif
