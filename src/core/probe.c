// SPDX-License-Identifier: GPL-2.0-only
/* Feature probes by tiny real loads, and the per-hook choice of attach method. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <link.h>
#include <linux/btf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/btf.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/perf.h"
#include "core/probe.h"
#include "core/tracefs.h"

#ifndef BPF_TRACE_KPROBE_MULTI
#define BPF_TRACE_KPROBE_MULTI 42
#endif

struct feature {
	const char *name;
	bool probed;
	int err;
	char detail[256];
};

/*
 * Attaching is what costs: the first probe on a tracepoint patches kernel text, and a
 * perf-event tracepoint takes 100 ms to release. Tools decide from loads alone; the
 * 'features' command asks for the full test.
 */
static bool full_probe;

void ks_features_full(bool full)
{
	full_probe = full;
}

static struct feature features[KS_FEAT_NR] = {
	[KS_FEAT_BTF] = { .name = "btf" },
	[KS_FEAT_TRACEFS] = { .name = "tracefs" },
	[KS_FEAT_RINGBUF] = { .name = "ringbuf" },
	[KS_FEAT_TP_BTF] = { .name = "tp_btf" },
	[KS_FEAT_RAW_TP] = { .name = "raw_tp" },
	[KS_FEAT_TRACEPOINT] = { .name = "tracepoint" },
	[KS_FEAT_FENTRY] = { .name = "fentry" },
	[KS_FEAT_KPROBE] = { .name = "kprobe" },
	[KS_FEAT_KPROBE_MULTI] = { .name = "kprobe_multi" },
	[KS_FEAT_UPROBE] = { .name = "uprobe" },
	[KS_FEAT_PERF_SW] = { .name = "perf_sw" },
	[KS_FEAT_PERF_HW] = { .name = "perf_hw" },
};

static const char *const method_names[KS_METHOD_NR] = {
	[KS_METHOD_FENTRY] = "fentry", [KS_METHOD_KPROBE_MULTI] = "kprobe_multi",
	[KS_METHOD_KPROBE] = "kprobe", [KS_METHOD_TP_BTF] = "tp_btf",
	[KS_METHOD_RAW_TP] = "raw_tp", [KS_METHOD_TRACEPOINT] = "tracepoint",
};

static const enum ks_feature method_feature[KS_METHOD_NR] = {
	[KS_METHOD_FENTRY] = KS_FEAT_FENTRY, [KS_METHOD_KPROBE_MULTI] = KS_FEAT_KPROBE_MULTI,
	[KS_METHOD_KPROBE] = KS_FEAT_KPROBE, [KS_METHOD_TP_BTF] = KS_FEAT_TP_BTF,
	[KS_METHOD_RAW_TP] = KS_FEAT_RAW_TP, [KS_METHOD_TRACEPOINT] = KS_FEAT_TRACEPOINT,
};

/* r0 = 0; exit */
static const struct bpf_insn ret0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

static int set_result(struct feature *f, int err, const char *fmt, ...) KS_PRINTF(3, 4);

static int set_result(struct feature *f, int err, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (err)
		n = snprintf(f->detail, sizeof(f->detail), "%s: ", ks_errno_name(err));
	va_start(ap, fmt);
	vsnprintf(f->detail + n, sizeof(f->detail) - n, fmt, ap);
	va_end(ap);
	f->err = err ? -abs(err) : 0;
	return f->err;
}

static unsigned int kernel_version_code(void)
{
	struct utsname u;
	unsigned int a = 0, b = 0, c = 0;

	if (uname(&u) == 0)
		sscanf(u.release, "%u.%u.%u", &a, &b, &c);
	return (a << 16) | (b << 8) | (c > 255 ? 255 : c);
}

/*
 * Load the two-instruction program. On failure returns -errno and says in @why whether the
 * verifier ever ran: an empty log with EPERM means a policy refused the program first.
 */
static int load_prog(enum bpf_prog_type type, enum bpf_attach_type eat, int btf_id, char *why,
		     size_t whylen)
{
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = eat, .attach_btf_id = btf_id,
		    .kern_version = kernel_version_code(), .log_buf = log, .log_size = sizeof(log),
		    .log_level = 1);
	int fd, err;

	fd = bpf_prog_load(type, "ks_probe", "GPL", ret0, KS_ARRAY_SIZE(ret0), &o);
	if (fd >= 0)
		return fd;
	err = -errno;
	if (err == -EPERM && getuid() != 0 && geteuid() != 0)
		snprintf(why, whylen, "BPF_PROG_LOAD not permitted (needs root or CAP_BPF)");
	else if (err == -EPERM && !log[0])
		snprintf(why, whylen,
			 "BPF_PROG_LOAD refused before the verifier ran (empty verifier log): "
			 "this kernel's policy forbids the program type");
	else if (err == -EINVAL && !log[0])
		snprintf(why, whylen,
			 "BPF_PROG_LOAD rejected the program or attach type: kernel "
			 "too old for it");
	else {
		size_t n = strlen(log);

		while (n && log[n - 1] == '\n')
			log[--n] = '\0';
		snprintf(why, whylen, "BPF_PROG_LOAD failed%s%s", log[0] ? ": " : "",
			 strrchr(log, '\n') ? strrchr(log, '\n') + 1 : log);
	}
	return err;
}

