// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of src/core/cfi: readelf's view of real binaries, malformed input, unwinding. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <sys/wait.h>
#include <time.h>

#include "core/cfi.h"
#include "ktest.h"

typedef unsigned long long u64;

#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"

static char tdir[PATH_MAX + 16]; /* the target programs: <dir of this binary>/cfitargets */

struct elf_file {
	int fd;
	Elf *elf;
};

static bool elf_file_open(const char *path, struct elf_file *f)
{
	f->elf = NULL;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return false;
	f->elf = elf_begin(f->fd, ELF_C_READ, NULL);
	return f->elf != NULL;
}

static void elf_file_close(struct elf_file *f)
{
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	f->elf = NULL;
	f->fd = -1;
}

static bool have_readelf(void)
{
	return !system("readelf --version >/dev/null 2>&1");
}

/* readelf's rules of a row, in our kinds; false when a column has no counterpart. */
static bool readelf_cfa(const char *s, int *kind, long *off)
{
	if (!strcmp(s, "exp")) {
		*kind = -1; /* PLT or unsupported */
		return true;
	}
	if (!strncmp(s, "rsp", 3) && (s[3] == '+' || s[3] == '-')) {
		*kind = KS_CFI_CFA_RSP;
	} else if (!strncmp(s, "rbp", 3) && (s[3] == '+' || s[3] == '-')) {
		*kind = KS_CFI_CFA_RBP;
	} else {
		*kind = KS_CFI_CFA_UNSUP;
		return true;
	}
	*off = strtol(s + 3, NULL, 10);
	return true;
}

struct xcheck {
	long rows, agree, outside, notab, mismatch, exp_plt, exp_unsup;
};

/* Does our row @r say what readelf printed (@cfa, @rbp, @ra; NULL for an absent column)? */
static bool row_agrees(const struct ks_cfi_row *r, const char *cfa, const char *rbp, const char *ra,
		       struct xcheck *x)
{
	int kind;
	long off = 0;
	enum ks_cfi_rbp rk = ks_cfi_row_rbp(r);
	enum ks_cfi_ra ak = ks_cfi_row_ra(r);

	readelf_cfa(cfa, &kind, &off);
	if (kind == -1) {
		if (r->cfa != KS_CFI_CFA_PLT && r->cfa != KS_CFI_CFA_UNSUP)
			return false;
		if (r->cfa == KS_CFI_CFA_PLT)
			x->exp_plt++;
		else
			x->exp_unsup++;
	} else if (kind != r->cfa || (kind != KS_CFI_CFA_UNSUP && off != r->cfa_off)) {
		return false;
	}
	/* "u": undefined, or (readelf's pre-scan) not yet saved, which is unchanged */
	if (!rbp || !strcmp(rbp, "u")) {
		if (rk != KS_CFI_RBP_SAME && rk != KS_CFI_RBP_UNDEF)
			return false;
	} else if (!strcmp(rbp, "s") || !strcmp(rbp, "rbp")) {
		if (rk != KS_CFI_RBP_SAME)
			return false;
	} else if (rbp[0] == 'c' && (rbp[1] == '+' || rbp[1] == '-')) {
		if (rk != KS_CFI_RBP_CFA || r->rbp_off != strtol(rbp + 1, NULL, 10))
			return false;
	} else if (rk != KS_CFI_RBP_UNSUP) {
		return false;
	}
	if (ra && !strcmp(ra, "c-8"))
		return ak == KS_CFI_RA_CFA8;
	if (ra && !strcmp(ra, "u"))
		return ak == KS_CFI_RA_UNDEF;
	return ak == KS_CFI_RA_UNSUP;
}

/*
 * Compare every row `readelf --debug-dump=frames-interp` prints for section @sec of @path with
 * what ks_cfi_find gives in @t.
 */
static void readelf_check(const char *path, const char *sec, const struct ks_cfi_table *t,
			  struct xcheck *x)
{
	char cmd[PATH_MAX + 64], line[1024], want[64];
	int col_rbp = -1, col_ra = -1, ncols = 0;
	u64 lo = 0, hi = 0;
	bool in_sec = false, in_fde = false;
	FILE *p;

