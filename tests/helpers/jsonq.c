// SPDX-License-Identifier: GPL-2.0-only
/* jsonq: a strict NDJSON validator and filter, so shell tests can assert on JSON without jq. */
/*
 * usage: jsonq [--check] [-w EXPR]... [-c] [-g PATH]... < input
 *
 * Every input line must be one complete JSON value (RFC 8259, UTF-8, no duplicate keys in
 * an object, no lone surrogates); the first bad line is reported as "jsonq: line N: ..."
 * and the exit status is 1 (0 when all lines parse, 2 for a usage error).
 *
 *   --check      only validate (nothing is printed)
 *   -w EXPR      keep lines where EXPR holds; repeatable (all must hold):
 *                  PATH=VALUE  PATH!=VALUE  PATH<N  PATH<=N  PATH>N  PATH>=N  PATH~SUBSTRING
 *                  PATH (exists)  !PATH (does not exist)
 *                The type of the value in the line decides: a string equals VALUE as
 *                written (or VALUE as a "quoted" JSON string); a number equals a numeric
 *                VALUE (compared exactly, 1.50 = 15e-1); true/false/null, arrays and
 *                objects equal VALUE parsed as JSON (objects in any member order).
 *   -c           print the number of kept lines
 *   -g PATH      print PATH of each kept line (strings raw, other values as compact JSON);
 *                several -g print tab-separated fields; a missing PATH prints nothing;
 *                PATH.* (alone) prints every member value or element, one per line
 *   (neither -c nor -g: print the kept lines as they are)
 *
 * PATH is KEY, KEY.SUB, ARRAY.INDEX ..., and PATH# is the length of an array, the number
 * of members of an object, or the byte length of a string.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 256

enum jtype { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	const char *raw; /* the value's text in the input (numbers, and for errors) */
	size_t rawlen;
	char *str; /* J_STR: decoded bytes, NUL-terminated (may contain NULs) */
	size_t len;
	struct jval *kids; /* J_ARR elements, J_OBJ member values */
	char **keys;	   /* J_OBJ member names, decoded */
	size_t *keylens;
	size_t n;
};

struct jparser {
	const char *s, *end, *p;
	char *err;
	size_t errlen;
	int depth;
};

static bool jfail(struct jparser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool jfail(struct jparser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->err && ps->err[0])
		return false; /* keep the first (innermost) reason */
	if (!ps->err)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < ps->errlen)
		snprintf(ps->err + n, ps->errlen - n, " at column %zu",
			 (size_t)(ps->p - ps->s) + 1);
	return false;
}

static void jval_clear(struct jval *v)
{
	if (!v)
		return;
	free(v->str);
	for (size_t i = 0; i < v->n; i++) {
		jval_clear(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->keylens);
	memset(v, 0, sizeof(*v));
}

void json_free(struct jval *v)
{
	jval_clear(v);
	free(v);
}

static void skip_ws(struct jparser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* Growable byte buffer for decoded strings. */
struct buf {
	char *b;
	size_t n, cap;
};

static bool buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		char *nb;

		while (b->n + n + 1 > cap)
			cap *= 2;
		nb = realloc(b->b, cap);
		if (!nb)
			return false;
		b->b = nb;
		b->cap = cap;
	}
	memcpy(b->b + b->n, data, n);
	b->n += n;
	b->b[b->n] = '\0';
	return true;
}

