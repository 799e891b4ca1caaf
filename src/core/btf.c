// SPDX-License-Identifier: GPL-2.0-only
/* Lookups of type names and ids in the kernel's raw BTF, mapped rather than parsed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/btf.h"

/*
 * The raw file, mapped read-only when the kernel allows it (6.x: costs neither copies
 * nor resident memory), else read into memory once.
 */
struct view {
	const unsigned char *data;
	size_t size;
	bool mapped;
	int err; /* 0 when usable */
};

static struct view view;

struct cache_ent {
	struct cache_ent *next;
	int kind, id;
	char name[];
};

static struct cache_ent *cache;

const char *ks_btf_path(void)
{
	const char *p = getenv("KSCOPE_VMLINUX_BTF");

	return p && *p ? p : "/sys/kernel/btf/vmlinux";
}

static int view_open(void)
{
	const struct btf_header *h;
	struct stat st;
	void *p;
	int fd;

	if (view.data || view.err)
		return view.err;
	fd = open(ks_btf_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return view.err = -errno;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(*h)) {
		close(fd);
		return view.err = -EINVAL;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED) {
		view.mapped = true;
	} else {
		size_t got = 0;
		ssize_t n;

		p = malloc(st.st_size);
		while (p && got < (size_t)st.st_size &&
		       ((n = read(fd, (char *)p + got, st.st_size - got)) > 0 || errno == EINTR))
			got += n > 0 ? (size_t)n : 0;
		if (!p || got != (size_t)st.st_size) {
			free(p);
			close(fd);
			return view.err = -EIO;
		}
	}
	close(fd);
	view.data = p;
	view.size = st.st_size;
	h = (const void *)view.data;
	if (h->magic != BTF_MAGIC || h->hdr_len < sizeof(*h) ||
	    (unsigned long long)h->hdr_len + h->type_off + h->type_len > view.size ||
	    (unsigned long long)h->hdr_len + h->str_off + h->str_len > view.size)
		view.err = -EINVAL;
	return view.err;
}

/* Extra bytes after the common struct btf_type for each kind; -1 for unknown kinds. */
static long kind_extra(int kind, unsigned int vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return 12;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
	case 19: /* BTF_KIND_ENUM64 */
		return 12L * vlen;
	case BTF_KIND_ENUM:
	case BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case 18: /* BTF_KIND_TYPE_TAG */
		return 0;
	}
	return -1;
}

/*
 * Call @fn for every named type whose kind is in the mask @kinds, in id order, until it
 * returns non-zero (returned). The view must be open.
 */
static int walk(unsigned int kinds,
		int (*fn)(const char *name, int kind, int id, const struct btf_type *t, void *arg),
		void *arg)
{
	const struct btf_header *h = (const void *)view.data;
	const char *strs = (const char *)view.data + h->hdr_len + h->str_off;
	const unsigned char *p = view.data + h->hdr_len + h->type_off;
	const unsigned char *end = p + h->type_len;
	int id = 1, err;

	while (p + sizeof(struct btf_type) <= end) {
		const struct btf_type *t = (const void *)p;
		int kind = BTF_INFO_KIND(t->info);
		long extra = kind_extra(kind, BTF_INFO_VLEN(t->info));

		if (extra < 0)
			return -EINVAL;
		if ((kinds & (1u << kind)) && t->name_off && t->name_off < h->str_len) {
			err = fn(strs + t->name_off, kind, id, t, arg);
			if (err)
				return err;
		}
		p += sizeof(struct btf_type) + extra;
		id++;
	}
	return 0;
}

struct lookup {
	struct ks_btf_query *q;
	size_t n, found;
};

static int lookup_one(const char *name, int kind, int id, const struct btf_type *t, void *arg)
{
	struct lookup *l = arg;

	for (size_t i = 0; i < l->n; i++) {
		struct ks_btf_query *q = &l->q[i];

		if (q->id < 0 && q->kind == kind && name[0] == q->name[0] &&
		    !strcmp(name, q->name)) {
			q->id = id;
			l->found++;
		}
	}
	return l->found == l->n; /* all found: stop */
}

