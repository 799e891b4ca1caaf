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
	j->f = f;
	j->depth = 0;
	j->len = 0;
	memset(j->comma, 0, sizeof(j->comma));
}

/*
 * Output is built in j->buf and written a whole line at a time (or a bufferful, for a
 * line longer than that): one fwrite per event instead of one per piece, which cost more
 * than the rest of a streamed event.
 */
static void json_flush(struct ks_json *j)
{
	if (j->len)
		fwrite_unlocked(j->buf, 1, j->len, j->f);
	j->len = 0;
}

static void json_put(struct ks_json *j, const char *s, size_t n)
{
	if (n > sizeof(j->buf) - j->len) {
		json_flush(j);
		if (n > sizeof(j->buf)) {
			fwrite_unlocked(s, 1, n, j->f);
			return;
		}
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void json_putc(struct ks_json *j, char c)
{
	if (j->len == sizeof(j->buf))
		json_flush(j);
	j->buf[j->len++] = c;
}

#define json_puts(j, lit) json_put(j, lit, sizeof(lit) - 1)

static void json_escape(struct ks_json *j, const char *str, size_t len);
static bool json_plain(unsigned char c);

/* Comma and key before a value at the current depth. */
static void json_prefix(struct ks_json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->comma[j->depth])
			json_putc(j, ',');
		j->comma[j->depth] = true;
	}
	if (key) {
		const char *p = key;

		json_putc(j, '"');
		/* keys are almost always plain: one pass finds the end and that they are */
		while (json_plain((unsigned char)*p))
			p++;
		if (*p)
			json_escape(j, key, strlen(key));
		else
			json_put(j, key, (size_t)(p - key));
		json_puts(j, "\":");
	}
}

static void json_open(struct ks_json *j, const char *key, char c)
{
	json_prefix(j, key);
	json_putc(j, c);
	if (j->depth + 1 < KS_JSON_MAX_DEPTH)
		j->depth++;
	j->comma[j->depth] = false;
}

static void json_close(struct ks_json *j, char c)
{
	json_putc(j, c);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0) {
		json_putc(j, '\n');
		json_flush(j);
	}
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
	json_putc(j, '"');
	json_escape(j, s, len);
	json_putc(j, '"');
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
static void json_digits(struct ks_json *j, unsigned long long v, bool neg)
{
	char buf[24];
	size_t i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (neg)
		buf[--i] = '-';
	json_put(j, buf + i, sizeof(buf) - i);
}

void ks_json_int(struct ks_json *j, const char *key, long long v)
{
	json_prefix(j, key);
	json_digits(j, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, v < 0);
}

void ks_json_uint(struct ks_json *j, const char *key, unsigned long long v)
{
	json_prefix(j, key);
	json_digits(j, v, false);
}

void ks_json_double(struct ks_json *j, const char *key, double v)
{
	char buf[32];

	json_prefix(j, key);
	if (isfinite(v)) {
		int n = snprintf(buf, sizeof(buf), "%.6g", v);

		json_put(j, buf, n > 0 && (size_t)n < sizeof(buf) ? (size_t)n : 0);
	} else {
		json_puts(j, "null");
	}
}

void ks_json_bool(struct ks_json *j, const char *key, bool v)
{
	json_prefix(j, key);
	if (v)
		json_puts(j, "true");
	else
		json_puts(j, "false");
}

void ks_json_null(struct ks_json *j, const char *key)
{
	json_prefix(j, key);
	json_puts(j, "null");
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

static void json_escape(struct ks_json *j, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	/* Runs of plain bytes (almost every string) are copied in one go. */
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		if (json_plain(c)) {
			for (n = i + 1; n < len && json_plain(s[n]); n++)
				;
			json_put(j, (const char *)s + i, n - i);
			i = n;
			continue;
		}
		switch (c) {
		case '"':
			json_puts(j, "\\\"");
			i++;
			continue;
		case '\\':
			json_puts(j, "\\\\");
			i++;
			continue;
		case '\n':
			json_puts(j, "\\n");
			i++;
			continue;
		case '\r':
			json_puts(j, "\\r");
			i++;
			continue;
		case '\t':
			json_puts(j, "\\t");
			i++;
			continue;
		case '\b':
			json_puts(j, "\\b");
			i++;
			continue;
		case '\f':
			json_puts(j, "\\f");
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			char u[8];

			snprintf(u, sizeof(u), "\\u%04x", c);
			json_put(j, u, 6);
			i++;
			continue;
		}
		n = utf8_valid(s + i, len - i);
		if (!n) {
			json_puts(j, "\\ufffd");
			i++;
			continue;
		}
		json_put(j, (const char *)s + i, n);
		i += n;
	}
}

