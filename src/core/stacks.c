// SPDX-License-Identifier: GPL-2.0-only
/* Reports of stack-keyed counts (bpf/stacks.bpf.h): text, folded, JSON and SVG flame graphs. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/flame.h"
#include "core/log.h"
#include "core/maps.h"
#include "core/stacks.h"
#include "core/syms.h"
#include "core/tool.h"
#include "shared/event.h"
#include "shared/stack.h"

#define FRAME_MAX 512 /* bytes of one frame's text */

/* One stack's frames as text, leaf first (resolved per row: rows may share a stack id). */
struct frames {
	char **v;
	unsigned int n;
	bool truncated; /* a user stack that stopped before its thread's entry */
};

struct row {
	struct ks_stack_key key;
	unsigned long long count;
	struct frames k, u, ok; /* kernel, user, the other task's kernel stack */
};

struct ks_stacks {
	struct ks_stack_opts o;
	struct ks_syms *syms;
	struct ks_flame *flame; /* everything counted, for --svg */
	struct row *rows;
	size_t nrows, cap;
	unsigned long long *ips; /* KS_STACK_DEPTH addresses */
	int svg_fd;		 /* --svg FILE, opened before tracing; -1 once written */
	bool svg_created;	 /* by us: removed again if nothing was written */
};

/*
 * --svg FILE is opened (not yet truncated) before anything is traced, so that a path that
 * can't be written ends the tool at once, not after a long run. 0 or -errno (said).
 */
static int svg_open(struct ks_stacks *s)
{
	const char *path = s->o.svg;

	s->svg_fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (s->svg_fd < 0 && errno == ENOENT) {
		s->svg_fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		s->svg_created = s->svg_fd >= 0;
	}
	if (s->svg_fd < 0) {
		int err = errno;

		ks_error("--svg %s: %s", path, strerror(err));
		return -err;
	}
	return 0;
}

struct ks_stacks *ks_stacks_new(const struct ks_stack_opts *o)
{
	struct ks_stacks *s;