/* One walk over the types; each wanted (name, kind) compared only on a kind match. */
static int lookup_view(struct ks_btf_query *q, size_t n)
{
	struct lookup l = { q, n, 0 };
	unsigned int kinds = 0;
	int err;

	for (size_t i = 0; i < n; i++) {
		q[i].id = -ENOENT;
		kinds |= 1u << q[i].kind;
	}
	err = n ? walk(kinds, lookup_one, &l) : 0;
	return err < 0 ? err : 0;
}

struct foreach {
	ks_btf_name_fn fn;
	void *arg;
};

static int foreach_one(const char *name, int kind, int id, const struct btf_type *t, void *arg)
{
	struct foreach *f = arg;

	return f->fn(name, id, f->arg);
}

int ks_btf_foreach(int kind, ks_btf_name_fn fn, void *arg)
{
	struct foreach f = { fn, arg };
	int err = view_open();

	if (err)
		return err;
	if (kind < 0 || kind >= 32)
		return -EINVAL;
	return walk(1u << kind, foreach_one, &f);
}

struct enum_walk {
	const char *type;
	ks_btf_enum_fn fn;
	void *arg;
	bool found;
};

static int enum_one(const char *name, int kind, int id, const struct btf_type *t, void *arg)
{
	const struct btf_header *h = (const void *)view.data;
	const char *strs = (const char *)view.data + h->hdr_len + h->str_off;
	const struct btf_enum *e = (const void *)(t + 1);
	struct enum_walk *w = arg;
	int err;

	if (strcmp(name, w->type))
		return 0;
	w->found = true;
	for (unsigned int i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		if (e[i].name_off >= h->str_len)
			continue;
		err = w->fn(strs + e[i].name_off, e[i].val, w->arg);
		if (err)
			return err;
	}
	return 1; /* names are unique among enums: done */
}

int ks_btf_enum_foreach(const char *type, ks_btf_enum_fn fn, void *arg)
{
	struct enum_walk w = { type, fn, arg, false };
	int err = view_open();

	if (err)
		return err;
	err = walk(1u << BTF_KIND_ENUM, enum_one, &w);
	if (err == 1)
		err = 0;
	return err ? err : w.found ? 0 : -ENOENT;
}

int ks_btf_lookup(struct ks_btf_query *q, size_t n)
{
	struct ks_btf_query *todo;
	size_t ntodo = 0;
	int err;

	err = view_open();
	if (err)
		return err;
	todo = calloc(n ? n : 1, sizeof(*todo));
	if (!todo)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct cache_ent *c;

		for (c = cache; c; c = c->next)
			if (c->kind == q[i].kind && !strcmp(c->name, q[i].name))
				break;
		if (c)
			q[i].id = c->id;
		else
			todo[ntodo++] = q[i];
	}
	if (ntodo)
		err = lookup_view(todo, ntodo);
	for (size_t k = 0; !err && k < ntodo; k++) {
		struct cache_ent *c = malloc(sizeof(*c) + strlen(todo[k].name) + 1);

		if (c) {
			c->kind = todo[k].kind;
			c->id = todo[k].id;
			strcpy(c->name, todo[k].name);
			c->next = cache;
			cache = c;
		}
		for (size_t i = 0; i < n; i++)
			if (q[i].kind == todo[k].kind && !strcmp(q[i].name, todo[k].name))
				q[i].id = todo[k].id;
	}
	free(todo);
	return err;
}

int ks_btf_id(const char *name, int kind)
{
	struct ks_btf_query q = { .name = name, .kind = kind };
	int err = ks_btf_lookup(&q, 1);

	return err ? err : q.id;
}

bool ks_btf_lazy_maps(void)
{
	static int lazy = -1;

	if (lazy < 0)
		lazy = ks_btf_id("bpf_mem_alloc", BTF_KIND_STRUCT) > 0;
	return lazy;
}

