// SPDX-License-Identifier: GPL-2.0-only
/* DWARF call-frame tables: .eh_frame / .debug_frame compiled into sorted x86-64 unwind rows. */
#include <errno.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfi.h"
#include "core/syms.h"

_Static_assert(sizeof(struct ks_cfi_row) == 12, "a row is copied into BPF maps as it is");

/* DWARF register numbers of the x86-64 psABI. */
#define REG_RBP 6
#define REG_RSP 7
#define REG_RA	16

/* Pointer encodings (LSB, .eh_frame). */
#define PE_OMIT	    0xff
#define PE_FMT	    0x0f
#define PE_APP	    0x70
#define PE_INDIRECT 0x80
#define PE_ABSPTR   0x00
#define PE_ULEB	    0x01
#define PE_UDATA2   0x02
#define PE_UDATA4   0x03
#define PE_UDATA8   0x04
#define PE_SLEB	    0x09
#define PE_SDATA2   0x0a
#define PE_SDATA4   0x0b
#define PE_SDATA8   0x0c
#define PE_PCREL    0x10
#define PE_DATAREL  0x30
#define PE_ALIGNED  0x50

/* The state stack of DW_CFA_remember_state: deeper nesting than this is treated as garbage. */
#define STATE_DEPTH 16

/* A bounds-checked reader: any read past the end sets bad and returns 0. */
struct rd {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t rd_uint(struct rd *r, unsigned int n)
{
	uint64_t v = 0;

	if ((size_t)(r->end - r->p) < n) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

static int64_t rd_sint(struct rd *r, unsigned int n)
{
	uint64_t v = rd_uint(r, n);

	if (n < 8 && v >> (8 * n - 1))
		v |= ~0ULL << (8 * n);
	return (int64_t)v;
}

/* LEB128; bits past the 64th are dropped (no value we use needs them). */
static uint64_t rd_leb(struct rd *r, bool sign)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	uint8_t b;

