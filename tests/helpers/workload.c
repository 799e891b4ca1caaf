// SPDX-License-Identifier: GPL-2.0-only
/* workload: deterministic actions for tool tests, each started by SIGUSR1. */
/*
 * usage: workload MODE ARGS...
 *
 * Every mode first waits for SIGUSR1 (so a test can start kscope with -p PID and only then
 * trigger the action with kill -USR1 PID; /proc/PID/status shows bit 0x200 in SigCgt once
 * the signal is safe to send), then does exactly what the mode says and exits 0
 * (1 if the action itself went wrong, 2 for bad usage). Output uses write(2) only.
 *
 *   open PATH N          openat(AT_FDCWD, PATH, O_RDONLY|O_CLOEXEC) N times, closing each
 *   open-missing PATH N  the same on a path that must not exist (each fails with ENOENT)
 *   open-legacy PATH N   open(PATH, O_RDONLY|O_CLOEXEC) N times (the old syscall, if any)
 *   openat2 PATH N       openat2(AT_FDCWD, PATH, {O_RDONLY|O_CLOEXEC}) N times
 *   exec PROG ARG...     execve(PROG, [PROG, ARG...]) with the signal mask restored
 *   exec-fail PATH       one execve of PATH, which must not exist, then exit 0
 *   exit CODE            fork a child that calls _exit(CODE), reap it; print the child pid
 *   killed               fork a child that pauses, SIGKILL it, reap it; print the child pid
 *   getppid K            syscall(SYS_getppid) K times
 *   signal SIG [HOW]     fork a child that waits, send it SIG, reap it; print its pid. HOW is
 *                        the syscall: kill (default), tkill, tgkill, sigqueue (rt_sigqueueinfo),
 *                        tgsigqueue (rt_tgsigqueueinfo) or pidfd (pidfd_open, then
 *                        pidfd_send_signal; the pidfd number is printed after the pid)
 *   kill-missing [SIG]   kill() a pid that does not exist (default SIG 0), expecting ESRCH;
 *                        print that pid
 *
 * With WORKLOAD_COMM set in the environment, the command name becomes that (the kernel
 * keeps 15 bytes of it) before anything else happens.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trigger.h"

extern char **environ;

static void say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (int off = 0; off < n;) {
		ssize_t w = write(fd, buf + off, n - off);

		if (w <= 0)
			return;
		off += (int)w;
	}
}

static long num_arg(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < min || v > max) {
		say(2, "workload: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

/*
 * Catch SIGUSR1 and wait for it (trigger.h). Once the handler is in place /proc/PID/status
 * shows it in SigCgt (bit 0x200): that is how a test knows it may send the signal. (SigBlk
 * would not do: the kernel unblocks the awaited signals while a thread sleeps in sigwait.)
 */
static void wait_trigger(void)
{
	if (trigger_arm()) {
		say(2, "workload: SIGUSR1: %s\n", strerror(errno));
		exit(1);
	}
	trigger_wait();
}

static void restore_mask(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

enum open_how_kind { HOW_OPENAT, HOW_OPEN, HOW_OPENAT2 };

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* struct open_how from linux/openat2.h, spelled out for old headers. */
struct ks_open_how {
	unsigned long long flags, mode, resolve;
};

static long open_once(const char *path, enum open_how_kind how)
{
	struct ks_open_how oh = { .flags = O_RDONLY | O_CLOEXEC };

	switch (how) {
	case HOW_OPEN:
#ifdef SYS_open
		return syscall(SYS_open, path, O_RDONLY | O_CLOEXEC);
#else
		errno = ENOSYS;
		return -1;
#endif
	case HOW_OPENAT2:
		return syscall(SYS_openat2, AT_FDCWD, path, &oh, sizeof(oh));
	default:
		return syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	}
}

static int do_open(const char *path, long n, bool missing, enum open_how_kind how)
{
	for (long i = 0; i < n; i++) {
		long fd = open_once(path, how);

		if (missing) {
			if (fd >= 0 || errno != ENOENT) {
				say(2, "workload: open %s: expected ENOENT, got %s\n", path,
				    fd >= 0 ? "success" : strerror(errno));
				return 1;
			}
			continue;
		}
		if (fd < 0) {
			say(2, "workload: open %s: %s\n", path, strerror(errno));
			return 1;
		}
		close((int)fd);
	}
	return 0;
}

/* Reap @pid; returns its wait status or -1. */
static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return st;
}

