// SPDX-License-Identifier: GPL-2.0-only
/* cgroups v1 and v2: mounted hierarchies, -c directories, keys to paths and container ids. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/magic.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/btf.h"
#include "core/cgroup.h"
#include "shared/filter.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

/* --- the mounted hierarchies ------------------------------------------------------------ */

static struct ks_cgroup_hier *hiers;
static size_t nhiers;
static bool hiers_read;

static void hiers_free(void)
{
	for (size_t i = 0; i < nhiers; i++) {
		free(hiers[i].mnt);
		free(hiers[i].name);
	}
	free(hiers);
	hiers = NULL;
	nhiers = 0;
}

/* The kernel's cgroup subsystems (enum cgroup_subsys_id), read once. */
static struct subsys {
	char name[32]; /* without "_cgrp_id" */
	int id;
} subsys[64];
static int nsubsys = -1;

static int subsys_one(const char *name, long long value, void *arg)
{
	size_t n = strlen(name);

	(void)arg;
	if (n > 8 && !strcmp(name + n - 8, "_cgrp_id") && n - 8 < sizeof(subsys[0].name) &&
	    nsubsys < (int)KS_ARRAY_SIZE(subsys)) {
		snprintf(subsys[nsubsys].name, sizeof(subsys[0].name), "%.*s", (int)(n - 8), name);
		subsys[nsubsys++].id = (int)value;
	}
	return 0;
}

int ks_cgroup_subsys_id(const char *name)
{
	/* The io controller keeps its v1 name in mount options and /proc/PID/cgroup. */
	const char *want = strcmp(name, "blkio") ? name : "io";

	if (nsubsys < 0) {
		int err;

		nsubsys = 0;
		err = ks_btf_enum_foreach("cgroup_subsys_id", subsys_one, NULL);
		if (err)
			return err;
	}
	for (int i = 0; i < nsubsys; i++)
		if (!strcmp(subsys[i].name, want))
			return subsys[i].id;
	return -ENOENT;
}

/* Append a v1 hierarchy's controllers (and name=) from its mount options to @h. */
static int v1_name(struct ks_cgroup_hier *h, const char *opts)
{
	char *copy = strdup(opts), *save = NULL, *named = NULL;
	size_t len = 0, cap = strlen(opts) + 1;
	char *name = calloc(1, cap);

	if (!copy || !name) {
		free(copy);
		free(name);
		return -ENOMEM;
	}
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		int ssid;

		if (!strncmp(o, "name=", 5)) {
			named = o;
			continue;
		}
		ssid = ks_cgroup_subsys_id(o);
		if (ssid < 0)
			continue;
		if (h->ssid < 0)
			h->ssid = ssid;
		len += (size_t)snprintf(name + len, cap - len, "%s%s", len ? "," : "", o);
	}
	/* A named hierarchy with controllers is known by its controllers. */
	if (!len && named)
		snprintf(name, cap, "%s", named);
	free(copy);
	h->name = name;
	return 0;
}

static int hiers_parse(const char *file)
{
	struct mntent *m;
	FILE *f;
	int err = 0;

	hiers_free();
	hiers_read = true;
	f = setmntent(file, "r");
	if (!f)
		return -errno;
	while ((m = getmntent(f))) {
		struct ks_cgroup_hier h = { .ssid = -1 };
		struct ks_cgroup_hier *n;
		struct stat st;
		bool dup = false;

		if (strcmp(m->mnt_type, "cgroup2") && strcmp(m->mnt_type, "cgroup"))
			continue;
		h.v2 = !strcmp(m->mnt_type, "cgroup2");
		if (!stat(m->mnt_dir, &st))
			h.dev = (unsigned long)st.st_dev;
		for (size_t i = 0; i < nhiers && h.dev; i++)
			dup |= hiers[i].dev == h.dev;
		if (dup)
			continue;
		h.mnt = strdup(m->mnt_dir);
		if (h.v2)
			h.name = strdup("unified");
		else if (v1_name(&h, m->mnt_opts))
			h.name = NULL;
		n = realloc(hiers, (nhiers + 1) * sizeof(*n));
		if (!h.mnt || !h.name || !n) {
			free(h.mnt);
			free(h.name);
			if (n)
				hiers = n;
			err = -ENOMEM;
			break;
		}
		hiers = n;
		hiers[nhiers++] = h;
	}
	endmntent(f);
	return err;
}

