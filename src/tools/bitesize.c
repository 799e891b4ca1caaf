// SPDX-License-Identifier: GPL-2.0-only
/* bitesize: block IO size histograms per submitting process (or thread, cgroup, all). */
#include "core/block.h"
#include "core/khist.h"
#include "core/log.h"
#include "core/tool.h"
#include "skel/bitesize.skel.h"

struct bitesize {
	bool all;
	unsigned int dev;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct bitesize, all, "all", 'A', "one histogram of every process's IO"),
	KS_DISK_OPT(struct bitesize, dev),
	{ 0 },
};

static const struct ks_khist_fmt fmt = {
	.map = "hists",
	.key_size = sizeof(unsigned long long),
	.type = "histograms",
	.hist = true,
	.unit = "kbytes",
};

static int prepare(struct ks_ctx *c)
{
	const struct bitesize *st = c->state;

	if (st->all && c->opt.by != KS_BY_ALL) {
		ks_error("--all and a per-key option (-P, -L, --per-cgroup, --pidnss) conflict");
		return KS_EXIT_USAGE;
	}
	/* per process unless asked otherwise, as BCC's bitesize */
	if (!st->all && c->opt.by == KS_BY_ALL)
		c->opt.by = KS_BY_PID;
	ks_khist_fmt_task(&c->khist, c->opt.by);
	return 0;
}

static int configure(struct ks_ctx *c)
{
	const struct bitesize *st = c->state;

	return ks_block_configure(c, st->dev, KS_BLK_NEED_WHO | KS_BLK_NEED_IO);
}

KSCOPE_BPF_TOOL(
	bitesize, .summary = "block IO size histograms per submitting process",
	.usage = "[interval [count]]",
	.help = "The size of each block request (at its issue to the driver), counted at its\n"
		"completion, as log2 histograms of Kbytes: one per process that SUBMITTED the\n"
		"requests (seen when the block layer made them; requests made before tracing\n"
		"started are left out), or per thread (-L), cgroup (--per-cgroup), or one for\n"
		"all (-A). JSON reports: {\"type\":\"histograms\",\"by\",\"unit\":\"kbytes\",\n"
		"\"rows\":[{pid and comm (or tid, cgroup members), \"count\", \"hist\"}]}.\n\n"
		"examples:\n"
		"  kscope bitesize                  per process until Ctrl-C\n"
		"  kscope bitesize -d vda 10 1      vda's requests for 10 seconds\n"
		"  kscope bitesize --per-cgroup     per container",
	.opts = opts, KS_STATE(struct bitesize),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM |
		 KS_TOOL_PER_TASK,
	.khist = &fmt, .prepare = prepare, .configure = configure, .layouts = ks_block_layouts,
	.loop = KS_KHIST_LOOP);