static int do_exit(int code)
{
	pid_t pid = fork();
	int st;

	if (pid < 0) {
		say(2, "workload: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		_exit(code);
	say(1, "%d\n", (int)pid);
	st = reap(pid);
	if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != code) {
		say(2, "workload: child %d: unexpected wait status 0x%x\n", (int)pid, st);
		return 1;
	}
	return 0;
}

/* A child with default dispositions and nothing blocked, waiting for a signal. */
static pid_t fork_waiter(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGUSR1, SIG_DFL);
		restore_mask();
		for (;;)
			pause();
	}
	return pid;
}

static int do_killed(void)
{
	pid_t pid = fork_waiter();
	int st;

	if (pid < 0) {
		say(2, "workload: fork: %s\n", strerror(errno));
		return 1;
	}
	say(1, "%d\n", (int)pid);
	if (kill(pid, SIGKILL)) {
		say(2, "workload: kill %d: %s\n", (int)pid, strerror(errno));
		return 1;
	}
	st = reap(pid);
	if (st < 0 || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
		say(2, "workload: child %d: unexpected wait status 0x%x\n", (int)pid, st);
		return 1;
	}
	return 0;
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* Send @sig to @pid the way @how says; 0 or -1 with errno. */
static int send_signal(pid_t pid, int sig, const char *how)
{
	siginfo_t si;
	long fd;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	if (!strcmp(how, "kill"))
		return kill(pid, sig);
	if (!strcmp(how, "tkill"))
		return (int)syscall(SYS_tkill, pid, sig);
	if (!strcmp(how, "tgkill"))
		return (int)syscall(SYS_tgkill, pid, pid, sig);
	if (!strcmp(how, "sigqueue"))
		return (int)syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
	if (!strcmp(how, "tgsigqueue"))
		return (int)syscall(SYS_rt_tgsigqueueinfo, pid, pid, sig, &si);
	if (!strcmp(how, "pidfd")) {
		fd = syscall(SYS_pidfd_open, pid, 0);
		if (fd < 0)
			return -1;
		say(1, "%ld\n", fd);
		if (syscall(SYS_pidfd_send_signal, (int)fd, sig, NULL, 0)) {
			int e = errno;

			close((int)fd);
			errno = e;
			return -1;
		}
		close((int)fd);
		return 0;
	}
	errno = EINVAL;
	return -1;
}

static int do_signal(int sig, const char *how)
{
	pid_t pid = fork_waiter();
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int st = 0;
	pid_t w = 0;

	if (pid < 0) {
		say(2, "workload: fork: %s\n", strerror(errno));
		return 1;
	}
	say(1, "%d\n", (int)pid);
	if (send_signal(pid, sig, how)) {
		say(2, "workload: %s %d %d: %s\n", how, (int)pid, sig, strerror(errno));
		kill(pid, SIGKILL);
		reap(pid);
		return 1;
	}
	/* A signal whose default is to ignore or stop leaves the child waiting: end it. */
	for (int i = 0; i < 100 && w == 0; i++) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == 0)
			nanosleep(&ts, NULL);
	}
	if (w == 0) {
		kill(pid, SIGKILL);
		reap(pid);
	}
	return 0;
}

/*
 * kill() a pid with no /proc entry, near pid_max where pids are rarely handed out. The
 * check is not a kill() itself, so a tracer sees exactly one kill call; the default
 * signal 0 harms nobody even if the pid were taken meanwhile.
 */
