// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of src/core/net: the flow filter options, names, and a flow as JSON. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/stat.h>

#include "core/net.h"
#include "ktest.h"

static struct kt_mem mem;

static int opt(int (*fn)(const char *, void *, char *, size_t), const char *arg, void *field,
	       char *err)
{
	err[0] = '\0';
	return fn(arg, field, err, 256);
}

static void test_ports(void)
{
	struct ks_net_ports p;
	char err[256];

	CHECK_INT(opt(ks_ports_opt, "80", &p, err), 0);
	CHECK_UINT(p.n, 1);
	CHECK_UINT(p.p[0], 80);
	CHECK_INT(opt(ks_ports_opt, "1,443,65535", &p, err), 0);
	CHECK_UINT(p.n, 3);
	CHECK_UINT(p.p[1], 443);
	CHECK_UINT(p.p[2], 65535);
	CHECK_INT(opt(ks_ports_opt, "0", &p, err), -EINVAL);
	CHECK(strstr(err, "'0' is not a port"), "err: %s", err);
	CHECK_INT(opt(ks_ports_opt, "65536", &p, err), -EINVAL);
	CHECK_INT(opt(ks_ports_opt, "http", &p, err), -EINVAL);
	CHECK_INT(opt(ks_ports_opt, ",", &p, err), -EINVAL);
	CHECK(strstr(err, "no port"), "err: %s", err);
	CHECK_INT(opt(ks_ports_opt, "1,2,3,4,5,6,7,8", &p, err), 0);
	CHECK_UINT(p.n, KS_NET_PORTS);
	CHECK_INT(opt(ks_ports_opt, "1,2,3,4,5,6,7,8,9", &p, err), -EINVAL);
	CHECK(strstr(err, "more than 8"), "err: %s", err);
}

static void test_addrs(void)
{
	struct ks_net_addr a;
	unsigned char want[16];
	char err[256];

	CHECK_INT(opt(ks_addr_opt, "10.1.2.3", &a, err), 0);
	CHECK_UINT(a.family, AF_INET);
	CHECK_UINT(a.bits, 32);
	inet_pton(AF_INET, "10.1.2.3", want);
	CHECK(!memcmp(a.addr, want, 4), "address bytes");
	CHECK_INT(opt(ks_addr_opt, "10.0.0.0/8", &a, err), 0);
	CHECK_UINT(a.bits, 8);
	CHECK_INT(opt(ks_addr_opt, "fd00::1", &a, err), 0);
	CHECK_UINT(a.family, AF_INET6);
	CHECK_UINT(a.bits, 128);
	inet_pton(AF_INET6, "fd00::1", want);
	CHECK(!memcmp(a.addr, want, 16), "IPv6 address bytes");
	CHECK_INT(opt(ks_addr_opt, "fd00::/64", &a, err), 0);
	CHECK_UINT(a.bits, 64);
	CHECK_INT(opt(ks_addr_opt, "10.0.0.0/33", &a, err), -EINVAL);
	CHECK(strstr(err, "longer than an IPv4"), "err: %s", err);
	CHECK_INT(opt(ks_addr_opt, "fd00::/129", &a, err), -EINVAL);
	CHECK_INT(opt(ks_addr_opt, "10.0.0.0/x", &a, err), -EINVAL);
	CHECK_INT(opt(ks_addr_opt, "example.com", &a, err), -EINVAL);
	CHECK(strstr(err, "not an IPv4 or IPv6 address"), "err: %s", err);
	CHECK_INT(opt(ks_addr_opt, "", &a, err), -EINVAL);
}

