/* SPDX-License-Identifier: GPL-2.0-only */
/* Stack symbolizer: kernel addresses from /proc/kallsyms, user addresses from ELF files. */
#ifndef KS_SYMS_H
#define KS_SYMS_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>

enum ks_frame_kind { KS_FRAME_KERNEL, KS_FRAME_USER, KS_FRAME_JIT, KS_FRAME_UNKNOWN };

struct ks_sym {
	const char *name;	     /* function name; NULL when unknown. Strings live until
					ks_syms_free */
	const char *module;	     /* kernel: module name ("ext4"), "bpf" for BPF programs,
					NULL for vmlinux; user: basename of the mapped file
					("libc.so.6"), NULL if anonymous */
	const char *path;	     /* user: the mapping's path as in /proc/PID/maps; NULL for
					kernel */
	unsigned long long offset;   /* addr - start of the symbol (0 when unknown) */
	unsigned long long elf_addr; /* user: the address translated to the ELF file's vaddr;
					kernel: the address itself */
	enum ks_frame_kind kind;
};

struct ks_syms;

/*
 * A new, empty symbolizer. Nothing is read until it is asked: the kernel table on the
 * first ks_syms_kernel (or ks_syms_kernel_refresh), a process on its first ks_syms_learn
 * or ks_syms_user. NULL with errno set (ENOMEM) on failure. Not thread-safe: one
 * symbolizer per thread, or a lock around every call.
 */
struct ks_syms *ks_syms_new(void);

/*
 * Free everything @s holds; every string any call returned becomes invalid. Accepts NULL.
 */
void ks_syms_free(struct ks_syms *s);

/*
 * Where separate debug files are looked up (see docs/symbols.md): @dir/.build-id/xx/rest.debug
 * by build-id and @dir/<dir of the binary>/<debuglink name>. Default "/usr/lib/debug";
 * NULL restores it. Applies to binaries loaded after the call (loaded ones are cached).
 */
void ks_syms_set_debug_root(struct ks_syms *s, const char *dir);

/*
 * (Re)read /proc/kallsyms: its text symbols (t, T, w, W), sorted for binary search. Call it
 * after loading your BPF programs so their frames get names. Done lazily by the first
 * ks_syms_kernel when never called. Names returned before a refresh stay valid (the old
 * table's strings are kept until ks_syms_free; an unchanged file costs no memory).
 * Returns 0, -EPERM when kallsyms hides the addresses (all zero: not root, or
 * kptr_restrict), in which case every kernel address is unknown, or another -errno.
 */
int ks_syms_kernel_refresh(struct ks_syms *s);

/*
 * Resolve kernel address @addr to the nearest text symbol at or below it. Addresses below
 * the first symbol, at or past _etext in vmlinux, or more than 64 KiB past the last symbol
 * of a module (kallsyms has no sizes) are unknown. Always fills @out: kind KS_FRAME_KERNEL,
 * module as described in struct ks_sym, name NULL and offset 0 when not found.
 * Returns 0 when a symbol was found, -ENOENT otherwise.
 */
int ks_syms_kernel(struct ks_syms *s, unsigned long long addr, struct ks_sym *out);

/*
 * Learn the mappings of process @pid (pass the tgid) now, while it lives, so that its
 * addresses still resolve after it exits: copies its /proc/PID/maps, loads the symbols of
 * every executable file it maps (once per file, by device and inode, shared with other
 * processes) and reads its JIT map (/tmp/perf-PID.map as the process sees it). When @pid
 * is already known this is cheap (two small /proc reads): it re-reads everything only
 * when the pid now belongs to another process (its start time changed) or the process
 * exec'd another binary (/proc/PID/exe changed). A known pid that has exited keeps what
 * was learnt and returns 0 (any other error reading it also keeps what was learnt). Returns 0,
 * -ESRCH when the process is gone (and was not known), -EACCES (or -EPERM) when its /proc files are
 * unreadable, or another -errno; a failed pid is remembered as unreadable, and ks_syms_user then
 * does not retry it.
 */
int ks_syms_learn(struct ks_syms *s, int pid);

