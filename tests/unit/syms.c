// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of src/core/syms: real processes of every binary kind, perf maps, kallsyms. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core/common.h"
#include "core/syms.h"
#include "ktest.h"

typedef unsigned long long u64;

static char symdir[PATH_MAX]; /* the test programs: <dir of this binary>/symtargets */

struct target {
	pid_t pid;
	int in;
	FILE *out;
	char exe[PATH_MAX]; /* its real path */
	u64 alpha, beta, gamma, getppid, jit;
};

/*
 * Start @exe, or with @via_sh a shell that prints "started" and execs @exe once it reads a
 * line from its stdin; its stdin stays open until target_end.
 */
static bool target_spawn(const char *exe, struct target *t, bool via_sh)
{
	int in[2], out[2];

	memset(t, 0, sizeof(*t));
	if (!realpath(exe, t->exe) || pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return false;
	t->pid = fork();
	if (t->pid < 0)
		return false;
	if (!t->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		if (via_sh)
			execl("/bin/sh", "sh", "-c", "echo started; read x; exec \"$0\"", exe,
			      (char *)NULL);
		else
			execl(exe, exe, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	t->in = in[1];
	t->out = fdopen(out[0], "r");
	return t->out != NULL;
}

/* Read the target's addresses, up to its "ready". */
static bool target_read(struct target *t)
{
	char line[256];

	while (t->out && fgets(line, sizeof(line), t->out)) {
		char name[64];
		u64 v;

		if (!strcmp(line, "ready\n"))
			return t->alpha && t->beta && t->gamma && t->getppid && t->jit;
		if (sscanf(line, "%63s %llx", name, &v) != 2)
			continue;
		if (!strcmp(name, "sym_alpha"))
			t->alpha = v;
		else if (!strcmp(name, "sym_beta"))
			t->beta = v;
		else if (!strcmp(name, "lib_gamma"))
			t->gamma = v;
		else if (!strcmp(name, "getppid"))
			t->getppid = v;
		else if (!strcmp(name, "jit"))
			t->jit = v;
	}
	return false;
}

static bool target_start(const char *exe, struct target *t)
{
	return target_spawn(exe, t, false) && target_read(t);
}

/* Make it exit (EOF on its stdin) and reap it: its pid is gone afterwards. */
static void target_end(struct target *t)
{
	int st;

	if (t->in > 0)
		close(t->in);
	if (t->out)
		fclose(t->out);
	t->in = -1;
	t->out = NULL;
	if (t->pid > 0 && waitpid(t->pid, &st, 0) == t->pid)
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "target %s ended with status %#x",
		      t->exe, st);
}

static bool streq(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = s ? strlen(s) : 0, m = strlen(suffix);

	return s && n >= m && !strcmp(s + n - m, suffix);
}

#define SHOW(s) ((s) ? (s) : "(null)")

/* Resolve @addr of @pid and compare every field that matters. */
static void check_user(int line, struct ks_syms *s, int pid, u64 addr, enum ks_frame_kind kind,
		       const char *name, const char *module, const char *path, u64 offset)
{
	struct ks_sym sym;
	int rc = ks_syms_user(s, pid, addr, &sym);

	if (rc != (name ? 0 : -ENOENT) || sym.kind != kind || !streq(sym.name, name) ||
	    !streq(sym.module, module) || !streq(sym.path, path) || (name && sym.offset != offset))
		kt_fail(line,
			"pid %d addr %#llx: got rc %d kind %d name %s module %s path %s offset "
			"%llu; "
			"expected kind %d name %s module %s path %s offset %llu",
			pid, addr, rc, sym.kind, SHOW(sym.name), SHOW(sym.module), SHOW(sym.path),
			sym.offset, kind, SHOW(name), SHOW(module), SHOW(path), offset);
}

#define CHECK_USER(s, pid, addr, kind, name, module, path, offset)                                 \
	check_user(__LINE__, s, pid, addr, kind, name, module, path, offset)

/* The value of the symbol named @name or @alt in the first section of type @type (0: none). */
static u64 elf_find(Elf *elf, Elf64_Word type, const char *name, const char *alt)
{
	Elf_Scn *scn = NULL;
	u64 v = 0;

	while (elf && !v && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;

			if (gelf_getsym(d, (int)i, &sym) &&
			    (n = elf_strptr(elf, sh.sh_link, sym.st_name)) &&
			    (!strcmp(n, name) || (alt && !strcmp(n, alt))))
				v = sym.st_value;
		}
	}
	return v;
}

/* The value of symbol @name in the .symtab of ELF file @path (0: none). */
static u64 elf_sym_value(const char *path, const char *name)
{
	int fd = open(path, O_RDONLY);
	u64 v = 0;
	Elf *elf;

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	v = elf_find(elf, SHT_SYMTAB, name, NULL);
	elf_end(elf);
	close(fd);
	return v;
}

/* True if @path has symbol @str in a .symtab or the string "@str\0" anywhere (a strtab). */
static bool file_has(const char *path, const char *str)
{
	bool found = false;
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return true;
	buf = malloc((size_t)st.st_size);
	if (buf && read(fd, buf, (size_t)st.st_size) == st.st_size)
		found = memmem(buf, (size_t)st.st_size, str, strlen(str) + 1) != NULL;
	else
		found = true;
	free(buf);
	close(fd);
	return found || elf_sym_value(path, str) != 0;
}

static bool copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n = 0;
	bool ok = in >= 0 && out >= 0;

	while (ok && (n = read(in, buf, sizeof(buf))) > 0)
		ok = write(out, buf, (size_t)n) == n;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ok && n == 0;
}

