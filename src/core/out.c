// SPDX-License-Identifier: GPL-2.0-only
/* Output: JSON writer with strict escaping, terminal-safe strings, time formatting. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/out.h"

void ks_json_init(struct ks_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Comma and key before a value at the current depth. */
static void json_prefix(struct ks_json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->comma[j->depth])
			fputc(',', j->f);
		j->comma[j->depth] = true;
	}
	if (key) {
		fputc('"', j->f);
		ks_json_escape(j->f, key, strlen(key));
		fputs("\":", j->f);
	}
}

static void json_open(struct ks_json *j, const char *key, int c)
{
	json_prefix(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < KS_JSON_MAX_DEPTH)
		j->depth++;
	j->comma[j->depth] = false;
}

static void json_close(struct ks_json *j, int c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0)
		fputc('\n', j->f);
}

void ks_json_obj_begin(struct ks_json *j, const char *key)
{
	json_open(j, key, '{');
}

void ks_json_obj_end(struct ks_json *j)
{
	json_close(j, '}');
}

void ks_json_arr_begin(struct ks_json *j, const char *key)
{
	json_open(j, key, '[');
}

void ks_json_arr_end(struct ks_json *j)
{
	json_close(j, ']');
}

void ks_json_strn(struct ks_json *j, const char *key, const char *s, size_t len)
{
	json_prefix(j, key);
	fputc('"', j->f);
	ks_json_escape(j->f, s, len);
	fputc('"', j->f);
}

void ks_json_str(struct ks_json *j, const char *key, const char *s)
{
	if (!s) {
		ks_json_null(j, key);
		return;
	}
	ks_json_strn(j, key, s, strlen(s));
}

void ks_json_int(struct ks_json *j, const char *key, long long v)
{
	json_prefix(j, key);
	fprintf(j->f, "%lld", v);
}

void ks_json_uint(struct ks_json *j, const char *key, unsigned long long v)
{
	json_prefix(j, key);
	fprintf(j->f, "%llu", v);
}

void ks_json_double(struct ks_json *j, const char *key, double v)
{
	json_prefix(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

void ks_json_bool(struct ks_json *j, const char *key, bool v)
{
	json_prefix(j, key);
	fputs(v ? "true" : "false", j->f);
}

void ks_json_null(struct ks_json *j, const char *key)
{
	json_prefix(j, key);
	fputs("null", j->f);
}

/*
 * Length of the valid UTF-8 sequence at @s (at most @len bytes), or 0 if the bytes there
 * are not one: truncated, overlong, a surrogate, or beyond U+10FFFF.
 */
static size_t utf8_valid(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t ks_utf8_valid(const char *s, size_t len)
{
	return utf8_valid((const unsigned char *)s, len);
}

void ks_json_escape(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			i++;
			continue;
		case '\\':
			fputs("\\\\", f);
			i++;
			continue;
		case '\n':
			fputs("\\n", f);
			i++;
			continue;
		case '\r':
			fputs("\\r", f);
			i++;
			continue;
		case '\t':
			fputs("\\t", f);
			i++;
			continue;
		case '\b':
			fputs("\\b", f);
			i++;
			continue;
		case '\f':
			fputs("\\f", f);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		n = utf8_valid(s + i, len - i);
		if (!n) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, f);
		i += n;
	}
}

void ks_text_escape(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if (c == '\\') {
			fputs("\\\\", f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\x%02x", c);
			i++;
		} else if ((n = utf8_valid(s + i, len - i))) {
			fwrite(s + i, 1, n, f);
			i += n;
		} else {
			fprintf(f, "\\x%02x", c);
			i++;
		}
	}
}

char *ks_fmt_hms(char *buf, size_t size, unsigned long long realtime_ns)
{
	time_t t = (time_t)(realtime_ns / 1000000000ULL);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%H:%M:%S", &tm))
		snprintf(buf, size, "??:??:??");
	return buf;
}

void ks_print_report_time(FILE *f)
{
	char hms[16];

	fprintf(f, "[%s]\n", ks_fmt_hms(hms, sizeof(hms), ks_now_realtime()));
}

static int out_err;

int ks_out_flush(FILE *f)
{
	int err;

	if (out_err)
		return -out_err; /* the first failure stands: later ones only echo it */
	errno = 0;
	if (!fflush(f) && !ferror(f))
		return 0;
	/* A write failed inside an earlier fprintf: its errno is gone, the flag is not. */
	err = errno ? errno : EIO;
	out_err = err;
	if (err != EPIPE)
		ks_error("cannot write the output: %s", strerror(err));
	return -err;
}

int ks_out_error(void)
{
	return -out_err;
}
