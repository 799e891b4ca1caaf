// SPDX-License-Identifier: GPL-2.0-only
/* The one-liner language's output: printf, print() and maps, laid out as bpftrace 0.17 does. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/out.h"
#include "lang/print.h"

#define BAR_WIDTH     52    /* '@'s of the largest bucket */
#define LABEL_WIDTH   16    /* bucket label column, left-aligned */
#define COUNT_WIDTH   8	    /* bucket count column, right-aligned */
#define MAX_DEPTH     16    /* tuples nest at most this deep (a bad layout cannot loop) */
#define MAX_FMT_WIDTH 65535 /* printf width and precision: bigger is a typo, not a need */

/* ---------------------------------------------------------------- values */

/* How a value is being printed: passed down through tuples. */
struct pctx {
	const struct lang_print_opts *o; /* may be NULL */
	int pid;
	unsigned flags; /* LANG_SPECIAL_* */
};

static bool is_int(enum lang_vtype t)
{
	return t == LV_INT || t == LV_UINT;
}

/* Types that print as text through lang_print_env.special (and that %s accepts). */
static bool is_special(enum lang_vtype t)
{
	switch (t) {
	case LV_KSTACK:
	case LV_USTACK:
	case LV_KSYM:
	case LV_USYM:
	case LV_PROBE:
	case LV_USERNAME:
	case LV_TIMESTAMP:
		return true;
	default:
		return false;
	}
}

/* The integer of @size bytes at @p, sign-extended if @sgn. Odd sizes read little-endian. */
static uint64_t load_int(const void *p, uint32_t size, bool sgn)
{
	uint64_t v = 0;

	switch (size) {
	case 1: {
		uint8_t x;

		memcpy(&x, p, 1);
		return sgn ? (uint64_t)(int64_t)(int8_t)x : x;
	}
	case 2: {
		uint16_t x;

		memcpy(&x, p, 2);
		return sgn ? (uint64_t)(int64_t)(int16_t)x : x;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, p, 4);
		return sgn ? (uint64_t)(int64_t)(int32_t)x : x;
	}
	case 8:
		memcpy(&v, p, 8);
		return v;
	}
	if (!size)
		return 0;
	for (uint32_t i = 0; i < size && i < 8; i++)
		v |= (uint64_t)((const uint8_t *)p)[i] << (8 * i);
	if (sgn && size < 8 && (v >> (8 * size - 1)) & 1)
		v |= ~0ULL << (8 * size);
	return v;
}

static uint64_t load_u64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t field_int(const struct lang_field *fl, const uint8_t *base)
{
	return load_int(base + fl->off, fl->size, fl->type == LV_INT);
}

/* A buffer field: u32 length, then the bytes; the length is cut to what the field holds. */
static const uint8_t *buf_bytes(const uint8_t *p, uint32_t size, uint32_t *len)
{
	uint32_t n = 0;

	if (size >= 4) {
		memcpy(&n, p, 4);
		if (n > size - 4)
			n = size - 4;
	}
	*len = n;
	return p + 4;
}

/* buf() as %r (printable ASCII as it is, the rest \xNN), %rx (all \xNN), %rh ("61 62"). */
static void put_buf(FILE *f, const uint8_t *p, uint32_t size, char mode)
{
	uint32_t n;
	const uint8_t *b = buf_bytes(p, size, &n);

	for (uint32_t i = 0; i < n; i++) {
		if (mode == 'h')
			fprintf(f, i ? " %02x" : "%02x", b[i]);
		else if (mode == 'x' || b[i] < 0x20 || b[i] > 0x7e)
			fprintf(f, "\\x%02x", b[i]);
		else
			fputc(b[i], f);
	}
}

/* Without a resolver: frames as raw addresses, in bpftrace's stack layout. */
static void put_raw_stack(FILE *f, const uint8_t *p, uint32_t size, bool key)
{
	uint64_t n = size >= 8 ? load_u64(p) : 0;

	if (n > size / 8 - (size >= 8))
		n = size / 8 - (size >= 8);
	if (!n && key)
		return;
	fputc('\n', f);
	for (uint64_t i = 0; i < n; i++)
		fprintf(f, "%s0x%llx\n", key ? "    " : "        ",
			(unsigned long long)load_u64(p + 8 * (i + 1)));
}

static void put_special(FILE *f, const struct lang_field *fl, const uint8_t *p,
			const struct pctx *pc)
{
	const struct lang_print_env *env = pc->o ? pc->o->env : NULL;

	if (env && env->special) {
		env->special(env->ctx, f, fl, p, pc->pid, pc->flags);
		return;
	}
	if (fl->type == LV_KSTACK || fl->type == LV_USTACK)
		put_raw_stack(f, p, fl->size, pc->flags & LANG_SPECIAL_KEY);
	else
		fprintf(f, "%llu", (unsigned long long)load_int(p, fl->size, false));
}

/* Tuple elements that lie inside the tuple (a bad layout must not read past it). */
static bool sub_fits(const struct lang_field *sub, const struct lang_field *tuple)
{
	return sub->off <= tuple->size && sub->size <= tuple->size - sub->off;
}

