// SPDX-License-Identifier: GPL-2.0-only
/* Flame graphs: stacks merged into a hashed tree, laid out and written as interactive SVG. */
#include <errno.h>
#include <math.h> /* isfinite, a macro */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/flame.h"
#include "core/out.h"

/*
 * Names are interned once (an arena of bytes, a table of offsets, an open-addressing hash);
 * tree nodes are keyed by (parent, name) in a second hash, so adding a stack costs one
 * lookup per frame whatever the size of the tree, and a million folded lines stay linear.
 * A node's parent always has a smaller index: the writer relies on it.
 */
struct fname {
	size_t off;
	uint32_t len;
	uint32_t hash;
};

struct fnode {
	uint32_t name;
	uint32_t parent;
	unsigned long long total; /* this frame and everything it called */
};

struct ks_flame {
	char *arena;
	size_t arena_len, arena_cap;
	struct fname *names;
	size_t nnames, names_cap;
	uint32_t *name_tab; /* name index + 1, 0 for an empty slot */
	size_t name_tab_cap;

	struct fnode *nodes; /* nodes[0] is the root */
	size_t nnodes, nodes_cap;
	uint32_t *node_tab; /* node index + 1, 0 for an empty slot */
	size_t node_tab_cap;

	/* One stack being added: (text, length) per frame, then node indices. */
	const char **fr;
	size_t *frlen;
	uint32_t *path; /* the nodes of the last stack added, root excluded */
	size_t path_len;
	size_t fr_cap;

	const char *err;
};

#define NO_PARENT UINT32_MAX

static uint32_t hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static uint32_t hash_node(uint32_t parent, uint32_t name)
{
	uint64_t h = ((uint64_t)parent << 32 | name) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* Grow @*p (of @*cap elements of @size bytes) to hold at least @need; 0 or -ENOMEM. */
static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return -ENOMEM;
		n *= 2;
	}
	np = realloc(*p, n * size);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = n;
	return 0;
}

static uint32_t name_key(const struct ks_flame *f, size_t i)
{
	return f->names[i].hash;
}

static uint32_t node_key(const struct ks_flame *f, size_t i)
{
	return hash_node(f->nodes[i].parent, f->nodes[i].name);
}

/* Rebuild hash table @*tab with @cap slots (a power of 2) for entries @from .. @n - 1. */
static int tab_resize(struct ks_flame *f, uint32_t **tab, size_t *tab_cap, size_t cap, size_t from,
		      size_t n, uint32_t (*key)(const struct ks_flame *, size_t))
{
	uint32_t *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = from; i < n; i++) {
		size_t s = key(f, i) & (cap - 1);

		while (t[s])
			s = (s + 1) & (cap - 1);
		t[s] = (uint32_t)i + 1;
	}
	free(*tab);
	*tab = t;
	*tab_cap = cap;
	return 0;
}

static int name_tab_resize(struct ks_flame *f, size_t cap)
{
	return tab_resize(f, &f->name_tab, &f->name_tab_cap, cap, 0, f->nnames, name_key);
}

/* The root (node 0) is nobody's child: it is not in the table. */
static int node_tab_resize(struct ks_flame *f, size_t cap)
{
	return tab_resize(f, &f->node_tab, &f->node_tab_cap, cap, 1, f->nnodes, node_key);
}

/* The index of name @s (@len bytes), interned now if new; -ENOMEM. */
static long long name_intern(struct ks_flame *f, const char *s, size_t len)
{
	uint32_t h = hash_bytes(s, len);
	struct fname *n;
	size_t slot;

	if (len > UINT32_MAX || f->nnames >= UINT32_MAX - 1)
		return -ENOMEM;
	for (slot = h & (f->name_tab_cap - 1); f->name_tab[slot];
	     slot = (slot + 1) & (f->name_tab_cap - 1)) {
		n = &f->names[f->name_tab[slot] - 1];
		if (n->hash == h && n->len == len && !memcmp(f->arena + n->off, s, len))
			return f->name_tab[slot] - 1;
	}
	if (grow((void **)&f->names, &f->names_cap, f->nnames + 1, sizeof(*f->names)) ||
	    grow((void **)&f->arena, &f->arena_cap, f->arena_len + len + 1, 1))
		return -ENOMEM;
	memcpy(f->arena + f->arena_len, s, len);
	f->arena[f->arena_len + len] = '\0';
	f->names[f->nnames] = (struct fname){ f->arena_len, (uint32_t)len, h };
	f->arena_len += len + 1;
	f->name_tab[slot] = (uint32_t)++f->nnames;
	/* Keep the table at most half full. */
	if (f->nnames * 2 > f->name_tab_cap && name_tab_resize(f, f->name_tab_cap * 2))
		return -ENOMEM;
	return f->nnames - 1;
}

