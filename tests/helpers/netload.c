// SPDX-License-Identifier: GPL-2.0-only
/* netload: a deterministic TCP/UDP workload started by SIGUSR1, for the network tools' tests. */
/*
 * usage: netload [--netns-new] [--snmp NAMES] MODE ARGS...
 *
 * Like schedload it arms the SIGUSR1 trigger (SigCgt bit 0x200 in /proc/PID/status says it
 * may be sent), waits for it, does what MODE says, prints one line per thing it did, prints
 * "done", then holds still until a second SIGUSR1 lets it exit 0: a tracer stopped in between
 * saw exactly what was printed. Sockets the mode did not close stay open while it holds.
 *
 * Global options (before MODE):
 *   --netns-new     unshare(CLONE_NEWNET) first and bring lo up (no ip(8) needed).
 *   --snmp NAMES    comma-separated counters as nstat names them: "Tcp"/"Udp"/"Ip"/"Icmp"...
 *                   + field from /proc/self/net/snmp (TcpActiveOpens, UdpNoPorts), "TcpExt"/
 *                   "IpExt" + field from /proc/self/net/netstat (TcpExtListenDrops), and the
 *                   names of /proc/self/net/snmp6 (Udp6NoPorts). Read before the trigger and
 *                   after the work; "snmp NAME DELTA" is printed for each before "done". They
 *                   are the counters of netload's network namespace (exact in --netns-new).
 * The first line is always "netns INODE" (of /proc/self/ns/net, after --netns-new).
 *
 * Modes (ADDR: an IPv4 or IPv6 address; PORT 0 means an ephemeral one; sizes take k or m):
 *   server ADDR PORT [--accept N] [--backlog B] [--send BYTES] [--recv BYTES | --drain]
 *                    [--no-accept] [--pingpong ROUNDS --size S]
 *        listens (SO_REUSEADDR, backlog B, default 16): "listening PID PORT"; then accepts N
 *        connections (default 1) one at a time; per connection: the ping-pong rounds (read S,
 *        write S), then reads exactly BYTES (--recv, default 0) or until EOF (--drain), sends
 *        --send BYTES and closes, printing "accepted LADDR LPORT RADDR RPORT rx=N tx=N"
 *        (+ " error=ENAME" if a read or write failed). With --drain the client closes first
 *        (it half-closes after sending), so every run takes the same TCP states.
 *        --no-accept: listen and never accept (a full accept queue), straight to "done".
 *   client ADDR PORT [--count N] [--send BYTES] [--recv BYTES] [--nodelay] [--linger0]
 *                    [--timeout-ms MS] [--keep-open] [--pause] [--pingpong ROUNDS --size S]
 *        N connections one after another (default 1): "connected LPORT" or "failed ENAME"
 *        (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH...: connect's error; with --timeout-ms a
 *        non-blocking connect waited for MS ms, then SO_ERROR, ETIMEDOUT if still pending).
 *        Per connection: the ping-pong rounds (write S, read S, TCP_NODELAY, then
 *        "pingpong LPORT rounds=R size=S min_ns=A max_ns=B" from the client's own clock),
 *        sends BYTES, half-closes (shutdown SHUT_WR), reads until EOF, closes:
 *        "closed LPORT tx=N rx=N" (+ " error=ENAME"). --recv BYTES: with --linger0, the
 *        bytes read before closing; --linger0: SO_LINGER 0, no half-close, so close() resets
 *        the connection (RST). --keep-open: connect only, no data, the sockets kept open.
 *        --pause: after each "connected" line, wait for a SIGUSR1 before the data (a test
 *        can add an nft drop rule to an established connection there, for retransmissions).
 *   pair [-6] [--count N] [--send BYTES] [--recv BYTES] [--pingpong ROUNDS --size S]
 *        [--backlog B] [--no-accept] [--nodelay] [--linger0] [--timeout-ms MS] [--pause]
 *        a server (a forked child) and a client (netload itself) on 127.0.0.1 (-6: ::1) and
 *        a port the server's bind chose: "server PID", "client PID", "port P", then the
 *        client's lines (as client's) and the server's ("listening SPID P", "accepted ..."),
 *        interleaved; the snmp lines and "done" come once the server has exited. The client
 *        sends BYTES, the server drains until EOF and replies --recv BYTES (with --linger0 it
 *        reads exactly BYTES instead). --no-accept: the server never accepts, the client
 *        only connects (--keep-open) and keeps its sockets open: with --backlog B the first
 *        B + 1 connections complete, the others' SYNs are dropped (use --timeout-ms).
 *   udp ADDR PORT [--count N] [--size S]
 *        N datagrams of S bytes (default 64) from one unconnected socket: "bound LPORT", then
 *        "sent N" (those sendto took) and, if some failed, "failed ENAME K".
 *   udpsink ADDR PORT [--count N]
 *        binds: "listening PID PORT"; receives until N datagrams came (--count), or until
 *        the next SIGUSR1 (then takes what is already queued): "received N bytes=B".
 *   refuse [-6] [--count N]
 *        a TCP socket bound to 127.0.0.1 (::1) port P, never listening: "port P"; then N
 *        times: a socket bound to an ephemeral port, "connecting LPORT", connect to P:
 *        "failed ECONNREFUSED" (each one TcpActiveOpens, TcpAttemptFails and TcpOutRsts).
 *
 * Output uses one write(2) a line (the pair's two processes share stdout). Exit codes: 0 done
 * (a failed connection is an outcome, not an error), 1 a system call failed unexpectedly
 * (message on stderr), 2 bad arguments or an unknown counter.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trigger.h"

enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define MAX_COUNTERS 32
#define MAX_KEEP     1024
#define BUF_SIZE     65536

/* Which mode takes an option (bit per mode). */
enum mode { M_SERVER, M_CLIENT, M_PAIR, M_UDP, M_UDPSINK, M_REFUSE, M_NONE };
#define B(m) (1u << (m))

