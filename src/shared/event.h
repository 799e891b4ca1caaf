/* SPDX-License-Identifier: GPL-2.0-only */
/* The header every streamed event starts with, shared by BPF programs and user space. */
#ifndef KS_SHARED_EVENT_H
#define KS_SHARED_EVENT_H

#define KS_COMM_LEN 16

struct ks_event_hdr {
	unsigned long long ts;	   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	unsigned long long cgroup; /* cgroup key of the task (ks_task_cgroup_key: v2 or v1 id) */
	unsigned int pid;	   /* tgid */
	unsigned int tid;
	unsigned int ppid; /* tgid of the real parent */
	unsigned int uid;
	char comm[KS_COMM_LEN];
};

#endif
