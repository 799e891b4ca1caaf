// SPDX-License-Identifier: GPL-2.0-only
/* tcpretransload: TCP retransmissions on loopback, forced by a socket filter that drops for a
 * while. */
/*
 * usage: tcpretransload [--netns-new] [-6] data BYTES DROP_MS [MSS]
 *        tcpretransload [--netns-new] [-6] synack DROP_MS [BYTES]
 *
 * Both ends are this process, on 127.0.0.1 (-6: ::1). Packets are dropped by a classic BPF
 * socket filter on the receiving socket (SO_ATTACH_FILTER): TCP runs it before it looks at a
 * packet (tcp_filter), so a dropped segment is lost as on a wire, and the sender's own
 * retransmissions and counters are the kernel's ordinary ones. No nft, tc or ip(8) needed:
 * it works in a private network namespace (--netns-new: unshare(CLONE_NEWNET), lo brought
 * up), where the namespace's counters (/proc/PID/net/snmp, netstat) count this process only.
 *
 * It prints "netns INODE", arms the SIGUSR1 trigger, waits for it, listens ("port P"), then:
 *   data     connects (the client's MSS set to MSS, default 1000, so an skb carries several
 *            segments), accepts, makes the accepted socket drop every segment, sends BYTES,
 *            and after DROP_MS ms lets segments in again; reads until all came.
 *   synack   makes the listener drop everything but SYNs (its SYN-ACKs' answers too), connects
 *            (the client is established at once; the server's side stays a request), sends
 *            BYTES (default 100); after DROP_MS ms lets packets in, accepts and reads them.
 *            The listener sends its SYN-ACK again 1 s after the first (then 3 s, 7 s ...).
 * Lines: "connected LPORT" (the client's port), "received N", then "done" once the connection
 * is closed at both ends with nothing left to send again (quiesce); it then holds
 * still, its sockets closed, until a second SIGUSR1 lets it exit 0: a tracer stopped in
 * between saw all of it. Exit codes: 0, 1 a system call failed, 2 bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trigger.h"

static bool v6;
static char buf[65536];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (write(STDOUT_FILENO, line, (size_t)n) != n)
		exit(1);
}

static void die(int code, const char *what)
{
	fprintf(stderr, "tcpretransload: %s: %s\n", what,
		code == 1 ? strerror(errno) : "bad usage");
	exit(code);
}

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < 0)
		die(2, s);
	return v;
}

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

/* lo up in a new network namespace: SIOCSIFFLAGS, no ip(8). */
static void netns_new(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd;

	if (unshare(CLONE_NEWNET))
		die(1, "unshare(CLONE_NEWNET)");
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr))
		die(1, "lo flags");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		die(1, "lo up");
	close(fd);
}

static socklen_t loopback(struct sockaddr_storage *ss, unsigned short port)
{
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons(port);
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = htons(port);
	return sizeof(*a);
}

static unsigned short local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die(1, "getsockname");
	return ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
			: ((struct sockaddr_in *)&ss)->sin_port);
}

/*
 * Drop every packet (@syn_only false), or all but those with SYN set: a TCP socket's filter
 * sees the packet from its TCP header on, whose byte 13 holds the flags.
 */
static void drop(int fd, bool syn_only)
{
	static struct sock_filter all[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	static struct sock_filter syn[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x02, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = syn_only ? 4 : 1, .filter = syn_only ? syn : all };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		die(1, "SO_ATTACH_FILTER");
}

static void undrop(int fd)
{
	int zero = 0;

	if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &zero, sizeof(zero)))
		die(1, "SO_DETACH_FILTER");
}

/*
 * Send @bytes from @cli and read them on *@srv, in one thread (both sockets non-blocking),
 * letting packets in again on @filtered at @until_ms; with @lsn, *@srv is accepted from
 * it once packets pass. Returns the bytes read.
 */
static long pump(int cli, int *srv, int lsn, int filtered, long bytes, unsigned long long until_ms)
{
	long sent = 0, got = 0;
	bool dropping = true;

	memset(buf, 'r', sizeof(buf));
	while (got < bytes) {
		struct pollfd p[2] = { { .fd = cli, .events = sent < bytes ? POLLOUT : 0 },
				       { .fd = *srv >= 0 ? *srv : -1, .events = POLLIN } };
		unsigned long long now = now_ms();
		int timeout = dropping ? (int)(until_ms > now ? until_ms - now : 0) : 100;
		ssize_t n;

		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			die(1, "poll");
		if (dropping && now_ms() >= until_ms) {
			undrop(filtered);
			dropping = false;
		}
		if (*srv < 0 && !dropping) {
			*srv = accept4(lsn, NULL, NULL, SOCK_NONBLOCK);
			if (*srv < 0 && errno != EAGAIN)
				die(1, "accept");
		}
		if (sent < bytes && (p[0].revents & POLLOUT)) {
			size_t want = (size_t)(bytes - sent) < sizeof(buf) ? (size_t)(bytes - sent)
									   : sizeof(buf);

			n = write(cli, buf, want);
			if (n < 0 && errno != EAGAIN)
				die(1, "write");
			sent += n > 0 ? n : 0;
		}
		if (*srv >= 0) {
			n = read(*srv, buf, sizeof(buf));
			if (n == 0)
				break;
			if (n < 0 && errno != EAGAIN)
				die(1, "read");
			got += n > 0 ? n : 0;
		}
	}
	return got;
}

