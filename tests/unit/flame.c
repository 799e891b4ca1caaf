// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of src/core/flame: folded-line parsing, merging, kinds, and the SVG it writes. */
#include <errno.h>

#include "core/flame.h"
#include "ktest.h"

static struct ks_flame *f;

static void fresh(void)
{
	ks_flame_free(f);
	f = ks_flame_new();
	if (!f) {
		perror("ks_flame_new");
		exit(1);
	}
}

/* The SVG of the graph so far, in a buffer the caller frees. */
static char *svg(const struct ks_flame_opts *o)
{
	struct kt_mem m = { 0 };
	int err;

	kt_mem_open(&m);
	err = ks_flame_write_svg(f, m.f, o);
	CHECK(err == 0, "ks_flame_write_svg returned %d", err);
	kt_mem_close(&m);
	return m.buf;
}

static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

#define CHECK_BAD(line, why)                                                                       \
	do {                                                                                       \
		int r_ = ks_flame_add_folded(f, (line));                                           \
		CHECK(r_ == -EINVAL, "'%s' returned %d, expected -EINVAL", (line), r_);            \
		CHECK(strstr(ks_flame_error(f), (why)), "'%s': error '%s', expected '%s'", (line), \
		      ks_flame_error(f), (why));                                                   \
	} while (0)

static void test_folded_parse(void)
{
	fresh();
	CHECK_INT(ks_flame_add_folded(f, "main;a;b 10\n"), 0);
	CHECK_INT(ks_flame_add_folded(f, "main;a;b 5\r\n"), 0);
	CHECK_INT(ks_flame_add_folded(f, "main;a;c 2.5"), 0); /* rounds to 3 */
	CHECK_INT(ks_flame_add_folded(f, "main;a;c 0.4"), 0); /* rounds to 0 */
	CHECK_INT(ks_flame_add_folded(f, "main;x y 7"), 0);   /* split at the last space */
	CHECK_INT(ks_flame_add_folded(f, "main;;a\t1"), 0);   /* empty frame skipped, tab */
	CHECK_UINT(ks_flame_total(f), 26);
	/* main, a, b, c, "x y" */
	CHECK_UINT(ks_flame_nodes(f), 5);
	CHECK_BAD("", "blank line");
	CHECK_BAD(" \n", "blank line");
	CHECK_BAD("main;a;b", "no count");
	CHECK_BAD("main;a;b x", "count is not a number");
	CHECK_BAD("main;a;b -3", "count is not a number");
	CHECK_BAD("main;a;b nan", "count is not a number");
	CHECK_BAD("main;a;b inf", "count is not a number");
	CHECK_BAD("main;a;b 1e400", "count is not a number");
	CHECK_BAD("main;a;b 12abc", "count is not a number");
	CHECK_BAD("main 99999999999999999999", "count too large");
	CHECK_BAD(" 5", "no frame");
	CHECK_BAD(";; 5", "no frame");
	CHECK_UINT(ks_flame_total(f), 26);
	CHECK_INT(ks_flame_add_folded(f, "a 18446744073709551615"), -ERANGE);
	CHECK_UINT(ks_flame_total(f), 26);
}

static void test_add_frames(void)
{
	const char *s1[] = { "main", "work", "memcpy_[k]" };
	const char *s2[] = { "main", "work", "memcpy" };

	fresh();
	CHECK_INT(ks_flame_add(f, s1, 3, 4), 0);
	CHECK_INT(ks_flame_add(f, s2, 3, 6), 0);
	CHECK_INT(ks_flame_add(f, s1, 2, 1), 0);
	CHECK_INT(ks_flame_add(f, s1, 0, 2), 0);
	CHECK_UINT(ks_flame_total(f), 13);
	/* main, work, memcpy_[k] and memcpy: different kinds never merge */
	CHECK_UINT(ks_flame_nodes(f), 4);
}

