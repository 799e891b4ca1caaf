// SPDX-License-Identifier: GPL-2.0-only
/* The language's compiler: checks types and emits BPF instructions for every probe. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "lang/compile.h"
#include "core/btf.h"
#include "core/common.h"
#include "core/loop.h"
#include "lang/insn.h"

#define MAX_STACK	 512
#define STR_DEFAULT	 64 /* bytes of str() and string values, as bpftrace's default */
#define LANG_MAP_ENTRIES 4096
#define RING_SIZE	 (256 * 1024)
#define STACK_DEPTH	 127
#define REC_HDR		 16
#define KS_LANG_ARRAY(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_PASSES	 16 /* repeats of pass 1 for the layouts to settle */

/* Registers: r6 keeps the context, r9 the ring-buffer record being built. */
enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };

/* x86-64 struct pt_regs offsets of the argument and return registers. */
static const int regs_arg_off[] = { 112, 104, 96, 88, 72, 64 };
#define REGS_AX 80
#define REGS_IP 128
#define REGS_SP 152

struct cgmaps;
struct pvars;

struct var {
	char *name;
	struct lang_type *ty;
	int off;
};

struct loop {
	size_t *brk, nbrk;
	size_t *cont, ncont;
};

struct cg {
	struct lang_compiled *out;
	const struct lang_program *p;
	const struct lang_compile_opts *o;
	struct lang_diag *d;
	int err;
	/* the program being generated */
	struct bpf_insn *ins;
	struct lang_pos *lines;
	size_t n, cap;
	struct lang_pos cur;
	int sp, max_sp; /* bytes of stack in use, most ever */
	struct var *vars;
	size_t nvars;
	int vars_lo; /* lowest offset of a variable slot (negative) */
	const struct lang_probe *probe;
	size_t probe_idx;	/* index of the target's name (the `probe` builtin) */
	size_t probe_idx_probe; /* index of the probe in the program */
	struct lang_target *t;
	enum lang_ptype ptype;
	struct lang_tpfield *tpf;
	size_t ntpf;
	struct loop *loops;
	size_t nloops;
	size_t *exits, nexits; /* jumps to the epilogue */
	/* types allocated so far, freed at the end */
	struct lang_type **types;
	size_t ntypes;
	bool btf;
	bool btf_tried;
	/* kept across the passes */
	struct cgmaps *maps;
	struct pvars *pv; /* per probe */
	int pass;	  /* 0, 1: types only; 2: the programs kept */
	/* a layout (a variable, a map's key or value, a record, a ?: result) changed in this
	 * pass: the code of this pass sized slots by the old one, so another pass follows */
	bool grew;
	/* pass 2: programs by a hash of their code (index + 1, 0 for empty), so finding an
	 * earlier program with the same code costs one probe, not a scan of all of them */
	size_t *dedup, ndedup; /* ndedup: a power of two */
};

static struct lang_type ty_u64 = { .kind = TY_INT, .size = 8 };
static struct lang_type ty_s64 = { .kind = TY_INT, .size = 8, .sign = true };
static struct lang_type ty_void = { .kind = TY_VOID };

static int fail(struct cg *g, struct lang_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct cg *g, struct lang_pos pos, const char *fmt, ...)
{
	va_list ap;

	if (g->err)
		return g->err;
	g->d->pos = pos;
	va_start(ap, fmt);
	vsnprintf(g->d->msg, sizeof(g->d->msg), fmt, ap);
	va_end(ap);
	g->err = -EINVAL;
	return g->err;
}

static int nomem(struct cg *g)
{
	if (!g->err) {
		g->d->pos = g->cur;
		snprintf(g->d->msg, sizeof(g->d->msg), "out of memory");
		g->err = -ENOMEM;
	}
	return g->err;
}

static struct lang_type *ty_new(struct cg *g, enum lang_tkind k, uint32_t size)
{
	struct lang_type *t = calloc(1, sizeof(*t)), **v;

	if (!t)
		return nomem(g), NULL;
	v = realloc(g->types, (g->ntypes + 1) * sizeof(*v));
	if (!v) {
		free(t);
		return nomem(g), NULL;
	}
	g->types = v;
	g->types[g->ntypes++] = t;
	t->kind = k;
	t->size = size;
	return t;
}

static struct lang_type *ty_int(struct cg *g, uint32_t size, bool sign)
{
	struct lang_type *t;

	if (size == 8)
		return sign ? &ty_s64 : &ty_u64;
	t = ty_new(g, TY_INT, size);
	if (t)
		t->sign = sign;
	return t;
}

static struct lang_type *ty_str(struct cg *g, uint32_t size)
{
	return ty_new(g, TY_STR, size);
}

static bool is_int(const struct lang_type *t)
{
	return t->kind == TY_INT;
}

/* Integers of every size travel as 64-bit values; pointers as addresses. */
static bool is_scalar(const struct lang_type *t)
{
	switch (t->kind) {
	case TY_INT:
	case TY_PTR:
	case TY_KSTACK:
	case TY_USTACK:
	case TY_KSYM:
	case TY_PROBE:
	case TY_USERNAME:
		return true;
	default:
		return false;
	}
}

static const char *ty_name(const struct lang_type *t)
{
	switch (t->kind) {
	case TY_VOID:
		return "void";
	case TY_INT:
		return "an integer";
	case TY_STR:
		return "a string";
	case TY_PTR:
		return "a pointer";
	case TY_RECORD:
		return "a struct";
	case TY_ARRAY:
		return "an array";
	case TY_KSTACK:
		return "a kernel stack";
	case TY_USTACK:
		return "a user stack";
	case TY_KSYM:
		return "a kernel symbol";
	case TY_USYM:
		return "a user symbol";
	case TY_PROBE:
		return "a probe name";
	case TY_USERNAME:
		return "a user name";
	case TY_TUPLE:
		return "a tuple";
	case TY_AGG:
		return "an aggregation";
	case TY_ARGS:
		return "args";
	}
	return "?";
}

static uint32_t round8(uint32_t v)
{
	return (v + 7) & ~7u;
}

/* Bytes a value of @t takes in a record, key or map value. */
static uint32_t ty_storage(const struct lang_type *t)
{
	if (is_scalar(t))
		return 8;
	if (t->kind == TY_USYM)
		return 16;
	return round8(t->size);
}

/* --- emitting ---------------------------------------------------------------------------- */

static size_t emit(struct cg *g, struct bpf_insn in)
{
	if (g->err)
		return g->n;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 256;
		struct bpf_insn *i = realloc(g->ins, cap * sizeof(*i));
		struct lang_pos *l;

		if (!i)
			return nomem(g), g->n;
		g->ins = i;
		l = realloc(g->lines, cap * sizeof(*l));
		if (!l)
			return nomem(g), g->n;
		g->lines = l;
		g->cap = cap;
	}
	g->lines[g->n] = g->cur;
	g->ins[g->n] = in;
	return g->n++;
}

static void emit_ld64(struct cg *g, int reg, uint64_t v)
{
	emit(g, I_LD64_1(reg, 0, v));
	emit(g, I_LD64_2(v));
}

static void emit_map(struct cg *g, int reg, int map)
{
	emit(g, I_LD64_1(reg, BPF_PSEUDO_MAP_FD, map));
	emit(g, I_LD64_2(0));
}

static void emit_movi(struct cg *g, int reg, int64_t v)
{
	if (v >= INT32_MIN && v <= INT32_MAX)
		emit(g, I_MOVI(reg, (int32_t)v));
	else
		emit_ld64(g, reg, (uint64_t)v);
}

/* A forward jump to patch later with patch(): returns its index. */
static void patch(struct cg *g, size_t at)
{
	if (g->err || at >= g->n)
		return;
	g->ins[at].off = (int16_t)(g->n - at - 1);
	if (g->n - at - 1 > 32767)
		fail(g, g->cur, "the program is too long (jump over %zu instructions)", g->n - at);
}

static void patch_to(struct cg *g, size_t at, size_t target)
{
	if (g->err || at >= g->n)
		return;
	g->ins[at].off = (int16_t)((long)target - (long)at - 1);
}

/* Stack slots: allocated downwards from r10, freed in reverse order. */
static int stack_alloc(struct cg *g, uint32_t size)
{
	size = round8(size);
	g->sp += size;
	if (g->sp > g->max_sp)
		g->max_sp = g->sp;
	if (g->sp > MAX_STACK)
		fail(g, g->cur,
		     "this probe needs more than %d bytes of BPF stack: use shorter "
		     "strings (str(x, N)) or fewer values at once",
		     MAX_STACK);
	return -g->sp;
}

static void stack_free_to(struct cg *g, int sp)
{
	g->sp = sp;
}

/* Zero @size bytes at r10 + @off. */
static void emit_zero_stack(struct cg *g, int off, uint32_t size)
{
	for (uint32_t i = 0; i < round8(size); i += 8)
		emit(g, I_ST(BPF_DW, R10, off + (int)i, 0));
}

/* Copy @size bytes (a multiple of 8 here) from @sreg+@soff to @dreg+@doff through r1. */
static void emit_copy(struct cg *g, int dreg, int doff, int sreg, int soff, uint32_t size)
{
	uint32_t i = 0;

	for (; i + 8 <= size; i += 8) {
		emit(g, I_LDX(BPF_DW, R1, sreg, soff + (int)i));
		emit(g, I_STX(BPF_DW, dreg, R1, doff + (int)i));
	}
	for (; i < size; i++) {
		emit(g, I_LDX(BPF_B, R1, sreg, soff + (int)i));
		emit(g, I_STX(BPF_B, dreg, R1, doff + (int)i));
	}
}

/*
 * Copy the char array of @size bytes at @sreg + @soff to r10 + @doff (the same place is
 * fine), zeroing every byte after the first NUL. The kernel often leaves the tail of an
 * older, longer string there (strscpy into a reused event buffer, a renamed task's comm),
 * and equal strings must be equal bytes: they are map keys. Clobbers r1 and r2.
 */
static void emit_copy_cstr(struct cg *g, int sreg, int soff, int doff, uint32_t size)
{
	emit(g, I_MOVI(R2, 0xff)); /* 0 once the NUL is seen */
	for (uint32_t i = 0; i < size; i++) {
		emit(g, I_LDX(BPF_B, R1, sreg, soff + (int)i));
		emit(g, I_ALU(BPF_AND, R1, R2));
		emit(g, I_STX(BPF_B, R10, R1, doff + (int)i));
		if (i + 1 < size) {
			emit(g, I_JMPI(BPF_JNE, R1, 0, 1));
			emit(g, I_MOVI(R2, 0));
		}
	}
}

static void emit_call(struct cg *g, int fn)
{
	emit(g, I_CALL(fn));
}

/* Sign- or zero-extend r0 from @size bytes to 64 bits. */
static void emit_extend(struct cg *g, int reg, uint32_t size, bool sign)
{
	int sh;

	if (size >= 8 || !size)
		return;
	sh = 64 - 8 * (int)size;
	emit(g, I_ALUI(BPF_LSH, reg, sh));
	emit(g, I_ALUI(sign ? BPF_ARSH : BPF_RSH, reg, sh));
}

static int ldx_size(uint32_t size)
{
	switch (size) {
	case 1:
		return BPF_B;
	case 2:
		return BPF_H;
	case 4:
		return BPF_W;
	default:
		return BPF_DW;
	}
}

/* --- types from the kernel: tracepoint formats and BTF ------------------------------------ */

/*
 * Whether the kernel's BTF is there. Types are read in place from the raw file (core/btf.h):
 * libbpf's parse would copy all of it (5+ MB of memory, milliseconds) for the few types a
 * program touches.
 */
static bool kernel_btf(struct cg *g)
{
	if (!g->btf_tried) {
		g->btf_tried = true;
		g->btf = !ks_btf_check();
	}
	return g->btf;
}

/* Size of BTF type @id (btf__resolve_size's job); 0 if unknown. */
static uint32_t btf_size_of(int id)
{
	const struct btf_type *t = ks_btf_type(id);

	for (int depth = 0; t && depth < 32; depth++) {
		if (btf_is_int(t) || btf_is_composite(t) || btf_is_enum(t) || btf_is_float(t) ||
		    btf_kind(t) == 19 /* enum64 */)
			return t->size;
		if (btf_is_ptr(t))
			return 8;
		if (btf_is_array(t))
			return btf_array(t)->nelems * btf_size_of(btf_array(t)->type);
		if (!btf_is_typedef(t) && !btf_is_mod(t))
			return 0;
		t = ks_btf_type(t->type);
	}
	return 0;
}

/* Skip typedefs and qualifiers. */
static int btf_skip(bool b, int id, const struct btf_type **out)
{
	const struct btf_type *t = ks_btf_type(id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		id = t->type;
		t = ks_btf_type(id);
	}
	*out = t;
	return id;
}

static struct lang_type *ty_from_btf(struct cg *g, int id, bool user)
{
	bool b = kernel_btf(g);
	const struct btf_type *t;
	struct lang_type *r;

	if (!b)
		return NULL;
	id = btf_skip(b, id, &t);
	if (!t || id == 0)
		return &ty_void;
	if (btf_is_int(t)) {
		uint8_t enc = btf_int_encoding(t);
		return ty_int(g, t->size ? t->size : 1, (enc & BTF_INT_SIGNED) || t->size == 1);
	}
	if (btf_is_enum(t))
		return ty_int(g, t->size, true);
	if (btf_is_ptr(t)) {
		r = ty_new(g, TY_PTR, 8);
		if (!r)
			return NULL;
		r->user = user;
		r->btf_id = t->type; /* the pointee, resolved on use */
		return r;
	}
	if (btf_is_composite(t)) {
		r = ty_new(g, TY_RECORD, t->size);
		if (r) {
			r->btf_id = id;
			r->user = user;
		}
		return r;
	}
	if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		const struct btf_type *et;
		int eid = btf_skip(b, a->type, &et);

		if (et && btf_is_int(et) && et->size == 1) {
			r = ty_str(g, a->nelems);
			if (r)
				r->user = user;
			return r;
		}
		r = ty_new(g, TY_ARRAY, (uint32_t)btf_size_of(eid) * a->nelems);
		if (!r)
			return NULL;
		r->nelem = a->nelems;
		r->elem = ty_from_btf(g, eid, user);
		r->user = user;
		return r;
	}
	return &ty_void;
}

/* What a pointer of type @p points at. */
static struct lang_type *ptr_elem(struct cg *g, struct lang_type *p)
{
	if (p->elem)
		return p->elem;
	if (p->btf_id)
		p->elem = ty_from_btf(g, p->btf_id, p->user);
	if (!p->elem)
		p->elem = ty_int(g, 1, true);
	return p->elem;
}

/*
 * Find member @name of record @rid (looking into anonymous members); its byte offset from
 * the record's start, bitfield shift and width, and BTF type.
 */
static int btf_member_find(bool b, int rid, const char *name, uint32_t *boff, uint32_t *bitsize,
			   int *tid)
{
	const struct btf_type *t;
	const struct btf_member *m;

	rid = btf_skip(b, rid, &t);
	if (!t || !btf_is_composite(t))
		return -ENOENT;
	m = btf_members(t);
	for (unsigned i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = ks_btf_str(m->name_off);
		uint32_t bo = btf_member_bit_offset(t, i);

		if (mn && *mn) {
			if (strcmp(mn, name))
				continue;
			*boff = bo;
			*bitsize = btf_member_bitfield_size(t, i);
			*tid = m->type;
			return 0;
		}
		if (!btf_member_find(b, m->type, name, boff, bitsize, tid)) {
			*boff += bo;
			return 0;
		}
	}
	return -ENOENT;
}

/* A type named in a cast: int8..uint64, C integer names, "struct x", with '*'s. */
static struct lang_type *ty_parse(struct cg *g, const char *s, struct lang_pos pos)
{
	static const struct {
		const char *n;
		uint32_t size;
		bool sign;
	} ints[] = {
		{ "int8", 1, true },
		{ "int16", 2, true },
		{ "int32", 4, true },
		{ "int64", 8, true },
		{ "uint8", 1, false },
		{ "uint16", 2, false },
		{ "uint32", 4, false },
		{ "uint64", 8, false },
		{ "char", 1, true },
		{ "short", 2, true },
		{ "int", 4, true },
		{ "long", 8, true },
		{ "unsigned char", 1, false },
		{ "unsigned short", 2, false },
		{ "unsigned int", 4, false },
		{ "unsigned long", 8, false },
		{ "u8", 1, false },
		{ "u16", 2, false },
		{ "u32", 4, false },
		{ "u64", 8, false },
		{ "s8", 1, true },
		{ "s16", 2, true },
		{ "s32", 4, true },
		{ "s64", 8, true },
		{ "bool", 1, false },
	};
	char base[128];
	size_t len = strlen(s), stars = 0;
	struct lang_type *t = NULL;

