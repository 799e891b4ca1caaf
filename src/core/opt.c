// SPDX-License-Identifier: GPL-2.0-only
/* Option parsing: common options by tool flags, tool tables, positional interval/count. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "core/log.h"
#include "core/opt.h"
#include "core/probe.h"
#include "core/tool.h"
#include "shared/hist.h"

enum {
	CO_PID = 'p',
	CO_TID = 't',
	CO_COMM = 'n',
	CO_UID = 'u',
	CO_CGROUP = 'c',
	CO_DURATION = 'd',
	CO_TIMESTAMP = 'T',
	CO_PRINT_UID = 'U',
	CO_VERBOSE = 'v',
	CO_HELP = 'h',
	CO_JSON = 1000,
	CO_ATTACH,
	CO_CGROUP_HIERARCHY,
	CO_ELAPSED,
	CO_INTERVAL,
	CO_COUNT,
	CO_KEY_BASE = 1100, /* + enum ks_hist_by: the per-key options */
	TOOL_LONG_BASE = 2000,
	/* + index in common_opts: a common long option, apart from a tool's use of its letter */
	COMMON_LONG_BASE = 3000,
};

struct common_opt {
	const char *name;
	int code;
	const char *arg;
	unsigned int need; /* tool flags that enable it; 0 = every tool */
	const char *help;
};

static const struct common_opt common_opts[] = {
	{ "pid", CO_PID, "PID", KS_TOOL_FILTER, "trace this process only" },
	{ "tid", CO_TID, "TID", KS_TOOL_FILTER, "trace this thread only" },
	{ "comm", CO_COMM, "NAME", KS_TOOL_FILTER,
	  "trace tasks whose command name contains NAME only" },
	{ "uid", CO_UID, "UID", KS_TOOL_FILTER, "trace this user only (number or name)" },
	{ "cgroup", CO_CGROUP, "PATH", KS_TOOL_FILTER,
	  "trace this cgroup (v2, or v1 controller) and its descendants only" },
	{ "cgroup-hierarchy", CO_CGROUP_HIERARCHY, "NAME", KS_TOOL_FILTER,
	  "name cgroups in this hierarchy: unified, or a v1 controller (memory, cpu...)" },
	{ "duration", CO_DURATION, "SECONDS", KS_TOOL_BPF, "stop after this many seconds" },
	{ "interval", CO_INTERVAL, "SECONDS", KS_TOOL_DURATION_ARG,
	  "print a report every this many seconds (counts start anew)" },
	{ "count", CO_COUNT, "N", KS_TOOL_DURATION_ARG, "with --interval: stop after N reports" },
	{ "timestamp", CO_TIMESTAMP, NULL, KS_TOOL_STREAM,
	  "print wall-clock times (HH:MM:SS: a column, or above each report)" },
	{ "elapsed", CO_ELAPSED, NULL, KS_TOOL_EVENTS,
	  "print a column of seconds since tracing started" },
	{ "print-uid", CO_PRINT_UID, NULL, KS_TOOL_EVENTS, "print a UID column" },
	{ "json", CO_JSON, NULL, 0, "print JSON, one object per line" },
	{ "attach", CO_ATTACH, "METHODS", KS_TOOL_BPF,
	  "only use these attach methods (fentry,kprobe_multi,kprobe,tp_btf,raw_tp,tracepoint; "
	  "raw_syscalls: syscalls only through raw_syscalls)" },
	{ "verbose", CO_VERBOSE, NULL, 0, "say more, including libbpf's messages" },
	{ "help", CO_HELP, NULL, 0, "show this help" },
};

/*
 * What a tool that reports per key (KS_TOOL_PER_* flags) can be asked to key by: the same
 * options and words in every such tool. Listed with the tool's own options.
 */
