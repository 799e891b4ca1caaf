/* SPDX-License-Identifier: GPL-2.0-only */
/* The tool registry, the context a running tool gets, and how the core runs a tool. */
#ifndef KS_TOOL_H
#define KS_TOOL_H

#include <errno.h>
#include <stdio.h>

#include "core/common.h"
#include "core/khist.h"
#include "core/loop.h"
#include "core/open.h"
#include "core/opt.h"
#include "core/out.h"
#include "core/probe.h"
#include "shared/filter.h" /* skeletons name struct ks_filter */

struct bpf_object;
struct bpf_object_open_opts;
struct bpf_link;
struct ks_ctx;
struct ks_stacks;

/* A tool's prepare() did all there was to do: exit 0 without loading anything. */
#define KS_DONE (-1)

/* What the core does for a tool, chosen by flags in its registration. */
enum ks_tool_flags {
	KS_TOOL_BPF = 1u << 0,	    /* loads BPF: needs privilege; -d, --attach, -v */
	KS_TOOL_FILTER = 1u << 1,   /* -p -t -n -u -c, applied inside the BPF programs */
	KS_TOOL_INTERVAL = 1u << 2, /* positional interval [count] */
	KS_TOOL_STREAM = 1u << 3,   /* prints as it goes (events, or reports): -T */
	KS_TOOL_COMMAND = 1u << 4,  /* listed as a command, not a tool */
	KS_TOOL_ROOT = 1u << 5,	    /* needs privilege without being a tracing tool */
	/*
	 * Reports per key, chosen by the user: -P/--pids, -L/--tids, --per-cgroup, --pidnss
	 * (c->opt.by, enum ks_hist_by). The core writes the choice into the object's
	 * `ks_by` (src/bpf/hist.bpf.h) and, for a keyed-histogram tool (.khist), sets the
	 * report's labels and shrinks its map to one entry when there is one key.
	 */
	KS_TOOL_PER_PID = 1u << 6,
	KS_TOOL_PER_TID = 1u << 7,
	KS_TOOL_PER_CGROUP = 1u << 8,
	KS_TOOL_PER_PIDNS = 1u << 9,
	KS_TOOL_PER_TASK =
		KS_TOOL_PER_PID | KS_TOOL_PER_TID | KS_TOOL_PER_CGROUP | KS_TOOL_PER_PIDNS,
	/* One line per event through ks_event_text_prefix: -U, --elapsed. */
	KS_TOOL_EVENTS = 1u << 10,
	/*
	 * The positional argument is the duration in seconds, as in BCC's profile and
	 * offcputime; reports every interval only with --interval SECONDS.
	 */
	KS_TOOL_DURATION_ARG = 1u << 11,
};

/*
 * A BPF skeleton as the core handles it (generated tool.skel.h, wrapped by
 * KSCOPE_BPF_TOOL): its ELF image (for the BTF cache), open, destroy, its object.
 */
struct ks_skel {
	const void *(*elf)(size_t *size);
	void *(*open)(const struct bpf_object_open_opts *opts);
	void (*destroy)(void *skel);
	struct bpf_object *(*obj)(void *skel);
};

struct ks_tool {
	const char *name;
	const char *summary; /* one line, lowercase, no final period */
	const char *usage;   /* extra synopsis after the options, e.g. "[interval [count]]" */
	const char *help;    /* paragraphs and examples printed by --help */
	/* The tool's own options (KS_FLAG, KS_INT, ... in core/opt.h), stored in its state. */
	const struct ks_opt *opts;
	/*
	 * Optional positional arguments, in order (runqslower's MIN_US): entries like opts,
	 * of type KS_OPT_INT, KS_OPT_STR or KS_OPT_FUNC; name is what --help shows. Not for
	 * tools with KS_TOOL_INTERVAL, whose positional arguments are interval and count.
	 * An entry whose name ends in "..." takes every argument left (a KS_OPT_FUNC, called
	 * once per argument).
	 */
	const struct ks_opt *args;
	unsigned int flags;
	/* The tool's state (options and what it keeps while running): KS_STATE(type, ...). */
	size_t state_size;
	const void *state_init;

