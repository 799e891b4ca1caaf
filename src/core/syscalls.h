/* SPDX-License-Identifier: GPL-2.0-only */
/* Syscall numbers and names of the running kernel. */
#ifndef KS_SYSCALLS_H
#define KS_SYSCALLS_H

#include "core/common.h"
#include "core/syscalls_shared.h"

/*
 * Learn the syscall table once per process. First choice is the running kernel itself
 * (its ftrace syscall metadata, read by a small BPF program: needs root and tracefs); if
 * that fails, the table generated at build time from the system's uapi headers is used.
 * Returns 0 either way; ks_syscalls_source() says which ("kernel" or "headers").
 */
int ks_syscalls_load(void);
const char *ks_syscalls_source(void);

/* Name of syscall @nr ("openat"), or NULL when unknown. Loads the table if needed. */
const char *ks_syscall_name(long nr);
/* Number of syscall @name, or -1 when unknown. */
long ks_syscall_nr(const char *name);

#endif