struct opts {
	enum mode mode;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	long count, accept_n, backlog, send_bytes, recv_bytes, rounds, size, timeout_ms;
	bool drain, no_accept, nodelay, linger0, keep_open, pause, v6;
};

/* A long option not given (the defaults come after parsing: some depend on the mode). */
#define UNSET LONG_MIN

struct counter {
	const char *name;
	long long before;
};

static char buf[BUF_SIZE];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = (int)strlen(line);
	if (write(1, line, (size_t)n) != n)
		exit(EXIT_FAIL);
}

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("netload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* What failed, on what, why: a system call that should not have. */
#define die_sys(what) die(EXIT_FAIL, "%s: %s", what, strerror(errno))

/* errno's symbolic name ("ECONNREFUSED"): what the tests match. */
static const char *ename(int e)
{
	static char other[16];
	const char *n = strerrorname_np(e);

	if (n)
		return n;
	snprintf(other, sizeof(other), "E%d", e);
	return other;
}

static long num(const char *s, const char *what, long min, long max)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s)
		die(EXIT_USAGE, "bad %s '%s'", what, s);
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1048576, end++;
	if (*end || v < min || v > max)
		die(EXIT_USAGE, "bad %s '%s' (%ld to %ld)", what, s, min, max);
	return (long)v;
}

static void parse_addr(struct opts *o, const char *s, const char *port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&o->addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&o->addr;
	uint16_t p = (uint16_t)num(port, "port", 0, 65535);

	memset(&o->addr, 0, sizeof(o->addr));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(p);
		o->addrlen = sizeof(*a4);
	} else if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(p);
		o->addrlen = sizeof(*a6);
	} else {
		die(EXIT_USAGE, "bad address '%s' (an IPv4 or IPv6 address)", s);
	}
}

