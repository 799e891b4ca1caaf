/* SPDX-License-Identifier: GPL-2.0-only */
/* Reports of stack-keyed counts (bpf/stacks.bpf.h): text, folded, JSON and SVG flame graphs. */
#ifndef KS_STACKS_H
#define KS_STACKS_H

#include <stddef.h>

#include "core/common.h"
#include "core/opt.h"

struct ks_ctx;
struct ks_stacks;
struct bpf_object;

/* How a stack tool reports; the tool fills it from its options (KS_STACK_OPTS below). */
struct ks_stack_opts {
	bool folded;		    /* --folded: "frame;frame count" lines */
	const char *svg;	    /* --svg FILE: a flame graph at the end */
	bool delimited;		    /* -d: a "-" frame between the kernel and the user stack */
	bool kernel_only;	    /* -K */
	bool user_only;		    /* -U */
	long long top;		    /* text and JSON: the N largest stacks (0: all) */
	const char *title;	    /* flame graph title ("CPU profile") */
	const char *unit;	    /* what a count is: "samples", "us" ... */
	unsigned long long divisor; /* counts are divided by this for display (ns -> us: 1000) */
	const char *other_label;    /* "target": the other task's role, when keys have one */
	long long storage;	    /* --stack-storage: distinct stacks kept (0: 16384) */
	long long min_block_us, max_block_us; /* KS_BLOCK_OPTS; max 0: no bound */
};

/*
 * The options every stack tool shares (--folded, --svg, -d, -K, -U, --top), bound to
 * @o; put KS_STACK_OPTS(o) in the tool's table before its own entries and the end mark.
 */
/* clang-format off: tables of options read best one entry to a line */
#define KS_STACK_OPTS(o)                                                                           \
	{ "folded",                                                                                \
	  'f',                                                                                     \
	  KS_OPT_FLAG,                                                                             \
	  NULL,                                                                                    \
	  "print folded stacks (frame;frame;... count), for "                                      \
	  "flame graphs",                                                                          \
	  &(o).folded },                                                                           \
		{ "svg",                                                                           \
		  0,                                                                               \
		  KS_OPT_STR,                                                                      \
		  "FILE",                                                                          \
		  "write an interactive flame graph to FILE at the end",                           \
		  &(o).svg },                                                                      \
		{ "delimited",                                                                     \
		  0,                                                                               \
		  KS_OPT_FLAG,                                                                     \
		  NULL,                                                                            \
		  "put a \"-\" frame between kernel and user stacks",                              \
		  &(o).delimited },                                                                \
		{ "kernel-stacks-only", 'K', KS_OPT_FLAG, NULL, "kernel stacks only",              \
		  &(o).kernel_only },                                                              \
		{ "user-stacks-only", 0, KS_OPT_FLAG, NULL, "user stacks only", &(o).user_only },  \
		{ "top",                                                                           \
		  0,                                                                               \
		  KS_OPT_INT,                                                                      \
		  "N",                                                                             \
		  "text and JSON: only the N largest stacks (default all)",                        \
		  &(o).top,                                                                        \
		  0,                                                                               \
		  100000000 },                                                                     \
	{                                                                                          \
		"stack-storage", 0, KS_OPT_INT, "N", "room for N distinct stacks (default 16384)", \
			&(o).storage, 64, 1 << 24                                                  \
	}

/* --min-block and --max-block of the off-CPU tools (checked by ks_stacks_new). */
#define KS_BLOCK_OPTS(o)                                                                           \
	{ "min-block",                                                                             \
	  'm',                                                                                     \
	  KS_OPT_INT,                                                                              \
	  "US",                                                                                    \
	  "count only blocks of at least US microseconds "                                         \
	  "(default 1)",                                                                           \
	  &(o).min_block_us,                                                                       \
	  1,                                                                                       \
	  1LL << 50 },                                                                             \
	{                                                                                          \
		"max-block", 'M', KS_OPT_INT, "US",                                                \
			"count only blocks of at most US microseconds", &(o).max_block_us, 1,      \
			1LL << 50                                                                  \
	}
/* clang-format on */

/*
 * Start reporting for a tool whose object (opened, not loaded) includes bpf/stacks.bpf.h:
 * checks the options (one line and -EINVAL on a conflict), sets which stacks the BPF side
 * takes. Returns NULL with errno set on failure. The state outlives the object.
 */
struct ks_stacks *ks_stacks_new(const struct ks_stack_opts *o);
void ks_stacks_free(struct ks_stacks *s);
/* Configure a freshly opened object: the kernel/user stack switches, the stack map's size. */
int ks_stacks_configure(struct ks_stacks *s, struct bpf_object *obj);

/*
 * The loop for a stack tool (ks_bpf_run): polls the notes ring, reports with
 * ks_stacks_report each interval and at the end. One stack tool runs at a time.
 */
const struct ks_loop *ks_stacks_loop(struct ks_stacks *s);

/*
 * A stack tool's run function in one line: ks_stacks_new(OPTS) into *STK (exit 2 on an
 * option conflict), KS_RUN_SKEL with CONFIGURE and the stacks loop, free. The exit code.
 */
#define KS_STACKS_RUN(c, name, opts, stk, configure)                                               \
	({                                                                                         \
		int ks_ret_;                                                                       \
		*(stk) = ks_stacks_new(opts);                                                      \
		if (!*(stk)) {                                                                     \
			ks_ret_ = errno == EINVAL ? KS_EXIT_USAGE : KS_EXIT_FAIL;                  \
		} else {                                                                           \
			ks_ret_ = KS_RUN_SKEL(c, name, configure, ks_stacks_loop(*(stk)));         \
			ks_stacks_free(*(stk));                                                    \
			*(stk) = NULL;                                                             \
		}                                                                                  \
		ks_ret_;                                                                           \
	})

/* The ring-buffer callback for the notes the BPF side sends (new process, exec). */
int ks_stacks_on_event(struct ks_stacks *s, const void *data, size_t size);

/*
 * Read every count and its stacks from the loaded object of @c, symbolize, and print them
 * in the chosen format (text, --folded, --json), then clear the counts so the next
 * interval starts empty. With @last and --svg, also write the flame graph of everything
 * counted. Returns 0 or -errno.
 */
int ks_stacks_report(struct ks_stacks *s, struct ks_ctx *c, bool last);

#endif
