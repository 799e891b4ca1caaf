/* SPDX-License-Identifier: GPL-2.0-only */
/* Syscall entry/exit hooks in every attach flavour, feeding one body per tool. */
#ifndef KS_BPF_SYSCALL_H
#define KS_BPF_SYSCALL_H

#include "bpf/kscope.bpf.h"

/* libbpf 1.1 stops at the fifth syscall argument; the sixth and the number are ours. */
/*
 * _DIRECT forms load through a BTF-typed pointer (tp_btf: no helper call); the others go
 * through bpf_probe_read_kernel (raw_tp, where the pointer is a plain number).
 */
#if defined(__TARGET_ARCH_x86)
#define KS_SYSCALL_FN(name)	      "__x64_sys_" #name
#define KS_SYSCALL_NR(regs)	      BPF_CORE_READ(regs, orig_ax)
#define KS_SYSCALL_NR_DIRECT(regs)    ((regs)->orig_ax)
#define KS_SYSCALL_PARM6(regs)	      BPF_CORE_READ(regs, r9)
#define KS_SYSCALL_PARM6_DIRECT(regs) ((regs)->r9)
#elif defined(__TARGET_ARCH_arm64)
#define KS_SYSCALL_FN(name)	      "__arm64_sys_" #name
#define KS_SYSCALL_NR(regs)	      BPF_CORE_READ(regs, syscallno)
#define KS_SYSCALL_NR_DIRECT(regs)    ((regs)->syscallno)
#define KS_SYSCALL_PARM6(regs)	      BPF_CORE_READ(regs, regs[5])
#define KS_SYSCALL_PARM6_DIRECT(regs) ((regs)->regs[5])
#else
#error "kscope: syscall number register unknown for this architecture"
#endif

/*
 * The record of a syscalls:sys_enter_NAME / sys_exit_NAME tracepoint as BPF programs get it
 * (tracefs events/syscalls/sys_enter_openat/format): the common fields, __syscall_nr at 8,
 * then the arguments as 8-byte fields from 16, or the result at 16. A fixed layout, not
 * the kernel's types: no CO-RE relocation applies. The record holds the syscall's own
 * arguments only, and the kernel refuses to attach (EACCES) a program that reads past it:
 * KS_TP_ARG reads argument I of a syscall that has N, a constant, and leaves the others 0.
 */
struct ks_syscall_tp_enter {
	__u64 common;
	int nr;
	unsigned long args[6];
};

struct ks_syscall_tp_exit {
	__u64 common;
	int nr;
	long ret;
};

#define KS_TP_ARG(tp, i, n) ((i) < (n) ? (tp)->args[(i) < (n) ? (i) : 0] : 0)

/* A syscall entry, however it was observed. Read arguments with ks_sysarg(). */
struct ks_sysenter {
	long id;
	struct pt_regs *regs;  /* tp_btf, raw_tp: the user registers */
	bool btf;	       /* regs is BTF-typed (tp_btf): read it directly */
	unsigned long args[6]; /* classic tracepoint: copied from the record */
};

struct ks_sysexit {
	long id;
	long ret;
};

/* Argument @n (constant) of the syscall; reads registers only when asked. */
static __always_inline unsigned long ks_sysarg(const struct ks_sysenter *e, int n)
{
	/* A plain local, so the CO-RE reads below relocate pt_regs fields only. */
	struct pt_regs *regs = e->regs;

	if (!regs)
		return e->args[n];
	if (e->btf) {
		switch (n) {
		case 0:
			return PT_REGS_PARM1_SYSCALL(regs);
		case 1:
			return PT_REGS_PARM2_SYSCALL(regs);
		case 2:
			return PT_REGS_PARM3_SYSCALL(regs);
		case 3:
			return PT_REGS_PARM4_SYSCALL(regs);
		case 4:
			return PT_REGS_PARM5_SYSCALL(regs);
		default:
			return KS_SYSCALL_PARM6_DIRECT(regs);
		}
	}
	switch (n) {
	case 0:
		return PT_REGS_PARM1_CORE_SYSCALL(regs);
	case 1:
		return PT_REGS_PARM2_CORE_SYSCALL(regs);
	case 2:
		return PT_REGS_PARM3_CORE_SYSCALL(regs);
	case 3:
		return PT_REGS_PARM4_CORE_SYSCALL(regs);
	case 4:
		return PT_REGS_PARM5_CORE_SYSCALL(regs);
	default:
		return KS_SYSCALL_PARM6(regs);
	}
}

/*
 * Define hook HOOK on raw_syscalls:sys_enter as tp_btf, raw_tp and classic tracepoint
 * variants, all calling FN(void *ctx, const struct ks_sysenter *e). The core picks one.
 */