	/*
	 * A command, or a tool that drives BPF its own way (trace): does everything and
	 * returns an enum ks_exit value. Tools with a skeleton leave it NULL.
	 */
	int (*run)(struct ks_ctx *c);

	/* A BPF tool the core runs (ks_tool_run), in this order: */
	const struct ks_skel *skel; /* set by KSCOPE_BPF_TOOL */
	/*
	 * Once, after the options: check what the options can't (conflicts: one line with
	 * ks_error), settle c->khist, c->stacks, sampling. Returns 0 to go on, an exit code
	 * to stop, or KS_DONE when it did all there was to do (syscount --list): exit 0.
	 */
	int (*prepare)(struct ks_ctx *c);
	/*
	 * Each time the object is opened (c->skel, c->obj; again after a variant had to be
	 * ruled out): its .rodata, map sizes, hooks to switch off. Returns 0 or -errno.
	 */
	int (*configure)(struct ks_ctx *c);
	/*
	 * For objects with a hook per argument layout of a tracepoint that changed across
	 * kernels (block.bpf.h, uring.bpf.h): switch off, in the opened @obj, the hooks whose
	 * layout is not this kernel's, read from its BTF. The tool's configure does it too;
	 * this is what `kscope btf --verify`, which loads objects without configuring them,
	 * calls. 0 or -errno.
	 */
	int (*layouts)(struct bpf_object *obj);
	/* Events and reports. Keyed-histogram and stack tools use KS_KHIST_LOOP or KS_STACKS_LOOP.
	 */
	struct ks_loop loop;
	/* A keyed-histogram report (core/khist.h): copied into c->khist before prepare. */
	const struct ks_khist_fmt *khist;
	/* After the run, however it ended: free what prepare and the loop made. */
	void (*finish)(struct ks_ctx *c);
	/*
	 * Once attached, what the tool has to say about this kernel (skbdrop: drop reasons
	 * missing): with --json members of the meta line (c->json, its object open), else
	 * lines on stderr before "tracing, Ctrl-C to end".
	 */
	void (*meta)(struct ks_ctx *c);
};

/*
 * Register a tool: KSCOPE_TOOL(name, .summary = ..., .run = ...). The pointer lands in
 * the "ks_tools" section, so adding a tool never touches a central list.
 */
#define KSCOPE_TOOL(id, ...)                                                                       \
	static const struct ks_tool ks_tool_##id = { .name = #id, __VA_ARGS__ };                   \
	static const struct ks_tool *const ks_tool_ptr_##id                                        \
		__attribute__((used, section("ks_tools"))) = &ks_tool_##id

/*
 * Register a BPF tool whose skeleton is skel/ID.skel.h (src/tools/ID.bpf.c): the core
 * opens, configures, runs and destroys it (ks_tool_run). The arguments as KSCOPE_TOOL's.
 */
