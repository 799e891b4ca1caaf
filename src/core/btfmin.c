// SPDX-License-Identifier: GPL-2.0-only
/*
 * Minimal kernel BTF for CO-RE: from a BPF object's relocation records, keep only the
 * kernel types and members they reach, at their kernel offsets and sizes, so libbpf's
 * relocation against this small file gives what it gives against the whole kernel BTF.
 *
 * How libbpf matches (and so what must survive): candidates are the kernel types with the
 * relocation root's kind and essential name (the name before any "___flavour"); a field
 * access walks named members, looking through anonymous structs and unions; the last
 * member's type must be of a compatible kind (any pointer, any int, same-named enum, any
 * composite, arrays by element). Sizes, offsets, bitfields and enum values are copied.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/btf.h"
#include "core/btfmin.h"
#include "core/errors.h"
#include "core/log.h"

/* The .BTF.ext layout (the ELF's CO-RE relocation records). */
struct ext_header {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off, func_info_len;
	__u32 line_info_off, line_info_len;
	__u32 core_relo_off, core_relo_len;
};

struct core_relo {
	__u32 insn_off;
	__u32 type_id;
	__u32 access_str_off;
	__u32 kind;
};

enum {
	RELO_FIELD_BYTE_OFFSET = 0,
	RELO_FIELD_RSHIFT_U64 = 5,
	RELO_TYPE_ID_LOCAL = 6,
	RELO_TYPE_ID_TARGET = 7,
	RELO_TYPE_EXISTS = 8,
	RELO_TYPE_SIZE = 9,
	RELO_ENUMVAL_EXISTS = 10,
	RELO_ENUMVAL_VALUE = 11,
};

#define MAX_ACCESS 64
#define MAX_PATH   16

/* One type to emit; node i becomes type id i + 1 in the output. */
struct node {
	int kid;	     /* kernel type id; 0 for the shared void pointer */
	int kind;	     /* BTF kind emitted */
	unsigned char *keep; /* composites: members kept */
	int ref;	     /* array element / typedef target: node index */
	int index;	     /* array index type: node index */
};

struct gen {
	const struct btf *k, *l;
	struct node *n;
	size_t nn, cap;
	int *by_kid; /* kernel id -> node index + 1 */
	int voidptr; /* node index + 1 */
	int err;
};

/* Section @name of an in-memory ELF64 object, or NULL. */
static const void *elf_section(const void *elf, size_t size, const char *name, size_t *len)
{
	const Elf64_Ehdr *eh = elf;
	const Elf64_Shdr *sh, *ss;
	const char *names;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shoff > size || (size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum ||
	    eh->e_shstrndx >= eh->e_shnum)
		return NULL;
	sh = (const void *)((const char *)elf + eh->e_shoff);
	ss = &sh[eh->e_shstrndx];
	if (ss->sh_offset > size || ss->sh_size > size - ss->sh_offset)
		return NULL;
	names = (const char *)elf + ss->sh_offset;
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_name >= ss->sh_size ||
		    strncmp(names + sh[i].sh_name, name, ss->sh_size - sh[i].sh_name) ||
		    sh[i].sh_offset > size || sh[i].sh_size > size - sh[i].sh_offset)
			continue;
		*len = sh[i].sh_size;
		return (const char *)elf + sh[i].sh_offset;
	}
	return NULL;
}

static int skip_mods(const struct btf *btf, int id, bool typedefs)
{
	for (int guard = 0; guard < 64 && id > 0; guard++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		int kind = t ? btf_kind(t) : -1;

		if (kind == BTF_KIND_VOLATILE || kind == BTF_KIND_CONST ||
		    kind == BTF_KIND_RESTRICT || kind == BTF_KIND_TYPE_TAG ||
		    (typedefs && kind == BTF_KIND_TYPEDEF))
			id = t->type;
		else
			return id;
	}
	return id;
}

static size_t essential_len(const char *name)
{
	const char *p = strstr(name, "___");

	return p ? (size_t)(p - name) : strlen(name);
}

static int new_node(struct gen *g, int kid, int kind)
{
	if (g->nn == g->cap) {
		struct node *n = realloc(g->n, (g->cap = g->cap ? g->cap * 2 : 64) * sizeof(*n));

		if (!n) {
			g->err = -ENOMEM;
			return -1;
		}
		g->n = n;
	}
	memset(&g->n[g->nn], 0, sizeof(g->n[0]));
	g->n[g->nn].kid = kid;
	g->n[g->nn].kind = kind;
	g->n[g->nn].ref = g->n[g->nn].index = -1;
	return (int)g->nn++;
}

