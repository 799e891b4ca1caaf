// SPDX-License-Identifier: GPL-2.0-only
/* One benchmark trial: start the workload, start a tracer, time its attach, run, collect. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bench.h"

static const char usage[] =
	"usage: trial -f FILE [options] [-- TRACER [ARG...]]\n"
	"\n"
	"Starts bench/openloop (waiting), then TRACER, waits until TRACER is attached, lets the\n"
	"workload loop, stops TRACER with SIGINT and prints one line of key=value results.\n"
	"Another workload (-l) takes the same options and prints the same result line\n"
	"(NAME: ... elapsed_ns=... ns_per_op=...), e.g. bench/randread with -f DEVICE.\n"
	"Without TRACER it measures the workload alone. '{PID}' in an ARG becomes the\n"
	"workload's pid.\n"
	"  -f FILE        the file the workload opens\n"
	"  -n N           workload iterations (default 1000000)\n"
	"  -c CPU         the workload's CPU (default: the last online one)\n"
	"  -l PATH        the workload binary (default: openloop, next to this one)\n"
	"  -a ARG         one more argument for the workload, before FILE (repeatable)\n"
	"  -g             the workload calls getppid() instead of openat+close (openloop -g)\n"
	"  -m out:TEXT    attached once TEXT appears on TRACER's stdout (use with -o pty)\n"
	"  -m err:TEXT    attached once TEXT appears on TRACER's stderr\n"
	"  -w MS          then wait MS more; without -m, just wait MS after exec\n"
	"  -o null|pty|file:PATH   TRACER's stdout (default null)\n"
	"  -e PATH        save TRACER's stderr (and its pty output in PATH.tty)\n"
	"  -x MS:DUR      SIGSTOP TRACER MS after the loop starts, SIGCONT it DUR ms later\n"
	"  -d MS          wait MS after the workload ends before SIGINT (default 100)\n"
	"  -t S           give up on attach or exit after S seconds (default 60)\n"
	"  -u             start-up only: no workload, SIGINT as soon as attached\n"
	"  -b             BPF run-time statistics on for the trial (BPF_ENABLE_STATS): report\n"
	"                 the run time, runs and skipped runs of TRACER's programs (the ones\n"
	"                 its file descriptors name) when the workload is done\n"
	"With a workload and TRACER, loop_cpu_ms is TRACER's CPU time (all its threads) from\n"
	"the start of the loop to SIGINT: what its reader cost while the workload ran.\n";

#define CAPTURE_MAX (256 * 1024)

struct stream {
	int fd;
	char *buf; /* what was read, up to CAPTURE_MAX, NUL-terminated */
	size_t len;
	char line[4096]; /* the last partial line, for marker matching across reads */
	size_t line_len;
	bool eof;
};

/* Read what is there; true if @marker was seen in a complete or partial line. */
static bool stream_read(struct stream *s, const char *marker)
{
	char tmp[65536];
	bool hit = false;
	ssize_t n;

	if (s->fd < 0 || s->eof)
		return false;
	n = read(s->fd, tmp, sizeof(tmp));
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			s->eof = true; /* a pty master says EIO once the other side is gone */
		return false;
	}
	if (s->len < CAPTURE_MAX) {
		size_t k = (size_t)n < CAPTURE_MAX - s->len ? (size_t)n : CAPTURE_MAX - s->len;

		memcpy(s->buf + s->len, tmp, k);
		s->len += k;
		s->buf[s->len] = '\0';
	}
	for (ssize_t i = 0; i < n; i++) {
		if (tmp[i] == '\n' || s->line_len == sizeof(s->line) - 1) {
			s->line_len = 0;
			continue;
		}
		s->line[s->line_len++] = tmp[i];
		s->line[s->line_len] = '\0';
		if (marker && strstr(s->line, marker))
			hit = true;
	}
	return hit;
}

/* The first non-empty line of @text, for a failure reason; quotes become apostrophes. */
static void first_line(const char *text, char *out, size_t len)
{
	size_t n = 0;

	while (*text == '\n' || *text == '\r' || *text == ' ')
		text++;
	while (*text && *text != '\n' && *text != '\r' && n < len - 1) {
		out[n++] = *text == '"' ? '\'' : *text;
		text++;
	}
	out[n] = '\0';
}