/* A fresh directory where files can be mapped executable (some /tmp are noexec). */
static bool exec_tmpdir(char *dir, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	const char *cands[] = { tmp && *tmp ? tmp : "/tmp", "/tmp", "/dev/shm", symdir };

	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		char f[PATH_MAX + 16];
		void *p;
		int fd;

		snprintf(dir, size, "%s/ks-syms.XXXXXX", cands[i]);
		if (!mkdtemp(dir))
			continue;
		snprintf(f, sizeof(f), "%s/probe", dir);
		fd = open(f, O_RDWR | O_CREAT, 0700);
		p = fd >= 0 && !ftruncate(fd, 4096)
			    ? mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0)
			    : MAP_FAILED;
		if (fd >= 0)
			close(fd);
		unlink(f);
		if (p != MAP_FAILED) {
			munmap(p, 4096);
			return true;
		}
		rmdir(dir);
	}
	return false;
}

static void rm_tree(const char *dir)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
}

/* Copy <symdir>/@name to @dir/@as. */
static bool copy_in(const char *dir, const char *name, const char *as)
{
	char a[PATH_MAX * 2], b[PATH_MAX * 2];

	snprintf(a, sizeof(a), "%s/%s", symdir, name);
	if (snprintf(b, sizeof(b), "%s/%s", dir, as) >= (int)sizeof(b) || !copy_file(a, b)) {
		printf("# cannot copy %s to %s\n", a, b);
		return false;
	}
	return true;
}

/* A new symbolizer with debug root @root (NULL: the default) and @exe started as @t. */
static struct ks_syms *start_with(int line, const char *exe, const char *root, struct target *t)
{
	struct ks_syms *s = ks_syms_new();

	if (root)
		ks_syms_set_debug_root(s, root);
	if (!target_start(exe, t)) {
		kt_fail(line, "cannot start %s (make unit-bins builds it)", exe);
		target_end(t);
		ks_syms_free(s);
		return NULL;
	}
	return s;
}

#define START_WITH(exe, root, t) start_with(__LINE__, exe, root, t)

static void end_with(struct ks_syms *s, struct target *t)
{
	target_end(t);
	ks_syms_free(s);
}

/* ------------------------------------------------------------------------------------ */

/* Everything a learnt target must resolve to; @symfile: where its symbols must come from. */
static void check_target(struct ks_syms *s, struct target *t, const char *variant,
			 const char *symfile, u64 alpha_vaddr)
{
	char lib[PATH_MAX + 16], mod[64], buf[64];
	struct ks_sym sym;

	snprintf(lib, sizeof(lib), "%s/libsymlib.so", symdir);
	snprintf(mod, sizeof(mod), "symtarget-%s", variant);
	CHECK_USER(s, t->pid, t->alpha, KS_FRAME_USER, "sym_alpha", mod, t->exe, 0);
	CHECK_USER(s, t->pid, t->alpha + 5, KS_FRAME_USER, "sym_alpha", mod, t->exe, 5);
	CHECK_USER(s, t->pid, t->beta, KS_FRAME_USER, "sym_beta", mod, t->exe, 0);
	CHECK_USER(s, t->pid, t->gamma, KS_FRAME_USER, "lib_gamma", "libsymlib.so", lib, 0);
	CHECK_USER(s, t->pid, t->gamma + 5, KS_FRAME_USER, "lib_gamma", "libsymlib.so", lib, 5);
	/* anonymous executable memory without a perf map; an address in no mapping */
	CHECK_USER(s, t->pid, t->jit + 8, KS_FRAME_UNKNOWN, NULL, NULL, NULL, 0);
	CHECK_USER(s, t->pid, 0x1000, KS_FRAME_UNKNOWN, NULL, NULL, NULL, 0);

	ks_syms_user(s, t->pid, t->alpha + 3, &sym);
	CHECK_UINT(sym.elf_addr, alpha_vaddr + 3);
	CHECK(alpha_vaddr, "no sym_alpha in %s", symfile);
	ks_sym_folded(&sym, buf, sizeof(buf));
	CHECK_STR(buf, "sym_alpha");
	CHECK(ends_with(ks_syms_user_file(s, t->pid, t->alpha), symfile),
	      "sym_alpha's symbols came from %s, expected %s",
	      SHOW(ks_syms_user_file(s, t->pid, t->alpha)), symfile);

	/* libc through .dynsym (or a debug file if one is installed): a weak symbol */
	ks_syms_user(s, t->pid, t->getppid, &sym);
	CHECK(sym.kind == KS_FRAME_USER &&
		      (streq(sym.name, "getppid") || streq(sym.name, "__getppid")),
	      "libc's getppid resolved to %s (kind %d)", SHOW(sym.name), sym.kind);
	CHECK(sym.module && !strncmp(sym.module, "libc.so", 7), "libc's module is %s",
	      SHOW(sym.module));
}

/*
 * One variant: learn it alive, check, make it exit and reap it, check again (what was
 * learnt must be enough). @symfile: the suffix of the file that must serve its symbols.
 */
static void variant_case(const char *variant, const char *symfile, const char *symfile_here)
{
	char exe[PATH_MAX + 32], root[PATH_MAX + 16];
	struct ks_syms *s;
	struct target t;
	u64 vaddr = elf_sym_value(symfile_here, "sym_alpha");

	snprintf(exe, sizeof(exe), "%s/symtarget-%s", symdir, variant);
	snprintf(root, sizeof(root), "%s/debugroot", symdir);
	s = START_WITH(exe, root, &t);
	if (!s)
		return;
	CHECK_INT(ks_syms_learn(s, t.pid), 0);
	CHECK_INT(ks_syms_learn(s, t.pid), 0); /* known and unchanged */
	check_target(s, &t, variant, symfile, vaddr);
	target_end(&t);
	CHECK(kill(t.pid, 0) && errno == ESRCH, "pid %d still exists after it was reaped", t.pid);
	CHECK_INT(ks_syms_learn(s, t.pid), 0); /* gone, but known */
	check_target(s, &t, variant, symfile, vaddr);
	ks_syms_free(s);
}

