// SPDX-License-Identifier: GPL-2.0-only
/* runqlen: sample each CPU's run-queue length (tasks waiting, not running) into a histogram. */
#include "bpf/kscope.bpf.h"
#include "tools/runqlen.h"

/* One histogram per CPU, written only by that CPU's sampling program: no atomics needed. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* user space sets the number of possible CPUs */
	__type(key, __u32);
	__type(value, struct runqlen_hist);
} hists SEC(".maps");

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 cpu = bpf_get_smp_processor_id();
	struct runqlen_hist *h = bpf_map_lookup_elem(&hists, &cpu);
	unsigned int running;
	__u64 len;

	if (!h)
		return 0;
	/*
	 * The CPU's whole run queue (every class), through the task's CFS queue and its rq:
	 * the task's own cfs_rq would count only its task group. nr_running includes the
	 * task on the CPU unless that is the idle task.
	 */
	running = BPF_CORE_READ(task, se.cfs_rq, rq, nr_running);
	len = running;
	if (BPF_CORE_READ(task, pid) != 0 && len)
		len--;
	if (len >= RUNQLEN_SLOTS)
		len = RUNQLEN_SLOTS - 1;
	h->slots[len]++;
	return 0;
}