static int probe_btf(struct feature *f)
{
	struct stat st;
	int id;

	if (stat(ks_btf_path(), &st))
		return set_result(f, errno, "no %s: kernel built without CONFIG_DEBUG_INFO_BTF",
				  ks_btf_path());
	id = ks_btf_check();
	if (id < 0)
		return set_result(f, -id, "%s is not usable type information", ks_btf_path());
	return set_result(f, 0, "%s (%lld KB)", ks_btf_path(), (long long)st.st_size / 1024);
}

static int probe_tracefs(struct feature *f)
{
	const char *p = ks_tracefs_path();

	if (!p)
		return set_result(f, errno, "%s", ks_tracefs_error());
	return set_result(f, 0, "%s", p);
}

static int probe_ringbuf(struct feature *f)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, 4096, NULL);

	if (fd < 0)
		return set_result(f, errno, "BPF_MAP_CREATE of a ring buffer failed%s",
				  errno == EINVAL ? " (kernel older than 5.8)" : "");
	close(fd);
	return set_result(f, 0, "BPF ring buffer maps");
}

static int btf_attach_probe(struct feature *f, const char *const *targets, int kind,
			    enum bpf_attach_type eat, const char *what)
{
	char why[256];
	int id = -ENOENT, fd, lfd, err;
	const char *target = NULL;

	if (ks_feature_probe(KS_FEAT_BTF))
		return set_result(f, ENOENT, "needs kernel BTF (%s)",
				  ks_feature_detail(KS_FEAT_BTF));
	for (; *targets && id < 0; targets++) {
		id = ks_btf_id(*targets, kind);
		target = *targets;
	}
	if (id < 0)
		return set_result(f, -id, "no %s target found in kernel BTF", what);
	fd = load_prog(BPF_PROG_TYPE_TRACING, eat, id, why, sizeof(why));
	if (fd < 0)
		return set_result(f, -fd, "%s", why);
	if (!full_probe) {
		close(fd);
		return set_result(f, 0, "loaded for %s", target);
	}
	lfd = bpf_raw_tracepoint_open(NULL, fd);
	err = lfd < 0 ? errno : 0;
	if (lfd >= 0)
		close(lfd);
	close(fd);
	if (err)
		return set_result(f, err, "loaded but could not attach to %s", target);
	return set_result(f, 0, "loaded and attached to %s", target);
}

static const char *const tp_btf_targets[] = { "btf_trace_sched_switch", NULL };
static const char *const fentry_targets[] = { "bpf_fentry_test1", "vfs_read", NULL };

static int probe_tp_btf(struct feature *f)
{
	return btf_attach_probe(f, tp_btf_targets, BTF_KIND_TYPEDEF, BPF_TRACE_RAW_TP,
				"tracepoint");
}

static int probe_fentry(struct feature *f)
{
	return btf_attach_probe(f, fentry_targets, BTF_KIND_FUNC, BPF_TRACE_FENTRY, "function");
}

static int probe_raw_tp(struct feature *f)
{
	char why[256];
	int fd, lfd, err;

	fd = load_prog(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, why, sizeof(why));
	if (fd < 0)
		return set_result(f, -fd, "%s", why);
	if (!full_probe) {
		close(fd);
		return set_result(f, 0, "loaded");
	}
	lfd = bpf_raw_tracepoint_open("sched_switch", fd);
	err = lfd < 0 ? errno : 0;
	if (lfd >= 0)
		close(lfd);
	close(fd);
	if (err)
		return set_result(f, err, "raw tracepoint attach to sched_switch failed");
	return set_result(f, 0, "loaded and attached to sched_switch");
}

/* Attach @prog_fd through a perf event; 0 or -errno (with errno's step in @step). */
static int perf_attach(struct perf_event_attr *attr, pid_t pid, int cpu, int prog_fd,
		       const char **step)
{
	int pfd, err = 0;

	pfd = ks_perf_event_open(attr, pid, cpu, -1);
	if (pfd < 0) {
		*step = "perf_event_open";
		return pfd;
	}
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog_fd)) {
		*step = "PERF_EVENT_IOC_SET_BPF";
		err = -errno;
	}
	close(pfd);
	return err;
}