void ks_json_escape(FILE *f, const char *s, size_t len)
{
	struct ks_json j;

	ks_json_init(&j, f);
	json_escape(&j, s, len);
	json_flush(&j);
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

/* Room for @n more bytes (cut to what is left). */
static size_t line_room(const struct ks_line *l, size_t n)
{
	size_t left = sizeof(l->buf) - l->len;

	return n < left ? n : left;
}

static void line_pad(struct ks_line *l, size_t n)
{
	n = line_room(l, n);
	memset(l->buf + l->len, ' ', n);
	l->len += n;
}

void ks_line_strn(struct ks_line *l, const char *s, size_t n, int width)
{
	size_t w = width < 0 ? (size_t) - (long)width : (size_t)width;
	size_t pad = n < w ? w - n : 0;

	if (width > 0)
		line_pad(l, pad);
	n = line_room(l, n);
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	if (width < 0)
		line_pad(l, pad);
}

void ks_line_text(struct ks_line *l, const char *s, size_t n, int width)
{
	char esc[4 * 64 + 1];

	if (!ks_text_needs_escape(s, n, 0)) {
		ks_line_strn(l, s, n, width);
		return;
	}
	/* Rare: escaped, and the columns shift rather than count widths. */
	ks_text_escape_str(esc, sizeof(esc), s, n < 64 ? n : 64, 0);
	ks_line_strn(l, esc, strlen(esc), 0);
	ks_line_char(l, ' ');
}

/* @v's decimal digits, at least @min of them (leading zeros), at the end of @buf. */
static size_t line_digits(char *end, unsigned long long v, unsigned int min)
{
	size_t n = 0;

	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
		n++;
	} while (v || n < min);
	return n;
}

void ks_line_uint(struct ks_line *l, unsigned long long v, int width)
{
	char buf[24];
	size_t n = line_digits(buf + sizeof(buf), v, 1);

	ks_line_strn(l, buf + sizeof(buf) - n, n, width);
}

void ks_line_fixed(struct ks_line *l, unsigned long long v, unsigned int scale,
		   unsigned int decimals, int width)
{
	unsigned long long div = 1, one = 1, q;
	char buf[48], *end = buf + sizeof(buf);
	size_t n;

	if (scale > 18)
		scale = 18;
	if (decimals >= scale)
		decimals = scale - 1;
	for (unsigned int i = decimals; i < scale; i++)
		div *= 10;
	for (unsigned int i = 0; i < decimals; i++)
		one *= 10;
	/* rounded half up, without overflowing near the top of the range */
	q = v / div + (v % div >= div - div / 2);
	n = 0;
	if (decimals) {
		n = line_digits(end, q % one, decimals);
		*(end - ++n) = '.';
	}
	n += line_digits(end - n, q / one, 1);
	ks_line_strn(l, end - n, n, width);
}

void ks_line_put(struct ks_line *l, FILE *f)
{
	if (l->len == sizeof(l->buf))
		l->len--;
	l->buf[l->len++] = '\n';
	fwrite_unlocked(l->buf, 1, l->len, f);
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

/* stdout's buffer when it is not a terminal */
#define KS_OUT_BUFSIZE (64 * 1024)

int ks_out_stdout(volatile sig_atomic_t *stop)
{
	cookie_io_functions_t io = { .write = stdout_write };
	FILE *f = fopencookie(NULL, "w", io);

	if (!f)
		return -errno;
	/* a file or pipe takes larger writes: fewer system calls at a line per event */
	if (isatty(STDOUT_FILENO))
		setvbuf(f, NULL, _IOLBF, BUFSIZ);
	else
		setvbuf(f, NULL, _IOFBF, KS_OUT_BUFSIZE);
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
