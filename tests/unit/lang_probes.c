// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the language's probe layer; as root also attach counts on the real kernel. */
/*
 * Without arguments: the test cases (the root ones print "skip NAME: ..." otherwise).
 * For tests/tools/lang_probes.sh:
 *   lang_probes expand ATTACH      the names of ATTACH's targets, one per line (exit 2 on
 *                                  an error, with the message on stderr)
 *   lang_probes list [-v] [PATTERN] lang_probe_list's output
 *   lang_probes attach             only the cases that attach BPF programs
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/btf.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include <bpf/bpf.h>

#include "core/btf.h"
#include "core/perf.h"
#include "core/probe.h"
#include "core/tracefs.h"
#include "lang/probes.h"
#include "ktest.h"

typedef unsigned long long u64;

/* ------------------------------------------------------------------------------------ */
/* helpers */

/* An attach point as the parser gives it: fields split at ':' (no quoting here). */
struct ap {
	struct lang_attach a;
	char *parts[8];
	char buf[512];
};

static struct lang_attach *ap_make(struct ap *p, const char *text)
{
	char *s;

	memset(p, 0, sizeof(*p));
	snprintf(p->buf, sizeof(p->buf), "%s", text);
	s = p->buf;
	while (p->a.nparts < 8) {
		p->parts[p->a.nparts++] = s;
		s = strchr(s, ':');
		if (!s)
			break;
		*s++ = '\0';
	}
	p->a.parts = p->parts;
	p->a.raw = (char *)text;
	p->a.pos = (struct lang_pos){ 3, 7, 42 };
	return &p->a;
}

struct exp_res {
	struct lang_target *t;
	size_t n;
	struct lang_diag d;
	int err;
};

static void res_free(struct exp_res *r)
{
	for (size_t i = 0; r->t && i < r->n; i++)
		lang_target_free(&r->t[i]);
	free(r->t);
	memset(r, 0, sizeof(*r));
}

static struct exp_res *expand_pid(struct exp_res *r, const char *text, int pid)
{
	struct ap p;

	res_free(r);
	r->err = lang_probe_expand(ap_make(&p, text), pid, &r->t, &r->n, &r->d);
	return r;
}

static struct exp_res *expand(struct exp_res *r, const char *text)
{
	return expand_pid(r, text, 0);
}

/* The expansion of @text must be one target; returns it (NULL after a failure). */
static const struct lang_target *expand_one(int line, struct exp_res *r, const char *text)
{
	expand(r, text);
	if (r->err || r->n != 1) {
		kt_fail(line, "%s: err %d (%s), %zu targets", text, r->err, r->d.msg, r->n);
		return NULL;
	}
	return &r->t[0];
}
#define EXPAND_ONE(r, text) expand_one(__LINE__, r, text)

/* The expansion of @text must fail with @err and a message containing @msg, positioned. */
static void expand_fails(int line, const char *text, int err, const char *msg)
{
	struct exp_res r = { 0 };

	expand(&r, text);
	if (r.err != err)
		kt_fail(line, "%s: returned %d (%zu targets, '%s'), expected %d", text, r.err, r.n,
			r.d.msg, err);
	else if (!strstr(r.d.msg, msg))
		kt_fail(line, "%s: message '%s' lacks '%s'", text, r.d.msg, msg);
	else if (r.d.pos.line != 3 || r.d.pos.col != 7 || r.d.pos.off != 42)
		kt_fail(line, "%s: message not positioned at the attach point", text);
	res_free(&r);
}
#define EXPAND_FAILS(text, err, msg) expand_fails(__LINE__, text, err, msg)

static const char *output_dir(void)
{
	const char *o = getenv("OUTPUT");

	return o && *o ? o : ".output";
}

static bool helper_path(char *buf, size_t len, const char *rel)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s/%s", output_dir(), rel);
	return realpath(tmp, buf) && (size_t)strlen(buf) < len && !access(buf, X_OK);
}

static bool read_at(const char *path, u64 off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok = fd >= 0 && pread(fd, buf, len, (off_t)off) == (ssize_t)len;

	if (fd >= 0)
		close(fd);
	return ok;
}

/* A running test program (langtarget, symtarget): its pipes and the addresses it printed. */
struct proc {
	pid_t pid;
	int in;
	FILE *out;
	char names[8][64];
	u64 addrs[8];
	int naddrs;
};