static int probe_tracepoint(struct feature *f)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT, .sample_period = 1 };
	const char *step = "";
	char why[256];
	int id, fd, err;

	if (!ks_tracefs_path())
		return set_result(f, errno, "%s", ks_tracefs_error());
	id = ks_tracefs_event_id("sched", "sched_switch");
	if (id < 0)
		return set_result(f, -id, "cannot read the id of sched:sched_switch in tracefs");
	fd = load_prog(BPF_PROG_TYPE_TRACEPOINT, 0, 0, why, sizeof(why));
	if (fd < 0)
		return set_result(f, -fd, "%s", why);
	if (!full_probe) {
		close(fd);
		return set_result(f, 0, "loaded (tracefs at %s)", ks_tracefs_path());
	}
	attr.config = id;
	err = perf_attach(&attr, -1, 0, fd, &step);
	close(fd);
	if (err)
		return set_result(f, -err, "%s on sched:sched_switch failed", step);
	return set_result(f, 0, "attached to sched:sched_switch (tracefs at %s)",
			  ks_tracefs_path());
}

static int probe_kprobe(struct feature *f)
{
	struct perf_event_attr attr = { .sample_period = 1 };
	static const char func[] = "vfs_read";
	const char *step = "";
	char why[256];
	int type, fd, err;

	type = ks_pmu_value("kprobe", "type");
	if (type < 0) {
		const char *tfs = ks_tracefs_path();
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/kprobe_events", tfs ? tfs : "/sys/kernel/tracing");
		if (!tfs || access(p, F_OK))
			return set_result(f, ENOENT,
					  "no kprobe PMU and no kprobe_events file: "
					  "kernel built without CONFIG_KPROBES");
		return set_result(f, EOPNOTSUPP,
				  "only legacy kprobe_events available, "
				  "not supported by kscope");
	}
	fd = load_prog(BPF_PROG_TYPE_KPROBE, 0, 0, why, sizeof(why));
	if (fd < 0)
		return set_result(f, -fd, "%s", why);
	if (!full_probe) {
		close(fd);
		return set_result(f, 0, "kprobe PMU present, program loaded");
	}
	attr.type = type;
	attr.config1 = (unsigned long)func;
	err = perf_attach(&attr, -1, 0, fd, &step);
	close(fd);
	if (err)
		return set_result(f, -err, "%s of a kprobe on %s failed", step, func);
	return set_result(f, 0, "attached a kprobe to %s", func);
}

static int probe_kprobe_multi(struct feature *f)
{
	static const char *syms[] = { "vfs_read" };
	LIBBPF_OPTS(bpf_link_create_opts, o, .kprobe_multi.syms = syms, .kprobe_multi.cnt = 1);
	char why[256];
	int fd, lfd, err;

	fd = load_prog(BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, 0, why, sizeof(why));
	if (fd < 0)
		return set_result(f, -fd, "%s", why);
	lfd = bpf_link_create(fd, 0, BPF_TRACE_KPROBE_MULTI, &o);
	err = lfd < 0 ? errno : 0;
	if (lfd >= 0)
		close(lfd);
	close(fd);
	if (err == EOPNOTSUPP)
		return set_result(f, err,
				  "kprobe.multi link not supported (kernel without "
				  "CONFIG_FPROBE, or kprobes off)");
	if (err)
		return set_result(f, err, "kprobe.multi link creation failed");
	return set_result(f, 0, "attached a kprobe.multi link to vfs_read");
}

__attribute__((noinline, used)) void ks_probe_uprobe_target(void)
{
	__asm__ volatile("" ::: "memory");
}

struct phdr_query {
	unsigned long addr, off;
	bool found;
};

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct phdr_query *q = data;

	/* The first object is the main program. */
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		unsigned long v = q->addr - info->dlpi_addr;

		if (p->p_type == PT_LOAD && v >= p->p_vaddr && v < p->p_vaddr + p->p_memsz) {
			q->off = v - p->p_vaddr + p->p_offset;
			q->found = true;
		}
	}
	return 1;
}

