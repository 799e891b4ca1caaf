/* SPDX-License-Identifier: GPL-2.0-only */
/* Command-line options: the common set every tool shares, plus each tool's own table. */
#ifndef KS_OPT_H
#define KS_OPT_H

#include <stddef.h>
#include <stdio.h>

#include "core/common.h"

struct ks_tool;

enum ks_opt_type {
	KS_OPT_FLAG, /* bool field = true */
	KS_OPT_INT,  /* long long field, within [min, max] */
	KS_OPT_STR,  /* const char *field = the argument */
	KS_OPT_FUNC, /* parse(arg, &field, err, errlen) decides */
	/*
	 * Not an option: a habit from another tool (BCC, libbpf-tools, bpftrace) that would
	 * mean something else here. -KEY (or --NAME) stops parsing with "-KEY HELP", exit 2.
	 */
	KS_OPT_REFUSE,
	/* -KEY is the common option --NAME here (exitsnoop's -t is --timestamp). */
	KS_OPT_ALIAS,
	/* Not an option: HELP is added to the error when -KEY lacks its argument. */
	KS_OPT_NOTE,
};

/*
 * One tool-specific option (or positional argument). Its value goes into the tool's state
 * (struct ks_ctx .state, laid out by the tool: see KS_STATE in core/tool.h) at offset @off;
 * write tables with the KS_FLAG/KS_INT/KS_STR/KS_FUNC macros below, which check the
 * field's type. Tables end with an entry whose name is NULL.
 */
struct ks_opt {
	const char *name; /* long name, without "--" */
	int key;	  /* short option character, or 0 for none */
	enum ks_opt_type type;
	const char *arg; /* placeholder shown in --help; NULL for flags */
	const char *help;
	size_t off; /* offset of the value in the tool's state */
	long long min, max;
	int (*parse)(const char *arg, void *field, char *err, size_t errlen);
};

/*
 * A tool's entry whose key is one of the common options' letters (-p -t -n -u -c -d -T -U
 * -v) takes the letter: the common option keeps its long name (--tid, --duration ...).
 * That is how a tool gives a letter the meaning BCC's tool of the same name gives it
 * (execsnoop -t, offcputime -u), or refuses it (KS_REFUSE); docs/bcc.md lists the choices.
 */

/* Offset of @field in the state struct @type, a compile error unless it is of C type @ctype. */
#define KS_FIELD(type, field, ctype)                                                               \
	(offsetof(type, field) +                                                                   \
	 0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((type *)0)->field), ctype)       \
				 ? 1                                                               \
				 : -1]))

/* --NAME (-KEY) sets bool @field of state @type. */
#define KS_FLAG(type, field, name, key, help)                                                      \
	{                                                                                          \
		name, key, KS_OPT_FLAG, NULL, help, KS_FIELD(type, field, bool), 0, 0, NULL        \
	}
/* --NAME ARG: a decimal number from @min to @max into long long @field. */
#define KS_INT(type, field, name, key, arg, help, min, max)                                        \
	{                                                                                          \
		name, key, KS_OPT_INT, arg, help, KS_FIELD(type, field, long long), min, max, NULL \
	}
/* --NAME ARG: the argument itself into const char *@field. */
#define KS_STR(type, field, name, key, arg, help)                                                  \
	{                                                                                          \
		name, key, KS_OPT_STR, arg, help, KS_FIELD(type, field, const char *), 0, 0, NULL  \
	}
/* --NAME ARG: @parse(arg, &field, err, errlen) checks and stores it (0 or -EINVAL). */
#define KS_FUNC(type, field, name, key, arg, help, parse)                                          \
	{                                                                                          \
		name, key, KS_OPT_FUNC, arg, help, offsetof(type, field), 0, 0, parse              \
	}

/*
 * -KEY is refused with "kscope: TOOL: -KEY @why", exit code 2. @why says what the other
 * tool means by it and names kscope's option: "is BCC's sample period; kscope profile
 * samples at -F HZ".
 */
#define KS_REFUSE(key, why)                                                                        \
	{                                                                                          \
		"", key, KS_OPT_REFUSE, NULL, why, 0, 0, 0, NULL                                   \
	}
/* --NAME is refused the same way (a long option of another tool's). */
#define KS_REFUSE_LONG(name, why)                                                                  \
	{                                                                                          \
		name, 0, KS_OPT_REFUSE, NULL, why, 0, 0, 0, NULL                                   \
	}
/* -KEY means the common option --@common (its long name) in this tool. */
#define KS_ALIAS(key, common)                                                                      \
	{                                                                                          \
		common, key, KS_OPT_ALIAS, NULL, NULL, 0, 0, 0, NULL                               \
	}
/* @why is added to the error when -KEY is given without its argument. */
#define KS_NOTE(key, why)                                                                          \
	{                                                                                          \
		"", key, KS_OPT_NOTE, NULL, why, 0, 0, 0, NULL                                     \
	}

/* The options every tool understands where they make sense (see struct ks_tool flags). */
struct ks_common {
	int pid;      /* -p: 0 for any */
	int tid;      /* -t: 0 for any */
	bool has_uid; /* -u given */
	unsigned int uid;
	char comm[16];	    /* -n: empty for any; longer names are cut as the kernel does */
	const char *cgroup; /* -c: path as given, NULL for any */
	double duration;    /* -d, or the positional duration: seconds, 0 for until stopped */
	double interval;    /* positional (or --interval): seconds between reports, 0 for none */
	long long count;    /* positional: number of reports, 0 for unlimited */
	bool json;	    /* --json */
	bool timestamp;	    /* -T */
	bool elapsed;	    /* --elapsed: a seconds-since-start column */
	bool print_uid;	    /* -U */
	bool verbose;	    /* -v */
	unsigned int attach_mask;     /* --attach: allowed methods (bit per enum ks_method) */
	int by;			      /* -P, -L, --per-cgroup, --pidnss: enum ks_hist_by */
	const char *cgroup_hierarchy; /* --cgroup-hierarchy NAME: NULL for the default */
};

enum {
	KS_PARSE_OK = 0,
	KS_PARSE_HELP = 1, /* --help was asked for: print help and exit 0 */
};

/*
 * Parse @argv (argv[0] is the tool name) into @c and the tool's own options into @state
 * (the tool's state, already holding its defaults). The common options are reset first.
 * Returns KS_PARSE_OK, KS_PARSE_HELP, or -EINVAL after printing a one-line error through
 * the logger. Checks syntax only; ks_common_check() checks that the pid, user and cgroup
 * exist.
 */
int ks_opts_parse(const struct ks_tool *t, int argc, char **argv, struct ks_common *c, void *state);

/* Check what parsing cannot: the process, user and cgroup named exist. 0 or -errno. */
/* Is a task filter (-p, -t, -u, -n, -c) given? */
bool ks_common_tasks(const struct ks_common *c);

int ks_common_check(const struct ks_common *c);

/* Print "usage: kscope TOOL ..." with every option the tool accepts. */
void ks_opts_help(const struct ks_tool *t, FILE *f);

/* Strict number parsers used by the option code; 0 or -EINVAL. */
int ks_parse_ll(const char *s, long long min, long long max, long long *out);
int ks_parse_seconds(const char *s, double *out);

#endif
