// SPDX-License-Identifier: GPL-2.0-only
/* opensnoop: open, openat and openat2 calls with path, flags and result. */
#include "bpf/events.bpf.h"
#include "bpf/syscall.bpf.h"
#include "tools/opensnoop.h"

/* Syscall numbers of this architecture, set by user space; -1 when absent. */
const volatile long nr_open = -1;
const volatile long nr_openat = -1;
const volatile long nr_openat2 = -1;
const volatile bool failed_only = false;

struct start {
	const char *path;
	unsigned long long flags;
	unsigned long long mode;
	int dfd;
	int kind;
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
	__type(value, struct open_event);
} scratch SEC(".maps");

static __always_inline bool is_open(long id)
{
	return id == nr_openat || id == nr_open || id == nr_openat2;
}

static __always_inline int on_enter(void *ctx, const struct ks_sysenter *e)
{
	struct start s = {};
	__u32 tid;

	if (!is_open(e->id) || !ks_filter_current())
		return 0;
	if (e->id == nr_openat) {
		s.kind = OPEN_OPENAT;
		s.dfd = (int)ks_sysarg(e, 0);
		s.path = (const char *)ks_sysarg(e, 1);
		s.flags = (unsigned int)ks_sysarg(e, 2);
		s.mode = (unsigned int)ks_sysarg(e, 3);
	} else if (e->id == nr_open) {
		s.kind = OPEN_OPEN;
		s.dfd = -100; /* AT_FDCWD */
		s.path = (const char *)ks_sysarg(e, 0);
		s.flags = (unsigned int)ks_sysarg(e, 1);
		s.mode = (unsigned int)ks_sysarg(e, 2);
	} else {
		struct open_how how = {};

		s.kind = OPEN_OPENAT2;
		s.dfd = (int)ks_sysarg(e, 0);
		s.path = (const char *)ks_sysarg(e, 1);
		bpf_probe_read_user(&how, sizeof(how), (void *)ks_sysarg(e, 2));
		s.flags = how.flags;
		s.mode = how.mode;
	}
	tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&starts, &tid, &s, BPF_ANY);
	return 0;
}

static __always_inline int on_exit(void *ctx, const struct ks_sysexit *x)
{
	__u32 tid, zero = 0;
	struct open_event *ev;
	struct start *s;
	long len;

	if (!is_open(x->id))
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	s = bpf_map_lookup_elem(&starts, &tid);
	if (!s)
		return 0;
	if (failed_only && x->ret >= 0)
		goto done;
	ev = bpf_map_lookup_elem(&scratch, &zero);
	if (!ev)
		goto done;
	ks_hdr_fill(&ev->hdr);
	ev->ret = x->ret;
	ev->flags = s->flags;
	ev->mode = s->mode;
	ev->dfd = s->dfd;
	ev->kind = s->kind;
	len = bpf_probe_read_user_str(ev->path, sizeof(ev->path), s->path);
	if (len <= 0) {
		ev->path[0] = '\0';
		len = 1;
	}
	/* One byte more than the kernel allows: a full buffer means the path was cut. */
	len &= OPEN_PATH_MAX * 2 - 1;
	if (len > OPEN_PATH_MAX + 1)
		len = OPEN_PATH_MAX + 1;
	ev->path_len = len;
	ks_output(ev, offsetof(struct open_event, path) + len);
done:
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

KS_SYSCALL_ENTER(open_enter, on_enter)
KS_SYSCALL_EXIT(open_exit, on_exit)
KS_SYSCALL_FN_BOTH(open_enter, open_exit, openat, 4, nr_openat, on_enter, on_exit)
KS_SYSCALL_FN_BOTH(open_enter, open_exit, open, 3, nr_open, on_enter, on_exit)
KS_SYSCALL_FN_BOTH(open_enter, open_exit, openat2, 4, nr_openat2, on_enter, on_exit)
