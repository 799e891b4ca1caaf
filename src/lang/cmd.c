// SPDX-License-Identifier: GPL-2.0-only
/* trace -c CMD: start the command under a watcher that ends it and all it started. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "lang/cmd.h"

/* How long the command's processes get between SIGTERM and SIGKILL. */
#define CMD_GRACE_MS 1000

/* Shell builtins a plain command may name (`exit 7`): those run with /bin/sh -c. */
static const char *const builtins[] = {
	":",	    ".",      "break", "cd",	  "command", "continue", "echo",   "eval", "exec",
	"exit",	    "export", "false", "getopts", "hash",    "kill",	 "printf", "pwd",  "read",
	"readonly", "return", "set",   "shift",	  "test",    "[",	 "times",  "trap", "true",
	"type",	    "ulimit", "umask", "unset",	  "wait",    NULL,
};

static bool is_builtin(const char *w)
{
	for (size_t i = 0; builtins[i]; i++)
		if (!strcmp(builtins[i], w))
			return true;
	return false;
}

/* @name as execvp would find it, into a new string; NULL with errno if not found. */
static char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	int err = ENOENT;

	if (strchr(name, '/')) {
		if (!access(name, X_OK))
			return strdup(name);
		errno = errno == EACCES || errno == ENOENT || errno == ENOTDIR ? errno : ENOENT;
		return NULL;
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		char *p;

		if (asprintf(&p, "%.*s%s%s", (int)n, path, n ? "/" : "", name) < 0)
			return NULL;
		if (!access(p, X_OK))
			return p;
		if (errno == EACCES)
			err = EACCES;
		free(p);
		path += n + (path[n] == ':');
	}
	errno = err;
	return NULL;
}

/* Split @cmd at blanks into a NULL-terminated vector (one allocation); NULL on ENOMEM. */
static char **split_words(const char *cmd)
{
	size_t len = strlen(cmd), n = 0;
	char **v = malloc((len / 2 + 2) * sizeof(*v) + len + 1), *s;

	if (!v)
		return NULL;
	s = (char *)(v + len / 2 + 2);
	memcpy(s, cmd, len + 1);
	for (char *w = strtok(s, " \t"); w; w = strtok(NULL, " \t"))
		v[n++] = w;
	v[n] = NULL;
	return v;
}

static void kill_children(int sig)
{
	pid_t self = getpid();
	DIR *d = opendir("/proc");
	struct dirent *e;

	/* orphans of the command reparent to us (a subreaper): find them by parent */
	while (d && (e = readdir(d))) {
		char path[300], buf[512], *p;
		int fd, ppid;
		ssize_t n;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		p = strrchr(buf, ')');
		if (p && sscanf(p, ") %*c %d", &ppid) == 1 && ppid == self)
			kill(atoi(e->d_name), sig);
	}
	if (d)
		closedir(d);
}

/* Reap what has exited; true when no child is left. */
static bool reap_all(pid_t cmd, int *status, bool *have)
{
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p < 0)
			return errno == ECHILD;
		if (p == 0)
			return false;
		if (p == cmd) {
			*status = st;
			*have = true;
		}
	}
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void cmd_exec(const struct lang_cmd *c, const char *cmd, char **argv, int go, int info)
{
	char b;
	int err;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if (read(go, &b, 1) != 1)
		_exit(127); /* kscope stopped before the probes were attached */
	if (c->shell)
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	else
		execv(c->argv0, argv);
	err = errno;
	if (write(info, &err, sizeof(err)) != sizeof(err))
		_exit(127);
	_exit(127);
}

/* The watcher: start the command, wait for it or for kscope to go, then end them all. */
static void watch(const struct lang_cmd *c, const char *cmd, char **argv, int go, int life,
		  int info)
{
	int status = 0;
	bool have = false;
	pid_t pid;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		close(life);
		cmd_exec(c, cmd, argv, go, info);
	}
	if (pid < 0)
		_exit(126);
	setpgid(pid, pid);
	if (write(info, &pid, sizeof(pid)) != sizeof(pid)) {
		kill(pid, SIGKILL);
		_exit(126);
	}
	close(info);
	close(go);
	for (;;) {
		struct pollfd pf = { .fd = life, .events = POLLIN };

		if (poll(&pf, 1, 50) > 0)
			break; /* kscope closed the pipe or died */
		reap_all(pid, &status, &have);
		if (have)
			break;
	}
	kill(-pid, SIGTERM);
	kill_children(SIGTERM);
	for (int ms = 0; !reap_all(pid, &status, &have); ms += 20) {
		if (ms >= CMD_GRACE_MS) {
			kill(-pid, SIGKILL);
			kill_children(SIGKILL);
		}
		sleep_ms(20);
	}
	if (!have)
		_exit(0);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

