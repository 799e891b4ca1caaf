/* SPDX-License-Identifier: GPL-2.0-only */
/* DWARF call-frame tables: .eh_frame / .debug_frame compiled into sorted x86-64 unwind rows. */
#ifndef KS_CFI_H
#define KS_CFI_H

#include <libelf.h>
#include <stddef.h>
#include <stdint.h>

/* How the canonical frame address (the caller's RSP after the return) is found. */
enum ks_cfi_cfa {
	KS_CFI_CFA_NONE,  /* no FDE covers the address: the gap is a row of its own */
	KS_CFI_CFA_RSP,	  /* CFA = RSP + cfa_off */
	KS_CFI_CFA_RBP,	  /* CFA = RBP + cfa_off */
	KS_CFI_CFA_PLT,	  /* CFA = RSP + 8 + ((RIP & 15) >= cfa_off ? 8 : 0): .plt, .plt.sec */
	KS_CFI_CFA_UNSUP, /* another register, or an expression not of the PLT form */
};

/* Where the caller's RBP is. */
enum ks_cfi_rbp {
	KS_CFI_RBP_SAME,  /* unchanged: still in RBP */
	KS_CFI_RBP_CFA,	  /* saved at CFA + rbp_off */
	KS_CFI_RBP_UNDEF, /* DW_CFA_undefined: the caller's value is lost */
	KS_CFI_RBP_UNSUP, /* another register, an expression, a value rule */
};

/* Where the return address is. */
enum ks_cfi_ra {
	KS_CFI_RA_CFA8,	 /* at CFA - 8, as every x86-64 call leaves it */
	KS_CFI_RA_UNDEF, /* DW_CFA_undefined: the outermost frame (_start, thread entry) */
	KS_CFI_RA_UNSUP, /* anything else, or no rule at all */
};

#define KS_CFI_RBP_MASK 0x03u /* flags: enum ks_cfi_rbp */
#define KS_CFI_RA_SHIFT 2     /* flags >> KS_CFI_RA_SHIFT & 3: enum ks_cfi_ra */
#define KS_CFI_SIGNAL	0x10u /* the FDE's CIE has the 'S' augmentation (__restore_rt) */

/*
 * One row: the rules for [base + pc, base + next row's pc). 12 bytes, no pointers, so that
 * the table can be copied as it is into a BPF array map and binary-searched there:
 * - pc is a u32 offset from the table's base: one ELF's text spans far less than 4 GiB, and
 *   it saves 4 bytes a row over a u64;
 * - cfa_off is an s32: frames of over 32 KiB exist (large arrays on the stack);
 * - rbp_off is an s16: a saved RBP sits in the register save area next to the CFA; farther
 *   ones are marked unsupported;
 * - the kinds take one byte and one flags byte (enum ks_cfi_cfa; RBP and RA rules, signal).
 */
struct ks_cfi_row {
	uint32_t pc;
	int32_t cfa_off;
	int16_t rbp_off;
	uint8_t cfa;
	uint8_t flags;
};

static inline enum ks_cfi_rbp ks_cfi_row_rbp(const struct ks_cfi_row *r)
{
	return (enum ks_cfi_rbp)(r->flags & KS_CFI_RBP_MASK);
}

static inline enum ks_cfi_ra ks_cfi_row_ra(const struct ks_cfi_row *r)
{
	return (enum ks_cfi_ra)(r->flags >> KS_CFI_RA_SHIFT & 3);
}

/* What a build met; nothing in it is fatal. */
struct ks_cfi_stats {
	unsigned int cies_bad;	   /* CIEs that could not be parsed (their FDEs count as bad) */
	unsigned int fdes;	   /* FDEs used */
	unsigned int fdes_bad;	   /* FDEs skipped: truncated, bad encoding, bad CIE pointer,
				      unknown opcode, bad state stack */
	unsigned int fdes_outside; /* FDEs outside the ELF's executable sections (discarded code) */
	unsigned int fdes_overlap; /* .eh_frame FDEs overlapping an earlier one, skipped */
	unsigned int fdes_debug;   /* FDEs used from .debug_frame (ranges .eh_frame lacks) */
	unsigned int entries_bad;  /* entries whose length ran past the section: its rest is lost */
};

struct ks_cfi_table {
	uint64_t base;		 /* the lowest covered ELF virtual address */
	struct ks_cfi_row *rows; /* sorted by pc; the last one is a KS_CFI_CFA_NONE end mark */
	size_t nrows;
	struct ks_cfi_stats stats;
};