static size_t utf8_encode(unsigned int cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Length of the well-formed UTF-8 sequence at @s (Unicode table 3-7: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0.
 */
size_t json_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c == 0xe0)
		n = 3, lo = 0xa0;
	else if (c == 0xed)
		n = 3, hi = 0x9f;
	else if (c >= 0xe1 && c <= 0xef)
		n = 3;
	else if (c == 0xf0)
		n = 4, lo = 0x90;
	else if (c == 0xf4)
		n = 4, hi = 0x8f;
	else if (c >= 0xf1 && c <= 0xf3)
		n = 4;
	else
		return 0;
	if (avail < n)
		return 0;
	/* Only the second byte has a narrowed range. */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static int hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Parse a string at ps->p (on the opening quote) into @b. */
static bool parse_string(struct jparser *ps, struct buf *b)
{
	ps->p++;
	for (;;) {
		unsigned char c;

		if (ps->p >= ps->end)
			return jfail(ps, "unterminated string");
		c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			if (!b->b && !buf_add(b, "", 0))
				return jfail(ps, "out of memory");
			return true;
		}
		if (c < 0x20)
			return jfail(ps, "raw control character 0x%02x in string", c);
		if (c == '\\') {
			char out[4], e;
			int cp;

			if (ps->p + 1 >= ps->end)
				return jfail(ps, "unterminated escape");
			e = ps->p[1];
			switch (e) {
			case '"':
			case '\\':
			case '/':
				out[0] = e;
				break;
			case 'b':
				out[0] = '\b';
				break;
			case 'f':
				out[0] = '\f';
				break;
			case 'n':
				out[0] = '\n';
				break;
			case 'r':
				out[0] = '\r';
				break;
			case 't':
				out[0] = '\t';
				break;
			case 'u':
				if (ps->end - ps->p < 6 || (cp = hex4(ps->p + 2)) < 0)
					return jfail(ps, "bad \\u escape");
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return jfail(ps, "lone low surrogate \\u%04x", cp);
				if (cp >= 0xd800 && cp <= 0xdbff) {
					int lo;

					if (ps->end - ps->p < 12 || ps->p[6] != '\\' ||
					    ps->p[7] != 'u' || (lo = hex4(ps->p + 8)) < 0 ||
					    lo < 0xdc00 || lo > 0xdfff)
						return jfail(ps,
							     "high surrogate \\u%04x without a low "
							     "surrogate",
							     cp);
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					ps->p += 6;
				}
				if (!buf_add(b, out, utf8_encode((unsigned int)cp, out)))
					return jfail(ps, "out of memory");
				ps->p += 6;
				continue;
			default:
				return jfail(ps, "bad escape \\%c", e);
			}
			if (!buf_add(b, out, 1))
				return jfail(ps, "out of memory");
			ps->p += 2;
			continue;
		}
		if (c >= 0x80) {
			size_t n = json_utf8_len((const unsigned char *)ps->p, ps->end - ps->p);

			if (!n)
				return jfail(ps, "invalid UTF-8 byte 0x%02x in string", c);
			if (!buf_add(b, ps->p, n))
				return jfail(ps, "out of memory");
			ps->p += n;
			continue;
		}
		if (!buf_add(b, ps->p, 1))
			return jfail(ps, "out of memory");
		ps->p++;
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool parse_number(struct jparser *ps)
{
	const char *p = ps->p;

	if (p < ps->end && *p == '-')
		p++;
	if (p >= ps->end || !is_digit(*p)) {
		ps->p = p;
		return jfail(ps, "bad number");
	}
	if (*p == '0') {
		p++;
		if (p < ps->end && is_digit(*p)) {
			ps->p = p;
			return jfail(ps, "leading zero in number");
		}
	} else {
		while (p < ps->end && is_digit(*p))
			p++;
	}
	if (p < ps->end && *p == '.') {
		p++;
		if (p >= ps->end || !is_digit(*p)) {
			ps->p = p;
			return jfail(ps, "no digits after the decimal point");
		}
		while (p < ps->end && is_digit(*p))
			p++;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= ps->end || !is_digit(*p)) {
			ps->p = p;
			return jfail(ps, "no digits in exponent");
		}
		while (p < ps->end && is_digit(*p))
			p++;
	}
	ps->p = p;
	return true;
}

static bool parse_value(struct jparser *ps, struct jval *v);

static bool add_kid(struct jval *v, size_t *cap)
{
	if (v->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct jval *k = realloc(v->kids, nc * sizeof(*k));

		if (!k)
			return false;
		v->kids = k;
		if (v->type == J_OBJ) {
			char **keys = realloc(v->keys, nc * sizeof(*keys));
			size_t *kl;

			if (!keys)
				return false;
			v->keys = keys;
			kl = realloc(v->keylens, nc * sizeof(*kl));
			if (!kl)
				return false;
			v->keylens = kl;
		}
		*cap = nc;
	}
	memset(&v->kids[v->n], 0, sizeof(v->kids[v->n]));
	if (v->type == J_OBJ) {
		v->keys[v->n] = NULL;
		v->keylens[v->n] = 0;
	}
	v->n++;
	return true;
}

static bool parse_container(struct jparser *ps, struct jval *v)
{
	bool obj = *ps->p == '{';
	char close = obj ? '}' : ']';
	size_t cap = 0;

	v->type = obj ? J_OBJ : J_ARR;
	if (++ps->depth > JSON_MAX_DEPTH)
		return jfail(ps, "nested deeper than %d", JSON_MAX_DEPTH);
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return true;
	}
	for (;;) {
		struct jval *kid;

		skip_ws(ps);
		if (!add_kid(v, &cap))
			return jfail(ps, "out of memory");
		kid = &v->kids[v->n - 1];
		if (obj) {
			struct buf key = { 0 };

			if (ps->p >= ps->end || *ps->p != '"')
				return jfail(ps, "expected a member name");
			if (!parse_string(ps, &key)) {
				free(key.b);
				return false;
			}
			v->keys[v->n - 1] = key.b;
			v->keylens[v->n - 1] = key.n;
			for (size_t i = 0; i + 1 < v->n; i++) {
				if (v->keylens[i] == key.n && !memcmp(v->keys[i], key.b, key.n)) {
					ps->p--;
					return jfail(ps, "duplicate member \"%s\"", key.b);
				}
			}
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return jfail(ps, "expected ':' after a member name");
			ps->p++;
		}
		if (!parse_value(ps, kid))
			return false;
		skip_ws(ps);
		if (ps->p >= ps->end)
			return jfail(ps, "unterminated %s", obj ? "object" : "array");
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			ps->depth--;
			return true;
		}
		return jfail(ps, "expected ',' or '%c'", close);
	}
}

