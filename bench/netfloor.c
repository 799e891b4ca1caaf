// SPDX-License-Identifier: GPL-2.0-only
/* Loader for the network floors: attach, drain or wait until Ctrl-C, print the counts. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "skel/netfloor.skel.h"

static unsigned long long events;

/* Counting mode: the sum of every (location, reason) count. */
static unsigned long long drops_total(int fd)
{
	unsigned long long sum = 0;
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long *v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));
	char key[16], next[16];
	void *prev = NULL;

	if (!v)
		return 0;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, sizeof(key));
		prev = key;
		if (bpf_map_lookup_elem(fd, key, v) == 0)
			for (int i = 0; i < ncpu; i++)
				sum += v[i];
	}
	free(v);
	return sum;
}

int main(int argc, char **argv)
{
	struct netfloor_bpf *skel;
	bool streaming;
	int err;

	if (argc != 2 || (strcmp(argv[1], "-d") && strcmp(argv[1], "-s"))) {
		fprintf(stderr, "usage: netfloor -d|-s   (-d: drops counted by location and reason "
				"on kfree_skb; -s: a ring-buffer record per closed TCP connection "
				"on inet_sock_set_state)\n");
		return 2;
	}
	streaming = !strcmp(argv[1], "-s");
	bench_loader_init();

	skel = netfloor_bpf__open();
	if (!skel) {
		fprintf(stderr, "netfloor: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	bpf_program__set_autoload(skel->progs.nf_drop, !streaming);
	bpf_program__set_autoload(skel->progs.nf_state, streaming);
	skel->rodata->wake_bytes = bpf_map__max_entries(skel->maps.events) / 4;
	err = netfloor_bpf__load(skel);
	if (err) {
		fprintf(stderr, "netfloor: cannot load the BPF programs: %s\n", strerror(-err));
		goto out;
	}
	err = netfloor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "netfloor: cannot attach to tp_btf/%s: %s\n",
			streaming ? "inet_sock_set_state" : "kfree_skb", strerror(-err));
		goto out;
	}
	if (streaming) {
		err = bench_drain(bpf_map__fd(skel->maps.events), "netfloor: streaming", &events);
		if (err)
			goto out;
		fprintf(stderr, "netfloor: streaming: %llu events, %llu lost\n", events,
			bench_percpu_sum(bpf_map__fd(skel->maps.lost), 0));
	} else {
		fprintf(stderr, "netfloor: drops: tracing, Ctrl-C to end\n");
		bench_wait_stop();
		fprintf(stderr, "netfloor: drops: %llu events, 0 lost\n",
			drops_total(bpf_map__fd(skel->maps.drops)));
	}
out:
	netfloor_bpf__destroy(skel);
	return err ? 1 : 0;
}
