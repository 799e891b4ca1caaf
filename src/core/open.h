/* SPDX-License-Identifier: GPL-2.0-only */
/* Opening a BPF object so that libbpf never has to parse the whole kernel BTF. */
#ifndef KS_OPEN_H
#define KS_OPEN_H

#include "core/common.h"

struct bpf_object_open_opts;
struct bpf_program;

/*
 * Open options for the BPF object whose ELF image @elf returns (a skeleton's
 * __elf_bytes): btf_custom_path is a minimal kernel BTF for the object's CO-RE
 * relocations (see btfmin.h), and, when it is, kscope's own loader hooks take over
 * tp_btf/, fentry/ and fexit/ programs, finding their attach targets with the cheap
 * lookups of btf.h. libbpf then loads the object without parsing the kernel BTF (5+ MB).
 * Without a minimal BTF (no cache dir, KSCOPE_BTF_CACHE=0) returns plain options and
 * libbpf does everything itself. The result is valid until the next call.
 */
const struct bpf_object_open_opts *ks_bpf_open_opts(const void *(*elf)(size_t *size));

/* True if @prog is loaded through kscope's hooks: attach it with bpf_program__attach_trace. */
bool ks_bpf_own_prog(const struct bpf_program *prog);

#endif
