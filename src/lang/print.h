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
	LV_INT,	     /* signed integer of size 1, 2, 4 or 8 */
	LV_UINT,     /* unsigned integer of size 1, 2, 4 or 8 */
	LV_STR,	     /* char[size], NUL-terminated within size unless it fills it */
	LV_BUF,	     /* bytes of buf(): u32 length then the data; size is the whole field */
	LV_KSTACK,   /* kernel stack, 8-byte slots: u64 count then up to (size/8 - 1) ips */
	LV_USTACK,   /* user stack, same layout, followed by nothing: pid comes from @pid_off */
	LV_KSYM,     /* u64 kernel address: printed as its symbol (ksym()) */
	LV_USYM,     /* u64 user address: printed as its symbol in the traced process (usym()) */
	LV_PROBE,    /* u64 index into the program's probe names (the `probe` builtin) */
	LV_USERNAME, /* u64 uid printed as a user name (username builtin) */
	LV_TUPLE,    /* a tuple: see lang_field.sub */
	LV_TIMESTAMP,/* u64 ns: strftime()'s value */
	LV_NONE,     /* nothing to print (void) */
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
	LA_AVG,	   /* { s64 sum; u64 count; } printed as the integer sum / count */
	LA_MIN,	   /* { s64 value; u64 seen; } seen == 0: no value yet */
	LA_MAX,	   /* { s64 value; u64 seen; } */
	LA_STATS,  /* { s64 sum; u64 count; } printed as "count N, average A, total T" */
	LA_HIST,   /* u64 slots[LANG_HIST_SLOTS], see below */
	LA_LHIST,  /* u64 slots[lang_lhist_slots(min, max, step)], see below */
};

/*
 * hist() slots: 0 counts negative values "(..., 0)", 1 the value 0 "[0]", 2 the value 1
 * "[1]", and slot k >= 3 the values [2^(k-2), 2^(k-1)), up to [2^63, ...).
 */
#define LANG_HIST_SLOTS 66
/* The slot of @v in a hist(); the BPF side computes the same. */
unsigned lang_hist_slot(int64_t v);

/*
 * lhist(min, max, step) slots: 0 counts values below min "(..., min)", slot i (1..n) the
 * values [min + (i-1)*step, min + i*step), slot n+1 values >= max "[max, ...)", where
 * n = (max - min) / step rounded up.
 */
unsigned lang_lhist_slots(int64_t min, int64_t max, int64_t step);

struct lang_mapinfo {
	const char *name; /* as written: "@x", or "@" for the anonymous map */
	struct lang_layout key;
	enum lang_agg agg;
	struct lang_field val;		/* LA_SCALAR: its type; LA_SUM/MIN/MAX: LV_INT/LV_UINT */
	int64_t lmin, lmax, lstep;	/* LA_LHIST */
};

/* One key and its merged value. */
struct lang_entry {
	const void *key;
	const void *val;
};

/*
 * What the printer cannot know by itself: symbols, probe names, user names. The runtime
 * fills these; any may be NULL (the raw number is printed then).
 */
struct lang_print_env {
	void *ctx;
	/* Write the text of a LV_KSTACK/LV_USTACK/LV_KSYM/LV_USYM/LV_PROBE/LV_USERNAME/
	 * LV_TIMESTAMP value (@data points at the field) into @f, as bpftrace shows it:
	 * a stack is "\n" then each frame "        sym+off\n" (so a map key reads
	 * "@[\n        f+1\n        g+2\n]: 3"). @pid is the process the value came from when
	 * known (for user symbols), else 0. */
	void (*special)(void *ctx, FILE *f, const struct lang_field *fl, const void *data, int pid,
			bool json);
};

struct lang_print_opts {
	bool json;	/* bpftrace's -f json lines instead of text */
	long long top;	/* print(@x, top): only the @top largest entries; 0 for all */
	long long div;	/* print(@x, top, div): values divided by @div; 0 or 1 for none */
	const struct lang_print_env *env;
};

/*
 * Print one map the way bpftrace prints maps at exit and for print(@x):
 *   @x: 3                        (no key)
 *   @x[cat]: 31                  (sorted by value, smallest first; strings unquoted)
 *   @x[1, abc]: 2
 *   @h:                          (hist/lhist: a blank line follows each histogram)
 *   [4, 8)                 3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 *   @s[k]: count 2, average 5, total 10
 * followed by one empty line after the map. Entries whose aggregation never saw a value are
 * skipped as bpftrace does. In @o->json mode one line per map:
 * {"type": "map", "data": {"@x": {"k": 3}}} (or "hist"/"stats", bpftrace's shapes). The
 * caller sorts nothing; @e may be reordered. Returns 0, or -errno on an output error.
 */
int lang_print_map(FILE *f, const struct lang_mapinfo *m, struct lang_entry *e, size_t n,
		   const struct lang_print_opts *o);

/*
 * Check a printf()-style format against its arguments' types (before any BPF exists):
 * bpftrace's conversions %d %i %u %x %X %o %c %s %p %ld %lu %lld %llu %lx %llx %hd %hhx ...
 * %r (buffer) %rx, flags "-+ #0", width and precision (not '*'), "%%". Returns 0, or
 * -EINVAL with @err saying what is wrong ("printf: %s needs a string argument, argument 2
 * is an integer", "printf: 3 conversions but 2 arguments") and *@bad_arg the 0-based
 * argument concerned (-1 if the format itself is wrong).
 */
int lang_format_check(const char *fmt, const struct lang_field *args, size_t nargs, char *err,
		      size_t errlen, int *bad_arg);

/*
 * Format @fmt with the values in @data (each argument at args[i].off) the way bpftrace's
 * printf does, into @f. In JSON mode the caller wraps the text; see lang_print_json_str.
 * Returns 0 or -errno. @pid is the process the record came from (for usym/ustack).
 */
int lang_format(FILE *f, const char *fmt, const struct lang_field *args, size_t nargs,
		const void *data, int pid, const struct lang_print_opts *o);

/* Format into a malloc'ed string (NULL on ENOMEM). */
char *lang_format_str(const char *fmt, const struct lang_field *args, size_t nargs,
		      const void *data, int pid, const struct lang_print_opts *o);

/*
 * Print one non-map value as print(expr) does in bpftrace (an integer, a string, a tuple
 * "(1, abc)", a stack), then a newline. JSON: {"type": "value", "data": ...}.
 */
int lang_print_value(FILE *f, const struct lang_field *fl, const void *data, int pid,
		     const struct lang_print_opts *o);

/* @s as a JSON string (quotes and escapes) into @f. */
void lang_print_json_str(FILE *f, const char *s);

#endif
