// SPDX-License-Identifier: GPL-2.0-only
/* The one-liner language's lexer: bpftrace's tokens, attach points lexed on the parser's call. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lex.h"

/* ASCII classes by hand: <ctype.h> depends on the locale and wants unsigned char. */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static int xdigit_val(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static struct lang_pos pos_at(const struct lang_lexer *lx, size_t off)
{
	return (struct lang_pos){ .line = lx->line,
				  .col = (int)(off - lx->line_start) + 1,
				  .off = (int)off };
}

void lang_lex_init(struct lang_lexer *lx, const char *src, struct lang_diag *diag)
{
	*lx = (struct lang_lexer){ .src = src, .line = 1, .diag = diag };
	/* `#!/usr/bin/env bpftrace` heads script files; the newline stays to count the line */
	if (src[0] == '#' && src[1] == '!')
		while (src[lx->off] && src[lx->off] != '\n')
			lx->off++;
}

/* Quote @n bytes of @s for a message: printable ASCII as is, others escaped, long text cut. */
static const char *show(const char *s, size_t n, char *buf, size_t size)
{
	const size_t max = 40;
	size_t o = 0;

	for (size_t i = 0; i < n && i < max && o + 6 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += snprintf(buf + o, size - o, "\\x%02x", c);
	}
	if (n > max && o + 4 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* Skip whitespace and comments. An unterminated comment is an error at its "/ *". */
static int skip_space(struct lang_lexer *lx)
{
	const char *s = lx->src;

	for (;;) {
		char c = s[lx->off];

		if (c == '\n') {
			lx->off++;
			lx->line++;
			lx->line_start = lx->off;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
			lx->off++;
		} else if (c == '/' && s[lx->off + 1] == '/') {
			while (s[lx->off] && s[lx->off] != '\n')
				lx->off++;
		} else if (c == '/' && s[lx->off + 1] == '*') {
			struct lang_pos start = pos_at(lx, lx->off);

			lx->off += 2;
			while (s[lx->off] && !(s[lx->off] == '*' && s[lx->off + 1] == '/')) {
				if (s[lx->off] == '\n') {
					lx->line++;
					lx->line_start = lx->off + 1;
				}
				lx->off++;
			}
			if (!s[lx->off])
				return lang_error(
					lx->diag, start,
					"unterminated comment: no '*/' before the end of input");
			lx->off += 2;
		} else {
			return 0;
		}
	}
}

char lang_lex_peek_char(const struct lang_lexer *lx, size_t off)
{
	struct lang_lexer copy = *lx;
	struct lang_diag scratch;

	copy.off = off;
	copy.diag = &scratch;
	if (skip_space(&copy))
		return '\0';
	return copy.src[copy.off];
}

struct word {
	const char *s;
	enum lang_tok tok;
};

static const struct word words[] = {
	{ "if", LT_IF },
	{ "else", LT_ELSE },
	{ "unroll", LT_UNROLL },
	{ "while", LT_WHILE },
	{ "break", LT_BREAK },
	{ "continue", LT_CONTINUE },
	{ "return", LT_RETURN },
	{ "struct", LT_STRUCT },
	{ "union", LT_UNION },
	{ "enum", LT_ENUM },
	/* bpftrace 0.17's builtin variables; arg0.. and sarg0.. are recognised by their shape */
	{ "pid", LT_BUILTIN },
	{ "tid", LT_BUILTIN },
	{ "uid", LT_BUILTIN },
	{ "gid", LT_BUILTIN },
	{ "comm", LT_BUILTIN },
	{ "nsecs", LT_BUILTIN },
	{ "elapsed", LT_BUILTIN },
	{ "numaid", LT_BUILTIN },
	{ "cpu", LT_BUILTIN },
	{ "cgroup", LT_BUILTIN },
	{ "curtask", LT_BUILTIN },
	{ "retval", LT_BUILTIN },
	{ "args", LT_BUILTIN },
	{ "probe", LT_BUILTIN },
	{ "func", LT_BUILTIN },
	{ "kstack", LT_BUILTIN },
	{ "ustack", LT_BUILTIN },
	{ "username", LT_BUILTIN },
	{ "rand", LT_BUILTIN },
	{ "jiffies", LT_BUILTIN },
	{ "cpid", LT_BUILTIN },
	{ "ctx", LT_BUILTIN },
};

/* argN and sargN (no leading zeros: arg01 is an ordinary name) */
static bool is_arg_builtin(const char *w, size_t n)
{
	size_t p = n > 3 && !memcmp(w, "arg", 3) ? 3 : n > 4 && !memcmp(w, "sarg", 4) ? 4 : 0;

	if (!p || (w[p] == '0' && n > p + 1))
		return false;
	for (size_t i = p; i < n; i++)
		if (!is_digit(w[i]))
			return false;
	return true;
}

static enum lang_tok word_kind(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strncmp(w, words[i].s, n) && !words[i].s[n])
			return words[i].tok;
	return is_arg_builtin(w, n) ? LT_BUILTIN : LT_IDENT;
}

static int bad_int(struct lang_lexer *lx, struct lang_token *t, size_t n, const char *why)
{
	char b[64];

	return lang_error(lx->diag, t->pos, "invalid integer literal '%s'%s",
			  show(t->text, n, b, sizeof(b)), why);
}

/* Digits of @base with '_' between them (bpftrace's 1_000_000); *@i moves past them. */
static void scan_digits(const char *s, size_t *i, int base, uint64_t *v, bool *ovf, int *bad)
{
	size_t n = *i > 0 && is_digit(s[*i - 1]); /* after octal's leading 0 */

	while (is_digit(s[*i]) || (s[*i] == '_' && n)) {
		int d = s[*i] - '0';

		if (s[*i] != '_') {
			if (d >= base && *bad < 0)
				*bad = d;
			if (*v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
				*ovf = true;
			*v = *v * (uint64_t)base + (uint64_t)d;
			n++;
		}
		(*i)++;
	}
}

/*
 * Integers: 0x hex, 0-led octal, decimal, each with '_' separators (not in hex, as in
 * bpftrace), decimal with an exponent (1e6; bpftrace only takes one digit before the e
 * and exponents below 17: a superset here), then a C suffix u, l, ul, ll, ull in any case.
 */
static int lex_int(struct lang_lexer *lx, struct lang_token *t)
{
	const char *s = t->text;
	uint64_t v = 0;
	bool ovf = false;
	int bad = -1;
	size_t i = 0;
	char b[64];

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		i = 2;
		while (xdigit_val(s[i]) >= 0) {
			if (v >> 60)
				ovf = true;
			v = v << 4 | (uint64_t)xdigit_val(s[i++]);
		}
		if (i == 2)
			i = 1; /* "0x" alone: reported as an invalid literal below */
	} else if (s[0] == '0' && (is_digit(s[1]) || s[1] == '_')) {
		i = 1;
		scan_digits(s, &i, 8, &v, &ovf, &bad);
	} else {
		scan_digits(s, &i, 10, &v, &ovf, &bad);
		if ((s[i] == 'e' || s[i] == 'E') && is_digit(s[i + 1])) {
			uint64_t e = 0;
			bool eovf = false;

			i++;
			scan_digits(s, &i, 10, &e, &eovf, &bad);
			for (uint64_t k = 0; v && k < e && !ovf; k++) {
				if (v > UINT64_MAX / 10)
					ovf = true;
				v *= 10;
			}
		}
	}
	if (s[i - 1] == '_') {
		t->len = i;
		return bad_int(lx, t, i, ": '_' must stand between digits");
	}
	if (s[i] == 'u' || s[i] == 'U')
		i++;
	for (int k = 0; k < 2 && (s[i] == 'l' || s[i] == 'L'); k++)
		i++;
	if (is_alnum(s[i])) {
		while (is_alnum(s[i]))
			i++;
		return bad_int(lx, t, i, "");
	}
	t->len = i;
	if (bad >= 0)
		return lang_error(lx->diag, t->pos, "invalid digit '%d' in octal literal '%s'", bad,
				  show(s, i, b, sizeof(b)));
	if (ovf)
		return lang_error(lx->diag, t->pos,
				  "integer literal '%s' is out of range (more than 64 bits)",
				  show(s, i, b, sizeof(b)));
	t->kind = LT_INT;
	t->val = v;
	t->uns = v > (uint64_t)INT64_MAX;
	return 0;
}

/*
 * One escape after a backslash at @s: its length (from the backslash), the byte in *@out.
 * 0 when it is not an escape of the language; -1 when an octal escape exceeds \377.
 */
static int escape(const char *s, char *out)
{
	int n = 1, v = 0;

	switch (s[1]) {
	case 'n':
		*out = '\n';
		return 2;
	case 't':
		*out = '\t';
		return 2;
	case 'r':
		*out = '\r';
		return 2;
	case '\\':
		*out = '\\';
		return 2;
	case '"':
		*out = '"';
		return 2;
	case 'x':
		while (n < 3 && xdigit_val(s[n + 1]) >= 0) {
			v = v * 16 + xdigit_val(s[n + 1]);
			n++;
		}
		*out = (char)v;
		return n > 1 ? n + 1 : 0;
	}
	while (n < 4 && s[n] >= '0' && s[n] <= '7') {
		v = v * 8 + s[n] - '0';
		n++;
	}
	*out = (char)v;
	if (n == 1)
		return 0;
	return v > 0377 ? -1 : n;
}

static int lex_string(struct lang_lexer *lx, struct lang_token *t)
{
	const char *s = t->text;
	size_t i = 1;
	char b[64], c;

	for (;;) {
		if (s[i] == '"')
			break;
		if (!s[i] || s[i] == '\n')
			return lang_error(lx->diag, t->pos,
					  "unterminated string: %s before the closing '\"'",
					  s[i] ? "end of line" : "end of input");
		if (s[i] != '\\') {
			i++;
			continue;
		}
		int n = escape(s + i, &c);

		if (n > 0) {
			i += (size_t)n;
			continue;
		}
		if (!s[i + 1] || s[i + 1] == '\n')
			return lang_error(lx->diag, t->pos,
					  "unterminated string: %s before the closing '\"'",
					  s[i + 1] ? "end of line" : "end of input");
		struct lang_pos p = pos_at(lx, (size_t)(s + i - lx->src));

		if (n < 0)
			return lang_error(lx->diag, p,
					  "octal escape '\\%.3s' is out of range (more than \\377)",
					  s + i + 1);
		if (s[i + 1] == 'x')
			return lang_error(lx->diag, p, "escape '\\x' without hex digits");
		return lang_error(lx->diag, p,
				  "invalid escape '\\%s' in string (known: \\n \\t \\r \\\\ \\\" "
				  "\\xHH \\NNN)",
				  show(s + i + 1, 1, b, sizeof(b)));
	}
	t->kind = LT_STR;
	t->len = i + 1;
	return 0;
}

int lang_lex_string(const struct lang_token *t, char **out, size_t *len)
{
	char *buf = malloc(t->len), *o = buf;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 1; i + 1 < t->len;) {
		int n;

		if (t->text[i] != '\\') {
			*o++ = t->text[i++];
			continue;
		}
		n = escape(t->text + i, o++);
		i += n > 0 ? (size_t)n : 1; /* the lexer let only good escapes through */
	}
	*o = '\0';
	*out = buf;
	*len = (size_t)(o - buf);
	return 0;
}

/* $name, $N (1-based), $# */
static int lex_dollar(struct lang_lexer *lx, struct lang_token *t)
{
	const char *s = t->text;
	size_t i = 1;
	char b[64];

	if (s[1] == '#') {
		t->kind = LT_PARAM;
		t->len = 2;
		t->val = 0;
		return 0;
	}
	if (is_digit(s[1])) {
		uint64_t v = 0;
		bool ovf = false;

		while (is_digit(s[i])) {
			if (v > ((uint64_t)INT64_MAX - 9) / 10)
				ovf = true;
			v = v * 10 + (uint64_t)(s[i++] - '0');
		}
		t->len = i;
		if (ovf)
			return lang_error(lx->diag, t->pos,
					  "positional parameter '%s' is out of range",
					  show(s, i, b, sizeof(b)));
		if (!v)
			return lang_error(lx->diag, t->pos,
					  "there is no positional parameter $0: they start at $1");
		t->kind = LT_PARAM;
		t->val = v;
		return 0;
	}
	if (!is_alpha(s[1]))
		return lang_error(lx->diag, t->pos,
				  "expected a variable name, a parameter number or '#' after '$'");
	while (is_alnum(s[i]))
		i++;
	t->kind = LT_VAR;
	t->len = i;
	return 0;
}

static int lex_map(struct lang_lexer *lx, struct lang_token *t)
{
	const char *s = t->text;
	size_t i = 1;
	char b[64];

	if (is_digit(s[1])) {
		while (is_alnum(s[i]))
			i++;
		return lang_error(lx->diag, t->pos,
				  "invalid map name '%s': a map's name starts with a letter or '_'",
				  show(s, i, b, sizeof(b)));
	}
	while (is_alnum(s[i]))
		i++;
	t->kind = LT_MAP;
	t->len = i;
	return 0;
}

/* @c followed by @next: @two (2 bytes), else @one (1 byte). */
static enum lang_tok pick(const char *s, char next, enum lang_tok two, enum lang_tok one,
			  size_t *len)
{
	*len = s[1] == next ? 2 : 1;
	return *len == 2 ? two : one;
}

/* The operator or punctuation at @s and its length; LT_EOF if there is none. */
static enum lang_tok op_kind(const char *s, size_t *len)
{
	*len = 1;
	switch (s[0]) {
	case '{':
		return LT_LBRACE;
	case '}':
		return LT_RBRACE;
	case '(':
		return LT_LPAREN;
	case ')':
		return LT_RPAREN;
	case '[':
		return LT_LBRACKET;
	case ']':
		return LT_RBRACKET;
	case ',':
		return LT_COMMA;
	case ';':
		return LT_SEMI;
	case ':':
		return LT_COLON;
	case '?':
		return LT_QUESTION;
	case '.':
		return LT_DOT;
	case '~':
		return LT_BNOT;
	case '+':
		if (s[1] == '+')
			return pick(s, '+', LT_INC, LT_PLUS, len);
		return pick(s, '=', LT_PLUS_ASSIGN, LT_PLUS, len);
	case '-':
		if (s[1] == '-')
			return pick(s, '-', LT_DEC, LT_MINUS, len);
		if (s[1] == '>')
			return pick(s, '>', LT_ARROW, LT_MINUS, len);
		return pick(s, '=', LT_MINUS_ASSIGN, LT_MINUS, len);
	case '*':
		return pick(s, '=', LT_STAR_ASSIGN, LT_STAR, len);
	case '/':
		return pick(s, '=', LT_SLASH_ASSIGN, LT_SLASH, len);
	case '%':
		return pick(s, '=', LT_PERCENT_ASSIGN, LT_PERCENT, len);
	case '^':
		return pick(s, '=', LT_CARET_ASSIGN, LT_CARET, len);
	case '=':
		return pick(s, '=', LT_EQ, LT_ASSIGN, len);
	case '!':
		return pick(s, '=', LT_NE, LT_NOT, len);
	case '&':
		if (s[1] == '&')
			return pick(s, '&', LT_LAND, LT_AMP, len);
		return pick(s, '=', LT_AMP_ASSIGN, LT_AMP, len);
	case '|':
		if (s[1] == '|')
			return pick(s, '|', LT_LOR, LT_PIPE, len);
		return pick(s, '=', LT_PIPE_ASSIGN, LT_PIPE, len);
	case '<':
	case '>':
		if (s[1] == s[0] && s[2] == '=') {
			*len = 3;
			return s[0] == '<' ? LT_SHL_ASSIGN : LT_SHR_ASSIGN;
		}
		if (s[1] == s[0])
			return pick(s, s[0], s[0] == '<' ? LT_SHL : LT_SHR, LT_EOF, len);
		if (s[0] == '<')
			return pick(s, '=', LT_LE, LT_LT, len);
		return pick(s, '=', LT_GE, LT_GT, len);
	}
	return LT_EOF;
}

static int lex_other(struct lang_lexer *lx, struct lang_token *t)
{
	const char *s = t->text;
	char b[64];

	t->kind = op_kind(s, &t->len);
	if (t->kind != LT_EOF)
		return 0;
	if (s[0] == '#' && is_alpha(s[1])) {
		size_t n = 1;

		while (is_alnum(s[n]))
			n++;
		return lang_error(lx->diag, t->pos,
				  "unexpected '%s': preprocessor directives are not supported",
				  show(s, n, b, sizeof(b)));
	}
	if (s[0] == '\'')
		return lang_error(lx->diag, t->pos,
				  "unexpected character ''': strings are written in double quotes");
	if ((unsigned char)s[0] < 0x20 || (unsigned char)s[0] >= 0x7f)
		return lang_error(lx->diag, t->pos, "unexpected byte 0x%02x", (unsigned char)s[0]);
	return lang_error(lx->diag, t->pos, "unexpected character '%c'", s[0]);
}

int lang_lex_next(struct lang_lexer *lx, struct lang_token *t)
{
	int err = skip_space(lx);
	char c;

	if (err)
		return err;
	*t = (struct lang_token){ .pos = pos_at(lx, lx->off), .text = lx->src + lx->off };
	c = t->text[0];
	if (!c) {
		t->kind = LT_EOF;
		return 0;
	}
	if (is_alpha(c)) {
		while (is_alnum(t->text[t->len]))
			t->len++;
		t->kind = word_kind(t->text, t->len);
	} else if (is_digit(c)) {
		err = lex_int(lx, t);
	} else if (c == '"') {
		err = lex_string(lx, t);
	} else if (c == '$') {
		err = lex_dollar(lx, t);
	} else if (c == '@') {
		err = lex_map(lx, t);
	} else {
		err = lex_other(lx, t);
	}
	if (err)
		return err;
	lx->off += t->len;
	return 0;
}

/* What may stand unquoted in an attach point after its provider: paths, globs, offsets. */
static bool is_attach_char(char c)
{
	return is_alnum(c) || (c && strchr("-./+*?[]:#$@~!", c));
}

int lang_lex_probe(struct lang_lexer *lx, struct lang_token *t)
{
	const char *s;
	size_t i = 0;
	int err = skip_space(lx);

	if (err)
		return err;
	s = lx->src + lx->off;
	if (!is_alpha(s[0]))
		return lang_lex_next(lx, t);
	*t = (struct lang_token){ .kind = LT_PROBE, .pos = pos_at(lx, lx->off), .text = s };
	while (is_alnum(s[i]))
		i++;
	if (s[i] == ':') {
		for (;;) {
			if (s[i] == '"') {
				size_t q = i++;

				while (s[i] && s[i] != '"' && s[i] != '\n')
					i += s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\')
						     ? 2
						     : 1;
				if (s[i] != '"')
					return lang_error(lx->diag, pos_at(lx, lx->off + q),
							  "unterminated quoted part of an attach "
							  "point: %s before the closing '\"'",
							  s[i] ? "end of line" : "end of input");
				i++;
			} else if (is_attach_char(s[i])) {
				i++;
			} else {
				break;
			}
		}
	}
	t->len = i;
	lx->off += i;
	return 0;
}

const char *lang_tok_describe(const struct lang_token *t, char *buf, size_t size)
{
	char b[64];

	switch (t->kind) {
	case LT_INT:
	case LT_IDENT:
	case LT_BUILTIN:
	case LT_VAR:
	case LT_MAP:
	case LT_PARAM:
	case LT_PROBE:
		snprintf(buf, size, "%s '%s'", lang_tok_name(t->kind),
			 show(t->text, t->len, b, sizeof(b)));
		break;
	case LT_STR:
		snprintf(buf, size, "string %s", show(t->text, t->len, b, sizeof(b)));
		break;
	default:
		snprintf(buf, size, "%s", lang_tok_name(t->kind));
	}
	return buf;
}