	while (len && (s[len - 1] == '*' || s[len - 1] == ' ')) {
		stars += s[len - 1] == '*';
		len--;
	}
	if (len >= sizeof(base))
		len = sizeof(base) - 1;
	memcpy(base, s, len);
	base[len] = 0;
	for (size_t i = 0; i < KS_LANG_ARRAY(ints); i++)
		if (!strcmp(base, ints[i].n))
			t = ty_int(g, ints[i].size, ints[i].sign);
	if (!t && (!strncmp(base, "struct ", 7) || !strncmp(base, "union ", 6))) {
		bool b = kernel_btf(g);
		bool un = base[0] == 'u';
		const char *nm = base + (un ? 6 : 7);
		int id;

		while (*nm == ' ')
			nm++;
		if (!b) {
			fail(g, pos,
			     "cast to '%s' needs the kernel's BTF (/sys/kernel/btf/vmlinux)", s);
			return NULL;
		}
		id = ks_btf_id(nm, un ? BTF_KIND_UNION : BTF_KIND_STRUCT);
		if (id < 0) {
			fail(g, pos, "unknown type '%s' (not in the kernel's BTF)", base);
			return NULL;
		}
		t = ty_from_btf(g, id, false);
	}
	if (!t) {
		fail(g, pos, "unknown type '%s' in cast", s);
		return NULL;
	}
	for (size_t i = 0; i < stars; i++) {
		struct lang_type *p = ty_new(g, TY_PTR, 8);

		if (!p)
			return NULL;
		p->elem = t;
		p->btf_id = t->btf_id;
		t = p;
	}
	if (stars == 0 && t->kind == TY_RECORD) {
		fail(g, pos, "cannot cast to a struct value: cast to a pointer ('%s *')", base);
		return NULL;
	}
	return t;
}

/* The type of a tracepoint format field. */
static struct lang_type *ty_from_tpfield(struct cg *g, const struct lang_tpfield *f)
{
	bool user = g->t && g->t->cat && !strcmp(g->t->cat, "syscalls");
	struct lang_type *t;

	if (f->data_loc) {
		t = ty_str(g, STR_DEFAULT);
		return t;
	}
	if (strchr(f->type, '*')) {
		t = ty_new(g, TY_PTR, 8);
		if (!t)
			return NULL;
		t->user = user;
		t->elem = strstr(f->type, "char") ? ty_int(g, 1, true) : &ty_u64;
		if (!strncmp(f->type, "struct ", 7) || !strncmp(f->type, "const struct ", 13)) {
			bool b = kernel_btf(g);
			const char *nm = strstr(f->type, "struct ") + 7;
			char buf[96];
			size_t l = strcspn(nm, " *");
			int id;

			if (b && l < sizeof(buf)) {
				memcpy(buf, nm, l);
				buf[l] = 0;
				id = ks_btf_id(buf, BTF_KIND_STRUCT);
				if (id > 0) {
					t->btf_id = id;
					t->elem = NULL;
				}
			}
		}
		return t;
	}
	if (f->array) {
		uint32_t es = f->size / f->array;

		if (es == 1 && strstr(f->type, "char"))
			return ty_str(g, f->size);
		t = ty_new(g, TY_ARRAY, f->size);
		if (!t)
			return NULL;
		t->nelem = f->array;
		t->elem = ty_int(g, es ? es : 1, f->is_signed);
		return t;
	}
	return ty_int(g, f->size <= 8 ? f->size : 8, f->is_signed);
}

/* --- maps ---------------------------------------------------------------------------------- */

enum mapkind { MK_USER, MK_RING, MK_LOST, MK_KSTACKS, MK_USTACKS, MK_ZERO, MK_PIDS };

struct mapx {
	char *name;
	enum mapkind mk;
	struct lang_type *kt[8];
	size_t nkeys;
	bool keyed;	      /* seen with [] at least once */
	struct lang_type *vt; /* LA_SCALAR value */
	enum lang_agg agg;
	bool is_agg;
	bool written;
	struct lang_node *first; /* for messages */
	int64_t lmin, lmax, lstep;
	bool agg_sign;
};

struct cgmaps {
	struct mapx *v;
	size_t n;
};

static struct cgmaps *g_maps(struct cg *g);

static int map_internal(struct cg *g, enum mapkind mk)
{
	struct cgmaps *m = g_maps(g);
	struct mapx *v;

	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].mk == mk)
			return (int)i;
	v = realloc(m->v, (m->n + 1) * sizeof(*v));
	if (!v)
		return nomem(g), 0;
	m->v = v;
	memset(&m->v[m->n], 0, sizeof(*v));
	m->v[m->n].mk = mk;
	return (int)m->n++;
}

static int map_find(struct cg *g, const char *name, bool create)
{
	struct cgmaps *m = g_maps(g);
	struct mapx *v;

	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].mk == MK_USER && !strcmp(m->v[i].name, name))
			return (int)i;
	if (!create)
		return -1;
	v = realloc(m->v, (m->n + 1) * sizeof(*v));
	if (!v)
		return nomem(g), -1;
	m->v = v;
	memset(&m->v[m->n], 0, sizeof(*v));
	m->v[m->n].name = strdup(name);
	if (!m->v[m->n].name)
		return nomem(g), -1;
	return (int)m->n++;
}

static const char *map_label(const struct mapx *m, char *buf, size_t len)
{
	snprintf(buf, len, "@%s", m->name);
	return buf;
}

static int tuple_merge(struct cg *g, struct lang_type **slot, struct lang_type *t,
		       struct lang_pos pos, const char *what, const char *label);

/*
 * Two types a slot (a variable, a map's key or value, a record argument) can hold alike:
 * same kind; strings grow to the longest, tuples element by element. A slot that changes
 * gets a type of its own (a tuple is copied, never changed in place: code already emitted
 * was laid out by it) and marks the pass as one whose layouts grew.
 */
static int ty_merge(struct cg *g, struct lang_type **slot, struct lang_type *t, struct lang_pos pos,
		    const char *what, const char *label)
{
	struct lang_type *s = *slot;

	if (!s) {
		*slot = t;
		return 0;
	}
	if (s->kind == TY_INT && t->kind == TY_INT)
		return 0;
	if (s->kind == TY_STR && t->kind == TY_STR) {
		if (t->size > s->size) {
			*slot = t;
			g->grew = true;
		}
		return 0;
	}
	if (s->kind == TY_PTR && t->kind == TY_INT)
		return 0;
	if (s->kind == TY_INT && t->kind == TY_PTR) {
		*slot = t;
		g->grew = true;
		return 0;
	}
	if (s->kind == t->kind && s->kind != TY_TUPLE)
		return 0;
	if (s->kind == TY_TUPLE && t->kind == TY_TUPLE && s->nsub == t->nsub)
		return tuple_merge(g, slot, t, pos, what, label);
	return fail(g, pos, "%s: %s is %s here but %s elsewhere", label, what, ty_name(t),
		    ty_name(s));
}

/* ty_merge() of two tuples of as many elements: a new tuple if an element grew. */
static int tuple_merge(struct cg *g, struct lang_type **slot, struct lang_type *t,
		       struct lang_pos pos, const char *what, const char *label)
{
	struct lang_type *s = *slot, *n, **sub = calloc(s->nsub, sizeof(*sub));
	bool same = true;

	if (!sub)
		return nomem(g);
	for (size_t i = 0; i < s->nsub; i++) {
		sub[i] = s->sub[i];
		if (ty_merge(g, &sub[i], t->sub[i], pos, what, label)) {
			free(sub);
			return g->err;
		}
		same = same && sub[i] == s->sub[i];
	}
	if (same) {
		free(sub);
		return 0;
	}
	n = ty_new(g, TY_TUPLE, 0);
	if (!n) {
		free(sub);
		return g->err;
	}
	n->sub = sub;
	n->nsub = s->nsub;
	for (size_t i = 0; i < n->nsub; i++)
		n->size += ty_storage(sub[i]);
	*slot = n;
	return 0;
}

static uint32_t map_key_size(const struct mapx *m)
{
	uint32_t s = 0;

	for (size_t i = 0; i < m->nkeys; i++)
		s += ty_storage(m->kt[i]);
	return s ? s : 8;
}

static uint32_t agg_size(const struct mapx *m)
{
	switch (m->agg) {
	case LA_COUNT:
	case LA_SUM:
		return 8;
	case LA_AVG:
	case LA_MIN:
	case LA_MAX:
	case LA_STATS:
		return 16;
	case LA_HIST:
		return LANG_HIST_SLOTS * 8;
	case LA_LHIST:
		return lang_lhist_slots(m->lmin, m->lmax, m->lstep) * 8;
	default:
		return m->vt ? ty_storage(m->vt) : 8;
	}
}

/* --- values -------------------------------------------------------------------------------- */

enum loc { L_REG, L_STACK, L_MEM };

/* Where an expression's value is: r0 (scalars; L_MEM: the address of a struct or array),
 * or a stack slot at r10 + off (strings, tuples, usym). */
struct val {
	struct lang_type *ty;
	enum loc loc;
	int off;
};

static int gen_expr(struct cg *g, struct lang_node *e, struct val *v);
static int gen_map_assign(struct cg *g, struct lang_node *target, int op, struct lang_node *value);

/* Read @size bytes at the address in r3 into r10 + @off, from kernel or user memory. */
static void emit_read(struct cg *g, int off, uint32_t size, bool user, bool str)
{
	emit(g, I_MOV(R1, R10));
	emit(g, I_ALUI(BPF_ADD, R1, off));
	emit(g, I_MOVI(R2, (int32_t)size));
	if (str)
		emit_call(g, user ? BPF_FUNC_probe_read_user_str : BPF_FUNC_probe_read_kernel_str);
	else
		emit_call(g, user ? BPF_FUNC_probe_read_user : BPF_FUNC_probe_read_kernel);
}

/*
 * Load a scalar of type @t from the address in r0 (reading kernel/user memory) into r0,
 * extended to 64 bits.
 */
static void emit_load_mem(struct cg *g, struct lang_type *t, bool user)
{
	int tmp = stack_alloc(g, 8);
	uint32_t size = is_int(t) ? t->size : 8;

	emit(g, I_ST(BPF_DW, R10, tmp, 0));
	emit(g, I_MOV(R3, R0));
	emit_read(g, tmp, size, user, false);
	emit(g, I_LDX(ldx_size(size), R0, R10, tmp));
	if (is_int(t))
		emit_extend(g, R0, size, t->sign);
	stack_free_to(g, -tmp - 8);
}

/*
 * The value at address r0 of type @t, as a value: scalars are loaded, strings copied to
 * the stack, structs and arrays stay addresses (L_MEM).
 */
static int mem_value(struct cg *g, struct lang_type *t, bool user, struct val *v)
{
	v->ty = t;
	if (is_scalar(t)) {
		emit_load_mem(g, t, user);
		v->loc = L_REG;
		return g->err;
	}
	if (t->kind == TY_STR) {
		/* a char array: all of it (it may have no NUL), then nothing after a NUL */
		int off = stack_alloc(g, t->size);

		emit_zero_stack(g, off, t->size);
		emit(g, I_MOV(R3, R0));
		emit_read(g, off, t->size, user, false);
		emit_copy_cstr(g, R10, off, off, t->size);
		v->loc = L_STACK;
		v->off = off;
		return g->err;
	}
	v->loc = L_MEM;
	return g->err;
}

/* Copy string value @v into @dsize bytes at @dreg + @doff, zero-filled after it. */
static void store_str(struct cg *g, const struct val *v, int dreg, int doff, uint32_t dsize)
{
	uint32_t have = round8(v->ty->size), n = have < dsize ? have : dsize;

	emit_copy(g, dreg, doff, R10, v->off, n & ~7u);
	for (uint32_t i = n & ~7u; i < n; i++) {
		emit(g, I_LDX(BPF_B, R1, R10, v->off + (int)i));
		emit(g, I_STX(BPF_B, dreg, R1, doff + (int)i));
	}
	for (uint32_t i = n; i < dsize; i++)
		emit(g, I_ST(BPF_B, dreg, doff + (int)i, 0));
	/* a string cut short keeps a terminating NUL */
	if (dsize && dsize < v->ty->size)
		emit(g, I_ST(BPF_B, dreg, doff + (int)dsize - 1, 0));
}

/* Store value @v (just computed: a scalar is in r0) as type @dt at @dreg + @doff. */
static int store_val(struct cg *g, const struct val *v, struct lang_type *dt, int dreg, int doff)
{
	if (is_scalar(v->ty)) {
		if (!is_scalar(dt))
			return fail(g, g->cur, "cannot store %s where %s is expected",
				    ty_name(v->ty), ty_name(dt));
		emit(g, I_STX(BPF_DW, dreg, R0, doff));
		return g->err;
	}
	if (v->ty->kind == TY_STR) {
		if (dt->kind != TY_STR)
			return fail(g, g->cur, "cannot store a string where %s is expected",
				    ty_name(dt));
		store_str(g, v, dreg, doff, round8(dt->size));
		return g->err;
	}
	if (v->ty->kind == TY_USYM) {
		emit_copy(g, dreg, doff, R10, v->off, 16);
		return g->err;
	}
	if (v->ty->kind == TY_TUPLE) {
		uint32_t o = 0;

		if (dt->kind != TY_TUPLE || dt->nsub != v->ty->nsub)
			return fail(g, g->cur, "cannot store a tuple where %s is expected",
				    ty_name(dt));
		/* elements were laid out by the tuple's own (possibly smaller) types */
		for (size_t i = 0, so = 0; i < dt->nsub; i++) {
			struct lang_type *st = v->ty->sub[i], *et = dt->sub[i];
			struct val ev = { .ty = st, .loc = L_STACK, .off = v->off + (int)so };

			if (is_scalar(st)) {
				emit(g, I_LDX(BPF_DW, R0, R10, ev.off));
				ev.loc = L_REG;
			}
			store_val(g, &ev, et, dreg, doff + (int)o);
			so += ty_storage(st);
			o += ty_storage(et);
		}
		return g->err;
	}
	return fail(g, g->cur, "cannot store %s", ty_name(v->ty));
}

/* Force a value onto the stack (for comparisons and tuples). */
static int spill(struct cg *g, struct val *v)
{
	if (v->loc == L_STACK)
		return 0;
	if (v->loc == L_MEM)
		return fail(g, g->cur, "cannot use %s as a value here", ty_name(v->ty));
	v->off = stack_alloc(g, 8);
	emit(g, I_STX(BPF_DW, R10, R0, v->off));
	v->loc = L_STACK;
	return g->err;
}

/* Evaluate @e as a scalar into r0. */
static int gen_scalar(struct cg *g, struct lang_node *e, struct val *v)
{
	if (gen_expr(g, e, v))
		return g->err;
	if (!is_scalar(v->ty))
		return fail(g, e->pos, "expected an integer, found %s", ty_name(v->ty));
	return 0;
}

/* Evaluate @e, which must be a constant integer. */
static int const_int(struct cg *g, struct lang_node *e, int64_t *out)
{
	if (e->kind == LN_INT) {
		*out = e->ival;
		return 0;
	}
	if (e->kind == LN_UNOP && e->op == LT_MINUS && e->kids[0]->kind == LN_INT) {
		*out = -e->kids[0]->ival;
		return 0;
	}
	if (e->kind == LN_PARAM && e->ival > 0 && (size_t)e->ival <= g->o->nparams) {
		char *end;
		long long v = strtoll(g->o->params[e->ival - 1], &end, 0);

		if (*end == 0) {
			*out = v;
			return 0;
		}
	}
	return fail(g, e->pos, "expected a constant integer");
}

/* --- builtins ------------------------------------------------------------------------------ */

static bool is_uprobe(enum lang_ptype t)
{
	return t == LP_UPROBE || t == LP_URETPROBE || t == LP_USDT;
}

static bool has_regs(enum lang_ptype t)
{
	return t == LP_KPROBE || t == LP_KRETPROBE || t == LP_UPROBE || t == LP_URETPROBE ||
	       t == LP_USDT || t == LP_PROFILE || t == LP_SOFTWARE || t == LP_HARDWARE;
}

/* The BTF function prototype of the current rawtracepoint or kfunc target; 0 if none. */
static int target_proto(struct cg *g, const struct btf_type **proto)
{
	bool b = kernel_btf(g);
	const struct btf_type *t;
	char name[160];
	int id;

	if (!b || !g->t || !g->t->event)
		return 0;
	if (g->ptype == LP_RAWTP) {
		/* __bpf_trace_NAME's prototype names the arguments; btf_trace_NAME's does not */
		snprintf(name, sizeof(name), "__bpf_trace_%s", g->t->event);
		id = ks_btf_id(name, BTF_KIND_FUNC);
		if (id > 0) {
			t = ks_btf_type(ks_btf_type(id)->type);
			if (t && btf_is_func_proto(t)) {
				*proto = t;
				return 1;
			}
		}
		snprintf(name, sizeof(name), "btf_trace_%s", g->t->event);
		id = ks_btf_id(name, BTF_KIND_TYPEDEF);
		if (id < 0)
			return 0;
		btf_skip(b, id, &t);
		if (!t || !btf_is_ptr(t))
			return 0;
		btf_skip(b, t->type, &t);
	} else {
		id = ks_btf_id(g->t->event, BTF_KIND_FUNC);
		if (id < 0)
			return 0;
		t = ks_btf_type(ks_btf_type(id)->type);
	}
	if (!t || !btf_is_func_proto(t))
		return 0;
	*proto = t;
	return 1;
}

