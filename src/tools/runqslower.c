// SPDX-License-Identifier: GPL-2.0-only
/* runqslower: trace run-queue waits longer than a threshold, one line each. */
#include <string.h>

#include "core/event.h"
#include "core/tool.h"
#include "skel/runqslower.skel.h"
#include "tools/runqslower.h"

struct runqslower {
	long long min_us;
	bool previous;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct runqslower, previous, "previous", 'P',
		"accepted for BCC's runqslower: the previous task is always shown"),
	{ 0 },
};

static const struct ks_opt args[] = {
	KS_INT(struct runqslower, min_us, "MIN_US", 0, NULL,
	       "show waits of at least this many us (default 10000)", 0, 3600000000LL),
	{ 0 },
};

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct runqslower_event *e = data;

	if (size < sizeof(*e))
		return 0;
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_event_json_begin(c, &e->hdr);
		ks_json_uint(j, "latency_ns", e->delta_ns);
		ks_json_uint(j, "cpu", e->cpu);
		ks_json_uint(j, "prev_pid", e->prev_pid);
		ks_json_uint(j, "prev_tid", e->prev_tid);
		ks_json_strn(j, "prev_comm", e->prev_comm, strnlen(e->prev_comm, KS_COMM_LEN));
		ks_json_obj_end(j);
		return 0;
	}
	ks_event_text_prefix(c, &e->hdr);
	ks_text_comm(c->out, e->hdr.comm, 16);
	fprintf(c->out, " %-7u %-7u %10llu %3u ", e->hdr.pid, e->hdr.tid, e->delta_ns / 1000,
		e->cpu);
	ks_text_comm(c->out, e->prev_comm, 16);
	fprintf(c->out, " %-7u\n", e->prev_tid);
	return 0;
}

static void header(struct ks_ctx *c)
{
	fprintf(c->out, "%-16s %-7s %-7s %10s %3s %-16s %-7s\n", "COMM", "PID", "TID", "LAT(us)",
		"CPU", "PREV COMM", "PREV TID");
}

static int configure(struct ks_ctx *c)
{
	const struct runqslower *st = c->state;
	struct runqslower_bpf *skel = c->skel;

	skel->rodata->min_ns = (unsigned long long)st->min_us * 1000;
	return 0;
}

KSCOPE_BPF_TOOL(
	runqslower,
	.summary = "trace run-queue waits longer than a threshold, with the task before",
	.usage = "[MIN_US]",
	.help = "One line per wait for a CPU of at least MIN_US microseconds (default 10000):\n"
		"the task that waited, how long, on which CPU it then ran, and the task\n"
		"that had that CPU before it. The filters select the waiting task. JSON\n"
		"events add latency_ns, cpu, prev_pid, prev_tid and prev_comm.\n\n"
		"examples:\n"
		"  kscope runqslower                waits of 10 ms or more\n"
		"  kscope runqslower 1000 -p 1234   waits of 1 ms or more of one process",
	.opts = opts, .args = args, KS_STATE(struct runqslower, .min_us = 10000),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.configure = configure,
	.loop = { .ring = "ks_events", .on_event = on_event, .header = header });
