// SPDX-License-Identifier: GPL-2.0-only
/* exitsnoop: process (or thread) exits with exit code or signal and lifetime. */
#include "bpf/events.bpf.h"
#include "tools/exitsnoop.h"

const volatile bool all_threads = false;
const volatile bool failed_only = false;

/* Runs in the exiting task, whichever way sched_process_exit was attached. */
static __always_inline int on_task_exit(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct exit_event *e;
	unsigned int code;

	if (!all_threads && (pid_tgid >> 32) != (__u32)pid_tgid)
		return 0;
	if (!ks_filter_current())
		return 0;
	code = BPF_CORE_READ(task, exit_code);
	if (failed_only && code == 0)
		return 0;
	e = ks_reserve(sizeof(*e));
	if (!e)
		return 0;
	ks_hdr_fill(&e->hdr);
	e->start_ns = BPF_CORE_READ(task, start_time);
	e->exit_code = code;
	e->pad = 0;
	ks_submit(e, sizeof(*e));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(task_exit__tp_btf)
{
	return on_task_exit();
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(task_exit__raw_tp)
{
	return on_task_exit();
}

SEC("tracepoint/sched/sched_process_exit")
int task_exit__tp(void *ctx)
{
	return on_task_exit();
}
