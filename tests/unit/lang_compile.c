// SPDX-License-Identifier: GPL-2.0-only
/* The language's compiler: positioned errors, and (as root) what the generated code computes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ktest.h"
#include "lang/ast.h"
#include "lang/compile.h"
#include "lang/print.h"
#include "lang/run.h"

static struct lang_program *prog;

static struct lang_compiled *compile(const char *src, struct lang_diag *d)
{
	struct lang_compile_opts o = { .start_ns = 1 };
	static char *params[] = { "5", "word" };

	lang_program_free(prog);
	prog = lang_parse(src, "t", d);
	if (!prog)
		return NULL;
	o.params = params;
	o.nparams = 2;
	return lang_compile(prog, &o, d);
}

/* Programs the compiler must refuse, with the position and the message. */
static void test_errors(void)
{
	static const struct {
		const char *src, *want;
	} cases[] = {
		{ "BEGIN { @x = 1; @x = \"s\"; }",
		  "1:17: @x: the value is a string here but an integer elsewhere" },
		{ "BEGIN { @x = count(); @x = 1; }",
		  "1:23: @x holds aggregated values: it cannot be assigned a value" },
		{ "BEGIN { @x = count(); @x = sum(1); }",
		  "1:28: @x is assigned sum() here but something else elsewhere" },
		{ "BEGIN { @x = count(); @y = @x; }",
		  "1:28: @x holds count() values, which can only be printed, not read" },
		{ "BEGIN { @y = @never; }", "1:14: @never is read here but never assigned" },
		{ "BEGIN { @x = nosuch(1); }", "1:14: unknown function 'nosuch'" },
		{ "BEGIN { @x = $v; }", "1:14: $v is used before it is assigned" },
		{ "BEGIN { printf(\"%s\\n\", 5); }", "printf: %s needs a string argument" },
		{ "BEGIN { printf(\"%d %d\\n\", 5); }", "printf: 2 conversions but 1 argument" },
		{ "BEGIN { break; }", "1:9: break outside a loop" },
		{ "BEGIN { @m[1] = 1; @m[1, 2] = 2; }",
		  "1:20: @m is used with 2 keys here and 1 elsewhere" },
		{ "BEGIN { @l = lhist(1, 10, 0, 1); }",
		  "1:14: lhist(): needs min < max and step > 0" },
		{ "BEGIN { @l = lhist(1, 0, 10, $v); }", "1:30: expected a constant integer" },
		{ "BEGIN { @h = hist(); }", "1:14: hist() takes 1 argument" },
		{ "BEGIN { $x = count(); }", "1:14: count() can only be assigned to a map" },
		{ "BEGIN { @x = \"a\" < \"b\"; }", "strings can only be compared with == and !=" },
		{ "BEGIN { @x = \"a\" + 1; }", "'+' needs integers, found a string" },
		{ "BEGIN { @x = retval; }",
		  "1:14: retval is only available in kretprobe, uretprobe and kretfunc probes" },
		{ "BEGIN { @x = arg0; }", "arg0 is not available in BEGIN probes" },
		{ "BEGIN { @x = args.foo; }", "args is not available in BEGIN probes" },
		{ "BEGIN { @x = (struct nosuchstruct_xyz *)0; }",
		  "unknown type 'struct nosuchstruct_xyz'" },
		{ "BEGIN { @x = (float)1; }", "unknown type 'float' in cast" },
		{ "BEGIN { @x = str(1, 0); }", "str(): length 0 out of range 1..255" },
		{ "BEGIN { exit(1); }", "exit() takes no arguments" },
		{ "BEGIN { $a = 1; $a = \"x\"; }",
		  "$a: the variable is a string here but an integer elsewhere" },
		{ "BEGIN { @x = 1 ? 2 : \"s\"; }", "the two branches of ?: have different types" },
		{ "BEGIN { $a = str(0); $b = str(0); $c = str(0); $d = str(0); $e = str(0); $f = "
		  "str(0); "
		  "$g = str(0); $h = str(0); @x = $a == $h; }",
		  "needs more than 512 bytes of BPF stack" },
		{ "BEGIN { print(@nope); }", "1:15: @nope is never assigned" },
		{ "BEGIN { @x = 1; clear(@x, 1); }", "clear() takes a map" },
		{ "BEGIN { unroll(0) { @x = 1; } }",
		  "1:16: unroll count must be from 1 to 100, found 0" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lang_diag d = { 0 };
		struct lang_compiled *c = compile(cases[i].src, &d);
		char got[400];

		if (c) {
			kt_fail(__LINE__, "compiled: %s", cases[i].src);
			lang_compiled_free(c);
			continue;
		}
		snprintf(got, sizeof(got), "%d:%d: %s", d.pos.line, d.pos.col, d.msg);
		CHECK(strstr(got, cases[i].want), "%s: got \"%s\", expected \"%s\"", cases[i].src,
		      got, cases[i].want);
	}
}

/* Code shape: the context saved first, every program ends with exit; equal code shared. */
static void test_shape(void)
{
	struct lang_diag d;
	struct lang_compiled *c =
		compile("BEGIN { @x = 1; } END { @x = 1; } BEGIN { @y = 2; }", &d);

	CHECK(c, "compile: %d:%d: %s", d.pos.line, d.pos.col, d.msg);
	if (!c)
		return;
	CHECK_UINT(c->nprogs, 3);
	for (size_t i = 0; i < c->nprogs; i++) {
		CHECK(c->progs[i].insns[0].code == (BPF_ALU64 | BPF_MOV | BPF_X) &&
			      c->progs[i].insns[0].dst_reg == 6 &&
			      c->progs[i].insns[0].src_reg == 1,
		      "program %zu starts with r6 = r1", i);
		CHECK(c->progs[i].insns[c->progs[i].ninsns - 1].code == (BPF_JMP | BPF_EXIT),
		      "program %zu ends with exit", i);
		CHECK_INT(c->progs[i].spec.prog_type, BPF_PROG_TYPE_RAW_TRACEPOINT);
	}
	CHECK_INT(c->progs[1].dup_of, 0);
	CHECK_INT(c->progs[2].dup_of, -1);
	CHECK_STR(c->probe_names[1], "END");
	lang_compiled_free(c);
}

static int ncpus;

/* Root only: compile, load, run BEGIN. */
static struct lang_compiled *run_begin(const char *src)
{
	struct lang_diag d;
	struct lang_compiled *c = compile(src, &d);
	int err;

	if (!c) {
		kt_fail(__LINE__, "%s: %d:%d: %s", src, d.pos.line, d.pos.col, d.msg);
		return NULL;
	}
	err = lang_load(c, "t", src, false);
	if (err) {
		kt_fail(__LINE__, "%s: load: %s", src, strerror(-err));
		lang_compiled_free(c);
		return NULL;
	}
	err = lang_run_type(c, LP_BEGIN);
	CHECK(!err, "%s: run: %s", src, strerror(-err));
	return c;
}

static void done(struct lang_compiled *c)
{
	if (c) {
		lang_unload(c);
		lang_compiled_free(c);
	}
}

/* The value of @name[key] (an integer key, or none), summed over CPUs for per-CPU maps;
 * @out gets the first 8 bytes (of the CPU that saw a value, for min/max). */
static int map_get(struct lang_compiled *c, const char *name, const int64_t *key, void *out,
		   size_t outlen)
{
	for (size_t i = 0; i < c->nmaps; i++) {
		struct lang_cmap *m = &c->maps[i];
		char k[512] = { 0 }, *v;
		uint32_t vs = (m->val_size + 7) & ~7u;
		bool pc = m->bpf_type == BPF_MAP_TYPE_PERCPU_HASH;

		if (strcmp(m->name, name))
			continue;
		if (key)
			memcpy(k, key, 8);
		v = calloc(pc ? (size_t)ncpus : 1, vs);
		if (!v || bpf_map_lookup_elem(m->fd, k, v)) {
			free(v);
			return -ENOENT;
		}
		memset(out, 0, outlen);
		if (!pc) {
			memcpy(out, v, outlen < m->val_size ? outlen : m->val_size);
		} else {
			for (int cpu = 0; cpu < ncpus; cpu++) {
				const char *cv = v + (size_t)cpu * vs;
				int64_t seen = 0;

				if (m->info.agg == LA_MIN || m->info.agg == LA_MAX) {
					memcpy(&seen, cv + 8, 8);
					if (seen)
						memcpy(out, cv, outlen < 16 ? outlen : 16);
					continue;
				}
				for (size_t o = 0; o + 8 <= outlen && o + 8 <= m->val_size;
				     o += 8) {
					uint64_t a, b;

					memcpy(&a, (char *)out + o, 8);
					memcpy(&b, cv + o, 8);
					a += b;
					memcpy((char *)out + o, &a, 8);
				}
			}
		}
		free(v);
		return 0;
	}
	return -ENOENT;
}

static bool need_root(void)
{
	if (geteuid()) {
		KT_SKIP("loading BPF needs root (uid %d)", (int)geteuid());
		return false;
	}
	return true;
}

/* Integer semantics: each program sets @x, which must hold the value. */
static void test_values(void)
{
	static const struct {
		const char *src;
		int64_t want;
	} cases[] = {
		{ "@x = 3 * 4 + 1", 13 },
		{ "@x = 7 / 2", 3 },
		{ "@x = 7 % 3", 1 },
		{ "@x = 1 << 40", 1099511627776LL },
		{ "@x = -8 >> 1", -4 },
		{ "@x = (uint8)300", 44 },
		{ "@x = (int8)255", -1 },
		{ "@x = (uint16)-1", 65535 },
		{ "@x = 5 > 3 && 2 > 1", 1 },
		{ "@x = 0 || 0", 0 },
		{ "@x = 0 || 7", 1 },
		{ "@x = !5", 0 },
		{ "@x = ~0", -1 },
		{ "@x = 1 ? 10 : 20", 10 },
		{ "@x = 0 ? 10 : 20", 20 },
		{ "@x = -5 < 3", 1 },
		{ "@x = 0x10 | 0x01", 17 },
		{ "@x = 6 ^ 3", 5 },
		{ "@x = 6 & 3", 2 },
		{ "@x = 10 - 20", -10 },
		{ "@x = 5000000000 * 2", 10000000000LL },
		{ "@x = \"abc\" == \"abc\"", 1 },
		{ "@x = \"abc\" == \"abd\"", 0 },
		{ "@x = \"ab\" == \"abc\"", 0 },
		{ "@x = \"abc\" != \"ab\"", 1 },
		{ "$s = \"hello\"; @x = $s == \"hello\"", 1 },
		{ "@x = strncmp(\"hello\", \"help\", 3)", 0 },
		{ "@x = strncmp(\"hello\", \"help\", 4)", 1 },
		{ "@x = comm == \"lang_compile\"", 1 },
		{ "@x = pid == tid", 1 },
		{ "$a = 5; $a += 3; $a *= 2; $a -= 1; $a <<= 1; @x = $a", 30 },
		{ "$i = 0; $i++; ++$i; $j = $i++; @x = $j * 10 + $i", 23 },
		{ "$i = 0; while ($i < 10) { $i++; @x += $i; }", 55 },
		{ "unroll(7) { @x++; }", 7 },
		{ "$i = 0; while (1) { $i++; if ($i > 4) { break; } } @x = $i", 5 },
		{ "@m[1] = 5; @m[1] += 2; @x = @m[1]", 7 },
		{ "@m[2]++; @m[2]++; @m[2]--; @x = @m[2]", 1 },
		{ "@m[1] = 5; @x = @m[99]", 0 },
		{ "@m[1] = 5; delete(@m[1]); @x = @m[1] + 3", 3 },
		{ "@m[\"a\", 2] = 9; @x = @m[\"a\", 2] + @m[\"a\", 3]", 9 },
		{ "@x = $1 + 1", 6 },
		{ "@x = $# ", 2 },
		{ "@x = $2 == \"word\"", 1 },
		{ "$t = (1, \"ab\", 3); @x = $t.2 * 10 + $t.0", 31 },
		{ "@x = @y++; @x = @y++ + @x * 10", 1 },
		{ "@x = ++@y; @x = @x * 10 + ++@y", 12 },
		{ "@x = curtask->pid == tid", 1 },
		{ "@x = ((struct task_struct *)curtask)->tgid == pid", 1 },
		{ "@x = curtask->comm == comm", 1 },
		{ "@x = elapsed > 0", 1 },
		{ "@x = nsecs > 0", 1 },
		{ "@x = cgroup > 0", 1 },
	};
	char src[512];

	if (!need_root())
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lang_compiled *c;
		int64_t got = -999;

		snprintf(src, sizeof(src), "BEGIN { %s; }", cases[i].src);
		c = run_begin(src);
		if (!c)
			continue;
		CHECK(!map_get(c, "@x", NULL, &got, 8), "%s: no @x", src);
		CHECK(got == cases[i].want, "%s: @x = %lld, expected %lld", src, (long long)got,
		      (long long)cases[i].want);
		done(c);
	}
}

