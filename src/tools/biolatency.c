// SPDX-License-Identifier: GPL-2.0-only
/* biolatency: block IO latency histograms, per disk, flags, submitter; queue time with -Q. */
#include <string.h>

#include "core/block.h"
#include "core/khist.h"
#include "core/tool.h"
#include "skel/biolatency.skel.h"
#include "tools/biolatency.h"

struct biolatency {
	bool millis, queued, per_disk, per_flags;
	unsigned int dev;
	char by[48]; /* the report's JSON "by" */
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct biolatency, millis, "milliseconds", 'm',
		"histograms in milliseconds (default us)"),
	KS_FLAG(struct biolatency, queued, "queued", 'Q',
		"also the queue time (request made -> issued), as its own histograms"),
	KS_FLAG(struct biolatency, per_disk, "disks", 'D', "one histogram per disk"),
	KS_FLAG(struct biolatency, per_flags, "flags", 'F',
		"one histogram per operation and flags (Write-Sync, Read ...)"),
	KS_DISK_OPT(struct biolatency, dev),
	KS_REFUSE('j', "is BCC's JSON output; kscope biolatency takes --json"),
	KS_REFUSE('e', "is BCC's extended output (averages); kscope's JSON rows have count and "
		       "total_ns"),
	{ 0 },
};

static const struct biolat_key *key_of(const struct ks_khist_row *r)
{
	return r->key;
}

static void label(const struct ks_khist_row *r, char *buf, size_t len)
{
	const struct biolat_key *k = key_of(r);
	char part[256];
	size_t n = 0;

	buf[0] = '\0';
	if (k->parts & BIOLAT_DISK)
		n += (size_t)snprintf(buf + n, len - n, "disk = %s",
				      ks_disk_name(k->dev, part, sizeof(part)));
	if ((k->parts & BIOLAT_FLAGS) && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%sflags = %s", n ? ", " : "",
				      ks_blk_flags_name(k->flags, part, sizeof(part)));
	if ((k->parts >> 4) != KS_BY_ALL && n < len) {
		static const char *const kinds[] = { "", "pid", "tid", "cgroup", "pidns" };
		int by = k->parts >> 4;

		ks_khist_task_label(by, k->who, r->val.comm, part, sizeof(part));
		n += (size_t)snprintf(buf + n, len - n, "%s%s = %s", n ? ", " : "",
				      by < 5 ? kinds[by] : "?", part);
	}
	if ((k->parts & BIOLAT_QUEUED) && n < len)
		snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
			 k->kind == BIOLAT_QUEUE ? "queued (request made -> issued)"
						 : "device (issued -> completed)");
}

static void json_key(struct ks_json *j, const struct ks_khist_row *r)
{
	const struct biolat_key *k = key_of(r);
	char s[64];

	if (k->parts & BIOLAT_DISK)
		ks_disk_json(j, k->dev);
	if (k->parts & BIOLAT_FLAGS) {
		ks_json_str(j, "flags", ks_blk_flags_name(k->flags, s, sizeof(s)));
		ks_json_str(j, "rwbs", ks_blk_rwbs(k->flags, s, sizeof(s)));
	}
	ks_khist_task_json(j, k->parts >> 4, k->who, r->val.comm);
	ks_json_str(j, "time", k->kind == BIOLAT_QUEUE ? "queued" : "device");
}

/* Disks, then flags, then submitters, then queue before device time: related rows together. */
static int cmp(const struct ks_khist_row *a, const struct ks_khist_row *b)
{
	const struct biolat_key *x = key_of(a), *y = key_of(b);

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->flags != y->flags)
		return x->flags < y->flags ? -1 : 1;
	if (x->who != y->who)
		return x->who < y->who ? -1 : 1;
	return (int)y->kind - (int)x->kind;
}

static const struct ks_khist_fmt fmt = { .map = "hists",
					 .key_size = sizeof(struct biolat_key),
					 .type = "histograms",
					 .hist = true,
					 .total = true,
					 .cmp = cmp,
					 .label = label,
					 .json_key = json_key };

