/* SPDX-License-Identifier: GPL-2.0-only */
/* cgroups v1 and v2: the mounted hierarchies, -c directories, cgroup keys back to paths. */
#ifndef KS_CGROUP_H
#define KS_CGROUP_H

#include "core/common.h"
#include "core/out.h"

/* How the cgroup hierarchies are mounted here (docs/containers.md). */
enum ks_cgroup_layout {
	KS_CGROUP_LAYOUT_NONE,	 /* no cgroup hierarchy at all */
	KS_CGROUP_LAYOUT_V2,	 /* cgroup2, and no v1 hierarchy with a controller */
	KS_CGROUP_LAYOUT_V1,	 /* v1 hierarchies, no cgroup2 */
	KS_CGROUP_LAYOUT_HYBRID, /* cgroup2 and v1 controller hierarchies */
};

/* One mounted hierarchy (a hierarchy mounted twice is listed once). */
struct ks_cgroup_hier {
	char *mnt;  /* its mount point */
	char *name; /* "unified" (v2); v1: its controllers "cpu,cpuacct", or "name=systemd" */
	int ssid;   /* v1: enum cgroup_subsys_id of its first controller, else -1 */
	bool v2;    /* the cgroup2 hierarchy */
	unsigned long dev; /* st_dev of its mount point (0 if it can't be read) */
};

/*
 * The cgroup hierarchies of /proc/mounts (types cgroup and cgroup2), read at the first
 * call; returns their number and points @list at them. v1 mount options are controllers
 * when the kernel's BTF has them in enum cgroup_subsys_id (ks_cgroup_subsys_id).
 */
size_t ks_cgroup_hiers(const struct ks_cgroup_hier **list);

/* Read the hierarchies from @mounts_file (a /proc/mounts copy) instead: for unit tests. */
int ks_cgroup_mounts_load(const char *mounts_file);

/* The layout the mounted hierarchies make, and its name: "none", "v2", "v1", "hybrid". */
enum ks_cgroup_layout ks_cgroup_layout(void);
const char *ks_cgroup_layout_name(enum ks_cgroup_layout l);

/*
 * The subsystem id (enum cgroup_subsys_id in the running kernel's BTF, so right for this
 * kernel's configuration) of v1 controller @name ("memory", "blkio" ...), or -ENOENT.
 */
int ks_cgroup_subsys_id(const char *name);

/*
 * The hierarchy named @name as --cgroup-hierarchy takes it: "unified" (or "v2", "cgroup2")
 * for cgroup v2, else a v1 controller ("memory", "cpu", "blkio"...). NULL with a one-line
 * reason in @why when none is mounted, or when @name is a named hierarchy without a
 * controller (name=systemd), whose cgroups BPF programs can't find.
 */
const struct ks_cgroup_hier *ks_cgroup_hier_find(const char *name, char *why, size_t whylen);

/* The hierarchy of open cgroup directory @fd, or NULL if it is in none of the mounted ones. */
const struct ks_cgroup_hier *ks_cgroup_hier_of(int fd);

/* Mount point of the cgroup v2 hierarchy (from /proc/mounts), or NULL if none. */
const char *ks_cgroup2_root(void);

/*
 * Open cgroup directory @path for -c: absolute, "CONTROLLER:/path" (inside that
 * hierarchy: "memory:/docker/ID", "unified:/system.slice"), or relative to the cgroup v2
 * root ("system.slice/ssh.service"), in a v2 hierarchy or a v1 controller hierarchy
 * (ks_cgroup_hier_of tells which). Returns an O_DIRECTORY fd, or a negative errno with a
 * one-line reason in @why: no such cgroup, not a cgroup directory (naming the mounted
 * hierarchies), or in a named v1 hierarchy (-EINVAL: BPF can't follow those).
 */
int ks_cgroup_open(const char *path, char *why, size_t whylen);

/* The kernfs id of an open cgroup directory (what bpf_get_current_cgroup_id gives in v2). */
unsigned long long ks_cgroup_id_of(int fd);