int ks_cgroup_mounts_load(const char *mounts_file)
{
	return hiers_parse(mounts_file);
}

size_t ks_cgroup_hiers(const struct ks_cgroup_hier **list)
{
	if (!hiers_read)
		hiers_parse("/proc/mounts");
	*list = hiers;
	return nhiers;
}

enum ks_cgroup_layout ks_cgroup_layout(void)
{
	const struct ks_cgroup_hier *h;
	size_t n = ks_cgroup_hiers(&h);
	bool v2 = false, v1 = false, v1ctl = false;

	for (size_t i = 0; i < n; i++) {
		v2 |= h[i].v2;
		v1 |= !h[i].v2;
		v1ctl |= !h[i].v2 && h[i].ssid >= 0;
	}
	if (v2)
		return v1ctl ? KS_CGROUP_LAYOUT_HYBRID : KS_CGROUP_LAYOUT_V2;
	return v1 ? KS_CGROUP_LAYOUT_V1 : KS_CGROUP_LAYOUT_NONE;
}

const char *ks_cgroup_layout_name(enum ks_cgroup_layout l)
{
	static const char *const names[] = { "none", "v2", "v1", "hybrid" };

	return (size_t)l < KS_ARRAY_SIZE(names) ? names[l] : "none";
}

const char *ks_cgroup2_root(void)
{
	const struct ks_cgroup_hier *h;
	size_t n = ks_cgroup_hiers(&h);

	for (size_t i = 0; i < n; i++)
		if (h[i].v2)
			return h[i].mnt;
	return NULL;
}

/* Is @ctl one of the comma-separated names of @list? */
static bool in_list(const char *list, const char *ctl)
{
	size_t n = strlen(ctl);

	for (const char *p = list; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (!strncmp(p, ctl, n) && (p[n] == ',' || !p[n]))
			return true;
	}
	return false;
}

static bool is_v2_name(const char *name)
{
	return !strcmp(name, "unified") || !strcmp(name, "v2") || !strcmp(name, "cgroup2");
}

/* The names of the hierarchies BPF can follow (@usable) or of all, for messages. */
static void hier_names(char *buf, size_t len, bool usable)
{
	const struct ks_cgroup_hier *h;
	size_t n = ks_cgroup_hiers(&h), off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		if (usable && !h[i].v2 && h[i].ssid < 0)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "", h[i].name);
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* Where the hierarchies are mounted, shortly: "under /sys/fs/cgroup: unified, cpu, ...". */
static void hier_places(char *buf, size_t len)
{
	const struct ks_cgroup_hier *h;
	size_t n = ks_cgroup_hiers(&h), off, plen = 0;
	const char *slash;

	if (!n) {
		snprintf(buf, len, "no cgroup hierarchy is mounted");
		return;
	}
	/* Mount points usually share one parent directory: name it once. */
	slash = strrchr(h[0].mnt, '/');
	plen = slash ? (size_t)(slash - h[0].mnt) : 0;
	for (size_t i = 0; i < n && plen; i++)
		if (strncmp(h[i].mnt, h[0].mnt, plen) || h[i].mnt[plen] != '/' ||
		    strchr(h[i].mnt + plen + 1, '/'))
			plen = 0;
	off = (size_t)snprintf(buf, len, "cgroup hierarchies are mounted %s%.*s%s",
			       plen ? "under " : "at ", (int)plen, h[0].mnt, plen ? ": " : "");
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s%s", i ? ", " : "",
					h[i].mnt + (plen ? plen + 1 : 0), h[i].v2 ? " (v2)" : "");
}

