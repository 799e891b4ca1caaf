/* SPDX-License-Identifier: GPL-2.0-only */
/* log2 histograms in BPF: the slot function and one histogram per key in a hash map. */
#ifndef KS_BPF_HIST_H
#define KS_BPF_HIST_H

#include "bpf/kscope.bpf.h"
#include "shared/hist.h"

/* floor(log2(v)), 0 for 0 and 1: the same slots as ks_log2_slot() in user space. */
static __always_inline __u32 ks_log2(__u64 v)
{
	__u32 r, s;

	r = (v > 0xffffffffULL) << 5;
	v >>= r;
	s = (v > 0xffff) << 4;
	v >>= s;
	r |= s;
	s = (v > 0xff) << 3;
	v >>= s;
	r |= s;
	s = (v > 0xf) << 2;
	v >>= s;
	r |= s;
	s = (v > 0x3) << 1;
	v >>= s;
	r |= s;
	return r | (__u32)(v >> 1);
}

/*
 * A hash map NAME of one histogram (struct ks_hist_val) per KEY_TYPE, ENTRIES keys at most.
 * user space reads and resets it with ks_khist_collect() (src/core/khist.h).
 */
#define KS_HIST_MAP(name, key_type, entries)                                                       \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_HASH);                                                   \
		__uint(max_entries, entries);                                                      \
		__type(key, key_type);                                                             \
		__type(value, struct ks_hist_val);                                                 \
	} name SEC(".maps")

/* Too big for the BPF stack: new keys start from this. */
static const struct ks_hist_val ks_hist_zero __attribute__((unused));

/*
 * The histogram of @key in @map, created empty if missing; NULL when the map is full.
 * A new one has an empty comm: the caller may name it.
 */
static __always_inline struct ks_hist_val *ks_hist_get(void *map, const void *key)
{
	struct ks_hist_val *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, &ks_hist_zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/*
 * Count one sample of @ns nanoseconds in @v: in slot log2(@ns / @div) (@div converts to
 * the tool's unit: 1 for ns, 1000 for us, 1000000 for ms), in count and in sum. Atomic:
 * the map is shared by every CPU.
 */
static __always_inline void ks_hist_record(struct ks_hist_val *v, __u64 ns, __u64 div)
{
	__u32 slot = ks_log2(div > 1 ? ns / div : ns);

	/*
	 * clang knows the slot is below 64 and drops a plain mask; the verifiers of 5.10 and
	 * 6.1 can't follow ks_log2's shifts and refuse the access ("unbounded memory access").
	 * Hide the value from clang so the mask stays.
	 */
	barrier_var(slot);
	slot &= KS_HIST_SLOTS - 1;
	__sync_fetch_and_add(&v->slots[slot], 1);
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->sum, ns);
}

/* ks_hist_get + ks_hist_record; returns the histogram (NULL if the map is full). */
static __always_inline struct ks_hist_val *ks_hist_add(void *map, const void *key, __u64 ns,
						       __u64 div)
{
	struct ks_hist_val *v = ks_hist_get(map, key);

	if (v)
		ks_hist_record(v, ns, div);
	return v;
}

/*
 * What per-task histograms are keyed by (enum ks_hist_by): the user's -P, -L, --per-cgroup
 * or --pidnss, written by the core before load in tools registered with KS_TOOL_PER_*.
 */
const volatile int ks_by = KS_BY_ALL;

/*
 * The key of task @t for a histogram kept per @by (enum ks_hist_by): its tgid, tid, cgroup
 * key (ks_task_cgroup_key: v2, or v1 marked KS_CGROUP_V1) or pid namespace, or 0 for
 * KS_BY_ALL.
 */
static __always_inline __u64 ks_task_key(struct task_struct *t, int by)
{
	switch (by) {
	case KS_BY_PID:
		return BPF_CORE_READ(t, tgid);
	case KS_BY_TID:
		return BPF_CORE_READ(t, pid);
	case KS_BY_CGROUP:
		return ks_task_cgroup_key(t);
	case KS_BY_PIDNS:
		return ks_task_pidns(t);
	}
	return 0;
}

/*
 * Name a per-task histogram after @t, at each sample (a thread names itself after its
 * first run): the process's name by pid, the thread's by tid.
 */
static __always_inline void ks_hist_name_task(struct ks_hist_val *v, struct task_struct *t, int by)
{
	if (by == KS_BY_PID)
		BPF_CORE_READ_INTO(&v->comm, t, group_leader, comm);
	else if (by == KS_BY_TID)
		BPF_CORE_READ_INTO(&v->comm, t, comm);
}

#endif