/* Aggregations as the per-CPU values the printer merges. */
static void test_aggregations(void)
{
	struct lang_compiled *c;
	int64_t v[2];

	if (!need_root())
		return;
	c = run_begin(
		"BEGIN { @c = count(); @c = count(); @c = count(); @s = sum(5); @s = sum(-2);"
		"@mn = min(5); @mn = min(-3); @mn = min(9); @mx = max(-5); @mx = max(-7);"
		"@a = avg(4); @a = avg(9); @st = stats(10); @k[7] = count(); @k[7] = count(); }");
	if (!c)
		return;
	CHECK(!map_get(c, "@c", NULL, v, 8) && v[0] == 3, "count: %lld", (long long)v[0]);
	CHECK(!map_get(c, "@s", NULL, v, 8) && v[0] == 3, "sum: %lld", (long long)v[0]);
	CHECK(!map_get(c, "@mn", NULL, v, 16) && v[0] == -3 && v[1] == 1, "min: %lld",
	      (long long)v[0]);
	CHECK(!map_get(c, "@mx", NULL, v, 16) && v[0] == -5 && v[1] == 1, "max: %lld",
	      (long long)v[0]);
	CHECK(!map_get(c, "@a", NULL, v, 16) && v[0] == 13 && v[1] == 2, "avg: %lld/%lld",
	      (long long)v[0], (long long)v[1]);
	CHECK(!map_get(c, "@st", NULL, v, 16) && v[0] == 10 && v[1] == 1, "stats");
	CHECK(!map_get(c, "@k", (int64_t[]){ 7 }, v, 8) && v[0] == 2, "keyed count");
	done(c);
}

