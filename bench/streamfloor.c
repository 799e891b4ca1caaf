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

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "skel/streamfloor.skel.h"

#define DRAIN_MS 100

static volatile sig_atomic_t stop;
static unsigned long long events;

static void on_signal(int sig)
{
	stop = 1;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	events++;
	return 0;
}

static unsigned long long read_lost(struct streamfloor_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long sum = 0, *v;
	unsigned int key = 0;

	v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));
	if (v && ncpu > 0 && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.lost), &key, v))
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
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
	libbpf_set_print(silent);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

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
	while (!stop) {
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
	fprintf(stderr, "streamfloor: %s: %llu events, %llu lost\n", mode, events, read_lost(skel));
out:
	ring_buffer__free(rb);
	streamfloor_bpf__destroy(skel);
	return err ? 1 : 0;
}
