/* SPDX-License-Identifier: GPL-2.0-only */
/* The common task filter, written by user space into each BPF object's .rodata. */
#ifndef KS_SHARED_FILTER_H
#define KS_SHARED_FILTER_H

struct ks_filter {
	unsigned int pid; /* tgid, 0 for any */
	unsigned int tid; /* 0 for any */
	unsigned int uid; /* valid when has_uid */
	unsigned int has_uid;
	unsigned int cgroup; /* 1: only tasks under the cgroup in map ks_cgroup */
	unsigned int self;   /* kscope's own tgid: never traced */
	char comm[16];	     /* empty for any */
	/*
	 * With cgroup: the cgroup's id (kernfs node id, as bpf_get_current_cgroup_id gives),
	 * for tasks other than current, whose ancestry is walked (ks_filter_task).
	 */
	unsigned long long cgroup_id;
};

#endif
