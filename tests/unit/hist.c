// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of src/core/hist: log2 slots and bounds, text layout, JSON buckets. */
#include "core/hist.h"
#include "ktest.h"

static struct kt_mem mem;

/* "|" + n stars + spaces to 40 + "|\n" */
static const char *bar(int n)
{
	static char b[8][48];
	static int k;
	char *s = b[k++ % 8];

	s[0] = '|';
	for (int i = 0; i < 40; i++)
		s[1 + i] = i < n ? '*' : ' ';
	strcpy(s + 41, "|\n");
	return s;
}

static void test_log2_slot(void)
{
	static const struct {
		unsigned long long v;
		unsigned int slot;
	} t[] = {
		{ 0, 0 },
		{ 1, 0 },
		{ 2, 1 },
		{ 3, 1 },
		{ 4, 2 },
		{ 5, 2 },
		{ 7, 2 },
		{ 8, 3 },
		{ 15, 3 },
		{ 16, 4 },
		{ 1023, 9 },
		{ 1024, 10 },
		{ 1ULL << 32, 32 },
		{ (1ULL << 32) - 1, 31 },
		{ (1ULL << 63) - 1, 62 },
		{ 1ULL << 63, 63 },
		{ ~0ULL, 63 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK(ks_log2_slot(t[i].v) == t[i].slot, "slot of %llu is %u, expected %u", t[i].v,
		      ks_log2_slot(t[i].v), t[i].slot);
}

static void test_log2_bounds(void)
{
	unsigned long long lo, hi;

	ks_log2_bounds(0, &lo, &hi);
	CHECK_UINT(lo, 0);
	CHECK_UINT(hi, 1);
	ks_log2_bounds(1, &lo, &hi);
	CHECK_UINT(lo, 2);
	CHECK_UINT(hi, 3);
	ks_log2_bounds(2, &lo, &hi);
	CHECK_UINT(lo, 4);
	CHECK_UINT(hi, 7);
	ks_log2_bounds(3, &lo, &hi);
	CHECK_UINT(lo, 8);
	CHECK_UINT(hi, 15);
	ks_log2_bounds(62, &lo, &hi);
	CHECK_UINT(lo, 1ULL << 62);
	CHECK_UINT(hi, (1ULL << 63) - 1);
	ks_log2_bounds(63, &lo, &hi);
	CHECK_UINT(lo, 1ULL << 63);
	CHECK_UINT(hi, ~0ULL);
}

/* Every slot's bounds map back to the slot, and the slots tile 0 .. 2^64-1 without gaps. */
static void test_log2_bounds_tile(void)
{
	unsigned long long lo, hi, prev_hi = 0;

	for (unsigned int i = 0; i < KS_HIST_SLOTS; i++) {
		ks_log2_bounds(i, &lo, &hi);
		CHECK(ks_log2_slot(lo) == i, "slot(low of %u) = %u", i, ks_log2_slot(lo));
		CHECK(ks_log2_slot(hi) == i, "slot(high of %u) = %u", i, ks_log2_slot(hi));
		CHECK(lo <= hi, "slot %u: low %llu > high %llu", i, lo, hi);
		if (i)
			CHECK(lo == prev_hi + 1, "gap before slot %u: %llu then %llu", i, prev_hi,
			      lo);
		else
			CHECK(lo == 0, "slot 0 starts at %llu", lo);
		prev_hi = hi;
	}
	CHECK(prev_hi == ~0ULL, "last slot ends at %llu", prev_hi);
}

static void test_print_log2(void)
{
	unsigned long long s[KS_HIST_SLOTS] = { 0 };
	char want[2048];

	s[1] = 2;
	s[3] = 8;
	ks_hist_print_log2(kt_mem_open(&mem), s, KS_HIST_SLOTS, "usecs");
	snprintf(want, sizeof(want),
		 "     usecs               : count    distribution\n"
		 "         0 -> 1          : 0        %s"
		 "         2 -> 3          : 2        %s"
		 "         4 -> 7          : 0        %s"
		 "         8 -> 15         : 8        %s",
		 bar(0), bar(10), bar(0), bar(40));
	CHECK_STR(kt_mem_close(&mem), want);
}

/* A small count next to a large one still gets one star; stars are rounded. */
static void test_print_log2_stars(void)
{
	unsigned long long s[KS_HIST_SLOTS] = { 0 };
	char want[2048];

	s[0] = 1;
	s[1] = 1000;
	s[2] = 13;  /* 13 * 40 / 1000 = 0.52: rounds to 1 */
	s[3] = 987; /* 39.48 -> 39 */
	ks_hist_print_log2(kt_mem_open(&mem), s, KS_HIST_SLOTS, "nsecs");
	snprintf(want, sizeof(want),
		 "     nsecs               : count    distribution\n"
		 "         0 -> 1          : 1        %s"
		 "         2 -> 3          : 1000     %s"
		 "         4 -> 7          : 13       %s"
		 "         8 -> 15         : 987      %s",
		 bar(1), bar(40), bar(1), bar(39));
	CHECK_STR(kt_mem_close(&mem), want);
}

/* Values beyond 10 digits widen both columns, and the header stays aligned. */
static void test_print_log2_wide(void)
{
	unsigned long long s[KS_HIST_SLOTS] = { 0 };
	const char *out, *last;
	char want[512];
	int lines = 0;

	s[40] = 3;
	out = kt_mem_close(
		(ks_hist_print_log2(kt_mem_open(&mem), s, KS_HIST_SLOTS, "bytes"), &mem));
	for (const char *p = out; *p; p++)
		lines += *p == '\n';
	CHECK_INT(lines, 42); /* header + slots 0..40 */
	CHECK(!strncmp(out, "        bytes                  : count    distribution\n",
		       strlen("        bytes                  : count    distribution\n")),
	      "header: %.60s", out);
	CHECK(strstr(out, "\n            0 -> 1             : 0        |") != NULL,
	      "first row not found in %.200s", out);
	snprintf(want, sizeof(want), "1099511627776 -> 2199023255551 : 3        %s", bar(40));
	last = strstr(out, "1099511627776 ->");
	CHECK(last && !strcmp(last, want), "last row: %s", last ? last : "(missing)");
}

static void test_print_log2_top_slot(void)
{
	unsigned long long s[KS_HIST_SLOTS] = { 0 };
	const char *out, *row;

	s[63] = 1;
	out = kt_mem_close((ks_hist_print_log2(kt_mem_open(&mem), s, KS_HIST_SLOTS, "ns"), &mem));
	row = strstr(out, "9223372036854775808 -> 18446744073709551615 : 1        |");
	CHECK(row != NULL, "no row for slot 63 in %.120s", out);
}

static void test_print_empty(void)
{
	unsigned long long s[KS_HIST_SLOTS] = { 0 };

	ks_hist_print_log2(kt_mem_open(&mem), s, KS_HIST_SLOTS, "usecs");
	CHECK_STR(kt_mem_close(&mem), "");
	ks_hist_print_linear(kt_mem_open(&mem), s, 10, 0, 1, "ms");
	CHECK_STR(kt_mem_close(&mem), "");
	ks_hist_print_log2(kt_mem_open(&mem), s, 0, "usecs");
	CHECK_STR(kt_mem_close(&mem), "");
}

static void test_print_linear(void)
{
	unsigned long long s[10] = { 0 };
	char want[1024];

	s[2] = 5;
	s[4] = 1;
	ks_hist_print_linear(kt_mem_open(&mem), s, 10, 100, 10, "ms");
	snprintf(want, sizeof(want),
		 "        ms     : count    distribution\n"
		 "       120     : 5        %s"
		 "       130     : 0        %s"
		 "       140     : 1        %s",
		 bar(40), bar(0), bar(8));
	CHECK_STR(kt_mem_close(&mem), want);
}

static void test_json_log2(void)
{
	unsigned long long s[KS_HIST_SLOTS] = { 0 };
	struct ks_json j;

	s[1] = 2;
	s[3] = 8;
	ks_json_init(&j, kt_mem_open(&mem));
	ks_hist_json_log2(&j, NULL, s, KS_HIST_SLOTS, "usecs");
	CHECK_STR(kt_mem_close(&mem),
		  "{\"unit\":\"usecs\",\"buckets\":[{\"low\":2,\"high\":3,\"count\":2},"
		  "{\"low\":4,\"high\":7,\"count\":0},{\"low\":8,\"high\":15,\"count\":8}]}\n");
}

static void test_json_log2_member(void)
{
	unsigned long long s[KS_HIST_SLOTS] = { 0 };
	struct ks_json j;

	s[0] = 7;
	s[63] = 1;
	ks_json_init(&j, kt_mem_open(&mem));
	ks_json_obj_begin(&j, NULL);
	ks_json_str(&j, "type", "hist");
	ks_hist_json_log2(&j, "latency", s, KS_HIST_SLOTS, "nsecs");
	ks_json_uint(&j, "total", 8);
	ks_json_obj_end(&j);
	{
		const char *out = kt_mem_close(&mem);
		const char *pre =
			"{\"type\":\"hist\",\"latency\":{\"unit\":\"nsecs\",\"buckets\":["
			"{\"low\":0,\"high\":1,\"count\":7},{\"low\":2,\"high\":3,\"count\":0},";

		CHECK(!strncmp(out, pre, strlen(pre)), "start: %.120s", out);
		CHECK(strstr(out, ",{\"low\":9223372036854775808,\"high\":18446744073709551615,"
				  "\"count\":1}]},\"total\":8}\n") != NULL,
		      "end: %s", out + (strlen(out) > 120 ? strlen(out) - 120 : 0));
	}
}

static void test_json_empty(void)
{
	unsigned long long s[KS_HIST_SLOTS] = { 0 };
	struct ks_json j;

	ks_json_init(&j, kt_mem_open(&mem));
	ks_hist_json_log2(&j, NULL, s, KS_HIST_SLOTS, "usecs");
	ks_hist_json_linear(&j, NULL, s, 10, 0, 5, "ms");
	CHECK_STR(kt_mem_close(&mem), "{\"unit\":\"usecs\",\"buckets\":[]}\n"
				      "{\"unit\":\"ms\",\"buckets\":[]}\n");
}

static void test_json_linear(void)
{
	unsigned long long s[10] = { 0 };
	struct ks_json j;

	s[2] = 5;
	s[4] = 1;
	ks_json_init(&j, kt_mem_open(&mem));
	ks_json_arr_begin(&j, NULL);
	ks_hist_json_linear(&j, NULL, s, 10, 100, 10, "ms");
	ks_json_arr_end(&j);
	CHECK_STR(kt_mem_close(&mem),
		  "[{\"unit\":\"ms\",\"buckets\":[{\"low\":120,\"high\":129,\"count\":5},"
		  "{\"low\":130,\"high\":139,\"count\":0},{\"low\":140,\"high\":149,\"count\":1}]}]"
		  "\n");
}

int main(void)
{
	RUN(test_log2_slot);
	RUN(test_log2_bounds);
	RUN(test_log2_bounds_tile);
	RUN(test_print_log2);
	RUN(test_print_log2_stars);
	RUN(test_print_log2_wide);
	RUN(test_print_log2_top_slot);
	RUN(test_print_empty);
	RUN(test_print_linear);
	RUN(test_json_log2);
	RUN(test_json_log2_member);
	RUN(test_json_empty);
	RUN(test_json_linear);
	free(mem.buf);
	return kt_done();
}