/* The node that stands for kernel type @kid (modifiers and typedefs looked through). */
static int node_for(struct gen *g, int kid)
{
	const struct btf_type *t;
	int idx, kind;

	kid = skip_mods(g->k, kid, true);
	if (kid <= 0 || g->err)
		return -1;
	if (g->by_kid[kid])
		return g->by_kid[kid] - 1;
	t = btf__type_by_id(g->k, kid);
	kind = btf_kind(t);
	switch (kind) {
	case BTF_KIND_PTR:
		if (!g->voidptr)
			g->voidptr = new_node(g, 0, BTF_KIND_PTR) + 1;
		return g->voidptr - 1;
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_FWD:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		idx = new_node(g, kid, kind);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		idx = new_node(g, kid, kind);
		if (idx >= 0) {
			g->n[idx].keep = calloc(btf_vlen(t) + 1, 1);
			if (!g->n[idx].keep)
				g->err = -ENOMEM;
		}
		break;
	case BTF_KIND_ARRAY: {
		int elem, index;

		idx = new_node(g, kid, kind);
		if (idx < 0)
			return -1;
		g->by_kid[kid] = idx + 1;
		elem = node_for(g, btf_array(t)->type);
		index = node_for(g, btf_array(t)->index_type);
		if (elem < 0 || index < 0) {
			g->err = g->err ? g->err : -EOPNOTSUPP;
			return -1;
		}
		g->n[idx].ref = elem;
		g->n[idx].index = index;
		return idx;
	}
	default:
		/* Functions, variables...: never the type of a member we relocate. */
		g->err = -EOPNOTSUPP;
		return -1;
	}
	if (idx >= 0)
		g->by_kid[kid] = idx + 1;
	return idx;
}

/* The existing node of kernel type @kid, never creating one; -1 if none. */
static int node_lookup(const struct gen *g, int kid)
{
	const struct btf_type *t;

	kid = skip_mods(g->k, kid, true);
	t = kid > 0 ? btf__type_by_id(g->k, kid) : NULL;
	if (!t)
		return -1;
	if (btf_kind(t) == BTF_KIND_PTR)
		return g->voidptr - 1;
	return g->by_kid[kid] - 1;
}

/* A relocation root that is a typedef keeps its name: emit the typedef too. */
static int root_node(struct gen *g, int kid)
{
	const struct btf_type *t = btf__type_by_id(g->k, kid);
	int idx, target;

	if (!t || btf_kind(t) != BTF_KIND_TYPEDEF)
		return node_for(g, kid);
	if (g->by_kid[kid])
		return g->by_kid[kid] - 1;
	idx = new_node(g, kid, BTF_KIND_TYPEDEF);
	if (idx < 0)
		return -1;
	g->by_kid[kid] = idx + 1;
	target = node_for(g, t->type);
	if (target < 0)
		return -1;
	g->n[idx].ref = target;
	return idx;
}

/* Depth-first search for member @name in composite @kid, through anonymous members. */
static bool find_member(struct gen *g, int kid, const char *name, int (*path)[2], int *depth)
{
	const struct btf_type *t = btf__type_by_id(g->k, kid);
	const struct btf_member *m = btf_members(t);

	if (*depth >= MAX_PATH)
		return false;
	for (unsigned int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(g->k, m->name_off);

		path[*depth][0] = kid;
		path[*depth][1] = (int)i;
		if (mn && mn[0]) {
			if (!strcmp(mn, name)) {
				(*depth)++;
				return true;
			}
			continue;
		}
		{
			int sub = skip_mods(g->k, m->type, true);
			const struct btf_type *st = btf__type_by_id(g->k, sub);

			if (st && btf_is_composite(st)) {
				(*depth)++;
				if (find_member(g, sub, name, path, depth))
					return true;
				(*depth)--;
			}
		}
	}
	return false;
}

static void keep_member(struct gen *g, int kid, int idx)
{
	const struct btf_type *t = btf__type_by_id(g->k, kid);
	int n = node_for(g, kid);

	if (n < 0 || !g->n[n].keep)
		return;
	g->n[n].keep[idx] = 1;
	node_for(g, btf_members(t)[idx].type);
}

static int parse_access(const char *s, int *acc)
{
	int n = 0;

	while (s && *s && n < MAX_ACCESS) {
		char *end;

		acc[n++] = (int)strtol(s, &end, 10);
		if (*end == ':')
			end++;
		else if (*end)
			return -EINVAL;
		s = end;
	}
	return n;
}