static bool parse_literal(struct jparser *ps, const char *word, enum jtype t, struct jval *v)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return jfail(ps, "unexpected character '%c'", *ps->p);
	ps->p += n;
	v->type = t;
	return true;
}

static bool parse_value(struct jparser *ps, struct jval *v)
{
	const char *start;
	bool ok;

	skip_ws(ps);
	if (ps->p >= ps->end)
		return jfail(ps, "expected a value");
	start = ps->p;
	switch (*ps->p) {
	case '{':
	case '[':
		ok = parse_container(ps, v);
		break;
	case '"': {
		struct buf b = { 0 };

		v->type = J_STR;
		ok = parse_string(ps, &b);
		v->str = b.b;
		v->len = b.n;
		break;
	}
	case 't':
		ok = parse_literal(ps, "true", J_TRUE, v);
		break;
	case 'f':
		ok = parse_literal(ps, "false", J_FALSE, v);
		break;
	case 'n':
		ok = parse_literal(ps, "null", J_NULL, v);
		break;
	default:
		if (*ps->p == '-' || is_digit(*ps->p)) {
			v->type = J_NUM;
			ok = parse_number(ps);
		} else if ((unsigned char)*ps->p < 0x20 || (unsigned char)*ps->p >= 0x7f) {
			ok = jfail(ps, "unexpected byte 0x%02x", (unsigned char)*ps->p);
		} else {
			ok = jfail(ps, "unexpected character '%c'", *ps->p);
		}
	}
	v->raw = start;
	v->rawlen = ps->p - start;
	return ok;
}