/* Argument @i of a rawtracepoint/kfunc (an u64 slot of the context) as typed by BTF. */
static int ctx_arg(struct cg *g, int i, struct lang_type *t, struct val *v)
{
	emit(g, I_LDX(BPF_DW, R0, R6, i * 8));
	if (is_int(t))
		emit_extend(g, R0, t->size, t->sign);
	v->ty = t;
	v->loc = L_REG;
	return g->err;
}

static int gen_args_field(struct cg *g, const char *name, struct lang_pos pos, struct val *v)
{
	if (g->ptype == LP_TRACEPOINT) {
		for (size_t i = 0; i < g->ntpf; i++) {
			const struct lang_tpfield *f = &g->tpf[i];
			struct lang_type *t;

			if (strcmp(f->name, name))
				continue;
			t = ty_from_tpfield(g, f);
			if (!t)
				return g->err ? g->err : nomem(g);
			v->ty = t;
			if (f->data_loc) {
				int off = stack_alloc(g, t->size);

				emit_zero_stack(g, off, t->size);
				emit(g, I_LDX(BPF_W, R3, R6, (int16_t)f->off));
				emit(g, I_ALUI(BPF_AND, R3, 0xffff));
				emit(g, I_ALU(BPF_ADD, R3, R6));
				emit_read(g, off, t->size, false, true);
				v->loc = L_STACK;
				v->off = off;
				return g->err;
			}
			if (t->kind == TY_STR || t->kind == TY_ARRAY) {
				/* copy the array out of the record, a byte at a time (ctx rules) */
				int off = stack_alloc(g, t->size);

				emit_zero_stack(g, off, t->size);
				if (t->kind == TY_STR)
					emit_copy_cstr(g, R6, (int)f->off, off, f->size);
				for (uint32_t b = 0; t->kind == TY_ARRAY && b < f->size; b++) {
					emit(g, I_LDX(BPF_B, R1, R6, (int16_t)(f->off + b)));
					emit(g, I_STX(BPF_B, R10, R1, off + (int)b));
				}
				if (t->kind == TY_ARRAY) {
					emit(g, I_MOV(R0, R10));
					emit(g, I_ALUI(BPF_ADD, R0, off));
					/* an address on our stack: read it as kernel memory */
					v->loc = L_MEM;
					return g->err;
				}
				v->loc = L_STACK;
				v->off = off;
				return g->err;
			}
			emit(g, I_LDX(ldx_size(f->size), R0, R6, (int16_t)f->off));
			if (is_int(t))
				emit_extend(g, R0, f->size, t->sign);
			v->loc = L_REG;
			return g->err;
		}
		return fail(g, pos, "tracepoint %s:%s has no field '%s'", g->t->cat, g->t->event,
			    name);
	}
	if (g->ptype == LP_RAWTP || g->ptype == LP_KFUNC || g->ptype == LP_KRETFUNC) {
		const struct btf_type *proto;
		const struct btf_param *pa;
		int first = g->ptype == LP_RAWTP ? 1 : 0;

		if (!target_proto(g, &proto))
			return fail(g, pos, "args of %s need the kernel's BTF; use arg0..argN",
				    g->t->name);
		pa = btf_params(proto);
		for (int i = first; i < btf_vlen(proto); i++) {
			const char *pn = ks_btf_str(pa[i].name_off);
			struct lang_type *t;

			if (!pn || strcmp(pn, name))
				continue;
			t = ty_from_btf(g, pa[i].type, false);
			if (!t)
				return g->err ? g->err : nomem(g);
			if (!is_scalar(t))
				return fail(g, pos, "args.%s: %s arguments are not supported", name,
					    ty_name(t));
			return ctx_arg(g, i - first, t, v);
		}
		{
			bool named = false;

			for (int i = first; i < btf_vlen(proto); i++) {
				const char *pn = ks_btf_str(pa[i].name_off);

				named |= pn && *pn;
			}
			if (!named)
				return fail(g, pos,
					    "this kernel's BTF does not name the arguments of "
					    "%s: use arg0..arg%d",
					    g->t->name, btf_vlen(proto) - first - 1);
		}
		return fail(g, pos, "%s has no argument '%s'", g->t->name, name);
	}
	return fail(g, pos, "args is not available in %s probes%s", lang_ptype_name(g->ptype),
		    is_uprobe(g->ptype) ? " (it needs DWARF debug info): use arg0..arg5" : "");
}

/*
 * The first time a process shows up here, tell kscope (a LANG_REC_LEARN record) so that it
 * reads the process's mappings while the process lives: its user stacks and usym() values
 * are printed at the end, maybe after it exited. Keeps r0-r5 clobbered, r6-r9 intact.
 */
static void emit_count_lost(struct cg *g, int idx);

static void emit_learn_pid(struct cg *g)
{
	int pids = map_internal(g, MK_PIDS), rec = stack_alloc(g, 16);
	size_t seen, full;

	emit_call(g, BPF_FUNC_get_current_pid_tgid);
	emit(g, I_ALUI(BPF_RSH, R0, 32));
	emit(g, I_ST(BPF_W, R10, rec, LANG_REC_LEARN));
	emit(g, I_ST(BPF_W, R10, rec + 4, 0));
	emit(g, I_STX(BPF_W, R10, R0, rec + 8));
	emit(g, I_STX(BPF_W, R10, R0, rec + 12));
	emit_map(g, R1, pids);
	emit(g, I_MOV(R2, R10));
	emit(g, I_ALUI(BPF_ADD, R2, rec + 8));
	emit(g, I_MOV(R3, R10));
	emit(g, I_ALUI(BPF_ADD, R3, rec + 8));
	emit(g, I_MOVI(R4, BPF_NOEXIST));
	emit_call(g, BPF_FUNC_map_update_elem);
	seen = emit(g, I_JMPI(BPF_JNE, R0, 0, 0)); /* known already (or the map is full) */
	emit_map(g, R1, map_internal(g, MK_RING));
	emit(g, I_MOV(R2, R10));
	emit(g, I_ALUI(BPF_ADD, R2, rec));
	emit(g, I_MOVI(R3, 16));
	emit(g, I_MOVI(R4, 0));
	emit_call(g, BPF_FUNC_ringbuf_output);
	full = emit(g, I_JMPI(BPF_JEQ, R0, 0, 0));
	emit_count_lost(g, LANG_LOST_RING);
	patch(g, full);
	patch(g, seen);
	stack_free_to(g, -rec - 16);
}

/*
 * A stack as one u64: the stack map's id in the low 32 bits; above it the frames to show
 * (0 for all) << 56 and, for a user stack, the process: (limit << 56) | (tgid << 32) | id.
 */
static int gen_stackid(struct cg *g, bool user, int64_t limit, struct val *v)
{
	int map = map_internal(g, user ? MK_USTACKS : MK_KSTACKS);

	if (user)
		emit_learn_pid(g);
	emit(g, I_MOV(R1, R6));
	emit_map(g, R2, map);
	emit(g, I_MOVI(R3, user ? BPF_F_USER_STACK : 0));
	emit_call(g, BPF_FUNC_get_stackid);
	emit(g, I_MOV(R7, R0));
	emit(g, I_ALUI(BPF_LSH, R7, 32));
	emit(g, I_ALUI(BPF_RSH, R7, 32));
	if (user) {
		emit_call(g, BPF_FUNC_get_current_pid_tgid);
		emit(g, I_ALUI(BPF_RSH, R0, 32));
		emit(g, I_ALUI(BPF_LSH, R0, 32));
		emit(g, I_ALU(BPF_OR, R7, R0));
	}
	if (limit > 0) {
		emit_ld64(g, R1, (uint64_t)limit << 56);
		emit(g, I_ALU(BPF_OR, R7, R1));
	}
	emit(g, I_MOV(R0, R7));
	v->ty = ty_new(g, user ? TY_USTACK : TY_KSTACK, 8);
	v->loc = L_REG;
	return g->err;
}

static int gen_string_lit(struct cg *g, const char *s, size_t len, struct val *v)
{
	uint32_t size = (uint32_t)len + 1;
	int off = stack_alloc(g, size);

	emit_zero_stack(g, off, size);
	for (size_t i = 0; i + 4 <= len; i += 4) {
		uint32_t w;

		memcpy(&w, s + i, 4);
		emit(g, I_ST(BPF_W, R10, off + (int)i, (int32_t)w));
	}
	for (size_t i = len & ~(size_t)3; i < len; i++)
		emit(g, I_ST(BPF_B, R10, off + (int)i, (int8_t)s[i]));
	v->ty = ty_str(g, size);
	v->loc = L_STACK;
	v->off = off;
	return g->err;
}

static int gen_builtin(struct cg *g, struct lang_node *e, struct val *v)
{
	const char *n = e->str;

	v->loc = L_REG;
	v->ty = &ty_u64;
	if (!strcmp(n, "pid") || !strcmp(n, "tid")) {
		emit_call(g, BPF_FUNC_get_current_pid_tgid);
		if (n[0] == 'p')
			emit(g, I_ALUI(BPF_RSH, R0, 32));
		else
			emit_extend(g, R0, 4, false);
	} else if (!strcmp(n, "uid") || !strcmp(n, "gid") || !strcmp(n, "username")) {
		emit_call(g, BPF_FUNC_get_current_uid_gid);
		if (n[0] == 'g')
			emit(g, I_ALUI(BPF_RSH, R0, 32));
		else
			emit_extend(g, R0, 4, false);
		if (n[0] == 'u' && n[1] == 's')
			v->ty = ty_new(g, TY_USERNAME, 8);
	} else if (!strcmp(n, "nsecs")) {
		emit_call(g, BPF_FUNC_ktime_get_ns);
	} else if (!strcmp(n, "elapsed")) {
		emit_call(g, BPF_FUNC_ktime_get_ns);
		emit_ld64(g, R1, g->o->start_ns);
		emit(g, I_ALU(BPF_SUB, R0, R1));
	} else if (!strcmp(n, "cpu")) {
		emit_call(g, BPF_FUNC_get_smp_processor_id);
	} else if (!strcmp(n, "cgroup")) {
		emit_call(g, BPF_FUNC_get_current_cgroup_id);
	} else if (!strcmp(n, "rand")) {
		emit_call(g, BPF_FUNC_get_prandom_u32);
	} else if (!strcmp(n, "jiffies")) {
		emit_call(g, BPF_FUNC_jiffies64);
	} else if (!strcmp(n, "cpid")) {
		if (!g->o->cpid)
			return fail(g, e->pos, "cpid needs a command to trace (-c CMD)");
		emit_movi(g, R0, g->o->cpid);
	} else if (!strcmp(n, "comm")) {
		int off = stack_alloc(g, 16);

		/*
		 * Zeroed first: on some kernels (6.1; 5.10 and 6.12 pad) the helper copies up to
		 * the NUL and leaves the rest of the slot as it was, a longer name from earlier,
		 * and the whole 16 bytes are the key when comm is one (trace/equal_keys).
		 */
		emit_zero_stack(g, off, 16);
		emit(g, I_MOV(R1, R10));
		emit(g, I_ALUI(BPF_ADD, R1, off));
		emit(g, I_MOVI(R2, 16));
		emit_call(g, BPF_FUNC_get_current_comm);
		v->ty = ty_str(g, 16);
		v->loc = L_STACK;
		v->off = off;
	} else if (!strcmp(n, "curtask")) {
		bool b = kernel_btf(g);
		int id = b ? ks_btf_id("task_struct", BTF_KIND_STRUCT) : -1;

		emit_call(g, BPF_FUNC_get_current_task);
		v->ty = ty_new(g, TY_PTR, 8);
		if (v->ty && id > 0)
			v->ty->btf_id = id;
		else if (v->ty)
			v->ty->elem = &ty_u64;
	} else if (!strcmp(n, "retval")) {
		if (g->ptype == LP_KRETPROBE || g->ptype == LP_URETPROBE) {
			emit(g, I_LDX(BPF_DW, R0, R6, REGS_AX));
			v->ty = &ty_s64;
		} else if (g->ptype == LP_KRETFUNC) {
			const struct btf_type *proto;

			if (!target_proto(g, &proto))
				return fail(g, e->pos, "retval of %s needs the kernel's BTF",
					    g->t->name);
			emit(g, I_LDX(BPF_DW, R0, R6, btf_vlen(proto) * 8));
			v->ty = &ty_s64;
		} else {
			return fail(g, e->pos,
				    "retval is only available in kretprobe, uretprobe "
				    "and kretfunc probes");
		}
	} else if (!strcmp(n, "probe")) {
		emit_movi(g, R0, (int64_t)g->probe_idx);
		v->ty = ty_new(g, TY_PROBE, 8);
	} else if (!strcmp(n, "func")) {
		const char *f = g->t && g->t->event ? g->t->event : "";

		if (!g->t ||
		    !(has_regs(g->ptype) || g->ptype == LP_KFUNC || g->ptype == LP_KRETFUNC) ||
		    g->ptype == LP_PROFILE)
			return fail(g, e->pos,
				    "func is only available in kprobe, uprobe and kfunc "
				    "probes");
		return gen_string_lit(g, f, strlen(f), v);
	} else if (!strcmp(n, "kstack") || !strcmp(n, "ustack")) {
		return gen_stackid(g, n[0] == 'u', 0, v);
	} else if (!strncmp(n, "arg", 3) && n[3] >= '0' && n[3] <= '9') {
		int i = atoi(n + 3);

		if (g->ptype == LP_USDT) {
			const struct lang_usdt_arg *a;

			if (!g->t || (size_t)i >= g->t->nuargs)
				return fail(g, e->pos, "%s: %s has %zu arguments", n,
					    g->t ? g->t->name : "usdt", g->t ? g->t->nuargs : 0);
			a = &g->t->uargs[i];
			if (a->kind == LANG_USDT_CONST) {
				emit_movi(g, R0, a->val);
			} else if (a->kind == LANG_USDT_REG) {
				emit(g, I_LDX(BPF_DW, R0, R6, (int16_t)a->reg_off));
				emit_extend(g, R0, (uint32_t)a->size, a->is_signed);
			} else {
				emit(g, I_LDX(BPF_DW, R0, R6, (int16_t)a->reg_off));
				emit_movi(g, R1, a->val);
				emit(g, I_ALU(BPF_ADD, R0, R1));
				emit_load_mem(g, ty_int(g, (uint32_t)a->size, a->is_signed), true);
			}
			v->ty = a->is_signed ? &ty_s64 : &ty_u64;
		} else if (has_regs(g->ptype) && g->ptype != LP_PROFILE) {
			if (i >= (int)KS_LANG_ARRAY(regs_arg_off))
				return fail(g, e->pos,
					    "%s: only arg0..arg5 are passed in registers", n);
			emit(g, I_LDX(BPF_DW, R0, R6, regs_arg_off[i]));
		} else if (g->ptype == LP_RAWTP || g->ptype == LP_KFUNC ||
			   g->ptype == LP_KRETFUNC) {
			const struct btf_type *proto;
			int nargs = 12;

			if (target_proto(g, &proto))
				nargs = btf_vlen(proto) - (g->ptype == LP_RAWTP);
			if (i >= nargs)
				return fail(g, e->pos, "%s: %s has %d arguments", n, g->t->name,
					    nargs);
			emit(g, I_LDX(BPF_DW, R0, R6, i * 8));
		} else {
			return fail(g, e->pos, "%s is not available in %s probes%s", n,
				    lang_ptype_name(g->ptype),
				    g->ptype == LP_TRACEPOINT ? ": use args.FIELD" : "");
		}
	} else if (!strcmp(n, "args")) {
		v->ty = ty_new(g, TY_ARGS, 0);
		v->loc = L_MEM;
	} else {
		return fail(g, e->pos, "unknown builtin '%s'", n);
	}
	return g->err;
}

/* --- expressions --------------------------------------------------------------------------- */

struct pvars {
	struct var *v;
	size_t n;
};

static struct pvars *g_pvars(struct cg *g);

static struct var *var_find(struct cg *g, const char *name)
{
	struct pvars *pv = g_pvars(g);

	for (size_t i = 0; i < pv->n; i++)
		if (!strcmp(pv->v[i].name, name))
			return &pv->v[i];
	return NULL;
}

static int g_pass(struct cg *g);

static struct var *var_declare(struct cg *g, const char *name, struct lang_type *t,
			       struct lang_pos pos)
{
	struct pvars *pv = g_pvars(g);
	struct var *v = var_find(g, name), *nv;
	char lb[80];

	if (v) {
		if (ty_merge(g, &v->ty, t, pos, "the variable",
			     (snprintf(lb, sizeof(lb), "$%s", name), lb)))
			return NULL;
		return v;
	}
	if (g_pass(g) == 2) {
		fail(g, pos, "internal error: variable $%s appeared late", name);
		return NULL;
	}
	/* its slot is allocated when a program starts: the next pass has it */
	g->grew = g->grew || g_pass(g) > 0;
	nv = realloc(pv->v, (pv->n + 1) * sizeof(*nv));
	if (!nv)
		return nomem(g), NULL;
	pv->v = nv;
	v = &pv->v[pv->n++];
	memset(v, 0, sizeof(*v));
	v->name = strdup(name);
	v->ty = t;
	v->off = -8;
	return v->name ? v : (nomem(g), NULL);
}

