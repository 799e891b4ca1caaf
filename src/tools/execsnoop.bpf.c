// SPDX-License-Identifier: GPL-2.0-only
/* execsnoop: every execve/execveat with its full argv, result and task details. */
#include "bpf/events.bpf.h"
#include "bpf/syscall.bpf.h"
#include "tools/execsnoop.h"

const volatile long nr_execve = -1;
const volatile long nr_execveat = -1;
const volatile unsigned int max_args = 20;
const volatile bool include_failed = false;

/* The event as being built; args is twice the size so the verifier can bound writes. */
struct exec_build {
	struct exec_event e;
	char slack[EXEC_ARGS_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_build);
} scratch SEC(".maps");

/*
 * Execs in flight, by process: a successful exec from any thread returns in the leader.
 * Preallocated here; user space makes it larger and allocated as execs come where the
 * kernel allows that in tracing programs (ks_btf_lazy_maps).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct exec_event);
} execs SEC(".maps");

static __always_inline bool is_exec(long id)
{
	return id == nr_execve || id == nr_execveat;
}

static __always_inline int on_enter(void *ctx, const struct ks_sysenter *e)
{
	const char *const *argv;
	struct exec_build *b;
	const char *filename;
	__u32 zero = 0, pid;
	__u64 off = 0; /* 64-bit: a 32-bit copy would lose the bounds the verifier learns */
	long n;
	int i;

	if (!is_exec(e->id) || !ks_filter_current())
		return 0;
	b = bpf_map_lookup_elem(&scratch, &zero);
	if (!b)
		return 0;
	if (e->id == nr_execve) {
		filename = (const char *)ks_sysarg(e, 0);
		argv = (const char *const *)ks_sysarg(e, 1);
	} else {
		filename = (const char *)ks_sysarg(e, 1);
		argv = (const char *const *)ks_sysarg(e, 2);
	}
	b->e.argc = 0;
	b->e.flags = 0;
	n = bpf_probe_read_user_str(b->e.args, EXEC_ARGS_MAX, filename);
	if (n <= 0) {
		b->e.args[0] = '\0';
		n = 1;
	}
	off = n;
	for (i = 0; i < EXEC_MAX_ARGS; i++) {
		const char *arg = NULL;
		__u64 room;

		if (i >= max_args) {
			bpf_probe_read_user(&arg, sizeof(arg), &argv[i]);
			if (arg)
				b->e.flags |= EXEC_TRUNCATED;
			break;
		}
		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			break;
		if (off >= EXEC_ARGS_MAX) {
			b->e.flags |= EXEC_TRUNCATED;
			break;
		}
		room = EXEC_ARGS_MAX - off;
		n = bpf_probe_read_user_str(&b->e.args[off], room, arg);
		if (n < 0)
			break;
		if (n == 0) {
			/* Kernels before 6.x return 0, not 1, for an empty string. */
			b->e.args[off] = '\0';
			n = 1;
		}
		off += n;
		b->e.argc++;
		if (n == room) {
			/* The string filled what was left: it may have been cut. */
			b->e.flags |= EXEC_TRUNCATED;
			break;
		}
	}
	b->e.args_len = off > EXEC_ARGS_MAX ? EXEC_ARGS_MAX : off;
	pid = bpf_get_current_pid_tgid() >> 32;
	bpf_map_update_elem(&execs, &pid, &b->e, BPF_ANY);
	return 0;
}

static __always_inline int on_exit(void *ctx, const struct ks_sysexit *x)
{
	struct exec_event *e;
	unsigned int len;
	__u32 pid;

	if (!is_exec(x->id))
		return 0;
	pid = bpf_get_current_pid_tgid() >> 32;
	e = bpf_map_lookup_elem(&execs, &pid);
	if (!e)
		return 0;
	if (x->ret >= 0 || include_failed) {
		ks_hdr_fill(&e->hdr);
		e->ret = x->ret;
		len = e->args_len;
		if (len > EXEC_ARGS_MAX)
			len = EXEC_ARGS_MAX;
		ks_output(e, offsetof(struct exec_event, args) + len);
	}
	bpf_map_delete_elem(&execs, &pid);
	return 0;
}

KS_SYSCALL_ENTER(exec_enter, on_enter)
KS_SYSCALL_EXIT(exec_exit, on_exit)
KS_SYSCALL_FN_BOTH(exec_enter, exec_exit, execve, 3, nr_execve, on_enter, on_exit)
KS_SYSCALL_FN_BOTH(exec_enter, exec_exit, execveat, 5, nr_execveat, on_enter, on_exit)