const struct ks_cgroup_hier *ks_cgroup_hier_find(const char *name, char *why, size_t whylen)
{
	const struct ks_cgroup_hier *h;
	size_t n = ks_cgroup_hiers(&h);
	char names[256];

	for (size_t i = 0; i < n; i++) {
		if (is_v2_name(name) ? h[i].v2
				     : !h[i].v2 && h[i].ssid >= 0 && in_list(h[i].name, name))
			return &h[i];
	}
	hier_names(names, sizeof(names), true);
	for (size_t i = 0; i < n; i++) {
		if (!h[i].v2 && h[i].ssid < 0 &&
		    (!strcmp(h[i].name, name) ||
		     (!strncmp(h[i].name, "name=", 5) && !strcmp(h[i].name + 5, name)))) {
			snprintf(why, whylen,
				 "%s is a named cgroup v1 hierarchy without a controller, whose "
				 "cgroups BPF programs can't find (use one of: %s)",
				 h[i].name, names);
			return NULL;
		}
	}
	if (is_v2_name(name))
		snprintf(why, whylen, "no cgroup v2 hierarchy is mounted (mounted: %s)", names);
	else
		snprintf(why, whylen, "no cgroup hierarchy '%s' is mounted (use one of: %s)", name,
			 names);
	return NULL;
}

const struct ks_cgroup_hier *ks_cgroup_hier_of(int fd)
{
	const struct ks_cgroup_hier *h;
	size_t n = ks_cgroup_hiers(&h);
	struct statfs sfs;
	struct stat st;

	if (fstatfs(fd, &sfs) || fstat(fd, &st))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (sfs.f_type == CGROUP2_SUPER_MAGIC
			    ? h[i].v2
			    : !h[i].v2 && h[i].dev == (unsigned long)st.st_dev)
			return &h[i];
	}
	return NULL;
}

/* --- -c directories --------------------------------------------------------------------- */