static int probe_uprobe(struct feature *f)
{
	struct perf_event_attr attr = { .sample_period = 1 };
	struct phdr_query q = { .addr = (unsigned long)ks_probe_uprobe_target };
	char exe[PATH_MAX], why[256];
	const char *step = "";
	ssize_t n;
	int type, fd, err;

	type = ks_pmu_value("uprobe", "type");
	if (type < 0)
		return set_result(f, -type, "no uprobe PMU: kernel built without CONFIG_UPROBES");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return set_result(f, errno, "cannot read /proc/self/exe");
	exe[n] = '\0';
	dl_iterate_phdr(phdr_cb, &q);
	if (!q.found)
		return set_result(f, ENOENT, "cannot find own code in program headers");
	fd = load_prog(BPF_PROG_TYPE_KPROBE, 0, 0, why, sizeof(why));
	if (fd < 0)
		return set_result(f, -fd, "%s", why);
	if (!full_probe) {
		close(fd);
		return set_result(f, 0, "uprobe PMU present, program loaded");
	}
	attr.type = type;
	attr.config1 = (unsigned long)exe;
	attr.config2 = q.off;
	err = perf_attach(&attr, 0, -1, fd, &step);
	close(fd);
	if (err)
		return set_result(f, -err, "%s of a uprobe on kscope itself failed", step);
	return set_result(f, 0, "attached a uprobe to kscope itself");
}

static int probe_perf(struct feature *f, bool hw)
{
	struct perf_event_attr attr = {
		.type = hw ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE,
		.config = hw ? PERF_COUNT_HW_CPU_CYCLES : PERF_COUNT_SW_CPU_CLOCK,
		.sample_freq = 49,
		.freq = 1,
	};
	const char *step = "";
	char why[256];
	int fd, err;

	fd = load_prog(BPF_PROG_TYPE_PERF_EVENT, 0, 0, why, sizeof(why));
	if (fd < 0)
		return set_result(f, -fd, "%s", why);
	err = perf_attach(&attr, -1, 0, fd, &step);
	close(fd);
	if (err == -ENOENT || err == -EOPNOTSUPP)
		return set_result(f, -err, "%s: %s", step,
				  hw ? "no hardware PMU for cycles (virtual machine?)"
				     : "no cpu-clock software event");
	if (err)
		return set_result(f, -err, "%s failed", step);
	return set_result(f, 0, "%s sampling with a BPF program",
			  hw ? "hardware cycles" : "software cpu-clock");
}

int ks_feature_probe(enum ks_feature id)
{
	struct feature *f;

	if (id < 0 || id >= KS_FEAT_NR)
		return -EINVAL;
	f = &features[id];
	if (f->probed)
		return f->err;
	f->probed = true;
	switch (id) {
	case KS_FEAT_BTF:
		return probe_btf(f);
	case KS_FEAT_TRACEFS:
		return probe_tracefs(f);
	case KS_FEAT_RINGBUF:
		return probe_ringbuf(f);
	case KS_FEAT_TP_BTF:
		return probe_tp_btf(f);
	case KS_FEAT_RAW_TP:
		return probe_raw_tp(f);
	case KS_FEAT_TRACEPOINT:
		return probe_tracepoint(f);
	case KS_FEAT_FENTRY:
		return probe_fentry(f);
	case KS_FEAT_KPROBE:
		return probe_kprobe(f);
	case KS_FEAT_KPROBE_MULTI:
		return probe_kprobe_multi(f);
	case KS_FEAT_UPROBE:
		return probe_uprobe(f);
	case KS_FEAT_PERF_SW:
		return probe_perf(f, false);
	case KS_FEAT_PERF_HW:
		return probe_perf(f, true);
	case KS_FEAT_NR:
		break;
	}
	return -EINVAL;
}

const char *ks_feature_name(enum ks_feature f)
{
	return f < KS_FEAT_NR ? features[f].name : "?";
}

const char *ks_feature_detail(enum ks_feature f)
{
	return f < KS_FEAT_NR ? features[f].detail : "";
}

const char *ks_method_name(enum ks_method m)
{
	return m < KS_METHOD_NR ? method_names[m] : "fixed";
}

int ks_method_parse(const char *s, unsigned int *mask, char *bad, size_t badlen)
{
	unsigned int m = 0;

	while (s && *s) {
		size_t len = strcspn(s, ",");
		int i;

		for (i = 0; i < KS_METHOD_NR; i++)
			if (strlen(method_names[i]) == len && !strncmp(s, method_names[i], len))
				break;
		if (i < KS_METHOD_NR)
			m |= 1u << i;
		else if (len == strlen("raw_syscalls") && !strncmp(s, "raw_syscalls", len))
			m |= KS_ATTACH_RAW_SYSCALLS;
		else {
			snprintf(bad, badlen, "%.*s", (int)len, s);
			return -EINVAL;
		}
		s += len;
		if (*s == ',')
			s++;
	}
	if (!m) {
		snprintf(bad, badlen, "(empty)");
		return -EINVAL;
	}
	/* "raw_syscalls" alone restricts the scope, not the method. */
	if (!(m & KS_METHODS_ALL))
		m |= KS_METHODS_ALL;
	*mask = m;
	return 0;
}

