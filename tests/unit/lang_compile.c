// SPDX-License-Identifier: GPL-2.0-only
/* The language's compiler: positioned errors, and (as root) what the generated code computes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

int main(void)
{
	ncpus = libbpf_num_possible_cpus();
	RUN(test_errors);
	RUN(test_shape);
	RUN(test_values);
	RUN(test_aggregations);
	RUN(test_hist_slots);
	RUN(test_strings);
	lang_program_free(prog);
	return kt_failed_cases ? 1 : 0;
}
