// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the language's front end (src/lang lex, parse, ast): trees, precedence, errors. */
#include <errno.h>

#include "lang/ast.h"
#include "lang/lex.h"
#include "ktest.h"

static struct kt_mem mem;

/* The dump of @src, or "error L:C: MSG\n" when it does not parse. */
static const char *dump(const char *src)
{
	struct lang_diag d = { .pos = { 0, 0, 0 } };
	struct lang_program *p = lang_parse(src, "t.bt", &d);
	FILE *f = kt_mem_open(&mem);

	if (p) {
		lang_ast_dump(p, f);
		lang_program_free(p);
	} else {
		fprintf(f, "error %d:%d: %s\n", d.pos.line, d.pos.col, d.msg);
	}
	return kt_mem_close(&mem);
}

/* the whole program's dump, one probe per line */
#define CHECK_AST(src, want) CHECK_STR(dump(src), want "\n")

/* statements in BEGIN { } */
#define CHECK_BODY(stmts, want)                                                                    \
	CHECK_STR(dump("BEGIN { " stmts " }"), "(probe (BEGIN) (block " want "))\n")

/* an expression's tree: BEGIN { $x = EXPR } */
#define CHECK_EXPR(expr, want)                                                                     \
	CHECK_STR(dump("BEGIN { $x = " expr " }"),                                                 \
		  "(probe (BEGIN) (block (assign = (var x) " want ")))\n")

/* the first error: LINE:COL: MSG */
#define CHECK_ERR(src, line, col, msg) CHECK_STR(dump(src), "error " #line ":" #col ": " msg "\n")

static void test_probes(void)
{
	CHECK_AST("BEGIN { }", "(probe (BEGIN) (block))");
	CHECK_AST("BEGIN{}END{}", "(probe (BEGIN) (block))\n(probe (END) (block))");
	CHECK_AST("BEGIN, END { exit() }", "(probe (BEGIN) (END) (block (call exit)))");
	CHECK_AST("a:b:c,d:e:f {}", "(probe (a b c) (d e f) (block))");
	CHECK_AST("kprobe:f /pid == 1/ { @x = 1 }\nkretprobe:f { @y = 2; }",
		  "(probe (kprobe f) (pred (== (builtin pid) 1)) (block (assign = (map x) 1)))\n"
		  "(probe (kretprobe f) (block (assign = (map y) 2)))");
	CHECK_AST(
		"tracepoint:syscalls:sys_enter_openat /comm == \"cat\"/ { @x[pid] = count(); }",
		"(probe (tracepoint syscalls sys_enter_openat) (pred (== (builtin comm) \"cat\")) "
		"(block (assign = (map x (builtin pid)) (call count))))");
}

static void test_attach_points(void)
{
	CHECK_AST("tracepoint:syscalls:sys_enter_* { }",
		  "(probe (tracepoint syscalls sys_enter_*) (block))");
	CHECK_AST("t:sched:sched_switch,kprobe:vfs_read+16 {}",
		  "(probe (t sched sched_switch) (kprobe vfs_read+16) (block))");
	CHECK_AST("uprobe:/bin/bash:readline {}", "(probe (uprobe /bin/bash readline) (block))");
	CHECK_AST("u:\"/path with space\":f {}", "(probe (u \"/path with space\" f) (block))");
	CHECK_AST("k:\"a\\\"b\"c {}", "(probe (k \"a\\\"bc\") (block))");
	CHECK_AST("usdt:/p:prov:name {}", "(probe (usdt /p prov name) (block))");
	CHECK_AST("profile:hz:99, interval:s:1, i:ms:100 {}",
		  "(probe (profile hz 99) (interval s 1) (i ms 100) (block))");
	CHECK_AST("software:cpu-clock:1000{}", "(probe (software cpu-clock 1000) (block))");
	CHECK_AST("rawtracepoint:sched_switch,kfunc:vfs_read {}",
		  "(probe (rawtracepoint sched_switch) (kfunc vfs_read) (block))");
	CHECK_AST("uretprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc {}",
		  "(probe (uretprobe /lib/x86_64-linux-gnu/libc.so.6 malloc) (block))");
	CHECK_AST("kprobe:vfs_[rw]*,k:tcp_?end {}",
		  "(probe (kprobe vfs_[rw]*) (k tcp_?end) (block))");
	CHECK_AST("uprobe:/bin/bash:0x1234 {}", "(probe (uprobe /bin/bash 0x1234) (block))");
	CHECK_AST("k:a:\"\" {}", "(probe (k a \"\") (block))");
	/* before the first ':' a '/' is a predicate's */
	CHECK_AST("BEGIN/4/2/{}", "(probe (BEGIN) (pred (/ 4 2)) (block))");
	CHECK_AST("BEGIN /* c */ , /*d*/ END // x\n{}", "(probe (BEGIN) (END) (block))");
}

