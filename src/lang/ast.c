// SPDX-License-Identifier: GPL-2.0-only
/* The one-liner language's syntax tree: nodes, the S-expression dump, positioned errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/out.h"
#include "lang/ast.h"

/* Operators and keywords as quoted for messages; the dump prints them without the quotes. */
static const char *const tok_names[LT_TOK_NR] = {
	[LT_EOF] = "end of input",
	[LT_INT] = "integer",
	[LT_STR] = "string",
	[LT_IDENT] = "identifier",
	[LT_BUILTIN] = "builtin",
	[LT_VAR] = "variable",
	[LT_MAP] = "map",
	[LT_PARAM] = "positional parameter",
	[LT_PROBE] = "attach point",
	[LT_LBRACE] = "'{'",
	[LT_RBRACE] = "'}'",
	[LT_LPAREN] = "'('",
	[LT_RPAREN] = "')'",
	[LT_LBRACKET] = "'['",
	[LT_RBRACKET] = "']'",
	[LT_COMMA] = "','",
	[LT_SEMI] = "';'",
	[LT_COLON] = "':'",
	[LT_QUESTION] = "'?'",
	[LT_DOT] = "'.'",
	[LT_ARROW] = "'->'",
	[LT_PLUS] = "'+'",
	[LT_MINUS] = "'-'",
	[LT_STAR] = "'*'",
	[LT_SLASH] = "'/'",
	[LT_PERCENT] = "'%'",
	[LT_AMP] = "'&'",
	[LT_PIPE] = "'|'",
	[LT_CARET] = "'^'",
	[LT_SHL] = "'<<'",
	[LT_SHR] = "'>>'",
	[LT_BNOT] = "'~'",
	[LT_NOT] = "'!'",
	[LT_LT] = "'<'",
	[LT_LE] = "'<='",
	[LT_GT] = "'>'",
	[LT_GE] = "'>='",
	[LT_EQ] = "'=='",
	[LT_NE] = "'!='",
	[LT_LAND] = "'&&'",
	[LT_LOR] = "'||'",
	[LT_ASSIGN] = "'='",
	[LT_PLUS_ASSIGN] = "'+='",
	[LT_MINUS_ASSIGN] = "'-='",
	[LT_STAR_ASSIGN] = "'*='",
	[LT_SLASH_ASSIGN] = "'/='",
	[LT_PERCENT_ASSIGN] = "'%='",
	[LT_AMP_ASSIGN] = "'&='",
	[LT_PIPE_ASSIGN] = "'|='",
	[LT_CARET_ASSIGN] = "'^='",
	[LT_SHL_ASSIGN] = "'<<='",
	[LT_SHR_ASSIGN] = "'>>='",
	[LT_INC] = "'++'",
	[LT_DEC] = "'--'",
	[LT_IF] = "'if'",
	[LT_ELSE] = "'else'",
	[LT_UNROLL] = "'unroll'",
	[LT_WHILE] = "'while'",
	[LT_BREAK] = "'break'",
	[LT_CONTINUE] = "'continue'",
	[LT_RETURN] = "'return'",
	[LT_STRUCT] = "'struct'",
	[LT_UNION] = "'union'",
	[LT_ENUM] = "'enum'",
};

const char *lang_tok_name(enum lang_tok t)
{
	if ((unsigned)t >= LT_TOK_NR || !tok_names[t])
		return "unknown token";
	return tok_names[t];
}