/* The BPF code's hist() and lhist() slots are the printer's (lang_hist_slot). */
static void test_hist_slots(void)
{
	static const int64_t vals[] = {
		-5,	   -1,	     0,	   1,	 2,    3,	  4,
		7,	   8,	     1023, 1024, 1025, 1LL << 40, (1LL << 40) - 1,
		INT64_MAX, INT64_MIN
	};
	char src[256];

	if (!need_root())
		return;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct lang_compiled *c;
		uint64_t slots[LANG_HIST_SLOTS];
		unsigned want = lang_hist_slot(vals[i]), lw;
		int64_t lv = vals[i] % 1000;

		snprintf(src, sizeof(src),
			 "BEGIN { @h = hist(%lld); @l = lhist(%lld, -100, 250, 30); }",
			 (long long)vals[i], (long long)lv);
		if (vals[i] == INT64_MIN)
			snprintf(src, sizeof(src),
				 "BEGIN { @h = hist(-9223372036854775807 - 1);"
				 " @l = lhist(%lld, -100, 250, 30); }",
				 (long long)lv);
		c = run_begin(src);
		if (!c)
			continue;
		CHECK(!map_get(c, "@h", NULL, slots, sizeof(slots)), "%s: no @h", src);
		for (unsigned s = 0; s < LANG_HIST_SLOTS; s++)
			CHECK(slots[s] == (s == want), "%s: slot %u holds %llu (want slot %u)", src,
			      s, (unsigned long long)slots[s], want);
		lw = lv < -100	 ? 0
		     : lv >= 250 ? lang_lhist_slots(-100, 250, 30) - 1
				 : (unsigned)((lv + 100) / 30) + 1;
		CHECK(!map_get(c, "@l", NULL, slots, 8 * lang_lhist_slots(-100, 250, 30)), "no @l");
		for (unsigned s = 0; s < lang_lhist_slots(-100, 250, 30); s++)
			CHECK(slots[s] == (s == lw), "%s: lhist slot %u holds %llu (want slot %u)",
			      src, s, (unsigned long long)slots[s], lw);
		done(c);
	}
}

