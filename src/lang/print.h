/* SPDX-License-Identifier: GPL-2.0-only */
/* The language's output: printf formatting, maps and aggregations, as bpftrace prints them. */
#ifndef KS_LANG_PRINT_H
#define KS_LANG_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * How a value is stored in the bytes the BPF side hands over (ring-buffer records, map keys
 * and values). All integers are little-endian host order as BPF wrote them.
 */
enum lang_vtype {
	LV_INT,	      /* signed integer of size 1, 2, 4 or 8 */
	LV_UINT,      /* unsigned integer of size 1, 2, 4 or 8 */
	LV_STR,	      /* char[size], NUL-terminated within size unless it fills it */
	LV_BUF,	      /* bytes of buf(): u32 length then the data; size is the whole field */
	LV_KSTACK,    /* kernel stack, 8-byte slots: u64 count then up to (size/8 - 1) ips */
	LV_USTACK,    /* user stack, same layout, followed by nothing: pid comes from @pid_off */
	LV_KSYM,      /* u64 kernel address: printed as its symbol (ksym()) */
	LV_USYM,      /* u64 user address: printed as its symbol in the traced process (usym()) */
	LV_PROBE,     /* u64 index into the program's probe names (the `probe` builtin) */
	LV_USERNAME,  /* u64 uid printed as a user name (username builtin) */
	LV_TUPLE,     /* a tuple: see lang_field.sub */
	LV_TIMESTAMP, /* u64 ns: strftime()'s value */
	LV_NONE,      /* nothing to print (void) */
};

struct lang_field {
	enum lang_vtype type;
	uint32_t off, size;
	/* LV_TUPLE: the elements (offsets relative to the tuple's own start). */
	const struct lang_field *sub;
	size_t nsub;
};

/* A map key: the fields of @x[k1, k2, ...] laid out one after another. */
struct lang_layout {
	const struct lang_field *f;
	size_t n; /* 0: a map without key (@x) */
	uint32_t size;
};

/* What a map's values are. The merged layout of each (after summing per-CPU copies): */
enum lang_agg {
	LA_SCALAR, /* @x = expr: one value of type lang_mapinfo.val */
	LA_COUNT,  /* u64 */
	LA_SUM,	   /* s64 (printed signed if the summed expression is signed, else unsigned) */
	LA_AVG,	   /* { s64 sum; u64 count; } printed as the integer sum / count (signed, C
		    * division, 0 if count is 0) */
	LA_MIN,	   /* { s64 value; u64 seen; } seen == 0: no value yet; unsigned if val is
		    * LV_UINT */
	LA_MAX,	   /* { s64 value; u64 seen; } */
	LA_STATS,  /* { s64 sum; u64 count; } printed as "count N, average A, total T" */
	LA_HIST,   /* u64 slots[LANG_HIST_SLOTS], see below */
	LA_LHIST,  /* u64 slots[lang_lhist_slots(min, max, step)], see below */
};

/*
 * hist() slots: 0 counts negative values "(..., 0)", 1 the value 0 "[0]", 2 the value 1
 * "[1]", and slot k >= 3 the values [2^(k-2), 2^(k-1)), up to slot 64 "[4E, 8E)"; slot 65
 * "[8E, ...)" is for unsigned values from 2^63 (lang_hist_slot never returns it).
 */
#define LANG_HIST_SLOTS 66
/* The slot of @v in a hist(); the BPF side computes the same. */
unsigned lang_hist_slot(int64_t v);

/*
 * lhist(min, max, step) slots: 0 counts values below min "(..., min)", slot i (1..n) the
 * values [min + (i-1)*step, min + i*step), slot n+1 values >= max "[max, ...)", where
 * n = (max - min) / step rounded up. When step does not divide max - min the last bucket
 * is cut at max: lhist(x, 0, 25, 10) has [0, 10) [10, 20) [20, 25) [25, ...). (bpftrace
 * 0.17 rounds down and counts 20..24 under its "[25, ...)" label.) Returns n + 2, or 0 if
 * step <= 0, max <= min or the count does not fit.
 */
unsigned lang_lhist_slots(int64_t min, int64_t max, int64_t step);

struct lang_mapinfo {
	const char *name; /* as written: "@x", or "@" for the anonymous map */
	struct lang_layout key;
	enum lang_agg agg;
	struct lang_field val;	   /* LA_SCALAR: its type; LA_SUM/MIN/MAX: LV_INT/LV_UINT */
	int64_t lmin, lmax, lstep; /* LA_LHIST */
};

/* One key and its merged value. */
struct lang_entry {
	const void *key;
	const void *val;
};

/* Flags of lang_print_env.special. */
#define LANG_SPECIAL_JSON 1u /* JSON output: the printer quotes and escapes the text written */
#define LANG_SPECIAL_KEY  2u /* a map key: bpftrace indents stack frames by 4 there, not 8 */

/*
 * What the printer cannot know by itself: symbols, probe names, user names. The runtime
 * fills these; any may be NULL (the raw number is printed then: %llu, and stack frames as
 * 0x%llx).
 */
struct lang_print_env {
	void *ctx;
	/* Write the text of a LV_KSTACK/LV_USTACK/LV_KSYM/LV_USYM/LV_PROBE/LV_USERNAME/
	 * LV_TIMESTAMP value (@data points at the field) into @f, as bpftrace shows it:
	 * a stack is "\n" then each frame "        sym+off\n" (8 spaces; 4 with
	 * LANG_SPECIAL_KEY, so a map key reads "@[\n    f+1\n    g+2\n]: 3"). Plain text
	 * also in JSON mode: the printer escapes it. @pid is the process the value came from
	 * when known (for user symbols), else 0. @flags: LANG_SPECIAL_*. */
	void (*special)(void *ctx, FILE *f, const struct lang_field *fl, const void *data, int pid,
			unsigned flags);
};

