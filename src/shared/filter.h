/* SPDX-License-Identifier: GPL-2.0-only */
/* The common task filter, written by user space into each BPF object's .rodata. */
#ifndef KS_SHARED_FILTER_H
#define KS_SHARED_FILTER_H

/*
 * Marks a cgroup key (event header, per-cgroup map key) taken in the cgroup v1 hierarchy
 * chosen at start instead of cgroup v2. The rest of the key is the cgroup's kernfs node id
 * in its hierarchy, which is what its directory's inode number is on 64-bit kernels: the
 * low 32 bits come from a per-hierarchy idr, the high 32 bits count its wrap-arounds (0
 * from boot). Ids of two hierarchies overlap (every root is 1), so the bit keeps them
 * apart; a hierarchy would need 2^31 wraps of 2^31 cgroups to reach it.
 */
#define KS_CGROUP_V1 (1ULL << 63)

/* ks_filter.cgroup: what -c filters by. */
enum {
	KS_CG_FILTER_NONE = 0,
	KS_CG_FILTER_V2 = 1, /* a cgroup v2 directory, the fd in map ks_cgroup */
	KS_CG_FILTER_V1 = 2, /* a cgroup v1 directory: ancestors walked in cgroup_ssid's tree */
};

/* ks_filter.ident: how a task's cgroup is named in events and per-cgroup keys. */
enum {
	KS_CG_IDENT_V2 = 0,   /* its cgroup v2 id */
	KS_CG_IDENT_V1 = 1,   /* its cgroup in ident_ssid's v1 hierarchy, | KS_CGROUP_V1 */
	KS_CG_IDENT_AUTO = 2, /* v2 unless that is the root (v2_root_id), else as V1 */
};

struct ks_filter {
	unsigned int pid; /* tgid, 0 for any */
	unsigned int tid; /* 0 for any */
	unsigned int uid; /* valid when has_uid */
	unsigned int has_uid;
	unsigned int cgroup; /* KS_CG_FILTER_*: only tasks under cgroup_id */
	unsigned int self;   /* kscope's own tgid: never traced */
	char comm[16];	     /* empty for any; else tasks whose name contains it */
	/*
	 * With cgroup: the cgroup's id (kernfs node id, as bpf_get_current_cgroup_id gives
	 * for v2), for tasks other than current, whose ancestry is walked (ks_filter_task),
	 * and for every task with KS_CG_FILTER_V1.
	 */
	unsigned long long cgroup_id;
	unsigned int cgroup_ssid;      /* KS_CG_FILTER_V1: the hierarchy's enum cgroup_subsys_id */
	unsigned int ident;	       /* KS_CG_IDENT_* */
	unsigned int ident_ssid;       /* KS_CG_IDENT_V1, _AUTO: the v1 hierarchy's subsystem id */
	unsigned int comm_len;	       /* strlen(comm): 1 to 15 */
	unsigned long long v2_root_id; /* KS_CG_IDENT_AUTO: id of the cgroup v2 root */
};

#endif
