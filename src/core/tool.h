/* SPDX-License-Identifier: GPL-2.0-only */
/* The tool registry and what a running tool gets from the core: context, BPF session, loop. */
#ifndef KS_TOOL_H
#define KS_TOOL_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>

#include "core/common.h"
#include "core/open.h"
#include "core/opt.h"
#include "core/out.h"
#include "core/probe.h"
#include "shared/filter.h" /* skeletons name struct ks_filter */

struct bpf_object;
struct bpf_map;
struct bpf_link;
struct ring_buffer;
struct ks_ctx;

/* What the core does for a tool, chosen by flags in its registration. */
enum ks_tool_flags {
	KS_TOOL_BPF = 1u << 0,	    /* loads BPF: needs privilege; -d, --attach, -v */
	KS_TOOL_FILTER = 1u << 1,   /* -p -t -n -u -c, applied inside the BPF programs */
	KS_TOOL_INTERVAL = 1u << 2, /* positional interval [count] */
	KS_TOOL_STREAM = 1u << 3,   /* prints events as they happen: -T */
	KS_TOOL_COMMAND = 1u << 4,  /* listed as a command, not a tool */
	KS_TOOL_ROOT = 1u << 5,	    /* needs privilege without being a tracing tool */
};

struct ks_tool {
	const char *name;
	const char *summary; /* one line, lowercase, no final period */
	const char *usage;   /* extra synopsis after the options, e.g. "[interval [count]]" */
	const char *help;    /* paragraphs and examples printed by --help */
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
	int (*run)(struct ks_ctx *c); /* returns an enum ks_exit value */
	/* The tool's BPF object, a skeleton's NAME_bpf__elf_bytes; NULL for none. */
	const void *(*bpf_elf)(size_t *size);
};

/*
 * Register a tool: KSCOPE_TOOL(name, .summary = ..., .run = ...). The pointer lands in
 * the "ks_tools" section, so adding a tool never touches a central list.
 */
#define KSCOPE_TOOL(id, ...)                                                                       \
	static const struct ks_tool ks_tool_##id = { .name = #id, __VA_ARGS__ };                   \
	static const struct ks_tool *const ks_tool_ptr_##id                                        \
		__attribute__((used, section("ks_tools"))) = &ks_tool_##id

/* All registered tools and commands sorted by name; returns the count. */
size_t ks_tools_list(const struct ks_tool ***list);
const struct ks_tool *ks_tool_find(const char *name);
/* The registered name closest to @name (typo distance <= 2, or a prefix), or NULL. */
const char *ks_tool_suggest(const char *name);

/* Everything a running tool needs; set up by main, passed to run(). */
struct ks_ctx {
	const struct ks_tool *tool;
	struct ks_common opt;
	FILE *out;
	struct ks_json json; /* writer over @out, for --json */
	int status;	     /* exit code chosen by a failing core helper, 0 if none */

	/* Filled by ks_bpf_start. */
	struct bpf_object *obj;
	struct bpf_link **links;
	size_t nlinks;
	struct ks_attach_plan plan;
	int cgroup_fd;
	unsigned long long cgroup_id;
	unsigned long long realtime_offset; /* CLOCK_REALTIME - CLOCK_MONOTONIC, in ns */
	unsigned long long start_ns;	    /* CLOCK_MONOTONIC at attach */

	/*
	 * Programs of type perf_event are attached by ks_bpf_start to a sampling event on
	 * every online CPU (core/perf.h): set these before ks_bpf_run. 0 Hz means 49.
	 */
	unsigned long long sample_hz;
	int sample_want;	  /* enum ks_sample_event */
	const char *sample_event; /* set by ks_bpf_start: "cycles" or "cpu-clock" */

	/* Counted by ks_loop_run. */
	unsigned long long events;
	unsigned long long lost;
	unsigned long long missed; /* program runs the kernel skipped (recursion_misses) */
};

/* Set by SIGINT, SIGTERM, SIGHUP: the loop stops at the next chance. */
extern volatile sig_atomic_t ks_stop;

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

/*
 * The sum over all possible CPUs of the u64 at @key of per-CPU array map @fd (a counter
 * the BPF side bumps without atomics); 0 when it can't be read.
 */
unsigned long long ks_percpu_sum(int fd, unsigned int key);

/* BPF time (CLOCK_MONOTONIC ns) to wall-clock ns since the epoch. */
static inline unsigned long long ks_realtime(const struct ks_ctx *c, unsigned long long mono)
{
	return mono + c->realtime_offset;
}

/* What ks_loop_run calls. */
struct ks_loop {
	const char *ring; /* name of the ring-buffer map to poll, NULL for none */
	int (*on_event)(struct ks_ctx *c, const void *data, size_t size);
	/* Each interval in interval mode; once at the end otherwise (@last true). */
	int (*on_tick)(struct ks_ctx *c, bool last);
	/* Text mode: the column titles, printed once attached (after the -T/-U ones). */
	void (*header)(struct ks_ctx *c);
	/* The ring carries bookkeeping (stack tools' process notes), not events to count. */
	bool notes;
};

/*
 * Run until SIGINT/SIGTERM/SIGHUP, -d expiry, the interval count, an output error (EPIPE)
 * or a callback returning non-zero. Polls the ring buffer (wake-ups are batched by the BPF
 * side, so it also drains at least every 100 ms), calls on_tick, then reads the lost-event
 * counter and reports: "N events, M lost" on stderr, or a {"type":"summary"} line with
 * --json. Returns 0 or a negative errno.
 */
int ks_loop_run(struct ks_ctx *c, const struct ks_loop *l);

/*
 * A BPF tool's whole life once its object is open and configured: ks_bpf_start, the
 * header (text mode), ks_loop_run, ks_bpf_stop. Returns 0 or a negative errno; the exit
 * code is then ks_exit_status(c, err). On -EAGAIN the tool opens its object again and
 * calls ks_bpf_run once more (see ks_bpf_start).
 */
int ks_bpf_run(struct ks_ctx *c, struct bpf_object *obj, const struct ks_loop *l);

/* Open tool NAME's skeleton with kscope's open options (see core/open.h). */
#define KS_SKEL_OPEN(name) name##_bpf__open_opts(ks_bpf_open_opts(name##_bpf__elf_bytes))
/* Report that a skeleton could not be opened; returns the exit code to use. */
int ks_skel_open_failed(struct ks_ctx *c);

/*
 * A BPF tool's run function in one line: open tool NAME's skeleton, CONFIGURE(skel) (its
 * .rodata, map sizes, hooks to switch off), ks_bpf_run with LOOP, destroy; again while a
 * variant had to be ruled out (-EAGAIN). Evaluates to the exit code.
 */
#define KS_RUN_SKEL(c, name, configure, loop)                                                      \
	({                                                                                         \
		int ks_err_;                                                                       \
		do {                                                                               \
			struct name##_bpf *ks_skel_ = KS_SKEL_OPEN(name);                          \
			if (!ks_skel_) {                                                           \
				ks_skel_open_failed(c);                                            \
				ks_err_ = -EINVAL;                                                 \
				break;                                                             \
			}                                                                          \
			configure(ks_skel_);                                                       \
			ks_err_ = ks_bpf_run(c, ks_skel_->obj, loop);                              \
			name##_bpf__destroy(ks_skel_);                                             \
		} while (ks_err_ == -EAGAIN);                                                      \
		ks_exit_status(c, ks_err_);                                                        \
	})

#endif
