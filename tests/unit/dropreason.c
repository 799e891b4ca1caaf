// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of src/core/dropreason on a kernel BTF made here, shaped like 7.2's enums. */
#include <errno.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "core/common.h"
#include "core/dropreason.h"
#include "ktest.h"

static char path[] = "/tmp/kscope-dropreason-XXXXXX";

struct val {
	const char *name;
	long long v;
};

static void add_enum(struct btf *b, const char *name, const struct val *v, size_t n)
{
	int id = btf__add_enum(b, name, 4);

	for (size_t i = 0; id > 0 && i < n; i++)
		id = btf__add_enum_value(b, v[i].name, v[i].v) ? -1 : id;
	if (id <= 0) {
		fprintf(stderr, "cannot build enum %s\n", name);
		exit(1);
	}
}

/*
 * A raw BTF file with the enums the code reads: the core reasons with a gap, the
 * subsystems, one subsystem's own enum (qdisc, base __QDISC_DROP_REASON), and two decoys
 * with values in a subsystem's range but no __*DROP* base, whose names must not be taken.
 */
static void make_btf(void)
{
	static const struct val core[] = {
		{ "SKB_NOT_DROPPED_YET", 0 },
		{ "SKB_CONSUMED", 1 },
		{ "SKB_DROP_REASON_NOT_SPECIFIED", 2 },
		{ "SKB_DROP_REASON_NO_SOCKET", 3 },
		{ "SKB_DROP_REASON_NETFILTER_DROP", 5 }, /* 4 left out: a gap */
		{ "SKB_DROP_REASON_MAX", 6 },
		{ "SKB_DROP_REASON_SUBSYS_MASK", 0xffff0000 },
	};
	static const struct val subsys[] = {
		{ "SKB_DROP_REASON_SUBSYS_CORE", 0 },
		{ "SKB_DROP_REASON_SUBSYS_MAC80211_UNUSABLE", 1 },
		{ "SKB_DROP_REASON_SUBSYS_OPENVSWITCH", 2 },
		{ "SKB_DROP_REASON_SUBSYS_QDISC", 3 },
		{ "SKB_DROP_REASON_SUBSYS_NUM", 4 },
	};
	static const struct val qdisc[] = {
		{ "QDISC_DROP_UNSPEC", 0 },	   { "__QDISC_DROP_REASON", 0x30000 },
		{ "QDISC_DROP_GENERIC", 0x30001 }, { "QDISC_DROP_OVERLIMIT", 0x30002 },
		{ "QDISC_DROP_MAX", 0x30003 },
	};
	static const struct val flags[] = {
		{ "FLAG_A", 0x20000 },
		{ "FLAG_B", 0x20001 },
	};
	static const struct val base_no_drop[] = {
		{ "__OTHER_BASE", 0x20000 },
		{ "OTHER_ONE", 0x20001 },
	};
	struct btf *b = btf__new_empty();
	const void *raw;
	__u32 size;
	FILE *f;
	int fd;

	if (!b || btf__add_int(b, "int", 4, BTF_INT_SIGNED) <= 0)
		exit(1);
	add_enum(b, "flags_decoy", flags, KS_ARRAY_SIZE(flags));
	add_enum(b, "skb_drop_reason", core, KS_ARRAY_SIZE(core));
	add_enum(b, "other_decoy", base_no_drop, KS_ARRAY_SIZE(base_no_drop));
	add_enum(b, "skb_drop_reason_subsys", subsys, KS_ARRAY_SIZE(subsys));
	add_enum(b, "qdisc_drop_reason", qdisc, KS_ARRAY_SIZE(qdisc));
	raw = btf__raw_data(b, &size);
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!raw || !f || fwrite(raw, 1, size, f) != size || fclose(f)) {
		perror(path);
		exit(1);
	}
	btf__free(b);
	setenv("KSCOPE_VMLINUX_BTF", path, 1);
}

