// SPDX-License-Identifier: GPL-2.0-only
/* Streaming lookups of type names and ids in the kernel's raw BTF file. */
#include <errno.h>
#include <fcntl.h>
#include <linux/btf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/btf.h"

#define CHUNK (64 * 1024)

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

/* A forward-only reader over one section of the file. */
struct reader {
	int fd;
	unsigned long long off, end; /* file offsets */
	unsigned char *buf;
	size_t len, pos;
};

static int reader_fill(struct reader *r, size_t need)
{
	size_t keep = r->len - r->pos;
	ssize_t n;

	memmove(r->buf, r->buf + r->pos, keep);
	r->len = keep;
	r->pos = 0;
	while (r->len < need && r->off < r->end) {
		size_t want = CHUNK - r->len;

		if (want > r->end - r->off)
			want = r->end - r->off;
		n = pread(r->fd, r->buf + r->len, want, r->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		r->len += n;
		r->off += n;
	}
	return r->len >= need ? 0 : -EIO;
}

static int reader_skip(struct reader *r, unsigned long long n)
{
	size_t have = r->len - r->pos;

	if (n <= have) {
		r->pos += n;
		return 0;
	}
	n -= have;
	r->pos = r->len = 0;
	if (n > r->end - r->off)
		return -EIO;
	r->off += n;
	return 0;
}

/* Extra bytes after the common struct btf_type for each kind. */
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

static int lookup_file(struct ks_btf_query *q, size_t n)
{
	struct btf_header h;
	struct reader r = { .fd = -1 };
	unsigned int *stroff = NULL;
	size_t maxlen = 0, found = 0;
	unsigned long long base;
	int err, id;

	r.fd = open(ks_btf_path(), O_RDONLY | O_CLOEXEC);
	if (r.fd < 0)
		return -errno;
	err = -EIO;
	if (pread(r.fd, &h, sizeof(h), 0) != sizeof(h) || h.magic != BTF_MAGIC ||
	    h.hdr_len < sizeof(h))
		goto out;
	err = -ENOMEM;
	stroff = calloc(n, sizeof(*stroff));
	r.buf = malloc(CHUNK);
	if (!stroff || !r.buf)
		goto out;
	for (size_t i = 0; i < n; i++) {
		q[i].id = -ENOENT;
		if (strlen(q[i].name) > maxlen)
			maxlen = strlen(q[i].name);
	}
	err = -EINVAL;
	if (maxlen + 2 > CHUNK / 2)
		goto out;

	/* Pass 1: the offset of each name in the string section ("\0name\0", deduplicated). */
	base = h.hdr_len + h.str_off;
	r.off = base;
	r.end = base + h.str_len;
	r.len = r.pos = 0;
	for (;;) {
		unsigned long long chunk_start;
		size_t scan_len;

		err = reader_fill(&r, maxlen + 2);
		if (err && r.len == 0)
			break;
		chunk_start = r.off - r.len;
		scan_len = r.len;
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(q[i].name);
			unsigned char *p = r.buf;

			if (stroff[i])
				continue;
			while ((p = memchr(p, 0, r.buf + scan_len - p))) {
				if ((size_t)(r.buf + scan_len - p) < l + 2)
					break;
				if (!memcmp(p + 1, q[i].name, l) && p[l + 1] == 0) {
					stroff[i] = (unsigned int)(chunk_start + (p + 1 - r.buf) - base);
					break;
				}
				p++;
			}
		}
		if (r.off >= r.end)
			break;
		/* Keep the tail so a name across the chunk boundary is still seen. */
		r.pos = r.len - (maxlen + 1);
	}

	/* Pass 2: walk the types, counting ids, to find each (name, kind). */
	base = h.hdr_len + h.type_off;
	r.off = base;
	r.end = base + h.type_len;
	r.len = r.pos = 0;
	id = 1;
	while (found < n) {
		struct btf_type t;
		long extra;

		if (reader_fill(&r, sizeof(t)))
			break;
		memcpy(&t, r.buf + r.pos, sizeof(t));
		r.pos += sizeof(t);
		extra = kind_extra(BTF_INFO_KIND(t.info), BTF_INFO_VLEN(t.info));
		if (extra < 0)
			break;
		for (size_t i = 0; i < n; i++) {
			if (stroff[i] && t.name_off == stroff[i] && q[i].id < 0 &&
			    (int)BTF_INFO_KIND(t.info) == q[i].kind) {
				q[i].id = id;
				found++;
			}
		}
		if (reader_skip(&r, extra))
			break;
		id++;
	}
	err = 0;
out:
	free(stroff);
	free(r.buf);
	close(r.fd);
	return err;
}

int ks_btf_lookup(struct ks_btf_query *q, size_t n)
{
	struct ks_btf_query *todo;
	size_t ntodo = 0;
	int err = 0;

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
		err = lookup_file(todo, ntodo);
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