/* The attach points' structs: raw text, parts, positions. */
static void test_attach_struct(void)
{
	struct lang_diag d;
	const char *src = "BEGIN {}\n  u:\"/a b\":f,\n\tk:x+1 /1/ {}";
	struct lang_program *p = lang_parse(src, "f.bt", &d);

	CHECK(p, "parse failed: %s", d.msg);
	if (!p)
		return;
	CHECK_STR(p->file, "f.bt");
	CHECK(p->src == src, "src is not the text given");
	CHECK_INT(p->nprobes, 2);
	CHECK_INT(p->probes[0]->nattach, 1);
	CHECK_INT(p->probes[0]->attach[0]->nparts, 1);
	CHECK_STR(p->probes[0]->attach[0]->parts[0], "BEGIN");
	CHECK(!p->probes[0]->pred, "BEGIN has a predicate");
	CHECK_INT(p->probes[0]->body->kind, LN_BLOCK);
	CHECK_INT(p->probes[1]->nattach, 2);
	CHECK_STR(p->probes[1]->attach[0]->raw, "u:\"/a b\":f");
	CHECK_INT(p->probes[1]->attach[0]->nparts, 3);
	CHECK_STR(p->probes[1]->attach[0]->parts[1], "/a b");
	CHECK_INT(p->probes[1]->attach[0]->pos.line, 2);
	CHECK_INT(p->probes[1]->attach[0]->pos.col, 3);
	CHECK_INT(p->probes[1]->attach[0]->pos.off, 11);
	CHECK_INT(p->probes[1]->pos.off, 11);
	CHECK_STR(p->probes[1]->attach[1]->raw, "k:x+1");
	CHECK_INT(p->probes[1]->attach[1]->pos.line, 3);
	CHECK_INT(p->probes[1]->attach[1]->pos.col, 2);
	CHECK(p->probes[1]->pred && p->probes[1]->pred->kind == LN_INT, "no predicate 1");
	lang_program_free(p);
}

static void test_comments(void)
{
	CHECK_AST("// one\nBEGIN /* two\n three */ { // four\n exit() /**/ }",
		  "(probe (BEGIN) (block (call exit)))");
	CHECK_AST("#!/usr/bin/env bpftrace\nBEGIN { exit(); }",
		  "(probe (BEGIN) (block (call exit)))");
	/* the "#!" line still counts */
	CHECK_ERR("#!/usr/bin/bpftrace\nBEGIN { x y }", 2, 11,
		  "expected ';' or '}' after statement, found identifier 'y'");
	CHECK_AST("BEGIN { $x = 4 /* / */ / 2 }",
		  "(probe (BEGIN) (block (assign = (var x) (/ 4 2))))");
}

static void test_statements(void)
{
	CHECK_BODY("@x = 1; @y[1, \"a\"] = 2; $v = 3",
		   "(assign = (map x) 1) "
		   "(assign = (map y 1 \"a\") 2) (assign = (var v) 3)");
	CHECK_BODY("@ = count(); @[comm] = count();", "(assign = (map \"\") (call count)) (assign "
						      "= (map \"\" (builtin comm)) (call count))");
	CHECK_BODY("$a += 1; $a -= 1; $a *= 1; $a /= 1; $a %= 1; @b &= 1; @b |= 1; @b ^= 1; "
		   "@b <<= 1; @b >>= 1",
		   "(assign += (var a) 1) (assign -= (var a) 1) (assign *= (var a) 1) "
		   "(assign /= (var a) 1) (assign %= (var a) 1) (assign &= (map b) 1) "
		   "(assign |= (map b) 1) (assign ^= (map b) 1) (assign <<= (map b) 1) "
		   "(assign >>= (map b) 1)");
	CHECK_BODY("@x++; $i--; ++@x; --$i; @y[1]++",
		   "(post++ (map x)) (post-- (var i)) (pre++ (map x)) (pre-- (var i)) "
		   "(post++ (map y 1))");
	CHECK_BODY("printf(\"%d\\n\", pid); exit(); delete(@x[1]); clear(@x); 1",
		   "(call printf \"%d\\n\" (builtin pid)) (call exit) (call delete (map x 1)) "
		   "(call clear (map x)) 1");
	CHECK_BODY("if (1) { $a = 1 } else if (2) { $a = 2 } else { $a = 3 }",
		   "(if 1 (block (assign = (var a) 1)) (if 2 (block (assign = (var a) 2)) "
		   "(block (assign = (var a) 3))))");
	CHECK_BODY("if ($x) { } $y = 1", "(if (var x) (block)) (assign = (var y) 1)");
	CHECK_BODY("unroll(5) { @x++; } unroll($2) {}",
		   "(unroll 5 (block (post++ (map x)))) (unroll (param 2) (block))");
	CHECK_BODY("while ($i < 5) { $i++; if ($i == 2) { continue } break; } return;",
		   "(while (< (var i) 5) (block (post++ (var i)) (if (== (var i) 2) "
		   "(block (continue))) (break))) (return)");
	/* ';' may follow a block statement too, and the last statement */
	CHECK_BODY("if (1) { }; exit();", "(if 1 (block)) (call exit)");
	CHECK_BODY("pid > 1 ? printf(\"a\") : exit()",
		   "(? (> (builtin pid) 1) (call printf \"a\") (call exit))");
}

static void test_unroll_node(void)
{
	struct lang_diag d;
	struct lang_program *p =
		lang_parse("BEGIN { unroll(7) { } unroll($3) { @x = 1 } }", "-e", &d);
	struct lang_node *u;

	CHECK(p, "parse failed: %s", d.msg);
	if (!p)
		return;
	u = p->probes[0]->body->kids[0];
	CHECK_INT(u->kind, LN_UNROLL);
	CHECK_INT(u->ival, 7);
	CHECK_INT(u->nkids, 1);
	u = p->probes[0]->body->kids[1];
	CHECK_INT(u->ival, 0);
	CHECK_INT(u->nkids, 2);
	CHECK_INT(u->kids[0]->kind, LN_BLOCK);
	CHECK_INT(u->kids[1]->kind, LN_PARAM);
	CHECK_INT(u->kids[1]->ival, 3);
	lang_program_free(p);
}

