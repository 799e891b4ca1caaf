// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of src/core/out: the JSON writer, JSON and terminal escaping, the line builder. */
#include <math.h>
#include <time.h>

#include "core/out.h"
#include "ktest.h"

/* The suite's own strict parser, to check that whatever the writer makes is valid JSON. */
#define JSONQ_NO_MAIN
#include "../helpers/jsonq.c"

static struct kt_mem mem;

/* Every line of @s parses as JSON on its own. */
static void check_valid_lines(int line, const char *s)
{
	char err[256];

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		struct jval *v = json_parse(s, n, err, sizeof(err));

		if (!v)
			kt_fail(line, "invalid JSON (%s): %.*s", err, (int)(n > 200 ? 200 : n), s);
		json_free(v);
		if (!nl) {
			kt_fail(line, "output does not end with a newline");
			break;
		}
		s = nl + 1;
	}
}

/* JSON string of @n bytes at @s, as ks_json_escape writes it inside quotes. */
static const char *esc(const char *s, size_t n)
{
	FILE *f = kt_mem_open(&mem);

	ks_json_escape(f, s, n);
	return kt_mem_close(&mem);
}

static const char *text_esc(const char *s, size_t n)
{
	FILE *f = kt_mem_open(&mem);

	ks_text_escape(f, s, n);
	return kt_mem_close(&mem);
}

#define ESC(lit)  esc(lit, sizeof(lit) - 1)
#define TEXT(lit) text_esc(lit, sizeof(lit) - 1)

/* "\"" + escaped + "\"" must parse, and decode back to @want (@wn bytes). */
static void check_roundtrip(int line, const char *s, size_t n, const char *want, size_t wn)
{
	char buf[1024], err[256];
	struct jval *v;
	int len = snprintf(buf, sizeof(buf), "\"%s\"", esc(s, n));

	v = json_parse(buf, (size_t)len, err, sizeof(err));
	if (!v) {
		kt_fail(line, "escaped string is not valid JSON: %s: %s", err, buf);
		return;
	}
	if (v->type != J_STR || v->len != wn || memcmp(v->str, want, wn))
		kt_fail(line, "escaped string decodes to something else: %s", buf);
	json_free(v);
}

static void test_escape_specials(void)
{
	CHECK_STR(ESC("plain text"), "plain text");
	CHECK_STR(ESC("a\"b"), "a\\\"b");
	CHECK_STR(ESC("back\\slash"), "back\\\\slash");
	CHECK_STR(ESC("/"), "/");
	CHECK_STR(ESC("\n\r\t\b\f"), "\\n\\r\\t\\b\\f");
	CHECK_STR(ESC("\x01\x1f"), "\\u0001\\u001f");
	CHECK_STR(ESC("\x7f"), "\\u007f");
	CHECK_STR(esc("a\0b", 3), "a\\u0000b");
	CHECK_STR(esc("", 0), "");
	/* only @len bytes are read */
	CHECK_STR(esc("abcdef", 3), "abc");
}

