// SPDX-License-Identifier: GPL-2.0-only
/* asuser: run a command as another uid/gid with no supplementary groups and no capabilities. */
/*
 * usage: asuser UID GID CMD [ARG]...
 *
 * Must start as root. Clears the supplementary groups, drops every capability from the
 * bounding set, sets gid then uid, clears the ambient set and the remaining capability sets,
 * checks that nothing is left and execs CMD (searched in PATH). Exit 126/127 like a shell
 * when CMD can't be run, 125 when the switch itself fails.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static long parse_id(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < 0 || v > 0x7ffffffe) {
		fprintf(stderr, "asuser: bad id '%s'\n", s);
		exit(125);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fprintf(stderr, "usage: asuser UID GID CMD [ARG]...\n");
		return 125;
	}
	uid = (uid_t)parse_id(argv[1]);
	gid = (gid_t)parse_id(argv[2]);

	/* The bounding set needs CAP_SETPCAP, so drop it while still root. */
	for (int cap = 0; cap <= 63; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) {
			fprintf(stderr, "asuser: dropping capability %d: %s\n", cap,
				strerror(errno));
			return 125;
		}
	}
	if (setgroups(0, NULL)) {
		fprintf(stderr, "asuser: setgroups: %s\n", strerror(errno));
		return 125;
	}
	if (setresgid(gid, gid, gid)) {
		fprintf(stderr, "asuser: setresgid %u: %s\n", (unsigned)gid, strerror(errno));
		return 125;
	}
	if (setresuid(uid, uid, uid)) {
		fprintf(stderr, "asuser: setresuid %u: %s\n", (unsigned)uid, strerror(errno));
		return 125;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d)) {
		fprintf(stderr, "asuser: capset: %s\n", strerror(errno));
		return 125;
	}
	memset(d, 0xff, sizeof(d));
	if (syscall(SYS_capget, &h, d) || d[0].effective || d[1].effective || d[0].permitted ||
	    d[1].permitted || d[0].inheritable || d[1].inheritable) {
		fprintf(stderr, "asuser: capabilities are still set after dropping them\n");
		return 125;
	}
	if (uid != 0 && (getuid() != uid || geteuid() != uid)) {
		fprintf(stderr, "asuser: still uid %u\n", (unsigned)geteuid());
		return 125;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "asuser: cannot run %s: %s\n", argv[3], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
