/* SPDX-License-Identifier: GPL-2.0-only */
/* The language's runtime: load the compiled programs, attach, print what they send. */
#ifndef KS_LANG_RUN_H
#define KS_LANG_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "lang/cmd.h"
#include "lang/compile.h"

struct lang_run_opts {
	FILE *out;
	bool json;
	double duration;      /* seconds, 0 for until stopped */
	int pid;	      /* uprobes/usdt limited to this process, 0 for all */
	struct lang_cmd *cmd; /* -c: released once attached; its exit ends the run; or NULL */
	const char *file;     /* for the verifier's messages: the program's name and text */
	const char *src;
	bool verbose;
};

/*
 * Load @c's maps and programs, run BEGIN, attach every other probe, then print what the
 * programs send (printf, print, time ...) until exit(), -d, SIGINT/SIGTERM/SIGHUP or the
 * -c command's exit; detach, run END and print the maps as bpftrace does at exit.
 * A program the verifier rejects is reported with the source line responsible, in
 * @d. Returns an enum ks_exit value; nothing stays loaded or attached afterwards.
 */
int lang_run(struct lang_compiled *c, const struct lang_run_opts *o);

/*
 * Create @c's maps and load its programs (the fds go into @c); a program the verifier
 * rejects is reported on stderr with the source line responsible (@file, @src; with
 * @verbose the whole log). Returns 0 or -errno; nothing stays loaded on failure.
 */
int lang_load(struct lang_compiled *c, const char *file, const char *src, bool verbose);
/* Close what lang_load opened. Safe to call twice. */
void lang_unload(struct lang_compiled *c);
/* Run every loaded program of type @type (BEGIN, END, interval) once; 0 or -errno. */
int lang_run_type(struct lang_compiled *c, enum lang_ptype type);

#endif