static void test_nopie(void)
{
	char exe[PATH_MAX + 32];
	struct target t;

	snprintf(exe, sizeof(exe), "%s/symtarget-nopie", symdir);
	variant_case("nopie", "/symtarget-nopie", exe);
	/* non-PIE: the ELF address is the runtime address */
	if (target_start(exe, &t))
		CHECK_UINT(elf_sym_value(exe, "sym_alpha"), t.alpha);
	target_end(&t);
}

static void test_pie(void)
{
	char exe[PATH_MAX + 32];

	snprintf(exe, sizeof(exe), "%s/symtarget-pie", symdir);
	variant_case("pie", "/symtarget-pie", exe);
}

static void test_buildid(void)
{
	char exe[PATH_MAX + 32], dbg[PATH_MAX + 64], cmd[PATH_MAX + 128], suffix[PATH_MAX];
	FILE *f;

	snprintf(exe, sizeof(exe), "%s/symtarget-bid", symdir);
	CHECK(!file_has(exe, "sym_alpha"), "%s is not stripped: it has sym_alpha", exe);
	/* the debug file the build put under the test debug root */
	snprintf(cmd, sizeof(cmd), "find '%s/debugroot/.build-id' -name '*.debug'", symdir);
	f = popen(cmd, "r");
	dbg[0] = '\0';
	if (f && fgets(dbg, sizeof(dbg), f))
		dbg[strcspn(dbg, "\n")] = '\0';
	if (f)
		pclose(f);
	CHECK(dbg[0], "no build-id debug file under %s/debugroot", symdir);
	snprintf(suffix, sizeof(suffix), "%s", dbg + strlen(symdir));
	variant_case("bid", suffix, dbg);
}

static void test_debuglink(void)
{
	char exe[PATH_MAX + 32], dbg[PATH_MAX + 64];

	snprintf(exe, sizeof(exe), "%s/symtarget-dlink", symdir);
	snprintf(dbg, sizeof(dbg), "%s/.debug/symtarget-dlink.debug", symdir);
	CHECK(!file_has(exe, "sym_alpha"), "%s is not stripped: it has sym_alpha", exe);
	variant_case("dlink", "/.debug/symtarget-dlink.debug", dbg);
}

/* Without its debug file a stripped binary's functions are unknown, in that binary. */
static void test_stripped_without_debug(void)
{
	char exe[PATH_MAX + 32], lib[PATH_MAX + 32], empty[PATH_MAX];
	struct ks_syms *s;
	struct target t;

	snprintf(exe, sizeof(exe), "%s/symtarget-bid", symdir);
	snprintf(lib, sizeof(lib), "%s/libsymlib.so", symdir);
	if (!exec_tmpdir(empty, sizeof(empty))) {
		kt_fail(__LINE__, "no temporary directory");
		return;
	}
	s = START_WITH(exe, empty, &t);
	if (s) {
		CHECK_INT(ks_syms_learn(s, t.pid), 0);
		CHECK_USER(s, t.pid, t.alpha, KS_FRAME_UNKNOWN, NULL, "symtarget-bid", t.exe, 0);
		CHECK_USER(s, t.pid, t.gamma, KS_FRAME_USER, "lib_gamma", "libsymlib.so", lib, 0);
		end_with(s, &t);
	}
	rm_tree(empty);
}

/* .gnu_debuglink: a file of that name with another CRC is not used; the debug root is. */
static void test_debuglink_crc(void)
{
	char dir[PATH_MAX], exe[PATH_MAX + 32], root[PATH_MAX + 16], sub[PATH_MAX * 2];
	struct ks_syms *s;
	struct target t;
	const char *used;

	if (!exec_tmpdir(dir, sizeof(dir))) {
		kt_fail(__LINE__, "no temporary directory");
		return;
	}
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(exe, sizeof(exe), "%s/symtarget-dlink", dir);
	snprintf(sub, sizeof(sub), "%s/.debug", dir);
	mkdir(sub, 0755);
	/* the right name, the wrong file (the pie variant's binary: another CRC) */
	CHECK(copy_in(dir, "symtarget-dlink", "symtarget-dlink") &&
		      copy_in(dir, "libsymlib.so", "libsymlib.so") &&
		      copy_in(dir, "symtarget-pie", ".debug/symtarget-dlink.debug"),
	      "cannot copy the test programs to %s", dir);
	s = START_WITH(exe, root, &t);
	if (s) {
		CHECK_INT(ks_syms_learn(s, t.pid), 0);
		CHECK_USER(s, t.pid, t.alpha, KS_FRAME_UNKNOWN, NULL, "symtarget-dlink", t.exe, 0);
		used = ks_syms_user_file(s, t.pid, t.alpha);
		CHECK(!used, "symbols of %s came from %s (wrong CRC)", exe, used);
		end_with(s, &t);
	}

	/* the right file under DEBUGROOT/<dir of the binary>/ */
	CHECK(snprintf(sub, sizeof(sub), "mkdir -p '%s%s'", root, dir) < (int)sizeof(sub) &&
		      !system(sub),
	      "%s failed", sub);
	snprintf(sub, sizeof(sub), "root%s/symtarget-dlink.debug", dir);
	CHECK(copy_in(dir, ".debug/symtarget-dlink.debug", sub), "cannot copy the debug file");
	s = START_WITH(exe, root, &t);
	if (s) {
		CHECK_USER(s, t.pid, t.alpha, KS_FRAME_USER, "sym_alpha", "symtarget-dlink", t.exe,
			   0);
		used = ks_syms_user_file(s, t.pid, t.alpha);
		CHECK(used && !strncmp(used, root, strlen(root)),
		      "symbols came from %s, not from %s", SHOW(used), root);
		end_with(s, &t);
	}
	rm_tree(dir);
}

