// SPDX-License-Identifier: GPL-2.0-only
/* Loader and consumer for the streaming floor: drain the ring, count events and losses. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loader.h"
#include "skel/streamfloor.skel.h"

#define DRAIN_MS 100

static unsigned long long events;

static int on_event(void *ctx, void *data, size_t size)
{
	events++;
	return 0;
}

int main(int argc, char **argv)
{
	struct ring_buffer *rb = NULL;
	struct streamfloor_bpf *skel;
	const char *mode = "batched";
	bool wake_each = false;
	int err;

	if (argc > 1 && !strcmp(argv[1], "-w")) {
		wake_each = true;
		mode = "wakeup-per-event";
	} else if (argc > 1) {
		fprintf(stderr, "usage: streamfloor [-w]   (-w: a wake-up per event)\n");
		return 2;
	}
	bench_loader_init();

	skel = streamfloor_bpf__open();
	if (!skel) {
		fprintf(stderr, "streamfloor: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->nr_openat = SYS_openat;
	skel->rodata->wake_each = wake_each;
	/* Wake the reader at a quarter full, as kscope does; else it drains on its timer. */
	skel->rodata->wake_bytes = bpf_map__max_entries(skel->maps.events) / 4;
	err = streamfloor_bpf__load(skel);
	if (err) {
		fprintf(stderr, "streamfloor: cannot load the BPF programs: %s\n", strerror(-err));
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "streamfloor: cannot open the ring buffer: %s\n", strerror(errno));
		goto out;
	}
	err = streamfloor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "streamfloor: cannot attach to tp_btf/sys_enter+sys_exit: %s\n",
			strerror(-err));
		goto out;
	}
	fprintf(stderr, "streamfloor: %s: tracing, Ctrl-C to end\n", mode);
	while (!bench_stop) {
		/* Returns on a wake-up or after DRAIN_MS; a timeout consumes nothing, so drain. */
		err = ring_buffer__poll(rb, DRAIN_MS);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "streamfloor: polling the ring buffer: %s\n",
				strerror(-err));
			goto out;
		}
		ring_buffer__consume(rb);
	}
	ring_buffer__consume(rb);
	err = 0;
	fprintf(stderr, "streamfloor: %s: %llu events, %llu lost\n", mode, events,
		bench_percpu_sum(bpf_map__fd(skel->maps.lost), 0));
out:
	ring_buffer__free(rb);
	streamfloor_bpf__destroy(skel);
	return err ? 1 : 0;
}