static void test_netns(void)
{
	unsigned int ns = 0;
	struct stat st;
	char err[256];

	CHECK_INT(opt(ks_netns_opt, "4026531840", &ns, err), 0);
	CHECK_UINT(ns, 4026531840u);
	if (stat("/proc/self/ns/net", &st) == 0) {
		CHECK_INT(opt(ks_netns_opt, "/proc/self/ns/net", &ns, err), 0);
		CHECK_UINT(ns, (unsigned int)st.st_ino);
	}
	CHECK_INT(opt(ks_netns_opt, "ks-no-such-namespace", &ns, err), -EINVAL);
	CHECK(strstr(err, "/run/netns/ks-no-such-namespace"), "err: %s", err);
	CHECK_INT(opt(ks_netns_opt, "/proc", &ns, err), -EINVAL);
	CHECK(strstr(err, "not a namespace file"), "err: %s", err);
	CHECK_INT(opt(ks_netns_opt, "0", &ns, err), -EINVAL);
}

static void test_names(void)
{
	char buf[64];
	unsigned char a4[16] = { 127, 0, 0, 1 }, a6[16] = { 0 };

	a6[15] = 1;
	CHECK(!strcmp(ks_tcp_state_name(1), "ESTABLISHED"), "1");
	CHECK(!strcmp(ks_tcp_state_name(KS_TCP_SYN_SENT), "SYN_SENT"), "SYN_SENT");
	CHECK(!strcmp(ks_tcp_state_name(KS_TCP_NEW_SYN_RECV), "NEW_SYN_RECV"), "12");
	CHECK(!strcmp(ks_tcp_state_name(0), "UNKNOWN"), "0");
	CHECK(!strcmp(ks_tcp_state_name(99), "UNKNOWN"), "99");
	CHECK(!strcmp(ks_ip_proto_name(6), "tcp"), "tcp");
	CHECK(!strcmp(ks_ip_proto_name(58), "icmpv6"), "icmpv6");
	CHECK(ks_ip_proto_name(250) == NULL, "no name for 250");
	CHECK(!strcmp(ks_addr_str(AF_INET, a4, buf, sizeof(buf)), "127.0.0.1"), "%s", buf);
	for (unsigned int v = 0; v < 256; v++) {
		unsigned char a[4] = { (unsigned char)v, (unsigned char)(255 - v), 10, 100 };
		char want[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, a, want, sizeof(want));
		CHECK(!strcmp(ks_addr_str(AF_INET, a, buf, sizeof(buf)), want), "%s, want %s", buf,
		      want);
	}
	CHECK(!strcmp(ks_addr_str(AF_INET6, a6, buf, sizeof(buf)), "::1"), "%s", buf);
	CHECK(!strcmp(ks_addr_str(0, a6, buf, sizeof(buf)), "-"), "%s", buf);
}

static void test_flow_json(void)
{
	struct ks_flow f = { .saddr = { 10, 0, 0, 1 },
			     .daddr = { 10, 0, 0, 2 },
			     .sport = 40000,
			     .dport = 80,
			     .family = AF_INET,
			     .proto = 6,
			     .netns = 4026532000u };
	struct ks_json j;
	FILE *fp = kt_mem_open(&mem);
	const char *out;

	ks_json_init(&j, fp);
	ks_json_obj_begin(&j, NULL);
	ks_flow_json(&j, &f, KS_FLOW_SOCK);
	ks_json_obj_end(&j);
	out = kt_mem_close(&mem);
	CHECK(!strcmp(out, "{\"family\":\"ipv4\",\"laddr\":\"10.0.0.1\",\"lport\":40000,"
			   "\"raddr\":\"10.0.0.2\",\"rport\":80,\"proto\":\"tcp\","
			   "\"netns\":4026532000}\n"),
	      "got %s", out);
	f.family = 0;
	f.proto = 0;
	f.netns = 0;
	fp = kt_mem_open(&mem);
	ks_json_init(&j, fp);
	ks_json_obj_begin(&j, NULL);
	ks_flow_json(&j, &f, KS_FLOW_PKT);
	ks_json_obj_end(&j);
	out = kt_mem_close(&mem);
	CHECK(!strcmp(out, "{\"family\":null,\"netns\":null}\n"), "got %s", out);
}

int main(void)
{
	RUN(test_ports);
	RUN(test_addrs);
	RUN(test_netns);
	RUN(test_names);
	RUN(test_flow_json);
	free(mem.buf);
	return kt_done();
}