/* The child @name of node @parent, made now if new; -ENOMEM. */
static long long node_child(struct ks_flame *f, uint32_t parent, uint32_t name)
{
	size_t slot;

	for (slot = hash_node(parent, name) & (f->node_tab_cap - 1); f->node_tab[slot];
	     slot = (slot + 1) & (f->node_tab_cap - 1)) {
		const struct fnode *n = &f->nodes[f->node_tab[slot] - 1];

		if (n->parent == parent && n->name == name)
			return f->node_tab[slot] - 1;
	}
	if (f->nnodes >= UINT32_MAX - 1 ||
	    grow((void **)&f->nodes, &f->nodes_cap, f->nnodes + 1, sizeof(*f->nodes)))
		return -ENOMEM;
	f->nodes[f->nnodes] = (struct fnode){ name, parent, 0 };
	f->node_tab[slot] = (uint32_t)++f->nnodes;
	if (f->nnodes * 2 > f->node_tab_cap && node_tab_resize(f, f->node_tab_cap * 2))
		return -ENOMEM;
	return f->nnodes - 1;
}

struct ks_flame *ks_flame_new(void)
{
	struct ks_flame *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	if (name_tab_resize(f, 1024) || node_tab_resize(f, 1024) ||
	    grow((void **)&f->nodes, &f->nodes_cap, 1, sizeof(*f->nodes))) {
		ks_flame_free(f);
		errno = ENOMEM;
		return NULL;
	}
	f->nodes[0] = (struct fnode){ 0, NO_PARENT, 0 };
	f->nnodes = 1;
	f->err = "no error";
	return f;
}

void ks_flame_free(struct ks_flame *f)
{
	if (!f)
		return;
	free(f->arena);
	free(f->names);
	free(f->name_tab);
	free(f->nodes);
	free(f->node_tab);
	free(f->fr);
	free(f->frlen);
	free(f->path);
	free(f);
}

static int stack_room(struct ks_flame *f, size_t n)
{
	size_t cap = f->fr_cap;

	if (n <= cap)
		return 0;
	if (grow((void **)&f->fr, &cap, n, sizeof(*f->fr)))
		return -ENOMEM;
	cap = f->fr_cap;
	if (grow((void **)&f->frlen, &cap, n, sizeof(*f->frlen)))
		return -ENOMEM;
	cap = f->fr_cap;
	if (grow((void **)&f->path, &cap, n, sizeof(*f->path)))
		return -ENOMEM;
	f->fr_cap = cap;
	return 0;
}

/* Whether node @v is named @s (@len bytes). */
static bool node_is(const struct ks_flame *f, uint32_t v, const char *s, size_t len)
{
	const struct fname *n = &f->names[f->nodes[v].name];

	return n->len == len && !memcmp(f->arena + n->off, s, len);
}

/* Add the @n frames in f->fr/f->frlen (empty ones skipped) with @count. */
static int add_stack(struct ks_flame *f, size_t n, unsigned long long count)
{
	uint32_t cur = 0;
	size_t depth = 0, same = f->path_len;

	if (f->nodes[0].total + count < f->nodes[0].total)
		return -ERANGE;
	if (!count)
		return 0;
	/* Find or make every node first: running out of memory midway changes no count. */
	for (size_t i = 0; i < n; i++) {
		long long name, node;

		if (!f->frlen[i])
			continue;
		/* Stacks come sorted more often than not: the last one's prefix is free. */
		if (depth < same && node_is(f, f->path[depth], f->fr[i], f->frlen[i])) {
			cur = f->path[depth++];
			continue;
		}
		same = 0;
		name = name_intern(f, f->fr[i], f->frlen[i]);
		if (name >= 0)
			node = node_child(f, cur, (uint32_t)name);
		if (name < 0 || node < 0) {
			f->path_len = 0;
			return -ENOMEM;
		}
		cur = (uint32_t)node;
		f->path[depth++] = cur;
	}
	f->path_len = depth;
	f->nodes[0].total += count;
	for (size_t i = 0; i < depth; i++)
		f->nodes[f->path[i]].total += count;
	return 0;
}

int ks_flame_add(struct ks_flame *f, const char *const *frames, size_t n, unsigned long long count)
{
	if (stack_room(f, n))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		f->fr[i] = frames[i];
		f->frlen[i] = strlen(frames[i]);
	}
	return add_stack(f, n, count);
}