static void test_escape_utf8_valid(void)
{
	CHECK_STR(ESC("\xc3\xa9"), "\xc3\xa9");			/* é, 2 bytes */
	CHECK_STR(ESC("\xc2\x80"), "\xc2\x80");			/* U+0080, smallest 2-byte */
	CHECK_STR(ESC("\xe2\x82\xac"), "\xe2\x82\xac");		/* €, 3 bytes */
	CHECK_STR(ESC("\xe0\xa0\x80"), "\xe0\xa0\x80");		/* U+0800, smallest 3-byte */
	CHECK_STR(ESC("\xed\x9f\xbf"), "\xed\x9f\xbf");		/* U+D7FF, below surrogates */
	CHECK_STR(ESC("\xee\x80\x80"), "\xee\x80\x80");		/* U+E000, above surrogates */
	CHECK_STR(ESC("\xef\xbf\xbf"), "\xef\xbf\xbf");		/* U+FFFF */
	CHECK_STR(ESC("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80"); /* 😀, 4 bytes */
	CHECK_STR(ESC("\xf0\x90\x80\x80"), "\xf0\x90\x80\x80"); /* U+10000 */
	CHECK_STR(ESC("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf"); /* U+10FFFF, the last */
	CHECK_STR(ESC("a\xc3\xa9\"\xe2\x82\xac"), "a\xc3\xa9\\\"\xe2\x82\xac");
}

static void test_escape_utf8_invalid(void)
{
	static const char fffd[] = "\\ufffd";

	CHECK_STR(ESC("\x80"), fffd); /* lone continuation byte */
	CHECK_STR(ESC("\xbf"), fffd);
	CHECK_STR(ESC("a\x80z"), "a\\ufffdz");
	CHECK_STR(ESC("\xff"), fffd); /* never valid */
	CHECK_STR(ESC("\xfe"), fffd);
	CHECK_STR(ESC("\xc3"), fffd);				 /* truncated at the end */
	CHECK_STR(ESC("\xe2\x82"), "\\ufffd\\ufffd");		 /* truncated 3-byte */
	CHECK_STR(ESC("\xe2\x82z"), "\\ufffd\\ufffdz");		 /* cut by an ASCII byte */
	CHECK_STR(ESC("\xf0\x9f\x98"), "\\ufffd\\ufffd\\ufffd"); /* truncated 4-byte */
	CHECK_STR(ESC("\xc0\xaf"), "\\ufffd\\ufffd");		 /* overlong '/' */
	CHECK_STR(ESC("\xc1\xbf"), "\\ufffd\\ufffd");		 /* overlong */
	CHECK_STR(ESC("\xe0\x80\xaf"), "\\ufffd\\ufffd\\ufffd"); /* overlong 3-byte */
	CHECK_STR(ESC("\xf0\x80\x80\xaf"), "\\ufffd\\ufffd\\ufffd\\ufffd"); /* overlong 4-byte */
	CHECK_STR(ESC("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");	    /* U+D800 surrogate */
	CHECK_STR(ESC("\xed\xbf\xbf"), "\\ufffd\\ufffd\\ufffd");	    /* U+DFFF surrogate */
	CHECK_STR(ESC("\xf4\x90\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd"); /* U+110000 */
	CHECK_STR(ESC("\xf5\x80\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd");
	CHECK_STR(ESC("\xf8\x88\x80\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"); /* 5-byte */
	/* a valid sequence right after an invalid byte survives */
	CHECK_STR(ESC("\xc3\xc3\xa9"), "\\ufffd\xc3\xa9");
}

/* Whatever the bytes, the result is valid JSON and valid UTF-8. */
static void test_escape_always_valid(void)
{
	char s[4];
	unsigned int seed = 12345;

	/* every single byte alone: ASCII kept (escaped or not), the rest U+FFFD */
	for (int a = 0; a < 256; a++) {
		char buf[64], err[256];
		struct jval *v;
		int n;

		s[0] = (char)a;
		n = snprintf(buf, sizeof(buf), "\"%s\"", esc(s, 1));
		v = json_parse(buf, (size_t)n, err, sizeof(err));
		CHECK(v != NULL, "byte 0x%02x: %s: %s", a, err, buf);
		if (v && a < 0x80)
			CHECK(v->len == 1 && (unsigned char)v->str[0] == a, "byte 0x%02x changed",
			      a);
		if (v && a >= 0x80)
			CHECK(v->len == 3 && !memcmp(v->str, "\xef\xbf\xbd", 3),
			      "byte 0x%02x alone is not U+FFFD", a);
		json_free(v);
	}
	for (int i = 0; i < 20000; i++) {
		char buf[64], err[256];
		struct jval *v;
		int n;

		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245 + 12345;
			s[k] = (char)(seed >> 16);
		}
		n = snprintf(buf, sizeof(buf), "\"%s\"", esc(s, 4));
		v = json_parse(buf, (size_t)n, err, sizeof(err));
		CHECK(v != NULL, "bytes %02x %02x %02x %02x: %s: %s", (unsigned char)s[0],
		      (unsigned char)s[1], (unsigned char)s[2], (unsigned char)s[3], err, buf);
		json_free(v);
		if (!v)
			break;
	}
	check_roundtrip(__LINE__, "q\"\\\n\t\x01", 6, "q\"\\\n\t\x01", 6);
}

static void test_writer_nesting(void)
{
	struct ks_json j;
	const char *out;

	ks_json_init(&j, kt_mem_open(&mem));
	ks_json_obj_begin(&j, NULL);
	ks_json_int(&j, "a", 1);
	ks_json_arr_begin(&j, "b");
	ks_json_int(&j, NULL, 1);
	ks_json_int(&j, NULL, -2);
	ks_json_obj_begin(&j, NULL);
	ks_json_null(&j, "c");
	ks_json_obj_end(&j);
	ks_json_arr_begin(&j, NULL);
	ks_json_arr_end(&j);
	ks_json_arr_end(&j);
	ks_json_obj_begin(&j, "d");
	ks_json_obj_end(&j);
	ks_json_bool(&j, "e", true);
	ks_json_bool(&j, "f", false);
	ks_json_str(&j, "g", NULL);
	ks_json_uint(&j, "h", ~0ULL);
	ks_json_int(&j, "i", -9223372036854775807LL - 1);
	ks_json_strn(&j, "j", "xyz", 2);
	ks_json_obj_end(&j);
	out = kt_mem_close(&mem);
	CHECK_STR(out, "{\"a\":1,\"b\":[1,-2,{\"c\":null},[]],\"d\":{},\"e\":true,\"f\":false,"
		       "\"g\":null,\"h\":18446744073709551615,\"i\":-9223372036854775808,"
		       "\"j\":\"xy\"}\n");
	check_valid_lines(__LINE__, out);
}

/* Each top-level value is one line; no comma between lines; the state resets. */
static void test_writer_lines(void)
{
	struct ks_json j;
	const char *out;

	ks_json_init(&j, kt_mem_open(&mem));
	for (int i = 0; i < 3; i++) {
		ks_json_obj_begin(&j, NULL);
		ks_json_int(&j, "n", i);
		ks_json_str(&j, "s", "x");
		ks_json_obj_end(&j);
	}
	ks_json_arr_begin(&j, NULL);
	ks_json_str(&j, NULL, "a");
	ks_json_arr_end(&j);
	ks_json_obj_begin(&j, NULL);
	ks_json_obj_end(&j);
	out = kt_mem_close(&mem);
	CHECK_STR(out, "{\"n\":0,\"s\":\"x\"}\n{\"n\":1,\"s\":\"x\"}\n{\"n\":2,\"s\":\"x\"}\n"
		       "[\"a\"]\n{}\n");
	check_valid_lines(__LINE__, out);
}

/*
 * The writer builds a line in its own buffer: a line reaches the stream only when it ends,
 * and a line longer than the buffer (a long string, many members) still comes out whole,
 * in order, escaped where it crosses the buffer's end.
 */
static void test_writer_buffered(void)
{
	static char big[3 * sizeof(((struct ks_json *)0)->buf)];
	const char *end = "\",\"tail\":[true]}\n";
	struct ks_json j;
	FILE *f = kt_mem_open(&mem);
	const char *out;
	size_t n;

	ks_json_init(&j, f);
	ks_json_obj_begin(&j, NULL);
	ks_json_str(&j, "a", "b");
	fflush(f);
	CHECK_UINT(mem.len, 0); /* nothing yet: the line is open */
	ks_json_obj_end(&j);
	fflush(f);
	CHECK_STR(mem.buf, "{\"a\":\"b\"}\n");

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = i % 97 == 0 ? '"' : (char)('a' + i % 26);
	ks_json_obj_begin(&j, NULL);
	ks_json_arr_begin(&j, "n");
	for (int i = 0; i < 400; i++)
		ks_json_uint(&j, NULL, 1000000 + i);
	ks_json_arr_end(&j);
	ks_json_strn(&j, "big", big, sizeof(big));
	ks_json_arr_begin(&j, "tail");
	ks_json_bool(&j, NULL, true);
	ks_json_arr_end(&j);
	ks_json_obj_end(&j);
	out = kt_mem_close(&mem);
	check_valid_lines(__LINE__, out);
	n = strlen(out);
	CHECK(n > sizeof(big) + 400 * 8, "the long line is all there: %zu bytes", n);
	CHECK(!strncmp(out, "{\"a\":\"b\"}\n{\"n\":[1000000,1000001,", 32),
	      "the lines start: %.40s", out);
	CHECK(strstr(out, ",1000399],\"big\":\"\\\"bcd") != NULL,
	      "elements in order, the string escaped from its start");
	CHECK(n > strlen(end) && !strcmp(out + n - strlen(end), end), "the line ends: %s",
	      n > strlen(end) ? out + n - strlen(end) : out);
}

static void test_writer_keys_escaped(void)
{
	struct ks_json j;
	const char *out;

	ks_json_init(&j, kt_mem_open(&mem));
	ks_json_obj_begin(&j, NULL);
	ks_json_str(&j, "k\"e\ny", "v\"a\\l\n");
	ks_json_str(&j, "bad\xff", "\xc0\xaf");
	ks_json_obj_end(&j);
	out = kt_mem_close(&mem);
	CHECK_STR(out, "{\"k\\\"e\\ny\":\"v\\\"a\\\\l\\n\",\"bad\\ufffd\":\"\\ufffd\\ufffd\"}\n");
	check_valid_lines(__LINE__, out);
}

static void test_writer_doubles(void)
{
	struct ks_json j;
	const char *out;

	ks_json_init(&j, kt_mem_open(&mem));
	ks_json_arr_begin(&j, NULL);
	ks_json_double(&j, NULL, 1.5);
	ks_json_double(&j, NULL, 0);
	ks_json_double(&j, NULL, -0.25);
	ks_json_double(&j, NULL, 1e300);
	ks_json_double(&j, NULL, 1e-300);
	ks_json_double(&j, NULL, NAN);
	ks_json_double(&j, NULL, INFINITY);
	ks_json_double(&j, NULL, -INFINITY);
	ks_json_arr_end(&j);
	out = kt_mem_close(&mem);
	CHECK_STR(out, "[1.5,0,-0.25,1e+300,1e-300,null,null,null]\n");
	check_valid_lines(__LINE__, out);
}

/* Deep but legal nesting (below KS_JSON_MAX_DEPTH) closes correctly. */
static void test_writer_deep(void)
{
	struct ks_json j;
	const char *out;
	char want[256];
	int d = KS_JSON_MAX_DEPTH - 1, o = 0;

	ks_json_init(&j, kt_mem_open(&mem));
	for (int i = 0; i < d; i++)
		ks_json_arr_begin(&j, NULL);
	ks_json_int(&j, NULL, 1);
	ks_json_int(&j, NULL, 2);
	for (int i = 0; i < d; i++)
		ks_json_arr_end(&j);
	out = kt_mem_close(&mem);
	for (int i = 0; i < d; i++)
		want[o++] = '[';
	o += sprintf(want + o, "1,2");
	for (int i = 0; i < d; i++)
		want[o++] = ']';
	want[o++] = '\n';
	want[o] = '\0';
	CHECK_STR(out, want);
	check_valid_lines(__LINE__, out);
}

static void test_text_escape(void)
{
	CHECK_STR(TEXT("plain /path"), "plain /path");
	CHECK_STR(TEXT("a\nb"), "a\\nb");
	CHECK_STR(TEXT("a\tb"), "a\\tb");
	CHECK_STR(TEXT("a\\b"), "a\\\\b");
	CHECK_STR(TEXT("\r"), "\\x0d");
	CHECK_STR(TEXT("\x01\x1b[31m"), "\\x01\\x1b[31m");
	CHECK_STR(TEXT("\x7f"), "\\x7f");
	CHECK_STR(text_esc("a\0b", 3), "a\\x00b");
	CHECK_STR(TEXT("q\"u"), "q\"u");
	CHECK_STR(TEXT("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
		  "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	CHECK_STR(TEXT("\xff"), "\\xff");
	CHECK_STR(TEXT("\x80z"), "\\x80z");
	CHECK_STR(TEXT("\xc0\xaf"), "\\xc0\\xaf");
	CHECK_STR(TEXT("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	CHECK_STR(TEXT("\xe2\x82"), "\\xe2\\x82");
}

/* Nothing a file name holds can make ks_text_escape print a line break or a raw control byte. */
static void test_text_escape_no_controls(void)
{
	for (int a = 0; a < 256; a++) {
		char s[2] = { (char)a, 0 };
		const char *out = text_esc(s, 1);

		for (const char *p = out; *p; p++)
			CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f,
			      "byte 0x%02x printed as raw 0x%02x", a, (unsigned char)*p);
	}
}

/* The same escaping into a buffer, and what folded stacks need on top. */
static void test_text_escape_str(void)
{
	char buf[64];
	const char evil[] = "x\ny\x1b[7m;z w";

	CHECK_STR(ks_text_escape_str(buf, sizeof(buf), evil, sizeof(evil) - 1, 0),
		  "x\\ny\\x1b[7m;z w");
	CHECK_STR(ks_text_escape_str(buf, sizeof(buf), evil, sizeof(evil) - 1, KS_ESC_FOLDED),
		  "x\\ny\\x1b[7m_z w");
	CHECK_STR(ks_text_escape_str(buf, sizeof(buf), evil, sizeof(evil) - 1,
				     KS_ESC_FOLDED | KS_ESC_NOSPACE),
		  "x\\ny\\x1b[7m_z_w");
	/* Cut before an escape that would not fit whole, never in the middle of one. */
	CHECK_STR(ks_text_escape_str(buf, 4, "ab\x01", 3, 0), "ab");
	CHECK_STR(ks_text_escape_str(buf, 7, "ab\x01", 3, 0), "ab\\x01");
	CHECK_STR(ks_text_escape_str(buf, 3, "\xc3\xa9\xc3\xa9", 4, 0), "\xc3\xa9");
	CHECK_STR(ks_text_escape_str(buf, 1, "abc", 3, 0), "");
	CHECK(!ks_text_needs_escape("plain name", 10, 0), "plain text needs no escape");
	CHECK(ks_text_needs_escape("a;b", 3, KS_ESC_FOLDED), "';' in a folded frame");
	CHECK(!ks_text_needs_escape("a;b", 3, 0), "';' in text");
	CHECK(ks_text_needs_escape("a\\b", 3, 0), "a backslash is escaped");
}

/* ks_text_escape_flags writes what ks_text_escape_str makes. */
static void test_text_escape_flags_same(void)
{
	for (int a = 0; a < 256; a++) {
		char s[3] = { 'q', (char)a, ';' }, buf[32];
		FILE *f = kt_mem_open(&mem);

		ks_text_escape_flags(f, s, 3, KS_ESC_FOLDED);
		CHECK_STR(kt_mem_close(&mem),
			  ks_text_escape_str(buf, sizeof(buf), s, 3, KS_ESC_FOLDED));
	}
}

/* A write error is said once and returned every time; a broken pipe is quiet. */
static void test_out_flush(void)
{
	FILE *f = fopen("/dev/full", "w");

	if (!f) {
		KT_SKIP("no /dev/full here");
		return;
	}
	fputs("data", f);
	CHECK(ks_out_flush(f) == -ENOSPC, "a full device is ENOSPC");
	CHECK(ks_out_error() == -ENOSPC, "the first failure is kept");
	fputs("more", f);
	CHECK(ks_out_flush(f) == -ENOSPC, "later flushes repeat the first failure");
	fclose(f);
}

static void test_fmt_hms(void)
{
	char buf[16];

	setenv("TZ", "UTC", 1);
	tzset();
	CHECK_STR(ks_fmt_hms(buf, sizeof(buf), 0), "00:00:00");
	CHECK_STR(ks_fmt_hms(buf, sizeof(buf), (13ULL * 3600 + 4 * 60 + 5) * 1000000000ULL + 999),
		  "13:04:05");
}

static const char *line_put(struct ks_line *l)
{
	FILE *f = kt_mem_open(&mem);

	ks_line_put(l, f);
	return kt_mem_close(&mem);
}

/* The line builder writes what printf would, column for column. */
static void test_line_columns(void)
{
	struct ks_line l;
	char want[256];

	ks_line_init(&l);
	ks_line_str(&l, "loop3", -9);
	ks_line_char(&l, '|');
	ks_line_str(&l, "RS", 4);
	ks_line_char(&l, '|');
	ks_line_uint(&l, 0, -7);
	ks_line_char(&l, '|');
	ks_line_uint(&l, 18446744073709551615ULL, 7);
	ks_line_char(&l, '|');
	ks_line_uint(&l, 42, 0);
	ks_line_char(&l, '|');
	ks_line_text(&l, "kworker/1:2", 11, -16);
	ks_line_char(&l, '|');
	snprintf(want, sizeof(want), "%-9s|%4s|%-7u|%7llu|%u|%-16s|\n", "loop3", "RS", 0,
		 18446744073709551615ULL, 42, "kworker/1:2");
	CHECK_STR(line_put(&l), want);

	/* text that needs escaping is escaped, and a space stands for the padding */
	ks_line_init(&l);
	ks_line_text(&l, "a\nb\x1b", 4, -16);
	ks_line_uint(&l, 7, 0);
	CHECK_STR(line_put(&l), "a\\nb\\x1b 7\n");
}

/* ks_line_fixed against printf's %.Nf of the same value (ties aside: half up, exact). */
static void test_line_fixed(void)
{
	static const unsigned long long vals[] = { 0,
						   1,
						   499,
						   500,
						   999,
						   1000,
						   1499,
						   1501,
						   999499,
						   999500,
						   999999,
						   1000000,
						   1234567,
						   9999999999ULL,
						   123456789012345ULL,
						   18446744073709551615ULL };
	struct ks_line l;
	char want[128];

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		unsigned long long v = vals[i];

		if (v >= 1000000000000000ULL) /* beyond what a double holds exactly */
			continue;
		/* ns as ms with 3 decimals, right-aligned in 7 */
		ks_line_init(&l);
		ks_line_fixed(&l, v, 6, 3, 7);
		snprintf(want, sizeof(want), "%7.3f\n",
			 (double)(v / 1000 + (v % 1000 >= 500)) / 1e3);
		CHECK_STR(line_put(&l), want);
		/* ns as s with 6 decimals, left-aligned in 11 */
		ks_line_init(&l);
		ks_line_fixed(&l, v, 9, 6, -11);
		snprintf(want, sizeof(want), "%-11.6f\n",
			 (double)(v / 1000 + (v % 1000 >= 500)) / 1e6);
		CHECK_STR(line_put(&l), want);
	}
	/* the top of the range, digit for digit */
	ks_line_init(&l);
	ks_line_fixed(&l, 18446744073709551615ULL, 6, 3, 0);
	CHECK_STR(line_put(&l), "18446744073709.552\n");
	/* no decimals: a whole number, rounded */
	ks_line_init(&l);
	ks_line_fixed(&l, 2500, 3, 0, 0);
	CHECK_STR(line_put(&l), "3\n");
	/* a tie goes up (printf would see 1.2345 as 1.23449999...) */
	ks_line_init(&l);
	ks_line_fixed(&l, 1234500, 6, 3, 0);
	CHECK_STR(line_put(&l), "1.235\n");
}

/* A line longer than the buffer is cut, never overrun, and still ends with a newline. */
static void test_line_cut(void)
{
	struct ks_line l;
	const char *out;

	ks_line_init(&l);
	for (int i = 0; i < 200; i++)
		ks_line_str(&l, "abcdefgh", -10);
	ks_line_uint(&l, 123, 30);
	out = line_put(&l);
	CHECK_UINT(strlen(out), sizeof(l.buf));
	CHECK(out[strlen(out) - 1] == '\n', "the line ends with a newline");
	CHECK(!strncmp(out, "abcdefgh  abcdefgh", 18), "the start is kept: %.20s", out);
}

int main(void)
{
	RUN(test_escape_specials);
	RUN(test_escape_utf8_valid);
	RUN(test_escape_utf8_invalid);
	RUN(test_escape_always_valid);
	RUN(test_writer_nesting);
	RUN(test_writer_lines);
	RUN(test_writer_buffered);
	RUN(test_writer_keys_escaped);
	RUN(test_writer_doubles);
	RUN(test_writer_deep);
	RUN(test_text_escape);
	RUN(test_text_escape_no_controls);
	RUN(test_text_escape_str);
	RUN(test_text_escape_flags_same);
	RUN(test_fmt_hms);
	RUN(test_out_flush);
	RUN(test_line_columns);
	RUN(test_line_fixed);
	RUN(test_line_cut);
	free(mem.buf);
	return kt_done();
}
