// SPDX-License-Identifier: GPL-2.0-only
/* execsnoop: trace exec() with filename, full argv, result, parent, user and cgroup. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/syscall.h>

#include "core/btf.h"
#include "core/cgroup.h"
#include "core/errors.h"
#include "core/event.h"
#include "core/log.h"
#include "core/open.h"
#include "core/tool.h"
#include "skel/execsnoop.skel.h"
#include "tools/execsnoop.h"

struct execsnoop {
	bool include_failed, quote_all, show_cgroup;
	long long max_args, ppid;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct execsnoop, include_failed, "fails", 'x', "include failed execs"),
	KS_FLAG(struct execsnoop, quote_all, "quote", 'q',
		"quote every argument (default: only those needing it)"),
	KS_FLAG(struct execsnoop, show_cgroup, "print-cgroup", 'C', "show the cgroup column"),
	KS_INT(struct execsnoop, max_args, "max-args", 0, "N",
	       "keep at most N arguments (default 20, at most 64)", 1, EXEC_MAX_ARGS),
	KS_INT(struct execsnoop, ppid, "ppid", 'P', "PPID",
	       "only execs whose parent process is PPID", 1, INT_MAX),
	KS_ALIAS('t', "elapsed"),
	KS_REFUSE('l', "is BCC's argument filter; kscope execsnoop has none (filter the argv of "
		       "its --json events)"),
	{ 0 },
};

/* Next NUL-terminated string in [*p, end); NULL when none is left. */
static const char *next_str(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *z;

	if (s >= end)
		return NULL;
	z = memchr(s, '\0', end - s);
	*len = z ? (size_t)(z - s) : (size_t)(end - s);
	*p = s + *len + 1;
	return s;
}

static bool needs_quotes(const char *s, size_t n)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (strchr(" \t\n'\"\\$`*?;&|<>()[]{}~#!", s[i]))
			return true;
	return false;
}

static void print_arg(FILE *f, const char *s, size_t n, bool quote_all)
{
	if (!quote_all && !needs_quotes(s, n)) {
		ks_text_escape(f, s, n);
		return;
	}
	/* Shell-style single quotes; a quote inside becomes '\''. */
	fputc('\'', f);
	for (size_t i = 0; i < n; i++) {
		const char *q = memchr(s + i, '\'', n - i);
		size_t run = q ? (size_t)(q - (s + i)) : n - i;

		ks_text_escape(f, s + i, run);
		i += run;
		if (i < n)
			fputs("'\\''", f);
	}
	fputc('\'', f);
}

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct execsnoop *st = c->state;
	const struct exec_event *e = data;
	const char *p, *end, *s;
	size_t n;

	if (size < offsetof(struct exec_event, args))
		return 0;
	/* -P: few execs a second, so the parent is checked here rather than in BPF. */
	if (st->ppid && e->hdr.ppid != (unsigned int)st->ppid)
		return 0;
	p = e->args;
	end = e->args + KS_MIN(size - offsetof(struct exec_event, args), (size_t)e->args_len);

	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_event_json_begin(c, &e->hdr);
		s = next_str(&p, end, &n);
		ks_json_strn(j, "filename", s ? s : "", s ? n : 0);
		ks_json_arr_begin(j, "argv");
		for (unsigned int i = 0; i < e->argc && (s = next_str(&p, end, &n)); i++)
			ks_json_strn(j, NULL, s, n);
		ks_json_arr_end(j);
		ks_json_bool(j, "truncated", e->flags & EXEC_TRUNCATED);
		ks_json_int(j, "ret", e->ret);
		if (e->ret < 0)
			ks_json_str(j, "errno", ks_errno_name((int)-e->ret));
		ks_json_obj_end(j);
		return 0;
	}
	ks_event_text_prefix(c, &e->hdr);
	ks_text_comm(c->out, e->hdr.comm, 16);
	fprintf(c->out, " %-7u %-7u %3lld ", e->hdr.pid, e->hdr.ppid, e->ret);
	if (st->show_cgroup) {
		char cg[PATH_MAX];

		ks_cgroup_label(e->hdr.cgroup, cg, sizeof(cg));
		fputs(cg, c->out); /* escaped by ks_cgroup_label */
		fputc(' ', c->out);
	}
	/* Like BCC: the filename, then argv[1...]. */
	s = next_str(&p, end, &n);
	if (s)
		print_arg(c->out, s, n, st->quote_all);
	for (unsigned int i = 0; i < e->argc && (s = next_str(&p, end, &n)); i++) {
		if (i == 0)
			continue;
		fputc(' ', c->out);
		print_arg(c->out, s, n, st->quote_all);
	}
	fputs(e->flags & EXEC_TRUNCATED ? " ...\n" : "\n", c->out);
	return 0;
}

static void header(struct ks_ctx *c)
{
	const struct execsnoop *st = c->state;

	fprintf(c->out, "%-16s %-7s %-7s %3s %s%s\n", "PCOMM", "PID", "PPID", "RET",
		st->show_cgroup ? "CGROUP " : "", "ARGS");
}

static int configure(struct ks_ctx *c)
{
	const struct execsnoop *st = c->state;
	struct execsnoop_bpf *skel = c->skel;

	skel->rodata->nr_execve = SYS_execve;
	skel->rodata->nr_execveat = SYS_execveat;
	skel->rodata->max_args = (unsigned int)st->max_args;
	skel->rodata->include_failed = st->include_failed;
	/*
	 * An exec in flight keeps 4 KB of arguments: room for more, allocated as execs come,
	 * where the kernel makes that safe in tracing programs; before that (the kernel warns
	 * of run-time allocation) the object's 1024 preallocated entries.
	 */
	if (ks_btf_lazy_maps()) {
		bpf_map__set_map_flags(skel->maps.execs, BPF_F_NO_PREALLOC);
		bpf_map__set_max_entries(skel->maps.execs, 4096);
	}
	return 0;
}

KSCOPE_BPF_TOOL(
	execsnoop, .summary = "trace exec() calls with full arguments, result and cgroup",
	.help = "One line per exec: the new command name, pid, parent pid, the return value\n"
		"and the filename followed by argv[1...]. Arguments that are empty or hold\n"
		"spaces or shell characters are single-quoted; ' ...' marks arguments that\n"
		"were not all kept (see --max-args). JSON events carry filename, the exact\n"
		"argv array, truncated, ret (and errno when it failed) and the cgroup.\n\n"
		"As in BCC's execsnoop, -t prints seconds since the start (--tid TID is the\n"
		"thread filter) and -T the wall-clock time.\n\n"
		"examples:\n"
		"  kscope execsnoop -x              include failed execs\n"
		"  kscope execsnoop -c system.slice/cron.service -C\n"
		"  kscope execsnoop --json -d 10",
	.opts = opts, KS_STATE(struct execsnoop, .max_args = 20),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.configure = configure,
	.loop = { .ring = "ks_events", .on_event = on_event, .header = header });