static bool proc_start(struct proc *p, const char *exe, const char *arg)
{
	int in[2], out[2];
	char line[256];

	memset(p, 0, sizeof(*p));
	p->pid = -1;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return false;
	p->pid = fork();
	if (p->pid < 0)
		return false;
	if (!p->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(exe, exe, arg, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->in = in[1];
	p->out = fdopen(out[0], "r");
	while (p->out && fgets(line, sizeof(line), p->out)) {
		char name[64];
		u64 v;

		if (!strcmp(line, "ready\n"))
			return true;
		if (p->naddrs < 8 && sscanf(line, "%63s %llx", name, &v) == 2) {
			snprintf(p->names[p->naddrs], sizeof(p->names[0]), "%s", name);
			p->addrs[p->naddrs++] = v;
		}
	}
	return false;
}

static u64 proc_addr(const struct proc *p, const char *name)
{
	for (int i = 0; i < p->naddrs; i++)
		if (!strcmp(p->names[i], name))
			return p->addrs[i];
	return 0;
}

/* Tell langtarget to go and read its "done sema=K" line; K, or -1. */
static long proc_go(struct proc *p)
{
	char line[128];
	long k;

	if (write(p->in, "go\n", 3) != 3)
		return -1;
	while (fgets(line, sizeof(line), p->out))
		if (sscanf(line, "done sema=%ld", &k) == 1)
			return k;
	return -1;
}

static void proc_end(struct proc *p)
{
	if (p->pid <= 0)
		return;
	close(p->in);
	if (p->out)
		fclose(p->out);
	waitpid(p->pid, NULL, 0);
	p->pid = -1;
}

/* The process's memory at @addr equals the file at @off (the uprobe lands on that code). */
static void check_code(int line, const struct proc *p, u64 addr, const char *file, u64 off)
{
	unsigned char mem[32], disk[32];
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", p->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, mem, sizeof(mem), (off_t)addr) != (ssize_t)sizeof(mem)) {
		kt_fail(line, "cannot read %s at 0x%llx: %s", path, addr, strerror(errno));
	} else if (!read_at(file, off, disk, sizeof(disk))) {
		kt_fail(line, "cannot read %s at offset 0x%llx", file, off);
	} else if (memcmp(mem, disk, sizeof(mem))) {
		kt_fail(line, "code at 0x%llx differs from %s at file offset 0x%llx", addr, file,
			off);
	}
	if (fd >= 0)
		close(fd);
}

static char langtarget[PATH_MAX];

static bool have_langtarget(void)
{
	if (helper_path(langtarget, sizeof(langtarget), "tests/helpers/langtarget"))
		return true;
	KT_SKIP("%s/tests/helpers/langtarget not built (make helpers)", output_dir());
	return false;
}

static bool have_tracefs(void)
{
	if (ks_tracefs_path() && !access(ks_tracefs_path(), R_OK | X_OK))
		return true;
	KT_SKIP("tracefs not readable here: %s",
		ks_tracefs_path() ? "needs root" : ks_tracefs_error());
	return false;
}

/* ------------------------------------------------------------------------------------ */
/* provider names */

static void test_ptype_names(void)
{
	static const struct {
		const char *name;
		enum lang_ptype t;
	} ok[] = {
		{ "BEGIN", LP_BEGIN },
		{ "END", LP_END },
		{ "tracepoint", LP_TRACEPOINT },
		{ "t", LP_TRACEPOINT },
		{ "rawtracepoint", LP_RAWTP },
		{ "rt", LP_RAWTP },
		{ "kprobe", LP_KPROBE },
		{ "k", LP_KPROBE },
		{ "kretprobe", LP_KRETPROBE },
		{ "kr", LP_KRETPROBE },
		{ "kfunc", LP_KFUNC },
		{ "f", LP_KFUNC },
		{ "fentry", LP_KFUNC },
		{ "kretfunc", LP_KRETFUNC },
		{ "fr", LP_KRETFUNC },
		{ "fexit", LP_KRETFUNC },
		{ "uprobe", LP_UPROBE },
		{ "u", LP_UPROBE },
		{ "uretprobe", LP_URETPROBE },
		{ "ur", LP_URETPROBE },
		{ "usdt", LP_USDT },
		{ "U", LP_USDT },
		{ "profile", LP_PROFILE },
		{ "p", LP_PROFILE },
		{ "interval", LP_INTERVAL },
		{ "i", LP_INTERVAL },
		{ "software", LP_SOFTWARE },
		{ "s", LP_SOFTWARE },
		{ "hardware", LP_HARDWARE },
		{ "h", LP_HARDWARE },
	};
	static const char *const bad[] = { "",		 "T",	  "u ", "kprobes", "begin",
					   "Tracepoint", "uprob", "x",	"iter",	   "watchpoint" };
	static const char *const longnames[LP_NR] = {
		"BEGIN",     "END",	"tracepoint", "rawtracepoint", "kprobe",
		"kretprobe", "kfunc",	"kretfunc",   "uprobe",	       "uretprobe",
		"usdt",	     "profile", "interval",   "software",      "hardware",
	};
	enum lang_ptype t;

	for (size_t i = 0; i < KS_ARRAY_SIZE(ok); i++) {
		t = LP_NR;
		CHECK(lang_ptype_parse(ok[i].name, &t) == 0 && t == ok[i].t, "'%s' gave %d",
		      ok[i].name, (int)t);
	}
	for (size_t i = 0; i < KS_ARRAY_SIZE(bad); i++)
		CHECK_INT(lang_ptype_parse(bad[i], &t), -EINVAL);
	CHECK_INT(lang_ptype_parse(NULL, &t), -EINVAL);
	for (int i = 0; i < LP_NR; i++)
		CHECK_STR(lang_ptype_name((enum lang_ptype)i), longnames[i]);
	CHECK_STR(lang_ptype_name(LP_NR), "?");
}

static void test_begin_end(void)
{
	struct exp_res r = { 0 };
	const struct lang_target *t = EXPAND_ONE(&r, "BEGIN");

	if (t) {
		CHECK_STR(t->name, "BEGIN");
		CHECK_INT(t->type, LP_BEGIN);
	}
	t = EXPAND_ONE(&r, "END");
	if (t)
		CHECK_STR(t->name, "END");
	res_free(&r);
	EXPAND_FAILS("BEGIN:x", -EINVAL, "BEGIN takes no arguments");
	EXPAND_FAILS("nope:x", -EINVAL, "nope:x: unknown probe type 'nope'");
	EXPAND_FAILS("", -EINVAL, "empty attach point");
}

/* ------------------------------------------------------------------------------------ */
/* profile and interval */

static void test_timers(void)
{
	static const struct {
		const char *text, *name;
		enum lang_ptype type;
		bool freq;
		u64 period;
	} ok[] = {
		{ "profile:hz:99", "profile:hz:99", LP_PROFILE, true, 99 },
		{ "p:hz:1e3", "profile:hz:1e3", LP_PROFILE, true, 1000 },
		{ "p:hz:1_000", "profile:hz:1_000", LP_PROFILE, true, 1000 },
		{ "profile:s:2", "profile:s:2", LP_PROFILE, false, 2000000000ULL },
		{ "profile:ms:10", "profile:ms:10", LP_PROFILE, false, 10000000ULL },
		{ "p:us:100", "profile:us:100", LP_PROFILE, false, 100000ULL },
		{ "interval:s:1", "interval:s:1", LP_INTERVAL, false, 1000000000ULL },
		{ "i:ms:100", "interval:ms:100", LP_INTERVAL, false, 100000000ULL },
		{ "i:us:1", "interval:us:1", LP_INTERVAL, false, 1000ULL },
		{ "interval:hz:10", "interval:hz:10", LP_INTERVAL, false, 100000000ULL },
		{ "interval:hz:3", "interval:hz:3", LP_INTERVAL, false, 333333333ULL },
		{ "interval:s:0x10", "interval:s:0x10", LP_INTERVAL, false, 16000000000ULL },
	};
	struct exp_res r = { 0 };

	for (size_t i = 0; i < KS_ARRAY_SIZE(ok); i++) {
		const struct lang_target *t = EXPAND_ONE(&r, ok[i].text);

		if (!t)
			continue;
		CHECK_STR(t->name, ok[i].name);
		CHECK_INT(t->type, ok[i].type);
		CHECK(t->freq == ok[i].freq, "%s: freq %d", ok[i].text, t->freq);
		CHECK_UINT(t->period, ok[i].period);
	}
	res_free(&r);
	EXPAND_FAILS("profile:x:1", -EINVAL, "profile: expected hz, s, ms or us, found 'x'");
	EXPAND_FAILS("interval:ns:1", -EINVAL, "interval: expected hz, s, ms or us, found 'ns'");
	EXPAND_FAILS("profile:hz:0", -EINVAL, "expected a positive count, found '0'");
	EXPAND_FAILS("profile:hz:abc", -EINVAL, "found 'abc'");
	EXPAND_FAILS("profile:hz:99x", -EINVAL, "found '99x'");
	EXPAND_FAILS("profile:hz", -EINVAL, "profile:hz: expected profile:UNIT:COUNT");
	EXPAND_FAILS("profile:hz:1:2", -EINVAL, "expected profile:UNIT:COUNT");
	EXPAND_FAILS("interval:s:99999999999999999999", -EINVAL, "(too large)");
	EXPAND_FAILS("interval:s:1e30", -EINVAL, "(too large)");
	EXPAND_FAILS("interval:s:18446744074", -EINVAL, "the period is too long");
	EXPAND_FAILS("interval:hz:2000000000", -EINVAL, "at most 1000000000 hz");
	EXPAND_FAILS("profile::99", -EINVAL, "field 1 is empty");
}

/* ------------------------------------------------------------------------------------ */
/* software and hardware events */

static void test_perf_events(void)
{
	static const struct {
		const char *text, *name, *event;
		u64 period;
	} ok[] = {
		{ "software:cs:5", "software:cs:5", "context-switches", 5 },
		{ "s:context-switches", "software:context-switches", "context-switches", 1000 },
		{ "s:faults", "software:faults", "page-faults", 100 },
		{ "software:page-faults:1", "software:page-faults:1", "page-faults", 1 },
		{ "s:cpu", "software:cpu", "cpu-clock", 1000000 },
		{ "s:cpu-clock:", "software:cpu-clock", "cpu-clock", 1000000 },
		{ "s:minor-faults", "software:minor-faults", "minor-faults", 100 },
		{ "s:major-faults", "software:major-faults", "major-faults", 1 },
		{ "s:bpf-output", "software:bpf-output", "bpf-output", 1 },
		{ "hardware:cycles", "hardware:cycles", "cpu-cycles", 1000000 },
		{ "h:cpu-cycles:1e6", "hardware:cpu-cycles:1e6", "cpu-cycles", 1000000 },
		{ "h:branches:1e4", "hardware:branches:1e4", "branch-instructions", 10000 },
		{ "h:branch-misses", "hardware:branch-misses", "branch-misses", 100000 },
		{ "h:cache-misses", "hardware:cache-misses", "cache-misses", 1000000 },
		{ "h:ref-cycles", "hardware:ref-cycles", "ref-cycles", 1000000 },
	};
	struct exp_res r = { 0 };

	for (size_t i = 0; i < KS_ARRAY_SIZE(ok); i++) {
		const struct lang_target *t = EXPAND_ONE(&r, ok[i].text);

		if (!t)
			continue;
		CHECK_STR(t->name, ok[i].name);
		CHECK_STR(t->event, ok[i].event);
		CHECK_UINT(t->period, ok[i].period);
		CHECK(!t->freq, "%s: freq", ok[i].text);
	}
	expand(&r, "software:cpu-*");
	CHECK_INT(r.err, 0);
	CHECK_INT(r.n, 2);
	if (r.n == 2) {
		CHECK_STR(r.t[0].name, "software:cpu-clock");
		CHECK_STR(r.t[1].name, "software:cpu-migrations");
	}
	expand(&r, "h:*");
	CHECK_INT(r.n, 10);
	res_free(&r);
	EXPAND_FAILS("software:nope", -ENOENT,
		     "unknown software event 'nope' (known: alignment-faults, bpf-output, ");
	EXPAND_FAILS("hardware:cpu", -ENOENT, "unknown hardware event 'cpu'");
	EXPAND_FAILS("software:cs:0", -EINVAL, "expected a positive count, found '0'");
	EXPAND_FAILS("software:zz*", -ENOENT, "no software event matches");
	EXPAND_FAILS("software", -EINVAL, "expected software:EVENT[:COUNT]");
}

/* ------------------------------------------------------------------------------------ */
/* USDT argument specs */

static void test_usdt_specs(void)
{
	static const struct {
		const char *spec;
		int size;
		bool sign;
		int kind;
		int reg_off;
		long long val;
	} ok[] = {
		/* seen in this system's binaries (python3, libstdc++, ld.gold, gcc) */
		{ "8@%rdx", 8, false, LANG_USDT_REG, 96, 0 },
		{ "8@%rax", 8, false, LANG_USDT_REG, 80, 0 },
		{ "8@-80(%rbx)", 8, false, LANG_USDT_MEM, 40, -80 },
		{ "8@%rsi", 8, false, LANG_USDT_REG, 104, 0 },
		{ "8@%rdi", 8, false, LANG_USDT_REG, 112, 0 },
		{ "8@%rbp", 8, false, LANG_USDT_REG, 32, 0 },
		{ "8@%r12", 8, false, LANG_USDT_REG, 24, 0 },
		{ "-4@%eax", 4, true, LANG_USDT_REG, 80, 0 },
		{ "-4@%edx", 4, true, LANG_USDT_REG, 96, 0 },
		{ "8@%rbx", 8, false, LANG_USDT_REG, 40, 0 },
		{ "8@%r14", 8, false, LANG_USDT_REG, 8, 0 },
		{ "-4@112(%rsp)", 4, true, LANG_USDT_MEM, 152, 112 },
		{ "-8@%rbx", 8, true, LANG_USDT_REG, 40, 0 },
		{ "8@%r15", 8, false, LANG_USDT_REG, 0, 0 },
		{ "-8@%r12", 8, true, LANG_USDT_REG, 24, 0 },
		{ "-4@%ebp", 4, true, LANG_USDT_REG, 32, 0 },
		/* langtarget's, and what gcc and clang write at other optimisation levels */
		{ "-4@%edi", 4, true, LANG_USDT_REG, 112, 0 },
		{ "-4@$42", 4, true, LANG_USDT_CONST, 0, 42 },
		{ "-4@$-9", 4, true, LANG_USDT_CONST, 0, -9 },
		{ "8@$0x10", 8, false, LANG_USDT_CONST, 0, 16 },
		{ "-4@-1204(%rbp)", 4, true, LANG_USDT_MEM, 32, -1204 },
		{ "8@(%rax)", 8, false, LANG_USDT_MEM, 80, 0 },
		{ "-2@0x10(%rsp)", 2, true, LANG_USDT_MEM, 152, 16 },
		{ "-1@%sil", 1, true, LANG_USDT_REG, 104, 0 },
		{ "1@%dil", 1, false, LANG_USDT_REG, 112, 0 },
		{ "2@%ax", 2, false, LANG_USDT_REG, 80, 0 },
		{ "1@%al", 1, false, LANG_USDT_REG, 80, 0 },
		{ "1@%ah", 1, false, LANG_USDT_REG, 81, 0 },
		{ "-1@%bh", 1, true, LANG_USDT_REG, 41, 0 },
		{ "8@%r8", 8, false, LANG_USDT_REG, 72, 0 },
		{ "4@%r9d", 4, false, LANG_USDT_REG, 64, 0 },
		{ "2@%r10w", 2, false, LANG_USDT_REG, 56, 0 },
		{ "1@%r11b", 1, false, LANG_USDT_REG, 48, 0 },
		{ "-4@%r12d", 4, true, LANG_USDT_REG, 24, 0 },
		{ "8@%r13", 8, false, LANG_USDT_REG, 16, 0 },
		{ "8@%rcx", 8, false, LANG_USDT_REG, 88, 0 },
		{ "4@%ecx", 4, false, LANG_USDT_REG, 88, 0 },
		{ "8@%rsp", 8, false, LANG_USDT_REG, 152, 0 },
		{ "8@8(%rsp)", 8, false, LANG_USDT_MEM, 152, 8 },
		{ "8@-8(%r15)", 8, false, LANG_USDT_MEM, 0, -8 },
	};
	static const struct {
		const char *spec;
		int err;
	} bad[] = {
		{ "", -EINVAL },
		{ "8", -EINVAL },
		{ "8@", -EINVAL },
		{ "@%rax", -EINVAL },
		{ "3@%rax", -EINVAL },
		{ "16@%rax", -EINVAL },
		{ "8@%foo", -EINVAL },
		{ "8@%rax ", -EINVAL },
		{ "8@%raxx", -EINVAL },
		{ "8@$", -EINVAL },
		{ "8@$12z", -EINVAL },
		{ "8@(%rax", -EINVAL },
		{ "8@8(%rax))", -EINVAL },
		{ "8@-(%rax)", -EINVAL },
		{ "8#%rax", -EINVAL },
		{ "--4@%eax", -EINVAL },
		{ "8@-8(%rbp,%rax,8)", -EOPNOTSUPP },
		{ "8@(,%rax,8)", -EINVAL },
		{ "8@foo(%rip)", -EOPNOTSUPP },
		{ "8@foo+8(%rip)", -EOPNOTSUPP },
		{ "8@16(%rip)", -EOPNOTSUPP },
		{ "8@%rip", -EOPNOTSUPP },
		{ "8f@%xmm0", -EOPNOTSUPP },
		{ "8@$sym", -EOPNOTSUPP },
		{ "8@%xmm0", -EINVAL },
	};
	struct lang_usdt_arg a, *v;
	size_t n, badi;

	for (size_t i = 0; i < KS_ARRAY_SIZE(ok); i++) {
		int err = lang_usdt_arg_parse(ok[i].spec, &a);

		CHECK(err == 0, "'%s': %d", ok[i].spec, err);
		if (err)
			continue;
		CHECK(a.size == ok[i].size && a.is_signed == ok[i].sign &&
			      (int)a.kind == ok[i].kind,
		      "'%s': size %d signed %d kind %d", ok[i].spec, a.size, a.is_signed, a.kind);
		if (a.kind != LANG_USDT_CONST)
			CHECK(a.reg_off == ok[i].reg_off, "'%s': reg_off %d, expected %d",
			      ok[i].spec, a.reg_off, ok[i].reg_off);
		if (a.kind != LANG_USDT_REG)
			CHECK(a.val == ok[i].val, "'%s': val %lld, expected %lld", ok[i].spec,
			      (long long)a.val, ok[i].val);
	}
	for (size_t i = 0; i < KS_ARRAY_SIZE(bad); i++)
		CHECK(lang_usdt_arg_parse(bad[i].spec, &a) == bad[i].err, "'%s': %d, expected %d",
		      bad[i].spec, lang_usdt_arg_parse(bad[i].spec, &a), bad[i].err);
	CHECK_INT(lang_usdt_arg_parse(NULL, &a), -EINVAL);

	CHECK_INT(lang_usdt_args_parse("8@%rdi  -4@$5 8@16(%rbp)", &v, &n, &badi), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK(v[0].kind == LANG_USDT_REG && v[0].reg_off == 112, "arg 0");
		CHECK(v[1].kind == LANG_USDT_CONST && v[1].val == 5 && v[1].is_signed, "arg 1");
		CHECK(v[2].kind == LANG_USDT_MEM && v[2].reg_off == 32 && v[2].val == 16, "arg 2");
	}
	free(v);
	CHECK_INT(lang_usdt_args_parse("", &v, &n, &badi), 0);
	CHECK(n == 0 && !v, "no arguments: %zu", n);
	CHECK_INT(lang_usdt_args_parse("8@%rdi 8@(%rax,%rbx,2) 4@%eax", &v, &n, &badi),
		  -EOPNOTSUPP);
	CHECK_INT(badi, 1);
	CHECK(!v && !n, "nothing returned on error");
	CHECK_INT(lang_usdt_args_parse("4@%eax 4@%eax bogus", &v, &n, &badi), -EINVAL);
	CHECK_INT(badi, 2);
}

/* ------------------------------------------------------------------------------------ */
/* tracepoint formats */

static const char fmt_sched_switch[] =
	"name: sched_switch\n"
	"ID: 372\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n"
	"\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n"
	"\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"prev_comm=%s prev_pid=%d\", REC->prev_comm, REC->prev_pid\n";

static const char fmt_mixed[] =
	"name: mixed\nID: 1\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:const char * name;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long args[6];\toffset:24;\tsize:48;\tsigned:0;\n"
	"\tfield:char buf[];\toffset:72;\tsize:0;\tsigned:0;\n"
	"\tfield:__data_loc u64[] addrs;\toffset:72;\tsize:4;\tsigned:0;\n"
	"\tfield:struct file_handle * handle;\toffset:80;\tsize:8;\tsigned:0;\n"
	"\tfield:u8 old;\toffset:88;\tsize:1;\n"
	"\tgarbage line without a field\n"
	"\tfield:int broken\n"
	"\n"
	"print fmt: \"field:int fake;\"\n";

static void check_field(int line, const struct lang_tpfield *f, const char *name, const char *type,
			unsigned int off, unsigned int size, bool sign, bool data_loc,
			unsigned int array)
{
	if (strcmp(f->name, name) || strcmp(f->type, type) || f->off != off || f->size != size ||
	    f->is_signed != sign || f->data_loc != data_loc || f->array != array)
		kt_fail(line,
			"field '%s' '%s' off %u size %u signed %d data_loc %d array %u, "
			"expected '%s' '%s' %u %u %d %d %u",
			f->name, f->type, f->off, f->size, f->is_signed, f->data_loc, f->array,
			name, type, off, size, sign, data_loc, array);
}
#define CHECK_FIELD(f, ...) check_field(__LINE__, f, __VA_ARGS__)

static void test_tp_format_parse(void)
{
	struct lang_tpfield *f;
	size_t n;

	CHECK_INT(lang_tp_format_parse(fmt_sched_switch, &f, &n), 0);
	CHECK_INT(n, 7);
	if (n == 7) {
		CHECK_FIELD(&f[0], "prev_comm", "char[16]", 8, 16, false, false, 16);
		CHECK_FIELD(&f[1], "prev_pid", "pid_t", 24, 4, true, false, 0);
		CHECK_FIELD(&f[2], "prev_prio", "int", 28, 4, true, false, 0);
		CHECK_FIELD(&f[3], "prev_state", "long", 32, 8, true, false, 0);
		CHECK_FIELD(&f[4], "next_comm", "char[16]", 40, 16, false, false, 16);
		CHECK_FIELD(&f[5], "next_pid", "pid_t", 56, 4, true, false, 0);
		CHECK_FIELD(&f[6], "next_prio", "int", 60, 4, true, false, 0);
	}
	free(f);
	CHECK_INT(lang_tp_format_parse(fmt_mixed, &f, &n), 0);
	CHECK_INT(n, 7);
	if (n == 7) {
		CHECK_FIELD(&f[0], "filename", "__data_loc char[]", 8, 4, false, true, 0);
		CHECK_FIELD(&f[1], "name", "const char *", 16, 8, false, false, 0);
		CHECK_FIELD(&f[2], "args", "unsigned long[6]", 24, 48, false, false, 6);
		CHECK_FIELD(&f[3], "buf", "char[]", 72, 0, false, false, 0);
		CHECK_FIELD(&f[4], "addrs", "__data_loc u64[]", 72, 4, false, true, 0);
		CHECK_FIELD(&f[5], "handle", "struct file_handle *", 80, 8, false, false, 0);
		CHECK_FIELD(&f[6], "old", "u8", 88, 1, false, false, 0);
	}
	free(f);
	CHECK_INT(lang_tp_format_parse("", &f, &n), 0);
	CHECK(n == 0, "%zu fields in nothing", n);
	free(f);
	CHECK_INT(lang_tp_format_parse("name: x\nformat:\n\tfield:;\toffset:1;\n\tfield:[];\n"
				       "field:char a[4096",
				       &f, &n),
		  0);
	CHECK(n == 0, "%zu fields in junk", n);
	free(f);
}

static void test_tp_format(void)
{
	struct lang_tpfield *f;
	size_t n, i;

	if (!have_tracefs())
		return;
	CHECK_INT(lang_tp_format("sched", "sched_switch", &f, &n), 0);
	for (i = 0; i < n && strcmp(f[i].name, "next_pid"); i++)
		;
	CHECK(i < n, "no next_pid field in sched:sched_switch");
	if (i < n)
		CHECK(f[i].size == 4 && f[i].is_signed && !f[i].data_loc, "next_pid: size %u",
		      f[i].size);
	for (i = 0; i < n; i++)
		CHECK(strncmp(f[i].name, "common_", 7), "common field %s kept", f[i].name);
	free(f);
	CHECK_INT(lang_tp_format("sched", "no_such_event", &f, &n), -ENOENT);
	CHECK_INT(lang_tp_format("..", "sched_switch", &f, &n), -ENOENT);
}

/* ------------------------------------------------------------------------------------ */
/* kernel names: tracepoints, raw tracepoints, kernel functions */

static void test_tracepoints(void)
{
	struct exp_res r = { 0 };
	const struct lang_target *t;
	char dir[PATH_MAX];
	size_t want = 0;
	DIR *d;

	if (!have_tracefs())
		return;
	t = EXPAND_ONE(&r, "t:sched:sched_switch");
	if (t) {
		CHECK_STR(t->name, "tracepoint:sched:sched_switch");
		CHECK_STR(t->cat, "sched");
		CHECK_STR(t->event, "sched_switch");
		CHECK_INT(t->type, LP_TRACEPOINT);
	}
	/* the same names as the events directory, sorted */
	snprintf(dir, sizeof(dir), "%s/events/syscalls", ks_tracefs_path());
	d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));)
		want += !strncmp(e->d_name, "sys_enter_open", 14);
	if (d)
		closedir(d);
	expand(&r, "tracepoint:syscalls:sys_enter_open*");
	CHECK_INT(r.err, 0);
	CHECK_INT(r.n, want);
	for (size_t i = 0; i < r.n; i++) {
		char p[2 * PATH_MAX];

		snprintf(p, sizeof(p), "%s/%s", dir, r.t[i].event);
		CHECK(!access(p, F_OK), "%s: not in %s", r.t[i].name, dir);
		CHECK(!strncmp(r.t[i].name, "tracepoint:syscalls:sys_enter_open", 34), "%s",
		      r.t[i].name);
		if (i)
			CHECK(strcmp(r.t[i - 1].name, r.t[i].name) < 0, "not sorted: %s, %s",
			      r.t[i - 1].name, r.t[i].name);
	}
	expand(&r, "tracepoint:sched:sched_switc?");
	CHECK(r.n == 1 && !strcmp(r.t[0].name, "tracepoint:sched:sched_switch"), "'?' wildcard");
	expand(&r, "tracepoint:sch*d:sched_[sw]witch");
	CHECK(r.n == 1 && !strcmp(r.t[0].name, "tracepoint:sched:sched_switch"), "[] wildcard");
	res_free(&r);
	EXPAND_FAILS("tracepoint:sched:nope", -ENOENT, "tracepoint:sched:nope: no such tracepoint");
	EXPAND_FAILS("tracepoint:nope*:x*", -ENOENT, "tracepoint:nope*:x*: no tracepoint matches");
	EXPAND_FAILS("tracepoint:sched", -EINVAL, "expected tracepoint:CATEGORY:NAME");
	EXPAND_FAILS("tracepoint:../..:id", -ENOENT, "no such tracepoint");
}