int ks_btf_check(void)
{
	return view_open();
}

static unsigned long long fnv_mix(unsigned long long h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

int ks_btf_fingerprint(unsigned long long *h)
{
	const struct btf_header *hd;
	size_t sample = 64 * 1024;
	int err = view_open();

	if (err)
		return err;
	hd = (const void *)view.data;
	*h = fnv_mix(*h, hd, hd->hdr_len);
	*h = fnv_mix(*h, &view.size, sizeof(view.size));
	*h = fnv_mix(*h, view.data + hd->hdr_len + hd->type_off,
		     KS_MIN(sample, (size_t)hd->type_len));
	*h = fnv_mix(*h, view.data + view.size - KS_MIN(sample, view.size),
		     KS_MIN(sample, view.size));
	return 0;
}

/* Offsets of the types in the type section, by id (index 0: void), built on first use. */
static uint32_t *type_offs;
static uint32_t ntypes;

static int index_build(void)
{
	const struct btf_header *h;
	const unsigned char *base, *p, *end;
	uint32_t n = 0, cap = 0;

	if (type_offs)
		return 0;
	if (view_open())
		return view.err;
	h = (const void *)view.data;
	base = view.data + h->hdr_len + h->type_off;
	end = base + h->type_len;
	for (p = base; p + sizeof(struct btf_type) <= end; n++) {
		const struct btf_type *t = (const void *)p;
		long extra = kind_extra(BTF_INFO_KIND(t->info), BTF_INFO_VLEN(t->info));

		if (extra < 0)
			return -EINVAL;
		if (n + 2 > cap) {
			uint32_t *v =
				realloc(type_offs, (cap = cap ? cap * 2 : 65536) * sizeof(*v));

			if (!v)
				return -ENOMEM;
			type_offs = v;
		}
		type_offs[n + 1] = (uint32_t)(p - base);
		p += sizeof(struct btf_type) + extra;
	}
	ntypes = n + 1;
	return 0;
}

const struct btf_type *ks_btf_type(int id)
{
	const struct btf_header *h;

	if (id <= 0 || index_build() || (uint32_t)id >= ntypes)
		return NULL;
	h = (const void *)view.data;
	return (const void *)(view.data + h->hdr_len + h->type_off + type_offs[id]);
}

const char *ks_btf_str(unsigned int off)
{
	const struct btf_header *h;

	if (view_open())
		return "";
	h = (const void *)view.data;
	if (off >= h->str_len)
		return "";
	return (const char *)view.data + h->hdr_len + h->str_off + off;
}

int ks_btf_tp_args(const char *tp, const char **types, int max)
{
	char name[128];
	const struct btf_type *t;
	const struct btf_param *p;
	int id, n;

	if (snprintf(name, sizeof(name), "btf_trace_%s", tp) >= (int)sizeof(name))
		return -ENAMETOOLONG;
	id = ks_btf_id(name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return id;
	/* typedef -> pointer -> function prototype (void *data, the arguments ...) */
	t = ks_btf_type(id);
	t = t ? ks_btf_type((int)t->type) : NULL;
	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_PTR)
		return -EINVAL;
	t = ks_btf_type((int)t->type);
	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC_PROTO || !BTF_INFO_VLEN(t->info))
		return -EINVAL;
	n = (int)BTF_INFO_VLEN(t->info) - 1;
	p = (const struct btf_param *)(t + 1) + 1;
	for (int i = 0; i < n && i < max; i++) {
		const struct btf_type *a = ks_btf_type((int)p[i].type);

		/* the name of a named type; "*" for any pointer, "" for others */
		if (!a)
			types[i] = "";
		else if (BTF_INFO_KIND(a->info) == BTF_KIND_PTR)
			types[i] = "*";
		else
			types[i] = ks_btf_str(a->name_off);
	}
	return n;
}