#define KS_SYSCALL_ENTER(hook, fn)                                                                 \
	SEC("tp_btf/sys_enter")                                                                    \
	int BPF_PROG(hook##__tp_btf, struct pt_regs *regs, long id)                                \
	{                                                                                          \
		struct ks_sysenter e = { .id = id, .regs = regs, .btf = true };                    \
		return fn(ctx, &e);                                                                \
	}                                                                                          \
	SEC("raw_tp/sys_enter")                                                                    \
	int BPF_PROG(hook##__raw_tp, struct pt_regs *regs, long id)                                \
	{                                                                                          \
		struct ks_sysenter e = { .id = id, .regs = regs };                                 \
		return fn(ctx, &e);                                                                \
	}                                                                                          \
	SEC("tracepoint/raw_syscalls/sys_enter")                                                   \
	int hook##__tp(struct trace_event_raw_sys_enter *tp)                                       \
	{                                                                                          \
		/* Fixed offsets: the verifier refuses a moving pointer into ctx. */               \
		struct ks_sysenter e = { .id = tp->id,                                             \
					 .args = { tp->args[0], tp->args[1], tp->args[2],          \
						   tp->args[3], tp->args[4], tp->args[5] } };      \
		return fn(tp, &e);                                                                 \
	}

/* Same for raw_syscalls:sys_exit, calling FN(void *ctx, const struct ks_sysexit *e). */
#define KS_SYSCALL_EXIT(hook, fn)                                                                  \
	SEC("tp_btf/sys_exit")                                                                     \
	int BPF_PROG(hook##__tp_btf, struct pt_regs *regs, long ret)                               \
	{                                                                                          \
		struct ks_sysexit e = { .id = KS_SYSCALL_NR_DIRECT(regs), .ret = ret };            \
		return fn(ctx, &e);                                                                \
	}                                                                                          \
	SEC("raw_tp/sys_exit")                                                                     \
	int BPF_PROG(hook##__raw_tp, struct pt_regs *regs, long ret)                               \
	{                                                                                          \
		struct ks_sysexit e = { .id = KS_SYSCALL_NR(regs), .ret = ret };                   \
		return fn(ctx, &e);                                                                \
	}                                                                                          \
	SEC("tracepoint/raw_syscalls/sys_exit")                                                    \
	int hook##__tp(struct trace_event_raw_sys_exit *tp)                                        \
	{                                                                                          \
		struct ks_sysexit e = { .id = tp->id, .ret = tp->ret };                            \
		return fn(tp, &e);                                                                 \
	}

/*
 * Entry of one syscall, NAME, which takes NARGS arguments, in every form that runs for that
 * syscall alone, all of hook HOOK and calling FN with id NR (the syscall's number, a
 * .rodata constant of the tool):
 * fentry on its kernel function (the arch's syscall wrapper, which takes the user
 * registers: read directly, typed), its own tracepoint syscalls:sys_enter_NAME (the
 * arguments copied into the record), and a kprobe on the function. Where one of these works
 * it is preferred to the raw_syscalls hooks, which run for every syscall of the system;
 * the core ranks them (docs/attach.md) and leaves out a syscall this kernel lacks.
 */
#define KS_SYSCALL_FN_ENTER(hook, name, nargs, nr, fn)                                             \
	SEC("fentry/" KS_SYSCALL_FN(name))                                                         \
	int BPF_PROG(hook##__fentry_##name, struct pt_regs *regs)                                  \
	{                                                                                          \
		struct ks_sysenter e = { .id = nr, .regs = regs, .btf = true };                    \
		return fn(ctx, &e);                                                                \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                                \
	int hook##__tp_##name(struct ks_syscall_tp_enter *tp)                                      \
	{                                                                                          \
		struct ks_sysenter e = {                                                           \
			.id = nr,                                                                  \
			.args = { KS_TP_ARG(tp, 0, nargs), KS_TP_ARG(tp, 1, nargs),                \
				  KS_TP_ARG(tp, 2, nargs), KS_TP_ARG(tp, 3, nargs),                \
				  KS_TP_ARG(tp, 4, nargs), KS_TP_ARG(tp, 5, nargs) }               \
		};                                                                                 \
		return fn(tp, &e);                                                                 \
	}                                                                                          \
	SEC("kprobe/" KS_SYSCALL_FN(name))                                                         \
	int BPF_KPROBE(hook##__kprobe_##name, struct pt_regs *regs)                                \
	{                                                                                          \
		struct ks_sysenter e = { .id = nr, .regs = regs };                                 \
		return fn(ctx, &e);                                                                \
	}

/*
 * Return of syscall NAME: fexit (arguments and result in one place), its own tracepoint
 * syscalls:sys_exit_NAME, and kretprobe.
 */
#define KS_SYSCALL_FN_EXIT(hook, name, nr, fn)                                                     \
	SEC("fexit/" KS_SYSCALL_FN(name))                                                          \
	int BPF_PROG(hook##__fexit_##name, struct pt_regs *regs, long ret)                         \
	{                                                                                          \
		struct ks_sysexit e = { .id = nr, .ret = ret };                                    \
		return fn(ctx, &e);                                                                \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                                 \
	int hook##__tp_##name(struct ks_syscall_tp_exit *tp)                                       \
	{                                                                                          \
		struct ks_sysexit e = { .id = nr, .ret = tp->ret };                                \
		return fn(tp, &e);                                                                 \
	}                                                                                          \
	SEC("kretprobe/" KS_SYSCALL_FN(name))                                                      \
	int BPF_KRETPROBE(hook##__kretprobe_##name, long ret)                                      \
	{                                                                                          \
		struct ks_sysexit e = { .id = nr, .ret = ret };                                    \
		return fn(ctx, &e);                                                                \
	}

/* Both ends of syscall NAME: KS_SYSCALL_FN_ENTER(ENTER, ...) and KS_SYSCALL_FN_EXIT(EXIT, ...). */
#define KS_SYSCALL_FN_BOTH(enter, exit, name, nargs, nr, enter_fn, exit_fn)                        \
	KS_SYSCALL_FN_ENTER(enter, name, nargs, nr, enter_fn)                                      \
	KS_SYSCALL_FN_EXIT(exit, name, nr, exit_fn)

#endif