static bool have_btf(void)
{
	if (!ks_btf_check())
		return true;
	KT_SKIP("no kernel BTF at %s", ks_btf_path());
	return false;
}

static void test_rawtracepoints(void)
{
	struct exp_res r = { 0 };
	const struct lang_target *t;
	bool found = false;

	if (!have_btf())
		return;
	t = EXPAND_ONE(&r, "rawtracepoint:sched_switch");
	if (t) {
		CHECK_STR(t->name, "rawtracepoint:sched_switch");
		CHECK_STR(t->event, "sched_switch");
		CHECK_INT(t->type, LP_RAWTP);
	}
	expand(&r, "rt:sched_sw*");
	CHECK_INT(r.err, 0);
	for (size_t i = 0; i < r.n; i++) {
		char name[128];

		found |= !strcmp(r.t[i].event, "sched_switch");
		snprintf(name, sizeof(name), "btf_trace_%s", r.t[i].event);
		CHECK(ks_btf_id(name, BTF_KIND_TYPEDEF) > 0, "%s not in BTF", name);
	}
	CHECK(found, "rt:sched_sw* lacks sched_switch");
	res_free(&r);
	EXPAND_FAILS("rawtracepoint:no_such_tp_xyz", -ENOENT, "no such raw tracepoint");
	EXPAND_FAILS("rawtracepoint:no_such_tp_*", -ENOENT, "no matching raw tracepoint");
}

