/* SPDX-License-Identifier: GPL-2.0-only */
/* The event loop every BPF tool runs: ring buffer, intervals, duration, signals, summary. */
#ifndef KS_LOOP_H
#define KS_LOOP_H

#include <signal.h>
#include <stddef.h>

#include "core/common.h"

struct ks_ctx;
struct bpf_object;

/* Set by SIGINT, SIGTERM, SIGHUP: the loop stops at the next chance. */
extern volatile sig_atomic_t ks_stop;

/* What ks_loop_run calls; every callback gets the running tool's context. */
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
 * A BPF tool's life once its object is open and configured: ks_bpf_start, the header
 * (text mode), ks_loop_run, ks_bpf_stop. Returns 0 or a negative errno; the exit code is
 * then ks_exit_status(c, err). -EAGAIN: a variant failed to load and was ruled out (see
 * ks_bpf_start); open the object again and call it once more. ks_tool_run does all this.
 */
int ks_bpf_run(struct ks_ctx *c, struct bpf_object *obj, const struct ks_loop *l);

#endif
