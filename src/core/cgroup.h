/* SPDX-License-Identifier: GPL-2.0-only */
/* cgroup v2: find the hierarchy, resolve paths to ids, and ids back to paths. */
#ifndef KS_CGROUP_H
#define KS_CGROUP_H

#include "core/common.h"

/* Mount point of the cgroup v2 hierarchy (from /proc/mounts), or NULL if none. */
const char *ks_cgroup2_root(void);

/*
 * Open cgroup directory @path: an absolute path inside the cgroup v2 hierarchy, or a path
 * relative to its root ("system.slice/ssh.service"). Returns an O_DIRECTORY fd, or a
 * negative errno with a one-line reason in @why ("no such cgroup: /x", "not a cgroup v2
 * directory: /tmp").
 */
int ks_cgroup_open(const char *path, char *why, size_t whylen);

/* The cgroup id of an open cgroup directory (what bpf_get_current_cgroup_id returns). */
unsigned long long ks_cgroup_id_of(int fd);

/*
 * The path of cgroup @id relative to the v2 root ("/" for the root itself), looked up in a
 * table built by walking the hierarchy and rebuilt when an id is not in it (once per id:
 * ids still missing after that are remembered as gone). Returns NULL for those, e.g. a
 * cgroup already removed.
 */
const char *ks_cgroup_path(unsigned long long id);

#endif