static void test_kernel_functions(void)
{
	struct exp_res r = { 0 };
	const struct lang_target *t;
	bool found = false;

	if (!have_btf())
		return;
	t = EXPAND_ONE(&r, "kfunc:vfs_read");
	if (t) {
		CHECK_STR(t->name, "kfunc:vfs_read");
		CHECK_STR(t->event, "vfs_read");
	}
	t = EXPAND_ONE(&r, "fentry:vfs_read");
	if (t) {
		CHECK_STR(t->name, "kfunc:vfs_read");
		CHECK_INT(t->type, LP_KFUNC);
	}
	t = EXPAND_ONE(&r, "fr:vmlinux:vfs_read");
	if (t) {
		CHECK_STR(t->name, "kretfunc:vfs_read");
		CHECK_INT(t->type, LP_KRETFUNC);
	}
	t = EXPAND_ONE(&r, "kprobe:vfs_read");
	if (t) {
		CHECK_STR(t->name, "kprobe:vfs_read");
		CHECK_UINT(t->offset, 0);
	}
	t = EXPAND_ONE(&r, "k:vfs_read+0x10");
	if (t) {
		CHECK_STR(t->name, "kprobe:vfs_read+16");
		CHECK_STR(t->event, "vfs_read");
		CHECK_UINT(t->offset, 16);
	}
	t = EXPAND_ONE(&r, "kr:vfs_read");
	if (t)
		CHECK_STR(t->name, "kretprobe:vfs_read");
	expand(&r, "kfunc:vfs_rea?");
	for (size_t i = 0; i < r.n; i++)
		found |= !strcmp(r.t[i].name, "kfunc:vfs_read");
	CHECK(!r.err && found, "kfunc:vfs_rea? lacks vfs_read (%d)", r.err);
	res_free(&r);
	EXPAND_FAILS("kprobe:no_such_function_xyz", -ENOENT, "no such kernel function");
	EXPAND_FAILS("kfunc:no_such_function_*", -ENOENT, "no kernel function matches");
	EXPAND_FAILS("kretprobe:vfs_read+4", -EINVAL, "kretprobe takes no offset");
	EXPAND_FAILS("kfunc:vfs_read+4", -EINVAL, "kfunc takes no offset");
	EXPAND_FAILS("kprobe:vfs_*+4", -EINVAL, "an offset can't follow a wildcard");
	EXPAND_FAILS("kprobe:vfs_read+x", -EINVAL, "bad offset 'x'");
	EXPAND_FAILS("kfunc:ext4:ext4_sync_fs", -EOPNOTSUPP, "only vmlinux functions");
	EXPAND_FAILS("kprobe:a:b", -EINVAL, "expected kprobe:FUNCTION[+OFFSET]");
}

/* ------------------------------------------------------------------------------------ */
/* uprobes: binaries and their functions */

__attribute__((noinline, used)) int lpt_probe_me(int x)
{
	volatile int v = x;

	for (int i = 0; i < 4; i++)
		v = v * 7 + i;
	return v;
}