/*
 * Parse exactly one JSON value (surrounding whitespace allowed) from @len bytes at @s.
 * Returns the value (free with json_free; raw pointers point into @s) or NULL with the
 * reason in @err.
 */
struct jval *json_parse(const char *s, size_t len, char *err, size_t errlen)
{
	struct jparser ps = { .s = s, .end = s + len, .p = s, .err = err, .errlen = errlen };
	struct jval *v = calloc(1, sizeof(*v));

	if (err && errlen)
		err[0] = '\0';
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!parse_value(&ps, v)) {
		json_free(v);
		return NULL;
	}
	skip_ws(&ps);
	if (ps.p != ps.end) {
		jfail(&ps, "trailing characters after the value");
		json_free(v);
		return NULL;
	}
	return v;
}

/* The member @key (@klen bytes) of object @v, or NULL. */
const struct jval *json_member(const struct jval *v, const char *key, size_t klen)
{
	if (!v || v->type != J_OBJ)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (v->keylens[i] == klen && !memcmp(v->keys[i], key, klen))
			return &v->kids[i];
	return NULL;
}

/* Follow a dotted path ("a.b.3"); numeric segments index arrays. NULL if absent. */
const struct jval *json_get(const struct jval *v, const char *path)
{
	const char *seg = path;

	if (!*path)
		return v;
	while (v) {
		const char *dot = strchr(seg, '.');
		size_t n = dot ? (size_t)(dot - seg) : strlen(seg);

		if (v->type == J_ARR) {
			char *end;
			unsigned long idx;

			if (!n || !is_digit(seg[0]))
				return NULL;
			errno = 0;
			idx = strtoul(seg, &end, 10);
			if (errno || end != seg + n || idx >= v->n)
				return NULL;
			v = &v->kids[idx];
		} else {
			v = json_member(v, seg, n);
		}
		if (!dot)
			return v;
		seg = dot + 1;
	}
	return NULL;
}

/*
 * Exact decimal form of a JSON number: value = (neg ? -1 : 1) * 0.DIGITS * 10^exp, with
 * no leading or trailing zeros in DIGITS (empty DIGITS: zero, and neg is false).
 */
struct decimal {
	bool neg;
	char digits[512];
	size_t n;
	long long exp;
	bool overflow;
};

static bool decimal_parse(const char *s, size_t len, struct decimal *d)
{
	const char *p = s, *end = s + len;
	long long e = 0, point = 0;
	bool seen_point = false, any = false;

	memset(d, 0, sizeof(*d));
	if (p < end && *p == '-')
		d->neg = true, p++;
	for (; p < end; p++) {
		if (*p == '.') {
			if (seen_point)
				return false;
			seen_point = true;
			continue;
		}
		if (!is_digit(*p))
			break;
		any = true;
		if (!seen_point)
			point++;
		if (*p == '0' && d->n == 0) {
			/* leading zeros move the point only */
			point--;
			continue;
		}
		if (d->n >= sizeof(d->digits)) {
			d->overflow = true;
			return false;
		}
		d->digits[d->n++] = *p;
	}
	if (!any)
		return false;
	if (p < end && (*p == 'e' || *p == 'E')) {
		bool eneg = false;

		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p == '-', p++;
		if (p >= end || !is_digit(*p))
			return false;
		for (; p < end && is_digit(*p); p++) {
			if (e > 100000000000LL)
				return false;
			e = e * 10 + (*p - '0');
		}
		if (eneg)
			e = -e;
	}
	if (p != end)
		return false;
	while (d->n && d->digits[d->n - 1] == '0')
		d->n--;
	if (!d->n) {
		d->neg = false;
		d->exp = 0;
		return true;
	}
	d->exp = point + e;
	return true;
}