/* The arch's syscall wrappers, which take the user registers (as in bpf/syscall.bpf.h). */
#if defined(__x86_64__)
#define SYSCALL_FN_PREFIX "__x64_sys_"
#elif defined(__aarch64__)
#define SYSCALL_FN_PREFIX "__arm64_sys_"
#else
#define SYSCALL_FN_PREFIX "__unknown_arch_sys_"
#endif

static const char *after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) ? NULL : s + n;
}

enum ks_scope ks_scope_of(enum ks_method m, const char *target, char *sys, size_t syslen)
{
	const char *name = NULL;

	switch (m) {
	case KS_METHOD_FENTRY:
	case KS_METHOD_KPROBE_MULTI:
	case KS_METHOD_KPROBE:
		name = after(target, SYSCALL_FN_PREFIX);
		break;
	case KS_METHOD_TP_BTF:
	case KS_METHOD_RAW_TP:
		if (!strcmp(target, "sys_enter") || !strcmp(target, "sys_exit"))
			return KS_SCOPE_RAW_SYSCALLS;
		break;
	case KS_METHOD_TRACEPOINT:
		if (!strcmp(target, "raw_syscalls/sys_enter") ||
		    !strcmp(target, "raw_syscalls/sys_exit"))
			return KS_SCOPE_RAW_SYSCALLS;
		name = after(target, "syscalls/sys_enter_");
		if (!name)
			name = after(target, "syscalls/sys_exit_");
		break;
	default:
		break;
	}
	if (!name || !*name)
		return KS_SCOPE_OTHER;
	if (sys)
		snprintf(sys, syslen, "%s", name);
	return KS_SCOPE_SYSCALL;
}

const char *ks_scope_name(enum ks_scope s)
{
	return s == KS_SCOPE_SYSCALL	    ? "per_syscall"
	       : s == KS_SCOPE_RAW_SYSCALLS ? "raw_syscalls"
					    : NULL;
}

enum ks_method ks_method_of_section(const char *sec, const char **target)
{
	static const struct {
		const char *prefix;
		enum ks_method m;
	} map[] = {
		{ "fentry/", KS_METHOD_FENTRY },
		{ "fexit/", KS_METHOD_FENTRY },
		{ "kprobe.multi/", KS_METHOD_KPROBE_MULTI },
		{ "kretprobe.multi/", KS_METHOD_KPROBE_MULTI },
		{ "kprobe/", KS_METHOD_KPROBE },
		{ "kretprobe/", KS_METHOD_KPROBE },
		{ "tp_btf/", KS_METHOD_TP_BTF },
		{ "raw_tp/", KS_METHOD_RAW_TP },
		{ "raw_tracepoint/", KS_METHOD_RAW_TP },
		{ "tracepoint/", KS_METHOD_TRACEPOINT },
		{ "tp/", KS_METHOD_TRACEPOINT },
	};

	for (size_t i = 0; sec && i < KS_ARRAY_SIZE(map); i++) {
		size_t n = strlen(map[i].prefix);

		if (!strncmp(sec, map[i].prefix, n)) {
			if (target)
				*target = sec + n;
			return map[i].m;
		}
	}
	if (target)
		*target = sec;
	return KS_METHOD_FIXED;
}

/* Variants that failed to load on this kernel: (hook, method, scope) with the reason. */
static struct {
	char hook[64];
	enum ks_method method;
	enum ks_scope scope;
	char why[256];
} excluded[16];
static unsigned int nexcluded;

static const char *exclusion(const char *hook, enum ks_method m, enum ks_scope s)
{
	for (unsigned int i = 0; i < nexcluded; i++)
		if (excluded[i].method == m && excluded[i].scope == s &&
		    !strcmp(excluded[i].hook, hook))
			return excluded[i].why;
	return NULL;
}

int ks_attach_exclude(const char *hook, enum ks_method m, enum ks_scope s, const char *why)
{
	if (nexcluded == KS_ARRAY_SIZE(excluded))
		return -ENOSPC;
	if (exclusion(hook, m, s))
		return -EEXIST;
	snprintf(excluded[nexcluded].hook, sizeof(excluded[0].hook), "%s", hook);
	excluded[nexcluded].method = m;
	excluded[nexcluded].scope = s;
	snprintf(excluded[nexcluded].why, sizeof(excluded[0].why), "%s", why);
	nexcluded++;
	return 0;
}

bool ks_attach_exclusion(unsigned int i, const char **hook, enum ks_method *m, const char **why)
{
	if (i >= nexcluded)
		return false;
	*hook = excluded[i].hook;
	*m = excluded[i].method;
	*why = excluded[i].why;
	return true;
}