static void test_precedence(void)
{
	CHECK_EXPR("1 + 2 * 3", "(+ 1 (* 2 3))");
	CHECK_EXPR("1 * 2 + 3", "(+ (* 1 2) 3)");
	CHECK_EXPR("1 - 2 - 3", "(- (- 1 2) 3)");
	CHECK_EXPR("8 / 4 / 2 % 3", "(% (/ (/ 8 4) 2) 3)");
	CHECK_EXPR("1 << 2 + 3 < 4", "(< (<< 1 (+ 2 3)) 4)");
	CHECK_EXPR("1 < 2 == 3 > 4", "(== (< 1 2) (> 3 4))");
	CHECK_EXPR("1 == 2 & 3 | 4 ^ 5 && 6 || 7", "(|| (&& (| (& (== 1 2) 3) (^ 4 5)) 6) 7)");
	CHECK_EXPR("1 || 2 && 3", "(|| 1 (&& 2 3))");
	CHECK_EXPR("1 | 2 ^ 3 & 4", "(| 1 (^ 2 (& 3 4)))");
	CHECK_EXPR("1 >> 2 <= 3 != 4 >= 5", "(!= (<= (>> 1 2) 3) (>= 4 5))");
	CHECK_EXPR("1 ? 2 : 3 ? 4 : 5", "(? 1 2 (? 3 4 5))");
	CHECK_EXPR("1 ? 2 ? 3 : 4 : 5", "(? 1 (? 2 3 4) 5)");
	CHECK_EXPR("(1 ? 2 : 3) ? 4 : 5", "(? (? 1 2 3) 4 5)");
	CHECK_EXPR("a || b ? c + 1 : d", "(? (|| (ident a) (ident b)) (+ (ident c) 1) (ident d))");
	CHECK_EXPR("(1 + 2) * 3", "(* (+ 1 2) 3)");
	CHECK_EXPR("-1 * -$y", "(* -1 (- (var y)))");
	CHECK_EXPR("!~-*$p", "(! (~ (- (* (var p)))))");
	CHECK_EXPR("!$a == $b", "(== (! (var a)) (var b))");
	CHECK_EXPR("*$p->f", "(* (-> (var p) f))");
	CHECK_EXPR("-$a.b[1]", "(- (index (. (var a) b) 1))");
	CHECK_EXPR("$i++ + ++$j", "(+ (post++ (var i)) (pre++ (var j)))");
}

static void test_postfix(void)
{
	CHECK_EXPR("args.filename", "(. (builtin args) filename)");
	CHECK_EXPR("args->filename", "(-> (builtin args) filename)");
	CHECK_EXPR("curtask->real_parent->pid", "(-> (-> (builtin curtask) real_parent) pid)");
	CHECK_EXPR("$a.b.c", "(. (. (var a) b) c)");
	/* fields named like keywords and builtins */
	CHECK_EXPR("args.comm + $t.if", "(+ (. (builtin args) comm) (. (var t) if))");
	CHECK_EXPR("$t.0", "(. (var t) 0)");
	CHECK_EXPR("(1, \"a\").1", "(. (tuple 1 \"a\") 1)");
	CHECK_EXPR("$a[2]", "(index (var a) 2)");
	CHECK_EXPR("@m[1][2]", "(index (map m 1) 2)");
	CHECK_EXPR("@m[1].x", "(. (map m 1) x)");
	CHECK_EXPR("@m[(1, 2)]", "(map m (tuple 1 2))");
	CHECK_EXPR("$a[$i + 1]->b", "(-> (index (var a) (+ (var i) 1)) b)");
}

static void test_casts(void)
{
	CHECK_EXPR("(uint32)1", "(cast uint32 1)");
	CHECK_EXPR("(struct task_struct *)curtask",
		   "(cast \"struct task_struct *\" (builtin curtask))");
	CHECK_EXPR("(int8*)$p", "(cast \"int8 *\" (var p))");
	CHECK_EXPR("(struct x**)0", "(cast \"struct x **\" 0)");
	CHECK_EXPR("(union u)1 + (enum e)2", "(+ (cast \"union u\" 1) (cast \"enum e\" 2))");
	CHECK_EXPR("(uint64)-1", "(cast uint64 -1)");
	/* "(NAME)" before an operand is a cast, as in bpftrace */
	CHECK_EXPR("(x) - 1", "(cast x -1)");
	CHECK_EXPR("(x) * 2", "(cast x (* 2))");
	CHECK_EXPR("(x) + (pid)", "(+ (ident x) (builtin pid))");
	CHECK_EXPR("(pid) - 1", "(- (builtin pid) 1)");
	CHECK_EXPR("(a * b)", "(* (ident a) (ident b))");
	CHECK_EXPR("(struct task_struct *)curtask->parent",
		   "(cast \"struct task_struct *\" (-> (builtin curtask) parent))");
	CHECK_EXPR("sizeof(struct task_struct) + sizeof(uint32)",
		   "(+ (call sizeof (ident \"struct task_struct\")) (call sizeof (ident uint32)))");
}

static void test_primaries(void)
{
	CHECK_EXPR("(1, \"a\", $y)", "(tuple 1 \"a\" (var y))");
	CHECK_EXPR("((1))", "1");
	CHECK_EXPR("$1 + $# + $12", "(+ (+ (param 1) (param #)) (param 12))");
	CHECK_EXPR("pid + tid + uid + gid + comm + nsecs + elapsed + numaid + cpu + cgroup",
		   "(+ (+ (+ (+ (+ (+ (+ (+ (+ (builtin pid) (builtin tid)) (builtin uid)) "
		   "(builtin gid)) (builtin comm)) (builtin nsecs)) (builtin elapsed)) "
		   "(builtin numaid)) (builtin cpu)) (builtin cgroup))");
	CHECK_EXPR("(curtask, retval, args, probe, func, kstack, ustack, username, rand, jiffies, "
		   "cpid, ctx)",
		   "(tuple (builtin curtask) (builtin retval) (builtin args) (builtin probe) "
		   "(builtin func) (builtin kstack) (builtin ustack) (builtin username) "
		   "(builtin rand) (builtin jiffies) (builtin cpid) (builtin ctx))");
	CHECK_EXPR("(arg0, arg9, arg12, sarg0, sarg3, arg01, args1)",
		   "(tuple (builtin arg0) (builtin arg9) (builtin arg12) (builtin sarg0) "
		   "(builtin sarg3) (ident arg01) (ident args1))");
	CHECK_EXPR("kstack(perf, 10)", "(call kstack (ident perf) 10)");
	CHECK_EXPR("str(args->filename, 16)", "(call str (-> (builtin args) filename) 16)");
	CHECK_EXPR("foo", "(ident foo)");
	CHECK_EXPR("@", "(map \"\")");
	CHECK_EXPR("@a_1[$k]", "(map a_1 (var k))");
}