static const struct key_opt {
	const char *name;
	int key;
	unsigned int need;
	enum ks_hist_by by;
	const char *help;
} key_opts[] = {
	{ "pids", 'P', KS_TOOL_PER_PID, KS_BY_PID, "one histogram (or row) per process" },
	{ "tids", 'L', KS_TOOL_PER_TID, KS_BY_TID, "one histogram (or row) per thread" },
	{ "per-cgroup", 0, KS_TOOL_PER_CGROUP, KS_BY_CGROUP,
	  "one histogram (or row) per cgroup (path shown)" },
	{ "pidnss", 0, KS_TOOL_PER_PIDNS, KS_BY_PIDNS, "one histogram (or row) per PID namespace" },
};

static int key_code(const struct key_opt *o)
{
	return o->key ? o->key : CO_KEY_BASE + (int)o->by;
}

/* "-P, -L, --per-cgroup and --pidnss": the per-key options tool @t has. */
static void key_opts_list(const struct ks_tool *t, char *buf, size_t len)
{
	size_t n = 0, have = 0, seen = 0;

	for (size_t i = 0; i < KS_ARRAY_SIZE(key_opts); i++)
		have += (t->flags & key_opts[i].need) != 0;
	buf[0] = '\0';
	for (size_t i = 0; i < KS_ARRAY_SIZE(key_opts) && n < len; i++) {
		const struct key_opt *o = &key_opts[i];

		if (!(t->flags & o->need))
			continue;
		seen++;
		n += snprintf(buf + n, len - n, "%s",
			      seen == 1	     ? ""
			      : seen == have ? " and "
					     : ", ");
		if (n >= len)
			break;
		if (o->key)
			n += snprintf(buf + n, len - n, "-%c", o->key);
		else
			n += snprintf(buf + n, len - n, "--%s", o->name);
	}
}

static bool common_enabled(const struct ks_tool *t, const struct common_opt *o)
{
	return !o->need || (t->flags & o->need);
}

static size_t count_tool_opts(const struct ks_tool *t)
{
	size_t n = 0;

	while (t->opts && t->opts[n].name)
		n++;
	return n;
}

/* The entry of @t's table that owns -@key on the command line (not a note), or NULL. */
static const struct ks_opt *tool_key(const struct ks_tool *t, int key)
{
	for (size_t i = 0; key && t->opts && t->opts[i].name; i++)
		if (t->opts[i].key == key && t->opts[i].type != KS_OPT_NOTE)
			return &t->opts[i];
	return NULL;
}

/* The note @t attaches to -@key, or NULL. */
static const char *tool_note(const struct ks_tool *t, int key)
{
	for (size_t i = 0; key && t->opts && t->opts[i].name; i++)
		if (t->opts[i].key == key && t->opts[i].type == KS_OPT_NOTE)
			return t->opts[i].help;
	return NULL;
}

/* The common option whose long name is @name, or NULL. */
static const struct common_opt *common_named(const char *name)
{
	for (size_t i = 0; i < KS_ARRAY_SIZE(common_opts); i++)
		if (!strcmp(common_opts[i].name, name))
			return &common_opts[i];
	return NULL;
}

/* The short letter common option @o has in tool @t: its own, an alias's, or 0. */
static int common_key(const struct ks_tool *t, const struct common_opt *o)
{
	int key = o->code < 256 && !tool_key(t, o->code) ? o->code : 0;

	for (size_t i = 0; t->opts && t->opts[i].name; i++)
		if (t->opts[i].type == KS_OPT_ALIAS && !strcmp(t->opts[i].name, o->name))
			key = t->opts[i].key;
	return key;
}

int ks_parse_ll(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10); /* decimal: "-p 010" is pid 10, as ps shows it */
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int ks_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v <= 0 || v > 1e9)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * @separate: @arg was the next word of the command line, not glued to the option ("-nX",
 * "--comm=X"): a word that looks like an option there is a missing argument, not a name.
 */
