// SPDX-License-Identifier: GPL-2.0-only
/* The tool registry, running a tool from its registration, and the BPF session it gets. */
#include <errno.h>
#include <fcntl.h>
#include <linux/btf.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/btf.h"
#include "core/cgroup.h"
#include "core/clock.h"
#include "core/detach.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/open.h"
#include "core/perf.h"
#include "core/stacks.h"
#include "core/tool.h"
#include "shared/filter.h"

extern const struct ks_tool *const __start_ks_tools[] __attribute__((weak));
extern const struct ks_tool *const __stop_ks_tools[] __attribute__((weak));

static int tool_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct ks_tool *const *)a)->name,
		      (*(const struct ks_tool *const *)b)->name);
}

size_t ks_tools_list(const struct ks_tool ***list)
{
	static const struct ks_tool **sorted;
	static size_t n;

	if (!sorted && __start_ks_tools && __stop_ks_tools) {
		n = (size_t)(__stop_ks_tools - __start_ks_tools);
		sorted = calloc(n ? n : 1, sizeof(*sorted));
		if (!sorted)
			n = 0;
		for (size_t i = 0; i < n; i++)
			sorted[i] = __start_ks_tools[i];
		qsort(sorted, n, sizeof(*sorted), tool_cmp);
	}
	*list = sorted;
	return n;
}

const struct ks_tool *ks_tool_find(const char *name)
{
	const struct ks_tool **l;
	size_t n = ks_tools_list(&l);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i]->name, name))
			return l[i];
	return NULL;
}

/* Damerau-Levenshtein distance (with adjacent transpositions), capped for short words. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *ks_tool_suggest(const char *name)
{
	const struct ks_tool **l;
	size_t n = ks_tools_list(&l), best = 3;
	const char *hit = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t d = distance(name, l[i]->name);

		if (strlen(name) >= 3 && !strncmp(l[i]->name, name, strlen(name)))
			d = 1;
		if (d < best) {
			best = d;
			hit = l[i]->name;
		}
	}
	return hit;
}

int ks_fail(struct ks_ctx *c, int code, int err)
{
	if (!c->status)
		c->status = code;
	return err > 0 ? -err : (err ? err : -EINVAL);
}

int ks_exit_status(const struct ks_ctx *c, int err)
{
	if (c->status)
		return c->status;
	return err ? KS_EXIT_FAIL : KS_EXIT_OK;
}

/* The core's part of configuring a freshly opened object, then the tool's. */
static int configure(struct ks_ctx *c)
{
	int err = 0;

	if (c->tool->flags & KS_TOOL_PER_TASK)
		err = ks_khist_configure(c);
	if (!err && c->stacks)
		err = ks_stacks_configure(c->stacks, c->obj);
	if (!err && c->tool->configure)
		err = c->tool->configure(c);
	if (err) {
		ks_error("cannot configure the BPF object: %s", strerror(-err));
		return ks_fail(c, KS_EXIT_FAIL, err);
	}
	return 0;
}

int ks_tool_run(struct ks_ctx *c)
{
	const struct ks_tool *t = c->tool;
	const struct ks_skel *sk = t->skel;
	int ret = KS_EXIT_OK, err;

	if (!sk)
		return t->run(c);
	if (t->khist)
		c->khist = *t->khist;
	if (t->flags & KS_TOOL_PER_TASK)
		ks_khist_fmt_task(&c->khist, c->opt.by);
	if (t->prepare && (ret = t->prepare(c))) {
		if (ret == KS_DONE)
			ret = KS_EXIT_OK;
		goto out;
	}
	do {
		c->skel = sk->open(ks_bpf_open_opts(sk->elf));
		if (!c->skel) {
			ks_error("cannot open the BPF object: %s", strerror(errno));
			err = ks_fail(c, KS_EXIT_FAIL, errno);
			break;
		}
		c->obj = sk->obj(c->skel);
		err = configure(c);
		if (!err)
			err = ks_bpf_run(c, c->obj, &t->loop);
		sk->destroy(c->skel);
		c->skel = NULL;
		c->obj = NULL;
	} while (err == -EAGAIN);
	ret = ks_exit_status(c, err);
out:
	if (t->finish)
		t->finish(c);
	ks_stacks_free(c->stacks);
	c->stacks = NULL;
	ks_khist_fmt_release(&c->khist);
	return ret;
}

