/* SPDX-License-Identifier: GPL-2.0-only */
/* Scheduler tracepoints in every attach flavour feeding one body per tool, and task state. */
#ifndef KS_BPF_SCHED_H
#define KS_BPF_SCHED_H

/*
 * Three ways to define a scheduler hook; each defines programs HOOK__VARIANT that the core
 * (ks_attach_select) chooses from before load, so a tool writes its logic once:
 *
 *   KS_SCHED_SWITCH(hook, fn)          sched_switch, tp_btf and raw_tp, with task pointers:
 *       static __always_inline int fn(void *ctx, bool preempt, struct task_struct *prev,
 *                                     struct task_struct *next);
 *
 *   KS_SCHED_SWITCH_PIDS(hook, fn)     sched_switch, tp_btf, raw_tp and classic tracepoint,
 *       for logic that needs no pointer to the next task:
 *       static __always_inline int fn(void *ctx, const struct ks_switch *s);
 *
 *   KS_SCHED_WAKEUP(hook, fn)          sched_wakeup AND sched_wakeup_new (a new task's
 *       first wake-up), tp_btf and raw_tp; both programs of a variant are attached together:
 *       static __always_inline int fn(void *ctx, struct task_struct *p);
 *
 *   KS_SCHED_WAKING(hook, fn)          sched_waking, tp_btf and raw_tp, the same fn: fires in
 *       the waker's context always (see below), for logic about who woke p.
 *
 * The contract for bodies:
 * - Read tasks with BPF_CORE_READ (or the helpers below), never by dereferencing: the
 *   same body runs with BTF-typed pointers (tp_btf) and plain ones (raw_tp). Copy
 *   s->prev into a local first (struct task_struct *prev = s->prev): BPF_CORE_READ(s->prev,
 *   ...) would ask CO-RE to relocate struct ks_switch, which the kernel doesn't have.
 * - At sched_switch, prev is current (the tracepoint fires before the switch):
 *   bpf_get_current_*() and bpf_get_stackid(ctx, ...) describe prev.
 * - At sched_wakeup, p is the woken task (not yet running), and current usually the waker:
 *   but a wake-up queued to p's CPU (an IPI, ttwu_queue_wakelist) fires sched_wakeup there,
 *   in whatever runs on that CPU (often the idle task). sched_waking fires in the waker,
 *   always. Filter p with ks_filter_task(p), not ks_filter_current(). The event also fires
 *   for a task woken while still on its CPU (about to sleep): no switch-in need follow it.
 * - preempt: prev was preempted (it stays runnable). A task can also leave the CPU while
 *   runnable without preemption (sched_yield): use ks_switch_prev_runnable().
 * - The idle tasks (pid 0, one per CPU) appear as prev and next: key on something else.
 *
 * Why no classic tracepoint variant for KS_SCHED_SWITCH and KS_SCHED_WAKEUP: the classic
 * records carry only pids and comms of the tasks that are not current (the next task, the
 * woken task), so a body could not read their tgid, uid, cgroup or pid namespace, nor
 * filter them. raw_tp works on every kernel that has BTF (which kscope needs anyway), so
 * nothing is lost. Logic that needs only the next task's tid (the rest is read from
 * current = prev) uses KS_SCHED_SWITCH_PIDS, which has the tracepoint variant too.
 */

#include "bpf/kscope.bpf.h"

#define KS_TASK_RUNNING 0
/* The classic sched_switch record's prev_state: this bit for a preemption (since 4.14). */
#define KS_TASK_REPORT_MAX 0x100

/* Before 5.14 a task's state was the long ->state, since then the unsigned int ->__state. */
struct task_struct___pre_5_14 {
	long state;
} __attribute__((preserve_access_index));

/* The scheduling state of @t (0 = TASK_RUNNING, 1 = TASK_INTERRUPTIBLE ...) on any kernel. */
static __always_inline unsigned int ks_task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return (unsigned int)BPF_CORE_READ((struct task_struct___pre_5_14 *)t, state);
}

/* task->flags bit of kernel threads (include/linux/sched.h). */
#define KS_PF_KTHREAD 0x00200000

/* Is @t a kernel thread? (BCC's -u and -k: user or kernel threads only.) */
static __always_inline bool ks_task_kthread(struct task_struct *t)
{
	return BPF_CORE_READ(t, flags) & KS_PF_KTHREAD;
}

/*
 * At a switch: does @prev stay on the run queue (preempted, or yielding in TASK_RUNNING),
 * so that its wait for the CPU starts now? A task that went to sleep waits for a wake-up.
 */
static __always_inline bool ks_switch_prev_runnable(bool preempt, struct task_struct *prev)
{
	return preempt || ks_task_state(prev) == KS_TASK_RUNNING;
}

