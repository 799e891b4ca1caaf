// SPDX-License-Identifier: GPL-2.0-only
/* The one-liner language's parser: recursive descent over bpftrace 0.17's grammar. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lex.h"

/*
 * Two bounds keep every later pass's recursion safe on any input: how deep the parser
 * itself recurses (parentheses, blocks, unary operators), and how tall a tree may grow
 * (long chains such as 1+1+...+1 are built in loops, but walked recursively later).
 */
#define MAX_NEST   256
#define MAX_HEIGHT 1024

struct parser {
	struct lang_lexer lx;
	struct lang_token tok; /* the current token, not yet consumed */
	struct lang_diag *d;
	int nest;
	bool in_pred; /* a '/' before '{' ends the predicate rather than divides */
};

static int next(struct parser *p)
{
	return lang_lex_next(&p->lx, &p->tok);
}

static int next_probe(struct parser *p)
{
	return lang_lex_probe(&p->lx, &p->tok);
}

static int nomem(struct parser *p)
{
	lang_error(p->d, p->tok.pos, "out of memory");
	return -ENOMEM;
}

/* "expected WHAT, found <the current token>" */
static int expected(struct parser *p, const char *what)
{
	char b[128];

	return lang_error(p->d, p->tok.pos, "expected %s, found %s", what,
			  lang_tok_describe(&p->tok, b, sizeof(b)));
}

/* Consume @kind, or fail with "expected '<kind>' WHERE, found ...". */
static int expect(struct parser *p, enum lang_tok kind, const char *where)
{
	char what[96];

	if (p->tok.kind == kind)
		return next(p);
	snprintf(what, sizeof(what), "%s %s", lang_tok_name(kind), where);
	return expected(p, what);
}

static int enter(struct parser *p)
{
	if (++p->nest > MAX_NEST)
		return lang_error(p->d, p->tok.pos, "nesting deeper than %d levels", MAX_NEST);
	return 0;
}

static void leave(struct parser *p)
{
	p->nest--;
}

/* A new node, with a copy of @len bytes of @str as its str if @str is not NULL. */
static int new_node(struct parser *p, enum lang_kind kind, struct lang_pos pos, const char *str,
		    size_t len, struct lang_node **out)
{
	struct lang_node *n = lang_node_new(kind, pos);

	if (n && str) {
		n->str = strndup(str, len);
		if (!n->str) {
			lang_node_free(n);
			n = NULL;
		}
	}
	*out = n;
	return n ? 0 : nomem(p);
}

/* Append @kid of height @kh to @n (height *@h, updated); on failure both are freed. */
static int add(struct parser *p, struct lang_node *n, int *h, struct lang_node *kid, int kh)
{
	if (lang_node_add(n, kid)) {
		lang_node_free(kid);
		lang_node_free(n);
		return nomem(p);
	}
	if (kh + 1 > *h)
		*h = kh + 1;
	if (*h > MAX_HEIGHT) {
		struct lang_pos pos = kid->pos;

		lang_node_free(n);
		return lang_error(
			p->d, pos,
			"expression too long: its syntax tree is more than %d levels deep",
			MAX_HEIGHT);
	}
	return 0;
}

/* A node of @kind at @pos whose children are @a and, if not NULL, @b (freed on failure). */
static int wrap(struct parser *p, enum lang_kind kind, int op, struct lang_pos pos,
		struct lang_node *a, int ha, struct lang_node *b, int hb, struct lang_node **out,
		int *h)
{
	struct lang_node *n = lang_node_new(kind, pos);
	int err;

	if (!n) {
		lang_node_free(a);
		lang_node_free(b);
		return nomem(p);
	}
	n->op = op;
	*h = 1;
	err = add(p, n, h, a, ha);
	if (err) {
		lang_node_free(b);
		return err;
	}
	if (b) {
		err = add(p, n, h, b, hb);
		if (err)
			return err;
	}
	*out = n;
	return 0;
}

static int parse_expr(struct parser *p, struct lang_node **out, int *h);
static int parse_unary(struct parser *p, struct lang_node **out, int *h);

