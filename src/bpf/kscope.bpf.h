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

/* Slot 0 holds the cgroup v2 directory of -c; tasks in it or below pass the filter. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ks_cgroup SEC(".maps");

/* The current task, for CO-RE reads (bpf_get_current_task_btf needs 5.11). */
static __always_inline struct task_struct *ks_current(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/*
 * Field @f of kernel object @p. @btf is a constant: true where @p is BTF-typed (a tp_btf
 * argument), which is read with a plain load the verifier guards, several times cheaper
 * than the probe read (a helper call) that a raw_tp argument needs. The dead branch is
 * compiled away, so a raw_tp program never holds the direct load.
 */
#define KS_READ(btf, p, f) ((btf) ? (p)->f : BPF_CORE_READ(p, f))

/* Deepest cgroup level ks_cgroup_under looks at; deeper ancestors are not compared. */
#define KS_CGROUP_MAX_LEVEL 32

/* Before 6.0 a cgroup kept its ancestors' ids, not pointers to them (CO-RE flavour). */
struct cgroup___ancestor_ids {
	int level;
	__u64 ancestor_ids[];
} __attribute__((preserve_access_index));

/* Id of the cgroup v2 (default hierarchy) cgroup of task @t, as bpf_get_current_cgroup_id. */
static __always_inline __u64 ks_task_cgroup_id(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

/*
 * The cgroup of task @t in the cgroup v1 hierarchy that controller @ssid (an enum
 * cgroup_subsys_id value, read from the kernel's BTF by user space) is mounted in:
 * task->cgroups->subsys[ssid]->cgroup. Named hierarchies (name=systemd) have no
 * controller, so no css to reach them by.
 */
static __always_inline struct cgroup *ks_task_cgroup1(struct task_struct *t, __u32 ssid)
{
	struct css_set *cset = BPF_CORE_READ(t, cgroups);
	struct cgroup_subsys_state *css = NULL;

	/* subsys[] is as long as the kernel has controllers: the id came from its BTF. */
	bpf_probe_read_kernel(&css, sizeof(css),
			      (void *)cset + bpf_core_field_offset(cset->subsys) +
				      (__u64)(ssid & 63) * sizeof(css));
	return BPF_CORE_READ(css, cgroup);
}

/* Inode number of the pid namespace task @t lives in (what /proc/PID/ns/pid shows). */
static __always_inline __u32 ks_task_pidns(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid *up;

	/* numbers[level]: the task's own namespace, the deepest one it has a pid in. */
	up = (void *)pid + bpf_core_field_offset(pid->numbers) +
	     (__u64)(level & 31) * bpf_core_type_size(struct upid);
	return BPF_CORE_READ(up, ns, ns.inum);
}

/*
 * Is cgroup @cg the cgroup with kernfs id @id, or below it? Walks its ancestors, in
 * whatever hierarchy (v1 or v2) it is: cgroup->ancestors[] on 6.0+, ->ancestor_ids[] before.
 */
static __always_inline bool ks_cgroup_under(struct cgroup *cg, __u64 id)
{
	int level = BPF_CORE_READ(cg, level);

	/* Two loops, so each CO-RE offset stays inside the branch that checked it exists. */
	if (bpf_core_field_exists(cg->ancestors)) {
		__u64 off = bpf_core_field_offset(cg->ancestors);

		for (int i = 0; i < KS_CGROUP_MAX_LEVEL && i <= level; i++) {
			struct cgroup *a = NULL;

			bpf_probe_read_kernel(&a, sizeof(a), (void *)cg + off + i * sizeof(a));
			if (BPF_CORE_READ(a, kn, id) == id)
				return true;
		}
	} else {
		struct cgroup___ancestor_ids *o = (void *)cg;
		__u64 off = bpf_core_field_offset(o->ancestor_ids);

		for (int i = 0; i < KS_CGROUP_MAX_LEVEL && i <= level; i++) {
			__u64 aid = 0;

			bpf_probe_read_kernel(&aid, sizeof(aid),
					      (void *)cg + off + i * sizeof(aid));
			if (aid == id)
				return true;
		}
	}
	return false;
}

/* Is task @t in the cgroup v2 cgroup with id @id, or below it? */
static __always_inline bool ks_task_in_cgroup(struct task_struct *t, __u64 id)
{
	return ks_cgroup_under(BPF_CORE_READ(t, cgroups, dfl_cgrp), id);
}

/*
 * Is task @t in cgroup @id of the cgroup v1 hierarchy of controller @ssid, or below it?
 * The v2 fast path (bpf_current_task_under_cgroup) takes v2 directories only.
 */
static __always_inline bool ks_task_in_cgroup1(struct task_struct *t, __u32 ssid, __u64 id)
{
	return ks_cgroup_under(ks_task_cgroup1(t, ssid), id);
}

/* Task @t's key in the v1 hierarchy chosen at start (ks_filter.ident_ssid), marked v1. */
static __always_inline __u64 ks_task_cgroup1_key(struct task_struct *t)
{
	/* Not inside BPF_CORE_READ: ks_filter is ours, not a kernel type to relocate. */
	struct cgroup *cg = ks_task_cgroup1(t, ks_filter.ident_ssid);

	return BPF_CORE_READ(cg, kn, id) | KS_CGROUP_V1;
}

/*
 * The cgroup key of task @t (event headers, per-cgroup histograms): as ks_filter.ident
 * says, its cgroup v2 id, or its cgroup in one v1 hierarchy (KS_CGROUP_V1 set), or, by
 * default on hosts that mount both, v2 unless the task sits at the v2 root (which is where
 * everything sits when the controllers are all v1). User space resolves it to a path
 * (ks_cgroup_lookup).
 */
static __always_inline __u64 ks_task_cgroup_key(struct task_struct *t)
{
	__u64 id;

	if (ks_filter.ident == KS_CG_IDENT_V1)
		return ks_task_cgroup1_key(t);
	id = ks_task_cgroup_id(t);
	if (ks_filter.ident == KS_CG_IDENT_AUTO && id == ks_filter.v2_root_id)
		return ks_task_cgroup1_key(t);
	return id;
}

/* ks_task_cgroup_key of the current task, with the cheap helper for its v2 id. */
static __always_inline __u64 ks_current_cgroup_key(void)
{
	__u64 id;

	if (ks_filter.ident == KS_CG_IDENT_V1)
		return ks_task_cgroup1_key(ks_current());
	id = bpf_get_current_cgroup_id();
	if (ks_filter.ident == KS_CG_IDENT_AUTO && id == ks_filter.v2_root_id)
		return ks_task_cgroup1_key(ks_current());
	return id;
}

/*
 * Does command name @comm (KS_COMM_LEN bytes, NUL-terminated) contain ks_filter.comm? -n
 * matches names containing it, as BCC's opensnoop -n does. Bounded loops: a start offset,
 * then the needle's bytes; no offset past the name's end can match.
 */
static __always_inline bool ks_comm_has(const char *comm)
{
	__u32 n = ks_filter.comm_len;

	for (int s = 0; s < KS_COMM_LEN - 1; s++) {
		bool same = true;

		if (!comm[s] || s + n > KS_COMM_LEN - 1)
			return false;
		for (int i = 0; i < KS_COMM_LEN - 1; i++) {
			if (i >= n)
				break;
			if (s + i >= KS_COMM_LEN || comm[s + i] != ks_filter.comm[i]) {
				same = false;
				break;
			}
		}
		if (same)
			return true;
	}
	return false;
}

/* Is a task filter (-p -t -u -n -c) set? A .rodata constant: the verifier drops what it guards. */
static __always_inline bool ks_filter_tasks(void)
{
	return ks_filter.pid || ks_filter.tid || ks_filter.has_uid || ks_filter.comm[0] ||
	       ks_filter.cgroup;
}

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
		char comm[KS_COMM_LEN] = {};

		bpf_get_current_comm(comm, sizeof(comm));
		if (!ks_comm_has(comm))
			return false;
	}
	if (ks_filter.cgroup == KS_CG_FILTER_V2 &&
	    bpf_current_task_under_cgroup(&ks_cgroup, 0) != 1)
		return false;
	if (ks_filter.cgroup == KS_CG_FILTER_V1 &&
	    !ks_task_in_cgroup1(ks_current(), ks_filter.cgroup_ssid, ks_filter.cgroup_id))
		return false;
	return true;
}

