// SPDX-License-Identifier: GPL-2.0-only
/* Stack symbolizer: kallsyms, /proc/PID/maps, ELF symbol tables, debug files and perf maps. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/common.h"
#include "core/file.h"
#include "core/out.h"
#include "core/syms.h"

typedef unsigned long long u64;

#define CHUNK_SIZE (64 * 1024)
/* kallsyms has no sizes: how far past the last symbol of a module an address may be */
#define KMOD_TAIL (64 * 1024)
/* how often a live process's maps may be re-read because of an address in none of them */
#define REREAD_NS 1000000000ULL
/* one kernel symbol address in this many goes into the index searched first */
#define KINDEX_STEP 32
/* nested or overlapping symbols: how many entries below the nearest one are tried */
#define OVERLAP_TRIES 8

/* Strings that live until ks_syms_free: bump-allocated from chunks, or whole buffers. */
struct chunk {
	struct chunk *next;
	char *data;
	size_t used, size;
};

struct istr {
	struct istr *next;
	unsigned int hash;
	char str[];
};

struct ksym {
	u64 addr;
	const char *name;
	const char *module;
};

/* A symbol of an ELF file or a perf map: [start, end) in the file's vaddrs (or memory). */
struct usym {
	u64 start, end;
	const char *name;
};

/* A PT_LOAD segment: file offsets [off, off + filesz) are loaded at vaddr. */
struct seg {
	u64 off, vaddr, filesz;
};

/* One executable file, shared by every process that maps it: keyed by (dev, ino). */
struct dso {
	struct dso *next;
	u64 dev, ino;
	struct usym *syms;
	size_t nsyms;
	struct seg *segs;
	unsigned int nsegs;
	const char *symfile; /* the file the symbols came from; NULL: none */
	int state;	     /* 0 loaded; -errno: could not be opened (retried on the next learn) */
};

struct umap {
	u64 start, end, pgoff;
	struct dso *dso;
	const char *path;   /* as in maps, " (deleted)" removed; NULL when anonymous */
	const char *module; /* basename of path (path itself for "[vdso]" and the like) */
};

struct proc {
	struct proc *next;
	int pid;
	int err; /* 0: learnt; -errno: unreadable (ks_syms_user does not retry) */
	u64 starttime;
	u64 exe_dev, exe_ino;
	struct umap *maps;
	size_t nmaps;
	struct usym *jit;
	size_t njit;
	long long jit_size, jit_mtime; /* the perf map as last read (-1: none) */
	u64 next_reread;
};

struct ks_syms {
	struct chunk *chunks;
	struct istr **istr;
	size_t istr_cap, istr_n;

	struct ksym *ksyms;
	size_t nksyms;
	u64 *kindex; /* the address of every KINDEX_STEP-th symbol: small, stays in cache */
	size_t nkindex;
	u64 ketext;
	bool ktried;
	unsigned long kcrc;
	size_t klen;

	struct dso **dsos;
	size_t dso_cap, dso_n;
	struct dso *vdso;
	u64 vdso_size;
	bool vdso_tried;

	struct proc **procs;
	size_t proc_cap, proc_n;
	struct proc *last;

	char *debug_root;
};

/* ------------------------------------------------------------------------------------ */
/* strings */

static char *arena_alloc(struct ks_syms *s, size_t n)
{
	struct chunk *c = s->chunks;

	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->data = (char *)(c + 1);
		c->size = size;
		c->used = 0;
		if (size == n && s->chunks) {
			/* a big one: keep filling the current chunk afterwards */
			c->next = s->chunks->next;
			s->chunks->next = c;
		} else {
			c->next = s->chunks;
			s->chunks = c;
		}
	}
	c->used += n;
	return c->data + c->used - n;
}

static const char *arena_strndup(struct ks_syms *s, const char *str, size_t n)
{
	char *p = arena_alloc(s, n + 1);

	if (!p)
		return NULL;
	memcpy(p, str, n);
	p[n] = '\0';
	return p;
}

/* Hand a malloc'd buffer to the arena: freed by ks_syms_free. */
static int arena_adopt(struct ks_syms *s, char *buf, size_t size)
{
	struct chunk *c = malloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->data = buf;
	c->used = c->size = size;
	if (s->chunks) {
		c->next = s->chunks->next;
		s->chunks->next = c;
	} else {
		c->next = NULL;
		s->chunks = c;
	}
	return 0;
}

static unsigned int hash_str(const char *str, size_t n)
{
	unsigned int h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)str[i]) * 16777619u;
	return h;
}

static unsigned int hash_u64(u64 v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (unsigned int)v;
}

/* Double a chained hash table of @cap buckets; @next_off is the chain link's offset. */
static int table_grow(void ***tab, size_t *cap, unsigned int (*hash)(const void *), size_t next_off)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void **nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return -ENOMEM;
	for (size_t i = 0; i < *cap; i++) {
		void *e = (*tab)[i];

		while (e) {
			void **link = (void **)((char *)e + next_off);
			void *next = *link;
			size_t b = hash(e) & (ncap - 1);

			*link = nt[b];
			nt[b] = e;
			e = next;
		}
	}
	free(*tab);
	*tab = nt;
	*cap = ncap;
	return 0;
}

