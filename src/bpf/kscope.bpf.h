/* SPDX-License-Identifier: GPL-2.0-only */
/* What every kscope BPF object includes: types, helpers, the common task filter. */
#ifndef KS_BPF_KSCOPE_H
#define KS_BPF_KSCOPE_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "shared/event.h"
#include "shared/filter.h"

char LICENSE[] SEC("license") = "GPL";

/* Written by user space before load (ks_bpf_start); all zero means "everything". */
const volatile struct ks_filter ks_filter = {};

/* Slot 0 holds the cgroup of -c; tasks in it or below pass the filter. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ks_cgroup SEC(".maps");

/*
 * Does the current task pass -p/-t/-u/-n/-c? The cheapest checks come first; with no
 * filter set the verifier sees constant zeros and drops the whole function body.
 */
static __always_inline bool ks_filter_current(void)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (ks_filter.pid && (pid_tgid >> 32) != ks_filter.pid)
		return false;
	/* kscope's own reads of its maps would otherwise show up in every report. */
	if ((pid_tgid >> 32) == ks_filter.self)
		return false;
	if (ks_filter.tid && (__u32)pid_tgid != ks_filter.tid)
		return false;
	if (ks_filter.has_uid && (__u32)bpf_get_current_uid_gid() != ks_filter.uid)
		return false;
	if (ks_filter.comm[0]) {
		char comm[KS_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		for (int i = 0; i < KS_COMM_LEN; i++) {
			if (comm[i] != ks_filter.comm[i])
				return false;
			if (!comm[i])
				break;
		}
	}
	if (ks_filter.cgroup && bpf_current_task_under_cgroup(&ks_cgroup, 0) != 1)
		return false;
	return true;
}

/* Fill the common event header from the current task. */
static __always_inline void ks_hdr_fill(struct ks_event_hdr *h)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	h->ts = bpf_ktime_get_ns();
	h->cgroup = bpf_get_current_cgroup_id();
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

#endif