/* A binary deleted while it runs: "(deleted)" in maps, found through /proc/PID. */
static void test_deleted(void)
{
	char dir[PATH_MAX], exe[PATH_MAX + 32], real[PATH_MAX];
	struct ks_syms *s;
	struct target t;

	if (!exec_tmpdir(dir, sizeof(dir))) {
		kt_fail(__LINE__, "no temporary directory");
		return;
	}
	snprintf(exe, sizeof(exe), "%s/symtarget-pie", dir);
	CHECK(copy_in(dir, "symtarget-pie", "symtarget-pie") &&
		      copy_in(dir, "libsymlib.so", "libsymlib.so"),
	      "cannot copy the test programs to %s", dir);
	s = START_WITH(exe, NULL, &t);
	if (s) {
		snprintf(real, sizeof(real), "%s", t.exe);
		CHECK(!unlink(exe), "cannot remove %s", exe);
		CHECK_INT(ks_syms_learn(s, t.pid), 0);
		CHECK_USER(s, t.pid, t.alpha + 1, KS_FRAME_USER, "sym_alpha", "symtarget-pie", real,
			   1);
		target_end(&t);
		CHECK_USER(s, t.pid, t.alpha + 1, KS_FRAME_USER, "sym_alpha", "symtarget-pie", real,
			   1);
		ks_syms_free(s);
	}
	rm_tree(dir);
}

/* A perf map written after the learn: found on the first miss, kept after the exit. */
static void test_jit(void)
{
	char exe[PATH_MAX + 32], map[64], buf[128];
	struct ks_syms *s;
	struct target t;
	struct ks_sym sym;
	FILE *f;

	snprintf(exe, sizeof(exe), "%s/symtarget-pie", symdir);
	s = START_WITH(exe, NULL, &t);
	if (!s)
		return;
	CHECK_INT(ks_syms_learn(s, t.pid), 0);
	snprintf(map, sizeof(map), "/tmp/perf-%d.map", t.pid);
	f = fopen(map, "w");
	CHECK(f, "cannot write %s: %s", map, strerror(errno));
	if (f) {
		/* the same start twice: the later line wins */
		fprintf(f, "%llx 40 jit_old\n", t.jit);
		fprintf(f, "%llx 20 Interpreted LFoo;.bar(I)V\n", t.jit + 0x100);
		fprintf(f, "%llx 40 jit_one\n", t.jit);
		fclose(f);
	}
	CHECK_USER(s, t.pid, t.jit + 0x10, KS_FRAME_JIT, "jit_one", NULL, NULL, 0x10);
	CHECK_USER(s, t.pid, t.jit + 0x104, KS_FRAME_JIT, "Interpreted LFoo;.bar(I)V", NULL, NULL,
		   4);
	CHECK_USER(s, t.pid, t.jit + 0x800, KS_FRAME_UNKNOWN, NULL, NULL, NULL, 0);
	ks_syms_user(s, t.pid, t.jit + 0x104, &sym);
	ks_sym_folded(&sym, buf, sizeof(buf));
	CHECK_STR(buf, "Interpreted LFoo_.bar(I)V_[j]");
	/* ELF symbols still win where they are */
	CHECK_USER(s, t.pid, t.alpha, KS_FRAME_USER, "sym_alpha", "symtarget-pie", t.exe, 0);
	target_end(&t);
	unlink(map);
	CHECK_USER(s, t.pid, t.jit + 0x10, KS_FRAME_JIT, "jit_one", NULL, NULL, 0x10);
	ks_syms_free(s);
}

/* The vDSO of a target through our own copy of it: clock_gettime is in it on x86 and arm64. */
static void test_vdso(void)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	u64 value = 0, start = 0, end;
	char exe[PATH_MAX + 32], line[512], path[64];
	struct ks_syms *s;
	struct target t;
	struct ks_sym sym;
	FILE *f;

	/* its symbol from our vDSO's own .dynsym (mapped at offset 0 = vaddr 0) */
	if (base) {
		Elf *elf;

		elf_version(EV_CURRENT);
		elf = elf_memory((char *)base, 8192);
		value = elf_find(elf, SHT_DYNSYM, "__vdso_clock_gettime", "__kernel_clock_gettime");
		elf_end(elf);
	}
	if (!value) {
		KT_SKIP("no vDSO with a clock_gettime symbol in this process");
		return;
	}
	snprintf(exe, sizeof(exe), "%s/symtarget-pie", symdir);
	s = START_WITH(exe, NULL, &t);
	if (!s)
		return;
	snprintf(path, sizeof(path), "/proc/%d/maps", t.pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") && sscanf(line, "%llx-%llx", &start, &end) == 2)
			break;
	if (f)
		fclose(f);
	CHECK(start, "no [vdso] in %s", path);
	CHECK_INT(ks_syms_learn(s, t.pid), 0);
	ks_syms_user(s, t.pid, start + value + 1, &sym);
	CHECK(sym.kind == KS_FRAME_USER && sym.offset == 1 && sym.name &&
		      strstr(sym.name, "clock_gettime") && streq(sym.module, "[vdso]") &&
		      streq(sym.path, "[vdso]"),
	      "vdso clock_gettime+1 resolved to %s+%llu in %s (kind %d)", SHOW(sym.name),
	      sym.offset, SHOW(sym.module), sym.kind);
	end_with(s, &t);
}

