// SPDX-License-Identifier: GPL-2.0-only
/* opensnoop: trace open(), openat() and openat2() with path, flags and result. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>

#include "core/errors.h"
#include "core/event.h"
#include "core/log.h"
#include "core/open.h"
#include "core/tool.h"
#include "skel/opensnoop.skel.h"
#include "tools/opensnoop.h"

struct opensnoop {
	bool failed_only, extended;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct opensnoop, failed_only, "failed", 'x', "only show failed opens"),
	KS_FLAG(struct opensnoop, extended, "extended", 'e', "show the flags column"),
	KS_REFUSE('f', "is BCC's open-flags filter; kscope opensnoop has none: -e shows the "
		       "flags, --json gives them as a number"),
	KS_REFUSE('F',
		  "is BCC's full paths; kscope opensnoop shows paths as the caller passed them"),
	KS_REFUSE('b', "is BCC's perf buffer size; kscope uses a ring buffer and reports lost "
		       "events"),
	{ 0 },
};

static const char *const kind_names[] = { "open", "openat", "openat2" };

/* Open flags as "O_WRONLY|O_CREAT|O_TRUNC". */
static void flags_str(unsigned long long f, char *buf, size_t len)
{
	static const struct {
		unsigned long long bit;
		const char *name;
	} bits[] = {
		{ O_CREAT, "O_CREAT" },		{ O_EXCL, "O_EXCL" },
		{ O_NOCTTY, "O_NOCTTY" },	{ O_TRUNC, "O_TRUNC" },
		{ O_APPEND, "O_APPEND" },	{ O_NONBLOCK, "O_NONBLOCK" },
		{ O_DSYNC, "O_DSYNC" },		{ O_DIRECT, "O_DIRECT" },
		{ O_LARGEFILE, "O_LARGEFILE" }, { O_NOFOLLOW, "O_NOFOLLOW" },
		{ O_NOATIME, "O_NOATIME" },	{ O_CLOEXEC, "O_CLOEXEC" },
		{ O_PATH, "O_PATH" },
	};
	size_t n;

	switch (f & O_ACCMODE) {
	case O_RDONLY:
		n = snprintf(buf, len, "O_RDONLY");
		break;
	case O_WRONLY:
		n = snprintf(buf, len, "O_WRONLY");
		break;
	case O_RDWR:
		n = snprintf(buf, len, "O_RDWR");
		break;
	default:
		n = snprintf(buf, len, "O_ACCMODE");
	}
	f &= ~(unsigned long long)O_ACCMODE;
	/* O_TMPFILE includes O_DIRECTORY, and O_SYNC includes O_DSYNC: name the whole. */
	if ((f & O_TMPFILE) == O_TMPFILE) {
		n += snprintf(buf + n, n < len ? len - n : 0, "|O_TMPFILE");
		f &= ~(unsigned long long)O_TMPFILE;
	}
	if ((f & O_SYNC) == O_SYNC) {
		n += snprintf(buf + n, n < len ? len - n : 0, "|O_SYNC");
		f &= ~(unsigned long long)O_SYNC;
	}
	if (f & O_DIRECTORY) {
		n += snprintf(buf + n, n < len ? len - n : 0, "|O_DIRECTORY");
		f &= ~(unsigned long long)O_DIRECTORY;
	}
	for (size_t i = 0; i < KS_ARRAY_SIZE(bits); i++) {
		if (f & bits[i].bit) {
			n += snprintf(buf + n, n < len ? len - n : 0, "|%s", bits[i].name);
			f &= ~bits[i].bit;
		}
	}
	if (f)
		snprintf(buf + n, n < len ? len - n : 0, "|0x%llx", f);
}

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct opensnoop *st = c->state;
	const struct open_event *e = data;
	size_t plen;
	char fl[256];

	if (size < offsetof(struct open_event, path))
		return 0;
	plen = size - offsetof(struct open_event, path);
	if (plen > e->path_len)
		plen = e->path_len;
	if (plen && e->path[plen - 1] == '\0')
		plen--;

	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_event_json_begin(c, &e->hdr);
		ks_json_str(j, "syscall", kind_names[e->kind < 3 ? e->kind : 1]);
		ks_json_int(j, "dfd", e->dfd);
		ks_json_strn(j, "path", e->path, plen);
		if (e->path_len > OPEN_PATH_MAX)
			ks_json_bool(j, "truncated", true);
		ks_json_uint(j, "flags", e->flags);
		if (e->flags & (O_CREAT | O_TMPFILE))
			ks_json_uint(j, "mode", e->mode);
		ks_json_int(j, "ret", e->ret);
		if (e->ret < 0)
			ks_json_str(j, "errno", ks_errno_name((int)-e->ret));
		ks_json_obj_end(j);
		return 0;
	}
	ks_event_text_prefix(c, &e->hdr);
	fprintf(c->out, "%-7u ", e->hdr.pid);
	ks_text_comm(c->out, e->hdr.comm, 16);
	fprintf(c->out, " %4lld %3lld ", e->ret >= 0 ? e->ret : -1, e->ret >= 0 ? 0 : -e->ret);
	if (st->extended) {
		flags_str(e->flags, fl, sizeof(fl));
		fprintf(c->out, "%-24s ", fl);
	}
	ks_text_escape(c->out, e->path, plen);
	fputs(e->path_len > OPEN_PATH_MAX ? "...\n" : "\n", c->out);
	return 0;
}

static void header(struct ks_ctx *c)
{
	const struct opensnoop *st = c->state;

	fprintf(c->out, "%-7s %-16s %4s %3s %s%s\n", "PID", "COMM", "FD", "ERR",
		st->extended ? "FLAGS                    " : "", "PATH");
}

static int configure(struct ks_ctx *c)
{
	const struct opensnoop *st = c->state;
	struct opensnoop_bpf *skel = c->skel;

#ifdef SYS_open
	skel->rodata->nr_open = SYS_open;
#endif
	skel->rodata->nr_openat = SYS_openat;
#ifdef SYS_openat2
	skel->rodata->nr_openat2 = SYS_openat2;
#else
	skel->rodata->nr_openat2 = 437;
#endif
	skel->rodata->failed_only = st->failed_only;
	return 0;
}

KSCOPE_BPF_TOOL(
	opensnoop, .summary = "trace open, openat and openat2 calls with path, flags and result",
	.help = "Each line is one open call that returned: FD is the new descriptor (-1 on\n"
		"failure) and ERR the errno. Paths are shown as the caller passed them.\n\n"
		"examples:\n"
		"  kscope opensnoop -x              failed opens only\n"
		"  kscope opensnoop -p 1234 -e      one process, with flags\n"
		"  kscope opensnoop -n pyth         processes whose name contains pyth\n"
		"  kscope opensnoop --json -d 5     five seconds of NDJSON",
	.opts = opts, KS_STATE(struct opensnoop),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.configure = configure,
	.loop = { .ring = "ks_events", .on_event = on_event, .header = header });
