// SPDX-License-Identifier: GPL-2.0-only
/* The language's runtime: maps, loading, attaching, the event loop, printing at exit. */
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/btf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/btf.h"
#include "core/common.h"
#include "core/clock.h"
#include "core/detach.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/maps.h"
#include "core/out.h"
#include "core/syms.h"
#include "lang/run.h"

struct rt {
	struct lang_compiled *c;
	const struct lang_run_opts *o;
	int ncpus;
	int *fds; /* attach fds */
	size_t nfds;
	struct ring_buffer *rb;
	struct ks_syms *syms;
	bool exit_seen;
	int out_err; /* ks_out_flush's failure: -EPIPE stops quietly, others exit 1 */
	int status;
	unsigned long long events;
	struct lang_print_env env;
	struct lang_print_opts popts;
};

/* --- what the printer cannot know: symbols, stacks, probe names --------------------------- */

/* A kernel (@pid < 0) or user address as "sym", "sym+off" (@off) or "0x..." if unknown. */
static void print_addr(struct rt *r, FILE *f, int pid, unsigned long long a, bool off)
{
	struct ks_sym s;
	int err = pid < 0 ? ks_syms_kernel(r->syms, a, &s) : ks_syms_user(r->syms, pid, a, &s);

	if (err || !s.name)
		fprintf(f, "0x%llx", a);
	else if (off)
		fprintf(f, "%s+%llu", s.name, s.offset);
	else
		fputs(s.name, f);
}

static void print_stack(struct rt *r, FILE *f, bool user, uint64_t v, int indent)
{
	int map = user ? r->c->ustacks : r->c->kstacks;
	int32_t id = (int32_t)(uint32_t)v;
	int pid = (int)((v >> 32) & 0xffffff);
	unsigned limit = (unsigned)(v >> 56);
	uint64_t ips[127];

	memset(ips, 0, sizeof(ips));
	fputc('\n', f);
	if (id == -EFAULT)
		return; /* no stack of this kind (a kernel thread's user stack): empty, as bpftrace
			 */
	if (id < 0 || map < 0 || bpf_map_lookup_elem(r->c->maps[map].fd, &id, ips)) {
		fprintf(f, "%*s[stack lost]\n", indent, "");
		return;
	}
	for (size_t i = 0; i < 127 && ips[i] && (!limit || i < limit); i++) {
		fprintf(f, "%*s", indent, "");
		print_addr(r, f, user ? pid : -1, ips[i], true);
		fputc('\n', f);
	}
}

static const char *user_name(uint64_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid((uid_t)uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%llu", (unsigned long long)uid);
	return buf;
}

/* The printer's hook for what needs symbols or names; plain text (it escapes JSON). */
static void special(void *ctx, FILE *f, const struct lang_field *fl, const void *data, int pid,
		    unsigned flags)
{
	struct rt *r = ctx;
	uint64_t v, p;
	char name[64];

	(void)pid;
	memcpy(&v, data, 8);
	switch (fl->type) {
	case LV_KSTACK:
	case LV_USTACK:
		print_stack(r, f, fl->type == LV_USTACK, v, flags & LANG_SPECIAL_KEY ? 4 : 8);
		return;
	case LV_KSYM:
		print_addr(r, f, -1, v, false);
		return;
	case LV_USYM:
		memcpy(&p, (const char *)data + 8, 8);
		print_addr(r, f, (int)p, v, false);
		return;
	case LV_PROBE:
		if (v < r->c->nprobe_names)
			fputs(r->c->probe_names[v], f);
		return;
	case LV_USERNAME:
		fputs(user_name(v, name, sizeof(name)), f);
		return;
	default:
		fprintf(f, "%llu", (unsigned long long)v);
	}
}

/* --- maps ---------------------------------------------------------------------------------- */

/*
 * Hash maps are not preallocated (@lazy) where the kernel allocates map elements safely in
 * any context (its BPF memory allocator, struct bpf_mem_alloc in its BTF): preallocating
 * 4096 entries per CPU costs milliseconds of start-up per map. Older kernels refuse
 * run-time allocated hash maps in perf_event programs and warn (a kernel WARNING) for other
 * tracing programs.
 */
static int map_create(struct lang_cmap *m, bool lazy)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo);

	char name[16] = "ks_";
	size_t k = 3;

	for (const char *s = m->name; *s && k < sizeof(name) - 1; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_')
			name[k++] = *s;
	name[k] = 0;
	if (lazy && (m->bpf_type == BPF_MAP_TYPE_HASH || m->bpf_type == BPF_MAP_TYPE_PERCPU_HASH))
		mo.map_flags = BPF_F_NO_PREALLOC;
	m->fd = bpf_map_create(m->bpf_type, name, m->key_size, m->val_size, m->max_entries, &mo);
	if (m->fd < 0) {
		int err = errno;

		ks_error("cannot create map %s: %s", m->name, strerror(err));
		return -err;
	}
	return 0;
}