/* Walk one field access in candidate @kroot, keeping what it touches. */
static void walk_field(struct gen *g, int lroot, int kroot, const int *acc, int nacc)
{
	int lt = skip_mods(g->l, lroot, true), kt = skip_mods(g->k, kroot, true);

	for (int i = 1; i < nacc && !g->err; i++) {
		const struct btf_type *l = btf__type_by_id(g->l, lt);
		const struct btf_type *k = btf__type_by_id(g->k, kt);

		if (!l || !k)
			return;
		if (btf_is_composite(l)) {
			const struct btf_member *m;
			const char *mn;
			int path[MAX_PATH][2], depth = 0;

			if (acc[i] < 0 || acc[i] >= btf_vlen(l))
				return;
			m = btf_members(l) + acc[i];
			mn = btf__name_by_offset(g->l, m->name_off);
			lt = skip_mods(g->l, m->type, true);
			if (!mn || !mn[0])
				continue; /* anonymous on our side: libbpf matches by names only */
			if (!btf_is_composite(k) || !find_member(g, kt, mn, path, &depth))
				return; /* not in this candidate: libbpf finds nothing here either
					 */
			for (int d = 0; d < depth; d++)
				keep_member(g, path[d][0], path[d][1]);
			k = btf__type_by_id(g->k, path[depth - 1][0]);
			kt = skip_mods(g->k, btf_members(k)[path[depth - 1][1]].type, true);
		} else if (btf_is_array(l)) {
			if (!btf_is_array(k))
				return;
			lt = skip_mods(g->l, btf_array(l)->type, true);
			kt = skip_mods(g->k, btf_array(k)->type, true);
		} else {
			return;
		}
		node_for(g, kt);
	}
}

struct root {
	int local_id, kind;
	const char *name;
	int *cands;
	size_t ncands;
};

/* Kernel candidates of every distinct relocation root, in one pass over kernel types. */
static int find_candidates(struct gen *g, struct root *roots, size_t nroots)
{
	__u32 n = btf__type_cnt(g->k);

	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(g->k, id);
		const char *name = btf__name_by_offset(g->k, t->name_off);
		size_t len;

		if (!name || !name[0])
			continue;
		len = essential_len(name);
		for (size_t r = 0; r < nroots; r++) {
			int *c;

			if (roots[r].kind != btf_kind(t) &&
			    !(roots[r].kind == BTF_KIND_ENUM && btf_kind(t) == BTF_KIND_ENUM64) &&
			    !(roots[r].kind == BTF_KIND_ENUM64 && btf_kind(t) == BTF_KIND_ENUM))
				continue;
			if (essential_len(roots[r].name) != len ||
			    strncmp(roots[r].name, name, len))
				continue;
			c = realloc(roots[r].cands, (roots[r].ncands + 1) * sizeof(*c));
			if (!c)
				return -ENOMEM;
			roots[r].cands = c;
			c[roots[r].ncands++] = (int)id;
		}
	}
	return 0;
}

static int emit(const struct gen *g, struct btf *out)
{
	for (size_t i = 0; i < g->nn; i++) {
		const struct node *nd = &g->n[i];
		const struct btf_type *t = nd->kid ? btf__type_by_id(g->k, nd->kid) : NULL;
		const char *name = t ? btf__name_by_offset(g->k, t->name_off) : NULL;
		int id = -EINVAL;

		if (name && !name[0])
			name = NULL;
		switch (nd->kind) {
		case BTF_KIND_PTR:
			id = btf__add_ptr(out, 0);
			break;
		case BTF_KIND_INT:
			id = btf__add_int(out, name, t->size, btf_int_encoding(t));
			break;
		case BTF_KIND_FLOAT:
			id = btf__add_float(out, name, t->size);
			break;
		case BTF_KIND_FWD:
			id = btf__add_fwd(out, name, btf_kflag(t) ? BTF_FWD_UNION : BTF_FWD_STRUCT);
			break;
		case BTF_KIND_TYPEDEF:
			id = btf__add_typedef(out, name, nd->ref + 1);
			break;
		case BTF_KIND_ARRAY:
			id = btf__add_array(out, nd->index + 1, nd->ref + 1, btf_array(t)->nelems);
			break;
		case BTF_KIND_ENUM: {
			const struct btf_enum *e = btf_enum(t);

			id = btf__add_enum(out, name, t->size);
			for (unsigned int v = 0; id > 0 && v < btf_vlen(t); v++, e++)
				if (btf__add_enum_value(out, btf__name_by_offset(g->k, e->name_off),
							e->val) < 0)
					id = -EINVAL;
			break;
		}
		case BTF_KIND_ENUM64: {
			const struct btf_enum64 *e = btf_enum64(t);

			id = btf__add_enum64(out, name, t->size, btf_kflag(t));
			for (unsigned int v = 0; id > 0 && v < btf_vlen(t); v++, e++)
				if (btf__add_enum64_value(out,
							  btf__name_by_offset(g->k, e->name_off),
							  btf_enum64_value(e)) < 0)
					id = -EINVAL;
			break;
		}
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION: {
			const struct btf_member *m = btf_members(t);

			id = nd->kind == BTF_KIND_STRUCT ? btf__add_struct(out, name, t->size)
							 : btf__add_union(out, name, t->size);
			for (unsigned int k = 0; id > 0 && k < btf_vlen(t); k++, m++) {
				const char *mn = btf__name_by_offset(g->k, m->name_off);
				int ref;

				if (!nd->keep[k])
					continue;
				ref = node_lookup(g, m->type);
				if (ref < 0 || btf__add_field(out, mn && mn[0] ? mn : NULL, ref + 1,
							      btf_member_bit_offset(t, k),
							      btf_member_bitfield_size(t, k)) < 0)
					id = -EINVAL;
			}
			break;
		}
		}
		if (id != (int)i + 1)
			return id < 0 ? id : -EINVAL;
	}
	return 0;
}

