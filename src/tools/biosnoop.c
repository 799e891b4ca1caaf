// SPDX-License-Identifier: GPL-2.0-only
/* biosnoop: trace every block IO with its submitter, disk, flags, sector, size and times. */
#include <string.h>

#include "core/block.h"
#include "core/errors.h"
#include "core/event.h"
#include "core/tool.h"
#include "skel/biosnoop.skel.h"
#include "tools/biosnoop.h"

struct biosnoop {
	bool queued;
	unsigned int dev;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct biosnoop, queued, "queued", 'Q',
		"a QUE(ms) column: the time from request made to issued"),
	KS_DISK_OPT(struct biosnoop, dev),
	{ 0 },
};

static int on_event(struct ks_ctx *c, const void *data, size_t size)
{
	const struct biosnoop *st = c->state;
	const struct biosnoop_event *e = data;
	char disk[32], rwbs[8], s[64];
	struct ks_line l;

	if (size < sizeof(*e))
		return 0;
	ks_disk_name(e->dev, disk, sizeof(disk));
	ks_blk_rwbs(e->flags, rwbs, sizeof(rwbs));
	if (c->opt.json) {
		struct ks_json *j = &c->json;
		int err = ks_blk_errno(e->error);

		ks_event_json_begin(c, &e->hdr);
		ks_disk_json(j, e->dev);
		ks_json_str(j, "rwbs", rwbs);
		ks_json_str(j, "op", ks_blk_op_name(e->flags, s, sizeof(s)));
		ks_json_str(j, "flags", ks_blk_flags_name(e->flags, s, sizeof(s)));
		ks_json_uint(j, "sector", e->sector);
		ks_json_uint(j, "bytes", e->bytes);
		ks_json_uint(j, "queue_ns", e->queue_ns);
		ks_json_uint(j, "device_ns", e->device_ns);
		if (err)
			ks_json_str(j, "error", ks_errno_name(-err));
		else
			ks_json_null(j, "error");
		ks_json_obj_end(j);
		return 0;
	}
	ks_event_text_prefix(c, &e->hdr);
	/* built by hand: printf cost more than the rest of the event (a line per IO) */
	ks_line_init(&l);
	ks_line_fixed(&l, e->hdr.ts > c->start_ns ? e->hdr.ts - c->start_ns : 0, 9, 6, -11);
	ks_line_char(&l, ' ');
	ks_line_text(&l, e->hdr.comm, strnlen(e->hdr.comm, KS_COMM_LEN), -16);
	ks_line_char(&l, ' ');
	ks_line_uint(&l, e->hdr.pid, -7);
	ks_line_char(&l, ' ');
	ks_line_str(&l, disk, -9);
	ks_line_char(&l, ' ');
	ks_line_str(&l, rwbs, -4);
	ks_line_char(&l, ' ');
	ks_line_uint(&l, e->sector, -12);
	ks_line_char(&l, ' ');
	ks_line_uint(&l, e->bytes, -7);
	ks_line_char(&l, ' ');
	if (st->queued) {
		ks_line_fixed(&l, e->queue_ns, 6, 3, 7);
		ks_line_char(&l, ' ');
	}
	ks_line_fixed(&l, e->device_ns, 6, 3, 7);
	if (e->error) {
		ks_line_char(&l, ' ');
		ks_line_str(&l, ks_errno_name(-ks_blk_errno(e->error)), 0);
	}
	ks_line_put(&l, c->out);
	return 0;
}

static void header(struct ks_ctx *c)
{
	const struct biosnoop *st = c->state;

	fprintf(c->out, "%-11s %-16s %-7s %-9s %-4s %-12s %-7s ", "TIME(s)", "COMM", "PID", "DISK",
		"T", "SECTOR", "BYTES");
	if (st->queued)
		fprintf(c->out, "%7s ", "QUE(ms)");
	fprintf(c->out, "%7s\n", "LAT(ms)");
}

static int configure(struct ks_ctx *c)
{
	const struct biosnoop *st = c->state;

	/* the submitter is every line's subject: requests made before tracing are left out */
	return ks_block_configure(c, st->dev, KS_BLK_NEED_WHO | KS_BLK_NEED_DEV | KS_BLK_NEED_IO);
}

KSCOPE_BPF_TOOL(
	biosnoop,
	.summary = "trace block IO: submitter, disk, flags, sector, size, queue and device time",
	.usage = "",
	.help = "One line per block request, at its completion: TIME(s) since tracing started,\n"
		"the process that SUBMITTED it (seen when the block layer made the request, not\n"
		"whoever ran at completion), the disk, T (blktrace's rwbs: R read, W write, F\n"
		"flush/FUA, D discard, S sync, M metadata, A read-ahead), the first sector (512\n"
		"bytes), the size, with -Q the queue time (request made -> issued) and the device\n"
		"time LAT(ms) (issued -> completed), and the error if it failed. Requests made\n"
		"before tracing started are left out. The filters select the submitter. JSON\n"
		"events add disk, major, minor, rwbs, op, flags, sector, bytes, queue_ns,\n"
		"device_ns and error (null, or the errno's name).\n\n"
		"examples:\n"
		"  kscope biosnoop                  every block IO\n"
		"  kscope biosnoop -Q -d vda        on vda, with queue time\n"
		"  kscope biosnoop -p 1234 --json   one process's IO, as JSON lines",
	.opts = opts, KS_STATE(struct biosnoop),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_STREAM | KS_TOOL_EVENTS,
	.configure = configure, .layouts = ks_block_layouts,
	.loop = { .ring = "ks_events", .on_event = on_event, .header = header });