static void test_integers(void)
{
	CHECK_EXPR("0", "0");
	CHECK_EXPR("1_000_000", "1000000");
	CHECK_EXPR("1__0", "10");
	CHECK_EXPR("0x1F + 0XaB", "(+ 31 171)");
	CHECK_EXPR("010 + 0_7 + 00", "(+ (+ 8 7) 0)");
	CHECK_EXPR("1e6 + 5E3 + 0e100 + 10e2 + 1e1_0",
		   "(+ (+ (+ (+ 1000000 5000) 0) 1000) 10000000000)");
	CHECK_EXPR("1u + 2l + 3ll + 4UL + 5ull + 6uL + 1e3u + 0x10u",
		   "(+ (+ (+ (+ (+ (+ (+ 1 2) 3) 4) 5) 6) 1000) 16)");
	CHECK_EXPR("9223372036854775807", "9223372036854775807");
	CHECK_EXPR("18446744073709551615", "18446744073709551615");
	CHECK_EXPR("0xffffffffffffffff", "18446744073709551615");
	CHECK_EXPR("-9223372036854775808", "-9223372036854775808");
	/* only a literal written right after '-' is negative; -(1) stays an operation */
	CHECK_EXPR("-(1) + - -2", "(+ (- 1) (- -2))");
	CHECK_EXPR("-18446744073709551615", "(- 18446744073709551615)");
}

/* LN_INT's value and uns, and node positions */
static void test_int_nodes(void)
{
	struct lang_diag d;
	struct lang_program *p = lang_parse(
		"BEGIN {\n\t@x = 9223372036854775808 + -9223372036854775808 * 1;\n}", "-e", &d);
	struct lang_node *a, *plus, *l, *times, *r;

	CHECK(p, "parse failed: %s", d.msg);
	if (!p)
		return;
	a = p->probes[0]->body->kids[0];
	CHECK_INT(a->kind, LN_ASSIGN);
	CHECK_INT(a->op, LT_ASSIGN);
	CHECK_INT(a->pos.line, 2);
	CHECK_INT(a->pos.col, 5);
	plus = a->kids[1];
	CHECK_INT(plus->kind, LN_BINOP);
	CHECK_INT(plus->op, LT_PLUS);
	CHECK_INT(plus->pos.col, 27);
	l = plus->kids[0];
	CHECK_INT(l->kind, LN_INT);
	CHECK(l->uns, "2^63 is not marked unsigned");
	CHECK_UINT((uint64_t)l->ival, 9223372036854775808ULL);
	times = plus->kids[1];
	CHECK_INT(times->op, LT_STAR);
	r = times->kids[0];
	CHECK(!r->uns, "-2^63 is marked unsigned");
	CHECK(r->ival == INT64_MIN, "-2^63 is %lld", (long long)r->ival);
	CHECK_INT(r->pos.col, 29); /* the '-' */
	lang_program_free(p);
}

static void test_strings(void)
{
	struct lang_diag d;
	struct lang_program *p;
	struct lang_node *s;

	CHECK_EXPR("\"a\\tb\\\\c\\\"d\\x41\\101\\r\\n\"", "\"a\\tb\\\\c\\\"dAA\\r\\n\"");
	CHECK_EXPR("\"\\x4\\x4g\\0\\1234\\377\"", "\"\\004\\004g\\000S4\\377\"");
	CHECK_EXPR("\"\"", "\"\"");
	p = lang_parse("BEGIN { $s = \"a\\0b\\x00\"; }", "-e", &d);
	CHECK(p, "parse failed: %s", d.msg);
	if (!p)
		return;
	s = p->probes[0]->body->kids[0]->kids[1];
	CHECK_INT(s->kind, LN_STR);
	CHECK_INT(s->len, 4);
	CHECK(!memcmp(s->str, "a\0b\0", 5), "the string's bytes differ");
	lang_program_free(p);
}