/* Strings as map keys and values: zero-padded, so equal strings are one key. */
static void test_strings(void)
{
	struct lang_compiled *c;
	char v[64];

	if (!need_root())
		return;
	c = run_begin("BEGIN { $a = \"xy\"; @s = $a; @k[\"xy\"] = 1; @k[$a] = 2; @n = comm;"
		      "@t = 1 ? \"yes\" : \"no\"; }");
	if (!c)
		return;
	CHECK(!map_get(c, "@s", NULL, v, sizeof(v)) && !strcmp(v, "xy"), "@s = \"%s\"", v);
	CHECK(!map_get(c, "@n", NULL, v, sizeof(v)) && !strcmp(v, "lang_compile"), "@n = \"%s\"",
	      v);
	CHECK(!map_get(c, "@t", NULL, v, sizeof(v)) && !strcmp(v, "yes"), "@t = \"%s\"", v);
	for (size_t i = 0; i < c->nmaps; i++) {
		char key[64] = { 0 }, next[64];
		int n = 0;

		if (strcmp(c->maps[i].name, "@k"))
			continue;
		while (!bpf_map_get_next_key(c->maps[i].fd, n ? key : NULL, next)) {
			memcpy(key, next, sizeof(key));
			n++;
		}
		CHECK_INT(n, 1);
	}
	done(c);
}

