/* SPDX-License-Identifier: GPL-2.0-only */
/* The language's middle and back end: types, checks, and BPF code for every probe. */
#ifndef KS_LANG_COMPILE_H
#define KS_LANG_COMPILE_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/ast.h"
#include "lang/print.h"
#include "lang/probes.h"

/* Types of expressions (attached to nodes by the compiler). */
enum lang_tkind {
	TY_VOID,
	TY_INT,	   /* size 1/2/4/8, sign */
	TY_STR,	   /* char[size] */
	TY_PTR,	   /* a pointer; elem: what it points at; user: into user memory */
	TY_RECORD, /* a struct/union from BTF (btf_id), or the tracepoint's args */
	TY_ARRAY,  /* elem[nelem] in memory */
	TY_KSTACK,
	TY_USTACK,
	TY_KSYM,
	TY_USYM,
	TY_PROBE,
	TY_USERNAME,
	TY_TUPLE,
	TY_AGG,	 /* the result of count() and friends: only assignable to a map */
	TY_ARGS, /* the `args` builtin itself */
};

struct lang_type {
	enum lang_tkind kind;
	uint32_t size;
	bool sign;
	bool user;		/* TY_PTR/TY_STR source: user address space */
	int btf_id;		/* TY_RECORD/TY_PTR to record: BTF type id, 0 if none */
	uint32_t nelem;		/* TY_ARRAY */
	struct lang_type *elem; /* TY_PTR, TY_ARRAY */
	struct lang_type **sub; /* TY_TUPLE */
	size_t nsub;
	enum lang_agg agg;	   /* TY_AGG */
	int64_t lmin, lmax, lstep; /* TY_AGG lhist */
	bool agg_sign;		   /* TY_AGG sum/min/max: the argument was signed */
};

/* One map the program uses. */
struct lang_cmap {
	char *name;   /* "@x" */
	int bpf_type; /* BPF_MAP_TYPE_HASH / PERCPU_HASH */
	uint32_t key_size, val_size, max_entries;
	struct lang_mapinfo info; /* for printing; key fields and value type owned here */
	struct lang_field *kf;
	int fd;
};

/* A record's argument description (printf, print, time ...). */
struct lang_cfmt {
	char *fmt; /* printf/time format; NULL for print(value) */
	struct lang_field *args;
	size_t nargs;
	uint32_t size; /* bytes of arguments after the record header */
};

/* The header of every ring-buffer record the generated programs send. */
struct lang_rec {
	uint32_t kind; /* enum lang_rec_kind */
	uint32_t id;   /* format, map or value index */
	uint32_t pid, tid;
	/* arguments follow at offset 16, each at lang_cfmt.args[i].off */
};

enum lang_rec_kind {
	LANG_REC_PRINTF = 1,
	LANG_REC_PRINT_MAP, /* id: map; args: u64 top, u64 div */
	LANG_REC_PRINT_VAL, /* id: format (fmt NULL, one argument) */
	LANG_REC_CLEAR,	    /* id: map */
	LANG_REC_ZERO,	    /* id: map */
	LANG_REC_EXIT,
	LANG_REC_TIME,	/* id: format (strftime) */
	LANG_REC_LEARN, /* a process whose user addresses will need symbols: read its
			 * maps now, while it lives (pid in the header) */
};

/* Entries of every map @x, as bpftrace's default. */
#define LANG_MAP_ENTRIES 4096

/* Counters of the per-CPU array "lost" (lang_compiled.lost), by key. */
enum { LANG_LOST_RING, LANG_LOST_MAPFULL, LANG_LOST_NR };

/* Instruction positions, for --dump and for blaming the verifier's rejections. */
struct lang_cline {
	struct lang_pos pos;
};

/* One BPF program: one probe's action for one concrete target. */
struct lang_cprog {
	struct lang_target *target; /* owned */
	size_t probe;		    /* index of its probe in the program */
	struct bpf_insn *insns;
	struct lang_pos *lines; /* per instruction */
	size_t ninsns;
	struct lang_progspec spec;
	int fd;
	int dup_of; /* -1, or an earlier program with the same code */
};

struct lang_compiled {
	struct lang_cmap *maps;
	size_t nmaps;
	struct lang_cfmt *fmts;
	size_t nfmts;
	struct lang_cprog *progs;
	size_t nprogs;
	char **probe_names; /* for the `probe` builtin, by index */
	size_t nprobe_names;
	/* internal maps, indexes into maps[] (-1 if unused) */
	int ring, lost, kstacks, ustacks, zero;
	uint32_t zero_size;
	bool uses_elapsed;
	uint64_t start_ns; /* `elapsed` counts from here (CLOCK_MONOTONIC) */
};

struct lang_compile_opts {
	int pid;       /* -p: uprobes/usdt limited to it; 0 for none */
	int cpid;      /* -c: the child's pid for `cpid` */
	char **params; /* positional parameters $1.. */
	size_t nparams;
	uint64_t start_ns;
};

/*
 * Type-check @p and generate one BPF program per probe and target, with the maps and
 * formats they use. Returns NULL with @d set (positioned) on an error in the program;
 * errno says what kind: EINVAL (the program is wrong), EOPNOTSUPP (a probe type this
 * kernel lacks: @d says why), ENOMEM.
 */
struct lang_compiled *lang_compile(const struct lang_program *p, const struct lang_compile_opts *o,
				   struct lang_diag *d);
void lang_compiled_free(struct lang_compiled *c);

/* Write every program's instructions with the source line each came from (--dump). */
void lang_compiled_dump(const struct lang_compiled *c, const char *src, FILE *f);

/* One instruction in a readable form ("r1 = *(u32 *)(r6 + 8)"). */
void lang_insn_str(const struct bpf_insn *in, char *buf, size_t len);

#endif