static void test_core_names(void)
{
	char buf[32];

	CHECK(ks_drop_reasons_known(), "reasons not found");
	CHECK_INT(ks_drop_reason_max(), 6);
	CHECK_STR(ks_drop_reason_name(0, buf, sizeof(buf)), "NOT_DROPPED_YET");
	CHECK_STR(ks_drop_reason_name(1, buf, sizeof(buf)), "CONSUMED");
	CHECK_STR(ks_drop_reason_name(3, buf, sizeof(buf)), "NO_SOCKET");
	CHECK_STR(ks_drop_reason_name(5, buf, sizeof(buf)), "NETFILTER_DROP");
	/* the gap, the bound and past it have no name */
	CHECK_STR(ks_drop_reason_name(4, buf, sizeof(buf)), "REASON_4");
	CHECK_STR(ks_drop_reason_name(6, buf, sizeof(buf)), "REASON_6");
	CHECK_STR(ks_drop_reason_name(200, buf, sizeof(buf)), "REASON_200");
}

static void test_subsystems(void)
{
	char buf[32];

	CHECK_STR(ks_drop_reason_name(0x30002, buf, sizeof(buf)), "QDISC_DROP_OVERLIMIT");
	/* a subsystem without its enum in BTF, a number past its enum, an unknown one */
	CHECK_STR(ks_drop_reason_name(0x20001, buf, sizeof(buf)), "OPENVSWITCH:1");
	CHECK_STR(ks_drop_reason_name(0x10007, buf, sizeof(buf)), "MAC80211_UNUSABLE:7");
	CHECK_STR(ks_drop_reason_name(0x30003, buf, sizeof(buf)), "QDISC:3");
	CHECK_STR(ks_drop_reason_name(0x70001, buf, sizeof(buf)), "SUBSYS_7:1");
}

static void test_parse(void)
{
	unsigned int code = 99;

	CHECK_INT(ks_drop_reason_parse("NO_SOCKET", &code), 0);
	CHECK_INT(code, 3);
	CHECK_INT(ks_drop_reason_parse("netfilter_drop", &code), 0);
	CHECK_INT(code, 5);
	CHECK_INT(ks_drop_reason_parse("SKB_DROP_REASON_NO_SOCKET", &code), 0);
	CHECK_INT(code, 3);
	CHECK_INT(ks_drop_reason_parse("skb_consumed", &code), 0);
	CHECK_INT(code, 1);
	CHECK_INT(ks_drop_reason_parse("qdisc_drop_generic", &code), 0);
	CHECK_INT(code, 0x30001);
	CHECK_INT(ks_drop_reason_parse("openvswitch:4", &code), 0);
	CHECK_INT(code, 0x20004);
	CHECK_INT(ks_drop_reason_parse("MAX", &code), -ENOENT);
	CHECK_INT(ks_drop_reason_parse("FLAG_A", &code), -ENOENT);
	CHECK_INT(ks_drop_reason_parse("OTHER_ONE", &code), -ENOENT);
	CHECK_INT(ks_drop_reason_parse("NOPE:1", &code), -ENOENT);
	CHECK_INT(ks_drop_reason_parse("QDISC:65536", &code), -ENOENT);
	CHECK_INT(ks_drop_reason_parse("QDISC:", &code), -ENOENT);
	CHECK_INT(ks_drop_reason_parse("", &code), -ENOENT);
}

static int list_one(unsigned int code, const char *name, void *arg)
{
	FILE *f = arg;

	fprintf(f, "%#x %s\n", code, name);
	return 0;
}

static void test_foreach(void)
{
	struct kt_mem m = { 0 };

	kt_mem_open(&m);
	CHECK_INT(ks_drop_reason_foreach(list_one, m.f), 0);
	CHECK_STR(kt_mem_close(&m),
		  "0 NOT_DROPPED_YET\n0x1 CONSUMED\n0x2 NOT_SPECIFIED\n"
		  "0x3 NO_SOCKET\n0x5 NETFILTER_DROP\n0x30001 QDISC_DROP_GENERIC\n"
		  "0x30002 QDISC_DROP_OVERLIMIT\n");
	free(m.buf);
}

int main(void)
{
	make_btf();
	RUN(test_core_names);
	RUN(test_subsystems);
	RUN(test_parse);
	RUN(test_foreach);
	unlink(path);
	return kt_done();
}