/* The sections a table is built from, for callers that hold them in memory (and tests). */
struct ks_cfi_input {
	const void *eh_frame; /* NULL when absent */
	size_t eh_frame_size;
	uint64_t eh_frame_addr;	 /* its virtual address: the base of pcrel pointers */
	uint64_t got_addr;	 /* .got: the base of datarel pointers; 0 when absent */
	const void *debug_frame; /* NULL when absent */
	size_t debug_frame_size;
	uint64_t text_lo, text_hi; /* FDEs outside [text_lo, text_hi) are dropped; 0, 0: none */
};

/*
 * Compile the call-frame information of @in into @t (which it overwrites; free it with
 * ks_cfi_table_free): every FDE of .eh_frame, then those of .debug_frame whose range no
 * .eh_frame FDE overlaps, run for x86-64 into rows sorted by pc, gaps between FDEs made
 * explicit KS_CFI_CFA_NONE rows, adjacent equal rows merged. Malformed entries are skipped
 * and counted in t->stats. Returns 0 (also for an empty table: nrows 0), -ENOMEM, or
 * -E2BIG when the covered range exceeds 4 GiB.
 */
int ks_cfi_build_input(const struct ks_cfi_input *in, struct ks_cfi_table *t);

/*
 * The same from ELF files: .eh_frame (and .got) of @elf, .debug_frame of @elf or, when it
 * has none, of @debug (its separate debug file, or NULL). Compressed .debug_frame sections
 * are decompressed in place. Returns 0, -ENOENT when neither has call-frame information,
 * -EINVAL when @elf is not a readable ELF file, or an error of ks_cfi_build_input.
 */
int ks_cfi_build(Elf *elf, Elf *debug, struct ks_cfi_table *t);

/* Free the rows of @t and zero it. Accepts a zeroed table. */
void ks_cfi_table_free(struct ks_cfi_table *t);

/*
 * The row covering ELF virtual address @pc (the runtime address minus the mapping's bias),
 * found by binary search: a KS_CFI_CFA_NONE row when @pc falls between FDEs, NULL when it
 * is below the first row or at or past the end mark.
 */
const struct ks_cfi_row *ks_cfi_find(const struct ks_cfi_table *t, uint64_t pc);

/* Why ks_cfi_unwind stopped. */
enum ks_cfi_stop {
	KS_CFI_STOP_OUTERMOST,	 /* return address undefined or 0: the stack is complete */
	KS_CFI_STOP_MAX,	 /* @max frames written */
	KS_CFI_STOP_NO_TABLE,	 /* no mapping / table holds the pc */
	KS_CFI_STOP_NO_ROW,	 /* the table has no FDE for the pc */
	KS_CFI_STOP_UNSUPPORTED, /* a rule the walker cannot follow */
	KS_CFI_STOP_SIGNAL,	 /* a signal frame (not followed yet) */
	KS_CFI_STOP_WINDOW,	 /* a read outside the copied stack window */
	KS_CFI_STOP_BAD_FRAME,	 /* the stack pointer did not grow: a loop or garbage */
};

/* The state of the innermost frame. */
struct ks_cfi_regs {
	uint64_t rip, rsp, rbp;
};

/* A copy of the stack: @len bytes that were at runtime address @addr. */
struct ks_cfi_stack {
	uint64_t addr;
	const void *data;
	size_t len;
};

/*
 * The table for runtime address @pc, or NULL; *@bias is set to what is subtracted from a
 * runtime address to get the table's ELF virtual address.
 */
typedef const struct ks_cfi_table *(*ks_cfi_table_fn)(void *ctx, uint64_t pc, uint64_t *bias);

/*
 * Reference unwinder: walk the frames from @regs with the tables @tables gives, reading
 * saved values from @stack only. Writes the innermost RIP, then each caller's return
 * address (as it is: the call is the instruction before it), into @pcs, at most @max.
 * Returns how many were written and sets *@why to the reason the walk stopped.
 */
int ks_cfi_unwind(ks_cfi_table_fn tables, void *ctx, const struct ks_cfi_regs *regs,
		  const struct ks_cfi_stack *stack, uint64_t *pcs, int max, enum ks_cfi_stop *why);

/* A short name for @why ("outermost", "no row", ...). */
const char *ks_cfi_stop_str(enum ks_cfi_stop why);

#endif