static void test_kinds(void)
{
	size_t n;

	CHECK_INT(ks_flame_kind_of("vfs_read_[k]", 12, &n), KS_FLAME_KERNEL);
	CHECK_INT(n, 8);
	CHECK_INT(ks_flame_kind_of("Interp::run_[j]", 15, &n), KS_FLAME_JIT);
	CHECK_INT(n, 11);
	CHECK_INT(ks_flame_kind_of("inl_[i]", 7, &n), KS_FLAME_INLINED);
	CHECK_INT(ks_flame_kind_of("waker_[w]", 9, &n), KS_FLAME_WAKER);
	CHECK_INT(ks_flame_kind_of("--", 2, &n), KS_FLAME_WAKER);
	CHECK_INT(n, 2);
	CHECK_INT(ks_flame_kind_of("-", 1, &n), KS_FLAME_WAKER);
	CHECK_INT(ks_flame_kind_of("[unknown]", 9, &n), KS_FLAME_UNKNOWN);
	CHECK_INT(ks_flame_kind_of("[unknown] (libc.so)", 19, &n), KS_FLAME_UNKNOWN);
	CHECK_INT(ks_flame_kind_of("main", 4, &n), KS_FLAME_USER);
	CHECK_INT(ks_flame_kind_of("x_[z]", 5, &n), KS_FLAME_USER);
	CHECK_INT(n, 5);
}

static void test_svg_frames(void)
{
	char *s;

	fresh();
	ks_flame_add_folded(f, "main;b;spin 30");
	ks_flame_add_folded(f, "main;a;spin 60");
	ks_flame_add_folded(f, "main;a 10");
	ks_flame_add_folded(f, "main;sys_[k] 100");
	s = svg(&(struct ks_flame_opts){ .title = "T", .unit = "us", .width = 1010 });
	CHECK(s && !strncmp(s, "<?xml ", 6), "no XML declaration");
	CHECK(strstr(s, "<title>all (200 us, 100.00%)</title>"), "root title");
	CHECK(strstr(s, "<title>main (200 us, 100.00%)</title>"), "main title");
	CHECK(strstr(s, "<title>a (70 us, 35.00%)</title>"), "a title");
	CHECK(strstr(s, "<title>spin (60 us, 30.00%)</title>"), "spin under a");
	CHECK(strstr(s, "<title>spin (30 us, 15.00%)</title>"), "spin under b");
	CHECK(strstr(s, "<g class=\"f k\" data-x=\"100\" data-c=\"100\" data-d=\"2\"><title>sys "
			"(100 us, 50.00%)</title>"),
	      "kernel frame: suffix hidden, kind class k, after a and b");
	CHECK_INT(occurrences(s, "<g class=\"f "), 7);
	/* 1010 px wide: 990 px to draw in, so "a" (70 of 200) is 346.5 px from x=10. */
	CHECK(strstr(s, "<rect x=\"10.00\" y=\"") && strstr(s, "width=\"346.50\""), "a's rect");
	CHECK(strstr(s, "<script") && strstr(s, "]]></script>\n</svg>\n"), "script, end");
	CHECK(!strstr(s, "href") && !strstr(s, "url(") && !strstr(s, "@import"),
	      "an external resource");
	free(s);
}

/* Children are sorted by name: the order stacks came in doesn't change a byte. */
static void test_svg_deterministic(void)
{
	const char *lines[] = { "m;c 1", "m;a;x 2", "m;b 3", "m;a;w 4" };
	char *s1, *s2;

	fresh();
	for (int i = 0; i < 4; i++)
		ks_flame_add_folded(f, lines[i]);
	s1 = svg(NULL);
	fresh();
	for (int i = 3; i >= 0; i--)
		ks_flame_add_folded(f, lines[i]);
	s2 = svg(NULL);
	CHECK(s1 && s2 && !strcmp(s1, s2), "different SVGs for the same stacks");
	CHECK(strstr(s1, "Flame graph</text>"), "default title");
	CHECK(strstr(s1, "(10 samples, 100.00%)"), "default unit");
	free(s1);
	free(s2);
}