/* A learnt process that execs: the same pid and start time, another binary. */
static void test_exec(void)
{
	struct ks_syms *s = ks_syms_new();
	char exe[PATH_MAX + 32], line[64];
	struct target t;

	snprintf(exe, sizeof(exe), "%s/symtarget-pie", symdir);
	if (!target_spawn(exe, &t, true)) {
		kt_fail(__LINE__, "cannot start a shell for %s", exe);
		goto out;
	}
	/* the shell runs and waits: learn it, then let it exec the target */
	CHECK(fgets(line, sizeof(line), t.out) && !strcmp(line, "started\n"),
	      "the shell did not start");
	CHECK_INT(ks_syms_learn(s, t.pid), 0);
	CHECK(write(t.in, "\n", 1) == 1 && target_read(&t), "%s did not start", exe);
	CHECK_INT(ks_syms_learn(s, t.pid), 0);
	CHECK_USER(s, t.pid, t.alpha, KS_FRAME_USER, "sym_alpha", "symtarget-pie", t.exe, 0);
out:
	target_end(&t);
	ks_syms_free(s);
}

/* Pids never learnt, gone, unreadable or forgotten: unknown, never a crash. */
static void test_unknown_pid(void)
{
	struct ks_syms *s = ks_syms_new();
	char exe[PATH_MAX + 32];
	struct target t;
	struct ks_sym sym;
	pid_t pid = fork();
	int rc;

	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	CHECK_USER(s, pid, 0x401000, KS_FRAME_UNKNOWN, NULL, NULL, NULL, 0);
	CHECK_INT(ks_syms_learn(s, pid), -ESRCH);
	CHECK_INT(ks_syms_learn(s, 0), -ESRCH);
	CHECK_INT(ks_syms_learn(s, -7), -ESRCH);
	CHECK_USER(s, -7, 0x401000, KS_FRAME_UNKNOWN, NULL, NULL, NULL, 0);
	/* pid 1: unreadable here (even as root); whatever it is, resolution must not crash */
	rc = ks_syms_learn(s, 1);
	CHECK(rc == 0 || rc == -EACCES || rc == -EPERM, "learn(1) returned %d", rc);
	rc = ks_syms_user(s, 1, 0x401000, &sym);
	CHECK(rc == 0 || rc == -ENOENT, "user(1) returned %d", rc);
	if (rc)
		CHECK(sym.kind == KS_FRAME_UNKNOWN && !sym.name, "pid 1: kind %d", sym.kind);
	ks_syms_forget(s, 12345678);
	ks_syms_forget(s, pid);

	/* forgotten before its exit: nothing is left to resolve it with */
	snprintf(exe, sizeof(exe), "%s/symtarget-pie", symdir);
	if (target_start(exe, &t)) {
		CHECK_INT(ks_syms_learn(s, t.pid), 0);
		ks_syms_forget(s, t.pid);
		target_end(&t);
		CHECK_USER(s, t.pid, t.alpha, KS_FRAME_UNKNOWN, NULL, NULL, NULL, 0);
	} else {
		kt_fail(__LINE__, "cannot start %s", exe);
		target_end(&t);
	}
	ks_syms_free(s);
	ks_syms_free(NULL);
}

/*
 * The address of the first text symbol in /proc/kallsyms named @want (0: none, or hidden);
 * with @want NULL, of the first one of a module, whose names go to @name and @mod.
 */
static u64 kallsyms_find(const char *want, char *name, char *mod)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], n[256], m[128];
	u64 found = 0;

	while (f && !found && fgets(line, sizeof(line), f)) {
		int k;
		char type;
		u64 a;

		k = sscanf(line, "%llx %c %255s [%127[^]]]", &a, &type, n, m);
		if (k < 3 || !strchr("tTwW", type) || !a)
			continue;
		if (want ? k == 3 && !strcmp(n, want) : k == 4) {
			found = a;
			if (!want) {
				strcpy(name, n);
				strcpy(mod, m);
			}
		}
	}
	if (f)
		fclose(f);
	return found;
}