static bool percpu(const struct lang_cmap *m)
{
	return m->bpf_type == BPF_MAP_TYPE_PERCPU_HASH || m->bpf_type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* Sum the per-CPU copies of one value into @out (the merged layout of print.h). */
static void merge(const struct rt *r, const struct lang_cmap *m, const char *in, char *out)
{
	uint32_t vs = (m->val_size + 7) & ~7u;
	enum lang_agg agg = m->info.agg;

	memset(out, 0, m->val_size);
	for (int cpu = 0; cpu < r->ncpus; cpu++) {
		const char *v = in + (size_t)cpu * vs;

		if (agg == LA_MIN || agg == LA_MAX) {
			int64_t val, have, cur, seen;

			memcpy(&val, v, 8);
			memcpy(&have, v + 8, 8);
			memcpy(&cur, out, 8);
			memcpy(&seen, out + 8, 8);
			if (!have)
				continue;
			if (!seen || (agg == LA_MIN ? val < cur : val > cur))
				memcpy(out, &val, 8);
			seen = 1;
			memcpy(out + 8, &seen, 8);
			continue;
		}
		for (uint32_t i = 0; i + 8 <= m->val_size; i += 8) {
			uint64_t a, b;

			memcpy(&a, out + i, 8);
			memcpy(&b, v + i, 8);
			a += b;
			memcpy(out + i, &a, 8);
		}
	}
}

/* Read all of map @m: keys and merged values, in one block each. */
static int map_read(struct rt *r, struct lang_cmap *m, char **keys, char **vals, size_t *n)
{
	struct ks_map_dump d;
	int err = ks_map_dump(m->fd, 0, &d);
	char *v = NULL;

	if (err >= 0 && (d.key_size != m->key_size || d.cpu_value != m->val_size))
		err = -EINVAL;
	if (err >= 0 && !(v = malloc(d.n ? d.n * m->val_size : 1)))
		err = -ENOMEM;
	for (size_t i = 0; err >= 0 && i < d.n; i++) {
		if (percpu(m))
			merge(r, m, ks_map_dump_value(&d, i, 0), v + i * m->val_size);
		else
			memcpy(v + i * m->val_size, ks_map_dump_value(&d, i, 0), m->val_size);
	}
	if (err < 0) {
		free(v);
		ks_map_dump_free(&d);
		return err;
	}
	*keys = d.keys;
	*vals = v;
	*n = d.n;
	d.keys = NULL;
	ks_map_dump_free(&d);
	return 0;
}

static int map_print(struct rt *r, struct lang_cmap *m, long long top, long long div)
{
	char *keys = NULL, *vals = NULL;
	struct lang_entry *e;
	size_t n = 0;
	struct lang_print_opts po = r->popts;
	int err = map_read(r, m, &keys, &vals, &n);

	if (err)
		return err;
	e = calloc(n ? n : 1, sizeof(*e));
	if (!e) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		e[i].key = keys + i * m->key_size;
		e[i].val = vals + i * m->val_size;
	}
	po.top = top;
	po.div = div;
	err = lang_print_map(r->o->out, &m->info, e, n, &po);
	free(e);
	free(keys);
	free(vals);
	return err;
}

