// SPDX-License-Identifier: GPL-2.0-only
/* renamer: renames itself in turn, leaving old bytes after each name's NUL, for the trace tests. */
/*
 * usage: renamer NAME...
 *
 * Waits for SIGUSR1 (like workload: /proc/PID/status shows bit 0x200 in SigCgt once the
 * signal is safe to send), then for i = 1, 2, ...: sets its command name to the i-th NAME
 * (prctl PR_SET_NAME; the kernel keeps 15 bytes) and calls getppid() i times (the raw
 * system call), then exits 0.
 *
 * A short name after a longer one keeps the longer one's tail after its NUL wherever the
 * kernel copies names without zeroing the rest (task_rename's newcomm on every kernel,
 * task->comm itself on older ones): "opener" after "abcdefghijklmno" and after
 * "ABCDEFGHIJKLMNO" are the same string with different bytes behind it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t triggered;

static void on_usr1(int sig)
{
	(void)sig;
	triggered = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t set, old;

	if (argc < 2) {
		fprintf(stderr, "usage: renamer NAME...\n");
		return 2;
	}
	/* blocked but caught: sigsuspend lets it in, so none is lost before the wait */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigemptyset(&sa.sa_mask);
	if (sigprocmask(SIG_BLOCK, &set, &old) || sigaction(SIGUSR1, &sa, NULL)) {
		fprintf(stderr, "renamer: signals: %s\n", strerror(errno));
		return 1;
	}
	sigdelset(&old, SIGUSR1);
	while (!triggered)
		sigsuspend(&old);
	for (int i = 1; i < argc; i++) {
		if (prctl(PR_SET_NAME, argv[i], 0, 0, 0)) {
			fprintf(stderr, "renamer: prctl %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		for (int k = 0; k < i; k++)
			syscall(SYS_getppid);
	}
	return 0;
}