static void test_bin_resolve(void)
{
	char out[PATH_MAX], self[PATH_MAX], cwd[PATH_MAX];
	struct stat a, b;

	CHECK_INT(lang_bin_resolve("sh", 0, out, sizeof(out)), 0);
	CHECK(out[0] == '/' && !strcmp(strrchr(out, '/'), "/sh") && !access(out, X_OK),
	      "sh -> '%s'", out);
	CHECK_INT(lang_bin_resolve("libc", 0, out, sizeof(out)), 0);
	CHECK(strstr(out, "/libc.so.6") && !stat(out, &a), "libc -> '%s'", out);
	/* the same file this process runs with */
	CHECK_INT(lang_bin_resolve("libc", getpid(), self, sizeof(self)), 0);
	CHECK(!stat(self, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev,
	      "libc of this process -> '%s', not '%s'", self, out);
	CHECK_INT(lang_bin_resolve("libc.so.6", 0, out, sizeof(out)), 0);
	CHECK(!stat(out, &b) && a.st_ino == b.st_ino, "libc.so.6 -> '%s'", out);
	CHECK_INT(lang_bin_resolve("no_such_lib_or_program_xyz", 0, out, sizeof(out)), -ENOENT);
	CHECK_INT(lang_bin_resolve("libc.s", 0, out, sizeof(out)), -ENOENT);
	CHECK_INT(lang_bin_resolve("/no/such/file", 0, out, sizeof(out)), -ENOENT);
	CHECK_INT(lang_bin_resolve("/etc", 0, out, sizeof(out)), -ENOENT);
	CHECK_INT(lang_bin_resolve("/bin/sh", 0, out, sizeof(out)), 0);
	CHECK_STR(out, "/bin/sh");
	CHECK_INT(lang_bin_resolve("", 0, out, sizeof(out)), -EINVAL);
	CHECK_INT(lang_bin_resolve("/bin/sh", 0, out, 4), -ENAMETOOLONG);
	/* relative paths become absolute */
	if (getcwd(cwd, sizeof(cwd)) && !chdir("/usr")) {
		CHECK_INT(lang_bin_resolve("./bin/sh", 0, out, sizeof(out)), 0);
		CHECK_STR(out, "/usr/bin/sh");
		CHECK_INT(lang_bin_resolve("bin/../bin/sh", 0, out, sizeof(out)), 0);
		CHECK_STR(out, "/usr/bin/../bin/sh");
		CHECK(!chdir(cwd), "back to %s", cwd);
	}
}

static void test_uprobe_self(void)
{
	struct exp_res r = { 0 };
	const struct lang_target *t;
	unsigned char disk[32];
	struct proc me = { .pid = getpid() };
	char libc[PATH_MAX];
	void *getppid_addr = dlsym(RTLD_DEFAULT, "getppid");

	/* this program is a PIE: the file offset must hold the code at the function */
	t = EXPAND_ONE(&r, "uprobe:/proc/self/exe:lpt_probe_me");
	if (t) {
		CHECK_STR(t->name, "uprobe:/proc/self/exe:lpt_probe_me");
		CHECK_STR(t->event, "lpt_probe_me");
		CHECK_STR(t->path, "/proc/self/exe");
		CHECK(read_at("/proc/self/exe", t->offset, disk, sizeof(disk)) &&
			      !memcmp(disk, (void *)lpt_probe_me, sizeof(disk)),
		      "file offset 0x%llx is not lpt_probe_me's code", (u64)t->offset);
		check_code(__LINE__, &me, (u64)(uintptr_t)lpt_probe_me, "/proc/self/exe",
			   t->offset);
	}
	t = EXPAND_ONE(&r, "u:/proc/self/exe:lpt_probe_me+4");
	if (t) {
		CHECK_STR(t->name, "uprobe:/proc/self/exe:lpt_probe_me+4");
		check_code(__LINE__, &me, (u64)(uintptr_t)lpt_probe_me + 4, "/proc/self/exe",
			   t->offset);
	}
	/* a shared library, found by its short name */
	CHECK_INT(lang_bin_resolve("libc", 0, libc, sizeof(libc)), 0);
	t = EXPAND_ONE(&r, "uprobe:libc:getppid");
	if (t && getppid_addr) {
		char want[PATH_MAX + 32];

		snprintf(want, sizeof(want), "uprobe:%s:getppid", libc);
		CHECK_STR(t->name, want);
		check_code(__LINE__, &me, (u64)(uintptr_t)getppid_addr, t->path, t->offset);
	}
	t = EXPAND_ONE(&r, "uretprobe:libc:getppid");
	if (t)
		CHECK_INT(t->type, LP_URETPROBE);
	res_free(&r);
	EXPAND_FAILS("uprobe:/no/such/bin:f", -ENOENT, "binary '/no/such/bin' not found");
	EXPAND_FAILS("uprobe:no_such_prog_xyz:f", -ENOENT,
		     "binary 'no_such_prog_xyz' not found (not a path, not in $PATH");
	EXPAND_FAILS("uprobe:/etc/passwd:f", -ENOEXEC, "/etc/passwd is not an ELF file");
	EXPAND_FAILS("uprobe:/proc/self/exe:no_such_fn", -ENOENT,
		     "no function named 'no_such_fn' in /proc/self/exe");
	EXPAND_FAILS("uprobe:/proc/self/exe:no_such_*", -ENOENT,
		     "no function matches 'no_such_*' in /proc/self/exe");
	EXPAND_FAILS("uprobe:/proc/self/exe:lpt_probe_me+100000", -EINVAL,
		     "offset 100000 is past the end of lpt_probe_me");
	EXPAND_FAILS("uretprobe:/proc/self/exe:lpt_probe_me+1", -EINVAL,
		     "uretprobe takes no offset");
	EXPAND_FAILS("uprobe:/proc/self/exe:lpt_*+1", -EINVAL, "an offset can't follow");
	EXPAND_FAILS("uprobe:/proc/self/exe", -EINVAL, "expected uprobe:BINARY:FUNCTION");
	EXPAND_FAILS("uprobe:/proc/self/exe:0xffffffffffff", -ENOENT,
		     "address 0xffffffffffff is in no loadable segment of /proc/self/exe");
}

/* langtarget (PIE) and the symbolizer's non-PIE program and shared library */
static void test_uprobe_helpers(void)
{
	static const char *const fns[] = { "lt_probe_a", "lt_probe_b", "lt_ret", "lt_sema",
					   "lt_work" };
	const struct lang_elf_func *fv;
	struct exp_res r = { 0 };
	struct lang_elf *e = NULL;
	char text[PATH_MAX + 64], path[PATH_MAX];
	struct proc p;
	size_t nf;

	if (!have_langtarget())
		return;
	if (!proc_start(&p, langtarget, "0")) {
		kt_fail(__LINE__, "cannot start %s", langtarget);
		proc_end(&p);
		return;
	}
	snprintf(text, sizeof(text), "uprobe:%s:lt_*", langtarget);
	expand(&r, text);
	CHECK_INT(r.err, 0);
	CHECK_INT(r.n, KS_ARRAY_SIZE(fns));
	for (size_t i = 0; i < r.n && i < KS_ARRAY_SIZE(fns); i++) {
		char want[PATH_MAX + 64];

		snprintf(want, sizeof(want), "uprobe:%s:%s", langtarget, fns[i]);
		CHECK_STR(r.t[i].name, want);
		CHECK_STR(r.t[i].event, fns[i]);
		check_code(__LINE__, &p, proc_addr(&p, fns[i]), langtarget, r.t[i].offset);
	}
	/* an address as linked, as the symbol table has it */
	CHECK_INT(lang_elf_open(langtarget, &e), 0);
	if (e && !lang_elf_funcs(e, &fv, &nf)) {
		for (size_t i = 0; i < nf; i++) {
			if (strcmp(fv[i].name, "lt_work"))
				continue;
			snprintf(text, sizeof(text), "uprobe:%s:0x%llx", langtarget,
				 (u64)fv[i].addr);
			if (EXPAND_ONE(&r, text))
				check_code(__LINE__, &p, proc_addr(&p, "lt_work"), langtarget,
					   r.t[0].offset);
		}
		for (size_t i = 1; i < nf; i++)
			CHECK(strcmp(fv[i - 1].name, fv[i].name) < 0, "symbols not sorted: %s %s",
			      fv[i - 1].name, fv[i].name);
	}
	lang_elf_close(e);
	/* found through the process: its executable by name */
	snprintf(text, sizeof(text), "uprobe:langtarget:lt_work");
	expand_pid(&r, text, p.pid);
	CHECK_INT(r.err, 0);
	if (r.n == 1) {
		snprintf(path, sizeof(path), "/proc/%d/exe", p.pid);
		CHECK_STR(r.t[0].path, path);
		check_code(__LINE__, &p, proc_addr(&p, "lt_work"), path, r.t[0].offset);
	}
	proc_end(&p);

	/* non-PIE and a shared library it uses, from the symbolizer's tests */
	if (!helper_path(path, sizeof(path), "tests/unit/symtargets/symtarget-nopie")) {
		KT_SKIP("symtarget-nopie not built (make unit-bins)");
		res_free(&r);
		return;
	}
	if (!proc_start(&p, path, NULL)) {
		kt_fail(__LINE__, "cannot start %s", path);
	} else {
		snprintf(text, sizeof(text), "uprobe:%s:sym_alpha", path);
		if (EXPAND_ONE(&r, text))
			check_code(__LINE__, &p, proc_addr(&p, "sym_alpha"), path, r.t[0].offset);
		strcpy(strrchr(path, '/'), "/libsymlib.so");
		snprintf(text, sizeof(text), "uprobe:%s:lib_gamma", path);
		if (EXPAND_ONE(&r, text))
			check_code(__LINE__, &p, proc_addr(&p, "lib_gamma"), path, r.t[0].offset);
		/* the library by its short name, through the process's mappings */
		expand_pid(&r, "uprobe:libsymlib:lib_gamma", p.pid);
		CHECK(!r.err && r.n == 1 && !strcmp(r.t[0].path, path), "libsymlib via pid: %d %s",
		      r.err, r.n ? r.t[0].path : r.d.msg);
	}
	proc_end(&p);
	res_free(&r);
}

/* ------------------------------------------------------------------------------------ */
/* USDT */

static void check_nop(int line, const char *file, u64 off)
{
	unsigned char b = 0;

	if (!read_at(file, off, &b, 1) || b != 0x90)
		kt_fail(line, "%s at 0x%llx: 0x%02x, not the probe's nop", file, off, b);
}

static void test_usdt_expand(void)
{
	struct exp_res r = { 0 };
	const struct lang_target *t;
	char text[PATH_MAX + 64], want[3 * PATH_MAX];
	unsigned short sema = 1;

	if (!have_langtarget())
		return;
	snprintf(text, sizeof(text), "usdt:%s:langtarget:tick", langtarget);
	t = EXPAND_ONE(&r, text);
	if (t) {
		snprintf(want, sizeof(want), "usdt:%s:langtarget:tick", langtarget);
		CHECK_STR(t->name, want);
		CHECK_STR(t->cat, "langtarget");
		CHECK_STR(t->event, "tick");
		CHECK_STR(t->path, langtarget);
		CHECK_UINT(t->ref_ctr_off, 0);
		check_nop(__LINE__, langtarget, t->offset);
		CHECK_INT(t->nuargs, 2);
		if (t->nuargs == 2) {
			/* "-4@%edi -4@$42" with gcc -O1; i may live elsewhere with others */
			CHECK(t->uargs[0].size == 4 && t->uargs[0].is_signed, "arg 0");
			CHECK(t->uargs[1].kind == LANG_USDT_CONST && t->uargs[1].val == 42 &&
				      t->uargs[1].size == 4 && t->uargs[1].is_signed,
			      "arg 1 is not the constant 42");
		}
	}
	/* the provider may be left out */
	snprintf(text, sizeof(text), "U:%s:tick", langtarget);
	t = EXPAND_ONE(&r, text);
	if (t)
		CHECK_STR(t->name, want);
	snprintf(text, sizeof(text), "usdt:%s:langtarget:sema", langtarget);
	t = EXPAND_ONE(&r, text);
	if (t) {
		CHECK(t->ref_ctr_off != 0, "sema has no semaphore offset");
		CHECK(read_at(langtarget, t->ref_ctr_off, &sema, 2) && sema == 0,
		      "semaphore at 0x%llx is not a zero in the file", (u64)t->ref_ctr_off);
		CHECK_INT(t->nuargs, 1);
	}
	/* one probe at two places: two targets of the same name */
	snprintf(text, sizeof(text), "usdt:%s:twice", langtarget);
	expand(&r, text);
	CHECK_INT(r.err, 0);
	CHECK_INT(r.n, 2);
	if (r.n == 2) {
		CHECK_STR(r.t[0].name, r.t[1].name);
		CHECK(r.t[0].offset < r.t[1].offset, "sites at 0x%llx and 0x%llx",
		      (u64)r.t[0].offset, (u64)r.t[1].offset);
		check_nop(__LINE__, langtarget, r.t[0].offset);
		check_nop(__LINE__, langtarget, r.t[1].offset);
		CHECK_INT(r.t[0].nuargs, 0);
	}
	snprintf(text, sizeof(text), "usdt:%s:*:t*", langtarget);
	expand(&r, text);
	CHECK_INT(r.n, 3);
	snprintf(text, sizeof(text), "usdt:%s:langtarget:*", langtarget);
	expand(&r, text);
	CHECK_INT(r.n, 4);
	res_free(&r);
	snprintf(text, sizeof(text), "usdt:%s:nope", langtarget);
	snprintf(want, sizeof(want), "%s: no such USDT probe in %s", text, langtarget);
	EXPAND_FAILS(text, -ENOENT, want);
	snprintf(text, sizeof(text), "usdt:%s:other:tick", langtarget);
	EXPAND_FAILS(text, -ENOENT, "no such USDT probe");
	EXPAND_FAILS("usdt:/bin/sh:x*", -ENOENT, "no matching USDT probe in /bin/sh (it has none)");
	EXPAND_FAILS("usdt:/bin/sh", -EINVAL, "expected usdt:BINARY:[PROVIDER:]NAME");
}

/* ------------------------------------------------------------------------------------ */
/* listing */

static const char *list_text(struct kt_mem *m, const char *pattern, bool verbose, int *ret)
{
	kt_mem_open(m);
	*ret = lang_probe_list(pattern, 0, verbose, m->f);
	return kt_mem_close(m);
}

static void test_list(void)
{
	struct kt_mem m = { 0 };
	struct kt_stderr se;
	char pat[PATH_MAX + 32], want[4 * PATH_MAX];
	const char *out;
	int n;

	out = list_text(&m, "software:*", false, &n);
	CHECK_INT(n, 11);
	CHECK(!strncmp(out, "software:alignment-faults:\nsoftware:bpf-output:\n", 48),
	      "software list starts '%.60s'", out);
	out = list_text(&m, "h:cpu-*", false, &n);
	CHECK_INT(n, 1);
	CHECK_STR(out, "hardware:cpu-cycles:\n");
	out = list_text(&m, "software:page-faults", false, &n);
	CHECK_STR(out, "software:page-faults:\n");
	out = list_text(&m, "software:nope", false, &n);
	CHECK_INT(n, 0);
	CHECK_STR(out, "");
	out = list_text(&m, "profile:*", false, &n);
	CHECK_INT(n, 0);
	kt_stderr_begin(&se);
	out = list_text(&m, "nope:*", false, &n);
	kt_stderr_end(&se);
	CHECK_INT(n, -EINVAL);
	CHECK(strstr(se.text, "unknown probe type 'nope'"), "stderr: %s", se.text);
	kt_stderr_begin(&se);
	out = list_text(&m, "uprobe:/no/such/bin:*", false, &n);
	kt_stderr_end(&se);
	CHECK_INT(n, -ENOENT);
	CHECK(strstr(se.text, "binary '/no/such/bin' not found"), "stderr: %s", se.text);
	if (have_langtarget()) {
		snprintf(pat, sizeof(pat), "usdt:%s:*", langtarget);
		out = list_text(&m, pat, false, &n);
		snprintf(want, sizeof(want),
			 "usdt:%1$s:langtarget:sema\nusdt:%1$s:langtarget:tick\n"
			 "usdt:%1$s:langtarget:twice\n",
			 langtarget);
		CHECK_STR(out, want);
		CHECK_INT(n, 3);
		snprintf(pat, sizeof(pat), "uprobe:%s:lt_probe_?", langtarget);
		out = list_text(&m, pat, true, &n);
		snprintf(want, sizeof(want), "uprobe:%1$s:lt_probe_a\nuprobe:%1$s:lt_probe_b\n",
			 langtarget);
		CHECK_STR(out, want);
		snprintf(pat, sizeof(pat), "usdt:%s", langtarget);
		out = list_text(&m, pat, false, &n);
		CHECK_INT(n, 3);
	}
	free(m.buf);
}

static void test_list_tracepoints(void)
{
	struct kt_mem m = { 0 };
	const char *out;
	int n;

	if (have_tracefs()) {
		out = list_text(&m, "tracepoint:sched:sched_switch", true, &n);
		CHECK_INT(n, 1);
		static const char head[] = "tracepoint:sched:sched_switch\n    char prev_comm[16]\n"
					   "    pid_t prev_pid\n";

		CHECK(!strncmp(out, head, strlen(head)), "-lv sched_switch: '%.80s'", out);
		CHECK(strstr(out, "\n    pid_t next_pid\n"), "-lv sched_switch: '%s'", out);
		out = list_text(&m, "t:sched:sched_process_exec", true, &n);
		CHECK(strstr(out, "\n    __data_loc char[] filename\n"), "-lv data_loc: '%s'", out);
		out = list_text(&m, "*sched_switch", false, &n);
		CHECK(strstr(out, "tracepoint:sched:sched_switch\n"), "'*sched_switch': '%s'", out);
		CHECK(!ks_btf_check() ? strstr(out, "rawtracepoint:sched_switch\n") != NULL : true,
		      "'*sched_switch': '%s'", out);
		out = list_text(&m, NULL, false, &n);
		CHECK(n > 100 && strstr(out, "\ntracepoint:sched:sched_switch\n") &&
			      strstr(out, "\nsoftware:cpu-clock:\n"),
		      "list of everything: %d", n);
	}
	free(m.buf);
}

/* ------------------------------------------------------------------------------------ */
/* what this kernel supports, program types */

static void test_supported(void)
{
	static const struct {
		enum lang_ptype t;
		enum ks_feature f;
		const char *what;
	} gated[] = {
		{ LP_KPROBE, KS_FEAT_KPROBE, "kprobes are not available on this kernel: " },
		{ LP_KRETPROBE, KS_FEAT_KPROBE, "kprobes are not available on this kernel: " },
		{ LP_KFUNC, KS_FEAT_FENTRY, "kfunc (fentry/fexit) programs are not available" },
		{ LP_KRETFUNC, KS_FEAT_FENTRY, "kfunc (fentry/fexit) programs are not available" },
		{ LP_HARDWARE, KS_FEAT_PERF_HW,
		  "hardware events are not available on this kernel" },
	};
	char why[256];

	for (size_t i = 0; i < KS_ARRAY_SIZE(gated); i++) {
		int ret = lang_probe_supported(gated[i].t, why, sizeof(why));

		if (ks_feature_probe(gated[i].f)) {
			CHECK(ret == -EOPNOTSUPP, "%s: %d", lang_ptype_name(gated[i].t), ret);
			CHECK(!strncmp(why, gated[i].what, strlen(gated[i].what)) &&
				      strstr(why, ks_feature_detail(gated[i].f)) &&
				      !strchr(why, '\n'),
			      "%s: why '%s'", lang_ptype_name(gated[i].t), why);
		} else {
			CHECK(ret == 0 && !why[0], "%s: %d '%s'", lang_ptype_name(gated[i].t), ret,
			      why);
		}
	}
	for (int t = 0; t < LP_NR; t++) {
		if (t == LP_KPROBE || t == LP_KRETPROBE || t == LP_KFUNC || t == LP_KRETFUNC ||
		    t == LP_HARDWARE)
			continue;
		CHECK(lang_probe_supported((enum lang_ptype)t, why, sizeof(why)) == 0,
		      "%s unsupported: %s", lang_ptype_name((enum lang_ptype)t), why);
	}
	CHECK_INT(lang_probe_supported(LP_NR, NULL, 0), -EINVAL);
}

static void test_progspec(void)
{
	static const struct {
		enum lang_ptype t;
		int prog, attach;
	} v[] = {
		{ LP_BEGIN, BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
		{ LP_END, BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
		{ LP_INTERVAL, BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
		{ LP_TRACEPOINT, BPF_PROG_TYPE_TRACEPOINT, 0 },
		{ LP_RAWTP, BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
		{ LP_KPROBE, BPF_PROG_TYPE_KPROBE, 0 },
		{ LP_KRETPROBE, BPF_PROG_TYPE_KPROBE, 0 },
		{ LP_UPROBE, BPF_PROG_TYPE_KPROBE, 0 },
		{ LP_URETPROBE, BPF_PROG_TYPE_KPROBE, 0 },
		{ LP_USDT, BPF_PROG_TYPE_KPROBE, 0 },
		{ LP_PROFILE, BPF_PROG_TYPE_PERF_EVENT, 0 },
		{ LP_SOFTWARE, BPF_PROG_TYPE_PERF_EVENT, 0 },
		{ LP_HARDWARE, BPF_PROG_TYPE_PERF_EVENT, 0 },
		{ LP_KFUNC, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY },
		{ LP_KRETFUNC, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT },
	};
	struct lang_target t = { .event = (char *)"vfs_read" };
	struct lang_progspec s;

	for (size_t i = 0; i < KS_ARRAY_SIZE(v); i++) {
		bool fentry = v[i].t == LP_KFUNC || v[i].t == LP_KRETFUNC;
		int err;

		if (fentry && ks_btf_check())
			continue;
		t.type = v[i].t;
		err = lang_target_progspec(&t, &s);
		CHECK(!err && s.prog_type == v[i].prog && s.attach_type == v[i].attach,
		      "%s: %d prog %d attach %d", lang_ptype_name(v[i].t), err, s.prog_type,
		      s.attach_type);
		CHECK_INT(s.attach_btf_id, fentry ? ks_btf_id("vfs_read", BTF_KIND_FUNC) : 0);
	}
	t.type = LP_KFUNC;
	t.event = (char *)"no_such_function_xyz";
	CHECK(lang_target_progspec(&t, &s) < 0, "kfunc of a missing function");
	t.type = LP_NR;
	CHECK_INT(lang_target_progspec(&t, &s), -EINVAL);
}

/* ------------------------------------------------------------------------------------ */
/* attaching (root): a tiny counting program, exact hits from langtarget */

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* The program, with the jumps to its end patched once its length is known. */
struct prog {
	struct bpf_insn v[64];
	int n;
	int exits[8], nexits;
};

static void emit(struct prog *p, struct bpf_insn i)
{
	if (p->n < 64)
		p->v[p->n++] = i;
}

static void emit_jmp_out(struct prog *p, int op, int reg, int imm)
{
	if (p->nexits < 8)
		p->exits[p->nexits++] = p->n;
	emit(p, INSN(BPF_JMP | op | BPF_K, reg, 0, 0, imm));
}

/* map[@key] += r@reg (atomically); jumps out when the lookup fails */
static void emit_add(struct prog *p, int map_fd, int key, int reg)
{
	emit(p, INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, key));
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0));
	emit(p, INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4));
	emit(p, INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd));
	emit(p, INSN(0, 0, 0, 0, 0));
	emit(p, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem));
	emit_jmp_out(p, BPF_JEQ, BPF_REG_0, 0);
	emit(p, INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, reg, 0, BPF_ADD));
}