static void test_kernel(void)
{
	struct ks_syms *s = ks_syms_new();
	char buf[128], mod[128], mname[256] = "";
	struct ks_sym sym;
	int rc = ks_syms_kernel_refresh(s);
	u64 a, etext;

	if (rc == -EPERM) {
		/* hidden addresses: every kernel address is unknown, and says so */
		CHECK_INT(ks_syms_kernel(s, 0xffffffff81000000ULL, &sym), -ENOENT);
		CHECK(sym.kind == KS_FRAME_KERNEL && !sym.name, "kind %d", sym.kind);
		ks_sym_folded(&sym, buf, sizeof(buf));
		CHECK_STR(buf, "[unknown]_[k]");
		ks_syms_free(s);
		KT_SKIP("/proc/kallsyms shows zero addresses (not root, uid %d): only the "
			"unknown-address path was checked",
			(int)getuid());
		return;
	}
	CHECK_INT(rc, 0);
	a = kallsyms_find("schedule", NULL, NULL);
	if (!a) {
		ks_syms_free(s);
		KT_SKIP("no 'schedule' text symbol in /proc/kallsyms");
		return;
	}
	CHECK_INT(ks_syms_kernel(s, a, &sym), 0);
	CHECK(streq(sym.name, "schedule") && !sym.module && sym.kind == KS_FRAME_KERNEL &&
		      sym.offset == 0 && !sym.path,
	      "schedule at %#llx resolved to %s [%s] +%llu", a, SHOW(sym.name), SHOW(sym.module),
	      sym.offset);
	CHECK_INT(ks_syms_kernel(s, a + 4, &sym), 0);
	CHECK(streq(sym.name, "schedule") && sym.offset == 4, "schedule+4 is %s+%llu",
	      SHOW(sym.name), sym.offset);
	ks_sym_folded(&sym, buf, sizeof(buf));
	CHECK_STR(buf, "schedule_[k]");
	/* an unchanged kallsyms keeps the table: names stay where they were */
	CHECK_INT(ks_syms_kernel_refresh(s), 0);
	CHECK_INT(ks_syms_kernel(s, a, &sym), 0);
	CHECK_STR(SHOW(sym.name), "schedule");
	/* below everything; right after the end of the kernel's text */
	CHECK_INT(ks_syms_kernel(s, 0x10, &sym), -ENOENT);
	CHECK(!sym.name && sym.kind == KS_FRAME_KERNEL, "0x10 resolved to %s", SHOW(sym.name));
	etext = kallsyms_find("_etext", NULL, NULL);
	if (etext) {
		CHECK_INT(ks_syms_kernel(s, etext + 1, &sym), -ENOENT);
		CHECK_INT(ks_syms_kernel(s, etext - 1, &sym), 0);
	}
	/* a module's (ftrace trampolines, BPF programs...) when kallsyms lists one */
	a = kallsyms_find(NULL, mname, mod);
	if (a) {
		CHECK_INT(ks_syms_kernel(s, a, &sym), 0);
		CHECK(streq(sym.module, mod) && sym.offset == 0, "%s [%s] resolved to %s [%s]",
		      mname, mod, SHOW(sym.name), SHOW(sym.module));
	} else {
		printf("# no module symbols in /proc/kallsyms: module names not checked\n");
	}
	ks_syms_free(s);
}

/* ------------------------------------------------------------------------------------ */
/* a synthetic ELF file: aliases, zero sizes, nesting, odd names, ignored kinds, 200k syms */

#define VBASE 0x400000ULL
#define NMANY 200000

struct sdef {
	const char *name;
	u64 off;
	u64 size;
	unsigned char bind, type;
};

static const struct sdef sdefs[] = {
	{ "a_local", 0x1000, 0x40, STB_LOCAL, STT_FUNC },
	{ "zeta_global", 0x1000, 0x40, STB_GLOBAL, STT_FUNC },
	{ "beta_global", 0x1000, 0x40, STB_GLOBAL, STT_FUNC },
	{ "b_weak", 0x1000, 0x40, STB_WEAK, STT_FUNC },
	{ "zero_size", 0x1100, 0, STB_GLOBAL, STT_FUNC },
	{ "after_zero", 0x1200, 0x10, STB_GLOBAL, STT_FUNC },
	{ "_ZN2ns5Klass6methodEv", 0x1300, 0x20, STB_GLOBAL, STT_FUNC },
	{ "odd;name\nx", 0x1400, 0x10, STB_LOCAL, STT_FUNC },
	{ "data_obj", 0x1500, 0x10, STB_GLOBAL, STT_OBJECT },
	{ "notype_label", 0x1600, 0x10, STB_GLOBAL, STT_NOTYPE },
	{ "outer", 0x1700, 0x100, STB_GLOBAL, STT_FUNC },
	{ "inner", 0x1710, 0x10, STB_LOCAL, STT_FUNC },
	{ "ifunc_sym", 0x1900, 0x10, STB_GLOBAL, STT_GNU_IFUNC },
};

/* An ET_DYN file: one PT_LOAD (offset 0 at VBASE), .text at 0x1000, .symtab, .strtab. */
static bool write_elf(const char *path, u64 *text_end)
{
	const u64 many_off = 0x10000, text_size = many_off + NMANY * 16ULL - 0x1000;
	const u64 nsyms = 2 + KS_ARRAY_SIZE(sdefs) + NMANY; /* null, undef, defs, many */
	const char shstr[] = "\0.text\0.symtab\0.strtab\0.shstrtab";
	u64 symoff = 0x1000 + text_size, stroff = symoff + nsyms * sizeof(Elf64_Sym), o;
	Elf64_Sym *syms = calloc(nsyms, sizeof(*syms));
	char *strs = malloc(NMANY * 8 + 4096);
	size_t sl = 1, k = 1;
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	Elf64_Shdr sh[5] = { 0 };
	bool ok;
	int fd;

	if (!syms || !strs)
		return false;
	strs[0] = '\0';
#define ADDSTR(s) (memcpy(strs + sl, s, strlen(s) + 1), sl += strlen(s) + 1, sl - strlen(s) - 1)
	syms[k].st_name = (Elf64_Word)ADDSTR("undef_fn");
	syms[k++].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC); /* SHN_UNDEF */
	for (size_t i = 0; i < KS_ARRAY_SIZE(sdefs); i++, k++) {
		syms[k].st_name = (Elf64_Word)ADDSTR(sdefs[i].name);
		syms[k].st_info = ELF64_ST_INFO(sdefs[i].bind, sdefs[i].type);
		syms[k].st_shndx = 1;
		syms[k].st_value = VBASE + sdefs[i].off;
		syms[k].st_size = sdefs[i].size;
	}
	for (unsigned int i = 0; i < NMANY; i++, k++) {
		char n[16];

		snprintf(n, sizeof(n), "f%06u", i);
		syms[k].st_name = (Elf64_Word)ADDSTR(n);
		syms[k].st_info = ELF64_ST_INFO(STB_LOCAL, STT_FUNC);
		syms[k].st_shndx = 1;
		syms[k].st_value = VBASE + many_off + (u64)i * 16;
		syms[k].st_size = 16;
	}