/* "CONTROLLER:/path": open it in that hierarchy; -ENOENT if @path is not of that form. */
static int open_prefixed(const char *path)
{
	const char *colon = strchr(path, ':');
	const struct ks_cgroup_hier *h;
	char name[64], full[PATH_MAX], why[8];

	if (!colon || (size_t)(colon - path) >= sizeof(name) || memchr(path, '/', colon - path))
		return -ENOENT;
	snprintf(name, sizeof(name), "%.*s", (int)(colon - path), path);
	h = ks_cgroup_hier_find(name, why, sizeof(why));
	if (!h)
		return -ENOENT;
	snprintf(full, sizeof(full), "%s/%s", h->mnt, colon + 1);
	return open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int ks_cgroup_open(const char *path, char *why, size_t whylen)
{
	const char *r = ks_cgroup2_root();
	const struct ks_cgroup_hier *h;
	char full[PATH_MAX], places[200], names[200];
	struct statfs st;
	int fd, err;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && path[0] != '/') {
		fd = open_prefixed(path);
		if (fd == -ENOENT) {
			fd = -1;
			errno = ENOENT;
			if (r) {
				snprintf(full, sizeof(full), "%s/%s", r, path);
				fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			}
		}
	}
	if (fd < 0) {
		err = errno;
		hier_places(places, sizeof(places));
		if (err == ENOENT)
			snprintf(why, whylen, "no such cgroup: %s (%s)", path, places);
		else
			snprintf(why, whylen, "cannot open cgroup %s: %s", path, strerror(err));
		return -err;
	}
	if (fstatfs(fd, &st) ||
	    (st.f_type != CGROUP2_SUPER_MAGIC && st.f_type != CGROUP_SUPER_MAGIC)) {
		close(fd);
		hier_places(places, sizeof(places));
		snprintf(why, whylen, "not a cgroup directory: %s (%s)", path, places);
		return -ENOTDIR;
	}
	h = ks_cgroup_hier_of(fd);
	if (st.f_type == CGROUP_SUPER_MAGIC && (!h || h->ssid < 0)) {
		close(fd);
		hier_names(names, sizeof(names), true);
		if (h)
			snprintf(why, whylen,
				 "cannot filter by cgroup %s: %s is a named cgroup v1 hierarchy "
				 "without a controller, whose cgroups BPF programs can't find (use "
				 "a directory of: %s)",
				 path, h->name, names);
		else
			snprintf(why, whylen,
				 "cannot filter by cgroup %s: its hierarchy is not in /proc/mounts",
				 path);
		return -EINVAL;
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
	/* kernfs gives its node id as the inode number on 64-bit kernels. */
	return fstat(fd, &st) ? 0 : (unsigned long long)st.st_ino;
}

/* --- how tasks are named ---------------------------------------------------------------- */

static struct ks_cgroup_ident ident = { .mode = KS_CG_IDENT_V2, .name = "unified" };

/* The default v1 hierarchy: @prefer, else memory, else cpu, else the first usable. */
static const struct ks_cgroup_hier *default_v1(const struct ks_cgroup_hier *prefer,
					       const char **ctl)
{
	static const char *const pick[] = { "memory", "cpu" };
	const struct ks_cgroup_hier *h;
	size_t n = ks_cgroup_hiers(&h);

	if (prefer && !prefer->v2 && prefer->ssid >= 0)
		return prefer;
	for (size_t p = 0; p < KS_ARRAY_SIZE(pick); p++) {
		for (size_t i = 0; i < n; i++) {
			if (!h[i].v2 && h[i].ssid >= 0 && in_list(h[i].name, pick[p])) {
				*ctl = pick[p];
				return &h[i];
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!h[i].v2 && h[i].ssid >= 0)
			return &h[i];
	return NULL;
}

static void ident_reset(void);

int ks_cgroup_ident_set(const char *name, const struct ks_cgroup_hier *prefer, char *why,
			size_t whylen)
{
	struct ks_cgroup_ident id = { .mode = KS_CG_IDENT_V2 };
	const struct ks_cgroup_hier *v1 = NULL;
	const char *ctl = NULL;
	const char *r = ks_cgroup2_root();

	if (name) {
		const struct ks_cgroup_hier *h = ks_cgroup_hier_find(name, why, whylen);

		if (!h)
			return -ENOENT;
		if (!h->v2) {
			v1 = h;
			ctl = name;
			id.mode = KS_CG_IDENT_V1;
		}
	} else if (ks_cgroup_layout() != KS_CGROUP_LAYOUT_V2) {
		v1 = default_v1(prefer, &ctl);
		if (v1)
			id.mode = r ? KS_CG_IDENT_AUTO : KS_CG_IDENT_V1;
	}
	if (id.mode == KS_CG_IDENT_AUTO) {
		int fd = open(r, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		id.v2_root_id = fd < 0 ? 0 : ks_cgroup_id_of(fd);
		if (fd >= 0)
			close(fd);
		/* Without the root's id every task would look non-root: name them by v1. */
		if (!id.v2_root_id)
			id.mode = KS_CG_IDENT_V1;
	}
	if (v1) {
		id.v1 = v1;
		id.ssid = (unsigned int)v1->ssid;
		/* A co-mounted hierarchy ("cpu,cpuacct") is named by its first controller. */
		snprintf(id.v1name, sizeof(id.v1name), "%.*s",
			 (int)strcspn(ctl ? ctl : v1->name, ","), ctl ? ctl : v1->name);
		if (ctl && ks_cgroup_subsys_id(ctl) >= 0)
			id.ssid = (unsigned int)ks_cgroup_subsys_id(ctl);
	}
	snprintf(id.name, sizeof(id.name), "%s%s%s", id.mode == KS_CG_IDENT_V1 ? "" : "unified",
		 id.mode == KS_CG_IDENT_AUTO ? "+" : "",
		 id.mode == KS_CG_IDENT_V2 ? "" : id.v1name);
	if (ident.v1 != id.v1)
		ident_reset();
	ident = id;
	return 0;
}

const struct ks_cgroup_ident *ks_cgroup_ident(void)
{
	return &ident;
}

/* --- container ids from paths ----------------------------------------------------------- */

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A UUID as 8-4-4-4-12 hex digits separated by @sep. */
static bool is_uuid(const char *s, size_t n, char sep)
{
	static const unsigned char dash[] = { 8, 13, 18, 23 };

	if (n != 36)
		return false;
	for (size_t i = 0, d = 0; i < 36; i++) {
		if (d < KS_ARRAY_SIZE(dash) && i == dash[d]) {
			if (s[i] != sep)
				return false;
			d++;
		} else if (!all_hex(s + i, 1)) {
			return false;
		}
	}
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t pn = strlen(p);

	return n >= pn && !memcmp(s, p, pn);
}

static bool has_suffix(const char *s, size_t n, const char *x)
{
	size_t xn = strlen(x);

	return n >= xn && !memcmp(s + n - xn, x, xn);
}

/* Component @s (@n bytes) as a container: its 64-hex id, and the runtime it names. */
static const char *container_of(const char *s, size_t n, const char *parent, size_t pn,
				const char **runtime)
{
	static const struct {
		const char *prefix, *runtime;
	} forms[] = {
		{ "docker-", "docker" },
		{ "cri-containerd-", "containerd" },
		{ "crio-", "cri-o" },
		{ "libpod-", "podman" },
	};

	if (n == 64 && all_hex(s, n)) {
		*runtime = pn == 6 && !memcmp(parent, "docker", 6) ? "docker" : NULL;
		return s;
	}
	if (has_suffix(s, n, ".scope"))
		n -= 6;
	for (size_t i = 0; i < KS_ARRAY_SIZE(forms); i++) {
		size_t pl = strlen(forms[i].prefix);

		/* crio-conmon-ID and libpod-conmon-ID fail here: not 64 hex digits. */
		if (n == pl + 64 && has_prefix(s, n, forms[i].prefix) && all_hex(s + pl, 64)) {
			*runtime = forms[i].runtime;
			return s + pl;
		}
	}
	return NULL;
}

/* Component @s as a Kubernetes pod: its uid into @pod (with dashes). */
static bool pod_of(const char *s, size_t n, char *pod)
{
	const char *p;

	if (n == 39 && has_prefix(s, n, "pod") && is_uuid(s + 3, 36, '-')) {
		memcpy(pod, s + 3, 36);
		pod[36] = '\0';
		return true;
	}
	/* The systemd driver: kubepods-burstable-pod<uid, _ for ->.slice */
	if (!has_prefix(s, n, "kubepods") || !has_suffix(s, n, ".slice") || n < 36 + 10)
		return false;
	p = s + n - 6 - 36;
	if (memcmp(p - 4, "-pod", 4) || !is_uuid(p, 36, '_'))
		return false;
	for (int i = 0; i < 36; i++)
		pod[i] = p[i] == '_' ? '-' : p[i];
	pod[36] = '\0';
	return true;
}

bool ks_container_parse(const char *path, struct ks_container *c)
{
	const char *comp[64];
	size_t len[64], n = 0;
	size_t ci = 0;
	bool found = false;

	memset(c, 0, sizeof(*c));
	for (const char *p = path; *p && n < KS_ARRAY_SIZE(comp);) {
		size_t l = strcspn(p, "/");

		if (l) {
			comp[n] = p;
			len[n++] = l;
		}
		p += l;
		p += *p == '/';
	}
	for (size_t i = n; i-- > 0;) {
		const char *id = container_of(comp[i], len[i], i ? comp[i - 1] : "",
					      i ? len[i - 1] : 0, &c->runtime);

		if (id) {
			memcpy(c->id, id, 12);
			c->id[12] = '\0';
			ci = i;
			found = true;
			break;
		}
	}
	/* The pod: above the container, or anywhere in a path with none. */
	for (size_t i = found ? ci : n; i-- > 0;) {
		if (pod_of(comp[i], len[i], c->pod)) {
			found = true;
			break;
		}
	}
	return found;
}

/* --- keys back to paths ----------------------------------------------------------------- */

/* The cgroups of one hierarchy by kernfs id, from walking its mount. */
struct idtable {
	struct ks_cgroup_info *v;
	size_t n, cap, last;
	size_t root_len;
	unsigned long long flag; /* KS_CGROUP_V1 or 0, in keys */
	/* Keys looked for and not found after a fresh walk: gone, don't walk again for them. */
	unsigned long long missing[64];
	unsigned int nmissing;
};

static struct idtable t2, t1 = { .flag = KS_CGROUP_V1 };
static struct idtable *walking;

static void table_clear(struct idtable *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].path);
	t->n = 0;
	t->last = 0;
}

static void ident_reset(void)
{
	table_clear(&t1);
	t1.nmissing = 0;
}

static int walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct idtable *t = walking;
	struct ks_cgroup_info *ci;
	int fd;

	(void)st;
	(void)ftw;
	if (type != FTW_D)
		return 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct ks_cgroup_info *v = realloc(t->v, cap * sizeof(*v));

		if (!v) {
			close(fd);
			return 1;
		}
		t->v = v;
		t->cap = cap;
	}
	ci = &t->v[t->n];
	ci->key = ks_cgroup_id_of(fd) | t->flag;
	close(fd);
	ci->path = strdup(path[t->root_len] ? path + t->root_len : "/");
	if (!ci->path)
		return 0;
	ks_container_parse(ci->path, &ci->ct);
	t->n++;
	return 0;
}

