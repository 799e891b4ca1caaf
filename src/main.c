// SPDX-License-Identifier: GPL-2.0-only
/* kscope's entry point: global options, the tool list, dispatch to one tool. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "core/errors.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/out.h"
#include "core/tool.h"

static void list_tools(FILE *f)
{
	const struct ks_tool **l;
	size_t n = ks_tools_list(&l);

	fprintf(f,
		"kscope %s: eBPF performance tools in one binary\n\n"
		"usage: kscope TOOL [options]      'kscope TOOL --help' for its options\n"
		"       kscope --version\n\ntools:\n",
		KSCOPE_VERSION);
	for (size_t i = 0; i < n; i++)
		if (!(l[i]->flags & KS_TOOL_COMMAND))
			fprintf(f, "  %-14s %s\n", l[i]->name, l[i]->summary);
	fprintf(f, "\ncommands:\n");
	for (size_t i = 0; i < n; i++)
		if (l[i]->flags & KS_TOOL_COMMAND)
			fprintf(f, "  %-14s %s\n", l[i]->name, l[i]->summary);
}

static void on_signal(int sig)
{
	(void)sig;
	ks_stop = 1;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked poll must return so the loop sees ks_stop. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/*
 * Standard descriptors that are closed get /dev/null, so that no file kscope opens (a BPF
 * map, say) lands on them and is written to. Standard output closed is an error of its
 * own: what kscope prints would be lost. Returns false then.
 */
static bool std_fds(void)
{
	bool out = true;

	for (int fd = 0; fd <= 2; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		n = open("/dev/null", fd ? O_WRONLY : O_RDONLY);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
		if (fd == 1)
			out = false;
	}
	return out;
}

/* The exit code once everything is printed: a lost stdout turns success into 1. */
static int finish(int ret)
{
	int err = ks_out_flush(stdout);

	if (err && err != -EPIPE && ret == KS_EXIT_OK)
		ret = KS_EXIT_FAIL;
	return ret;
}

int main(int argc, char **argv)
{
	const struct ks_tool *t;
	struct ks_ctx c = { 0 };
	bool json = false;
	int ret;

	ks_log_init(NULL, false, false);
	signal(SIGPIPE, SIG_IGN); /* a reader going away is EPIPE, seen by ks_out_flush */
	if (!std_fds()) {
		ks_error("cannot write the output: standard output is closed");
		return KS_EXIT_FAIL;
	}
	ks_out_stdout(&ks_stop);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		list_tools(stdout);
		return finish(KS_EXIT_OK);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("kscope %s (libbpf %s)\n", KSCOPE_VERSION, libbpf_version_string());
		return finish(KS_EXIT_OK);
	}
	t = ks_tool_find(argv[1]);
	if (!t) {
		const char *s = ks_tool_suggest(argv[1]);

		if (argv[1][0] == '-')
			ks_error("unknown option '%s' (run 'kscope' for the list of tools)",
				 argv[1]);
		else if (s)
			ks_error("unknown tool '%s': did you mean '%s'?", argv[1], s);
		else
			ks_error("unknown tool '%s' (run 'kscope' for the list of tools)", argv[1]);
		return KS_EXIT_USAGE;
	}

	c.tool = t;
	c.out = stdout;
	c.cgroup_fd = -1;
	/* Errors found while parsing the options are JSON too when --json is among them. */
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		json |= !strcmp(argv[i], "--json");
	ks_log_init(t->name, false, json);
	c.state = calloc(1, t->state_size ? t->state_size : 1);
	if (!c.state) {
		ks_error("out of memory");
		return KS_EXIT_FAIL;
	}
	if (t->state_init)
		memcpy(c.state, t->state_init, t->state_size);
	ret = ks_opts_parse(t, argc - 1, argv + 1, &c.opt, c.state);
	if (ret == KS_PARSE_HELP) {
		ks_opts_help(t, stdout);
		ret = finish(KS_EXIT_OK);
		goto out;
	}
	if (ret) {
		ret = KS_EXIT_USAGE;
		goto out;
	}
	ks_log_init(t->name, c.opt.verbose, c.opt.json);
	ks_log_libbpf();
	ks_json_init(&c.json, c.out);

	if ((t->flags & (KS_TOOL_BPF | KS_TOOL_ROOT)) && !ks_privileged()) {
		ks_error("permission denied: tracing needs root (or CAP_BPF and CAP_PERFMON)");
		ret = KS_EXIT_PERM;
		goto out;
	}
	if (ks_common_check(&c.opt)) {
		ret = KS_EXIT_USAGE;
		goto out;
	}

	install_signals();
	ret = ks_tool_run(&c);
	ret = finish(ret);
out:
	free(c.state);
	return ret;
}
