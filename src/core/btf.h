/* SPDX-License-Identifier: GPL-2.0-only */
/* Cheap name lookups in the running kernel's BTF, without parsing all of it. */
#ifndef KS_BTF_H
#define KS_BTF_H

#include "core/common.h"

/* One name to find: @kind is a BTF_KIND_* value; @id receives the type id or -ENOENT. */
struct ks_btf_query {
	const char *name;
	int kind;
	int id;
};

/*
 * Resolve @n queries against /sys/kernel/btf/vmlinux (or $KSCOPE_VMLINUX_BTF) in one walk
 * over the raw file, mapped where the kernel allows: kscope must not pay libbpf's full
 * BTF parse (milliseconds, megabytes) just to learn whether a tracepoint or function exists.
 * Returns 0 when the file was read (each query's @id set), or a negative errno when there
 * is no kernel BTF. Results are cached for the life of the process.
 */
int ks_btf_lookup(struct ks_btf_query *q, size_t n);

typedef int (*ks_btf_name_fn)(const char *name, int id, void *arg);

/*
 * Call @fn with the name and id of every named type of kind @kind (BTF_KIND_*) in the kernel
 * BTF, in id order: how wildcards ("vfs_*", every btf_trace_* typedef) are expanded without
 * libbpf's full parse. A non-zero return of @fn stops the walk and is returned; otherwise 0,
 * or a negative errno when there is no usable kernel BTF.
 */
int ks_btf_foreach(int kind, ks_btf_name_fn fn, void *arg);

/* Single-name form of ks_btf_lookup: the type id, or a negative errno. */
int ks_btf_id(const char *name, int kind);

typedef int (*ks_btf_enum_fn)(const char *name, long long value, void *arg);

/*
 * Call @fn with the name and value of every enumerator of enum @type in the kernel BTF
 * (e.g. "cgroup_subsys_id"), found in one walk over the mapped file, without indexing the
 * types as ks_btf_type does. A non-zero return of @fn stops it and is returned; otherwise
 * 0, -ENOENT when there is no such enum, or -errno when there is no kernel BTF.
 */
int ks_btf_enum_foreach(const char *type, ks_btf_enum_fn fn, void *arg);

/*
 * May tracing programs use hash maps whose elements are allocated at run time
 * (BPF_F_NO_PREALLOC)? Only where the kernel has its BPF memory allocator (struct
 * bpf_mem_alloc, 6.1+), which is safe in any context; older kernels refuse such maps in
 * perf_event programs and print a WARNING for other tracing programs. Cached.
 */
bool ks_btf_lazy_maps(void);

/* 0 if the kernel BTF file exists and has a BTF header, else a negative errno. */
int ks_btf_check(void);

/*
 * Mix an identity of the kernel BTF into the FNV-1a hash *@h: its header, size and a
 * sample of its types and strings. Different kernels give different values. 0 or -errno.
 */
int ks_btf_fingerprint(unsigned long long *h);

/*
 * The arguments of tracepoint @tp ("block_rq_complete") as its btf_trace_@tp typedef
 * declares them (without the leading void *data): returns their number, and the first
 * @max of them in @types: the type's name ("int", "blk_status_t"), "*" for any pointer,
 * "" for an unnamed type. How a tool tells argument layouts apart before it loads, on
 * kernels that changed a tracepoint's arguments. -ENOENT when there is no such tracepoint.
 */
int ks_btf_tp_args(const char *tp, const char **types, int max);

/* Path of the kernel BTF file used above. */
const char *ks_btf_path(void);

struct btf_type;

/*
 * Type @id of the kernel BTF, read in place from the mapped raw file (see ks_btf_lookup:
 * no copy and, where the kernel maps it, no resident memory); NULL for void (0) or an id
 * out of range. The first call indexes the type offsets (4 bytes per type). Use libbpf's
 * inline btf_* accessors (btf_members, btf_vlen ...) on the result.
 */
const struct btf_type *ks_btf_type(int id);
/* The string at @off of the kernel BTF's string section; "" when out of range. */
const char *ks_btf_str(unsigned int off);

#endif
