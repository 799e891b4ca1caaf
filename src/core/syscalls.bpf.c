// SPDX-License-Identifier: GPL-2.0-only
/*
 * Read the running kernel's syscall table (number -> name) from its ftrace syscall
 * metadata: from the tracefs "enable" file of one syscalls:sys_enter_* event, which user
 * space holds open, find that event and walk the list of all trace events, keeping those
 * of the same class. Run with BPF_PROG_TEST_RUN in kscope's own task, a few list entries
 * per run.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "core/syscalls_shared.h"

char LICENSE[] SEC("license") = "GPL";

const volatile int event_fd = -1;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KS_SYSCALLS_MAX);
	__type(key, __u32);
	__type(value, struct ks_syscall_name);
} names SEC(".maps");

struct walk_state {
	__u64 start;  /* the list node we began at */
	__u64 cursor; /* the next node to look at */
	__u64 class;  /* the syscall-enter event class */
	__u32 done;
	__u32 found;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct walk_state);
} state SEC(".maps");

#define STEPS 64

static __always_inline int start_walk(struct walk_state *s)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	struct trace_event_file *tef;
	struct trace_event_call *call;
	struct file *f = NULL;

	if (event_fd < 0 || event_fd > 65535)
		return -1;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[event_fd]);
	if (!f)
		return -1;
	/* The "enable" file's inode carries the trace_event_file, old tracefs and eventfs alike. */
	tef = BPF_CORE_READ(f, f_inode, i_private);
	call = BPF_CORE_READ(tef, event_call);
	if (!call)
		return -1;
	s->class = (__u64)BPF_CORE_READ(call, class);
	s->start = (__u64)call + bpf_core_field_offset(struct trace_event_call, list);
	s->cursor = (__u64)BPF_CORE_READ(call, list.next);
	return 0;
}

SEC("raw_tp")
int walk(void *ctx)
{
	__u32 zero = 0;
	struct walk_state *s = bpf_map_lookup_elem(&state, &zero);

	if (!s || s->done)
		return 0;
	if (!s->start && start_walk(s)) {
		s->done = 2;
		return 0;
	}
	for (int i = 0; i < STEPS; i++) {
		struct list_head *pos = (struct list_head *)s->cursor;
		struct trace_event_call *call;
		struct syscall_metadata *meta;
		struct ks_syscall_name *slot;
		const char *name;
		__u32 nr;

		if (!pos || s->cursor == s->start) {
			s->done = 1;
			return 0;
		}
		call = (void *)pos - bpf_core_field_offset(struct trace_event_call, list);
		if ((__u64)BPF_CORE_READ(call, class) == s->class) {
			meta = BPF_CORE_READ(call, data);
			nr = (__u32)BPF_CORE_READ(meta, syscall_nr);
			name = BPF_CORE_READ(meta, name);
			slot = bpf_map_lookup_elem(&names, &nr);
			if (slot && name) {
				bpf_probe_read_kernel_str(slot->name, sizeof(slot->name), name);
				s->found++;
			}
		}
		s->cursor = (__u64)BPF_CORE_READ(pos, next);
	}
	return 0;
}
