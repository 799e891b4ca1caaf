/* SPDX-License-Identifier: GPL-2.0-only */
/* trace -c CMD: the traced command, started once the probes are attached, never outliving us. */
#ifndef KS_LANG_CMD_H
#define KS_LANG_CMD_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * The command runs under a watcher process of ours: kscope -> watcher -> command. The
 * watcher is a child subreaper and holds the read end of a pipe only kscope writes to;
 * when that pipe closes (kscope finished, failed, or was killed, even by SIGKILL) or the
 * command exits, the watcher ends the command's process group with SIGTERM, then SIGKILL
 * after a grace period, and kills every other descendant that reparented to it (children
 * the command left behind in other groups or sessions). What escapes: a descendant
 * that leaves and re-parents outside our tree (none can, short of ptrace), or a SIGKILL
 * of the watcher itself (the command then gets SIGKILL by PR_SET_PDEATHSIG).
 */
struct lang_cmd {
	pid_t watcher; /* waited for; exits when the command exits */
	pid_t pid;     /* the command (cpid) */
	int go;	       /* write a byte: the command execs */
	int life;      /* closing it ends the command */
	int info;      /* after go: 4 bytes of errno if exec failed, EOF if it ran */
	bool shell;    /* run with /bin/sh -c */
	char *argv0;   /* what is run, for messages */
};

/*
 * Start @cmd held before exec. A command of plain words (no quotes, operators or
 * expansions) runs directly, found through PATH as bpftrace does; anything else, and a
 * shell builtin such as `exit 7`, runs with /bin/sh -c. 0 or -errno; -ENOENT (and the
 * message said) when the command's program cannot be found, before anything is forked.
 */
int lang_cmd_start(struct lang_cmd *c, const char *cmd);
/* Let the command exec; 0, or -errno when exec failed (the message said). */
int lang_cmd_release(struct lang_cmd *c);
/* Whether the command has exited (the watcher ended), without reaping it. */
bool lang_cmd_done(const struct lang_cmd *c);
/*
 * End the command and everything it started, wait for the watcher; returns the
 * command's exit status (as waitpid's), or -1 if it never ran. Safe on a zeroed struct
 * and twice.
 */
int lang_cmd_stop(struct lang_cmd *c);

#endif