/*
 * The text form, as print() and map entries show it; strings escaped with @esc (text
 * output), as they are without (the text that JSON then escapes its own way).
 */
static void put_text(FILE *f, const struct lang_field *fl, const uint8_t *base,
		     const struct pctx *pc, int depth, bool esc)
{
	const uint8_t *p = base + fl->off;

	switch (fl->type) {
	case LV_INT:
		fprintf(f, "%lld", (long long)field_int(fl, base));
		break;
	case LV_UINT:
		fprintf(f, "%llu", (unsigned long long)field_int(fl, base));
		break;
	case LV_STR:
		/* A comm or a path is anyone's: escaped as in every text output (printf is not:
		 * its format is the user's own). */
		if (esc)
			ks_text_escape(f, (const char *)p, strnlen((const char *)p, fl->size));
		else
			fwrite(p, 1, strnlen((const char *)p, fl->size), f);
		break;
	case LV_BUF:
		put_buf(f, p, fl->size, 0);
		break;
	case LV_TUPLE:
		fputc('(', f);
		for (size_t i = 0; fl->sub && i < fl->nsub && depth < MAX_DEPTH; i++) {
			if (i)
				fputs(", ", f);
			if (sub_fits(&fl->sub[i], fl))
				put_text(f, &fl->sub[i], p, pc, depth + 1, esc);
		}
		fputc(')', f);
		break;
	default:
		if (is_special(fl->type))
			put_special(f, fl, p, pc);
		break;
	}
}

/* bpftrace writes \b and \f as \u0008 and \u000c, and DEL as it is; the rest is core's. */
static void json_escape(FILE *f, const char *s, size_t n)
{
	size_t from = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c != '\b' && c != '\f' && c != 0x7f)
			continue;
		ks_json_escape(f, s + from, i - from);
		if (c == 0x7f)
			fputc(c, f);
		else
			fprintf(f, "\\u%04x", c);
		from = i + 1;
	}
	ks_json_escape(f, s + from, n - from);
}

static void json_strn(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	json_escape(f, s, n);
	fputc('"', f);
}

void lang_print_json_str(FILE *f, const char *s)
{
	json_strn(f, s ? s : "", s ? strlen(s) : 0);
}

/* Text gathered in memory, to be escaped, padded or joined. */
struct membuf {
	FILE *f;
	char *s;
	size_t n;
};

static int membuf_open(struct membuf *m)
{
	m->s = NULL;
	m->n = 0;
	m->f = open_memstream(&m->s, &m->n);
	return m->f ? 0 : -ENOMEM;
}

/* Close the stream; the text stays in m->s (NULL if writing it failed). */
static int membuf_close(struct membuf *m)
{
	if (fclose(m->f)) {
		free(m->s);
		m->s = NULL;
		m->n = 0;
		return -ENOMEM;
	}
	return 0;
}

/* @fl's text form as a JSON string. */
static int json_text_of(FILE *f, const struct lang_field *fl, const uint8_t *base,
			const struct pctx *pc, int depth)
{
	struct membuf m;
	int err = membuf_open(&m);

	if (err)
		return err;
	put_text(m.f, fl, base, pc, depth, false);
	err = membuf_close(&m);
	if (!err)
		json_strn(f, m.s, m.n);
	free(m.s);
	return err;
}

/* The JSON form: numbers, strings, tuples as arrays without spaces, bpftrace's shape. */
static int put_json(FILE *f, const struct lang_field *fl, const uint8_t *base,
		    const struct pctx *pc, int depth)
{
	const uint8_t *p = base + fl->off;
	int err = 0;

	switch (fl->type) {
	case LV_INT:
	case LV_UINT:
		put_text(f, fl, base, pc, depth, false);
		return 0;
	case LV_STR:
		json_strn(f, (const char *)p, strnlen((const char *)p, fl->size));
		return 0;
	case LV_TUPLE:
		fputc('[', f);
		for (size_t i = 0; fl->sub && i < fl->nsub && depth < MAX_DEPTH && !err; i++) {
			if (i)
				fputc(',', f);
			if (sub_fits(&fl->sub[i], fl))
				err = put_json(f, &fl->sub[i], p, pc, depth + 1);
			else
				fputs("null", f);
		}
		fputc(']', f);
		return err;
	case LV_BUF:
		return json_text_of(f, fl, base, pc, depth);
	default:
		if (is_special(fl->type))
			return json_text_of(f, fl, base, pc, depth);
		fputs("null", f);
		return 0;
	}
}

int lang_print_value(FILE *f, const struct lang_field *fl, const void *data, int pid,
		     const struct lang_print_opts *o)
{
	bool json = o && o->json;
	struct pctx pc = { .o = o, .pid = pid, .flags = json ? LANG_SPECIAL_JSON : 0 };
	int err = 0;

	if (!f || !fl || !data)
		return -EINVAL;
	if (json) {
		fputs("{\"type\": \"value\", \"data\": ", f);
		err = put_json(f, fl, data, &pc, 0);
		fputs("}\n", f);
	} else {
		put_text(f, fl, data, &pc, 0, true);
		fputc('\n', f);
	}
	if (!err && ferror(f))
		err = -EIO;
	return err;
}