static void scan(struct idtable *t, const char *root)
{
	table_clear(t);
	if (!root)
		return;
	t->root_len = strlen(root);
	walking = t;
	nftw(root, walk_cb, 16, FTW_PHYS | FTW_MOUNT);
	walking = NULL;
}

const struct ks_cgroup_info *ks_cgroup_lookup(unsigned long long key)
{
	bool v1 = key & KS_CGROUP_V1;
	struct idtable *t = v1 ? &t1 : &t2;
	const char *root = v1 ? (ident.v1 ? ident.v1->mnt : NULL) : ks_cgroup2_root();

	/* Events come in runs from the same cgroup: try the last hit first. */
	if (t->last < t->n && t->v[t->last].key == key)
		return &t->v[t->last];
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < t->n; i++) {
			if (t->v[i].key == key) {
				t->last = i;
				return &t->v[i];
			}
		}
		if (pass)
			break;
		/* A cgroup made since the last walk is new: walk again once for each key. */
		for (unsigned int i = 0; i < KS_MIN(t->nmissing, KS_ARRAY_SIZE(t->missing)); i++)
			if (t->missing[i] == key)
				return NULL;
		scan(t, root);
	}
	t->missing[t->nmissing++ % KS_ARRAY_SIZE(t->missing)] = key;
	return NULL;
}

