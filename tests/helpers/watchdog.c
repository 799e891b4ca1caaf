// SPDX-License-Identifier: GPL-2.0-only
/* watchdog: run a command in its own process group and kill the whole group on a timeout. */
/*
 * usage: watchdog SECONDS CMD [ARG]...
 *
 * Runs CMD as the leader of a new process group. If it is still running after SECONDS,
 * the group gets SIGTERM, then SIGKILL two seconds later, and the exit status is 124.
 * When CMD ends by itself, whatever it left running in its group (a tool started in the
 * background and never stopped) gets the same treatment and "watchdog: ..." says so on
 * stderr, and the exit status is 123 if CMD itself succeeded. Otherwise the exit status
 * is CMD's (128+N if a signal N ended it). SIGINT, SIGTERM or SIGHUP to the watchdog end
 * the group the same way. BusyBox's `timeout` kills one process, not what it started,
 * which is why the suite has its own.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool group_alive(pid_t pgid)
{
	return kill(-pgid, 0) == 0 || errno == EPERM;
}

/* Reap whatever of ours has exited, without blocking. Returns the leader's status if seen. */
static void reap_some(pid_t leader, int *status, bool *leader_done)
{
	pid_t w;
	int st;

	while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
		if (w == leader) {
			*status = st;
			*leader_done = true;
		}
	}
}

/* SIGTERM the group, wait up to 2 s, then SIGKILL; returns true if something was running. */
static bool kill_group(pid_t pgid, pid_t leader, int *status, bool *leader_done)
{
	unsigned long long t0;

	if (!group_alive(pgid))
		return false;
	kill(-pgid, SIGTERM);
	kill(-pgid, SIGCONT);
	t0 = now_ms();
	while (now_ms() - t0 < 2000) {
		reap_some(leader, status, leader_done);
		if (!group_alive(pgid))
			return true;
		nap_ms(20);
	}
	kill(-pgid, SIGKILL);
	t0 = now_ms();
	while (group_alive(pgid) && now_ms() - t0 < 2000) {
		reap_some(leader, status, leader_done);
		nap_ms(20);
	}
	return true;
}

int main(int argc, char **argv)
{
	unsigned long long deadline;
	bool done = false, timed_out = false;
	char *end;
	double secs;
	int status = 0;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: watchdog SECONDS CMD [ARG]...\n");
		return 125;
	}
	secs = strtod(argv[1], &end);
	if (*end || secs <= 0) {
		fprintf(stderr, "watchdog: bad timeout '%s'\n", argv[1]);
		return 125;
	}
	/* Orphans of the command become our children, so we can reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "watchdog: fork: %s\n", strerror(errno));
		return 125;
	}
	if (pid == 0) {
		setpgid(0, 0);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "watchdog: cannot run %s: %s\n", argv[2], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	setpgid(pid, pid); /* also here, so the group exists before we signal it */
	/* Ctrl-C reaches our group, not the command's: pass it on by ending the group. */
	{
		struct sigaction sa = { .sa_handler = on_signal };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	deadline = now_ms() + (unsigned long long)(secs * 1000);
	while (!done) {
		reap_some(pid, &status, &done);
		if (done)
			break;
		if (got_signal) {
			kill_group(pid, pid, &status, &done);
			if (!done)
				waitpid(pid, &status, 0);
			return 128 + got_signal;
		}
		if (now_ms() >= deadline) {
			timed_out = true;
			fprintf(stderr,
				"watchdog: %s still running after %s s: killing its "
				"process group\n",
				argv[2], argv[1]);
			kill_group(pid, pid, &status, &done);
			if (!done) {
				waitpid(pid, &status, 0);
				done = true;
			}
			break;
		}
		nap_ms(10);
	}
	if (!timed_out && kill_group(pid, pid, &status, &done)) {
		fprintf(stderr, "watchdog: %s left processes running in its group: killed them\n",
			argv[2]);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return 123;
	}
	if (timed_out)
		return 124;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