	memset(x, 0, sizeof(*x));
	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=frames-interp '%s' 2>/dev/null", path);
	snprintf(want, sizeof(want), "Contents of the %s section", sec);
	p = popen(cmd, "r");
	CHECK(p, "cannot run readelf");
	if (!p)
		return;
	while (fgets(line, sizeof(line), p)) {
		char *tok[40], *save = NULL, *s;
		int n = 0;

		if (!strncmp(line, "Contents of the ", 16)) {
			in_sec = !strncmp(line, want, strlen(want));
			in_fde = false;
			continue;
		}
		if (!in_sec)
			continue;
		/* a register rule may print as "r5 (rdi)": the name is no column of its own */
		for (s = strtok_r(line, " \t\n", &save); s && n < 40;
		     s = strtok_r(NULL, " \t\n", &save))
			if (s[0] != '(' || !n)
				tok[n++] = s;
		if ((n >= 4 && !strcmp(tok[3], "CIE")) || (n >= 2 && !strcmp(tok[1], "ZERO"))) {
			in_fde = false;
		} else if (n >= 6 && !strcmp(tok[3], "FDE")) {
			in_fde = sscanf(tok[5], "pc=%llx..%llx", &lo, &hi) == 2;
		} else if (n >= 2 && !strcmp(tok[0], "LOC")) {
			col_rbp = col_ra = -1;
			ncols = n;
			for (int i = 2; i < n; i++) {
				if (!strcmp(tok[i], "rbp"))
					col_rbp = i;
				else if (!strcmp(tok[i], "ra"))
					col_ra = i;
			}
		} else if (in_fde && n >= 2 && strlen(tok[0]) >= 8 &&
			   strspn(tok[0], "0123456789abcdef") == strlen(tok[0])) {
			u64 loc = strtoull(tok[0], NULL, 16);
			const struct ks_cfi_row *r;

			x->rows++;
			if (n != ncols) { /* a column not understood: never silently passed */
				if (x->mismatch++ < 10)
					printf("# %s: %s 0x%llx: %d columns, header has %d\n", path,
					       sec, loc, n, ncols);
				continue;
			}
			if (loc < lo || loc >= hi) { /* a row past its FDE's end applies nowhere */
				x->outside++;
				continue;
			}
			r = ks_cfi_find(t, loc);
			if (!r || r->cfa == KS_CFI_CFA_NONE) {
				if (x->notab++ < 5)
					printf("# %s: %s 0x%llx: no row\n", path, sec, loc);
				continue;
			}
			if (row_agrees(r, tok[1], col_rbp > 0 ? tok[col_rbp] : NULL,
				       col_ra > 0 ? tok[col_ra] : NULL, x)) {
				x->agree++;
			} else if (x->mismatch++ < 10) {
				printf("# %s: %s 0x%llx: readelf %s rbp %s ra %s; ours cfa %d%+d "
				       "flags 0x%x rbp_off %d\n",
				       path, sec, loc, tok[1], col_rbp > 0 ? tok[col_rbp] : "-",
				       col_ra > 0 ? tok[col_ra] : "-", r->cfa, r->cfa_off, r->flags,
				       r->rbp_off);
			}
		}
	}
	pclose(p); /* its status: it complains of things we do not read (a debug file's .interp) */
}

/* Build @path's table (with @debug's .debug_frame) and check it against readelf. */
static void check_binary(const char *path, const char *debug, const char *sec)
{
	struct elf_file f, d = { -1, NULL };
	struct ks_cfi_table t;
	struct xcheck x;
	int err;

	if (!have_readelf()) {
		KT_SKIP("readelf (binutils) is not installed");
		return;
	}
	if (!elf_file_open(path, &f)) {
		CHECK(false, "cannot open %s", path);
		elf_file_close(&f);
		return;
	}
	if (debug)
		CHECK(elf_file_open(debug, &d), "cannot open %s", debug);
	err = ks_cfi_build(f.elf, d.elf, &t);
	CHECK_INT(err, 0);
	readelf_check(debug ? debug : path, sec, &t, &x);
	printf("# %s (%s): %zu rows, %zu bytes; readelf rows %ld: %ld agree, %ld disagree, %ld not "
	       "in "
	       "the table, %ld past their FDE; exp as PLT %ld, as unsupported %ld; fdes %u, bad "
	       "%u, "
	       "outside %u, overlap %u, from .debug_frame %u\n",
	       path, sec, t.nrows, t.nrows * sizeof(*t.rows), x.rows, x.agree, x.mismatch, x.notab,
	       x.outside, x.exp_plt, x.exp_unsup, t.stats.fdes, t.stats.fdes_bad,
	       t.stats.fdes_outside, t.stats.fdes_overlap, t.stats.fdes_debug);
	CHECK(x.rows > 0, "readelf printed no rows for %s", path);
	CHECK_INT(x.mismatch, 0);
	CHECK_INT(x.notab, 0);
	CHECK_INT(x.agree + x.outside, x.rows);
	CHECK_INT(t.stats.fdes_bad, 0);
	ks_cfi_table_free(&t);
	elf_file_close(&d);
	elf_file_close(&f);
}