const char *ks_cgroup_path(unsigned long long key)
{
	const struct ks_cgroup_info *ci = ks_cgroup_lookup(key);

	return ci ? ci->path : NULL;
}

const char *ks_cgroup_label(unsigned long long key, char *buf, size_t len)
{
	const char *path = ks_cgroup_path(key);
	bool v1 = key & KS_CGROUP_V1;

	if (path) {
		size_t n = v1 ? (size_t)snprintf(buf, len, "%s:", ident.v1name) : 0;

		/* A directory name is anyone's choice where cgroups are delegated. */
		if (n < len)
			ks_text_escape_str(buf + n, len - n, path, strlen(path), 0);
	} else
		snprintf(buf, len, "[gone: %s%sid %llu]", v1 ? ident.v1name : "", v1 ? " " : "",
			 key & ~KS_CGROUP_V1);
	return buf;
}

void ks_cgroup_json(struct ks_json *j, unsigned long long key)
{
	const struct ks_cgroup_info *ci = ks_cgroup_lookup(key);

	ks_json_uint(j, "cgroup_id", key & ~KS_CGROUP_V1);
	ks_json_str(j, "cgroup", ci ? ci->path : NULL);
	if (key & KS_CGROUP_V1)
		ks_json_str(j, "cgroup_hierarchy", ident.v1name);
	if (!ci)
		return;
	if (ci->ct.id[0])
		ks_json_str(j, "container", ci->ct.id);
	if (ci->ct.id[0] && ci->ct.runtime)
		ks_json_str(j, "container_runtime", ci->ct.runtime);
	if (ci->ct.pod[0])
		ks_json_str(j, "pod_uid", ci->ct.pod);
}
