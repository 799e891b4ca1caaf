// SPDX-License-Identifier: GPL-2.0-only
/* The one-liner language's syntax tree: nodes, the S-expression dump, positioned errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

void lang_diag_print(const struct lang_diag *d, const char *file, const char *src, FILE *f)
{
	size_t len, off, start, end;

	fprintf(f, "%s:%d:%d: error: %s\n", file ? file : "stdin", d->pos.line, d->pos.col, d->msg);
	if (!src)
		return;
	len = strlen(src);
	off = d->pos.off < 0 ? 0 : (size_t)d->pos.off > len ? len : (size_t)d->pos.off;
	for (start = off; start > 0 && src[start - 1] != '\n'; start--)
		;
	for (end = off; src[end] && src[end] != '\n'; end++)
		;
	if (end > start && src[end - 1] == '\r')
		end--;
	fprintf(f, "%.*s\n", (int)(end - start), src + start);
	/* the caret under the byte: tabs copied, one space per UTF-8 character */
	for (size_t i = start; i < off; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '\t')
			fputc('\t', f);
		else if ((c & 0xc0) != 0x80)
			fputc(' ', f);
	}
	fputs("^\n", f);
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
