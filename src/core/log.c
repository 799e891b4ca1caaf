// SPDX-License-Identifier: GPL-2.0-only
/* Diagnostics: kscope's one-line error format, verbose output and libbpf's messages. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/out.h"

static const char *log_tool;
static bool log_verbose, log_json;
static char libbpf_last[512];
static char verifier_last[512];
static char failed_prog[128];

void ks_log_init(const char *tool, bool verbose, bool json)
{
	log_tool = tool;
	log_verbose = verbose;
	log_json = json;
}

bool ks_log_verbose(void)
{
	return log_verbose;
}

bool ks_log_json(void)
{
	return log_json;
}

const char *ks_log_tool(void)
{
	return log_tool;
}

static void log_line(const char *level, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* One line per message, whatever the caller put in it. */
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	fflush(stdout);
	if (log_json) {
		struct ks_json j;

		ks_json_init(&j, stderr);
		ks_json_obj_begin(&j, NULL);
		ks_json_str(&j, "type", level);
		if (log_tool)
			ks_json_str(&j, "tool", log_tool);
		ks_json_str(&j, "message", msg);
		ks_json_obj_end(&j);
	} else if (log_tool) {
		fprintf(stderr, "kscope: %s: %s%s\n", log_tool,
			strcmp(level, "warning") ? "" : "warning: ", msg);
	} else {
		fprintf(stderr, "kscope: %s%s\n", strcmp(level, "warning") ? "" : "warning: ", msg);
	}
	fflush(stderr);
}

void ks_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("error", fmt, ap);
	va_end(ap);
}

void ks_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("warning", fmt, ap);
	va_end(ap);
}

void ks_info(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_line("info", fmt, ap);
	va_end(ap);
}

/*
 * Keep the verifier's own complaint: the line before "processed N insns" in a load log,
 * with the line before it when that one says why a function's argument cannot be read
 * ("func 'F' arg0 type FWD is not a struct" before "invalid bpf_context access ...").
 */
static void keep_verifier_reason(const char *msg)
{
	const char *end = strstr(msg, "\nprocessed "), *start, *prev;

	if (!end)
		end = strstr(msg, "-- END PROG LOAD LOG --");
	if (!end)
		return;
	while (end > msg && end[-1] == '\n')
		end--;
	start = end;
	while (start > msg && start[-1] != '\n')
		start--;
	if (end <= start)
		return;
	prev = start > msg ? start - 1 : start;
	while (prev > msg && prev[-1] != '\n')
		prev--;
	if (prev < start && !strncmp(prev, "func '", 6) && start - prev > 1)
		snprintf(verifier_last, sizeof(verifier_last), "%.*s: %.*s",
			 (int)(start - 1 - prev), prev, (int)(end - start), start);
	else
		snprintf(verifier_last, sizeof(verifier_last), "%.*s", (int)(end - start), start);
}

/* One line of libbpf's output, as our own: "kscope: TOOL: libbpf: ..." or a JSON line. */
static void libbpf_line(const char *line, size_t len)
{
	if (!strncmp(line, "libbpf: ", 8)) {
		line += 8;
		len -= len >= 8 ? 8 : len;
	}
	if (log_json) {
		struct ks_json j;

		ks_json_init(&j, stderr);
		ks_json_obj_begin(&j, NULL);
		ks_json_str(&j, "type", "libbpf");
		if (log_tool)
			ks_json_str(&j, "tool", log_tool);
		ks_json_strn(&j, "message", line, len);
		ks_json_obj_end(&j);
	} else {
		fprintf(stderr, "kscope: %s%slibbpf: %.*s\n", log_tool ? log_tool : "",
			log_tool ? ": " : "", (int)len, line);
	}
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg = NULL;
	const char *p;
	size_t n;

	if (level != LIBBPF_WARN && !log_verbose)
		return 0;
	if (vasprintf(&msg, fmt, ap) < 0 || !msg)
		return 0;
	if (level == LIBBPF_WARN) {
		const char *q = strstr(msg, "prog '"), *e;

		/* "prog 'NAME': failed to load: -13" names the program the kernel refused. */
		if (q && strstr(msg, "failed to load") && (e = strchr(q + 6, '\''))) {
			snprintf(failed_prog, sizeof(failed_prog), "%.*s", (int)(e - q - 6), q + 6);
		}
		if (strstr(msg, "-- BEGIN PROG LOAD LOG --")) {
			keep_verifier_reason(msg);
		} else if (strstr(msg, "failed to load object") == NULL) {
			const char *m = strncmp(msg, "libbpf: ", 8) ? msg : msg + 8;

			snprintf(libbpf_last, sizeof(libbpf_last), "%.*s",
				 (int)sizeof(libbpf_last) - 1, m);
			n = strlen(libbpf_last);
			while (n && (libbpf_last[n - 1] == '\n' || libbpf_last[n - 1] == ' '))
				libbpf_last[--n] = '\0';
		}
	}
	/* With -v, every line (a verifier log has hundreds) goes out in our format. */
	for (p = msg; log_verbose && *p;) {
		const char *nl = strchr(p, '\n');

		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n)
			libbpf_line(p, n);
		p += n + (nl ? 1 : 0);
	}
	free(msg);
	return 0;
}

void ks_log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

const char *ks_libbpf_last(void)
{
	return libbpf_last;
}

const char *ks_verifier_last(void)
{
	return verifier_last;
}

const char *ks_libbpf_failed_prog(void)
{
	return failed_prog;
}

void ks_libbpf_clear(void)
{
	libbpf_last[0] = verifier_last[0] = failed_prog[0] = '\0';
}
