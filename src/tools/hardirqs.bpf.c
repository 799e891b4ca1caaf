// SPDX-License-Identifier: GPL-2.0-only
/* hardirqs: time in (or count of) hard interrupt handlers, per handler name, in kernel. */
#include "bpf/hist.bpf.h"

#define IRQ_NAME_LEN 32

const volatile bool count_only = false;
const volatile __u64 unit_div = 1000; /* ns per histogram unit */

struct irq_key {
	char name[IRQ_NAME_LEN];
};

KS_HIST_MAP(irqs, struct irq_key, 1024);

/* The handler running on this CPU (hard interrupts don't nest) and when it began. */
struct irq_start {
	__u64 ts;
	struct irq_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct irq_start);
} start SEC(".maps");

/* @name: where the handler's name is (irqaction->name, or the tracepoint record's copy). */
static __always_inline int on_entry(const void *name)
{
	__u32 zero = 0;
	struct irq_start *s = bpf_map_lookup_elem(&start, &zero);
	struct ks_hist_val *v;

	if (!s)
		return 0;
	/* Zeroed first: the bytes after the name are part of the key too. */
	__builtin_memset(&s->key, 0, sizeof(s->key));
	bpf_probe_read_kernel_str(s->key.name, sizeof(s->key.name), name);
	if (!count_only) {
		s->ts = bpf_ktime_get_ns();
		return 0;
	}
	v = ks_hist_get(&irqs, &s->key);
	if (v)
		__sync_fetch_and_add(&v->count, 1);
	return 0;
}

static __always_inline int on_exit(void)
{
	__u32 zero = 0;
	struct irq_start *s = bpf_map_lookup_elem(&start, &zero);

	if (!s || !s->ts)
		return 0;
	ks_hist_add(&irqs, &s->key, bpf_ktime_get_ns() - s->ts, unit_div);
	s->ts = 0;
	return 0;
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(irq_entry__tp_btf, int irq, struct irqaction *action)
{
	return on_entry(BPF_CORE_READ(action, name));
}

SEC("raw_tp/irq_handler_entry")
int BPF_PROG(irq_entry__raw_tp, int irq, struct irqaction *action)
{
	return on_entry(BPF_CORE_READ(action, name));
}

SEC("tracepoint/irq/irq_handler_entry")
int irq_entry__tp(struct trace_event_raw_irq_handler_entry *tp)
{
	/* __data_loc: the low 16 bits are the string's offset in the record. */
	return on_entry((void *)tp + (tp->__data_loc_name & 0xffff));
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(irq_exit__tp_btf)
{
	return on_exit();
}

SEC("raw_tp/irq_handler_exit")
int BPF_PROG(irq_exit__raw_tp)
{
	return on_exit();
}

SEC("tracepoint/irq/irq_handler_exit")
int irq_exit__tp(void *ctx)
{
	return on_exit();
}
