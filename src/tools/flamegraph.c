// SPDX-License-Identifier: GPL-2.0-only
/* kscope flamegraph: folded stacks (kscope's, perf's, BCC's) to an interactive SVG. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/flame.h"
#include "core/log.h"
#include "core/tool.h"

struct flamegraph {
	const char *input, *output, *title, *subtitle, *unit;
	long long width;
	bool inverted;
};

static const struct ks_opt opts[] = {
	KS_STR(struct flamegraph, output, "output", 'o', "FILE",
	       "write the SVG to FILE (default: stdout)"),
	KS_STR(struct flamegraph, title, "title", 0, "TEXT",
	       "title at the top (default: \"Flame graph\")"),
	KS_STR(struct flamegraph, subtitle, "subtitle", 0, "TEXT", "a second line under the title"),
	KS_STR(struct flamegraph, unit, "unit", 0, "UNIT",
	       "what a count is, e.g. us (default: samples)"),
	KS_INT(struct flamegraph, width, "width", 0, "PIXELS", "width of the image (default: 1200)",
	       200, 100000),
	KS_FLAG(struct flamegraph, inverted, "inverted", 0, "icicle graph: the root at the top"),
	{ 0 },
};

static const struct ks_opt args[] = {
	KS_STR(struct flamegraph, input, "FILE", 0, NULL,
	       "folded stacks to read (default or -: stdin)"),
	{ 0 },
};

/* Every line of @in into @f; on a bad line says "NAME:LINE: why" and returns -EINVAL. */
static int read_folded(struct ks_flame *f, FILE *in, const char *name, size_t *lines)
{
	size_t cap = 0, lineno = 0;
	char *line = NULL;
	ssize_t len;
	int err = 0;

	*lines = 0;
	while ((len = getline(&line, &cap, in)) >= 0) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)len)
			continue; /* blank lines, e.g. at the end of a file, say nothing */
		if (memchr(line, '\0', (size_t)len)) {
			ks_error("%s:%zu: a NUL byte in the line: not folded stacks", name, lineno);
			err = -EINVAL;
			break;
		}
		err = ks_flame_add_folded(f, line);
		if (err == -EINVAL) {
			ks_error("%s:%zu: %s", name, lineno, ks_flame_error(f));
			break;
		}
		if (err) {
			ks_error("%s:%zu: %s", name, lineno,
				 err == -ERANGE ? ks_flame_error(f) : strerror(-err));
			break;
		}
		(*lines)++;
	}
	if (!err && ferror(in)) {
		err = -errno;
		ks_error("cannot read %s: %s", name, strerror(errno));
	}
	free(line);
	return err;
}

static int run(struct ks_ctx *c)
{
	const struct flamegraph *st = c->state;
	const char *input = st->input, *output = st->output;
	struct ks_flame_opts o = { .title = st->title,
				   .subtitle = st->subtitle,
				   .unit = st->unit,
				   .width = (unsigned int)st->width,
				   .inverted = st->inverted };
	const char *name = input && strcmp(input, "-") ? input : "stdin";
	FILE *in = stdin, *out = c->out;
	struct ks_flame *f;
	size_t lines;
	int err, ret = KS_EXIT_USAGE;

	f = ks_flame_new();
	if (!f) {
		ks_error("out of memory");
		return KS_EXIT_FAIL;
	}
	if (input && strcmp(input, "-")) {
		in = fopen(input, "r");
		if (!in) {
			ks_error("cannot open %s: %s", input, strerror(errno));
			goto out;
		}
	}
	err = read_folded(f, in, name, &lines);
	if (err) {
		ret = err == -EINVAL || err == -ERANGE || err == -EISDIR ? KS_EXIT_USAGE
									 : KS_EXIT_FAIL;
		goto out;
	}
	if (!lines) {
		ks_error("no stacks in %s: expected folded lines 'frame;frame;... COUNT'", name);
		goto out;
	}
	if (!ks_flame_total(f)) {
		ks_error("every count in %s is 0: nothing to draw", name);
		goto out;
	}
	/* Opened only now, so bad input leaves an existing output file alone. */
	if (output && strcmp(output, "-")) {
		out = fopen(output, "w");
		if (!out) {
			ks_error("cannot write %s: %s", output, strerror(errno));
			goto out;
		}
	}
	err = ks_flame_write_svg(f, out, &o);
	if (out == c->out && err != -ENOMEM) {
		/* Standard output's failures are said (once) by ks_out_flush; EPIPE is quiet. */
		err = ks_out_flush(out);
		if (err && err != -EPIPE) {
			ret = KS_EXIT_FAIL;
			goto out;
		}
		err = 0;
	}
	if (out != c->out && fclose(out) && !err)
		err = -errno;
	if (err) {
		ks_error("cannot write the SVG to %s: %s", output ? output : "stdout",
			 strerror(-err));
		ret = KS_EXIT_FAIL;
		goto out;
	}
	ks_info("%s: %zu stacks, %zu frames, total %llu", name, lines, ks_flame_nodes(f),
		ks_flame_total(f));
	ret = KS_EXIT_OK;
out:
	if (in && in != stdin)
		fclose(in);
	ks_flame_free(f);
	return ret;
}

static const char help[] =
	"Reads folded stacks, one 'frame;frame;... COUNT' line per stack with the root first\n"
	"(kscope's, perf's stackcollapse, BCC's profile -f / offcputime -f), and writes one\n"
	"self-contained SVG: hover for details, click to zoom, Ctrl-F or / to search. Frames\n"
	"ending in _[k] are kernel, _[j] JIT, _[i] inlined, _[w] waker; a fractional COUNT is\n"
	"rounded. See docs/flamegraph.md.\n\n"
	"  kscope flamegraph out.folded > cpu.svg\n"
	"  perf script | stackcollapse-perf.pl | kscope flamegraph -o cpu.svg\n"
	"  kscope flamegraph --inverted --unit us --title 'Off-CPU time' off.folded";

KSCOPE_TOOL(flamegraph, .summary = "draw folded stacks as an interactive flame graph (SVG)",
	    .usage = "[FILE]", .help = help, .opts = opts, .args = args,
	    KS_STATE(struct flamegraph), .flags = KS_TOOL_COMMAND, .run = run);