static int parse_common(const struct ks_tool *t, struct ks_common *c, int code, const char *arg,
			bool separate)
{
	long long v;
	char bad[64];

	switch (code) {
	case CO_PID:
	case CO_TID:
		if (ks_parse_ll(arg, 1, INT_MAX, &v)) {
			ks_error("invalid %s '%s': expected a positive number",
				 code == CO_PID ? "pid" : "tid", arg);
			return -EINVAL;
		}
		*(code == CO_PID ? &c->pid : &c->tid) = (int)v;
		return 0;
	case CO_COMM:
		if (!*arg) {
			ks_error("empty command name for --comm");
			return -EINVAL;
		}
		if (separate && arg[0] == '-' && arg[1]) {
			const char *note = tool_note(t, CO_COMM);

			ks_error("--comm (-n) takes a command name, not '%s' (a name that starts "
				 "with '-' is written --comm=%s)%s%s",
				 arg, arg, note ? "; " : "", note ? note : "");
			return -EINVAL;
		}
		/* BCC's execsnoop -n takes a regular expression: refuse one, don't miss it. */
		if (strpbrk(arg, "^$*|\\[")) {
			ks_error("--comm (-n) '%s': NAME is matched as plain text (names that "
				 "contain "
				 "it), not as a pattern",
				 arg);
			return -EINVAL;
		}
		/* The kernel keeps 15 bytes of a command name: tasks whose name has it match. */
		snprintf(c->comm, sizeof(c->comm), "%s", arg);
		return 0;
	case CO_UID:
		if (!ks_parse_ll(arg, 0, UINT_MAX - 1, &v)) {
			c->uid = (unsigned int)v;
		} else {
			struct passwd *pw = getpwnam(arg);

			if (!pw) {
				ks_error("invalid uid '%s': not a number and no such user", arg);
				return -EINVAL;
			}
			c->uid = pw->pw_uid;
		}
		c->has_uid = true;
		return 0;
	case CO_CGROUP:
		if (!*arg) {
			ks_error("empty cgroup path for --cgroup");
			return -EINVAL;
		}
		c->cgroup = arg;
		return 0;
	case CO_CGROUP_HIERARCHY:
		if (!*arg) {
			ks_error("empty name for --cgroup-hierarchy");
			return -EINVAL;
		}
		c->cgroup_hierarchy = arg;
		return 0;
	case CO_DURATION:
		if (ks_parse_seconds(arg, &c->duration)) {
			ks_error("invalid duration '%s': expected seconds > 0", arg);
			return -EINVAL;
		}
		return 0;
	case CO_INTERVAL:
		if (ks_parse_seconds(arg, &c->interval)) {
			ks_error("invalid interval '%s': expected seconds > 0", arg);
			return -EINVAL;
		}
		return 0;
	case CO_COUNT:
		if (ks_parse_ll(arg, 1, LLONG_MAX, &c->count)) {
			ks_error("invalid count '%s': expected a number > 0", arg);
			return -EINVAL;
		}
		return 0;
	case CO_TIMESTAMP:
		c->timestamp = true;
		return 0;
	case CO_ELAPSED:
		c->elapsed = true;
		return 0;
	case CO_PRINT_UID:
		c->print_uid = true;
		return 0;
	case CO_JSON:
		c->json = true;
		return 0;
	case CO_ATTACH:
		if (ks_method_parse(arg, &c->attach_mask, bad, sizeof(bad))) {
			ks_error(
				"unknown attach method '%s' in --attach (use fentry, kprobe_multi, "
				"kprobe, tp_btf, raw_tp, tracepoint, raw_syscalls)",
				bad);
			return -EINVAL;
		}
		return 0;
	case CO_VERBOSE:
		c->verbose = true;
		return 0;
	}
	return -EINVAL;
}

/* -@key (or --@name when @key is 0) is refused: say what it is (the logger names the tool). */
static int refuse(const struct ks_opt *o)
{
	if (o->key)
		ks_error("-%c %s", o->key, o->help);
	else
		ks_error("--%s %s", o->name, o->help);
	return -EINVAL;
}

