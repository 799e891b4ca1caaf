// SPDX-License-Identifier: GPL-2.0-only
/* bpfleak: find BPF programs, maps and links created after a mark that still exist. */
/*
 * usage: bpfleak mark               print "PROG MAP LINK", the highest ids in use now
 *        bpfleak check [-x PID]... PROG MAP LINK
 *
 * check lists every program, map and link with an id above the marks that still exists,
 * with its name, and who holds it (a process's file descriptor, or nobody: then it is
 * attached in the kernel or pinned). Maps are freed an RCU grace period after their last
 * user, so it retries for up to 2 seconds before reporting. Objects held only by
 * processes outside this process group (another kscope somebody runs meanwhile) are not
 * leaks of the test and are only mentioned with -v; neither are maps used by their
 * programs, nor programs of their links; -x PID counts that process as another group's too
 * (a second kscope of the same test, still running). Exit 0: nothing left; 1: leaks listed on
 * stdout; 2: usage or a failing bpf() call (it needs root).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

enum kind { K_PROG, K_MAP, K_LINK, K_NR };

static const char *const kind_name[K_NR] = { "prog", "map", "link" };

struct obj {
	enum kind kind;
	__u32 id;
	char name[BPF_OBJ_NAME_LEN + 32];
	__u32 type;
	__u32 prog_id;	/* links */
	__u32 *map_ids; /* progs */
	__u32 nr_maps;
	bool foreign; /* held by a process of another group, or used by such an object */
	char holders[256];
};

static bool verbose;
static int excluded[64];
static int nexcluded;

static bool is_excluded(int pid)
{
	for (int i = 0; i < nexcluded; i++)
		if (excluded[i] == pid)
			return true;
	return false;
}

static int next_id(enum kind k, __u32 start, __u32 *next)
{
	switch (k) {
	case K_PROG:
		return bpf_prog_get_next_id(start, next);
	case K_MAP:
		return bpf_map_get_next_id(start, next);
	default:
		return bpf_link_get_next_id(start, next);
	}
}

static int fd_by_id(enum kind k, __u32 id)
{
	switch (k) {
	case K_PROG:
		return bpf_prog_get_fd_by_id(id);
	case K_MAP:
		return bpf_map_get_fd_by_id(id);
	default:
		return bpf_link_get_fd_by_id(id);
	}
}

/* Highest id in use, 0 if none; -errno on failure. */
static long long highest(enum kind k)
{
	__u32 id = 0, next;

	for (;;) {
		if (next_id(k, id, &next)) {
			if (errno == ENOENT)
				return id;
			return -errno;
		}
		id = next;
	}
}

/* Fill @o from the kernel; false if the object went away meanwhile. */
static bool describe(struct obj *o)
{
	int fd = fd_by_id(o->kind, o->id);

	if (fd < 0)
		return false;
	if (o->kind == K_PROG) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			snprintf(o->name, sizeof(o->name), "%s", info.name);
			o->type = info.type;
			if (info.nr_map_ids) {
				__u32 n = info.nr_map_ids;

				o->map_ids = calloc(n, sizeof(__u32));
				memset(&info, 0, sizeof(info));
				info.nr_map_ids = n;
				info.map_ids = (unsigned long)o->map_ids;
				len = sizeof(info);
				if (o->map_ids && !bpf_obj_get_info_by_fd(fd, &info, &len))
					o->nr_maps = info.nr_map_ids < n ? info.nr_map_ids : n;
			}
		}
	} else if (o->kind == K_MAP) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			snprintf(o->name, sizeof(o->name), "%s", info.name);
			o->type = info.type;
		}
	} else {
		struct bpf_link_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			o->type = info.type;
			o->prog_id = info.prog_id;
			snprintf(o->name, sizeof(o->name), "type %u, prog %u", info.type,
				 info.prog_id);
		}
	}
	close(fd);
	return true;
}

static void add_holder(struct obj *o, int pid, const char *comm)
{
	size_t n = strlen(o->holders);

	snprintf(o->holders + n, sizeof(o->holders) - n, "%s%d (%s)", n ? ", " : "", pid, comm);
}

/* The process group of @pid and its command name; -1 if it is gone. */
static int proc_pgrp(int pid, char *comm, size_t commlen)
{
	char path[64], buf[512], *l, *r;
	int fd, pgrp = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	l = strchr(buf, '(');
	r = strrchr(buf, ')');
	if (!l || !r || r < l)
		return -1;
	snprintf(comm, commlen, "%.*s", (int)(r - l - 1), l + 1);
	/* after ") ": state, ppid, pgrp */
	if (sscanf(r + 1, " %*c %*d %d", &pgrp) != 1)
		return -1;
	return pgrp;
}

/* The id of the BPF object behind /proc/PID/fdinfo/FD, and its kind; false if not BPF. */
static bool fd_bpf_id(int pid, const char *fd, enum kind *k, __u32 *id)
{
	char path[320], target[64], line[256];
	const char *key;
	ssize_t n;
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	if (!strcmp(target, "anon_inode:bpf-prog"))
		*k = K_PROG, key = "prog_id:";
	else if (!strcmp(target, "anon_inode:bpf-map"))
		*k = K_MAP, key = "map_id:";
	else if (!strcmp(target, "anon_inode:bpf_link"))
		*k = K_LINK, key = "link_id:";
	else
		return false;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, strlen(key))) {
			*id = (__u32)strtoul(line + strlen(key), NULL, 10);
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

static struct obj *find(struct obj *v, size_t n, enum kind k, __u32 id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == k && v[i].id == id)
			return &v[i];
	return NULL;
}