static int do_kill_missing(int sig)
{
	long max = 32768;
	char buf[64];
	int fd = open("/proc/sys/kernel/pid_max", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		if (n > 0) {
			buf[n] = '\0';
			max = strtol(buf, NULL, 10);
		}
		close(fd);
	}
	for (long pid = max - 1; pid > max - 1000 && pid > 300; pid--) {
		snprintf(buf, sizeof(buf), "/proc/%ld", pid);
		if (access(buf, F_OK) == 0 || errno != ENOENT)
			continue;
		say(1, "%ld\n", pid);
		if (kill((pid_t)pid, sig) == 0 || errno != ESRCH) {
			say(2, "workload: kill %ld: expected ESRCH, got %s\n", pid,
			    strerror(errno));
			return 1;
		}
		return 0;
	}
	say(2, "workload: no unused pid found below %ld\n", max);
	return 1;
}

static void usage(void)
{
	say(2, "usage: workload open PATH N | open-missing PATH N | open-legacy PATH N |\n"
	       "       openat2 PATH N | exec PROG ARG... |\n"
	       "       exec-fail PATH | exit CODE | killed | getppid K | signal SIG [HOW] |\n"
	       "       kill-missing [SIG]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode;

	if (argc < 2)
		usage();
	mode = argv[1];
	if (getenv("WORKLOAD_COMM"))
		prctl(PR_SET_NAME, getenv("WORKLOAD_COMM"), 0, 0, 0);
	/* Check the arguments before waiting, so a typo fails at once. */
	if (!strcmp(mode, "open") || !strcmp(mode, "open-missing") ||
	    !strcmp(mode, "open-legacy") || !strcmp(mode, "openat2")) {
		enum open_how_kind how = HOW_OPENAT;
		long n;

		if (argc != 4)
			usage();
		n = num_arg(argv[3], 0, LONG_MAX);
		if (!strcmp(mode, "open-legacy"))
			how = HOW_OPEN;
		else if (!strcmp(mode, "openat2"))
			how = HOW_OPENAT2;
		wait_trigger();
		return do_open(argv[2], n, !strcmp(mode, "open-missing"), how);
	}
	if (!strcmp(mode, "exec")) {
		if (argc < 3)
			usage();
		wait_trigger();
		restore_mask();
		execve(argv[2], argv + 2, environ);
		say(2, "workload: execve %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (!strcmp(mode, "exec-fail")) {
		char *args[] = { argv[2], NULL };

		if (argc != 3)
			usage();
		wait_trigger();
		restore_mask();
		execve(argv[2], args, environ);
		if (errno != ENOENT) {
			say(2, "workload: execve %s: expected ENOENT, got %s\n", argv[2],
			    strerror(errno));
			return 1;
		}
		return 0;
	}
	if (!strcmp(mode, "exit")) {
		int code;

		if (argc != 3)
			usage();
		code = (int)num_arg(argv[2], 0, 255);
		wait_trigger();
		return do_exit(code);
	}
	if (!strcmp(mode, "killed")) {
		if (argc != 2)
			usage();
		wait_trigger();
		return do_killed();
	}
	if (!strcmp(mode, "getppid")) {
		long k;

		if (argc != 3)
			usage();
		k = num_arg(argv[2], 0, LONG_MAX);
		wait_trigger();
		for (long i = 0; i < k; i++)
			syscall(SYS_getppid);
		return 0;
	}
	if (!strcmp(mode, "signal")) {
		const char *how = argc > 3 ? argv[3] : "kill";
		int sig;

		if (argc != 3 && argc != 4)
			usage();
		sig = (int)num_arg(argv[2], 1, 64);
		if (!strstr(",kill,tkill,tgkill,sigqueue,tgsigqueue,pidfd,", how) ||
		    strchr(how, ','))
			usage();
		wait_trigger();
		return do_signal(sig, how);
	}
	if (!strcmp(mode, "kill-missing")) {
		int sig = 0;

		if (argc > 3)
			usage();
		if (argc == 3)
			sig = (int)num_arg(argv[2], 0, 64);
		wait_trigger();
		return do_kill_missing(sig);
	}
	usage();
	return 2;
}
