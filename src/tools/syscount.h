/* SPDX-License-Identifier: GPL-2.0-only */
/* syscount's per-key statistics, shared by its BPF program and user space. */
#ifndef KS_SYSCOUNT_H
#define KS_SYSCOUNT_H

#define SYSCOUNT_MAX_NR 1024

struct syscount_stat {
	unsigned long long count;
	unsigned long long total_ns; /* with -L */
	unsigned long long max_ns;   /* with -L */
	char comm[16];		     /* with -P: the process's name when first seen */
};

#endif