/* Tokens that can begin an operand (after a cast, or a statement). */
static bool starts_operand(enum lang_tok t)
{
	switch (t) {
	case LT_INT:
	case LT_STR:
	case LT_IDENT:
	case LT_BUILTIN:
	case LT_VAR:
	case LT_MAP:
	case LT_PARAM:
	case LT_LPAREN:
	case LT_MINUS:
	case LT_NOT:
	case LT_BNOT:
	case LT_STAR:
	case LT_INC:
	case LT_DEC:
	case LT_STRUCT:
	case LT_UNION:
	case LT_ENUM:
		return true;
	default:
		return false;
	}
}

static bool is_word(enum lang_tok t)
{
	return t == LT_IDENT || t == LT_BUILTIN || (t >= LT_IF && t <= LT_ENUM);
}

/*
 * At '(': is this a cast? bpftrace's rule: "(struct|union|enum NAME *...)", "(NAME *...)",
 * and "(NAME)" when an operand follows, so "(x) - 1" casts -1 as bpftrace does. A token
 * the lookahead cannot lex is no cast: the parser reports it when it gets there.
 */
static bool at_cast(struct parser *p)
{
	struct lang_lexer lx = p->lx;
	struct lang_diag scratch;
	struct lang_token t;

	lx.diag = &scratch;
	if (lang_lex_next(&lx, &t))
		return false;
	if (t.kind == LT_STRUCT || t.kind == LT_UNION || t.kind == LT_ENUM)
		return true;
	if (t.kind != LT_IDENT || lang_lex_next(&lx, &t))
		return false;
	if (t.kind == LT_STAR) {
		while (t.kind == LT_STAR)
			if (lang_lex_next(&lx, &t))
				return false;
		return t.kind == LT_RPAREN;
	}
	return t.kind == LT_RPAREN && !lang_lex_next(&lx, &t) && starts_operand(t.kind);
}

/*
 * A type as written, normalised: "uint32", "struct task_struct *", "int8 **". The current
 * token is its first word.
 */
static int parse_type(struct parser *p, char **out)
{
	struct lang_token kw = { .len = 0 }, name;
	size_t n = 0, stars = 0;
	char *s;
	int err;

	if (p->tok.kind == LT_STRUCT || p->tok.kind == LT_UNION || p->tok.kind == LT_ENUM) {
		kw = p->tok;
		err = next(p);
		if (err)
			return err;
		if (p->tok.kind != LT_IDENT && p->tok.kind != LT_BUILTIN)
			return expected(p, "a type name");
	}
	name = p->tok;
	err = next(p);
	while (!err && p->tok.kind == LT_STAR) {
		stars++;
		err = next(p);
	}
	if (err)
		return err;
	s = malloc(kw.len + 1 + name.len + 1 + stars + 1);
	if (!s)
		return nomem(p);
	if (kw.len) {
		memcpy(s, kw.text, kw.len);
		n = kw.len;
		s[n++] = ' ';
	}
	memcpy(s + n, name.text, name.len);
	n += name.len;
	if (stars)
		s[n++] = ' ';
	memset(s + n, '*', stars);
	s[n + stars] = '\0';
	*out = s;
	return 0;
}

/* "(" expr, ... ")" appended to @n as its children; the current token is '('. */
static int parse_list(struct parser *p, struct lang_node *n, int *h, enum lang_tok close,
		      const char *what)
{
	int err = next(p);

	if (err)
		goto fail;
	if (p->tok.kind == close && n->kind == LN_CALL)
		goto close;
	for (;;) {
		struct lang_node *e;
		int eh;

		err = parse_expr(p, &e, &eh);
		if (err)
			goto fail;
		err = add(p, n, h, e, eh);
		if (err)
			return err;
		if (p->tok.kind == close)
			break;
		if (p->tok.kind != LT_COMMA) {
			char b[64];

			snprintf(b, sizeof(b), "',' or %s %s", lang_tok_name(close), what);
			err = expected(p, b);
			goto fail;
		}
		err = next(p);
		if (err)
			goto fail;
	}
close:
	err = next(p);
	if (err)
		goto fail;
	return 0;
fail:
	lang_node_free(n);
	return err;
}

