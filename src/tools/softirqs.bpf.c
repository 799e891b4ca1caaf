// SPDX-License-Identifier: GPL-2.0-only
/* softirqs: time in (or count of) softirq handlers, per vector, in kernel. */
#include "bpf/hist.bpf.h"

const volatile bool count_only = false;
const volatile __u64 unit_div = 1000; /* ns per histogram unit */

KS_HIST_MAP(softirqs, __u32, 32);

/* The vector running on this CPU (softirqs don't nest) and when it began. */
struct sirq_start {
	__u64 ts;
	__u32 vec;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sirq_start);
} start SEC(".maps");

static __always_inline int on_entry(__u32 vec)
{
	__u32 zero = 0;
	struct sirq_start *s;
	struct ks_hist_val *v;

	if (count_only) {
		v = ks_hist_get(&softirqs, &vec);
		if (v)
			__sync_fetch_and_add(&v->count, 1);
		return 0;
	}
	s = bpf_map_lookup_elem(&start, &zero);
	if (s) {
		s->ts = bpf_ktime_get_ns();
		s->vec = vec;
	}
	return 0;
}

static __always_inline int on_exit(void)
{
	__u32 zero = 0;
	struct sirq_start *s = bpf_map_lookup_elem(&start, &zero);

	if (!s || !s->ts)
		return 0;
	ks_hist_add(&softirqs, &s->vec, bpf_ktime_get_ns() - s->ts, unit_div);
	s->ts = 0;
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(softirq_entry__tp_btf, unsigned int vec)
{
	return on_entry(vec);
}

SEC("raw_tp/softirq_entry")
int BPF_PROG(softirq_entry__raw_tp, unsigned int vec)
{
	return on_entry(vec);
}

SEC("tracepoint/irq/softirq_entry")
int softirq_entry__tp(struct trace_event_raw_softirq *tp)
{
	return on_entry(tp->vec);
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(softirq_exit__tp_btf)
{
	return on_exit();
}

SEC("raw_tp/softirq_exit")
int BPF_PROG(softirq_exit__raw_tp)
{
	return on_exit();
}

SEC("tracepoint/irq/softirq_exit")
int softirq_exit__tp(void *ctx)
{
	return on_exit();
}