	if (o->kernel_only && o->user_only) {
		ks_error("--kernel-stacks-only and --user-stacks-only exclude each other");
		errno = EINVAL;
		return NULL;
	}
	if (o->max_block_us > 0 && o->max_block_us < o->min_block_us) {
		ks_error("--max-block %lld is below --min-block %lld", o->max_block_us,
			 o->min_block_us);
		errno = EINVAL;
		return NULL;
	}
	if (o->folded && o->svg && !strcmp(o->svg, "-")) {
		ks_error("--svg - and --folded both want standard output");
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->o = *o;
	s->svg_fd = -1;
	if (o->svg && strcmp(o->svg, "-") && svg_open(s)) {
		free(s);
		errno = EINVAL; /* the user's path: bad input */
		return NULL;
	}
	if (!s->o.unit)
		s->o.unit = "samples";
	if (!s->o.divisor)
		s->o.divisor = 1;
	s->syms = ks_syms_new();
	s->ips = calloc(KS_STACK_DEPTH, sizeof(*s->ips));
	if (o->svg)
		s->flame = ks_flame_new();
	if (!s->syms || !s->ips || (o->svg && !s->flame)) {
		ks_stacks_free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

static void frames_free(struct frames *f)
{
	for (unsigned int i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static void rows_clear(struct ks_stacks *s)
{
	for (size_t i = 0; i < s->nrows; i++) {
		frames_free(&s->rows[i].k);
		frames_free(&s->rows[i].u);
		frames_free(&s->rows[i].ok);
	}
	s->nrows = 0;
}

void ks_stacks_free(struct ks_stacks *s)
{
	if (!s)
		return;
	rows_clear(s);
	free(s->rows);
	free(s->ips);
	ks_flame_free(s->flame);
	ks_syms_free(s->syms);
	if (s->svg_fd >= 0) {
		close(s->svg_fd);
		if (s->svg_created)
			unlink(s->o.svg);
	}
	free(s);
}

int ks_stacks_configure(struct ks_stacks *s, struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "ks_stack_traces");
	bool k = !s->o.user_only, u = !s->o.kernel_only;
	int err = ks_bpf_set_rodata(obj, "ks_kernel_stacks", &k, sizeof(k));

	if (m && s->o.storage)
		err = err ? err : bpf_map__set_max_entries(m, (unsigned int)s->o.storage);
	if (!err && s->o.min_block_us) {
		/* The off-CPU tools' bounds (KS_BLOCK_OPTS), in their objects' min/max_block_ns. */
		unsigned long long lo = (unsigned long long)s->o.min_block_us * 1000;
		unsigned long long hi = s->o.max_block_us > 0
						? (unsigned long long)s->o.max_block_us * 1000
						: ~0ULL;

		err = ks_bpf_set_rodata(obj, "min_block_ns", &lo, sizeof(lo));
		err = err ? err : ks_bpf_set_rodata(obj, "max_block_ns", &hi, sizeof(hi));
	}
	return err ? err : ks_bpf_set_rodata(obj, "ks_user_stacks", &u, sizeof(u));
}

int ks_stacks_prepare(struct ks_ctx *c, const struct ks_stack_opts *o)
{
	c->stacks = ks_stacks_new(o);
	if (!c->stacks)
		return errno == EINVAL ? KS_EXIT_USAGE : KS_EXIT_FAIL;
	return 0;
}

int ks_stacks_loop_event(struct ks_ctx *c, const void *data, size_t size)
{
	return ks_stacks_on_event(c->stacks, data, size);
}

int ks_stacks_loop_tick(struct ks_ctx *c, bool last)
{
	return ks_stacks_report(c->stacks, c, last);
}

int ks_stacks_on_event(struct ks_stacks *s, const void *data, size_t size)
{
	const struct ks_stack_note *n = data;

	if (size < sizeof(*n))
		return 0;
	if (n->kind == KS_NOTE_EXEC)
		ks_syms_forget(s->syms, (int)n->pid);
	/* A process we can't read (gone already, or /proc/1/maps) resolves as [unknown]. */
	else if (n->kind == KS_NOTE_NEW_PID)
		ks_syms_learn(s->syms, (int)n->pid);
	return 0;
}

bool ks_stack_tracing_frame(const struct ks_sym *sym)
{
	static const char *const prefixes[] = { "bpf_trace_run",  "__bpf_trace_",
						"__traceiter_",	  "perf_trace_",
						"trace_call_bpf", "perf_tp_event",
						"bpf_prog_",	  "__bpf_prog_enter",
						"__bpf_prog_exit" };

	if (sym->module && !strcmp(sym->module, "bpf"))
		return true;
	for (size_t i = 0; sym->name && i < KS_ARRAY_SIZE(prefixes); i++)
		if (!strncmp(sym->name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* Read stack @id and resolve it into @f, leaf first: kernel frames, or user frames of @pid. */
static int resolve(struct ks_stacks *s, int fd, int id, bool user, int pid, struct frames *f)
{
	char buf[FRAME_MAX];
	unsigned int n = 0;

	if (id < 0)
		return 0;
	memset(s->ips, 0, KS_STACK_DEPTH * sizeof(*s->ips));
	if (bpf_map_lookup_elem(fd, &id, s->ips))
		return 0; /* dropped meanwhile (cleared with another interval's counts) */
	while (n < KS_STACK_DEPTH && s->ips[n])
		n++;
	f->v = calloc(n ? n : 1, sizeof(*f->v));
	if (!f->v)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		/* Return addresses point after the call, maybe into the next function. */
		unsigned long long a = s->ips[i] - (i ? 1 : 0);
		struct ks_sym sym;

		if (user)
			ks_syms_user(s->syms, pid, a, &sym);
		else
			ks_syms_kernel(s->syms, a, &sym);
		if (!user && !f->n && ks_stack_tracing_frame(&sym))
			continue;
		ks_sym_folded(&sym, buf, sizeof(buf));
		f->v[f->n] = strdup(buf);
		if (!f->v[f->n])
			return -ENOMEM;
		f->n++;
		/* A user stack that ends short of the depth limit, not at a thread's entry. */
		if (user && i == n - 1 && n < KS_STACK_DEPTH)
			f->truncated = !sym.name || !ks_sym_is_stack_root(sym.name);
	}
	return 0;
}

static const char *errno_text(int id)
{
	switch (-id) {
	case EEXIST:
	case ENOMEM:
		return "[stack lost: stack map full]";
	default:
		return "[stack lost]";
	}
}

/* Read every count (deleting it with @reset, for the next interval) and resolve its stacks. */
static int read_counts(struct ks_stacks *s, struct ks_ctx *c, bool reset)
{
	int cfd = bpf_map__fd(bpf_object__find_map_by_name(c->obj, "ks_counts"));
	int sfd = bpf_map__fd(bpf_object__find_map_by_name(c->obj, "ks_stack_traces"));
	struct ks_map_dump d;
	int err = ks_map_dump(cfd, reset ? KS_MAP_RESET : 0, &d);

	rows_clear(s);
	if (err >= 0 && (d.key_size != sizeof(struct ks_stack_key) || d.cpu_value != 8))
		err = -EINVAL;
	if (err >= 0 && d.n > s->cap) {
		struct row *n = realloc(s->rows, d.n * sizeof(*n));

		if (!n)
			err = -ENOMEM;
		else
			s->rows = n, s->cap = d.n;
	}
	for (size_t i = 0; err >= 0 && i < d.n; i++) {
		struct row *r = &s->rows[s->nrows];

		memset(r, 0, sizeof(*r));
		memcpy(&r->key, ks_map_dump_key(&d, i), sizeof(r->key));
		memcpy(&r->count, ks_map_dump_value(&d, i, 0), sizeof(r->count));
		if (r->count)
			s->nrows++;
	}
	ks_map_dump_free(&d);
	if (err < 0)
		return err;
	err = 0;
	ks_syms_kernel_refresh(s->syms);
	for (size_t i = 0; i < s->nrows && !err; i++) {
		struct row *r = &s->rows[i];

		err = resolve(s, sfd, r->key.kstack, false, 0, &r->k);
		if (!err)
			err = resolve(s, sfd, r->key.ustack, true, (int)r->key.pid, &r->u);
		if (!err && s->o.other_label)
			err = resolve(s, sfd, r->key.other_kstack, false, 0, &r->ok);
	}
	return err;
}

/* Free the stacks the counts just read named, for the next interval. */
static void clear_stacks(struct ks_stacks *s, struct ks_ctx *c)
{
	int sfd = bpf_map__fd(bpf_object__find_map_by_name(c->obj, "ks_stack_traces"));

	for (size_t i = 0; i < s->nrows; i++) {
		const struct ks_stack_key *k = &s->rows[i].key;

		if (k->kstack >= 0)
			bpf_map_delete_elem(sfd, &k->kstack);
		if (k->ustack >= 0)
			bpf_map_delete_elem(sfd, &k->ustack);
		if (k->other_kstack >= 0)
			bpf_map_delete_elem(sfd, &k->other_kstack);
	}
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->key.pid != y->key.pid)
		return x->key.pid < y->key.pid ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

/* The frames of a row root first, as folded stacks and flame graphs want them. */
static size_t row_path(struct ks_stacks *s, const struct row *r, const char **v, size_t cap)
{
	static char comm[2][4 * KS_COMM_LEN + 1];
	const unsigned int esc = KS_ESC_FOLDED | KS_ESC_NOSPACE;
	size_t n = 0;

	ks_text_escape_str(comm[0], sizeof(comm[0]), r->key.comm,
			   strnlen(r->key.comm, sizeof(r->key.comm)), esc);
	if (s->o.other_label) {
		ks_text_escape_str(comm[1], sizeof(comm[1]), r->key.other_comm,
				   strnlen(r->key.other_comm, sizeof(r->key.other_comm)), esc);
		v[n++] = comm[1];
		v[n++] = "--";
	}
	v[n++] = comm[0];
	if (r->u.truncated && n < cap)
		v[n++] = "[truncated]";
	if (r->key.ustack < 0 && r->key.ustack != -14 && n < cap)
		v[n++] = errno_text(r->key.ustack);
	for (unsigned int i = r->u.n; i-- > 0 && n < cap;)
		v[n++] = r->u.v[i];
	if (s->o.delimited && r->u.n && r->k.n && n < cap)
		v[n++] = "-";
	if (r->key.kstack < 0 && r->key.kstack != -14 && n < cap)
		v[n++] = errno_text(r->key.kstack);
	for (unsigned int i = r->k.n; i-- > 0 && n < cap;)
		v[n++] = r->k.v[i];
	return n;
}

static void print_folded(struct ks_stacks *s, struct ks_ctx *c)
{
	const char *v[3 * KS_STACK_DEPTH + 8];

	for (size_t i = 0; i < s->nrows; i++) {
		const struct row *r = &s->rows[i];
		size_t n = row_path(s, r, v, KS_ARRAY_SIZE(v));

		/*
		 * One stack per line whatever the names: row_path escaped the process names,
		 * ks_sym_folded the symbols (a binary's author chooses them).
		 */
		for (size_t j = 0; j < n; j++)
			fprintf(c->out, "%s%s", j ? ";" : "", v[j]);
		fprintf(c->out, " %llu\n", r->count / s->o.divisor);
	}
}

static void json_frames(struct ks_json *j, const char *key, const struct frames *f)
{
	ks_json_arr_begin(j, key);
	for (unsigned int i = 0; i < f->n; i++)
		ks_json_str(j, NULL, f->v[i]);
	ks_json_arr_end(j);
}

static void print_json(struct ks_stacks *s, struct ks_ctx *c, size_t n, unsigned long long total)
{
	struct ks_json *j = &c->json;

	ks_json_obj_begin(j, NULL);
	ks_json_str(j, "type", "stacks");
	ks_json_str(j, "unit", s->o.unit);
	ks_json_uint(j, "total", total / s->o.divisor);
	ks_json_arr_begin(j, "stacks");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &s->rows[i];

		ks_json_obj_begin(j, NULL);
		ks_json_uint(j, "pid", r->key.pid);
		if (r->key.tid)
			ks_json_uint(j, "tid", r->key.tid);
		ks_json_strn(j, "comm", r->key.comm, strnlen(r->key.comm, sizeof(r->key.comm)));
		ks_json_uint(j, "count", r->count / s->o.divisor);
		/* Frames leaf first, as in the text output. */
		if (!s->o.user_only)
			json_frames(j, "kernel", &r->k);
		if (!s->o.kernel_only) {
			json_frames(j, "user", &r->u);
			ks_json_bool(j, "user_truncated", r->u.truncated);
		}
		if (r->key.kstack < 0 && r->key.kstack != -14)
			ks_json_str(j, "kernel_error", errno_text(r->key.kstack));
		if (r->key.ustack < 0 && r->key.ustack != -14)
			ks_json_str(j, "user_error", errno_text(r->key.ustack));
		if (s->o.other_label) {
			ks_json_obj_begin(j, s->o.other_label);
			ks_json_uint(j, "pid", r->key.other_pid);
			ks_json_strn(j, "comm", r->key.other_comm,
				     strnlen(r->key.other_comm, sizeof(r->key.other_comm)));
			if (r->key.other_kstack >= 0)
				json_frames(j, "kernel", &r->ok);
			ks_json_obj_end(j);
		}
		ks_json_obj_end(j);
	}
	ks_json_arr_end(j);
	ks_json_obj_end(j);
}

/*
 * One frame on its own line, without the folded form's kind annotation; as ks_sym_folded
 * made it, so escaped already (a ';' in a name shows as '_' here too).
 */
static void text_frame(FILE *f, const char *v)
{
	size_t n = strlen(v);

	if (n > 4 && (!strcmp(v + n - 4, "_[k]") || !strcmp(v + n - 4, "_[j]")))
		n -= 4;
	fprintf(f, "    %.*s\n", (int)n, v);
}

/* A process name for the text report, escaped: at most 4 bytes per byte of a comm. */
static const char *text_comm(char *buf, size_t size, const char *comm)
{
	return ks_text_escape_str(buf, size, comm, strnlen(comm, KS_COMM_LEN), 0);
}

/* BCC's layout: frames leaf first, indented, then "-  comm (pid)" and the count. */
static void print_text(struct ks_stacks *s, struct ks_ctx *c, size_t n)
{
	/* The largest last, next to the prompt, as BCC does. */
	for (size_t i = n; i-- > 0;) {
		const struct row *r = &s->rows[i];

		if (r->key.kstack < 0 && r->key.kstack != -14)
			fprintf(c->out, "    %s\n", errno_text(r->key.kstack));
		for (unsigned int j = 0; j < r->k.n; j++)
			text_frame(c->out, r->k.v[j]);
		if (s->o.delimited && r->k.n && r->u.n)
			fprintf(c->out, "    --\n");
		if (r->key.ustack < 0 && r->key.ustack != -14)
			fprintf(c->out, "    %s\n", errno_text(r->key.ustack));
		for (unsigned int j = 0; j < r->u.n; j++)
			text_frame(c->out, r->u.v[j]);
		if (r->u.truncated)
			fprintf(c->out, "    [truncated: no frame pointers?]\n");
		char comm[4 * KS_COMM_LEN + 1];

		fprintf(c->out, "    -                %s (%u",
			text_comm(comm, sizeof(comm), r->key.comm), r->key.pid);
		if (r->key.tid)
			fprintf(c->out, "/%u", r->key.tid);
		fprintf(c->out, ")\n");
		if (s->o.other_label) {
			for (unsigned int j = 0; j < r->ok.n; j++)
				text_frame(c->out, r->ok.v[j]);
			fprintf(c->out, "    %-16s %s (%u)\n", s->o.other_label,
				text_comm(comm, sizeof(comm), r->key.other_comm), r->key.other_pid);
		}
		fprintf(c->out, "        %llu\n\n", r->count / s->o.divisor);
	}
}

static int flame_add(struct ks_stacks *s)
{
	const char *v[3 * KS_STACK_DEPTH + 8];

	for (size_t i = 0; i < s->nrows; i++) {
		const struct row *r = &s->rows[i];
		size_t n = row_path(s, r, v, KS_ARRAY_SIZE(v));
		int err = ks_flame_add(s->flame, v, n, r->count / s->o.divisor);

		if (err)
			return err;
	}
	return 0;
}

static int write_svg(struct ks_stacks *s, struct ks_ctx *c)
{
	struct ks_flame_opts fo = { .title = s->o.title, .unit = s->o.unit };
	char sub[128];
	FILE *f = stdout;
	int err;

	if (s->svg_fd >= 0) {
		/* Emptied only now: a run that failed leaves an earlier graph as it was. */
		if (ftruncate(s->svg_fd, 0) && errno != EINVAL)
			f = NULL;
		else
			f = fdopen(s->svg_fd, "w");
		if (!f) {
			err = errno;
			ks_error("cannot write the flame graph to %s: %s", s->o.svg, strerror(err));
			return ks_fail(c, KS_EXIT_FAIL, err);
		}
		s->svg_fd = -1; /* the FILE has it now */
		s->svg_created = false;
	}
	snprintf(sub, sizeof(sub), "kscope %s, %llu %s", c->tool->name, ks_flame_total(s->flame),
		 s->o.unit);
	fo.subtitle = sub;
	err = ks_flame_write_svg(s->flame, f, &fo);
	if (f == stdout && err != -ENOMEM) {
		/* Standard output's failures are said (once) by ks_out_flush; EPIPE is quiet. */
		err = ks_out_flush(f);
		return err && err != -EPIPE ? ks_fail(c, KS_EXIT_FAIL, -err) : 0;
	}
	if (fclose(f) && !err)
		err = -errno;
	if (err) {
		ks_error("cannot write the flame graph to %s: %s", s->o.svg, strerror(-err));
		return ks_fail(c, KS_EXIT_FAIL, -err);
	}
	return 0;
}

/* Say how many counts found the counts map full (they are in no stack). */
static void warn_dropped(struct ks_ctx *c)
{
	struct bpf_map *m = bpf_object__find_map_by_name(c->obj, "ks_counts_dropped");
	unsigned long long sum = m ? ks_percpu_sum(bpf_map__fd(m), 0) : 0;

	if (sum)
		ks_warn("%llu counts were dropped: the table of distinct stacks was full "
			"(%u entries)",
			sum,
			bpf_map__max_entries(bpf_object__find_map_by_name(c->obj, "ks_counts")));
}

int ks_stacks_report(struct ks_stacks *s, struct ks_ctx *c, bool last)
{
	bool reset = c->opt.interval > 0 && !last;
	unsigned long long total = 0;
	size_t n;
	int err = read_counts(s, c, reset);

	if (err)
		return err;
	if (s->nrows > 1) /* nothing collected: rows is NULL, which qsort must not get */
		qsort(s->rows, s->nrows, sizeof(*s->rows), row_cmp);
	for (size_t i = 0; i < s->nrows; i++)
		total += s->rows[i].count;
	n = s->o.top ? KS_MIN(s->nrows, (size_t)s->o.top) : s->nrows;
	if (c->opt.interval > 0 && !c->opt.json && !s->o.folded)
		ks_print_report_time(c->out);
	if (c->opt.json)
		print_json(s, c, n, total);
	else if (s->o.folded)
		print_folded(s, c);
	else if (!s->o.svg || strcmp(s->o.svg, "-"))
		print_text(s, c, n);
	if (s->flame && (err = flame_add(s)))
		return err;
	if (reset)
		clear_stacks(s, c);
	if (last)
		warn_dropped(c);
	if (last && s->flame)
		return write_svg(s, c);
	return 0;
}