static int parse_paren(struct parser *p, struct lang_node **out, int *h)
{
	struct lang_pos pos = p->tok.pos;
	struct lang_node *e, *t;
	int err, eh, th = 1;

	err = next(p);
	if (!err)
		err = parse_expr(p, &e, &eh);
	if (err)
		return err;
	if (p->tok.kind == LT_RPAREN) {
		err = next(p);
		if (err) {
			lang_node_free(e);
			return err;
		}
		*out = e;
		*h = eh;
		return 0;
	}
	if (p->tok.kind != LT_COMMA) {
		lang_node_free(e);
		return expected(p, "')' or ','");
	}
	/* a tuple: its first element is parsed, parse_list takes the ',' and the rest */
	t = lang_node_new(LN_TUPLE, pos);
	if (!t) {
		lang_node_free(e);
		return nomem(p);
	}
	err = add(p, t, &th, e, eh);
	if (!err)
		err = parse_list(p, t, &th, LT_RPAREN, "in tuple");
	if (err)
		return err;
	*out = t;
	*h = th;
	return 0;
}

/* A name: a builtin variable, an identifier, or with '(' after it a call. */
static int parse_name(struct parser *p, struct lang_node **out, int *h)
{
	const struct lang_token name = p->tok;
	struct lang_node *n;
	int err = next(p);

	if (err)
		return err;
	*h = 1;
	if (p->tok.kind == LT_LPAREN) {
		err = new_node(p, LN_CALL, name.pos, name.text, name.len, &n);
		if (!err)
			err = parse_list(p, n, h, LT_RPAREN, "after the arguments");
	} else {
		err = new_node(p, name.kind == LT_BUILTIN ? LN_BUILTIN : LN_IDENT, name.pos,
			       name.text, name.len, &n);
	}
	if (!err)
		*out = n;
	return err;
}

static int parse_primary(struct parser *p, struct lang_node **out, int *h)
{
	const struct lang_token t = p->tok;
	struct lang_node *n;
	int err;

	*h = 1;
	switch (t.kind) {
	case LT_INT:
		err = new_node(p, LN_INT, t.pos, NULL, 0, &n);
		if (err)
			return err;
		n->ival = (int64_t)t.val;
		n->uns = t.uns;
		break;
	case LT_STR:
		n = lang_node_new(LN_STR, t.pos);
		if (!n || lang_lex_string(&t, &n->str, &n->len)) {
			lang_node_free(n);
			return nomem(p);
		}
		break;
	case LT_VAR:
		err = new_node(p, LN_VAR, t.pos, t.text + 1, t.len - 1, &n);
		if (err)
			return err;
		break;
	case LT_PARAM:
		err = new_node(p, LN_PARAM, t.pos, NULL, 0, &n);
		if (err)
			return err;
		n->ival = (int64_t)t.val;
		break;
	case LT_IDENT:
	case LT_BUILTIN:
		return parse_name(p, out, h);
	case LT_MAP:
		err = new_node(p, LN_MAP, t.pos, t.text + 1, t.len - 1, &n);
		if (!err)
			err = next(p);
		if (err) {
			lang_node_free(n);
			return err;
		}
		if (p->tok.kind == LT_LBRACKET)
			err = parse_list(p, n, h, LT_RBRACKET, "after the map's keys");
		if (err)
			return err;
		*out = n;
		return 0;
	case LT_LPAREN:
		return parse_paren(p, out, h);
	case LT_STRUCT:
	case LT_UNION:
	case LT_ENUM: {
		char *type;

		/* a type where an expression stands: sizeof(struct task_struct) */
		err = parse_type(p, &type);
		if (err)
			return err;
		n = lang_node_new(LN_IDENT, t.pos);
		if (!n) {
			free(type);
			return nomem(p);
		}
		n->str = type;
		*out = n;
		return 0;
	}
	default:
		return expected(p, "expression");
	}
	err = next(p);
	if (err)
		lang_node_free(n);
	else
		*out = n;
	return err;
}

static bool is_lvalue(const struct lang_node *n)
{
	return n->kind == LN_VAR || n->kind == LN_MAP;
}

