// SPDX-License-Identifier: GPL-2.0-only
/* Output: JSON writer with strict escaping, terminal-safe strings, time formatting. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
			putc_unlocked(',', j->f);
		j->comma[j->depth] = true;
	}
	if (key) {
		putc_unlocked('"', j->f);
		ks_json_escape(j->f, key, strlen(key));
		fputs_unlocked("\":", j->f);
	}
}

static void json_open(struct ks_json *j, const char *key, int c)
{
	json_prefix(j, key);
	putc_unlocked(c, j->f);
	if (j->depth + 1 < KS_JSON_MAX_DEPTH)
		j->depth++;
	j->comma[j->depth] = false;
}

static void json_close(struct ks_json *j, int c)
{
	putc_unlocked(c, j->f);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0)
		putc_unlocked('\n', j->f);
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
	putc_unlocked('"', j->f);
	ks_json_escape(j->f, s, len);
	putc_unlocked('"', j->f);
}

void ks_json_str(struct ks_json *j, const char *key, const char *s)
{
	if (!s) {
		ks_json_null(j, key);
		return;
	}
	ks_json_strn(j, key, s, strlen(s));
}

/* @v in decimal: printf's machinery costs more than the rest of an event's line. */
static void json_digits(FILE *f, unsigned long long v, bool neg)
{
	char buf[24];
	size_t i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (neg)
		buf[--i] = '-';
	fwrite_unlocked(buf + i, 1, sizeof(buf) - i, f);
}

void ks_json_int(struct ks_json *j, const char *key, long long v)
{
	json_prefix(j, key);
	json_digits(j->f, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, v < 0);
}

void ks_json_uint(struct ks_json *j, const char *key, unsigned long long v)
{
	json_prefix(j, key);
	json_digits(j->f, v, false);
}

void ks_json_double(struct ks_json *j, const char *key, double v)
{
	json_prefix(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs_unlocked("null", j->f);
}

void ks_json_bool(struct ks_json *j, const char *key, bool v)
{
	json_prefix(j, key);
	fputs_unlocked(v ? "true" : "false", j->f);
}

void ks_json_null(struct ks_json *j, const char *key)
{
	json_prefix(j, key);
	fputs_unlocked("null", j->f);
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

/* Bytes JSON strings carry as they are: printable ASCII but the quote and the backslash. */
static bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void ks_json_escape(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	/*
	 * Output goes to one writer thread's stream (the _unlocked calls), and runs of plain
	 * bytes (almost every string) in one write each: a streaming tool formats hundreds of
	 * thousands of events a second.
	 */
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		if (json_plain(c)) {
			for (n = i + 1; n < len && json_plain(s[n]); n++)
				;
			fwrite_unlocked(s + i, 1, n - i, f);
			i = n;
			continue;
		}
		switch (c) {
		case '"':
			fputs_unlocked("\\\"", f);
			i++;
			continue;
		case '\\':
			fputs_unlocked("\\\\", f);
			i++;
			continue;
		case '\n':
			fputs_unlocked("\\n", f);
			i++;
			continue;
		case '\r':
			fputs_unlocked("\\r", f);
			i++;
			continue;
		case '\t':
			fputs_unlocked("\\t", f);
			i++;
			continue;
		case '\b':
			fputs_unlocked("\\b", f);
			i++;
			continue;
		case '\f':
			fputs_unlocked("\\f", f);
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
			fputs_unlocked("\\ufffd", f);
			i++;
			continue;
		}
		fwrite_unlocked(s + i, 1, n, f);
		i += n;
	}
}

size_t ks_text_escape_one(const char *str, size_t len, unsigned int flags, char *out, size_t *used)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	size_t n;

	*used = 1;
	if (c == '\n')
		return (size_t)snprintf(out, 5, "\\n");
	if (c == '\t')
		return (size_t)snprintf(out, 5, "\\t");
	if (c == '\\')
		return (size_t)snprintf(out, 5, "\\\\");
	if (c < 0x20 || c == 0x7f)
		return (size_t)snprintf(out, 5, "\\x%02x", c);
	if ((flags & KS_ESC_FOLDED) && (c == ';' || (c == ' ' && (flags & KS_ESC_NOSPACE)))) {
		out[0] = '_';
		return 1;
	}
	n = utf8_valid(s, len);
	if (!n)
		return (size_t)snprintf(out, 5, "\\x%02x", c);
	memcpy(out, s, n);
	*used = n;
	return n;
}

bool ks_text_needs_escape(const char *str, size_t len, unsigned int flags)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c == 0x7f || c == '\\' || c >= 0x80 ||
		    ((flags & KS_ESC_FOLDED) &&
		     (c == ';' || (c == ' ' && (flags & KS_ESC_NOSPACE)))))
			return true;
	}
	return false;
}

void ks_text_escape_flags(FILE *f, const char *str, size_t len, unsigned int flags)
{
	size_t i = 0;

	if (!ks_text_needs_escape(str, len, flags)) {
		fwrite(str, 1, len, f);
		return;
	}
	while (i < len) {
		char out[8];
		size_t used, n = ks_text_escape_one(str + i, len - i, flags, out, &used);

		fwrite(out, 1, n, f);
		i += used;
	}
}

void ks_text_escape(FILE *f, const char *str, size_t len)
{
	ks_text_escape_flags(f, str, len, 0);
}

char *ks_text_escape_str(char *buf, size_t size, const char *str, size_t len, unsigned int flags)
{
	size_t i = 0, o = 0;

	if (!size)
		return buf;
	while (i < len) {
		char out[8];
		size_t used, n = ks_text_escape_one(str + i, len - i, flags, out, &used);

		if (o + n >= size)
			break; /* whole characters and escapes only */
		memcpy(buf + o, out, n);
		o += n;
		i += used;
	}
	buf[o] = '\0';
	return buf;
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
static int stdout_errno;		   /* the first failed write(2) on standard output */
static volatile sig_atomic_t *stdout_stop; /* set: give up a write a signal interrupted */

/* Standard output's writes: all of it, through EINTR, remembering the first failure. */
static ssize_t stdout_write(void *cookie, const char *buf, size_t size)
{
	size_t done = 0;

	(void)cookie;
	while (done < size) {
		ssize_t n = write(STDOUT_FILENO, buf + done, size - done);

		if (n < 0 && errno == EINTR && !*stdout_stop)
			continue;
		if (n <= 0) {
			/* Stopped while the reader does not read: as if it went away. */
			if (!stdout_errno)
				stdout_errno = n < 0 && errno != EINTR ? errno : EPIPE;
			errno = stdout_errno;
			return -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int ks_out_stdout(volatile sig_atomic_t *stop)
{
	cookie_io_functions_t io = { .write = stdout_write };
	FILE *f = fopencookie(NULL, "w", io);

	if (!f)
		return -errno;
	setvbuf(f, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
	stdout_stop = stop;
	stdout = f;
	return 0;
}

int ks_out_flush(FILE *f)
{
	int err;

	if (out_err)
		return -out_err; /* the first failure stands: later ones only echo it */
	errno = 0;
	if (!fflush(f) && !ferror(f))
		return 0;
	/* A write may have failed inside an earlier fprintf, its errno long gone. */
	err = f == stdout && stdout_errno ? stdout_errno : errno ? errno : EIO;
	out_err = err;
	if (err != EPIPE)
		ks_error("cannot write the output: %s", strerror(err));
	return -err;
}

int ks_out_error(void)
{
	return -out_err;
}
