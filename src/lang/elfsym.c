// SPDX-License-Identifier: GPL-2.0-only
/* Binaries for uprobes and USDT: finding them by name, their symbols and stapsdt notes, offsets. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/common.h"
#include "core/file.h"
#include "core/syms.h"
#include "lang/probes.h"

struct seg {
	uint64_t vaddr, filesz, off;
};

struct lang_elf {
	int fd;
	Elf *elf; /* read through a mapping: the strings handed out point into it */
	struct seg *segs;
	size_t nsegs;
	struct lang_elf_func *funcs;
	size_t nfuncs;
	int funcs_err; /* 1 until read */
	struct lang_usdt_note *notes;
	size_t nnotes;
	int notes_err; /* 1 until read */
};

/* ------------------------------------------------------------------------------------ */
/* finding a binary */

static bool is_file(const char *path, bool exec)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && (!exec || !access(path, X_OK));
}

/* "libc" names libc.so.6 and libc.so; a full file name names itself. */
static bool lib_matches(const char *file, const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(file, name))
		return true;
	return !strncmp(file, name, n) && !strncmp(file + n, ".so", 3) &&
	       (file[n + 3] == '\0' || file[n + 3] == '.');
}

static int set_out(char *out, size_t outlen, const char *a, const char *b)
{
	if ((size_t)snprintf(out, outlen, "%s%s", a, b ? b : "") >= outlen)
		return -ENAMETOOLONG;
	return 0;
}