struct lang_print_opts {
	bool json;     /* bpftrace's -f json lines instead of text */
	long long top; /* print(@x, top): only the @top largest entries; 0 for all */
	long long div; /* print(@x, top, div): values divided by @div; 0 or 1 for none */
	const struct lang_print_env *env;
};

/*
 * Print one map the way bpftrace 0.17 prints maps at exit and for print(@x):
 *   @x: 3                        (no key)
 *   @x[cat]: 31                  (strings unquoted)
 *   @x[1, abc]: 2
 *   @h[k]:                       ("@h[k]: " then the buckets, then a blank line)
 *   [4, 8)                 3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 *   @s[k]: count 2, average 5, total 10
 * Order, smallest first: integer values (scalar, count, sum, min, max) by value, avg and
 * stats by average, hist/lhist by their total count, other values by key; ties by key.
 * Keys compare field by field: integers as unsigned numbers of their size (so -1 comes
 * after 5, as in bpftrace), strings bytewise. Buckets from the first to the last non-empty
 * one; the bar is 52 '@' for the largest count, floor(52 * count / largest) for the rest.
 * Blank lines as bpftrace: none after scalar/count/sum/min/max maps, one after avg and
 * stats maps, one after each histogram; a map with nothing to print is one empty line
 * (plus the avg/stats one). Only min/max entries that never saw a value (seen == 0) are
 * skipped. A map without key prints its first entry only. @o->top keeps the last (largest)
 * top entries, @o->div divides scalar/count/sum/avg/min/max values (C division, after
 * sorting); bpftrace ignores both for stats and div for histograms, and so does this.
 * The caller prints what precedes the maps at exit (bpftrace: two newlines).
 * In @o->json mode one line per map, nothing for an empty map:
 *   {"type": "map", "data": {"@x": {"k": 3, "1,abc": 2}}}     ("@x": 3 without key)
 *   {"type": "stats", "data": {"@a": 5}}                     (avg)
 *   {"type": "stats", "data": {"@s": {"k": {"count": 2, "average": 5, "total": 10}}}}
 *   {"type": "hist", "data": {"@h": [{"max": -1, "count": 1}, {"min": 4, "max": 7,
 *    "count": 3}, {"min": 100, "count": 2}]}}                ({"k": [...]} with keys)
 * Multiple keys are joined with "," in JSON. @e may be reordered; the caller sorts
 * nothing. Returns 0, -EINVAL for a bad map description, -ENOMEM, or -EIO on an output
 * error.
 */
int lang_print_map(FILE *f, const struct lang_mapinfo *m, struct lang_entry *e, size_t n,
		   const struct lang_print_opts *o);

/*
 * Check a printf()-style format against its arguments' types (before any BPF exists):
 * bpftrace's conversions %d %i %u %x %X %o %c %s %p, length modifiers hh h l ll j z t on
 * the integer ones (%ld %llu %lx %hd %hhx ...), %r %rx %rh (buffer), flags "-+ #0", width
 * and precision up to 65535 (not '*'), "%%". Integer conversions take integers, %s strings
 * and the symbolic types (stacks, ksym, usym, probe, username, strftime), %r buffers.
 * A '%' that starts no conversion ("100%", "%f") is printed as it stands, as bpftrace does.
 * Returns 0, or -EINVAL with @err saying what is wrong ("printf: %s needs a string
 * argument, argument 2 is an integer", "printf: 3 conversions but 2 arguments"; arguments
 * are counted from 1 after the format) and *@bad_arg the 0-based argument concerned (-1 if
 * the format itself is wrong or arguments are missing). @err and @bad_arg may be NULL.
 */
int lang_format_check(const char *fmt, const struct lang_field *args, size_t nargs, char *err,
		      size_t errlen, int *bad_arg);

/*
 * Format @fmt with the values in @data (each argument at args[i].off) the way bpftrace's
 * printf does, into @f: integers are 64-bit and meet C's conversions, so "%d" and "%x"
 * see the low 32 bits ("%x" of -1 is ffffffff), "%hhd" 8 and "%ld" all 64; strings stop at
 * their NUL or their size; "%c" of 0 writes nothing. In JSON mode the caller wraps the
 * text; see lang_print_json_str. Returns 0, or -EINVAL if an argument is missing or of the
 * wrong type (output stops there: call lang_format_check first). @pid is the process the
 * record came from (for usym/ustack). @o may be NULL.
 */
int lang_format(FILE *f, const char *fmt, const struct lang_field *args, size_t nargs,
		const void *data, int pid, const struct lang_print_opts *o);

/* Format into a malloc'ed string (NULL with errno ENOMEM or EINVAL). */
char *lang_format_str(const char *fmt, const struct lang_field *args, size_t nargs,
		      const void *data, int pid, const struct lang_print_opts *o);

/*
 * Print the value at @data + @fl->off as print(expr) does in bpftrace (an integer, a
 * string, a tuple "(1, abc, (2, x))", a stack, a buffer as "a\x01b"), then a newline.
 * JSON: {"type": "value", "data": ...} with tuples as [1,"abc"]. Returns 0 or -errno.
 */
int lang_print_value(FILE *f, const struct lang_field *fl, const void *data, int pid,
		     const struct lang_print_opts *o);

/*
 * @s as a JSON string into @f: quotes, \" \\ \n \r \t and \u00XX for other control
 * characters, as bpftrace writes them; valid UTF-8 as it is, other bytes as U+FFFD (where
 * bpftrace 0.17 writes an invalid "\uffffffc3"). NULL is written as "".
 */
void lang_print_json_str(FILE *f, const char *s);

#endif