static int folded_error(struct ks_flame *f, const char *why)
{
	f->err = why;
	return -EINVAL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* COUNT of a folded line: digits, or a decimal number rounded to the nearest integer. */
static int parse_count(const char *s, size_t len, unsigned long long *out)
{
	unsigned long long v = 0;
	char buf[64], *end;
	bool digits = true;
	double d;

	for (size_t i = 0; i < len; i++)
		digits &= s[i] >= '0' && s[i] <= '9';
	if (digits) {
		for (size_t i = 0; i < len; i++) {
			if (v > (~0ULL - (unsigned)(s[i] - '0')) / 10)
				return -ERANGE;
			v = v * 10 + (unsigned)(s[i] - '0');
		}
		*out = v;
		return 0;
	}
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	d = strtod(buf, &end);
	if (errno || *end || !isfinite(d) || d < 0 || buf[0] == '-')
		return -EINVAL;
	if (d + 0.5 >= 18446744073709551616.0)
		return -ERANGE;
	*out = (unsigned long long)(d + 0.5); /* rounded: d >= 0 */
	return 0;
}

int ks_flame_add_folded(struct ks_flame *f, const char *line)
{
	size_t len = strlen(line), sp, n = 0, start = 0, end;
	unsigned long long count;
	int err;

	while (len && is_space(line[len - 1]))
		len--;
	if (!len)
		return folded_error(f, "blank line");
	for (sp = len; sp && line[sp - 1] != ' ' && line[sp - 1] != '\t'; sp--)
		;
	if (!sp)
		return folded_error(f, "no count: expected 'frame;frame;... COUNT'");
	err = parse_count(line + sp, len - sp, &count);
	if (err == -ERANGE)
		return folded_error(f, "count too large");
	if (err)
		return folded_error(f, "count is not a number >= 0: expected "
				       "'frame;frame;... COUNT'");
	for (end = sp; end && (line[end - 1] == ' ' || line[end - 1] == '\t'); end--)
		;
	/* Split the frames at ';' (the separator can't occur inside a frame). */
	for (size_t i = 0; i <= end; i++) {
		if (i < end && line[i] != ';')
			continue;
		if (i > start) {
			if (stack_room(f, n + 1))
				return -ENOMEM;
			f->fr[n] = line + start;
			f->frlen[n++] = i - start;
		}
		start = i + 1;
	}
	if (!n)
		return folded_error(f, "no frame before the count");
	err = add_stack(f, n, count);
	if (err == -ERANGE)
		f->err = "the counts add up to more than 2^64";
	return err;
}

const char *ks_flame_error(const struct ks_flame *f)
{
	return f->err;
}

unsigned long long ks_flame_total(const struct ks_flame *f)
{
	return f->nodes[0].total;
}

size_t ks_flame_nodes(const struct ks_flame *f)
{
	return f->nnodes - 1;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

enum ks_flame_kind ks_flame_kind_of(const char *text, size_t len, size_t *shown)
{
	static const struct {
		const char *suffix;
		enum ks_flame_kind kind;
	} suffixes[] = {
		{ "_[k]", KS_FLAME_KERNEL },
		{ "_[j]", KS_FLAME_JIT },
		{ "_[i]", KS_FLAME_INLINED },
		{ "_[w]", KS_FLAME_WAKER },
	};

	*shown = len;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (ends_with(text, len, suffixes[i].suffix)) {
			*shown = len - 4;
			return suffixes[i].kind;
		}
	}
	if ((len == 2 && !memcmp(text, "--", 2)) || (len == 1 && text[0] == '-'))
		return KS_FLAME_WAKER;
	if (len >= 9 && !memcmp(text, "[unknown]", 9))
		return KS_FLAME_UNKNOWN;
	return KS_FLAME_USER;
}

/* --- the SVG ----------------------------------------------------------------------------- */

/* Layout, in pixels; the script reads the same numbers from the document. */
#define PAD	    10	/* left and right margins */
#define ROW	    16	/* height of a row of frames */
#define FONT	    12	/* frame text size */
#define CHAR_W	    7.3 /* width of one character of the monospace font at FONT (~0.6 em) */
#define MIN_W	    0.1 /* narrower frames are not written */
#define FOOT	    30	/* status line below the frames */
#define REPLACEMENT "\xef\xbf\xbd"

static const char *const kind_class = "ukjiwq";
static const char *const kind_label[KS_FLAME_KINDS] = { "user",	   "kernel",	 "JIT",
							"inlined", "waker / --", "unknown" };

/*
 * Each kind is a hue family; a frame's hash picks the hue, saturation and lightness within
 * it, so the same function has the same colour in every graph and neighbours differ.
 */
static const struct family {
	double h0, h1, s0, s1, l0, l1;
} families[KS_FLAME_KINDS] = {
	[KS_FLAME_USER] = { 2, 46, 72, 90, 55, 66 },	   /* red to amber */
	[KS_FLAME_KERNEL] = { 196, 228, 48, 68, 56, 70 },  /* blue */
	[KS_FLAME_JIT] = { 88, 138, 42, 62, 48, 62 },	   /* green */
	[KS_FLAME_INLINED] = { 160, 184, 48, 66, 48, 60 }, /* aqua */
	[KS_FLAME_WAKER] = { 262, 286, 30, 48, 64, 74 },   /* lavender */
	[KS_FLAME_UNKNOWN] = { 30, 30, 0, 6, 62, 74 },	   /* grey */
};

/* No libm in the link: the few roundings needed here are done by hand. */
static double absd(double v)
{
	return v < 0 ? -v : v;
}

static void hsl_hex(double h, double s, double l, char out[8])
{
	double c = (1 - absd(2 * l / 100 - 1)) * s / 100, hp = h / 60;
	double x = c * (1 - absd(hp - 2 * (int)(hp / 2) - 1)), m = l / 100 - c / 2, r, g, b;

	if (hp < 1)
		r = c, g = x, b = 0;
	else if (hp < 2)
		r = x, g = c, b = 0;
	else if (hp < 3)
		r = 0, g = c, b = x;
	else if (hp < 4)
		r = 0, g = x, b = c;
	else if (hp < 5)
		r = x, g = 0, b = c;
	else
		r = c, g = 0, b = x;
	snprintf(out, 8, "#%02x%02x%02x", (unsigned)((r + m) * 255 + 0.5),
		 (unsigned)((g + m) * 255 + 0.5), (unsigned)((b + m) * 255 + 0.5));
}

static void frame_colour(enum ks_flame_kind k, const char *name, size_t len, char out[8])
{
	const struct family *c = &families[k];
	uint32_t h = hash_bytes(name, len);
	double a = (h & 0x3ff) / 1023.0, b = ((h >> 10) & 0x3ff) / 1023.0;
	double l = ((h >> 20) & 0x3ff) / 1023.0;

	hsl_hex(c->h0 + a * (c->h1 - c->h0), c->s0 + b * (c->s1 - c->s0),
		c->l0 + l * (c->l1 - c->l0), out);
}

/* What a frame shows: its text without the kind's suffix, made valid XML character data. */
struct shown {
	char *s;      /* valid UTF-8 without control characters, not yet &-escaped */
	size_t len;   /* bytes */
	size_t chars; /* code points */
	enum ks_flame_kind kind;
	char colour[8];
};

/* @len bytes of @text as valid UTF-8: each invalid byte or control character, U+FFFE and
 * U+FFFF (not XML characters) become U+FFFD. */
static int clean_text(const char *text, size_t len, struct shown *out)
{
	size_t o = 0;
	char *s = malloc(len * 3 + 1);

	if (!s)
		return -ENOMEM;
	out->chars = 0;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)text[i];
		size_t n = c < 0x20 || c == 0x7f ? 0 : ks_utf8_valid(text + i, len - i);

		if (n == 3 && c == 0xef && (unsigned char)text[i + 1] == 0xbf &&
		    (unsigned char)text[i + 2] >= 0xbe) {
			memcpy(s + o, REPLACEMENT, 3); /* the whole non-character */
			o += 3;
		} else if (n) {
			memcpy(s + o, text + i, n);
			o += n;
		} else {
			memcpy(s + o, REPLACEMENT, 3); /* one byte */
			o += 3;
			n = 1;
		}
		i += n;
		out->chars++;
	}
	s[o] = '\0';
	out->s = s;
	out->len = o;
	return 0;
}