/* The executable or a mapped library of @pid named @name. */
static int from_process(const char *name, int pid, char *out, size_t outlen)
{
	char path[PATH_MAX], line[PATH_MAX + 256];
	int ret = -ENOENT;
	ssize_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	len = readlink(path, line, sizeof(line) - 1);
	if (len > 0) {
		const char *base;

		line[len] = '\0';
		base = strrchr(line, '/');
		if (base && !strcmp(base + 1, name))
			return set_out(out, outlen, path, NULL);
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (ret == -ENOENT && fgets(line, sizeof(line), f)) {
		unsigned long long ino;
		char *file = strchr(line, '/'), *base, *nl;
		struct stat st;

		if (!file || sscanf(line, "%*s %*s %*s %*s %llu", &ino) != 1)
			continue;
		nl = strchr(file, '\n');
		if (nl)
			*nl = '\0';
		base = strrchr(file, '/') + 1;
		if (!lib_matches(base, name))
			continue;
		/* The same file in our mount namespace, or else the process's view of it. */
		if (!stat(file, &st) && st.st_ino == ino)
			ret = set_out(out, outlen, file, NULL);
		else {
			snprintf(path, sizeof(path), "/proc/%d/root", pid);
			ret = set_out(out, outlen, path, file);
		}
	}
	fclose(f);
	return ret;
}

static int from_path_env(const char *name, char *out, size_t outlen)
{
	const char *p = getenv("PATH");

	if (!p || !*p)
		p = "/usr/local/bin:/usr/bin:/bin";
	while (*p) {
		size_t n = strcspn(p, ":");
		char path[PATH_MAX];

		if (n &&
		    (size_t)snprintf(path, sizeof(path), "%.*s/%s", (int)n, p, name) <
			    sizeof(path) &&
		    is_file(path, true))
			return set_out(out, outlen, path, NULL);
		p += n;
		if (*p == ':')
			p++;
	}
	return -ENOENT;
}

/*
 * /etc/ld.so.cache in glibc's format "glibc-ld.so.cache1.1" (alone, or after the old
 * format's table): a header, then entries of flags, key and value string offsets (relative
 * to the new header), osversion and hwcap.
 */
#define LDCACHE_MAGIC	  "glibc-ld.so.cache1.1"
#define LDCACHE_HDR	  48
#define LDCACHE_ENT	  24
#define LDCACHE_ARCH_MASK 0xff00
#define LDCACHE_X8664	  0x0300

static int from_ldcache(const char *name, char *out, size_t outlen)
{
	const char *base;
	char *buf;
	size_t size;
	uint32_t nlibs;
	int ret = -ENOENT;

	if (ks_read_file("/etc/ld.so.cache", &buf, &size))
		return -ENOENT;
	base = size > LDCACHE_HDR ? memmem(buf, size, LDCACHE_MAGIC, strlen(LDCACHE_MAGIC)) : NULL;
	if (!base || (size_t)(base - buf) + LDCACHE_HDR > size)
		goto out;
	memcpy(&nlibs, base + 20, 4);
	for (uint32_t i = 0; i < nlibs; i++) {
		size_t eo = (size_t)(base - buf) + LDCACHE_HDR + (size_t)i * LDCACHE_ENT;
		const char *e = buf + eo, *key, *val;
		uint32_t k, v;
		int32_t flags;

		if (eo + LDCACHE_ENT > size)
			break;
		memcpy(&flags, e, 4);
		memcpy(&k, e + 4, 4);
		memcpy(&v, e + 8, 4);
		if (k >= size - (size_t)(base - buf) || v >= size - (size_t)(base - buf))
			continue;
		key = base + k;
		val = base + v;
		/* both strings must end inside the file */
		if (!memchr(key, '\0', buf + size - key) || !memchr(val, '\0', buf + size - val))
			continue;
#ifdef __x86_64__
		if ((flags & LDCACHE_ARCH_MASK) != LDCACHE_X8664)
			continue;
#endif
		if (lib_matches(key, name) && is_file(val, false)) {
			ret = set_out(out, outlen, val, NULL);
			break;
		}
	}
out:
	free(buf);
	return ret;
}

static int from_lib_dirs(const char *name, char *out, size_t outlen)
{
	static const char *const dirs[] = {
#ifdef __x86_64__
		"/lib/x86_64-linux-gnu",
		"/usr/lib/x86_64-linux-gnu",
#endif
		"/lib64",
		"/usr/lib64",
		"/lib",
		"/usr/lib",
		"/usr/local/lib",
	};
	/* The usual names first: the development link, then the first soname versions. */
	static const char *const suffixes[] = { "",	 ".so",	  ".so.0", ".so.1", ".so.2",
						".so.3", ".so.4", ".so.5", ".so.6" };

	for (size_t i = 0; i < KS_ARRAY_SIZE(dirs); i++) {
		for (size_t j = 0; j < KS_ARRAY_SIZE(suffixes); j++) {
			char path[PATH_MAX];

			if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", dirs[i], name,
					     suffixes[j]) < sizeof(path) &&
			    is_file(path, false))
				return set_out(out, outlen, path, NULL);
		}
	}
	return -ENOENT;
}

int lang_bin_resolve(const char *name, int pid, char *out, size_t outlen)
{
	char cwd[PATH_MAX];
	int ret;

	if (!name || !*name || !outlen)
		return -EINVAL;
	if (strchr(name, '/')) {
		if (name[0] == '/') {
			if (is_file(name, false))
				return set_out(out, outlen, name, NULL);
			if (pid > 0) {
				char root[64];

				snprintf(root, sizeof(root), "/proc/%d/root", pid);
				ret = set_out(out, outlen, root, name);
				if (!ret && is_file(out, false))
					return 0;
			}
			return -ENOENT;
		}
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		if (strlen(cwd) + strlen(name) + 2 > sizeof(cwd))
			return -ENAMETOOLONG;
		/* "./x" reads better as "/dir/x" in probe names */
		snprintf(cwd + strlen(cwd), sizeof(cwd) - strlen(cwd), "/%s",
			 !strncmp(name, "./", 2) ? name + 2 : name);
		if (!is_file(cwd, false))
			return -ENOENT;
		return set_out(out, outlen, cwd, NULL);
	}
	if (pid > 0) {
		ret = from_process(name, pid, out, outlen);
		if (ret != -ENOENT)
			return ret;
	}
	ret = from_path_env(name, out, outlen);
	if (ret == -ENOENT)
		ret = from_ldcache(name, out, outlen);
	if (ret == -ENOENT)
		ret = from_lib_dirs(name, out, outlen);
	return ret;
}