struct counter {
	int map_fd, prog_fd;
	unsigned int prog_id;
	int *fds;
	size_t nfds;
};

/*
 * Load a program of @type that counts its runs in map[0] (only those of process @tgid when
 * not 0, and only syscall @nr of a raw sys_enter when not -1) and adds the USDT argument
 * @arg (when not NULL) to map[1].
 */
static bool counter_load(struct counter *c, int type, int tgid, int nr,
			 const struct lang_usdt_arg *arg)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	struct prog p = { .n = 0 };

	memset(c, 0, sizeof(*c));
	c->prog_fd = -1;
	c->map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lpt_count", 4, 8, 2, NULL);
	if (c->map_fd < 0) {
		kt_fail(__LINE__, "bpf_map_create: %s", strerror(errno));
		return false;
	}
	emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0));
	if (tgid) {
		emit(&p, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_pid_tgid));
		emit(&p, INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_0, 0, 0, 32));
		emit_jmp_out(&p, BPF_JNE, BPF_REG_0, tgid);
	}
	if (nr >= 0) { /* struct bpf_raw_tracepoint_args: args[1] of sys_enter is the id */
		emit(&p, INSN(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_1, BPF_REG_6, 8, 0));
		emit_jmp_out(&p, BPF_JNE, BPF_REG_1, nr);
	}
	emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_7, 0, 0, 1));
	emit_add(&p, c->map_fd, 0, BPF_REG_7);
	if (arg) {
		/* a register of pt_regs, 4 bytes signed or 8: enough for langtarget's tick */
		if (arg->kind == LANG_USDT_REG) {
			emit(&p, INSN(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_7, BPF_REG_6,
				      arg->reg_off, 0));
			if (arg->size == 4) {
				emit(&p, INSN(BPF_ALU64 | BPF_LSH | BPF_K, BPF_REG_7, 0, 0, 32));
				emit(&p,
				     INSN(BPF_ALU64 | (arg->is_signed ? BPF_ARSH : BPF_RSH) | BPF_K,
					  BPF_REG_7, 0, 0, 32));
			}
		} else if (arg->kind == LANG_USDT_CONST) {
			emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_7, 0, 0, (int)arg->val));
		} else {
			KT_SKIP("the tick argument is in memory here: not what this test reads");
			close(c->map_fd);
			return false;
		}
		emit_add(&p, c->map_fd, 1, BPF_REG_7);
	}
	for (int i = 0; i < p.nexits; i++)
		p.v[p.exits[i]].off = (short)(p.n - p.exits[i] - 1);
	emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));
	emit(&p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	c->prog_fd = bpf_prog_load(type, "lpt_count", "GPL", p.v, p.n, &o);
	if (c->prog_fd < 0) {
		kt_fail(__LINE__, "bpf_prog_load: %s: %s", strerror(errno), log);
		close(c->map_fd);
		return false;
	}
	if (!bpf_obj_get_info_by_fd(c->prog_fd, &info, &len))
		c->prog_id = info.id;
	return true;
}

