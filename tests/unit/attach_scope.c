// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of src/core/probe: which syscalls a program runs for; --attach raw_syscalls. */
#include <errno.h>

#include "core/probe.h"
#include "ktest.h"

#if defined(__x86_64__)
#define FN(name) "__x64_sys_" name
#elif defined(__aarch64__)
#define FN(name) "__arm64_sys_" name
#endif

/* The scope of the program in section @sec, and the syscall it names ("" if none). */
static enum ks_scope scope(const char *sec, char *sys)
{
	const char *target;
	enum ks_method m = ks_method_of_section(sec, &target);

	sys[0] = '\0';
	return ks_scope_of(m, target, sys, 48);
}

static void test_per_syscall(void)
{
	char sys[48];

	CHECK_INT(scope("tracepoint/syscalls/sys_enter_openat", sys), KS_SCOPE_SYSCALL);
	CHECK(!strcmp(sys, "openat"), "syscall '%s'", sys);
	CHECK_INT(scope("tp/syscalls/sys_exit_openat2", sys), KS_SCOPE_SYSCALL);
	CHECK(!strcmp(sys, "openat2"), "syscall '%s'", sys);
#ifdef FN
	CHECK_INT(scope("fentry/" FN("execveat"), sys), KS_SCOPE_SYSCALL);
	CHECK(!strcmp(sys, "execveat"), "syscall '%s'", sys);
	CHECK_INT(scope("fexit/" FN("kill"), sys), KS_SCOPE_SYSCALL);
	CHECK_INT(scope("kprobe/" FN("tgkill"), sys), KS_SCOPE_SYSCALL);
	CHECK(!strcmp(sys, "tgkill"), "syscall '%s'", sys);
	CHECK_INT(scope("kretprobe/" FN("open"), sys), KS_SCOPE_SYSCALL);
#endif
	CHECK(!strcmp(ks_scope_name(KS_SCOPE_SYSCALL), "per_syscall"), "name");
}

static void test_raw_syscalls(void)
{
	char sys[48];

	CHECK_INT(scope("tp_btf/sys_enter", sys), KS_SCOPE_RAW_SYSCALLS);
	CHECK_INT(scope("raw_tp/sys_exit", sys), KS_SCOPE_RAW_SYSCALLS);
	CHECK_INT(scope("raw_tracepoint/sys_enter", sys), KS_SCOPE_RAW_SYSCALLS);
	CHECK_INT(scope("tracepoint/raw_syscalls/sys_exit", sys), KS_SCOPE_RAW_SYSCALLS);
	CHECK(!sys[0], "a raw_syscalls hook names no syscall: '%s'", sys);
	CHECK(!strcmp(ks_scope_name(KS_SCOPE_RAW_SYSCALLS), "raw_syscalls"), "name");
}

static void test_other(void)
{
	char sys[48];

	CHECK_INT(scope("tp_btf/sched_switch", sys), KS_SCOPE_OTHER);
	CHECK_INT(scope("tracepoint/sched/sched_process_exit", sys), KS_SCOPE_OTHER);
	CHECK_INT(scope("fentry/vfs_read", sys), KS_SCOPE_OTHER);
	CHECK_INT(scope("kprobe/do_sys_openat2", sys), KS_SCOPE_OTHER);
	/* a category that merely starts like the syscalls' one */
	CHECK_INT(scope("tracepoint/syscalls/sys_enter_", sys), KS_SCOPE_OTHER);
	CHECK_INT(scope("perf_event", sys), KS_SCOPE_OTHER);
	CHECK(ks_scope_name(KS_SCOPE_OTHER) == NULL, "no name for other hooks");
}

static void test_parse(void)
{
	unsigned int mask = 0;
	char bad[64];

	/* alone: every method, syscalls through raw_syscalls only */
	CHECK_INT(ks_method_parse("raw_syscalls", &mask, bad, sizeof(bad)), 0);
	CHECK_UINT(mask, KS_METHODS_ALL | KS_ATTACH_RAW_SYSCALLS);
	CHECK_INT(ks_method_parse("tracepoint,raw_syscalls", &mask, bad, sizeof(bad)), 0);
	CHECK_UINT(mask, (1u << KS_METHOD_TRACEPOINT) | KS_ATTACH_RAW_SYSCALLS);
	CHECK_INT(ks_method_parse("tracepoint", &mask, bad, sizeof(bad)), 0);
	CHECK_UINT(mask, 1u << KS_METHOD_TRACEPOINT);
	CHECK_INT(ks_method_parse("raw_syscall", &mask, bad, sizeof(bad)), -EINVAL);
	CHECK(!strcmp(bad, "raw_syscall"), "bad word '%s'", bad);
}

int main(void)
{
	RUN(test_per_syscall);
	RUN(test_raw_syscalls);
	RUN(test_other);
	RUN(test_parse);
	return kt_done();
}