/* A zeroed entry of @size bytes linked into bucket @h of the table (grown first if full). */
static void *table_add(void ***tab, size_t *cap, size_t *n, unsigned int (*hash)(const void *),
		       size_t next_off, unsigned int h, size_t size)
{
	void *e;

	if (*n >= *cap && table_grow(tab, cap, hash, next_off))
		return NULL;
	e = calloc(1, size);
	if (!e)
		return NULL;
	*(void **)((char *)e + next_off) = (*tab)[h & (*cap - 1)];
	(*tab)[h & (*cap - 1)] = e;
	(*n)++;
	return e;
}

static unsigned int istr_hash(const void *e)
{
	return ((const struct istr *)e)->hash;
}

/* The one copy of @str[0..n) kept by @s (paths and module names repeat a lot). */
static const char *intern(struct ks_syms *s, const char *str, size_t n)
{
	unsigned int h = hash_str(str, n);
	struct istr *e;

	if (s->istr_cap) {
		for (e = s->istr[h & (s->istr_cap - 1)]; e; e = e->next)
			if (e->hash == h && !strncmp(e->str, str, n) && !e->str[n])
				return e->str;
	}
	if (s->istr_n >= s->istr_cap &&
	    table_grow((void ***)&s->istr, &s->istr_cap, istr_hash, offsetof(struct istr, next)))
		return NULL;
	e = (struct istr *)arena_alloc(s, sizeof(*e) + n + 1 + 7);
	if (!e)
		return NULL;
	e = (struct istr *)(((uintptr_t)e + 7) & ~(uintptr_t)7);
	e->hash = h;
	memcpy(e->str, str, n);
	e->str[n] = '\0';
	e->next = s->istr[h & (s->istr_cap - 1)];
	s->istr[h & (s->istr_cap - 1)] = e;
	s->istr_n++;
	return e->str;
}

/* ------------------------------------------------------------------------------------ */
/* kernel */

/* A symbol as read, before sorting: aliases are ordered by rank, length and name. */
struct uraw {
	u64 addr, size;
	const char *name;
	const char *module; /* kernel symbols only */
	unsigned int len;
	unsigned int rank;
};

/* By address, then the preferred alias first: global, shortest, alphabetical. */
static int uraw_cmp(const void *a, const void *b)
{
	const struct uraw *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return strcmp(x->name, y->name);
}

struct uraw_vec {
	struct uraw *v;
	size_t n, cap;
};

/* A file with no symbols leaves v NULL, which qsort must not get even for no elements. */
static void uraw_sort(struct uraw_vec *r)
{
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), uraw_cmp);
}

static int uraw_push(struct uraw_vec *r, u64 addr, u64 size, const char *name, unsigned int len,
		     unsigned int rank)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		struct uraw *nv = realloc(r->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		r->v = nv;
		r->cap = cap;
	}
	r->v[r->n] = (struct uraw){ addr, size, name, NULL, len, rank };
	r->n++;
	return 0;
}

static unsigned int ktype_rank(char t)
{
	switch (t) {
	case 'T':
		return 0;
	case 'W':
		return 1;
	case 't':
		return 2;
	case 'w':
		return 3;
	default:
		return 99;
	}
}

int ks_syms_kernel_refresh(struct ks_syms *s)
{
	struct uraw_vec r = { 0 };
	size_t len = 0, kept = 0;
	struct ksym *ks = NULL;
	char *buf = NULL, *p;
	unsigned long crc;
	u64 etext = 0;
	bool nonzero = false;
	int err;

	s->ktried = true;
	err = ks_read_file("/proc/kallsyms", &buf, &len);
	if (err)
		goto out;
	crc = crc32(0, (const unsigned char *)buf, (unsigned int)len);
	if (s->ksyms && len == s->klen && crc == s->kcrc) {
		err = 0; /* unchanged: keep the table (and its strings) */
		goto out;
	}
	for (p = buf; *p;) {
		char *line = p, *nl = strchr(p, '\n'), *e, *name, *mod = NULL;
		unsigned int rank;
		u64 addr;

		if (nl) {
			*nl = '\0';
			p = nl + 1;
		} else {
			p += strlen(p);
		}
		addr = strtoull(line, &e, 16);
		if (e == line || e[0] != ' ' || !e[1] || e[2] != ' ')
			continue;
		rank = ktype_rank(e[1]);
		if (rank > 3)
			continue;
		name = e + 3;
		e = strchr(name, '\t');
		if (e) {
			*e = '\0';
			if (e[1] == '[') {
				mod = e + 2;
				e = strchr(mod, ']');
				if (e)
					*e = '\0';
			}
		}
		if (!*name)
			continue;
		if (addr)
			nonzero = true;
		if (!mod && !strcmp(name, "_etext")) {
			etext = addr;
			continue;
		}
		if (uraw_push(&r, addr, 0, name, (unsigned int)strlen(name), rank)) {
			err = -ENOMEM;
			goto out;
		}
		if (mod) {
			r.v[r.n - 1].module = intern(s, mod, strlen(mod));
			if (!r.v[r.n - 1].module) {
				err = -ENOMEM;
				goto out;
			}
		}
	}
	if (!nonzero) {
		/* addresses hidden: an empty table, every kernel address unknown */
		free(s->ksyms);
		free(s->kindex);
		s->ksyms = NULL;
		s->kindex = NULL;
		s->nksyms = s->nkindex = 0;
		err = -EPERM;
		goto out;
	}
	uraw_sort(&r);
	ks = malloc((r.n ? r.n : 1) * sizeof(*ks));
	if (!ks) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < r.n; i++) {
		if (kept && ks[kept - 1].addr == r.v[i].addr)
			continue;
		ks[kept].addr = r.v[i].addr;
		ks[kept].name = r.v[i].name;
		ks[kept].module = r.v[i].module;
		kept++;
	}
	err = arena_adopt(s, buf, len);
	if (err)
		goto out;
	buf = NULL;
	free(s->kindex);
	s->nkindex = (kept + KINDEX_STEP - 1) / KINDEX_STEP;
	s->kindex = malloc((s->nkindex ? s->nkindex : 1) * sizeof(*s->kindex));
	if (!s->kindex) {
		s->nkindex = 0;
		kept = 0; /* an empty table rather than one without its index */
	}
	for (size_t i = 0; i < s->nkindex; i++)
		s->kindex[i] = ks[i * KINDEX_STEP].addr;
	free(s->ksyms);
	s->ksyms = ks;
	ks = NULL;
	s->nksyms = kept;
	s->ketext = etext;
	s->kcrc = crc;
	s->klen = len;