static bool user_map(const struct rt *r, int i)
{
	return r->c->maps[i].name[0] == '@';
}

static int cmp_map_names(const void *a, const void *b)
{
	const struct lang_cmap *x = *(const struct lang_cmap *const *)a;
	const struct lang_cmap *y = *(const struct lang_cmap *const *)b;

	return strcmp(x->name, y->name);
}

/* At exit: every map, by name, as bpftrace does. */
static void print_all_maps(struct rt *r)
{
	struct lang_cmap **v = calloc(r->c->nmaps ? r->c->nmaps : 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return;
	for (size_t i = 0; i < r->c->nmaps; i++)
		if (user_map(r, (int)i))
			v[n++] = &r->c->maps[i];
	qsort(v, n, sizeof(*v), cmp_map_names);
	if (!r->o->json)
		fputs("\n\n", r->o->out);
	for (size_t i = 0; i < n; i++)
		map_print(r, v[i], 0, 0);
	free(v);
}

/* --- records ------------------------------------------------------------------------------- */

static int on_record(void *ctx, void *data, size_t size)
{
	struct rt *r = ctx;
	const struct lang_rec *h = data;
	const char *args = (const char *)data + sizeof(*h);
	FILE *f = r->o->out;

	if (size < sizeof(*h) || r->out_err)
		return 0;
	r->events++;
	switch (h->kind) {
	case LANG_REC_PRINTF:
	case LANG_REC_PRINT_VAL:
	case LANG_REC_TIME: {
		const struct lang_cfmt *fm;

		if (h->id >= r->c->nfmts)
			return 0;
		fm = &r->c->fmts[h->id];
		if (size < sizeof(*h) + fm->size)
			return 0;
		if (h->kind == LANG_REC_PRINT_VAL) {
			lang_print_value(f, &fm->args[0], args, (int)h->pid, &r->popts);
		} else if (h->kind == LANG_REC_TIME) {
			char buf[256];
			time_t t = time(NULL);
			struct tm tm;

			localtime_r(&t, &tm);
			if (!strftime(buf, sizeof(buf), fm->fmt, &tm))
				buf[0] = 0;
			if (r->o->json) {
				fputs("{\"type\": \"time\", \"data\": ", f);
				lang_print_json_str(f, buf);
				fputs("}\n", f);
			} else {
				fputs(buf, f);
			}
		} else if (r->o->json) {
			char *s = lang_format_str(fm->fmt, fm->args, fm->nargs, args, (int)h->pid,
						  &r->popts);

			if (s) {
				fputs("{\"type\": \"printf\", \"data\": ", f);
				lang_print_json_str(f, s);
				fputs("}\n", f);
				free(s);
			}
		} else {
			lang_format(f, fm->fmt, fm->args, fm->nargs, args, (int)h->pid, &r->popts);
		}
		break;
	}
	case LANG_REC_PRINT_MAP: {
		int64_t top, div;

		if (h->id >= r->c->nmaps || size < sizeof(*h) + 16)
			return 0;
		memcpy(&top, args, 8);
		memcpy(&div, args + 8, 8);
		map_print(r, &r->c->maps[h->id], top, div);
		break;
	}
	case LANG_REC_CLEAR:
	case LANG_REC_ZERO:
		if (h->id < r->c->nmaps)
			ks_map_clear(r->c->maps[h->id].fd, h->kind == LANG_REC_ZERO);
		break;
	case LANG_REC_EXIT:
		r->exit_seen = true;
		break;
	case LANG_REC_LEARN:
		ks_syms_learn(r->syms, (int)h->pid);
		r->events--; /* bookkeeping, not an event */
		break;
	}
	/* a reader gone (EPIPE) or a full disk: stop at once, said once (ks_out_flush) */
	r->out_err = ks_out_flush(f);
	return 0;
}

/* --- loading ------------------------------------------------------------------------------- */

/* The instruction the verifier stopped at: the last "N: (..)" line of its log. */
static long verifier_insn(const char *log)
{
	long last = -1;

	for (const char *l = log; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *end;
		long v = strtol(l, &end, 10);

		if (end != l && *end == ':' && end[1] == ' ' && end[2] == '(')
			last = v;
	}
	return last;
}

/* The verifier's reason: the last line of its log that is not a statistic. */
static void verifier_reason(const char *log, char *buf, size_t len)
{
	const char *best = NULL, *l = log;
	size_t blen = 0;

	buf[0] = 0;
	while (l && *l) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);

		if (n && strncmp(l, "processed ", 10) && strncmp(l, "verification time", 17) &&
		    strncmp(l, "stack depth", 11) && !(l[0] >= '0' && l[0] <= '9') &&
		    strncmp(l, "; ", 2) && strncmp(l, "from ", 5) && strncmp(l, "last_idx", 8) &&
		    strncmp(l, "regs=", 5) && strncmp(l, "parent", 6) &&
		    strncmp(l, "cur state:", 10) && strncmp(l, "old state:", 10) &&
		    !(l[0] == 'R' && l[1] >= '0' && l[1] <= '9')) {
			best = l;
			blen = n;
		}
		l = e ? e + 1 : NULL;
	}
	if (best)
		snprintf(buf, len, "%.*s", (int)blen, best);
}