int lang_error(struct lang_diag *d, struct lang_pos pos, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return -EINVAL;
	d->pos = pos;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The line of @src holding byte @off, and the window of it that is shown. */
struct excerpt {
	size_t off, start, end; /* the error, its line [start, end) */
	size_t ws, we;		/* the window shown, [ws, we) */
};

static void excerpt_find(const char *src, int at, struct excerpt *x)
{
	size_t len = strlen(src);

	x->off = at < 0 ? 0 : (size_t)at > len ? len : (size_t)at;
	for (x->start = x->off; x->start > 0 && src[x->start - 1] != '\n'; x->start--)
		;
	for (x->end = x->off; src[x->end] && src[x->end] != '\n'; x->end++)
		;
	if (x->end > x->start && src[x->end - 1] == '\r')
		x->end--;
	x->ws = x->start;
	x->we = x->end;
	if (x->end - x->start <= LANG_DIAG_WIDTH)
		return;
	/* a long line: the bytes around the error, more of them after it than before */
	x->ws = x->off > x->start + LANG_DIAG_WIDTH / 3 ? x->off - LANG_DIAG_WIDTH / 3 : x->start;
	x->we = x->ws + LANG_DIAG_WIDTH < x->end ? x->ws + LANG_DIAG_WIDTH : x->end;
	if (x->we - x->ws < LANG_DIAG_WIDTH)
		x->ws = x->we - LANG_DIAG_WIDTH;
	/* never half a UTF-8 character at either edge */
	while (x->ws < x->off && ((unsigned char)src[x->ws] & 0xc0) == 0x80)
		x->ws++;
	while (x->we > x->off && x->we < x->end && ((unsigned char)src[x->we] & 0xc0) == 0x80)
		x->we--;
}

/*
 * Write one character of the excerpt (at @s, @n bytes left) escaped for a terminal; return
 * its length in bytes, and in *@cols how many columns it takes (a tab is kept as it is, so
 * the caret line copies it).
 */
static size_t excerpt_char(FILE *f, const char *s, size_t n, int *cols)
{
	unsigned char c = (unsigned char)*s;
	size_t k;

	if (c == '\t') {
		fputc('\t', f);
		*cols = -1;
		return 1;
	}
	if (c >= 0x20 && c != 0x7f && c != '\\' && (k = ks_utf8_valid(s, n))) {
		fwrite(s, 1, k, f);
		*cols = 1;
		return k;
	}
	ks_text_escape(f, s, 1);
	*cols = c == '\\' ? 2 : 4; /* \\ or \xHH */
	return 1;
}

void lang_diag_print(const struct lang_diag *d, const char *file, const char *src, FILE *f)
{
	struct excerpt x;
	char caret[LANG_DIAG_WIDTH * 4 + 8];
	size_t nc = 0;

	fputs(file ? "" : "stdin", f);
	if (file)
		ks_text_escape(f, file, strlen(file));
	fprintf(f, ":%d:%d: error: ", d->pos.line, d->pos.col);
	ks_text_escape(f, d->msg, strnlen(d->msg, sizeof(d->msg)));
	fputc('\n', f);
	if (!src)
		return;
	excerpt_find(src, d->pos.off, &x);
	if (x.ws > x.start) {
		fputs("...", f);
		memcpy(caret, "   ", 3);
		nc = 3;
	}
	for (size_t i = x.ws; i < x.we;) {
		bool before = i < x.off;
		int cols;

		i += excerpt_char(f, src + i, x.we - i, &cols);
		for (int k = 0; before && k < (cols < 0 ? 1 : cols); k++)
			caret[nc++] = cols < 0 ? '\t' : ' ';
	}
	if (x.we < x.end)
		fputs("...", f);
	fputc('\n', f);
	caret[nc++] = '^';
	caret[nc++] = '\n';
	fwrite(caret, 1, nc, f);
}

void lang_diag_json(const struct lang_diag *d, const char *file, const char *src, FILE *f)
{
	struct ks_json j;
	struct excerpt x;

	ks_json_init(&j, f);
	ks_json_obj_begin(&j, NULL);
	ks_json_str(&j, "type", "error");
	if (ks_log_tool())
		ks_json_str(&j, "tool", ks_log_tool());
	ks_json_strn(&j, "message", d->msg, strnlen(d->msg, sizeof(d->msg)));
	ks_json_str(&j, "file", file ? file : "stdin");
	ks_json_int(&j, "line", d->pos.line);
	ks_json_int(&j, "column", d->pos.col);
	if (src) {
		excerpt_find(src, d->pos.off, &x);
		ks_json_strn(&j, "source", src + x.ws, x.we - x.ws);
		/* where the error is in "source", in bytes */
		ks_json_uint(&j, "source_offset", x.off - x.ws);
		ks_json_bool(&j, "source_cut", x.ws > x.start || x.we < x.end);
	}
	ks_json_obj_end(&j);
	fflush(f);
}

void lang_diag_report(const struct lang_diag *d, const char *file, const char *src)
{
	fflush(stdout);
	if (ks_log_json())
		lang_diag_json(d, file, src, stderr);
	else
		lang_diag_print(d, file, src, stderr);
	fflush(stderr);
}

struct lang_node *lang_node_new(enum lang_kind kind, struct lang_pos pos)
{
	struct lang_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->pos = pos;
	return n;
}

/*
 * One realloc per child: most nodes have one to three, and later passes may build the
 * array themselves, so no capacity is assumed beyond nkids.
 */
int lang_node_add(struct lang_node *n, struct lang_node *kid)
{
	struct lang_node **k = realloc(n->kids, (n->nkids + 1) * sizeof(*k));

	if (!k)
		return -ENOMEM;
	k[n->nkids++] = kid;
	n->kids = k;
	return 0;
}

void lang_node_free(struct lang_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		lang_node_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

static void attach_free(struct lang_attach *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nparts; i++)
		free(a->parts[i]);
	free(a->parts);
	free(a->raw);
	free(a);
}

static void probe_free(struct lang_probe *pr)
{
	if (!pr)
		return;
	for (size_t i = 0; i < pr->nattach; i++)
		attach_free(pr->attach[i]);
	free(pr->attach);
	lang_node_free(pr->pred);
	lang_node_free(pr->body);
	free(pr);
}

void lang_program_free(struct lang_program *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nprobes; i++)
		probe_free(p->probes[i]);
	free(p->probes);
	free(p);
}

