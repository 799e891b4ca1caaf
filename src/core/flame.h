/* SPDX-License-Identifier: GPL-2.0-only */
/* Flame graphs: stacks merged into a tree, written as one self-contained interactive SVG. */
#ifndef KS_FLAME_H
#define KS_FLAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * How the SVG works (docs/flamegraph.md): one <g class="f K"> per frame, K its kind (u user,
 * k kernel, j JIT, i inlined, w waker or separator, q unknown, r the root "all"), holding a
 * <title> "NAME (N UNIT, P%)", a <rect> and a <text>; data-x (offset in counts), data-c
 * (count) and data-d (depth) drive the script. Once the script has laid the frames out it
 * sets data-ks-frames="N" on the <svg> and data-ks-w (drawn width in pixels, 0 if hidden)
 * on every frame, which is what tests read back from a browser's DOM. Frames narrower than
 * 0.1 px are not written (an XML comment counts them); the totals still include them.
 */
struct ks_flame;

struct ks_flame_opts {
	const char *title;    /* e.g. "CPU profile"; NULL: "Flame graph" */
	const char *subtitle; /* e.g. "kscope profile -F 49, 12345 samples"; may be NULL */
	const char *unit;     /* what a count is: "samples" (default), "us", "ns" ... */
	unsigned int width;   /* pixels, 0: 1200 */
	bool inverted;	      /* icicle graph (root at top) */
};

/* The kind of a frame, from its text (see ks_flame_add). */
enum ks_flame_kind {
	KS_FLAME_USER,
	KS_FLAME_KERNEL,  /* "..._[k]" */
	KS_FLAME_JIT,	  /* "..._[j]" */
	KS_FLAME_INLINED, /* "..._[i]" */
	KS_FLAME_WAKER,	  /* "..._[w]", and the separators "--" (wakeuptime) and "-" (BCC -d) */
	KS_FLAME_UNKNOWN, /* "[unknown]..." */
	KS_FLAME_KINDS,
};

/* An empty graph. NULL with errno set when out of memory. */
struct ks_flame *ks_flame_new(void);
/* Free @f and everything it copied; accepts NULL. */
void ks_flame_free(struct ks_flame *f);

/*
 * Add one stack, frames ROOT FIRST (main before its callees), with its count. Frames are
 * copied. A frame's kind comes from its text, as in folded stacks: suffix "_[k]" kernel,
 * "_[j]" JIT, "_[i]" inlined, "_[w]"/"--" waker separator (wakeuptime), "[unknown]..."
 * (prefix) unknown, anything else user. The suffix is not shown in the graph. Frames of the
 * same text under the same parent merge; frames that differ only in kind do not. @n may be
 * 0 (the count then belongs to the root alone). Returns 0, -ENOMEM, or -ERANGE when the
 * total would overflow.
 */
int ks_flame_add(struct ks_flame *f, const char *const *frames, size_t n, unsigned long long count);

/*
 * Parse one folded line "f1;f2;f3 COUNT" (split at the LAST space or tab; a trailing
 * newline is ignored; COUNT may be fractional as in perf's output and is rounded to the
 * nearest integer; empty frames, as in "a;;b", are skipped) and add it. Blank lines, lines
 * without a count or without a frame, and negative or non-numeric counts are errors:
 * -EINVAL, and ks_flame_error() says why. Otherwise as ks_flame_add().
 */
int ks_flame_add_folded(struct ks_flame *f, const char *line);
/* Why the last ks_flame_add_folded() returned -EINVAL: a lowercase phrase, never NULL. */
const char *ks_flame_error(const struct ks_flame *f);

/*
 * Write the whole self-contained SVG document (inline style and script, no external
 * resource, valid XML and UTF-8 whatever bytes the frames hold) to @out; @o may be NULL
 * for the defaults. Returns 0, or -errno when writing failed (-ENOMEM if out of memory).
 */
int ks_flame_write_svg(struct ks_flame *f, FILE *out, const struct ks_flame_opts *o);

/* Total count added so far. */
unsigned long long ks_flame_total(const struct ks_flame *f);
/* Distinct frames in the merged tree so far (not counting the root). */
size_t ks_flame_nodes(const struct ks_flame *f);

/* The kind of frame @text and the length of its text as shown (suffix removed). */
enum ks_flame_kind ks_flame_kind_of(const char *text, size_t len, size_t *shown);

#endif