/* -1, 0, 1 as a < b, a == b, a > b. */
static int decimal_cmp(const struct decimal *a, const struct decimal *b)
{
	int sign, mag = 0;

	if (!a->n && !b->n)
		return 0;
	if (a->neg != b->neg)
		return a->neg ? -1 : 1;
	sign = a->neg ? -1 : 1;
	if (!a->n)
		return -sign;
	if (!b->n)
		return sign;
	if (a->exp != b->exp) {
		mag = a->exp < b->exp ? -1 : 1;
	} else {
		for (size_t i = 0; i < a->n || i < b->n; i++) {
			char ca = i < a->n ? a->digits[i] : '0', cb = i < b->n ? b->digits[i] : '0';

			if (ca != cb) {
				mag = ca < cb ? -1 : 1;
				break;
			}
		}
	}
	return sign * mag;
}

/* Deep equality: numbers by value, objects regardless of member order. */
bool json_equal(const struct jval *a, const struct jval *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case J_NULL:
	case J_TRUE:
	case J_FALSE:
		return true;
	case J_NUM: {
		struct decimal da, db;

		if (!decimal_parse(a->raw, a->rawlen, &da) ||
		    !decimal_parse(b->raw, b->rawlen, &db))
			return a->rawlen == b->rawlen && !memcmp(a->raw, b->raw, a->rawlen);
		return decimal_cmp(&da, &db) == 0;
	}
	case J_STR:
		return a->len == b->len && !memcmp(a->str, b->str, a->len);
	case J_ARR:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++)
			if (!json_equal(&a->kids[i], &b->kids[i]))
				return false;
		return true;
	case J_OBJ:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++) {
			const struct jval *m = json_member(b, a->keys[i], a->keylens[i]);

			if (!m || !json_equal(&a->kids[i], m))
				return false;
		}
		return true;
	}
	return false;
}

/* Write @v as compact JSON (strings re-escaped minimally). */
void json_write(FILE *f, const struct jval *v);

static void write_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_write(FILE *f, const struct jval *v)
{
	switch (v->type) {
	case J_NULL:
		fputs("null", f);
		break;
	case J_TRUE:
		fputs("true", f);
		break;
	case J_FALSE:
		fputs("false", f);
		break;
	case J_NUM:
		fwrite(v->raw, 1, v->rawlen, f);
		break;
	case J_STR:
		write_str(f, v->str, v->len);
		break;
	case J_ARR:
	case J_OBJ:
		fputc(v->type == J_ARR ? '[' : '{', f);
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				fputc(',', f);
			if (v->type == J_OBJ) {
				write_str(f, v->keys[i], v->keylens[i]);
				fputc(':', f);
			}
			json_write(f, &v->kids[i]);
		}
		fputc(v->type == J_ARR ? ']' : '}', f);
		break;
	}
}

#ifndef JSONQ_NO_MAIN

enum op { OP_EXISTS, OP_MISSING, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_SUB };

struct cond {
	char *path;
	enum op op;
	const char *value; /* as given */
	struct jval *json; /* VALUE parsed as JSON, or NULL: a plain string */
};

static void usage(void)
{
	fprintf(stderr,
		"usage: jsonq [--check] [-w EXPR]... [-c] [-g PATH]... < input\n"
		"  EXPR: PATH=V PATH!=V PATH<N PATH<=N PATH>N PATH>=N PATH~SUB PATH !PATH\n");
}

