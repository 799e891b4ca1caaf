/* SPDX-License-Identifier: GPL-2.0-only */
/* Output: a streaming JSON writer (one object per line) and small text formatters. */
#ifndef KS_OUT_H
#define KS_OUT_H

#include <stdio.h>

#include "core/common.h"

#define KS_JSON_MAX_DEPTH 32

/*
 * A JSON writer over a FILE. Values are written as they come; commas are placed by the
 * writer. Members take a key, array elements and the top-level object take key NULL.
 * Closing the top-level object ends the line, so each top-level object is one NDJSON
 * line. Strings are escaped by ks_json_escape().
 */
struct ks_json {
	FILE *f;
	unsigned int depth;
	bool comma[KS_JSON_MAX_DEPTH];
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
 * Write @len bytes of @s for a terminal: printable bytes and valid UTF-8 as they are,
 * anything else as \n, \t, \xHH, so a file name can't forge extra output lines.
 */
void ks_text_escape(FILE *f, const char *s, size_t len);

/*
 * Flush @f and say whether writing to it still works. 0: it does. -EPIPE: the reader went
 * away, and the tool should stop quietly, as the head of a pipeline does. Any other
 * -errno (a full disk, /dev/full, an I/O error): the output is lost, and one error line
 * says so on stderr ("cannot write the output: No space left on device"), once however
 * often this is called. The tool then stops and exits 1 (ks_out_status).
 */
int ks_out_flush(FILE *f);
/* The failure ks_out_flush saw first (-errno; -EPIPE included), 0 if none. */
int ks_out_error(void);

/* Local wall-clock time of @realtime_ns as HH:MM:SS into @buf (at least 9 bytes). */
char *ks_fmt_hms(char *buf, size_t size, unsigned long long realtime_ns);

/* The line that heads a periodic text report: "[HH:MM:SS]" in local time. */
void ks_print_report_time(FILE *f);

#endif