#define KSCOPE_BPF_TOOL(id, ...)                                                                   \
	static void *ks_skel_open_##id(const struct bpf_object_open_opts *o)                       \
	{                                                                                          \
		return id##_bpf__open_opts(o);                                                     \
	}                                                                                          \
	static void ks_skel_destroy_##id(void *s)                                                  \
	{                                                                                          \
		id##_bpf__destroy(s);                                                              \
	}                                                                                          \
	static struct bpf_object *ks_skel_obj_##id(void *s)                                        \
	{                                                                                          \
		return ((struct id##_bpf *)s)->obj;                                                \
	}                                                                                          \
	static const struct ks_skel ks_skel_##id = { id##_bpf__elf_bytes, ks_skel_open_##id,       \
						     ks_skel_destroy_##id, ks_skel_obj_##id };     \
	KSCOPE_TOOL(id, .skel = &ks_skel_##id, __VA_ARGS__)

/*
 * The tool's state, in KSCOPE_TOOL's arguments: a zeroed struct @type at c->state, with the
 * members given after it as initial values: KS_STATE(struct runqlen, .hz = 99).
 */
#define KS_STATE(type, ...)                                                                        \
	.state_size = sizeof(type), .state_init = &(const type)                                    \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}

/* All registered tools and commands sorted by name; returns the count. */
size_t ks_tools_list(const struct ks_tool ***list);
const struct ks_tool *ks_tool_find(const char *name);
/* The registered name closest to @name (typo distance <= 2, or a prefix), or NULL. */
const char *ks_tool_suggest(const char *name);

/* Everything a running tool needs; set up by main, passed to every callback. */
struct ks_ctx {
	const struct ks_tool *tool;
	struct ks_common opt;
	void *state; /* the tool's own state (KS_STATE), its options parsed into it */
	FILE *out;
	struct ks_json json; /* writer over @out, for --json */
	int status;	     /* exit code chosen by a failing core helper, 0 if none */

	/* The open skeleton and its object, while ks_tool_run has them. */
	void *skel;
	struct bpf_object *obj;
	/* Reports the core makes for the tool: keyed histograms, stacks (core/stacks.h). */
	struct ks_khist_fmt khist;
	struct ks_stacks *stacks;

	/* Filled by ks_bpf_start. */
	struct bpf_link **links;
	size_t nlinks;
	struct ks_attach_plan plan;
	int cgroup_fd;
	unsigned long long cgroup_id;
	unsigned long long realtime_offset; /* CLOCK_REALTIME - CLOCK_MONOTONIC, in ns */
	unsigned long long start_ns;	    /* CLOCK_MONOTONIC at attach */

	/*
	 * Programs of type perf_event are attached by ks_bpf_start to a sampling event on
	 * every online CPU (core/perf.h): set these in prepare. 0 Hz means 49.
	 */
	unsigned long long sample_hz;
	int sample_want;	  /* enum ks_sample_event */
	const char *sample_event; /* set by ks_bpf_start: "cycles" or "cpu-clock" */

	/* Counted by ks_loop_run. */
	unsigned long long events;
	unsigned long long lost;
	unsigned long long missed; /* program runs the kernel skipped (recursion_misses) */
};

/*
 * Run the tool of @c (options parsed, privilege checked): its run(), or for a BPF tool
 * prepare, then open the skeleton, configure (the core's part: per-key choice, stacks;
 * then the tool's), ks_bpf_run with the tool's loop, destroy — again while a variant had
 * to be ruled out — and finish. Returns the exit code.
 */
int ks_tool_run(struct ks_ctx *c);

/* Record @code as the exit status (first failure wins) and return -@err for chaining. */
int ks_fail(struct ks_ctx *c, int code, int err);
/* The exit code for run() to return: the recorded status, else 1 if @err, else 0. */
int ks_exit_status(const struct ks_ctx *c, int err);

/*
 * Make @obj (opened, not loaded) run: write the common filter into its .rodata, choose one
 * attach method per hook (ks_attach_select, honouring --attach), load, fill the cgroup
 * filter map, attach every program left on, then announce it: "Tracing ... Ctrl-C to end"
 * on stderr, or a {"type":"meta"} line with the chosen methods in --json mode.
 * On failure prints one clear error line, records the exit code and returns -errno;
 * nothing stays attached. Undo with ks_bpf_stop() before destroying the skeleton.
 * -EAGAIN (no message) means a variant failed to load and was ruled out: open the object
 * again and start anew; the next choice falls back to the hook's next method.
 */
int ks_bpf_start(struct ks_ctx *c, struct bpf_object *obj);
/* Detach everything ks_bpf_start attached. Safe to call twice, or after a failed start. */
void ks_bpf_stop(struct ks_ctx *c);

/* Write @size bytes into the .rodata variable @name of @obj before load; 0 or -errno. */
int ks_bpf_set_rodata(struct bpf_object *obj, const char *name, const void *val, size_t size);
/* Switch off every program of hook @hook (all its variants), e.g. an optional probe. */
void ks_bpf_disable_hook(struct bpf_object *obj, const char *hook);

/* BPF time (CLOCK_MONOTONIC ns) to wall-clock ns since the epoch. */
static inline unsigned long long ks_realtime(const struct ks_ctx *c, unsigned long long mono)
{
	return mono + c->realtime_offset;
}

#endif
