// SPDX-License-Identifier: GPL-2.0-only
/* Loader for the disk-IO floors: attach, drain or wait until Ctrl-C, print the counts. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "skel/biofloor.skel.h"

#define SLOTS 64

static unsigned long long events;

int main(int argc, char **argv)
{
	const char *mode = "histogram";
	struct biofloor_bpf *skel;
	bool streaming = false;
	int err;

	if (argc > 1 && !strcmp(argv[1], "-s")) {
		streaming = true;
		mode = "streaming";
	} else if (argc > 1) {
		fprintf(stderr, "usage: biofloor [-s]   (-s: a ring-buffer record per request "
				"instead of a histogram)\n");
		return 2;
	}
	bench_loader_init();

	skel = biofloor_bpf__open();
	if (!skel) {
		fprintf(stderr, "biofloor: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	bpf_program__set_autoload(skel->progs.bf_complete_hist, !streaming);
	bpf_program__set_autoload(skel->progs.bf_complete_stream, streaming);
	/* Wake the reader at a quarter full, as kscope does; else it drains on its timer. */
	skel->rodata->wake_bytes = bpf_map__max_entries(skel->maps.events) / 4;
	err = biofloor_bpf__load(skel);
	if (err) {
		fprintf(stderr, "biofloor: cannot load the BPF programs: %s\n", strerror(-err));
		goto out;
	}
	err = biofloor_bpf__attach(skel);
	if (err) {
		fprintf(stderr,
			"biofloor: cannot attach to tp_btf/block_rq_issue+block_rq_complete: %s\n",
			strerror(-err));
		goto out;
	}
	if (streaming) {
		err = bench_drain(bpf_map__fd(skel->maps.events), "biofloor: streaming", &events);
		if (err)
			goto out;
	} else {
		fprintf(stderr, "biofloor: histogram: tracing, Ctrl-C to end\n");
		bench_wait_stop();
		for (unsigned int k = 0; k < SLOTS; k++)
			events += bench_percpu_sum(bpf_map__fd(skel->maps.hist), k);
	}
	fprintf(stderr, "biofloor: %s: %llu events, %llu lost\n", mode, events,
		bench_percpu_sum(bpf_map__fd(skel->maps.lost), 0));
out:
	biofloor_bpf__destroy(skel);
	return err ? 1 : 0;
}