/* The TCP state of @fd (TCP_ESTABLISHED ... TCP_CLOSE) and its unacknowledged segments. */
static int tcp_state(int fd, unsigned int *unacked)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		die(1, "TCP_INFO");
	*unacked = ti.tcpi_unacked;
	return ti.tcpi_state;
}

/*
 * Bring the connection to rest before "done": a tracer is stopped after it, and a
 * retransmission timer still armed then (an ACK that had not reached the client yet, a
 * FIN not yet acknowledged) could send a segment that the namespace's counters count and
 * the tracer never saw. So: wait until the client has nothing unacknowledged, shut both
 * directions down, and wait until both sockets are closed (FINs sent and acknowledged: no
 * timer left). At most 10 s.
 */
static void quiesce(int cli, int srv)
{
	unsigned long long until = now_ms() + 10000;
	unsigned int u1, u2;

	while (tcp_state(cli, &u1) == TCP_ESTABLISHED && u1) {
		if (now_ms() > until)
			die(1, "data unacknowledged after 10 s");
		poll(NULL, 0, 5);
	}
	if (shutdown(cli, SHUT_WR) || shutdown(srv, SHUT_WR))
		die(1, "shutdown");
	while (tcp_state(cli, &u1) != TCP_CLOSE || tcp_state(srv, &u2) != TCP_CLOSE) {
		if (now_ms() > until)
			die(1, "connection not closed after 10 s");
		poll(NULL, 0, 5);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	int i = 1, lsn, cli, srv = -1, one = 1, mss = 1000;
	bool netns = false, synack;
	long bytes, drop_ms;
	struct stat st;
	socklen_t len;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--netns-new"))
			netns = true;
		else if (!strcmp(argv[i], "-6"))
			v6 = true;
		else
			die(2, argv[i]);
	}
	if (i >= argc)
		die(2, "no mode");
	synack = !strcmp(argv[i], "synack");
	if (synack && argc - i >= 2 && argc - i <= 3) {
		drop_ms = num(argv[i + 1]);
		bytes = argc - i == 3 ? num(argv[i + 2]) : 100;
	} else if (!strcmp(argv[i], "data") && argc - i >= 3 && argc - i <= 4) {
		bytes = num(argv[i + 1]);
		drop_ms = num(argv[i + 2]);
		if (argc - i == 4)
			mss = (int)num(argv[i + 3]);
	} else {
		die(2, "usage: tcpretransload [--netns-new] [-6] data BYTES DROP_MS [MSS] | synack "
		       "DROP_MS [BYTES]");
	}
	if (netns)
		netns_new();
	if (stat("/proc/self/ns/net", &st))
		die(1, "/proc/self/ns/net");
	say("netns %lu\n", (unsigned long)st.st_ino);

	if (trigger_arm())
		die(1, "sigaction");
	trigger_wait();

	/* after the trigger: a tracer knows who listened, connected and accepted */
	lsn = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lsn < 0 || setsockopt(lsn, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die(1, "socket");
	len = loopback(&ss, 0);
	if (bind(lsn, (struct sockaddr *)&ss, len) || listen(lsn, 16))
		die(1, "listen");
	say("port %u\n", local_port(lsn));

	cli = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	if (cli < 0 || setsockopt(cli, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    (!synack && setsockopt(cli, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss))))
		die(1, "client socket");
	if (synack)
		drop(lsn, true);
	len = loopback(&ss, local_port(lsn));
	/* blocking: the handshake completes on loopback (synack: on the client's side) */
	if (connect(cli, (struct sockaddr *)&ss, len))
		die(1, "connect");
	say("connected %u\n", local_port(cli));
	if (fcntl(cli, F_SETFL, O_NONBLOCK))
		die(1, "fcntl");
	if (!synack) {
		struct pollfd p = { .fd = lsn, .events = POLLIN };

		if (poll(&p, 1, -1) != 1 || (srv = accept4(lsn, NULL, NULL, SOCK_NONBLOCK)) < 0)
			die(1, "accept");
		drop(srv, false);
	}
	say("received %ld\n", pump(cli, &srv, lsn, synack ? lsn : srv, bytes, now_ms() + drop_ms));
	if (srv < 0)
		die(1, "no connection accepted");
	quiesce(cli, srv);
	close(cli);
	close(srv);
	close(lsn);
	say("done\n");
	trigger_wait();
	return 0;
}