static int parse_postfix(struct parser *p, struct lang_node **out, int *h)
{
	struct lang_node *e = NULL, *n;
	int err = parse_primary(p, &e, h), ih;

	if (err)
		return err;
	for (;;) {
		const struct lang_token op = p->tok;

		switch (op.kind) {
		case LT_DOT:
		case LT_ARROW:
			err = next(p);
			if (err)
				break;
			/* a field, or a tuple's element: t.0 */
			if (!is_word(p->tok.kind) &&
			    !(op.kind == LT_DOT && p->tok.kind == LT_INT &&
			      strspn(p->tok.text, "0123456789") == p->tok.len)) {
				err = expected(p,
					       op.kind == LT_DOT
						       ? "a field name or a tuple index after '.'"
						       : "a field name after '->'");
				break;
			}
			err = wrap(p, LN_FIELD, op.kind, op.pos, e, *h, NULL, 0, &e, h);
			if (err)
				return err;
			e->str = strndup(p->tok.text, p->tok.len);
			if (!e->str)
				err = nomem(p);
			if (!err)
				err = next(p);
			break;
		case LT_LBRACKET:
			err = next(p);
			if (!err)
				err = parse_expr(p, &n, &ih);
			if (err)
				break;
			err = wrap(p, LN_INDEX, 0, op.pos, e, *h, n, ih, &e, h);
			if (err)
				return err;
			err = expect(p, LT_RBRACKET, "after the index");
			break;
		case LT_INC:
		case LT_DEC:
			if (!is_lvalue(e)) {
				err = lang_error(p->d, op.pos,
						 "%s needs a variable ($x) or a map (@x) before it",
						 lang_tok_name(op.kind));
				break;
			}
			err = wrap(p, LN_INCDEC, op.kind, op.pos, e, *h, NULL, 0, &e, h);
			if (err)
				return err;
			err = next(p);
			break;
		default:
			*out = e;
			return 0;
		}
		if (err) {
			lang_node_free(e);
			return err;
		}
	}
}

static int parse_cast(struct parser *p, struct lang_node **out, int *h)
{
	struct lang_pos pos = p->tok.pos;
	struct lang_node *e, *n;
	char *type = NULL;
	int err = next(p);

	if (!err)
		err = parse_type(p, &type);
	if (!err)
		err = expect(p, LT_RPAREN, "after the type of a cast");
	if (!err && !starts_operand(p->tok.kind))
		err = expected(p, "an expression after the cast");
	if (!err)
		err = parse_unary(p, &e, h);
	if (err) {
		free(type);
		return err;
	}
	err = wrap(p, LN_CAST, 0, pos, e, *h, NULL, 0, &n, h);
	if (err) {
		free(type);
		return err;
	}
	n->str = type;
	*out = n;
	return 0;
}

static int parse_unary(struct parser *p, struct lang_node **out, int *h)
{
	const struct lang_token op = p->tok;
	struct lang_node *e;
	int err;

	switch (op.kind) {
	case LT_NOT:
	case LT_BNOT:
	case LT_MINUS:
	case LT_STAR:
	case LT_INC:
	case LT_DEC:
		break;
	case LT_LPAREN:
		if (at_cast(p)) {
			err = enter(p);
			if (!err)
				err = parse_cast(p, out, h);
			leave(p);
			return err;
		}
		return parse_postfix(p, out, h);
	default:
		return parse_postfix(p, out, h);
	}
	err = enter(p);
	if (!err)
		err = next(p);
	if (err) {
		leave(p);
		return err;
	}
	const struct lang_pos operand = p->tok.pos;

	err = parse_unary(p, &e, h);
	leave(p);
	if (err)
		return err;
	if (op.kind == LT_INC || op.kind == LT_DEC) {
		if (!is_lvalue(e)) {
			lang_node_free(e);
			return lang_error(p->d, op.pos,
					  "%s needs a variable ($x) or a map (@x) after it",
					  lang_tok_name(op.kind));
		}
		err = wrap(p, LN_INCDEC, op.kind, op.pos, e, *h, NULL, 0, out, h);
		if (!err)
			(*out)->ival = 1;
		return err;
	}
	/* -N written as such is the literal -N (as in bpftrace), so INT64_MIN can be written */
	if (op.kind == LT_MINUS && e->kind == LN_INT && e->pos.off == operand.off &&
	    (e->uns ? (uint64_t)e->ival == (uint64_t)INT64_MAX + 1 : e->ival >= 0)) {
		e->ival = (int64_t)(0 - (uint64_t)e->ival);
		e->uns = false;
		e->pos = op.pos;
		*out = e;
		return 0;
	}
	return wrap(p, LN_UNOP, op.kind, op.pos, e, *h, NULL, 0, out, h);
}