/*
 * Does task @t, not necessarily current (a woken task, the next task at a switch), pass
 * -p/-t/-u/-n/-c? The same rules as ks_filter_current, read from the task: its tgid, pid,
 * real uid (cred->uid), comm, and for -c its ancestry in the cgroup v2 or v1 hierarchy of
 * the directory given (ks_filter.cgroup_id).
 * kscope's own threads never pass. Unset filters cost nothing (constant zeros).
 */
static __always_inline bool ks_filter_task(struct task_struct *t)
{
	__u32 tgid = BPF_CORE_READ(t, tgid);

	if (ks_filter.pid && tgid != ks_filter.pid)
		return false;
	if (tgid == ks_filter.self)
		return false;
	if (ks_filter.tid && (__u32)BPF_CORE_READ(t, pid) != ks_filter.tid)
		return false;
	if (ks_filter.has_uid && BPF_CORE_READ(t, cred, uid.val) != ks_filter.uid)
		return false;
	if (ks_filter.comm[0]) {
		char comm[KS_COMM_LEN] = {};

		BPF_CORE_READ_INTO(&comm, t, comm);
		if (!ks_comm_has(comm))
			return false;
	}
	if (ks_filter.cgroup == KS_CG_FILTER_V2 && !ks_task_in_cgroup(t, ks_filter.cgroup_id))
		return false;
	if (ks_filter.cgroup == KS_CG_FILTER_V1 &&
	    !ks_task_in_cgroup1(t, ks_filter.cgroup_ssid, ks_filter.cgroup_id))
		return false;
	return true;
}