/* Pointer into the .rodata image of @obj for variable @name, checking its size. */
static void *rodata_var(struct bpf_object *obj, const char *name, size_t size)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct btf *btf = bpf_object__btf(obj);
	size_t mapsz;
	char *data;
	int id;

	if (!map || !btf)
		return NULL;
	data = (char *)bpf_map__initial_value(map, &mapsz);
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (!data || id < 0)
		return NULL;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (unsigned int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (strcmp(btf__name_by_offset(btf, var->name_off), name))
			continue;
		if (vs->size != size || vs->offset + size > mapsz)
			return NULL;
		return data + vs->offset;
	}
	return NULL;
}

int ks_bpf_set_rodata(struct bpf_object *obj, const char *name, const void *val, size_t size)
{
	void *p = rodata_var(obj, name, size);

	if (!p)
		return -ENOENT;
	memcpy(p, val, size);
	return 0;
}

void ks_bpf_disable_hook(struct bpf_object *obj, const char *hook)
{
	struct bpf_program *prog;
	size_t n = strlen(hook);

	bpf_object__for_each_program (prog, obj) {
		const char *name = bpf_program__name(prog);

		if (!strncmp(name, hook, n) && (name[n] == '\0' || !strncmp(name + n, "__", 2)))
			bpf_program__set_autoload(prog, false);
	}
}

/*
 * -c on a v1 directory: the BPF side walks the task's ancestors in that hierarchy itself
 * (the cgroup array map takes v2 directories only), so only the directory's id and its
 * controller's subsystem id go to it.
 */
static void set_filter_cgroup(struct ks_ctx *c, struct ks_filter *f, const struct ks_cgroup_hier *h)
{
	c->cgroup_id = ks_cgroup_id_of(c->cgroup_fd);
	f->cgroup_id = c->cgroup_id;
	if (h && !h->v2) {
		f->cgroup = KS_CG_FILTER_V1;
		f->cgroup_ssid = (unsigned int)h->ssid;
		close(c->cgroup_fd);
		c->cgroup_fd = -1;
	} else {
		f->cgroup = KS_CG_FILTER_V2;
	}
}

static int set_filter(struct ks_ctx *c, struct bpf_object *obj)
{
	struct ks_filter f = { .self = (unsigned int)getpid() };
	const struct ks_cgroup_hier *hier = NULL;
	const struct ks_cgroup_ident *id;
	bool want = false;
	char why[512];

	if (c->opt.pid)
		f.pid = c->opt.pid, want = true;
	if (c->opt.tid)
		f.tid = c->opt.tid, want = true;
	if (c->opt.has_uid)
		f.uid = c->opt.uid, f.has_uid = 1, want = true;
	if (c->opt.comm[0]) {
		memcpy(f.comm, c->opt.comm, sizeof(f.comm));
		f.comm_len = (unsigned int)strnlen(f.comm, sizeof(f.comm));
		want = true;
	}
	if (c->opt.cgroup) {
		c->cgroup_fd = ks_cgroup_open(c->opt.cgroup, why, sizeof(why));
		if (c->cgroup_fd < 0) {
			ks_error("%s", why);
			return ks_fail(c, KS_EXIT_USAGE, c->cgroup_fd);
		}
		hier = ks_cgroup_hier_of(c->cgroup_fd);
		set_filter_cgroup(c, &f, hier);
		want = true;
	}
	/* How events and per-cgroup keys name tasks; -c's v1 hierarchy is the default one. */
	if (ks_cgroup_ident_set(c->opt.cgroup_hierarchy, hier, why, sizeof(why))) {
		ks_error("--cgroup-hierarchy: %s", why);
		return ks_fail(c, KS_EXIT_USAGE, EINVAL);
	}
	id = ks_cgroup_ident();
	f.ident = id->mode;
	f.ident_ssid = id->ssid;
	f.v2_root_id = id->v2_root_id;
	if (ks_bpf_set_rodata(obj, "ks_filter", &f, sizeof(f)) && want) {
		ks_error("internal: BPF object has no ks_filter to apply the filter options");
		return ks_fail(c, KS_EXIT_FAIL, EINVAL);
	}
	return 0;
}