static void test_svg_escaping(void)
{
	char *s;

	fresh();
	ks_flame_add_folded(f, "main;a<b>&\"c'd 1");
	ks_flame_add_folded(f, "main;bad\xff\xfe utf8 1");
	ks_flame_add_folded(f, "main;ctl\x01\x1f 1");
	ks_flame_add_folded(f, "main;nonchar\xef\xbf\xbf 1");
	ks_flame_add_folded(f, "main;caf\xc3\xa9 1");
	s = svg(&(struct ks_flame_opts){ .title = "<T&>", .subtitle = "s\xff", .unit = "\"u\"" });
	CHECK(strstr(s, "<title>a&lt;b&gt;&amp;&quot;c&apos;d (1 &quot;u&quot;, 20.00%)</title>"),
	      "special characters");
	CHECK(strstr(s, "<title>bad\xef\xbf\xbd\xef\xbf\xbd utf8 "), "invalid UTF-8");
	CHECK(strstr(s, "<title>ctl\xef\xbf\xbd\xef\xbf\xbd "), "control characters");
	CHECK(strstr(s, "<title>nonchar\xef\xbf\xbd "), "U+FFFF");
	CHECK(strstr(s, "<title>caf\xc3\xa9 "), "valid UTF-8 kept");
	CHECK(strstr(s, "&lt;T&amp;&gt;</text>") && strstr(s, ">s\xef\xbf\xbd</text>"), "titles");
	CHECK(strstr(s, "data-ks-unit=\"&quot;u&quot;\""), "unit attribute");
	free(s);
}

/* Frames narrower than 0.1 px are left out, and counted, but their counts stay in. */
static void test_svg_narrow(void)
{
	char *s;

	fresh();
	ks_flame_add_folded(f, "main;big 10000000");
	ks_flame_add_folded(f, "main;tiny;deeper 1");
	s = svg(NULL);
	CHECK(!strstr(s, "tiny") && !strstr(s, "deeper"), "narrow frame drawn");
	CHECK(strstr(s, "3 frames drawn, 1 narrower than 0.1 px not drawn"), "comment");
	CHECK(strstr(s, "<title>main (10000001 samples, 100.00%)</title>"), "total");
	free(s);
}

static void test_svg_inverted_and_long_names(void)
{
	char name[300], line[320], *s;

	fresh();
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(line, sizeof(line), "main;%s 1", name);
	ks_flame_add_folded(f, line);
	ks_flame_add_folded(f, "main;other 1");
	s = svg(&(struct ks_flame_opts){ .inverted = true, .width = 400 });
	CHECK(strstr(s, "Icicle graph</text>"), "default inverted title");
	/* the root at the top: the first row of frames right under the header */
	CHECK(strstr(s, "<title>all (2 samples, 100.00%)</title><rect x=\"10.00\" y=\"58\""),
	      "root row");
	/* half of 380 px: (190 - 6) / 7.3 = 25 characters, 23 of them and ".." */
	CHECK(strstr(s, ">nnnnnnnnnnnnnnnnnnnnnnn..</text>"), "truncated name");
	free(s);
}

static void test_svg_write_error(void)
{
	FILE *full = fopen("/dev/full", "w");
	int err;

	if (!full) {
		printf("# no /dev/full: write error not tested\n");
		return;
	}
	fresh();
	ks_flame_add_folded(f, "main 1");
	err = ks_flame_write_svg(f, full, NULL);
	CHECK(err == -ENOSPC, "returned %d, expected -ENOSPC", err);
	fclose(full);
}

static void test_empty(void)
{
	char *s;

	fresh();
	CHECK_UINT(ks_flame_total(f), 0);
	s = svg(NULL);
	CHECK(strstr(s, "<title>all (0 samples, 0.00%)</title>"), "empty graph's root");
	free(s);
	ks_flame_free(NULL);
}

/* Many distinct stacks: the hashes grow and every count lands where it belongs. */
static void test_many(void)
{
	char line[128];

	fresh();
	for (int i = 0; i < 50000; i++) {
		snprintf(line, sizeof(line), "main;f%d;g%d;h 1", i % 997, i % 13);
		CHECK(!ks_flame_add_folded(f, line), "adding %s", line);
	}
	CHECK_UINT(ks_flame_total(f), 50000);
	/* main, 997 f, 997 * 13 g (each f meets all 13 g: 997 and 13 are coprime), as many h */
	CHECK_UINT(ks_flame_nodes(f), 1 + 997 + 2 * 997 * 13);
}

int main(void)
{
	RUN(test_folded_parse);
	RUN(test_add_frames);
	RUN(test_kinds);
	RUN(test_svg_frames);
	RUN(test_svg_deterministic);
	RUN(test_svg_escaping);
	RUN(test_svg_narrow);
	RUN(test_svg_inverted_and_long_names);
	RUN(test_svg_write_error);
	RUN(test_empty);
	RUN(test_many);
	ks_flame_free(f);
	return kt_failed_cases ? 1 : 0;
}