out:
	free(ks);
	free(r.v);
	free(buf);
	return err;
}

int ks_syms_kernel(struct ks_syms *s, unsigned long long addr, struct ks_sym *out)
{
	size_t lo = 0, hi;
	const struct ksym *k;

	memset(out, 0, sizeof(*out));
	out->kind = KS_FRAME_KERNEL;
	out->elf_addr = addr;
	if (!s->ktried)
		ks_syms_kernel_refresh(s);
	if (!s->nksyms || addr < s->ksyms[0].addr)
		return -ENOENT;
	/*
	 * The last symbol at or below addr: first in the index (a few KB instead of MBs of
	 * symbols: far fewer cache misses), then in its block of KINDEX_STEP symbols.
	 */
	hi = s->nkindex;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->kindex[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	lo *= KINDEX_STEP;
	hi = KS_MIN(lo + KINDEX_STEP, s->nksyms);
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ksyms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	k = &s->ksyms[lo];
	if (!k->module) {
		if (s->ketext && addr >= s->ketext && k->addr < s->ketext)
			return -ENOENT;
	} else if (lo + 1 == s->nksyms || s->ksyms[lo + 1].module != k->module) {
		if (addr - k->addr >= KMOD_TAIL)
			return -ENOENT;
	}
	out->name = k->name;
	out->module = k->module;
	out->offset = addr - k->addr;
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* ELF files */

/*
 * Sorted, one entry per address (the first of each run of @r, sorted by the caller),
 * names copied into the arena; a zero size reaches the next symbol, or @last_end.
 */
static int usyms_build(struct ks_syms *s, struct uraw_vec *r, u64 last_end, struct usym **out,
		       size_t *nout)
{
	struct usym *u;
	size_t kept = 0;

	*out = NULL;
	*nout = 0;
	if (!r->n)
		return 0;
	u = malloc(r->n * sizeof(*u));
	if (!u)
		return -ENOMEM;
	for (size_t i = 0; i < r->n;) {
		size_t j = i + 1;
		u64 size = r->v[i].size;

		/* aliases: the first one's name, the largest size */
		for (; j < r->n && r->v[j].addr == r->v[i].addr; j++)
			size = KS_MAX(size, r->v[j].size);
		u[kept].start = r->v[i].addr;
		u[kept].end = size ? r->v[i].addr + size : 0;
		u[kept].name = arena_strndup(s, r->v[i].name, r->v[i].len);
		if (!u[kept].name) {
			free(u);
			return -ENOMEM;
		}
		kept++;
		i = j;
	}
	for (size_t i = 0; i < kept; i++) {
		if (u[i].end)
			continue;
		u[i].end = i + 1 < kept ? u[i + 1].start : KS_MAX(last_end, u[i].start + 1);
	}
	*out = u;
	*nout = kept;
	return 0;
}

/* The symbol covering @addr among @n sorted ones, nested or overlapping ones included. */
static const struct usym *usyms_find(const struct usym *u, size_t n, u64 addr)
{
	size_t lo = 0, hi = n;

	if (!n || addr < u[0].start)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (u[mid].start <= addr)
			lo = mid;
		else
			hi = mid;
	}
	for (size_t i = 0; i < OVERLAP_TRIES && i <= lo; i++)
		if (addr < u[lo - i].end)
			return &u[lo - i];
	return NULL;
}

static void elf_init(void)
{
	static bool done;

	if (!done) {
		elf_version(EV_CURRENT);
		done = true;
	}
}

int ks_elf_func_syms(struct Elf *elf, unsigned int type, ks_elf_sym_fn fn, void *arg)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		size_t count;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type)
			continue;
		if (!sh.sh_entsize)
			return 1;
		data = elf_getdata(scn, NULL);
		if (!data)
			return 1;
		count = sh.sh_size / sh.sh_entsize;
		for (size_t i = 1; i < count; i++) {
			const char *name;
			unsigned int st;
			GElf_Sym sym;
			int err;

			if (!gelf_getsym(data, (int)i, &sym))
				break;
			st = GELF_ST_TYPE(sym.st_info);
			if ((st != STT_FUNC && st != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF ||
			    !sym.st_value)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			err = fn(name, sym.st_value, sym.st_size, GELF_ST_BIND(sym.st_info), arg);
			if (err)
				return err;
		}
		return 1;
	}
	return 0;
}

static int uraw_add_sym(const char *name, unsigned long long addr, unsigned long long size,
			int bind, void *arg)
{
	unsigned int rank = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;

	return uraw_push(arg, addr, size, name, (unsigned int)strlen(name), rank);
}