	do {
		if (r->p >= r->end) {
			r->bad = true;
			return 0;
		}
		b = *r->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (sign && shift < 64 && (b & 0x40))
		v |= ~0ULL << shift;
	return v;
}

static uint64_t rd_uleb(struct rd *r)
{
	return rd_leb(r, false);
}

static int64_t rd_sleb(struct rd *r)
{
	return (int64_t)rd_leb(r, true);
}

/* One section being parsed: its bytes and the addresses encoded pointers are relative to. */
struct sec {
	const uint8_t *data;
	size_t size;
	uint64_t addr;
	uint64_t got;
	bool eh; /* .eh_frame (else .debug_frame) */
};

/*
 * Read a pointer of encoding @enc. @app false reads the format only (an FDE's address range
 * has the encoding's size but no base). Returns false for what a table cannot use: omitted,
 * indirect (the value is in memory at run time), text-, function-relative or unknown.
 */
static bool rd_ptr(struct rd *r, const struct sec *s, uint8_t enc, unsigned int asize, bool app,
		   uint64_t *out)
{
	uint64_t here = s->addr + (uint64_t)(r->p - s->data), base = 0, v;

	if (enc == PE_OMIT || (enc & PE_INDIRECT))
		return false;
	if (app) {
		switch (enc & PE_APP) {
		case 0:
			break;
		case PE_PCREL:
			base = here;
			break;
		case PE_DATAREL:
			if (!s->got)
				return false;
			base = s->got;
			break;
		case PE_ALIGNED: {
			size_t pad = (size_t)(-here & (asize - 1));

			if ((size_t)(r->end - r->p) < pad)
				return false;
			r->p += pad;
			break;
		}
		default:
			return false;
		}
	}
	switch (enc & PE_FMT) {
	case PE_ABSPTR:
		v = rd_uint(r, asize);
		break;
	case PE_ULEB:
		v = rd_uleb(r);
		break;
	case PE_UDATA2:
		v = rd_uint(r, 2);
		break;
	case PE_UDATA4:
		v = rd_uint(r, 4);
		break;
	case PE_UDATA8:
		v = rd_uint(r, 8);
		break;
	case PE_SLEB:
		v = (uint64_t)rd_sleb(r);
		break;
	case PE_SDATA2:
		v = (uint64_t)rd_sint(r, 2);
		break;
	case PE_SDATA4:
		v = (uint64_t)rd_sint(r, 4);
		break;
	case PE_SDATA8:
		v = (uint64_t)rd_sint(r, 8);
		break;
	default:
		return false;
	}
	*out = v + base;
	return !r->bad;
}

/* A parsed CIE: what its FDEs need. */
struct cie {
	uint64_t code_align;
	int64_t data_align;
	uint64_t ra_reg;
	uint8_t fde_enc;
	uint8_t asize; /* address size of absptr */
	bool has_z;    /* FDEs carry augmentation data (skipped) */
	bool signal;
	const uint8_t *insns, *insns_end;
};

/* An FDE kept for the table: its range and its program with its CIE's. */
struct fde {
	uint64_t lo, hi;
	struct cie cie;
	const uint8_t *insns, *insns_end;
	bool debug;
};

/* The length and id of the entry at @off: false when it cannot be read or runs past the end. */
struct entry {
	size_t start, body, end; /* offsets: entry, after the length, end of the entry */
	uint64_t id;
	size_t id_end;
	bool dwarf64;
};

static int entry_read(const struct sec *s, size_t off, struct entry *e)
{
	struct rd r = { s->data + off, s->data + s->size, false };
	uint64_t len = rd_uint(&r, 4);

	if (r.bad)
		return -EINVAL;
	e->start = off;
	e->dwarf64 = len == 0xffffffffu;
	if (e->dwarf64)
		len = rd_uint(&r, 8);
	if (r.bad)
		return -EINVAL;
	e->body = (size_t)(r.p - s->data);
	if (len == 0) {
		e->end = e->body;
		e->id = 0;
		e->id_end = e->body;
		return 1; /* a terminator (.eh_frame) or padding */
	}
	if (len > s->size - e->body)
		return -EINVAL;
	e->end = e->body + (size_t)len;
	r.end = s->data + e->end;
	e->id = rd_uint(&r, e->dwarf64 ? 8 : 4);
	if (r.bad)
		return -EINVAL;
	e->id_end = (size_t)(r.p - s->data);
	return 0;
}

static bool entry_is_cie(const struct sec *s, const struct entry *e)
{
	if (s->eh)
		return e->id == 0;
	return e->id == (e->dwarf64 ? ~0ULL : 0xffffffffULL);
}

/* Parse the CIE at offset @off of @s. */
static int cie_parse(const struct sec *s, uint64_t off, struct cie *c)
{
	struct entry e;
	struct rd r;
	const char *aug;
	size_t auglen;
	uint8_t version;

	if (off >= s->size || entry_read(s, (size_t)off, &e) != 0 || !entry_is_cie(s, &e))
		return -EINVAL;
	r = (struct rd){ s->data + e.id_end, s->data + e.end, false };
	memset(c, 0, sizeof(*c));
	c->asize = 8;
	c->fde_enc = PE_ABSPTR;
	version = (uint8_t)rd_uint(&r, 1);
	if (r.bad || !(version == 1 || version == 3 || version == 4))
		return -EINVAL;
	aug = (const char *)r.p;
	auglen = strnlen(aug, (size_t)(r.end - r.p));
	if (auglen == (size_t)(r.end - r.p))
		return -EINVAL;
	r.p += auglen + 1;
	/* gcc before 3.0: "eh" is followed by the address of exception data */
	if (!strncmp(aug, "eh", 2))
		rd_uint(&r, 8);
	if (version == 4) {
		c->asize = (uint8_t)rd_uint(&r, 1);
		if (rd_uint(&r, 1) != 0 || !(c->asize == 4 || c->asize == 8))
			return -EINVAL; /* segment selectors: not on x86-64 */
	}
	c->code_align = rd_uleb(&r);
	c->data_align = rd_sleb(&r);
	c->ra_reg = version == 1 ? rd_uint(&r, 1) : rd_uleb(&r);
	if (r.bad)
		return -EINVAL;
	if (aug[0] == 'z') {
		uint64_t n = rd_uleb(&r);
		struct rd a;

		if (r.bad || n > (uint64_t)(r.end - r.p))
			return -EINVAL;
		a = (struct rd){ r.p, r.p + n, false };
		r.p += n;
		c->has_z = true;
		for (size_t i = 1; i < auglen; i++) {
			uint64_t dummy;
			uint8_t enc;

			switch (aug[i]) {
			case 'R':
				c->fde_enc = (uint8_t)rd_uint(&a, 1);
				break;
			case 'L':
				rd_uint(&a, 1); /* the LSDA's encoding: the FDE's data is skipped
						   whole */
				break;
			case 'P':
				enc = (uint8_t)rd_uint(&a, 1);
				/* the personality routine: only its size matters, to reach what
				 * follows */
				if (!rd_ptr(&a, s, enc & PE_FMT, 8, false, &dummy))
					return -EINVAL;
				break;
			case 'S':
				c->signal = true;
				break;
			case 'B':
			case 'G':
				break;
			default:
				/* unknown: the rest of the data cannot be interpreted, but is
				 * skipped */
				i = auglen;
				break;
			}
			if (a.bad)
				return -EINVAL;
		}
	} else if (aug[0] && strcmp(aug, "eh")) {
		return -EINVAL; /* without 'z' an unknown augmentation's FDE data cannot be skipped
				 */
	}
	c->insns = r.p;
	c->insns_end = r.end;
	return 0;
}

/* The rules tracked while a CFA program runs. */
enum { CFA_REG, CFA_PLT, CFA_BAD };
enum { RULE_SAME, RULE_UNDEF, RULE_OFF, RULE_BAD, RULE_NONE };

struct state {
	uint8_t cfa; /* CFA_* */
	uint64_t cfa_reg;
	int64_t cfa_off; /* CFA_PLT: the threshold */
	uint8_t rbp, ra; /* RULE_* */
	int64_t rbp_off, ra_off;
};

/* Rows of one FDE as they are produced, before they join the table. */
struct rowvec {
	struct ks_cfi_row *v;
	size_t n, cap;
	uint64_t base;
};

/* Make room for one more of @size-byte elements in *@v (*@n used of *@cap). */
static int vec_grow(void **v, size_t n, size_t *cap, size_t size)
{
	size_t c = *cap ? *cap * 2 : 256;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, c * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

static int rowvec_push(struct rowvec *rv, const struct ks_cfi_row *row)
{
	if (vec_grow((void **)&rv->v, rv->n, &rv->cap, sizeof(*rv->v)))
		return -ENOMEM;
	rv->v[rv->n++] = *row;
	return 0;
}

static struct ks_cfi_row state_row(const struct state *st, bool signal)
{
	struct ks_cfi_row row = { 0 };
	unsigned int rbp = KS_CFI_RBP_UNSUP, ra = KS_CFI_RA_UNSUP;

	row.cfa = KS_CFI_CFA_UNSUP;
	if (st->cfa == CFA_REG && st->cfa_off >= INT32_MIN && st->cfa_off <= INT32_MAX) {
		if (st->cfa_reg == REG_RSP)
			row.cfa = KS_CFI_CFA_RSP;
		else if (st->cfa_reg == REG_RBP)
			row.cfa = KS_CFI_CFA_RBP;
		if (row.cfa != KS_CFI_CFA_UNSUP)
			row.cfa_off = (int32_t)st->cfa_off;
	} else if (st->cfa == CFA_PLT) {
		row.cfa = KS_CFI_CFA_PLT;
		row.cfa_off = (int32_t)st->cfa_off;
	}
	switch (st->rbp) {
	case RULE_SAME:
		rbp = KS_CFI_RBP_SAME;
		break;
	case RULE_UNDEF:
		rbp = KS_CFI_RBP_UNDEF;
		break;
	case RULE_OFF:
		if (st->rbp_off >= INT16_MIN && st->rbp_off <= INT16_MAX) {
			rbp = KS_CFI_RBP_CFA;
			row.rbp_off = (int16_t)st->rbp_off;
		}
		break;
	}
	if (st->ra == RULE_OFF && st->ra_off == -8)
		ra = KS_CFI_RA_CFA8;
	else if (st->ra == RULE_UNDEF)
		ra = KS_CFI_RA_UNDEF;
	row.flags = (uint8_t)(rbp | ra << KS_CFI_RA_SHIFT | (signal ? KS_CFI_SIGNAL : 0));
	return row;
}

/*
 * The bytes gcc and ld emit for the CFA of .plt / .plt.sec entries:
 * DW_OP_breg7 8; DW_OP_breg16 0; DW_OP_lit15; DW_OP_and; DW_OP_litN; DW_OP_ge; DW_OP_lit3;
 * DW_OP_shl; DW_OP_plus, i.e. RSP + 8 + ((RIP & 15) >= N) << 3. N is 11 for the classic lazy
 * PLT (the pushq of an entry starts at 11), other values for the IBT / BND layouts.
 */
static bool plt_expr(const uint8_t *p, uint64_t len, int64_t *thr)
{
	static const uint8_t head[] = { 0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a };
	static const uint8_t tail[] = { 0x2a, 0x33, 0x24, 0x22 };

	if (len != sizeof(head) + 1 + sizeof(tail) || memcmp(p, head, sizeof(head)) ||
	    memcmp(p + sizeof(head) + 1, tail, sizeof(tail)))
		return false;
	if (p[sizeof(head)] < 0x30 || p[sizeof(head)] > 0x3f) /* DW_OP_lit0..15 */
		return false;
	*thr = p[sizeof(head)] - 0x30;
	return true;
}

/* Offsets are factored by the CIE: garbage may overflow, which must wrap, not trap. */
static int64_t factor(uint64_t v, int64_t f)
{
	return (int64_t)(v * (uint64_t)f);
}

static void set_rule(struct state *st, uint64_t reg, uint8_t rule, int64_t off)
{
	if (reg == REG_RBP) {
		st->rbp = rule;
		st->rbp_off = off;
	} else if (reg == REG_RA) {
		st->ra = rule;
		st->ra_off = off;
	}
}

struct run {
	const struct sec *s;
	const struct cie *cie;
	uint64_t loc, hi;
	struct state st, init, stack[STATE_DEPTH];
	unsigned int depth;
	struct rowvec *out;
	bool done; /* reached the FDE's end */
};

/* The row for run->loc takes the current state (a later one at the same pc replaces it). */
static int run_emit(struct run *rn)
{
	struct ks_cfi_row row = state_row(&rn->st, rn->cie->signal);

	row.pc = (uint32_t)(rn->loc - rn->out->base);
	if (rn->out->n && rn->out->v[rn->out->n - 1].pc == row.pc) {
		rn->out->v[rn->out->n - 1] = row;
		return 0;
	}
	return rowvec_push(rn->out, &row);
}

static int run_advance(struct run *rn, uint64_t delta)
{
	int err = run_emit(rn);

	if (err)
		return err;
	delta *= rn->cie->code_align;
	if (delta >= rn->hi - rn->loc) {
		rn->done = true;
		return 0;
	}
	rn->loc += delta;
	return 0;
}

/* DW_CFA_restore(_extended): @reg's rule back to the one after the CIE's program. */
static void run_restore(struct run *rn, uint64_t reg)
{
	if (reg == REG_RBP)
		set_rule(&rn->st, reg, rn->init.rbp, rn->init.rbp_off);
	else if (reg == REG_RA)
		set_rule(&rn->st, reg, rn->init.ra, rn->init.ra_off);
}

/*
 * Run one CFA program (@in_cie: the CIE's initial instructions, where no row is emitted and
 * locations cannot move). Returns 0, -EINVAL for what cannot be parsed, -ENOMEM.
 */
static int run_program(struct run *rn, const uint8_t *p, const uint8_t *end, bool in_cie)
{
	struct rd r = { p, end, false };
	const struct cie *c = rn->cie;
	struct state *st = &rn->st;

	while (r.p < r.end && !rn->done) {
		uint8_t op = (uint8_t)rd_uint(&r, 1);
		uint64_t reg = 0, u;
		int64_t off;
		int err = 0;

		switch (op >> 6) {
		case 1: /* DW_CFA_advance_loc */
			if (in_cie)
				return -EINVAL;
			err = run_advance(rn, op & 0x3f);
			break;
		case 2: /* DW_CFA_offset */
			off = factor(rd_uleb(&r), c->data_align);
			set_rule(st, op & 0x3f, RULE_OFF, off);
			break;
		case 3:		    /* DW_CFA_restore */
			if (in_cie) /* restore to what the CIE's program set */
				return -EINVAL;
			run_restore(rn, op & 0x3f);
			break;
		default:
			switch (op) {
			case 0x00: /* DW_CFA_nop */
			case 0x2e: /* DW_CFA_GNU_args_size: only for landing pads */
				if (op)
					rd_uleb(&r);
				break;
			case 0x01: /* DW_CFA_set_loc */
				if (in_cie || !rd_ptr(&r, rn->s, c->fde_enc, c->asize, true, &u))
					return -EINVAL;
				/* backwards is invalid; past the end ends the rows */
				if (u < rn->loc)
					return -EINVAL;
				err = run_emit(rn);
				if (u >= rn->hi)
					rn->done = true;
				else
					rn->loc = u;
				break;
			case 0x02: /* DW_CFA_advance_loc1 */
			case 0x03: /* DW_CFA_advance_loc2 */
			case 0x04: /* DW_CFA_advance_loc4 */
				u = rd_uint(&r, op == 0x02 ? 1 : op == 0x03 ? 2 : 4);
				if (in_cie || r.bad)
					return -EINVAL;
				err = run_advance(rn, u);
				break;
			case 0x05: /* DW_CFA_offset_extended */
				reg = rd_uleb(&r);
				off = factor(rd_uleb(&r), c->data_align);
				set_rule(st, reg, RULE_OFF, off);
				break;
			case 0x11: /* DW_CFA_offset_extended_sf */
				reg = rd_uleb(&r);
				off = factor((uint64_t)rd_sleb(&r), c->data_align);
				set_rule(st, reg, RULE_OFF, off);
				break;
			case 0x2f: /* DW_CFA_GNU_negative_offset_extended */
				reg = rd_uleb(&r);
				off = factor(-rd_uleb(&r), c->data_align);
				set_rule(st, reg, RULE_OFF, off);
				break;
			case 0x06: /* DW_CFA_restore_extended */
				reg = rd_uleb(&r);
				if (in_cie)
					return -EINVAL;
				run_restore(rn, reg);
				break;
			case 0x07: /* DW_CFA_undefined */
				set_rule(st, rd_uleb(&r), RULE_UNDEF, 0);
				break;
			case 0x08: /* DW_CFA_same_value */
				set_rule(st, rd_uleb(&r), RULE_SAME, 0);
				break;
			case 0x09: /* DW_CFA_register */
				reg = rd_uleb(&r);
				u = rd_uleb(&r);
				set_rule(st, reg, reg == u ? RULE_SAME : RULE_BAD, 0);
				break;
			case 0x0a: /* DW_CFA_remember_state */
				if (rn->depth == STATE_DEPTH)
					return -EINVAL;
				rn->stack[rn->depth++] = *st;
				break;
			case 0x0b: /* DW_CFA_restore_state: the CFA is restored too (as gcc expects)
				    */
				if (!rn->depth)
					return -EINVAL;
				*st = rn->stack[--rn->depth];
				break;
			case 0x0c: /* DW_CFA_def_cfa */
				st->cfa_reg = rd_uleb(&r);
				st->cfa_off = (int64_t)rd_uleb(&r);
				st->cfa = CFA_REG;
				break;
			case 0x12: /* DW_CFA_def_cfa_sf */
				st->cfa_reg = rd_uleb(&r);
				st->cfa_off = factor((uint64_t)rd_sleb(&r), c->data_align);
				st->cfa = CFA_REG;
				break;
			case 0x0d: /* DW_CFA_def_cfa_register */
				st->cfa_reg = rd_uleb(&r);
				if (st->cfa != CFA_REG)
					st->cfa = CFA_BAD; /* a register after an expression: no
							      offset */
				break;
			case 0x0e: /* DW_CFA_def_cfa_offset */
			case 0x13: /* DW_CFA_def_cfa_offset_sf */
				off = op == 0x0e ? (int64_t)rd_uleb(&r)
						 : factor((uint64_t)rd_sleb(&r), c->data_align);
				st->cfa_off = off;
				if (st->cfa != CFA_REG)
					st->cfa = CFA_BAD;
				break;
			case 0x0f: /* DW_CFA_def_cfa_expression */
				u = rd_uleb(&r);
				if (r.bad || u > (uint64_t)(r.end - r.p))
					return -EINVAL;
				st->cfa = plt_expr(r.p, u, &off) ? CFA_PLT : CFA_BAD;
				st->cfa_off = st->cfa == CFA_PLT ? off : 0;
				r.p += u;
				break;
			case 0x10: /* DW_CFA_expression */
			case 0x16: /* DW_CFA_val_expression */
				reg = rd_uleb(&r);
				u = rd_uleb(&r);
				if (r.bad || u > (uint64_t)(r.end - r.p))
					return -EINVAL;
				r.p += u;
				set_rule(st, reg, RULE_BAD, 0);
				break;
			case 0x14: /* DW_CFA_val_offset */
			case 0x15: /* DW_CFA_val_offset_sf */
				reg = rd_uleb(&r);
				if (op == 0x14)
					rd_uleb(&r);
				else
					rd_sleb(&r);
				set_rule(st, reg, RULE_BAD, 0);
				break;
			default:
				/* an unknown opcode: its operands' size is unknown, nothing after
				 * it can be read */
				return -EINVAL;
			}
		}
		if (err)
			return err;
		if (r.bad)
			return -EINVAL;
	}
	return 0;
}

/* Run the programs of @f into rows appended to @out; on a parse error the FDE's rows go. */
static int fde_rows(const struct sec *s, const struct fde *f, struct rowvec *out)
{
	struct run rn = { 0 };
	size_t n0 = out->n;
	int err;

	rn.s = s;
	rn.cie = &f->cie;
	rn.loc = f->lo;
	rn.hi = f->hi;
	rn.out = out;
	/* before any rule: the CFA unknown, RBP callee-saved (unchanged), no return address */
	rn.st.cfa = CFA_BAD;
	rn.st.rbp = RULE_SAME;
	rn.st.ra = RULE_NONE;
	if (f->cie.ra_reg != REG_RA)
		rn.st.ra = RULE_BAD;
	err = run_program(&rn, f->cie.insns, f->cie.insns_end, true);
	if (!err) {
		if (f->cie.ra_reg != REG_RA) /* the return address is in another column */
			rn.st.ra = RULE_BAD;
		rn.init = rn.st;
		rn.depth = 0;
		err = run_program(&rn, f->insns, f->insns_end, false);
	}
	if (!err && !rn.done)
		err = run_emit(&rn);
	if (err)
		out->n = n0;
	return err;
}

/* The FDEs of one section, appended to @fv. */
struct fdevec {
	struct fde *v;
	size_t n, cap;
};

static int fdevec_push(struct fdevec *fv, const struct fde *f)
{
	if (vec_grow((void **)&fv->v, fv->n, &fv->cap, sizeof(*fv->v)))
		return -ENOMEM;
	fv->v[fv->n++] = *f;
	return 0;
}

static int fde_parse(const struct sec *s, const struct entry *e, const struct ks_cfi_input *in,
		     struct ks_cfi_stats *st, struct fdevec *fv)
{
	struct rd r = { s->data + e->id_end, s->data + e->end, false };
	struct fde f = { 0 };
	uint64_t cie_off, range;

	/* .eh_frame: back from the id field; .debug_frame: from the section's start */
	if (s->eh) {
		if (e->id > e->body) {
			st->cies_bad++;
			return -EINVAL;
		}
		cie_off = e->body - e->id;
	} else {
		cie_off = e->id;
	}
	if (cie_off == e->start || cie_parse(s, cie_off, &f.cie)) {
		st->cies_bad++;
		return -EINVAL;
	}
	if (!rd_ptr(&r, s, f.cie.fde_enc, f.cie.asize, true, &f.lo) ||
	    !rd_ptr(&r, s, f.cie.fde_enc & PE_FMT, f.cie.asize, false, &range))
		return -EINVAL;
	if (f.cie.has_z) {
		uint64_t n = rd_uleb(&r);

		if (r.bad || n > (uint64_t)(r.end - r.p))
			return -EINVAL;
		r.p += n;
	}
	if (f.cie.asize == 4) {
		f.lo &= 0xffffffffu;
		range &= 0xffffffffu;
	}
	if (!range)
		return 1; /* covers nothing */
	if (range > UINT64_MAX - f.lo)
		return -EINVAL;
	f.hi = f.lo + range;
	if (in->text_lo != in->text_hi && (f.lo < in->text_lo || f.hi > in->text_hi)) {
		st->fdes_outside++;
		return 1;
	}
	f.insns = r.p;
	f.insns_end = r.end;
	f.debug = !s->eh;
	return fdevec_push(fv, &f);
}

/* Collect the FDEs of @s; a bad one is counted and skipped, a bad length ends the section. */
static int sec_fdes(const struct sec *s, const struct ks_cfi_input *in, struct ks_cfi_stats *st,
		    struct fdevec *fv)
{
	size_t off = 0;

	while (off < s->size) {
		struct entry e;
		int err = entry_read(s, off, &e);

		if (err < 0) {
			st->entries_bad++;
			break;
		}
		if (err == 1) {
			if (s->eh)
				break;
			off = e.end;
			continue;
		}
		off = e.end;
		if (entry_is_cie(s, &e))
			continue;
		err = fde_parse(s, &e, in, st, fv);
		if (err == -ENOMEM)
			return err;
		if (err < 0)
			st->fdes_bad++;
	}
	return 0;
}

static int fde_cmp(const void *a, const void *b)
{
	const struct fde *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/* Does any FDE of the sorted, disjoint @v (n of them) overlap [lo, hi)? */
static bool fdes_overlap(const struct fde *v, size_t n, uint64_t lo, uint64_t hi)
{
	size_t a = 0, b = n;

	/* the first FDE ending after lo */
	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (v[m].hi <= lo)
			a = m + 1;
		else
			b = m;
	}
	return a < n && v[a].lo < hi;
}

static bool row_same(const struct ks_cfi_row *a, const struct ks_cfi_row *b)
{
	return a->cfa == b->cfa && a->cfa_off == b->cfa_off && a->rbp_off == b->rbp_off &&
	       a->flags == b->flags;
}

/* Keep the first of the overlapping FDEs of sorted @fv (counting the others in @dropped). */
static void fdes_disjoint(struct fdevec *fv, unsigned int *dropped)
{
	size_t k = 0;

	for (size_t i = 0; i < fv->n; i++) {
		if (k && fv->v[i].lo < fv->v[k - 1].hi) {
			if (dropped)
				(*dropped)++;
			continue;
		}
		fv->v[k++] = fv->v[i];
	}
	fv->n = k;
}

int ks_cfi_build_input(const struct ks_cfi_input *in, struct ks_cfi_table *t)
{
	struct sec eh = { in->eh_frame, in->eh_frame_size, in->eh_frame_addr, in->got_addr, true };
	struct sec dbg = { in->debug_frame, in->debug_frame_size, 0, in->got_addr, false };
	struct fdevec fe = { 0 }, fd = { 0 };
	struct rowvec rv = { 0 };
	size_t k, i, j;
	int err = 0;

	memset(t, 0, sizeof(*t));
	if (eh.data)
		err = sec_fdes(&eh, in, &t->stats, &fe);
	if (!err && dbg.data)
		err = sec_fdes(&dbg, in, &t->stats, &fd);
	if (err)
		goto out;
	if (fe.n) /* qsort's base may not be NULL, even for no elements */
		qsort(fe.v, fe.n, sizeof(*fe.v), fde_cmp);
	fdes_disjoint(&fe, &t->stats.fdes_overlap);
	/* .debug_frame fills what .eh_frame lacks: FDEs overlapping none of .eh_frame's */
	if (fd.n)
		qsort(fd.v, fd.n, sizeof(*fd.v), fde_cmp);
	fdes_disjoint(&fd, NULL);
	k = 0;
	for (i = 0; i < fd.n; i++)
		if (!fdes_overlap(fe.v, fe.n, fd.v[i].lo, fd.v[i].hi))
			fd.v[k++] = fd.v[i];
	fd.n = k;
	for (i = 0; i < fd.n; i++) {
		err = fdevec_push(&fe, &fd.v[i]);
		if (err)
			goto out;
	}
	t->stats.fdes_debug = (unsigned int)fd.n;
	if (!fe.n)
		goto out;
	qsort(fe.v, fe.n, sizeof(*fe.v), fde_cmp);
	rv.base = fe.v[0].lo;
	for (i = 0; i < fe.n; i++) {
		if (fe.v[i].hi - rv.base > UINT32_MAX) {
			err = -E2BIG;
			goto out;
		}
	}
	for (i = 0; i < fe.n; i++) {
		const struct fde *f = &fe.v[i];
		struct ks_cfi_row none = { 0 };

		none.cfa = KS_CFI_CFA_NONE;
		none.flags = KS_CFI_RBP_UNSUP | KS_CFI_RA_UNSUP << KS_CFI_RA_SHIFT;
		err = fde_rows(f->debug ? &dbg : &eh, f, &rv);
		if (err == -ENOMEM)
			goto out;
		if (err) {
			/* none of the previous FDE's rules may cover the bad one's range */
			t->stats.fdes_bad++;
			err = 0;
			none.pc = (uint32_t)(f->lo - rv.base);
			if (rv.n && rv.v[rv.n - 1].pc == none.pc)
				rv.v[rv.n - 1] = none;
			else if ((err = rowvec_push(&rv, &none)))
				goto out;
		} else {
			t->stats.fdes++;
		}
		/* the gap after the FDE (or the end mark): none of its rules carry over */
		if (i + 1 == fe.n || fe.v[i + 1].lo > f->hi) {
			none.pc = (uint32_t)(f->hi - rv.base);
			if (rv.n && rv.v[rv.n - 1].pc == none.pc)
				rv.v[rv.n - 1] = none; /* a bad FDE's gap mark, replaced */
			else if ((err = rowvec_push(&rv, &none)))
				goto out;
		}
	}
	/* merge runs of equal rules */
	for (i = 0, j = 0; i < rv.n; i++)
		if (!j || !row_same(&rv.v[j - 1], &rv.v[i]))
			rv.v[j++] = rv.v[i];
	rv.n = j;
	/* the first rows may be marks of skipped FDEs: the table starts at a real row */
	for (i = 0; i < rv.n && rv.v[i].cfa == KS_CFI_CFA_NONE; i++)
		;
	if (i == rv.n) {
		rv.n = 0;
	} else if (i) {
		uint32_t d = rv.v[i].pc;

		memmove(rv.v, rv.v + i, (rv.n - i) * sizeof(*rv.v));
		rv.n -= i;
		for (j = 0; j < rv.n; j++)
			rv.v[j].pc -= d;
		rv.base += d;
	}
	t->base = rv.n ? rv.base : 0;
	t->nrows = rv.n;
	if (rv.n) {
		struct ks_cfi_row *v = realloc(rv.v, rv.n * sizeof(*v));

		t->rows = v ? v : rv.v;
		rv.v = NULL;
	}
out:
	free(rv.v);
	free(fe.v);
	free(fd.v);
	if (err) {
		struct ks_cfi_stats keep = t->stats;

		ks_cfi_table_free(t);
		t->stats = keep;
	}
	return err;
}

/* The section named @name of @elf with its data (decompressed when needed), or NULL. */
static Elf_Scn *elf_section(Elf *elf, const char *name, GElf_Shdr *sh, Elf_Data **data)
{
	Elf_Scn *scn = ks_elf_section(elf, name, sh);

	if (!scn || sh->sh_type == SHT_NOBITS)
		return NULL;
	if (!data)
		return scn;
	if ((sh->sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0)
		return NULL;
	*data = elf_getdata(scn, NULL);
	if (!*data || !(*data)->d_buf)
		return NULL;
	if (!gelf_getshdr(scn, sh))
		return NULL;
	return scn;
}

int ks_cfi_build(Elf *elf, Elf *debug, struct ks_cfi_table *t)
{
	struct ks_cfi_input in = { 0 };
	GElf_Shdr sh;
	Elf_Data *d;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;

	memset(t, 0, sizeof(*t));
	if (!elf || !gelf_getehdr(elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64)
		return -EINVAL;
	if (elf_section(elf, ".eh_frame", &sh, &d)) {
		in.eh_frame = d->d_buf;
		in.eh_frame_size = d->d_size;
		in.eh_frame_addr = sh.sh_addr;
	}
	if (elf_section(elf, ".got", &sh, NULL))
		in.got_addr = sh.sh_addr;
	if (elf_section(elf, ".debug_frame", &sh, &d) ||
	    (debug && elf_section(debug, ".debug_frame", &sh, &d))) {
		in.debug_frame = d->d_buf;
		in.debug_frame_size = d->d_size;
	}
	if (!in.eh_frame && !in.debug_frame)
		return -ENOENT;
	/* the executable sections' span: what lies outside is code the linker discarded */
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_EXECINSTR) ||
		    !(sh.sh_flags & SHF_ALLOC) || !sh.sh_size)
			continue;
		if (in.text_lo == in.text_hi || sh.sh_addr < in.text_lo)
			in.text_lo = sh.sh_addr;
		if (in.text_lo == in.text_hi || sh.sh_addr + sh.sh_size > in.text_hi)
			in.text_hi = sh.sh_addr + sh.sh_size;
	}
	return ks_cfi_build_input(&in, t);
}

void ks_cfi_table_free(struct ks_cfi_table *t)
{
	if (!t)
		return;
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

const struct ks_cfi_row *ks_cfi_find(const struct ks_cfi_table *t, uint64_t pc)
{
	size_t a = 0, b;
	uint64_t off;

	if (!t || !t->nrows || pc < t->base)
		return NULL;
	off = pc - t->base;
	if (off >= t->rows[t->nrows - 1].pc)
		return NULL;
	/* the last row at or below off: rows[0].pc is 0 and off is below the end mark */
	b = t->nrows - 1;
	while (b - a > 1) {
		size_t m = a + (b - a) / 2;

		if (t->rows[m].pc <= off)
			a = m;
		else
			b = m;
	}
	return &t->rows[a];
}

static bool stack_read(const struct ks_cfi_stack *s, uint64_t addr, uint64_t *v)
{
	if (addr < s->addr || addr - s->addr > s->len || s->len - (addr - s->addr) < 8)
		return false;
	memcpy(v, (const uint8_t *)s->data + (addr - s->addr), 8);
	return true;
}

int ks_cfi_unwind(ks_cfi_table_fn tables, void *ctx, const struct ks_cfi_regs *regs,
		  const struct ks_cfi_stack *stack, uint64_t *pcs, int max, enum ks_cfi_stop *why)
{
	uint64_t rip = regs->rip, rsp = regs->rsp, rbp = regs->rbp;
	bool rbp_known = true;
	int n = 0;

	for (;;) {
		const struct ks_cfi_table *t;
		const struct ks_cfi_row *row;
		uint64_t bias = 0, cfa, ra, look;

		if (!rip) {
			*why = KS_CFI_STOP_OUTERMOST;
			return n;
		}
		if (n == max) {
			*why = KS_CFI_STOP_MAX;
			return n;
		}
		pcs[n] = rip;
		/* a caller's return address may be past its function's end (a noreturn call
		 * last): its rules are those of the call instruction */
		look = n ? rip - 1 : rip;
		n++;
		t = tables(ctx, look, &bias);
		if (!t) {
			*why = KS_CFI_STOP_NO_TABLE;
			return n;
		}
		row = ks_cfi_find(t, look - bias);
		if (!row || row->cfa == KS_CFI_CFA_NONE) {
			*why = KS_CFI_STOP_NO_ROW;
			return n;
		}
		if (row->flags & KS_CFI_SIGNAL) {
			*why = KS_CFI_STOP_SIGNAL;
			return n;
		}
		switch (row->cfa) {
		case KS_CFI_CFA_RSP:
			cfa = rsp + (uint64_t)(int64_t)row->cfa_off;
			break;
		case KS_CFI_CFA_RBP:
			if (!rbp_known) {
				*why = KS_CFI_STOP_UNSUPPORTED;
				return n;
			}
			cfa = rbp + (uint64_t)(int64_t)row->cfa_off;
			break;
		case KS_CFI_CFA_PLT:
			/* the low bits of the runtime and ELF addresses agree: biases are
			 * page-aligned */
			cfa = rsp + 8 + ((rip & 15) >= (uint64_t)row->cfa_off ? 8 : 0);
			break;
		default:
			*why = KS_CFI_STOP_UNSUPPORTED;
			return n;
		}
		switch (ks_cfi_row_ra(row)) {
		case KS_CFI_RA_CFA8:
			break;
		case KS_CFI_RA_UNDEF:
			*why = KS_CFI_STOP_OUTERMOST;
			return n;
		default:
			*why = KS_CFI_STOP_UNSUPPORTED;
			return n;
		}
		if (!stack_read(stack, cfa - 8, &ra)) {
			*why = KS_CFI_STOP_WINDOW;
			return n;
		}
		switch (ks_cfi_row_rbp(row)) {
		case KS_CFI_RBP_SAME:
			break;
		case KS_CFI_RBP_CFA:
			if (!stack_read(stack, cfa + (uint64_t)(int64_t)row->rbp_off, &rbp)) {
				*why = KS_CFI_STOP_WINDOW;
				return n;
			}
			rbp_known = true;
			break;
		default:
			/* unknown from here on: fatal only if a caller's CFA needs it */
			rbp_known = false;
			break;
		}
		if (cfa <= rsp) {
			*why = KS_CFI_STOP_BAD_FRAME;
			return n;
		}
		rsp = cfa;
		rip = ra;
	}
}

const char *ks_cfi_stop_str(enum ks_cfi_stop why)
{
	switch (why) {
	case KS_CFI_STOP_OUTERMOST:
		return "outermost";
	case KS_CFI_STOP_MAX:
		return "max frames";
	case KS_CFI_STOP_NO_TABLE:
		return "no table";
	case KS_CFI_STOP_NO_ROW:
		return "no row";
	case KS_CFI_STOP_UNSUPPORTED:
		return "unsupported rule";
	case KS_CFI_STOP_SIGNAL:
		return "signal frame";
	case KS_CFI_STOP_WINDOW:
		return "outside the stack window";
	case KS_CFI_STOP_BAD_FRAME:
		return "bad frame";
	}
	return "?";
}
