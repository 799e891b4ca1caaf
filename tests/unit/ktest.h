/* SPDX-License-Identifier: GPL-2.0-only */
/* A very small unit-test harness: "ok NAME" / "not ok NAME: why" per case, for tests/run.sh. */
/* A case that cannot run here calls KT_SKIP("reason") and returns: "skip NAME: reason". */
#ifndef KTEST_H
#define KTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int kt_failed_cases;
static bool kt_case_failed;
static bool kt_case_skipped;
static char kt_why[1024];

/* Not every test file uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

static void kt_fail(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record the first failure of the current case (later ones go to the log as comments). */
static void kt_fail(int line, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (!kt_case_failed)
		snprintf(kt_why, sizeof(kt_why), "line %d: %s", line, msg);
	else
		printf("# also line %d: %s\n", line, msg);
	kt_case_failed = true;
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			kt_fail(__LINE__, __VA_ARGS__);                                            \
	} while (0)

#define CHECK_INT(got, want)                                                                       \
	do {                                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);                           \
		if (g_ != w_)                                                                      \
			kt_fail(__LINE__, "%s is %lld, expected %lld", #got, g_, w_);              \
	} while (0)

#define CHECK_UINT(got, want)                                                                      \
	do {                                                                                       \
		unsigned long long g_ = (got), w_ = (want);                                        \
		if (g_ != w_)                                                                      \
			kt_fail(__LINE__, "%s is %llu, expected %llu", #got, g_, w_);              \
	} while (0)

static void kt_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Mark the current case skipped (unless it already failed), with the reason printed. */
static void kt_skip(const char *fmt, ...)
{
	va_list ap;

	if (kt_case_failed)
		return;
	va_start(ap, fmt);
	vsnprintf(kt_why, sizeof(kt_why), fmt, ap);
	va_end(ap);
	kt_case_skipped = true;
}

#define KT_SKIP(...) kt_skip(__VA_ARGS__)

/* Printable rendering of @n bytes for messages: C escapes, at most ~300 bytes. */
static const char *kt_show(const char *s, size_t n, char *buf, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 8 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			o += snprintf(buf + o, size - o, "\\n");
		else if (c == '\\' || c == '"')
			o += snprintf(buf + o, size - o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(buf + o, size - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o < size ? o : size - 1] = '\0';
	return buf;
}

/* Compare @got (length @gn) to the string @want; on a difference say where. */
static void kt_check_mem(int line, const char *what, const char *got, size_t gn, const char *want)
{
	size_t wn = strlen(want), i = 0;
	char a[400], b[400];

	if (gn == wn && !memcmp(got, want, wn))
		return;
	while (i < gn && i < wn && got[i] == want[i])
		i++;
	{
		size_t from = i > 20 ? i - 20 : 0;

		kt_fail(line, "%s differs at byte %zu: got \"%s\", expected \"%s\"", what, i,
			kt_show(got + from, gn - from > 60 ? 60 : gn - from, a, sizeof(a)),
			kt_show(want + from, wn - from > 60 ? 60 : wn - from, b, sizeof(b)));
		/* the whole of both, for the log kept under tests/out/ */
		printf("# got:      \"%s\"\n", kt_show(got, gn, a, sizeof(a)));
		printf("# expected: \"%s\"\n", kt_show(want, wn, b, sizeof(b)));
	}
}

#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *g_ = (got);                                                            \
		kt_check_mem(__LINE__, #got, g_, strlen(g_), (want));                              \
	} while (0)
#define CHECK_MEM(got, n, want) kt_check_mem(__LINE__, #got, (got), (n), (want))

/* Capture what a block writes to a FILE: kt_mem_open(), write to kt_mem.f, kt_mem_close(). */
struct kt_mem {
	FILE *f;
	char *buf;
	size_t len;
};

static FILE *kt_mem_open(struct kt_mem *m)
{
	free(m->buf);
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f;
}

static const char *kt_mem_close(struct kt_mem *m)
{
	fclose(m->f);
	m->f = NULL;
	return m->buf;
}

/* Capture stderr (fd 2) into a temporary file while a block runs. */
struct kt_stderr {
	int saved;
	FILE *tmp;
	char text[4096];
	int lines;
};

static void kt_stderr_begin(struct kt_stderr *s)
{
	fflush(stderr);
	s->tmp = tmpfile();
	s->saved = dup(2);
	if (s->tmp)
		dup2(fileno(s->tmp), 2);
}

static void kt_stderr_end(struct kt_stderr *s)
{
	size_t n = 0;

	fflush(stderr);
	dup2(s->saved, 2);
	close(s->saved);
	s->text[0] = '\0';
	s->lines = 0;
	if (!s->tmp)
		return;
	rewind(s->tmp);
	n = fread(s->text, 1, sizeof(s->text) - 1, s->tmp);
	s->text[n] = '\0';
	for (size_t i = 0; i < n; i++)
		s->lines += s->text[i] == '\n';
	fclose(s->tmp);
	/* keep it in the log too */
	if (n)
		printf("# stderr: %.*s", (int)n, s->text);
}

static void kt_run(const char *name, void (*fn)(void))
{
	kt_case_failed = false;
	kt_case_skipped = false;
	kt_why[0] = '\0';
	fn();
	fflush(stderr);
	if (kt_case_failed) {
		kt_failed_cases++;
		printf("not ok %s: %s\n", name, kt_why);
	} else if (kt_case_skipped) {
		printf("skip %s: %s\n", name, kt_why);
	} else {
		printf("ok %s\n", name);
	}
	fflush(stdout);
}

/* RUN(test_foo) reports case "foo". */
#define RUN(fn) kt_run(strncmp(#fn, "test_", 5) ? #fn : #fn + 5, fn)

static int kt_done(void)
{
	return kt_failed_cases ? 1 : 0;
}

#endif