/* "N events, M lost" (kscope, the floors); "Lost N events" (libbpf-tools, bpftrace). */
static void count_events(const char *text, long long *events, long long *lost)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long long a, b;
		const char *q;

		for (q = p; *q && *q != '\n'; q++) {
			if (sscanf(q, "%llu events, %llu lost", &a, &b) == 2 &&
			    (q == p || q[-1] == ' ')) {
				*events = a;
				*lost = b;
				break;
			}
			/* libbpf-tools' biosnoop: "lost N events on CPU #C" */
			if ((!strncmp(q, "Lost ", 5) && sscanf(q + 5, "%llu events", &a) == 1) ||
			    (q == p && sscanf(q, "lost %llu events on CPU", &a) == 1)) {
				*lost = (*lost < 0 ? 0 : *lost) + a;
				break;
			}
		}
	}
}

static void save(const char *path, const struct stream *s)
{
	FILE *f;

	if (!path || !s->buf)
		return;
	f = fopen(path, "w");
	if (!f)
		return;
	fwrite(s->buf, 1, s->len, f);
	fclose(f);
}

/* CPU time of every thread of @pid so far, in ns (schedstat: precise, unlike ticks). */
static unsigned long long task_cpu_ns(pid_t pid)
{
	unsigned long long sum = 0, v;
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		char p[384];
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/schedstat", path, d->d_name);
		f = fopen(p, "r");
		if (f && fscanf(f, "%llu", &v) == 1)
			sum += v;
		if (f)
			fclose(f);
	}
	closedir(dir);
	return sum;
}

struct bpf_use {
	unsigned long long ns, runs, missed;
	int progs;
};

/*
 * Run time of the BPF programs @pid holds: every "prog_id:" in its fds' fdinfo (program
 * fds and links) counted once. Counted only while statistics are on (BPF_ENABLE_STATS).
 */
