/* SPDX-License-Identifier: GPL-2.0-only */
/* Stack-keyed counts shared by the stack tools' BPF programs and user space (core/stacks). */
#ifndef KS_SHARED_STACK_H
#define KS_SHARED_STACK_H

/* Frames a stack trace map keeps per stack (the kernel's limit is 127 by default). */
#define KS_STACK_DEPTH 127

/*
 * What a count is kept for. Stack ids index the "ks_stack_traces" map; a negative id is
 * the -errno bpf_get_stackid() gave (-EFAULT: no stack of that kind, e.g. no kernel stack
 * for a sample in user mode; -EEXIST/-ENOMEM: the stack map was full or collided).
 * The "other" task is the waker (offcputime with wakers, wakeuptime); zero when unused.
 */
struct ks_stack_key {
	unsigned int pid; /* tgid */
	unsigned int tid; /* 0 unless the tool counts per thread */
	int kstack;
	int ustack;
	unsigned int other_pid;
	int other_kstack;
	char comm[16];
	char other_comm[16];
};

/* Ring-buffer notes that let user space read a process's mappings while it lives. */
enum ks_stack_note_kind {
	KS_NOTE_NEW_PID = 1, /* the first count for this process: learn its mappings now */
	KS_NOTE_EXEC = 2,    /* the process exec'd: what was learnt of it no longer holds */
};

struct ks_stack_note {
	unsigned int kind;
	unsigned int pid;
};

#endif