static int precedence(enum lang_tok t)
{
	switch (t) {
	case LT_LOR:
		return 1;
	case LT_LAND:
		return 2;
	case LT_PIPE:
		return 3;
	case LT_CARET:
		return 4;
	case LT_AMP:
		return 5;
	case LT_EQ:
	case LT_NE:
		return 6;
	case LT_LT:
	case LT_LE:
	case LT_GT:
	case LT_GE:
		return 7;
	case LT_SHL:
	case LT_SHR:
		return 8;
	case LT_PLUS:
	case LT_MINUS:
		return 9;
	case LT_STAR:
	case LT_SLASH:
	case LT_PERCENT:
		return 10;
	default:
		return 0;
	}
}

static bool is_pred_end(char c)
{
	return c == '{' || c == '\0';
}

/* Left-associative binary operators of precedence @min and above (precedence climbing). */
static int parse_binary(struct parser *p, int min, struct lang_node **out, int *h)
{
	struct lang_node *l, *r;
	int err = parse_unary(p, &l, h), rh;

	if (err)
		return err;
	for (;;) {
		const struct lang_token op = p->tok;
		int prec = precedence(op.kind);

		if (!prec || prec < min)
			break;
		/*
		 * `/pred/ {`: bpftrace's end of a predicate is a '/' before a '{'; before the
		 * end of the input it can't divide either, and the message is better so.
		 */
		if (op.kind == LT_SLASH && p->in_pred &&
		    is_pred_end(lang_lex_peek_char(&p->lx, (size_t)op.pos.off + 1)))
			break;
		err = next(p);
		if (!err)
			err = parse_binary(p, prec + 1, &r, &rh);
		if (err) {
			lang_node_free(l);
			return err;
		}
		err = wrap(p, LN_BINOP, op.kind, op.pos, l, *h, r, rh, &l, h);
		if (err)
			return err;
	}
	*out = l;
	return 0;
}

static int parse_ternary(struct parser *p, struct lang_node **out, int *h)
{
	struct lang_node *c, *a = NULL, *b = NULL, *n;
	struct lang_pos pos;
	int err = parse_binary(p, 1, &c, h), ha = 0, hb = 0;

	if (err)
		return err;
	if (p->tok.kind != LT_QUESTION) {
		*out = c;
		return 0;
	}
	pos = p->tok.pos;
	err = next(p);
	if (!err)
		err = parse_expr(p, &a, &ha);
	if (!err)
		err = expect(p, LT_COLON, "in '?:'");
	if (!err)
		err = parse_expr(p, &b, &hb);
	if (err) {
		lang_node_free(c);
		lang_node_free(a);
		return err;
	}
	err = wrap(p, LN_TERNARY, 0, pos, c, *h, a, ha, &n, h);
	if (err) {
		lang_node_free(b);
		return err;
	}
	err = add(p, n, h, b, hb);
	if (!err)
		*out = n;
	return err;
}

static int parse_expr(struct parser *p, struct lang_node **out, int *h)
{
	int err = enter(p);

	if (!err)
		err = parse_ternary(p, out, h);
	leave(p);
	return err;
}

static bool is_assign(enum lang_tok t)
{
	return t == LT_ASSIGN || (t >= LT_PLUS_ASSIGN && t <= LT_SHR_ASSIGN);
}

static int parse_stmt(struct parser *p, struct lang_node **out, int *h);

/*
 * '{' statements '}'. Statements are separated by ';', which may also follow the last
 * one; after a statement that ends in a block (if, while, unroll) it may be left out.
 * @probe_body: the '}' ends a probe, so what follows it is lexed as a probe (by the caller).
 */
