/* SPDX-License-Identifier: GPL-2.0-only */
/* Histogram layout shared by BPF programs and user space. */
#ifndef KS_SHARED_HIST_H
#define KS_SHARED_HIST_H

/* log2 histogram: slot i counts values in [2^i, 2^(i+1)), slot 0 also counts 0. */
#define KS_HIST_SLOTS 64

struct ks_hist {
	unsigned long long slots[KS_HIST_SLOTS];
};

/*
 * The value of a keyed histogram map (one log2 histogram per key: pid, cgroup, irq ...),
 * written by src/bpf/hist.bpf.h and read by src/core/khist.h.
 */
struct ks_hist_val {
	unsigned long long slots[KS_HIST_SLOTS]; /* log2 of each sample in the tool's unit */
	unsigned long long count;		 /* samples */
	unsigned long long sum;			 /* sum of the samples in ns */
	char comm[16]; /* a name for the key (comm when last seen), may be empty */
};

/* What a per-task histogram is keyed by (the key is a 64-bit number; see ks_task_key). */
enum ks_hist_by {
	KS_BY_ALL,    /* one histogram, key 0 */
	KS_BY_PID,    /* process: tgid */
	KS_BY_TID,    /* thread */
	KS_BY_CGROUP, /* cgroup key: v2 id, or v1 id | KS_CGROUP_V1 */
	KS_BY_PIDNS,  /* pid namespace: inode number */
};

#endif