struct cand {
	struct bpf_program *prog;
	enum ks_method method;
	enum ks_scope scope;
	int rank; /* place in the order of preference, lowest first */
	const char *target;
	char hook[64];
	char sys[48];	   /* KS_SCOPE_SYSCALL: the syscall */
	char btfname[160]; /* what to look up in kernel BTF */
	char fnname[96];   /* KS_SCOPE_SYSCALL: the syscall's function */
	int btf_query;	   /* index into the BTF queries, or -1 */
	int fn_query;	   /* the query for the syscall's function, or -1 */
	bool absent;	   /* its syscall does not exist on this kernel: left out */
};

/*
 * Variants of hooks on syscalls, best first. What decides first is what a hook costs the
 * processes it does not trace: fentry and kprobes on one syscall's function cost them
 * nothing; a syscall's own tracepoint puts every thread on the syscall-tracing slow path
 * (as raw_syscalls does: the kernel serves it from raw_syscalls) but runs the program only
 * for that syscall; raw_syscalls runs it for every syscall. Between the tracepoint and
 * kprobes the traced calls decide: a kprobe enters through a trampoline that saves every
 * register, and a kretprobe has a fixed number of instances (returns are missed when more
 * calls are in flight), which neither fexit nor the tracepoint has.
 */
static const struct {
	enum ks_method method;
	enum ks_scope scope;
} syscall_order[] = {
	{ KS_METHOD_FENTRY, KS_SCOPE_SYSCALL },
	{ KS_METHOD_TRACEPOINT, KS_SCOPE_SYSCALL },
	{ KS_METHOD_KPROBE_MULTI, KS_SCOPE_SYSCALL },
	{ KS_METHOD_KPROBE, KS_SCOPE_SYSCALL },
	{ KS_METHOD_TP_BTF, KS_SCOPE_RAW_SYSCALLS },
	{ KS_METHOD_RAW_TP, KS_SCOPE_RAW_SYSCALLS },
	{ KS_METHOD_TRACEPOINT, KS_SCOPE_RAW_SYSCALLS },
};

/* Other hooks keep enum ks_method's order. */
static int rank_of(enum ks_method m, enum ks_scope s)
{
	for (size_t i = 0; s != KS_SCOPE_OTHER && i < KS_ARRAY_SIZE(syscall_order); i++)
		if (syscall_order[i].method == m && syscall_order[i].scope == s)
			return (int)i;
	return (int)KS_ARRAY_SIZE(syscall_order) + (int)m;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = strcmp(x->hook, y->hook);

	if (!c)
		c = x->rank - y->rank;
	if (!c)
		c = (int)x->scope - (int)y->scope;
	return c ? c : strcmp(bpf_program__name(x->prog), bpf_program__name(y->prog));
}

/* Does the target of @c exist on this kernel? If not, say why in @why. */
static bool target_exists(const struct cand *c, const struct ks_btf_query *q, bool have_btf,
			  char *why, size_t whylen)
{
	char cat[128];
	const char *slash;
	int id;

	switch (c->method) {
	case KS_METHOD_FENTRY:
	case KS_METHOD_KPROBE:
	case KS_METHOD_TP_BTF:
	case KS_METHOD_RAW_TP:
		if (!have_btf || c->btf_query < 0)
			return c->method == KS_METHOD_KPROBE || c->method == KS_METHOD_RAW_TP;
		if (q[c->btf_query].id > 0)
			return true;
		snprintf(why, whylen, "%s '%s' not in kernel BTF",
			 c->method == KS_METHOD_TP_BTF || c->method == KS_METHOD_RAW_TP
				 ? "tracepoint"
				 : "function",
			 c->target);
		return false;
	case KS_METHOD_TRACEPOINT:
		slash = strchr(c->target, '/');
		if (!slash || (size_t)(slash - c->target) >= sizeof(cat)) {
			snprintf(why, whylen, "bad tracepoint name '%s'", c->target);
			return false;
		}
		snprintf(cat, sizeof(cat), "%.*s", (int)(slash - c->target), c->target);
		id = ks_tracefs_event_id(cat, slash + 1);
		if (id >= 0)
			return true;
		if (!ks_tracefs_path())
			snprintf(why, whylen, "%s", ks_tracefs_error());
		else
			snprintf(why, whylen, "no tracepoint %s:%s (%s)", cat, slash + 1,
				 ks_errno_name(-id));
		return false;
	default:
		return true;
	}
}

static void append(char *buf, size_t len, const char *fmt, ...) KS_PRINTF(3, 4);

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/*
 * Does this kernel have @c's syscall at all: its function in BTF, or else its tracepoint?
 * One an architecture lacks (open on arm64) has neither.
 */
static bool syscall_exists(const struct cand *c, const struct ks_btf_query *q, bool have_btf)
{
	char ev[96];

	if (have_btf && c->fn_query >= 0 && q[c->fn_query].id > 0)
		return true;
	snprintf(ev, sizeof(ev), "sys_enter_%s", c->sys);
	return ks_tracefs_event_id("syscalls", ev) >= 0;
}

