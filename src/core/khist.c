// SPDX-License-Identifier: GPL-2.0-only
/* Keyed log2 histograms: read and reset a BPF hash map of them, sort, print as text or JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/cgroup.h"
#include "core/clock.h"
#include "core/hist.h"
#include "core/khist.h"
#include "core/maps.h"
#include "core/tool.h"

struct ks_khist {
	struct ks_map_dump dump;
	struct ks_khist_row *rows;
	size_t n;
};

static void khist_free(struct ks_khist *h)
{
	if (!h)
		return;
	ks_map_dump_free(&h->dump);
	free(h->rows);
	free(h);
}

/*
 * Read every key's histogram and delete it from the map, so each report covers the time
 * since the previous one; rows with no samples are dropped. Returns the rows or -errno.
 */
static int khist_collect(struct ks_khist *h, int fd, size_t key_size)
{
	struct ks_khist_row *r;
	int n;

	ks_map_dump_free(&h->dump);
	h->n = 0;
	n = ks_map_dump(fd, KS_MAP_RESET, &h->dump);
	if (n < 0)
		return n;
	if (h->dump.key_size != key_size || h->dump.cpu_value != sizeof(struct ks_hist_val))
		return -EINVAL;
	r = realloc(h->rows, (h->dump.n ? h->dump.n : 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	h->rows = r;
	for (size_t i = 0; i < h->dump.n; i++) {
		const struct ks_hist_val *v = ks_map_dump_value(&h->dump, i, 0);

		if (!v->count)
			continue;
		h->rows[h->n].key = ks_map_dump_key(&h->dump, i);
		h->rows[h->n].val = *v;
		h->n++;
	}
	return (int)h->n;
}

/* qsort has no argument pointer: the report in progress. */
static const struct ks_khist_fmt *sort_fmt;
static size_t sort_key_size;

static int row_cmp(const void *a, const void *b)
{
	const struct ks_khist_row *x = a, *y = b;

	if (sort_fmt->cmp)
		return sort_fmt->cmp(x, y);
	if (sort_fmt->total && x->val.sum != y->val.sum)
		return x->val.sum < y->val.sum ? 1 : -1;
	if (x->val.count != y->val.count)
		return x->val.count < y->val.count ? 1 : -1;
	return memcmp(x->key, y->key, sort_key_size);
}

static void report_json(struct ks_ctx *c, const struct ks_khist *h, const struct ks_khist_fmt *f)
{
	struct ks_json *j = &c->json;

	ks_json_obj_begin(j, NULL);
	ks_json_str(j, "type", f->type);
	ks_json_uint(j, "time_ns", ks_now_realtime());
	ks_json_str(j, "by", f->by);
	if (f->hist)
		ks_json_str(j, "unit", f->unit);
	ks_json_arr_begin(j, "rows");
	for (size_t i = 0; i < h->n; i++) {
		const struct ks_khist_row *r = &h->rows[i];

		ks_json_obj_begin(j, NULL);
		if (f->json_key)
			f->json_key(j, r);
		ks_json_uint(j, "count", r->val.count);
		if (f->total)
			ks_json_uint(j, "total_ns", r->val.sum);
		if (f->hist)
			ks_hist_json_log2(j, "hist", r->val.slots, KS_HIST_SLOTS, f->unit);
		ks_json_obj_end(j);
	}
	ks_json_arr_end(j);
	ks_json_obj_end(j);
}

static void report_text(struct ks_ctx *c, const struct ks_khist *h, const struct ks_khist_fmt *f)
{
	char label[256];

	if (!f->hist) {
		fprintf(c->out, "%-24s %11s", f->label_title, "COUNT");
		if (f->total)
			fprintf(c->out, " %11s_%s", "TOTAL", f->unit);
		fputc('\n', c->out);
	}
	for (size_t i = 0; i < h->n; i++) {
		const struct ks_khist_row *r = &h->rows[i];

		label[0] = '\0';
		if (f->label)
			f->label(r, label, sizeof(label));
		if (!f->hist) {
			fprintf(c->out, "%-24s %11llu", label, r->val.count);
			if (f->total)
				fprintf(c->out, " %*llu", 12 + (int)strlen(f->unit),
					r->val.sum / (f->total_div ? f->total_div : 1));
			fputc('\n', c->out);
			continue;
		}
		if (f->key_name && *f->key_name)
			fprintf(c->out, "%s%s = %s\n", i ? "\n" : "", f->key_name, label);
		else if (f->key_name)
			fprintf(c->out, "%s%s\n", i ? "\n" : "", label);
		ks_hist_print_log2(c->out, r->val.slots, KS_HIST_SLOTS, f->unit);
	}
}

static unsigned long long key_u64(const struct ks_khist_row *r)
{
	unsigned long long k;

	memcpy(&k, r->key, sizeof(k));
	return k;
}

void ks_khist_task_label(int by, unsigned long long key, const char *comm, char *buf, size_t len)
{
	char esc[4 * 16 + 1];

	switch (by) {
	case KS_BY_PID:
	case KS_BY_TID:
		ks_text_escape_str(esc, sizeof(esc), comm, strnlen(comm, 16), 0);
		snprintf(buf, len, "%llu (%s)", key, esc);
		break;
	case KS_BY_CGROUP:
		ks_cgroup_label(key, buf, len);
		break;
	default:
		snprintf(buf, len, "%llu", key);
	}
}

void ks_khist_task_json(struct ks_json *j, int by, unsigned long long key, const char *comm)
{
	switch (by) {
	case KS_BY_PID:
	case KS_BY_TID:
		ks_json_uint(j, by == KS_BY_PID ? "pid" : "tid", key);
		ks_json_strn(j, "comm", comm, strnlen(comm, 16));
		break;
	case KS_BY_CGROUP:
		ks_cgroup_json(j, key);
		break;
	case KS_BY_PIDNS:
		ks_json_uint(j, "pidns", key);
		break;
	}
}

static void label_task(const struct ks_khist_row *r, char *buf, size_t len)
{
	ks_khist_task_label(KS_BY_PID, key_u64(r), r->val.comm, buf, len);
}

static void label_cgroup(const struct ks_khist_row *r, char *buf, size_t len)
{
	ks_khist_task_label(KS_BY_CGROUP, key_u64(r), NULL, buf, len);
}

static void label_number(const struct ks_khist_row *r, char *buf, size_t len)
{
	ks_khist_task_label(KS_BY_PIDNS, key_u64(r), NULL, buf, len);
}

static void json_pid(struct ks_json *j, const struct ks_khist_row *r)
{
	ks_khist_task_json(j, KS_BY_PID, key_u64(r), r->val.comm);
}

static void json_tid(struct ks_json *j, const struct ks_khist_row *r)
{
	ks_khist_task_json(j, KS_BY_TID, key_u64(r), r->val.comm);
}

static void json_cgroup(struct ks_json *j, const struct ks_khist_row *r)
{
	ks_khist_task_json(j, KS_BY_CGROUP, key_u64(r), NULL);
}

static void json_pidns(struct ks_json *j, const struct ks_khist_row *r)
{
	ks_khist_task_json(j, KS_BY_PIDNS, key_u64(r), NULL);
}

void ks_khist_fmt_task(struct ks_khist_fmt *f, enum ks_hist_by by)
{
	static const struct {
		const char *name;
		void (*label)(const struct ks_khist_row *r, char *buf, size_t len);
		void (*json_key)(struct ks_json *j, const struct ks_khist_row *r);
	} kinds[] = {
		[KS_BY_ALL] = { "all", NULL, NULL },
		[KS_BY_PID] = { "pid", label_task, json_pid },
		[KS_BY_TID] = { "tid", label_task, json_tid },
		[KS_BY_CGROUP] = { "cgroup", label_cgroup, json_cgroup },
		[KS_BY_PIDNS] = { "pidns", label_number, json_pidns },
	};

	if ((size_t)by >= KS_ARRAY_SIZE(kinds))
		by = KS_BY_ALL;
	f->by = kinds[by].name;
	f->key_name = by == KS_BY_ALL ? NULL : kinds[by].name;
	f->label = kinds[by].label;
	f->json_key = kinds[by].json_key;
}

void ks_khist_fmt_release(struct ks_khist_fmt *f)
{
	khist_free(f->reader);
	f->reader = NULL;
}

int ks_khist_report(struct ks_ctx *c, struct ks_khist_fmt *fmt, bool last)
{
	struct bpf_map *m = bpf_object__find_map_by_name(c->obj, fmt->map);
	struct ks_khist *h;
	int n;

	if (!m)
		return -ENOENT;
	if (!fmt->reader && !(fmt->reader = calloc(1, sizeof(*fmt->reader))))
		return -ENOMEM;
	h = fmt->reader;
	n = khist_collect(h, bpf_map__fd(m), fmt->key_size);
	if (n < 0)
		return n;
	sort_fmt = fmt;
	sort_key_size = fmt->key_size;
	qsort(h->rows, h->n, sizeof(*h->rows), row_cmp);
	if (c->opt.json) {
		report_json(c, h, fmt);
		return 0;
	}
	if (c->opt.interval > 0 || c->opt.timestamp)
		ks_print_report_time(c->out);
	report_text(c, h, fmt);
	if (!last || c->opt.interval > 0)
		fputc('\n', c->out);
	return 0;
}

int ks_khist_loop_tick(struct ks_ctx *c, bool last)
{
	return ks_khist_report(c, &c->khist, last);
}

int ks_khist_configure(struct ks_ctx *c)
{
	int by = c->opt.by;
	int err = ks_bpf_set_rodata(c->obj, "ks_by", &by, sizeof(by));

	if (!err && by == KS_BY_ALL && c->khist.map) {
		struct bpf_map *m = bpf_object__find_map_by_name(c->obj, c->khist.map);

		err = m ? bpf_map__set_max_entries(m, 1) : -ENOENT;
	}
	return err;
}