static int shown_make(const char *text, size_t len, struct shown *out)
{
	size_t shown;

	out->kind = ks_flame_kind_of(text, len, &shown);
	if (clean_text(text, shown, out))
		return -ENOMEM;
	frame_colour(out->kind, out->s, out->len, out->colour);
	return 0;
}

/* XML character data or attribute value: the five special characters escaped. */
static void xml_put(FILE *out, const char *s, size_t len)
{
	size_t from = 0;

	for (size_t i = 0; i < len; i++) {
		const char *e;

		switch (s[i]) {
		case '&':
			e = "&amp;";
			break;
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '"':
			e = "&quot;";
			break;
		case '\'':
			e = "&apos;";
			break;
		default:
			continue;
		}
		fwrite(s + from, 1, i - from, out);
		fputs(e, out);
		from = i + 1;
	}
	fwrite(s + from, 1, len - from, out);
}

/* Option strings (titles, unit) are cleaned like frame names, kinds aside. */
static int xml_put_clean(FILE *out, const char *str)
{
	struct shown sh;

	if (clean_text(str, strlen(str), &sh))
		return -ENOMEM;
	xml_put(out, sh.s, sh.len);
	free(sh.s);
	return 0;
}

/* The bytes of the first @chars code points of valid UTF-8 @s. */
static size_t utf8_prefix(const char *s, size_t len, size_t chars)
{
	size_t i = 0;

	while (i < len && chars--) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
	}
	return i;
}

/* The text that fits @w pixels: all of it, its start and "..", or nothing. */
static void text_fit(FILE *out, const struct shown *sh, double w)
{
	long fits = w < 6 ? 0 : (long)((w - 6) / CHAR_W);

	if (fits >= (long)sh->chars)
		xml_put(out, sh->s, sh->len);
	else if (fits >= 3) {
		xml_put(out, sh->s, utf8_prefix(sh->s, sh->len, (size_t)fits - 2));
		fputs("..", out);
	}
}

/* A frame to draw: its node, offset (in counts) and depth. */
struct drawn {
	unsigned long long x;
	uint32_t node;
	uint32_t depth;
};

/* Children of every node, each list sorted by name, and the preorder walk of drawn nodes. */
struct layout {
	uint32_t *first; /* children of node i: kids[first[i] .. first[i + 1]) */
	uint32_t *kids;
	struct drawn *order; /* drawn frames in preorder, the root first */
	size_t norder;
	uint32_t max_depth;
	size_t dropped;
	struct shown *shown; /* per name, made on first use */
};