static int cond_parse(const char *expr, struct cond *c)
{
	size_t i = 0;
	char *v;

	memset(c, 0, sizeof(*c));
	if (expr[0] == '!' && !strpbrk(expr + 1, "=<>~!")) {
		c->path = strdup(expr + 1);
		c->op = OP_MISSING;
		return c->path ? 0 : -1;
	}
	while (expr[i] && !strchr("=!<>~", expr[i]))
		i++;
	c->path = strndup(expr, i);
	if (!c->path)
		return -1;
	if (!expr[i]) {
		c->op = OP_EXISTS;
		return 0;
	}
	if (!strncmp(expr + i, "!=", 2))
		c->op = OP_NE, i += 2;
	else if (!strncmp(expr + i, "<=", 2))
		c->op = OP_LE, i += 2;
	else if (!strncmp(expr + i, ">=", 2))
		c->op = OP_GE, i += 2;
	else if (expr[i] == '=')
		c->op = OP_EQ, i++;
	else if (expr[i] == '<')
		c->op = OP_LT, i++;
	else if (expr[i] == '>')
		c->op = OP_GT, i++;
	else if (expr[i] == '~')
		c->op = OP_SUB, i++;
	else
		return -1;
	v = (char *)expr + i;
	c->value = v;
	if (c->op != OP_SUB)
		c->json = json_parse(v, strlen(v), NULL, 0);
	if ((c->op == OP_LT || c->op == OP_LE || c->op == OP_GT || c->op == OP_GE) &&
	    (!c->json || c->json->type != J_NUM)) {
		fprintf(stderr, "jsonq: '%s': %s needs a number\n", expr,
			c->op == OP_LT	 ? "<"
			: c->op == OP_LE ? "<="
			: c->op == OP_GT ? ">"
					 : ">=");
		return -1;
	}
	return 0;
}

/* The value at @path, with a trailing '#' meaning "length of"; @tmp holds a length. */
static const struct jval *lookup(const struct jval *root, const char *path, struct jval *tmp,
				 char *numbuf, size_t numlen)
{
	size_t n = strlen(path);
	const struct jval *v;
	char *p;
	size_t len;

	if (!n || path[n - 1] != '#')
		return json_get(root, path);
	p = strndup(path, n - 1);
	if (!p)
		return NULL;
	if (n >= 2 && p[n - 2] == '.')
		p[n - 2] = '\0';
	v = json_get(root, p);
	free(p);
	if (!v)
		return NULL;
	if (v->type == J_ARR || v->type == J_OBJ)
		len = v->n;
	else if (v->type == J_STR)
		len = v->len;
	else
		return NULL;
	memset(tmp, 0, sizeof(*tmp));
	tmp->type = J_NUM;
	snprintf(numbuf, numlen, "%zu", len);
	tmp->raw = numbuf;
	tmp->rawlen = strlen(numbuf);
	return tmp;
}

static bool cond_eval(const struct cond *c, const struct jval *root)
{
	struct jval tmp;
	char num[32];
	const struct jval *v = lookup(root, c->path, &tmp, num, sizeof(num));
	struct decimal a, b;
	int cmp;

	switch (c->op) {
	case OP_EXISTS:
		return v != NULL;
	case OP_MISSING:
		return v == NULL;
	case OP_SUB:
		return v && v->type == J_STR && memmem(v->str, v->len, c->value, strlen(c->value));
	case OP_EQ:
	case OP_NE: {
		bool eq;

		if (!v)
			return c->op == OP_NE;
		if (v->type == J_STR)
			eq = (v->len == strlen(c->value) && !memcmp(v->str, c->value, v->len)) ||
			     (c->json && c->json->type == J_STR && json_equal(v, c->json));
		else
			eq = c->json && json_equal(v, c->json);
		return c->op == OP_EQ ? eq : !eq;
	}
	default:
		break;
	}
	if (!v || v->type != J_NUM || !decimal_parse(v->raw, v->rawlen, &a) ||
	    !decimal_parse(c->json->raw, c->json->rawlen, &b))
		return false;
	cmp = decimal_cmp(&a, &b);
	switch (c->op) {
	case OP_LT:
		return cmp < 0;
	case OP_LE:
		return cmp <= 0;
	case OP_GT:
		return cmp > 0;
	case OP_GE:
		return cmp >= 0;
	default:
		return false;
	}
}