/* The chosen variant c[k..e) of a hook, in @ch, with why it was chosen over @rejected. */
static void choose(struct ks_choice *ch, const struct cand *c, size_t k, size_t e,
		   const char *rejected)
{
	char syscalls[256] = "", absent[160] = "";

	snprintf(ch->hook, sizeof(ch->hook), "%s", c[k].hook);
	ch->method = c[k].method;
	ch->scope = c[k].scope;
	for (size_t i = k; i < e; i++) {
		if (c[i].absent) {
			append(absent, sizeof(absent), "%s%s", absent[0] ? ", " : "", c[i].sys);
			continue;
		}
		if (!ch->nprogs++)
			ch->prog = bpf_program__name(c[i].prog);
		append(ch->targets, sizeof(ch->targets), "%s%s", ch->targets[0] ? "," : "",
		       c[i].target);
		append(syscalls, sizeof(syscalls), "%s%s", syscalls[0] ? ", " : "", c[i].sys);
	}
	switch (ch->scope) {
	case KS_SCOPE_SYSCALL:
		snprintf(ch->why, sizeof(ch->why), "%s: runs only for %s",
			 ch->method == KS_METHOD_TRACEPOINT ? "per-syscall tracepoint"
			 : ch->method == KS_METHOD_FENTRY   ? "fentry on the syscall function"
							    : "kprobe on the syscall function",
			 syscalls);
		break;
	case KS_SCOPE_RAW_SYSCALLS:
		snprintf(ch->why, sizeof(ch->why),
			 "raw_syscalls: runs for every syscall of every process");
		break;
	default:
		snprintf(ch->why, sizeof(ch->why), "%s: the first method that works here",
			 ks_method_name(ch->method));
	}
	if (absent[0])
		append(ch->why, sizeof(ch->why), "; not on this kernel: %s", absent);
	if (rejected[0])
		append(ch->why, sizeof(ch->why), "; %s", rejected);
}

