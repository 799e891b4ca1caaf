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
 * The options every stack tool shares (--folded, --svg, -d, -K, -U, --top,
 * --stack-storage; -d and -U as in BCC's profile and offcputime: the duration is the
 * positional argument, KS_TOOL_DURATION_ARG), bound to the struct ks_stack_opts @member of the
 * tool's state @type; put KS_STACK_OPTS(type, member) in the tool's table before its own entries
 * and the end.
 */
/* clang-format off: tables of options read best one entry to a line */
#define KS_STACK_OPTS(type, m)                                                                     \
	KS_FLAG(type, m.folded, "folded", 'f',                                                     \
		"print folded stacks (frame;frame;... count), for flame graphs"),                  \
		KS_STR(type, m.svg, "svg", 0, "FILE",                                              \
		       "write an interactive flame graph to FILE at the end"),                     \
		KS_FLAG(type, m.delimited, "delimited", 'd',                                       \
			"put a \"-\" frame between kernel and user stacks"),                       \
		KS_FLAG(type, m.kernel_only, "kernel-stacks-only", 'K', "kernel stacks only"),     \
		KS_FLAG(type, m.user_only, "user-stacks-only", 'U', "user stacks only"),           \
		KS_INT(type, m.top, "top", 0, "N",                                                 \
		       "text and JSON: only the N largest stacks (default all)", 0, 100000000),    \
		KS_INT(type, m.storage, "stack-storage", 0, "N",                                   \
		       "room for N distinct stacks (default 16384)", 64, 1 << 24)

/* --min-block and --max-block of the off-CPU tools (checked by ks_stacks_new). */
#define KS_BLOCK_OPTS(type, m)                                                                     \
	KS_INT(type, m.min_block_us, "min-block", 'm', "US",                                       \
	       "count only blocks of at least US microseconds (default 1)", 1, 1LL << 50),         \
		KS_INT(type, m.max_block_us, "max-block", 'M', "US",                               \
		       "count only blocks of at most US microseconds", 1, 1LL << 50)
/* clang-format on */

/*
 * Start reporting for a tool whose object (opened, not loaded) includes bpf/stacks.bpf.h:
 * checks the options (one line and -EINVAL on a conflict), sets which stacks the BPF side
 * takes. Returns NULL with errno set on failure. The state outlives the object.
 */
struct ks_stacks *ks_stacks_new(const struct ks_stack_opts *o);
void ks_stacks_free(struct ks_stacks *s);
/*
 * Configure a freshly opened object (the core does, for c->stacks): the kernel/user stack
 * switches, the stack map's size, and with KS_BLOCK_OPTS its min_block_ns/max_block_ns.
 */
int ks_stacks_configure(struct ks_stacks *s, struct bpf_object *obj);

/*
 * A stack tool's prepare: ks_stacks_new(@o) into c->stacks, which the core then configures
 * into each object it opens, reports through KS_STACKS_LOOP and frees at the end.
 * Returns 0, or the exit code (2 after one line on an option conflict).
 */
int ks_stacks_prepare(struct ks_ctx *c, const struct ks_stack_opts *o);

/* The loop of a stack tool, for its registration: notes from the ring, reports of c->stacks. */
int ks_stacks_loop_event(struct ks_ctx *c, const void *data, size_t size);
int ks_stacks_loop_tick(struct ks_ctx *c, bool last);
#define KS_STACKS_LOOP                                                                             \
	{                                                                                          \
		.ring = "ks_events", .on_event = ks_stacks_loop_event,                             \
		.on_tick = ks_stacks_loop_tick, .notes = true                                      \
	}

/* The ring-buffer callback for the notes the BPF side sends (new process, exec). */
int ks_stacks_on_event(struct ks_stacks *s, const void *data, size_t size);

struct ks_sym;

/*
 * Is @sym (core/syms.h) a frame of the tracing machinery that ran a BPF program: the
 * program itself, bpf_trace_run*, __bpf_trace_*, __traceiter_*, perf_trace_* ...? The
 * first frames of a kernel stack taken in a tracepoint program are such, and not what
 * the user asked about: reports leave them out.
 */
bool ks_stack_tracing_frame(const struct ks_sym *sym);

/*
 * Read every count and its stacks from the loaded object of @c, symbolize, and print them
 * in the chosen format (text, --folded, --json), then clear the counts so the next
 * interval starts empty. With @last and --svg, also write the flame graph of everything
 * counted. Returns 0 or -errno.
 */
int ks_stacks_report(struct ks_stacks *s, struct ks_ctx *c, bool last);

#endif