#undef ADDSTR
	o = stroff + sl;
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 5;
	eh.e_shstrndx = 4;
	eh.e_shoff = (o + sizeof(shstr) + 7) & ~7ULL;
	ph.p_type = PT_LOAD;
	ph.p_flags = PF_R | PF_X;
	ph.p_vaddr = VBASE;
	ph.p_filesz = ph.p_memsz = 0x1000 + text_size;
	ph.p_align = 0x1000;
	sh[1] = (Elf64_Shdr){ 1,
			      SHT_PROGBITS,
			      SHF_ALLOC | SHF_EXECINSTR,
			      VBASE + 0x1000,
			      0x1000,
			      text_size,
			      0,
			      0,
			      16,
			      0 };
	sh[2] = (Elf64_Shdr){ 7, SHT_SYMTAB,	   0, 0, symoff, nsyms * sizeof(Elf64_Sym), 3, 1,
			      8, sizeof(Elf64_Sym) };
	sh[3] = (Elf64_Shdr){ 15, SHT_STRTAB, 0, 0, stroff, sl, 0, 0, 1, 0 };
	sh[4] = (Elf64_Shdr){ 23, SHT_STRTAB, 0, 0, o, sizeof(shstr), 0, 0, 1, 0 };
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ok = fd >= 0 && pwrite(fd, &eh, sizeof(eh), 0) == sizeof(eh) &&
	     pwrite(fd, &ph, sizeof(ph), sizeof(eh)) == sizeof(ph) &&
	     pwrite(fd, syms, nsyms * sizeof(*syms), (off_t)symoff) ==
		     (ssize_t)(nsyms * sizeof(*syms)) &&
	     pwrite(fd, strs, sl, (off_t)stroff) == (ssize_t)sl &&
	     pwrite(fd, shstr, sizeof(shstr), (off_t)o) == sizeof(shstr) &&
	     pwrite(fd, sh, sizeof(sh), (off_t)eh.e_shoff) == sizeof(sh);
	if (fd >= 0)
		close(fd);
	free(syms);
	free(strs);
	*text_end = 0x1000 + text_size;
	return ok;
}

static void test_synthetic_elf(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], buf[64];
	struct ks_syms *s = ks_syms_new();
	u64 text_end = 0, b, b2;
	struct ks_sym sym;
	int fd, pid = getpid();
	char *m = MAP_FAILED, *m2 = MAP_FAILED;

	if (!exec_tmpdir(dir, sizeof(dir))) {
		kt_fail(__LINE__, "no temporary directory");
		return;
	}
	snprintf(path, sizeof(path), "%s/synth.so", dir);
	CHECK(write_elf(path, &text_end), "cannot write %s", path);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		m = mmap(NULL, text_end, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		/* the same file from file offset 0x10000 on: another map start and pgoff */
		m2 = mmap(NULL, text_end - 0x10000, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd,
			  0x10000);
		close(fd);
	}
	if (m == MAP_FAILED || m2 == MAP_FAILED) {
		kt_fail(__LINE__, "cannot map %s: %s", path, strerror(errno));
		goto out;
	}
	b = (u64)(uintptr_t)m - VBASE;		   /* runtime address of vaddr v: b + v */
	b2 = (u64)(uintptr_t)m2 - 0x10000 - VBASE; /* the same, in the second mapping */
	CHECK_INT(ks_syms_learn(s, pid), 0);
	CHECK_USER(s, pid, b + VBASE + 0x1000, KS_FRAME_USER, "beta_global", "synth.so", path, 0);
	CHECK_USER(s, pid, b + VBASE + 0x103f, KS_FRAME_USER, "beta_global", "synth.so", path,
		   0x3f);
	CHECK_USER(s, pid, b + VBASE + 0x1040, KS_FRAME_UNKNOWN, NULL, "synth.so", path, 0);
	CHECK_USER(s, pid, b + VBASE + 0x11ff, KS_FRAME_USER, "zero_size", "synth.so", path, 0xff);
	CHECK_USER(s, pid, b + VBASE + 0x1200, KS_FRAME_USER, "after_zero", "synth.so", path, 0);
	CHECK_USER(s, pid, b + VBASE + 0x1250, KS_FRAME_UNKNOWN, NULL, "synth.so", path, 0);
	CHECK_USER(s, pid, b + VBASE + 0x1301, KS_FRAME_USER, "_ZN2ns5Klass6methodEv", "synth.so",
		   path, 1);
	CHECK_USER(s, pid, b + VBASE + 0x1508, KS_FRAME_UNKNOWN, NULL, "synth.so", path, 0);
	CHECK_USER(s, pid, b + VBASE + 0x1608, KS_FRAME_UNKNOWN, NULL, "synth.so", path, 0);
	CHECK_USER(s, pid, b + VBASE + 0x1715, KS_FRAME_USER, "inner", "synth.so", path, 5);
	CHECK_USER(s, pid, b + VBASE + 0x1750, KS_FRAME_USER, "outer", "synth.so", path, 0x50);
	CHECK_USER(s, pid, b + VBASE + 0x1900, KS_FRAME_USER, "ifunc_sym", "synth.so", path, 0);
	CHECK_USER(s, pid, b + VBASE + 0x10000, KS_FRAME_USER, "f000000", "synth.so", path, 0);
	CHECK_USER(s, pid, b + VBASE + 0x10000 + 123456 * 16 + 7, KS_FRAME_USER, "f123456",
		   "synth.so", path, 7);
	CHECK_USER(s, pid, b + VBASE + 0x10000 + (NMANY - 1) * 16 + 15, KS_FRAME_USER, "f199999",
		   "synth.so", path, 15);
	CHECK_USER(s, pid, b2 + VBASE + 0x10000 + 123456 * 16 + 7, KS_FRAME_USER, "f123456",
		   "synth.so", path, 7);
	ks_syms_user(s, pid, b2 + VBASE + 0x10010, &sym);
	CHECK_UINT(sym.elf_addr, VBASE + 0x10010);
	ks_syms_user(s, pid, b + VBASE + 0x1404, &sym);
	CHECK_STR(SHOW(sym.name), "odd;name\nx");
	ks_sym_folded(&sym, buf, sizeof(buf));
	CHECK_STR(buf, "odd_name\\nx");
	/* this test's own static function, in its own (PIE) binary */
	ks_syms_user(s, pid, (u64)(uintptr_t)test_synthetic_elf + 2, &sym);
	CHECK(streq(sym.name, "test_synthetic_elf") && sym.offset == 2 && sym.kind == KS_FRAME_USER,
	      "own function resolved to %s+%llu", SHOW(sym.name), sym.offset);