static int parse_block(struct parser *p, const char *after, bool probe_body, struct lang_node **out,
		       int *h)
{
	struct lang_pos open = p->tok.pos;
	struct lang_node *b, *s;
	int err, sh;
	char what[128];

	if (p->tok.kind != LT_LBRACE) {
		snprintf(what, sizeof(what), "'{' after %s", after);
		return expected(p, what);
	}
	err = enter(p);
	if (err)
		goto out;
	err = new_node(p, LN_BLOCK, open, NULL, 0, &b);
	if (err)
		goto out;
	*h = 1;
	err = next(p);
	while (!err && p->tok.kind != LT_RBRACE) {
		if (p->tok.kind == LT_EOF) {
			snprintf(what, sizeof(what), "'}' to close the block opened at %d:%d",
				 open.line, open.col);
			err = expected(p, what);
			break;
		}
		err = parse_stmt(p, &s, &sh);
		if (err)
			break;
		err = add(p, b, h, s, sh);
		if (err)
			goto out;
		if (p->tok.kind == LT_SEMI)
			err = next(p);
		else if (p->tok.kind != LT_RBRACE && s->kind != LN_IF && s->kind != LN_WHILE &&
			 s->kind != LN_UNROLL)
			err = expected(p, "';' or '}' after statement");
	}
	if (!err && !probe_body)
		err = next(p);
	if (err)
		lang_node_free(b);
	else
		*out = b;
out:
	leave(p);
	return err;
}

/* '(' expr ')' after if and while */
static int parse_cond(struct parser *p, const char *kw, struct lang_node **out, int *h)
{
	char where[48];
	int err;

	snprintf(where, sizeof(where), "after '%s'", kw);
	err = expect(p, LT_LPAREN, where);
	if (!err)
		err = parse_expr(p, out, h);
	if (err)
		return err;
	snprintf(where, sizeof(where), "after the condition of '%s'", kw);
	err = expect(p, LT_RPAREN, where);
	if (err)
		lang_node_free(*out);
	return err;
}

/* if (c) { } [else if (c) { } ...] [else { }]; the current token is 'if'. */
static int parse_if(struct parser *p, struct lang_node **out, int *h)
{
	struct lang_node *n, *c, *k;
	int err, ch, kh;

	err = new_node(p, LN_IF, p->tok.pos, NULL, 0, &n);
	if (err)
		return err;
	*h = 1;
	err = next(p);
	if (!err)
		err = parse_cond(p, "if", &c, &ch);
	if (!err)
		err = add(p, n, h, c, ch);
	else
		lang_node_free(n);
	if (err)
		return err;
	err = parse_block(p, "the condition of 'if'", false, &k, &kh);
	if (!err)
		err = add(p, n, h, k, kh);
	else
		lang_node_free(n);
	if (err || p->tok.kind != LT_ELSE)
		goto done;
	err = next(p);
	if (err) {
		lang_node_free(n);
		return err;
	}
	if (p->tok.kind == LT_IF) {
		err = enter(p);
		if (!err)
			err = parse_if(p, &k, &kh);
		leave(p);
	} else {
		err = parse_block(p, "'else'", false, &k, &kh);
	}
	if (!err)
		err = add(p, n, h, k, kh);
	else
		lang_node_free(n);
done:
	if (!err)
		*out = n;
	return err;
}

