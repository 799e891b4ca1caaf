// SPDX-License-Identifier: GPL-2.0-only
/* exitsnoop: trace process exits with exit code or fatal signal and lifetime. */
#include <errno.h>
#include <string.h>

#include "core/event.h"
#include "core/log.h"
#include "core/open.h"
#include "core/signame.h"
#include "core/tool.h"
#include "skel/exitsnoop.skel.h"
#include "tools/exitsnoop.h"

struct exitsnoop {
	bool all_threads, failed_only;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct exitsnoop, all_threads, "threads", 0,
		"trace every thread's exit, not only processes'"),
	KS_FLAG(struct exitsnoop, failed_only, "failed", 'x',
		"only exits with a non-zero code or a signal"),
	KS_FLAG(struct exitsnoop, all_threads, "per-thread", 0, "BCC's name for --threads"),
	KS_ALIAS('t', "timestamp"),
	KS_REFUSE('T', "is libbpf-tools exitsnoop's per-thread tracing (kscope: --threads) and "
		       "kscope's wall-clock column elsewhere (here: -t, --timestamp)"),
	KS_REFUSE_LONG("utc", "is BCC's UTC times; kscope's -t prints local time, --json "
			      "time_ns since the epoch"),
	{ 0 },
};

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct exit_event *e = data;
	unsigned int sig = e->exit_code & 0x7f, code = (e->exit_code >> 8) & 0xff;
	bool core = e->exit_code & 0x80;
	unsigned long long life = e->hdr.ts > e->start_ns ? e->hdr.ts - e->start_ns : 0;
	char name[32];

	if (size < sizeof(*e))
		return 0;
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_event_json_begin(c, &e->hdr);
		ks_json_uint(j, "code", code);
		ks_json_uint(j, "signal", sig);
		if (sig)
			ks_json_str(j, "signal_name", ks_signal_name(sig, name, sizeof(name)));
		ks_json_bool(j, "core", core);
		ks_json_uint(j, "exit_status", e->exit_code);
		ks_json_uint(j, "lifetime_ns", life);
		ks_json_obj_end(j);
		return 0;
	}
	ks_event_text_prefix(c, &e->hdr);
	ks_text_comm(c->out, e->hdr.comm, 16);
	fprintf(c->out, " %-7u %-7u %-7u %8.2f ", e->hdr.pid, e->hdr.ppid, e->hdr.tid, life / 1e9);
	if (sig)
		fprintf(c->out, "signal %u (%s)%s\n", sig, ks_signal_name(sig, name, sizeof(name)),
			core ? ", core dumped" : "");
	else
		fprintf(c->out, "code %u\n", code);
	return 0;
}

static void header(struct ks_ctx *c)
{
	fprintf(c->out, "%-16s %-7s %-7s %-7s %8s %s\n", "PCOMM", "PID", "PPID", "TID", "AGE(s)",
		"EXIT");
}

static int configure(struct ks_ctx *c)
{
	const struct exitsnoop *st = c->state;
	struct exitsnoop_bpf *skel = c->skel;

	skel->rodata->all_threads = st->all_threads;
	skel->rodata->failed_only = st->failed_only;
	return 0;
}

KSCOPE_BPF_TOOL(
	exitsnoop, .summary = "trace process exits with exit code or signal and lifetime",
	.help = "One line per exiting process (with --threads, per thread): its age and\n"
		"either its exit code or the signal that ended it. JSON events carry code,\n"
		"signal (0 if none), signal_name, core, exit_status (as wait(2) gives it)\n"
		"and lifetime_ns.\n\n"
		"As in BCC's exitsnoop, -t prints the wall-clock time (--tid TID is the\n"
		"thread filter).\n\n"
		"examples:\n"
		"  kscope exitsnoop -x              only failures and kills\n"
		"  kscope exitsnoop -c mygroup --json",
	.opts = opts, KS_STATE(struct exitsnoop),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.configure = configure,
	.loop = { .ring = "ks_events", .on_event = on_event, .header = header });