static u64 counter_get(struct counter *c, int key)
{
	u64 v = 0;

	bpf_map_lookup_elem(c->map_fd, &key, &v);
	return v;
}

/* Detach and unload; the program must then be gone from the kernel. */
static void counter_free(int line, struct counter *c)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int fd = -1;

	for (size_t i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	free(c->fds);
	c->fds = NULL;
	c->nfds = 0;
	if (c->prog_fd >= 0)
		close(c->prog_fd);
	if (c->map_fd >= 0)
		close(c->map_fd);
	c->prog_fd = c->map_fd = -1;
	/* perf events go away asynchronously: give the kernel two seconds */
	for (int i = 0; c->prog_id && i < 100; i++) {
		fd = bpf_prog_get_fd_by_id(c->prog_id);
		if (fd < 0)
			break;
		close(fd);
		nanosleep(&ts, NULL);
	}
	if (c->prog_id && fd >= 0)
		kt_fail(line, "program %u still loaded after detaching", c->prog_id);
}

static bool attach_all(struct counter *c, const struct exp_res *r, int pid)
{
	char err[256];

	for (size_t i = 0; i < r->n; i++) {
		int ret = lang_probe_attach(&r->t[i], c->prog_fd, pid, &c->fds, &c->nfds, err,
					    sizeof(err));

		if (ret) {
			kt_fail(__LINE__, "%s: %d: %s", r->t[i].name, ret, err);
			return false;
		}
	}
	return true;
}

static bool root_and_langtarget(void)
{
	if (geteuid() != 0) {
		KT_SKIP("needs root to load BPF programs (running as uid %d)", (int)geteuid());
		return false;
	}
	return have_langtarget();
}

#define HITS 37

