/* SPDX-License-Identifier: GPL-2.0-only */
/* The one-liner language's lexer: tokens that point into the source, positioned errors. */
#ifndef KS_LANG_LEX_H
#define KS_LANG_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/ast.h"

/*
 * A token. Its text is not copied: @text points into the source and runs @len bytes (a
 * string token's text includes its quotes, escapes undecoded). LT_INT carries its value in
 * @val (@uns: above INT64_MAX); LT_PARAM carries N of $N, 0 for $#.
 */
struct lang_token {
	enum lang_tok kind;
	struct lang_pos pos;
	const char *text;
	size_t len;
	uint64_t val;
	bool uns;
};

/*
 * The lexer's state is a cursor into the NUL-terminated source, so it may be copied to
 * look ahead and thrown away. Errors go to *@diag (lang_lex_* then return -EINVAL).
 */
struct lang_lexer {
	const char *src;
	size_t off;
	int line;
	size_t line_start; /* offset of the current line's first byte */
	struct lang_diag *diag;
};

/* Start at the beginning of @src; a "#!" first line (a script's interpreter) is skipped. */
void lang_lex_init(struct lang_lexer *lx, const char *src, struct lang_diag *diag);

/*
 * The next token of the body of a probe (and of a predicate): operators, literals, names.
 * At the end of the input: LT_EOF positioned just after the last byte. 0 or -EINVAL.
 */
int lang_lex_next(struct lang_lexer *lx, struct lang_token *t);

/*
 * The next token where a probe starts, which bpftrace lexes differently: an attach point
 * is one LT_PROBE token, a word (BEGIN, a provider) that, when a ':' follows it, goes on
 * over the characters of paths and globs (letters, digits, _ - . / + * ? [ ] : # $ @ ~ !)
 * and "quoted" parts, which may hold anything but a newline. Whitespace, ',', '{' and a
 * '/' before the first ':' end it. Anything else gives LT_EOF at the end of the input, or
 * the ordinary token found there (for the parser's message). 0 or -EINVAL.
 */
int lang_lex_probe(struct lang_lexer *lx, struct lang_token *t);

/* The first byte after @off that is not whitespace or in a comment ('\0' at the end). */
char lang_lex_peek_char(const struct lang_lexer *lx, size_t off);

/*
 * Decode a string token's escapes (already checked by the lexer) into a new NUL-terminated
 * buffer; *@len gets its length without the NUL (the text may hold NULs). 0 or -ENOMEM.
 */
int lang_lex_string(const struct lang_token *t, char **out, size_t *len);

/*
 * "found ..." wording of a token for messages, into @buf: "identifier 'x'", "'+='",
 * "string \"ab\"", "end of input". Long or unprintable text is shortened and escaped.
 */
const char *lang_tok_describe(const struct lang_token *t, char *buf, size_t size);

#endif