/* ---------------------------------------------------------------- histograms */

unsigned lang_hist_slot(int64_t v)
{
	if (v < 0)
		return 0;
	if (v == 0)
		return 1;
	/* v in [2^b, 2^(b+1)) goes to slot b + 2 */
	return (unsigned)(63 - __builtin_clzll((uint64_t)v)) + 2;
}

unsigned lang_lhist_slots(int64_t min, int64_t max, int64_t step)
{
	uint64_t span, n;

	if (step <= 0 || max <= min)
		return 0;
	span = (uint64_t)max - (uint64_t)min;
	n = span / (uint64_t)step + (span % (uint64_t)step != 0);
	if (n > UINT_MAX - 2)
		return 0;
	return (unsigned)n + 2;
}

/* A bucket bound as bpftrace writes it: multiples of 1024 with K M G T P E. */
static const char *num_label(char *buf, size_t size, bool neg, uint64_t mag)
{
	static const char sfx[] = "KMGTPE";
	unsigned k = 0;

	while (mag && !(mag % 1024) && k < sizeof(sfx) - 1) {
		mag /= 1024;
		k++;
	}
	snprintf(buf, size, "%s%llu%.*s", neg ? "-" : "", (unsigned long long)mag, k ? 1 : 0,
		 k ? &sfx[k - 1] : "");
	return buf;
}

