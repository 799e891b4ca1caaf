// SPDX-License-Identifier: GPL-2.0-only
/* sigsnoop: trace signals sent, with sender, target, signal and result. */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>

#include "core/errors.h"
#include "core/event.h"
#include "core/log.h"
#include "core/open.h"
#include "core/signame.h"
#include "core/tool.h"
#include "skel/sigsnoop.skel.h"
#include "tools/sigsnoop.h"

struct sigsnoop {
	bool failed_only, generated, kill_only;
	int only_signal; /* -1: any */
};

static int parse_signal(const char *arg, void *ptr, char *err, size_t errlen)
{
	int s = ks_signal_parse(arg);

	if (s < 0) {
		snprintf(err, errlen, "expected a signal name (SIGUSR1, USR1) or number");
		return -EINVAL;
	}
	*(int *)ptr = s;
	return 0;
}

static const struct ks_opt opts[] = {
	KS_FLAG(struct sigsnoop, failed_only, "failed", 'x', "only signals that failed to be sent"),
	KS_FUNC(struct sigsnoop, only_signal, "signal", 's', "SIG",
		"only this signal (name or number)", parse_signal),
	KS_FLAG(struct sigsnoop, generated, "generated", 'g',
		"trace every generated signal (signal_generate), also those the kernel sends"),
	KS_FLAG(struct sigsnoop, kill_only, "kill", 'k', "only signals sent with kill(2)"),
	KS_NOTE('n', "libbpf-tools sigsnoop's -n (signal names) is always on in kscope; "
		     "-n NAME (--comm) is the command-name filter"),
	{ 0 },
};

static const char *const kind_names[SIG_KIND_NR] = {
	[SIG_KILL] = "kill",
	[SIG_TKILL] = "tkill",
	[SIG_TGKILL] = "tgkill",
	[SIG_SIGQUEUE] = "rt_sigqueueinfo",
	[SIG_TGSIGQUEUE] = "rt_tgsigqueueinfo",
	[SIG_PIDFD] = "pidfd_send_signal",
	[SIG_GENERATED] = "generated",
};

/* signal_generate's result values (enum trace_signal_result). */
static const char *const gen_results[] = { "delivered", "ignored", "already_pending",
					   "overflow_fail", "lose_info" };

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct sigsnoop *st = c->state;
	const struct sig_event *e = data;
	const char *kind = e->kind >= 0 && e->kind < SIG_KIND_NR ? kind_names[e->kind] : "?";
	char name[32];
	int target = e->kind == SIG_TKILL ? e->target_tid : e->target_pid;

	if (size < sizeof(*e))
		return 0;
	/* -k: user space drops the rest (signals are few; the BPF side stays one body). */
	if (st->kill_only && e->kind != SIG_KILL)
		return 0;
	ks_signal_name(e->sig, name, sizeof(name));
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_event_json_begin(c, &e->hdr);
		ks_json_str(j, "syscall", kind);
		if (e->kind == SIG_PIDFD)
			ks_json_int(j, "target_pidfd", e->target_pid);
		else
			ks_json_int(j, "target_pid", target);
		if (e->target_tid)
			ks_json_int(j, "target_tid", e->target_tid);
		if (e->kind == SIG_GENERATED)
			ks_json_strn(j, "target_comm", e->target_comm,
				     strnlen(e->target_comm, sizeof(e->target_comm)));
		ks_json_int(j, "signal", e->sig);
		ks_json_str(j, "signal_name", name);
		ks_json_int(j, "ret", e->ret);
		if (e->kind == SIG_GENERATED && e->ret >= 0 && e->ret < 5)
			ks_json_str(j, "result", gen_results[e->ret]);
		else if (e->ret < 0)
			ks_json_str(j, "errno", ks_errno_name((int)-e->ret));
		ks_json_obj_end(j);
		return 0;
	}
	ks_event_text_prefix(c, &e->hdr);
	fprintf(c->out, "%-7u ", e->hdr.pid);
	ks_text_comm(c->out, e->hdr.comm, 16);
	fprintf(c->out, " %-10s %-7d ", name, target);
	if (e->kind == SIG_GENERATED) {
		ks_text_comm(c->out, e->target_comm, 16);
		fprintf(c->out, " %s\n", e->ret >= 0 && e->ret < 5 ? gen_results[e->ret] : "?");
	} else if (e->ret < 0) {
		fprintf(c->out, "%-17s %lld (%s)\n", kind, e->ret, ks_errno_name((int)-e->ret));
	} else {
		fprintf(c->out, "%-17s %lld\n", kind, e->ret);
	}
	return 0;
}

static void header(struct ks_ctx *c)
{
	const struct sigsnoop *st = c->state;

	fprintf(c->out, "%-7s %-16s %-10s %-7s %s\n", "PID", "COMM", "SIG", "TPID",
		st->generated ? "TCOMM            RESULT" : "SYSCALL           RESULT");
}

static int prepare(struct ks_ctx *c)
{
	const struct sigsnoop *st = c->state;

	if (st->kill_only && st->generated) {
		ks_error("-k (kill syscalls) and -g (generated signals) exclude each other");
		return KS_EXIT_USAGE;
	}
	return 0;
}

static int configure(struct ks_ctx *c)
{
	const struct sigsnoop *st = c->state;
	struct sigsnoop_bpf *skel = c->skel;

	skel->rodata->nr_kill = SYS_kill;
	skel->rodata->nr_tkill = SYS_tkill;
	skel->rodata->nr_tgkill = SYS_tgkill;
	skel->rodata->nr_sigqueue = SYS_rt_sigqueueinfo;
	skel->rodata->nr_tgsigqueue = SYS_rt_tgsigqueueinfo;
#ifdef SYS_pidfd_send_signal
	skel->rodata->nr_pidfd = SYS_pidfd_send_signal;
#endif
	skel->rodata->failed_only = st->failed_only;
	skel->rodata->only_signal = st->only_signal;
	if (st->generated) {
		ks_bpf_disable_hook(c->obj, "sig_enter");
		ks_bpf_disable_hook(c->obj, "sig_exit");
	} else {
		ks_bpf_disable_hook(c->obj, "sig_gen");
	}
	return 0;
}

KSCOPE_BPF_TOOL(
	sigsnoop, .summary = "trace signals sent, with sender, target, signal and result",
	.help = "By default traces the kill family of syscalls (kill, tkill, tgkill,\n"
		"rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal): the sender is the\n"
		"caller, RESULT the syscall's return value. With -g it traces every signal\n"
		"the kernel generates instead (also SIGCHLD, SIGSEGV, timer signals), with\n"
		"the target's command and whether it was delivered. JSON events carry\n"
		"target_pid, signal, signal_name and ret (plus errno or result).\n\n"
		"examples:\n"
		"  kscope sigsnoop -s SIGKILL       who kills whom\n"
		"  kscope sigsnoop -x               failed sends only\n"
		"  kscope sigsnoop -g -n myserver   signals my server process generates",
	.opts = opts, KS_STATE(struct sigsnoop, .only_signal = -1),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM | KS_TOOL_EVENTS, .prepare = prepare,
	.configure = configure,
	.loop = { .ring = "ks_events", .on_event = on_event, .header = header });
