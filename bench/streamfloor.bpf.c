// SPDX-License-Identifier: GPL-2.0-only
/* The streaming floor: every openat, with its path, through a ring buffer, nothing more. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "floor.bpf.h"
#include "streamfloor.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load. */
const volatile long nr_openat = -1;
const volatile bool wake_each = false;	   /* a forced wake-up per event (the reference) */
const volatile __u64 wake_bytes = 1 << 19; /* batched: wake only past this much data */

#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs) ((regs)->syscallno)
#else
#error "streamfloor: syscall number register unknown for this architecture"
#endif

struct start {
	const char *path;
	__u64 flags;
	int dfd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct start);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sf_event);
} scratch SEC(".maps");

/* tp_btf hands us the user registers as a BTF pointer: plain loads, no helper calls. */
SEC("tp_btf/sys_enter")
int BPF_PROG(sf_enter, struct pt_regs *regs, long id)
{
	struct start s;
	__u32 tid;

	if (id != nr_openat)
		return 0;
	s.dfd = (int)PT_REGS_PARM1_SYSCALL(regs);
	s.path = (const char *)PT_REGS_PARM2_SYSCALL(regs);
	s.flags = (unsigned int)PT_REGS_PARM3_SYSCALL(regs);
	tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&starts, &tid, &s, BPF_ANY);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sf_exit, struct pt_regs *regs, long ret)
{
	__u32 tid, zero = 0;
	struct sf_event *e;
	struct start *s;
	__u64 pid_tgid, flags;
	long len;

	if (SYSCALL_NR(regs) != nr_openat)
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	tid = (__u32)pid_tgid;
	s = bpf_map_lookup_elem(&starts, &tid);
	if (!s)
		return 0;
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		goto done;
	e->ts = bpf_ktime_get_ns();
	e->pid = pid_tgid >> 32;
	e->tid = tid;
	e->ret = ret;
	e->flags = s->flags;
	e->dfd = s->dfd;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	len = bpf_probe_read_user_str(e->path, sizeof(e->path), s->path);
	if (len <= 0) {
		e->path[0] = '\0';
		len = 1;
	}
	len &= SF_PATH_MAX - 1;
	e->path_len = len;
	if (wake_each)
		flags = BPF_RB_FORCE_WAKEUP;
	else
		flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > wake_bytes
				? BPF_RB_FORCE_WAKEUP
				: BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&events, e, __builtin_offsetof(struct sf_event, path) + len, flags))
		floor_lost();
done:
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}