struct btf *ks_btf_min_build(const void *elf, size_t size, const struct btf *kernel)
{
	const struct ext_header *eh;
	const unsigned char *relo, *end;
	struct gen g = { .k = kernel };
	struct root *roots = NULL;
	size_t btf_len, ext_len, nroots = 0;
	const void *btf_data, *ext;
	struct btf *local = NULL, *out = NULL;
	__u32 rec_size;
	int err = -EINVAL;

	btf_data = elf_section(elf, size, ".BTF", &btf_len);
	ext = elf_section(elf, size, ".BTF.ext", &ext_len);
	out = btf__new_empty();
	if (!out) {
		err = -ENOMEM;
		goto fail;
	}
	if (!btf_data || !ext) {
		/* No BTF means no CO-RE relocations: an empty BTF answers everything. */
		return out;
	}
	eh = ext;
	if (ext_len < sizeof(*eh) || eh->magic != BTF_MAGIC || eh->hdr_len > ext_len)
		goto fail;
	if (eh->hdr_len < offsetof(struct ext_header, core_relo_len) + 4 || !eh->core_relo_len)
		return out;
	if ((size_t)eh->hdr_len + eh->core_relo_off + eh->core_relo_len > ext_len)
		goto fail;
	local = btf__new(btf_data, btf_len);
	g.by_kid = calloc(btf__type_cnt(kernel), sizeof(*g.by_kid));
	if (!local || !g.by_kid) {
		err = -ENOMEM;
		goto fail;
	}
	g.l = local;
	relo = (const unsigned char *)ext + eh->hdr_len + eh->core_relo_off;
	end = relo + eh->core_relo_len;
	memcpy(&rec_size, relo, 4);
	relo += 4;
	if (rec_size < sizeof(struct core_relo))
		goto fail;