int lang_cmd_start(struct lang_cmd *c, const char *cmd)
{
	int go[2] = { -1, -1 }, life[2] = { -1, -1 }, info[2] = { -1, -1 }, err = 0;
	char **argv = split_words(cmd);
	const char *first;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	c->go = c->life = c->info = -1;
	if (!argv)
		return -ENOMEM;
	c->shell = strpbrk(cmd, "|&;<>()$`\\\"'*?[]#~=%{}\n") != NULL;
	first = argv[0];
	if (!first) {
		ks_error("-c: the command is empty");
		err = -EINVAL;
		goto out;
	}
	/* a plain first word must be a program or a builtin, in the shell's form too */
	if (!strpbrk(first, "|&;<>()$`\\\"'*?[]#~=%{}")) {
		c->argv0 = find_program(first);
		if (!c->argv0 && is_builtin(first)) {
			c->shell = true;
		} else if (!c->argv0) {
			err = -errno;
			ks_error("cannot run the command '%s': %s", first,
				 err == -ENOENT && !strchr(first, '/') ? "no such command in PATH"
								       : strerror(-err));
			goto out;
		}
	} else {
		c->shell = true;
	}
	if (pipe2(go, O_CLOEXEC) || pipe2(life, O_CLOEXEC) || pipe2(info, O_CLOEXEC)) {
		err = -errno;
		ks_error("cannot start the command: %s", strerror(-err));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		ks_error("cannot start the command: %s", strerror(-err));
		goto out;
	}
	if (pid == 0) {
		close(go[1]);
		close(life[1]);
		close(info[0]);
		watch(c, cmd, argv, go[0], life[0], info[1]);
	}
	c->watcher = pid;
	c->go = go[1];
	c->life = life[1];
	c->info = info[0];
	go[1] = life[1] = info[0] = -1;
	close(info[1]);
	info[1] = -1;
	while (read(c->info, &c->pid, sizeof(c->pid)) != sizeof(c->pid)) {
		if (errno == EINTR && !ks_stop)
			continue;
		err = ks_stop ? -EINTR : -ECHILD;
		if (!ks_stop)
			ks_error("cannot start the command: its watcher process failed");
		lang_cmd_stop(c);
		goto out;
	}
out:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (life[i] >= 0)
			close(life[i]);
		if (info[i] >= 0)
			close(info[i]);
	}
	free(argv);
	if (err) {
		free(c->argv0);
		c->argv0 = NULL;
	}
	return err;
}

int lang_cmd_release(struct lang_cmd *c)
{
	int e = 0;
	ssize_t n;

	if (c->go < 0)
		return 0;
	n = write(c->go, "g", 1);
	close(c->go);
	c->go = -1;
	if (n != 1)
		return 0; /* the watcher went away: lang_cmd_done says so */
	/* the command's end of @info closes at exec, or carries exec's errno */
	do
		n = read(c->info, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(c->info);
	c->info = -1;
	if (n == sizeof(e) && e) {
		ks_error("cannot run the command '%s': %s", c->shell ? "/bin/sh" : c->argv0,
			 strerror(e));
		return -e;
	}
	return 0;
}

bool lang_cmd_done(const struct lang_cmd *c)
{
	siginfo_t si = { 0 };

	if (c->watcher <= 0)
		return false;
	if (waitid(P_PID, (id_t)c->watcher, &si, WEXITED | WNOHANG | WNOWAIT))
		return errno == ECHILD;
	return si.si_pid == c->watcher;
}

int lang_cmd_stop(struct lang_cmd *c)
{
	int st = -1;

	if (c->go >= 0)
		close(c->go);
	if (c->life >= 0)
		close(c->life);
	if (c->info >= 0)
		close(c->info);
	c->go = c->life = c->info = -1;
	if (c->watcher > 0) {
		while (waitpid(c->watcher, &st, 0) < 0 && errno == EINTR)
			;
		c->watcher = 0;
	}
	free(c->argv0);
	c->argv0 = NULL;
	return st;
}