static unsigned long long fds_needed(const struct lang_compiled *c);

static int prog_load(struct lang_compiled *c, struct lang_cprog *p, const char *file,
		     const char *src, bool verbose)
{
	struct bpf_insn *ins = malloc(p->ninsns * sizeof(*ins));
	LIBBPF_OPTS(bpf_prog_load_opts, po);
	char name[16];
	int fd, err;

	if (!ins)
		return -ENOMEM;
	memcpy(ins, p->insns, p->ninsns * sizeof(*ins));
	for (size_t i = 0; i < p->ninsns; i++)
		if (ins[i].code == (BPF_LD | BPF_DW | BPF_IMM) &&
		    ins[i].src_reg == BPF_PSEUDO_MAP_FD && ins[i].imm >= 0 &&
		    (size_t)ins[i].imm < c->nmaps)
			ins[i].imm = c->maps[ins[i].imm].fd;
	po.expected_attach_type = p->spec.attach_type;
	po.attach_btf_id = p->spec.attach_btf_id;
	snprintf(name, sizeof(name), "ks_trace_%zu", p->probe);
	fd = bpf_prog_load(p->spec.prog_type, name, "GPL", ins, p->ninsns, &po);
	if (fd < 0) {
		size_t lsz = 1 << 22;
		char *log = malloc(lsz), reason[256];
		long at;
		struct lang_diag d = { 0 };

		err = -errno;
		if (log) {
			LIBBPF_OPTS(bpf_prog_load_opts, po2);

			log[0] = 0;
			po2.expected_attach_type = p->spec.attach_type;
			po2.attach_btf_id = p->spec.attach_btf_id;
			po2.log_buf = log;
			po2.log_size = (uint32_t)lsz;
			po2.log_level = 1;
			fd = bpf_prog_load(p->spec.prog_type, name, "GPL", ins, p->ninsns, &po2);
			if (fd >= 0) {
				/* loaded with a log: accept it */
				free(log);
				p->fd = fd;
				free(ins);
				return 0;
			}
		}
		at = log ? verifier_insn(log) : -1;
		reason[0] = 0;
		if (log)
			verifier_reason(log, reason, sizeof(reason));
		if (at >= 0 && (size_t)at < p->ninsns)
			d.pos = p->lines[at];
		else
			d.pos = p->lines[0];
		if (err == -EMFILE || err == -ENFILE) {
			struct rlimit rl = { 0 };

			getrlimit(RLIMIT_NOFILE, &rl);
			ks_error("cannot load the program for %s: %s (the program needs about %llu "
				 "file descriptors, the limit is %llu: ulimit -n)",
				 p->target->name, strerror(-err), fds_needed(c),
				 (unsigned long long)rl.rlim_cur);
			free(log);
			free(ins);
			return err;
		}
		if (err == -EPERM && !reason[0])
			snprintf(d.msg, sizeof(d.msg),
				 "the kernel refused to load the program for %s: "
				 "EPERM, with no verifier message (this kernel forbids this "
				 "program type)",
				 p->target->name);
		else
			snprintf(d.msg, sizeof(d.msg),
				 "the kernel's verifier rejected the program for "
				 "%s: %s",
				 p->target->name, reason[0] ? reason : strerror(-err));
		lang_diag_report(&d, file, src);
		if (verbose && log && !ks_log_json())
			fprintf(stderr, "%s\n", log);
		for (const char *l = log; verbose && l && *l && ks_log_json();) {
			const char *e = strchr(l, '\n');

			ks_info("%.*s", (int)(e ? e - l : (long)strlen(l)), l);
			l = e ? e + 1 : NULL;
		}
		free(log);
		free(ins);
		return err;
	}
	p->fd = fd;
	free(ins);
	return 0;
}