/* Evaluate @e into @key laid out per @m's key types; returns the key's stack offset. */
static int gen_key(struct cg *g, int mi, struct lang_node *e, int *key)
{
	struct mapx *m = &g_maps(g)->v[mi];
	struct val kv[8];
	uint32_t off = 0;
	char lb[80];

	if (e->nkids > KS_LANG_ARRAY(m->kt))
		return fail(g, e->pos, "too many keys (at most %zu)", KS_LANG_ARRAY(m->kt));
	if (m->nkeys || m->keyed) {
		if (m->nkeys != e->nkids && (m->nkeys || m->keyed))
			return fail(g, e->pos, "%s is used with %zu key%s here and %zu elsewhere",
				    map_label(m, lb, sizeof(lb)), e->nkids,
				    e->nkids == 1 ? "" : "s", m->nkeys);
	}
	m->keyed = m->keyed || e->nkids;
	for (size_t i = 0; i < e->nkids; i++) {
		if (gen_expr(g, e->kids[i], &kv[i]) || spill(g, &kv[i]))
			return g->err;
		m = &g_maps(g)->v[mi]; /* evaluating may have added internal maps */
		if (kv[i].ty->kind == TY_AGG || kv[i].ty->kind == TY_VOID ||
		    kv[i].ty->kind == TY_RECORD || kv[i].ty->kind == TY_ARGS)
			return fail(g, e->kids[i]->pos, "%s cannot be a map key",
				    ty_name(kv[i].ty));
		if (i >= m->nkeys)
			m->kt[i] = NULL;
		if (ty_merge(g, &m->kt[i], kv[i].ty, e->kids[i]->pos, "a key",
			     map_label(m, lb, sizeof(lb))))
			return g->err;
	}
	m->nkeys = e->nkids;
	*key = stack_alloc(g, map_key_size(m));
	if (!e->nkids) {
		emit(g, I_ST(BPF_DW, R10, *key, 0));
		return g->err;
	}
	for (size_t i = 0; i < e->nkids; i++) {
		if (is_scalar(kv[i].ty)) {
			emit(g, I_LDX(BPF_DW, R0, R10, kv[i].off));
			kv[i].loc = L_REG;
		}
		store_val(g, &kv[i], m->kt[i], R10, *key + (int)off);
		off += ty_storage(m->kt[i]);
	}
	return g->err;
}

/* r0 = lookup(@map, r10 + @key) */
static void emit_lookup(struct cg *g, int map, int key)
{
	emit_map(g, R1, map);
	emit(g, I_MOV(R2, R10));
	emit(g, I_ALUI(BPF_ADD, R2, key));
	emit_call(g, BPF_FUNC_map_lookup_elem);
}

static int gen_map_read(struct cg *g, struct lang_node *e, struct val *v)
{
	int mi = map_find(g, e->str, false), key;
	struct mapx *m;
	size_t j;
	char lb[80];

	if (mi < 0 || !g_maps(g)->v[mi].written) {
		if (g_pass(g) == 0) {
			emit(g, I_MOVI(R0, 0));
			v->ty = &ty_s64;
			v->loc = L_REG;
			return 0;
		}
		return fail(g, e->pos, "@%s is read here but never assigned", e->str);
	}
	m = &g_maps(g)->v[mi];
	if (m->is_agg)
		return fail(g, e->pos, "%s holds %s() values, which can only be printed, not read",
			    map_label(m, lb, sizeof(lb)),
			    (const char *[]){ "", "count", "sum", "avg", "min", "max", "stats",
					      "hist", "lhist" }[m->agg]);
	if (gen_key(g, mi, e, &key))
		return g->err;
	m = &g_maps(g)->v[mi];
	emit_lookup(g, mi, key);
	v->ty = m->vt;
	if (is_scalar(m->vt)) {
		emit(g, I_JMPI(BPF_JNE, R0, 0, 2));
		emit(g, I_MOVI(R0, 0));
		emit(g, I_JA(1));
		emit(g, I_LDX(BPF_DW, R0, R0, 0));
		v->loc = L_REG;
		return g->err;
	}
	v->loc = L_STACK;
	v->off = stack_alloc(g, ty_storage(m->vt));
	emit_zero_stack(g, v->off, ty_storage(m->vt));
	j = emit(g, I_JMPI(BPF_JEQ, R0, 0, 0));
	emit_copy(g, R10, v->off, R0, 0, ty_storage(m->vt));
	patch(g, j);
	return g->err;
}

/* Compare the strings at r10 + @a and r10 + @b: r0 = 1 if equal (up to their NUL). */
static void emit_strcmp(struct cg *g, int a, uint32_t asz, int b, uint32_t bsz, uint32_t limit)
{
	uint32_t n = asz < bsz ? asz : bsz;
	size_t *ne = NULL, *eq = NULL, nne = 0, neq = 0, j;

	if (limit && limit < n)
		n = limit;
	ne = calloc(n + 2, sizeof(*ne));
	eq = calloc(n + 2, sizeof(*eq));
	if (!ne || !eq) {
		free(ne);
		free(eq);
		nomem(g);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		emit(g, I_LDX(BPF_B, R1, R10, a + (int)i));
		emit(g, I_LDX(BPF_B, R2, R10, b + (int)i));
		ne[nne++] = emit(g, I_JMP(BPF_JNE, R1, R2, 0));
		eq[neq++] = emit(g, I_JMPI(BPF_JEQ, R1, 0, 0));
	}
	if (!(limit && limit <= n) && asz != bsz) {
		/* all of the shorter one matched without a NUL: the longer must end there */
		emit(g, I_LDX(BPF_B, R1, R10, (asz > bsz ? a : b) + (int)n));
		ne[nne++] = emit(g, I_JMPI(BPF_JNE, R1, 0, 0));
	}
	for (size_t i = 0; i < neq; i++)
		patch(g, eq[i]);
	emit(g, I_MOVI(R0, 1));
	j = emit(g, I_JA(0));
	for (size_t i = 0; i < nne; i++)
		patch(g, ne[i]);
	emit(g, I_MOVI(R0, 0));
	patch(g, j);
	free(ne);
	free(eq);
}

static bool default_user(struct cg *g)
{
	return is_uprobe(g->ptype) || (g->t && g->t->cat && !strcmp(g->t->cat, "syscalls"));
}

static int gen_call_expr(struct cg *g, struct lang_node *e, struct val *v)
{
	const char *f = e->str;
	struct val a;

	v->loc = L_REG;
	if (!strcmp(f, "str")) {
		int64_t n = STR_DEFAULT;
		bool user;
		int off;

		if (e->nkids < 1 || e->nkids > 2)
			return fail(g, e->pos, "str() takes a pointer and an optional length");
		if (e->nkids == 2) {
			if (const_int(g, e->kids[1], &n))
				return g->err;
			if (n < 1 || n > 255)
				return fail(g, e->kids[1]->pos,
					    "str(): length %lld out of range "
					    "1..255",
					    (long long)n);
			n++;
		}
		if (gen_expr(g, e->kids[0], &a))
			return g->err;
		if (a.ty->kind == TY_STR) {
			if (e->nkids < 2 || (uint32_t)n >= a.ty->size) {
				*v = a;
				return 0;
			}
			/* str(s, N) of a string: its first N characters, as bpftrace cuts them */
			off = stack_alloc(g, (uint32_t)n);
			emit_zero_stack(g, off, (uint32_t)n);
			store_str(g, &a, R10, off, (uint32_t)n);
			v->ty = ty_str(g, (uint32_t)n);
			v->loc = L_STACK;
			v->off = off;
			return g->err;
		}
		if (!is_scalar(a.ty))
			return fail(g, e->kids[0]->pos, "str() needs a pointer, found %s",
				    ty_name(a.ty));
		user = a.ty->kind == TY_PTR ? a.ty->user || default_user(g) : default_user(g);
		off = stack_alloc(g, (uint32_t)n);
		emit(g, I_MOV(R3, R0));
		emit_zero_stack(g, off, (uint32_t)n);
		emit_read(g, off, (uint32_t)n, user, true);
		v->ty = ty_str(g, (uint32_t)n);
		v->loc = L_STACK;
		v->off = off;
		return g->err;
	}
	if (!strcmp(f, "ksym") || !strcmp(f, "usym")) {
		if (e->nkids != 1)
			return fail(g, e->pos, "%s() takes one address", f);
		if (gen_scalar(g, e->kids[0], &a))
			return g->err;
		if (f[0] == 'k') {
			v->ty = ty_new(g, TY_KSYM, 8);
			return g->err;
		}
		v->off = stack_alloc(g, 16);
		emit(g, I_STX(BPF_DW, R10, R0, v->off));
		emit_learn_pid(g);
		emit_call(g, BPF_FUNC_get_current_pid_tgid);
		emit(g, I_ALUI(BPF_RSH, R0, 32));
		emit(g, I_STX(BPF_DW, R10, R0, v->off + 8));
		v->ty = ty_new(g, TY_USYM, 16);
		v->loc = L_STACK;
		return g->err;
	}
	if (!strcmp(f, "kstack") || !strcmp(f, "ustack")) {
		int64_t limit = 0;
		struct lang_node *last = e->nkids ? e->kids[e->nkids - 1] : NULL;

		if (e->nkids > 2)
			return fail(g, e->pos, "%s() takes at most a mode and a depth", f);
		/* kstack(N), kstack(bpftrace, N); the mode (bpftrace, perf) is not kept */
		if (last && last->kind != LN_IDENT) {
			if (const_int(g, last, &limit))
				return g->err;
			if (limit < 1 || limit > 127)
				return fail(g, last->pos, "%s(): depth %lld out of range 1..127", f,
					    (long long)limit);
		}
		return gen_stackid(g, f[0] == 'u', limit, v);
	}
	if (!strcmp(f, "strncmp")) {
		struct val b;
		int64_t n;

		if (e->nkids != 3)
			return fail(g, e->pos, "strncmp() takes two strings and a length");
		if (const_int(g, e->kids[2], &n))
			return g->err;
		if (gen_expr(g, e->kids[0], &a) || gen_expr(g, e->kids[1], &b))
			return g->err;
		if (a.ty->kind != TY_STR || b.ty->kind != TY_STR)
			return fail(g, e->pos, "strncmp() compares two strings");
		emit_strcmp(g, a.off, a.ty->size, b.off, b.ty->size, n < 0 ? 0 : (uint32_t)n);
		emit(g, I_ALUI(BPF_XOR, R0, 1)); /* 0 when equal, as strncmp */
		v->ty = &ty_s64;
		return g->err;
	}
	if (!strcmp(f, "reg")) {
		static const struct {
			const char *n;
			int off;
		} regs[] = {
			{ "r15", 0 },  { "r14", 8 },  { "r13", 16 }, { "r12", 24 }, { "bp", 32 },
			{ "bx", 40 },  { "r11", 48 }, { "r10", 56 }, { "r9", 64 },  { "r8", 72 },
			{ "ax", 80 },  { "cx", 88 },  { "dx", 96 },  { "si", 104 }, { "di", 112 },
			{ "ip", 128 }, { "sp", 152 },
		};
		if (e->nkids != 1 || e->kids[0]->kind != LN_STR)
			return fail(g, e->pos, "reg() takes a register name: reg(\"ip\")");
		if (!has_regs(g->ptype))
			return fail(g, e->pos, "reg() is not available in %s probes",
				    lang_ptype_name(g->ptype));
		for (size_t i = 0; i < KS_LANG_ARRAY(regs); i++)
			if (!strcmp(regs[i].n, e->kids[0]->str)) {
				emit(g, I_LDX(BPF_DW, R0, R6, regs[i].off));
				v->ty = &ty_u64;
				return g->err;
			}
		return fail(g, e->kids[0]->pos, "reg(): unknown register '%s'", e->kids[0]->str);
	}
	if (!strcmp(f, "count") || !strcmp(f, "sum") || !strcmp(f, "avg") || !strcmp(f, "min") ||
	    !strcmp(f, "max") || !strcmp(f, "stats") || !strcmp(f, "hist") || !strcmp(f, "lhist"))
		return fail(g, e->pos, "%s() can only be assigned to a map: @x = %s(...)", f, f);
	if (!strcmp(f, "printf") || !strcmp(f, "print") || !strcmp(f, "exit") ||
	    !strcmp(f, "delete") || !strcmp(f, "clear") || !strcmp(f, "zero") || !strcmp(f, "time"))
		return fail(g, e->pos, "%s() returns no value", f);
	return fail(g, e->pos, "unknown function '%s'", f);
}

static bool is_cmp(int op)
{
	return op == LT_EQ || op == LT_NE || op == LT_LT || op == LT_LE || op == LT_GT ||
	       op == LT_GE;
}

static int gen_binop(struct cg *g, struct lang_node *e, struct val *v)
{
	struct val l, r;
	int op = e->op, tmp, sp = g->sp;
	bool sign;

	if (op == LT_LAND || op == LT_LOR) {
		size_t j1, j2;

		if (gen_scalar(g, e->kids[0], &l))
			return g->err;
		j1 = emit(g, I_JMPI(op == LT_LAND ? BPF_JEQ : BPF_JNE, R0, 0, 0));
		if (gen_scalar(g, e->kids[1], &r))
			return g->err;
		emit(g, I_JMPI(op == LT_LAND ? BPF_JEQ : BPF_JNE, R0, 0, 2));
		emit(g, I_MOVI(R0, op == LT_LAND ? 1 : 0));
		j2 = emit(g, I_JA(0));
		patch(g, j1);
		emit(g, I_MOVI(R0, op == LT_LAND ? 0 : 1));
		patch(g, j2);
		v->ty = &ty_s64;
		v->loc = L_REG;
		stack_free_to(g, sp);
		return g->err;
	}
	if (gen_expr(g, e->kids[0], &l))
		return g->err;
	if (l.ty->kind == TY_STR) {
		if (op != LT_EQ && op != LT_NE)
			return fail(g, e->pos,
				    is_cmp(op) ? "strings can only be compared with == "
						 "and !="
					       : "%s needs integers, found a string",
				    lang_tok_name(op));
		if (gen_expr(g, e->kids[1], &r))
			return g->err;
		if (r.ty->kind != TY_STR)
			return fail(g, e->kids[1]->pos, "cannot compare a string with %s",
				    ty_name(r.ty));
		emit_strcmp(g, l.off, l.ty->size, r.off, r.ty->size, 0);
		if (op == LT_NE)
			emit(g, I_ALUI(BPF_XOR, R0, 1));
		v->ty = &ty_s64;
		v->loc = L_REG;
		stack_free_to(g, sp);
		return g->err;
	}
	if (!is_scalar(l.ty))
		return fail(g, e->kids[0]->pos, "operator needs integers, found %s", ty_name(l.ty));
	tmp = stack_alloc(g, 8);
	emit(g, I_STX(BPF_DW, R10, R0, tmp));
	if (gen_expr(g, e->kids[1], &r))
		return g->err;
	if (!is_scalar(r.ty))
		return fail(g, e->kids[1]->pos, "operator needs integers, found %s", ty_name(r.ty));
	emit(g, I_MOV(R1, R0));
	emit(g, I_LDX(BPF_DW, R0, R10, tmp));
	sign = (!is_int(l.ty) || l.ty->sign) && (!is_int(r.ty) || r.ty->sign);
	if (!is_int(l.ty) && !is_int(r.ty))
		sign = false;
	if (l.ty->kind == TY_PTR && (op == LT_PLUS || op == LT_MINUS) && is_int(r.ty)) {
		struct lang_type *el = ptr_elem(g, l.ty);
		uint32_t es = el && el->size ? el->size : 1;

		if (es > 1)
			emit(g, I_ALUI(BPF_MUL, R1, (int32_t)es));
	}
	if (is_cmp(op)) {
		static const struct {
			int op, u, s;
		} m[] = {
			{ LT_EQ, BPF_JEQ, BPF_JEQ },  { LT_NE, BPF_JNE, BPF_JNE },
			{ LT_LT, BPF_JLT, BPF_JSLT }, { LT_LE, BPF_JLE, BPF_JSLE },
			{ LT_GT, BPF_JGT, BPF_JSGT }, { LT_GE, BPF_JGE, BPF_JSGE },
		};
		for (size_t i = 0; i < KS_LANG_ARRAY(m); i++)
			if (m[i].op == op) {
				emit(g, I_JMP(sign ? m[i].s : m[i].u, R0, R1, 2));
				emit(g, I_MOVI(R0, 0));
				emit(g, I_JA(1));
				emit(g, I_MOVI(R0, 1));
			}
		v->ty = &ty_s64;
	} else {
		int bop;

		switch (op) {
		case LT_PLUS:
			bop = BPF_ADD;
			break;
		case LT_MINUS:
			bop = BPF_SUB;
			break;
		case LT_STAR:
			bop = BPF_MUL;
			break;
		case LT_SLASH:
			bop = BPF_DIV;
			break;
		case LT_PERCENT:
			bop = BPF_MOD;
			break;
		case LT_AMP:
			bop = BPF_AND;
			break;
		case LT_PIPE:
			bop = BPF_OR;
			break;
		case LT_CARET:
			bop = BPF_XOR;
			break;
		case LT_SHL:
			bop = BPF_LSH;
			break;
		case LT_SHR:
			bop = sign ? BPF_ARSH : BPF_RSH;
			break;
		default:
			return fail(g, e->pos, "unknown operator %s", lang_tok_name(op));
		}
		emit(g, I_ALU(bop, R0, R1));
		v->ty = l.ty->kind == TY_PTR ? l.ty : (sign ? &ty_s64 : &ty_u64);
	}
	v->loc = L_REG;
	stack_free_to(g, sp);
	return g->err;
}