/* ------------------------------------------------------------------------------------ */
/* the ELF file */

int lang_elf_open(const char *path, struct lang_elf **ep)
{
	struct lang_elf *e;
	size_t nph = 0;
	GElf_Ehdr eh;
	int err;

	*ep = NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->funcs_err = e->notes_err = 1;
	e->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (e->fd < 0) {
		err = -errno;
		free(e);
		return err;
	}
	elf_version(EV_CURRENT);
	e->elf = elf_begin(e->fd, ELF_C_READ_MMAP, NULL);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF || !gelf_getehdr(e->elf, &eh)) {
		lang_elf_close(e);
		return -ENOEXEC;
	}
	if (!elf_getphdrnum(e->elf, &nph) && nph) {
		e->segs = calloc(nph, sizeof(*e->segs));
		if (!e->segs) {
			lang_elf_close(e);
			return -ENOMEM;
		}
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(e->elf, (int)i, &ph) && ph.p_type == PT_LOAD)
				e->segs[e->nsegs++] =
					(struct seg){ ph.p_vaddr, ph.p_filesz, ph.p_offset };
		}
	}
	*ep = e;
	return 0;
}

void lang_elf_close(struct lang_elf *e)
{
	if (!e)
		return;
	free(e->funcs);
	free(e->notes);
	free(e->segs);
	if (e->elf)
		elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
	free(e);
}

int lang_elf_offset(const struct lang_elf *e, uint64_t vaddr, uint64_t *off)
{
	for (size_t i = 0; i < e->nsegs; i++) {
		const struct seg *s = &e->segs[i];

		if (vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz) {
			*off = vaddr - s->vaddr + s->off;
			return 0;
		}
	}
	return -ENOENT;
}

struct fvec {
	struct lang_elf_func *v;
	int *bind;
	size_t n, cap;
};

static int fvec_add(const char *name, unsigned long long addr, unsigned long long size, int bind,
		    void *arg)
{
	struct fvec *f = arg;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 512;
		struct lang_elf_func *nv = realloc(f->v, cap * sizeof(*nv));
		int *nb;

		if (!nv)
			return -ENOMEM;
		f->v = nv;
		nb = realloc(f->bind, cap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		f->bind = nb;
		f->cap = cap;
	}
	f->v[f->n] = (struct lang_elf_func){ name, addr, size };
	f->bind[f->n] = bind;
	f->n++;
	return 0;
}

struct fsort {
	struct lang_elf_func f;
	int rank;
};

static int fsort_cmp(const void *a, const void *b)
{
	const struct fsort *x = a, *y = b;
	int c = strcmp(x->f.name, y->f.name);

	if (c)
		return c;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return x->f.addr < y->f.addr ? -1 : x->f.addr > y->f.addr;
}

static int funcs_read(struct lang_elf *e)
{
	struct fvec f = { 0 };
	struct fsort *s = NULL;
	size_t n = 0;
	int err;

	err = ks_elf_func_syms(e->elf, SHT_SYMTAB, fvec_add, &f);
	if (err >= 0)
		err = ks_elf_func_syms(e->elf, SHT_DYNSYM, fvec_add, &f);
	if (err < 0)
		goto out;
	err = 0;
	if (!f.n)
		goto out;
	s = malloc(f.n * sizeof(*s));
	if (!s) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < f.n; i++)
		s[i] = (struct fsort){ f.v[i], f.bind[i] == STB_GLOBAL ? 0
					       : f.bind[i] == STB_WEAK ? 1
								       : 2 };
	qsort(s, f.n, sizeof(*s), fsort_cmp);
	/* the same name in both tables, or twice as a local: the first after sorting wins */
	for (size_t i = 0; i < f.n; i++)
		if (!n || strcmp(f.v[n - 1].name, s[i].f.name))
			f.v[n++] = s[i].f;
	e->funcs = f.v;
	e->nfuncs = n;
	f.v = NULL;
