// SPDX-License-Identifier: GPL-2.0-only
/* tracefs discovery and mounting; classic tracepoint ids. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/file.h"
#include "core/log.h"
#include "core/tracefs.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

static char tracefs_dir[PATH_MAX];
static char tracefs_err[256];
static int tracefs_state; /* 0 unknown, 1 found, -errno failed */

static bool is_tracefs(const char *dir)
{
	struct statfs st;

	return statfs(dir, &st) == 0 && st.f_type == TRACEFS_MAGIC;
}

static int tracefs_find(void)
{
	/* The same order libbpf uses, so both of us agree on the directory. */
	static const char *const dirs[] = { "/sys/kernel/debug/tracing", "/sys/kernel/tracing" };
	int err;

	for (size_t i = 0; i < KS_ARRAY_SIZE(dirs); i++) {
		if (is_tracefs(dirs[i])) {
			snprintf(tracefs_dir, sizeof(tracefs_dir), "%s", dirs[i]);
			return 1;
		}
	}
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0 &&
	    is_tracefs("/sys/kernel/tracing")) {
		ks_info("mounted tracefs on /sys/kernel/tracing");
		snprintf(tracefs_dir, sizeof(tracefs_dir), "/sys/kernel/tracing");
		return 1;
	}
	err = errno ? errno : ENODEV;
	snprintf(tracefs_err, sizeof(tracefs_err),
		 "tracefs not mounted (tried to mount /sys/kernel/tracing: %s)",
		 ks_errno_name(err));
	return -err;
}

const char *ks_tracefs_path(void)
{
	if (!tracefs_state)
		tracefs_state = tracefs_find();
	if (tracefs_state < 0) {
		errno = -tracefs_state;
		return NULL;
	}
	return tracefs_dir;
}

const char *ks_tracefs_error(void)
{
	return tracefs_err;
}

int ks_tracefs_event_id(const char *cat, const char *name)
{
	const char *dir = ks_tracefs_path();
	char path[PATH_MAX];
	long long id;
	int err;

	if (!dir)
		return -errno;
	if (strchr(cat, '/') || strchr(name, '/') || !strcmp(cat, "..") || !strcmp(name, ".."))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", dir, cat, name);
	err = ks_read_int(path, NULL, &id);
	if (err)
		return err == -EINVAL ? -EIO : err;
	return id < 0 || id > 0x7fffffff ? -EIO : (int)id;
}