/* @positional: an argument (named NAME in messages), not an option (--NAME). */
static int parse_tool_opt(const struct ks_opt *o, void *state, const char *arg, bool positional)
{
	void *field = (char *)state + o->off;
	const char *dash = positional ? "" : "--";
	char err[256] = "";
	long long v;
	int ret;

	switch (o->type) {
	case KS_OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case KS_OPT_INT:
		if (ks_parse_ll(arg, o->min, o->max, &v)) {
			ks_error("invalid value '%s' for %s%s: expected a number from %lld to %lld",
				 arg, dash, o->name, o->min, o->max);
			return -EINVAL;
		}
		*(long long *)field = v;
		return 0;
	case KS_OPT_STR:
		*(const char **)field = arg;
		return 0;
	case KS_OPT_FUNC:
		ret = o->parse(arg, field, err, sizeof(err));
		if (ret) {
			ks_error("invalid value '%s' for %s%s%s%s", arg ? arg : "", dash, o->name,
				 err[0] ? ": " : "", err);
			return -EINVAL;
		}
		return 0;
	case KS_OPT_REFUSE: /* handled by the caller: not options */
	case KS_OPT_ALIAS:
	case KS_OPT_NOTE:
		break;
	}
	return -EINVAL;
}

int ks_opts_parse(const struct ks_tool *t, int argc, char **argv, struct ks_common *c, void *state)
{
	size_t ntool = count_tool_opts(t), n = 0;
	struct option *lo;
	char shorts[256];
	size_t sl = 0;
	int ret = 0, code;

	memset(c, 0, sizeof(*c));
	c->attach_mask = KS_METHODS_ALL;
	lo = calloc(KS_ARRAY_SIZE(common_opts) + KS_ARRAY_SIZE(key_opts) + ntool + 1, sizeof(*lo));
	if (!lo)
		return -ENOMEM;
	shorts[sl++] = ':'; /* report a missing argument as ':' */
	for (size_t i = 0; i < KS_ARRAY_SIZE(common_opts); i++) {
		const struct common_opt *o = &common_opts[i];

		if (!common_enabled(t, o))
			continue;
		lo[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL,
					   COMMON_LONG_BASE + (int)i };
		/* A tool's own entry (or refusal) for the letter takes it from the common one. */
		if (o->code < 256 && !tool_key(t, o->code)) {
			shorts[sl++] = (char)o->code;
			if (o->arg)
				shorts[sl++] = ':';
		}
	}
	for (size_t i = 0; i < KS_ARRAY_SIZE(key_opts); i++) {
		const struct key_opt *o = &key_opts[i];

		if (!(t->flags & o->need))
			continue;
		lo[n++] = (struct option){ o->name, no_argument, NULL, key_code(o) };
		if (o->key)
			shorts[sl++] = (char)o->key;
	}
	for (size_t i = 0; i < ntool; i++) {
		const struct ks_opt *o = &t->opts[i];
		int has = o->type == KS_OPT_FLAG || o->type == KS_OPT_REFUSE ? no_argument
									     : required_argument;

		if (o->type == KS_OPT_NOTE)
			continue;
		if (o->type == KS_OPT_ALIAS) {
			const struct common_opt *co = common_named(o->name);

			has = co && co->arg ? required_argument : no_argument;
		} else if (o->name[0]) {
			lo[n++] = (struct option){ o->name, has, NULL,
						   o->key ? o->key : TOOL_LONG_BASE + (int)i };
		}
		if (o->key && sl + 3 < sizeof(shorts)) {
			shorts[sl++] = (char)o->key;
			if (has == required_argument)
				shorts[sl++] = ':';
		}
	}
	shorts[sl] = '\0';

	optind = 0; /* full re-initialisation in glibc, so parsing can run more than once */
	opterr = 0;
	while ((code = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		bool done = false, separate = optarg && optarg == argv[optind - 1];

		/* A common long option goes to parse_common, past a tool's use of its letter. */
		if (code >= COMMON_LONG_BASE &&
		    code < COMMON_LONG_BASE + (int)KS_ARRAY_SIZE(common_opts)) {
			code = common_opts[code - COMMON_LONG_BASE].code;
			if (code != CO_HELP) {
				ret = parse_common(t, c, code, optarg, separate);
				if (ret)
					goto out;
				continue;
			}
		}

		if (code == '?') {
			if (optopt && optopt < 256 && optopt != '?')
				ks_error("unknown option '-%c' (see 'kscope %s --help')", optopt,
					 t->name);
			else
				ks_error("unknown option '%s' (see 'kscope %s --help')",
					 argv[optind - 1], t->name);
			ret = -EINVAL;
			goto out;
		}
		if (code == ':') {
			const char *note = tool_note(t, optopt);

			ks_error("option '%s' needs an argument%s%s", argv[optind - 1],
				 note ? "; " : "", note ? note : "");
			ret = -EINVAL;
			goto out;
		}
		if (code == CO_HELP) {
			ret = KS_PARSE_HELP;
			goto out;
		}
		for (size_t i = 0; i < KS_ARRAY_SIZE(key_opts) && !done; i++) {
			const struct key_opt *o = &key_opts[i];

			if (!(t->flags & o->need) || code != key_code(o))
				continue;
			if (c->by && c->by != (int)o->by) {
				char list[96];

				key_opts_list(t, list, sizeof(list));
				ks_error("choose one of %s", list);
				ret = -EINVAL;
				goto out;
			}
			c->by = (int)o->by;
			done = true;
		}
		for (size_t i = 0; i < ntool && !done; i++) {
			const struct ks_opt *o = &t->opts[i];

			if (o->type == KS_OPT_NOTE ||
			    !((o->key && code == o->key) || code == TOOL_LONG_BASE + (int)i))
				continue;
			if (o->type == KS_OPT_REFUSE)
				ret = refuse(o);
			else if (o->type == KS_OPT_ALIAS)
				ret = common_named(o->name)
					      ? parse_common(t, c, common_named(o->name)->code,
							     optarg, separate)
					      : -EINVAL;
			else
				ret = parse_tool_opt(o, state, optarg, false);
			if (ret)
				goto out;
			done = true;
		}
		if (!done) {
			ret = parse_common(t, c, code, optarg, separate);
			if (ret)
				goto out;
		}
	}

	if (optind < argc && (t->flags & KS_TOOL_DURATION_ARG)) {
		if (c->duration > 0) {
			ks_error("duration given twice: as --duration and as the argument '%s'",
				 argv[optind]);
			ret = -EINVAL;
			goto out;
		}
		if (ks_parse_seconds(argv[optind], &c->duration)) {
			ks_error("invalid duration '%s': expected seconds > 0", argv[optind]);
			ret = -EINVAL;
			goto out;
		}
		optind++;
	}

	if (optind < argc && (t->flags & KS_TOOL_INTERVAL)) {
		if (ks_parse_seconds(argv[optind], &c->interval)) {
			ks_error("invalid interval '%s': expected seconds > 0", argv[optind]);
			ret = -EINVAL;
			goto out;
		}
		optind++;
		if (optind < argc) {
			if (ks_parse_ll(argv[optind], 1, LLONG_MAX, &c->count)) {
				ks_error("invalid count '%s': expected a number > 0", argv[optind]);
				ret = -EINVAL;
				goto out;
			}
			optind++;
		}
	}
	for (size_t i = 0; t->args && t->args[i].name && optind < argc; i++, optind++) {
		ret = parse_tool_opt(&t->args[i], state, argv[optind], true);
		if (ret)
			goto out;
		/* "NAME..." takes every argument left */
		if (strstr(t->args[i].name, "...") && optind + 1 < argc)
			i--;
	}
	if (optind < argc) {
		ks_error("unexpected argument '%s' (see 'kscope %s --help')", argv[optind],
			 t->name);
		ret = -EINVAL;
	}
out:
	free(lo);
	return ret;
}

int ks_common_check(const struct ks_common *c)
{
	char path[64];

	if (c->count && c->interval <= 0) {
		ks_error("--count needs --interval: it counts reports");
		return -EINVAL;
	}

	if (c->pid && kill(c->pid, 0) && errno == ESRCH) {
		ks_error("no such process: %d", c->pid);
		return -ESRCH;
	}
	if (c->tid) {
		snprintf(path, sizeof(path), "/proc/%d", c->tid);
		if (access(path, F_OK)) {
			ks_error("no such thread: %d", c->tid);
			return -ESRCH;
		}
	}
	if (c->cgroup) {
		char why[256];
		int fd = ks_cgroup_open(c->cgroup, why, sizeof(why));

		if (fd < 0) {
			ks_error("%s", why);
			return fd;
		}
		close(fd);
	}
	if (c->cgroup_hierarchy) {
		char why[512];

		if (!ks_cgroup_hier_find(c->cgroup_hierarchy, why, sizeof(why))) {
			ks_error("--cgroup-hierarchy: %s", why);
			return -ENOENT;
		}
	}
	return 0;
}

static void help_line(FILE *f, int key, const char *name, const char *arg, const char *help)
{
	char left[64];

	snprintf(left, sizeof(left), "%c%c%s--%s%s%s", key ? '-' : ' ', key ? key : ' ',
		 key ? ", " : "  ", name, arg ? " " : "", arg ? arg : "");
	fprintf(f, "  %-28s %s\n", left, help);
}

void ks_opts_help(const struct ks_tool *t, FILE *f)
{
	size_t ntool = count_tool_opts(t), nkey = 0;

	fprintf(f, "usage: kscope %s [options]%s%s\n\n%s.\n", t->name, t->usage ? " " : "",
		t->usage ? t->usage : "", t->summary);
	if (t->help)
		fprintf(f, "\n%s\n", t->help);
	for (size_t i = 0; i < KS_ARRAY_SIZE(key_opts); i++)
		nkey += (t->flags & key_opts[i].need) != 0;
	if (ntool || nkey) {
		fprintf(f, "\noptions:\n");
		for (size_t i = 0; i < ntool; i++) {
			const struct ks_opt *o = &t->opts[i];

			if (o->type <= KS_OPT_FUNC)
				help_line(f, o->key, o->name,
					  o->type == KS_OPT_FLAG ? NULL : o->arg, o->help);
		}
		for (size_t i = 0; i < KS_ARRAY_SIZE(key_opts); i++)
			if (t->flags & key_opts[i].need)
				help_line(f, key_opts[i].key, key_opts[i].name, NULL,
					  key_opts[i].help);
	}
	if (t->args && t->args[0].name) {
		fprintf(f, "\narguments:\n");
		for (size_t i = 0; t->args[i].name; i++)
			fprintf(f, "  %-28s %s\n", t->args[i].name, t->args[i].help);
	}
	if (t->flags & KS_TOOL_INTERVAL) {
		fprintf(f, "\narguments:\n");
		fprintf(f, "  %-28s %s\n", "interval", "print every this many seconds");
		fprintf(f, "  %-28s %s\n", "count", "stop after this many intervals");
	}
	if (t->flags & KS_TOOL_DURATION_ARG) {
		fprintf(f, "\narguments:\n");
		fprintf(f, "  %-28s %s\n", "duration",
			"stop after this many seconds (as --duration)");
	}
	fprintf(f, "\ncommon options:\n");
	for (size_t i = 0; i < KS_ARRAY_SIZE(common_opts); i++) {
		const struct common_opt *o = &common_opts[i];

		if (common_enabled(t, o))
			help_line(f, common_key(t, o), o->name, o->arg, o->help);
	}
	/* What other tools' letters mean, where kscope refuses them (docs/bcc.md). */
	for (size_t i = 0, first = 1; i < ntool; i++) {
		const struct ks_opt *o = &t->opts[i];

		if (o->type != KS_OPT_REFUSE && o->type != KS_OPT_NOTE)
			continue;
		if (first)
			fprintf(f, "\nother tools' options (BCC, libbpf-tools, bpftrace; see "
				   "docs/bcc.md):\n");
		first = 0;
		if (o->key)
			fprintf(f, "  -%c %s\n", o->key, o->help);
		else
			fprintf(f, "  --%s %s\n", o->name, o->help);
	}
	if (t->flags & KS_TOOL_BPF)
		fprintf(f, "\nexit codes: 0 ok, 1 runtime failure, 2 bad input, 3 not permitted, "
			   "4 kernel lacks a needed feature\n");
}

bool ks_common_tasks(const struct ks_common *c)
{
	return c->pid || c->tid || c->has_uid || c->comm[0] || c->cgroup;
}