/* The map named @name, or NULL. */
static struct lang_cmap *cmap(struct lang_compiled *c, const char *name)
{
	for (size_t i = 0; i < c->nmaps; i++)
		if (!strcmp(c->maps[i].name, name))
			return &c->maps[i];
	return NULL;
}

/* How many keys @m holds; @first gets the first one's bytes (up to @len). */
static int nkeys(const struct lang_cmap *m, void *first, size_t len)
{
	char key[512], next[512];
	int n = 0;

	memset(first, 0, len);
	while (m->key_size <= sizeof(key) && !bpf_map_get_next_key(m->fd, n ? key : NULL, next)) {
		memcpy(key, next, m->key_size);
		if (!n)
			memcpy(first, key, len < m->key_size ? len : m->key_size);
		n++;
	}
	return n;
}

/* The count at @key (summed over CPUs), -1 if there is no such key. */
static long long count_at(const struct lang_cmap *m, const void *key)
{
	uint64_t v[512];
	long long sum = 0;

	if (ncpus > 512 || bpf_map_lookup_elem(m->fd, key, v))
		return -1;
	for (int i = 0; i < (m->bpf_type == BPF_MAP_TYPE_PERCPU_HASH ? ncpus : 1); i++)
		sum += (long long)v[i];
	return sum;
}

