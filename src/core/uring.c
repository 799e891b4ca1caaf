// SPDX-License-Identifier: GPL-2.0-only
/* The io_uring tools' user side: tracepoint layouts from BTF, opcode names, rings, fd paths. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/btf.h"
#include "core/log.h"
#include "core/tool.h"
#include "core/uring.h"

/*
 * enum io_uring_op of the uapi header (include/uapi/linux/io_uring.h, Linux 6.1), in value
 * order: the names for kernels whose BTF lacks the enum (5.10 kept it out of its types).
 */
static const char *const header_ops[] = {
	"nop",
	"readv",
	"writev",
	"fsync",
	"read_fixed",
	"write_fixed",
	"poll_add",
	"poll_remove",
	"sync_file_range",
	"sendmsg",
	"recvmsg",
	"timeout",
	"timeout_remove",
	"accept",
	"async_cancel",
	"link_timeout",
	"connect",
	"fallocate",
	"openat",
	"close",
	"files_update",
	"statx",
	"read",
	"write",
	"fadvise",
	"madvise",
	"send",
	"recv",
	"openat2",
	"epoll_ctl",
	"splice",
	"provide_buffers",
	"remove_buffers",
	"tee",
	"shutdown",
	"renameat",
	"unlinkat",
	"mkdirat",
	"symlinkat",
	"linkat",
	"msg_ring",
	"fsetxattr",
	"setxattr",
	"fgetxattr",
	"getxattr",
	"socket",
	"uring_cmd",
	"send_zc",
	"sendmsg_zc",
};

/* Opcodes are a u8 in the SQE. */
#define OPS_MAX 256

static char op_names[OPS_MAX][24];
static const char *op_source;

static int op_one(const char *name, long long value, void *arg)
{
	static const char prefix[] = "IORING_OP_";
	size_t i;

	if (value < 0 || value >= OPS_MAX || strncmp(name, prefix, sizeof(prefix) - 1))
		return 0;
	name += sizeof(prefix) - 1;
	if (!strcmp(name, "LAST"))
		return 0;
	for (i = 0; name[i] && i < sizeof(op_names[0]) - 1; i++)
		op_names[value][i] = (char)tolower((unsigned char)name[i]);
	op_names[value][i] = '\0';
	*(int *)arg += 1;
	return 0;
}

static void ops_load(void)
{
	int found = 0;

	if (op_source)
		return;
	if (!ks_btf_enum_foreach("io_uring_op", op_one, &found) && found) {
		op_source = "btf";
		return;
	}
	memset(op_names, 0, sizeof(op_names));
	for (size_t i = 0; i < KS_ARRAY_SIZE(header_ops); i++)
		snprintf(op_names[i], sizeof(op_names[i]), "%s", header_ops[i]);
	op_source = "header";
}

const char *ks_uring_op_name(unsigned int op)
{
	ops_load();
	return op < OPS_MAX && op_names[op][0] ? op_names[op] : NULL;
}

const char *ks_uring_op_source(void)
{
	ops_load();
	return op_source;
}

/*
 * How many arguments tracepoint @tp passes (its btf_trace_TP typedef: a pointer to a
 * function whose first parameter is the tracepoint's private data, not an argument);
 * -ENOENT when this kernel has no such tracepoint.
 */
