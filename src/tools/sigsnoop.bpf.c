// SPDX-License-Identifier: GPL-2.0-only
/* sigsnoop: signals sent through kill-family syscalls, or generated anywhere. */
#include "bpf/events.bpf.h"
#include "bpf/syscall.bpf.h"
#include "tools/sigsnoop.h"

/* Syscall numbers of this architecture, set by user space; -1 when absent. */
const volatile long nr_kill = -1;
const volatile long nr_tkill = -1;
const volatile long nr_tgkill = -1;
const volatile long nr_sigqueue = -1;
const volatile long nr_tgsigqueue = -1;
const volatile long nr_pidfd = -1;
const volatile bool failed_only = false;
const volatile int only_signal = -1;

struct start {
	int target_pid, target_tid, sig, kind;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct start);
} starts SEC(".maps");

static __always_inline int kind_of(long id)
{
	if (id == nr_kill)
		return SIG_KILL;
	if (id == nr_tkill)
		return SIG_TKILL;
	if (id == nr_tgkill)
		return SIG_TGKILL;
	if (id == nr_sigqueue)
		return SIG_SIGQUEUE;
	if (id == nr_tgsigqueue)
		return SIG_TGSIGQUEUE;
	if (id == nr_pidfd)
		return SIG_PIDFD;
	return -1;
}

static __always_inline int on_enter(void *ctx, const struct ks_sysenter *e)
{
	int kind = kind_of(e->id);
	struct start s = { .kind = kind };
	__u32 tid;

	if (kind < 0 || !ks_filter_current())
		return 0;
	switch (kind) {
	case SIG_KILL:
	case SIG_SIGQUEUE:
	case SIG_PIDFD: /* target_pid holds the pidfd */
		s.target_pid = (int)ks_sysarg(e, 0);
		s.sig = (int)ks_sysarg(e, 1);
		break;
	case SIG_TKILL:
		s.target_tid = (int)ks_sysarg(e, 0);
		s.sig = (int)ks_sysarg(e, 1);
		break;
	default: /* tgkill, rt_tgsigqueueinfo */
		s.target_pid = (int)ks_sysarg(e, 0);
		s.target_tid = (int)ks_sysarg(e, 1);
		s.sig = (int)ks_sysarg(e, 2);
	}
	if (only_signal >= 0 && s.sig != only_signal)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&starts, &tid, &s, BPF_ANY);
	return 0;
}

static __always_inline int on_exit(void *ctx, const struct ks_sysexit *x)
{
	struct sig_event *ev;
	struct start *s;
	__u32 tid;

	if (kind_of(x->id) < 0)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	s = bpf_map_lookup_elem(&starts, &tid);
	if (!s)
		return 0;
	if (failed_only && x->ret >= 0)
		goto done;
	ev = ks_reserve(sizeof(*ev));
	if (!ev)
		goto done;
	ks_hdr_fill(&ev->hdr);
	ev->ret = x->ret;
	ev->target_pid = s->target_pid;
	ev->target_tid = s->target_tid;
	ev->sig = s->sig;
	ev->kind = s->kind;
	__builtin_memset(ev->target_comm, 0, sizeof(ev->target_comm));
	ks_submit(ev, sizeof(*ev));
done:
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

KS_SYSCALL_ENTER(sig_enter, on_enter)
KS_SYSCALL_EXIT(sig_exit, on_exit)
KS_SYSCALL_FN_BOTH(sig_enter, sig_exit, kill, 2, nr_kill, on_enter, on_exit)
KS_SYSCALL_FN_BOTH(sig_enter, sig_exit, tkill, 2, nr_tkill, on_enter, on_exit)
KS_SYSCALL_FN_BOTH(sig_enter, sig_exit, tgkill, 3, nr_tgkill, on_enter, on_exit)
KS_SYSCALL_FN_BOTH(sig_enter, sig_exit, rt_sigqueueinfo, 3, nr_sigqueue, on_enter, on_exit)
KS_SYSCALL_FN_BOTH(sig_enter, sig_exit, rt_tgsigqueueinfo, 4, nr_tgsigqueue, on_enter, on_exit)
KS_SYSCALL_FN_BOTH(sig_enter, sig_exit, pidfd_send_signal, 4, nr_pidfd, on_enter, on_exit)

/* -g: every generated signal, from syscalls, the kernel (SIGSEGV, SIGCHLD...) or timers. */
static __always_inline int on_generate(int sig, int tgid, int pid, const char *comm, int result)
{
	struct sig_event *ev;

	if ((only_signal >= 0 && sig != only_signal) || (failed_only && result == 0) ||
	    !ks_filter_current())
		return 0;
	ev = ks_reserve(sizeof(*ev));
	if (!ev)
		return 0;
	ks_hdr_fill(&ev->hdr);
	ev->ret = result;
	ev->target_pid = tgid;
	ev->target_tid = pid;
	ev->sig = sig;
	ev->kind = SIG_GENERATED;
	bpf_probe_read_kernel_str(ev->target_comm, sizeof(ev->target_comm), comm);
	ks_submit(ev, sizeof(*ev));
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(sig_gen__tp_btf, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	return on_generate(sig, BPF_CORE_READ(task, tgid), BPF_CORE_READ(task, pid), task->comm,
			   result);
}

SEC("raw_tp/signal_generate")
int BPF_PROG(sig_gen__raw_tp, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	return on_generate(sig, BPF_CORE_READ(task, tgid), BPF_CORE_READ(task, pid),
			   (const char *)task + bpf_core_field_offset(struct task_struct, comm),
			   result);
}

/* The classic record has the target's thread id only. */
SEC("tracepoint/signal/signal_generate")
int sig_gen__tp(struct trace_event_raw_signal_generate *tp)
{
	return on_generate(tp->sig, tp->pid, tp->pid, tp->comm, tp->result);
}