/* Function symbols of the first section of type @type into @r. 1 if it had one, else 0. */
static int elf_add_syms(Elf *elf, Elf64_Word type, struct uraw_vec *r)
{
	return ks_elf_func_syms(elf, type, uraw_add_sym, r);
}

static bool elf_has_section(Elf *elf, Elf64_Word type)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type)
			return true;
	return false;
}

/* The GNU build-id note of @elf into @id (at most @size bytes); its length or 0. */
static size_t elf_build_id(Elf *elf, unsigned char *id, size_t size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		size_t off = 0, noff, doff;
		Elf_Data *data;
		GElf_Nhdr nh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &noff, &doff)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)data->d_buf + noff, "GNU", 4) && nh.n_descsz <= size) {
				memcpy(id, (char *)data->d_buf + doff, nh.n_descsz);
				return nh.n_descsz;
			}
		}
	}
	return 0;
}

Elf_Scn *ks_elf_section(Elf *elf, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, sh))
			continue;
		n = elf_strptr(elf, shstrndx, sh->sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

/* The .gnu_debuglink file name and CRC of @elf; false when it has none. */
static bool elf_debuglink(Elf *elf, char *name, size_t size, unsigned int *crc)
{
	Elf_Scn *scn = ks_elf_section(elf, ".gnu_debuglink", &(GElf_Shdr){ 0 });
	const unsigned char *b;
	size_t nlen, coff;
	Elf_Data *data;
	GElf_Ehdr eh;

	if (!scn)
		return false;
	data = elf_getdata(scn, NULL);
	if (!data || !data->d_buf || !gelf_getehdr(elf, &eh))
		return false;
	b = data->d_buf;
	nlen = strnlen((const char *)b, data->d_size);
	coff = (nlen + 4) & ~(size_t)3;
	if (!nlen || nlen >= size || coff + 4 > data->d_size)
		return false;
	memcpy(name, b, nlen + 1);
	if (eh.e_ident[EI_DATA] == ELFDATA2MSB)
		*crc = (unsigned int)b[coff] << 24 | (unsigned int)b[coff + 1] << 16 |
		       (unsigned int)b[coff + 2] << 8 | b[coff + 3];
	else
		*crc = (unsigned int)b[coff + 3] << 24 | (unsigned int)b[coff + 2] << 16 |
		       (unsigned int)b[coff + 1] << 8 | b[coff];
	return true;
}

static bool file_crc_is(int fd, unsigned int want)
{
	static unsigned char buf[65536];
	uLong crc = crc32(0, NULL, 0);
	ssize_t r;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return false;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		crc = crc32(crc, buf, (unsigned int)r);
	return r == 0 && crc == want;
}

/*
 * A debug file with a symbol table for a binary that has none: by build-id under the debug
 * root, then by .gnu_debuglink next to the binary, in its .debug/ and under the debug root
 * (checking the CRC). @root is the process's root ("/proc/PID/root", "" for ours), @path
 * the binary's path in it. Returns the open Elf and sets *@fdp and @used (its path).
 */
static Elf *debug_file_open(struct ks_syms *s, Elf *elf, const char *root, const char *path,
			    int *fdp, char *used, size_t usize)
{
	const char *droot = s->debug_root ? s->debug_root : "/usr/lib/debug";
	unsigned char id[64];
	char name[256], dir[PATH_MAX];
	unsigned int crc = 0;
	size_t idlen;
	int tries = 0;

	idlen = elf_build_id(elf, id, sizeof(id));
	if (elf_debuglink(elf, name, sizeof(name), &crc)) {
		const char *slash = path ? strrchr(path, '/') : NULL;

		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0,
			 path ? path : "");
		tries = 3;
	}
	for (int i = idlen > 1 ? -1 : 0; i < tries; i++) {
		unsigned char eid[64];
		Elf *d;
		int fd;

		if (i < 0) {
			int o = snprintf(used, usize, "%s/.build-id/%02x/", droot, id[0]);

			for (size_t k = 1; k < idlen && o > 0 && (size_t)o + 3 < usize; k++)
				o += snprintf(used + o, usize - (size_t)o, "%02x", id[k]);
			if (o > 0 && (size_t)o + 7 < usize)
				strcat(used, ".debug");
		} else if (snprintf(used, usize, "%s%s/%s%s", i == 2 ? droot : root, dir,
				    i == 1 ? ".debug/" : "", name) >= (int)usize) {
			continue;
		}
		fd = open(used, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (i >= 0 && !file_crc_is(fd, crc)) {
			close(fd);
			continue;
		}
		d = elf_begin(fd, ELF_C_READ_MMAP, NULL);
		if (!d || elf_kind(d) != ELF_K_ELF || !elf_has_section(d, SHT_SYMTAB) ||
		    (i < 0 &&
		     (elf_build_id(d, eid, sizeof(eid)) != idlen || memcmp(eid, id, idlen)))) {
			elf_end(d);
			close(fd);
			continue;
		}
		*fdp = fd;
		return d;
	}
	return NULL;
}

/*
 * Load the segments and function symbols of the ELF file open as @fd (@opened: how it was
 * opened, @root and @path: where it lives for its debug files) into @d. Not an ELF file or
 * no symbols at all: loaded, empty.
 */
static int dso_load(struct ks_syms *s, struct dso *d, int fd, const char *opened, const char *root,
		    const char *path)
{
	struct uraw_vec r = { 0 };
	Elf *elf, *dbg = NULL;
	char dpath[PATH_MAX];
	size_t nph = 0;
	u64 last_end = 0;
	int dfd = -1, err = 0, has;
	GElf_Ehdr eh;

	elf_init();
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
		goto out;
	if (!elf_getphdrnum(elf, &nph) && nph) {
		d->segs = calloc(nph, sizeof(*d->segs));
		if (!d->segs) {
			err = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
				continue;
			d->segs[d->nsegs++] = (struct seg){ ph.p_offset, ph.p_vaddr, ph.p_filesz };
			last_end = KS_MAX(last_end, ph.p_vaddr + ph.p_memsz);
		}
	}
	has = elf_add_syms(elf, SHT_SYMTAB, &r);
	if (has < 0 || elf_add_syms(elf, SHT_DYNSYM, &r) < 0) {
		err = -ENOMEM;
		goto out;
	}
	if (has)
		d->symfile = intern(s, opened, strlen(opened));
	else if ((dbg = debug_file_open(s, elf, root, path, &dfd, dpath, sizeof(dpath)))) {
		if (elf_add_syms(dbg, SHT_SYMTAB, &r) < 0) {
			err = -ENOMEM;
			goto out;
		}
		d->symfile = intern(s, dpath, strlen(dpath));
	} else if (r.n) {
		d->symfile = intern(s, opened, strlen(opened)); /* .dynsym only */
	}
	uraw_sort(&r);
	err = usyms_build(s, &r, last_end, &d->syms, &d->nsyms);
out:
	free(r.v);
	elf_end(dbg);
	if (dfd >= 0)
		close(dfd);
	elf_end(elf);
	d->state = err;
	return err;
}

static unsigned int dso_hash(const void *e)
{
	const struct dso *d = e;

	return hash_u64(d->dev * 0x9e3779b97f4a7c15ULL ^ d->ino);
}

/*
 * Open the file of a mapping of @pid: through the process's root (its mount namespace),
 * else /proc/PID/map_files (deleted files; needs CAP_SYS_ADMIN), else /proc/PID/exe for the
 * main binary, else our own path when it is the same file. The inode must match.
 */
static int map_file_open(int pid, const struct umap *m, u64 dev, u64 ino, bool deleted,
			 const struct proc *p, char *opened, size_t size)
{
	struct stat st;
	int fd;

	if (!deleted) {
		snprintf(opened, size, "/proc/%d/root%s", pid, m->path);
		fd = open(opened, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (!fstat(fd, &st) && st.st_ino == ino)
				return fd;
			close(fd);
		}
	}
	snprintf(opened, size, "/proc/%d/map_files/%llx-%llx", pid, m->start, m->end);
	fd = open(opened, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (p->exe_ino == ino && p->exe_dev == dev) {
		snprintf(opened, size, "/proc/%d/exe", pid);
		fd = open(opened, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (!fstat(fd, &st) && st.st_ino == ino)
				return fd;
			close(fd);
		}
	}
	if (!deleted) {
		snprintf(opened, size, "%s", m->path);
		fd = open(opened, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (!fstat(fd, &st) && st.st_ino == ino && st.st_dev == dev)
				return fd;
			close(fd);
		}
	}
	return -ENOENT;
}

/* The cached binary (dev, ino), loaded now when it is new (or could not be opened before). */
static struct dso *dso_get(struct ks_syms *s, int pid, const struct umap *m, u64 dev, u64 ino,
			   bool deleted, const struct proc *p)
{
	unsigned int h = hash_u64(dev * 0x9e3779b97f4a7c15ULL ^ ino);
	char opened[PATH_MAX], root[40];
	struct dso *d = NULL;
	int fd;

	if (s->dso_cap)
		for (d = s->dsos[h & (s->dso_cap - 1)]; d; d = d->next)
			if (d->dev == dev && d->ino == ino)
				break;
	if (d && d->state != -ENOENT)
		return d;
	if (!d) {
		d = table_add((void ***)&s->dsos, &s->dso_cap, &s->dso_n, dso_hash,
			      offsetof(struct dso, next), h, sizeof(*d));
		if (!d)
			return NULL;
		d->dev = dev;
		d->ino = ino;
		d->state = -ENOENT;
	}
	fd = map_file_open(pid, m, dev, ino, deleted, p, opened, sizeof(opened));
	if (fd < 0)
		return d; /* known by its path only; tried again on the next learn */
	snprintf(root, sizeof(root), "/proc/%d/root", pid);
	dso_load(s, d, fd, opened, root, m->path);
	close(fd);
	return d;
}

/*
 * The vDSO is the kernel's, the same image in every process of our architecture: our own
 * copy serves all "[vdso]" mappings of the same size.
 */
static struct dso *vdso_get(struct ks_syms *s, u64 size)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);

	if (!s->vdso_tried) {
		char *maps = NULL, *line, *copy;
		size_t len;

		s->vdso_tried = true;
		if (!base || ks_read_file("/proc/self/maps", &maps, &len))
			return NULL;
		for (line = strtok(maps, "\n"); line; line = strtok(NULL, "\n")) {
			u64 start, end;

			if (sscanf(line, "%llx-%llx", &start, &end) == 2 && start == base &&
			    strstr(line, "[vdso]")) {
				s->vdso_size = end - start;
				break;
			}
		}
		free(maps);
		copy = s->vdso_size ? malloc(s->vdso_size) : NULL;
		s->vdso = calloc(1, sizeof(*s->vdso));
		if (copy && s->vdso) {
			struct uraw_vec r = { 0 };
			Elf *elf;
			GElf_Phdr ph;
			size_t nph = 0;

			elf_init();
			memcpy(copy, (void *)base, s->vdso_size);
			elf = elf_memory(copy, s->vdso_size);
			if (elf && !elf_getphdrnum(elf, &nph) &&
			    (s->vdso->segs = calloc(nph ? nph : 1, sizeof(*s->vdso->segs)))) {
				for (size_t i = 0; i < nph; i++)
					if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
						s->vdso->segs[s->vdso->nsegs++] =
							(struct seg){ ph.p_offset, ph.p_vaddr,
								      ph.p_filesz };
				if (elf_add_syms(elf, SHT_DYNSYM, &r) > 0) {
					uraw_sort(&r);
					usyms_build(s, &r, 0, &s->vdso->syms, &s->vdso->nsyms);
					s->vdso->symfile = "[vdso]";
				}
			}
			free(r.v);
			elf_end(elf);
		}
		free(copy);
	}
	return s->vdso && s->vdso_size == size ? s->vdso : NULL;
}

