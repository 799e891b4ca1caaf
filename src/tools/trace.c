// SPDX-License-Identifier: GPL-2.0-only
/* kscope trace: bpftrace's one-liner language, compiled by kscope itself straight to BPF. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/tool.h"
#include "lang/ast.h"
#include "lang/cmd.h"
#include "lang/compile.h"
#include "lang/probes.h"
#include "lang/run.h"

/* $1, $2 ...: the arguments after the program, in order. */
struct trace_args {
	char **v;
	size_t n;
};

struct trace {
	const char *prog, *cmd;
	bool list, dump, dump_ast, list_verbose;
	long long pid;
	struct trace_args args;
};

static int add_arg(const char *arg, void *field, char *err, size_t errlen)
{
	struct trace_args *a = field;
	char **v = realloc(a->v, (a->n + 1) * sizeof(*v));

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	a->v = v;
	a->v[a->n++] = (char *)arg;
	return 0;
}

static const struct ks_opt trace_opts[] = {
	KS_STR(struct trace, prog, "expr", 'e', "PROGRAM",
	       "the program text (else the first argument is a file)"),
	KS_FLAG(struct trace, list, "list", 'l',
		"list probes matching the first argument (a pattern)"),
	KS_FLAG(struct trace, list_verbose, "list-verbose", 0,
		"with -l: show tracepoint fields too"),
	KS_INT(struct trace, pid, "pid", 'p', "PID", "uprobes and usdt probes in this process only",
	       1, 4194304),
	KS_STR(struct trace, cmd, "cmd", 'c', "CMD",
	       "run CMD once attached (cpid), stop when it ends (docs/trace.md)"),
	KS_FLAG(struct trace, dump, "dump", 0,
		"print the BPF instructions with their source lines; load nothing"),
	KS_FLAG(struct trace, dump_ast, "dump-ast", 0, "print the syntax tree; load nothing"),
	KS_REFUSE('d', "is bpftrace's debug output; kscope trace takes --duration SECONDS for a "
		       "duration (--dump, --dump-ast for its own)"),
	KS_REFUSE('f', "is bpftrace's output format; kscope trace takes --json"),
	KS_REFUSE('o', "is bpftrace's output file; kscope trace writes to stdout: redirect it"),
	KS_REFUSE('q', "is bpftrace's quiet mode; kscope trace writes messages to stderr only"),
	{ 0 },
};

static const struct ks_opt trace_args[] = {
	KS_FUNC(struct trace, args, "ARG...", 0, NULL,
		"the program file (without -e), then $1, $2 ...", add_arg),
	{ 0 },
};

