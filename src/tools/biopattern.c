// SPDX-License-Identifier: GPL-2.0-only
/* biopattern: the share of random and sequential block IO per disk, per interval. */
#include <stdlib.h>

#include "core/block.h"
#include "core/clock.h"
#include "core/maps.h"
#include "core/tool.h"
#include "skel/biopattern.skel.h"
#include "tools/biopattern.h"

struct biopattern {
	unsigned int dev;
};

static const struct ks_opt opts[] = {
	KS_DISK_OPT(struct biopattern, dev),
	{ 0 },
};

/* One disk's row, with its name for sorting. */
struct row {
	unsigned int dev;
	char name[32];
	struct biopattern_counts n;
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/* Percent of @part in @whole, rounded down as BCC's biopattern does; 0 of nothing. */
static unsigned long long pct(unsigned long long part, unsigned long long whole)
{
	return whole ? part * 100 / whole : 0;
}

static void report(struct ks_ctx *c, struct row *rows, size_t n)
{
	struct ks_json *j = &c->json;
	char hms[16];

	if (c->opt.json) {
		ks_json_obj_begin(j, NULL);
		ks_json_str(j, "type", "biopattern");
		ks_json_uint(j, "time_ns", ks_now_realtime());
		ks_json_arr_begin(j, "rows");
		for (size_t i = 0; i < n; i++) {
			const struct biopattern_counts *k = &rows[i].n;

			ks_json_obj_begin(j, NULL);
			ks_disk_json(j, rows[i].dev);
			ks_json_uint(j, "count", k->count);
			ks_json_uint(j, "sequential", k->sequential);
			ks_json_uint(j, "random", k->random);
			ks_json_uint(j, "bytes", k->bytes);
			ks_json_uint(j, "sequential_pct",
				     pct(k->sequential, k->sequential + k->random));
			ks_json_uint(j, "random_pct", pct(k->random, k->sequential + k->random));
			ks_json_obj_end(j);
		}
		ks_json_arr_end(j);
		ks_json_obj_end(j);
		return;
	}
	ks_fmt_hms(hms, sizeof(hms), ks_now_realtime());
	for (size_t i = 0; i < n; i++) {
		const struct biopattern_counts *k = &rows[i].n;

		fprintf(c->out, "%-8s %-9s %5llu %5llu %8llu %10llu\n", hms, rows[i].name,
			pct(k->random, k->sequential + k->random),
			pct(k->sequential, k->sequential + k->random), k->count, k->bytes / 1024);
	}
}

static int on_tick(struct ks_ctx *c, bool last)
{
	struct biopattern_bpf *skel = c->skel;
	struct ks_map_dump d = { 0 };
	struct row *rows;
	int n = ks_map_dump(bpf_map__fd(skel->maps.counts), KS_MAP_RESET, &d);

	(void)last;
	if (n < 0) {
		ks_map_dump_free(&d);
		return n;
	}
	rows = calloc(d.n ? d.n : 1, sizeof(*rows));
	if (!rows) {
		ks_map_dump_free(&d);
		return -ENOMEM;
	}
	for (size_t i = 0; i < d.n; i++) {
		rows[i].dev = *(const unsigned int *)ks_map_dump_key(&d, i);
		rows[i].n = *(const struct biopattern_counts *)ks_map_dump_value(&d, i, 0);
		ks_disk_name(rows[i].dev, rows[i].name, sizeof(rows[i].name));
	}
	qsort(rows, d.n, sizeof(*rows), row_cmp);
	report(c, rows, d.n);
	free(rows);
	ks_map_dump_free(&d);
	return 0;
}

static void header(struct ks_ctx *c)
{
	fprintf(c->out, "%-8s %-9s %5s %5s %8s %10s\n", "TIME", "DISK", "%RND", "%SEQ", "COUNT",
		"KBYTES");
}

static int configure(struct ks_ctx *c)
{
	const struct biopattern *st = c->state;

	return ks_block_configure(c, st->dev, KS_BLK_NEED_DEV | KS_BLK_NEED_IO);
}

KSCOPE_BPF_TOOL(
	biopattern, .summary = "random vs sequential block IO per disk, per interval",
	.usage = "[interval [count]]",
	.help = "Each block request with data, at its completion, is sequential when it begins\n"
		"at the sector where the same disk's previous completed request ended, random\n"
		"otherwise (a disk's first request seen is neither). Per disk: %RND and %SEQ of\n"
		"those, COUNT (every request with data) and KBYTES. One report at the end, or\n"
		"every interval. The process filters (-p ...) select the submitter: requests\n"
		"made before tracing started are then left out. JSON: one line per report\n"
		"{\"type\":\"biopattern\",\"time_ns\",\"rows\":[{\"disk\",\"major\",\"minor\",\n"
		"\"count\",\"sequential\",\"random\",\"bytes\",\"sequential_pct\",\"random_pct\"}]}"
		".\n\n"
		"examples:\n"
		"  kscope biopattern 1              every second\n"
		"  kscope biopattern -d vda 5 3     vda, every 5 seconds, 3 times",
	.opts = opts, KS_STATE(struct biopattern),
	.flags = KS_TOOL_BPF | KS_TOOL_FILTER | KS_TOOL_INTERVAL | KS_TOOL_STREAM,
	.configure = configure, .layouts = ks_block_layouts,
	.loop = { .on_tick = on_tick, .header = header });