static int prepare(struct ks_ctx *c)
{
	struct biolatency *st = c->state;
	static const char *const kinds[] = { "", "pid", "tid", "cgroup", "pidns" };
	size_t n = 0;

	if (st->per_disk)
		n += (size_t)snprintf(st->by + n, sizeof(st->by) - n, "disk");
	if (st->per_flags)
		n += (size_t)snprintf(st->by + n, sizeof(st->by) - n, "%sflags", n ? "," : "");
	if (c->opt.by != KS_BY_ALL && (size_t)c->opt.by < KS_ARRAY_SIZE(kinds))
		n += (size_t)snprintf(st->by + n, sizeof(st->by) - n, "%s%s", n ? "," : "",
				      kinds[c->opt.by]);
	if (st->queued)
		n += (size_t)snprintf(st->by + n, sizeof(st->by) - n, "%stime", n ? "," : "");
	/* the core set the labels of per-task keys: this key holds more */
	c->khist.by = n ? st->by : "all";
	c->khist.key_name = n ? "" : NULL;
	c->khist.label = label;
	c->khist.json_key = json_key;
	c->khist.unit = st->millis ? "msecs" : "usecs";
	return 0;
}

static int configure(struct ks_ctx *c)
{
	const struct biolatency *st = c->state;
	struct biolatency_bpf *skel = c->skel;
	unsigned char parts = (st->per_disk ? BIOLAT_DISK : 0) |
			      (st->per_flags ? BIOLAT_FLAGS : 0) | (st->queued ? BIOLAT_QUEUED : 0);

	skel->rodata->unit_div = st->millis ? 1000000 : 1000;
	skel->rodata->parts = parts;
	/* the core cut the map to one entry for one submitter key: there are other keys */
	if (parts && bpf_map__set_max_entries(skel->maps.hists, 10240))
		return -EINVAL;
	/* -Q: both histograms of the same requests, so only requests made while tracing */
	return ks_block_configure(c, st->dev,
				  (st->queued ? KS_BLK_NEED_WHO : 0) |
					  (st->per_disk ? KS_BLK_NEED_DEV : 0) |
					  (st->per_flags ? KS_BLK_NEED_IO : 0));
}

KSCOPE_BPF_TOOL(
	biolatency,
	.summary = "block IO latency as histograms: device time, queue time (-Q), per disk, flags, "
		   "process",
	.usage = "[interval [count]]",
	.help = "Device time runs from the request's issue to the driver (block_rq_issue) to its\n"
		"completion (block_rq_complete); -Q adds the time before, from when the block\n"
		"layer made the request (block_io_start, or the bio's block_bio_queue on\n"
		"kernels before 6.5) to its issue, as separate histograms. Each request is\n"
		"counted once, at completion. The filters (-p -t -n -u -c) and -P/-L/--per-cgroup\n"
		"select and key the task that SUBMITTED the request, seen when it was made:\n"
		"then requests made before tracing started are left out. JSON reports:\n"
		"{\"type\":\"histograms\",\"by\",\"unit\",\"rows\":[{\"disk\",\"major\",\"minor\"\n"
		"(-D), \"flags\",\"rwbs\" (-F), pid/tid/cgroup members (-P ...), \"time\":\n"
		"\"device\"|\"queued\", \"count\", \"total_ns\", \"hist\"}]}.\n\n"
		"examples:\n"
		"  kscope biolatency                 one histogram until Ctrl-C\n"
		"  kscope biolatency -D 5 3          per disk, every 5 seconds, 3 times\n"
		"  kscope biolatency -Q -d vda       queue and device time of vda\n"
		"  kscope biolatency -F -P           per flags and submitting process",
	.opts = opts, KS_STATE(struct biolatency),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM |
		 KS_TOOL_PER_TASK,
	.khist = &fmt, .prepare = prepare, .configure = configure, .layouts = ks_block_layouts,
	.loop = KS_KHIST_LOOP);