static void loopback_addr(struct opts *o)
{
	parse_addr(o, o->v6 ? "::1" : "127.0.0.1", "0");
}

static int port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static void set_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

static const char *addr_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
	const void *a = ss->ss_family == AF_INET6
				? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
				: (const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	if (!inet_ntop(ss->ss_family, a, out, (socklen_t)len))
		snprintf(out, len, "?");
	return out;
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die_sys("getsockname");
	return port_of(&ss);
}

/* The same address family's wildcard address, port 0. */
static void wildcard_of(const struct opts *o, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = o->addr.ss_family;
}

static void setopt_int(int fd, int level, int name, int val, const char *what)
{
	if (setsockopt(fd, level, name, &val, sizeof(val)))
		die_sys(what);
}

/* --- the namespace ------------------------------------------------------------------- */

static void netns_new(void)
{
	struct ifreq ifr = { 0 };
	int fd;

	if (unshare(CLONE_NEWNET))
		die_sys("unshare(CLONE_NEWNET)");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_sys("socket");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		die_sys("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		die_sys("SIOCSIFFLAGS lo up");
	close(fd);
}

static unsigned long long netns_inode(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		die_sys("stat /proc/self/ns/net");
	return (unsigned long long)st.st_ino;
}

/*
 * Counter @name of a snmp/netstat style file: pairs of lines "Tcp: Field1 Field2..." and
 * "Tcp: 1 2...", named prefix + field. 1 if found.
 */
static int table_lookup(const char *path, const char *name, long long *val)
{
	char head[8192], vals[8192];
	int found = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (!found && fgets(head, sizeof(head), f) && fgets(vals, sizeof(vals), f)) {
		char *hs, *vs, *h, *v;
		size_t plen;

		h = strtok_r(head, " \n", &hs);
		v = strtok_r(vals, " \n", &vs);
		if (!h || !v || strcmp(h, v))
			continue;
		plen = strlen(h) - 1; /* without its ':' */
		if (strncmp(name, h, plen))
			continue;
		while ((h = strtok_r(NULL, " \n", &hs)) && (v = strtok_r(NULL, " \n", &vs))) {
			if (!strcmp(name + plen, h)) {
				*val = strtoll(v, NULL, 10);
				found = 1;
				break;
			}
		}
	}
	fclose(f);
	return found;
}

/* A counter of /proc/self/net/snmp6: "Name value" lines. */
static int snmp6_lookup(const char *name, long long *val)
{
	char line[256], key[128];
	long long v;
	int found = 0;
	FILE *f = fopen("/proc/self/net/snmp6", "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %lld", key, &v) == 2 && !strcmp(key, name)) {
			*val = v;
			found = 1;
		}
	fclose(f);
	return found;
}

static long long counter_read(const char *name)
{
	long long v = 0;

	if (table_lookup("/proc/self/net/snmp", name, &v) ||
	    table_lookup("/proc/self/net/netstat", name, &v) || snmp6_lookup(name, &v))
		return v;
	die(EXIT_USAGE,
	    "no counter %s in /proc/self/net/snmp, netstat or snmp6 (names as nstat prints them)",
	    name);
}

static int counters_parse(char *names, struct counter *c)
{
	int n = 0;

	for (char *s, *t = strtok_r(names, ",", &s); t; t = strtok_r(NULL, ",", &s)) {
		if (n == MAX_COUNTERS)
			die(EXIT_USAGE, "more than %d counters", MAX_COUNTERS);
		c[n].name = t;
		c[n].before = counter_read(t);
		n++;
	}
	return n;
}

/* --- TCP ----------------------------------------------------------------------------- */