int ks_attach_select(struct bpf_object *obj, unsigned int allowed, struct ks_attach_plan *plan,
		     char *err, size_t errlen)
{
	struct ks_btf_query *q = NULL;
	struct cand *c = NULL;
	struct bpf_program *prog;
	size_t nc = 0, nq = 0, cap = 0;
	bool have_btf;
	int ret = 0;

	memset(plan, 0, sizeof(*plan));
	err[0] = '\0';
	bpf_object__for_each_program (prog, obj) {
		const char *target, *name = bpf_program__name(prog), *sep;
		enum ks_method m;

		if (!bpf_program__autoload(prog))
			continue;
		m = ks_method_of_section(bpf_program__section_name(prog), &target);
		if (m == KS_METHOD_FIXED)
			continue;
		if (nc == cap) {
			struct cand *n = realloc(c, (cap = cap ? cap * 2 : 16) * sizeof(*c));

			if (!n) {
				ret = -ENOMEM;
				goto out;
			}
			c = n;
		}
		memset(&c[nc], 0, sizeof(c[nc]));
		sep = strstr(name, "__");
		snprintf(c[nc].hook, sizeof(c[nc].hook), "%.*s",
			 (int)(sep ? (size_t)(sep - name) : strlen(name)), name);
		c[nc].prog = prog;
		c[nc].method = m;
		c[nc].target = target;
		c[nc].scope = ks_scope_of(m, target, c[nc].sys, sizeof(c[nc].sys));
		c[nc].rank = rank_of(m, c[nc].scope);
		c[nc].btf_query = -1;
		c[nc].fn_query = -1;
		nc++;
	}
	if (!nc)
		goto out;
	qsort(c, nc, sizeof(*c), cand_cmp);

	/* One pass over kernel BTF answers every existence question at once. */
	q = calloc(2 * nc + 3, sizeof(*q));
	if (!q) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nc; i++) {
		bool tp = c[i].method == KS_METHOD_TP_BTF || c[i].method == KS_METHOD_RAW_TP;

		if (tp || c[i].method == KS_METHOD_FENTRY || c[i].method == KS_METHOD_KPROBE) {
			snprintf(c[i].btfname, sizeof(c[i].btfname), "%s%s", tp ? "btf_trace_" : "",
				 c[i].target);
			q[nq].name = c[i].btfname;
			q[nq].kind = tp ? BTF_KIND_TYPEDEF : BTF_KIND_FUNC;
			c[i].btf_query = nq++;
		}
		/* Whether a per-syscall program's syscall exists at all, for any method. */
		if (c[i].scope == KS_SCOPE_SYSCALL) {
			snprintf(c[i].fnname, sizeof(c[i].fnname), SYSCALL_FN_PREFIX "%s",
				 c[i].sys);
			q[nq].name = c[i].fnname;
			q[nq].kind = BTF_KIND_FUNC;
			c[i].fn_query = nq++;
		}
	}
	/* The feature probes' own targets ride along, so the file is read once. */
	q[nq++] = (struct ks_btf_query){ .name = tp_btf_targets[0], .kind = BTF_KIND_TYPEDEF };
	q[nq++] = (struct ks_btf_query){ .name = fentry_targets[0], .kind = BTF_KIND_FUNC };
	q[nq++] = (struct ks_btf_query){ .name = fentry_targets[1], .kind = BTF_KIND_FUNC };
	have_btf = ks_btf_lookup(q, nq) == 0;

	plan->v = calloc(nc, sizeof(*plan->v));
	if (!plan->v) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nc;) {
		size_t j = i, ck = 0, ce = 0;
		char why[1024] = "";
		bool only_mask = true, found = false;

		while (j < nc && !strcmp(c[j].hook, c[i].hook))
			j++;
		/* Within a hook, runs of programs per variant (a method and a scope). */
		for (size_t k = i; k < j && !found;) {
			size_t e = k, bad = k, nabsent = 0;
			char reason[300] = "";
			enum ks_method m = c[k].method;
			enum ks_scope sc = c[k].scope;

			while (e < j && c[e].method == m && c[e].scope == sc)
				e++;
			if (!(allowed & (1u << m))) {
				snprintf(reason, sizeof(reason), "excluded by --attach");
			} else if (sc == KS_SCOPE_SYSCALL && (allowed & KS_ATTACH_RAW_SYSCALLS)) {
				snprintf(reason, sizeof(reason),
					 "excluded by --attach raw_syscalls");
			} else if (exclusion(c[k].hook, m, sc)) {
				snprintf(reason, sizeof(reason), "failed to load here: %s",
					 exclusion(c[k].hook, m, sc));
				only_mask = false;
			} else if (ks_feature_probe(method_feature[m])) {
				snprintf(reason, sizeof(reason), "%s",
					 ks_feature_detail(method_feature[m]));
				only_mask = false;
			} else {
				for (bad = k; bad < e; bad++) {
					c[bad].absent = false;
					if (target_exists(&c[bad], q, have_btf, reason,
							  sizeof(reason)))
						continue;
					if (c[bad].scope != KS_SCOPE_SYSCALL ||
					    syscall_exists(&c[bad], q, have_btf))
						break;
					/* Nothing to trace there: the others serve. */
					c[bad].absent = true;
					nabsent++;
					reason[0] = '\0';
				}
				if (bad == e && nabsent < e - k) {
					found = true;
					ck = k;
					ce = e;
					break;
				}
				if (bad == e) {
					bad = k;
					snprintf(reason, sizeof(reason),
						 "none of its syscalls exists on this kernel");
				}
				only_mask = false;
			}
			append(why, sizeof(why), "%s%s %s: %s", why[0] ? "; " : "", method_names[m],
			       c[bad < e ? bad : k].target, reason);
			k = e;
		}
		for (size_t k = i; k < j; k++)
			if (!found || k < ck || k >= ce || c[k].absent)
				bpf_program__set_autoload(c[k].prog, false);
		if (!found) {
			/*
			 * Say also why the methods asked for with --attach don't apply: the
			 * kernel refuses them (a missing feature), or the tool has no such
			 * variant of this hook.
			 */
			for (int m = 0; m < KS_METHOD_NR; m++) {
				bool have = false;

				for (size_t k = i; k < j; k++)
					have |= c[k].method == (enum ks_method)m;
				if (have || !(allowed & (1u << m)) ||
				    (allowed & KS_METHODS_ALL) == KS_METHODS_ALL)
					continue;
				if (ks_feature_probe(method_feature[m])) {
					only_mask = false;
					append(why, sizeof(why), "; %s: %s", method_names[m],
					       ks_feature_detail(method_feature[m]));
				} else {
					append(why, sizeof(why),
					       "; %s: this tool has no %s variant", method_names[m],
					       method_names[m]);
				}
			}
			append(err, errlen, "%sno way to attach '%s': %s", err[0] ? "; " : "",
			       c[i].hook, why);
			if (!ret || ret == -EINVAL)
				ret = only_mask ? -EINVAL : -EOPNOTSUPP;
		} else {
			choose(&plan->v[plan->n++], c, ck, ce, why);
		}
		i = j;
	}
out:
	free(q);
	free(c);
	if (ret)
		ks_attach_plan_free(plan);
	return ret;
}

void ks_attach_plan_free(struct ks_attach_plan *plan)
{
	free(plan->v);
	plan->v = NULL;
	plan->n = 0;
}