/* The cgroup layout and how tasks are named, for the meta line (docs/containers.md). */
static void announce_cgroups(struct ks_ctx *c)
{
	const char *layout = ks_cgroup_layout_name(ks_cgroup_layout());
	const struct ks_cgroup_ident *id = ks_cgroup_ident();

	if (c->opt.json) {
		ks_json_obj_begin(&c->json, "cgroup");
		ks_json_str(&c->json, "layout", layout);
		ks_json_str(&c->json, "hierarchy", id->name);
		ks_json_obj_end(&c->json);
	} else if (id->mode == KS_CG_IDENT_AUTO) {
		ks_info("cgroups: %s layout: a task's cgroup is its cgroup v2 one, or its %s one "
			"(v1) while it is at the v2 root",
			layout, id->v1name);
	} else {
		ks_info("cgroups: %s layout: a task's cgroup is its %s one%s", layout,
			id->mode == KS_CG_IDENT_V1 ? id->v1name : "cgroup v2",
			id->mode == KS_CG_IDENT_V1 ? " (v1)" : "");
	}
}

/* One hook's member of the meta line's "attach_detail". */
static void attach_detail(struct ks_json *j, const struct ks_choice *ch)
{
	const char *t = ch->targets;

	ks_json_obj_begin(j, ch->hook);
	ks_json_str(j, "method", ks_method_name(ch->method));
	if (ks_scope_name(ch->scope))
		ks_json_str(j, "scope", ks_scope_name(ch->scope));
	ks_json_arr_begin(j, "targets");
	while (*t) {
		size_t n = strcspn(t, ",");

		ks_json_strn(j, NULL, t, n);
		t += n + (t[n] == ',');
	}
	ks_json_arr_end(j);
	ks_json_str(j, "why", ch->why);
	ks_json_obj_end(j);
}

static void announce(struct ks_ctx *c)
{
	const char *hook, *why;
	enum ks_method m;

	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_json_obj_begin(j, NULL);
		ks_json_str(j, "type", "meta");
		ks_json_str(j, "tool", c->tool->name);
		ks_json_str(j, "version", KSCOPE_VERSION);
		ks_json_obj_begin(j, "attach");
		for (size_t i = 0; i < c->plan.n; i++)
			ks_json_str(j, c->plan.v[i].hook, ks_method_name(c->plan.v[i].method));
		ks_json_obj_end(j);
		/* Per hook: what it runs for, where it is attached, and why (docs/attach.md). */
		if (c->plan.n) {
			ks_json_obj_begin(j, "attach_detail");
			for (size_t i = 0; i < c->plan.n; i++)
				attach_detail(j, &c->plan.v[i]);
			ks_json_obj_end(j);
		}
		if (c->sample_event) {
			ks_json_obj_begin(j, "sampling");
			ks_json_str(j, "event", c->sample_event);
			ks_json_uint(j, "hz", c->sample_hz);
			ks_json_obj_end(j);
		}
		/* Variants ruled out after failing to load here, and why ("HOOK:METHOD"). */
		if (ks_attach_exclusion(0, &hook, &m, &why)) {
			ks_json_obj_begin(j, "fallbacks");
			for (unsigned int i = 0; ks_attach_exclusion(i, &hook, &m, &why); i++) {
				char key[96];

				snprintf(key, sizeof(key), "%s:%s", hook, ks_method_name(m));
				ks_json_str(j, key, why);
			}
			ks_json_obj_end(j);
		}
		announce_cgroups(c);
		if (c->tool->meta)
			c->tool->meta(c);
		ks_json_obj_end(j);
		ks_out_flush(c->out);
		return;
	}
	for (size_t i = 0; i < c->plan.n; i++)
		ks_info("%s: %s %s (%u program%s): %s", c->plan.v[i].hook,
			ks_method_name(c->plan.v[i].method), c->plan.v[i].targets,
			c->plan.v[i].nprogs, c->plan.v[i].nprogs == 1 ? "" : "s", c->plan.v[i].why);
	if (c->sample_event)
		ks_info("sampling: %s at %llu Hz on every CPU", c->sample_event, c->sample_hz);
	announce_cgroups(c);
	if (c->tool->meta)
		c->tool->meta(c);
	fprintf(stderr, "kscope: %s: tracing, Ctrl-C to end\n", c->tool->name);
	fflush(stderr);
}