static void test_errors_lexical(void)
{
	CHECK_ERR("BEGIN { printf(\"abc) }", 1, 16,
		  "unterminated string: end of input before the closing '\"'");
	CHECK_ERR("BEGIN { printf(\"ab\ncd\") }", 1, 16,
		  "unterminated string: end of line before the closing '\"'");
	CHECK_ERR("BEGIN { printf(\"a\\qb\") }", 1, 18,
		  "invalid escape '\\q' in string (known: \\n \\t \\r \\\\ \\\" \\xHH \\NNN)");
	CHECK_ERR("BEGIN { \"\\777\" }", 1, 10,
		  "octal escape '\\777' is out of range (more than \\377)");
	CHECK_ERR("BEGIN { \"\\x\" }", 1, 10, "escape '\\x' without hex digits");
	CHECK_ERR("BEGIN { } /* never closed", 1, 11,
		  "unterminated comment: no '*/' before the end of input");
	CHECK_ERR("BEGIN { @x = 18446744073709551616; }", 1, 14,
		  "integer literal '18446744073709551616' is out of range (more than 64 bits)");
	CHECK_ERR("BEGIN { @x = 0x10000000000000000; }", 1, 14,
		  "integer literal '0x10000000000000000' is out of range (more than 64 bits)");
	CHECK_ERR("BEGIN { @x = 1e20; }", 1, 14,
		  "integer literal '1e20' is out of range (more than 64 bits)");
	CHECK_ERR("BEGIN { @x = 0789; }", 1, 14, "invalid digit '8' in octal literal '0789'");
	CHECK_ERR("BEGIN { @x = 1_; }", 1, 14,
		  "invalid integer literal '1_': '_' must stand between digits");
	CHECK_ERR("BEGIN { @x = 10ms; }", 1, 14, "invalid integer literal '10ms'");
	CHECK_ERR("BEGIN { @x = 0x; }", 1, 14, "invalid integer literal '0x'");
	CHECK_ERR("BEGIN { @x = 1lu; }", 1, 14, "invalid integer literal '1lu'");
	CHECK_ERR("BEGIN { @x = `x` }", 1, 14, "unexpected character '`'");
	CHECK_ERR("BEGIN { @x = 'x' }", 1, 14,
		  "unexpected character ''': strings are written in double quotes");
	CHECK_ERR("BEGIN { @x = \x01 }", 1, 14, "unexpected byte 0x01");
	CHECK_ERR("BEGIN { @x = 1 } #", 1, 18, "unexpected character '#'");
	CHECK_ERR("#include <linux/sched.h>\nBEGIN { }", 1, 1,
		  "unexpected '#include': preprocessor directives are not supported");
	CHECK_ERR("BEGIN { $0 }", 1, 9, "there is no positional parameter $0: they start at $1");
	CHECK_ERR("BEGIN { $99999999999999999999 }", 1, 9,
		  "positional parameter '$99999999999999999999' is out of range");
	CHECK_ERR("BEGIN { $ = 1 }", 1, 9,
		  "expected a variable name, a parameter number or '#' after '$'");
	CHECK_ERR("BEGIN { @1 = 1 }", 1, 9,
		  "invalid map name '@1': a map's name starts with a letter or '_'");
	CHECK_ERR("u:\"/x y:f {}", 1, 3,
		  "unterminated quoted part of an attach point: end of input before the closing "
		  "'\"'");
}

static void test_errors_syntax(void)
{
	CHECK_ERR("", 1, 1, "expected a probe such as 'BEGIN { ... }', found end of input");
	CHECK_ERR("BEGIN { x y }", 1, 11,
		  "expected ';' or '}' after statement, found identifier 'y'");
	CHECK_ERR("BEGIN { $x = 1 $y = 2 }", 1, 16,
		  "expected ';' or '}' after statement, found variable '$y'");
	CHECK_ERR("BEGIN { $x = \"a\" \"b\" }", 1, 18,
		  "expected ';' or '}' after statement, found string \"b\"");
	CHECK_ERR("tracepoint:syscalls:sys_enter_read", 1, 35,
		  "expected '{' after attach point 'tracepoint:syscalls:sys_enter_read', found end "
		  "of input");
	CHECK_ERR("BEGIN }", 1, 7, "expected '{' after attach point 'BEGIN', found '}'");
	CHECK_ERR("BEGIN {", 1, 8,
		  "expected '}' to close the block opened at 1:7, found end of input");
	CHECK_ERR("BEGIN,{}", 1, 7, "expected attach point after ',', found '{'");
	CHECK_ERR(",BEGIN {}", 1, 1, "expected attach point, found ','");
	CHECK_ERR("BEGIN {} ;", 1, 10, "expected attach point, found ';'");
	CHECK_ERR("BEGIN {} 42 {}", 1, 10, "expected attach point, found integer '42'");
	CHECK_ERR("BEGIN /1/", 1, 10, "expected '{' after the predicate, found end of input");
	CHECK_ERR("BEGIN /pid == / { }", 1, 15, "expected expression, found '/'");
	CHECK_ERR("BEGIN /1 { }", 1, 10, "expected '/' to end the predicate, found '{'");
	CHECK_ERR("BEGIN { ;; }", 1, 9, "expected statement, found ';'");
	CHECK_ERR("BEGIN { $x = 1;; }", 1, 16, "expected statement, found ';'");
	CHECK_ERR("BEGIN { { } }", 1, 9, "expected statement, found '{'");
	CHECK_ERR("BEGIN { else { } }", 1, 9, "expected statement, found 'else'");
	CHECK_ERR("BEGIN { if 1 { } }", 1, 12, "expected '(' after 'if', found integer '1'");
	CHECK_ERR("BEGIN { if (1 { } }", 1, 15,
		  "expected ')' after the condition of 'if', found '{'");
	CHECK_ERR("BEGIN { if (1) $x = 1; }", 1, 16,
		  "expected '{' after the condition of 'if', found variable '$x'");
	CHECK_ERR("BEGIN { if (1) { } else $x = 1; }", 1, 25,
		  "expected '{' after 'else', found variable '$x'");
	CHECK_ERR("BEGIN { while 1 { } }", 1, 15, "expected '(' after 'while', found integer '1'");
	CHECK_ERR("BEGIN { unroll(0) { } }", 1, 16, "unroll count must be from 1 to 100, found 0");
	CHECK_ERR("BEGIN { unroll(101) { } }", 1, 16,
		  "unroll count must be from 1 to 100, found 101");
	CHECK_ERR("BEGIN { unroll(2+3) { } }", 1, 17,
		  "expected ')' after the unroll count, found '+'");
	CHECK_ERR("BEGIN { unroll($x) { } }", 1, 16,
		  "expected an unroll count (1 to 100, or a parameter such as $1), found variable "
		  "'$x'");
	CHECK_ERR("BEGIN { $a = $b = 1; }", 1, 17,
		  "expected ';' or '}' after statement, found '='");
	CHECK_ERR("BEGIN { 1 = 2 }", 1, 11,
		  "the left side of '=' must be a variable ($x) or a map (@x)");
	CHECK_ERR("BEGIN { $a.b += 2 }", 1, 14,
		  "the left side of '+=' must be a variable ($x) or a map (@x)");
	CHECK_ERR("BEGIN { 1++ }", 1, 10, "'++' needs a variable ($x) or a map (@x) before it");
	CHECK_ERR("BEGIN { --f() }", 1, 9, "'--' needs a variable ($x) or a map (@x) after it");
	CHECK_ERR("BEGIN { f(1,) }", 1, 13, "expected expression, found ')'");
	CHECK_ERR("BEGIN { f(1 2) }", 1, 13,
		  "expected ',' or ')' after the arguments, found integer '2'");
	CHECK_ERR("BEGIN { @x[] = 1 }", 1, 12, "expected expression, found ']'");
	CHECK_ERR("BEGIN { @x[1 = 1 }", 1, 14,
		  "expected ',' or ']' after the map's keys, found '='");
	CHECK_ERR("BEGIN { $a[1 }", 1, 14, "expected ']' after the index, found '}'");
	CHECK_ERR("BEGIN { (1,) }", 1, 12, "expected expression, found ')'");
	CHECK_ERR("BEGIN { (1 }", 1, 12, "expected ')' or ',', found '}'");
	CHECK_ERR("BEGIN { 1 ? 2 }", 1, 15, "expected ':' in '?:', found '}'");
	CHECK_ERR("BEGIN { $a. }", 1, 13,
		  "expected a field name or a tuple index after '.', found '}'");
	CHECK_ERR("BEGIN { $a->1 }", 1, 13, "expected a field name after '->', found integer '1'");
	CHECK_ERR("BEGIN { $t.1u }", 1, 12,
		  "expected a field name or a tuple index after '.', found integer '1u'");
	CHECK_ERR("BEGIN { (struct 1)$x }", 1, 17, "expected a type name, found integer '1'");
	CHECK_ERR("BEGIN { (struct x *)}", 1, 21,
		  "expected an expression after the cast, found '}'");
	CHECK_ERR("BEGIN { &$x }", 1, 9, "expected statement, found '&'");
	CHECK_ERR("BEGIN { $x = &$y }", 1, 14, "expected expression, found '&'");
	CHECK_ERR("struct foo { int a; }\nBEGIN { }", 1, 1,
		  "C definitions ('struct') are not supported: types come from the kernel's BTF");
}

