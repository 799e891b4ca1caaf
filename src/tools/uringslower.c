// SPDX-License-Identifier: GPL-2.0-only
/* uringslower: trace io_uring requests slower than a threshold, one line each. */
#include <errno.h>
#include <string.h>

#include "core/errors.h"
#include "core/event.h"
#include "core/log.h"
#include "core/tool.h"
#include "core/uring.h"
#include "skel/uringslower.skel.h"
#include "tools/uringslower.h"

/* req->flags bit of a fixed file (IOSQE_FIXED_FILE): fd is an index into its table. */
#define FIXED_FILE 1u
/* uringslower_event.file values (KS_URING_FILE_* of src/bpf/uring.bpf.h). */
#define FILE_NONE 1

struct uringslower {
	long long min_us;
	struct ks_uring_caps caps;
};

static const struct ks_opt args[] = {
	KS_INT(struct uringslower, min_us, "MIN_US", 0, NULL,
	       "show requests of at least this many us (default 10000)", 0, 3600000000LL),
	{ 0 },
};

/*
 * Does e->fd mean anything: a request that had a file, or failed for want of one (EBADF);
 * not a nop's or a timeout's, whose fd field is left from an earlier request.
 */
static bool has_fd(const struct uringslower_event *e)
{
	return (e->file != FILE_NONE || e->res == -EBADF) && e->fd >= 0;
}

/*
 * The file's path, resolved now in the submitter's fd table; NULL when it can't be. The fd
 * may have been closed, or even reused, since the request ended: the path counts only if
 * it leads to the inode the request had.
 */
static const char *path_of(const struct uringslower_event *e, char *buf, size_t len)
{
	if (!has_fd(e) || !e->ino || (e->flags & FIXED_FILE))
		return NULL;
	return ks_uring_fd_path(e->hdr.pid, e->fd, e->ino, buf, len) ? NULL : buf;
}

static void event_json(struct ks_ctx *c, const struct uringslower_event *e, const char *path)
{
	struct ks_json *j = &c->json;
	const char *op = ks_uring_op_name(e->opcode), *en = NULL;
	char ring[32];

	ks_event_json_begin(c, &e->hdr);
	if (op)
		ks_json_str(j, "opcode", op);
	else
		ks_json_null(j, "opcode");
	ks_json_uint(j, "opcode_nr", e->opcode);
	if (has_fd(e))
		ks_json_int(j, "fd", e->fd);
	else
		ks_json_null(j, "fd");
	ks_json_bool(j, "fixed_file", (e->flags & FIXED_FILE) != 0);
	if (path)
		ks_json_str(j, "path", path);
	else
		ks_json_null(j, "path");
	ks_json_int(j, "result", e->res);
	if (e->res < 0)
		en = ks_errno_name(-e->res);
	if (en)
		ks_json_str(j, "errno", en);
	else
		ks_json_null(j, "errno");
	ks_json_uint(j, "latency_ns", e->latency_ns);
	ks_json_bool(j, "punted", e->punted);
	if (e->punted) {
		ks_json_uint(j, "queued_ns", e->queued_ns);
		ks_json_uint(j, "wq_ns", e->wq_ns);
	} else {
		ks_json_null(j, "queued_ns");
		ks_json_null(j, "wq_ns");
	}
	snprintf(ring, sizeof(ring), "%#llx", e->ring);
	ks_json_str(j, "ring", ring);
	ks_json_uint(j, "user_data", e->user_data);
	ks_json_uint(j, "done_tid", e->done_tid);
	ks_json_strn(j, "done_comm", e->done_comm, strnlen(e->done_comm, KS_COMM_LEN));
	ks_json_obj_end(j);
}

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct uringslower_event *e = data;
	char path[4096], buf[32], fd[16], res[16];
	const char *p, *en = NULL;

	if (size < sizeof(*e))
		return 0;
	p = path_of(e, path, sizeof(path));
	if (c->opt.json) {
		event_json(c, e, p);
		return 0;
	}
	if (e->res < 0)
		en = ks_errno_name(-e->res);
	if (en)
		snprintf(res, sizeof(res), "%s", en);
	else
		snprintf(res, sizeof(res), "%d", e->res);
	if (!has_fd(e))
		snprintf(fd, sizeof(fd), e->file == FILE_NONE ? "-" : "?");
	else
		snprintf(fd, sizeof(fd), "%s%d", e->flags & FIXED_FILE ? "#" : "", e->fd);
	ks_event_text_prefix(c, &e->hdr);
	ks_text_comm(c->out, e->hdr.comm, 16);
	fprintf(c->out, " %-7u %-7u %-14s %5s %-10s %10llu %-5s", e->hdr.pid, e->hdr.tid,
		ks_uring_op_label(e->opcode, buf, sizeof(buf)), fd, res, e->latency_ns / 1000,
		e->punted ? "yes" : "no");
	if (e->punted)
		fprintf(c->out, " %10llu %10llu ", e->queued_ns / 1000, e->wq_ns / 1000);
	else
		fprintf(c->out, " %10s %10s ", "-", "-");
	if (p)
		ks_text_escape(c->out, p, strlen(p));
	else
		fputs(has_fd(e) || e->file != FILE_NONE ? "?" : "-", c->out);
	fputc('\n', c->out);
	return 0;
}

static void header(struct ks_ctx *c)
{
	fprintf(c->out, "%-16s %-7s %-7s %-14s %5s %-10s %10s %-5s %10s %10s %s\n", "COMM", "PID",
		"TID", "OPCODE", "FD", "RESULT", "LAT(us)", "PUNT", "QUEUED(us)", "WQ(us)", "FILE");
}

static int configure(struct ks_ctx *c)
{
	struct uringslower *st = c->state;
	struct uringslower_bpf *skel = c->skel;

	skel->rodata->min_ns = (unsigned long long)st->min_us * 1000;
	return ks_uring_configure(c, &st->caps);
}

KSCOPE_BPF_TOOL(
	uringslower,
	.summary = "trace io_uring requests slower than a threshold, with where the time went",
	.usage = "[MIN_US]",
	.help = "One line per io_uring request that took at least MIN_US microseconds (default\n"
		"10000) from submission to completion: the submitting task, the opcode, the fd\n"
		"and its path (read from /proc/PID/fd when the request ends: \"?\" when it can't\n"
		"be, \"-\" for requests without a file, #N for a fixed file), the result (errno\n"
		"name when negative), the latency, whether it was punted to an io-wq worker\n"
		"and, if so, the time until it was handed over (QUEUED) and from there to the\n"
		"completion (WQ: the wait for a worker and the work; no tracepoint marks the\n"
		"pick-up). Only requests submitted after tracing began are seen. The filters\n"
		"select the submitting task. JSON events add opcode, opcode_nr, fd, fixed_file,\n"
		"path, result, errno, latency_ns, punted, queued_ns, wq_ns, ring, user_data,\n"
		"done_tid and done_comm (the task that posted the completion).\n\n"
		"examples:\n"
		"  kscope uringslower               requests of 10 ms or more\n"
		"  kscope uringslower 1000 -p 1234  requests of 1 ms or more of one process",
	.args = args, KS_STATE(struct uringslower, .min_us = 10000),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.configure = configure, .layouts = ks_uring_hooks,
	.loop = { .ring = "ks_events", .on_event = on_event, .header = header });
