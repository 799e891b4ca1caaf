// SPDX-License-Identifier: GPL-2.0-only
/* The event loop: ring-buffer polling, intervals, duration, signals, lost-event report. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/clock.h"
#include "core/event.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/maps.h"
#include "core/tool.h"

#define MAX_WAIT_NS 100000000ULL /* drain at least this often: wake-ups are batched */

volatile sig_atomic_t ks_stop;

struct loop_state {
	struct ks_ctx *c;
	const struct ks_loop *l;
	int cb_err;
};

static int ring_cb(void *ctx, void *data, size_t size)
{
	struct loop_state *s = ctx;
	int err;

	s->c->events++;
	err = s->l->on_event ? s->l->on_event(s->c, data, size) : 0;
	if (err) {
		s->cb_err = err;
		return err; /* stops this round of consumption */
	}
	return 0;
}

/* Sum of the per-CPU lost-event counter "ks_lost", 0 if the object has none. */
static unsigned long long read_lost(struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "ks_lost");

	return m ? ks_percpu_sum(bpf_map__fd(m), 0) : 0;
}

/*
 * Runs of the object's programs the kernel skipped (bpf_prog_info.recursion_misses, 5.12+):
 * a program does not run on a CPU where it, or on older kernels any tracing program, is
 * already running, e.g. preempted in the middle of a run. Those events never happened as
 * far as kscope can see, for any process, not only the traced ones. Plus the skipped runs
 * the kernel did not count but the programs found out about themselves (map ks_missed:
 * src/bpf/block.bpf.h).
 */
static unsigned long long read_missed(struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "ks_missed");
	unsigned long long sum = m ? ks_percpu_sum(bpf_map__fd(m), 0) : 0;
	struct bpf_program *p;

	bpf_object__for_each_program (p, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		memset(&info, 0, sizeof(info));
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			sum += info.recursion_misses;
	}
	return sum;
}

static void sleep_ns(unsigned long long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ULL, .tv_nsec = ns % 1000000000ULL };

	ppoll(NULL, 0, &ts, NULL); /* returns early on a signal */
}

static void report(struct ks_ctx *c, bool ring, unsigned long long elapsed)
{
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_json_obj_begin(j, NULL);
		ks_json_str(j, "type", "summary");
		ks_json_str(j, "tool", c->tool->name);
		if (ring)
			ks_json_uint(j, "events", c->events);
		ks_json_uint(j, "lost", c->lost);
		ks_json_uint(j, "missed", c->missed);
		ks_json_uint(j, "duration_ns", elapsed);
		ks_json_obj_end(j);
		ks_out_flush(c->out);
	} else if (ring) {
		char missed[64] = "";

		if (c->missed)
			snprintf(missed, sizeof(missed),
				 ", %llu program runs skipped by the kernel", c->missed);
		ks_out_flush(c->out);
		fprintf(stderr, "kscope: %s: %llu events, %llu lost%s, %.1f s\n", c->tool->name,
			c->events, c->lost, missed, elapsed / 1e9);
	} else if (c->missed) {
		/* In JSON the summary's "missed" says it; they may be any process's events. */
		ks_warn("the kernel skipped %llu runs of the programs (one was already running on "
			"that CPU): events may be missing",
			c->missed);
	}
	if (c->lost)
		ks_warn("lost %llu events: the ring buffer was full (the reader fell behind)",
			c->lost);
}

int ks_loop_run(struct ks_ctx *c, const struct ks_loop *l)
{
	struct loop_state s = { .c = c, .l = l };
	struct ring_buffer *rb = NULL;
	unsigned long long start = ks_now_mono(), deadline = 0, next_tick = 0, interval = 0;
	long long ticks = 0;
	bool by_count = false;
	int err = 0;

	if (l->ring) {
		struct bpf_map *m = bpf_object__find_map_by_name(c->obj, l->ring);

		rb = m ? ring_buffer__new(bpf_map__fd(m), ring_cb, &s, NULL) : NULL;
		if (!rb) {
			err = m ? -errno : -ENOENT;
			ks_error("cannot open ring buffer '%s': %s", l->ring, strerror(-err));
			return ks_fail(c, KS_EXIT_FAIL, err);
		}
	}
	if (c->opt.duration > 0)
		deadline = start + (unsigned long long)(c->opt.duration * 1e9);
	if (c->opt.interval > 0) {
		interval = (unsigned long long)(c->opt.interval * 1e9);
		next_tick = start + interval;
	}

	while (!ks_stop) {
		unsigned long long now = ks_now_mono(), wait = MAX_WAIT_NS;

		if (deadline && now >= deadline)
			break;
		if (next_tick && now >= next_tick) {
			if (rb)
				ring_buffer__consume(rb);
			if (l->on_tick && (err = l->on_tick(c, false)))
				break;
			if (ks_out_flush(c->out))
				break;
			next_tick += interval;
			if (c->opt.count && ++ticks >= c->opt.count) {
				by_count = true;
				break;
			}
			continue;
		}
		if (deadline && deadline - now < wait)
			wait = deadline - now;
		if (next_tick && next_tick - now < wait)
			wait = next_tick - now;
		if (rb) {
			int n = ring_buffer__poll(rb, (int)((wait + 999999) / 1000000));

			if (n < 0 && n != -EINTR && !s.cb_err) {
				err = n;
				ks_error("polling the ring buffer failed: %s", strerror(-n));
				break;
			}
			if (!s.cb_err)
				ring_buffer__consume(rb);
		} else {
			sleep_ns(wait);
		}
		if (s.cb_err) {
			err = s.cb_err < 0 ? s.cb_err : 0;
			break;
		}
		/* The reader went away (EPIPE: stop quietly), or the output is lost (said). */
		if (ks_out_flush(c->out))
			break;
	}

	if (rb && !s.cb_err && !ks_out_error())
		ring_buffer__consume(rb);
	if (!err && !by_count && l->on_tick && !ks_out_error())
		err = l->on_tick(c, true);
	if (!err && !ks_out_error())
		ks_out_flush(c->out);
	c->lost = read_lost(c->obj);
	c->missed = read_missed(c->obj);
	/* After a write error the one line about it is all: the totals would mislead. */
	if (!ks_out_error() || ks_out_error() == -EPIPE)
		report(c, rb != NULL && !l->notes, ks_now_mono() - start);
	ring_buffer__free(rb);
	if (err < 0)
		return ks_fail(c, KS_EXIT_FAIL, err);
	if (ks_out_error() && ks_out_error() != -EPIPE)
		return ks_fail(c, KS_EXIT_FAIL, ks_out_error());
	return 0;
}

int ks_bpf_run(struct ks_ctx *c, struct bpf_object *obj, const struct ks_loop *l)
{
	int err = ks_bpf_start(c, obj);

	if (!err) {
		if (!c->opt.json && l->header) {
			ks_event_text_header(c);
			l->header(c);
		}
		err = ks_loop_run(c, l);
	}
	ks_bpf_stop(c);
	return err;
}