/* The same error in a file of several lines, and what lang_diag_print makes of it. */
static void test_error_in_file(void)
{
	const char *src = "// count reads\n"
			  "tracepoint:syscalls:sys_enter_read {\n"
			  "\t@reads[comm] = count() @x\n"
			  "}\n";
	struct lang_diag d;
	struct lang_program *p = lang_parse(src, "reads.bt", &d);

	CHECK(!p, "parsed a bad program");
	CHECK_INT(errno, EINVAL);
	CHECK_INT(d.pos.line, 3);
	CHECK_INT(d.pos.col, 25);
	CHECK_INT(d.pos.off, 15 + 37 + 24);
	CHECK_STR(d.msg, "expected ';' or '}' after statement, found map '@x'");
	lang_diag_print(&d, "reads.bt", src, kt_mem_open(&mem));
	CHECK_STR(kt_mem_close(&mem),
		  "reads.bt:3:25: error: expected ';' or '}' after statement, found map '@x'\n"
		  "\t@reads[comm] = count() @x\n"
		  "\t                       ^\n");
	lang_program_free(p);
}

static void test_diag_print(void)
{
	struct lang_diag d = { .pos = { 2, 4, 12 } };

	snprintf(d.msg, sizeof(d.msg), "boom");
	/* tabs kept, a UTF-8 character is one column on the screen, CR of CRLF dropped */
	lang_diag_print(&d, "x.bt", "line one\n\t\xc3\xa9Z rest\r\nthree", kt_mem_open(&mem));
	CHECK_STR(kt_mem_close(&mem), "x.bt:2:4: error: boom\n\t\xc3\xa9Z rest\n\t ^\n");
	/* without a source no excerpt; without a file name "stdin" */
	lang_diag_print(&d, NULL, NULL, kt_mem_open(&mem));
	CHECK_STR(kt_mem_close(&mem), "stdin:2:4: error: boom\n");
	/* at the end of the input, after a newline: an empty line and a caret */
	d = (struct lang_diag){ .pos = { 2, 1, 6 } };
	snprintf(d.msg, sizeof(d.msg), "eof");
	lang_diag_print(&d, "-e", "BEGIN\n", kt_mem_open(&mem));
	CHECK_STR(kt_mem_close(&mem), "-e:2:1: error: eof\n\n^\n");
	/* the whole message through lang_parse */
	{
		const char *src = "BEGIN {\n  @x = (1 +\n}";
		struct lang_program *p = lang_parse(src, "-e", &d);

		CHECK(!p, "parsed");
		lang_diag_print(&d, "-e", src, kt_mem_open(&mem));
		CHECK_STR(kt_mem_close(&mem),
			  "-e:3:1: error: expected expression, found '}'\n}\n^\n");
	}
}