/* ------------------------------------------------------------------------------------ */
/* processes */

static unsigned int proc_hash(const void *e)
{
	return hash_u64((u64)((const struct proc *)e)->pid);
}

static struct proc *proc_find(struct ks_syms *s, int pid)
{
	struct proc *p;

	if (s->last && s->last->pid == pid)
		return s->last;
	if (!s->proc_cap)
		return NULL;
	for (p = s->procs[hash_u64((u64)pid) & (s->proc_cap - 1)]; p; p = p->next)
		if (p->pid == pid)
			return s->last = p;
	return NULL;
}

static int proc_stat(int pid, u64 *starttime, u64 *exe_dev, u64 *exe_ino)
{
	char path[64], buf[1024], *p;
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ESRCH;
	buf[n] = '\0';
	/* the comm may hold anything: fields restart after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	/* field 3 is the state; the start time is field 22 */
	for (int f = 2; f < 22 && p; f++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -EINVAL;
	*starttime = strtoull(p + 1, NULL, 10);
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if (!stat(path, &st)) {
		*exe_dev = st.st_dev;
		*exe_ino = st.st_ino;
	} else {
		*exe_dev = *exe_ino = 0; /* a kernel thread, or not ours to see */
	}
	return 0;
}

static long long mtime_ns(const struct stat *st)
{
	return (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

/* The pid of @pid in its own pid namespace: the one in its perf map's name. */
static int proc_nspid(int pid)
{
	char path[64], *buf = NULL, *l;
	size_t len;
	int ns = pid;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (ks_read_file(path, &buf, &len))
		return pid;
	l = strstr(buf, "\nNSpid:");
	if (l) {
		char *e = strchr(l + 1, '\n'), *t;

		if (e)
			*e = '\0';
		t = strrchr(l, '\t');
		if (!t)
			t = strrchr(l, ' ');
		if (t && atoi(t + 1) > 0)
			ns = atoi(t + 1);
	}
	free(buf);
	return ns;
}

/* (Re)read the perf map of @p when it changed: "START SIZE name" lines, hex. */
static int proc_read_jit(struct ks_syms *s, struct proc *p)
{
	struct uraw_vec r = { 0 };
	char path[96], *buf = NULL, *line;
	struct usym *u = NULL;
	struct stat st;
	size_t len, n = 0;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/root/tmp/perf-%d.map", p->pid, proc_nspid(p->pid));
	if (stat(path, &st))
		return 0; /* none (any read before stays: the process may have exited) */
	if (st.st_size == p->jit_size && mtime_ns(&st) == p->jit_mtime)
		return 0;
	err = ks_read_file(path, &buf, &len);
	if (err)
		return err;
	for (line = buf; *line;) {
		char *nl = strchr(line, '\n'), *e, *name;
		u64 start, size;

		if (nl)
			*nl = '\0';
		start = strtoull(line, &e, 16);
		if (e != line && *e == ' ') {
			size = strtoull(e + 1, &name, 16);
			if (name != e + 1 && *name == ' ' && name[1]) {
				name++;
				/* same start: the later line wins (sorted by rank = reverse order)
				 */
				if (uraw_push(&r, start, size, name, (unsigned int)strlen(name),
					      UINT32_MAX - (unsigned int)r.n)) {
					err = -ENOMEM;
					goto out;
				}
			}
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	uraw_sort(&r);
	err = usyms_build(s, &r, 0, &u, &n);
	if (err)
		goto out;
	free(p->jit);
	p->jit = u;
	p->njit = n;
	p->jit_size = st.st_size;
	p->jit_mtime = mtime_ns(&st);
out:
	free(r.v);
	free(buf);
	return err;
}

/* Read /proc/PID/maps of @p: its executable mappings, their binaries loaded. */
static int proc_read_maps(struct ks_syms *s, struct proc *p)
{
	char path[64], *buf = NULL, *line;
	struct umap *maps = NULL;
	size_t len, n = 0, cap = 0;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/maps", p->pid);
	err = ks_read_file(path, &buf, &len);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	for (line = buf; *line;) {
		char *nl = strchr(line, '\n'), perms[8], *name;
		unsigned int maj, min;
		unsigned long ino;
		u64 start, end, pgoff;
		bool deleted = false;
		size_t nlen;
		int pos = 0;
		struct umap *m;

		if (nl)
			*nl = '\0';
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %lu %n", &start, &end, perms, &pgoff,
			   &maj, &min, &ino, &pos) < 7 ||
		    !pos || !strchr(perms, 'x'))
			goto next;
		if (n == cap) {
			struct umap *nm;

			cap = cap ? cap * 2 : 64;
			nm = realloc(maps, cap * sizeof(*maps));
			if (!nm) {
				err = -ENOMEM;
				goto out;
			}
			maps = nm;
		}
		m = &maps[n++];
		memset(m, 0, sizeof(*m));
		m->start = start;
		m->end = end;
		m->pgoff = pgoff;
		name = line + pos;
		nlen = strlen(name);
		if (nlen > 10 && !strcmp(name + nlen - 10, " (deleted)")) {
			nlen -= 10;
			deleted = true;
		}
		if (nlen) {
			const char *base;

			m->path = intern(s, name, nlen);
			if (!m->path) {
				err = -ENOMEM;
				goto out;
			}
			base = name[0] == '/' ? strrchr(m->path, '/') + 1 : m->path;
			m->module = intern(s, base, strlen(base));
		}
		if (ino && name[0] == '/')
			m->dso = dso_get(s, p->pid, m, makedev(maj, min), ino, deleted, p);
		else if (m->path && !strcmp(m->path, "[vdso]"))
			m->dso = vdso_get(s, end - start);
	next:
		if (!nl)
			break;
		line = nl + 1;
	}
	free(p->maps);
	p->maps = maps;
	p->nmaps = n;
	maps = NULL;
out:
	free(maps);
	free(buf);
	return err;
}

static void proc_clear(struct proc *p)
{
	free(p->maps);
	free(p->jit);
	p->maps = NULL;
	p->jit = NULL;
	p->nmaps = p->njit = 0;
	p->jit_size = p->jit_mtime = -1;
}

static struct proc *proc_add(struct ks_syms *s, int pid)
{
	struct proc *p = table_add((void ***)&s->procs, &s->proc_cap, &s->proc_n, proc_hash,
				   offsetof(struct proc, next), hash_u64((u64)pid), sizeof(*p));

	if (p) {
		p->pid = pid;
		p->jit_size = p->jit_mtime = -1;
	}
	return p;
}

int ks_syms_learn(struct ks_syms *s, int pid)
{
	u64 start = 0, dev = 0, ino = 0;
	struct proc *p;
	int err;

	if (pid <= 0)
		return -ESRCH;
	err = proc_stat(pid, &start, &dev, &ino);
	p = proc_find(s, pid);
	if (p && !p->err) {
		if (err)
			return err == -ESRCH ? 0
					     : err; /* gone or unreadable: keep what was learnt */
		if (start == p->starttime && dev == p->exe_dev && ino == p->exe_ino)
			return 0;
	}
	if (!p) {
		p = proc_add(s, pid);
		if (!p)
			return -ENOMEM;
	}
	proc_clear(p);
	p->starttime = start;
	p->exe_dev = dev;
	p->exe_ino = ino;
	if (!err)
		err = proc_read_maps(s, p);
	if (!err)
		proc_read_jit(s, p); /* optional: no perf map is the normal case */
	p->err = err;
	return err;
}

void ks_syms_forget(struct ks_syms *s, int pid)
{
	struct proc **link, *p;

	if (!s || !s->proc_cap)
		return;
	for (link = &s->procs[hash_u64((u64)pid) & (s->proc_cap - 1)]; (p = *link);
	     link = &p->next) {
		if (p->pid != pid)
			continue;
		*link = p->next;
		if (s->last == p)
			s->last = NULL;
		proc_clear(p);
		free(p);
		s->proc_n--;
		return;
	}
}

static const struct umap *umap_find(const struct proc *p, u64 addr)
{
	size_t lo = 0, hi = p->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct umap *m = &p->maps[mid];

		if (addr < m->start)
			hi = mid;
		else if (addr >= m->end)
			lo = mid + 1;
		else
			return m;
	}
	return NULL;
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/* An address nothing covers: re-read the maps and perf map of a live process, rarely. */
static bool proc_reread(struct ks_syms *s, struct proc *p)
{
	u64 now = now_ns(), start, dev, ino;

	if (now < p->next_reread)
		return false;
	p->next_reread = now + REREAD_NS;
	/* only the same process, running the same binary */
	if (proc_stat(p->pid, &start, &dev, &ino) || start != p->starttime || dev != p->exe_dev ||
	    ino != p->exe_ino)
		return false;
	proc_read_maps(s, p);
	proc_read_jit(s, p);
	return true;
}

static u64 dso_vaddr(const struct dso *d, const struct umap *m, u64 addr)
{
	u64 off = addr - m->start + m->pgoff;

	for (unsigned int i = 0; i < d->nsegs; i++)
		if (off >= d->segs[i].off && off - d->segs[i].off < d->segs[i].filesz)
			return off - d->segs[i].off + d->segs[i].vaddr;
	return off;
}

int ks_syms_user(struct ks_syms *s, int pid, unsigned long long addr, struct ks_sym *out)
{
	const struct usym *u = NULL;
	const struct umap *m;
	struct proc *p;
	bool retried = false;

	memset(out, 0, sizeof(*out));
	out->kind = KS_FRAME_UNKNOWN;
	p = proc_find(s, pid);
	if (!p) {
		ks_syms_learn(s, pid);
		p = proc_find(s, pid);
	}
	if (!p || p->err)
		return -ENOENT;
again:
	m = umap_find(p, addr);
	if (m) {
		out->module = m->module;
		out->path = m->path;
		if (m->dso && m->dso->nsegs) {
			out->elf_addr = dso_vaddr(m->dso, m, addr);
			u = usyms_find(m->dso->syms, m->dso->nsyms, out->elf_addr);
			if (u) {
				out->kind = KS_FRAME_USER;
				out->name = u->name;
				out->offset = out->elf_addr - u->start;
				return 0;
			}
		}
	}
	/* JIT code: anonymous memory, memfds, anything no ELF symbol covers */
	u = usyms_find(p->jit, p->njit, addr);
	if (u) {
		out->kind = KS_FRAME_JIT;
		out->name = u->name;
		out->offset = addr - u->start;
		return 0;
	}
	if (!retried && (!m || !m->path) && proc_reread(s, p)) {
		retried = true;
		goto again;
	}
	return -ENOENT;
}

const char *ks_syms_user_file(struct ks_syms *s, int pid, unsigned long long addr)
{
	struct proc *p = proc_find(s, pid);
	const struct umap *m;

	if (!p || p->err)
		return NULL;
	m = umap_find(p, addr);
	return m && m->dso ? m->dso->symfile : NULL;
}

/* ------------------------------------------------------------------------------------ */
/* the object */

struct ks_syms *ks_syms_new(void)
{
	struct ks_syms *s = calloc(1, sizeof(*s));

	if (!s)
		errno = ENOMEM;
	return s;
}

void ks_syms_set_debug_root(struct ks_syms *s, const char *dir)
{
	free(s->debug_root);
	s->debug_root = dir ? strdup(dir) : NULL;
}

void ks_syms_free(struct ks_syms *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->proc_cap; i++) {
		struct proc *p = s->procs[i], *next;

		for (; p; p = next) {
			next = p->next;
			proc_clear(p);
			free(p);
		}
	}
	for (size_t i = 0; i < s->dso_cap; i++) {
		struct dso *d = s->dsos[i], *next;

		for (; d; d = next) {
			next = d->next;
			free(d->syms);
			free(d->segs);
			free(d);
		}
	}
	if (s->vdso) {
		free(s->vdso->syms);
		free(s->vdso->segs);
		free(s->vdso);
	}
	while (s->chunks) {
		struct chunk *c = s->chunks;

		s->chunks = c->next;
		if (c->data != (char *)(c + 1))
			free(c->data);
		free(c);
	}
	free(s->procs);
	free(s->dsos);
	free(s->istr);
	free(s->ksyms);
	free(s->kindex);
	free(s->debug_root);
	free(s);
}

/* ------------------------------------------------------------------------------------ */
/* text */

struct wbuf {
	char *buf;
	size_t len, pos;
	size_t end; /* bytes in buf: whole escapes only, so it stops at the first that won't fit */
};

/* @str, with @clean escaped as a folded frame (ks_text_escape_one); whole escapes only. */
static void wb_put(struct wbuf *w, const char *str, bool clean)
{
	size_t len = strlen(str);

	for (size_t i = 0; i < len;) {
		char out[8];
		size_t used = 1, n = 1;

		if (clean)
			n = ks_text_escape_one(str + i, len - i, KS_ESC_FOLDED, out, &used);
		else
			out[0] = str[i];
		if (w->end == w->pos && w->pos + n < w->len) {
			memcpy(w->buf + w->pos, out, n);
			w->end += n;
		}
		w->pos += n;
		i += used;
	}
}

int ks_sym_folded(const struct ks_sym *sym, char *buf, size_t len)
{
	struct wbuf w = { buf, len, 0 };

	if (sym->name) {
		wb_put(&w, sym->name, true);
		if (sym->kind == KS_FRAME_KERNEL && sym->module) {
			wb_put(&w, " [", false);
			wb_put(&w, sym->module, true);
			wb_put(&w, "]", false);
		}
		if (sym->kind == KS_FRAME_KERNEL)
			wb_put(&w, "_[k]", false);
		else if (sym->kind == KS_FRAME_JIT)
			wb_put(&w, "_[j]", false);
	} else {
		wb_put(&w, "[unknown]", false);
		if (sym->kind == KS_FRAME_KERNEL) {
			wb_put(&w, "_[k]", false);
		} else if (sym->module) {
			wb_put(&w, " (", false);
			wb_put(&w, sym->module, true);
			wb_put(&w, ")", false);
		}
	}
	if (len)
		buf[w.end] = '\0';
	return (int)w.pos;
}

bool ks_sym_is_stack_root(const char *name)
{
	static const char *const roots[] = {
		"_start",
		"__start",
		"_dl_start",
		"_dl_start_user",
		"__libc_start_main",
		"__libc_start_main_impl",
		"__libc_start_call_main",
		"start_thread",
		"thread_start",
		"clone",
		"clone3",
		"__clone",
		"__clone3",
		"__thread_start",
		"runtime.goexit",
		"runtime.goexit.abi0",
		"runtime.rt0_go",
		"runtime.rt0_go.abi0",
		"runtime.mstart",
		"runtime.mstart.abi0",
	};
	size_t n;

	if (!name)
		return false;
	n = strcspn(name, "@");
	for (size_t i = 0; i < KS_ARRAY_SIZE(roots); i++)
		if (strlen(roots[i]) == n && !strncmp(roots[i], name, n))
			return true;
	return false;
}
