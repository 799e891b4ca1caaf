// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the language front end on any input, and the contract of its errors. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ast.h"

/*
 * Allocation failures: the parser must free what it holds on every error path, ENOMEM's
 * too. Each input is parsed a second time with its Nth allocation failing (N drawn from the
 * input), and must then fail with "out of memory", with no leak (LeakSanitizer checks).
 * The front end's calls of these functions are redirected here by the linker (--wrap).
 */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strndup(const char *s, size_t n);

static bool counting;
static unsigned long allocs, fail_at;

static bool fail_now(void)
{
	return counting && ++allocs == fail_at;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return fail_now() ? NULL : __real_strndup(s, n);
}

static struct lang_program *parse(const char *src, struct lang_diag *d, unsigned long fail)
{
	struct lang_program *p;

	allocs = 0;
	fail_at = fail;
	counting = true;
	p = lang_parse(src, "fuzz", d);
	counting = false;
	return p;
}

/* The line and column of byte @off of @src, as the lexer must count them. */
static void where(const char *src, int off, int *line, int *col)
{
	int ls = 0;

	*line = 1;
	for (int i = 0; i < off; i++)
		if (src[i] == '\n') {
			(*line)++;
			ls = i + 1;
		}
	*col = off - ls + 1;
}

static void check_pos(const char *src, size_t len, struct lang_pos pos, const char *what)
{
	int line, col;

	if (pos.off < 0 || (size_t)pos.off > len || pos.line < 1 || pos.col < 1) {
		fprintf(stderr,
			"lang_fuzz: %s: position %d:%d (offset %d) outside the input of %zu "
			"bytes\n",
			what, pos.line, pos.col, pos.off, len);
		abort();
	}
	where(src, pos.off, &line, &col);
	if (line != pos.line || col != pos.col) {
		fprintf(stderr, "lang_fuzz: %s: offset %d is %d:%d, reported as %d:%d\n", what,
			pos.off, line, col, pos.line, pos.col);
		abort();
	}
}

/* Every node of a parsed program is placed inside the input (height is bounded by the parser). */
static void check_tree(const char *src, size_t len, const struct lang_node *n)
{
	if (!n) {
		fprintf(stderr, "lang_fuzz: a NULL node in the tree\n");
		abort();
	}
	check_pos(src, len, n->pos, "node");
	for (size_t i = 0; i < n->nkids; i++)
		check_tree(src, len, n->kids[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1), *out = NULL;
	struct lang_diag d = { .pos = { -1, -1, -1 } };
	struct lang_program *p;
	size_t len, outlen = 0;
	FILE *f;

	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = '\0';
	len = strlen(src); /* the parser reads up to the first NUL */
	memset(d.msg, 'x', sizeof(d.msg));
	d.msg[0] = '\0';
	f = open_memstream(&out, &outlen);
	if (!f)
		abort();
	p = parse(src, &d, 0);
	if (allocs) {
		struct lang_diag m = { .pos = { -1, -1, -1 } };
		unsigned long h = 5381, n = allocs;
		struct lang_program *q;

		for (size_t i = 0; i < size; i++)
			h = h * 33 + data[i];
		errno = 0;
		q = parse(src, &m, 1 + h % n);
		if (q || errno != ENOMEM || strcmp(m.msg, "out of memory")) {
			fprintf(stderr,
				"lang_fuzz: allocation %lu of %lu failed: %s, errno %d, \"%s\"\n",
				1 + h % n, n, q ? "parsed" : "not parsed", errno, m.msg);
			abort();
		}
		check_pos(src, len, m.pos, m.msg);
	}
	if (p) {
		for (size_t i = 0; i < p->nprobes; i++) {
			const struct lang_probe *pr = p->probes[i];

			if (!pr->nattach || !pr->body) {
				fprintf(stderr, "lang_fuzz: probe %zu without %s\n", i,
					pr->body ? "attach points" : "a body");
				abort();
			}
			for (size_t j = 0; j < pr->nattach; j++)
				check_pos(src, len, pr->attach[j]->pos, "attach point");
			if (pr->pred)
				check_tree(src, len, pr->pred);
			check_tree(src, len, pr->body);
		}
		lang_ast_dump(p, f);
		lang_program_free(p);
	} else {
		if (!d.msg[0] || !memchr(d.msg, '\0', sizeof(d.msg))) {
			fprintf(stderr, "lang_fuzz: an error without a message\n");
			abort();
		}
		check_pos(src, len, d.pos, d.msg);
		lang_diag_print(&d, "fuzz", src, f);
	}
	fclose(f);
	free(out);
	free(src);
	return 0;
}
