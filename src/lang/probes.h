/* SPDX-License-Identifier: GPL-2.0-only */
/* The language's probe types: expanding attach points, listing, formats, attaching. */
#ifndef KS_LANG_PROBES_H
#define KS_LANG_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/ast.h"

enum lang_ptype {
	LP_BEGIN,
	LP_END,
	LP_TRACEPOINT, /* tracepoint:CAT:NAME (t:) */
	LP_RAWTP,      /* rawtracepoint:NAME (rt:), BTF-typed args when the kernel has BTF */
	LP_KPROBE,     /* kprobe:FUNC[+OFF] (k:) */
	LP_KRETPROBE,  /* kretprobe:FUNC (kr:) */
	LP_KFUNC,      /* kfunc:FUNC, fentry:FUNC (f:) */
	LP_KRETFUNC,   /* kretfunc:FUNC, fexit:FUNC (fr:) */
	LP_UPROBE,     /* uprobe:BINARY:FUNC[+OFF] | uprobe:BINARY:ADDR (u:) */
	LP_URETPROBE,  /* uretprobe:BINARY:FUNC (ur:) */
	LP_USDT,       /* usdt:BINARY:[PROVIDER:]NAME (U:) */
	LP_PROFILE,    /* profile:hz:N | profile:s:N | profile:ms:N | profile:us:N (p:) */
	LP_INTERVAL,   /* interval:s:N | interval:ms:N | interval:us:N | interval:hz:N (i:) */
	LP_SOFTWARE,   /* software:EVENT:COUNT (s:) cpu-clock, page-faults, ... */
	LP_HARDWARE,   /* hardware:EVENT:COUNT (h:) cycles, instructions, ... */
	LP_NR,
};

/* "t", "tracepoint", "k", ... to the type; -EINVAL for an unknown provider. */
int lang_ptype_parse(const char *provider, enum lang_ptype *t);
/* The long name: "tracepoint", "uprobe", ... */
const char *lang_ptype_name(enum lang_ptype t);

/* One USDT argument, from the note's "-4@%edi", "8@-16(%rbp)", "4@$5" specs (x86-64). */
struct lang_usdt_arg {
	int size; /* bytes: 1, 2, 4, 8 */
	bool is_signed;
	enum { LANG_USDT_CONST, LANG_USDT_REG, LANG_USDT_MEM } kind;
	int reg_off; /* REG/MEM: byte offset of the register in struct pt_regs */
	int64_t val; /* CONST: the value; MEM: the displacement */
};

/*
 * Parse one argument spec of a USDT note (x86-64 AT&T operands, as <sys/sdt.h> writes them):
 * "[-]SIZE@OPERAND" with SIZE 1, 2, 4 or 8 (negative: signed) and OPERAND "%reg" (any width:
 * %rax, %eax, %ax, %al, %ah, %r8d ...), "$imm" or "disp(%reg)". Returns 0, -EINVAL for a
 * malformed spec, or -EOPNOTSUPP for a valid one that struct lang_usdt_arg can't express
 * (index registers "(%rax,%rbx,8)", %rip-relative symbols "sym(%rip)", floating point).
 */
int lang_usdt_arg_parse(const char *spec, struct lang_usdt_arg *a);

/* One concrete probe after wildcard expansion. */
struct lang_target {
	enum lang_ptype type;
	char *name;	 /* the full name the `probe` builtin prints, as bpftrace does: the long
			  * provider name, then the fields as written with wildcards expanded and
			  * the binary resolved: "tracepoint:sched:sched_switch",
			  * "uprobe:/usr/bin/bash:readline" (for u:bash:readline), "software:cs:5",
			  * "interval:s:1", "kprobe:vfs_read+16" (offsets in decimal) */
	char *cat;	 /* tracepoint: category; usdt: provider */
	char *event;	 /* tracepoint/rawtracepoint: event; kprobe/kfunc/uprobe: function (a
			  * uprobe on an address: the address as written); usdt: probe name;
			  * software/hardware: the event's long name ("context-switches" for cs) */
	char *path;	 /* uprobe/usdt: the binary, resolved (absolute, or found in $PATH or as
			  * a library) */
	uint64_t offset; /* uprobe/usdt: file offset of the probed instruction;
			  * kprobe: offset into the function */
	uint64_t ref_ctr_off;	     /* usdt: file offset of its semaphore, 0 if none */
	struct lang_usdt_arg *uargs; /* usdt: its arguments */
	size_t nuargs;
	uint64_t period; /* profile/software/hardware: sample period (or frequency when
			  * @freq; profile's s/ms/us: nanoseconds of cpu-clock);
			  * interval: nanoseconds */
	bool freq;
};

