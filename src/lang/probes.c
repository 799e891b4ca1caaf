// SPDX-License-Identifier: GPL-2.0-only
/* The language's probe types: names, wildcard expansion, listing, tracepoint formats, attaching. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/btf.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/btf.h"
#include "core/errors.h"
#include "core/file.h"
#include "core/log.h"
#include "core/perf.h"
#include "core/probe.h"
#include "core/syms.h"
#include "core/tracefs.h"
#include "lang/probes.h"

/* ------------------------------------------------------------------------------------ */
/* provider names */

/*
 * bpftrace 0.17's names and short names; rawtracepoint and fentry/fexit come from later ones.
 * tp_btf: kscope's BTF-typed rawtracepoint (the same program, attached as a raw tracepoint).
 */
static const struct {
	const char *name;
	const char *alias[2];
} ptypes[LP_NR] = {
	[LP_BEGIN] = { "BEGIN", { NULL } },
	[LP_END] = { "END", { NULL } },
	[LP_TRACEPOINT] = { "tracepoint", { "t" } },
	[LP_RAWTP] = { "rawtracepoint", { "rt", "tp_btf" } },
	[LP_KPROBE] = { "kprobe", { "k" } },
	[LP_KRETPROBE] = { "kretprobe", { "kr" } },
	[LP_KFUNC] = { "kfunc", { "f", "fentry" } },
	[LP_KRETFUNC] = { "kretfunc", { "fr", "fexit" } },
	[LP_UPROBE] = { "uprobe", { "u" } },
	[LP_URETPROBE] = { "uretprobe", { "ur" } },
	[LP_USDT] = { "usdt", { "U" } },
	[LP_PROFILE] = { "profile", { "p" } },
	[LP_INTERVAL] = { "interval", { "i" } },
	[LP_SOFTWARE] = { "software", { "s" } },
	[LP_HARDWARE] = { "hardware", { "h" } },
};