/* unroll (N) { } with N 1..100, or unroll ($N) { } */
static int parse_unroll(struct parser *p, struct lang_node **out, int *h)
{
	struct lang_node *n, *k = NULL, *param = NULL;
	int err, kh;

	err = new_node(p, LN_UNROLL, p->tok.pos, NULL, 0, &n);
	if (err)
		return err;
	err = next(p);
	if (!err)
		err = expect(p, LT_LPAREN, "after 'unroll'");
	if (err)
		goto fail;
	if (p->tok.kind == LT_INT) {
		if (p->tok.uns || p->tok.val < 1 || p->tok.val > 100) {
			err = lang_error(p->d, p->tok.pos,
					 "unroll count must be from 1 to 100, found %.*s",
					 (int)(p->tok.len > 24 ? 24 : p->tok.len), p->tok.text);
			goto fail;
		}
		n->ival = (int64_t)p->tok.val;
	} else if (p->tok.kind == LT_PARAM && p->tok.val) {
		err = new_node(p, LN_PARAM, p->tok.pos, NULL, 0, &param);
		if (err)
			goto fail;
		param->ival = (int64_t)p->tok.val;
	} else {
		err = expected(p, "an unroll count (1 to 100, or a parameter such as $1)");
		goto fail;
	}
	err = next(p);
	if (!err)
		err = expect(p, LT_RPAREN, "after the unroll count");
	if (!err)
		err = parse_block(p, "'unroll (N)'", false, &k, &kh);
	if (err)
		goto fail;
	*h = 1;
	err = add(p, n, h, k, kh);
	if (!err && param)
		err = add(p, n, h, param, 1);
	else if (err)
		lang_node_free(param);
	if (!err)
		*out = n;
	return err;
fail:
	lang_node_free(param);
	lang_node_free(n);
	return err;
}

static int parse_while(struct parser *p, struct lang_node **out, int *h)
{
	struct lang_pos pos = p->tok.pos;
	struct lang_node *c, *k;
	int err, ch, kh;

	err = next(p);
	if (!err)
		err = parse_cond(p, "while", &c, &ch);
	if (err)
		return err;
	err = parse_block(p, "the condition of 'while'", false, &k, &kh);
	if (err) {
		lang_node_free(c);
		return err;
	}
	return wrap(p, LN_WHILE, 0, pos, c, ch, k, kh, out, h);
}

static int parse_stmt(struct parser *p, struct lang_node **out, int *h)
{
	const struct lang_token t = p->tok;
	enum lang_kind kind;
	struct lang_node *e, *v;
	int err, vh;

	switch (t.kind) {
	case LT_IF:
		return parse_if(p, out, h);
	case LT_UNROLL:
		return parse_unroll(p, out, h);
	case LT_WHILE:
		return parse_while(p, out, h);
	case LT_BREAK:
	case LT_CONTINUE:
	case LT_RETURN:
		kind = t.kind == LT_BREAK      ? LN_BREAK
		       : t.kind == LT_CONTINUE ? LN_CONTINUE
					       : LN_RETURN;
		err = new_node(p, kind, t.pos, NULL, 0, &e);
		if (!err)
			err = next(p);
		if (err) {
			lang_node_free(e);
			return err;
		}
		*h = 1;
		*out = e;
		return 0;
	default:
		if (!starts_operand(t.kind))
			return expected(p, "statement");
	}
	err = parse_expr(p, &e, h);
	if (err)
		return err;
	const struct lang_token op = p->tok;

	if (!is_assign(op.kind))
		return wrap(p, LN_EXPR_STMT, 0, e->pos, e, *h, NULL, 0, out, h);
	if (!is_lvalue(e)) {
		lang_node_free(e);
		return lang_error(p->d, op.pos,
				  "the left side of %s must be a variable ($x) or a map (@x)",
				  lang_tok_name(op.kind));
	}
	err = next(p);
	if (!err)
		err = parse_expr(p, &v, &vh);
	if (err) {
		lang_node_free(e);
		return err;
	}
	return wrap(p, LN_ASSIGN, op.kind, op.pos, e, *h, v, vh, out, h);
}

/* An attach point's ':'-separated parts, quotes removed ("a\"b" holds a"b). */
static int split_attach(struct parser *p, struct lang_attach *a)
{
	const char *s = a->raw;
	size_t n = 1, i = 0;
	bool q = false;

	for (const char *c = s; *c; c++) {
		if (*c == '"')
			q = !q;
		else if (*c == '\\' && q && c[1])
			c++;
		else if (*c == ':' && !q)
			n++;
	}
	a->parts = calloc(n, sizeof(*a->parts));
	if (!a->parts)
		return nomem(p);
	for (a->nparts = 0; a->nparts < n; a->nparts++) {
		char *o = malloc(strlen(s + i) + 1);

		if (!o)
			return nomem(p);
		a->parts[a->nparts] = o;
		for (q = false; s[i] && (q || s[i] != ':'); i++) {
			if (s[i] == '"')
				q = !q;
			else if (s[i] == '\\' && q && s[i + 1])
				*o++ = s[++i];
			else
				*o++ = s[i];
		}
		*o = '\0';
		i++;
	}
	return 0;
}