/* One sched_switch for KS_SCHED_SWITCH_PIDS bodies. */
struct ks_switch {
	struct task_struct *prev; /* current, in every variant */
	struct task_struct *next; /* NULL in the classic tracepoint variant */
	__u32 prev_tid;		  /* task_struct->pid */
	__u32 next_tid;
	bool preempt;
	bool prev_runnable; /* as ks_switch_prev_runnable() */
};

#define KS_SCHED_SWITCH(hook, fn)                                                                  \
	SEC("tp_btf/sched_switch")                                                                 \
	int BPF_PROG(hook##__tp_btf, bool preempt, struct task_struct *prev,                       \
		     struct task_struct *next)                                                     \
	{                                                                                          \
		return fn(ctx, preempt, prev, next);                                               \
	}                                                                                          \
	SEC("raw_tp/sched_switch")                                                                 \
	int BPF_PROG(hook##__raw_tp, bool preempt, struct task_struct *prev,                       \
		     struct task_struct *next)                                                     \
	{                                                                                          \
		return fn(ctx, preempt, prev, next);                                               \
	}

static __always_inline void ks_switch_fill(struct ks_switch *s, bool preempt,
					   struct task_struct *prev, struct task_struct *next)
{
	s->prev = prev;
	s->next = next;
	s->prev_tid = BPF_CORE_READ(prev, pid);
	s->next_tid = BPF_CORE_READ(next, pid);
	s->preempt = preempt;
	s->prev_runnable = ks_switch_prev_runnable(preempt, prev);
}

/*
 * The classic record's prev_state is the state reported to ftrace: 0 for TASK_RUNNING,
 * 1 << (index - 1) for the others, KS_TASK_REPORT_MAX for a preemption.
 */
#define KS_SCHED_SWITCH_PIDS(hook, fn)                                                             \
	SEC("tp_btf/sched_switch")                                                                 \
	int BPF_PROG(hook##__tp_btf, bool preempt, struct task_struct *prev,                       \
		     struct task_struct *next)                                                     \
	{                                                                                          \
		struct ks_switch s;                                                                \
		ks_switch_fill(&s, preempt, prev, next);                                           \
		return fn(ctx, &s);                                                                \
	}                                                                                          \
	SEC("raw_tp/sched_switch")                                                                 \
	int BPF_PROG(hook##__raw_tp, bool preempt, struct task_struct *prev,                       \
		     struct task_struct *next)                                                     \
	{                                                                                          \
		struct ks_switch s;                                                                \
		ks_switch_fill(&s, preempt, prev, next);                                           \
		return fn(ctx, &s);                                                                \
	}                                                                                          \
	SEC("tracepoint/sched/sched_switch")                                                       \
	int hook##__tp(struct trace_event_raw_sched_switch *tp)                                    \
	{                                                                                          \
		long st = tp->prev_state;                                                          \
		struct ks_switch s = {                                                             \
			.prev = (struct task_struct *)bpf_get_current_task(),                      \
			.prev_tid = tp->prev_pid,                                                  \
			.next_tid = tp->next_pid,                                                  \
			.preempt = (st & KS_TASK_REPORT_MAX) != 0,                                 \
			.prev_runnable = (st & (KS_TASK_REPORT_MAX - 1)) == 0,                     \
		};                                                                                 \
		return fn(tp, &s);                                                                 \
	}

#define KS_SCHED_WAKEUP(hook, fn)                                                                  \
	SEC("tp_btf/sched_wakeup")                                                                 \
	int BPF_PROG(hook##__tp_btf, struct task_struct *p)                                        \
	{                                                                                          \
		return fn(ctx, p);                                                                 \
	}                                                                                          \
	SEC("tp_btf/sched_wakeup_new")                                                             \
	int BPF_PROG(hook##__tp_btf_new, struct task_struct *p)                                    \
	{                                                                                          \
		return fn(ctx, p);                                                                 \
	}                                                                                          \
	SEC("raw_tp/sched_wakeup")                                                                 \
	int BPF_PROG(hook##__raw_tp, struct task_struct *p)                                        \
	{                                                                                          \
		return fn(ctx, p);                                                                 \
	}                                                                                          \
	SEC("raw_tp/sched_wakeup_new")                                                             \
	int BPF_PROG(hook##__raw_tp_new, struct task_struct *p)                                    \
	{                                                                                          \
		return fn(ctx, p);                                                                 \
	}

#define KS_SCHED_WAKING(hook, fn)                                                                  \
	SEC("tp_btf/sched_waking")                                                                 \
	int BPF_PROG(hook##__tp_btf, struct task_struct *p)                                        \
	{                                                                                          \
		return fn(ctx, p);                                                                 \
	}                                                                                          \
	SEC("raw_tp/sched_waking")                                                                 \
	int BPF_PROG(hook##__raw_tp, struct task_struct *p)                                        \
	{                                                                                          \
		return fn(ctx, p);                                                                 \
	}

#endif
