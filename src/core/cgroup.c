// SPDX-License-Identifier: GPL-2.0-only
/* cgroup v2 path and id resolution. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/cgroup.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static char root[PATH_MAX];
static bool root_done;

const char *ks_cgroup2_root(void)
{
	struct mntent *m;
	FILE *f;

	if (root_done)
		return root[0] ? root : NULL;
	root_done = true;
	f = setmntent("/proc/mounts", "r");
	if (!f)
		return NULL;
	while ((m = getmntent(f))) {
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(root, sizeof(root), "%s", m->mnt_dir);
			break;
		}
	}
	endmntent(f);
	return root[0] ? root : NULL;
}

static bool is_cgroup2(int fd)
{
	struct statfs st;

	return fstatfs(fd, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

int ks_cgroup_open(const char *path, char *why, size_t whylen)
{
	const char *r = ks_cgroup2_root();
	char full[PATH_MAX];
	int fd, err;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && path[0] != '/' && r) {
		snprintf(full, sizeof(full), "%s/%s", r, path);
		fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0) {
		err = errno;
		if (!r)
			snprintf(why, whylen,
				 "no such cgroup: %s (and no cgroup v2 hierarchy is "
				 "mounted)",
				 path);
		else if (err == ENOENT)
			snprintf(why, whylen, "no such cgroup: %s (cgroup v2 is mounted at %s)",
				 path, r);
		else
			snprintf(why, whylen, "cannot open cgroup %s: %s", path, strerror(err));
		return -err;
	}
	if (!is_cgroup2(fd)) {
		close(fd);
		snprintf(why, whylen, "not a cgroup v2 directory: %s%s%s", path,
			 r ? " (cgroup v2 is mounted at " : "", r ? r : "");
		if (r)
			snprintf(why + strlen(why), whylen - strlen(why), ")");
		return -ENOTDIR;
	}
	return fd;
}

unsigned long long ks_cgroup_id_of(int fd)
{
	struct {
		struct file_handle fh;
		unsigned long long id;
	} h = { .fh.handle_bytes = sizeof(unsigned long long) };
	struct stat st;
	int mount_id;

	if (name_to_handle_at(fd, "", &h.fh, &mount_id, AT_EMPTY_PATH) == 0 &&
	    h.fh.handle_bytes == sizeof(unsigned long long))
		return h.id;
	return fstat(fd, &st) ? 0 : (unsigned long long)st.st_ino;
}

struct idpath {
	unsigned long long id;
	char *path;
};

static struct idpath *table;
static size_t ntable, captable;
static size_t root_len;

static int walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	int fd;

	if (type != FTW_D)
		return 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (ntable == captable) {
		struct idpath *n =
			realloc(table, (captable = captable ? captable * 2 : 256) * sizeof(*n));

		if (!n) {
			close(fd);
			return 1;
		}
		table = n;
	}
	table[ntable].id = ks_cgroup_id_of(fd);
	table[ntable].path = strdup(path[root_len] ? path + root_len : "/");
	if (table[ntable].path)
		ntable++;
	close(fd);
	(void)st;
	(void)ftw;
	return 0;
}

static void scan(void)
{
	const char *r = ks_cgroup2_root();

	for (size_t i = 0; i < ntable; i++)
		free(table[i].path);
	ntable = 0;
	if (!r)
		return;
	root_len = strlen(r);
	nftw(r, walk_cb, 16, FTW_PHYS | FTW_MOUNT);
}

/* Ids looked for and not found after a fresh scan: gone, don't rescan for them. */
static unsigned long long missing[64];
static unsigned int nmissing;

const char *ks_cgroup_path(unsigned long long id)
{
	static size_t last;

	/* Events come in runs from the same cgroup: try the last hit first. */
	if (last < ntable && table[last].id == id)
		return table[last].path;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ntable; i++) {
			if (table[i].id == id) {
				last = i;
				return table[i].path;
			}
		}
		if (pass)
			break;
		/* A cgroup made since the last scan is new: rescan once for each id. */
		for (unsigned int i = 0; i < KS_MIN(nmissing, KS_ARRAY_SIZE(missing)); i++)
			if (missing[i] == id)
				return NULL;
		scan();
	}
	missing[nmissing++ % KS_ARRAY_SIZE(missing)] = id;
	return NULL;
}
