/* SPDX-License-Identifier: GPL-2.0-only */
/* The test helpers' trigger: block SIGUSR1, catch it, and sleep until it comes. */
#ifndef KS_TEST_TRIGGER_H
#define KS_TEST_TRIGGER_H

#include <signal.h>

static volatile sig_atomic_t trigger_seen;

static void trigger_on_usr1(int sig)
{
	(void)sig;
	trigger_seen = 1;
}

/*
 * Block SIGUSR1 (so it is let in only while waiting, never lost before) and catch it:
 * once the handler is in place /proc/PID/status shows it in SigCgt (bit 0x200), which is
 * how a test knows it may send the signal. 0, or -1 with errno set.
 */
static int trigger_arm(void)
{
	struct sigaction sa = { .sa_handler = trigger_on_usr1 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigemptyset(&sa.sa_mask);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	return sigaction(SIGUSR1, &sa, NULL);
}

/* Sleep until the next SIGUSR1 (after trigger_arm). */
static void trigger_wait(void)
{
	sigset_t waitmask;

	sigprocmask(SIG_BLOCK, NULL, &waitmask);
	sigdelset(&waitmask, SIGUSR1);
	trigger_seen = 0;
	while (!trigger_seen)
		sigsuspend(&waitmask);
}

#endif