/*
 * Drop what is known of @pid (e.g. it exec'd: the next learn reads it anew). The loaded
 * binaries stay cached and the strings returned so far stay valid.
 */
void ks_syms_forget(struct ks_syms *s, int pid);

/*
 * Resolve user address @addr of process @pid, learning @pid first when it is not known
 * yet. Always fills @out: kind KS_FRAME_USER with name, module and path when a symbol of
 * the mapped file covers @addr; KS_FRAME_JIT when a symbol of the process's perf map does
 * (module and path of the mapping, NULL when anonymous); KS_FRAME_UNKNOWN with module and
 * path set when the mapping is known but no symbol covers @addr; KS_FRAME_UNKNOWN with
 * everything NULL when the process is unknown or unreadable or no mapping holds @addr.
 * An address in no known mapping of a live process makes it re-read the process's maps
 * and perf map (at most once a second), which catches libraries loaded by dlopen after
 * the learn. Returns 0 when a name was found, -ENOENT otherwise. Never allocates when
 * everything it needs is already known.
 */
int ks_syms_user(struct ks_syms *s, int pid, unsigned long long addr, struct ks_sym *out);

/*
 * The ELF file whose symbol table served (or would serve) user address @addr of @pid as
 * it was opened: the binary itself (e.g. "/proc/123/root/usr/lib/libc.so.6") or its debug
 * file. NULL when the process or mapping is unknown or no file could be read. For tests
 * and diagnostics; does not learn @pid.
 */
const char *ks_syms_user_file(struct ks_syms *s, int pid, unsigned long long addr);

/*
 * Write one frame as text for folded stacks into @buf (at most @len bytes, always
 * nul-terminated when @len > 0). The forms:
 *   user symbol                "name"
 *   JIT (perf map) symbol      "name_[j]"
 *   kernel symbol in vmlinux   "name_[k]"
 *   kernel symbol in a module  "name [module]_[k]" (module "bpf" for BPF programs)
 *   unknown kernel address     "[unknown]_[k]"
 *   unknown, mapping known     "[unknown] (libfoo.so)" (the module: file basename or
 *                              pseudo-path such as "[vdso]")
 *   nothing known              "[unknown]"
 * A name or module is escaped as a folded frame (ks_text_escape_flags, KS_ESC_FOLDED: a
 * newline as \n, a ';' as '_', invalid UTF-8 as \xHH ...), so the result is one frame of
 * one folded line and safe on a terminal. Returns the length of the whole
 * frame text (snprintf semantics: a return >= @len means it was truncated).
 */
int ks_sym_folded(const struct ks_sym *sym, char *buf, size_t len);

/*
 * True when @name is a function where a user stack normally ends (the outermost frame):
 * _start, __libc_start_main, __libc_start_call_main, start_thread, clone, clone3,
 * __clone, __clone3, thread_start, Go's runtime.goexit... A symbol version suffix
 * ("@@GLIBC_2.34") is ignored. A walked user stack whose outermost frame is not a root
 * was probably cut short (no frame pointers somewhere): callers can mark it. NULL: false.
 */
bool ks_sym_is_stack_root(const char *name);

/* Called for each function symbol; a non-zero return stops the walk and is returned. */
typedef int (*ks_elf_sym_fn)(const char *name, unsigned long long addr, unsigned long long size,
			     int bind, void *arg);

struct Elf;

/*
 * Walk the function symbols of @elf (libelf's Elf) in its first symbol table of section type
 * @type (SHT_SYMTAB or SHT_DYNSYM), as the symbolizer reads them: STT_FUNC and STT_GNU_IFUNC,
 * defined, with a non-zero address; @bind is the symbol's STB_* binding. Shared with the
 * language's uprobe expansion so that there is one reader of ELF symbol tables. Returns 0
 * when @elf has no such table, 1 when it was walked, or the first non-zero return of @fn.
 */
int ks_elf_func_syms(struct Elf *elf, unsigned int type, ks_elf_sym_fn fn, void *arg);

/* The first section of @elf named @name, its header in @sh; NULL when there is none. */
Elf_Scn *ks_elf_section(Elf *elf, const char *name, GElf_Shdr *sh);

#endif