void lang_target_free(struct lang_target *t); /* the members, not @t itself */

/*
 * Expand attach point @a into concrete targets: tracepoint wildcards against the kernel's
 * events, rawtracepoint against BTF (btf_trace_*) or available_events, uprobe function
 * wildcards against the binary's ELF symbols, usdt against its .note.stapsdt notes, kprobe
 * and kfunc against available_filter_functions or BTF (kprobe targets are expanded even
 * where kprobes can't attach: see lang_probe_supported). Wildcards are '*', '?' and
 * '[...]' (fnmatch). @pid (0 for none) resolves a relative binary through /proc/PID/exe and
 * its libraries. The targets are sorted by name; a USDT probe placed at several sites gives
 * one target per site, all of the same name. A pattern that matches nothing, an unknown
 * provider or a malformed field gives -ENOENT/-EINVAL (-ENOEXEC: not an ELF file,
 * -EOPNOTSUPP: a kernel module's function, a USDT argument kscope can't read) and @d
 * positioned at @a->pos ("tracepoint:sched:nope: no such tracepoint", "profile: expected
 * hz, s, ms or us, found 'x'"). @out is a malloc'ed array of @n targets.
 */
int lang_probe_expand(const struct lang_attach *a, int pid, struct lang_target **out, size_t *n,
		      struct lang_diag *d);

/*
 * Whether targets of type @t can work on this kernel: 0, or -EOPNOTSUPP with a one-line
 * reason in @why ("kprobes are not available on this kernel: CONFIG_KPROBES is off (attach
 * gives ENOENT)"). Decided by the core's feature probes, never by kernel version.
 */
int lang_probe_supported(enum lang_ptype t, char *why, size_t whylen);

/* A classic tracepoint's field, from events/CAT/NAME/format. */
struct lang_tpfield {
	char name[64];
	char type[128]; /* as the format file says, with an array's brackets moved from the name:
			 * "const char *", "__data_loc char[]", "u8[16]" for "u8 addr[16]" */
	uint32_t off, size;
	bool is_signed;
	bool data_loc;	/* __data_loc: a u32 (len << 16 | offset) pointing into the record */
	uint32_t array; /* number of elements for "type name[N]" fields, 0 otherwise */
};

/*
 * The fields of tracepoint CAT:NAME after the common_* ones (mounting tracefs if needed).
 * @f is malloc'ed. Returns 0, or -ENOENT (no such tracepoint) / -errno.
 */
int lang_tp_format(const char *cat, const char *name, struct lang_tpfield **f, size_t *n);
/*
 * The parser behind lang_tp_format, on the text of a format file: "field:DECL; offset:N;
 * size:N; signed:N;" lines. @type keeps array brackets ("char[16]", "__data_loc char[]").
 * Returns 0 (@f malloc'ed, possibly with @n 0), or -ENOMEM.
 */
int lang_tp_format_parse(const char *text, struct lang_tpfield **f, size_t *n);

/*
 * List probes matching @pattern (NULL: all tracepoints, rawtracepoints, software and
 * hardware events, kprobes/kfuncs where available) as bpftrace -l does, one per line,
 * sorted: "tracepoint:sched:sched_switch", "software:cpu-clock:". A pattern without ':'
 * ("*sched_switch*") is matched against the last part of the names of those providers.
 * "uprobe:/bin/bash:*" lists a binary's functions, "usdt:/path:*" its USDT probes; with
 * @verbose tracepoints' fields follow, indented ("    int prev_pid"). Returns the number of
 * probes listed (0 when nothing matches), or -errno after saying why on stderr (a bad
 * provider, a binary that isn't there).
 */
