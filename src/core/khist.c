// SPDX-License-Identifier: GPL-2.0-only
/* Keyed log2 histograms: read and reset a BPF hash map of them, sort, print as text or JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/cgroup.h"
#include "core/hist.h"
#include "core/khist.h"
#include "core/tool.h"

struct ks_khist {
	const char *map;
	int fd;
	size_t key_size;
	unsigned char *keys; /* cap * key_size */
	struct ks_khist_row *rows;
	size_t n, cap;
};

struct ks_khist *ks_khist_new(const char *map, size_t key_size)
{
	struct ks_khist *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->map = map;
	h->key_size = key_size ? key_size : 1;
	return h;
}

void ks_khist_free(struct ks_khist *h)
{
	if (!h)
		return;
	free(h->keys);
	free(h->rows);
	free(h);
}

static int grow(struct ks_khist *h)
{
	size_t cap = h->cap ? h->cap * 2 : 64;
	unsigned char *k = realloc(h->keys, cap * h->key_size);
	struct ks_khist_row *r;

	if (!k)
		return -ENOMEM;
	h->keys = k;
	r = realloc(h->rows, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	h->rows = r;
	h->cap = cap;
	return 0;
}

int ks_khist_collect(struct ks_khist *h, int map_fd)
{
	size_t nkeys = 0, out = 0;
	int err;

	h->fd = map_fd;
	/* First every key (deleting while walking would restart the walk), then the values. */
	for (;;) {
		if (nkeys == h->cap && (err = grow(h)))
			return err;
		if (bpf_map_get_next_key(h->fd, nkeys ? h->keys + (nkeys - 1) * h->key_size : NULL,
					 h->keys + nkeys * h->key_size))
			break;
		nkeys++;
	}
	for (size_t i = 0; i < nkeys; i++) {
		void *key = h->keys + i * h->key_size;
		struct ks_khist_row *r = &h->rows[out];

		if (bpf_map_lookup_and_delete_elem(h->fd, key, &r->val) &&
		    (bpf_map_lookup_elem(h->fd, key, &r->val) || bpf_map_delete_elem(h->fd, key)))
			continue;
		if (!r->val.count)
			continue;
		/* Rows stay in key order until sorted: the key slot of row @out is free. */
		if (out != i)
			memcpy(h->keys + out * h->key_size, key, h->key_size);
		out++;
	}
	for (size_t i = 0; i < out; i++)
		h->rows[i].key = h->keys + i * h->key_size;
	h->n = out;
	return (int)out;
}

size_t ks_khist_rows(const struct ks_khist *h)
{
	return h->n;
}

const struct ks_khist_row *ks_khist_row(const struct ks_khist *h, size_t i)
{
	return i < h->n ? &h->rows[i] : NULL;
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
		if (f->key_name)
			fprintf(c->out, "%s%s = %s\n", i ? "\n" : "", f->key_name, label);
		ks_hist_print_log2(c->out, r->val.slots, KS_HIST_SLOTS, f->unit);
	}
}

static unsigned long long key_u64(const struct ks_khist_row *r)
{
	unsigned long long k;

	memcpy(&k, r->key, sizeof(k));
	return k;
}

static int comm_len(const struct ks_khist_row *r)
{
	return (int)strnlen(r->val.comm, sizeof(r->val.comm));
}

static void label_task(const struct ks_khist_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%llu (%.*s)", key_u64(r), comm_len(r), r->val.comm);
}

static void label_cgroup(const struct ks_khist_row *r, char *buf, size_t len)
{
	ks_cgroup_label(key_u64(r), buf, len);
}

static void label_number(const struct ks_khist_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", key_u64(r));
}

static void json_pid(struct ks_json *j, const struct ks_khist_row *r)
{
	ks_json_uint(j, "pid", key_u64(r));
	ks_json_strn(j, "comm", r->val.comm, (size_t)comm_len(r));
}

static void json_tid(struct ks_json *j, const struct ks_khist_row *r)
{
	ks_json_uint(j, "tid", key_u64(r));
	ks_json_strn(j, "comm", r->val.comm, (size_t)comm_len(r));
}

static void json_cgroup(struct ks_json *j, const struct ks_khist_row *r)
{
	ks_cgroup_json(j, key_u64(r));
}

static void json_pidns(struct ks_json *j, const struct ks_khist_row *r)
{
	ks_json_uint(j, "pidns", key_u64(r));
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
	ks_khist_free(f->reader);
	f->reader = NULL;
}

int ks_khist_report(struct ks_ctx *c, struct ks_khist_fmt *fmt, bool last)
{
	struct bpf_map *m = bpf_object__find_map_by_name(c->obj, fmt->map);
	struct ks_khist *h;
	int n;

	if (!m)
		return -ENOENT;
	if (!fmt->reader && !(fmt->reader = ks_khist_new(fmt->map, fmt->key_size)))
		return -ENOMEM;
	h = fmt->reader;
	n = ks_khist_collect(h, bpf_map__fd(m));
	if (n < 0)
		return n;
	sort_fmt = fmt;
	sort_key_size = h->key_size;
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

static struct ks_khist_fmt *active;

static int loop_tick(struct ks_ctx *c, bool last)
{
	return ks_khist_report(c, active, last);
}

const struct ks_loop *ks_khist_loop(struct ks_khist_fmt *fmt)
{
	static const struct ks_loop loop = { .on_tick = loop_tick };

	active = fmt;
	return &loop;
}