static int run_direct(struct lang_cprog *p)
{
	/* a raw tracepoint's context: zeroed arguments, so nothing reads a NULL context */
	uint64_t args[8] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, t, .ctx_in = args, .ctx_size_in = sizeof(args));

	return bpf_prog_test_run_opts(p->fd, &t) ? -errno : 0;
}

/*
 * File descriptors @c needs at most: one per map and per distinct program, and what
 * attaching takes (a perf event per CPU for profile and software probes, one per other
 * target), plus a margin for the ring buffer's epoll, symbol files and stdio.
 */
static unsigned long long fds_needed(const struct lang_compiled *c)
{
	unsigned long long n = c->nmaps + 32;
	int ncpus = libbpf_num_possible_cpus();

	for (size_t i = 0; i < c->nprogs; i++) {
		enum lang_ptype t = c->progs[i].target->type;

		n += c->progs[i].dup_of < 0;
		if (t == LP_PROFILE || t == LP_SOFTWARE || t == LP_HARDWARE)
			n += ncpus > 0 ? (unsigned)ncpus : 1;
		else if (t != LP_BEGIN && t != LP_END && t != LP_INTERVAL)
			n++;
	}
	return n;
}

/*
 * Raise the soft limit on open files as far as the hard one allows when @c needs more, so
 * a program of thousands of probes loads without the user's `ulimit -n`; a program that
 * needs more than the hard limit is refused before anything is loaded, with the numbers
 * (-EMFILE), rather than failing half-way with a message that blames the verifier.
 */
static int fds_reserve(const struct lang_compiled *c)
{
	unsigned long long need = fds_needed(c);
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY || need <= rl.rlim_cur)
		return 0;
	if (rl.rlim_max == RLIM_INFINITY || need <= rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? need : rl.rlim_max;
		if (!setrlimit(RLIMIT_NOFILE, &rl))
			return 0;
	}
	ks_error("the program needs about %llu file descriptors (%zu programs, %zu maps), the "
		 "limit is %llu: raise it with ulimit -n, or use fewer probes",
		 need, c->nprogs, c->nmaps,
		 (unsigned long long)(rl.rlim_max == RLIM_INFINITY ? rl.rlim_cur : rl.rlim_max));
	return -EMFILE;
}