static int tp_nargs(const char *tp)
{
	char name[128];
	const struct btf_type *t;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = ks_btf_id(name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return id;
	t = ks_btf_type(id);
	if (t)
		t = ks_btf_type((int)t->type);
	if (t && btf_kind(t) == BTF_KIND_PTR)
		t = ks_btf_type((int)t->type);
	if (!t || btf_kind(t) != BTF_KIND_FUNC_PROTO || btf_vlen(t) < 1)
		return -EINVAL;
	return btf_vlen(t) - 1;
}

/* One tracepoint's layouts: the hook kept for each argument count (NULL: none). */
struct layout {
	const char *tp;
	int nargs[3];
	const char *hook[3];
};

/*
 * Keep the hook of @l that matches its tracepoint's arguments here and switch the others
 * off. Returns the index of the hook kept, or -1 when none fits; then, with @required, the
 * first hook is kept anyway, so that the core's attach choice says why it can't be used
 * (exit 4: "no way to attach ..."), with the rest of its diagnosis.
 */
static int layout_choose(struct bpf_object *obj, const struct layout *l, bool required)
{
	int n = tp_nargs(l->tp), kept = -1;

	for (int i = 0; i < 3 && l->hook[i]; i++)
		if (kept < 0 && n == l->nargs[i])
			kept = i;
	for (int i = 0; i < 3 && l->hook[i]; i++)
		if (i != kept && !(kept < 0 && required && i == 0))
			ks_bpf_disable_hook(obj, l->hook[i]);
	if (kept < 0)
		ks_info("%s: %s", l->tp,
			n == -ENOENT ? "not on this kernel" : "arguments of an unknown layout");
	return kept;
}

int ks_uring_layouts(struct bpf_object *obj, struct ks_uring_caps *caps)
{
	static const struct layout submit_req = { "io_uring_submit_req", { 1 }, { "submit_req" } };
	static const struct layout submit_sqe = { "io_uring_submit_sqe",
						  { 2, 7 },
						  { "submit_sqe", "submit_sqe_ctx" } };
	static const struct layout complete = { "io_uring_complete",
						{ 3, 7, 4 },
						{ "complete_cqe", "complete_res", "complete_ud" } };
	static const struct layout punt = { "io_uring_queue_async_work",
					    { 2, 5 },
					    { "punt_req", "punt_ctx" } };
	static const struct layout failed = { "io_uring_req_failed", { 3 }, { "req_failed" } };
	static const struct layout overflow = { "io_uring_cqe_overflow",
						{ 5 },
						{ "cqe_overflow" } };
	static const struct layout create = { "io_uring_create", { 5 }, { "ring_create" } };
	int sub;

	memset(caps, 0, sizeof(*caps));
	/* Without kernel BTF the core stops the tool, and says so: nothing to choose here. */
	if (ks_btf_check())
		return 0;
	caps->known = true;
	/* io_uring_submit_req replaced io_uring_submit_sqe: one of them, never both. */
	sub = layout_choose(obj, &submit_sqe, false);
	if (layout_choose(obj, &submit_req, sub < 0) >= 0 || sub < 0) {
		caps->fd = true;
		ks_bpf_disable_hook(obj, "submit_sqe");
		ks_bpf_disable_hook(obj, "submit_sqe_ctx");
	} else {
		caps->fd = sub == 0;
	}
	caps->by_ud = layout_choose(obj, &complete, true) == 2;
	caps->punt = layout_choose(obj, &punt, false) >= 0;
	caps->failed = layout_choose(obj, &failed, false) >= 0;
	caps->overflow = layout_choose(obj, &overflow, false) >= 0;
	layout_choose(obj, &create, false);
	return ks_bpf_set_rodata(obj, "ks_uring_by_ud", &caps->by_ud, sizeof(caps->by_ud));
}

int ks_uring_configure(struct ks_ctx *c, struct ks_uring_caps *caps)
{
	return ks_uring_layouts(c->obj, caps);
}

int ks_uring_hooks(struct bpf_object *obj)
{
	struct ks_uring_caps caps;

	return ks_uring_layouts(obj, &caps);
}

static bool is_uring_fd(unsigned int pid, const char *fd)
{
	char path[300], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/fd/%s", pid, fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return !strcmp(target, "anon_inode:[io_uring]");
}

const char *ks_uring_op_label(unsigned int op, char *buf, size_t len)
{
	const char *n = ks_uring_op_name(op);

	if (n)
		return n;
	snprintf(buf, len, "[%u]", op);
	return buf;
}

int ks_uring_ring_fd(unsigned int pid)
{
	char path[64];
	struct dirent *d;
	int fd = -1, found = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%u/fd", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || !is_uring_fd(pid, d->d_name))
			continue;
		fd = atoi(d->d_name);
		found++;
	}
	closedir(dir);
	return found == 1 ? fd : -1;
}

int ks_uring_fd_path(unsigned int pid, int fd, unsigned long long ino, char *buf, size_t len)
{
	char path[64];
	struct stat sb;
	ssize_t n;

	if (fd < 0 || len < 2)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%u/fd/%d", pid, fd);
	if (stat(path, &sb))
		return -errno;
	if ((unsigned long long)sb.st_ino != ino)
		return -ESTALE;
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}
