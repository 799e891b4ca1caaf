/* SPDX-License-Identifier: GPL-2.0-only */
/* What an errno is called, and what it means for kscope's exit code. */
#ifndef KS_ERRORS_H
#define KS_ERRORS_H

#include "core/common.h"

/* Symbolic name of an errno value, either sign ("EPERM"), or "E<n>" for unknown ones. */
const char *ks_errno_name(int err);
/* Inverse of ks_errno_name, also accepting a plain number; -1 when unknown. */
int ks_errno_parse(const char *s);

/*
 * May this process load and attach tracing programs: root, CAP_SYS_ADMIN, or CAP_BPF with
 * CAP_PERFMON (effective)?
 */
bool ks_privileged(void);

/*
 * The exit code (enum ks_exit) for a failure of the kernel to load or attach something,
 * given its errno (either sign). One table for the tools and for trace:
 *   EPERM, EACCES    KS_EXIT_PERM when kscope lacks the privilege (ks_privileged), else
 *                    KS_EXIT_UNSUPPORTED: the kernel refuses even a privileged caller
 *                    (lockdown, or a policy such as refusing fentry programs)
 *   ENOENT, ENOSYS, EOPNOTSUPP, ENOTSUPP (524)
 *                    KS_EXIT_UNSUPPORTED: the kernel lacks the feature or the target
 *   ESRCH            KS_EXIT_USAGE: the process the user named is gone
 *   anything else    KS_EXIT_FAIL
 * Errors that are the user's input (a program the verifier rejects, a bad value) are the
 * caller's to map to KS_EXIT_USAGE before asking this.
 */
int ks_exit_code(int err);

#endif