static int gen_field(struct cg *g, struct lang_node *e, struct val *v)
{
	struct val o;
	struct lang_type *rt;
	bool b;
	uint32_t boff, bsize;
	int tid;

	if (gen_expr(g, e->kids[0], &o))
		return g->err;
	if (o.ty->kind == TY_ARGS)
		return gen_args_field(g, e->str, e->pos, v);
	if (o.ty->kind == TY_PTR) {
		rt = ptr_elem(g, o.ty);
	} else if (o.ty->kind == TY_RECORD && o.loc == L_MEM) {
		rt = o.ty;
	} else if (o.ty->kind == TY_TUPLE && e->str[0] >= '0' && e->str[0] <= '9') {
		size_t i = (size_t)atoi(e->str), off = 0;

		if (i >= o.ty->nsub)
			return fail(g, e->pos, "tuple has %zu elements, no .%zu", o.ty->nsub, i);
		for (size_t k = 0; k < i; k++)
			off += ty_storage(o.ty->sub[k]);
		v->ty = o.ty->sub[i];
		v->loc = L_STACK;
		v->off = o.off + (int)off;
		if (is_scalar(v->ty)) {
			emit(g, I_LDX(BPF_DW, R0, R10, v->off));
			v->loc = L_REG;
		}
		return g->err;
	} else {
		return fail(g, e->pos, "cannot access field '%s' of %s", e->str, ty_name(o.ty));
	}
	b = kernel_btf(g);
	if (!rt || rt->kind != TY_RECORD || !rt->btf_id || !b)
		return fail(g, e->pos,
			    "cannot access field '%s': %s is not a struct pointer with "
			    "BTF type information",
			    e->str, ty_name(o.ty));
	if (btf_member_find(b, rt->btf_id, e->str, &boff, &bsize, &tid)) {
		const struct btf_type *st = ks_btf_type(rt->btf_id);

		return fail(g, e->pos, "struct %s has no field '%s'",
			    st ? ks_btf_str(st->name_off) : "?", e->str);
	}
	if (boff / 8)
		emit(g, I_ALUI(BPF_ADD, R0, (int32_t)(boff / 8)));
	if (bsize) {
		emit_load_mem(g, &ty_u64, rt->user);
		if (boff % 8)
			emit(g, I_ALUI(BPF_RSH, R0, (int32_t)(boff % 8)));
		if (bsize < 64) {
			emit_ld64(g, R1, (bsize == 64 ? ~0ull : (1ull << bsize) - 1));
			emit(g, I_ALU(BPF_AND, R0, R1));
		}
		v->ty = &ty_u64;
		v->loc = L_REG;
		return g->err;
	}
	return mem_value(g, ty_from_btf(g, tid, rt->user), rt->user, v);
}

static int gen_index(struct cg *g, struct lang_node *e, struct val *v)
{
	struct val o, i;
	struct lang_type *el;
	int tmp;

	if (gen_expr(g, e->kids[0], &o))
		return g->err;
	if (o.ty->kind == TY_ARRAY && o.loc == L_MEM)
		el = o.ty->elem;
	else if (o.ty->kind == TY_PTR)
		el = ptr_elem(g, o.ty);
	else if (o.ty->kind == TY_STR && o.loc == L_STACK) {
		int64_t k;

		if (const_int(g, e->kids[1], &k))
			return g->err;
		if (k < 0 || k >= o.ty->size)
			return fail(g, e->kids[1]->pos, "index %lld out of the string's %u bytes",
				    (long long)k, o.ty->size);
		emit(g, I_LDX(BPF_B, R0, R10, o.off + (int)k));
		emit_extend(g, R0, 1, true);
		v->ty = ty_int(g, 1, true);
		v->loc = L_REG;
		return g->err;
	} else
		return fail(g, e->pos, "cannot index %s", ty_name(o.ty));
	if (!el)
		return g->err ? g->err : nomem(g);
	tmp = stack_alloc(g, 8);
	emit(g, I_STX(BPF_DW, R10, R0, tmp));
	if (gen_scalar(g, e->kids[1], &i))
		return g->err;
	if (el->size > 1)
		emit(g, I_ALUI(BPF_MUL, R0, (int32_t)el->size));
	emit(g, I_LDX(BPF_DW, R1, R10, tmp));
	emit(g, I_ALU(BPF_ADD, R0, R1));
	return mem_value(g, el, o.ty->user, v);
}

/* The string bytes of ?:'s branch @b (0 if it is not a string): evaluated, the code dropped. */
static uint32_t branch_str_size(struct cg *g, struct lang_node *b)
{
	size_t at = g->n;
	int sp = g->sp;
	struct val v;

	if (gen_expr(g, b, &v))
		return 0;
	g->n = at;
	stack_free_to(g, sp);
	return v.ty->kind == TY_STR ? v.ty->size : 0;
}

/*
 * c ? a : b. Strings go to one slot as long as the longer branch, written whole (zeros after
 * the shorter), so that equal results are equal bytes in a key. The slot is allocated before
 * either branch runs: its size (e->id) comes from a first evaluation of both branches, and
 * grows (another pass) if a branch's type grows later.
 */
static int gen_ternary(struct cg *g, struct lang_node *e, struct val *v)
{
	struct val a, b;
	size_t j1, j2;
	uint32_t size;
	int res, sp;

	if (!e->id) {
		uint32_t sa = branch_str_size(g, e->kids[1]), sb = branch_str_size(g, e->kids[2]);

		e->id = sa > sb ? (int)sa : (int)sb;
		if (!e->id)
			e->id = -1; /* not strings */
	}
	size = e->id > 0 ? (uint32_t)e->id : 8;
	if (gen_scalar(g, e->kids[0], &a))
		return g->err;
	j1 = emit(g, I_JMPI(BPF_JEQ, R0, 0, 0));
	sp = g->sp;
	res = stack_alloc(g, size);
	if (gen_expr(g, e->kids[1], &a))
		return g->err;
	if (a.ty->kind == TY_STR)
		store_str(g, &a, R10, res, round8(size));
	j2 = emit(g, I_JA(0));
	patch(g, j1);
	if (gen_expr(g, e->kids[2], &b))
		return g->err;
	if (b.ty->kind == TY_STR)
		store_str(g, &b, R10, res, round8(size));
	patch(g, j2);
	if ((a.ty->kind == TY_STR) != (b.ty->kind == TY_STR) ||
	    (!is_scalar(a.ty) && a.ty->kind != TY_STR) ||
	    (!is_scalar(b.ty) && b.ty->kind != TY_STR))
		return fail(g, e->pos, "the two branches of ?: have different types (%s and %s)",
			    ty_name(a.ty), ty_name(b.ty));
	if (a.ty->kind != TY_STR) {
		stack_free_to(g, sp);
		v->ty = a.ty;
		v->loc = L_REG;
		return g->err;
	}
	if (a.ty->size > size || b.ty->size > size) {
		/* cut this time */
		e->id = (int)(a.ty->size > b.ty->size ? a.ty->size : b.ty->size);
		g->grew = true;
	}
	v->ty = ty_str(g, size);
	v->loc = L_STACK;
	v->off = res;
	return g->err;
}

static int gen_expr(struct cg *g, struct lang_node *e, struct val *v)
{
	struct lang_pos save = g->cur;
	struct val a;

	if (g->err)
		return g->err;
	g->cur = e->pos;
	memset(v, 0, sizeof(*v));
	switch (e->kind) {
	case LN_INT:
		emit_movi(g, R0, e->ival);
		v->ty = e->uns ? &ty_u64 : &ty_s64;
		break;
	case LN_STR:
		gen_string_lit(g, e->str, e->len, v);
		break;
	case LN_PARAM:
		if (e->ival == 0) {
			emit_movi(g, R0, (int64_t)g->o->nparams);
			v->ty = &ty_s64;
		} else {
			const char *s =
				(size_t)e->ival <= g->o->nparams ? g->o->params[e->ival - 1] : "";
			char *end;
			long long n = strtoll(s, &end, 0);

			if (*s && !*end) {
				emit_movi(g, R0, n);
				v->ty = &ty_s64;
			} else if (!*s) {
				emit_movi(g, R0, 0);
				v->ty = &ty_s64;
			} else {
				gen_string_lit(g, s, strlen(s), v);
			}
		}
		break;
	case LN_BUILTIN:
		gen_builtin(g, e, v);
		break;
	case LN_VAR: {
		struct var *x = var_find(g, e->str);

		if (!x) {
			if (g_pass(g) == 0) {
				emit(g, I_MOVI(R0, 0));
				v->ty = &ty_s64;
				break;
			}
			fail(g, e->pos, "$%s is used before it is assigned", e->str);
			break;
		}
		v->ty = x->ty;
		if (is_scalar(x->ty)) {
			emit(g, I_LDX(BPF_DW, R0, R10, x->off));
		} else {
			v->loc = L_STACK;
			v->off = x->off;
		}
		break;
	}
	case LN_MAP:
		gen_map_read(g, e, v);
		break;
	case LN_CALL:
		gen_call_expr(g, e, v);
		break;
	case LN_UNOP:
		if (e->op == LT_STAR) {
			if (gen_scalar(g, e->kids[0], &a))
				break;
			if (a.ty->kind != TY_PTR) {
				fail(g, e->pos, "cannot dereference %s", ty_name(a.ty));
				break;
			}
			mem_value(g, ptr_elem(g, a.ty), a.ty->user, v);
			break;
		}
		if (gen_scalar(g, e->kids[0], &a))
			break;
		if (e->op == LT_NOT) {
			emit(g, I_JMPI(BPF_JEQ, R0, 0, 2));
			emit(g, I_MOVI(R0, 0));
			emit(g, I_JA(1));
			emit(g, I_MOVI(R0, 1));
			v->ty = &ty_s64;
		} else if (e->op == LT_BNOT) {
			emit(g, I_ALUI(BPF_XOR, R0, -1));
			v->ty = a.ty;
		} else if (e->op == LT_MINUS) {
			emit(g, I_NEG(R0));
			v->ty = &ty_s64;
		} else {
			fail(g, e->pos, "unsupported unary operator %s", lang_tok_name(e->op));
		}
		break;
	case LN_BINOP:
		gen_binop(g, e, v);
		break;
	case LN_TERNARY:
		gen_ternary(g, e, v);
		break;
	case LN_FIELD:
		gen_field(g, e, v);
		break;
	case LN_INDEX:
		gen_index(g, e, v);
		break;
	case LN_CAST: {
		struct lang_type *t = ty_parse(g, e->str, e->pos);

		if (!t || gen_expr(g, e->kids[0], &a))
			break;
		if (!is_scalar(a.ty)) {
			fail(g, e->pos, "cannot cast %s to %s", ty_name(a.ty), e->str);
			break;
		}
		if (is_int(t))
			emit_extend(g, R0, t->size, t->sign);
		v->ty = is_int(t) ? ty_int(g, 8, t->sign) : t;
		break;
	}
	case LN_INCDEC: {
		struct lang_node *x = e->kids[0];
		struct var *var;

		if (x->kind == LN_MAP) {
			/* the value before (x++) or after (++x) the increment */
			struct val old;
			int tmp;

			if (gen_map_read(g, x, &old))
				break;
			if (!is_int(old.ty)) {
				fail(g, x->pos, "@%s is not an integer", x->str);
				break;
			}
			tmp = stack_alloc(g, 8);
			emit(g, I_STX(BPF_DW, R10, R0, tmp));
			if (gen_map_assign(g, x, e->op, NULL))
				break;
			emit(g, I_LDX(BPF_DW, R0, R10, tmp));
			if (e->ival)
				emit(g, I_ALUI(BPF_ADD, R0, e->op == LT_INC ? 1 : -1));
			v->ty = &ty_s64;
			break;
		}
		if (x->kind != LN_VAR) {
			fail(g, e->pos, "%s needs a map or a $variable", lang_tok_name(e->op));
			break;
		}
		var = var_find(g, x->str);
		if (!var || !is_int(var->ty)) {
			fail(g, x->pos,
			     var ? "$%s is not an integer" : "$%s is used before it is assigned",
			     x->str);
			break;
		}
		emit(g, I_LDX(BPF_DW, R0, R10, var->off));
		emit(g, I_MOV(R1, R0));
		emit(g, I_ALUI(BPF_ADD, R1, e->op == LT_INC ? 1 : -1));
		emit(g, I_STX(BPF_DW, R10, R1, var->off));
		if (e->ival)
			emit(g, I_MOV(R0, R1));
		v->ty = var->ty;
		break;
	}
	case LN_TUPLE: {
		struct val ev[16];
		uint32_t size = 0, o = 0;
		struct lang_type *t;

		if (e->nkids > KS_LANG_ARRAY(ev)) {
			fail(g, e->pos, "a tuple has at most %zu elements", KS_LANG_ARRAY(ev));
			break;
		}
		t = ty_new(g, TY_TUPLE, 0);
		if (!t)
			break;
		t->sub = calloc(e->nkids, sizeof(*t->sub));
		if (!t->sub) {
			nomem(g);
			break;
		}
		t->nsub = e->nkids;
		for (size_t i = 0; i < e->nkids; i++) {
			if (gen_expr(g, e->kids[i], &ev[i]) || spill(g, &ev[i]))
				break;
			if (ev[i].ty->kind == TY_TUPLE || ev[i].ty->kind == TY_ARGS) {
				fail(g, e->kids[i]->pos, "%s cannot be in a tuple",
				     ty_name(ev[i].ty));
				break;
			}
			t->sub[i] = ev[i].ty;
			size += ty_storage(ev[i].ty);
		}
		if (g->err)
			break;
		t->size = size;
		v->off = stack_alloc(g, size);
		for (size_t i = 0; i < e->nkids; i++) {
			if (is_scalar(ev[i].ty)) {
				emit(g, I_LDX(BPF_DW, R0, R10, ev[i].off));
				ev[i].loc = L_REG;
			}
			store_val(g, &ev[i], ev[i].ty, R10, v->off + (int)o);
			o += ty_storage(ev[i].ty);
		}
		v->ty = t;
		v->loc = L_STACK;
		break;
	}
	default:
		fail(g, e->pos, "this is a statement, not an expression");
	}
	if (!v->ty && !g->err)
		v->ty = &ty_void;
	g->cur = save;
	return g->err;
}

/* --- statements ---------------------------------------------------------------------------- */

static int gen_stmt(struct cg *g, struct lang_node *s);

static int gen_block(struct cg *g, struct lang_node *b)
{
	for (size_t i = 0; i < b->nkids && !g->err; i++)
		gen_stmt(g, b->kids[i]);
	return g->err;
}

/* lost[@idx] += 1 (a per-CPU array of counters the runtime reports). */
static void emit_count_lost(struct cg *g, int idx)
{
	int map = map_internal(g, MK_LOST), key = stack_alloc(g, 8);

	emit(g, I_ST(BPF_W, R10, key, idx));
	emit_lookup(g, map, key);
	emit(g, I_JMPI(BPF_JEQ, R0, 0, 3));
	emit(g, I_LDX(BPF_DW, R1, R0, 0));
	emit(g, I_ALUI(BPF_ADD, R1, 1));
	emit(g, I_STX(BPF_DW, R0, R1, 0));
	stack_free_to(g, -key - 8);
}

/* Reserve a record of @size argument bytes into r9; returns the jump taken when the ring
 * is full (patch it after rec_end). */
static size_t rec_begin(struct cg *g, enum lang_rec_kind kind, int id, uint32_t size)
{
	size_t skip, done;

	emit_map(g, R1, map_internal(g, MK_RING));
	emit(g, I_MOVI(R2, (int32_t)(REC_HDR + size)));
	emit(g, I_MOVI(R3, 0));
	emit_call(g, BPF_FUNC_ringbuf_reserve);
	emit(g, I_MOV(R9, R0));
	skip = emit(g, I_JMPI(BPF_JNE, R9, 0, 0));
	emit_count_lost(g, LANG_LOST_RING);
	done = emit(g, I_JA(0));
	patch(g, skip);
	emit(g, I_ST(BPF_W, R9, 0, (int32_t)kind));
	emit(g, I_ST(BPF_W, R9, 4, id));
	emit_call(g, BPF_FUNC_get_current_pid_tgid);
	emit(g, I_STX(BPF_W, R9, R0, 12));
	emit(g, I_ALUI(BPF_RSH, R0, 32));
	emit(g, I_STX(BPF_W, R9, R0, 8));
	return done;
}