/*
 * The kernel refused one program of a variant that has fallbacks (an fentry target whose
 * BTF the verifier can't use, say): remember that and say so; the caller opens the object
 * anew and the next choice skips it. False when there is nothing to fall back to.
 */
static bool retry_without(struct ks_ctx *c, struct bpf_object *obj)
{
	struct bpf_program *prog = NULL;
	const char *name = ks_libbpf_failed_prog(), *sep, *target;
	char hook[64], why[256];
	enum ks_scope scope;
	enum ks_method m;

	if (!name[0] || !(prog = bpf_object__find_program_by_name(obj, name)))
		return false;
	m = ks_method_of_section(bpf_program__section_name(prog), &target);
	scope = ks_scope_of(m, target, NULL, 0);
	sep = strstr(name, "__");
	/* The classic tracepoint on raw_syscalls or an event is every hook's last resort. */
	if (m == KS_METHOD_FIXED || (m == KS_METHOD_TRACEPOINT && scope != KS_SCOPE_SYSCALL) ||
	    !sep)
		return false;
	snprintf(hook, sizeof(hook), "%.*s", (int)(sep - name), name);
	snprintf(why, sizeof(why), "%s: %s", name,
		 ks_verifier_last()[0] ? ks_verifier_last() : ks_libbpf_last());
	if (ks_attach_exclude(hook, m, scope, why))
		return false;
	ks_info("%s: the %s variant failed to load (%s); trying the next method", hook,
		ks_method_name(m), why);
	(void)c;
	return true;
}

/* KSCOPE_TIMING=1 prints how long each start-up phase took, for bench/ and for us. */
static void phase(const char *what)
{
	static unsigned long long last;
	static int on = -1;
	unsigned long long now;

	if (on < 0)
		on = getenv("KSCOPE_TIMING") != NULL;
	if (!on)
		return;
	now = ks_now_mono();
	if (last)
		fprintf(stderr, "kscope: timing: %-8s %7.3f ms\n", what, (now - last) / 1e6);
	last = now;
}

