/* SPDX-License-Identifier: GPL-2.0-only */
/* The one-liner language's syntax tree: what the parser builds and later passes annotate. */
#ifndef KS_LANG_AST_H
#define KS_LANG_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A place in the source: 1-based line and column (in bytes), byte offset from the start. */
struct lang_pos {
	int line, col;
	int off;
};

/*
 * Node kinds. Expressions and statements share one node struct (struct lang_node) with
 * generic children, so passes walk the tree with one loop. Each kind lists its fields.
 */
enum lang_kind {
	/* --- expressions --- */
	LN_INT,	    /* ival (the literal's value; `uns` set for values above INT64_MAX) */
	LN_STR,	    /* str: the string literal with escapes decoded, len bytes (may hold NULs) */
	LN_BUILTIN, /* str: pid tid uid gid comm nsecs elapsed cpu cgroup curtask retval args
		     * arg0..argN sarg0..N probe func kstack ustack username rand jiffies */
	LN_VAR,	    /* str: scratch variable name without '$' ("x" for $x) */
	LN_MAP,	    /* str: map name without '@' ("" for the anonymous @); kids: keys (0..n) */
	LN_CALL,    /* str: function name; kids: arguments */
	LN_UNOP,    /* op: LT_NOT LT_BNOT LT_MINUS LT_STAR (deref) LT_AMP? ; kids[0] */
	LN_BINOP,   /* op: LT_PLUS ... LT_LAND LT_LOR (see enum lang_tok); kids[0], kids[1] */
	LN_TERNARY, /* kids: cond, then, else */
	LN_FIELD,   /* str: field name; op: LT_DOT or LT_ARROW; kids[0]: the object */
	LN_INDEX,   /* kids[0]: array/pointer expression, kids[1]: index (not maps: LN_MAP) */
	LN_CAST,    /* str: type as written ("struct task_struct *", "uint32", "int8 *");
		     * kids[0]: the expression */
	LN_INCDEC,  /* op: LT_INC or LT_DEC; ival: 1 if prefix (++x), 0 if postfix (x++);
		     * kids[0]: LN_VAR or LN_MAP */
	LN_TUPLE,   /* kids: elements, 2 or more: (a, b) */
	LN_PARAM,   /* positional parameter: ival = N for $N (1-based), 0 for $# */

	/* --- statements --- */
	LN_EXPR_STMT, /* kids[0]: the expression (a call, an increment) */
	LN_ASSIGN,    /* op: LT_ASSIGN or a compound LT_PLUS_ASSIGN ...; kids[0]: LN_VAR or
		       * LN_MAP target, kids[1]: value */
	LN_IF,	      /* kids[0]: cond, kids[1]: then block, kids[2]: else (block or LN_IF) or
		       * absent (nkids == 2) */
	LN_BLOCK,     /* kids: statements */
	LN_UNROLL,    /* ival: count (1..100); kids[0]: block. unroll($N): ival 0 and
		       * kids[1]: the LN_PARAM (its value is known only at run time) */
	LN_WHILE,     /* kids[0]: cond, kids[1]: block */
	LN_BREAK,
	LN_CONTINUE,
	LN_RETURN, /* ends this probe's action */

	/* --- added after the first version (kept last so the values above stay) --- */
	LN_IDENT, /* str: a bare name that is no builtin and no call: kstack(perf)'s mode,
		   * an enum value, or a type where an expression stands: sizeof(uint32),
		   * sizeof(struct task_struct) ("struct task_struct", as LN_CAST writes it) */
	LN_KIND_NR,
};

/* Tokens; the operator values double as LN_UNOP/LN_BINOP/LN_ASSIGN ops. */
enum lang_tok {
	LT_EOF,
	LT_INT,	    /* integer literal: decimal, 0x hex, 0 octal, 1e6-style, 1_000; suffixes */
	LT_STR,	    /* "string" with C escapes */
	LT_IDENT,   /* names, keywords are their own tokens */
	LT_BUILTIN, /* an identifier that names a builtin variable */
	LT_VAR,	    /* $name */
	LT_MAP,	    /* @name or @ */
	LT_PARAM,   /* $1, $2 ... positional parameters, and $# */
	LT_PROBE,   /* an attach point, lexed as one token (see lang_lex_probe) */
	/* punctuation */
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
	LT_ARROW,
	/* operators */
	LT_PLUS,
	LT_MINUS,
	LT_STAR,
	LT_SLASH,
	LT_PERCENT,
	LT_AMP,
	LT_PIPE,
	LT_CARET,
	LT_SHL,
	LT_SHR,
	LT_BNOT,
	LT_NOT,
	LT_LT,
	LT_LE,
	LT_GT,
	LT_GE,
	LT_EQ,
	LT_NE,
	LT_LAND,
	LT_LOR,
	LT_ASSIGN,
	LT_PLUS_ASSIGN,
	LT_MINUS_ASSIGN,
	LT_STAR_ASSIGN,
	LT_SLASH_ASSIGN,
	LT_PERCENT_ASSIGN,
	LT_AMP_ASSIGN,
	LT_PIPE_ASSIGN,
	LT_CARET_ASSIGN,
	LT_SHL_ASSIGN,
	LT_SHR_ASSIGN,
	LT_INC,
	LT_DEC,
	/* keywords */
	LT_IF,
	LT_ELSE,
	LT_UNROLL,
	LT_WHILE,
	LT_BREAK,
	LT_CONTINUE,
	LT_RETURN,
	LT_STRUCT,
	LT_UNION,
	LT_ENUM,
	LT_TOK_NR,
};

/* Printable form of a token kind for messages: "'+='", "identifier", "end of input". */
const char *lang_tok_name(enum lang_tok t);

struct lang_type; /* set by sema (lang/types.h) */