int lang_probe_list(const char *pattern, int pid, bool verbose, FILE *f);

/*
 * What the loader needs for a target: the BPF program type, the expected attach type and
 * (tp_btf/kfunc) the BTF id of the kernel function or tracepoint type.
 */
struct lang_progspec {
	int prog_type;	   /* enum bpf_prog_type */
	int attach_type;   /* enum bpf_attach_type, 0 if none */
	int attach_btf_id; /* 0 if none */
};
int lang_target_progspec(const struct lang_target *t, struct lang_progspec *s);

/*
 * Attach loaded program @prog_fd to @t: tracepoint (perf event + link), rawtracepoint,
 * kprobe/kfunc, uprobe/uretprobe/usdt (uprobe PMU, semaphore via ref_ctr_offset; @pid
 * limits a uprobe to one process, 0 for all), profile/software/hardware (a perf event on
 * every online CPU). BEGIN, END and interval are run by the runtime and attach nothing.
 * The file descriptors to close on detach are appended to *@fds (realloc'ed, *@nfds
 * updated). Returns 0, or -errno with a one-line reason in @err.
 */
int lang_probe_attach(const struct lang_target *t, int prog_fd, int pid, int **fds, size_t *nfds,
		      char *err, size_t errlen);

/*
 * Between probes.c and the ELF side of uprobes and USDT (elfsym.c); exported for the tests.
 */

/*
 * Find uprobe binary @name as lang_probe_expand does: a path containing '/' as it is
 * (relative ones made absolute; under /proc/PID/root when only @pid sees it); else, with
 * @pid, the process's executable or a library it maps whose file name is @name or starts
 * with "@name.so" ("libc" -> libc.so.6); else a program in $PATH; else a library of that
 * name in /etc/ld.so.cache or the standard library directories. 0 with the path in @out,
 * or -ENOENT (-EINVAL for an empty name, -ENAMETOOLONG when @out is too small).
 */
int lang_bin_resolve(const char *name, int pid, char *out, size_t outlen);

struct lang_elf; /* an ELF file opened for reading */

/* Open @path; -ENOENT, -EACCES, -ENOEXEC (not an ELF file) or -ENOMEM. */
int lang_elf_open(const char *path, struct lang_elf **e);
void lang_elf_close(struct lang_elf *e);

/*
 * File offset of virtual address @vaddr: through the loadable segment holding it, which
 * gives the right answer for executables (PIE or not) and shared libraries alike, and is
 * what the uprobe PMU wants. 0, or -ENOENT when no segment's file contents hold it.
 */
int lang_elf_offset(const struct lang_elf *e, uint64_t vaddr, uint64_t *off);

struct lang_elf_func {
	const char *name; /* lives as long as the lang_elf */
	uint64_t addr, size;
};

/*
 * The function symbols of .symtab and .dynsym (core/syms' reader), sorted by name, one per
 * name (a global definition before a local one). The array belongs to @e.
 */
int lang_elf_funcs(struct lang_elf *e, const struct lang_elf_func **v, size_t *n);

struct lang_usdt_note {
	const char *provider, *name, *args; /* args: space-separated specs, "" if none */
	uint64_t pc, sema; /* virtual addresses, moved by .stapsdt.base as prelink requires;
			    * sema 0 when the probe has no semaphore */
};

/* The .note.stapsdt notes of @e in file order (@n 0 if none). The array belongs to @e. */
int lang_elf_usdt_notes(struct lang_elf *e, const struct lang_usdt_note **v, size_t *n);

/*
 * Parse a note's space-separated argument specs into a malloc'ed array (NULL when none).
 * On error returns lang_usdt_arg_parse's, with the index of the failing spec in *@bad.
 */
int lang_usdt_args_parse(const char *args, struct lang_usdt_arg **v, size_t *n, size_t *bad);

#endif