/* A string with C escapes; bytes outside printable ASCII as 3-digit octal (unambiguous). */
static void dump_quoted(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '"':
			fputs("\\\"", f);
			break;
		default:
			if (c < 0x20 || c >= 0x7f)
				fprintf(f, "\\%03o", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

/* A name: bare when it is one non-empty word, quoted otherwise. */
static void dump_atom(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	bool bare = n > 0;

	for (size_t i = 0; i < n && bare; i++)
		bare = s[i] > ' ' && s[i] < 0x7f && !strchr("()\"';\\", s[i]);
	if (bare)
		fputs(s, f);
	else
		dump_quoted(f, s ? s : "", n);
}

/* The operator's text, from its message name "'+='". */
static void dump_op(FILE *f, int op)
{
	const char *s = lang_tok_name((enum lang_tok)op);
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '\'')
		fprintf(f, "%.*s", (int)(n - 2), s + 1);
	else
		fputs("?", f);
}

static void dump_node(FILE *f, const struct lang_node *n);

static void dump_kids(FILE *f, const struct lang_node *n, size_t from)
{
	for (size_t i = from; i < n->nkids; i++) {
		fputc(' ', f);
		dump_node(f, n->kids[i]);
	}
	fputc(')', f);
}

static void dump_node(FILE *f, const struct lang_node *n)
{
	static const char *const simple[LN_KIND_NR] = {
		[LN_BUILTIN] = "builtin", [LN_VAR] = "var",	[LN_MAP] = "map",
		[LN_CALL] = "call",	  [LN_IDENT] = "ident", [LN_TUPLE] = "tuple",
		[LN_BLOCK] = "block",	  [LN_BREAK] = "break", [LN_CONTINUE] = "continue",
		[LN_RETURN] = "return",	  [LN_INDEX] = "index", [LN_WHILE] = "while",
		[LN_IF] = "if",		  [LN_TERNARY] = "?",
	};

	if (!n) {
		fputs("<null>", f);
		return;
	}
	switch (n->kind) {
	case LN_INT:
		if (n->uns)
			fprintf(f, "%llu", (unsigned long long)n->ival);
		else
			fprintf(f, "%lld", (long long)n->ival);
		return;
	case LN_STR:
		dump_quoted(f, n->str ? n->str : "", n->str ? n->len : 0);
		return;
	case LN_PARAM:
		if (n->ival)
			fprintf(f, "(param %lld)", (long long)n->ival);
		else
			fputs("(param #)", f);
		return;
	case LN_EXPR_STMT:
		/* a direct child of a block that is no statement is one */
		dump_node(f, n->nkids ? n->kids[0] : NULL);
		return;
	case LN_UNOP:
	case LN_BINOP:
		fputc('(', f);
		dump_op(f, n->op);
		break;
	case LN_ASSIGN:
		fputs("(assign ", f);
		dump_op(f, n->op);
		break;
	case LN_INCDEC:
		fprintf(f, "(%s", n->ival ? "pre" : "post");
		dump_op(f, n->op);
		break;
	case LN_FIELD:
		fputc('(', f);
		dump_op(f, n->op);
		fputc(' ', f);
		dump_node(f, n->nkids ? n->kids[0] : NULL);
		fputc(' ', f);
		dump_atom(f, n->str);
		dump_kids(f, n, 1);
		return;
	case LN_CAST:
		fputs("(cast ", f);
		dump_atom(f, n->str);
		break;
	case LN_UNROLL:
		fputs("(unroll", f);
		if (n->nkids > 1) {
			fputc(' ', f);
			dump_node(f, n->kids[1]);
			fputc(' ', f);
			dump_node(f, n->kids[0]);
			dump_kids(f, n, 2);
			return;
		}
		fprintf(f, " %lld", (long long)n->ival);
		break;
	default:
		if ((unsigned)n->kind < LN_KIND_NR && simple[n->kind]) {
			fprintf(f, "(%s", simple[n->kind]);
			if (n->kind == LN_BUILTIN || n->kind == LN_VAR || n->kind == LN_MAP ||
			    n->kind == LN_CALL || n->kind == LN_IDENT) {
				fputc(' ', f);
				dump_atom(f, n->str);
			}
		} else {
			fprintf(f, "(kind%d", (int)n->kind);
		}
	}
	dump_kids(f, n, 0);
}

void lang_ast_dump(const struct lang_program *p, FILE *f)
{
	for (size_t i = 0; p && i < p->nprobes; i++) {
		const struct lang_probe *pr = p->probes[i];

		fputs("(probe", f);
		for (size_t j = 0; j < pr->nattach; j++) {
			const struct lang_attach *a = pr->attach[j];

			fputs(" (", f);
			for (size_t k = 0; k < a->nparts; k++) {
				if (k)
					fputc(' ', f);
				dump_atom(f, a->parts[k]);
			}
			fputc(')', f);
		}
		if (pr->pred) {
			fputs(" (pred ", f);
			dump_node(f, pr->pred);
			fputc(')', f);
		}
		fputc(' ', f);
		dump_node(f, pr->body);
		fputs(")\n", f);
	}
}
