// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of src/core/opt: common options by tool flags, tool tables, positionals. */
#include <errno.h>
#include <limits.h>

#include "core/opt.h"
#include "core/probe.h"
#include "core/tool.h"
#include "shared/hist.h"
#include "ktest.h"

/* The fake tools' state: where their options go. */
struct fake {
	bool flag;
	long long num;
	const char *str;
	int func;
	bool a_flag;
	const char *a_in, *a_out;
};

static struct fake st;

static int parse_func(const char *arg, void *ptr, char *err, size_t errlen)
{
	if (!strcmp(arg, "good")) {
		*(int *)ptr = 42;
		return 0;
	}
	snprintf(err, errlen, "must be 'good'");
	return -EINVAL;
}

static const struct ks_opt opts[] = {
	KS_FLAG(struct fake, flag, "flag", 'F', "a flag"),
	KS_INT(struct fake, num, "num", 'N', "N", "a number from 1 to 100", 1, 100),
	KS_STR(struct fake, str, "str", 0, "S", "a long-only string"),
	KS_FUNC(struct fake, func, "func", 'f', "F", "parsed by a function", parse_func),
	{ 0 },
};

static const struct ks_tool full = {
	.name = "faketool",
	.summary = "a tool with every flag",
	.usage = "[interval [count]]",
	.opts = opts,
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM | KS_TOOL_EVENTS,
};

static const struct ks_tool bare = {
	.name = "barecmd",
	.summary = "a command without BPF",
	.flags = KS_TOOL_COMMAND,
};

static struct ks_common c;
static struct kt_stderr err;

