// SPDX-License-Identifier: GPL-2.0-only
/* syscount: count syscalls (and their latency) per syscall or per process, in kernel. */
#include "bpf/syscall.bpf.h"
#include "tools/syscount.h"

const volatile bool by_process = false;
const volatile bool latency = false;
const volatile bool failures_only = false;
const volatile long only_errno = 0; /* count only calls that failed with this errno */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYSCOUNT_MAX_NR);
	__type(key, __u32);
	__type(value, struct syscount_stat);
} by_nr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct syscount_stat);
} by_pid SEC(".maps");

/*
 * With -L: when each traced thread entered its current syscall (0: not in one we saw).
 * Entries stay for the thread's life and are rewritten in place, which is far cheaper than
 * an insert and a delete per syscall; the LRU map drops those of threads long gone.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} starts SEC(".maps");

static __always_inline int on_enter(void *ctx, const struct ks_sysenter *e)
{
	__u32 tid;
	__u64 ts, *start;

	if (!ks_filter_current())
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	ts = bpf_ktime_get_ns();
	start = bpf_map_lookup_elem(&starts, &tid);
	if (start)
		*start = ts;
	else
		bpf_map_update_elem(&starts, &tid, &ts, BPF_ANY);
	return 0;
}

static __always_inline struct syscount_stat *stat_of(long id)
{
	if (by_process) {
		__u32 pid = bpf_get_current_pid_tgid() >> 32;
		struct syscount_stat *s = bpf_map_lookup_elem(&by_pid, &pid);

		if (!s) {
			struct syscount_stat zero = {};

			bpf_get_current_comm(zero.comm, sizeof(zero.comm));
			bpf_map_update_elem(&by_pid, &pid, &zero, BPF_NOEXIST);
			s = bpf_map_lookup_elem(&by_pid, &pid);
		}
		return s;
	} else {
		__u32 nr = (__u32)id;

		if (id < 0 || id >= SYSCOUNT_MAX_NR)
			return 0;
		return bpf_map_lookup_elem(&by_nr, &nr);
	}
}

static __always_inline int on_exit(void *ctx, const struct ks_sysexit *x)
{
	struct syscount_stat *s;
	__u64 delta = 0;

	if (latency) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		__u64 *start = bpf_map_lookup_elem(&starts, &tid);

		/* No start: not traced (filtered out), or entered before we attached. */
		if (!start || !*start)
			return 0;
		delta = bpf_ktime_get_ns() - *start;
		*start = 0;
	} else if (!ks_filter_current()) {
		return 0;
	}
	/*
	 * A negative number: the kernel rewrote it before the syscall returned (sigreturn
	 * sets -1 to stop restarts). No syscall to name, in either mode.
	 */
	if (x->id < 0)
		return 0;
	if (failures_only && x->ret >= 0)
		return 0;
	if (only_errno && x->ret != -only_errno)
		return 0;
	s = stat_of(x->id);
	if (!s)
		return 0;
	/* Per-CPU values: plain increments, no atomics. */
	s->count++;
	if (latency) {
		s->total_ns += delta;
		if (delta > s->max_ns)
			s->max_ns = delta;
	}
	return 0;
}

KS_SYSCALL_ENTER(sys_enter, on_enter)
KS_SYSCALL_EXIT(sys_exit, on_exit)