static void rec_end(struct cg *g, size_t done)
{
	emit(g, I_MOV(R1, R9));
	emit(g, I_MOVI(R2, 0));
	emit_call(g, BPF_FUNC_ringbuf_submit);
	patch(g, done);
}

/* The record field type of a value of type @t. */
static int field_of(struct cg *g, const struct lang_type *t, struct lang_field *f, uint32_t off)
{
	memset(f, 0, sizeof(*f));
	f->off = off;
	f->size = ty_storage(t);
	switch (t->kind) {
	case TY_INT:
		f->type = t->sign ? LV_INT : LV_UINT;
		break;
	case TY_STR:
		f->type = LV_STR;
		f->size = round8(t->size);
		break;
	case TY_PTR:
	case TY_KSTACK:
	case TY_USTACK:
	case TY_KSYM:
	case TY_USYM:
	case TY_PROBE:
	case TY_USERNAME: {
		static const enum lang_vtype as[] = {
			[TY_PTR] = LV_UINT,	     [TY_KSTACK] = LV_KSTACK,
			[TY_USTACK] = LV_USTACK,     [TY_KSYM] = LV_KSYM,
			[TY_USYM] = LV_USYM,	     [TY_PROBE] = LV_PROBE,
			[TY_USERNAME] = LV_USERNAME,
		};

		f->type = as[t->kind];
		break;
	}
	case TY_TUPLE: {
		struct lang_field *sub = calloc(t->nsub, sizeof(*sub));
		uint32_t o = 0;

		if (!sub)
			return nomem(g);
		for (size_t i = 0; i < t->nsub; i++) {
			field_of(g, t->sub[i], &sub[i], o);
			o += ty_storage(t->sub[i]);
		}
		f->type = LV_TUPLE;
		f->sub = sub;
		f->nsub = t->nsub;
		break;
	}
	default:
		return fail(g, g->cur, "%s cannot be printed", ty_name(t));
	}
	return 0;
}

static void field_free(struct lang_field *f)
{
	if (f && f->type == LV_TUPLE) {
		for (size_t i = 0; i < f->nsub; i++)
			field_free((struct lang_field *)&f->sub[i]);
		free((void *)f->sub);
	}
}

static int fmt_add(struct cg *g, const char *fmt, struct lang_field *args, size_t n, uint32_t size)
{
	struct lang_compiled *c = g->out;
	struct lang_cfmt *v;

	if (g_pass(g) != 2) {
		for (size_t i = 0; i < n; i++)
			field_free(&args[i]);
		free(args);
		return 0;
	}
	v = realloc(c->fmts, (c->nfmts + 1) * sizeof(*v));
	if (!v)
		return nomem(g);
	c->fmts = v;
	v[c->nfmts].fmt = fmt ? strdup(fmt) : NULL;
	v[c->nfmts].args = args;
	v[c->nfmts].nargs = n;
	v[c->nfmts].size = size;
	return (int)c->nfmts++;
}

/* printf(fmt, args...), print(value), time(fmt): a record with the values. */
static int gen_record(struct cg *g, struct lang_node *call, enum lang_rec_kind kind,
		      const char *fmt, size_t first)
{
	size_t n = call->nkids - first, done;
	struct lang_field *f = calloc(n ? n : 1, sizeof(*f));
	struct lang_type **ts = calloc(n ? n : 1, sizeof(*ts));
	uint32_t size = 0;
	int sp = g->sp, id;
	char err[200];
	int bad;

	if (!f || !ts) {
		free(f);
		free(ts);
		return nomem(g);
	}
	/* First the types (a dry evaluation would emit code: evaluate into the record once
	 * the size is known, as the types come from the previous pass when there is one). */
	for (size_t i = 0; i < n; i++) {
		struct lang_node *a = call->kids[first + i];
		struct lang_type *t = a->type;

		ts[i] = t;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ts[i]) {
			/* first pass: evaluate for the type, the code is thrown away */
			struct val v;
			size_t at = g->n;

			if (gen_expr(g, call->kids[first + i], &v))
				goto out;
			g->n = at;
			stack_free_to(g, sp);
			ts[i] = v.ty;
			call->kids[first + i]->type = v.ty;
		}
		if (field_of(g, ts[i], &f[i], size))
			goto out;
		size += f[i].size;
	}
	if (fmt && kind == LANG_REC_PRINTF &&
	    lang_format_check(fmt, f, n, err, sizeof(err), &bad)) {
		fail(g, bad >= 0 ? call->kids[first + bad]->pos : call->kids[0]->pos, "%s", err);
		goto out;
	}
	id = fmt_add(g, fmt, f, n, size);
	f = NULL;
	if (g->err)
		goto out;
	done = rec_begin(g, kind, id, size);
	for (size_t i = 0; i < n && !g->err; i++) {
		struct val v;
		int sp2 = g->sp;
		uint32_t off = 0;

		for (size_t k = 0; k < i; k++)
			off += ty_storage(ts[k]);
		if (gen_expr(g, call->kids[first + i], &v))
			break;
		if (v.ty->kind != ts[i]->kind && !(is_scalar(v.ty) && is_scalar(ts[i]))) {
			fail(g, call->kids[first + i]->pos,
			     "argument is %s here but %s for another "
			     "probe",
			     ty_name(v.ty), ty_name(ts[i]));
			break;
		}
		/* a longer string than the record has room for: cut now, the next pass grows */
		if (ty_merge(g, &call->kids[first + i]->type, v.ty, call->kids[first + i]->pos,
			     "the argument", "printf"))
			break;
		store_val(g, &v, ts[i], R9, REC_HDR + (int)off);
		stack_free_to(g, sp2);
	}
	rec_end(g, done);
out:
	if (f) {
		for (size_t i = 0; i < n; i++)
			field_free(&f[i]);
		free(f);
	}
	free(ts);
	stack_free_to(g, sp);
	return g->err;
}

static int agg_of(const char *f, enum lang_agg *a)
{
	static const char *names[] = { "",    "count", "sum",  "avg",  "min",
				       "max", "stats", "hist", "lhist" };

	for (int i = 1; i < (int)KS_LANG_ARRAY(names); i++)
		if (!strcmp(f, names[i])) {
			*a = (enum lang_agg)i;
			return 0;
		}
	return -1;
}

/* log2 slot of r1 (> 0) into r1: 2 + floor(log2(r1)); clobbers r2, r3. */
static void emit_log2_slot(struct cg *g)
{
	emit(g, I_MOVI(R3, 2));
	for (int sh = 32; sh >= 1; sh /= 2) {
		emit(g, I_MOV(R2, R1));
		emit(g, I_ALUI(BPF_RSH, R2, sh));
		emit(g, I_JMPI(BPF_JEQ, R2, 0, 2));
		emit(g, I_MOV(R1, R2));
		emit(g, I_ALUI(BPF_ADD, R3, sh));
	}
	emit(g, I_MOV(R1, R3));
}

static int gen_agg(struct cg *g, struct lang_node *target, struct lang_node *call,
		   enum lang_agg agg)
{
	int mi = map_find(g, target->str, true), key, arg = 0, zkey, sp = g->sp;
	struct mapx *m;
	struct val v = { 0 };
	size_t have, skip1, skip2, skip3, jok, jex;
	int64_t lmin = 0, lmax = 0, lstep = 0;
	size_t want = agg == LA_COUNT ? 0 : agg == LA_LHIST ? 4 : 1;
	char lb[80];

	if (mi < 0)
		return g->err;
	if (call->nkids != want)
		return fail(g, call->pos, "%s() takes %zu argument%s", call->str, want,
			    want == 1 ? "" : "s");
	if (agg == LA_LHIST) {
		if (const_int(g, call->kids[1], &lmin) || const_int(g, call->kids[2], &lmax) ||
		    const_int(g, call->kids[3], &lstep))
			return g->err;
		if (lstep <= 0 || lmax <= lmin)
			return fail(g, call->pos, "lhist(): needs min < max and step > 0");
		if (lang_lhist_slots(lmin, lmax, lstep) > 1002)
			return fail(g, call->pos, "lhist(): at most 1000 buckets");
	}
	if (want) {
		if (gen_scalar(g, call->kids[0], &v))
			return g->err;
		arg = stack_alloc(g, 8);
		emit(g, I_STX(BPF_DW, R10, R0, arg));
	}
	m = &g_maps(g)->v[mi];
	if (m->written &&
	    (!m->is_agg || m->agg != agg ||
	     (agg == LA_LHIST && (m->lmin != lmin || m->lmax != lmax || m->lstep != lstep))))
		return fail(g, call->pos, "%s is assigned %s() here but something else elsewhere",
			    map_label(m, lb, sizeof(lb)), call->str);
	if (!m->written) {
		m->written = true;
		m->is_agg = true;
		m->agg = agg;
		m->lmin = lmin;
		m->lmax = lmax;
		m->lstep = lstep;
		m->first = target;
	}
	if (want && is_int(v.ty) && v.ty->sign)
		m->agg_sign = true;
	if (gen_key(g, mi, target, &key))
		return g->err;
	emit_lookup(g, mi, key);
	have = emit(g, I_JMPI(BPF_JNE, R0, 0, 0));
	/* first value for this key on this CPU: insert zeros, look up again */
	zkey = stack_alloc(g, 8);
	emit(g, I_ST(BPF_DW, R10, zkey, 0));
	emit_lookup(g, map_internal(g, MK_ZERO), zkey);
	skip1 = emit(g, I_JMPI(BPF_JEQ, R0, 0, 0));
	emit(g, I_MOV(R3, R0));
	emit_map(g, R1, mi);
	emit(g, I_MOV(R2, R10));
	emit(g, I_ALUI(BPF_ADD, R2, key));
	emit(g, I_MOVI(R4, BPF_NOEXIST));
	emit_call(g, BPF_FUNC_map_update_elem);
	jok = emit(g, I_JMPI(BPF_JSGE, R0, 0, 0));
	jex = emit(g, I_JMPI(BPF_JEQ, R0, -EEXIST, 0));
	emit_count_lost(g, LANG_LOST_MAPFULL);
	skip2 = emit(g, I_JA(0));
	patch(g, jok);
	patch(g, jex);
	emit_lookup(g, mi, key);
	skip3 = emit(g, I_JMPI(BPF_JEQ, R0, 0, 0));
	patch(g, have);
	emit(g, I_MOV(R7, R0));
	if (want)
		emit(g, I_LDX(BPF_DW, R1, R10, arg));
	switch (agg) {
	case LA_COUNT:
		emit(g, I_LDX(BPF_DW, R2, R7, 0));
		emit(g, I_ALUI(BPF_ADD, R2, 1));
		emit(g, I_STX(BPF_DW, R7, R2, 0));
		break;
	case LA_SUM:
		emit(g, I_LDX(BPF_DW, R2, R7, 0));
		emit(g, I_ALU(BPF_ADD, R2, R1));
		emit(g, I_STX(BPF_DW, R7, R2, 0));
		break;
	case LA_AVG:
	case LA_STATS:
		emit(g, I_LDX(BPF_DW, R2, R7, 0));
		emit(g, I_ALU(BPF_ADD, R2, R1));
		emit(g, I_STX(BPF_DW, R7, R2, 0));
		emit(g, I_LDX(BPF_DW, R2, R7, 8));
		emit(g, I_ALUI(BPF_ADD, R2, 1));
		emit(g, I_STX(BPF_DW, R7, R2, 8));
		break;
	case LA_MIN:
	case LA_MAX:
		emit(g, I_LDX(BPF_DW, R2, R7, 8));
		emit(g, I_JMPI(BPF_JEQ, R2, 0, 2));
		emit(g, I_LDX(BPF_DW, R2, R7, 0));
		emit(g, I_JMP(agg == LA_MIN ? BPF_JSGE : BPF_JSLE, R1, R2, 3));
		emit(g, I_STX(BPF_DW, R7, R1, 0));
		emit(g, I_MOVI(R2, 1));
		emit(g, I_STX(BPF_DW, R7, R2, 8));
		break;
	case LA_HIST: {
		size_t j0, jneg, jend;

		jneg = emit(g, I_JMPI(BPF_JSLT, R1, 0, 0));
		j0 = emit(g, I_JMPI(BPF_JEQ, R1, 0, 0));
		emit_log2_slot(g);
		jend = emit(g, I_JA(0));
		patch(g, jneg);
		emit(g, I_MOVI(R1, 0));
		{
			size_t j = emit(g, I_JA(0));

			patch(g, j0);
			emit(g, I_MOVI(R1, 1));
			patch(g, j);
		}
		patch(g, jend);
		emit(g, I_JMPI(BPF_JGT, R1, LANG_HIST_SLOTS - 1, 5));
		emit(g, I_ALUI(BPF_LSH, R1, 3));
		emit(g, I_ALU(BPF_ADD, R7, R1));
		emit(g, I_LDX(BPF_DW, R2, R7, 0));
		emit(g, I_ALUI(BPF_ADD, R2, 1));
		emit(g, I_STX(BPF_DW, R7, R2, 0));
		break;
	}
	case LA_LHIST: {
		unsigned n = lang_lhist_slots(lmin, lmax, lstep);
		size_t jlo, jhi, jend, jend2;

		emit_movi(g, R2, lmin);
		jlo = emit(g, I_JMP(BPF_JSLT, R1, R2, 0));
		emit_movi(g, R2, lmax);
		jhi = emit(g, I_JMP(BPF_JSGE, R1, R2, 0));
		emit_movi(g, R2, lmin);
		emit(g, I_ALU(BPF_SUB, R1, R2));
		emit_movi(g, R2, lstep);
		emit(g, I_ALU(BPF_DIV, R1, R2));
		emit(g, I_ALUI(BPF_ADD, R1, 1));
		jend = emit(g, I_JA(0));
		patch(g, jlo);
		emit(g, I_MOVI(R1, 0));
		jend2 = emit(g, I_JA(0));
		patch(g, jhi);
		emit(g, I_MOVI(R1, (int32_t)n - 1));
		patch(g, jend);
		patch(g, jend2);
		emit(g, I_JMPI(BPF_JGT, R1, (int32_t)n - 1, 5));
		emit(g, I_ALUI(BPF_LSH, R1, 3));
		emit(g, I_ALU(BPF_ADD, R7, R1));
		emit(g, I_LDX(BPF_DW, R2, R7, 0));
		emit(g, I_ALUI(BPF_ADD, R2, 1));
		emit(g, I_STX(BPF_DW, R7, R2, 0));
		break;
	}
	default:
		break;
	}
	patch(g, skip1);
	patch(g, skip2);
	patch(g, skip3);
	stack_free_to(g, sp);
	return g->err;
}

/* update(@map, r10 + @key, r10 + @val, BPF_ANY); a full map counts as lost. */
static void emit_update(struct cg *g, int mi, int key, int val)
{
	size_t ok;

	emit_map(g, R1, mi);
	emit(g, I_MOV(R2, R10));
	emit(g, I_ALUI(BPF_ADD, R2, key));
	emit(g, I_MOV(R3, R10));
	emit(g, I_ALUI(BPF_ADD, R3, val));
	emit(g, I_MOVI(R4, BPF_ANY));
	emit_call(g, BPF_FUNC_map_update_elem);
	ok = emit(g, I_JMPI(BPF_JSGE, R0, 0, 0));
	emit_count_lost(g, LANG_LOST_MAPFULL);
	patch(g, ok);
}

