/* SPDX-License-Identifier: GPL-2.0-only */
/* Small definitions every part of kscope's user space shares: exit codes, helpers. */
#ifndef KS_COMMON_H
#define KS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Process exit codes, documented in README.md ("Exit codes"). Tools return these from
 * their run function; core helpers record the right one in the context when they fail.
 */
enum ks_exit {
	KS_EXIT_OK = 0,		 /* success, including a clean stop by signal or -d */
	KS_EXIT_FAIL = 1,	 /* a runtime failure not covered below */
	KS_EXIT_USAGE = 2,	 /* bad input: unknown tool or option, bad pid, missing cgroup */
	KS_EXIT_PERM = 3,	 /* missing privilege (root, CAP_BPF, CAP_PERFMON) */
	KS_EXIT_UNSUPPORTED = 4, /* this kernel lacks a feature the tool needs */
};

#define KS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KS_MIN(a, b)	 ((a) < (b) ? (a) : (b))
#define KS_MAX(a, b)	 ((a) > (b) ? (a) : (b))
#define KS_PRINTF(f, a)	 __attribute__((format(printf, f, a)))

#endif