static char *read_file(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0;

	struct stat sb;

	if (!f)
		return NULL;
	if (!fstat(fileno(f), &sb) && S_ISDIR(sb.st_mode)) {
		/* fopen opens a directory, and reading it yields an empty program */
		fclose(f);
		errno = EISDIR;
		return NULL;
	}
	for (;;) {
		size_t n;

		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (buf && ferror(f)) {
		int err = errno ? errno : EIO;

		free(buf);
		buf = NULL;
		errno = err;
	}
	if (buf)
		buf[len] = 0;
	if (f != stdin)
		fclose(f);
	return buf;
}

static int trace_main(struct ks_ctx *c)
{
	struct lang_compile_opts co = { 0 };
	struct lang_run_opts ro = { 0 };
	struct lang_cmd cmd = { .go = -1, .life = -1, .info = -1 };
	struct lang_program *p = NULL;
	struct lang_compiled *cc = NULL;
	struct lang_diag d = { 0 };
	const char *file = "-e";
	char *src = NULL;
	struct trace *st = c->state;
	char **params = st->args.v;
	size_t nparams = st->args.n;
	int ret = KS_EXIT_USAGE;

	if (c->opt.attach_mask != KS_METHODS_ALL) {
		/* the probe types of the program say how each probe attaches */
		ks_error("--attach does not apply to trace: name the probe type in the program "
			 "(tracepoint:, rawtracepoint:, kprobe:, kfunc: ...)");
		return KS_EXIT_USAGE;
	}
	if (st->pid && kill((pid_t)st->pid, 0) && errno == ESRCH) {
		ks_error("no such process: %lld", st->pid);
		return KS_EXIT_USAGE;
	}
	if (st->list) {
		int n = lang_probe_list(nparams ? params[0] : NULL, (int)st->pid, st->list_verbose,
					c->out);

		if (nparams > 1) {
			ks_error("-l takes one pattern");
			return KS_EXIT_USAGE;
		}
		if (n == -EINVAL)
			return KS_EXIT_USAGE; /* a bad pattern: the message said why */
		if (n < 0) {
			ks_error("cannot list probes: %s", strerror(-n));
			return KS_EXIT_FAIL;
		}
		return KS_EXIT_OK;
	}
	if (!st->prog) {
		if (!nparams) {
			ks_error("no program: give one with -e 'PROGRAM' or a file name");
			return KS_EXIT_USAGE;
		}
		file = params[0];
		src = read_file(file);
		if (!src) {
			ks_error("cannot read the program file %s: %s", file,
				 errno == EISDIR ? "is a directory" : strerror(errno));
			return KS_EXIT_USAGE;
		}
		params++;
		nparams--;
	} else {
		src = strdup(st->prog);
		if (!src)
			return KS_EXIT_FAIL;
	}
	p = lang_parse(src, file, &d);
	if (!p) {
		lang_diag_report(&d, file, src);
		goto out;
	}
	if (st->dump_ast) {
		lang_ast_dump(p, c->out);
		ret = KS_EXIT_OK;
		goto out;
	}
	if (st->cmd && !st->dump) {
		int err = lang_cmd_start(&cmd, st->cmd);

		if (err) {
			ret = err == -EINTR					   ? KS_EXIT_OK
			      : err == -ENOENT || err == -EACCES || err == -EINVAL ? KS_EXIT_USAGE
										   : KS_EXIT_FAIL;
			goto out;
		}
	}
	co.pid = st->pid ? (int)st->pid : cmd.pid;
	co.cpid = cmd.pid;
	co.params = params;
	co.nparams = nparams;
	co.start_ns = ks_now_mono();
	cc = lang_compile(p, &co, &d);
	if (!cc) {
		int err = errno;

		if (err == EINTR && ks_stop) {
			/* Ctrl-C or SIGTERM while compiling: a clean stop, nothing loaded */
			ret = KS_EXIT_OK;
			goto out;
		}
		lang_diag_report(&d, file, src);
		ret = err == EOPNOTSUPP ? KS_EXIT_UNSUPPORTED
		      : err == ENOMEM	? KS_EXIT_FAIL
					: KS_EXIT_USAGE;
		goto out;
	}
	if (st->dump) {
		lang_compiled_dump(cc, src, c->out);
		ret = KS_EXIT_OK;
		goto out;
	}
	ro.out = c->out;
	ro.json = c->opt.json;
	ro.duration = c->opt.duration;
	ro.pid = co.pid;
	ro.cmd = cmd.watcher > 0 ? &cmd : NULL;
	ro.file = file;
	ro.src = src;
	ro.verbose = c->opt.verbose;
	ret = lang_run(cc, &ro);
out:
	/* whatever ended the run: the command and all it started end too (lang/cmd.h) */
	lang_cmd_stop(&cmd);
	lang_compiled_free(cc);
	lang_program_free(p);
	free(src);
	return ret;
}

/* The command: its run, then the argument list the options built, however it ended. */
static int trace_run(struct ks_ctx *c)
{
	struct trace *st = c->state;
	int ret = trace_main(c);

	free(st->args.v);
	st->args.v = NULL;
	st->args.n = 0;
	return ret;
}

KSCOPE_TOOL(
	trace, .summary = "run a bpftrace-style program, compiled by kscope (no LLVM)",
	.usage = "-e 'PROGRAM' | FILE [ARG...]",
	.help = "Runs programs in bpftrace's language: probes, predicates, maps, aggregations,\n"
		"printf, histograms. kscope compiles them itself, straight to BPF\n"
		"instructions, in a few milliseconds. See docs/trace.md.\n\n"
		"examples:\n"
		"  kscope trace -e 'tracepoint:syscalls:sys_enter_openat { printf(\"%s %s\\n\", "
		"comm, str(args->filename)); }'\n"
		"  kscope trace -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'\n"
		"  kscope trace -l 'tracepoint:sched:*'\n",
	.opts = trace_opts, .args = trace_args, KS_STATE(struct trace),
	.flags = KS_TOOL_BPF | KS_TOOL_COMMAND, .run = trace_run);