/* Fill the common event header from task @t (not necessarily current); ts is now. */
static __always_inline void ks_hdr_fill_task(struct ks_event_hdr *h, struct task_struct *t)
{
	h->ts = bpf_ktime_get_ns();
	h->cgroup = ks_task_cgroup_key(t);
	h->pid = BPF_CORE_READ(t, tgid);
	h->tid = BPF_CORE_READ(t, pid);
	h->ppid = BPF_CORE_READ(t, real_parent, tgid);
	h->uid = BPF_CORE_READ(t, cred, uid.val);
	BPF_CORE_READ_INTO(&h->comm, t, comm);
}

/* ks_hdr_fill where the current task has no BTF pointer: helpers and probe reads. */
static __always_inline void ks_hdr_fill_slow(struct ks_event_hdr *h)
{
	struct task_struct *task = ks_current();
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	h->ts = bpf_ktime_get_ns();
	h->cgroup = ks_current_cgroup_key();
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/*
 * Does this kernel have bpf_get_current_task_btf (5.11+)? Resolved by libbpf at load from
 * the kernel's own list of helpers; where it is false the verifier never sees the call.
 */
#define KS_HAVE_TASK_BTF()                                                                         \
	bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)

/*
 * ks_task_cgroup_key of the current task @t, a BTF pointer: every step a plain load the
 * verifier guards, where the probe reads of ks_task_cgroup_key each cost a helper call.
 */
static __always_inline __u64 ks_btf_task_cgroup_key(struct task_struct *t)
{
	struct css_set *cset = t->cgroups;
	__u64 id;

	if (ks_filter.ident != KS_CG_IDENT_V1) {
		id = cset->dfl_cgrp->kn->id;
		if (ks_filter.ident != KS_CG_IDENT_AUTO || id != ks_filter.v2_root_id)
			return id;
	}
	/* a constant index (read-only data), as the verifier wants in a BTF-typed array */
	return cset->subsys[ks_filter.ident_ssid & 63]->cgroup->kn->id | KS_CGROUP_V1;
}

/* Fill the common event header from the current task. */
static __always_inline void ks_hdr_fill(struct ks_event_hdr *h)
{
	if (KS_HAVE_TASK_BTF()) {
		struct task_struct *t = bpf_get_current_task_btf();

		h->ts = bpf_ktime_get_ns();
		h->cgroup = ks_btf_task_cgroup_key(t);
		h->pid = t->tgid;
		h->tid = t->pid;
		h->ppid = t->real_parent->tgid;
		h->uid = t->cred->uid.val;
		bpf_get_current_comm(h->comm, sizeof(h->comm));
		return;
	}
	ks_hdr_fill_slow(h);
}

#endif