/* Read exactly @want bytes (want < 0: until EOF); what came. *err: errno of a failure. */
static long read_bytes(int fd, long want, int *err)
{
	long got = 0;

	while (want < 0 || got < want) {
		size_t chunk = sizeof(buf);
		ssize_t n;

		if (want >= 0 && (size_t)(want - got) < chunk)
			chunk = (size_t)(want - got);
		n = read(fd, buf, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (!*err)
				*err = errno;
			break;
		}
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

static long write_bytes(int fd, long want, int *err)
{
	long put = 0;

	memset(buf, 'n', sizeof(buf));
	while (put < want) {
		size_t chunk =
			(size_t)(want - put) < sizeof(buf) ? (size_t)(want - put) : sizeof(buf);
		ssize_t n = send(fd, buf, chunk, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (!*err)
				*err = errno;
			break;
		}
		put += n;
	}
	return put;
}

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

/* @rounds exchanges of @size bytes each way; the client writes first. Bytes to *rx, *tx. */
static void pingpong(int fd, const struct opts *o, bool client, long *rx, long *tx, int *err)
{
	unsigned long long min = ~0ULL, max = 0;

	for (long r = 0; r < o->rounds && !*err; r++) {
		unsigned long long t = mono_ns();

		if (client)
			*tx += write_bytes(fd, o->size, err);
		*rx += read_bytes(fd, o->size, err);
		if (!client)
			*tx += write_bytes(fd, o->size, err);
		t = mono_ns() - t;
		min = t < min ? t : min;
		max = t > max ? t : max;
	}
	if (client && o->rounds)
		say("pingpong %d rounds=%ld size=%ld min_ns=%llu max_ns=%llu\n", local_port(fd),
		    o->rounds, o->size, min == ~0ULL ? 0 : min, max);
}

static const char *error_note(int err, char *out, size_t len)
{
	if (err)
		snprintf(out, len, " error=%s", ename(err));
	else
		out[0] = '\0';
	return out;
}

/* A listening socket on @o's address: "listening PID PORT". */
static int listen_on(const struct opts *o)
{
	int fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die_sys("socket");
	setopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (bind(fd, (const struct sockaddr *)&o->addr, o->addrlen))
		die_sys("bind");
	if (listen(fd, (int)o->backlog))
		die_sys("listen");
	say("listening %d %d\n", (int)getpid(), local_port(fd));
	return fd;
}

/* One accepted connection: ping-pong, read, send, close; its "accepted" line. */
static void serve_one(int fd, const struct opts *o)
{
	struct sockaddr_storage l, r;
	socklen_t ll = sizeof(l), rl = sizeof(r);
	char la[INET6_ADDRSTRLEN], ra[INET6_ADDRSTRLEN], note[32];
	long rx = 0, tx = 0;
	int err = 0;

	if (getsockname(fd, (struct sockaddr *)&l, &ll) ||
	    getpeername(fd, (struct sockaddr *)&r, &rl))
		die_sys("getsockname/getpeername");
	if (o->nodelay || o->rounds)
		setopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
	pingpong(fd, o, false, &rx, &tx, &err);
	if (!err)
		rx += read_bytes(fd, o->drain ? -1 : o->recv_bytes, &err);
	if (!err)
		tx += write_bytes(fd, o->send_bytes, &err);
	close(fd);
	say("accepted %s %d %s %d rx=%ld tx=%ld%s\n", addr_text(&l, la, sizeof(la)), port_of(&l),
	    addr_text(&r, ra, sizeof(ra)), port_of(&r), rx, tx,
	    error_note(err, note, sizeof(note)));
}

static void accept_loop(int lfd, const struct opts *o)
{
	for (long i = 0; i < o->accept_n; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0 && errno == EINTR) {
			i--;
			continue;
		}
		if (fd < 0)
			die_sys("accept");
		serve_one(fd, o);
	}
}

static int mode_server(const struct opts *o)
{
	int lfd = listen_on(o);

	/* --no-accept: the listener (and its queue) stays open until exit */
	if (!o->no_accept) {
		accept_loop(lfd, o);
		close(lfd);
	}
	return 0;
}

/* Connect @fd to @o's address; 0 or the errno connect (or SO_ERROR) gave. */
static int connect_to(int fd, const struct opts *o)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0, flags, n;

	if (o->timeout_ms < 0) {
		while (connect(fd, (const struct sockaddr *)&o->addr, o->addrlen))
			if (errno != EINTR)
				return errno;
		return 0;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK))
		die_sys("fcntl O_NONBLOCK");
	if (connect(fd, (const struct sockaddr *)&o->addr, o->addrlen) && errno != EINPROGRESS)
		return errno;
	do
		n = poll(&p, 1, (int)o->timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die_sys("poll");
	if (n == 0)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		die_sys("getsockopt SO_ERROR");
	if (!err && fcntl(fd, F_SETFL, flags))
		die_sys("fcntl");
	return err;
}

