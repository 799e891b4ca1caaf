// SPDX-License-Identifier: GPL-2.0-only
/* Loader for the counting floor: attach, wait for Ctrl-C, print the count. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "skel/floor.skel.h"

int main(int argc, char **argv)
{
	const char *mode = "counting";
	struct bpf_program *keep, *prog;
	struct floor_bpf *skel;
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
	bench_loader_init();
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
	bench_wait_stop();
	if (empty)
		fprintf(stderr, "floor: %s: done\n", mode);
	else
		fprintf(stderr, "floor: %s: %llu events, 0 lost\n", mode,
			bench_percpu_sum(bpf_map__fd(skel->maps.counts), 0));
out:
	floor_bpf__destroy(skel);
	return err ? 1 : 0;
}