static void test_readelf_libc(void)
{
	check_binary(LIBC, NULL, ".eh_frame");
}

static void test_readelf_kscope(void)
{
	const char *k = getenv("KSCOPE");

	if (!k || !*k)
		k = "./kscope";
	if (access(k, R_OK)) {
		KT_SKIP("no kscope binary at %s (set KSCOPE)", k);
		return;
	}
	check_binary(k, NULL, ".eh_frame");
}

static void test_readelf_omit_fp(void)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/cfitarget-omit", tdir);
	check_binary(p, NULL, ".eh_frame");
}

static void test_readelf_o0_fp(void)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/cfitarget-fp", tdir);
	check_binary(p, NULL, ".eh_frame");
}

/* A stripped binary whose functions have only .debug_frame, in its separate debug file. */
static void test_readelf_debug_frame(void)
{
	char p[PATH_MAX + 64], d[PATH_MAX + 64];
	struct elf_file f, df;
	struct ks_cfi_table t;

	snprintf(p, sizeof(p), "%s/cfitarget-dbg", tdir);
	snprintf(d, sizeof(d), "%s/cfitarget-dbg.debug", tdir);
	check_binary(p, d, ".debug_frame");
	/* the stripped file alone lacks those functions */
	if (!elf_file_open(p, &f) || !elf_file_open(d, &df)) {
		CHECK(false, "cannot open %s", p);
		return;
	}
	CHECK_INT(ks_cfi_build(f.elf, NULL, &t), 0);
	CHECK_INT(t.stats.fdes_debug, 0);
	ks_cfi_table_free(&t);
	CHECK_INT(ks_cfi_build(f.elf, df.elf, &t), 0);
	CHECK(t.stats.fdes_debug >= 4, "%u FDEs from .debug_frame", t.stats.fdes_debug);
	ks_cfi_table_free(&t);
	elf_file_close(&df);
	elf_file_close(&f);
}

/* The nearest .dynsym / .symtab function at or below @addr in @elf, for messages. */
static const char *sym_name(Elf *elf, u64 addr, bool exact)
{
	static char name[128];
	Elf_Scn *scn = NULL;
	u64 best = 0;

	strcpy(name, "?");
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    s.st_value > addr || s.st_value < best)
				continue;
			if (exact && addr >= s.st_value + s.st_size)
				continue;
			n = elf_strptr(elf, sh.sh_link, s.st_name);
			if (!n)
				continue;
			best = s.st_value;
			snprintf(name, sizeof(name), "%s", n);
		}
	}
	return name;
}