int lang_load(struct lang_compiled *c, const char *file, const char *src, bool verbose)
{
	bool lazy = ks_btf_lazy_maps();
	int err;

	if ((err = fds_reserve(c)))
		return err;

	for (size_t i = 0; i < c->nmaps; i++)
		if ((err = map_create(&c->maps[i], lazy)))
			goto fail;
	for (size_t i = 0; i < c->nprogs; i++) {
		struct lang_cprog *p = &c->progs[i];

		if (ks_stop) {
			/* stopped while thousands of programs load: unload them and go */
			err = -EINTR;
			goto fail;
		}
		if (p->dup_of >= 0) {
			/* the same program: its fd, shared (lang_unload closes it once) */
			p->fd = c->progs[p->dup_of].fd;
			continue;
		}
		if ((err = prog_load(c, p, file, src, verbose)))
			goto fail;
	}
	return 0;
fail:
	lang_unload(c);
	return err;
}

void lang_unload(struct lang_compiled *c)
{
	for (size_t i = 0; i < c->nprogs; i++)
		if (c->progs[i].fd >= 0) {
			if (c->progs[i].dup_of < 0)
				close(c->progs[i].fd);
			c->progs[i].fd = -1;
		}
	for (size_t i = 0; i < c->nmaps; i++)
		if (c->maps[i].fd >= 0) {
			close(c->maps[i].fd);
			c->maps[i].fd = -1;
		}
}

int lang_run_type(struct lang_compiled *c, enum lang_ptype type)
{
	int ret = 0;

	for (size_t i = 0; i < c->nprogs; i++) {
		struct lang_cprog *p = &c->progs[i];

		if (p->target->type == type && run_direct(p) && !ret)
			ret = -errno;
	}
	return ret;
}

static void drain(struct rt *r)
{
	if (r->rb)
		ring_buffer__consume(r->rb);
}

