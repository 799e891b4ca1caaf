// SPDX-License-Identifier: GPL-2.0-only
/* Loader for the counting floor: attach, wait for Ctrl-C, print the count. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "skel/floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long sum = 0, *v;
	const char *mode = "counting";
	struct bpf_program *keep, *prog;
	struct floor_bpf *skel;
	unsigned int key = 0;
	sigset_t stops, old;
	bool empty = false;
	int err;

	if (argc > 1 && !strcmp(argv[1], "-e")) {
		empty = true;
		mode = "empty";
	} else if (argc > 1 && !strcmp(argv[1], "-r")) {
		mode = "counting-raw_tp";
	} else if (argc > 1) {
		fprintf(stderr, "usage: floor [-e | -r]   (-e: an empty program, the hook alone;\n"
				"                          -r: count from raw_tp, without BTF)\n");
		return 2;
	}
	libbpf_set_print(silent);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	if (empty)
		keep = skel->progs.floor_empty;
	else if (!strcmp(mode, "counting"))
		keep = skel->progs.floor_count;
	else
		keep = skel->progs.floor_count_raw;
	bpf_object__for_each_program (prog, skel->obj)
		bpf_program__set_autoload(prog, prog == keep);
	err = floor_bpf__load(skel);
	if (err) {
		fprintf(stderr, "floor: cannot load the BPF program: %s\n", strerror(-err));
		goto out;
	}
	err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "floor: cannot attach to sys_exit: %s\n", strerror(-err));
		goto out;
	}
	fprintf(stderr, "floor: %s: tracing, Ctrl-C to end\n", mode);
	/* Signals blocked between the test and the wait, so an early one is not missed. */
	sigprocmask(SIG_BLOCK, &stops, &old);
	while (!stop)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);

	v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));
	if (!empty && v && ncpu > 0 &&
	    !bpf_map_lookup_elem(bpf_map__fd(skel->maps.counts), &key, v))
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	if (empty)
		fprintf(stderr, "floor: %s: done\n", mode);
	else
		fprintf(stderr, "floor: %s: %llu events, 0 lost\n", mode, sum);
	free(v);
out:
	floor_bpf__destroy(skel);
	return err ? 1 : 0;
}