static void bpf_use_of(pid_t pid, struct bpf_use *u)
{
	unsigned int ids[256];
	int nids = 0;
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", (int)pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir)) && nids < (int)(sizeof(ids) / sizeof(*ids))) {
		char p[320], line[256];
		unsigned int id;
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, d->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			bool seen = false;

			if (sscanf(line, "prog_id: %u", &id) != 1)
				continue;
			for (int i = 0; i < nids; i++)
				seen |= ids[i] == id;
			if (!seen)
				ids[nids++] = id;
		}
		fclose(f);
	}
	closedir(dir);
	for (int i = 0; i < nids; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			u->ns += info.run_time_ns;
			u->runs += info.run_cnt;
			u->missed += info.recursion_misses;
			u->progs++;
		}
		close(fd);
	}
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	const char *file = NULL, *loop_bin = NULL, *marker = NULL, *out_mode = "null";
	const char *err_path = NULL;
	long long n = 1000000, events = -1, lost = -1;
	int cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1, settle_ms = 0, drain_ms = 100;
	int stop_at = -1, stop_dur = 0, timeout_s = 60, c;
	bool marker_on_err = true, startup_only = false, stopped = false, attached = false;
	bool getppid_only = false, bpf_stats = false;
	struct bpf_use bpf_use = { 0 };
	unsigned long long cpu_loop0 = 0, cpu_loop1 = 0;
	int stats_fd = -1;
	struct stream wl = { .fd = -1 }, terr = { .fd = -1 }, tout = { .fd = -1 };
	char loop_line[512] = "", reason[300] = "", path_buf[PATH_MAX];
	unsigned long long t_exec = 0, t_attach = 0, t_ready = 0, t_loop = 0, t_end = 0;
	unsigned long long t_sigint = 0, t_stop = 0, t_tr_exit = 0;
	bool stop_done = false;
	pid_t wl_pid = -1, tr_pid = -1;
	struct rusage ru = { 0 };
	int tr_status = 0, fds[2];
	bool tr_exited = false, wl_exited = false;
	char **targv = NULL;
	char *wargv[32];
	int nwarg = 0;

	while ((c = getopt(argc, argv, "f:n:c:l:a:gm:w:o:e:x:d:t:ubh")) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'n':
			n = strtoll(optarg, NULL, 0);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'l':
			loop_bin = optarg;
			break;
		case 'a':
			/* room for the name, five fixed options, FILE and the NULL */
			if (nwarg >= (int)(sizeof(wargv) / sizeof(*wargv)) - 8) {
				fputs(usage, stderr);
				return 2;
			}
			wargv[1 + 5 + nwarg++] = optarg;
			break;
		case 'g':
			getppid_only = true;
			break;
		case 'm':
			if (!strncmp(optarg, "out:", 4))
				marker_on_err = false;
			else if (strncmp(optarg, "err:", 4)) {
				fputs(usage, stderr);
				return 2;
			}
			marker = optarg + 4;
			break;
		case 'w':
			settle_ms = atoi(optarg);
			break;
		case 'o':
			out_mode = optarg;
			break;
		case 'e':
			err_path = optarg;
			break;
		case 'x':
			if (sscanf(optarg, "%d:%d", &stop_at, &stop_dur) != 2) {
				fputs(usage, stderr);
				return 2;
			}
			break;
		case 'd':
			drain_ms = atoi(optarg);
			break;
		case 't':
			timeout_s = atoi(optarg);
			break;
		case 'u':
			startup_only = true;
			break;
		case 'b':
			bpf_stats = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc)
		targv = argv + optind;
	if ((!file && !startup_only) || (startup_only && !targv)) {
		fputs(usage, stderr);
		return 2;
	}
	if (!loop_bin) {
		char *slash;

		snprintf(path_buf, sizeof(path_buf), "%s", argv[0]);
		slash = strrchr(path_buf, '/');
		snprintf(slash ? slash + 1 : path_buf,
			 sizeof(path_buf) - (slash ? (size_t)(slash + 1 - path_buf) : 0),
			 "openloop");
		loop_bin = path_buf;
	}
	signal(SIGPIPE, SIG_IGN);
	wl.buf = calloc(1, CAPTURE_MAX + 1);
	terr.buf = calloc(1, CAPTURE_MAX + 1);
	tout.buf = calloc(1, CAPTURE_MAX + 1);
	if (!wl.buf || !terr.buf || !tout.buf)
		return 1;

	/* 1. The workload, pinned and waiting for SIGUSR1. */
	if (!startup_only) {
		char nbuf[32], cbuf[16];

		snprintf(nbuf, sizeof(nbuf), "%lld", n);
		snprintf(cbuf, sizeof(cbuf), "%d", cpu);
		if (pipe2(fds, O_CLOEXEC))
			return 1;
		wl_pid = fork();
		if (wl_pid == 0) {
			const char *name = strrchr(loop_bin, '/');

			dup2(fds[1], 1);
			wargv[0] = (char *)(name ? name + 1 : loop_bin);
			wargv[1] = getppid_only ? "-g" : "-w";
			wargv[2] = "-n";
			wargv[3] = nbuf;
			wargv[4] = "-c";
			wargv[5] = cbuf;
			wargv[6 + nwarg] = "-w";
			wargv[7 + nwarg] = (char *)file;
			wargv[8 + nwarg] = NULL;
			execv(loop_bin, wargv);
			fprintf(stderr, "trial: cannot run %s: %s\n", loop_bin, strerror(errno));
			_exit(127);
		}
		close(fds[1]);
		wl.fd = fds[0];
		while (!strstr(wl.buf, "ready pid=") && !wl.eof) {
			struct pollfd p = { wl.fd, POLLIN, 0 };

			poll(&p, 1, 1000);
			stream_read(&wl, NULL);
		}
		if (!strstr(wl.buf, "ready pid=")) {
			printf("status=fail reason=\"the workload did not start\"\n");
			return 1;
		}
		fcntl(wl.fd, F_SETFL, O_NONBLOCK);
	}

	/* 2. The tracer. */
	if (bpf_stats) {
		/* on while this fd is open, whoever else turns them on or off */
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0) {
			printf("status=fail reason=\"cannot turn on BPF statistics: %s\"\n",
			       strerror(-stats_fd));
			return 1;
		}
	}
	if (targv) {
		int out_fd = -1, pty_master = -1, pty_slave = -1, efds[2];
		char pidstr[16];

		snprintf(pidstr, sizeof(pidstr), "%d", (int)wl_pid);
		for (char **a = targv; *a; a++) {
			char *at = strstr(*a, "{PID}");

			if (at) {
				char *s = malloc(strlen(*a) + sizeof(pidstr));

				sprintf(s, "%.*s%s%s", (int)(at - *a), *a, pidstr, at + 5);
				*a = s;
			}
		}
		if (!strcmp(out_mode, "pty")) {
			if (openpty(&pty_master, &pty_slave, NULL, NULL, NULL)) {
				perror("trial: openpty");
				return 1;
			}
			fcntl(pty_master, F_SETFD, FD_CLOEXEC);
			out_fd = pty_slave;
		} else if (!strncmp(out_mode, "file:", 5)) {
			out_fd = open(out_mode + 5, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		} else {
			out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		}
		if (out_fd < 0 || pipe2(efds, O_CLOEXEC)) {
			perror("trial: tracer stdout");
			return 1;
		}
		t_exec = bench_mono_ns();
		tr_pid = fork();
		if (tr_pid == 0) {
			int in = open("/dev/null", O_RDONLY);

			dup2(in, 0);
			dup2(out_fd, 1);
			dup2(efds[1], 2);
			execvp(targv[0], targv);
			fprintf(stderr, "cannot run %s: %s\n", targv[0], strerror(errno));
			_exit(127);
		}
		close(out_fd);
		close(efds[1]);
		terr.fd = efds[0];
		fcntl(terr.fd, F_SETFL, O_NONBLOCK);
		if (pty_master >= 0) {
			tout.fd = pty_master;
			fcntl(tout.fd, F_SETFL, O_NONBLOCK);
		}
		if (!marker)
			attached = true, t_attach = t_exec;
	} else {
		attached = true;
	}

	/* 3. The main loop: one state machine driven by the clock and the pipes. */
	for (;;) {
		unsigned long long now = bench_mono_ns();
		struct pollfd p[3];
		int np = 0;

		if (tr_pid > 0 && !tr_exited) {
			pid_t r = wait4(tr_pid, &tr_status, WNOHANG, &ru);

			if (r == tr_pid) {
				tr_exited = true;
				t_tr_exit = now;
				if (!t_sigint) {
					/* Its last words are still in the pipes: read them. */
					for (int i = 0; i < 64 && !terr.eof; i++)
						stream_read(&terr, NULL);
					for (int i = 0; i < 64 && tout.fd >= 0 && !tout.eof; i++)
						stream_read(&tout, NULL);
					first_line(terr.buf[0] ? terr.buf : tout.buf, reason,
						   sizeof(reason));
					if (!attached || !t_ready) {
						if (!reason[0])
							snprintf(
								reason, sizeof(reason),
								"exited with status %d before "
								"attaching",
								WIFEXITED(tr_status)
									? WEXITSTATUS(tr_status)
									: 128 + WTERMSIG(
											tr_status));
						break;
					}
				}
			}
		}
		if (wl_pid > 0 && !wl_exited && wl.eof) {
			int st;

			waitpid(wl_pid, &st, 0);
			wl_exited = true;
			t_end = now;
			if (stopped) {
				kill(tr_pid, SIGCONT);
				stopped = false;
				stop_done = true;
			}
		}

		if (attached && !t_ready && now >= t_attach + settle_ms * 1000000ULL) {
			t_ready = now;
			if (startup_only) {
				kill(tr_pid, SIGINT);
				t_sigint = now;
			} else {
				if (tr_pid > 0)
					cpu_loop0 = task_cpu_ns(tr_pid);
				kill(wl_pid, SIGUSR1);
				t_loop = now;
			}
		}
		if (!attached && now - t_exec > timeout_s * 1000000000ULL) {
			snprintf(reason, sizeof(reason), "no '%s' on std%s within %d s", marker,
				 marker_on_err ? "err" : "out", timeout_s);
			break;
		}
		if (t_loop && stop_at >= 0 && !stop_done && !wl_exited && tr_pid > 0) {
			if (!stopped && now >= t_loop + stop_at * 1000000ULL) {
				kill(tr_pid, SIGSTOP);
				stopped = true;
				t_stop = now;
			} else if (stopped && now >= t_stop + stop_dur * 1000000ULL) {
				kill(tr_pid, SIGCONT);
				stopped = false;
				stop_done = true;
			}
		}
		if (wl_exited && tr_pid > 0 && !t_sigint && now >= t_end + drain_ms * 1000000ULL) {
			cpu_loop1 = task_cpu_ns(tr_pid);
			if (bpf_stats)
				bpf_use_of(tr_pid, &bpf_use);
			kill(tr_pid, SIGINT);
			t_sigint = now;
		}
		if (t_sigint && !tr_exited && now - t_sigint > timeout_s * 1000000000ULL) {
			kill(tr_pid, SIGKILL);
			snprintf(reason, sizeof(reason), "did not exit within %d s of SIGINT",
				 timeout_s);
		}
		if ((tr_pid <= 0 || tr_exited) && (wl_pid <= 0 || wl_exited) &&
		    (terr.fd < 0 || terr.eof) && (tout.fd < 0 || tout.eof))
			break;
		/* Exited, but something it left behind still holds its stdout or stderr. */
		if (tr_exited && (wl_pid <= 0 || wl_exited) && now - t_tr_exit > 1000000000ULL)
			break;
		if (tr_pid > 0 && tr_exited && wl_pid > 0 && !wl_exited && !t_loop) {
			/* Exited between attach and the start signal. */
			break;
		}

		if (terr.fd >= 0 && !terr.eof)
			p[np++] = (struct pollfd){ terr.fd, POLLIN, 0 };
		if (tout.fd >= 0 && !tout.eof)
			p[np++] = (struct pollfd){ tout.fd, POLLIN, 0 };
		if (wl.fd >= 0 && !wl.eof)
			p[np++] = (struct pollfd){ wl.fd, POLLIN, 0 };
		/* Output wakes us at once; the timeout only paces the clock-driven steps. */
		if (poll(p, np, np ? 5 : 0) < 0 && errno != EINTR)
			break;
		if (!np)
			sleep_ms(5);
		if (stream_read(&terr, marker_on_err ? marker : NULL) && !attached)
			attached = true, t_attach = bench_mono_ns();
		if (stream_read(&tout, marker_on_err ? NULL : marker) && !attached)
			attached = true, t_attach = bench_mono_ns();
		stream_read(&wl, NULL);
	}

	/* 4. Clean up whatever is left, and report. */
	if (tr_pid > 0 && !tr_exited) {
		kill(tr_pid, SIGCONT);
		kill(tr_pid, SIGINT);
		for (int i = 0; i < 100 && wait4(tr_pid, &tr_status, WNOHANG, &ru) == 0; i++)
			sleep_ms(20);
		if (wait4(tr_pid, &tr_status, WNOHANG, &ru) == 0) {
			kill(tr_pid, SIGKILL);
			wait4(tr_pid, &tr_status, 0, &ru);
		}
	}
	if (wl_pid > 0 && !wl_exited) {
		kill(wl_pid, SIGKILL);
		waitpid(wl_pid, NULL, 0);
	}
	if (err_path) {
		save(err_path, &terr);
		if (tout.fd >= 0) {
			snprintf(path_buf, sizeof(path_buf), "%s.tty", err_path);
			save(path_buf, &tout);
		}
	}
	{
		/* the workload's result line: the one with elapsed_ns= */
		const char *l = strstr(wl.buf, " elapsed_ns=");

		while (l && l > wl.buf && l[-1] != '\n')
			l--;
		if (l)
			first_line(l, loop_line, sizeof(loop_line));
	}
	count_events(terr.buf, &events, &lost);

	if (reason[0] && (!t_ready || !t_attach)) {
		printf("status=fail reason=\"%s\"\n", reason);
		return 1;
	}
	if (!startup_only && !loop_line[0]) {
		printf("status=fail reason=\"the workload did not finish\"\n");
		return 1;
	}
	printf("status=ok");
	if (targv && marker)
		printf(" startup_ms=%.2f", (t_attach - t_exec) / 1e6);
	/* SIGINT to exit: the tracer's final output and its detaching from the kernel */
	if (startup_only && t_sigint && t_tr_exit > t_sigint)
		printf(" stop_ms=%.2f", (t_tr_exit - t_sigint) / 1e6);
	if (loop_line[0]) {
		const char *k;

		if ((k = strstr(loop_line, "ns_per_op=")))
			printf(" ns_per_op=%.1f", atof(k + 10));
		if ((k = strstr(loop_line, "chunk_p10_ns_per_op=")))
			printf(" p10_ns_per_op=%.1f", atof(k + 20));
		if ((k = strstr(loop_line, "chunk_p50_ns_per_op=")))
			printf(" p50_ns_per_op=%.1f", atof(k + 20));
		if ((k = strstr(loop_line, "nivcsw=")))
			printf(" nivcsw=%ld", atol(k + 7));
		if ((k = strstr(loop_line, "busy_ns_per_op=")))
			printf(" busy_ns_per_op=%.1f", atof(k + 15));
		if ((k = strstr(loop_line, "iops=")))
			printf(" iops=%ld", atol(k + 5));
	}
	if (targv) {
		printf(" maxrss_kb=%ld", ru.ru_maxrss);
		printf(" exit=%d",
		       WIFEXITED(tr_status) ? WEXITSTATUS(tr_status) : 128 + WTERMSIG(tr_status));
		printf(" cpu_ms=%.1f", (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
					       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3);
		if (cpu_loop0 && cpu_loop1 >= cpu_loop0)
			printf(" loop_cpu_ms=%.2f", (cpu_loop1 - cpu_loop0) / 1e6);
		if (bpf_stats)
			printf(" bpf_progs=%d bpf_ns=%llu bpf_runs=%llu bpf_missed=%llu",
			       bpf_use.progs, bpf_use.ns, bpf_use.runs, bpf_use.missed);
	}
	if (events >= 0)
		printf(" events=%lld", events);
	if (lost >= 0)
		printf(" lost=%lld", lost);
	if (reason[0])
		printf(" note=\"%s\"", reason);
	printf("\n");
	return 0;
}