out:
	if (m != MAP_FAILED)
		munmap(m, text_end);
	if (m2 != MAP_FAILED)
		munmap(m2, text_end - 0x10000);
	ks_syms_free(s);
	rm_tree(dir);
}

/* ------------------------------------------------------------------------------------ */

static void check_folded(int line, struct ks_sym sym, const char *want)
{
	char buf[128];
	int n = ks_sym_folded(&sym, buf, sizeof(buf));

	kt_check_mem(line, "folded", buf, strlen(buf), want);
	if (n != (int)strlen(want))
		kt_fail(line, "ks_sym_folded returned %d for \"%s\"", n, want);
}

#define CHECK_FOLDED(want, ...) check_folded(__LINE__, (struct ks_sym){ __VA_ARGS__ }, want)

static void test_folded(void)
{
	struct ks_sym k = { .name = "schedule", .kind = KS_FRAME_KERNEL };
	char small[5] = "xxxx";

	CHECK_FOLDED("foo", .name = "foo", .module = "libc.so.6", .kind = KS_FRAME_USER);
	CHECK_FOLDED("schedule_[k]", .name = "schedule", .kind = KS_FRAME_KERNEL);
	CHECK_FOLDED("ext4_file_write_iter [ext4]_[k]", .name = "ext4_file_write_iter",
		     .module = "ext4", .kind = KS_FRAME_KERNEL);
	CHECK_FOLDED("bpf_prog_0123_handler [bpf]_[k]", .name = "bpf_prog_0123_handler",
		     .module = "bpf", .kind = KS_FRAME_KERNEL);
	CHECK_FOLDED("[unknown]_[k]", .kind = KS_FRAME_KERNEL);
	CHECK_FOLDED("a_b\\nc d_[j]", .name = "a;b\nc d", .kind = KS_FRAME_JIT);
	CHECK_FOLDED("[unknown] (libfoo.so)", .module = "libfoo.so", .path = "/x/libfoo.so",
		     .kind = KS_FRAME_UNKNOWN);
	CHECK_FOLDED("[unknown] ([vdso])", .module = "[vdso]", .kind = KS_FRAME_UNKNOWN);
	CHECK_FOLDED("[unknown] (we_ird)", .module = "we;ird", .kind = KS_FRAME_UNKNOWN);
	CHECK_FOLDED("[unknown]", .kind = KS_FRAME_UNKNOWN);
	/* snprintf semantics */
	CHECK_INT(ks_sym_folded(&k, small, sizeof(small)), 12);
	CHECK_STR(small, "sche");
	CHECK_INT(ks_sym_folded(&k, NULL, 0), 12);
}

static void test_stack_root(void)
{
	const char *yes[] = { "_start",
			      "__libc_start_main",
			      "__libc_start_main@@GLIBC_2.34",
			      "__libc_start_call_main",
			      "start_thread",
			      "clone",
			      "clone3",
			      "__clone",
			      "__clone3",
			      "thread_start",
			      "runtime.goexit.abi0" };
	const char *no[] = { "main", "clone3x", "", "_start_x", "start", "__libc_start" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		CHECK(ks_sym_is_stack_root(yes[i]), "%s is a stack root", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK(!ks_sym_is_stack_root(no[i]), "%s is not a stack root", no[i]);
	CHECK(!ks_sym_is_stack_root(NULL), "NULL is not a stack root");
}

int main(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return 2;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	if (snprintf(symdir, sizeof(symdir), "%s/symtargets", self) >= (int)sizeof(symdir))
		return 2;
	signal(SIGPIPE, SIG_IGN);

	RUN(test_nopie);
	RUN(test_pie);
	RUN(test_buildid);
	RUN(test_debuglink);
	RUN(test_stripped_without_debug);
	RUN(test_debuglink_crc);
	RUN(test_deleted);
	RUN(test_jit);
	RUN(test_vdso);
	RUN(test_exec);
	RUN(test_unknown_pid);
	RUN(test_kernel);
	RUN(test_synthetic_elf);
	RUN(test_folded);
	RUN(test_stack_root);
	return kt_done();
}
