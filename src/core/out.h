/* SPDX-License-Identifier: GPL-2.0-only */
/* Output: a streaming JSON writer (one object per line) and small text formatters. */
#ifndef KS_OUT_H
#define KS_OUT_H

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/common.h"

#define KS_JSON_MAX_DEPTH 32

/*
 * A JSON writer over a FILE. Values are written as they come; commas are placed by the
 * writer. Members take a key, array elements and the top-level object take key NULL.
 * Closing the top-level object ends the line, so each top-level object is one NDJSON
 * line. Strings are escaped by ks_json_escape(). A line reaches the FILE whole when it
 * ends (a long one a bufferful at a time): nothing else may write to the FILE while an
 * object is open.
 */
struct ks_json {
	FILE *f;
	unsigned int depth;
	bool comma[KS_JSON_MAX_DEPTH];
	size_t len; /* bytes waiting in buf: written to f when a line ends, or buf fills */
	char buf[4096];
};

void ks_json_init(struct ks_json *j, FILE *f);
void ks_json_obj_begin(struct ks_json *j, const char *key);
void ks_json_obj_end(struct ks_json *j);
void ks_json_arr_begin(struct ks_json *j, const char *key);
void ks_json_arr_end(struct ks_json *j);
void ks_json_str(struct ks_json *j, const char *key, const char *s);
/* Like ks_json_str for @len bytes that need not be NUL-terminated. */
void ks_json_strn(struct ks_json *j, const char *key, const char *s, size_t len);
void ks_json_int(struct ks_json *j, const char *key, long long v);
void ks_json_uint(struct ks_json *j, const char *key, unsigned long long v);
void ks_json_double(struct ks_json *j, const char *key, double v);
void ks_json_bool(struct ks_json *j, const char *key, bool v);
void ks_json_null(struct ks_json *j, const char *key);

/*
 * Write @len bytes of @s as the inside of a JSON string: quote, backslash and control
 * characters escaped (\n, \t, \u00XX ...), valid UTF-8 passed through, and each byte of
 * an invalid UTF-8 sequence (or an encoded surrogate, or an overlong form) replaced by
 * U+FFFD, so the output is always valid JSON and valid UTF-8.
 */
void ks_json_escape(FILE *f, const char *s, size_t len);

/*
 * Length of the valid UTF-8 sequence at @s (at most @len bytes, @len > 0), or 0 if the
 * bytes there are not one: truncated, overlong, a surrogate, or beyond U+10FFFF.
 */
size_t ks_utf8_valid(const char *s, size_t len);

/*
 * Text that came from anyone (a process name, a path, a cgroup name, a symbol) made safe
 * for a terminal and for line-based readers, the same way in every text output: printable
 * bytes and valid UTF-8 as they are; newline, tab and backslash as \n, \t, \\; every
 * other control character and each byte of invalid UTF-8 as \xHH. Nothing it writes can
 * start a line or a terminal escape sequence. Flags add what a format needs:
 *   KS_ESC_FOLDED   a frame of a folded stack: ';' (the frame separator) as '_', as flame
 *                   graph tools have it (Java's "Ljava/lang/String;" stays readable)
 *   KS_ESC_NOSPACE  with KS_ESC_FOLDED, ' ' as '_' (process names in folded stacks)
 */
enum ks_esc_flags {
	KS_ESC_FOLDED = 1u << 0,
	KS_ESC_NOSPACE = 1u << 1,
};
void ks_text_escape(FILE *f, const char *s, size_t len);
void ks_text_escape_flags(FILE *f, const char *s, size_t len, unsigned int flags);
/* The same into @buf (NUL-terminated, cut before an escape that would not fit): @buf. */
char *ks_text_escape_str(char *buf, size_t size, const char *s, size_t len, unsigned int flags);
/*
 * The escaped form of the character at @s (@len > 0 bytes left) into @out (at least 5
 * bytes, not NUL-terminated): returns its length, and sets *@used to the input bytes it
 * stands for. The building block of the above, for writers of their own.
 */
size_t ks_text_escape_one(const char *s, size_t len, unsigned int flags, char *out, size_t *used);
/* Would ks_text_escape change @s (or replace a character)? */
bool ks_text_needs_escape(const char *s, size_t len, unsigned int flags);

/*
 * Flush @f and say whether writing to it still works. 0: it does. -EPIPE: the reader went
 * away, and the tool should stop quietly, as the head of a pipeline does. Any other
 * -errno (a full disk, /dev/full, an I/O error): the output is lost, and one error line
 * says so on stderr ("cannot write the output: No space left on device"), once however
 * often this is called. The tool then stops and exits 1 (ks_out_status).
 */
int ks_out_flush(FILE *f);
/*
 * Make stdout a stream whose writes go to file descriptor 1 whole (retrying after EINTR,
 * unless *@stop is set: kscope is stopping) and keep the errno of the first failed write, for
 * ks_out_flush to name: stdio forgets it when a write fails inside a long fprintf.
 * Buffered as stdio would (by line on a terminal). 0 or -errno (stdout stays as it was).
 */
int ks_out_stdout(volatile sig_atomic_t *stop);
/* The failure ks_out_flush saw first (-errno; -EPIPE included), 0 if none. */
int ks_out_error(void);

/*
 * A text line built in memory and written whole. printf's machinery costs more than all
 * the rest of a streamed event whose lines come by the hundred thousand a second (a line
 * per block IO): these format a line's columns in a few dozen instructions. Widths are
 * printf's: @width > 0 pads on the left (right-aligned), < 0 on the right, 0 not at all;
 * a field wider than its column is written whole. What would not fit in the buffer is
 * cut, never overrun.
 */
struct ks_line {
	size_t len;
	char buf[480];
};

static inline void ks_line_init(struct ks_line *l)
{
	l->len = 0;
}
/* @n bytes of @s, as they are (the caller knows they need no escaping). */
void ks_line_strn(struct ks_line *l, const char *s, size_t n, int width);
static inline void ks_line_str(struct ks_line *l, const char *s, int width)
{
	ks_line_strn(l, s, strlen(s), width);
}
/*
 * Text from anyone (a process name): as ks_text_escape writes it; an escaped one is
 * followed by a space instead of its padding (ks_text_comm is this, to a FILE).
 */
void ks_line_text(struct ks_line *l, const char *s, size_t n, int width);
void ks_line_uint(struct ks_line *l, unsigned long long v, int width);
/*
 * @v counted in units of 10^-@scale (ns: 9), in the unit with @decimals digits after the
 * point, rounded half up (printf's "%.3f" of v / 1e6 is ks_line_fixed(l, v, 6, 3, w)),
 * @decimals < @scale <= 18.
 */
void ks_line_fixed(struct ks_line *l, unsigned long long v, unsigned int scale,
		   unsigned int decimals, int width);
static inline void ks_line_char(struct ks_line *l, char ch)
{
	if (l->len < sizeof(l->buf))
		l->buf[l->len++] = ch;
}
/* End the line with a newline and write it to @f (unlocked: one writer per stream). */
void ks_line_put(struct ks_line *l, FILE *f);

/* Local wall-clock time of @realtime_ns as HH:MM:SS into @buf (at least 9 bytes). */
char *ks_fmt_hms(char *buf, size_t size, unsigned long long realtime_ns);

/* The line that heads a periodic text report: "[HH:MM:SS]" in local time. */
void ks_print_report_time(FILE *f);

#endif
