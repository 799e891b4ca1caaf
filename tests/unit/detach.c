// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of src/core/detach: every fd closed once, whatever the count of threads. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>

#include "core/detach.h"
#include "ktest.h"

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

/* @n pipe ends closed: all of them, each entry -1, and nothing else touched. */
static void close_n(size_t n)
{
	int fds[64], keep[2], saved[64];

	CHECK(pipe(keep) == 0, "pipe");
	for (size_t i = 0; i < n; i += 2) {
		int p[2];

		CHECK(pipe(p) == 0, "pipe");
		fds[i] = p[0];
		if (i + 1 < n)
			fds[i + 1] = p[1];
		else
			close(p[1]);
	}
	memcpy(saved, fds, n * sizeof(*fds));
	ks_fds_close(fds, n);
	for (size_t i = 0; i < n; i++) {
		CHECK_INT(fds[i], -1);
		CHECK(!is_open(saved[i]), "fd %d of %zu still open", saved[i], n);
	}
	CHECK(is_open(keep[0]) && is_open(keep[1]), "an fd not in the list was closed");
	close(keep[0]);
	close(keep[1]);
}

static void test_counts(void)
{
	/* none; one (no thread); fewer than the threads; more (several a thread) */
	close_n(0);
	close_n(1);
	close_n(7);
	close_n(16);
	close_n(17);
	close_n(64);
}

static void test_skips_closed(void)
{
	int p[2], fds[3];

	CHECK(pipe(p) == 0, "pipe");
	fds[0] = p[0];
	fds[1] = -1;
	fds[2] = p[1];
	ks_fds_close(fds, 3);
	CHECK(fds[0] == -1 && fds[1] == -1 && fds[2] == -1, "entries %d %d %d", fds[0], fds[1],
	      fds[2]);
	CHECK(!is_open(p[0]) && !is_open(p[1]), "pipe left open");
}

static void test_links_null(void)
{
	struct bpf_link *links[3] = { NULL, NULL, NULL };

	/* libbpf's destroy takes NULL; the entries stay NULL */
	ks_links_destroy(links, 3);
	CHECK(!links[0] && !links[1] && !links[2], "links set");
}

int main(void)
{
	RUN(test_counts);
	RUN(test_skips_closed);
	RUN(test_links_null);
	return kt_done();
}
