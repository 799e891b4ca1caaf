// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of src/lang/print: maps, histograms, print() and printf, against outputs recorded
 * from bpftrace 0.17 (the script that produced each expected string is quoted above it; the
 * two newlines bpftrace prints before the maps at exit are the caller's and left out).
 */
#include <errno.h>
#include <stdint.h>

#include "lang/print.h"
#include "ktest.h"

static struct kt_mem mem;

/* Keys and values laid out as the BPF side hands them over. */
struct skey {
	char s[16];
};
struct iskey {
	int64_t k;
	char s[16];
};
struct pair {
	int64_t a;  /* avg/stats: sum; min/max: the value */
	uint64_t b; /* avg/stats: count; min/max: seen */
};

static const struct lang_field f_i64 = { LV_INT, 0, 8 };
static const struct lang_field f_u64 = { LV_UINT, 0, 8 };
static const struct lang_field f_i8 = { LV_INT, 0, 1 };
static const struct lang_field f_u8 = { LV_UINT, 0, 1 };
static const struct lang_field f_str = { LV_STR, 0, 16 };
static const struct lang_field f_is[] = { { LV_INT, 0, 8 }, { LV_STR, 8, 16 } };

#define KEY_NONE ((struct lang_layout){ NULL, 0, 0 })
#define KEY_I64	 ((struct lang_layout){ &f_i64, 1, 8 })
#define KEY_STR	 ((struct lang_layout){ &f_str, 1, 16 })
#define KEY_IS	 ((struct lang_layout){ f_is, 2, 24 })

/* e[i] = { &keys[i], &vals[i] } */
#define FILL(e, keys, vals)                                                                        \
	do {                                                                                       \
		for (size_t i_ = 0; i_ < sizeof(e) / sizeof(e[0]); i_++) {                         \
			e[i_].key = &(keys)[i_];                                                   \
			e[i_].val = &(vals)[i_];                                                   \
		}                                                                                  \
	} while (0)
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Print one map into mem.f (the case opened it). */
static void put_map(const struct lang_mapinfo *m, struct lang_entry *e, size_t n, bool json,
		    long long top, long long div)
{
	struct lang_print_opts o = { .json = json, .top = top, .div = div };
	int err = lang_print_map(mem.f, m, e, n, &o);

	CHECK(err == 0, "%s: lang_print_map returned %d", m->name, err);
}

/* Print one map alone into mem (mem.buf, mem.len). */
static void show(const struct lang_mapinfo *m, struct lang_entry *e, size_t n, bool json)
{
	kt_mem_open(&mem);
	put_map(m, e, n, json, 0, 0);
	kt_mem_close(&mem);
}

/* One map as text, then as JSON, against both expectations. */
#define CHECK_MAP(m, e, n, text, json) check_map(__LINE__, m, e, n, text, json)

static void check_map(int line, const struct lang_mapinfo *m, struct lang_entry *e, size_t n,
		      const char *text, const char *json)
{
	show(m, e, n, false);
	kt_check_mem(line, "text", mem.buf, mem.len, text);
	show(m, e, n, true);
	kt_check_mem(line, "json", mem.buf, mem.len, json);
}

/* Several maps printed one after the other into mem, as at exit. */
struct shown {
	const struct lang_mapinfo *m;
	struct lang_entry *e;
	size_t n;
};

#define SHOW(json, ...)                                                                            \
	show_maps(json, (const struct shown[]){ __VA_ARGS__ },                                     \
		  sizeof((const struct shown[]){ __VA_ARGS__ }) / sizeof(struct shown))

static void show_maps(bool json, const struct shown *s, size_t n)
{
	kt_mem_open(&mem);
	for (size_t i = 0; i < n; i++)
		put_map(s[i].m, s[i].e, s[i].n, json, 0, 0);
	kt_mem_close(&mem);
}

static void hadd(uint64_t *slots, int64_t v, unsigned times)
{
	slots[lang_hist_slot(v)] += times;
}

/* The lhist slot of @v, as the BPF side computes it. */
static void ladd(uint64_t *slots, const struct lang_mapinfo *m, int64_t v, unsigned times)
{
	unsigned n = lang_lhist_slots(m->lmin, m->lmax, m->lstep);

	if (v < m->lmin)
		slots[0] += times;
	else if (v >= m->lmax)
		slots[n - 1] += times;
	else
		slots[(v - m->lmin) / m->lstep + 1] += times;
}

static void test_hist_slot(void)
{
	static const struct {
		int64_t v;
		unsigned slot;
		/* clang-format off */
	} t[] = {
		{ INT64_MIN, 0 }, { -1, 0 },	  { 0, 1 },	  { 1, 2 },	  { 2, 3 },
		{ 3, 3 },	  { 4, 4 },	  { 7, 4 },	  { 8, 5 },	  { 1023, 11 },
		{ 1024, 12 },	  { 1000000, 21 }, { (1LL << 32) - 1, 33 }, { 1LL << 32, 34 },
		{ (1LL << 62) - 1, 63 }, { 1LL << 62, 64 }, { INT64_MAX, 64 },
	};
	/* clang-format on */

	for (size_t i = 0; i < N(t); i++)
		CHECK(lang_hist_slot(t[i].v) == t[i].slot, "slot of %lld is %u, expected %u",
		      (long long)t[i].v, lang_hist_slot(t[i].v), t[i].slot);
}

static void test_lhist_slots(void)
{
	CHECK_INT(lang_lhist_slots(0, 100, 10), 12);
	CHECK_INT(lang_lhist_slots(0, 10, 1), 12);
	/* a step that does not divide: the last bucket is [20, 25) */
	CHECK_INT(lang_lhist_slots(0, 25, 10), 5);
	CHECK_INT(lang_lhist_slots(1024, 4096, 1024), 5);
	CHECK_INT(lang_lhist_slots(-100, 100, 10), 22);
	CHECK_INT(lang_lhist_slots(INT64_MIN, INT64_MAX, INT64_MAX), 5);
	CHECK_INT(lang_lhist_slots(0, 10, 0), 0);
	CHECK_INT(lang_lhist_slots(0, 10, -1), 0);
	CHECK_INT(lang_lhist_slots(10, 10, 1), 0);
	CHECK_INT(lang_lhist_slots(10, 0, 1), 0);
	CHECK_INT(lang_lhist_slots(INT64_MIN, INT64_MAX, 1), 0); /* 2^64 buckets: no */
}

/*
 * bpftrace -e 'BEGIN { @h = hist(5); @h = hist(0); @h = hist(-1); @h = hist(1000000);
 *   @l = lhist(17, 0, 100, 10); @s[1, "a"] = stats(7); @c["x"] = count(); @c["y"] = count();
 *   @c["y"] = count(); exit(); }'     (and with -f json)
 */
static void print_example(bool json)
{
	struct skey ck[] = { { "y" }, { "x" } };
	uint64_t cv[] = { 2, 1 };
	static uint64_t h[LANG_HIST_SLOTS], l[12];
	struct iskey sk[] = { { 1, "a" } };
	struct pair sv[] = { { 7, 1 } };
	struct lang_entry ce[2], he[1] = { { NULL, h } }, le[1] = { { NULL, l } }, se[1];
	struct lang_mapinfo c = { .name = "@c", .key = KEY_STR, .agg = LA_COUNT };
	struct lang_mapinfo hm = { .name = "@h", .agg = LA_HIST };
	struct lang_mapinfo lm = {
		.name = "@l", .agg = LA_LHIST, .lmin = 0, .lmax = 100, .lstep = 10
	};
	struct lang_mapinfo s = { .name = "@s", .key = KEY_IS, .agg = LA_STATS };

	memset(h, 0, sizeof(h));
	memset(l, 0, sizeof(l));
	hadd(h, 5, 1);
	hadd(h, 0, 1);
	hadd(h, -1, 1);
	hadd(h, 1000000, 1);
	ladd(l, &lm, 17, 1);
	FILL(ce, ck, cv);
	FILL(se, sk, sv);
	SHOW(json, { &c, ce, 2 }, { &hm, he, 1 }, { &lm, le, 1 }, { &s, se, 1 });
}

static void test_map_example_text(void)
{
	print_example(false);
	CHECK_MEM(
		mem.buf, mem.len,
		"@c[x]: 1\n"
		"@c[y]: 2\n"
		"@h: \n"
		"(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[1]                    0 |                                                    |\n"
		"[2, 4)                 0 |                                                    |\n"
		"[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[8, 16)                0 |                                                    |\n"
		"[16, 32)               0 |                                                    |\n"
		"[32, 64)               0 |                                                    |\n"
		"[64, 128)              0 |                                                    |\n"
		"[128, 256)             0 |                                                    |\n"
		"[256, 512)             0 |                                                    |\n"
		"[512, 1K)              0 |                                                    |\n"
		"[1K, 2K)               0 |                                                    |\n"
		"[2K, 4K)               0 |                                                    |\n"
		"[4K, 8K)               0 |                                                    |\n"
		"[8K, 16K)              0 |                                                    |\n"
		"[16K, 32K)             0 |                                                    |\n"
		"[32K, 64K)             0 |                                                    |\n"
		"[64K, 128K)            0 |                                                    |\n"
		"[128K, 256K)           0 |                                                    |\n"
		"[256K, 512K)           0 |                                                    |\n"
		"[512K, 1M)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@l: \n"
		"[10, 20)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@s[1, a]: count 1, average 7, total 7\n"
		"\n");
}

static void test_map_example_json(void)
{
	print_example(true);
	CHECK_MEM(mem.buf, mem.len,
		  "{\"type\": \"map\", \"data\": {\"@c\": {\"x\": 1, \"y\": 2}}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@h\": [{\"max\": -1, \"count\": 1}, "
		  "{\"min\": 0, \"max\": 0, \"count\": 1}, {\"min\": 1, \"max\": 1, "
		  "\"count\": 0}, {\"min\": 2, \"max\": 3, \"count\": 0}, {\"min\": 4, "
		  "\"max\": 7, \"count\": 1}, {\"min\": 8, \"max\": 15, \"count\": 0}, "
		  "{\"min\": 16, \"max\": 31, \"count\": 0}, {\"min\": 32, \"max\": 63, "
		  "\"count\": 0}, {\"min\": 64, \"max\": 127, \"count\": 0}, {\"min\": 128, "
		  "\"max\": 255, \"count\": 0}, {\"min\": 256, \"max\": 511, \"count\": 0}, "
		  "{\"min\": 512, \"max\": 1023, \"count\": 0}, {\"min\": 1024, "
		  "\"max\": 2047, \"count\": 0}, {\"min\": 2048, \"max\": 4095, "
		  "\"count\": 0}, {\"min\": 4096, \"max\": 8191, \"count\": 0}, "
		  "{\"min\": 8192, \"max\": 16383, \"count\": 0}, {\"min\": 16384, "
		  "\"max\": 32767, \"count\": 0}, {\"min\": 32768, \"max\": 65535, "
		  "\"count\": 0}, {\"min\": 65536, \"max\": 131071, \"count\": 0}, "
		  "{\"min\": 131072, \"max\": 262143, \"count\": 0}, {\"min\": 262144, "
		  "\"max\": 524287, \"count\": 0}, {\"min\": 524288, \"max\": 1048575, "
		  "\"count\": 1}]}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@l\": [{\"min\": 10, \"max\": 19, "
		  "\"count\": 1}]}}\n"
		  "{\"type\": \"stats\", \"data\": {\"@s\": {\"1,a\": {\"count\": 1, "
		  "\"average\": 7, \"total\": 7}}}}\n");
}

/* bpftrace -e 'BEGIN { @a = 1; @b[1] = 2; @b[2] = 1; @c = count(); exit(); }' */
static void test_map_scalars(void)
{
	int64_t av[] = { 1 }, bk[] = { 1, 2 }, bv[] = { 2, 1 };
	uint64_t cv[] = { 1 };
	struct lang_entry ae[1] = { { NULL, av } }, be[2], ce[1] = { { NULL, cv } };
	struct lang_mapinfo a = { .name = "@a", .agg = LA_SCALAR, .val = f_i64 };
	struct lang_mapinfo b = { .name = "@b", .key = KEY_I64, .agg = LA_SCALAR, .val = f_i64 };
	struct lang_mapinfo c = { .name = "@c", .agg = LA_COUNT };

	FILL(be, bk, bv);
	for (int json = 0; json < 2; json++) {
		SHOW(json, { &a, ae, 1 }, { &b, be, 2 }, { &c, ce, 1 });
		if (!json)
			CHECK_MEM(mem.buf, mem.len,
				  "@a: 1\n"
				  "@b[2]: 1\n"
				  "@b[1]: 2\n"
				  "@c: 1\n");
		else
			CHECK_MEM(mem.buf, mem.len,
				  "{\"type\": \"map\", \"data\": {\"@a\": 1}}\n"
				  "{\"type\": \"map\", \"data\": {\"@b\": {\"2\": 1, \"1\": 2}}}\n"
				  "{\"type\": \"map\", \"data\": {\"@c\": 1}}\n");
	}
}

/*
 * Integer keys sort as unsigned numbers of their size, as bpftrace does:
 * bpftrace -e 'BEGIN { @v[-1] = "a"; @v[1] = "b"; @v[-5] = "c"; @v[0x7fffffffffffffff] = "d";
 *   @v[(uint64)0xffffffffffffff00] = "e"; @w[(int8)-1] = "a"; @w[(int8)5] = "b";
 *   @w[(int8)3] = "c"; @x[(uint8)1] = "a"; @x[(uint8)255] = "b"; @x[(uint8)3] = "c"; exit(); }'
 */
static void test_map_int_keys(void)
{
	int64_t vk[] = { -1, 1, -5, INT64_MAX, -256 };
	int8_t wk[] = { -1, 5, 3 };
	uint8_t xk[] = { 1, 255, 3 };
	struct skey vv[] = { { "a" }, { "b" }, { "c" }, { "d" }, { "e" } };
	struct skey wv[] = { { "a" }, { "b" }, { "c" } };
	struct lang_entry ve[5], we[3], xe[3];
	struct lang_mapinfo v = { .name = "@v", .key = KEY_I64, .agg = LA_SCALAR, .val = f_str };
	struct lang_mapinfo w = {
		.name = "@w", .key = { &f_i8, 1, 1 }, .agg = LA_SCALAR, .val = f_str
	};
	struct lang_mapinfo x = {
		.name = "@x", .key = { &f_u8, 1, 1 }, .agg = LA_SCALAR, .val = f_str
	};

	FILL(ve, vk, vv);
	FILL(we, wk, wv);
	FILL(xe, xk, wv);
	SHOW(false, { &v, ve, N(ve) }, { &w, we, N(we) }, { &x, xe, N(xe) });
	CHECK_MEM(mem.buf, mem.len,
		  "@v[1]: b\n"
		  "@v[9223372036854775807]: d\n"
		  "@v[-256]: e\n"
		  "@v[-5]: c\n"
		  "@v[-1]: a\n"
		  "@w[3]: c\n"
		  "@w[5]: b\n"
		  "@w[-1]: a\n"
		  "@x[1]: a\n"
		  "@x[3]: c\n"
		  "@x[255]: b\n");
}

/*
 * String keys sort bytewise (string values: by key):
 * bpftrace -e 'BEGIN { @w["zz"] = "1"; @w["a"] = "1"; @w["b"] = "1"; @w["c"] = "1";
 *   @w["ab"] = "1"; @w[""] = "1"; @w["B"] = "x"; exit(); }'     (and with -f json)
 */
static void test_map_str_keys(void)
{
	struct skey k[] = { { "zz" }, { "a" }, { "b" }, { "c" }, { "ab" }, { "" }, { "B" } };
	struct skey v[] = { { "1" }, { "1" }, { "1" }, { "1" }, { "1" }, { "1" }, { "x" } };
	struct lang_entry e[7];
	struct lang_mapinfo m = { .name = "@w", .key = KEY_STR, .agg = LA_SCALAR, .val = f_str };

	FILL(e, k, v);
	CHECK_MAP(&m, e, N(e),
		  "@w[]: 1\n"
		  "@w[B]: x\n"
		  "@w[a]: 1\n"
		  "@w[ab]: 1\n"
		  "@w[b]: 1\n"
		  "@w[c]: 1\n"
		  "@w[zz]: 1\n",
		  "{\"type\": \"map\", \"data\": {\"@w\": {\"\": \"1\", \"B\": \"x\", "
		  "\"a\": \"1\", \"ab\": \"1\", \"b\": \"1\", \"c\": \"1\", \"zz\": \"1\"}}}\n");
}

/*
 * bpftrace -e 'BEGIN { @v[1, "b"] = "a"; @v[1, "a"] = "b"; @v[0, "z"] = "c"; @v[2, "a"] = "d";
 *   exit(); }'     (and with -f json)
 */
static void test_map_two_keys(void)
{
	struct iskey k[] = { { 1, "b" }, { 1, "a" }, { 0, "z" }, { 2, "a" } };
	struct skey v[] = { { "a" }, { "b" }, { "c" }, { "d" } };
	struct lang_entry e[4];
	struct lang_mapinfo m = { .name = "@v", .key = KEY_IS, .agg = LA_SCALAR, .val = f_str };

	FILL(e, k, v);
	CHECK_MAP(&m, e, N(e),
		  "@v[0, z]: c\n"
		  "@v[1, a]: b\n"
		  "@v[1, b]: a\n"
		  "@v[2, a]: d\n",
		  "{\"type\": \"map\", \"data\": {\"@v\": {\"0,z\": \"c\", \"1,a\": \"b\", "
		  "\"1,b\": \"a\", \"2,a\": \"d\"}}}\n");
}

/*
 * Keyed stats sort by average; the three averages of 5 come in key order (also in bpftrace):
 * bpftrace -e 'BEGIN { @s[1] = stats(400); @s[2] = stats(10); @s[2] = stats(1);
 *   @s[3] = stats(-100); @s[0] = stats(5); @s[4] = stats(5); @s[4] = stats(5); exit(); }'
 * and avg:
 * bpftrace -e 'BEGIN { @a[1] = avg(400); @a[2] = avg(10); @a[3] = avg(-100); @a[0] = avg(5);
 *   exit(); }'     (both also with -f json)
 */
static void test_map_stats_avg(void)
{
	int64_t sk[] = { 1, 2, 3, 0, 4 }, ak[] = { 1, 2, 3, 0 };
	struct pair sv[] = { { 400, 1 }, { 11, 2 }, { -100, 1 }, { 5, 1 }, { 10, 2 } };
	struct pair av[] = { { 400, 1 }, { 10, 1 }, { -100, 1 }, { 5, 1 } };
	struct lang_entry se[5], ae[4];
	struct lang_mapinfo s = { .name = "@s", .key = KEY_I64, .agg = LA_STATS };
	struct lang_mapinfo a = { .name = "@a", .key = KEY_I64, .agg = LA_AVG };

	FILL(se, sk, sv);
	FILL(ae, ak, av);
	SHOW(false, { &s, se, N(se) }, { &a, ae, N(ae) });
	CHECK_MEM(mem.buf, mem.len,
		  "@s[3]: count 1, average -100, total -100\n"
		  "@s[0]: count 1, average 5, total 5\n"
		  "@s[2]: count 2, average 5, total 11\n"
		  "@s[4]: count 2, average 5, total 10\n"
		  "@s[1]: count 1, average 400, total 400\n"
		  "\n"
		  "@a[3]: -100\n"
		  "@a[0]: 5\n"
		  "@a[2]: 10\n"
		  "@a[1]: 400\n"
		  "\n");
	SHOW(true, { &s, se, N(se) }, { &a, ae, N(ae) });
	CHECK_MEM(mem.buf, mem.len,
		  "{\"type\": \"stats\", \"data\": {\"@s\": {\"3\": {\"count\": 1, "
		  "\"average\": -100, \"total\": -100}, \"0\": {\"count\": 1, \"average\": 5, "
		  "\"total\": 5}, \"2\": {\"count\": 2, \"average\": 5, \"total\": 11}, "
		  "\"4\": {\"count\": 2, \"average\": 5, \"total\": 10}, \"1\": {\"count\": 1, "
		  "\"average\": 400, \"total\": 400}}}}\n"
		  "{\"type\": \"stats\", \"data\": {\"@a\": {\"3\": -100, \"0\": 5, "
		  "\"2\": 10, \"1\": 400}}}\n");
}

/*
 * bpftrace -e 'BEGIN { @M[1] = max(400); @M[2] = max(10); @M[0] = max(5); @m[1] = min(400);
 *   @m[2] = min(10); @m[3] = min(-100); @m[0] = min(5); @s[1] = sum(400); @s[2] = sum(10);
 *   @s[3] = sum(-100); @s[0] = sum(5); @v[1] = 400; @v[2] = 10; @v[3] = -100; @v[0] = 5;
 *   exit(); }'     (and with -f json)
 */
static void print_minmax(bool json)
{
	int64_t k[] = { 1, 2, 3, 0 }, vv[] = { 400, 10, -100, 5 };
	struct pair mv[] = { { 400, 1 }, { 10, 1 }, { -100, 1 }, { 5, 1 } };
	/* bpftrace 0.17 loses max() of a negative value; kscope has no such entry here */
	struct pair Mv[] = { { 400, 1 }, { 10, 1 }, { 0, 0 }, { 5, 1 } };
	struct lang_entry Me[4], me[4], se[4], ve[4];
	struct lang_mapinfo M = { .name = "@M", .key = KEY_I64, .agg = LA_MAX, .val = f_i64 };
	struct lang_mapinfo m = { .name = "@m", .key = KEY_I64, .agg = LA_MIN, .val = f_i64 };
	struct lang_mapinfo s = { .name = "@s", .key = KEY_I64, .agg = LA_SUM, .val = f_i64 };
	struct lang_mapinfo v = { .name = "@v", .key = KEY_I64, .agg = LA_SCALAR, .val = f_i64 };

	FILL(Me, k, Mv);
	FILL(me, k, mv);
	FILL(se, k, vv);
	FILL(ve, k, vv);
	SHOW(json, { &M, Me, 4 }, { &m, me, 4 }, { &s, se, 4 }, { &v, ve, 4 });
}

static void test_map_min_max_sum(void)
{
	print_minmax(false);
	CHECK_MEM(mem.buf, mem.len,
		  "@M[0]: 5\n"
		  "@M[2]: 10\n"
		  "@M[1]: 400\n"
		  "@m[3]: -100\n"
		  "@m[0]: 5\n"
		  "@m[2]: 10\n"
		  "@m[1]: 400\n"
		  "@s[3]: -100\n"
		  "@s[0]: 5\n"
		  "@s[2]: 10\n"
		  "@s[1]: 400\n"
		  "@v[3]: -100\n"
		  "@v[0]: 5\n"
		  "@v[2]: 10\n"
		  "@v[1]: 400\n");
	print_minmax(true);
	CHECK_MEM(mem.buf, mem.len,
		  "{\"type\": \"map\", \"data\": {\"@M\": {\"0\": 5, \"2\": 10, "
		  "\"1\": 400}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@m\": {\"3\": -100, \"0\": 5, "
		  "\"2\": 10, \"1\": 400}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@s\": {\"3\": -100, \"0\": 5, "
		  "\"2\": 10, \"1\": 400}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@v\": {\"3\": -100, \"0\": 5, "
		  "\"2\": 10, \"1\": 400}}}\n");
}

/*
 * Equal values: bpftrace leaves them in its hash table's order; kscope orders them by key,
 * so the output is the same from run to run.
 */
static void test_map_ties(void)
{
	struct skey k[] = { { "zz" }, { "a" }, { "b" }, { "c" }, { "ab" }, { "" } };
	uint64_t v[] = { 1, 1, 1, 1, 1, 1 };
	int64_t ik[] = { 3, -1, 2 };
	uint64_t iv[] = { 7, 7, 7 };
	struct lang_entry e[6], ie[3];
	struct lang_mapinfo m = { .name = "@w", .key = KEY_STR, .agg = LA_COUNT };
	struct lang_mapinfo im = { .name = "@", .key = KEY_I64, .agg = LA_COUNT };

	FILL(e, k, v);
	FILL(ie, ik, iv);
	kt_mem_open(&mem);
	put_map(&m, e, N(e), false, 0, 0);
	put_map(&im, ie, N(ie), false, 2, 0);
	kt_mem_close(&mem);
	CHECK_MEM(mem.buf, mem.len,
		  "@w[]: 1\n@w[a]: 1\n@w[ab]: 1\n@w[b]: 1\n@w[c]: 1\n@w[zz]: 1\n"
		  "@[3]: 7\n@[-1]: 7\n");
}

/*
 * Signedness: sum follows the summed type, avg and stats always print signed in 0.17:
 * bpftrace -e 'BEGIN { @a = avg(-7); @a = avg(-8); @s = stats(-7); @s = stats(-8);
 *   @u = avg((uint64)0xffffffffffffffff); @us = stats((uint64)0xfffffffffffffff0);
 *   @su = sum((uint64)0xfffffffffffffff0); @ss = sum(-16); exit(); }'    (and -f json)
 */
static void test_map_signedness(void)
{
	struct pair a[] = { { -15, 2 } }, s[] = { { -15, 2 } }, u[] = { { -1, 1 } };
	struct pair us[] = { { -16, 1 } };
	int64_t su[] = { -16 }, ss[] = { -16 };
	struct lang_entry ae[] = { { NULL, a } }, se[] = { { NULL, s } }, sse[] = { { NULL, ss } };
	struct lang_entry sue[] = { { NULL, su } }, ue[] = { { NULL, u } };
	struct lang_entry use[] = { { NULL, us } };
	struct lang_mapinfo am = { .name = "@a", .agg = LA_AVG, .val = f_i64 };
	struct lang_mapinfo sm = { .name = "@s", .agg = LA_STATS, .val = f_i64 };
	struct lang_mapinfo ssm = { .name = "@ss", .agg = LA_SUM, .val = f_i64 };
	struct lang_mapinfo sum = { .name = "@su", .agg = LA_SUM, .val = f_u64 };
	struct lang_mapinfo um = { .name = "@u", .agg = LA_AVG, .val = f_u64 };
	struct lang_mapinfo usm = { .name = "@us", .agg = LA_STATS, .val = f_u64 };

	for (int json = 0; json < 2; json++) {
		SHOW(json, { &am, ae, 1 }, { &sm, se, 1 }, { &ssm, sse, 1 }, { &sum, sue, 1 },
		     { &um, ue, 1 }, { &usm, use, 1 });
		if (!json)
			CHECK_MEM(mem.buf, mem.len,
				  "@a: -7\n"
				  "\n"
				  "@s: count 2, average -7, total -15\n"
				  "\n"
				  "@ss: -16\n"
				  "@su: 18446744073709551600\n"
				  "@u: -1\n"
				  "\n"
				  "@us: count 1, average -16, total -16\n"
				  "\n");
		else
			CHECK_MEM(mem.buf, mem.len,
				  "{\"type\": \"stats\", \"data\": {\"@a\": -7}}\n"
				  "{\"type\": \"stats\", \"data\": {\"@s\": {\"count\": 2, "
				  "\"average\": -7, "
				  "\"total\": -15}}}\n"
				  "{\"type\": \"map\", \"data\": {\"@ss\": -16}}\n"
				  "{\"type\": \"map\", \"data\": {\"@su\": 18446744073709551600}}\n"
				  "{\"type\": \"stats\", \"data\": {\"@u\": -1}}\n"
				  "{\"type\": \"stats\", \"data\": {\"@us\": {\"count\": 1, "
				  "\"average\": -16, "
				  "\"total\": -16}}}\n");
	}
}

/*
 * Histograms with keys sort by their total count:
 * bpftrace -e 'BEGIN { @h[1] = hist(4); @h[2] = hist(10); @h[2] = hist(1); @h[3] = hist(100);
 *   exit(); }'     (and with -f json)
 */
static void test_hist_keys(void)
{
	static uint64_t h[3][LANG_HIST_SLOTS];
	int64_t k[] = { 2, 3, 1 };
	struct lang_entry e[3];
	struct lang_mapinfo m = { .name = "@h", .key = KEY_I64, .agg = LA_HIST };

	memset(h, 0, sizeof(h));
	hadd(h[0], 10, 1);
	hadd(h[0], 1, 1);
	hadd(h[1], 100, 1);
	hadd(h[2], 4, 1);
	FILL(e, k, h);
	CHECK_MAP(
		&m, e, 3,
		"@h[1]: \n"
		"[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@h[3]: \n"
		"[64, 128)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@h[2]: \n"
		"[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[2, 4)                 0 |                                                    |\n"
		"[4, 8)                 0 |                                                    |\n"
		"[8, 16)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n",
		"{\"type\": \"hist\", \"data\": {\"@h\": {\"1\": [{\"min\": 4, "
		"\"max\": 7, \"count\": 1}], \"3\": [{\"min\": 64, \"max\": 127, "
		"\"count\": 1}], \"2\": [{\"min\": 1, \"max\": 1, \"count\": 1}, "
		"{\"min\": 2, \"max\": 3, \"count\": 0}, {\"min\": 4, \"max\": 7, "
		"\"count\": 0}, {\"min\": 8, \"max\": 15, \"count\": 1}]}}}\n");
}

/*
 * bpftrace -e 'BEGIN { @h["b"] = lhist(4, 0, 10, 1); @h["a"] = lhist(10, 0, 10, 1);
 *   @h["a"] = lhist(1, 0, 10, 1); @h["c"] = lhist(-1, 0, 10, 1); exit(); }'
 */
static void test_lhist_keys(void)
{
	static uint64_t h[3][12];
	struct skey k[] = { { "a" }, { "b" }, { "c" } };
	struct lang_entry e[3];
	struct lang_mapinfo m = {
		.name = "@h", .key = KEY_STR, .agg = LA_LHIST, .lmin = 0, .lmax = 10, .lstep = 1
	};

	memset(h, 0, sizeof(h));
	ladd(h[0], &m, 10, 1);
	ladd(h[0], &m, 1, 1);
	ladd(h[1], &m, 4, 1);
	ladd(h[2], &m, -1, 1);
	FILL(e, k, h);
	show(&m, e, 3, false);
	CHECK_MEM(
		mem.buf, mem.len,
		"@h[b]: \n"
		"[4, 5)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@h[c]: \n"
		"(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@h[a]: \n"
		"[1, 2)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[2, 3)                 0 |                                                    |\n"
		"[3, 4)                 0 |                                                    |\n"
		"[4, 5)                 0 |                                                    |\n"
		"[5, 6)                 0 |                                                    |\n"
		"[6, 7)                 0 |                                                    |\n"
		"[7, 8)                 0 |                                                    |\n"
		"[8, 9)                 0 |                                                    |\n"
		"[9, 10)                0 |                                                    |\n"
		"[10, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n");
}

/*
 * One bucket each, and negative values:
 * bpftrace -e 'BEGIN { @a = hist(0); @b = hist(1); @c = hist(-1); @d = hist(-100);
 *   @d = hist(-5); exit(); }'
 */
static void test_hist_one_bucket(void)
{
	static uint64_t h[4][LANG_HIST_SLOTS];
	const char *names[] = { "@a", "@b", "@c", "@d" };

	memset(h, 0, sizeof(h));
	hadd(h[0], 0, 1);
	hadd(h[1], 1, 1);
	hadd(h[2], -1, 1);
	hadd(h[3], -100, 1);
	hadd(h[3], -5, 1);
	kt_mem_open(&mem);
	for (int i = 0; i < 4; i++) {
		struct lang_entry e = { NULL, h[i] };
		struct lang_mapinfo m = { .name = names[i], .agg = LA_HIST };

		put_map(&m, &e, 1, false, 0, 0);
	}
	kt_mem_close(&mem);
	CHECK_MEM(
		mem.buf, mem.len,
		"@a: \n"
		"[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@b: \n"
		"[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@c: \n"
		"(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@d: \n"
		"(..., 0)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n");
}

/*
 * Empty buckets between used ones are shown, bars scale to the largest:
 * bpftrace -e 'BEGIN { @h = hist(1); @h = hist(10); @h = hist(10); @h = hist(3000); exit(); }'
 * (and with -f json)
 */
static void test_hist_gap(void)
{
	static uint64_t h[LANG_HIST_SLOTS];
	struct lang_entry e = { NULL, h };
	struct lang_mapinfo m = { .name = "@h", .agg = LA_HIST };

	memset(h, 0, sizeof(h));
	hadd(h, 1, 1);
	hadd(h, 10, 2);
	hadd(h, 3000, 1);
	CHECK_MAP(
		&m, &e, 1,
		"@h: \n"
		"[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		"[2, 4)                 0 |                                                    |\n"
		"[4, 8)                 0 |                                                    |\n"
		"[8, 16)                2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[16, 32)               0 |                                                    |\n"
		"[32, 64)               0 |                                                    |\n"
		"[64, 128)              0 |                                                    |\n"
		"[128, 256)             0 |                                                    |\n"
		"[256, 512)             0 |                                                    |\n"
		"[512, 1K)              0 |                                                    |\n"
		"[1K, 2K)               0 |                                                    |\n"
		"[2K, 4K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		"\n",
		"{\"type\": \"hist\", \"data\": {\"@h\": [{\"min\": 1, \"max\": 1, "
		"\"count\": 1}, {\"min\": 2, \"max\": 3, \"count\": 0}, {\"min\": 4, "
		"\"max\": 7, \"count\": 0}, {\"min\": 8, \"max\": 15, \"count\": 2}, "
		"{\"min\": 16, \"max\": 31, \"count\": 0}, {\"min\": 32, \"max\": 63, "
		"\"count\": 0}, {\"min\": 64, \"max\": 127, \"count\": 0}, {\"min\": 128, "
		"\"max\": 255, \"count\": 0}, {\"min\": 256, \"max\": 511, \"count\": 0}, "
		"{\"min\": 512, \"max\": 1023, \"count\": 0}, {\"min\": 1024, "
		"\"max\": 2047, \"count\": 0}, {\"min\": 2048, \"max\": 4095, "
		"\"count\": 1}]}}\n");
}

/*
 * Values near 2^63. bpftrace 0.17 cannot show these (its hist() puts everything from 2^32
 * in "[2G, 4G)"), so the labels follow its scheme one step further: T, P, E.
 */
static void test_hist_huge(void)
{
	static uint64_t h[LANG_HIST_SLOTS];
	struct lang_entry e = { NULL, h };
	struct lang_mapinfo m = { .name = "@big", .agg = LA_HIST };

	memset(h, 0, sizeof(h));
	hadd(h, INT64_MAX, 3);
	hadd(h, 1LL << 62, 1);
	hadd(h, 1LL << 60, 1);
	show(&m, &e, 1, false);
	CHECK_MEM(
		mem.buf, mem.len,
		"@big: \n"
		"[1E, 2E)               1 |@@@@@@@@@@@@@                                       |\n"
		"[2E, 4E)               0 |                                                    |\n"
		"[4E, 8E)               4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n");
	show(&m, &e, 1, true);
	CHECK_MEM(mem.buf, mem.len,
		  "{\"type\": \"hist\", \"data\": {\"@big\": [{\"min\": 1152921504606846976, "
		  "\"max\": 2305843009213693951, \"count\": 1}, {\"min\": 2305843009213693952, "
		  "\"max\": 4611686018427387903, \"count\": 0}, {\"min\": 4611686018427387904, "
		  "\"max\": 9223372036854775807, \"count\": 4}]}}\n");
	/* the last slot, for unsigned values from 2^63 */
	memset(h, 0, sizeof(h));
	h[LANG_HIST_SLOTS - 1] = 123456789012ULL;
	h[LANG_HIST_SLOTS - 3] = 1;
	kt_mem_open(&mem);
	put_map(&m, &e, 1, false, 0, 0);
	put_map(&m, &e, 1, true, 0, 0);
	kt_mem_close(&mem);
	CHECK_MEM(
		mem.buf, mem.len,
		"@big: \n"
		"[2E, 4E)               1 |                                                    |\n"
		"[4E, 8E)               0 |                                                    |\n"
		"[8E, ...)       123456789012 "
		"|@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"{\"type\": \"hist\", \"data\": {\"@big\": [{\"min\": 2305843009213693952, "
		"\"max\": 4611686018427387903, \"count\": 1}, {\"min\": 4611686018427387904, "
		"\"max\": 9223372036854775807, \"count\": 0}, {\"min\": 9223372036854775808, "
		"\"count\": 123456789012}]}}\n");
}

/*
 * lhist labels: suffixes only on multiples of 1024, wide labels push the count right:
 * bpftrace -e 'BEGIN { @a = lhist(5, 0, 25, 10); @c = lhist(25, 0, 25, 10);
 *   @d = lhist(-1, 0, 25, 10); @e = lhist(100000000, 0, 1000000000, 100000000);
 *   @f = lhist(1000000000, 0, 1000000000, 100000000); @g = lhist(1024, 0, 2048, 512);
 *   @h = lhist(1049600, 1048576, 1148576, 1024); exit(); }'      (and with -f json)
 */
static void print_lhist_edges(bool json)
{
	static const struct {
		const char *name;
		int64_t min, max, step, v;
	} t[] = {
		{ "@a", 0, 25, 10, 5 },
		{ "@c", 0, 25, 10, 25 },
		{ "@d", 0, 25, 10, -1 },
		{ "@e", 0, 1000000000, 100000000, 100000000 },
		{ "@f", 0, 1000000000, 100000000, 1000000000 },
		{ "@g", 0, 2048, 512, 1024 },
		{ "@h", 1048576, 1148576, 1024, 1049600 },
	};
	static uint64_t slots[128];

	kt_mem_open(&mem);
	for (size_t i = 0; i < N(t); i++) {
		struct lang_mapinfo m = { .name = t[i].name,
					  .agg = LA_LHIST,
					  .lmin = t[i].min,
					  .lmax = t[i].max,
					  .lstep = t[i].step };
		struct lang_entry e = { NULL, slots };

		memset(slots, 0, sizeof(slots));
		ladd(slots, &m, t[i].v, 1);
		put_map(&m, &e, 1, json, 0, 0);
	}
	kt_mem_close(&mem);
}

static void test_lhist_edges(void)
{
	print_lhist_edges(false);
	CHECK_MEM(
		mem.buf, mem.len,
		"@a: \n"
		"[0, 10)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@c: \n"
		"[25, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@d: \n"
		"(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@e: \n"
		"[100000000, 200000000)       1 "
		"|@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@f: \n"
		"[1000000000, ...)       1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@g: \n"
		"[1K, 1536)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@h: \n"
		"[1025K, 1026K)         1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n");
	print_lhist_edges(true);
	CHECK_MEM(mem.buf, mem.len,
		  "{\"type\": \"hist\", \"data\": {\"@a\": [{\"min\": 0, \"max\": 9, "
		  "\"count\": 1}]}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@c\": [{\"min\": 25, \"count\": 1}]}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@d\": [{\"max\": -1, \"count\": 1}]}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@e\": [{\"min\": 100000000, "
		  "\"max\": 199999999, \"count\": 1}]}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@f\": [{\"min\": 1000000000, "
		  "\"count\": 1}]}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@g\": [{\"min\": 1024, \"max\": 1535, "
		  "\"count\": 1}]}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@h\": [{\"min\": 1049600, \"max\": 1050623, "
		  "\"count\": 1}]}}\n");
}

/*
 * Below min and above max, with two keys:
 * bpftrace -e 'BEGIN { @l = lhist(5, 1024, 4096, 1024); @l = lhist(5000, 1024, 4096, 1024);
 *   @m[1, "x"] = lhist(3, 0, 10, 5); @m[2, "y"] = lhist(30, 0, 10, 5);
 *   @m[2, "y"] = lhist(30, 0, 10, 5); exit(); }'     (and with -f json)
 */
static void test_lhist_ends(void)
{
	static uint64_t l[5], h[2][4];
	struct iskey k[] = { { 2, "y" }, { 1, "x" } };
	struct lang_entry le = { NULL, l }, e[2];
	struct lang_mapinfo lm = {
		.name = "@l", .agg = LA_LHIST, .lmin = 1024, .lmax = 4096, .lstep = 1024
	};
	struct lang_mapinfo m = {
		.name = "@m", .key = KEY_IS, .agg = LA_LHIST, .lmin = 0, .lmax = 10, .lstep = 5
	};

	memset(l, 0, sizeof(l));
	memset(h, 0, sizeof(h));
	ladd(l, &lm, 5, 1);
	ladd(l, &lm, 5000, 1);
	ladd(h[0], &m, 30, 2);
	ladd(h[1], &m, 3, 1);
	FILL(e, k, h);
	SHOW(false, { &lm, &le, 1 }, { &m, e, 2 });
	CHECK_MEM(
		mem.buf, mem.len,
		"@l: \n"
		"(..., 1K)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[1K, 2K)               0 |                                                    |\n"
		"[2K, 3K)               0 |                                                    |\n"
		"[3K, 4K)               0 |                                                    |\n"
		"[4K, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@m[1, x]: \n"
		"[0, 5)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@m[2, y]: \n"
		"[10, ...)              2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n");
	SHOW(true, { &lm, &le, 1 }, { &m, e, 2 });
	CHECK_MEM(mem.buf, mem.len,
		  "{\"type\": \"hist\", \"data\": {\"@l\": [{\"max\": 1023, \"count\": 1}, "
		  "{\"min\": 1024, \"max\": 2047, \"count\": 0}, {\"min\": 2048, "
		  "\"max\": 3071, \"count\": 0}, {\"min\": 3072, \"max\": 4095, "
		  "\"count\": 0}, {\"min\": 4096, \"count\": 1}]}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@m\": {\"1,x\": [{\"min\": 0, "
		  "\"max\": 4, \"count\": 1}], \"2,y\": [{\"min\": 10, \"count\": 2}]}}}\n");
}

/*
 * A step that does not divide max - min: kscope cuts the last bucket at max. (bpftrace 0.17
 * counts lhist(24, 0, 25, 10) under "[25, ...)".)
 */
static void test_lhist_uneven_step(void)
{
	static uint64_t l[5];
	struct lang_entry e = { NULL, l };
	struct lang_mapinfo m = {
		.name = "@l", .agg = LA_LHIST, .lmin = 0, .lmax = 25, .lstep = 10
	};

	memset(l, 0, sizeof(l));
	ladd(l, &m, 24, 2);
	ladd(l, &m, 20, 1);
	ladd(l, &m, 5, 1);
	ladd(l, &m, 25, 1);
	CHECK_UINT(l[3], 3);
	kt_mem_open(&mem);
	put_map(&m, &e, 1, false, 0, 0);
	put_map(&m, &e, 1, true, 0, 0);
	kt_mem_close(&mem);
	CHECK_MEM(
		mem.buf, mem.len,
		"@l: \n"
		"[0, 10)                1 |@@@@@@@@@@@@@@@@@                                   |\n"
		"[10, 20)               0 |                                                    |\n"
		"[20, 25)               3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[25, ...)              1 |@@@@@@@@@@@@@@@@@                                   |\n"
		"\n"
		"{\"type\": \"hist\", \"data\": {\"@l\": [{\"min\": 0, \"max\": 9, \"count\": 1}, "
		"{\"min\": 10, \"max\": 19, \"count\": 0}, {\"min\": 20, \"max\": 24, "
		"\"count\": 3}, {\"min\": 25, \"count\": 1}]}}\n");
}

/*
 * Bars: floor(52 * count / largest), so 1 of 200 gets none and 4 of 200 one:
 * bpftrace -e 'BEGIN { @a = lhist(0, 0, 10, 1); @a = lhist(1, 0, 10, 1) x2;
 *   @a = lhist(2, 0, 10, 1) x3; @b = lhist(5, 0, 10, 1) x200; @b = lhist(0, 0, 10, 1);
 *   @b = lhist(1, 0, 10, 1) x4; @b = lhist(2, 0, 10, 1) x7; exit(); }'
 */
static void test_hist_bars(void)
{
	static uint64_t a[12], b[12];
	struct lang_entry ae = { NULL, a }, be = { NULL, b };
	struct lang_mapinfo am = {
		.name = "@a", .agg = LA_LHIST, .lmin = 0, .lmax = 10, .lstep = 1
	};
	struct lang_mapinfo bm = am;

	bm.name = "@b";
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	ladd(a, &am, 0, 1);
	ladd(a, &am, 1, 2);
	ladd(a, &am, 2, 3);
	ladd(b, &bm, 5, 200);
	ladd(b, &bm, 0, 1);
	ladd(b, &bm, 1, 4);
	ladd(b, &bm, 2, 7);
	SHOW(false, { &am, &ae, 1 }, { &bm, &be, 1 });
	CHECK_MEM(
		mem.buf, mem.len,
		"@a: \n"
		"[0, 1)                 1 |@@@@@@@@@@@@@@@@@                                   |\n"
		"[1, 2)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                  |\n"
		"[2, 3)                 3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@b: \n"
		"[0, 1)                 1 |                                                    |\n"
		"[1, 2)                 4 |@                                                   |\n"
		"[2, 3)                 7 |@                                                   |\n"
		"[3, 4)                 0 |                                                    |\n"
		"[4, 5)                 0 |                                                    |\n"
		"[5, 6)               200 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n");
}

/* What print() shows for the maps of test_map_empty, a "-" line after each (as printf). */
static void print_empty(bool json)
{
	static uint64_t zh[LANG_HIST_SLOTS], zl[12];
	struct pair zs = { 0, 0 }, za = { 0, 0 };
	int64_t one = 1;
	uint64_t zero = 0;
	struct lang_entry zhe = { NULL, zh }, zse = { NULL, &zs }, zce = { &one, &zero };
	struct lang_entry zae = { NULL, &za }, zle = { NULL, zl };
	struct lang_mapinfo maps[] = {
		{ .name = "@h", .agg = LA_HIST },
		{ .name = "@s", .agg = LA_STATS },
		{ .name = "@c", .key = KEY_I64, .agg = LA_COUNT },
		{ .name = "@a", .agg = LA_AVG },
		{ .name = "@zh", .agg = LA_HIST },
		{ .name = "@zs", .agg = LA_STATS },
		{ .name = "@zc", .key = KEY_I64, .agg = LA_COUNT },
		{ .name = "@za", .agg = LA_AVG },
		{ .name = "@zl", .agg = LA_LHIST, .lmin = 0, .lmax = 10, .lstep = 1 },
	};
	struct lang_entry *e[] = { NULL, NULL, NULL, NULL, &zhe, &zse, &zce, &zae, &zle };

	memset(zh, 0, sizeof(zh));
	memset(zl, 0, sizeof(zl));
	kt_mem_open(&mem);
	for (size_t i = 0; i < N(maps); i++) {
		put_map(&maps[i], e[i], e[i] ? 1 : 0, json, 0, 0);
		if (!json)
			fputs("-\n", mem.f);
	}
	kt_mem_close(&mem);
}

/*
 * Maps emptied by clear() and maps of zeroed entries (zero()), printed with print():
 * bpftrace -e 'BEGIN { @h = hist(1); clear(@h); @s = stats(1); clear(@s); @c[1] = count();
 *   clear(@c); @a = avg(4); clear(@a); print(@h); printf("-\n"); print(@s); printf("-\n");
 *   print(@c); printf("-\n"); print(@a); printf("-\n"); @zh = hist(1); zero(@zh);
 *   @zs = stats(1); zero(@zs); @zc[1] = count(); zero(@zc); @za = avg(4); zero(@za);
 *   @zl = lhist(3, 0, 10, 1); zero(@zl); print(@zh); printf("-\n"); print(@zs);
 *   printf("-\n"); print(@zc); printf("-\n"); print(@za); printf("-\n"); print(@zl);
 *   printf("-\n"); ... }'     (and with -f json, without the printf()s)
 */
static void test_map_empty(void)
{
	print_empty(false);
	CHECK_MEM(mem.buf, mem.len,
		  "\n"
		  "-\n"
		  "\n"
		  "\n"
		  "-\n"
		  "\n"
		  "-\n"
		  "\n"
		  "\n"
		  "-\n"
		  "@zh: \n"
		  "\n"
		  "-\n"
		  "@zs: count 0, average 0, total 0\n"
		  "\n"
		  "-\n"
		  "@zc[1]: 0\n"
		  "-\n"
		  "@za: 0\n"
		  "\n"
		  "-\n"
		  "@zl: \n"
		  "\n"
		  "-\n");
	print_empty(true);
	CHECK_MEM(mem.buf, mem.len,
		  "{\"type\": \"hist\", \"data\": {\"@zh\": []}}\n"
		  "{\"type\": \"stats\", \"data\": {\"@zs\": {\"count\": 0, \"average\": 0, "
		  "\"total\": 0}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@zc\": {\"1\": 0}}}\n"
		  "{\"type\": \"stats\", \"data\": {\"@za\": 0}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@zl\": []}}\n");
}

/*
 * print(@x, top, div): top keeps the largest, div divides values but not stats or hist:
 * bpftrace -e 'BEGIN { @c[1] = sum(100); @c[2] = sum(250); @c[3] = sum(-30); @c[4] = sum(7);
 *   print(@c, 2); printf("-\n"); print(@c, 0, 10); printf("-\n"); print(@c, 2, 100);
 *   printf("-\n"); @s[1] = stats(100); @s[2] = stats(35); print(@s, 1, 10); printf("-\n");
 *   @a[3] = avg(55); print(@a, 0, 10); printf("-\n"); @m[1] = max(77); print(@m, 0, 10);
 *   printf("-\n"); @v[1] = 77; print(@v, 0, 10); printf("-\n"); @y[1] = "x"; @y[2] = "y";
 *   @y[0] = "z"; print(@y, 1); printf("-\n"); @h[1] = lhist(1, 0, 10, 1) x3;
 *   @h[1] = lhist(2, 0, 10, 1); @h[2] = lhist(5, 0, 10, 1) x2; @h[3] = lhist(7, 0, 10, 1);
 *   print(@h, 2, 2); printf("-\n"); ... }'
 */
static void test_map_top_div(void)
{
	int64_t ck[] = { 1, 2, 3, 4 }, cv[] = { 100, 250, -30, 7 }, sk[] = { 1, 2 }, k3 = 3;
	int64_t k1 = 1, v77 = 77, yk[] = { 1, 2, 0 }, hk[] = { 1, 2, 3 };
	struct pair sv[] = { { 100, 1 }, { 35, 1 } }, av = { 55, 1 }, mv = { 77, 1 };
	struct skey yv[] = { { "x" }, { "y" }, { "z" } };
	static uint64_t h[3][12];
	struct lang_entry ce[4], se[2], ae = { &k3, &av }, me = { &k1, &mv }, ve = { &k1, &v77 };
	struct lang_entry ye[3], he[3];
	struct lang_mapinfo c = { .name = "@c", .key = KEY_I64, .agg = LA_SUM, .val = f_i64 };
	struct lang_mapinfo s = { .name = "@s", .key = KEY_I64, .agg = LA_STATS };
	struct lang_mapinfo a = { .name = "@a", .key = KEY_I64, .agg = LA_AVG };
	struct lang_mapinfo m = { .name = "@m", .key = KEY_I64, .agg = LA_MAX, .val = f_i64 };
	struct lang_mapinfo v = { .name = "@v", .key = KEY_I64, .agg = LA_SCALAR, .val = f_i64 };
	struct lang_mapinfo y = { .name = "@y", .key = KEY_I64, .agg = LA_SCALAR, .val = f_str };
	struct lang_mapinfo hm = {
		.name = "@h", .key = KEY_I64, .agg = LA_LHIST, .lmin = 0, .lmax = 10, .lstep = 1
	};

	memset(h, 0, sizeof(h));
	ladd(h[0], &hm, 1, 3);
	ladd(h[0], &hm, 2, 1);
	ladd(h[1], &hm, 5, 2);
	ladd(h[2], &hm, 7, 1);
	FILL(ce, ck, cv);
	FILL(se, sk, sv);
	FILL(ye, yk, yv);
	FILL(he, hk, h);
	kt_mem_open(&mem);
	put_map(&c, ce, 4, false, 2, 0);
	fputs("-\n", mem.f);
	put_map(&c, ce, 4, false, 0, 10);
	fputs("-\n", mem.f);
	put_map(&c, ce, 4, false, 2, 100);
	fputs("-\n", mem.f);
	put_map(&s, se, 2, false, 1, 10);
	fputs("-\n", mem.f);
	put_map(&a, &ae, 1, false, 0, 10);
	fputs("-\n", mem.f);
	put_map(&m, &me, 1, false, 0, 10);
	fputs("-\n", mem.f);
	put_map(&v, &ve, 1, false, 0, 10);
	fputs("-\n", mem.f);
	put_map(&y, ye, 3, false, 1, 0);
	fputs("-\n", mem.f);
	put_map(&hm, he, 3, false, 2, 2);
	fputs("-\n", mem.f);
	kt_mem_close(&mem);
	CHECK_MEM(
		mem.buf, mem.len,
		"@c[1]: 100\n"
		"@c[2]: 250\n"
		"-\n"
		"@c[3]: -3\n"
		"@c[4]: 0\n"
		"@c[1]: 10\n"
		"@c[2]: 25\n"
		"-\n"
		"@c[1]: 1\n"
		"@c[2]: 2\n"
		"-\n"
		"@s[2]: count 1, average 35, total 35\n"
		"@s[1]: count 1, average 100, total 100\n"
		"\n"
		"-\n"
		"@a[3]: 5\n"
		"\n"
		"-\n"
		"@m[1]: 7\n"
		"-\n"
		"@v[1]: 7\n"
		"-\n"
		"@y[2]: y\n"
		"-\n"
		"@h[2]: \n"
		"[5, 6)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n"
		"@h[1]: \n"
		"[1, 2)                 3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[2, 3)                 1 |@@@@@@@@@@@@@@@@@                                   |\n"
		"\n"
		"-\n");
}

/*
 * bpftrace -f json -e 'BEGIN { @c[1] = sum(100); @c[2] = sum(250); @c[3] = sum(-30);
 *   @c[4] = sum(7); print(@c, 2, 10); @s[1] = stats(3); @s[2] = stats(10); print(@s, 1, 2);
 *   @a[1] = avg(3); print(@a, 1, 2); @h[1] = lhist(1, 0, 10, 1) x3; @h[1] = lhist(2, 0, 10, 1);
 *   @h[2] = lhist(5, 0, 10, 1) x2; @h[3] = lhist(7, 0, 10, 1); print(@h, 2, 2); ... }'
 */
static void test_map_top_div_json(void)
{
	int64_t ck[] = { 1, 2, 3, 4 }, cv[] = { 100, 250, -30, 7 }, sk[] = { 1, 2 }, k1 = 1;
	int64_t hk[] = { 1, 2, 3 };
	struct pair sv[] = { { 3, 1 }, { 10, 1 } }, av = { 3, 1 };
	static uint64_t h[3][12];
	struct lang_entry ce[4], se[2], ae = { &k1, &av }, he[3];
	struct lang_mapinfo c = { .name = "@c", .key = KEY_I64, .agg = LA_SUM, .val = f_i64 };
	struct lang_mapinfo s = { .name = "@s", .key = KEY_I64, .agg = LA_STATS };
	struct lang_mapinfo a = { .name = "@a", .key = KEY_I64, .agg = LA_AVG };
	struct lang_mapinfo hm = {
		.name = "@h", .key = KEY_I64, .agg = LA_LHIST, .lmin = 0, .lmax = 10, .lstep = 1
	};

	memset(h, 0, sizeof(h));
	ladd(h[0], &hm, 1, 3);
	ladd(h[0], &hm, 2, 1);
	ladd(h[1], &hm, 5, 2);
	ladd(h[2], &hm, 7, 1);
	FILL(ce, ck, cv);
	FILL(se, sk, sv);
	FILL(he, hk, h);
	kt_mem_open(&mem);
	put_map(&c, ce, 4, true, 2, 10);
	put_map(&s, se, 2, true, 1, 2);
	put_map(&a, &ae, 1, true, 1, 2);
	put_map(&hm, he, 3, true, 2, 2);
	kt_mem_close(&mem);
	CHECK_MEM(mem.buf, mem.len,
		  "{\"type\": \"map\", \"data\": {\"@c\": {\"1\": 10, \"2\": 25}}}\n"
		  "{\"type\": \"stats\", \"data\": {\"@s\": {\"1\": {\"count\": 1, "
		  "\"average\": 3, \"total\": 3}, \"2\": {\"count\": 1, \"average\": 10, "
		  "\"total\": 10}}}}\n"
		  "{\"type\": \"stats\", \"data\": {\"@a\": {\"1\": 1}}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@h\": {\"2\": [{\"min\": 5, "
		  "\"max\": 5, \"count\": 2}], \"1\": [{\"min\": 1, \"max\": 1, "
		  "\"count\": 3}, {\"min\": 2, \"max\": 2, \"count\": 1}]}}}\n");
}

/*
 * bpftrace -f json -e 'BEGIN { @a = 1; @b[1] = 2; @b[2] = 1; @c = count(); @s = stats(5);
 *   @t["a\"b\\\n"] = stats(3); @v[1] = "str"; @av = avg(3); @mi[3] = min(4);
 *   @hk[1] = hist(3); @hk[2] = hist(30); exit(); }'
 */
static void test_map_json_kinds(void)
{
	int64_t one = 1, three = 3, bk[] = { 1, 2 }, bv[] = { 2, 1 }, hk[] = { 2, 1 };
	uint64_t cnt = 1;
	struct pair av = { 3, 1 }, sv = { 5, 1 }, tv = { 3, 1 }, miv = { 4, 1 };
	struct skey tk = { "a\"b\\\n" }, vv = { "str" };
	static uint64_t h[2][LANG_HIST_SLOTS];
	struct lang_entry ae = { NULL, &one }, ave = { NULL, &av }, be[2], ce = { NULL, &cnt };
	struct lang_entry he[2], mie = { &three, &miv }, se = { NULL, &sv }, te = { &tk, &tv };
	struct lang_entry ve = { &one, &vv };
	struct lang_mapinfo a = { .name = "@a", .agg = LA_SCALAR, .val = f_i64 };
	struct lang_mapinfo avm = { .name = "@av", .agg = LA_AVG };
	struct lang_mapinfo b = { .name = "@b", .key = KEY_I64, .agg = LA_SCALAR, .val = f_i64 };
	struct lang_mapinfo c = { .name = "@c", .agg = LA_COUNT };
	struct lang_mapinfo hm = { .name = "@hk", .key = KEY_I64, .agg = LA_HIST };
	struct lang_mapinfo mi = { .name = "@mi", .key = KEY_I64, .agg = LA_MIN, .val = f_i64 };
	struct lang_mapinfo s = { .name = "@s", .agg = LA_STATS };
	struct lang_mapinfo t = { .name = "@t", .key = KEY_STR, .agg = LA_STATS };
	struct lang_mapinfo v = { .name = "@v", .key = KEY_I64, .agg = LA_SCALAR, .val = f_str };

	memset(h, 0, sizeof(h));
	hadd(h[0], 30, 1);
	hadd(h[1], 3, 1);
	FILL(be, bk, bv);
	FILL(he, hk, h);
	SHOW(true, { &a, &ae, 1 }, { &avm, &ave, 1 }, { &b, be, 2 }, { &c, &ce, 1 }, { &hm, he, 2 },
	     { &mi, &mie, 1 }, { &s, &se, 1 }, { &t, &te, 1 }, { &v, &ve, 1 });
	CHECK_MEM(mem.buf, mem.len,
		  "{\"type\": \"map\", \"data\": {\"@a\": 1}}\n"
		  "{\"type\": \"stats\", \"data\": {\"@av\": 3}}\n"
		  "{\"type\": \"map\", \"data\": {\"@b\": {\"2\": 1, \"1\": 2}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@c\": 1}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@hk\": {\"1\": [{\"min\": 2, "
		  "\"max\": 3, \"count\": 1}], \"2\": [{\"min\": 16, \"max\": 31, "
		  "\"count\": 1}]}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@mi\": {\"3\": 4}}}\n"
		  "{\"type\": \"stats\", \"data\": {\"@s\": {\"count\": 1, \"average\": 5, "
		  "\"total\": 5}}}\n"
		  "{\"type\": \"stats\", \"data\": {\"@t\": {\"a\\\"b\\\\\\n\": {\"count\": 1, "
		  "\"average\": 3, \"total\": 3}}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@v\": {\"1\": \"str\"}}}\n");
}

/* Tuples (int64, char[16]) and (int64, char[16], int64). */
struct tup2 {
	int64_t a;
	char s[16];
};
struct tup3 {
	int64_t a;
	char s[16];
	int64_t b;
};
static const struct lang_field t2_sub[] = { { LV_INT, 0, 8 }, { LV_STR, 8, 16 } };
static const struct lang_field t3_sub[] = { { LV_INT, 0, 8 },
					    { LV_STR, 8, 16 },
					    { LV_INT, 24, 8 } };
static const struct lang_field f_t2 = { LV_TUPLE, 0, 24, t2_sub, 2 };
static const struct lang_field f_t3 = { LV_TUPLE, 0, 32, t3_sub, 3 };

/*
 * Tuples, two keys, int8 keys, control characters:
 * bpftrace -e 'BEGIN { @t = (1, "ab\tc"); @u[2] = (3, "x", -4); @k[-1, "q"] = 5;
 *   @n[(int8)-3] = 4; @p["a"] = "b\x01c\x7f"; @e[""] = 1; exit(); }'
 * and with -f json, where @p["a"] = "b\x01c\x7f\r\x08\x0c/\x1f\x0b\x1b\"\\\n"
 */
static void print_tuples(bool json)
{
	int64_t one = 1, two = 2, five = 5, four = 4;
	int8_t m3 = -3;
	struct skey ek = { "" }, pk = { "a" };
	struct skey pv = { "b\001c\177" }, pvj = { "b\001c\177\r\b\f/\037\013\033\"\\\n" };
	struct iskey kk = { -1, "q" };
	struct tup2 tv = { 1, "ab\tc" };
	struct tup3 uv = { 3, "x", -4 };
	struct lang_entry ee = { &ek, &one }, ke = { &kk, &five }, ne = { &m3, &four };
	struct lang_entry pe = { &pk, json ? &pvj : &pv }, te = { NULL, &tv }, ue = { &two, &uv };
	struct lang_mapinfo e = { .name = "@e", .key = KEY_STR, .agg = LA_SCALAR, .val = f_i64 };
	struct lang_mapinfo k = { .name = "@k", .key = KEY_IS, .agg = LA_SCALAR, .val = f_i64 };
	struct lang_mapinfo n = {
		.name = "@n", .key = { &f_i8, 1, 1 }, .agg = LA_SCALAR, .val = f_i64
	};
	struct lang_mapinfo p = { .name = "@p", .key = KEY_STR, .agg = LA_SCALAR, .val = f_str };
	struct lang_mapinfo t = { .name = "@t", .agg = LA_SCALAR, .val = f_t2 };
	struct lang_mapinfo u = { .name = "@u", .key = KEY_I64, .agg = LA_SCALAR, .val = f_t3 };

	SHOW(json, { &e, &ee, 1 }, { &k, &ke, 1 }, { &n, &ne, 1 }, { &p, &pe, 1 }, { &t, &te, 1 },
	     { &u, &ue, 1 });
}

static void test_map_tuples(void)
{
	print_tuples(false);
	CHECK_MEM(mem.buf, mem.len,
		  "@e[]: 1\n"
		  "@k[-1, q]: 5\n"
		  "@n[-3]: 4\n"
		  "@p[a]: b\\x01c\\x7f\n"
		  "@t: (1, ab\\tc)\n"
		  "@u[2]: (3, x, -4)\n");
	print_tuples(true);
	CHECK_MEM(mem.buf, mem.len,
		  "{\"type\": \"map\", \"data\": {\"@e\": {\"\": 1}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@k\": {\"-1,q\": 5}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@n\": {\"-3\": 4}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@p\": {\"a\": "
		  "\"b\\u0001c\177\\r\\u0008\\u000c/\\u001f\\u000b\\u001b\\\"\\\\\\n\"}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@t\": [1,\"ab\\tc\"]}}\n"
		  "{\"type\": \"map\", \"data\": {\"@u\": {\"2\": [3,\"x\",-4]}}}\n");
}

struct buf8 {
	uint32_t len;
	char d[8];
};

/*
 * print() of values, and buffers in maps:
 * bpftrace -e 'BEGIN { print(1); print("ab\"c"); print((1, "a", (2, "b"))); print(-5);
 *   print((int8)-3); print((uint64)-1); print(buf("a\x01b", 3)); @b[1] = buf("xy\x02", 3);
 *   @c[buf("k", 1)] = 1; exit(); }'      (and with -f json)
 */
static void print_values(bool json)
{
	static const struct lang_field in_sub[] = { { LV_INT, 0, 8 }, { LV_STR, 8, 8 } };
	static const struct lang_field out_sub[] = { { LV_INT, 0, 8 },
						     { LV_STR, 8, 8 },
						     { LV_TUPLE, 16, 16, in_sub, 2 } };
	static const struct lang_field nested = { LV_TUPLE, 0, 32, out_sub, 3 };
	static const struct lang_field f_buf = { LV_BUF, 0, 12 };
	struct {
		int64_t a;
		char s[8];
		int64_t b;
		char t[8];
	} tv = { 1, "a", 2, "b" };
	struct lang_print_opts o = { .json = json };
	int64_t one = 1, m5 = -5;
	int8_t m3 = -3;
	uint64_t max = UINT64_MAX;
	char str[8] = "ab\"c";
	struct buf8 b1 = { 3, "a\001b" }, b2 = { 3, "xy\002" }, bk = { 1, "k" };
	struct lang_entry be = { &one, &b2 }, ce = { &bk, &one };
	struct lang_mapinfo bm = { .name = "@b", .key = KEY_I64, .agg = LA_SCALAR, .val = f_buf };
	struct lang_mapinfo cm = {
		.name = "@c", .key = { &f_buf, 1, 12 }, .agg = LA_SCALAR, .val = f_i64
	};

	kt_mem_open(&mem);
	CHECK_INT(lang_print_value(mem.f, &f_i64, &one, 0, &o), 0);
	CHECK_INT(lang_print_value(mem.f, &(struct lang_field){ LV_STR, 0, 8 }, str, 0, &o), 0);
	CHECK_INT(lang_print_value(mem.f, &nested, &tv, 0, &o), 0);
	CHECK_INT(lang_print_value(mem.f, &f_i64, &m5, 0, &o), 0);
	CHECK_INT(lang_print_value(mem.f, &f_i8, &m3, 0, &o), 0);
	CHECK_INT(lang_print_value(mem.f, &f_u64, &max, 0, &o), 0);
	CHECK_INT(lang_print_value(mem.f, &f_buf, &b1, 0, &o), 0);
	fputs("\n\n", mem.f); /* what bpftrace prints at exit before the maps */
	put_map(&bm, &be, 1, json, 0, 0);
	put_map(&cm, &ce, 1, json, 0, 0);
	kt_mem_close(&mem);
}

static void test_print_values(void)
{
	print_values(false);
	CHECK_MEM(mem.buf, mem.len,
		  "1\n"
		  "ab\"c\n"
		  "(1, a, (2, b))\n"
		  "-5\n"
		  "-3\n"
		  "18446744073709551615\n"
		  "a\\x01b\n"
		  "\n"
		  "\n"
		  "@b[1]: xy\\x02\n"
		  "@c[k]: 1\n");
	print_values(true);
	CHECK_MEM(mem.buf, mem.len,
		  "{\"type\": \"value\", \"data\": 1}\n"
		  "{\"type\": \"value\", \"data\": \"ab\\\"c\"}\n"
		  "{\"type\": \"value\", \"data\": [1,\"a\",[2,\"b\"]]}\n"
		  "{\"type\": \"value\", \"data\": -5}\n"
		  "{\"type\": \"value\", \"data\": -3}\n"
		  "{\"type\": \"value\", \"data\": 18446744073709551615}\n"
		  "{\"type\": \"value\", \"data\": \"a\\\\x01b\"}\n"
		  "\n"
		  "\n"
		  "{\"type\": \"map\", \"data\": {\"@b\": {\"1\": \"xy\\\\x02\"}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@c\": {\"k\": 1}}}\n");
}

/* A stand-in for the runtime's resolver: frames "f<ip>+<pid>", ksym "ksym_<hex>". */
static int special_calls;

static void fake_special(void *ctx, FILE *f, const struct lang_field *fl, const void *data, int pid,
			 unsigned flags)
{
	uint64_t v;

	memcpy(&v, data, 8);
	special_calls++;
	switch (fl->type) {
	case LV_KSTACK:
	case LV_USTACK:
		if (!v && (flags & LANG_SPECIAL_KEY))
			break;
		fputc('\n', f);
		for (uint64_t i = 0; i < v && i + 1 < fl->size / 8; i++) {
			uint64_t ip;

			memcpy(&ip, (const char *)data + 8 * (i + 1), 8);
			fprintf(f, "%sf%llu+%d\n", flags & LANG_SPECIAL_KEY ? "    " : "        ",
				(unsigned long long)ip, pid);
		}
		break;
	case LV_KSYM:
		fprintf(f, "ksym_%llx", (unsigned long long)v);
		break;
	case LV_USERNAME:
		fputs(v ? "nobody" : "root", f);
		break;
	default:
		fprintf(f, "<%d:%llu%s>", (int)fl->type, (unsigned long long)v,
			flags & LANG_SPECIAL_JSON ? " json" : "");
		break;
	}
}

static const struct lang_print_env fake_env = { NULL, fake_special };

/* A kernel stack of up to 3 frames, then comm: the key of @[kstack, comm]. */
struct stack_key {
	uint64_t n, ip[3];
	char comm[16];
};
static const struct lang_field f_stack_comm[] = { { LV_KSTACK, 0, 32 }, { LV_STR, 32, 16 } };

/*
 * Stacks as map keys are indented by 4, as values by 8 (bpftrace: "@[\n    f+1\n, comm]: 1",
 * print(kstack) "\n        f+1\n"); without a resolver the addresses are printed.
 */
static void test_map_stacks(void)
{
	struct stack_key k[] = { { 2, { 1, 2 }, "bpftrace" }, { 0, { 0 }, "swapper/0" } };
	uint64_t v[] = { 3, 1 };
	struct lang_entry e[2];
	struct lang_mapinfo m = { .name = "@", .key = { f_stack_comm, 2, 48 }, .agg = LA_COUNT };
	struct lang_print_opts o = { .env = &fake_env }, oj = { .json = true, .env = &fake_env };
	struct lang_field kstack = { LV_KSTACK, 0, 32 };

	FILL(e, k, v);
	kt_mem_open(&mem);
	CHECK_INT(lang_print_map(mem.f, &m, e, 2, &o), 0);
	CHECK_INT(lang_print_map(mem.f, &m, e, 2, &oj), 0);
	CHECK_INT(lang_print_value(mem.f, &kstack, &k[0], 7, &o), 0);
	CHECK_INT(lang_print_value(mem.f, &kstack, &k[0], 7, &oj), 0);
	kt_mem_close(&mem);
	CHECK_MEM(mem.buf, mem.len,
		  "@[, swapper/0]: 1\n"
		  "@[\n    f1+0\n    f2+0\n, bpftrace]: 3\n"
		  "{\"type\": \"map\", \"data\": {\"@\": {\",swapper/0\": 1, "
		  "\"\\n    f1+0\\n    f2+0\\n,bpftrace\": 3}}}\n"
		  "\n        f1+7\n        f2+7\n\n"
		  "{\"type\": \"value\", \"data\": \"\\n        f1+7\\n        f2+7\\n\"}\n");
	CHECK_INT(special_calls, 6);

	/* no resolver */
	kt_mem_open(&mem);
	CHECK_INT(lang_print_map(mem.f, &m, e, 2, NULL), 0);
	CHECK_INT(lang_print_value(mem.f, &kstack, &k[0], 0, NULL), 0);
	kt_mem_close(&mem);
	CHECK_MEM(mem.buf, mem.len,
		  "@[, swapper/0]: 1\n"
		  "@[\n    0x1\n    0x2\n, bpftrace]: 3\n"
		  "\n        0x1\n        0x2\n\n");
}

/* ksym, username and the others go through the resolver, or print as numbers. */
static void test_map_symbols(void)
{
	static const struct lang_field f_ksym = { LV_KSYM, 0, 8 }, f_user = { LV_USERNAME, 0, 8 };
	static const struct lang_field f_probe = { LV_PROBE, 0, 8 };
	uint64_t kk[] = { 0xffffffff81000000ULL, 0xffffffff81000010ULL }, kv[] = { 5, 2 };
	uint64_t uk = 0, pv = 3;
	struct lang_entry ke[2], ue = { &uk, &pv };
	struct lang_mapinfo km = { .name = "@k", .key = { &f_ksym, 1, 8 }, .agg = LA_COUNT };
	struct lang_mapinfo um = {
		.name = "@u", .key = { &f_user, 1, 8 }, .agg = LA_SCALAR, .val = f_probe
	};
	struct lang_print_opts o = { .env = &fake_env }, oj = { .json = true, .env = &fake_env };

	FILL(ke, kk, kv);
	kt_mem_open(&mem);
	CHECK_INT(lang_print_map(mem.f, &km, ke, 2, &o), 0);
	CHECK_INT(lang_print_map(mem.f, &um, &ue, 1, &o), 0);
	CHECK_INT(lang_print_map(mem.f, &km, ke, 2, &oj), 0);
	CHECK_INT(lang_print_map(mem.f, &um, &ue, 1, &oj), 0);
	CHECK_INT(lang_print_map(mem.f, &km, ke, 2, NULL), 0);
	CHECK_INT(lang_print_map(mem.f, &um, &ue, 1, NULL), 0);
	kt_mem_close(&mem);
	CHECK_MEM(mem.buf, mem.len,
		  "@k[ksym_ffffffff81000010]: 2\n"
		  "@k[ksym_ffffffff81000000]: 5\n"
		  "@u[root]: <8:3>\n"
		  "{\"type\": \"map\", \"data\": {\"@k\": {\"ksym_ffffffff81000010\": 2, "
		  "\"ksym_ffffffff81000000\": 5}}}\n"
		  "{\"type\": \"map\", \"data\": {\"@u\": {\"root\": \"<8:3 json>\"}}}\n"
		  "@k[18446744071578845200]: 2\n"
		  "@k[18446744071578845184]: 5\n"
		  "@u[0]: 3\n");
}

/* printf arguments: each value in its own 8-byte slot of one record. */
struct fargs {
	struct lang_field f[16];
	size_t n;
	unsigned char data[16 * 24];
};

static void fa_int(struct fargs *a, enum lang_vtype t, uint32_t size, int64_t v)
{
	uint32_t off = (uint32_t)a->n * 24;

	memcpy(a->data + off, &v, size); /* little-endian: the low bytes */
	a->f[a->n++] = (struct lang_field){ t, off, size };
}

static void fa_str(struct fargs *a, const char *s, uint32_t size)
{
	uint32_t off = (uint32_t)a->n * 24;

	memcpy(a->data + off, s, size);
	a->f[a->n++] = (struct lang_field){ LV_STR, off, size };
}

#define I64(a, v) fa_int(a, LV_INT, 8, v)

/* Format with lang_format_str after checking the format; "" if either fails. */
static char *fmt_out(const char *fmt, struct fargs *a)
{
	static char *last;
	char err[160];
	int bad;

	free(last);
	last = NULL;
	CHECK(!lang_format_check(fmt, a->f, a->n, err, sizeof(err), &bad), "\"%s\": %s", fmt, err);
	last = lang_format_str(fmt, a->f, a->n, a->data, 0, NULL);
	CHECK(last, "\"%s\": lang_format_str failed: %s", fmt, strerror(errno));
	return last ? last : "";
}

/*
 * Integer conversions see the 64-bit value through C's conversions, as in bpftrace:
 * bpftrace -e 'BEGIN { printf("%d|%x|%u|%5s|%-5s|%c|\n", (int8)-1, -1, -1, "ab", "cd", 65); }'
 * -> "-1|ffffffff|4294967295|   ab|cd   |A|" and the others below, one printf each.
 */
static void test_printf_ints(void)
{
	struct fargs a = { .n = 0 };

	fa_int(&a, LV_INT, 1, -1);
	I64(&a, -1);
	I64(&a, -1);
	fa_str(&a, "ab", 3);
	fa_str(&a, "cd", 3);
	I64(&a, 65);
	CHECK_STR(fmt_out("%d|%x|%u|%5s|%-5s|%c|", &a), "-1|ffffffff|4294967295|   ab|cd   |A|");

	a.n = 0;
	I64(&a, 255);
	I64(&a, 8);
	I64(&a, 0x1234);
	CHECK_STR(fmt_out("%X|%o|%p|", &a), "FF|10|0x1234|");

	a.n = 0;
	I64(&a, 42);
	I64(&a, 42);
	I64(&a, 7);
	I64(&a, 7);
	I64(&a, 42);
	CHECK_STR(fmt_out("%05d|%-5d|%.3d|%8.3d|%-05d|", &a), "00042|42   |007|     007|42   |");

	/* printf("%d %d %u %x %x", (uint8)255, (int16)-2, (int32)-1, (int32)-1, (int8)-1) */
	a.n = 0;
	fa_int(&a, LV_UINT, 1, 255);
	fa_int(&a, LV_INT, 2, -2);
	fa_int(&a, LV_INT, 4, -1);
	fa_int(&a, LV_INT, 4, -1);
	fa_int(&a, LV_INT, 1, -1);
	CHECK_STR(fmt_out("%d %d %u %x %x", &a), "255 -2 4294967295 ffffffff ffffffff");

	/* %d is 32 bits: printf("%d %u %x %ld", 5000000000 x4) */
	a.n = 0;
	for (int i = 0; i < 4; i++)
		I64(&a, 5000000000LL);
	CHECK_STR(fmt_out("%d %u %x %ld", &a), "705032704 705032704 2a05f200 5000000000");

	a.n = 0;
	I64(&a, 0);
	I64(&a, 0);
	I64(&a, 0);
	CHECK_STR(fmt_out("%.0d|%.0x|%5.0d", &a), "||     ");

	a.n = 0;
	for (int i = 0; i < 3; i++)
		I64(&a, 255);
	CHECK_STR(fmt_out("%-8.3x|%08x|%08.3x", &a), "0ff     |000000ff|     0ff");

	a.n = 0;
	I64(&a, -1);
	I64(&a, 8);
	I64(&a, 3054);
	CHECK_STR(fmt_out("%o|%05o|%X", &a), "37777777777|00010|BEE");
}

/*
 * Length modifiers:
 * printf("%ld|%lu|%lld|%llu|%lx|%llx|%hd|%hhd|%hx|%hhx|%hu|%hhu|", -1, -1, -1, -1, -1, -1,
 *   70000, 300, -1, -1, -1, -1)
 * printf("%hhd %hhu %hd", (uint8)200, (int8)-56, (uint16)65535)
 * printf("%10lu|%-20lld|", -1, -1), and %jd %zd %td %zu %jx %lX %llo %ho %lp of -1 one by one.
 */
static void test_printf_sizes(void)
{
	struct fargs a = { .n = 0 };

	for (int i = 0; i < 6; i++)
		I64(&a, -1);
	I64(&a, 70000);
	I64(&a, 300);
	for (int i = 0; i < 4; i++)
		I64(&a, -1);
	CHECK_STR(fmt_out("%ld|%lu|%lld|%llu|%lx|%llx|%hd|%hhd|%hx|%hhx|%hu|%hhu|", &a),
		  "-1|18446744073709551615|-1|18446744073709551615|ffffffffffffffff|"
		  "ffffffffffffffff|4464|44|ffff|ff|65535|255|");

	a.n = 0;
	fa_int(&a, LV_UINT, 1, 200);
	fa_int(&a, LV_INT, 1, -56);
	fa_int(&a, LV_UINT, 2, 65535);
	CHECK_STR(fmt_out("%hhd %hhu %hd", &a), "-56 200 -1");

	a.n = 0;
	I64(&a, -1);
	I64(&a, -1);
	CHECK_STR(fmt_out("%10lu|%-20lld|", &a), "18446744073709551615|-1                  |");

	a.n = 0;
	for (int i = 0; i < 9; i++)
		I64(&a, -1);
	CHECK_STR(fmt_out("%jd %zd %td %zu %jx %lX %llo %ho %lp", &a),
		  "-1 -1 -1 18446744073709551615 ffffffffffffffff FFFFFFFFFFFFFFFF "
		  "1777777777777777777777 177777 0xffffffffffffffff");
}

/*
 * %c and %p:
 * printf("%c%c", 321, 0x4142) -> "AB"; printf("%p %p", 0, -1) -> "(nil) 0xffffffffffffffff";
 * printf("%5p|%-12p|%012p", 1, 1, 1); printf("%3c|%-3c", 65, 66); printf("%c|", 0) -> "|"
 */
static void test_printf_char_ptr(void)
{
	struct fargs a = { .n = 0 };

	I64(&a, 321);
	I64(&a, 0x4142);
	CHECK_STR(fmt_out("%c%c", &a), "AB");

	a.n = 0;
	I64(&a, 0);
	I64(&a, -1);
	CHECK_STR(fmt_out("%p %p", &a), "(nil) 0xffffffffffffffff");

	a.n = 0;
	for (int i = 0; i < 3; i++)
		I64(&a, 1);
	CHECK_STR(fmt_out("%5p|%-12p|%012p", &a), "  0x1|0x1         |0x0000000001");

	a.n = 0;
	I64(&a, 65);
	I64(&a, 66);
	CHECK_STR(fmt_out("%3c|%-3c", &a), "  A|B  ");

	a.n = 0;
	I64(&a, 0);
	CHECK_STR(fmt_out("%c|", &a), "|");
}

/*
 * Strings stop at their NUL, or at their size when there is none:
 * printf("%.2s|%10.2s|%-10.3s|%s|%c%c|", "abcdef", "abcdef", "abcdef", "", 104, 105)
 * -> "ab|        ab|abc       ||hi|"; printf("%s|", "a\x00b") -> "a|"
 */
static void test_printf_strings(void)
{
	struct fargs a = { .n = 0 };

	fa_str(&a, "abcdef", 7);
	fa_str(&a, "abcdef", 7);
	fa_str(&a, "abcdef", 7);
	fa_str(&a, "", 1);
	I64(&a, 104);
	I64(&a, 105);
	CHECK_STR(fmt_out("%.2s|%10.2s|%-10.3s|%s|%c%c|", &a), "ab|        ab|abc       ||hi|");

	a.n = 0;
	fa_str(&a, "a\0b", 4);
	CHECK_STR(fmt_out("%s|", &a), "a|");

	/* a field of 4 bytes holding "abcd" and no NUL: the next slot's bytes are not read */
	a.n = 0;
	fa_str(&a, "abcd", 4);
	memcpy(a.data + 4, "EFGH", 4);
	fa_str(&a, "XYZ", 4);
	a.f[a.n++] = a.f[0];
	CHECK_STR(fmt_out("%s|%6s|%-6s|", &a), "abcd|   XYZ|abcd  |");
}

/*
 * Buffers: printf("%r|%rx|%rh", buf("a\x01b", 3) x3) -> "a\x01b|\x61\x01\x62|61 01 62";
 * printf("%r", buf("a\x01b\xff\\\"", 6)) -> "a\x01b\xff\\\"" (backslash and quote as they are)
 */
static void test_printf_buffers(void)
{
	struct fargs a = { .n = 0 };
	struct buf8 b = { 3, "a\001b" }, b2 = { 6, "a\001b\377\\\"" }, bad = { 1000, "abcdefg" };

	for (int i = 0; i < 3; i++) {
		memcpy(a.data + 24 * i, &b, sizeof(b));
		a.f[a.n++] = (struct lang_field){ LV_BUF, 24 * i, sizeof(b) };
	}
	CHECK_STR(fmt_out("%r|%rx|%rh", &a), "a\\x01b|\\x61\\x01\\x62|61 01 62");

	a.n = 1;
	memcpy(a.data, &b2, sizeof(b2));
	CHECK_STR(fmt_out("%r", &a), "a\\x01b\\xff\\\"");
	/* a length beyond the field is cut to the field: 8 bytes, the last one its NUL */
	memcpy(a.data, &bad, sizeof(bad));
	CHECK_STR(fmt_out("[%r]", &a), "[abcdefg\\x00]");
	CHECK_STR(fmt_out("[%5.2r]", &a), "[   ab]");
}

/*
 * '%' signs: printf("a%%b %d", 5) -> "a%b 5"; printf("%%%d|", 7) -> "%7|"; a '%' that
 * starts no conversion stays: printf("100%") -> "100%", printf("%5%") -> "%5%".
 * (bpftrace 0.17 prints a format without arguments untouched, so printf("100%%") shows
 * "100%%" there; kscope always reads "%%" as one '%', as C and later bpftrace do.)
 */
static void test_printf_percent(void)
{
	struct fargs a = { .n = 0 };

	I64(&a, 5);
	CHECK_STR(fmt_out("a%%b %d", &a), "a%b 5");
	a.n = 0;
	I64(&a, 7);
	CHECK_STR(fmt_out("%%%d|", &a), "%7|");
	a.n = 0;
	CHECK_STR(fmt_out("100%", &a), "100%");
	CHECK_STR(fmt_out("%5%", &a), "%5%");
	CHECK_STR(fmt_out("%f %*d %", &a), "%f %*d %");
	CHECK_STR(fmt_out("100%%", &a), "100%");
	CHECK_STR(fmt_out("", &a), "");
}

/* %s of the symbolic types: through the resolver, then %s's width and precision. */
static void test_printf_special(void)
{
	struct fargs a = { .n = 0 };
	struct lang_print_opts o = { .env = &fake_env };
	char *s;

	fa_int(&a, LV_KSYM, 8, 0xffffffff81000000LL);
	fa_int(&a, LV_USERNAME, 8, 0);
	fa_int(&a, LV_KSYM, 8, 0x10);
	fa_int(&a, LV_PROBE, 8, 2);
	CHECK_INT(lang_format_check("%s|%-6s|%12.6s|%s", a.f, a.n, NULL, 0, NULL), 0);
	s = lang_format_str("%s|%-6s|%12.6s|%s", a.f, a.n, a.data, 0, &o);
	CHECK_STR(s ? s : "", "ksym_ffffffff81000000|root  |      ksym_1|<8:2>");
	free(s);
	/* no resolver: the number */
	s = lang_format_str("%s|%-6s|%12.6s|%s", a.f, a.n, a.data, 0, NULL);
	CHECK_STR(s ? s : "", "18446744071578845184|0     |          16|2");
	free(s);
}

static void check_bad(const char *fmt, struct fargs *a, const char *msg, int bad)
{
	char err[200] = "";
	int got = 99;

	CHECK(lang_format_check(fmt, a->f, a->n, err, sizeof(err), &got) == -EINVAL,
	      "\"%s\" is accepted", fmt);
	CHECK_STR(err, msg);
	CHECK(got == bad, "\"%s\": bad argument %d, expected %d", fmt, got, bad);
	/* formatting it anyway fails, rather than read what is not there (extra arguments
	 * are only left out) */
	if (bad == -1 || strstr(msg, "needs")) {
		char *s = lang_format_str(fmt, a->f, a->n, a->data, 0, NULL);

		CHECK(!s && errno == EINVAL, "\"%s\" formats", fmt);
		free(s);
	}
}

/*
 * Type errors bpftrace also refuses ("printf: %s specifier expects a value of type string
 * (integer supplied)"), and argument counts ("Too many arguments for format string").
 */
static void test_format_check(void)
{
	struct fargs a = { .n = 0 };
	struct lang_field tuple = { LV_TUPLE, 0, 24, t2_sub, 2 };

	I64(&a, 1);
	check_bad("%s", &a, "printf: %s needs a string argument, argument 1 is an integer", 0);
	check_bad("%-10s|", &a, "printf: %-10s needs a string argument, argument 1 is an integer",
		  0);
	check_bad("%r", &a, "printf: %r needs a buffer (buf()) argument, argument 1 is an integer",
		  0);
	fa_str(&a, "x", 2);
	check_bad("%d %d", &a, "printf: %d needs an integer argument, argument 2 is a string", 1);
	check_bad("%d %lx", &a, "printf: %lx needs an integer argument, argument 2 is a string", 1);
	check_bad("%d %c", &a, "printf: %c needs an integer argument, argument 2 is a string", 1);
	check_bad("%d %rx", &a,
		  "printf: %rx needs a buffer (buf()) argument, argument 2 is a string", 1);
	a.f[1] = tuple;
	check_bad("%d %s", &a, "printf: %s needs a string argument, argument 2 is a tuple", 1);
	a.f[1] = (struct lang_field){ LV_KSYM, 24, 8 };
	check_bad("%d %p", &a,
		  "printf: %p needs an integer argument, argument 2 is a kernel symbol", 1);
	a.f[1] = (struct lang_field){ LV_KSTACK, 24, 8 };
	check_bad("%d %u", &a, "printf: %u needs an integer argument, argument 2 is a kernel stack",
		  1);
	CHECK_INT(lang_format_check("%d %s", a.f, a.n, NULL, 0, NULL), 0);

	a.n = 2;
	a.f[1] = (struct lang_field){ LV_INT, 24, 8 };
	check_bad("%d", &a, "printf: 1 conversion but 2 arguments", 1);
	check_bad("%d %d %d", &a, "printf: 3 conversions but 2 arguments", -1);
	check_bad("x", &a, "printf: 0 conversions but 2 arguments", 0);
	check_bad("%d %f", &a,
		  "printf: 1 conversion but 2 arguments (%f is not a conversion printf knows)", 1);
	check_bad("%d %ls", &a,
		  "printf: 1 conversion but 2 arguments (%ls is not a conversion printf knows)", 1);
	check_bad("%*d %d", &a,
		  "printf: 1 conversion but 2 arguments (%*d is not a conversion printf knows)", 1);
	check_bad("%d %100000d", &a,
		  "printf: width or precision of %100000d is too large (at most 65535)", -1);
	check_bad("%d %.99999999999999999999d", &a,
		  "printf: width or precision of %.99999999999999999999d is too large "
		  "(at most 65535)",
		  -1);
	a.n = 0;
	check_bad("%d", &a, "printf: 1 conversion but 0 arguments", -1);
	CHECK_INT(lang_format_check("%% 100%", NULL, 0, NULL, 0, NULL), 0);

	/* all flags at once; C's rules: '-' beats '0', '+' beats ' ' */
	I64(&a, 42);
	I64(&a, 0x1ff);
	I64(&a, 7);
	I64(&a, 65);
	I64(&a, 16);
	CHECK_STR(fmt_out("%%|%-+ #05.3lld|%hhX|%zu|%c|%p", &a), "%|+042 |FF|7|A|0x10");
}

/*
 * JSON strings as bpftrace writes them: \" \\ \n \t \r short, other controls \u00XX, DEL as it
 * is (bpftrace -f json: @p["a"] = "b\x01c\x7f\r\x08\x0c/\x1f\x0b\x1b" in test_map_tuples).
 * UTF-8 passes; a byte that is not UTF-8 becomes U+FFFD (bpftrace 0.17: "\uffffffc3").
 */
static void test_json_str(void)
{
	kt_mem_open(&mem);
	lang_print_json_str(mem.f, "a\"b\\c\nd\te\rf\bg\fh\001i\037j\177k/");
	fputc('|', mem.f);
	lang_print_json_str(mem.f, "caf\303\251 \342\202\254 \360\237\231\202");
	fputc('|', mem.f);
	lang_print_json_str(mem.f, "x\303y\377");
	fputc('|', mem.f);
	lang_print_json_str(mem.f, "");
	lang_print_json_str(mem.f, NULL);
	kt_mem_close(&mem);
	CHECK_MEM(mem.buf, mem.len,
		  "\"a\\\"b\\\\c\\nd\\te\\rf\\u0008g\\u000ch\\u0001i\\u001fj\177k/\"|"
		  "\"caf\303\251 \342\202\254 \360\237\231\202\"|"
		  "\"x\\ufffdy\\ufffd\"|\"\"\"\"");
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/*
 * Any bytes in keys and values, and layouts that point past their parent (tuple elements
 * beyond the tuple, key fields beyond the key), print without reading outside the buffers.
 * Each buffer sits at the end of its own allocation, so a sanitizer build would catch it.
 */
static void test_robust_bytes(void)
{
	static const struct lang_field bad_sub[] = {
		{ LV_STR, 20, 16 }, { LV_INT, 4, 8 }, { LV_BUF, 0, 3 }, { LV_KSTACK, 0, 16 }
	};
	static const struct lang_field kf[] = { { LV_STR, 0, 8 },
						{ LV_BUF, 8, 16 },
						{ LV_INT, 20, 8 },
						{ LV_USTACK, 0, 24 },
						{ (enum lang_vtype)99, 0, 8 } };
	const struct lang_field vals[] = {
		{ LV_STR, 0, 24 },
		{ LV_BUF, 0, 24 },
		{ LV_KSTACK, 0, 24 },
		{ LV_TUPLE, 0, 24, bad_sub, 4 },
		{ LV_INT, 0, 3 },
		{ LV_UINT, 0, 7 },
		{ LV_NONE, 0, 0 },
		{ LV_TIMESTAMP, 0, 8 },
		{ (enum lang_vtype) - 1, 0, 8 },
	};
	enum lang_agg aggs[] = { LA_SCALAR, LA_COUNT, LA_SUM, LA_AVG, LA_MIN, LA_MAX, LA_STATS };
	enum { KSIZE = 24, VSIZE = 24, NE = 8 };
	unsigned char *keys = malloc(KSIZE * NE), *v = malloc(VSIZE * NE);
	unsigned char *slots = malloc(LANG_HIST_SLOTS * 8 * NE);
	struct lang_entry e[NE], he[NE];
	int fails = 0;

	for (int round = 0; round < 400; round++) {
		struct lang_print_opts o = { .json = round & 1,
					     .top = (long long)(rnd() % 4),
					     .div = (long long)(rnd() % 3) };
		struct lang_mapinfo m = { .name = "@r",
					  .key = { kf, 1 + rnd() % 5, KSIZE },
					  .agg = aggs[rnd() % N(aggs)],
					  .val = vals[rnd() % N(vals)] };
		struct lang_mapinfo h = { .name = "@h", .key = m.key, .agg = LA_HIST };

		for (size_t i = 0; i < KSIZE * NE; i++)
			keys[i] = (unsigned char)rnd();
		for (size_t i = 0; i < VSIZE * NE; i++)
			v[i] = (unsigned char)(rnd() & (round & 2 ? 0xff : 0x81));
		for (size_t i = 0; i < LANG_HIST_SLOTS * 8 * NE; i++)
			slots[i] = (unsigned char)rnd();
		for (int i = 0; i < NE; i++) {
			e[i] = (struct lang_entry){ keys + KSIZE * i, v + VSIZE * i };
			he[i] = (struct lang_entry){ keys + KSIZE * i,
						     slots + LANG_HIST_SLOTS * 8 * i };
		}
		kt_mem_open(&mem);
		/* the value field is the tuple/string/...: for aggregations its layout is fixed */
		fails += lang_print_map(mem.f, &m, e, NE, &o) != 0;
		fails += lang_print_map(mem.f, &h, he, NE, &o) != 0;
		for (size_t i = 0; i < N(vals); i++)
			fails += lang_print_value(mem.f, &vals[i], v, 0, &o) != 0;
		kt_mem_close(&mem);
	}
	CHECK_INT(fails, 0);
	free(keys);
	free(v);
	free(slots);
}

/* Random formats: never a crash, and check and format agree on what is acceptable. */
static void test_robust_formats(void)
{
	static const char alphabet[] = "%%%dsxculhzjr.-+ #0123456789*pXoi\n";
	struct fargs a = { .n = 0 };
	int disagree = 0;

	I64(&a, -1);
	fa_str(&a, "abcdefghijklmnopqrstuvw", 24);
	I64(&a, 65);
	for (int round = 0; round < 3000; round++) {
		char fmt[16], err[160];
		size_t n = rnd() % (sizeof(fmt) - 1);
		char *s;
		int ok;

		for (size_t i = 0; i < n; i++)
			fmt[i] = alphabet[rnd() % (sizeof(alphabet) - 1)];
		fmt[n] = '\0';
		a.n = rnd() % 4;
		ok = !lang_format_check(fmt, a.f, a.n, err, sizeof(err), NULL);
		s = lang_format_str(fmt, a.f, a.n, a.data, 0, NULL);
		if (ok && !s) {
			printf("# \"%s\" with %zu arguments: checked but not formatted\n", fmt,
			       a.n);
			disagree++;
		}
		free(s);
	}
	CHECK_INT(disagree, 0);
}

/* Bad descriptions are refused, not followed. */
static void test_bad_maps(void)
{
	uint64_t v = 1;
	struct lang_entry e = { NULL, &v }, nokey = { NULL, &v };
	struct lang_mapinfo m = {
		.name = "@x", .agg = LA_LHIST, .lmin = 0, .lmax = 10, .lstep = 0
	};
	struct lang_mapinfo k = { .name = "@k", .key = KEY_I64, .agg = LA_COUNT };
	struct lang_mapinfo u = { .name = "@u", .agg = (enum lang_agg)42 };
	struct lang_mapinfo c = { .name = "@c", .agg = LA_COUNT };

	kt_mem_open(&mem);
	CHECK_INT(lang_print_map(mem.f, &m, &e, 1, NULL), -EINVAL);
	CHECK_INT(lang_print_map(mem.f, &k, &nokey, 1, NULL), -EINVAL);
	CHECK_INT(lang_print_map(mem.f, &u, &e, 1, NULL), -EINVAL);
	CHECK_INT(lang_print_map(mem.f, &c, NULL, 1, NULL), -EINVAL);
	CHECK_INT(lang_print_map(mem.f, NULL, &e, 1, NULL), -EINVAL);
	/* a map without key shows one value */
	{
		uint64_t two[] = { 5, 6 };
		struct lang_entry e2[] = { { NULL, &two[0] }, { NULL, &two[1] } };

		CHECK_INT(lang_print_map(mem.f, &c, e2, 2, NULL), 0);
	}
	kt_mem_close(&mem);
	CHECK_MEM(mem.buf, mem.len, "@c: 5\n");
}

int main(void)
{
	RUN(test_hist_slot);
	RUN(test_lhist_slots);
	RUN(test_map_example_text);
	RUN(test_map_example_json);
	RUN(test_map_scalars);
	RUN(test_map_int_keys);
	RUN(test_map_str_keys);
	RUN(test_map_two_keys);
	RUN(test_map_stats_avg);
	RUN(test_map_min_max_sum);
	RUN(test_map_ties);
	RUN(test_map_signedness);
	RUN(test_hist_keys);
	RUN(test_lhist_keys);
	RUN(test_hist_one_bucket);
	RUN(test_hist_gap);
	RUN(test_hist_huge);
	RUN(test_lhist_edges);
	RUN(test_lhist_ends);
	RUN(test_lhist_uneven_step);
	RUN(test_hist_bars);
	RUN(test_map_empty);
	RUN(test_map_top_div);
	RUN(test_map_top_div_json);
	RUN(test_map_json_kinds);
	RUN(test_map_tuples);
	RUN(test_print_values);
	RUN(test_map_stacks);
	RUN(test_map_symbols);
	RUN(test_printf_ints);
	RUN(test_printf_sizes);
	RUN(test_printf_char_ptr);
	RUN(test_printf_strings);
	RUN(test_printf_buffers);
	RUN(test_printf_percent);
	RUN(test_printf_special);
	RUN(test_format_check);
	RUN(test_json_str);
	RUN(test_robust_bytes);
	RUN(test_robust_formats);
	RUN(test_bad_maps);
	free(mem.buf);
	return kt_done();
}
