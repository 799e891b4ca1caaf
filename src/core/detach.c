// SPDX-License-Identifier: GPL-2.0-only
/* Detaching many hooks at once: see detach.h. */
#include <pthread.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "core/detach.h"

/* More threads than this gain nothing: a few grace periods cover them all. */
#define KS_DETACH_THREADS 16

struct ks_detach {
	struct bpf_link **links;
	int *fds;
	size_t n;
	size_t stride; /* thread t takes items t, t + stride, ... */
	size_t first;
};

static void *detach_some(void *arg)
{
	struct ks_detach *d = arg;

	for (size_t i = d->first; i < d->n; i += d->stride) {
		if (d->links) {
			bpf_link__destroy(d->links[i]);
			d->links[i] = NULL;
		} else if (d->fds[i] >= 0) {
			close(d->fds[i]);
			d->fds[i] = -1;
		}
	}
	return NULL;
}

static void detach_all(struct bpf_link **links, int *fds, size_t n)
{
	size_t nt = n < KS_DETACH_THREADS ? n : KS_DETACH_THREADS, started = 0;
	struct ks_detach d[KS_DETACH_THREADS];
	pthread_t tid[KS_DETACH_THREADS];

	for (size_t t = 0; t < nt; t++)
		d[t] = (struct ks_detach){
			.links = links, .fds = fds, .n = n, .stride = nt, .first = t
		};
	/* Thread 0's share is done here; a thread that cannot start leaves its share to us. */
	for (size_t t = 1; t < nt; t++) {
		if (pthread_create(&tid[t], NULL, detach_some, &d[t]))
			break;
		started = t;
	}
	for (size_t t = started + 1; t < nt; t++)
		detach_some(&d[t]);
	detach_some(&d[0]);
	for (size_t t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
}

void ks_links_destroy(struct bpf_link **links, size_t n)
{
	if (n)
		detach_all(links, NULL, n);
}

void ks_fds_close(int *fds, size_t n)
{
	if (n)
		detach_all(NULL, fds, n);
}