static const char *snum_label(char *buf, size_t size, int64_t v)
{
	return num_label(buf, size, v < 0, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

/* One bucket's bounds: @lo .. @hi inclusive, either end may be open. */
struct bucket {
	bool has_lo, has_hi;
	bool lo_neg, hi_neg;
	uint64_t lo, hi; /* magnitudes */
};

static void set_bound(uint64_t *mag, bool *neg, int64_t v)
{
	*neg = v < 0;
	*mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
}

static struct bucket hist_bucket(unsigned i)
{
	struct bucket b = { .has_lo = true, .has_hi = true };

	if (i == 0) {
		b.has_lo = false;
		b.hi_neg = true;
		b.hi = 1;
	} else if (i <= 2) {
		b.lo = b.hi = i - 1;
	} else if (i >= LANG_HIST_SLOTS - 1) {
		b.lo = 1ULL << 63;
		b.has_hi = false;
	} else {
		b.lo = 1ULL << (i - 2);
		b.hi = (1ULL << (i - 1)) - 1;
	}
	return b;
}

/* lhist bucket @i (1..n): [*lo, *hi), the last one cut at max. Unsigned math: no overflow. */
static void lhist_bounds(const struct lang_mapinfo *m, unsigned i, int64_t *lo, int64_t *hi)
{
	uint64_t l = (uint64_t)m->lmin + (uint64_t)(i - 1) * (uint64_t)m->lstep;

	*lo = (int64_t)l;
	*hi = (uint64_t)m->lmax - l <= (uint64_t)m->lstep ? m->lmax
							  : (int64_t)(l + (uint64_t)m->lstep);
}

static struct bucket lhist_bucket(const struct lang_mapinfo *m, unsigned i, unsigned nslots)
{
	struct bucket b = { .has_lo = true, .has_hi = true };
	int64_t lo, hi;

	if (i == 0) {
		/* below min: "max" is min - 1 (min itself at the very bottom of int64) */
		b.has_lo = false;
		set_bound(&b.hi, &b.hi_neg, m->lmin == INT64_MIN ? m->lmin : m->lmin - 1);
	} else if (i == nslots - 1) {
		set_bound(&b.lo, &b.lo_neg, m->lmax);
		b.has_hi = false;
	} else {
		lhist_bounds(m, i, &lo, &hi);
		set_bound(&b.lo, &b.lo_neg, lo);
		set_bound(&b.hi, &b.hi_neg, (int64_t)((uint64_t)hi - 1));
	}
	return b;
}

/* The text label of bucket @i: "(..., 0)", "[0]", "[4K, 8K)", "[100, ...)". */
static void bucket_label(char *buf, size_t size, const struct lang_mapinfo *m, unsigned i,
			 unsigned nslots)
{
	char a[32], b[32];

	if (m->agg == LA_HIST) {
		if (i == 0)
			snprintf(buf, size, "(..., 0)");
		else if (i <= 2)
			snprintf(buf, size, "[%u]", i - 1);
		else if (i >= LANG_HIST_SLOTS - 1)
			snprintf(buf, size, "[%s, ...)",
				 num_label(a, sizeof(a), false, 1ULL << 63));
		else
			snprintf(buf, size, "[%s, %s)",
				 num_label(a, sizeof(a), false, 1ULL << (i - 2)),
				 num_label(b, sizeof(b), false, 1ULL << (i - 1)));
		return;
	}
	if (i == 0) {
		snprintf(buf, size, "(..., %s)", snum_label(a, sizeof(a), m->lmin));
	} else if (i == nslots - 1) {
		snprintf(buf, size, "[%s, ...)", snum_label(a, sizeof(a), m->lmax));
	} else {
		int64_t lo, hi;

		lhist_bounds(m, i, &lo, &hi);
		snprintf(buf, size, "[%s, %s)", snum_label(a, sizeof(a), lo),
			 snum_label(b, sizeof(b), hi));
	}
}

static uint64_t slot_at(const uint8_t *slots, unsigned i)
{
	return load_u64(slots + 8 * (size_t)i);
}

static unsigned hist_nslots(const struct lang_mapinfo *m)
{
	if (m->agg == LA_HIST)
		return LANG_HIST_SLOTS;
	return lang_lhist_slots(m->lmin, m->lmax, m->lstep);
}

/* First and last non-empty slots and the largest count; false if all are empty. */
static bool hist_range(const uint8_t *slots, unsigned n, unsigned *first, unsigned *last,
		       uint64_t *max)
{
	bool any = false;

	*max = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t c = slot_at(slots, i);

		if (!c)
			continue;
		if (!any)
			*first = i;
		*last = i;
		any = true;
		if (c > *max)
			*max = c;
	}
	return any;
}

static void hist_text(FILE *f, const struct lang_mapinfo *m, const uint8_t *slots)
{
	unsigned n = hist_nslots(m), first, last;
	uint64_t max;
	char label[96];

	if (!hist_range(slots, n, &first, &last, &max))
		return;
	for (unsigned i = first; i <= last; i++) {
		uint64_t c = slot_at(slots, i);
		unsigned bar = (unsigned)((unsigned __int128)c * BAR_WIDTH / max);

		bucket_label(label, sizeof(label), m, i, n);
		fprintf(f, "%-*s%*llu |", LABEL_WIDTH, label, COUNT_WIDTH, (unsigned long long)c);
		for (unsigned j = 0; j < BAR_WIDTH; j++)
			fputc(j < bar ? '@' : ' ', f);
		fputs("|\n", f);
	}
}

static void json_bound(FILE *f, const char *name, bool neg, uint64_t mag)
{
	fprintf(f, "\"%s\": %s%llu, ", name, neg ? "-" : "", (unsigned long long)mag);
}

static void hist_json(FILE *f, const struct lang_mapinfo *m, const uint8_t *slots)
{
	unsigned n = hist_nslots(m), first, last;
	uint64_t max;

	fputc('[', f);
	if (hist_range(slots, n, &first, &last, &max)) {
		for (unsigned i = first; i <= last; i++) {
			struct bucket b =
				m->agg == LA_HIST ? hist_bucket(i) : lhist_bucket(m, i, n);

			fputs(i > first ? ", {" : "{", f);
			if (b.has_lo)
				json_bound(f, "min", b.lo_neg, b.lo);
			if (b.has_hi)
				json_bound(f, "max", b.hi_neg, b.hi);
			fprintf(f, "\"count\": %llu}", (unsigned long long)slot_at(slots, i));
		}
	}
	fputc(']', f);
}

/* ---------------------------------------------------------------- maps */

/* One entry with what it sorts and prints by. */
struct item {
	const uint8_t *key, *val;
	uint64_t order; /* sort value, biased so that an unsigned compare orders it */
	int64_t v;	/* the printed number (scalar int, count, sum, avg, min, max) */
	bool sgn;	/* print @v signed */
};

struct sort_ctx {
	const struct lang_mapinfo *m;
	bool by_key;
};

static uint64_t bias(int64_t v, bool sgn)
{
	return sgn ? (uint64_t)v ^ (1ULL << 63) : (uint64_t)v;
}

static bool key_fits(const struct lang_layout *k, const struct lang_field *fl)
{
	return fl->off <= k->size && fl->size <= k->size - fl->off;
}

/* bpftrace's key order: field by field, integers unsigned, strings bytewise. */
static int key_cmp(const struct lang_layout *k, const uint8_t *a, const uint8_t *b)
{
	for (size_t i = 0; i < k->n; i++) {
		const struct lang_field *fl = &k->f[i];
		const uint8_t *pa = a + fl->off, *pb = b + fl->off;
		int c = 0;

		if (!key_fits(k, fl))
			continue;
		if (is_int(fl->type)) {
			uint64_t x = load_int(pa, fl->size, false),
				 y = load_int(pb, fl->size, false);

			c = x < y ? -1 : x > y;
		} else if (fl->type == LV_STR) {
			size_t la = strnlen((const char *)pa, fl->size);
			size_t lb = strnlen((const char *)pb, fl->size);

			c = memcmp(pa, pb, la < lb ? la : lb);
			if (!c)
				c = la < lb ? -1 : la > lb;
		} else {
			c = memcmp(pa, pb, fl->size);
		}
		if (c)
			return c;
	}
	return 0;
}

static int item_cmp(const void *x, const void *y, void *arg)
{
	const struct item *a = x, *b = y;
	const struct sort_ctx *sc = arg;

	if (!sc->by_key && a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return key_cmp(&sc->m->key, a->key, b->key);
}

static int64_t average(const uint8_t *val)
{
	int64_t sum = (int64_t)load_u64(val);
	uint64_t count = load_u64(val + 8);

	return count && count <= INT64_MAX ? sum / (int64_t)count : 0;
}

/* Fill @it for entry @e; false if bpftrace would not print it. */
static bool item_make(const struct lang_mapinfo *m, const struct lang_entry *e, struct item *it)
{
	bool vsgn = m->val.type != LV_UINT;

	it->key = e->key;
	it->val = e->val;
	it->sgn = true;
	it->v = 0;
	switch (m->agg) {
	case LA_SCALAR:
		if (is_int(m->val.type)) {
			it->v = (int64_t)field_int(&m->val, it->val);
			it->sgn = m->val.type == LV_INT;
		}
		break;
	case LA_COUNT:
		it->v = (int64_t)load_u64(it->val);
		it->sgn = false;
		break;
	case LA_SUM:
		it->v = (int64_t)load_u64(it->val);
		it->sgn = vsgn;
		break;
	case LA_AVG:
	case LA_STATS:
		it->v = average(it->val);
		break;
	case LA_MIN:
	case LA_MAX:
		if (!load_u64(it->val + 8))
			return false;
		it->v = (int64_t)load_u64(it->val);
		it->sgn = vsgn;
		break;
	case LA_HIST:
	case LA_LHIST: {
		unsigned n = hist_nslots(m);
		uint64_t total = 0;

		for (unsigned i = 0; i < n; i++) {
			uint64_t c = slot_at(it->val, i);

			total = total + c < total ? UINT64_MAX : total + c;
		}
		it->v = (int64_t)total;
		it->sgn = false;
		break;
	}
	}
	it->order = bias(it->v, it->sgn);
	return true;
}

/* The number printed for @it: divided by print()'s div, except stats and histograms. */
static void put_number(FILE *f, const struct item *it, long long div)
{
	if (div > 1) {
		if (it->sgn)
			fprintf(f, "%lld", (long long)(it->v / div));
		else
			fprintf(f, "%llu", (unsigned long long)((uint64_t)it->v / (uint64_t)div));
	} else {
		fprintf(f, it->sgn ? "%lld" : "%llu", (long long)it->v);
	}
}

static void put_stats(FILE *f, const struct item *it, bool json)
{
	unsigned long long count = load_u64(it->val + 8);
	long long total = (long long)load_u64(it->val);

	if (json)
		fprintf(f, "{\"count\": %llu, \"average\": %lld, \"total\": %lld}", count,
			(long long)it->v, total);
	else
		fprintf(f, "count %llu, average %lld, total %lld", count, (long long)it->v, total);
}

/* A map's key as text: escaped for text output (@esc), raw for JSON to escape. */
static void put_key_text(FILE *f, const struct lang_mapinfo *m, const uint8_t *key,
			 const struct pctx *pc, const char *sep, bool esc)
{
	for (size_t i = 0; i < m->key.n; i++) {
		if (i)
			fputs(sep, f);
		if (key_fits(&m->key, &m->key.f[i]))
			put_text(f, &m->key.f[i], key, pc, 0, esc);
	}
}

static void entry_text(FILE *f, const struct lang_mapinfo *m, const struct item *it,
		       const struct pctx *pc)
{
	struct pctx kc = *pc;

	kc.flags |= LANG_SPECIAL_KEY;
	fputs(m->name, f);
	if (m->key.n) {
		fputc('[', f);
		put_key_text(f, m, it->key, &kc, ", ", true);
		fputc(']', f);
	}
	fputs(": ", f);
	switch (m->agg) {
	case LA_HIST:
	case LA_LHIST:
		/* "@h: ", the buckets, and the line below ends the blank line after them */
		fputc('\n', f);
		hist_text(f, m, it->val);
		break;
	case LA_STATS:
		put_stats(f, it, false);
		break;
	case LA_SCALAR:
		if (!is_int(m->val.type)) {
			put_text(f, &m->val, it->val, pc, 0, true);
			break;
		}
		/* fall through */
	default:
		put_number(f, it, pc->o ? pc->o->div : 0);
		break;
	}
	fputc('\n', f);
}

static int entry_json_value(FILE *f, const struct lang_mapinfo *m, const struct item *it,
			    const struct pctx *pc)
{
	switch (m->agg) {
	case LA_HIST:
	case LA_LHIST:
		hist_json(f, m, it->val);
		return 0;
	case LA_STATS:
		put_stats(f, it, true);
		return 0;
	case LA_SCALAR:
		if (!is_int(m->val.type))
			return put_json(f, &m->val, it->val, pc, 0);
		/* fall through */
	default:
		put_number(f, it, pc->o ? pc->o->div : 0);
		return 0;
	}
}

static int entry_json_key(FILE *f, const struct lang_mapinfo *m, const struct item *it,
			  const struct pctx *pc)
{
	struct pctx kc = *pc;
	struct membuf mb;
	int err;

	kc.flags |= LANG_SPECIAL_KEY;
	err = membuf_open(&mb);
	if (err)
		return err;
	put_key_text(mb.f, m, it->key, &kc, ",", false);
	err = membuf_close(&mb);
	if (!err) {
		json_strn(f, mb.s, mb.n);
		fputs(": ", f);
	}
	free(mb.s);
	return err;
}

static int map_json(FILE *f, const struct lang_mapinfo *m, const struct item *it, size_t n,
		    const struct pctx *pc)
{
	const char *type = "map";
	int err = 0;

	if (!n)
		return 0;
	if (m->agg == LA_HIST || m->agg == LA_LHIST)
		type = "hist";
	else if (m->agg == LA_STATS || m->agg == LA_AVG)
		type = "stats";
	fprintf(f, "{\"type\": \"%s\", \"data\": {", type);
	lang_print_json_str(f, m->name);
	fputs(": ", f);
	if (!m->key.n) {
		err = entry_json_value(f, m, &it[0], pc);
	} else {
		fputc('{', f);
		for (size_t i = 0; i < n && !err; i++) {
			if (i)
				fputs(", ", f);
			err = entry_json_key(f, m, &it[i], pc);
			if (!err)
				err = entry_json_value(f, m, &it[i], pc);
		}
		fputc('}', f);
	}
	fputs("}}\n", f);
	return err;
}

static bool map_valid(const struct lang_mapinfo *m, const struct lang_entry *e, size_t n)
{
	if (!m || !m->name || (n && !e) || (m->key.n && !m->key.f))
		return false;
	if ((m->agg == LA_HIST || m->agg == LA_LHIST) && !hist_nslots(m))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!e[i].val || (m->key.n && !e[i].key))
			return false;
	return (unsigned)m->agg <= LA_LHIST;
}

int lang_print_map(FILE *f, const struct lang_mapinfo *m, struct lang_entry *e, size_t n,
		   const struct lang_print_opts *o)
{
	bool json = o && o->json;
	struct pctx pc = { .o = o, .flags = json ? LANG_SPECIAL_JSON : 0 };
	struct sort_ctx sc = { .m = m };
	struct item *it = NULL;
	size_t k = 0, from = 0;
	int err = 0;

	if (!f || !map_valid(m, e, n))
		return -EINVAL;
	if (!m->key.n && n > 1)
		n = 1; /* one value without a key */
	if (n) {
		it = calloc(n, sizeof(*it));
		if (!it)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (item_make(m, &e[i], &it[k]))
			k++;
	sc.by_key = m->agg == LA_SCALAR && !is_int(m->val.type);
	if (k > 1)
		qsort_r(it, k, sizeof(*it), item_cmp, &sc);
	/* print(@x, top) keeps the largest entries; bpftrace ignores top for stats */
	if (o && o->top > 0 && (unsigned long long)o->top < k && m->agg != LA_STATS)
		from = k - (size_t)o->top;
	if (json) {
		err = map_json(f, m, it + from, k - from, &pc);
	} else {
		for (size_t i = from; i < k; i++)
			entry_text(f, m, &it[i], &pc);
		if (from == k)
			fputc('\n', f);
		if (m->agg == LA_AVG || m->agg == LA_STATS)
			fputc('\n', f);
	}
	free(it);
	if (!err && ferror(f))
		err = -EIO;
	return err;
}

/* ---------------------------------------------------------------- printf */

enum {
	FL_MINUS = 1,
	FL_PLUS = 2,
	FL_SPACE = 4,
	FL_HASH = 8,
	FL_ZERO = 16,
};

/* One conversion of a format, as parsed. */
struct conv {
	const char *at; /* its '%' */
	size_t len;	/* its length as written */
	unsigned flags;
	int width, prec; /* -1: none */
	int bits;     /* integer size it converts to: 8 (hh), 16 (h), 32 (none), 64 (l ll j z t) */
	char c;	      /* d i u x X o c s p r */
	char rmode;   /* %r: 0, 'x' or 'h' */
	bool too_big; /* width or precision over MAX_FMT_WIDTH */
};

enum piece {
	P_END,
	P_TEXT, /* literal text */
	P_ODD,	/* a '%' that starts no conversion: printed as it stands */
	P_CONV,
};

/* Digits at *@pp as a width or precision; sets @big past MAX_FMT_WIDTH. */
static int parse_num(const char **pp, bool *big)
{
	long v = 0;

	while (**pp >= '0' && **pp <= '9') {
		v = v * 10 + (**pp - '0');
		if (v > MAX_FMT_WIDTH) {
			*big = true;
			v = MAX_FMT_WIDTH;
		}
		(*pp)++;
	}
	return (int)v;
}

/* Parse the conversion after the '%' at @pct; false if there is none. */
static bool conv_parse(const char *pct, struct conv *c)
{
	const char *p = pct + 1;
	const char *flagc = "-+ #0";
	bool lenmod = false;

	memset(c, 0, sizeof(*c));
	c->at = pct;
	c->width = c->prec = -1;
	c->bits = 32;
	for (const char *q; *p && (q = strchr(flagc, *p)); p++)
		c->flags |= 1u << (q - flagc);
	if (*p >= '1' && *p <= '9')
		c->width = parse_num(&p, &c->too_big);
	if (*p == '.') {
		p++;
		c->prec = parse_num(&p, &c->too_big);
	}
	if (p[0] == 'h' && p[1] == 'h') {
		c->bits = 8;
		p += 2;
		lenmod = true;
	} else if (p[0] == 'l' && p[1] == 'l') {
		c->bits = 64;
		p += 2;
		lenmod = true;
	} else if (*p == 'h') {
		c->bits = 16;
		p++;
		lenmod = true;
	} else if (*p && strchr("ljzt", *p)) {
		c->bits = 64;
		p++;
		lenmod = true;
	}
	if (!*p || !strchr("diuxXocspr", *p))
		return false;
	c->c = *p++;
	if (lenmod && strchr("csr", c->c))
		return false; /* %ls %hhc ...: not bpftrace's */
	if (c->c == 'r' && (*p == 'x' || *p == 'h'))
		c->rmode = *p++;
	c->len = (size_t)(p - pct);
	return true;
}

/* The next piece of the format at *@pp: text (@text, @n), an odd '%', or a conversion. */
static enum piece fmt_next(const char **pp, const char **text, size_t *n, struct conv *c)
{
	const char *p = *pp;

	if (!*p)
		return P_END;
	if (*p != '%') {
		const char *e = strchr(p, '%');

		*text = p;
		*n = e ? (size_t)(e - p) : strlen(p);
		*pp = p + *n;
		return P_TEXT;
	}
	if (p[1] == '%') {
		*text = p + 1;
		*n = 1;
		*pp = p + 2;
		return P_TEXT;
	}
	if (conv_parse(p, c)) {
		*pp = p + c->len;
		return P_CONV;
	}
	*text = p;
	*n = 1;
	*pp = p + 1;
	return P_ODD;
}

static const char *vtype_name(enum lang_vtype t)
{
	switch (t) {
	case LV_INT:
	case LV_UINT:
		return "an integer";
	case LV_STR:
		return "a string";
	case LV_BUF:
		return "a buffer";
	case LV_KSTACK:
		return "a kernel stack";
	case LV_USTACK:
		return "a user stack";
	case LV_KSYM:
		return "a kernel symbol";
	case LV_USYM:
		return "a user symbol";
	case LV_PROBE:
		return "a probe name";
	case LV_USERNAME:
		return "a user name";
	case LV_TUPLE:
		return "a tuple";
	case LV_TIMESTAMP:
		return "a timestamp";
	default:
		return "void (no value)";
	}
}

/* What conversion @c needs, or NULL if @t is fine for it. */
static const char *conv_mismatch(const struct conv *c, enum lang_vtype t)
{
	switch (c->c) {
	case 's':
		return t == LV_STR || is_special(t) ? NULL : "a string";
	case 'r':
		return t == LV_BUF ? NULL : "a buffer (buf())";
	default:
		return is_int(t) ? NULL : "an integer";
	}
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* How a '%' that starts no conversion reads, for a hint: "%f", "%ls", "%*d". */
static int odd_len(const char *pct)
{
	int n = 1;

	while (pct[n] && n < 8 && strchr("-+ #0123456789.*hljztqL", pct[n]))
		n++;
	return pct[n] && pct[n] != '\n' ? n + 1 : n;
}

int lang_format_check(const char *fmt, const struct lang_field *args, size_t nargs, char *err,
		      size_t errlen, int *bad_arg)
{
	const char *p = fmt, *text, *odd = NULL;
	struct conv c;
	size_t nconv = 0, n;
	enum piece k;
	int dummy;

	if (!bad_arg)
		bad_arg = &dummy;
	*bad_arg = -1;
	if (!fmt || (nargs && !args)) {
		set_err(err, errlen, "printf: no format");
		return -EINVAL;
	}
	while ((k = fmt_next(&p, &text, &n, &c)) != P_END) {
		if (k == P_ODD && !odd)
			odd = text;
		if (k != P_CONV)
			continue;
		if (c.too_big) {
			set_err(err, errlen,
				"printf: width or precision of %.*s is too large (at most %d)",
				(int)c.len, c.at, MAX_FMT_WIDTH);
			return -EINVAL;
		}
		nconv++;
	}
	if (nconv != nargs) {
		char hint[64] = "";

		if (odd)
			snprintf(hint, sizeof(hint), " (%.*s is not a conversion printf knows)",
				 odd_len(odd), odd);
		set_err(err, errlen, "printf: %zu conversion%s but %zu argument%s%s", nconv,
			nconv == 1 ? "" : "s", nargs, nargs == 1 ? "" : "s", hint);
		*bad_arg = nconv < nargs ? (int)nconv : -1;
		return -EINVAL;
	}
	p = fmt;
	nconv = 0;
	while ((k = fmt_next(&p, &text, &n, &c)) != P_END) {
		const char *need;

		if (k != P_CONV)
			continue;
		need = conv_mismatch(&c, args[nconv].type);
		if (need) {
			set_err(err, errlen, "printf: %.*s needs %s argument, argument %zu is %s",
				(int)c.len, c.at, need, nconv + 1, vtype_name(args[nconv].type));
			*bad_arg = (int)nconv;
			return -EINVAL;
		}
		nconv++;
	}
	return 0;
}

/* The conversion's flags, width and precision as a printf spec, then @tail ("ll" "d"). */
static void spec_build(char *spec, size_t size, const struct conv *c, const char *tail)
{
	static const char flagc[] = "-+ #0";
	size_t o = 0;

	spec[o++] = '%';
	for (int i = 0; i < 5; i++)
		if (c->flags & (1u << i))
			spec[o++] = flagc[i];
	if (c->width >= 0)
		o += (size_t)snprintf(spec + o, size - o, "%d", c->width);
	if (c->prec >= 0)
		o += (size_t)snprintf(spec + o, size - o, ".%d", c->prec);
	snprintf(spec + o, size - o, "%s", tail);
}

static void put_spaces(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

/* %s semantics on @n bytes: precision cuts, width pads with spaces. */
static void put_padded(FILE *f, const char *s, size_t n, const struct conv *c)
{
	size_t pad;

	if (c->prec >= 0 && (size_t)c->prec < n)
		n = (size_t)c->prec;
	pad = c->width > 0 && (size_t)c->width > n ? (size_t)c->width - n : 0;
	if (!(c->flags & FL_MINUS))
		put_spaces(f, pad);
	fwrite(s, 1, n, f);
	if (c->flags & FL_MINUS)
		put_spaces(f, pad);
}

/* An integer through C's conversion: bpftrace hands printf 64-bit values. */
static void put_int_conv(FILE *f, const struct conv *c, uint64_t v)
{
	char spec[48], tail[4] = "ll";

	switch (c->c) {
	case 'd':
	case 'i': {
		long long x = c->bits == 8    ? (signed char)v
			      : c->bits == 16 ? (short)v
			      : c->bits == 32 ? (int)v
					      : (long long)v;

		spec_build(spec, sizeof(spec), c, "lld");
		fprintf(f, spec, x);
		return;
	}
	case 'c':
		if (!(unsigned char)v) {
			/* bpftrace's text ends at the NUL: only right-alignment's spaces show */
			if (!(c->flags & FL_MINUS) && c->width > 1)
				put_spaces(f, (size_t)c->width - 1);
			return;
		}
		spec_build(spec, sizeof(spec), c, "c");
		fprintf(f, spec, (int)(unsigned char)v);
		return;
	case 'p':
		spec_build(spec, sizeof(spec), c, "p");
		fprintf(f, spec, (void *)(uintptr_t)v);
		return;
	default: {
		unsigned long long x = c->bits == 8    ? (unsigned char)v
				       : c->bits == 16 ? (unsigned short)v
				       : c->bits == 32 ? (unsigned int)v
						       : v;

		tail[2] = c->c;
		tail[3] = '\0';
		spec_build(spec, sizeof(spec), c, tail);
		fprintf(f, spec, x);
		return;
	}
	}
}

/* A %s of a symbolic value or a %r: the text first, then %s's padding. */
static int put_text_conv(FILE *f, const struct conv *c, const struct lang_field *fl,
			 const uint8_t *data, const struct pctx *pc)
{
	struct membuf m;
	int err;

	if (c->width < 0 && c->prec < 0) {
		if (c->c == 'r')
			put_buf(f, data + fl->off, fl->size, c->rmode);
		else
			put_special(f, fl, data + fl->off, pc);
		return 0;
	}
	err = membuf_open(&m);
	if (err)
		return err;
	if (c->c == 'r')
		put_buf(m.f, data + fl->off, fl->size, c->rmode);
	else
		put_special(m.f, fl, data + fl->off, pc);
	err = membuf_close(&m);
	if (!err)
		put_padded(f, m.s, m.n, c);
	free(m.s);
	return err;
}

int lang_format(FILE *f, const char *fmt, const struct lang_field *args, size_t nargs,
		const void *data, int pid, const struct lang_print_opts *o)
{
	struct pctx pc = { .o = o, .pid = pid, .flags = o && o->json ? LANG_SPECIAL_JSON : 0 };
	const char *p = fmt, *text;
	size_t i = 0, n;
	struct conv c;
	enum piece k;
	int err = 0;

	if (!f || !fmt || (nargs && (!args || !data)))
		return -EINVAL;
	while (!err && (k = fmt_next(&p, &text, &n, &c)) != P_END) {
		const struct lang_field *fl;

		if (k != P_CONV) {
			fwrite(text, 1, n, f);
			continue;
		}
		if (i >= nargs || conv_mismatch(&c, args[i].type) || c.too_big) {
			err = -EINVAL;
			break;
		}
		fl = &args[i++];
		if (c.c == 's' && fl->type == LV_STR) {
			const char *s = (const char *)data + fl->off;

			put_padded(f, s, strnlen(s, fl->size), &c);
		} else if (c.c == 's' || c.c == 'r') {
			err = put_text_conv(f, &c, fl, data, &pc);
		} else {
			put_int_conv(f, &c, field_int(fl, data));
		}
	}
	if (!err && ferror(f))
		err = -EIO;
	return err;
}

char *lang_format_str(const char *fmt, const struct lang_field *args, size_t nargs,
		      const void *data, int pid, const struct lang_print_opts *o)
{
	struct membuf m;
	int err = membuf_open(&m);

	if (err) {
		errno = -err;
		return NULL;
	}
	err = lang_format(m.f, fmt, args, nargs, data, pid, o);
	if (membuf_close(&m) && !err)
		err = -ENOMEM;
	if (err) {
		free(m.s);
		errno = err == -EIO ? ENOMEM : -err;
		return NULL;
	}
	return m.s;
}