static void hex(const void *p, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = 0;
	for (size_t i = 0; i < n && o + 3 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%02x", ((const uint8_t *)p)[i]);
}

/*
 * Equal values are equal key bytes, whatever the stack held: each program first fills the
 * stack with one pattern, sets @k[K1], fills it with another, sets @k[K2] (the same value
 * written another way), then POST (which may grow the key's types after their use).
 * The key must be exactly IMG (SIZE bytes: strings zero-padded, integers 8 bytes), counted
 * twice, among NKEYS keys.
 */
static void test_key_bytes(void)
{
	static const struct {
		const char *pre, *k1, *k2, *post;
		int nkeys;
		uint32_t size;
		const char *img;
	} cases[] = {
		/* the report: comm next to a ?: whose branches differ in length */
		{ "", "comm, 0 ? \"fail\" : \"ok\"", "comm, \"ok\"", "", 1, 24,
		  "lang_compile\0\0\0\0ok\0\0\0\0\0\0" },
		{ "", "0 ? \"abcdefghijk\" : \"a\"", "\"a\"", "", 1, 16,
		  "a\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" },
		{ "", "(comm, 0 ? \"fail\" : \"ok\")", "(comm, \"ok\")", "", 1, 24,
		  "lang_compile\0\0\0\0ok\0\0\0\0\0\0" },
		{ "", "curtask->comm", "comm", "", 1, 16, "lang_compile\0\0\0\0" },
		{ "", "str($2), 1", "\"word\", 1", "", 1, 16, "word\0\0\0\0\1\0\0\0\0\0\0\0" },
		{ "", "str($2, 2)", "\"wo\"", "", 1, 8, "wo\0\0\0\0\0\0" },
		{ "", "username, 7", "username, 3 + 4", "", 1, 16,
		  "\0\0\0\0\0\0\0\0\7\0\0\0\0\0\0\0" },
		/* a tuple key whose string grows after its first use */
		{ "", "(\"a\", 1)", "(\"a\", 1)", "@k[(\"abcdefghijklmnop\", 2)] = count();", 2, 32,
		  "a\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0" },
		/* the same through a variable, grown after its use too */
		{ "$t = (\"a\", 1);", "$t", "(\"a\", 1)", "$t = (\"abcdefghijklmnop\", 2);", 1, 32,
		  "a\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0" },
	};
	char src[1024], z[201], y[201];

	if (!need_root())
		return;
	memset(z, 'Z', 200);
	memset(y, 'y', 200);
	z[200] = y[200] = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lang_compiled *c;
		struct lang_cmap *m;
		char first[64], h[160];
		long long n;

		snprintf(src, sizeof(src),
			 "BEGIN { %s @g = \"%s\"; @k[%s] = count(); @g = \"%s\"; @k[%s] = count();"
			 " %s }",
			 cases[i].pre, z, cases[i].k1, y, cases[i].k2, cases[i].post);
		c = run_begin(src);
		if (!c)
			continue;
		m = cmap(c, "@k");
		CHECK(m, "@k[%s]: no map", cases[i].k1);
		if (m) {
			int k = nkeys(m, first, sizeof(first));

			hex(first, m->key_size < sizeof(first) ? m->key_size : sizeof(first), h,
			    sizeof(h));
			CHECK(m->key_size == cases[i].size,
			      "@k[%s]: a key of %u bytes, expected %u", cases[i].k1, m->key_size,
			      cases[i].size);
			CHECK(k == cases[i].nkeys, "@k[%s]: %d keys (the first %s), expected %d",
			      cases[i].k1, k, h, cases[i].nkeys);
			n = m->key_size == cases[i].size ? count_at(m, cases[i].img) : -1;
			CHECK(n == 2, "@k[%s]: %lld at the expected key (the first key is %s)",
			      cases[i].k1, n, h);
		}
		done(c);
	}
}

static struct {
	uint8_t b[256];
	size_t n;
} rec;

/* The first record of the ring buffer, into @ctx. */
static int take_record(void *ctx, void *data, size_t size)
{
	typeof(rec) *r = ctx;

	if (!r->n) {
		r->n = size < sizeof(r->b) ? size : sizeof(r->b);
		memcpy(r->b, data, r->n);
	}
	return 0;
}