/* Record who holds each object, and mark those held by processes of other groups. */
static void find_holders(struct obj *v, size_t n)
{
	int self = getpgrp();
	DIR *proc = opendir("/proc");
	struct dirent *de;
	bool changed = true;

	if (!proc)
		return;
	while ((de = readdir(proc))) {
		char path[64], comm[64];
		struct dirent *fe;
		int pid, pgrp;
		DIR *fds;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		pgrp = proc_pgrp(pid, comm, sizeof(comm));
		while ((fe = readdir(fds))) {
			enum kind k;
			__u32 id;
			struct obj *o;

			if (fe->d_name[0] == '.' || !fd_bpf_id(pid, fe->d_name, &k, &id))
				continue;
			o = find(v, n, k, id);
			if (!o || pid == getpid())
				continue;
			add_holder(o, pid, comm);
			if (pgrp != self || is_excluded(pid))
				o->foreign = true;
		}
		closedir(fds);
	}
	closedir(proc);
	/* What a foreign object uses is foreign too. */
	while (changed) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			struct obj *o = &v[i], *u;

			if (!o->foreign)
				continue;
			if (o->kind == K_LINK && (u = find(v, n, K_PROG, o->prog_id)) &&
			    !u->foreign)
				u->foreign = changed = true;
			for (__u32 m = 0; o->kind == K_PROG && m < o->nr_maps; m++)
				if ((u = find(v, n, K_MAP, o->map_ids[m])) && !u->foreign)
					u->foreign = changed = true;
		}
	}
}

static void free_objs(struct obj *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].map_ids);
	free(v);
}

/* Objects above the marks that exist now; -errno on a failing call. */
static long collect(const __u32 *marks, struct obj **out)
{
	struct obj *v = NULL;
	size_t n = 0, cap = 0;

	for (int k = 0; k < K_NR; k++) {
		__u32 id = marks[k], next;

		while (!next_id(k, id, &next)) {
			struct obj o = { .kind = k, .id = next };

			id = next;
			if (!describe(&o))
				continue;
			if (n == cap) {
				struct obj *nv =
					realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*nv));

				if (!nv) {
					free(o.map_ids);
					free_objs(v, n);
					return -ENOMEM;
				}
				v = nv;
			}
			v[n++] = o;
		}
		if (errno != ENOENT) {
			int err = -errno;

			free_objs(v, n);
			return err;
		}
	}
	*out = v;
	return (long)n;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int check(const __u32 *marks)
{
	struct timespec t0, t;
	size_t leaks = 0;
	struct obj *v;
	long n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		double waited;

		n = collect(marks, &v);
		if (n < 0) {
			fprintf(stderr, "bpfleak: listing BPF objects: %s\n", strerror((int)-n));
			return 2;
		}
		find_holders(v, (size_t)n);
		leaks = 0;
		for (long i = 0; i < n; i++)
			leaks += !v[i].foreign;
		clock_gettime(CLOCK_MONOTONIC, &t);
		waited = (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
		if (!leaks || waited >= 2.0)
			break;
		free_objs(v, (size_t)n);
		nap_ms(50);
	}
	for (long i = 0; i < n; i++) {
		struct obj *o = &v[i];

		if (o->foreign && !verbose)
			continue;
		printf("%s%s %u '%s' (type %u) still exists: %s%s\n", o->foreign ? "ignored: " : "",
		       kind_name[o->kind], o->id, o->name, o->type,
		       o->holders[0] ? "held by pid "
				     : "held by no process (attached in the "
				       "kernel, or pinned)",
		       o->holders);
	}
	free_objs(v, (size_t)n);
	return leaks ? 1 : 0;
}

static int parse_u32(const char *s, __u32 *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v > 0xffffffffUL)
		return -1;
	*out = (__u32)v;
	return 0;
}

int main(int argc, char **argv)
{
	int a = 1;

	for (;;) {
		if (argc > a && !strcmp(argv[a], "-v")) {
			verbose = true;
			a++;
		} else if (argc > a + 1 && !strcmp(argv[a], "-x") && nexcluded < 64) {
			excluded[nexcluded++] = atoi(argv[a + 1]);
			a += 2;
		} else {
			break;
		}
	}
	if (argc - a == 1 && !strcmp(argv[a], "mark")) {
		long long m[K_NR];

		for (int k = 0; k < K_NR; k++) {
			m[k] = highest(k);
			if (m[k] < 0) {
				fprintf(stderr, "bpfleak: listing BPF %ss: %s\n", kind_name[k],
					strerror((int)-m[k]));
				return 2;
			}
		}
		printf("%lld %lld %lld\n", m[K_PROG], m[K_MAP], m[K_LINK]);
		return 0;
	}
	if (argc - a >= 4 && !strcmp(argv[a], "check")) {
		__u32 marks[K_NR];

		/* options may also follow the word "check" */
		while (argc - a > 4 && !strcmp(argv[a + 1], "-x") && nexcluded < 64) {
			excluded[nexcluded++] = atoi(argv[a + 2]);
			argv[a + 2] = argv[a];
			a += 2;
		}
		if (argc - a != 4)
			goto usage;

		for (int k = 0; k < K_NR; k++) {
			if (parse_u32(argv[a + 1 + k], &marks[k])) {
				fprintf(stderr, "bpfleak: bad id '%s'\n", argv[a + 1 + k]);
				return 2;
			}
		}
		return check(marks);
	}
usage:
	fprintf(stderr,
		"usage: bpfleak [-v] mark | bpfleak [-v] check [-x PID]... PROG MAP LINK\n");
	return 2;
}