/* Attach @text's targets (uprobe-filtered to the process when @filter) and run langtarget. */
static void run_counted(int line, const char *text, int type, bool filter, bool tgid_in_prog,
			int nr, u64 want, bool with_arg)
{
	struct exp_res r = { 0 };
	struct proc p = { .pid = -1 }, other = { .pid = -1 };
	struct counter c;
	char full[PATH_MAX + 64];
	long sema;

	snprintf(full, sizeof(full), text, langtarget);
	if (!proc_start(&p, langtarget, "37") || !proc_start(&other, langtarget, "37")) {
		kt_fail(line, "cannot start langtarget");
		goto out_procs;
	}
	expand_pid(&r, full, p.pid);
	if (r.err) {
		kt_fail(line, "%s: %s", full, r.d.msg);
		goto out_procs;
	}
	if (!counter_load(&c, type, tgid_in_prog ? p.pid : 0, nr,
			  with_arg && r.n && r.t[0].nuargs ? &r.t[0].uargs[0] : NULL))
		goto out_procs;
	if (attach_all(&c, &r, filter ? p.pid : 0)) {
		/* the other process runs the same code: only p's calls may count */
		sema = proc_go(&p);
		CHECK(proc_go(&other) >= 0, "the other langtarget did not finish");
		if (c.nfds && counter_get(&c, 0) != want)
			kt_fail(line, "%s: %llu hits, expected %llu", full, counter_get(&c, 0),
				want);
		if (with_arg && counter_get(&c, 1) != (u64)HITS * (HITS - 1) / 2)
			kt_fail(line, "%s: argument sum %llu, expected %d", full,
				counter_get(&c, 1), HITS * (HITS - 1) / 2);
		if (strstr(full, ":sema"))
			CHECK(sema == HITS, "langtarget saw its semaphore set %ld times", sema);
		else
			CHECK(sema == 0, "semaphore set %ld times without a tracer", sema);
	}
	counter_free(line, &c);
out_procs:
	proc_end(&p);
	proc_end(&other);
	res_free(&r);
}

static void test_attach_uprobes(void)
{
	if (!root_and_langtarget())
		return;
	/* the uprobe's own process filter; the second langtarget is not counted */
	run_counted(__LINE__, "uprobe:%s:lt_work", BPF_PROG_TYPE_KPROBE, true, false, -1, HITS,
		    false);
	run_counted(__LINE__, "uretprobe:%s:lt_ret", BPF_PROG_TYPE_KPROBE, true, false, -1, HITS,
		    false);
	run_counted(__LINE__, "uprobe:%s:lt_probe_?", BPF_PROG_TYPE_KPROBE, true, false, -1,
		    2 * HITS, false);
	/* no process filter: both processes' calls run the program, which filters itself */
	run_counted(__LINE__, "uprobe:%s:lt_work", BPF_PROG_TYPE_KPROBE, false, true, -1, HITS,
		    false);
	/* a library found by its short name; the process filter alone */
	run_counted(__LINE__, "uprobe:libc:getppid", BPF_PROG_TYPE_KPROBE, true, false, -1, HITS,
		    false);
}

static void test_attach_usdt(void)
{
	if (!root_and_langtarget())
		return;
	/* the argument i of every call: the sum of 0..HITS-1 */
	run_counted(__LINE__, "usdt:%s:langtarget:tick", BPF_PROG_TYPE_KPROBE, true, false, -1,
		    HITS, true);
	run_counted(__LINE__, "usdt:%s:twice", BPF_PROG_TYPE_KPROBE, true, false, -1, 2 * HITS,
		    false);
	/* the semaphore: langtarget fires sema only while the kernel has it raised */
	run_counted(__LINE__, "usdt:%s:langtarget:sema", BPF_PROG_TYPE_KPROBE, true, false, -1,
		    HITS, true);
}

static void test_attach_tracepoints(void)
{
	if (!root_and_langtarget() || !have_tracefs())
		return;
	run_counted(__LINE__, "tracepoint:syscalls:sys_enter_getppid", BPF_PROG_TYPE_TRACEPOINT,
		    false, true, -1, HITS, false);
	run_counted(__LINE__, "rawtracepoint:sys_enter", BPF_PROG_TYPE_RAW_TRACEPOINT, false, true,
		    SYS_getppid, HITS, false);
}

static void test_attach_profile(void)
{
	struct exp_res r = { 0 };
	struct counter c;
	int cpus[1024], ncpu = ks_cpus_online(cpus, 1024);
	volatile u64 spin = 0;
	struct timespec t0, t1;

	if (geteuid() != 0) {
		KT_SKIP("needs root to load BPF programs (running as uid %d)", (int)geteuid());
		return;
	}
	expand(&r, "profile:hz:199");
	if (r.err || r.n != 1 || !counter_load(&c, BPF_PROG_TYPE_PERF_EVENT, 0, -1, NULL)) {
		kt_fail(__LINE__, "profile:hz:199: %s", r.d.msg);
		res_free(&r);
		return;
	}
	if (attach_all(&c, &r, 0)) {
		/* a link and a perf event per CPU (just the event where links are missing) */
		CHECK(c.nfds == (size_t)ncpu * 2 || c.nfds == (size_t)ncpu, "%zu fds for %d CPUs",
		      c.nfds, ncpu);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			for (int i = 0; i < 100000; i++)
				spin += (u64)i;
			clock_gettime(CLOCK_MONOTONIC, &t1);
		} while ((t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec <
			 300000000LL);
		CHECK(counter_get(&c, 0) > 0, "no profile samples in 300 ms of spinning");
	}
	counter_free(__LINE__, &c);
	res_free(&r);
}

/*
 * Where the feature probe says @t can't work, attaching @text is refused with a one-line
 * error and leaves nothing behind.
 */
static void check_refused(enum lang_ptype t, const char *text, int prog_type)
{
	struct exp_res r = { 0 };
	struct counter c;
	char why[256], err[256], want[128];

	if (geteuid() != 0) {
		KT_SKIP("needs root to load BPF programs (running as uid %d)", (int)geteuid());
		return;
	}
	if (!lang_probe_supported(t, why, sizeof(why))) {
		KT_SKIP("%s work here: the refusal without them is not testable", text);
		return;
	}
	expand(&r, text);
	if (!r.err && r.n == 1 && counter_load(&c, prog_type, 0, -1, NULL)) {
		CHECK(lang_probe_attach(&r.t[0], c.prog_fd, 0, &c.fds, &c.nfds, err, sizeof(err)) <
				      0 &&
			      c.nfds == 0,
		      "%s attached where the feature probe says no", text);
		snprintf(want, sizeof(want), "cannot attach %s: ", r.t[0].name);
		CHECK(!strncmp(err, want, strlen(want)) && !strchr(err, '\n'), "error '%s'", err);
		counter_free(__LINE__, &c);
	} else {
		kt_fail(__LINE__, "%s: %d %s", text, r.err, r.d.msg);
	}
	res_free(&r);
}

static void test_attach_hardware(void)
{
	check_refused(LP_HARDWARE, "hardware:cpu-cycles:100000", BPF_PROG_TYPE_PERF_EVENT);
}

static void test_attach_kernel_functions(void)
{
	check_refused(LP_KPROBE, "kprobe:vfs_read", BPF_PROG_TYPE_KPROBE);
}

/* ------------------------------------------------------------------------------------ */

static int cli(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "expand")) {
		struct exp_res r = { 0 };

		expand(&r, argv[2]);
		if (r.err) {
			fprintf(stderr, "error: %s\n", r.d.msg);
			return 2;
		}
		for (size_t i = 0; i < r.n; i++)
			printf("%s\n", r.t[i].name);
		res_free(&r);
		return 0;
	}
	if (argc >= 2 && argc <= 4 && !strcmp(argv[1], "list")) {
		bool v = argc >= 3 && !strcmp(argv[2], "-v");
		const char *pat = argc - 2 > (int)v ? argv[argc - 1] : NULL;

		return lang_probe_list(pat, 0, v, stdout) < 0 ? 1 : 0;
	}
	if (argc == 2 && !strcmp(argv[1], "attach")) {
		RUN(test_attach_uprobes);
		RUN(test_attach_usdt);
		RUN(test_attach_tracepoints);
		RUN(test_attach_profile);
		RUN(test_attach_hardware);
		RUN(test_attach_kernel_functions);
		return kt_done();
	}
	fprintf(stderr, "usage: lang_probes [expand ATTACH | list [-v] [PATTERN] | attach]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return cli(argc, argv);
	RUN(test_ptype_names);
	RUN(test_begin_end);
	RUN(test_timers);
	RUN(test_perf_events);
	RUN(test_usdt_specs);
	RUN(test_tp_format_parse);
	RUN(test_tp_format);
	RUN(test_tracepoints);
	RUN(test_rawtracepoints);
	RUN(test_kernel_functions);
	RUN(test_bin_resolve);
	RUN(test_uprobe_self);
	RUN(test_uprobe_helpers);
	RUN(test_usdt_expand);
	RUN(test_list);
	RUN(test_list_tracepoints);
	RUN(test_supported);
	RUN(test_progspec);
	RUN(test_attach_uprobes);
	RUN(test_attach_usdt);
	RUN(test_attach_tracepoints);
	RUN(test_attach_profile);
	RUN(test_attach_hardware);
	RUN(test_attach_kernel_functions);
	return kt_done();
}