int lang_ptype_parse(const char *provider, enum lang_ptype *t)
{
	for (int i = 0; provider && i < LP_NR; i++) {
		bool hit = !strcmp(provider, ptypes[i].name);

		for (int k = 0; k < 2 && !hit && ptypes[i].alias[k]; k++)
			hit = !strcmp(provider, ptypes[i].alias[k]);
		if (hit) {
			*t = (enum lang_ptype)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *lang_ptype_name(enum lang_ptype t)
{
	return (unsigned int)t < LP_NR ? ptypes[t].name : "?";
}

/* ------------------------------------------------------------------------------------ */
/* perf events by name: bpftrace's names, aliases and default counts */

struct perf_ev {
	const char *name, *alias;
	unsigned int config;
	uint64_t period;
};

static const struct perf_ev sw_events[] = {
	{ "alignment-faults", NULL, PERF_COUNT_SW_ALIGNMENT_FAULTS, 1 },
	{ "bpf-output", NULL, PERF_COUNT_SW_BPF_OUTPUT, 1 },
	{ "context-switches", "cs", PERF_COUNT_SW_CONTEXT_SWITCHES, 1000 },
	{ "cpu-clock", "cpu", PERF_COUNT_SW_CPU_CLOCK, 1000000 },
	{ "cpu-migrations", NULL, PERF_COUNT_SW_CPU_MIGRATIONS, 1 },
	{ "dummy", NULL, PERF_COUNT_SW_DUMMY, 1 },
	{ "emulation-faults", NULL, PERF_COUNT_SW_EMULATION_FAULTS, 1 },
	{ "major-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1 },
	{ "minor-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MIN, 100 },
	{ "page-faults", "faults", PERF_COUNT_SW_PAGE_FAULTS, 100 },
	{ "task-clock", NULL, PERF_COUNT_SW_TASK_CLOCK, 1000000 },
};

/* The default counts are what bpftrace 0.17 passes to perf_event_open (seen with strace). */
static const struct perf_ev hw_events[] = {
	{ "backend-stalls", NULL, PERF_COUNT_HW_STALLED_CYCLES_BACKEND, 1000000 },
	{ "branch-instructions", "branches", PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 100000 },
	{ "branch-misses", NULL, PERF_COUNT_HW_BRANCH_MISSES, 100000 },
	{ "bus-cycles", NULL, PERF_COUNT_HW_BUS_CYCLES, 100000 },
	{ "cache-misses", NULL, PERF_COUNT_HW_CACHE_MISSES, 1000000 },
	{ "cache-references", NULL, PERF_COUNT_HW_CACHE_REFERENCES, 1000000 },
	{ "cpu-cycles", "cycles", PERF_COUNT_HW_CPU_CYCLES, 1000000 },
	{ "frontend-stalls", NULL, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, 1000000 },
	{ "instructions", NULL, PERF_COUNT_HW_INSTRUCTIONS, 1000000 },
	{ "ref-cycles", NULL, PERF_COUNT_HW_REF_CPU_CYCLES, 1000000 },
};

static const struct perf_ev *perf_ev_find(enum lang_ptype t, const char *name, bool aliases)
{
	const struct perf_ev *v = t == LP_HARDWARE ? hw_events : sw_events;
	size_t n = t == LP_HARDWARE ? KS_ARRAY_SIZE(hw_events) : KS_ARRAY_SIZE(sw_events);

	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(v[i].name, name) ||
		    (aliases && v[i].alias && !strcmp(v[i].alias, name)))
			return &v[i];
	return NULL;
}

/* ------------------------------------------------------------------------------------ */
/* small helpers */

static bool is_wild(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static bool match(const char *pat, const char *s)
{
	return is_wild(pat) ? fnmatch(pat, s, 0) == 0 : !strcmp(pat, s);
}

/*
 * A count as bpftrace accepts it: decimal (with '_' separators), 0x hex, or "NeM" (1e6).
 * 0, -EINVAL when malformed, -ERANGE when it does not fit 64 bits.
 */
static int parse_count(const char *s, uint64_t *v)
{
	uint64_t r = 0;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		char *e;

		if (!isxdigit((unsigned char)p[2]))
			return -EINVAL;
		errno = 0;
		r = strtoull(p + 2, &e, 16);
		if (*e)
			return -EINVAL;
		if (errno)
			return -ERANGE;
		*v = r;
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p) || *p == '_'; p++) {
		if (*p == '_')
			continue;
		if (r > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		r = r * 10 + (uint64_t)(*p - '0');
	}
	if (*p == 'e' || *p == 'E') {
		uint64_t x = 0;

		if (!isdigit((unsigned char)*++p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			x = x * 10 + (uint64_t)(*p - '0');
			if (x > 20)
				return -ERANGE;
		}
		while (x--) {
			if (r > UINT64_MAX / 10)
				return -ERANGE;
			r *= 10;
		}
	}
	if (*p)
		return -EINVAL;
	*v = r;
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* expansion */

struct exp {
	const struct lang_attach *a;
	enum lang_ptype type;
	const char *prov; /* the long provider name */
	const char *p[3]; /* the fields after the provider; missing ones "*" when listing */
	size_t np;
	int pid;
	bool list;    /* for lang_probe_list: names as bpftrace -l prints them, no
		       * error when nothing matches */
	bool matched; /* something matched (targets may have been merged) */
	struct lang_diag *d;
	struct lang_target *v;
	size_t n, cap;
	char raw[512]; /* the attach point as written, for messages */
};

static int fail(struct exp *x, int err, const char *fmt, ...) KS_PRINTF(3, 4);

/* Say what went wrong at the attach point; returns @err. */
static int fail(struct exp *x, int err, const char *fmt, ...)
{
	va_list ap;

	if (x->d) {
		x->d->pos = x->a->pos;
		va_start(ap, fmt);
		vsnprintf(x->d->msg, sizeof(x->d->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

static int nomem(struct exp *x)
{
	return fail(x, -ENOMEM, "%s: out of memory", x->raw);
}

static struct lang_target *add(struct exp *x, const char *fmt, ...) KS_PRINTF(2, 3);

/* A new target named by @fmt, or NULL (out of memory). */
static struct lang_target *add(struct exp *x, const char *fmt, ...)
{
	struct lang_target *t;
	va_list ap;
	int r;

	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		struct lang_target *nv = realloc(x->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		x->v = nv;
		x->cap = cap;
	}
	t = &x->v[x->n];
	memset(t, 0, sizeof(*t));
	t->type = x->type;
	va_start(ap, fmt);
	r = vasprintf(&t->name, fmt, ap);
	va_end(ap);
	if (r < 0)
		return NULL;
	x->n++;
	x->matched = true;
	return t;
}

static int set_str(char **dst, const char *s)
{
	if (!s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : -ENOMEM;
}

/* Check the number of fields after the provider; @usage names the forms. */
static int want_fields(struct exp *x, size_t lo, size_t hi, const char *usage)
{
	if (x->np >= lo && x->np <= hi)
		return 0;
	return fail(x, -EINVAL, "%s: expected %s", x->raw, usage);
}

static int exp_special(struct exp *x)
{
	if (x->np)
		return fail(x, -EINVAL, "%s: %s takes no arguments", x->raw, x->prov);
	return add(x, "%s", x->prov) ? 0 : nomem(x);
}

/* Every classic tracepoint, from available_events (or the events directory without it). */
static int tp_each(int (*fn)(const char *cat, const char *name, void *arg), void *arg)
{
	const char *dir = ks_tracefs_path();
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	int err = 0;
	DIR *top;
	FILE *f;

	if (!dir)
		return -errno;
	snprintf(path, sizeof(path), "%s/available_events", dir);
	f = fopen(path, "re");
	if (f) {
		while (!err && getline(&line, &cap, f) > 0) {
			char *colon = strchr(line, ':');

			line[strcspn(line, "\n")] = '\0';
			if (!colon)
				continue;
			*colon = '\0';
			err = fn(line, colon + 1, arg);
		}
		free(line);
		fclose(f);
		return err;
	}
	snprintf(path, sizeof(path), "%s/events", dir);
	top = opendir(path);
	if (!top)
		return -errno;
	for (struct dirent *c; !err && (c = readdir(top));) {
		DIR *d;
		int fd;

		if (c->d_name[0] == '.' || c->d_type != DT_DIR)
			continue;
		fd = openat(dirfd(top), c->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		d = fd >= 0 ? fdopendir(fd) : NULL;
		if (!d && fd >= 0)
			close(fd);
		for (struct dirent *e; d && !err && (e = readdir(d));)
			if (e->d_name[0] != '.' && e->d_type == DT_DIR)
				err = fn(c->d_name, e->d_name, arg);
		if (d)
			closedir(d);
	}
	closedir(top);
	return err;
}

static int tp_add(struct exp *x, const char *cat, const char *name)
{
	struct lang_target *t = add(x, "tracepoint:%s:%s", cat, name);

	if (!t || set_str(&t->cat, cat) || set_str(&t->event, name))
		return nomem(x);
	return 0;
}

static int tp_cb(const char *cat, const char *name, void *arg)
{
	struct exp *x = arg;

	if (!match(x->p[0], cat) || !match(x->p[1], name))
		return 0;
	return tp_add(x, cat, name);
}

static int exp_tracepoint(struct exp *x)
{
	int err = want_fields(x, 2, 2, "tracepoint:CATEGORY:NAME");

	if (err)
		return err;
	if (!ks_tracefs_path())
		return fail(x, -errno, "%s: cannot read the kernel's tracepoints: %s", x->raw,
			    ks_tracefs_error());
	if (!is_wild(x->p[0]) && !is_wild(x->p[1])) {
		if (ks_tracefs_event_id(x->p[0], x->p[1]) >= 0)
			return tp_add(x, x->p[0], x->p[1]);
		return x->list ? 0 : fail(x, -ENOENT, "%s: no such tracepoint", x->raw);
	}
	err = tp_each(tp_cb, x);
	if (err)
		return err == -ENOMEM ? err
				      : fail(x, err, "%s: cannot read the tracepoint list: %s",
					     x->raw, ks_errno_name(-err));
	if (!x->matched && !x->list)
		return fail(x, -ENOENT, "%s: no tracepoint matches", x->raw);
	return 0;
}

static int rawtp_add(struct exp *x, const char *name)
{
	struct lang_target *t = add(x, "rawtracepoint:%s", name);

	return !t || set_str(&t->event, name) ? nomem(x) : 0;
}

static int rawtp_btf_cb(const char *name, int id, void *arg)
{
	struct exp *x = arg;

	if (strncmp(name, "btf_trace_", 10) || !match(x->p[0], name + 10))
		return 0;
	return rawtp_add(x, name + 10);
}

static int rawtp_tp_cb(const char *cat, const char *name, void *arg)
{
	struct exp *x = arg;

	return match(x->p[0], name) ? rawtp_add(x, name) : 0;
}

static int exp_rawtp(struct exp *x)
{
	int err = want_fields(x, 1, 1, "rawtracepoint:NAME");

	if (err)
		return err;
	/* Raw tracepoints are named in kernel BTF (btf_trace_NAME); else try tracefs's list */
	if (!ks_btf_check()) {
		if (!is_wild(x->p[0])) {
			char name[256];

			snprintf(name, sizeof(name), "btf_trace_%s", x->p[0]);
			err = ks_btf_id(name, BTF_KIND_TYPEDEF) > 0 ? rawtp_add(x, x->p[0]) : 0;
		} else {
			err = ks_btf_foreach(BTF_KIND_TYPEDEF, rawtp_btf_cb, x);
		}
	} else {
		if (!ks_tracefs_path())
			return fail(x, -ENOENT, "%s: no kernel BTF and %s", x->raw,
				    ks_tracefs_error());
		err = tp_each(rawtp_tp_cb, x);
	}
	if (err)
		return err == -ENOMEM ? nomem(x)
				      : fail(x, err, "%s: %s", x->raw, ks_errno_name(-err));
	if (!x->matched && !x->list)
		return fail(x, -ENOENT, "%s: no %s raw tracepoint", x->raw,
			    is_wild(x->p[0]) ? "matching" : "such");
	return 0;
}

static int kfunc_add(struct exp *x, const char *func, uint64_t off, bool has_off)
{
	struct lang_target *t =
		has_off ? add(x, "%s:%s+%llu", x->prov, func, (unsigned long long)off)
			: add(x, "%s:%s", x->prov, func);

	if (!t || set_str(&t->event, func))
		return nomem(x);
	t->offset = off;
	return 0;
}

struct kfunc_walk {
	struct exp *x;
	const char *pat;
};

static int kfunc_btf_cb(const char *name, int id, void *arg)
{
	struct kfunc_walk *w = arg;

	return match(w->pat, name) ? kfunc_add(w->x, name, 0, false) : 0;
}

/*
 * Kernel functions matching @pat from available_filter_functions ("name" or "name [mod]"
 * lines): 1 when the file was read, 0 when it can't be (locked down), or -errno.
 */
static int kfunc_from_tracefs(struct exp *x, const char *pat, uint64_t off, bool has_off)
{
	const char *dir = ks_tracefs_path();
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	int err = 0;
	FILE *f;

	if (!dir)
		return 0;
	snprintf(path, sizeof(path), "%s/available_filter_functions", dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!err && getline(&line, &cap, f) > 0) {
		line[strcspn(line, " \t\n")] = '\0';
		/* placeholders for functions ftrace dropped */
		if (!line[0] || !strncmp(line, "__ftrace_invalid_address__", 26))
			continue;
		if (match(pat, line))
			err = kfunc_add(x, line, off, has_off);
		if (!err && !is_wild(pat) && x->matched)
			break;
	}
	free(line);
	fclose(f);
	return err ? err : 1;
}

static int exp_kfunc(struct exp *x)
{
	bool ret = x->type == LP_KRETPROBE || x->type == LP_KRETFUNC;
	bool fentry = x->type == LP_KFUNC || x->type == LP_KRETFUNC;
	struct kfunc_walk w = { x, NULL };
	char func[256];
	uint64_t off = 0;
	bool has_off = false;
	const char *plus;
	int err;

	err = fentry ? want_fields(x, 1, 2, "kfunc:[MODULE:]FUNCTION")
		     : want_fields(x, 1, 1,
				   ret ? "kretprobe:FUNCTION" : "kprobe:FUNCTION[+OFFSET]");
	if (err)
		return err;
	if (x->np == 2 && strcmp(x->p[0], "vmlinux") && strcmp(x->p[0], "*"))
		return fail(x, -EOPNOTSUPP,
			    "%s: only vmlinux functions can be probed (no "
			    "module BTF support)",
			    x->raw);
	snprintf(func, sizeof(func), "%s", x->p[x->np - 1]);
	plus = strchr(func, '+');
	if (plus) {
		if (fentry || ret)
			return fail(x, -EINVAL, "%s: %s takes no offset", x->raw, x->prov);
		if (is_wild(func))
			return fail(x, -EINVAL, "%s: an offset can't follow a wildcard", x->raw);
		if (parse_count(plus + 1, &off))
			return fail(x, -EINVAL, "%s: bad offset '%s'", x->raw, plus + 1);
		has_off = true;
		func[plus - func] = '\0';
	}
	w.pat = func;
	/* kprobes can use any traceable function; fentry needs the function's BTF */
	if (!fentry) {
		err = kfunc_from_tracefs(x, func, off, has_off);
		if (err < 0)
			return err == -ENOMEM ? nomem(x) : err;
		if (err > 0)
			goto done;
	}
	if (ks_btf_check())
		return fail(x, -ENOENT, "%s: cannot list kernel functions: no kernel BTF (%s)%s",
			    x->raw, ks_btf_path(),
			    fentry ? "" : " and available_filter_functions unreadable");
	if (!is_wild(func))
		err = ks_btf_id(func, BTF_KIND_FUNC) > 0 ? kfunc_add(x, func, off, has_off) : 0;
	else
		err = ks_btf_foreach(BTF_KIND_FUNC, kfunc_btf_cb, &w);
	if (err)
		return err == -ENOMEM ? nomem(x)
				      : fail(x, err, "%s: %s", x->raw, ks_errno_name(-err));
done:
	if (!x->matched && !x->list)
		return fail(x, -ENOENT, "%s: %s", x->raw,
			    is_wild(func) ? "no kernel function matches"
					  : "no such kernel function");
	return 0;
}

/* The binary of a uprobe or USDT probe, resolved and opened. */
static int open_binary(struct exp *x, char *path, size_t len, struct lang_elf **e)
{
	int err = lang_bin_resolve(x->p[0], x->pid, path, len);

	if (err)
		return fail(x, err, "%s: binary '%s' not found (%s)", x->raw, x->p[0],
			    strchr(x->p[0], '/') ? "no such file"
						 : "not a path, not in $PATH, not a known library");
	err = lang_elf_open(path, e);
	if (err == -ENOEXEC)
		return fail(x, err, "%s: %s is not an ELF file", x->raw, path);
	if (err)
		return fail(x, err, "%s: cannot open %s: %s", x->raw, path, ks_errno_name(-err));
	return 0;
}

/* @fname: the function, NULL when @label is an address */
static int uprobe_add(struct exp *x, const struct lang_elf *e, const char *path, const char *fname,
		      const char *label, uint64_t addr)
{
	struct lang_target *t;
	uint64_t off;

	if (lang_elf_offset(e, addr, &off))
		return fail(x, -ENOENT, "%s: address 0x%llx%s%s is in no loadable segment of %s",
			    x->raw, (unsigned long long)addr, fname ? " of " : "",
			    fname ? fname : "", path);
	t = add(x, "%s:%s:%s", x->prov, path, label);
	if (!t || set_str(&t->path, path) || set_str(&t->event, fname ? fname : label))
		return nomem(x);
	t->offset = off;
	return 0;
}

static const struct lang_elf_func *func_find(const struct lang_elf_func *v, size_t n,
					     const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].name, name);

		if (!c)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int exp_uprobe(struct exp *x)
{
	bool ret = x->type == LP_URETPROBE;
	const struct lang_elf_func *fv, *fn;
	struct lang_elf *e = NULL;
	char path[PATH_MAX], func[512], *plus;
	size_t nf;
	uint64_t v;
	int err;

	err = want_fields(x, 2, 2,
			  ret ? "uretprobe:BINARY:FUNCTION"
			      : "uprobe:BINARY:FUNCTION[+OFFSET] or uprobe:BINARY:ADDRESS");
	if (err)
		return err;
	err = open_binary(x, path, sizeof(path), &e);
	if (err)
		return err;
	snprintf(func, sizeof(func), "%s", x->p[1]);
	/* an address: where the binary would be loaded as linked */
	if (isdigit((unsigned char)func[0])) {
		if (parse_count(func, &v)) {
			err = fail(x, -EINVAL, "%s: bad address '%s'", x->raw, func);
			goto out;
		}
		err = uprobe_add(x, e, path, NULL, func, v);
		goto out;
	}
	err = lang_elf_funcs(e, &fv, &nf);
	if (err) {
		err = err == -ENOMEM
			      ? nomem(x)
			      : fail(x, err, "%s: cannot read the symbols of %s", x->raw, path);
		goto out;
	}
	plus = strchr(func, '+');
	if (plus) {
		if (ret || is_wild(func) || parse_count(plus + 1, &v)) {
			err = fail(x, -EINVAL, "%s: %s", x->raw,
				   ret		   ? "uretprobe takes no offset"
				   : is_wild(func) ? "an offset can't follow a wildcard"
						   : "bad offset");
			goto out;
		}
		*plus = '\0';
		fn = func_find(fv, nf, func);
		if (fn && fn->size && v >= fn->size) {
			err = fail(x, -EINVAL, "%s: offset %llu is past the end of %s (%llu bytes)",
				   x->raw, (unsigned long long)v, func,
				   (unsigned long long)fn->size);
			goto out;
		}
		if (fn) {
			*plus = '+';
			err = uprobe_add(x, e, path, fn->name, func, fn->addr + v);
			goto out;
		}
	} else if (!is_wild(func)) {
		fn = func_find(fv, nf, func);
		if (fn) {
			err = uprobe_add(x, e, path, fn->name, fn->name, fn->addr);
			goto out;
		}
	} else {
		for (size_t i = 0; i < nf && !err; i++)
			if (fnmatch(func, fv[i].name, 0) == 0)
				err = uprobe_add(x, e, path, fv[i].name, fv[i].name, fv[i].addr);
		if (err || x->matched || x->list)
			goto out;
	}
	if (!x->list)
		err = fail(x, -ENOENT, "%s: no function %s '%s' in %s", x->raw,
			   is_wild(func) ? "matches" : "named", func, path);
out:
	lang_elf_close(e);
	return err;
}

static int usdt_add(struct exp *x, const struct lang_elf *e, const char *path,
		    const struct lang_usdt_note *no)
{
	struct lang_target *t;
	size_t bad;
	int err;

	t = add(x, "usdt:%s:%s:%s", path, no->provider, no->name);
	if (!t || set_str(&t->path, path) || set_str(&t->cat, no->provider) ||
	    set_str(&t->event, no->name))
		return nomem(x);
	if (lang_elf_offset(e, no->pc, &t->offset))
		return fail(x, -ENOENT, "%s: probe %s:%s at 0x%llx is in no loadable segment",
			    x->raw, no->provider, no->name, (unsigned long long)no->pc);
	if (no->sema && lang_elf_offset(e, no->sema, &t->ref_ctr_off))
		return fail(x, -ENOENT,
			    "%s: semaphore of %s:%s at 0x%llx is in no loadable "
			    "segment",
			    x->raw, no->provider, no->name, (unsigned long long)no->sema);
	if (x->list)
		return 0;
	err = lang_usdt_args_parse(no->args, &t->uargs, &t->nuargs, &bad);
	if (err == -ENOMEM)
		return nomem(x);
	if (err) {
		char spec[64];
		const char *s = no->args;

		for (size_t i = 0; i < bad && *s; i++)
			s += strcspn(s, " ") + (s[strcspn(s, " ")] ? 1 : 0);
		snprintf(spec, sizeof(spec), "%.*s", (int)strcspn(s, " "), s);
		return fail(x, err, "%s: argument %zu of %s:%s, '%s', %s", x->raw, bad,
			    no->provider, no->name, spec,
			    err == -EOPNOTSUPP ? "is a form kscope can't read (index register, "
						 "%rip-relative or floating point)"
					       : "is malformed");
	}
	return 0;
}

static int exp_usdt(struct exp *x)
{
	const struct lang_usdt_note *nv;
	struct lang_elf *e = NULL;
	const char *prov, *name;
	char path[PATH_MAX];
	size_t nn;
	int err;

	err = want_fields(x, 2, 3, "usdt:BINARY:[PROVIDER:]NAME");
	if (err)
		return err;
	prov = x->np == 3 ? x->p[1] : "*";
	name = x->p[x->np - 1];
	err = open_binary(x, path, sizeof(path), &e);
	if (err)
		return err;
	err = lang_elf_usdt_notes(e, &nv, &nn);
	if (err) {
		err = err == -ENOMEM ? nomem(x)
				     : fail(x, err,
					    "%s: cannot read the USDT notes "
					    "of %s",
					    x->raw, path);
		goto out;
	}
	for (size_t i = 0; i < nn && !err; i++)
		if (match(prov, nv[i].provider) && match(name, nv[i].name))
			err = usdt_add(x, e, path, &nv[i]);
	if (!err && !x->matched && !x->list)
		err = fail(x, -ENOENT, "%s: no %s USDT probe in %s%s", x->raw,
			   (x->np == 3 && is_wild(prov)) || is_wild(name) ? "matching" : "such",
			   path, nn ? "" : " (it has none)");
out:
	lang_elf_close(e);
	return err;
}

static int exp_timer(struct exp *x)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = { { "hz", 0 }, { "s", 1000000000 }, { "ms", 1000000 }, { "us", 1000 } };
	struct lang_target *t;
	uint64_t n, ns = 0;
	size_t u;
	int err;

	if (x->list)
		return 0; /* bpftrace -l lists no timers */
	err = want_fields(x, 2, 2,
			  x->type == LP_PROFILE ? "profile:UNIT:COUNT (hz, s, ms, us)"
						: "interval:UNIT:COUNT (s, ms, us, hz)");
	if (err)
		return err;
	for (u = 0; u < KS_ARRAY_SIZE(units); u++)
		if (!strcmp(x->p[0], units[u].unit))
			break;
	if (u == KS_ARRAY_SIZE(units))
		return fail(x, -EINVAL, "%s: expected hz, s, ms or us, found '%s'", x->prov,
			    x->p[0]);
	err = parse_count(x->p[1], &n);
	if (err || !n)
		return fail(x, -EINVAL, "%s: expected a positive count, found '%s'%s", x->raw,
			    x->p[1], err == -ERANGE ? " (too large)" : "");
	if (units[u].ns) {
		if (n > UINT64_MAX / units[u].ns)
			return fail(x, -EINVAL, "%s: the period is too long", x->raw);
		ns = n * units[u].ns;
	} else if (x->type == LP_INTERVAL) {
		if (n > 1000000000)
			return fail(x, -EINVAL, "%s: at most 1000000000 hz", x->raw);
		ns = 1000000000 / n;
	} else {
		/* the kernel refuses a higher sampling frequency with a bare EINVAL */
		unsigned long long max = 0;
		FILE *f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "re");

		if (f && fscanf(f, "%llu", &max) != 1)
			max = 0;
		if (f)
			fclose(f);
		if (max && n > max)
			return fail(x, -ERANGE,
				    "%s: at most %llu hz on this machine "
				    "(kernel.perf_event_max_sample_rate)",
				    x->raw, max);
	}
	t = add(x, "%s:%s:%s", x->prov, x->p[0], x->p[1]);
	if (!t)
		return nomem(x);
	/* profile: a cpu-clock sample period in ns, or a frequency; interval: ns */
	t->freq = x->type == LP_PROFILE && !units[u].ns;
	t->period = t->freq ? n : ns;
	return 0;
}

static int perf_add(struct exp *x, const struct perf_ev *ev, const char *label, const char *count)
{
	struct lang_target *t;
	uint64_t n = ev->period;
	int err;

	if (count && *count && !x->list) {
		err = parse_count(count, &n);
		if (err || !n)
			return fail(x, -EINVAL, "%s: expected a positive count, found '%s'", x->raw,
				    count);
	}
	if (x->list)
		t = add(x, "%s:%s:", x->prov, label);
	else if (count && *count)
		t = add(x, "%s:%s:%s", x->prov, label, count);
	else
		t = add(x, "%s:%s", x->prov, label);
	if (!t || set_str(&t->event, ev->name))
		return nomem(x);
	t->period = n;
	return 0;
}

static int exp_perf(struct exp *x)
{
	const struct perf_ev *v = x->type == LP_HARDWARE ? hw_events : sw_events;
	size_t n = x->type == LP_HARDWARE ? KS_ARRAY_SIZE(hw_events) : KS_ARRAY_SIZE(sw_events);
	const char *count = x->np == 2 ? x->p[1] : NULL;
	const struct perf_ev *ev;
	int err = want_fields(x, 1, 2,
			      x->type == LP_HARDWARE ? "hardware:EVENT[:COUNT]"
						     : "software:EVENT[:COUNT]");

	if (err)
		return err;
	if (is_wild(x->p[0])) {
		for (size_t i = 0; i < n && !err; i++)
			if (fnmatch(x->p[0], v[i].name, 0) == 0)
				err = perf_add(x, &v[i], v[i].name, count);
		if (!err && !x->matched && !x->list)
			err = fail(x, -ENOENT, "%s: no %s event matches", x->raw, x->prov);
		return err;
	}
	ev = perf_ev_find(x->type, x->p[0], true);
	if (!ev) {
		char names[512] = "";

		if (x->list)
			return 0;
		for (size_t i = 0; i < n; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", v[i].name);
		return fail(x, -ENOENT, "%s: unknown %s event '%s' (known: %s)", x->raw, x->prov,
			    x->p[0], names);
	}
	return perf_add(x, ev, x->p[0], count);
}

static int expand(struct exp *x)
{
	switch (x->type) {
	case LP_BEGIN:
	case LP_END:
		return exp_special(x);
	case LP_TRACEPOINT:
		return exp_tracepoint(x);
	case LP_RAWTP:
		return exp_rawtp(x);
	case LP_KPROBE:
	case LP_KRETPROBE:
	case LP_KFUNC:
	case LP_KRETFUNC:
		return exp_kfunc(x);
	case LP_UPROBE:
	case LP_URETPROBE:
		return exp_uprobe(x);
	case LP_USDT:
		return exp_usdt(x);
	case LP_PROFILE:
	case LP_INTERVAL:
		return exp_timer(x);
	case LP_SOFTWARE:
	case LP_HARDWARE:
		return exp_perf(x);
	case LP_NR:
		break;
	}
	return -EINVAL;
}

static int target_cmp(const void *a, const void *b)
{
	const struct lang_target *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Sort by name; drop repeats (same name and offset: USDT sites of one probe stay). */
static void targets_sort(struct exp *x, bool by_name)
{
	size_t k = 0;

	if (!x->n)
		return;
	qsort(x->v, x->n, sizeof(*x->v), target_cmp);
	for (size_t i = 0; i < x->n; i++) {
		if (k && !strcmp(x->v[k - 1].name, x->v[i].name) &&
		    (by_name || x->v[k - 1].offset == x->v[i].offset)) {
			lang_target_free(&x->v[i]);
			continue;
		}
		x->v[k++] = x->v[i];
	}
	x->n = k;
}

static void exp_free(struct exp *x)
{
	for (size_t i = 0; i < x->n; i++)
		lang_target_free(&x->v[i]);
	free(x->v);
	x->v = NULL;
	x->n = x->cap = 0;
}

static void raw_text(const struct lang_attach *a, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (a->raw) {
		snprintf(buf, len, "%s", a->raw);
		return;
	}
	for (size_t i = 0; i < a->nparts && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ":" : "",
				      a->parts[i] ? a->parts[i] : "");
}

int lang_probe_expand(const struct lang_attach *a, int pid, struct lang_target **out, size_t *n,
		      struct lang_diag *d)
{
	struct exp x = { .a = a, .pid = pid, .d = d };
	int err;

	*out = NULL;
	*n = 0;
	if (!a)
		return -EINVAL;
	raw_text(a, x.raw, sizeof(x.raw));
	if (!a->nparts || !a->parts || !a->parts[0] || !a->parts[0][0])
		return fail(&x, -EINVAL, "empty attach point");
	if (lang_ptype_parse(a->parts[0], &x.type))
		return fail(&x, -EINVAL, "%s: unknown probe type '%s'", x.raw, a->parts[0]);
	x.prov = ptypes[x.type].name;
	if (a->nparts - 1 > KS_ARRAY_SIZE(x.p))
		return fail(&x, -EINVAL, "%s: too many fields", x.raw);
	for (size_t i = 1; i < a->nparts; i++) {
		if (!a->parts[i] || !a->parts[i][0])
			/* "software:cpu-clock:" as bpftrace -l prints it: an empty count */
			if (!(i == a->nparts - 1 && i == 2 &&
			      (x.type == LP_SOFTWARE || x.type == LP_HARDWARE)))
				return fail(&x, -EINVAL, "%s: field %zu is empty", x.raw, i);
		x.p[x.np++] = a->parts[i] ? a->parts[i] : "";
	}
	err = expand(&x);
	if (err) {
		exp_free(&x);
		return err;
	}
	targets_sort(&x, false);
	*out = x.v;
	*n = x.n;
	return 0;
}

void lang_target_free(struct lang_target *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->cat);
	free(t->event);
	free(t->path);
	free(t->uargs);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------------------------------ */
/* what works here */

int lang_probe_supported(enum lang_ptype t, char *why, size_t whylen)
{
	enum ks_feature f;
	const char *what;
	int err;

	if (why && whylen)
		why[0] = '\0';
	switch (t) {
	case LP_KPROBE:
	case LP_KRETPROBE:
		f = KS_FEAT_KPROBE;
		what = "kprobes are";
		break;
	case LP_KFUNC:
	case LP_KRETFUNC:
		f = KS_FEAT_FENTRY;
		what = "kfunc (fentry/fexit) programs are";
		break;
	case LP_HARDWARE:
		f = KS_FEAT_PERF_HW;
		what = "hardware events are";
		break;
	default:
		return (unsigned int)t < LP_NR ? 0 : -EINVAL;
	}
	err = ks_feature_probe(f);
	if (!err)
		return 0;
	if (why && whylen)
		snprintf(why, whylen, "%s not available on this kernel: %s", what,
			 ks_feature_detail(f));
	return -EOPNOTSUPP;
}

/* ------------------------------------------------------------------------------------ */
/* tracepoint formats */

/* "TYPE NAME", "TYPE NAME[N]", "__data_loc TYPE[] NAME" into @f. */
static void decl_parse(const char *decl, size_t len, struct lang_tpfield *f)
{
	size_t end = len, nend, nstart;
	const char *suffix = "";
	size_t slen = 0;

	while (end && isspace((unsigned char)decl[end - 1]))
		end--;
	/* an array suffix after the name */
	if (end && decl[end - 1] == ']') {
		size_t open = end;

		while (open && decl[open - 1] != '[')
			open--;
		if (open) {
			suffix = decl + open - 1;
			slen = end - (open - 1);
			end = open - 1;
			f->array = (uint32_t)strtoul(suffix + 1, NULL, 10);
		}
	}
	nend = end;
	while (nend && isspace((unsigned char)decl[nend - 1]))
		nend--;
	nstart = nend;
	while (nstart && (isalnum((unsigned char)decl[nstart - 1]) || decl[nstart - 1] == '_'))
		nstart--;
	snprintf(f->name, sizeof(f->name), "%.*s", (int)(nend - nstart), decl + nstart);
	while (nstart && isspace((unsigned char)decl[nstart - 1]))
		nstart--;
	while (nstart && isspace((unsigned char)*decl)) {
		decl++;
		nstart--;
	}
	snprintf(f->type, sizeof(f->type), "%.*s%.*s", (int)nstart, decl, (int)slen, suffix);
	f->data_loc = !strncmp(f->type, "__data_loc", 10);
}

static uint32_t field_num(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? (uint32_t)strtoul(p + strlen(key), NULL, 10) : 0;
}

int lang_tp_format_parse(const char *text, struct lang_tpfield **fp, size_t *np)
{
	struct lang_tpfield *v = NULL;
	size_t n = 0, cap = 0;

	*fp = NULL;
	*np = 0;
	while (text && *text) {
		size_t len = strcspn(text, "\n");
		const char *line = text, *decl, *semi;
		char buf[512];

		text += len + (text[len] == '\n');
		if (len >= sizeof(buf))
			continue;
		memcpy(buf, line, len);
		buf[len] = '\0';
		decl = buf + strspn(buf, " \t");
		if (strncmp(decl, "field:", 6))
			continue;
		decl += 6;
		semi = strchr(decl, ';');
		if (!semi)
			continue;
		if (n == cap) {
			struct lang_tpfield *nv =
				realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		memset(&v[n], 0, sizeof(v[n]));
		decl_parse(decl, (size_t)(semi - decl), &v[n]);
		if (!v[n].name[0] || !strncmp(v[n].name, "common_", 7))
			continue;
		v[n].off = field_num(semi, "offset:");
		v[n].size = field_num(semi, "size:");
		v[n].is_signed = field_num(semi, "signed:") != 0;
		n++;
	}
	*fp = v;
	*np = n;
	return 0;
}

int lang_tp_format(const char *cat, const char *name, struct lang_tpfield **f, size_t *n)
{
	const char *dir = ks_tracefs_path();
	char path[PATH_MAX], *text;
	size_t len;
	int err;

	*f = NULL;
	*n = 0;
	if (!dir)
		return -errno;
	if (strchr(cat, '/') || strchr(name, '/') || !strcmp(cat, "..") || !strcmp(name, ".."))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, cat, name);
	err = ks_read_file(path, &text, &len);
	if (err)
		return err;
	err = lang_tp_format_parse(text, f, n);
	free(text);
	return err;
}

/* ------------------------------------------------------------------------------------ */
/* listing */

static void print_fields(const struct lang_target *t, FILE *out)
{
	struct lang_tpfield *f;
	size_t n;

	if (lang_tp_format(t->cat, t->event, &f, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		const char *br = f[i].data_loc ? NULL : strchr(f[i].type, '[');

		if (br)
			fprintf(out, "    %.*s %s%s\n", (int)(br - f[i].type), f[i].type, f[i].name,
				br);
		else
			fprintf(out, "    %s %s\n", f[i].type, f[i].name);
	}
	free(f);
}

/* Expand @parts (provider first) in listing mode into @x; missing fields are "*". */
static int list_one(struct exp *x, enum lang_ptype type, char **parts, size_t nparts, size_t want)
{
	struct lang_attach a = { .parts = parts, .nparts = nparts };
	static const char *const star = "*";
	int err;

	x->a = &a;
	x->type = type;
	x->prov = ptypes[type].name;
	x->matched = false;
	x->np = 0;
	for (size_t i = 1; i < nparts && x->np < KS_ARRAY_SIZE(x->p); i++)
		x->p[x->np++] = parts[i];
	while (x->np < want)
		x->p[x->np++] = star;
	raw_text(&a, x->raw, sizeof(x->raw));
	err = expand(x);
	x->a = NULL;
	return err;
}

/* How many fields after the provider a listing pattern gets by default. */
static size_t list_fields(enum lang_ptype t)
{
	switch (t) {
	case LP_TRACEPOINT:
	case LP_UPROBE:
	case LP_URETPROBE:
	case LP_USDT:
		return 2;
	case LP_BEGIN:
	case LP_END:
		return 0;
	default:
		return 1;
	}
}

/* Providers listed for "-l" alone and for patterns without ':'. */
static const enum lang_ptype list_all[] = { LP_HARDWARE, LP_KFUNC,    LP_KPROBE,
					    LP_RAWTP,	 LP_SOFTWARE, LP_TRACEPOINT };

int lang_probe_list(const char *pattern, int pid, bool verbose, FILE *out)
{
	struct lang_diag d = { 0 };
	struct exp x = { .pid = pid, .list = true, .d = &d };
	char *copy = NULL, *parts[5];
	size_t nparts = 0;
	enum lang_ptype t;
	int err = 0;

	if (!pattern || !*pattern)
		pattern = "*";
	if (!strchr(pattern, ':')) {
		for (size_t i = 0; i < KS_ARRAY_SIZE(list_all) && !err; i++) {
			char *p[3] = { (char *)ptypes[list_all[i]].name, (char *)"*",
				       (char *)pattern };

			/* kernel functions only where they can be traced; events always */
			if ((list_all[i] == LP_KPROBE || list_all[i] == LP_KFUNC) &&
			    lang_probe_supported(list_all[i], NULL, 0))
				continue;
			if (list_all[i] == LP_TRACEPOINT)
				err = list_one(&x, list_all[i], p, 3, 2);
			else
				err = list_one(&x, list_all[i], (char *[]){ p[0], p[2] }, 2, 1);
			/* a provider this kernel can't list is left out of a listing of all */
			if (err && err != -ENOMEM)
				err = 0;
		}
		goto print;
	}
	copy = strdup(pattern);
	if (!copy) {
		err = -ENOMEM;
		goto out;
	}
	for (char *s = copy; s && nparts < KS_ARRAY_SIZE(parts); nparts++) {
		parts[nparts] = s;
		s = strchr(s, ':');
		if (s)
			*s++ = '\0';
	}
	if (is_wild(parts[0])) {
		for (int i = 0; i < LP_NR && !err; i++) {
			if (!fnmatch(parts[0], ptypes[i].name, 0) && i != LP_BEGIN && i != LP_END &&
			    i != LP_UPROBE && i != LP_URETPROBE && i != LP_USDT)
				err = list_one(&x, (enum lang_ptype)i, parts, nparts,
					       list_fields((enum lang_ptype)i));
			if (err && err != -ENOMEM)
				err = 0;
		}
		goto print;
	}
	if (lang_ptype_parse(parts[0], &t)) {
		ks_error("unknown probe type '%s' in '%s'", parts[0], pattern);
		err = -EINVAL;
		goto out;
	}
	err = list_one(&x, t, parts, nparts, list_fields(t));
	if (err) {
		if (d.msg[0])
			ks_error("%s", d.msg);
		goto out;
	}
print:
	if (err)
		goto out;
	targets_sort(&x, true);
	for (size_t i = 0; i < x.n; i++) {
		fprintf(out, "%s\n", x.v[i].name);
		if (verbose && x.v[i].type == LP_TRACEPOINT)
			print_fields(&x.v[i], out);
	}
	err = (int)x.n;
out:
	exp_free(&x);
	free(copy);
	return err;
}

/* ------------------------------------------------------------------------------------ */
/* loading and attaching */

int lang_target_progspec(const struct lang_target *t, struct lang_progspec *s)
{
	int id;

	memset(s, 0, sizeof(*s));
	switch (t->type) {
	case LP_TRACEPOINT:
		s->prog_type = BPF_PROG_TYPE_TRACEPOINT;
		return 0;
	case LP_BEGIN:
	case LP_END:
	case LP_INTERVAL:
	case LP_RAWTP:
		s->prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
		return 0;
	case LP_KPROBE:
	case LP_KRETPROBE:
	case LP_UPROBE:
	case LP_URETPROBE:
	case LP_USDT:
		s->prog_type = BPF_PROG_TYPE_KPROBE;
		return 0;
	case LP_KFUNC:
	case LP_KRETFUNC:
		id = t->event ? ks_btf_id(t->event, BTF_KIND_FUNC) : -EINVAL;
		if (id < 0)
			return id;
		s->prog_type = BPF_PROG_TYPE_TRACING;
		s->attach_type = t->type == LP_KFUNC ? BPF_TRACE_FENTRY : BPF_TRACE_FEXIT;
		s->attach_btf_id = id;
		return 0;
	case LP_PROFILE:
	case LP_SOFTWARE:
	case LP_HARDWARE:
		s->prog_type = BPF_PROG_TYPE_PERF_EVENT;
		return 0;
	case LP_NR:
		break;
	}
	return -EINVAL;
}

struct att {
	const struct lang_target *t;
	int prog_fd;
	int **fds;
	size_t *nfds, first;
	char *err;
	size_t errlen;
};

static int att_fail(struct att *a, int err, const char *step, const char *hint)
{
	snprintf(a->err, a->errlen, "cannot attach %s: %s: %s%s%s%s", a->t->name, step,
		 ks_errno_name(-err), hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	while (*a->nfds > a->first)
		close((*a->fds)[--*a->nfds]);
	return err;
}

static int att_keep(struct att *a, int fd)
{
	int *nv = realloc(*a->fds, (*a->nfds + 1) * sizeof(*nv));

	if (!nv) {
		close(fd);
		return -ENOMEM;
	}
	*a->fds = nv;
	nv[(*a->nfds)++] = fd;
	return 0;
}

static const char *perm_hint(int err)
{
	return err == -EACCES || err == -EPERM ? "needs root, or CAP_PERFMON and CAP_BPF" : NULL;
}

/* Open the perf event @attr and run the program on it: a BPF link, else the old ioctl. */
static int att_perf(struct att *a, struct perf_event_attr *attr, int pid, int cpu,
		    const char *hint_enoent)
{
	int pfd, lfd, err;

	attr->size = sizeof(*attr);
	pfd = ks_perf_event_open(attr, pid, cpu, -1);
	if (pfd < 0) {
		err = pfd;
		/* a CPU taken offline since it was listed: nothing to sample there */
		if (err == -ENODEV && pid == -1 && cpu > 0 && attr->type != PERF_TYPE_TRACEPOINT)
			return 0;
		return att_fail(a, err, "perf_event_open",
				err == -ENOENT || err == -EOPNOTSUPP ? hint_enoent
								     : perm_hint(err));
	}
	err = att_keep(a, pfd);
	if (err)
		return att_fail(a, err, "memory", NULL);
	lfd = bpf_link_create(a->prog_fd, pfd, BPF_PERF_EVENT, NULL);
	if (lfd >= 0) {
		err = att_keep(a, lfd);
		if (err)
			return att_fail(a, err, "memory", NULL);
	} else if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, a->prog_fd)) {
		err = -errno;
		return att_fail(a, err, "PERF_EVENT_IOC_SET_BPF", perm_hint(err));
	}
	if (ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0)) {
		err = -errno;
		return att_fail(a, err, "PERF_EVENT_IOC_ENABLE", NULL);
	}
	return 0;
}

static int att_probe_pmu(struct att *a, const char *pmu, bool ret, uint64_t ref_ctr, int pid)
{
	struct perf_event_attr attr = { .sample_period = 1, .wakeup_events = 1 };
	bool user = !strcmp(pmu, "uprobe");
	int type = ks_pmu_value(pmu, "type"), bit;
	char hint[160];

	if (type < 0) {
		snprintf(hint, sizeof(hint),
			 "no %s PMU in /sys/bus/event_source/devices: kernel "
			 "built without %s",
			 pmu, user ? "CONFIG_UPROBES" : "CONFIG_KPROBES");
		return att_fail(a, type, "perf PMU", hint);
	}
	attr.type = (uint32_t)type;
	if (ret) {
		bit = ks_pmu_value(pmu, "format/retprobe");
		if (bit < 0 || bit > 63)
			return att_fail(a, bit < 0 ? bit : -EINVAL, "perf PMU",
					"no retprobe bit in the PMU's format");
		attr.config |= 1ULL << bit;
	}
	if (ref_ctr) {
		bit = ks_pmu_value(pmu, "format/ref_ctr_offset");
		if (bit < 0 || bit > 63 || (bit && ref_ctr >> (64 - bit)))
			return att_fail(a, bit < 0 ? bit : -EINVAL, "perf PMU",
					"this kernel's uprobes can't set USDT semaphores "
					"(no ref_ctr_offset)");
		attr.config |= ref_ctr << bit;
	}
	attr.config1 = user ? (uint64_t)(uintptr_t)a->t->path : (uint64_t)(uintptr_t)a->t->event;
	attr.config2 = a->t->offset;
	/* One event for all CPUs: a process, or (no process) everyone seen from CPU 0's event */
	return att_perf(a, &attr, pid > 0 ? pid : -1, pid > 0 ? -1 : 0,
			user ? "no such file or process"
			     : "no such kernel function, or kprobes "
			       "not allowed on it");
}

static int att_tracepoint(struct att *a)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT,
					.sample_period = 1,
					.wakeup_events = 1 };
	int id;

	if (!a->t->cat || !a->t->event)
		return att_fail(a, -EINVAL, "tracepoint", "target without category or name");
	id = ks_tracefs_event_id(a->t->cat, a->t->event);
	if (id < 0)
		return att_fail(a, id, "tracefs id",
				ks_tracefs_path() ? "no such tracepoint" : ks_tracefs_error());
	attr.config = (uint64_t)id;
	return att_perf(a, &attr, -1, 0, "no such tracepoint");
}

static int att_sampling(struct att *a)
{
	struct perf_event_attr attr = { 0 };
	const struct perf_ev *ev = NULL;
	int cpus[1024], ncpu = ks_cpus_online(cpus, 1024), err;

	if (a->t->type == LP_PROFILE) {
		attr.type = PERF_TYPE_SOFTWARE;
		attr.config = PERF_COUNT_SW_CPU_CLOCK;
	} else {
		ev = perf_ev_find(a->t->type, a->t->event, false);
		if (!ev)
			return att_fail(a, -EINVAL, "perf event", "unknown event name");
		attr.type = a->t->type == LP_HARDWARE ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE;
		attr.config = ev->config;
	}
	attr.freq = a->t->freq;
	if (a->t->freq)
		attr.sample_freq = a->t->period;
	else
		attr.sample_period = a->t->period;
	if (ncpu <= 0)
		return att_fail(a, -ENOENT, "online CPUs", "cannot read them");
	for (int i = 0; i < ncpu; i++) {
		err = att_perf(a, &attr, -1, cpus[i],
			       a->t->type == LP_HARDWARE ? "no hardware PMU for this event "
							   "(virtual machine?)"
							 : "event not supported");
		if (err)
			return err;
	}
	return 0;
}

static int att_btf(struct att *a)
{
	int fd, err;

	if (a->t->type == LP_RAWTP) {
		fd = bpf_raw_tracepoint_open(a->t->event, a->prog_fd);
		if (fd < 0) {
			err = -errno;
			return att_fail(a, err, "bpf_raw_tracepoint_open",
					err == -ENOENT ? "no such tracepoint" : perm_hint(err));
		}
	} else {
		fd = bpf_link_create(a->prog_fd, 0,
				     a->t->type == LP_KFUNC ? BPF_TRACE_FENTRY : BPF_TRACE_FEXIT,
				     NULL);
		if (fd < 0)
			fd = bpf_raw_tracepoint_open(NULL, a->prog_fd);
		if (fd < 0) {
			err = -errno;
			return att_fail(a, err, "BPF_LINK_CREATE", perm_hint(err));
		}
	}
	err = att_keep(a, fd);
	return err ? att_fail(a, err, "memory", NULL) : 0;
}

int lang_probe_attach(const struct lang_target *t, int prog_fd, int pid, int **fds, size_t *nfds,
		      char *err, size_t errlen)
{
	struct att a = { t, prog_fd, fds, nfds, *nfds, err, errlen };

	if (errlen)
		err[0] = '\0';
	switch (t->type) {
	case LP_BEGIN:
	case LP_END:
	case LP_INTERVAL:
		return 0; /* run by the runtime */
	case LP_TRACEPOINT:
		return att_tracepoint(&a);
	case LP_RAWTP:
	case LP_KFUNC:
	case LP_KRETFUNC:
		return att_btf(&a);
	case LP_KPROBE:
	case LP_KRETPROBE:
		return att_probe_pmu(&a, "kprobe", t->type == LP_KRETPROBE, 0, -1);
	case LP_UPROBE:
	case LP_URETPROBE:
	case LP_USDT:
		if (!t->path)
			return att_fail(&a, -EINVAL, "uprobe", "target without a binary");
		return att_probe_pmu(&a, "uprobe", t->type == LP_URETPROBE, t->ref_ctr_off, pid);
	case LP_PROFILE:
	case LP_SOFTWARE:
	case LP_HARDWARE:
		return att_sampling(&a);
	case LP_NR:
		break;
	}
	return att_fail(&a, -EINVAL, "attach", "unknown probe type");
}
