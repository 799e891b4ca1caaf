// SPDX-License-Identifier: GPL-2.0-only
/* cpudist: time per scheduling slice on CPU (or off CPU with -O) as log2 histograms. */
#include "bpf/hist.bpf.h"
#include "bpf/sched.bpf.h"

const volatile bool offcpu = false;
const volatile __u64 unit_div = 1000; /* ns per histogram unit */

KS_HIST_MAP(hists, __u64, 10240);

/* On CPU: who was switched in on this CPU, and when (a slice ends on the CPU it began). */
struct oncpu {
	__u64 ts;
	__u32 tid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct oncpu);
} oncpu SEC(".maps");

/* Off CPU: when each traced thread left the CPU, with what its histogram needs. */
struct offcpu {
	__u64 ts;
	__u64 key;
	char comm[KS_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct offcpu);
} offstart SEC(".maps");

/* The key of prev (current) and a name for a new histogram of it. */
static __always_inline __u64 prev_key(const struct ks_switch *s)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	return ks_by == KS_BY_PID ? pid_tgid >> 32 : ks_by == KS_BY_TID ? (__u32)pid_tgid : 0;
}

static __always_inline void prev_comm(const struct ks_switch *s, char *comm)
{
	/* A plain local: CO-RE must relocate task_struct's fields, not struct ks_switch's. */
	struct task_struct *prev = s->prev;

	if (ks_by == KS_BY_PID)
		BPF_CORE_READ_INTO((char(*)[KS_COMM_LEN])comm, prev, group_leader, comm);
	else
		bpf_get_current_comm(comm, KS_COMM_LEN);
}

static __always_inline void record(__u64 key, __u64 delta, const char *comm)
{
	struct ks_hist_val *v = ks_hist_add(&hists, &key, delta, unit_div);

	if (v && ks_by != KS_BY_ALL)
		__builtin_memcpy(v->comm, comm, KS_COMM_LEN);
}

static __always_inline int on_switch(void *ctx, const struct ks_switch *s)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 zero = 0;

	if (!offcpu) {
		struct oncpu *o = bpf_map_lookup_elem(&oncpu, &zero);

		if (!o)
			return 0;
		/* prev's slice, if its switch-in was seen (the idle task has none). */
		if (o->ts && o->tid == s->prev_tid && s->prev_tid && ks_filter_current()) {
			char comm[KS_COMM_LEN] = {};

			if (ks_by != KS_BY_ALL)
				prev_comm(s, comm);
			record(prev_key(s), now - o->ts, comm);
		}
		o->ts = now;
		o->tid = s->next_tid;
		return 0;
	}
	if (s->prev_tid && ks_filter_current()) {
		struct offcpu st = { .ts = now, .key = prev_key(s) };

		if (ks_by != KS_BY_ALL)
			prev_comm(s, st.comm);
		bpf_map_update_elem(&offstart, &s->prev_tid, &st, BPF_ANY);
	}
	if (s->next_tid) {
		__u32 tid = s->next_tid;
		struct offcpu *st = bpf_map_lookup_elem(&offstart, &tid);

		if (st) {
			record(st->key, now - st->ts, st->comm);
			bpf_map_delete_elem(&offstart, &tid);
		}
	}
	return 0;
}

KS_SCHED_SWITCH_PIDS(switch, on_switch)
