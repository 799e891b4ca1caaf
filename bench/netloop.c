// SPDX-License-Identifier: GPL-2.0-only
/* The network workload: dropped UDP datagrams or whole TCP connections, in a namespace of its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

static const char usage[] =
	"usage: netloop [-n N] [-c CPU] [-w] udp|conn\n"
	"\n"
	"Runs in a network namespace of its own (unshare, lo up), pinned to CPU, then:\n"
	"  udp    N datagrams of 16 bytes to a closed port of 127.0.0.1 (sendto): each one is\n"
	"         dropped by the kernel (skb:kfree_skb, reason NO_SOCKET)\n"
	"  conn   N TCP connections to a listener of its own on 127.0.0.1: connect, accept,\n"
	"         8 bytes each way, close (client first): 10 state changes, two closes\n"
	"-w waits for SIGUSR1 after setting up (bench/trial). Prints its namespace, then one\n"
	"result line: elapsed_ns, ns_per_op, the 10th-percentile and median ns per op of its\n"
	"1000-operation chunks, busy_ns_per_op (the whole machine's busy CPU time over N), and\n"
	"ops_per_s.\n";

static unsigned long long *chunk;

static void chunk_mark(long long done, long long *ck)
{
	if (done % BENCH_CHUNK == 0)
		chunk[(*ck)++] = bench_mono_ns();
}

/* A namespace of our own: no other traffic in it, and its counters are ours alone. */
static int netns_new(void)
{
	struct ifreq ifr = { 0 };
	int fd;

	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "netloop: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	/*
	 * Enough ports for N connections in TIME_WAIT (the client closes first): the range
	 * and TIME_WAIT reuse are per namespace.
	 */
	fd = open("/proc/sys/net/ipv4/ip_local_port_range", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1024 65535", 10) < 0)
			fprintf(stderr, "netloop: ip_local_port_range: %s\n", strerror(errno));
		close(fd);
	}
	return 0;
}

static int run_udp(long long n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	char msg[16] = "kscope-netloop";
	long long ck = 0;
	int fd;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	for (long long i = 0; i < n; i++) {
		/* not connected: the ICMP errors that come back are not reported to us */
		if (sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			fprintf(stderr, "netloop: sendto: %s\n", strerror(errno));
			close(fd);
			return -1;
		}
		chunk_mark(i + 1, &ck);
	}
	close(fd);
	return 0;
}

static int listener(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd, one = 1;

	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr->sin_port = 0;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) || listen(fd, 128) ||
	    getsockname(fd, (struct sockaddr *)addr, &len)) {
		fprintf(stderr, "netloop: listen: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* One connection, start to end: the handshake and the data run in our own syscalls. */
static int one_conn(int lfd, const struct sockaddr_in *addr)
{
	char buf[8] = "ping-pon";
	int c, s = -1, err = -1;

	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0)
		return -1;
	if (connect(c, (const struct sockaddr *)addr, sizeof(*addr))) {
		fprintf(stderr, "netloop: connect: %s\n", strerror(errno));
		goto out;
	}
	s = accept(lfd, NULL, NULL);
	if (s < 0) {
		fprintf(stderr, "netloop: accept: %s\n", strerror(errno));
		goto out;
	}
	if (write(c, buf, sizeof(buf)) != sizeof(buf) || read(s, buf, sizeof(buf)) != sizeof(buf) ||
	    write(s, buf, sizeof(buf)) != sizeof(buf) || read(c, buf, sizeof(buf)) != sizeof(buf)) {
		fprintf(stderr, "netloop: data: %s\n", strerror(errno));
		goto out;
	}
	err = 0;
out:
	close(c);
	if (s >= 0)
		close(s);
	return err;
}

static int run_conn(long long n)
{
	struct sockaddr_in addr;
	long long ck = 0;
	int lfd = listener(&addr);

	if (lfd < 0)
		return -1;
	for (long long i = 0; i < n; i++) {
		if (one_conn(lfd, &addr)) {
			close(lfd);
			return -1;
		}
		chunk_mark(i + 1, &ck);
	}
	close(lfd);
	return 0;
}

int main(int argc, char **argv)
{
	int cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1, c, err;
	bool wait_signal = false;
	struct bench_span span;
	long long n = 1000000;
	const char *mode;
	char extra[32];
	struct stat st;

	while ((c = getopt(argc, argv, "n:c:wh")) != -1) {
		switch (c) {
		case 'n':
			n = strtoll(optarg, NULL, 0);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'w':
			wait_signal = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || n <= 0 ||
	    (strcmp(argv[optind], "udp") && strcmp(argv[optind], "conn"))) {
		fputs(usage, stderr);
		return 2;
	}
	mode = argv[optind];
	chunk = calloc(n / BENCH_CHUNK + 1, sizeof(*chunk));
	if (!chunk)
		return 1;
	if (netns_new())
		return 1;
	if (cpu >= 0 && bench_pin("netloop", cpu))
		return 1;
	if (stat("/proc/self/ns/net", &st) == 0)
		printf("netloop: netns=%lu\n", (unsigned long)st.st_ino);
	fflush(stdout);
	if (wait_signal && bench_wait_usr1())
		return 1;

	bench_span_begin(&span);
	err = !strcmp(mode, "udp") ? run_udp(n) : run_conn(n);
	bench_span_end(&span);
	if (err)
		return 1;
	snprintf(extra, sizeof(extra), "mode=%s", mode);
	bench_report("netloop", cpu, extra, n, &span, chunk, "ops_per_s");
	return 0;
}