/* One client connection; with --keep-open its fd, otherwise -1. */
static int client_one(const struct opts *o)
{
	int fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	long rx = 0, tx = 0;
	char note[32];
	int err, port;

	if (fd < 0)
		die_sys("socket");
	if (o->nodelay || o->rounds)
		setopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
	if (o->linger0) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
			die_sys("SO_LINGER");
	}
	err = connect_to(fd, o);
	if (err) {
		close(fd);
		say("failed %s\n", ename(err));
		return -1;
	}
	port = local_port(fd);
	say("connected %d\n", port);
	if (o->keep_open)
		return fd;
	if (o->pause)
		trigger_wait();
	pingpong(fd, o, true, &rx, &tx, &err);
	if (!err)
		tx += write_bytes(fd, o->send_bytes, &err);
	if (o->linger0) {
		if (!err)
			rx += read_bytes(fd, o->recv_bytes, &err);
	} else if (!err) {
		/* the client closes first: the same TCP states every time */
		if (shutdown(fd, SHUT_WR))
			err = errno;
		else
			rx += read_bytes(fd, -1, &err);
	}
	close(fd);
	say("closed %d tx=%ld rx=%ld%s\n", port, tx, rx, error_note(err, note, sizeof(note)));
	return -1;
}

static int keep[MAX_KEEP];

static int mode_client(const struct opts *o)
{
	int kept = 0;

	for (long i = 0; i < o->count; i++) {
		int fd = client_one(o);

		if (fd >= 0 && kept < MAX_KEEP)
			keep[kept++] = fd;
	}
	return 0;
}