/* @x[k] = value, or a compound assignment with @op (LT_PLUS_ASSIGN ...; LT_INC/LT_DEC). */
static int gen_map_assign(struct cg *g, struct lang_node *target, int op, struct lang_node *value)
{
	int mi = map_find(g, target->str, true), key, vs, sp = g->sp;
	struct mapx *m;
	struct val v = { 0 };
	char lb[80];

	if (mi < 0)
		return g->err;
	if (op != LT_ASSIGN && op != LT_PLUS_ASSIGN && op != LT_MINUS_ASSIGN && op != LT_INC &&
	    op != LT_DEC) {
		/* @x op= e is @x = @x op e */
		struct lang_node bin = { .kind = LN_BINOP, .pos = target->pos };
		struct lang_node *kids[2] = { target, value };
		static const int ops[][2] = {
			{ LT_STAR_ASSIGN, LT_STAR },	   { LT_SLASH_ASSIGN, LT_SLASH },
			{ LT_PERCENT_ASSIGN, LT_PERCENT }, { LT_AMP_ASSIGN, LT_AMP },
			{ LT_PIPE_ASSIGN, LT_PIPE },	   { LT_CARET_ASSIGN, LT_CARET },
			{ LT_SHL_ASSIGN, LT_SHL },	   { LT_SHR_ASSIGN, LT_SHR },
		};
		for (size_t i = 0; i < KS_LANG_ARRAY(ops); i++)
			if (ops[i][0] == op)
				bin.op = ops[i][1];
		bin.kids = kids;
		bin.nkids = 2;
		return gen_map_assign(g, target, LT_ASSIGN, &bin);
	}
	if (value && value->kind == LN_CALL) {
		enum lang_agg agg;

		if (!agg_of(value->str, &agg)) {
			if (op != LT_ASSIGN)
				return fail(g, value->pos, "%s() can only be assigned with '='",
					    value->str);
			return gen_agg(g, target, value, agg);
		}
	}
	if (value) {
		if (gen_expr(g, value, &v) || spill(g, &v))
			return g->err;
	} else {
		emit(g, I_MOVI(R0, 1));
		v.ty = &ty_s64;
		spill(g, &v);
	}
	m = &g_maps(g)->v[mi];
	if (m->written && m->is_agg)
		return fail(g, target->pos, "%s holds %s values: it cannot be assigned a value",
			    map_label(m, lb, sizeof(lb)), "aggregated");
	if (v.ty->kind == TY_VOID || v.ty->kind == TY_RECORD || v.ty->kind == TY_ARGS ||
	    v.ty->kind == TY_ARRAY)
		return fail(g, value ? value->pos : target->pos, "cannot store %s in a map",
			    ty_name(v.ty));
	if (op != LT_ASSIGN && !is_int(v.ty))
		return fail(g, target->pos, "%s needs an integer", lang_tok_name(op));
	if (ty_merge(g, &m->vt, v.ty, target->pos, "the value", map_label(m, lb, sizeof(lb))))
		return g->err;
	if (!m->written)
		m->first = target;
	m->written = true;
	if (gen_key(g, mi, target, &key))
		return g->err;
	m = &g_maps(g)->v[mi];
	if (op != LT_ASSIGN) {
		size_t miss, done;

		if (!is_int(m->vt))
			return fail(g, target->pos, "%s holds %s: cannot add to it",
				    map_label(m, lb, sizeof(lb)), ty_name(m->vt));
		emit_lookup(g, mi, key);
		miss = emit(g, I_JMPI(BPF_JEQ, R0, 0, 0));
		emit(g, I_LDX(BPF_DW, R1, R10, v.off));
		if (op == LT_MINUS_ASSIGN || op == LT_DEC)
			emit(g, I_NEG(R1));
		emit(g, I_XADD(R0, R1, 0));
		done = emit(g, I_JA(0));
		patch(g, miss);
		if (op == LT_MINUS_ASSIGN || op == LT_DEC) {
			emit(g, I_LDX(BPF_DW, R1, R10, v.off));
			emit(g, I_NEG(R1));
			emit(g, I_STX(BPF_DW, R10, R1, v.off));
		}
		emit_update(g, mi, key, v.off);
		patch(g, done);
		stack_free_to(g, sp);
		return g->err;
	}
	vs = stack_alloc(g, ty_storage(m->vt));
	if (is_scalar(v.ty)) {
		emit(g, I_LDX(BPF_DW, R0, R10, v.off));
		v.loc = L_REG;
	}
	if (m->vt->kind == TY_STR)
		emit_zero_stack(g, vs, ty_storage(m->vt));
	store_val(g, &v, m->vt, R10, vs);
	emit_update(g, mi, key, vs);
	stack_free_to(g, sp);
	return g->err;
}

static int gen_var_assign(struct cg *g, struct lang_node *target, int op, struct lang_node *value)
{
	struct val v;
	struct var *x;

	if (op != LT_ASSIGN) {
		static const int ops[][2] = {
			{ LT_PLUS_ASSIGN, LT_PLUS },	   { LT_MINUS_ASSIGN, LT_MINUS },
			{ LT_STAR_ASSIGN, LT_STAR },	   { LT_SLASH_ASSIGN, LT_SLASH },
			{ LT_PERCENT_ASSIGN, LT_PERCENT }, { LT_AMP_ASSIGN, LT_AMP },
			{ LT_PIPE_ASSIGN, LT_PIPE },	   { LT_CARET_ASSIGN, LT_CARET },
			{ LT_SHL_ASSIGN, LT_SHL },	   { LT_SHR_ASSIGN, LT_SHR },
		};
		struct lang_node bin = { .kind = LN_BINOP, .pos = target->pos };
		struct lang_node *kids[2] = { target, value };

		for (size_t i = 0; i < KS_LANG_ARRAY(ops); i++)
			if (ops[i][0] == op)
				bin.op = ops[i][1];
		bin.kids = kids;
		bin.nkids = 2;
		return gen_var_assign(g, target, LT_ASSIGN, &bin);
	}
	if (value->kind == LN_CALL) {
		enum lang_agg agg;

		if (!agg_of(value->str, &agg))
			return fail(g, value->pos, "%s() can only be assigned to a map",
				    value->str);
	}
	if (gen_expr(g, value, &v))
		return g->err;
	if (v.ty->kind == TY_VOID || v.ty->kind == TY_ARGS || v.loc == L_MEM)
		return fail(g, value->pos, "cannot assign %s to a variable", ty_name(v.ty));
	x = var_declare(g, target->str, v.ty, target->pos);
	if (!x)
		return g->err;
	if (x->ty->kind == TY_STR && v.ty->kind == TY_STR) {
		store_str(g, &v, R10, x->off, round8(x->ty->size));
		return g->err;
	}
	return store_val(g, &v, x->ty, R10, x->off);
}

static int gen_call_stmt(struct cg *g, struct lang_node *c)
{
	const char *f = c->str;
	int sp = g->sp;

	if (!strcmp(f, "printf")) {
		if (!c->nkids || c->kids[0]->kind != LN_STR)
			return fail(g, c->pos, "printf() needs a format string first");
		return gen_record(g, c, LANG_REC_PRINTF, c->kids[0]->str, 1);
	}
	if (!strcmp(f, "time")) {
		const char *fmt = "%H:%M:%S\n";

		if (c->nkids > 1 || (c->nkids && c->kids[0]->kind != LN_STR))
			return fail(g, c->pos, "time() takes an optional strftime format string");
		if (c->nkids)
			fmt = c->kids[0]->str;
		return gen_record(g, c, LANG_REC_TIME, fmt, c->nkids);
	}
	if (!strcmp(f, "exit")) {
		size_t done;

		if (c->nkids)
			return fail(g, c->pos, "exit() takes no arguments");
		done = rec_begin(g, LANG_REC_EXIT, 0, 0);
		rec_end(g, done);
		g->exits = realloc(g->exits, (g->nexits + 1) * sizeof(*g->exits));
		if (!g->exits)
			return nomem(g);
		g->exits[g->nexits++] = emit(g, I_JA(0));
		return g->err;
	}
	if (!strcmp(f, "print") || !strcmp(f, "clear") || !strcmp(f, "zero")) {
		struct lang_node *m0 = c->nkids ? c->kids[0] : NULL;
		int mi;
		size_t done;

		if (!strcmp(f, "print") && m0 && m0->kind != LN_MAP) {
			if (c->nkids != 1)
				return fail(g, c->pos, "print() of a value takes one argument");
			return gen_record(g, c, LANG_REC_PRINT_VAL, NULL, 0);
		}
		if (!m0 || m0->kind != LN_MAP || m0->nkids || c->nkids > (f[0] == 'p' ? 3u : 1u))
			return fail(g, c->pos, "%s() takes a map%s", f,
				    f[0] == 'p' ? " (and optionally top and div)" : "");
		mi = map_find(g, m0->str, false);
		if (mi < 0 || !g_maps(g)->v[mi].written) {
			if (g_pass(g) == 0)
				return 0;
			return fail(g, m0->pos, "@%s is never assigned", m0->str);
		}
		if (f[0] == 'p') {
			int64_t top = 0, div = 0;

			if (c->nkids > 1 && const_int(g, c->kids[1], &top))
				return g->err;
			if (c->nkids > 2 && const_int(g, c->kids[2], &div))
				return g->err;
			done = rec_begin(g, LANG_REC_PRINT_MAP, mi, 16);
			emit_ld64(g, R1, (uint64_t)top);
			emit(g, I_STX(BPF_DW, R9, R1, REC_HDR));
			emit_ld64(g, R1, (uint64_t)div);
			emit(g, I_STX(BPF_DW, R9, R1, REC_HDR + 8));
		} else {
			done = rec_begin(g, f[0] == 'c' ? LANG_REC_CLEAR : LANG_REC_ZERO, mi, 0);
		}
		rec_end(g, done);
		return g->err;
	}
	if (!strcmp(f, "delete")) {
		struct lang_node *m0 = c->nkids == 1 ? c->kids[0] : NULL;
		int mi, key;

		if (!m0 || m0->kind != LN_MAP)
			return fail(g, c->pos, "delete() takes a map element: delete(@x[key])");
		mi = map_find(g, m0->str, false);
		if (mi < 0 || !g_maps(g)->v[mi].written) {
			if (g_pass(g) == 0)
				return 0;
			return fail(g, m0->pos, "@%s is never assigned", m0->str);
		}
		if (gen_key(g, mi, m0, &key))
			return g->err;
		emit_map(g, R1, mi);
		emit(g, I_MOV(R2, R10));
		emit(g, I_ALUI(BPF_ADD, R2, key));
		emit_call(g, BPF_FUNC_map_delete_elem);
		stack_free_to(g, sp);
		return g->err;
	}
	{
		struct val v;

		gen_expr(g, c, &v);
		stack_free_to(g, sp);
		return g->err;
	}
}

static int loop_jump(struct cg *g, bool brk, struct lang_pos pos)
{
	struct loop *l;
	size_t **v, *n, j;

	if (!g->nloops)
		return fail(g, pos, "%s outside a loop", brk ? "break" : "continue");
	l = &g->loops[g->nloops - 1];
	v = brk ? &l->brk : &l->cont;
	n = brk ? &l->nbrk : &l->ncont;
	j = emit(g, I_JA(0));
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v)
		return nomem(g);
	(*v)[(*n)++] = j;
	return g->err;
}

static int gen_stmt(struct cg *g, struct lang_node *s)
{
	struct lang_pos save = g->cur;
	int sp = g->sp;
	struct val v;

	if (g->err)
		return g->err;
	g->cur = s->pos;
	switch (s->kind) {
	case LN_EXPR_STMT: {
		struct lang_node *e = s->kids[0];

		if (e->kind == LN_CALL)
			gen_call_stmt(g, e);
		else if (e->kind == LN_INCDEC && e->kids[0]->kind == LN_MAP)
			gen_map_assign(g, e->kids[0], e->op, NULL);
		else
			gen_expr(g, e, &v);
		break;
	}
	case LN_ASSIGN:
		if (s->kids[0]->kind == LN_MAP)
			gen_map_assign(g, s->kids[0], s->op, s->kids[1]);
		else if (s->kids[0]->kind == LN_VAR)
			gen_var_assign(g, s->kids[0], s->op, s->kids[1]);
		else
			fail(g, s->kids[0]->pos, "can only assign to a map or a $variable");
		break;
	case LN_IF: {
		size_t j1, j2;

		if (gen_scalar(g, s->kids[0], &v))
			break;
		stack_free_to(g, sp);
		j1 = emit(g, I_JMPI(BPF_JEQ, R0, 0, 0));
		gen_stmt(g, s->kids[1]);
		if (s->nkids > 2) {
			j2 = emit(g, I_JA(0));
			patch(g, j1);
			gen_stmt(g, s->kids[2]);
			patch(g, j2);
		} else {
			patch(g, j1);
		}
		break;
	}
	case LN_BLOCK:
		gen_block(g, s);
		break;
	case LN_UNROLL: {
		int64_t n = s->ival;

		if (s->nkids > 1 && const_int(g, s->kids[1], &n))
			break;
		if (n < 1 || n > 100) {
			fail(g, s->pos, "unroll count must be from 1 to 100, found %lld",
			     (long long)n);
			break;
		}
		for (int64_t i = 0; i < n && !g->err; i++)
			gen_stmt(g, s->kids[0]);
		break;
	}
	case LN_WHILE: {
		size_t top = g->n, jend;
		struct loop *l = realloc(g->loops, (g->nloops + 1) * sizeof(*l));

		if (!l) {
			nomem(g);
			break;
		}
		g->loops = l;
		memset(&l[g->nloops], 0, sizeof(*l));
		g->nloops++;
		if (gen_scalar(g, s->kids[0], &v))
			break;
		stack_free_to(g, sp);
		jend = emit(g, I_JMPI(BPF_JEQ, R0, 0, 0));
		gen_stmt(g, s->kids[1]);
		emit(g, I_JA((int16_t)((long)top - (long)g->n - 1)));
		patch(g, jend);
		l = &g->loops[g->nloops - 1];
		for (size_t i = 0; i < l->nbrk; i++)
			patch(g, l->brk[i]);
		for (size_t i = 0; i < l->ncont; i++)
			patch_to(g, l->cont[i], top);
		free(l->brk);
		free(l->cont);
		g->nloops--;
		break;
	}
	case LN_BREAK:
	case LN_CONTINUE:
		loop_jump(g, s->kind == LN_BREAK, s->pos);
		break;
	case LN_RETURN:
		g->exits = realloc(g->exits, (g->nexits + 1) * sizeof(*g->exits));
		if (!g->exits)
			return nomem(g);
		g->exits[g->nexits++] = emit(g, I_JA(0));
		break;
	default:
		fail(g, s->pos, "expected a statement");
	}
	stack_free_to(g, sp);
	g->cur = save;
	return g->err;
}

/* --- programs ------------------------------------------------------------------------------ */

static struct cgmaps *g_maps(struct cg *g)
{
	return g->maps;
}

static struct pvars *g_pvars(struct cg *g)
{
	return &g->pv[g->probe_idx_probe];
}

static int g_pass(struct cg *g)
{
	return g->pass;
}

/* Generate the program of probe @pi for target @t (NULL: BEGIN/END/interval). */
static int gen_prog(struct cg *g, size_t pi, struct lang_target *t, size_t name_idx,
		    struct lang_tpfield *tpf, size_t ntpf)
{
	const struct lang_probe *pr = g->p->probes[pi];
	struct pvars *pv = &g->pv[pi];
	struct val v;
	size_t jp = (size_t)-1;

	g->n = 0;
	g->sp = g->max_sp = 0;
	g->nexits = 0;
	g->nloops = 0;
	g->cur = pr->pos;
	g->probe = pr;
	g->probe_idx_probe = pi;
	g->probe_idx = name_idx;
	g->t = t;
	g->ptype = t->type;
	g->tpf = tpf;
	g->ntpf = ntpf;
	emit(g, I_MOV(R6, R1));
	for (size_t i = 0; i < pv->n; i++) {
		if (g->pass == 0) {
			pv->v[i].off = -8;
			continue;
		}
		pv->v[i].off = stack_alloc(g, ty_storage(pv->v[i].ty));
		emit_zero_stack(g, pv->v[i].off, ty_storage(pv->v[i].ty));
	}
	if (pr->pred) {
		int base = g->sp;

		g->cur = pr->pred->pos;
		if (!gen_scalar(g, pr->pred, &v))
			jp = emit(g, I_JMPI(BPF_JEQ, R0, 0, 0));
		stack_free_to(g, base);
	}
	gen_block(g, pr->body);
	g->cur = pr->body->pos;
	if (jp != (size_t)-1)
		patch(g, jp);
	for (size_t i = 0; i < g->nexits; i++)
		patch(g, g->exits[i]);
	emit(g, I_MOVI(R0, 0));
	emit(g, I_EXIT());
	return g->err;
}

struct ptarget {
	struct lang_target t;
	size_t probe;
	struct lang_tpfield *tpf;
	size_t ntpf;
};