/* A long line shows a window around the error; control bytes and bad UTF-8 are escaped. */
static void test_diag_bounded(void)
{
	struct lang_diag d = { .pos = { 1, 0, 0 } };
	size_t n = 5000;
	char *src = malloc(n + 16), want[512];
	const char *out;

	snprintf(d.msg, sizeof(d.msg), "bad\x1b");
	memset(src, 'x', n);
	memcpy(src + 4000, "\x01\xff\\y", 4);
	src[n] = 0;
	d.pos.off = 4000;
	d.pos.col = 4001;
	lang_diag_print(&d, "f\tb", src, kt_mem_open(&mem));
	out = kt_mem_close(&mem);
	/* 33 bytes before the error, 66 after it (escaped), "..." both sides */
	snprintf(want, sizeof(want),
		 "f\\tb:1:4001: error: bad\\x1b\n...%.33s\\x01\\xff\\\\y%.63s...\n%36s^\n", src,
		 src, "");
	CHECK_STR(out, want);
	/* short lines are shown whole, escapes counted for the caret */
	d.pos.off = 2;
	lang_diag_print(&d, "-e", "\x02\x03Z", kt_mem_open(&mem));
	CHECK_STR(kt_mem_close(&mem), "-e:1:4001: error: bad\\x1b\n\\x02\\x03Z\n        ^\n");
	free(src);
}

/* Deep nesting is an error, not a stack overflow; long chains are bounded too. */
static void test_limits(void)
{
	size_t n = 300, cap = 64 * 1024, o = 0;
	char *s = malloc(cap);

	if (!s)
		return;
	/* 200 parentheses are fine */
	o = (size_t)snprintf(s, cap, "BEGIN { $x = ");
	for (size_t i = 0; i < 200; i++)
		s[o++] = '(';
	s[o++] = '1';
	for (size_t i = 0; i < 200; i++)
		s[o++] = ')';
	snprintf(s + o, cap - o, " }");
	CHECK_STR(dump(s), "(probe (BEGIN) (block (assign = (var x) 1)))\n");
	/* 300 are not: the block and the statement take two levels, the 255th '(' the 257th */
	o = (size_t)snprintf(s, cap, "BEGIN { $x = ");
	for (size_t i = 0; i < n; i++)
		s[o++] = '(';
	snprintf(s + o, cap - o, "1 }");
	CHECK_STR(dump(s), "error 1:269: nesting deeper than 256 levels\n");
	/* nor are 300 nested ifs, nor 100000 '!' */
	o = (size_t)snprintf(s, cap, "BEGIN { ");
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, cap - o, "if (1) { ");
	snprintf(s + o, cap - o, "}");
	CHECK(!strncmp(dump(s), "error 1:", 8) && strstr(mem.buf, "nesting deeper than 256 levels"),
	      "300 nested ifs: %s", mem.buf);
	free(s);
	s = malloc(200000);
	if (!s)
		return;
	o = (size_t)sprintf(s, "BEGIN { $x = ");
	memset(s + o, '!', 100000);
	sprintf(s + o + 100000, "1 }");
	CHECK_STR(dump(s), "error 1:268: nesting deeper than 256 levels\n");
	/* a sum of 2000 terms is a tree 2000 deep: refused at the 1024th level ('+' 1023) */
	o = (size_t)sprintf(s, "BEGIN { $x = 1");
	for (size_t i = 0; i < 2000; i++)
		o += (size_t)sprintf(s + o, "+1");
	sprintf(s + o, " }");
	CHECK_STR(dump(s), "error 1:2059: expression too long: its syntax tree is more than 1024 "
			   "levels deep\n");
	/* 1000 terms are fine */
	o = (size_t)sprintf(s, "BEGIN { $x = 1");
	for (size_t i = 0; i < 1000; i++)
		o += (size_t)sprintf(s + o, "+1");
	sprintf(s + o, " }");
	CHECK(!strncmp(dump(s), "(probe (BEGIN) (block (assign = (var x) (+ (+ (+", 45),
	      "1000 terms: %.100s", mem.buf);
	free(s);
}

static void test_errno(void)
{
	struct lang_diag d;

	errno = 0;
	CHECK(!lang_parse(NULL, "-e", &d), "parsed NULL");
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK(!lang_parse("BEGIN {", "-e", &d), "parsed a bad program");
	CHECK_INT(errno, EINVAL);
	/* no diag wanted: still no crash */
	CHECK(!lang_parse("BEGIN {", "-e", NULL), "parsed a bad program");
}

static void test_tokens(void)
{
	struct lang_diag d;
	struct lang_lexer lx;
	struct lang_token t;
	char b[128];
	const enum lang_tok want[] = { LT_VAR,	   LT_SHL_ASSIGN, LT_MAP,    LT_ARROW,
				       LT_IDENT,   LT_PARAM,	  LT_NE,     LT_STR,
				       LT_BUILTIN, LT_INT,	  LT_UNROLL, LT_EOF };
	size_t i = 0;

	CHECK_STR(lang_tok_name(LT_PLUS_ASSIGN), "'+='");
	CHECK_STR(lang_tok_name(LT_IDENT), "identifier");
	CHECK_STR(lang_tok_name(LT_EOF), "end of input");
	CHECK_STR(lang_tok_name(LT_WHILE), "'while'");
	CHECK_STR(lang_tok_name(LT_TOK_NR), "unknown token");
	lang_lex_init(&lx, "$v <<= @m->x $# != \"s\\n\" sarg2 0x10 unroll", &d);
	do {
		CHECK(!lang_lex_next(&lx, &t), "lex error: %s", d.msg);
		CHECK(i < sizeof(want) / sizeof(want[0]) && t.kind == want[i], "token %zu is %s", i,
		      lang_tok_name(t.kind));
		i++;
	} while (t.kind != LT_EOF && i < 20);
	CHECK_INT(t.pos.off, 42);
	lang_lex_init(&lx, "\"a\\x41\\0b\"", &d);
	CHECK(!lang_lex_next(&lx, &t), "lex error: %s", d.msg);
	{
		char *s;
		size_t n;

		CHECK(!lang_lex_string(&t, &s, &n), "decode failed");
		CHECK(n == 4 && !memcmp(s, "aA\0b", 5), "decoded %zu bytes", n);
		free(s);
	}
	CHECK_STR(lang_tok_describe(&t, b, sizeof(b)), "string \"a\\x41\\0b\"");
	t = (struct lang_token){ .kind = LT_IDENT,
				 .text = "a_very_long_identifier_that_goes_on_and_on_and_on",
				 .len = 49 };
	CHECK_STR(lang_tok_describe(&t, b, sizeof(b)),
		  "identifier 'a_very_long_identifier_that_goes_on_and_...'");
	t = (struct lang_token){ .kind = LT_RBRACE, .text = "}", .len = 1 };
	CHECK_STR(lang_tok_describe(&t, b, sizeof(b)), "'}'");
	/* the lexer of attach points */
	lang_lex_init(&lx, "  k:vfs_read+4,u:\"/a b\":f/x/ {", &d);
	CHECK(!lang_lex_probe(&lx, &t), "lex error: %s", d.msg);
	CHECK_INT(t.kind, LT_PROBE);
	CHECK_MEM(t.text, t.len, "k:vfs_read+4");
	CHECK(!lang_lex_next(&lx, &t) && t.kind == LT_COMMA, "no comma");
	CHECK(!lang_lex_probe(&lx, &t), "lex error: %s", d.msg);
	CHECK_MEM(t.text, t.len, "u:\"/a b\":f/x/");
	CHECK_INT(lang_lex_peek_char(&lx, lx.off), '{');
}