out:
	free(s);
	free(f.v);
	free(f.bind);
	return err;
}

int lang_elf_funcs(struct lang_elf *e, const struct lang_elf_func **v, size_t *n)
{
	if (e->funcs_err == 1)
		e->funcs_err = funcs_read(e);
	*v = e->funcs;
	*n = e->nfuncs;
	return e->funcs_err;
}

/* ------------------------------------------------------------------------------------ */
/* USDT notes */

#define NT_STAPSDT 3

static int note_add(struct lang_elf *e, size_t *cap, const struct lang_usdt_note *note)
{
	if (e->nnotes == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct lang_usdt_note *nv = realloc(e->notes, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		e->notes = nv;
		*cap = nc;
	}
	e->notes[e->nnotes++] = *note;
	return 0;
}

/*
 * One note's description: pc, base and semaphore addresses (4 or 8 bytes each by ELF
 * class), then provider, name and arguments, each NUL-terminated.
 */
static int note_parse(const char *desc, size_t len, bool is64, bool have_base, uint64_t base_addr,
		      struct lang_usdt_note *note)
{
	size_t w = is64 ? 8 : 4, off = 3 * w;
	const char *strs[3];
	uint64_t addr[3];

	if (len < off)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		if (is64) {
			memcpy(&addr[i], desc + i * w, 8);
		} else {
			uint32_t a;

			memcpy(&a, desc + i * w, 4);
			addr[i] = a;
		}
	}
	for (int i = 0; i < 3; i++) {
		const char *end = off < len ? memchr(desc + off, '\0', len - off) : NULL;

		if (!end)
			return -EINVAL;
		strs[i] = desc + off;
		off = (size_t)(end - desc) + 1;
	}
	*note = (struct lang_usdt_note){ strs[0], strs[1], strs[2], addr[0], addr[2] };
	/*
	 * The note holds the link-time address of .stapsdt.base; prelink moves sections
	 * without rewriting notes, so addresses shift by where that section now is.
	 */
	if (have_base && addr[1]) {
		note->pc += base_addr - addr[1];
		if (note->sema)
			note->sema += base_addr - addr[1];
	}
	return 0;
}

static int notes_read(struct lang_elf *e)
{
	GElf_Shdr sh, bsh;
	Elf_Scn *scn;
	Elf_Data *data;
	size_t off = 0, noff, doff, cap = 0;
	bool have_base;
	GElf_Nhdr nh;
	int err;

	scn = ks_elf_section(e->elf, ".note.stapsdt", &sh);
	if (!scn || sh.sh_type != SHT_NOTE)
		return 0;
	have_base = ks_elf_section(e->elf, ".stapsdt.base", &bsh) != NULL;
	data = elf_getdata(scn, NULL);
	if (!data || !data->d_buf)
		return 0;
	while ((off = gelf_getnote(data, off, &nh, &noff, &doff)) > 0) {
		struct lang_usdt_note note;

		if (nh.n_type != NT_STAPSDT || nh.n_namesz != sizeof("stapsdt") ||
		    memcmp((char *)data->d_buf + noff, "stapsdt", sizeof("stapsdt")))
			continue;
		if (note_parse((char *)data->d_buf + doff, nh.n_descsz,
			       gelf_getclass(e->elf) == ELFCLASS64, have_base, bsh.sh_addr, &note))
			continue;
		err = note_add(e, &cap, &note);
		if (err)
			return err;
	}
	return 0;
}

int lang_elf_usdt_notes(struct lang_elf *e, const struct lang_usdt_note **v, size_t *n)
{
	if (e->notes_err == 1)
		e->notes_err = notes_read(e);
	*v = e->notes;
	*n = e->nnotes;
	return e->notes_err;
}