int lang_run(struct lang_compiled *c, const struct lang_run_opts *o)
{
	struct rt r = { .c = c, .o = o };
	uint64_t start, end = 0, *next = NULL;
	size_t nattached = 0;
	int ret = KS_EXIT_FAIL, err;

	r.ncpus = libbpf_num_possible_cpus();
	r.syms = ks_syms_new();
	r.env.ctx = &r;
	r.env.special = special;
	r.popts.json = o->json;
	r.popts.env = &r.env;
	if (r.ncpus <= 0 || !r.syms) {
		ks_error("out of memory");
		goto out;
	}
	if ((err = lang_load(c, o->file, o->src, o->verbose))) {
		/* Stopped before tracing started: a clean stop, as for the other tools. The
		 * verifier's refusals are the program's fault: bad input. */
		ret = err == -EINTR ? KS_EXIT_OK
		      : err == -EMFILE || err == -EACCES || err == -EINVAL || err == -E2BIG
			      ? KS_EXIT_USAGE
			      : ks_exit_code(err);
		goto out;
	}
	if (c->ring >= 0) {
		r.rb = ring_buffer__new(c->maps[c->ring].fd, on_record, &r, NULL);
		if (!r.rb) {
			ks_error("cannot open the ring buffer: %s", strerror(errno));
			goto out;
		}
	}
	/* the kernel symbols now include our own programs */
	for (size_t i = 0; i < c->nprogs; i++) {
		enum lang_ptype t = c->progs[i].target->type;

		if (t != LP_BEGIN && t != LP_END && t != LP_INTERVAL)
			nattached++;
	}
	for (size_t i = 0; i < c->nprogs; i++)
		if (c->progs[i].target->type == LP_BEGIN)
			nattached++;
	for (size_t i = 0; i < c->nprogs; i++) {
		enum lang_ptype t = c->progs[i].target->type;

		if (t == LP_END || t == LP_INTERVAL)
			nattached++;
	}
	if ((err = lang_run_type(c, LP_BEGIN)))
		ks_warn("cannot run BEGIN: %s", strerror(-err));
	drain(&r);
	for (size_t i = 0; i < c->nprogs && !r.exit_seen && !ks_stop; i++) {
		struct lang_cprog *p = &c->progs[i];
		char why[256];

		if (p->target->type == LP_BEGIN || p->target->type == LP_END ||
		    p->target->type == LP_INTERVAL)
			continue;
		if ((err = lang_probe_attach(p->target, p->fd, o->pid, &r.fds, &r.nfds, why,
					     sizeof(why)))) {
			ks_error("%s", why);
			ret = ks_exit_code(err);
			goto out;
		}
	}
	if (o->json)
		fprintf(o->out, "{\"type\": \"attached_probes\", \"data\": {\"probes\": %zu}}\n",
			nattached);
	else
		fprintf(stderr, "Attaching %zu probe%s...\n", nattached,
			nattached == 1 ? "" : "s"); /* bpftrace's line, kept for scripts */
	r.out_err = ks_out_flush(o->out);
	if (o->cmd && (err = lang_cmd_release(o->cmd))) {
		/* exec failed (the message said): the command the user named is bad input */
		ret = KS_EXIT_USAGE;
		goto out;
	}
	start = ks_now_mono();
	if (o->duration > 0)
		end = start + (uint64_t)(o->duration * 1e9);
	next = calloc(c->nprogs ? c->nprogs : 1, sizeof(*next));
	if (!next)
		goto out;
	for (size_t i = 0; i < c->nprogs; i++)
		if (c->progs[i].target->type == LP_INTERVAL)
			next[i] = start + c->progs[i].target->period;
	while (!ks_stop && !r.exit_seen && !r.out_err) {
		uint64_t t = ks_now_mono(), wake = t + 100000000ull;
		int ms;

		for (size_t i = 0; i < c->nprogs && !r.exit_seen; i++) {
			if (c->progs[i].target->type != LP_INTERVAL)
				continue;
			if (next[i] <= t) {
				run_direct(&c->progs[i]);
				drain(&r);
				while (next[i] <= t)
					next[i] += c->progs[i].target->period;
			}
			if (next[i] < wake)
				wake = next[i];
		}
		if (r.exit_seen)
			break;
		if (end && t >= end)
			break;
		if (end && end < wake)
			wake = end;
		if (o->cmd && lang_cmd_done(o->cmd))
			break;
		ms = (int)((wake - t + 999999) / 1000000);
		err = r.rb ? ring_buffer__poll(r.rb, ms) : poll(NULL, 0, ms);
		if (err < 0 && err != -EINTR) {
			ks_error("polling the ring buffer: %s", strerror(-err));
			break;
		}
		if (r.out_err)
			break;
	}
	/* stop the probes, then END, then the maps */
	ks_fds_close(r.fds, r.nfds);
	r.nfds = 0;
	drain(&r);
	r.exit_seen = false;
	if ((err = lang_run_type(c, LP_END)))
		ks_warn("cannot run END: %s", strerror(-err));
	drain(&r);
	if (!r.out_err) {
		print_all_maps(&r);
		r.out_err = ks_out_flush(o->out);
	}
	{
		unsigned long long ring = 0, full = 0;

		if (c->lost >= 0) {
			ring = ks_percpu_sum(c->maps[c->lost].fd, LANG_LOST_RING);
			full = ks_percpu_sum(c->maps[c->lost].fd, LANG_LOST_MAPFULL);
		}
		if (ring)
			ks_warn("%llu events lost: the ring buffer was full", ring);
		if (full)
			ks_warn("%llu map updates failed: a map was full (%d entries)", full,
				LANG_MAP_ENTRIES);
	}
	/* the reader went away: a quiet, clean end, as for the head of a pipeline */
	ret = r.out_err && r.out_err != -EPIPE ? KS_EXIT_FAIL : KS_EXIT_OK;
out:
	free(next);
	ks_fds_close(r.fds, r.nfds);
	free(r.fds);
	ring_buffer__free(r.rb);
	lang_unload(c);
	ks_syms_free(r.syms);
	return ret;
}