/* Every operator and punctuation token, longest match first ("<<=" is one token). */
static void test_operators(void)
{
	static const enum lang_tok want[] = {
		LT_LBRACE,
		LT_RBRACE,
		LT_LPAREN,
		LT_RPAREN,
		LT_LBRACKET,
		LT_RBRACKET,
		LT_COMMA,
		LT_SEMI,
		LT_COLON,
		LT_QUESTION,
		LT_DOT,
		LT_BNOT,
		LT_PLUS,
		LT_INC,
		LT_PLUS_ASSIGN,
		LT_MINUS,
		LT_DEC,
		LT_ARROW,
		LT_MINUS_ASSIGN,
		LT_STAR,
		LT_STAR_ASSIGN,
		LT_SLASH,
		LT_SLASH_ASSIGN,
		LT_PERCENT,
		LT_PERCENT_ASSIGN,
		LT_CARET,
		LT_CARET_ASSIGN,
		LT_ASSIGN,
		LT_EQ,
		LT_NOT,
		LT_NE,
		LT_AMP,
		LT_LAND,
		LT_AMP_ASSIGN,
		LT_PIPE,
		LT_LOR,
		LT_PIPE_ASSIGN,
		LT_LT,
		LT_SHL,
		LT_SHL_ASSIGN,
		LT_LE,
		LT_GT,
		LT_SHR,
		LT_SHR_ASSIGN,
		LT_GE,
		LT_INC,
		LT_PLUS,
		LT_SHL,
		LT_LT,
		LT_ARROW,
		LT_GT,
		LT_EOF,
	};
	const char *src =
		"{ } ( ) [ ] , ; : ? . ~ + ++ += - -- -> -= * *= / /= % %= ^ ^= = == ! != "
		"& && &= | || |= < << <<= <= > >> >>= >= +++<<<->>";
	struct lang_diag d;
	struct lang_lexer lx;
	struct lang_token t;
	size_t i = 0;

	lang_lex_init(&lx, src, &d);
	do {
		CHECK(!lang_lex_next(&lx, &t), "lex error: %s", d.msg);
		CHECK(i < sizeof(want) / sizeof(want[0]) && t.kind == want[i],
		      "token %zu at %d is %s, expected %s", i, t.pos.col, lang_tok_name(t.kind),
		      i < sizeof(want) / sizeof(want[0]) ? lang_tok_name(want[i]) : "nothing");
		i++;
	} while (t.kind != LT_EOF && i < 100);
	CHECK_INT(i, sizeof(want) / sizeof(want[0]));
}

static void test_node_api(void)
{
	struct lang_node *n = lang_node_new(LN_CALL, (struct lang_pos){ 1, 2, 1 });
	struct lang_program prog = { 0 };

	CHECK(n, "no node");
	if (!n)
		return;
	n->str = strdup("f");
	for (int i = 0; i < 5; i++) {
		struct lang_node *k = lang_node_new(LN_INT, n->pos);

		k->ival = i;
		CHECK_INT(lang_node_add(n, k), 0);
	}
	CHECK_INT(n->nkids, 5);
	CHECK_INT(n->kids[4]->ival, 4);
	lang_node_free(n);
	lang_node_free(NULL);
	lang_program_free(NULL);
	/* an empty program dumps as nothing */
	lang_ast_dump(&prog, kt_mem_open(&mem));
	CHECK_STR(kt_mem_close(&mem), "");
}

int main(void)
{
	RUN(test_probes);
	RUN(test_attach_points);
	RUN(test_attach_struct);
	RUN(test_comments);
	RUN(test_statements);
	RUN(test_unroll_node);
	RUN(test_precedence);
	RUN(test_postfix);
	RUN(test_casts);
	RUN(test_primaries);
	RUN(test_integers);
	RUN(test_int_nodes);
	RUN(test_strings);
	RUN(test_errors_lexical);
	RUN(test_errors_syntax);
	RUN(test_error_in_file);
	RUN(test_diag_print);
	RUN(test_diag_bounded);
	RUN(test_limits);
	RUN(test_errno);
	RUN(test_tokens);
	RUN(test_operators);
	RUN(test_node_api);
	free(mem.buf);
	return kt_done();
}