	/* Pass 1: the distinct roots; pass 2: their candidates; pass 3: walk each relocation. */
	for (int pass = 0; pass < 2; pass++) {
		const unsigned char *p = relo;

		while (p + 8 <= end) {
			__u32 hdr[2];

			memcpy(hdr, p, 8);
			p += 8;
			if ((size_t)(end - p) / rec_size < hdr[1])
				goto fail;
			for (__u32 r = 0; r < hdr[1]; r++, p += rec_size) {
				struct core_relo cr;
				const struct btf_type *lt;
				const char *name;
				size_t ri;

				memcpy(&cr, p, sizeof(cr));
				if (cr.kind == RELO_TYPE_ID_LOCAL)
					continue;
				if (cr.kind > RELO_ENUMVAL_VALUE) {
					err = -EOPNOTSUPP; /* e.g. TYPE_MATCHES: needs whole types
							    */
					goto fail;
				}
				lt = btf__type_by_id(local, cr.type_id);
				name = lt ? btf__name_by_offset(local, lt->name_off) : NULL;
				if (!name || !name[0])
					goto fail;
				for (ri = 0; ri < nroots; ri++)
					if (roots[ri].local_id == (int)cr.type_id)
						break;
				if (pass == 0) {
					if (ri == nroots) {
						struct root *n =
							realloc(roots, (nroots + 1) * sizeof(*n));

						if (!n) {
							err = -ENOMEM;
							goto fail;
						}
						roots = n;
						roots[nroots++] =
							(struct root){ .local_id = (int)cr.type_id,
								       .kind = btf_kind(lt),
								       .name = name };
					}
					continue;
				}
				for (size_t c = 0; c < roots[ri].ncands && !g.err; c++) {
					int kid = roots[ri].cands[c], acc[MAX_ACCESS], nacc;

					if (root_node(&g, kid) < 0)
						break;
					if (cr.kind > RELO_FIELD_RSHIFT_U64)
						continue; /* type and enum relocations: the type is
							     enough */
					nacc = parse_access(
						btf__str_by_offset(local, cr.access_str_off), acc);
					if (nacc < 0) {
						err = nacc;
						goto fail;
					}
					walk_field(&g, (int)cr.type_id, kid, acc, nacc);
				}
				if (g.err) {
					err = g.err;
					goto fail;
				}
			}
		}
		if (pass == 0 && (err = find_candidates(&g, roots, nroots)))
			goto fail;
		err = -EINVAL;
	}
	err = emit(&g, out);
	if (err)
		goto fail;
	goto done;
fail:
	btf__free(out);
	out = NULL;
	errno = -err;
done:
	for (size_t i = 0; i < g.nn; i++)
		free(g.n[i].keep);
	free(g.n);
	free(g.by_kid);
	for (size_t i = 0; i < nroots; i++)
		free(roots[i].cands);
	free(roots);
	btf__free(local);
	return out;
}

static unsigned long long fnv(unsigned long long h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* A private directory for the cache: /run/kscope, else $TMPDIR/kscope-UID. */
static const char *cache_dir(void)
{
	static char dir[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	struct stat st;

	if (dir[0])
		return dir;
	for (int i = 0; i < 2; i++) {
		if (i == 0)
			snprintf(dir, sizeof(dir), "/run/kscope");
		else
			snprintf(dir, sizeof(dir), "%s/kscope-%u", tmp && *tmp ? tmp : "/tmp",
				 (unsigned int)geteuid());
		mkdir(dir, 0700);
		/* Ours and private, or not used at all: its files decide what we load. */
		if (!lstat(dir, &st) && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
		    !(st.st_mode & 077))
			return dir;
	}
	dir[0] = '\0';
	return NULL;
}

const char *ks_btf_min_path(const void *elf, size_t size, bool rebuild)
{
	static char path[PATH_MAX];
	const char *env = getenv("KSCOPE_BTF_CACHE"), *dir;
	unsigned long long kkey = 1469598103934665603ULL, okey = 1469598103934665603ULL;
	struct btf *kernel = NULL, *min = NULL;
	char tmp[PATH_MAX + 16];
	const void *raw;
	struct utsname u;
	__u32 rawsz;
	int fd = -1;

	if (env && !strcmp(env, "0"))
		return NULL;
	dir = cache_dir();
	if (!dir || ks_btf_fingerprint(&kkey))
		return NULL;
	uname(&u);
	kkey = fnv(kkey, u.release, strlen(u.release));
	kkey = fnv(kkey, u.version, strlen(u.version));
	okey = fnv(okey, elf, size);
	snprintf(path, sizeof(path), "%s/btf-%016llx-%016llx.btf", dir, kkey, okey);
	if (!rebuild && !access(path, R_OK)) {
		/* A damaged entry (a crash mid-write elsewhere, a full disk) is rebuilt. */
		struct btf *check = btf__parse_raw(path);

		if (check) {
			btf__free(check);
			return path;
		}
		ks_info("rebuilding damaged BTF cache entry %s", path);
	}

	kernel = btf__parse(ks_btf_path(), NULL);
	if (!kernel) {
		ks_info("no minimal BTF: cannot parse %s", ks_btf_path());
		return NULL;
	}
	min = ks_btf_min_build(elf, size, kernel);
	btf__free(kernel);
	if (!min) {
		ks_info("no minimal BTF for this object: %s", ks_errno_name(errno));
		return NULL;
	}
	raw = btf__raw_data(min, &rawsz);
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = raw ? mkstemp(tmp) : -1;
	if (fd < 0 || write(fd, raw, rawsz) != (ssize_t)rawsz || fsync(fd) || rename(tmp, path)) {
		if (fd >= 0)
			unlink(tmp);
		ks_info("cannot write %s: %s", path, strerror(errno));
		path[0] = '\0';
	}
	if (fd >= 0)
		close(fd);
	btf__free(min);
	return path[0] ? path : NULL;
}