/* Parse a NULL-terminated list of arguments (argv[0] is the tool name), stderr captured. */
static int parse_with(const struct ks_tool *t, const char *first, ...)
{
	char *argv[64];
	int argc = 0, ret;
	va_list ap;

	st.flag = false;
	st.num = -1;
	st.str = NULL;
	st.func = 0;
	argv[argc++] = (char *)t->name;
	va_start(ap, first);
	for (const char *a = first; a && argc < 63; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	/* garbage first: parsing must set the defaults itself */
	memset(&c, 0xa5, sizeof(c));
	kt_stderr_begin(&err);
	ret = ks_opts_parse(t, argc, argv, &c, &st);
	kt_stderr_end(&err);
	return ret;
}

#define PARSE(...)	parse_with(&full, __VA_ARGS__, (const char *)NULL)
#define PARSE_BARE(...) parse_with(&bare, __VA_ARGS__, (const char *)NULL)

/* An error: -EINVAL and exactly one line on stderr. */
#define CHECK_ERROR(ret)                                                                           \
	do {                                                                                       \
		int r_ = (ret);                                                                    \
		CHECK(r_ == -EINVAL, "returned %d, expected -EINVAL", r_);                         \
		CHECK(err.lines == 1, "%d lines on stderr, expected 1: %s", err.lines, err.text);  \
	} while (0)

#define CHECK_OK(ret)                                                                              \
	do {                                                                                       \
		int r_ = (ret);                                                                    \
		CHECK(r_ == KS_PARSE_OK, "returned %d, expected 0 (stderr: %s)", r_, err.text);    \
		CHECK(err.lines == 0, "unexpected stderr: %s", err.text);                          \
	} while (0)

static void test_defaults(void)
{
	CHECK_OK(parse_with(&full, NULL));
	CHECK_INT(c.pid, 0);
	CHECK_INT(c.tid, 0);
	CHECK(!c.has_uid, "has_uid set");
	CHECK_STR(c.comm, "");
	CHECK(c.cgroup == NULL, "cgroup set");
	CHECK(c.duration == 0, "duration %g", c.duration);
	CHECK(c.interval == 0, "interval %g", c.interval);
	CHECK_INT(c.count, 0);
	CHECK(!c.json && !c.timestamp && !c.verbose, "a flag is set");
	CHECK_UINT(c.attach_mask, KS_METHODS_ALL);
}

static void test_pid(void)
{
	CHECK_OK(PARSE("-p", "123"));
	CHECK_INT(c.pid, 123);
	CHECK_OK(PARSE("-p4567"));
	CHECK_INT(c.pid, 4567);
	CHECK_OK(PARSE("--pid", "77"));
	CHECK_INT(c.pid, 77);
	CHECK_OK(PARSE("--pid=78"));
	CHECK_INT(c.pid, 78);
	CHECK_OK(PARSE("-p", "2147483647"));
	CHECK_INT(c.pid, INT_MAX);
}

static void test_pid_bad(void)
{
	CHECK_ERROR(PARSE("-p", "abc"));
	CHECK(strstr(err.text, "abc") != NULL, "message does not quote the value: %s", err.text);
	CHECK_ERROR(PARSE("-p", "0"));
	CHECK_ERROR(PARSE("-p", "-5"));
	CHECK_ERROR(PARSE("-p", ""));
	CHECK_ERROR(PARSE("-p", "12x"));
	CHECK_ERROR(PARSE("-p", "2147483648"));
	CHECK_ERROR(PARSE("-p", "99999999999999999999999"));
	CHECK_ERROR(PARSE("-t", "abc"));
	CHECK_ERROR(PARSE("-t", "0"));
}

/* A pid is a decimal number: "010" is pid 10 (or refused), never pid 8. */
static void test_pid_decimal(void)
{
	int ret = PARSE("-p", "010");

	CHECK(ret == -EINVAL || (ret == 0 && c.pid == 10),
	      "-p 010 gives pid %d (ret %d): read as octal", c.pid, ret);
	ret = PARSE("-p", "0x10");
	CHECK(ret == -EINVAL, "-p 0x10 accepted as pid %d", c.pid);
}

static void test_tid(void)
{
	CHECK_OK(PARSE("-t", "99"));
	CHECK_INT(c.tid, 99);
	CHECK_INT(c.pid, 0);
	CHECK_OK(PARSE("--tid", "5", "-p", "6"));
	CHECK_INT(c.tid, 5);
	CHECK_INT(c.pid, 6);
}

static void test_comm(void)
{
	CHECK_OK(PARSE("-n", "bash"));
	CHECK_STR(c.comm, "bash");
	CHECK_OK(PARSE("--comm", "exactly15bytes!"));
	CHECK_STR(c.comm, "exactly15bytes!");
	/* the kernel keeps 15 bytes: so does the filter */
	CHECK_OK(PARSE("-n", "0123456789abcdefXYZ"));
	CHECK_STR(c.comm, "0123456789abcde");
	CHECK_ERROR(PARSE("-n", ""));
}

static void test_uid(void)
{
	CHECK_OK(PARSE("-u", "0"));
	CHECK(c.has_uid && c.uid == 0, "has_uid %d uid %u", c.has_uid, c.uid);
	CHECK_OK(PARSE("-u", "65534"));
	CHECK(c.has_uid && c.uid == 65534, "has_uid %d uid %u", c.has_uid, c.uid);
	CHECK_OK(PARSE("--uid", "root"));
	CHECK(c.has_uid && c.uid == 0, "user name root: has_uid %d uid %u", c.has_uid, c.uid);
	CHECK_ERROR(PARSE("-u", "no-such-user-kscope"));
	CHECK_ERROR(PARSE("-u", "-1"));
	CHECK_ERROR(PARSE("-u", "4294967295")); /* (uid_t)-1 is never a user */
}

static void test_cgroup(void)
{
	CHECK_OK(PARSE("-c", "/sys/fs/cgroup/x"));
	CHECK(c.cgroup && !strcmp(c.cgroup, "/sys/fs/cgroup/x"), "cgroup %s", c.cgroup);
	CHECK_OK(PARSE("--cgroup", "system.slice"));
	CHECK(c.cgroup && !strcmp(c.cgroup, "system.slice"), "cgroup %s", c.cgroup);
	CHECK_ERROR(PARSE("-c", ""));
}

static void test_duration(void)
{
	CHECK_OK(PARSE("-d", "5"));
	CHECK(c.duration == 5, "duration %g", c.duration);
	CHECK_OK(PARSE("-d", "0.25"));
	CHECK(c.duration == 0.25, "duration %g", c.duration);
	CHECK_OK(PARSE("--duration", "1e2"));
	CHECK(c.duration == 100, "duration %g", c.duration);
	CHECK_ERROR(PARSE("-d", "0"));
	CHECK_ERROR(PARSE("-d", "-1"));
	CHECK_ERROR(PARSE("-d", "abc"));
	CHECK_ERROR(PARSE("-d", "1s"));
	CHECK_ERROR(PARSE("-d", "inf"));
	CHECK_ERROR(PARSE("-d", "nan"));
	CHECK_ERROR(PARSE("-d", ""));
}

static void test_flags(void)
{
	CHECK_OK(PARSE("-T", "--json", "-v"));
	CHECK(c.timestamp && c.json && c.verbose, "T %d json %d v %d", c.timestamp, c.json,
	      c.verbose);
	CHECK_OK(PARSE("--timestamp", "--verbose"));
	CHECK(c.timestamp && !c.json && c.verbose, "T %d json %d v %d", c.timestamp, c.json,
	      c.verbose);
	CHECK_ERROR(PARSE("--json=yes"));
}

static void test_attach(void)
{
	CHECK_OK(PARSE("--attach", "tp_btf,tracepoint"));
	CHECK_UINT(c.attach_mask, (1u << KS_METHOD_TP_BTF) | (1u << KS_METHOD_TRACEPOINT));
	CHECK_OK(PARSE("--attach", "raw_tp"));
	CHECK_UINT(c.attach_mask, 1u << KS_METHOD_RAW_TP);
	CHECK_OK(PARSE("--attach=fentry,kprobe_multi,kprobe"));
	CHECK_UINT(c.attach_mask, (1u << KS_METHOD_FENTRY) | (1u << KS_METHOD_KPROBE_MULTI) |
					  (1u << KS_METHOD_KPROBE));
	CHECK_ERROR(PARSE("--attach", "bogus"));
	CHECK(strstr(err.text, "bogus") != NULL, "message does not name it: %s", err.text);
	CHECK_ERROR(PARSE("--attach", "tp_btf,bogus"));
	CHECK(strstr(err.text, "'bogus'") != NULL, "message does not name it: %s", err.text);
	CHECK_ERROR(PARSE("--attach", ""));
	CHECK_ERROR(PARSE("--attach", "TP_BTF"));
}

static void test_method_names(void)
{
	for (int m = 0; m < KS_METHOD_NR; m++) {
		unsigned int mask = 0;
		char bad[64];

		CHECK(ks_method_parse(ks_method_name(m), &mask, bad, sizeof(bad)) == 0 &&
			      mask == 1u << m,
		      "method %d '%s' does not parse back", m, ks_method_name(m));
	}
}

static void test_positional(void)
{
	CHECK_OK(PARSE("1"));
	CHECK(c.interval == 1 && c.count == 0, "interval %g count %lld", c.interval, c.count);
	CHECK_OK(PARSE("0.5", "10"));
	CHECK(c.interval == 0.5 && c.count == 10, "interval %g count %lld", c.interval, c.count);
	CHECK_OK(PARSE("2", "3", "-p", "9"));
	CHECK(c.interval == 2 && c.count == 3 && c.pid == 9,
	      "options after the positionals: "
	      "interval %g count %lld pid %d",
	      c.interval, c.count, c.pid);
	CHECK_OK(PARSE("--", "4"));
	CHECK(c.interval == 4, "after --: interval %g", c.interval);
	CHECK_ERROR(PARSE("0"));
	CHECK_ERROR(PARSE("abc"));
	CHECK_ERROR(PARSE("1", "0"));
	CHECK_ERROR(PARSE("1", "-3"));
	CHECK_ERROR(PARSE("1", "x"));
	CHECK_ERROR(PARSE("1", "2", "3"));
	CHECK(strstr(err.text, "'3'") != NULL, "message does not name it: %s", err.text);
}

static void test_unknown_option(void)
{
	CHECK_ERROR(PARSE("-Z"));
	CHECK(strstr(err.text, "-Z") != NULL, "message does not name it: %s", err.text);
	CHECK_ERROR(PARSE("--bogus"));
	CHECK(strstr(err.text, "--bogus") != NULL, "message does not name it: %s", err.text);
	CHECK_ERROR(PARSE("--bogus=1"));
	CHECK_ERROR(PARSE("-p", "1", "-Q"));
}

static void test_missing_argument(void)
{
	CHECK_ERROR(PARSE("-p"));
	CHECK(strstr(err.text, "-p") != NULL, "message does not name it: %s", err.text);
	CHECK_ERROR(PARSE("--pid"));
	CHECK(strstr(err.text, "--pid") != NULL, "message does not name it: %s", err.text);
	CHECK_ERROR(PARSE("-N"));
	CHECK_ERROR(PARSE("--str"));
	CHECK_ERROR(PARSE("-d"));
	CHECK_ERROR(PARSE("--attach"));
}

static void test_tool_options(void)
{
	CHECK_OK(PARSE("-F"));
	CHECK(st.flag, "-F not set");
	CHECK_OK(PARSE("--flag"));
	CHECK(st.flag, "--flag not set");
	CHECK_OK(PARSE("-N", "50"));
	CHECK_INT(st.num, 50);
	CHECK_OK(PARSE("--num=100"));
	CHECK_INT(st.num, 100);
	CHECK_OK(PARSE("-N1"));
	CHECK_INT(st.num, 1);
	CHECK_OK(PARSE("--str", "hello world"));
	CHECK(st.str && !strcmp(st.str, "hello world"), "str %s", st.str ? st.str : "(null)");
	CHECK_OK(PARSE("-f", "good"));
	CHECK_INT(st.func, 42);
	CHECK_OK(PARSE("-F", "-N", "7", "-p", "3", "--json"));
	CHECK(st.flag && st.num == 7 && c.pid == 3 && c.json, "mixed options");
}

static void test_tool_options_bad(void)
{
	CHECK_ERROR(PARSE("-N", "0"));
	CHECK(strstr(err.text, "1") && strstr(err.text, "100"), "range not in message: %s",
	      err.text);
	CHECK_ERROR(PARSE("-N", "101"));
	CHECK_ERROR(PARSE("-N", "abc"));
	CHECK_ERROR(PARSE("--num", "9223372036854775808"));
	CHECK_ERROR(PARSE("-f", "bad"));
	CHECK(strstr(err.text, "must be 'good'") != NULL, "parser's reason missing: %s", err.text);
	CHECK_ERROR(PARSE("--flag=1"));
}

static void test_help(void)
{
	CHECK(PARSE("--help") == KS_PARSE_HELP, "--help");
	CHECK(PARSE("-h") == KS_PARSE_HELP, "-h");
	CHECK(PARSE("-p", "5", "--help") == KS_PARSE_HELP, "--help after an option");
	CHECK(PARSE_BARE("--help") == KS_PARSE_HELP, "--help of a command");
}

static void test_help_text(void)
{
	struct kt_mem m = { 0 };
	const char *out;

	ks_opts_help(&full, kt_mem_open(&m));
	out = kt_mem_close(&m);
	CHECK(!strncmp(out, "usage: kscope faketool", 22), "starts with: %.40s", out);
	CHECK(strstr(out, "--num N") != NULL, "tool option missing");
	CHECK(strstr(out, "--str S") != NULL, "long-only option missing");
	CHECK(strstr(out, "--pid") != NULL, "common option missing");
	CHECK(strstr(out, "--attach") != NULL, "--attach missing");
	CHECK(strstr(out, "exit codes") != NULL, "exit codes missing");
	ks_opts_help(&bare, kt_mem_open(&m));
	out = kt_mem_close(&m);
	CHECK(!strncmp(out, "usage: kscope barecmd", 21), "starts with: %.40s", out);
	CHECK(strstr(out, "--pid") == NULL, "a command without FILTER lists --pid");
	CHECK(strstr(out, "--duration") == NULL, "a command without BPF lists --duration");
	CHECK(strstr(out, "--json") != NULL, "--json missing");
	free(m.buf);
}

/* Options a tool's flags don't enable are unknown options. */
static void test_flags_gate(void)
{
	CHECK_ERROR(PARSE_BARE("-p", "1"));
	CHECK_ERROR(PARSE_BARE("-c", "x"));
	CHECK_ERROR(PARSE_BARE("-d", "1"));
	CHECK_ERROR(PARSE_BARE("--attach", "tp_btf"));
	CHECK_ERROR(PARSE_BARE("-T"));
	CHECK_ERROR(PARSE_BARE("1"));
	CHECK_OK(PARSE_BARE("--json"));
	CHECK(c.json, "--json not set");
	CHECK_OK(PARSE_BARE("-v"));
}

/* Parsing twice in a row starts afresh (getopt state is reset). */
static void test_reparse(void)
{
	CHECK_OK(PARSE("-p", "5", "--json"));
	CHECK_OK(PARSE("-t", "6"));
	CHECK(c.pid == 0 && c.tid == 6 && !c.json, "state kept: pid %d tid %d json %d", c.pid,
	      c.tid, c.json);
	CHECK_ERROR(PARSE("-Z"));
	CHECK_OK(PARSE("-p", "7"));
	CHECK_INT(c.pid, 7);
}

/* A command's positional arguments (struct ks_tool .args), anywhere among its options. */
static const struct ks_opt arg_opts[] = {
	KS_FLAG(struct fake, a_flag, "flag", 'x', "a flag"),
	{ 0 },
};
static const struct ks_opt arg_args[] = {
	KS_STR(struct fake, a_in, "FILE", 0, NULL, "input"),
	KS_STR(struct fake, a_out, "OUT", 0, NULL, "output"),
	{ 0 },
};
static const struct ks_tool args_cmd = {
	.name = "argscmd",
	.summary = "a command with positional arguments",
	.opts = arg_opts,
	.args = arg_args,
	.flags = KS_TOOL_COMMAND,
};

static void test_positional_args(void)
{
	char help[4096] = "";
	FILE *f;

	st.a_in = st.a_out = NULL;
	CHECK_OK(parse_with(&args_cmd, (const char *)NULL));
	CHECK(!st.a_in && !st.a_out, "set without arguments");
	CHECK_OK(parse_with(&args_cmd, "-x", "a.txt", (const char *)NULL));
	CHECK(st.a_in && !strcmp(st.a_in, "a.txt") && !st.a_out, "one argument: %s",
	      st.a_in ? st.a_in : "-");
	st.a_in = NULL;
	CHECK_OK(parse_with(&args_cmd, "-", "-x", "b", (const char *)NULL));
	CHECK(st.a_in && !strcmp(st.a_in, "-") && st.a_out && !strcmp(st.a_out, "b"),
	      "two arguments");
	CHECK_ERROR(parse_with(&args_cmd, "a", "b", "c", (const char *)NULL));
	CHECK(strstr(err.text, "unexpected argument 'c'"), "message: %s", err.text);
	CHECK_ERROR(parse_with(&args_cmd, "--FILE", "a", (const char *)NULL));
	f = fmemopen(help, sizeof(help) - 1, "w");
	ks_opts_help(&args_cmd, f);
	fclose(f);
	CHECK(strstr(help, "\narguments:\n  FILE ") && strstr(help, "\n  OUT "), "help: %s", help);
	CHECK(!strstr(help, "--FILE"), "a positional shown as an option: %s", help);
}

/* The per-key options come from the registration's KS_TOOL_PER_* flags, one choice at most. */
static const struct ks_tool keyed_all = {
	.name = "keyedall",
	.summary = "a histogram tool keyed every way",
	.flags = KS_TOOL_BPF | KS_TOOL_PER_TASK,
};
static const struct ks_tool keyed_two = {
	.name = "keyedtwo",
	.summary = "a histogram tool keyed by process or thread",
	.opts = opts,
	.flags = KS_TOOL_BPF | KS_TOOL_PER_PID | KS_TOOL_PER_TID,
};

static void test_per_key(void)
{
	char help[4096] = "";
	FILE *f;

	CHECK_OK(parse_with(&keyed_all, (const char *)NULL));
	CHECK_INT(c.by, KS_BY_ALL);
	CHECK_OK(parse_with(&keyed_all, "-P", (const char *)NULL));
	CHECK_INT(c.by, KS_BY_PID);
	CHECK_OK(parse_with(&keyed_all, "--tids", (const char *)NULL));
	CHECK_INT(c.by, KS_BY_TID);
	CHECK_OK(parse_with(&keyed_all, "--per-cgroup", (const char *)NULL));
	CHECK_INT(c.by, KS_BY_CGROUP);
	CHECK_OK(parse_with(&keyed_all, "--pidnss", "--pidnss", (const char *)NULL));
	CHECK_INT(c.by, KS_BY_PIDNS);
	CHECK_ERROR(parse_with(&keyed_all, "-P", "--per-cgroup", (const char *)NULL));
	CHECK(strstr(err.text, "choose one of -P, -L, --per-cgroup and --pidnss"), "message: %s",
	      err.text);
	CHECK_ERROR(parse_with(&keyed_two, "-L", "-P", (const char *)NULL));
	CHECK(strstr(err.text, "choose one of -P and -L\n"), "message: %s", err.text);
	CHECK_ERROR(parse_with(&keyed_two, "--per-cgroup", (const char *)NULL));
	CHECK_ERROR(PARSE("-P"));
	/* With the tool's own options, in one table. */
	CHECK_OK(parse_with(&keyed_two, "-F", "-L", (const char *)NULL));
	CHECK(st.flag && c.by == KS_BY_TID, "flag %d by %d", st.flag, c.by);
	f = fmemopen(help, sizeof(help) - 1, "w");
	ks_opts_help(&keyed_two, f);
	fclose(f);
	CHECK(strstr(help, "\noptions:\n") && strstr(help, "-P, --pids") &&
		      strstr(help, "-L, --tids") && !strstr(help, "--per-cgroup") &&
		      strstr(help, "--flag") < strstr(help, "--pids"),
	      "help: %s", help);
}

/*
 * Other tools' habits (docs/bcc.md): a tool's entry takes a common letter (the long name
 * stays), an alias gives a letter to another common option, a refusal stops with one line
 * naming kscope's option, a note explains a letter's missing argument; the positional
 * argument is the duration.
 */
static const struct ks_opt habit_opts[] = {
	KS_FLAG(struct fake, flag, "mine", 'u', "the tool's own -u"),
	KS_ALIAS('t', "elapsed"),
	KS_REFUSE('d', "is another tool's debug output; kscope takes --duration SECONDS"),
	KS_REFUSE_LONG("old-name", "is another tool's; kscope takes --str S"),
	KS_NOTE('n', "another tool's -n is always on here"),
	KS_STR(struct fake, str, "str", 0, "S", "a string"),
	{ 0 },
};
static const struct ks_tool habits = {
	.name = "habittool",
	.summary = "a tool with other tools' habits",
	.opts = habit_opts,
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM | KS_TOOL_EVENTS |
		 KS_TOOL_DURATION_ARG,
};

#define PARSE_HABIT(...) parse_with(&habits, __VA_ARGS__, (const char *)NULL)

static void test_habit_letters(void)
{
	CHECK_OK(PARSE_HABIT("-u"));
	CHECK(st.flag && !c.has_uid, "-u: flag %d has_uid %d", st.flag, c.has_uid);
	CHECK_OK(PARSE_HABIT("--uid", "0"));
	CHECK(!st.flag && c.has_uid && c.uid == 0, "--uid: flag %d has_uid %d", st.flag, c.has_uid);
	CHECK_OK(PARSE_HABIT("-t"));
	CHECK(c.elapsed && c.tid == 0, "-t: elapsed %d tid %d", c.elapsed, c.tid);
	CHECK_OK(PARSE_HABIT("--tid", "5", "--elapsed"));
	CHECK(c.elapsed && c.tid == 5, "--tid: elapsed %d tid %d", c.elapsed, c.tid);
	/* "-t 5": the elapsed column, and 5 is the duration, not a TID. */
	CHECK_OK(PARSE_HABIT("-t", "5"));
	CHECK(c.elapsed && c.tid == 0 && c.duration == 5, "-t 5: tid %d duration %g", c.tid,
	      c.duration);
}

static void test_habit_refused(void)
{
	CHECK_ERROR(PARSE_HABIT("-d"));
	CHECK(strstr(err.text, "-d is another tool's debug output; kscope takes --duration"),
	      "message: %s", err.text);
	CHECK_ERROR(PARSE_HABIT("-p", "1", "-d", "5"));
	CHECK(strstr(err.text, "--duration"), "message: %s", err.text);
	CHECK_ERROR(PARSE_HABIT("--old-name"));
	CHECK(strstr(err.text, "--old-name is another tool's; kscope takes --str S"), "message: %s",
	      err.text);
	CHECK_OK(PARSE_HABIT("--duration", "2"));
	CHECK(c.duration == 2, "duration %g", c.duration);
	/* The full tool has no refusals: -d is the duration there. */
	CHECK_OK(PARSE("-d", "3"));
	CHECK(c.duration == 3, "duration %g", c.duration);
}

/* A word that looks like an option after -n is a missing name, not a name. */
static void test_habit_comm(void)
{
	CHECK_ERROR(PARSE_HABIT("-n"));
	CHECK(strstr(err.text, "another tool's -n is always on here"), "note missing: %s",
	      err.text);
	CHECK_ERROR(PARSE_HABIT("-n", "-x"));
	CHECK(strstr(err.text, "--comm=-x") && strstr(err.text, "always on"), "message: %s",
	      err.text);
	CHECK_ERROR(PARSE("-n", "-p"));
	CHECK_OK(PARSE_HABIT("--comm=-bash"));
	CHECK_STR(c.comm, "-bash");
	CHECK_OK(PARSE_HABIT("-n-bash"));
	CHECK_STR(c.comm, "-bash");
	CHECK_OK(PARSE_HABIT("-n", "-"));
	CHECK_STR(c.comm, "-");
	CHECK_OK(PARSE_HABIT("-n", "pyth"));
	CHECK_STR(c.comm, "pyth");
	/* Not a pattern (BCC's execsnoop -n is a regular expression): refused, not missed. */
	CHECK_ERROR(PARSE_HABIT("-n", "^bash$"));
	CHECK(strstr(err.text, "plain text"), "message: %s", err.text);
	CHECK_ERROR(PARSE_HABIT("-n", "py.*"));
	CHECK_OK(PARSE_HABIT("-n", "(sd-pam)"));
	CHECK_OK(PARSE_HABIT("-n", "kworker/0:1"));
}

static void test_duration_arg(void)
{
	CHECK_OK(PARSE_HABIT("5"));
	CHECK(c.duration == 5 && c.interval == 0, "duration %g interval %g", c.duration,
	      c.interval);
	CHECK_OK(PARSE_HABIT("-p", "1", "0.5"));
	CHECK(c.duration == 0.5, "duration %g", c.duration);
	CHECK_OK(PARSE_HABIT("--interval", "2", "10"));
	CHECK(c.duration == 10 && c.interval == 2, "duration %g interval %g", c.duration,
	      c.interval);
	CHECK_ERROR(PARSE_HABIT("--duration", "1", "5"));
	CHECK(strstr(err.text, "twice"), "message: %s", err.text);
	CHECK_ERROR(PARSE_HABIT("5", "6"));
	CHECK_ERROR(PARSE_HABIT("0"));
	CHECK_ERROR(PARSE_HABIT("--interval", "0"));
	CHECK_OK(PARSE_HABIT("--interval", "1", "--count", "3"));
	CHECK(c.interval == 1 && c.count == 3, "interval %g count %lld", c.interval, c.count);
	CHECK(ks_common_check(&c) == 0, "--interval with --count");
	CHECK_OK(PARSE_HABIT("--count", "3"));
	CHECK(ks_common_check(&c) == -EINVAL, "--count without --interval passes the check");
	CHECK_ERROR(PARSE_HABIT("--interval", "1", "--count", "0"));
	/* Not for interval tools and commands. */
	CHECK_ERROR(PARSE("--count", "1"));
	CHECK_ERROR(PARSE("--interval", "1"));
	CHECK_ERROR(PARSE_BARE("--elapsed"));
}

static void test_habit_help(void)
{
	char help[8192] = "";
	FILE *f = fmemopen(help, sizeof(help) - 1, "w");

	ks_opts_help(&habits, f);
	fclose(f);
	CHECK(strstr(help, "usage: kscope habittool"), "help: %s", help);
	CHECK(strstr(help, "-u, --mine") && strstr(help, "    --uid UID"), "-u: %s", help);
	CHECK(strstr(help, "-t, --elapsed") && strstr(help, "    --tid TID"), "-t: %s", help);
	CHECK(strstr(help, "    --duration SECONDS") && !strstr(help, "-d, --duration"), "-d: %s",
	      help);
	CHECK(strstr(help, "\n  duration ") && strstr(help, "--interval SECONDS"),
	      "duration argument: %s", help);
	CHECK(strstr(help, "  -d is another tool's debug output") &&
		      strstr(help, "  --old-name is another tool's") &&
		      strstr(help, "  -n another tool's -n is always on here"),
	      "refusals: %s", help);
	CHECK(!strstr(help, "--old-name  ") && !strstr(help, "interval [count]"), "help: %s", help);
}

static void test_parse_numbers(void)
{
	long long v = 0;
	double d = 0;

	CHECK(ks_parse_ll("42", 0, 100, &v) == 0 && v == 42, "42");
	CHECK(ks_parse_ll("101", 0, 100, &v) == -EINVAL, "above max");
	CHECK(ks_parse_ll("-1", 0, 100, &v) == -EINVAL, "below min");
	CHECK(ks_parse_ll("", 0, 100, &v) == -EINVAL, "empty");
	CHECK(ks_parse_ll(NULL, 0, 100, &v) == -EINVAL, "NULL");
	CHECK(ks_parse_ll("5 ", 0, 100, &v) == -EINVAL, "trailing space");
	CHECK(ks_parse_ll("9223372036854775807", 0, LLONG_MAX, &v) == 0 && v == LLONG_MAX,
	      "LLONG_MAX");
	CHECK(ks_parse_ll("9223372036854775808", 0, LLONG_MAX, &v) == -EINVAL, "overflow");
	CHECK(ks_parse_seconds("1.5", &d) == 0 && d == 1.5, "1.5 s");
	CHECK(ks_parse_seconds("0", &d) == -EINVAL, "0 s");
	CHECK(ks_parse_seconds("1e10", &d) == -EINVAL, "1e10 s");
	CHECK(ks_parse_seconds("infinity", &d) == -EINVAL, "infinity");
}

int main(void)
{
	RUN(test_defaults);
	RUN(test_pid);
	RUN(test_pid_bad);
	RUN(test_pid_decimal);
	RUN(test_tid);
	RUN(test_comm);
	RUN(test_uid);
	RUN(test_cgroup);
	RUN(test_duration);
	RUN(test_flags);
	RUN(test_attach);
	RUN(test_method_names);
	RUN(test_positional);
	RUN(test_unknown_option);
	RUN(test_missing_argument);
	RUN(test_tool_options);
	RUN(test_tool_options_bad);
	RUN(test_help);
	RUN(test_help_text);
	RUN(test_flags_gate);
	RUN(test_reparse);
	RUN(test_positional_args);
	RUN(test_per_key);
	RUN(test_habit_letters);
	RUN(test_habit_refused);
	RUN(test_habit_comm);
	RUN(test_duration_arg);
	RUN(test_habit_help);
	RUN(test_parse_numbers);
	return kt_done();
}