int ks_bpf_start(struct ks_ctx *c, struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char why[1024];
	size_t nprog = 0, cap;
	int err, ncpu;

	phase("begin");
	c->obj = obj;
	c->cgroup_fd = -1;
	err = ks_btf_check();
	if (err) {
		ks_error("no kernel type information (%s: %s): kscope's tools need a kernel built "
			 "with CONFIG_DEBUG_INFO_BTF, or a BTF file for it in KSCOPE_VMLINUX_BTF",
			 ks_btf_path(), ks_errno_name(-err));
		err = ks_fail(c, KS_EXIT_UNSUPPORTED, err);
		goto fail;
	}
	err = set_filter(c, obj);
	if (err)
		goto fail;

	map = bpf_object__find_map_by_name(obj, "ks_events");
	if (map) {
		/* Wake the reader when a quarter of the ring is full, not on every event. */
		unsigned long long wake = bpf_map__max_entries(map) / 4;

		ks_bpf_set_rodata(obj, "ks_wakeup_bytes", &wake, sizeof(wake));
	}

	err = ks_attach_select(obj, c->opt.attach_mask, &c->plan, why, sizeof(why));
	if (err) {
		ks_error("%s", why);
		err = ks_fail(c, err == -EINVAL ? KS_EXIT_USAGE : KS_EXIT_UNSUPPORTED, err);
		goto fail;
	}

	if (!c->plan.n && c->opt.attach_mask != KS_METHODS_ALL) {
		ks_error("--attach: %s has no choice of attach method (it samples with perf "
			 "events)",
			 c->tool->name);
		err = ks_fail(c, KS_EXIT_USAGE, EINVAL);
		goto fail;
	}
	phase("select");
	ks_libbpf_clear();
	err = bpf_object__load(obj);
	phase("load");
	if (err && retry_without(c, obj)) {
		err = -EAGAIN;
		goto fail;
	}
	if (err) {
		const char *last = ks_libbpf_last();

		if ((err == -EPERM || err == -EACCES) && geteuid() != 0)
			ks_error("cannot load BPF programs: not permitted (run as root, or with "
				 "CAP_BPF and CAP_PERFMON)");
		else if (ks_verifier_last()[0])
			ks_error("cannot load BPF programs: %s; the verifier said: %s", last,
				 ks_verifier_last());
		else
			ks_error("cannot load BPF programs: %s%s%s", strerror(-err),
				 last[0] ? ": " : "", last);
		if (!ks_log_verbose())
			ks_info("run with -v to see the verifier log");
		err = ks_fail(c, ks_exit_code(err), err);
		goto fail;
	}

	if (c->cgroup_fd >= 0) {
		struct bpf_map *cg = bpf_object__find_map_by_name(obj, "ks_cgroup");
		unsigned int key = 0;

		if (!cg || bpf_map_update_elem(bpf_map__fd(cg), &key, &c->cgroup_fd, BPF_ANY)) {
			err = -errno;
			ks_error("cannot set the cgroup filter: %s", strerror(errno));
			err = ks_fail(c, KS_EXIT_FAIL, err);
			goto fail;
		}
	}

	bpf_object__for_each_program (prog, obj)
		nprog++;
	/* A perf_event program takes one link per CPU. */
	ncpu = libbpf_num_possible_cpus();
	cap = nprog * (size_t)(ncpu > 0 ? ncpu + 1 : 1) + 1;
	c->links = calloc(cap, sizeof(*c->links));
	if (!c->links) {
		err = ks_fail(c, KS_EXIT_FAIL, ENOMEM);
		goto fail;
	}
	bpf_object__for_each_program (prog, obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog) || !bpf_program__autoattach(prog))
			continue;
		if (bpf_program__type(prog) == BPF_PROG_TYPE_PERF_EVENT) {
			if (!c->sample_hz)
				c->sample_hz = 49;
			err = ks_perf_attach(prog, c->sample_want, c->sample_hz, c->links, cap,
					     &c->nlinks, &c->sample_event, why, sizeof(why));
			if (err) {
				ks_error("%s", why);
				err = ks_fail(c, ks_exit_code(err), err);
				goto fail;
			}
			continue;
		}
		/* Programs our loader hooks took over have lost libbpf's attach handler. */
		link = ks_bpf_own_prog(prog) ? bpf_program__attach_trace(prog)
					     : bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			ks_error("cannot attach %s (%s): %s", bpf_program__name(prog),
				 bpf_program__section_name(prog), strerror(-err));
			err = ks_fail(c, ks_exit_code(err), err);
			goto fail;
		}
		c->links[c->nlinks++] = link;
	}
	phase("attach");
	c->realtime_offset = ks_realtime_offset();
	c->start_ns = ks_now_mono();
	announce(c);
	return 0;
fail:
	ks_bpf_stop(c);
	return err;
}

void ks_bpf_stop(struct ks_ctx *c)
{
	ks_links_destroy(c->links, c->nlinks);
	c->nlinks = 0;
	free(c->links);
	c->links = NULL;
	ks_attach_plan_free(&c->plan);
	if (c->cgroup_fd >= 0)
		close(c->cgroup_fd);
	c->cgroup_fd = -1;
}