/* A string argument longer in a later pass than the record first had room for. */
static void test_record_grows(void)
{
	struct lang_compiled *c;
	char src[512], a[82];

	if (!need_root())
		return;
	memset(a, 'a', 81);
	a[81] = 0;
	snprintf(src, sizeof(src),
		 "BEGIN { printf(\"%%s|%%d\\n\", 0 ? \"%s\" : \"b\", 5); $u = 7;"
		 " $t = (\"a\", 1); $t = (\"abcdefghijklmnop\", 2); @u = $u; @s = $t.0; }",
		 a);
	c = run_begin(src);
	if (!c)
		return;
	CHECK_UINT(c->nfmts, 1);
	if (c->nfmts == 1) {
		CHECK_UINT(c->fmts[0].nargs, 2);
		CHECK_UINT(c->fmts[0].args[0].size, 88);
		CHECK_UINT(c->fmts[0].size, 96);
	}
	if (c->ring >= 0) {
		struct ring_buffer *rb =
			ring_buffer__new(c->maps[c->ring].fd, take_record, &rec, NULL);

		rec.n = 0;
		CHECK(rb && ring_buffer__consume(rb) >= 1, "no printf record");
		ring_buffer__free(rb);
		CHECK_UINT(rec.n, 16 + 96);
		if (rec.n == 16 + 96) {
			char want[96] = "b";

			want[88] = 5;
			CHECK(!memcmp(rec.b + 16, want, sizeof(want)),
			      "the printf record's arguments are not \"b\" and 5, zero-padded");
		}
	}
	{
		int64_t u = 0;
		char s[24] = { 0 };

		CHECK(!map_get(c, "@u", NULL, &u, 8) && u == 7, "$u = %lld after $t grew",
		      (long long)u);
		CHECK(!map_get(c, "@s", NULL, s, sizeof(s)) && !strcmp(s, "abcdefghijklmnop"),
		      "$t.0 = \"%s\"", s);
	}
	done(c);
}

/*
 * A char array copied from memory keeps nothing after its NUL: sys_enter_newuname's buffer
 * holds "ab", then a different tail each time.
 */
static void test_cstr_tail(void)
{
	struct lang_diag d;
	struct lang_compiled *c;
	struct lang_cmap *m;
	char src[256], why[256], first[72], h[160], img[72] = "ab";
	int *fds = NULL, err, k;
	size_t nfds = 0;

	if (!need_root())
		return;
	snprintf(src, sizeof(src),
		 "tracepoint:syscalls:sys_enter_newuname /pid == %d/ {"
		 " @k[args->name->sysname] = count(); }",
		 (int)getpid());
	c = compile(src, &d);
	if (!c) {
		KT_SKIP("%s: %d:%d: %s", src, d.pos.line, d.pos.col, d.msg);
		return;
	}
	err = lang_load(c, "t", src, false);
	CHECK(!err, "%s: load: %s", src, strerror(-err));
	if (err) {
		lang_compiled_free(c);
		return;
	}
	err = lang_probe_attach(c->progs[0].target, c->progs[0].fd, 0, &fds, &nfds, why,
				sizeof(why));
	if (err) {
		KT_SKIP("cannot attach to sys_enter_newuname: %s", why);
		done(c);
		return;
	}
	for (int i = 0; i < 2; i++) {
		struct utsname u;

		memset(&u, i ? 'Q' : 'z', sizeof(u));
		memcpy(u.sysname, "ab", 3);
		syscall(SYS_uname, &u);
	}
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	free(fds);
	m = cmap(c, "@k");
	CHECK(m && m->key_size == 72, "@k: a key of %u bytes, expected 72", m ? m->key_size : 0);
	if (m && m->key_size == 72) {
		k = nkeys(m, first, sizeof(first));
		hex(first, 24, h, sizeof(h));
		CHECK(k == 1, "%d keys (the first starts %s), expected 1", k, h);
		CHECK(count_at(m, img) == 2, "@k[\"ab\"] = %lld", count_at(m, img));
	}
	done(c);
}

int main(void)
{
	ncpus = libbpf_num_possible_cpus();
	RUN(test_errors);
	RUN(test_shape);
	RUN(test_values);
	RUN(test_aggregations);
	RUN(test_hist_slots);
	RUN(test_strings);
	RUN(test_key_bytes);
	RUN(test_record_grows);
	RUN(test_cstr_tail);
	lang_program_free(prog);
	return kt_failed_cases ? 1 : 0;
}