static void print_value(const struct jval *v)
{
	if (!v)
		return;
	if (v->type == J_STR)
		fwrite(v->str, 1, v->len, stdout);
	else
		json_write(stdout, v);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cond *conds = NULL;
	const char **gets = NULL;
	size_t nconds = 0, ngets = 0, lineno = 0, matched = 0, cap;
	bool check = false, count = false, bad = false;
	char *line = NULL, err[256];
	ssize_t n;
	int opt, ret = 2;

	cap = (size_t)argc;
	conds = calloc(cap, sizeof(*conds));
	gets = calloc(cap, sizeof(*gets));
	if (!conds || !gets)
		goto out;
	while ((opt = getopt_long(argc, argv, "w:g:ch", lo, NULL)) != -1) {
		switch (opt) {
		case 'C':
			check = true;
			break;
		case 'w':
			if (cond_parse(optarg, &conds[nconds])) {
				fprintf(stderr, "jsonq: bad expression '%s'\n", optarg);
				nconds++; /* what it parsed is freed with the others */
				goto out;
			}
			nconds++;
			break;
		case 'g':
			gets[ngets++] = optarg;
			break;
		case 'c':
			count = true;
			break;
		case 'h':
			usage();
			ret = 0;
			goto out;
		default:
			usage();
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "jsonq: unexpected argument '%s'\n", argv[optind]);
		usage();
		goto out;
	}

	for (;;) {
		size_t cap_line = 0;
		struct jval *v;
		bool keep = true;

		free(line);
		line = NULL;
		n = getline(&line, &cap_line, stdin);
		if (n < 0)
			break;
		lineno++;
		if (line[n - 1] != '\n') {
			fprintf(stderr,
				"jsonq: line %zu: no newline at the end of the input "
				"(truncated output?)\n",
				lineno);
			bad = true;
		} else {
			n--;
		}
		if (n == 0) {
			fprintf(stderr, "jsonq: line %zu: empty line\n", lineno);
			bad = true;
			continue;
		}
		v = json_parse(line, (size_t)n, err, sizeof(err));
		if (!v) {
			fprintf(stderr, "jsonq: line %zu: %s\n", lineno, err);
			bad = true;
			continue;
		}
		for (size_t i = 0; i < nconds && keep; i++)
			keep = cond_eval(&conds[i], v);
		if (keep) {
			matched++;
			if (check || count) {
				/* nothing per line */
			} else if (ngets) {
				size_t gl = strlen(gets[0]);

				if (ngets == 1 && (!strcmp(gets[0], "*") ||
						   (gl >= 2 && !strcmp(gets[0] + gl - 2, ".*")))) {
					char *p = strndup(gets[0], gl >= 2 ? gl - 2 : 0);
					const struct jval *c = p ? json_get(v, p) : NULL;

					for (size_t i = 0;
					     c && (c->type == J_OBJ || c->type == J_ARR) &&
					     i < c->n;
					     i++) {
						print_value(&c->kids[i]);
						putchar('\n');
					}
					free(p);
					json_free(v);
					continue;
				}
				for (size_t i = 0; i < ngets; i++) {
					struct jval tmp;
					char num[32];

					if (i)
						putchar('\t');
					print_value(lookup(v, gets[i], &tmp, num, sizeof(num)));
				}
				putchar('\n');
			} else {
				fwrite(line, 1, (size_t)n, stdout);
				putchar('\n');
			}
		}
		json_free(v);
	}
	free(line);
	if (ferror(stdin)) {
		fprintf(stderr, "jsonq: reading input: %s\n", strerror(errno));
		goto out;
	}
	if (count && !check)
		printf("%zu\n", matched);
	if (!fflush(stdout))
		ret = bad ? 1 : 0;
out:
	for (size_t i = 0; conds && i < nconds; i++) {
		free(conds[i].path);
		json_free(conds[i].json);
	}
	free(conds);
	free(gets);
	return ret;
}

#endif