/* How events and per-cgroup keys name a task's cgroup, chosen once at start. */
struct ks_cgroup_ident {
	unsigned int mode;		 /* KS_CG_IDENT_* (shared/filter.h) */
	unsigned int ssid;		 /* V1, AUTO: the v1 hierarchy's subsystem id */
	unsigned long long v2_root_id;	 /* AUTO: the v2 root's id */
	const struct ks_cgroup_hier *v1; /* V1, AUTO: the v1 hierarchy */
	char v1name[64];		 /* its name in output: the controller chosen ("memory") */
	char name[80];			 /* "unified", "memory", "unified+memory" (AUTO) */
};

/*
 * Choose how cgroup keys name tasks: by --cgroup-hierarchy @name when not NULL; otherwise
 * v2 on a v2 host, the v1 hierarchy on a v1 host, and on a hybrid host a task's v2 cgroup
 * unless it is the v2 root, else its v1 one. The v1 hierarchy by default is @prefer (the
 * -c directory's, when that is v1), else memory, else cpu, else the first with a
 * controller. 0, or a negative errno with a one-line reason in @why (bad @name).
 */
int ks_cgroup_ident_set(const char *name, const struct ks_cgroup_hier *prefer, char *why,
			size_t whylen);
/* The choice made by ks_cgroup_ident_set (v2 until it is called). */
const struct ks_cgroup_ident *ks_cgroup_ident(void);

/* A container runtime's ids, read from a cgroup path (ks_container_parse). */
struct ks_container {
	char id[13];	     /* short id: the first 12 hex digits of the 64; "" if none */
	const char *runtime; /* "docker", "containerd", "cri-o", "podman"; NULL if unnamed */
	char pod[37];	     /* Kubernetes pod uid, with dashes; "" if none */
};

/*
 * Read the container of cgroup @path from its components alone, calling no runtime: the
 * deepest one that names a container — "<64 hex>" (runtime docker under /docker, unnamed
 * elsewhere, e.g. /kubepods/QOS/pod<uid>/<id>), "docker-<64 hex>.scope",
 * "cri-containerd-…", "crio-…", "libpod-…" (with or without ".scope"; crio-conmon- and
 * libpod-conmon- are monitors, not containers) — and the pod above it: "pod<uid>" or a
 * systemd slice "kubepods[-QOS]-pod<uid with _>.slice". True when either was found.
 */
bool ks_container_parse(const char *path, struct ks_container *c);

/* What a cgroup key (event header, per-cgroup map key) names. */
struct ks_cgroup_info {
	unsigned long long key;
	char *path;		/* relative to its hierarchy's mount, "/" for the root */
	struct ks_container ct; /* from the path */
};

/*
 * The cgroup of @key (a v2 id, or a v1 one marked KS_CGROUP_V1 in the hierarchy of
 * ks_cgroup_ident), looked up in a table built by walking that hierarchy and rebuilt when
 * a key is not in it (once per key: keys still missing after that are remembered as gone).
 * NULL for those, e.g. a cgroup already removed.
 */
const struct ks_cgroup_info *ks_cgroup_lookup(unsigned long long key);

/* ks_cgroup_lookup's path, or NULL. */
const char *ks_cgroup_path(unsigned long long key);

/*
 * The cgroup of @key for text output, into @buf: "/path" for v2, "memory:/path" for v1
 * (as /proc/PID/cgroup writes it, and as -c takes it), "[gone: id N]" when unknown.
 */
const char *ks_cgroup_label(unsigned long long key, char *buf, size_t len);

/*
 * The JSON members naming the cgroup of @key (docs/json.md): "cgroup_id" (its kernfs id),
 * "cgroup" (path, null if gone), "cgroup_hierarchy" (v1 only), and "container",
 * "container_runtime", "pod_uid" when the path carries them.
 */
void ks_cgroup_json(struct ks_json *j, unsigned long long key);

#endif