/* pair's server child: until @o's connections are served, or (--no-accept) @hold closes. */
static void pair_server(struct opts *o, int port_w, int hold_r)
{
	int lfd, port;
	char c;

	lfd = listen_on(o);
	port = local_port(lfd);
	if (write(port_w, &port, sizeof(port)) != sizeof(port))
		die_sys("write");
	close(port_w);
	if (o->no_accept) {
		while (read(hold_r, &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	accept_loop(lfd, o);
	_exit(0);
}

static pid_t pair_child;
static int pair_hold = -1;

static int mode_pair(struct opts *o)
{
	struct opts srv = *o;
	int port_p[2], hold_p[2], port, status;

	if (pipe2(port_p, O_CLOEXEC) || pipe2(hold_p, O_CLOEXEC))
		die_sys("pipe");
	/* the server: replies --recv BYTES, drains the client's (or reads exactly, for RST) */
	srv.accept_n = o->count;
	srv.send_bytes = o->recv_bytes;
	srv.recv_bytes = o->send_bytes;
	srv.drain = !o->linger0;
	pair_child = fork();
	if (pair_child < 0)
		die_sys("fork");
	if (pair_child == 0) {
		close(port_p[0]);
		close(hold_p[1]);
		pair_server(&srv, port_p[1], hold_p[0]);
	}
	close(port_p[1]);
	close(hold_p[0]);
	pair_hold = hold_p[1];
	say("server %d\n", (int)pair_child);
	say("client %d\n", (int)getpid());
	if (read(port_p[0], &port, sizeof(port)) != sizeof(port))
		die(EXIT_FAIL, "the server (pid %d) did not say its port", (int)pair_child);
	close(port_p[0]);
	say("port %d\n", port);
	set_port(&o->addr, port);
	o->keep_open = o->no_accept;
	mode_client(o);
	if (o->no_accept)
		return 0; /* the server lives until the hold ends */
	while (waitpid(pair_child, &status, 0) < 0)
		if (errno != EINTR)
			die_sys("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die(EXIT_FAIL, "the server (pid %d) failed (status %#x)", (int)pair_child, status);
	pair_child = 0;
	return 0;
}

/* After the hold: a --no-accept pair's server ends with its pipe. */
static void pair_end(void)
{
	int status;

	if (pair_child <= 0)
		return;
	close(pair_hold);
	while (waitpid(pair_child, &status, 0) < 0 && errno == EINTR)
		;
}

static int mode_refuse(struct opts *o)
{
	struct sockaddr_storage from;
	int target, port;

	/* bound, never listening: a port nothing can take while this runs, and no listener */
	target = socket(o->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (target < 0)
		die_sys("socket");
	if (bind(target, (const struct sockaddr *)&o->addr, o->addrlen))
		die_sys("bind");
	port = local_port(target);
	say("port %d\n", port);
	set_port(&o->addr, port);
	from = o->addr;
	set_port(&from, 0);
	for (long i = 0; i < o->count; i++) {
		int fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int err;

		if (fd < 0)
			die_sys("socket");
		if (bind(fd, (const struct sockaddr *)&from, o->addrlen))
			die_sys("bind");
		say("connecting %d\n", local_port(fd));
		err = connect_to(fd, o);
		if (err)
			say("failed %s\n", ename(err));
		else
			say("connected %d\n", local_port(fd));
		close(fd);
	}
	close(target);
	return 0;
}

/* --- UDP ----------------------------------------------------------------------------- */

static int mode_udp(const struct opts *o)
{
	struct sockaddr_storage any;
	long sent = 0, failed = 0;
	int fd, err = 0;

	fd = socket(o->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_sys("socket");
	wildcard_of(o, &any);
	if (bind(fd, (const struct sockaddr *)&any, o->addrlen))
		die_sys("bind");
	say("bound %d\n", local_port(fd));
	memset(buf, 'u', (size_t)o->size);
	for (long i = 0; i < o->count; i++) {
		if (sendto(fd, buf, (size_t)o->size, 0, (const struct sockaddr *)&o->addr,
			   o->addrlen) >= 0) {
			sent++;
			continue;
		}
		/* an nft output drop says EPERM; an ICMP error ECONNREFUSED: outcomes */
		if (errno == EINTR) {
			i--;
			continue;
		}
		err = errno;
		failed++;
	}
	close(fd);
	say("sent %ld\n", sent);
	if (failed)
		say("failed %s %ld\n", ename(err), failed);
	return 0;
}

static int mode_udpsink(const struct opts *o)
{
	struct pollfd p;
	sigset_t waitmask;
	long got = 0, bytes = 0;
	int fd;

	fd = socket(o->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_sys("socket");
	if (bind(fd, (const struct sockaddr *)&o->addr, o->addrlen))
		die_sys("bind");
	say("listening %d %d\n", (int)getpid(), local_port(fd));
	/* SIGUSR1 gets in only while waiting in ppoll: then the queue is taken and we stop */
	sigprocmask(SIG_BLOCK, NULL, &waitmask);
	sigdelset(&waitmask, SIGUSR1);
	trigger_seen = 0;
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (o->count < 0 || got < o->count) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n >= 0) {
			got++;
			bytes += n;
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			die_sys("recv");
		if (trigger_seen)
			break;
		if (ppoll(&p, 1, NULL, &waitmask) < 0 && errno != EINTR)
			die_sys("ppoll");
	}
	close(fd);
	say("received %ld bytes=%ld\n", got, bytes);
	return 0;
}

/* --- arguments ----------------------------------------------------------------------- */

static const char *const mode_names[] = { "server", "client", "pair", "udp", "udpsink", "refuse" };

static void usage(void)
{
	die(EXIT_USAGE, "usage: netload [--netns-new] [--snmp NAMES] "
			"server|client|pair|udp|udpsink|refuse ARGS... (see the top of netload.c)");
}

#define ALL_TCP		(B(M_SERVER) | B(M_CLIENT) | B(M_PAIR))
#define LONG_OPT(field) offsetof(struct opts, field), false
#define FLAG_OPT(field) offsetof(struct opts, field), true

/* The modes' options: the modes that take each, and the long it sets (or the flag). */
static const struct optdef {
	const char *name;
	unsigned modes;
	long min, max;
	size_t off;
	bool flag;
} optdefs[] = {
	{ "--count", B(M_CLIENT) | B(M_PAIR) | B(M_UDP) | B(M_UDPSINK) | B(M_REFUSE), 1, 1000000,
	  LONG_OPT(count) },
	{ "--accept", B(M_SERVER), 0, 1000000, LONG_OPT(accept_n) },
	{ "--backlog", B(M_SERVER) | B(M_PAIR), 0, 65535, LONG_OPT(backlog) },
	{ "--send", ALL_TCP, 0, LONG_MAX / 2, LONG_OPT(send_bytes) },
	{ "--recv", ALL_TCP, 0, LONG_MAX / 2, LONG_OPT(recv_bytes) },
	{ "--pingpong", ALL_TCP, 1, 10000000, LONG_OPT(rounds) },
	{ "--size", ALL_TCP | B(M_UDP), 1, 65507, LONG_OPT(size) },
	{ "--timeout-ms", B(M_CLIENT) | B(M_PAIR) | B(M_REFUSE), 0, 3600000, LONG_OPT(timeout_ms) },
	{ "--drain", B(M_SERVER), 0, 0, FLAG_OPT(drain) },
	{ "--no-accept", B(M_SERVER) | B(M_PAIR), 0, 0, FLAG_OPT(no_accept) },
	{ "--nodelay", ALL_TCP, 0, 0, FLAG_OPT(nodelay) },
	{ "--linger0", B(M_CLIENT) | B(M_PAIR), 0, 0, FLAG_OPT(linger0) },
	{ "--keep-open", B(M_CLIENT), 0, 0, FLAG_OPT(keep_open) },
	{ "--pause", B(M_CLIENT) | B(M_PAIR), 0, 0, FLAG_OPT(pause) },
	{ "-6", B(M_PAIR) | B(M_REFUSE), 0, 0, FLAG_OPT(v6) },
};

/* Set @o's options from @argv; the longs not given stay UNSET. */
static void parse_mode_opts(struct opts *o, int argc, char **argv)
{
	const char *mode = mode_names[o->mode];

	for (int i = 0; i < argc; i++) {
		const struct optdef *d = NULL;

		for (size_t k = 0; k < sizeof(optdefs) / sizeof(optdefs[0]) && !d; k++)
			if (!strcmp(argv[i], optdefs[k].name))
				d = &optdefs[k];
		if (!d)
			die(EXIT_USAGE, "%s: unknown option '%s'", mode, argv[i]);
		if (!(d->modes & B(o->mode)))
			die(EXIT_USAGE, "%s: no option %s in this mode", mode, d->name);
		if (d->flag) {
			*(bool *)((char *)o + d->off) = true;
			continue;
		}
		if (++i == argc)
			die(EXIT_USAGE, "%s: %s needs a value", mode, d->name);
		*(long *)((char *)o + d->off) = num(argv[i], d->name + 2, d->min, d->max);
	}
	if (o->drain && o->recv_bytes != UNSET)
		die(EXIT_USAGE, "server: --recv and --drain exclude each other");
	if ((o->rounds != UNSET) != (o->size != UNSET) && o->mode != M_UDP)
		die(EXIT_USAGE, "%s: --pingpong and --size go together", mode);
}

static long or_default(long v, long dflt)
{
	return v == UNSET ? dflt : v;
}

/* The defaults of what was not given (see the top). */
static void opts_default(struct opts *o)
{
	o->count = or_default(o->count, o->mode == M_UDPSINK ? -1 : 1); /* -1: until SIGUSR1 */
	o->accept_n = or_default(o->accept_n, 1);
	o->backlog = or_default(o->backlog, 16);
	o->send_bytes = or_default(o->send_bytes, 0);
	o->recv_bytes = or_default(o->recv_bytes, 0);
	o->rounds = or_default(o->rounds, 0);
	o->size = or_default(o->size, o->mode == M_UDP ? 64 : 0);
	o->timeout_ms = or_default(o->timeout_ms, -1); /* -1: a blocking connect */
}

static void parse_mode(struct opts *o, int argc, char **argv)
{
	int pos = 0;

	if (argc < 1)
		usage();
	o->mode = M_NONE;
	for (int m = 0; m < M_NONE; m++)
		if (!strcmp(argv[0], mode_names[m]))
			o->mode = (enum mode)m;
	if (o->mode == M_NONE)
		die(EXIT_USAGE, "unknown mode '%s'", argv[0]);
	if (o->mode == M_SERVER || o->mode == M_CLIENT || o->mode == M_UDP ||
	    o->mode == M_UDPSINK) {
		if (argc < 3 || argv[1][0] == '-' || argv[2][0] == '-')
			die(EXIT_USAGE, "%s: needs ADDR PORT", argv[0]);
		pos = 2;
	}
	parse_mode_opts(o, argc - 1 - pos, argv + 1 + pos);
	opts_default(o);
	if (pos)
		parse_addr(o, argv[1], argv[2]);
	else
		loopback_addr(o);
	if ((o->mode == M_CLIENT || o->mode == M_UDP) && !port_of(&o->addr))
		die(EXIT_USAGE, "%s: port 0 is nothing to send to", argv[0]);
}

int main(int argc, char **argv)
{
	struct opts o = { .count = UNSET,
			  .accept_n = UNSET,
			  .backlog = UNSET,
			  .send_bytes = UNSET,
			  .recv_bytes = UNSET,
			  .rounds = UNSET,
			  .size = UNSET,
			  .timeout_ms = UNSET };
	struct counter ctr[MAX_COUNTERS];
	bool netns = false;
	char *snmp = NULL;
	int i = 1, nctr = 0, ret = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--netns-new"))
			netns = true;
		else if (!strcmp(argv[i], "--snmp") && i + 1 < argc)
			snmp = argv[++i];
		else
			usage();
	}
	parse_mode(&o, argc - i, argv + i);
	if (netns)
		netns_new();
	if (snmp)
		nctr = counters_parse(snmp, ctr);
	say("netns %llu\n", netns_inode());
	if (trigger_arm())
		die_sys("sigaction");
	trigger_wait();
	switch (o.mode) {
	case M_SERVER:
		ret = mode_server(&o);
		break;
	case M_CLIENT:
		ret = mode_client(&o);
		break;
	case M_PAIR:
		ret = mode_pair(&o);
		break;
	case M_UDP:
		ret = mode_udp(&o);
		break;
	case M_UDPSINK:
		ret = mode_udpsink(&o);
		break;
	case M_REFUSE:
		ret = mode_refuse(&o);
		break;
	case M_NONE:
		break;
	}
	for (int c = 0; c < nctr; c++)
		say("snmp %s %lld\n", ctr[c].name, counter_read(ctr[c].name) - ctr[c].before);
	say("done\n");
	trigger_wait();
	pair_end();
	return ret;
}
