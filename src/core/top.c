// SPDX-License-Identifier: GPL-2.0-only
/* What the "top" tools share: a table read and emptied from a BPF map every interval. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/maps.h"
#include "core/tool.h"
#include "core/top.h"

void ks_top_prepare(struct ks_ctx *c, struct ks_top *t)
{
	if (c->opt.interval <= 0)
		c->opt.interval = 1;
	/* c->out is stdout, written through descriptor 1 by a stream of its own (ks_out_stdout) */
	t->clear = !t->noclear && !c->opt.json && isatty(STDOUT_FILENO);
}

/* Read and empty the map into the table. */
static int collect(struct ks_top *t, int fd, size_t rec_size, size_t val_off)
{
	struct ks_map_dump d;
	int n = ks_map_dump(fd, KS_MAP_RESET, &d);
	char *tab = NULL;

	t->ntab = 0;
	if (n >= 0 && (d.key_size != val_off || d.cpu_value != rec_size - val_off))
		n = -EINVAL;
	if (n >= 0 && !(tab = realloc(t->tab, (d.n ? d.n : 1) * rec_size)))
		n = -ENOMEM;
	if (tab)
		t->tab = tab;
	for (size_t i = 0; n >= 0 && i < d.n; i++, t->ntab++) {
		memcpy(tab + i * rec_size, ks_map_dump_key(&d, i), val_off);
		memcpy(tab + i * rec_size + val_off, ks_map_dump_value(&d, i, 0),
		       rec_size - val_off);
	}
	ks_map_dump_free(&d);
	return n < 0 ? n : 0;
}

int ks_top_report(struct ks_ctx *c, struct ks_top *t, int fd, const struct ks_top_fmt *f)
{
	unsigned long long now = ks_now_mono(), interval_ns;
	long long limit = t->rows >= 0 ? t->rows : (c->opt.json ? 0 : 20);
	int err = collect(t, fd, f->rec_size, f->val_off);
	size_t n;

	if (err)
		return err;
	interval_ns = now - (t->last ? t->last : c->start_ns);
	t->last = now;
	if (f->cmp && t->ntab > 1)
		qsort(t->tab, t->ntab, f->rec_size, f->cmp);
	n = limit ? KS_MIN(t->ntab, (size_t)limit) : t->ntab;
	if (c->opt.json)
		f->json(c, n, interval_ns);
	else
		f->text(c, n);
	return 0;
}

void ks_top_title(struct ks_ctx *c, const struct ks_top *t, bool summary)
{
	char hms[16], load[128];

	if (t->clear)
		fputs("\033[H\033[2J", c->out); /* home, then clear: the report redraws in place */
	if (!summary)
		return;
	if (ks_read_line("/proc/loadavg", load, sizeof(load)))
		snprintf(load, sizeof(load), "?");
	fprintf(c->out, "%s loadavg: %s\n\n", ks_fmt_hms(hms, sizeof(hms), ks_now_realtime()),
		load);
}

void ks_top_end(struct ks_ctx *c, const struct ks_top *t)
{
	if (!t->clear)
		fputc('\n', c->out);
}

void ks_top_json_begin(struct ks_ctx *c, const char *type, const char *by,
		       unsigned long long interval_ns)
{
	static const char *const by_names[] = { "all", "pid", "tid", "cgroup", "pidns" };
	struct ks_json *j = &c->json;

	if (!by)
		by = c->opt.by >= 0 && (size_t)c->opt.by < KS_ARRAY_SIZE(by_names)
			     ? by_names[c->opt.by]
			     : "all";
	ks_json_obj_begin(j, NULL);
	ks_json_str(j, "type", type);
	ks_json_uint(j, "time_ns", ks_now_realtime());
	ks_json_uint(j, "interval_ns", interval_ns);
	ks_json_str(j, "by", by);
	ks_json_arr_begin(j, "rows");
}

void ks_top_json_end(struct ks_ctx *c)
{
	ks_json_arr_end(&c->json);
	ks_json_obj_end(&c->json);
}

void ks_top_who_header(struct ks_ctx *c, int by)
{
	switch (by) {
	case KS_BY_PID:
	case KS_BY_TID:
		fprintf(c->out, "%-7s %-16s ", by == KS_BY_PID ? "PID" : "TID", "COMM");
		break;
	case KS_BY_CGROUP:
		fprintf(c->out, "%-24s ", "CGROUP");
		break;
	default:
		fprintf(c->out, "%-12s ", "PIDNS");
	}
}

void ks_top_who_text(struct ks_ctx *c, int by, unsigned long long who, const char *comm)
{
	char buf[4096];

	switch (by) {
	case KS_BY_PID:
	case KS_BY_TID:
		fprintf(c->out, "%-7llu %-16s ", who,
			ks_text_escape_str(buf, sizeof(buf), comm, strnlen(comm, 16), 0));
		break;
	case KS_BY_CGROUP:
		/* the path is escaped by ks_cgroup_label; long ones push the columns right */
		fprintf(c->out, "%-24s ", ks_cgroup_label(who, buf, sizeof(buf)));
		break;
	default:
		fprintf(c->out, "%-12llu ", who);
	}
}

void ks_top_free(struct ks_top *t)
{
	free(t->tab);
	t->tab = NULL;
	t->ntab = 0;
}