static int cmp_kids(const void *a, const void *b, void *arg)
{
	const struct ks_flame *f = arg;
	const struct fname *x = &f->names[f->nodes[*(const uint32_t *)a].name];
	const struct fname *y = &f->names[f->nodes[*(const uint32_t *)b].name];
	int c = memcmp(f->arena + x->off, f->arena + y->off, KS_MIN(x->len, y->len));

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void layout_free(struct layout *l, size_t nnames)
{
	if (l->shown)
		for (size_t i = 0; i < nnames; i++)
			free(l->shown[i].s);
	free(l->shown);
	free(l->first);
	free(l->kids);
	free(l->order);
}

static int layout_make(struct ks_flame *f, struct layout *l, double plot_w)
{
	size_t n = f->nnodes, sp = 0, cap = 0, ocap = 0;
	double scale = f->nodes[0].total ? plot_w / (double)f->nodes[0].total : 0;
	struct drawn *stack = NULL;
	uint32_t *fill;
	int err = -ENOMEM;

	memset(l, 0, sizeof(*l));
	l->first = calloc(n + 1, sizeof(*l->first));
	l->kids = malloc(n * sizeof(*l->kids));
	l->shown = calloc(f->nnames ? f->nnames : 1, sizeof(*l->shown));
	fill = calloc(n + 1, sizeof(*fill));
	if (!l->first || !l->kids || !l->shown || !fill)
		goto out;
	/* Counting sort by parent, then each list by name: a deterministic graph. */
	for (size_t i = 1; i < n; i++)
		l->first[f->nodes[i].parent + 1]++;
	for (size_t i = 0; i < n; i++)
		l->first[i + 1] += l->first[i];
	for (size_t i = 1; i < n; i++) {
		uint32_t p = f->nodes[i].parent;

		l->kids[l->first[p] + fill[p]++] = (uint32_t)i;
	}
	for (size_t i = 0; i < n; i++)
		if (l->first[i + 1] - l->first[i] > 1)
			qsort_r(l->kids + l->first[i], l->first[i + 1] - l->first[i],
				sizeof(*l->kids), cmp_kids, f);

	/* Preorder walk; a frame narrower than MIN_W is dropped with all it called. */
	if (grow((void **)&stack, &cap, 1, sizeof(*stack)))
		goto out;
	stack[sp++] = (struct drawn){ 0, 0, 0 };
	while (sp) {
		struct drawn d = stack[--sp];
		unsigned long long end = d.x;

		if (grow((void **)&l->order, &ocap, l->norder + 1, sizeof(*l->order)))
			goto out;
		l->order[l->norder++] = d;
		for (uint32_t k = l->first[d.node]; k < l->first[d.node + 1]; k++)
			end += f->nodes[l->kids[k]].total;
		l->max_depth = KS_MAX(l->max_depth, d.depth);
		/* Pushed last child first, so they come out in name order. */
		for (uint32_t k = l->first[d.node + 1]; k-- > l->first[d.node];) {
			uint32_t c = l->kids[k];
			unsigned long long t = f->nodes[c].total;

			end -= t; /* what the children before this one leave: its offset */
			if (!t)
				continue;
			if ((double)t * scale < MIN_W) {
				l->dropped++;
				continue;
			}
			if (grow((void **)&stack, &cap, sp + 1, sizeof(*stack)))
				goto out;
			stack[sp++] = (struct drawn){ end, c, d.depth + 1 };
		}
	}
	err = 0;
out:
	free(stack);
	free(fill);
	return err;
}

static const char flame_css[] =
	"\n.ks-flame text { font-family: 'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', "
	"monospace; font-size: 12px; fill: #222; }\n"
	".bg { fill: #fbf9f4; }\n"
	".title { font-size: 17px; font-weight: bold; text-anchor: middle; }\n"
	".ks-flame .sub { fill: #666; text-anchor: middle; }\n"
	".ks-flame .ctl { fill: #1a5fb4; cursor: pointer; }\n"
	".ctl:hover { text-decoration: underline; }\n"
	".ks-search, .ks-clear, .ks-matched { text-anchor: end; }\n"
	".off { display: none; }\n"
	".ks-flame .legend text { font-size: 11px; fill: #555; }\n"
	".f { cursor: pointer; }\n"
	".f text { pointer-events: none; }\n"
	".f:hover rect { stroke: #000; stroke-width: 0.7; }\n"
	".f.m rect { fill: #ff2fa8; }\n"
	".f.p { opacity: 0.55; }\n";

/*
 * Interactivity, written for kscope. Frames are read back from the document (data-x,
 * data-c, data-d, the title) so the SVG stays readable without the script. Zooming keeps
 * the frames that overlap the chosen one's span: its ancestors (drawn across the whole
 * width, dimmed) and its descendants (widened); the rest is hidden. The URL fragment
 * "#search=REGEX&zoom=NAME&hover=NAME" searches, then clicks and hovers the widest frame
 * of that name at load: links can show a view, and tests drive the graph without a mouse.
 */
static const char flame_js[] =
	"(function () {\n"
	"'use strict';\n"
	"var me = document.currentScript;\n"
	"var svg = (me && me.parentNode && me.parentNode.nodeType === 1) ? me.parentNode : "
	"document.documentElement;\n"
	"var NS = 'http://www.w3.org/2000/svg';\n"
	"function q(c) { return svg.getElementsByClassName(c)[0]; }\n"
	"var W = +svg.getAttribute('width'), pad = +svg.getAttribute('data-ks-pad');\n"
	"var total = +svg.getAttribute('data-ks-total');\n"
	"var box = q('ks-frames'), status = q('ks-status'), matched = q('ks-matched');\n"
	"var reset = q('ks-reset'), clear = q('ks-clear'), hint = status.textContent;\n"
	"var fr = [], zoomed = null, re = null, charW = 7.3;\n"
	"\n"
	"function show(el, on) { el.classList.toggle('off', !on); }\n"
	"\n"
	"/* The frames, in document (preorder) order. */\n"
	"function read() {\n"
	"\tvar gs = box.children;\n"
	"\tfor (var i = 0; i < gs.length; i++) {\n"
	"\t\tvar g = gs[i], tip = g.children[0].textContent;\n"
	"\t\tg.ksi = i;\n"
	"\t\tfr.push({ g: g, rect: g.children[1], text: g.children[2], tip: tip,\n"
	"\t\t\tname: tip.slice(0, tip.lastIndexOf(' (')), x: +g.getAttribute('data-x'),\n"
	"\t\t\tc: +g.getAttribute('data-c'), d: +g.getAttribute('data-d'),\n"
	"\t\t\tshown: g.children[2].textContent, hidden: false, cps: null });\n"
	"\t}\n"
	"}\n"
	"\n"
	"/* The font's real character width (monospace: one number fits every name). */\n"
	"function measure() {\n"
	"\tvar t = document.createElementNS(NS, 'text'), s = 'abcdefghijklmnopqrstuvwxyz_ABCDEF';\n"
	"\tt.textContent = s;\n"
	"\tbox.appendChild(t);\n"
	"\tvar w = t.getComputedTextLength() / s.length;\n"
	"\tbox.removeChild(t);\n"
	"\tif (w > 0) charW = w;\n"
	"}\n"
	"\n"
	"function fit(f, w) {\n"
	"\tvar n = Math.floor((w - 6) / charW), s = '';\n"
	"\tif (n >= f.name.length) {\n"
	"\t\ts = f.name;\n"
	"\t} else if (n >= 3) {\n"
	"\t\tif (!f.cps) f.cps = Array.from(f.name);\n"
	"\t\ts = n >= f.cps.length ? f.name : f.cps.slice(0, n - 2).join('') + '..';\n"
	"\t}\n"
	"\tif (s !== f.shown) {\n"
	"\t\tf.text.textContent = s;\n"
	"\t\tf.shown = s;\n"
	"\t}\n"
	"}\n"
	"\n"
	"function layout() {\n"
	"\tvar x0 = zoomed ? zoomed.x : 0, c0 = zoomed ? zoomed.c : total;\n"
	"\tvar scale = c0 > 0 ? (W - 2 * pad) / c0 : 0;\n"
	"\tfor (var i = 0; i < fr.length; i++) {\n"
	"\t\tvar f = fr[i], a = Math.max(f.x, x0), b = Math.min(f.x + f.c, x0 + c0);\n"
	"\t\tif (!(c0 > 0)) {\n"
	"\t\t\tf.g.setAttribute('data-ks-w', f.rect.getAttribute('width'));\n"
	"\t\t\tcontinue;\n"
	"\t\t}\n"
	"\t\tif (b <= a) {\n"
	"\t\t\tif (!f.hidden) f.g.style.display = 'none';\n"
	"\t\t\tf.hidden = true;\n"
	"\t\t\tf.g.setAttribute('data-ks-w', '0');\n"
	"\t\t\tcontinue;\n"
	"\t\t}\n"
	"\t\tif (f.hidden) f.g.style.display = '';\n"
	"\t\tf.hidden = false;\n"
	"\t\tvar px = pad + (a - x0) * scale, w = (b - a) * scale;\n"
	"\t\tf.rect.setAttribute('x', px.toFixed(2));\n"
	"\t\tf.rect.setAttribute('width', w.toFixed(2));\n"
	"\t\tf.text.setAttribute('x', (px + 3).toFixed(2));\n"
	"\t\tfit(f, w);\n"
	"\t\tf.g.classList.toggle('p', zoomed !== null && f.d < zoomed.d);\n"
	"\t\tf.g.setAttribute('data-ks-w', w.toFixed(2));\n"
	"\t}\n"
	"}\n"
	"\n"
	"function zoom(f) {\n"
	"\tif (f.d === 0) return unzoom();\n"
	"\tzoomed = f;\n"
	"\tshow(reset, true);\n"
	"\tsvg.setAttribute('data-ks-zoom', f.name);\n"
	"\tlayout();\n"
	"}\n"
	"\n"
	"function unzoom() {\n"
	"\tif (!zoomed) return;\n"
	"\tzoomed = null;\n"
	"\tshow(reset, false);\n"
	"\tsvg.removeAttribute('data-ks-zoom');\n"
	"\tlayout();\n"
	"}\n"
	"\n"
	"/* Matches are highlighted; the matched share counts nested matches once. */\n"
	"function search(p) {\n"
	"\tif (!p) return unsearch();\n"
	"\ttry {\n"
	"\t\tre = new RegExp(p);\n"
	"\t} catch (e) {\n"
	"\t\tstatus.textContent = 'Not a regular expression: ' + p;\n"
	"\t\treturn;\n"
	"\t}\n"
	"\tvar sum = 0, end = -1;\n"
	"\tfor (var i = 0; i < fr.length; i++) {\n"
	"\t\tvar f = fr[i], m = re.test(f.name);\n"
	"\t\tf.g.classList.toggle('m', m);\n"
	"\t\tif (m && f.x >= end) {\n"
	"\t\t\tsum += f.c;\n"
	"\t\t\tend = f.x + f.c;\n"
	"\t\t}\n"
	"\t}\n"
	"\tvar pct = total > 0 ? (100 * sum / total).toFixed(2) : '0.00';\n"
	"\tmatched.textContent = 'Matched: ' + pct + '%';\n"
	"\tsvg.setAttribute('data-ks-search', p);\n"
	"\tsvg.setAttribute('data-ks-matched', pct);\n"
	"\tshow(clear, true);\n"
	"}\n"
	"\n"
	"function unsearch() {\n"
	"\tre = null;\n"
	"\tfor (var i = 0; i < fr.length; i++) fr[i].g.classList.remove('m');\n"
	"\tmatched.textContent = '';\n"
	"\tsvg.removeAttribute('data-ks-search');\n"
	"\tsvg.removeAttribute('data-ks-matched');\n"
	"\tshow(clear, false);\n"
	"}\n"
	"\n"
	"function ask() {\n"
	"\tvar p = window.prompt('Search frames (regular expression):', re ? re.source : '');\n"
	"\tif (p !== null) search(p);\n"
	"}\n"
	"\n"
	"function frameOf(e) {\n"
	"\tvar g = e.target;\n"
	"\twhile (g && g !== box && g.ksi === undefined) g = g.parentNode;\n"
	"\treturn g && g.ksi !== undefined ? fr[g.ksi] : null;\n"
	"}\n"
	"\n"
	"/* The widest frame named @name, or null. */\n"
	"function named(name) {\n"
	"\tvar best = null;\n"
	"\tfor (var j = 0; j < fr.length; j++)\n"
	"\t\tif (fr[j].name === name && (!best || fr[j].c > best.c)) best = fr[j];\n"
	"\treturn best;\n"
	"}\n"
	"\n"
	"/* zoom and hover act through real mouse events, as a user's would. */\n"
	"function fromHash() {\n"
	"\tlocation.hash.replace(/^#/, '').split('&').forEach(function (kv) {\n"
	"\t\tvar i = kv.indexOf('='), k = kv.slice(0, i), v, f;\n"
	"\t\tif (i < 0) return;\n"
	"\t\ttry {\n"
	"\t\t\tv = decodeURIComponent(kv.slice(i + 1));\n"
	"\t\t} catch (e) {\n"
	"\t\t\treturn;\n"
	"\t\t}\n"
	"\t\tif (k === 'search') search(v);\n"
	"\t\tif ((k === 'zoom' || k === 'hover') && (f = named(v)))\n"
	"\t\t\tf.rect.dispatchEvent(new MouseEvent(k === 'zoom' ? 'click' : 'mouseover',\n"
	"\t\t\t\t{ bubbles: true }));\n"
	"\t});\n"
	"}\n"
	"\n"
	"box.addEventListener('mouseover', function (e) {\n"
	"\tvar f = frameOf(e);\n"
	"\tif (!f) return;\n"
	"\tvar s = f.tip;\n"
	"\tif (zoomed && f.d > zoomed.d)\n"
	"\t\ts += ', ' + (100 * f.c / zoomed.c).toFixed(2) + '% of ' + zoomed.name;\n"
	"\tstatus.textContent = s;\n"
	"});\n"
	"box.addEventListener('mouseout', function () { status.textContent = hint; });\n"
	"box.addEventListener('click', function (e) {\n"
	"\tvar f = frameOf(e);\n"
	"\tif (f) zoom(f);\n"
	"});\n"
	"reset.addEventListener('click', unzoom);\n"
	"q('ks-search').addEventListener('click', ask);\n"
	"clear.addEventListener('click', unsearch);\n"
	"document.addEventListener('keydown', function (e) {\n"
	"\tif ((e.key === 'f' && (e.ctrlKey || e.metaKey)) || (e.key === '/' && !e.ctrlKey)) {\n"
	"\t\te.preventDefault();\n"
	"\t\task();\n"
	"\t} else if (e.key === 'Escape') {\n"
	"\t\tunzoom();\n"
	"\t\tunsearch();\n"
	"\t}\n"
	"});\n"
	"\n"
	"read();\n"
	"measure();\n"
	"layout();\n"
	"fromHash();\n"
	"window.addEventListener('hashchange', function () {\n"
	"\tunzoom();\n"
	"\tunsearch();\n"
	"\tfromHash();\n"
	"});\n"
	"svg.setAttribute('data-ks-frames', String(fr.length));\n"
	"})();\n";

int ks_flame_write_svg(struct ks_flame *f, FILE *out, const struct ks_flame_opts *o)
{
	static const struct ks_flame_opts defaults = { 0 };
	unsigned long long total = f->nodes[0].total;
	bool present[KS_FLAME_KINDS] = { 0 };
	unsigned int width, height, head, rows;
	const char *unit, *title;
	struct shown u = { 0 };
	struct layout l;
	double plot_w, scale, lx;
	int err;

	if (!o)
		o = &defaults;
	width = o->width ? o->width : 1200;
	width = KS_MAX(width, 2 * PAD + 100);
	unit = o->unit && *o->unit ? o->unit : "samples";
	title = o->title ? o->title : o->inverted ? "Icicle graph" : "Flame graph";
	plot_w = width - 2 * PAD;
	scale = total ? plot_w / (double)total : 0;
	err = layout_make(f, &l, plot_w);
	if (!err)
		err = clean_text(unit, strlen(unit), &u);
	if (err)
		goto out;
	for (size_t i = 1; i < l.norder; i++) {
		uint32_t name = f->nodes[l.order[i].node].name;

		if (!l.shown[name].s) {
			err = shown_make(f->arena + f->names[name].off, f->names[name].len,
					 &l.shown[name]);
			if (err)
				goto out;
		}
		present[l.shown[name].kind] = true;
	}
	rows = l.max_depth + 1;
	head = o->subtitle ? 76 : 58;
	height = head + rows * ROW + FOOT;

	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" class=\"ks-flame\" "
		"width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" data-ks-total=\"%llu\" "
		"data-ks-pad=\"%d\" data-ks-unit=\"",
		width, height, width, height, total, PAD);
	xml_put(out, u.s, u.len);
	fprintf(out,
		"\">\n<!-- kscope flame graph: %zu frames drawn, %zu narrower than %.1f px "
		"not drawn (their counts are in their parents' totals) -->\n",
		l.norder, l.dropped, MIN_W);
	fprintf(out, "<style>%s</style>\n", flame_css);
	fprintf(out,
		"<rect class=\"bg\" width=\"100%%\" height=\"100%%\"/>\n"
		"<text class=\"title\" x=\"%u\" y=\"24\">",
		width / 2);
	if ((err = xml_put_clean(out, title)))
		goto out;
	fputs("</text>\n", out);
	if (o->subtitle) {
		fprintf(out, "<text class=\"sub\" x=\"%u\" y=\"44\">", width / 2);
		if ((err = xml_put_clean(out, o->subtitle)))
			goto out;
		fputs("</text>\n", out);
	}
	fprintf(out,
		"<text class=\"ctl ks-reset off\" x=\"%d\" y=\"24\">Reset zoom</text>\n"
		"<text class=\"ctl ks-search\" x=\"%u\" y=\"24\">Search</text>\n"
		"<text class=\"ctl ks-clear off\" x=\"%u\" y=\"%u\">Clear search</text>\n",
		PAD, width - PAD, width - PAD, head - 14);
	/* The legend: the kinds this graph has. */
	fputs("<g class=\"legend\">", out);
	lx = PAD;
	for (int k = 0; k < KS_FLAME_KINDS; k++) {
		const struct family *c = &families[k];
		char col[8];

		if (!present[k])
			continue;
		hsl_hex((c->h0 + c->h1) / 2, (c->s0 + c->s1) / 2, (c->l0 + c->l1) / 2, col);
		fprintf(out,
			"<rect x=\"%.0f\" y=\"%u\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%.0f\" y=\"%u\">%s</text>",
			lx, head - 23, col, lx + 14, head - 14, kind_label[k]);
		lx += 14 + 7 * strlen(kind_label[k]) + 16;
	}
	fputs("</g>\n<g class=\"ks-frames\">\n", out);

	for (size_t i = 0; i < l.norder; i++) {
		uint32_t v = l.order[i].node;
		const struct fnode *n = &f->nodes[v];
		double x = PAD + (double)l.order[i].x * scale;
		double w = v ? (double)n->total * scale : plot_w;
		unsigned int d = l.order[i].depth;
		unsigned int y = head + (o->inverted ? d : l.max_depth - d) * ROW;
		const struct shown *sh = v ? &l.shown[n->name] : NULL;
		struct shown root = { (char *)"all", 3, 3, KS_FLAME_USER, "#d8d2c8" };

		if (!sh)
			sh = &root;
		fprintf(out,
			"<g class=\"f %c\" data-x=\"%llu\" data-c=\"%llu\" data-d=\"%u\"><title>",
			v ? kind_class[sh->kind] : 'r', l.order[i].x, n->total, d);
		xml_put(out, sh->s, sh->len);
		fprintf(out, " (%llu ", n->total);
		xml_put(out, u.s, u.len);
		fprintf(out,
			", %.2f%%)</title><rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" height=\"%d\" "
			"fill=\"%s\"/><text x=\"%.2f\" y=\"%.1f\">",
			total ? 100.0 * (double)n->total / (double)total : 0.0, x, y, w, ROW - 1,
			sh->colour, x + 3, y + ROW - 4.5);
		text_fit(out, sh, w);
		fputs("</text></g>\n", out);
	}
	fprintf(out,
		"</g>\n<text class=\"ks-status\" x=\"%d\" y=\"%u\">Hover over a frame for "
		"details, click to zoom, Ctrl-F or / to search</text>\n"
		"<text class=\"ks-matched\" x=\"%u\" y=\"%u\"></text>\n",
		PAD, height - 10, width - PAD, height - 10);
	fprintf(out, "<script type=\"text/javascript\"><![CDATA[\n%s]]></script>\n</svg>\n",
		flame_js);
	if (fflush(out) || ferror(out))
		err = -(errno ? errno : EIO);
out:
	free(u.s);
	layout_free(&l, f->nnames);
	return err;
}