struct lang_node {
	enum lang_kind kind;
	struct lang_pos pos; /* where the node starts (an operator: its operator token) */
	int op;		     /* enum lang_tok for operators, see the kinds */
	int64_t ival;
	bool uns; /* LN_INT: the literal does not fit int64 */
	char *str;
	size_t len; /* LN_STR: bytes in str (without the terminating NUL) */
	struct lang_node **kids;
	size_t nkids;
	/* Annotations of later passes; the parser leaves them zero. */
	struct lang_type *type;
	int id; /* per kind, by the compiler: LN_TERNARY the bytes of its string result (-1: not
		 * a string, 0: not known yet) */
	void *aux;
};

/*
 * One attach point as written: `tracepoint:sched:sched_switch`, `t:syscalls:sys_enter_*`,
 * `uprobe:/bin/bash:readline`, `u:"/path with space":f`, `profile:hz:99`, `BEGIN`.
 * @parts are the ':'-separated fields with quotes removed; parts[0] is the provider as
 * written (short names are expanded by sema, not here). `uprobe:/bin/bash:0x1234` keeps
 * "0x1234". A field may contain '*', '?', '[...]' wildcards; @raw is the whole text.
 */
struct lang_attach {
	struct lang_pos pos;
	char *raw;
	char **parts;
	size_t nparts;
};

/* `attach[, attach ...] [/predicate/] { body }` */
struct lang_probe {
	struct lang_pos pos;
	struct lang_attach **attach;
	size_t nattach;
	struct lang_node *pred; /* NULL if none */
	struct lang_node *body; /* LN_BLOCK */
};

struct lang_program {
	const char *file; /* name for messages: a path, or "stdin"/"-e" */
	const char *src;  /* the whole source text (not owned) */
	struct lang_probe **probes;
	size_t nprobes;
};

/* A positioned error: "FILE:LINE:COL: error: MSG", the source line, a caret. */
struct lang_diag {
	struct lang_pos pos;
	char msg[256];
};

/*
 * Parse @src (NUL-terminated, @file names it in messages) into a program. Returns NULL
 * on the first error, with @d filled (position and a message that says what was found
 * and what was expected, e.g. "expected ';' or '}' after statement, found identifier
 * 'x'"). Never crashes, never loops forever, on any input; depth is bounded (deeply
 * nested input is an error, not a stack overflow). Free with lang_program_free.
 */
struct lang_program *lang_parse(const char *src, const char *file, struct lang_diag *d);
void lang_program_free(struct lang_program *p);

/* A new node, used by the parser and by later passes that desugar; NULL on ENOMEM. */
struct lang_node *lang_node_new(enum lang_kind kind, struct lang_pos pos);
/* Append @kid to @n's children; 0 or -ENOMEM. */
int lang_node_add(struct lang_node *n, struct lang_node *kid);
void lang_node_free(struct lang_node *n);

/*
 * Write the tree as S-expressions, one probe per line, for tests and `--dump=ast`:
 * (probe (tracepoint syscalls sys_enter_openat) (pred (== (builtin comm) "cat"))
 *  (block (assign = (map x (builtin pid)) (call count)))).
 * Strings are printed with C escapes (other bytes as \NNN octal), integers in decimal.
 * Names are bare words, or quoted when empty or not one word (the anonymous map is
 * (map "")). Per kind: 42 "str" (builtin pid) (var x) (map x KEY...) (call f ARG...)
 * (ident perf) (param 1) (param #) (OP X) for unary and (OP X Y) for binary operators,
 * (* X) being a dereference, (? C A B), (. X f) (-> X f), (index X I), (cast TYPE X),
 * (pre++ X) (post-- X), (tuple A B...), (assign OP TARGET VALUE), (if C BLOCK [ELSE]),
 * (block STMT...), (unroll N BLOCK) or (unroll (param N) BLOCK), (while C BLOCK),
 * (break) (continue) (return); an expression statement is its expression alone.
 * The probe: (probe (PART PART...)... [(pred X)] BLOCK), the parts of each attach point.
 */
void lang_ast_dump(const struct lang_program *p, FILE *f);

/* Columns of the source line an error shows at most: a long line shows a window. */
#define LANG_DIAG_WIDTH 100

/*
 * Print @d as the compiler reports errors (to @f):
 *   FILE:LINE:COL: error: MSG
 *   <the source line>
 *       ^
 * Tabs in the source line are kept so the caret lines up; other control bytes, invalid
 * UTF-8 and backslashes are escaped as ks_text_escape does (\x01, \\), and the caret
 * stays under the escaped character. A line longer than LANG_DIAG_WIDTH bytes shows
 * only that many around the error, with "..." where it was cut. The file name and the
 * message are escaped too. @src may be NULL (no excerpt).
 */
void lang_diag_print(const struct lang_diag *d, const char *file, const char *src, FILE *f);
/*
 * @d as one JSON line, in the shape of ks_error's (docs/json.md):
 *   {"type":"error","tool":"trace","message":MSG,"file":FILE,"line":L,"column":C,
 *    "source":EXCERPT,"source_offset":N,"source_cut":BOOL}
 * "source" is the window of the line lang_diag_print shows (JSON-escaped, without the
 * "..."), "source_offset" the error's byte in it, "source_cut" whether the line was longer.
 */
void lang_diag_json(const struct lang_diag *d, const char *file, const char *src, FILE *f);
/* @d on stderr: JSON when ks_log_init was told --json, else lang_diag_print's text. */
void lang_diag_report(const struct lang_diag *d, const char *file, const char *src);

/* Fill @d (printf-style) and return -EINVAL, for `return lang_error(d, pos, ...)`. */
int lang_error(struct lang_diag *d, struct lang_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