/* Size and time for libc, and every unsupported rule it has, as comment lines. */
static void test_libc_size(void)
{
	struct elf_file f;
	struct ks_cfi_table t;
	struct timespec a, b;
	size_t plt = 0, cfa_unsup = 0, rbp_unsup = 0, ra_unsup = 0, ra_undef = 0, sig = 0, none = 0;

	if (!elf_file_open(LIBC, &f)) {
		KT_SKIP("cannot open %s", LIBC);
		elf_file_close(&f);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_INT(ks_cfi_build(f.elf, NULL, &t), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	for (size_t i = 0; i < t.nrows; i++) {
		const struct ks_cfi_row *r = &t.rows[i];
		bool odd = false;

		plt += r->cfa == KS_CFI_CFA_PLT;
		none += r->cfa == KS_CFI_CFA_NONE;
		sig += !!(r->flags & KS_CFI_SIGNAL);
		ra_undef += ks_cfi_row_ra(r) == KS_CFI_RA_UNDEF;
		if (r->cfa == KS_CFI_CFA_NONE)
			continue;
		if (r->cfa == KS_CFI_CFA_UNSUP)
			cfa_unsup++, odd = true;
		if (ks_cfi_row_rbp(r) == KS_CFI_RBP_UNSUP)
			rbp_unsup++, odd = true;
		if (ks_cfi_row_ra(r) == KS_CFI_RA_UNSUP)
			ra_unsup++, odd = true;
		if (odd || (r->flags & KS_CFI_SIGNAL) || ks_cfi_row_ra(r) == KS_CFI_RA_UNDEF)
			printf("# libc 0x%llx (%s): cfa %d, rbp %d, ra %d%s\n",
			       (u64)(t.base + r->pc), sym_name(f.elf, t.base + r->pc, false),
			       r->cfa, ks_cfi_row_rbp(r), ks_cfi_row_ra(r),
			       r->flags & KS_CFI_SIGNAL ? ", signal frame" : "");
	}
	printf("# libc.so.6: %zu rows, %zu bytes (%zu-byte rows), built in %.1f ms; %u FDEs; %zu "
	       "gap rows, %zu PLT, %zu unsupported CFA, %zu unsupported RBP, %zu unsupported RA, "
	       "%zu "
	       "outermost, %zu signal\n",
	       t.nrows, t.nrows * sizeof(*t.rows), sizeof(*t.rows),
	       (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6, t.stats.fdes, none, plt,
	       cfa_unsup, rbp_unsup, ra_unsup, ra_undef, sig);
	CHECK(t.nrows > 1000, "only %zu rows", t.nrows);
	CHECK(plt > 0, "no PLT row");
	for (size_t i = 1; i < t.nrows; i++)
		if (t.rows[i].pc <= t.rows[i - 1].pc) {
			CHECK(false, "rows %zu and %zu not sorted", i - 1, i);
			break;
		}
	CHECK(t.nrows && t.rows[t.nrows - 1].cfa == KS_CFI_CFA_NONE, "no end mark");
	CHECK(ks_cfi_find(&t, t.base - 1) == NULL, "a row below the table");
	CHECK(ks_cfi_find(&t, t.base + t.rows[t.nrows - 1].pc) == NULL, "a row at the end mark");
	ks_cfi_table_free(&t);
	elf_file_close(&f);
}

/* --- malformed input ------------------------------------------------------------------------ */

static unsigned char *libc_eh(size_t *size, struct ks_cfi_input *in)
{
	struct elf_file f;
	Elf_Scn *scn = NULL;
	size_t shstr;
	unsigned char *buf = NULL;

	if (!elf_file_open(LIBC, &f) || elf_getshdrstrndx(f.elf, &shstr)) {
		elf_file_close(&f);
		return NULL;
	}
	while ((scn = elf_nextscn(f.elf, scn))) {
		GElf_Shdr sh;
		const char *n;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(n = elf_strptr(f.elf, shstr, sh.sh_name)))
			continue;
		if (!strcmp(n, ".got"))
			in->got_addr = sh.sh_addr;
		/* the executable span, as ks_cfi_build takes it */
		if ((sh.sh_flags & SHF_EXECINSTR) && sh.sh_size) {
			if (!in->text_lo || sh.sh_addr < in->text_lo)
				in->text_lo = sh.sh_addr;
			if (sh.sh_addr + sh.sh_size > in->text_hi)
				in->text_hi = sh.sh_addr + sh.sh_size;
		}
		if (strcmp(n, ".eh_frame") || !(d = elf_getdata(scn, NULL)))
			continue;
		/* exactly its size: ASan sees a read past it */
		buf = malloc(d->d_size);
		if (buf)
			memcpy(buf, d->d_buf, d->d_size);
		*size = d->d_size;
		in->eh_frame_addr = sh.sh_addr;
	}
	elf_file_close(&f);
	return buf;
}

/* Sorted, ends with a mark, and every lookup inside lands on a row. */
static bool table_sane(const struct ks_cfi_table *t)
{
	for (size_t i = 1; i < t->nrows; i++)
		if (t->rows[i].pc <= t->rows[i - 1].pc)
			return false;
	if (t->nrows && t->rows[t->nrows - 1].cfa != KS_CFI_CFA_NONE)
		return false;
	for (size_t i = 0; i + 1 < t->nrows; i++)
		if (ks_cfi_find(t, t->base + t->rows[i].pc) != &t->rows[i])
			return false;
	return true;
}

static void test_malformed_libc(void)
{
	size_t size = 0, boundaries = 0, cuts = 0, flagged = 0;
	u64 rng = 0x9e3779b97f4a7c15ULL;
	struct ks_cfi_input in = { 0 };
	unsigned char *eh = libc_eh(&size, &in), *buf;
	struct ks_cfi_table t;
	unsigned int full;

	if (!eh) {
		KT_SKIP("cannot read .eh_frame of %s", LIBC);
		return;
	}
	in.eh_frame = eh;
	in.eh_frame_size = size;
	CHECK_INT(ks_cfi_build_input(&in, &t), 0);
	full = t.stats.fdes;
	ks_cfi_table_free(&t);
	/* truncated: a cut inside an entry is a length running past the end, counted */
	for (size_t k = 0; k < 400; k++) {
		size_t cut = k < 64 ? k : size * (k - 64) / 336 + k % 13, off = 0;
		bool at_boundary = false;

		if (cut > size)
			cut = size;
		while (off < cut && off + 4 <= size) {
			uint32_t len;

			memcpy(&len, eh + off, 4);
			if (!len)
				break;
			off += 4 + len;
		}
		at_boundary = off == cut;
		buf = malloc(cut ? cut : 1);
		memcpy(buf, eh, cut);
		in.eh_frame = buf;
		in.eh_frame_size = cut;
		CHECK_INT(ks_cfi_build_input(&in, &t), 0);
		CHECK(table_sane(&t), "cut at %zu: table not sane", cut);
		CHECK(t.stats.fdes <= full, "cut at %zu: more FDEs", cut);
		cuts++;
		boundaries += at_boundary;
		if (!at_boundary && t.stats.entries_bad == 1)
			flagged++;
		ks_cfi_table_free(&t);
		free(buf);
	}
	CHECK_INT(flagged, cuts - boundaries);
	/* random bytes changed: anything may be counted, nothing may crash */
	buf = malloc(size);
	for (int k = 0; k < 300; k++) {
		unsigned int errs;

		memcpy(buf, eh, size);
		for (int j = 0; j < 1 + k % 8; j++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			buf[rng % size] = (unsigned char)(rng >> 40);
		}
		in.eh_frame = buf;
		in.eh_frame_size = size;
		CHECK_INT(ks_cfi_build_input(&in, &t), 0);
		CHECK(table_sane(&t), "corruption %d: table not sane", k);
		errs = t.stats.fdes_bad + t.stats.entries_bad + t.stats.cies_bad +
		       t.stats.fdes_outside + t.stats.fdes_overlap;
		(void)errs;
		ks_cfi_table_free(&t);
	}
	printf("# malformed libc .eh_frame: %zu cuts (%zu at entry boundaries), 300 corruptions\n",
	       cuts, boundaries);
	free(buf);
	free(eh);
}

/* A hand-built .eh_frame: one CIE, FDEs appended by the cases. */
struct ehb {
	unsigned char b[512];
	size_t n;
};

#define EHB_ADDR 0x10000ULL

static void put(struct ehb *e, const void *p, size_t n)
{
	memcpy(e->b + e->n, p, n);
	e->n += n;
}

static void put32(struct ehb *e, uint32_t v)
{
	put(e, &v, 4);
}

/* CIE "zR", code 1, data -8, RA 16, FDE pointers @enc; CFA rsp+8, RA at CFA-8. */
static size_t put_cie(struct ehb *e, unsigned char enc)
{
	size_t at = e->n;
	unsigned char body[] = { 1, 'z', 'R', 0, 1, 0x78, 16, 1, enc, 0x0c, 7, 8, 0x90, 1, 0, 0 };

	put32(e, 4 + sizeof(body));
	put32(e, 0);
	put(e, body, sizeof(body));
	return at;
}

/* An FDE for [lo, lo + range) with pcrel sdata4 pointers and program @ins. */
static void put_fde(struct ehb *e, size_t cie, uint32_t lo, uint32_t range, const void *ins,
		    size_t n)
{
	size_t pad = (4 - (4 + 4 + 4 + 1 + n) % 4) % 4;
	int32_t rel;

	put32(e, (uint32_t)(4 + 4 + 4 + 1 + n + pad));
	put32(e, (uint32_t)(e->n - cie));
	rel = (int32_t)(lo - (EHB_ADDR + e->n));
	put(e, &rel, 4);
	put32(e, range);
	e->b[e->n++] = 0; /* augmentation data length */
	put(e, ins, n);
	memset(e->b + e->n, 0, pad);
	e->n += pad;
}

static int build_ehb(const struct ehb *e, struct ks_cfi_table *t)
{
	struct ks_cfi_input in = { 0 };

	in.eh_frame = e->b;
	in.eh_frame_size = e->n;
	in.eh_frame_addr = EHB_ADDR;
	return ks_cfi_build_input(&in, t);
}

static void test_crafted(void)
{
	static const unsigned char good[] = { 0x41, 0x0e, 0x10, 0x86, 0x02, 0x41, 0x0d, 0x06 };
	static const unsigned char plt[] = { 0x0f, 11,	 0x77, 0x08, 0x80, 0x00, 0x3f,
					     0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22 };
	static const unsigned char other_exp[] = { 0x0f, 2, 0x77, 0x08 };
	static const unsigned char unknown_op[] = { 0x41, 0x3f };
	static const unsigned char bad_restore[] = { 0x41, 0x0b };
	struct ehb e = { .n = 0 };
	struct ks_cfi_table t;
	const struct ks_cfi_row *r;
	size_t cie = put_cie(&e, 0x1b), at;

	put_fde(&e, cie, 0x1000, 0x10, good, sizeof(good));
	put_fde(&e, cie, 0x1010, 0x10, plt, sizeof(plt));
	put_fde(&e, cie, 0x1030, 0x10, other_exp, sizeof(other_exp));
	put_fde(&e, cie, 0x1040, 0x10, unknown_op, sizeof(unknown_op));
	put_fde(&e, cie, 0x1050, 0x10, bad_restore, sizeof(bad_restore));
	/* a CIE pointer before the section, and one to an FDE */
	at = e.n;
	put_fde(&e, cie, 0x1060, 0x10, good, sizeof(good));
	memcpy(e.b + at + 4, &(uint32_t){ 0x100000 }, 4);
	at = e.n;
	put_fde(&e, cie, 0x1070, 0x10, good, sizeof(good));
	memcpy(e.b + at + 4, &(uint32_t){ (uint32_t)(at + 4 - (cie + 24)) }, 4);
	CHECK_INT(build_ehb(&e, &t), 0);
	for (size_t i = 0; i < t.nrows; i++)
		printf("# crafted row 0x%llx: cfa %d%+d flags 0x%x\n", (u64)(t.base + t.rows[i].pc),
		       t.rows[i].cfa, t.rows[i].cfa_off, t.rows[i].flags);
	CHECK_INT(t.stats.fdes, 3);
	CHECK_INT(t.stats.fdes_bad, 4);
	CHECK_INT(t.stats.cies_bad, 2);
	CHECK_INT(t.base, 0x1000);
	r = ks_cfi_find(&t, 0x1000);
	CHECK(r && r->cfa == KS_CFI_CFA_RSP && r->cfa_off == 8 &&
		      ks_cfi_row_rbp(r) == KS_CFI_RBP_SAME && ks_cfi_row_ra(r) == KS_CFI_RA_CFA8,
	      "row at 0x1000");
	r = ks_cfi_find(&t, 0x1001);
	CHECK(r && r->cfa == KS_CFI_CFA_RSP && r->cfa_off == 16 &&
		      ks_cfi_row_rbp(r) == KS_CFI_RBP_CFA && r->rbp_off == -16,
	      "row at 0x1001");
	r = ks_cfi_find(&t, 0x100f);
	CHECK(r && r->cfa == KS_CFI_CFA_RBP && r->cfa_off == 16, "row at 0x100f");
	r = ks_cfi_find(&t, 0x1015);
	CHECK(r && r->cfa == KS_CFI_CFA_PLT && r->cfa_off == 11, "PLT row");
	r = ks_cfi_find(&t, 0x1025);
	CHECK(r && r->cfa == KS_CFI_CFA_NONE, "gap row");
	r = ks_cfi_find(&t, 0x1035);
	CHECK(r && r->cfa == KS_CFI_CFA_UNSUP, "other expression");
	for (uint64_t pc = 0x1040; pc < 0x1080; pc += 8) {
		r = ks_cfi_find(&t, pc);
		CHECK(!r || r->cfa == KS_CFI_CFA_NONE, "bad FDE at 0x%llx has a row", (u64)pc);
	}
	CHECK(ks_cfi_find(&t, 0x1080) == NULL, "past the end");
	ks_cfi_table_free(&t);

	/* a length running past the end; a bad pointer encoding */
	e.n = 0;
	cie = put_cie(&e, 0x1b);
	put_fde(&e, cie, 0x1000, 0x10, good, sizeof(good));
	at = e.n;
	put_fde(&e, cie, 0x1010, 0x10, good, sizeof(good));
	memcpy(e.b + at, &(uint32_t){ 0x7fffffff }, 4);
	CHECK_INT(build_ehb(&e, &t), 0);
	CHECK_INT(t.stats.fdes, 1);
	CHECK_INT(t.stats.entries_bad, 1);
	ks_cfi_table_free(&t);
	e.n = 0;
	cie = put_cie(&e, 0x07); /* format 7: none */
	put_fde(&e, cie, 0x1000, 0x10, good, sizeof(good));
	CHECK_INT(build_ehb(&e, &t), 0);
	CHECK_INT(t.stats.fdes, 0);
	CHECK_INT(t.stats.fdes_bad, 1);
	CHECK_INT(t.nrows, 0);
	CHECK(ks_cfi_find(&t, 0x1000) == NULL, "a row in an empty table");
	ks_cfi_table_free(&t);
	/* nothing at all */
	CHECK_INT(build_ehb(&(struct ehb){ .n = 0 }, &t), 0);
	CHECK_INT(t.nrows, 0);
	ks_cfi_table_free(&t);
}

/* --- the reference unwinder ----------------------------------------------------------------- */

struct cfi_dump {
	char magic[8];
	uint64_t rip, rsp, rbp, addr, len;
};

struct mapping {
	u64 lo, hi, bias;
	char path[PATH_MAX];
	struct ks_cfi_table t;
	struct elf_file f;
};

struct maps {
	struct mapping m[32];
	int n;
};

static const struct ks_cfi_table *maps_table(void *ctx, uint64_t pc, uint64_t *bias)
{
	struct maps *ms = ctx;

	for (int i = 0; i < ms->n; i++)
		if (pc >= ms->m[i].lo && pc < ms->m[i].hi) {
			*bias = ms->m[i].bias;
			return &ms->m[i].t;
		}
	return NULL;
}

/* The executable mappings of the dump's maps text, each with its file's table and bias. */
static void maps_load(struct maps *ms, char *text)
{
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l && ms->n < 32;
	     l = strtok_r(NULL, "\n", &save)) {
		struct mapping *m = &ms->m[ms->n];
		char perms[8], path[PATH_MAX];
		unsigned long long off;
		GElf_Phdr ph;
		size_t nph;

		if (sscanf(l, "%llx-%llx %7s %llx %*s %*s %4095s", &m->lo, &m->hi, perms, &off,
			   path) != 5 ||
		    perms[2] != 'x' || path[0] != '/')
			continue;
		snprintf(m->path, sizeof(m->path), "%s", path);
		if (!elf_file_open(path, &m->f) || elf_getphdrnum(m->f.elf, &nph)) {
			elf_file_close(&m->f);
			continue;
		}
		for (size_t i = 0; i < nph; i++)
			if (gelf_getphdr(m->f.elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
			    off >= (ph.p_offset & ~4095ULL) && off < ph.p_offset + ph.p_filesz)
				m->bias = m->lo - (ph.p_vaddr - ph.p_offset + off);
		if (ks_cfi_build(m->f.elf, NULL, &m->t)) {
			elf_file_close(&m->f);
			continue;
		}
		ms->n++;
	}
}

static void maps_free(struct maps *ms)
{
	for (int i = 0; i < ms->n; i++) {
		ks_cfi_table_free(&ms->m[i].t);
		elf_file_close(&ms->m[i].f);
	}
}

/* Run @exe and read all it writes. */
static char *run_read(const char *exe, size_t *len)
{
	int fds[2], st;
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	pid_t pid;

	if (!buf || pipe2(fds, O_CLOEXEC))
		return NULL;
	pid = fork();
	if (!pid) {
		dup2(fds[1], 1);
		execl(exe, exe, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while ((r = read(fds[0], buf + n, cap - n - 1)) > 0) {
		n += (size_t)r;
		if (n + 1 == cap) {
			char *b = realloc(buf, cap *= 2);

			if (!b)
				break;
			buf = b;
		}
	}
	close(fds[0]);
	waitpid(pid, &st, 0);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void test_unwind(void)
{
	static const char *const want[] = { "cfi_c", "cfi_b", "cfi_a", "main" };
	char exe[PATH_MAX + 64];
	struct cfi_dump d;
	struct ks_cfi_regs regs;
	struct ks_cfi_stack stack;
	struct maps *ms = calloc(1, sizeof(*ms));
	enum ks_cfi_stop why;
	uint64_t pcs[64];
	size_t len = 0;
	char *out;
	int n;

	snprintf(exe, sizeof(exe), "%s/cfitarget-omit", tdir);
	out = run_read(exe, &len);
	CHECK(out && len > sizeof(d), "no dump from %s", exe);
	if (!out || len <= sizeof(d) || !ms) {
		free(out);
		free(ms);
		return;
	}
	memcpy(&d, out, sizeof(d));
	CHECK(!strcmp(d.magic, "cfidump") && sizeof(d) + d.len < len, "bad dump");
	if (strcmp(d.magic, "cfidump") || sizeof(d) + d.len >= len) {
		free(out);
		free(ms);
		return;
	}
	maps_load(ms, out + sizeof(d) + d.len);
	regs = (struct ks_cfi_regs){ d.rip, d.rsp, d.rbp };
	stack = (struct ks_cfi_stack){ d.addr, out + sizeof(d), d.len };
	n = ks_cfi_unwind(maps_table, ms, &regs, &stack, pcs, 64, &why);
	for (int i = 0; i < n; i++) {
		const char *name = "?";
		uint64_t bias = 0;

		for (int j = 0; j < ms->n; j++)
			if (maps_table(ms, pcs[i] - (i > 0), &bias) == &ms->m[j].t)
				name = sym_name(ms->m[j].f.elf, pcs[i] - (i > 0) - bias, false);
		printf("# frame %d: 0x%llx %s\n", i, (u64)pcs[i], name);
		if (i < 4)
			CHECK(!strcmp(name, want[i]), "frame %d is %s, expected %s", i, name,
			      want[i]);
	}
	printf("# unwind: %d frames, stopped: %s\n", n, ks_cfi_stop_str(why));
	CHECK(n >= 4, "%d frames", n);
	CHECK(why == KS_CFI_STOP_OUTERMOST, "stopped: %s", ks_cfi_stop_str(why));
	/* a window one frame short stops inside it, not with a wrong frame */
	stack.len = 8;
	n = ks_cfi_unwind(maps_table, ms, &regs, &stack, pcs, 64, &why);
	CHECK(why == KS_CFI_STOP_WINDOW && n == 1, "small window: %d frames, %s", n,
	      ks_cfi_stop_str(why));
	stack.len = d.len;
	n = ks_cfi_unwind(maps_table, ms, &regs, &stack, pcs, 2, &why);
	CHECK(why == KS_CFI_STOP_MAX && n == 2, "max 2: %d frames, %s", n, ks_cfi_stop_str(why));
	maps_free(ms);
	free(ms);
	free(out);
}

int main(int argc, char **argv)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)argc;
	(void)argv;
	elf_version(EV_CURRENT);
	if (n > 0) {
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		snprintf(tdir, sizeof(tdir), "%s/cfitargets", self);
	}
	RUN(test_crafted);
	RUN(test_malformed_libc);
	RUN(test_libc_size);
	RUN(test_readelf_libc);
	RUN(test_readelf_kscope);
	RUN(test_readelf_omit_fp);
	RUN(test_readelf_o0_fp);
	RUN(test_readelf_debug_frame);
	RUN(test_unwind);
	return kt_done();
}