static int add_attach(struct parser *p, struct lang_probe *pr)
{
	struct lang_attach *a, **v;

	static const char *const c_words[] = { "struct", "union", "enum", "typedef" };

	/* bpftrace hands C definitions before the probes to clang; kscope has no compiler */
	for (size_t i = 0; i < sizeof(c_words) / sizeof(c_words[0]) && !pr->nattach; i++)
		if (p->tok.len == strlen(c_words[i]) &&
		    !memcmp(p->tok.text, c_words[i], p->tok.len))
			return lang_error(p->d, p->tok.pos,
					  "C definitions ('%s') are not supported: types come from "
					  "the kernel's BTF",
					  c_words[i]);
	a = calloc(1, sizeof(*a));
	v = a ? realloc(pr->attach, (pr->nattach + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(a);
		return nomem(p);
	}
	pr->attach = v;
	pr->attach[pr->nattach++] = a;
	a->pos = p->tok.pos;
	a->raw = strndup(p->tok.text, p->tok.len);
	if (!a->raw)
		return nomem(p);
	return split_attach(p, a);
}

/* attach[, attach...] [/pred/] { body }: the current token is the first attach point. */
static int parse_probe(struct parser *p, struct lang_probe *pr)
{
	struct lang_token last;
	char after[80];
	int err, h;

	pr->pos = p->tok.pos;
	for (;;) {
		last = p->tok;
		err = add_attach(p, pr);
		if (!err)
			err = next(p);
		if (err)
			return err;
		if (p->tok.kind != LT_COMMA)
			break;
		err = next_probe(p);
		if (err)
			return err;
		if (p->tok.kind != LT_PROBE)
			return expected(p, "attach point after ','");
	}
	if (p->tok.kind == LT_SLASH) {
		p->in_pred = true;
		err = next(p);
		if (!err)
			err = parse_expr(p, &pr->pred, &h);
		p->in_pred = false;
		if (!err && p->tok.kind != LT_SLASH)
			err = expected(p, "'/' to end the predicate");
		if (!err)
			err = next(p);
		if (err)
			return err;
		return parse_block(p, "the predicate", true, &pr->body, &h);
	}
	snprintf(after, sizeof(after), "attach point '%.*s'%s",
		 (int)(last.len > 40 ? 40 : last.len), last.text, last.len > 40 ? "..." : "");
	return parse_block(p, after, true, &pr->body, &h);
}

struct lang_program *lang_parse(const char *src, const char *file, struct lang_diag *d)
{
	struct lang_diag scratch;
	struct parser p = { .d = d ? d : &scratch };
	struct lang_program *prog;
	int err;

	if (!src) {
		lang_error(p.d, (struct lang_pos){ .line = 1, .col = 1 }, "no program text");
		errno = EINVAL;
		return NULL;
	}
	prog = calloc(1, sizeof(*prog));
	if (!prog) {
		lang_error(p.d, (struct lang_pos){ .line = 1, .col = 1 }, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	prog->file = file;
	prog->src = src;
	lang_lex_init(&p.lx, src, p.d);
	err = next_probe(&p);
	if (!err && p.tok.kind == LT_EOF)
		err = expected(&p, "a probe such as 'BEGIN { ... }'");
	while (!err && p.tok.kind != LT_EOF) {
		struct lang_probe *pr, **v;

		if (p.tok.kind != LT_PROBE) {
			err = expected(&p, "attach point");
			break;
		}
		pr = calloc(1, sizeof(*pr));
		v = pr ? realloc(prog->probes, (prog->nprobes + 1) * sizeof(*v)) : NULL;
		if (!v) {
			free(pr);
			err = nomem(&p);
			break;
		}
		prog->probes = v;
		prog->probes[prog->nprobes++] = pr;
		err = parse_probe(&p, pr);
		if (!err)
			err = next_probe(&p);
	}
	if (err) {
		lang_program_free(prog);
		errno = -err;
		return NULL;
	}
	return prog;
}
