/* SPDX-License-Identifier: GPL-2.0-only */
/* Minimal kernel BTF for one BPF object's CO-RE relocations, cached per kernel. */
#ifndef KS_BTFMIN_H
#define KS_BTFMIN_H

#include "core/common.h"

struct btf;

/*
 * Path of a small BTF file with just the kernel types that the CO-RE relocations of the
 * BPF object @elf (@size bytes, e.g. from a skeleton's __elf_bytes()) need, to pass as
 * bpf_object_open_opts.btf_custom_path. libbpf would otherwise parse the whole kernel
 * BTF (5+ MB, ~8 ms and as many MB of memory) at every start.
 *
 * The file is built on first use from the kernel's BTF and cached for this kernel in
 * /run/kscope (or $TMPDIR/kscope-UID); later starts only read it. Returns NULL when it
 * can't be built or cached, or when KSCOPE_BTF_CACHE=0; libbpf then reads the kernel's
 * BTF itself, which is always correct. With @rebuild the cache entry is made anew.
 */
const char *ks_btf_min_path(const void *elf, size_t size, bool rebuild);

/*
 * Build the minimal BTF for @elf against kernel BTF @kernel. Returns a new BTF (free with
 * btf__free) or NULL with errno set; -EOPNOTSUPP for relocation kinds it can't reduce.
 */
struct btf *ks_btf_min_build(const void *elf, size_t size, const struct btf *kernel);

#endif