static int expand_all(struct cg *g, struct ptarget **out, size_t *nout)
{
	struct ptarget *v = NULL;
	size_t n = 0;

	for (size_t pi = 0; pi < g->p->nprobes && !ks_stop; pi++) {
		const struct lang_probe *pr = g->p->probes[pi];

		for (size_t ai = 0; ai < pr->nattach; ai++) {
			struct lang_target *ts = NULL;
			size_t nt = 0;
			char why[256];
			int err = lang_probe_expand(pr->attach[ai], g->o->pid, &ts, &nt, g->d);

			if (err) {
				g->err = err;
				goto fail;
			}
			for (size_t k = 0; k < nt; k++) {
				struct ptarget *nv;

				if (lang_probe_supported(ts[k].type, why, sizeof(why))) {
					lang_error(g->d, pr->attach[ai]->pos, "%s", why);
					g->err = -EOPNOTSUPP;
					for (size_t j = k; j < nt; j++)
						lang_target_free(&ts[j]);
					free(ts);
					goto fail;
				}
				nv = realloc(v, (n + 1) * sizeof(*v));
				if (!nv) {
					for (size_t j = k; j < nt; j++)
						lang_target_free(&ts[j]);
					free(ts);
					nomem(g);
					goto fail;
				}
				v = nv;
				memset(&v[n], 0, sizeof(v[n]));
				v[n].t = ts[k];
				v[n].probe = pi;
				if (ts[k].type == LP_TRACEPOINT) {
					err = lang_tp_format(ts[k].cat, ts[k].event, &v[n].tpf,
							     &v[n].ntpf);
					if (err) {
						n++;
						for (size_t j = k + 1; j < nt; j++)
							lang_target_free(&ts[j]);
						free(ts);
						lang_error(g->d, pr->attach[ai]->pos,
							   "cannot read the format of tracepoint "
							   "%s:%s: %s",
							   v[n - 1].t.cat, v[n - 1].t.event,
							   strerror(-err));
						g->err = err;
						goto fail;
					}
				}
				n++;
			}
			free(ts);
		}
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	for (size_t i = 0; i < n; i++) {
		lang_target_free(&v[i].t);
		free(v[i].tpf);
	}
	free(v);
	return g->err;
}

static int add_map(struct cg *g, const struct mapx *m)
{
	struct lang_compiled *c = g->out;
	struct lang_cmap *cm = &c->maps[c->nmaps++];

	memset(cm, 0, sizeof(*cm));
	cm->fd = -1;
	switch (m->mk) {
	case MK_RING:
		cm->name = strdup("ring");
		cm->bpf_type = BPF_MAP_TYPE_RINGBUF;
		cm->max_entries = RING_SIZE;
		c->ring = (int)(cm - c->maps);
		break;
	case MK_LOST:
		cm->name = strdup("lost");
		cm->bpf_type = BPF_MAP_TYPE_PERCPU_ARRAY;
		cm->key_size = 4;
		cm->val_size = 8;
		cm->max_entries = LANG_LOST_NR;
		c->lost = (int)(cm - c->maps);
		break;
	case MK_KSTACKS:
	case MK_USTACKS:
		cm->name = strdup(m->mk == MK_KSTACKS ? "kstacks" : "ustacks");
		cm->bpf_type = BPF_MAP_TYPE_STACK_TRACE;
		cm->key_size = 4;
		cm->val_size = 8 * STACK_DEPTH;
		cm->max_entries = LANG_MAP_ENTRIES;
		if (m->mk == MK_KSTACKS)
			c->kstacks = (int)(cm - c->maps);
		else
			c->ustacks = (int)(cm - c->maps);
		break;
	case MK_PIDS:
		cm->name = strdup("pids");
		cm->bpf_type = BPF_MAP_TYPE_LRU_HASH;
		cm->key_size = 4;
		cm->val_size = 4;
		cm->max_entries = LANG_MAP_ENTRIES;
		break;
	case MK_ZERO: {
		uint32_t z = 8;

		for (size_t i = 0; i < g->maps->n; i++)
			if (g->maps->v[i].mk == MK_USER && g->maps->v[i].is_agg)
				z = KS_MAX(z, agg_size(&g->maps->v[i]));
		cm->name = strdup("zero");
		cm->bpf_type = BPF_MAP_TYPE_ARRAY;
		cm->key_size = 4;
		cm->val_size = z;
		cm->max_entries = 1;
		c->zero = (int)(cm - c->maps);
		c->zero_size = z;
		break;
	}
	case MK_USER: {
		uint32_t off = 0;

		if (asprintf(&cm->name, "@%s", m->name) < 0)
			cm->name = NULL;
		cm->bpf_type = m->is_agg ? BPF_MAP_TYPE_PERCPU_HASH : BPF_MAP_TYPE_HASH;
		cm->key_size = map_key_size(m);
		cm->val_size = agg_size(m);
		cm->max_entries = LANG_MAP_ENTRIES;
		cm->kf = calloc(m->nkeys ? m->nkeys : 1, sizeof(*cm->kf));
		if (!cm->kf)
			return nomem(g);
		for (size_t i = 0; i < m->nkeys; i++) {
			if (field_of(g, m->kt[i], &cm->kf[i], off))
				return g->err;
			off += ty_storage(m->kt[i]);
		}
		cm->info.name = cm->name;
		cm->info.key.f = cm->kf;
		cm->info.key.n = m->nkeys;
		cm->info.key.size = cm->key_size;
		cm->info.agg = m->is_agg ? m->agg : LA_SCALAR;
		cm->info.lmin = m->lmin;
		cm->info.lmax = m->lmax;
		cm->info.lstep = m->lstep;
		if (!m->is_agg) {
			if (field_of(g, m->vt, &cm->info.val, 0))
				return g->err;
		} else {
			cm->info.val.type = m->agg_sign ? LV_INT : LV_UINT;
			cm->info.val.size = 8;
		}
		break;
	}
	}
	if (!cm->name)
		return nomem(g);
	return 0;
}

static bool same_prog(const struct lang_cprog *a, const struct lang_cprog *b)
{
	return a->ninsns == b->ninsns && a->spec.prog_type == b->spec.prog_type &&
	       a->spec.attach_type == b->spec.attach_type &&
	       a->spec.attach_btf_id == b->spec.attach_btf_id &&
	       !memcmp(a->insns, b->insns, a->ninsns * sizeof(*a->insns));
}

static uint64_t prog_hash(const struct lang_cprog *p)
{
	const unsigned char *b = (const unsigned char *)p->insns;
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < p->ninsns * sizeof(*p->insns); i++)
		h = (h ^ b[i]) * 1099511628211ull;
	h ^= (uint64_t)p->spec.prog_type << 40 ^ (uint64_t)p->spec.attach_type << 20 ^
	     (uint64_t)(uint32_t)p->spec.attach_btf_id;
	return h;
}

/*
 * Mark program @i of @c as a copy of an earlier one with the same code (loaded once, its
 * fd duplicated) through the hash table of @g; the table is sized for every target up
 * front, so it is at most half full.
 */
static void dedup(struct cg *g, struct lang_compiled *c, size_t i)
{
	struct lang_cprog *cp = &c->progs[i];
	size_t h;

	if (!g->dedup)
		return;
	for (h = prog_hash(cp) & (g->ndedup - 1); g->dedup[h]; h = (h + 1) & (g->ndedup - 1))
		if (same_prog(&c->progs[g->dedup[h] - 1], cp)) {
			cp->dup_of = (int)(g->dedup[h] - 1);
			return;
		}
	g->dedup[h] = i + 1;
}

/* One pass over every probe's targets; in pass 2, the programs go into @c. */
static void gen_all(struct cg *g, struct lang_compiled *c, struct ptarget *ts, size_t nts)
{
	const struct lang_program *p = g->p;
	struct lang_diag *d = g->d;

	for (size_t i = 0; i < nts && !g->err; i++) {
		struct lang_cprog *cp;

		if (ks_stop) {
			/* Ctrl-C while a large program compiles: stop now, nothing was loaded */
			g->err = -EINTR;
			break;
		}

		if (gen_prog(g, ts[i].probe, &ts[i].t, i, ts[i].tpf, ts[i].ntpf))
			break;
		if (g->pass < 2)
			continue;
		cp = &c->progs[c->nprogs++];
		cp->probe = ts[i].probe;
		cp->fd = -1;
		cp->dup_of = -1;
		cp->target = malloc(sizeof(*cp->target));
		if (!cp->target) {
			nomem(g);
			break;
		}
		*cp->target = ts[i].t;
		memset(&ts[i].t, 0, sizeof(ts[i].t));
		cp->insns = g->ins;
		cp->lines = g->lines;
		cp->ninsns = g->n;
		g->ins = NULL;
		g->lines = NULL;
		g->n = g->cap = 0;
		if (lang_target_progspec(cp->target, &cp->spec)) {
			lang_error(d, p->probes[cp->probe]->pos,
				   "%s: no BPF program type for "
				   "this probe",
				   cp->target->name);
			g->err = -EINVAL;
			break;
		}
		dedup(g, c, c->nprogs - 1);
	}
}

struct lang_compiled *lang_compile(const struct lang_program *p, const struct lang_compile_opts *o,
				   struct lang_diag *d)
{
	struct lang_compiled *c = calloc(1, sizeof(*c));
	struct cgmaps maps = { 0 };
	struct cg g = { .p = p, .o = o, .d = d, .maps = &maps };
	struct ptarget *ts = NULL;
	size_t nts = 0;
	int err;

	memset(d, 0, sizeof(*d));
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	c->ring = c->lost = c->kstacks = c->ustacks = c->zero = -1;
	c->start_ns = o->start_ns;
	g.out = c;
	g.pv = calloc(p->nprobes ? p->nprobes : 1, sizeof(*g.pv));
	if (!g.pv) {
		nomem(&g);
		goto out;
	}
	if (expand_all(&g, &ts, &nts))
		goto out;
	c->probe_names = calloc(nts ? nts : 1, sizeof(*c->probe_names));
	c->progs = calloc(nts ? nts : 1, sizeof(*c->progs));
	if (!c->probe_names || !c->progs) {
		nomem(&g);
		goto out;
	}
	for (size_t i = 0; i < nts; i++) {
		c->probe_names[i] = strdup(ts[i].t.name ? ts[i].t.name : "?");
		if (!c->probe_names[i]) {
			nomem(&g);
			goto out;
		}
		c->nprobe_names++;
	}
	/* the ring buffer always exists: exit(), printf() and the runtime's own messages */
	map_internal(&g, MK_RING);
	map_internal(&g, MK_LOST);
	/*
	 * Pass 0 finds the maps, variables and types; passes 1 repeat until no layout grows
	 * (a variable, key, value, record or ?: sized in one pass can grow later in the same
	 * pass); pass 2 emits the programs kept, with every slot sized by its final type.
	 */
	for (g.ndedup = 16; g.ndedup < 2 * nts; g.ndedup *= 2)
		;
	g.dedup = calloc(g.ndedup, sizeof(*g.dedup));
	if (!g.dedup) {
		nomem(&g);
		goto out;
	}
	for (g.pass = 0; g.pass < 3 && !g.err; g.pass++) {
		int n = 0;

		do {
			g.grew = false;
			gen_all(&g, c, ts, nts);
		} while (!g.err && g.pass == 1 && g.grew && ++n < MAX_PASSES);
		if (!g.err && g.grew && g.pass > 0)
			fail(&g, g.cur, "internal error: the program's types did not settle");
	}
	if (g.err)
		goto out;
	if (maps.n) {
		c->maps = calloc(maps.n, sizeof(*c->maps));
		if (!c->maps) {
			nomem(&g);
			goto out;
		}
		for (size_t i = 0; i < maps.n && !g.err; i++)
			add_map(&g, &maps.v[i]);
	}
out:
	err = g.err;
	for (size_t i = 0; i < nts; i++) {
		lang_target_free(&ts[i].t);
		free(ts[i].tpf);
	}
	free(ts);
	for (size_t i = 0; i < maps.n; i++)
		free(maps.v[i].name);
	free(maps.v);
	for (size_t i = 0; g.pv && i < p->nprobes; i++) {
		for (size_t k = 0; k < g.pv[i].n; k++)
			free(g.pv[i].v[k].name);
		free(g.pv[i].v);
	}
	free(g.pv);
	for (size_t i = 0; i < g.ntypes; i++) {
		free(g.types[i]->sub);
		free(g.types[i]);
	}
	free(g.types);
	free(g.dedup);
	free(g.ins);
	free(g.lines);
	free(g.exits);
	free(g.loops);
	if (err) {
		lang_compiled_free(c);
		errno = -err;
		return NULL;
	}
	return c;
}

void lang_compiled_free(struct lang_compiled *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nmaps; i++) {
		struct lang_cmap *m = &c->maps[i];

		for (size_t k = 0; k < m->info.key.n; k++)
			field_free(&m->kf[k]);
		field_free(&m->info.val);
		free(m->kf);
		free(m->name);
	}
	free(c->maps);
	for (size_t i = 0; i < c->nfmts; i++) {
		for (size_t k = 0; k < c->fmts[i].nargs; k++)
			field_free(&c->fmts[i].args[k]);
		free(c->fmts[i].args);
		free(c->fmts[i].fmt);
	}
	free(c->fmts);
	for (size_t i = 0; i < c->nprogs; i++) {
		if (c->progs[i].target) {
			lang_target_free(c->progs[i].target);
			free(c->progs[i].target);
		}
		free(c->progs[i].insns);
		free(c->progs[i].lines);
	}
	free(c->progs);
	for (size_t i = 0; i < c->nprobe_names; i++)
		free(c->probe_names[i]);
	free(c->probe_names);
	free(c);
}

/* --- --dump -------------------------------------------------------------------------------- */

/* Operator names by BPF_OP(code) >> 4, for --dump. */
static const char *const alu_ops[16] = { "+=",	"-=", "*=", "/=", "|=",	  "&=",	 "<<=", ">>=",
					 "neg", "%=", "^=", "=",  "s>>=", "end", "?=",	"?=" };
static const char *const jmp_ops[16] = { "ja",	 "==",	 ">", ">=", "&",  "!=",	 "s>", "s>=",
					 "call", "exit", "<", "<=", "s<", "s<=", "?",  "?" };

static const char *size_name(int sz)
{
	switch (sz) {
	case BPF_B:
		return "u8";
	case BPF_H:
		return "u16";
	case BPF_W:
		return "u32";
	}
	return "u64";
}

void lang_insn_str(const struct bpf_insn *in, char *buf, size_t len)
{
	int cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	switch (cls) {
	case BPF_ALU64:
	case BPF_ALU:
		if (op == BPF_NEG)
			snprintf(buf, len, "r%d = -r%d", in->dst_reg, in->dst_reg);
		else if (BPF_SRC(in->code) == BPF_X)
			snprintf(buf, len, "%sr%d %s %sr%d", cls == BPF_ALU ? "w" : "", in->dst_reg,
				 alu_ops[op >> 4], cls == BPF_ALU ? "w" : "", in->src_reg);
		else
			snprintf(buf, len, "%sr%d %s %d", cls == BPF_ALU ? "w" : "", in->dst_reg,
				 alu_ops[op >> 4], in->imm);
		break;
	case BPF_LDX:
		snprintf(buf, len, "r%d = *(%s *)(r%d %+d)", in->dst_reg,
			 size_name(BPF_SIZE(in->code)), in->src_reg, in->off);
		break;
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_ATOMIC)
			snprintf(buf, len, "lock *(u64 *)(r%d %+d) += r%d", in->dst_reg, in->off,
				 in->src_reg);
		else
			snprintf(buf, len, "*(%s *)(r%d %+d) = r%d", size_name(BPF_SIZE(in->code)),
				 in->dst_reg, in->off, in->src_reg);
		break;
	case BPF_ST:
		snprintf(buf, len, "*(%s *)(r%d %+d) = %d", size_name(BPF_SIZE(in->code)),
			 in->dst_reg, in->off, in->imm);
		break;
	case BPF_LD:
		if (in->src_reg == BPF_PSEUDO_MAP_FD)
			snprintf(buf, len, "r%d = map[%d] ll", in->dst_reg, in->imm);
		else
			snprintf(buf, len, "r%d = %#llx ll", in->dst_reg,
				 (unsigned long long)(uint32_t)in->imm |
					 ((unsigned long long)(uint32_t)in[1].imm << 32));
		break;
	case BPF_JMP:
		if (op == BPF_CALL)
			snprintf(buf, len, "call %d", in->imm);
		else if (op == BPF_EXIT)
			snprintf(buf, len, "exit");
		else if (op == BPF_JA)
			snprintf(buf, len, "goto %+d", in->off);
		else if (BPF_SRC(in->code) == BPF_X)
			snprintf(buf, len, "if r%d %s r%d goto %+d", in->dst_reg, jmp_ops[op >> 4],
				 in->src_reg, in->off);
		else
			snprintf(buf, len, "if r%d %s %d goto %+d", in->dst_reg, jmp_ops[op >> 4],
				 in->imm, in->off);
		break;
	default:
		snprintf(buf, len, "(code %#x)", in->code);
	}
}

/* The line of @src around byte @off, without its newline, into @buf. */
static void source_line(const char *src, int off, char *buf, size_t len)
{
	const char *s, *e;

	buf[0] = 0;
	if (!src || off < 0) /* @off comes from the lexer: inside @src */
		return;
	/* from the position, not the line number: finding line N from the top for every
	 * program made --dump quadratic in the number of probes */
	for (s = src + off; s > src && s[-1] != '\n'; s--)
		;
	e = strchr(s, '\n');
	snprintf(buf, len, "%.*s", (int)(e ? (size_t)(e - s) : strlen(s)), s);
}

void lang_compiled_dump(const struct lang_compiled *c, const char *src, FILE *f)
{
	char buf[128], line[256];

	for (size_t i = 0; i < c->nmaps; i++)
		fprintf(f, "map[%zu] %s: type %d, key %u, value %u, entries %u\n", i,
			c->maps[i].name, c->maps[i].bpf_type, c->maps[i].key_size,
			c->maps[i].val_size, c->maps[i].max_entries);
	for (size_t i = 0; i < c->nprogs; i++) {
		const struct lang_cprog *p = &c->progs[i];
		int last = -1;

		fprintf(f, "\n%s (program type %d, %zu instructions", p->target->name,
			p->spec.prog_type, p->ninsns);
		if (p->dup_of >= 0)
			fprintf(f, ", same code as %s", c->progs[p->dup_of].target->name);
		fprintf(f, "):\n");
		for (size_t k = 0; k < p->ninsns; k++) {
			if (p->lines[k].line != last) {
				last = p->lines[k].line;
				source_line(src, p->lines[k].off, line, sizeof(line));
				fprintf(f, "; %d: %s\n", last, line);
			}
			lang_insn_str(&p->insns[k], buf, sizeof(buf));
			fprintf(f, "%5zu: %s\n", k, buf);
			if (BPF_CLASS(p->insns[k].code) == BPF_LD && k + 1 < p->ninsns)
				k++;
		}
	}
}
