// SPDX-License-Identifier: GPL-2.0-only
/* kscope btf: the per-kernel cache of minimal BTF, and a check that it relocates right. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/btf.h"
#include "core/btfmin.h"
#include "core/log.h"
#include "core/open.h"
#include "core/probe.h"
#include "core/tool.h"
#include "skel/syscalls.skel.h"

struct btf_cmd {
	bool verify, rebuild;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct btf_cmd, verify, "verify", 0,
		"load every tool's programs with the minimal BTF and with the full kernel BTF, "
		"and compare the relocated instructions"),
	KS_FLAG(struct btf_cmd, rebuild, "rebuild", 0, "build every cache entry anew"),
	{ 0 },
};

/*
 * Methods are checked one at a time: that method where the tool has a variant of it, the
 * classic tracepoint for its other hooks (fentry variants exist only for single syscalls).
 * tp_btf and raw_tp exist for syscalls only on raw_syscalls, which the per-syscall
 * tracepoints would otherwise outrank.
 */
static unsigned int verify_mask(enum ks_method m)
{
	return (1u << m) | (1u << KS_METHOD_TRACEPOINT) |
	       (m == KS_METHOD_TP_BTF || m == KS_METHOD_RAW_TP ? KS_ATTACH_RAW_SYSCALLS : 0);
}

/* Open and load @elf, with @btf_path as the CO-RE target (NULL: the kernel's own BTF). */
static struct bpf_object *load(const struct ks_tool *t, const void *elf, size_t size,
			       const char *btf_path, unsigned int mask)
{
	const char *name = t->name;
	LIBBPF_OPTS(bpf_object_open_opts, o, .object_name = name, .btf_custom_path = btf_path);
	struct ks_attach_plan plan;
	struct bpf_object *obj;
	char why[1024];
	int err;

	obj = bpf_object__open_mem(elf, size, &o);
	if (!obj)
		return NULL;
	if (t->layouts && t->layouts(obj)) {
		bpf_object__close(obj);
		errno = EINVAL;
		return NULL;
	}
	/* Checking kprobes: the syscalls' own tracepoints would outrank them. */
	if (mask & ((1u << KS_METHOD_KPROBE) | (1u << KS_METHOD_KPROBE_MULTI))) {
		struct bpf_program *p;

		bpf_object__for_each_program (p, obj)
			if (!strncmp(bpf_program__section_name(p), "tracepoint/syscalls/", 20))
				bpf_program__set_autoload(p, false);
	}
	err = ks_attach_select(obj, mask, &plan, why, sizeof(why));
	/* Objects with no choice to make are compared once, under the first method. */
	if (!err && !plan.n && mask != verify_mask(KS_METHOD_FENTRY))
		err = -ENOENT;
	if (err) {
		/* This method doesn't cover every hook of the tool here: nothing to compare. */
		bpf_object__close(obj);
		errno = ENOENT;
		return NULL;
	}
	{
		ks_attach_plan_free(&plan);
		err = bpf_object__load(obj);
	}
	if (err) {
		/*
		 * With the kernel's BTF this is libbpf's own load: a variant the kernel refuses
		 * (and the tools fall back from) has nothing to compare, which is not an error.
		 */
		if (btf_path)
			ks_error("%s: cannot load with the minimal BTF: %s %s", name,
				 strerror(-err), ks_verifier_last());
		else
			ks_info("%s: not loadable here with these methods: %s %s", name,
				strerror(-err), ks_verifier_last());
		bpf_object__close(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

/* The relocated program text of one reference load, kept for comparison. */
struct ref_prog {
	char name[64];
	struct bpf_insn *insns;
	size_t n;
};

struct ref {
	struct ref_prog *p;
	size_t n;
	bool ok;
	bool fixed; /* the object has no attach choices */
	enum ks_method method;
	char refused[256]; /* the kernel refused this method's variant: why */
};

/* Same program text, apart from the map fds libbpf wrote into ldimm64 instructions. */
static bool same_insns(const struct bpf_insn *x, size_t n, const struct bpf_program *b, size_t *at)
{
	const struct bpf_insn *y = bpf_program__insns(b);

	if (n != bpf_program__insn_cnt(b)) {
		*at = (size_t)-1;
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		bool map_ref = x[i].code == (BPF_LD | BPF_IMM | BPF_DW) && x[i].src_reg &&
			       x[i].src_reg != BPF_PSEUDO_FUNC;

		if (x[i].code != y[i].code || x[i].src_reg != y[i].src_reg ||
		    x[i].dst_reg != y[i].dst_reg || x[i].off != y[i].off ||
		    (!map_ref && x[i].imm != y[i].imm)) {
			*at = i;
			return false;
		}
		if (map_ref && i + 1 < n) {
			i++; /* the second half holds the value offset: compare it */
			if (x[i].imm != y[i].imm) {
				*at = i;
				return false;
			}
		}
	}
	return true;
}

/* libbpf's own way, end to end: the kernel's full BTF, libbpf's section handlers. */
static void reference_load(const struct ks_tool *t, struct ref *r)
{
	struct bpf_program *p;
	struct bpf_object *obj;
	const void *elf;
	size_t size;

	elf = t->skel->elf(&size);
	obj = load(t, elf, size, NULL, verify_mask(r->method));
	if (!obj) {
		if (errno != ENOENT)
			snprintf(r->refused, sizeof(r->refused), "%s",
				 ks_verifier_last()[0] ? ks_verifier_last() : strerror(errno));
		return;
	}
	r->fixed = true;
	bpf_object__for_each_program (p, obj) {
		enum ks_method m = ks_method_of_section(bpf_program__section_name(p), NULL);

		if (!bpf_program__autoload(p))
			continue;
		if (m != KS_METHOD_FIXED)
			r->fixed = false;
		if (m == r->method)
			r->ok = true; /* the method is the tool's for at least one hook */
	}
	if (r->fixed)
		r->ok = r->method == KS_METHOD_FENTRY;
	if (!r->ok) {
		bpf_object__close(obj);
		return;
	}
	bpf_object__for_each_program (p, obj) {
		struct ref_prog *rp, *np;

		if (!bpf_program__autoload(p))
			continue;
		np = realloc(r->p, (r->n + 1) * sizeof(*np));
		if (!np)
			break;
		r->p = np;
		rp = &r->p[r->n++];
		snprintf(rp->name, sizeof(rp->name), "%s", bpf_program__name(p));
		rp->n = bpf_program__insn_cnt(p);
		rp->insns = malloc(rp->n * sizeof(*rp->insns));
		if (rp->insns)
			memcpy(rp->insns, bpf_program__insns(p), rp->n * sizeof(*rp->insns));
		else
			rp->n = 0;
	}
	bpf_object__close(obj);
}

/* kscope's way: the cached minimal BTF and our loader hooks; compare with @r. */
static int verify_one(struct ks_ctx *c, const struct ks_tool *t, const struct ref *r)
{
	const struct bpf_object_open_opts *o = ks_bpf_open_opts(t->skel->elf);
	struct bpf_object *obj;
	size_t size, progs = 0, bad = 0;
	const void *elf;

	elf = t->skel->elf(&size);
	if (r->refused[0]) {
		/* libbpf's own load failed too: the tools fall back from this variant here. */
		if (c->opt.json) {
			ks_json_obj_begin(&c->json, NULL);
			ks_json_str(&c->json, "type", "verify");
			ks_json_str(&c->json, "tool", t->name);
			ks_json_str(&c->json, "method", ks_method_name(r->method));
			ks_json_str(&c->json, "refused", r->refused);
			ks_json_obj_end(&c->json);
		} else {
			fprintf(c->out, "  %-12s %-12s refused by this kernel: %s\n", t->name,
				ks_method_name(r->method), r->refused);
		}
		return 0;
	}
	if (!r->ok)
		return 0; /* the method doesn't apply to this tool on this kernel */
	obj = o->btf_custom_path ? load(t, elf, size, o->btf_custom_path, verify_mask(r->method))
				 : NULL;
	if (!obj) {
		ks_error("%s: %s", t->name,
			 o->btf_custom_path ? "cannot load with the minimal BTF"
					    : "no minimal BTF to verify");
		return -EINVAL;
	}
	for (size_t i = 0; i < r->n; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(obj, r->p[i].name);
		size_t at = 0;

		progs++;
		if (!p || !same_insns(r->p[i].insns, r->p[i].n, p, &at)) {
			bad++;
			ks_error("%s: program %s relocates differently with the minimal BTF (at "
				 "instruction %zd)",
				 t->name, r->p[i].name, (ssize_t)at);
		}
	}
	if (c->opt.json) {
		ks_json_obj_begin(&c->json, NULL);
		ks_json_str(&c->json, "type", "verify");
		ks_json_str(&c->json, "tool", t->name);
		ks_json_str(&c->json, "method", ks_method_name(r->method));
		ks_json_uint(&c->json, "programs", progs);
		ks_json_uint(&c->json, "different", bad);
		ks_json_obj_end(&c->json);
	} else {
		fprintf(c->out, "  %-12s %-12s %zu programs, %s\n", t->name,
			r->fixed ? "(no choice)" : ks_method_name(r->method), progs,
			bad ? "DIFFERENT" : "identical relocations");
	}
	bpf_object__close(obj);
	return bad || !progs ? -EINVAL : 0;
}

static int run(struct ks_ctx *c)
{
	/* The core's own BPF objects are relocated like the tools'. */
	static const struct ks_skel core_skel = { .elf = syscalls_bpf__elf_bytes };
	static const struct ks_tool core_syscalls = { .name = "(syscalls)", .skel = &core_skel };
	const struct btf_cmd *cmd = c->state;
	const struct ks_tool **tools, *l[128];
	size_t n = 0, ntools = ks_tools_list(&tools);

	for (size_t i = 0; i < ntools && n + 1 < KS_ARRAY_SIZE(l); i++)
		if (tools[i]->skel)
			l[n++] = tools[i];
	l[n++] = &core_syscalls;
	int failed = 0;

	if (!c->opt.json)
		fprintf(c->out, "kernel BTF: %s (%s)\n", ks_btf_path(),
			ks_btf_check() ? "unusable" : "ok");
	for (size_t i = 0; i < n; i++) {
		const struct ks_tool *t = l[i];
		const void *elf;
		const char *path;
		struct stat st;
		size_t size;

		if (!t->skel)
			continue;
		elf = t->skel->elf(&size);
		path = ks_btf_min_path(elf, size, cmd->rebuild);
		if (c->opt.json) {
			ks_json_obj_begin(&c->json, NULL);
			ks_json_str(&c->json, "type", "btf");
			ks_json_str(&c->json, "tool", t->name);
			ks_json_str(&c->json, "path", path);
			if (path && !stat(path, &st))
				ks_json_uint(&c->json, "bytes", st.st_size);
			ks_json_obj_end(&c->json);
		} else {
			fprintf(c->out, "%-12s %s", t->name,
				path ? path
				     : "(no cache: libbpf reads the "
				       "kernel BTF)");
			if (path && !stat(path, &st))
				fprintf(c->out, " (%lld bytes)", (long long)st.st_size);
			fputc('\n', c->out);
		}
		if (!path)
			failed++;
	}
	if (cmd->verify) {
		size_t nref = n * KS_METHOD_NR, checked = 0;
		struct ref *refs = calloc(nref ? nref : 1, sizeof(*refs));

		if (!refs)
			return KS_EXIT_FAIL;
		/* All reference loads first: our hooks, once on, stay on in this process. */
		for (size_t i = 0; i < nref; i++) {
			refs[i].method = (enum ks_method)(i % KS_METHOD_NR);
			if (l[i / KS_METHOD_NR]->skel)
				reference_load(l[i / KS_METHOD_NR], &refs[i]);
		}
		if (!c->opt.json)
			fprintf(c->out, "verify:\n");
		for (size_t i = 0; i < nref; i++) {
			if (!l[i / KS_METHOD_NR]->skel)
				continue;
			checked += refs[i].ok;
			if (verify_one(c, l[i / KS_METHOD_NR], &refs[i]))
				failed++;
			for (size_t k = 0; k < refs[i].n; k++)
				free(refs[i].p[k].insns);
			free(refs[i].p);
		}
		free(refs);
		if (!checked) {
			ks_error("nothing could be loaded to verify");
			failed++;
		}
	}
	return failed ? KS_EXIT_FAIL : KS_EXIT_OK;
}

KSCOPE_TOOL(btf, .summary = "show and check the per-kernel cache of minimal BTF",
	    .help = "kscope keeps, per kernel and tool, a small BTF file with just the kernel\n"
		    "types the tool's CO-RE relocations need (in /run/kscope), so tools start\n"
		    "without parsing the kernel's 5+ MB of BTF. --verify loads each tool both\n"
		    "ways and checks that every instruction comes out the same.",
	    .opts = opts, KS_STATE(struct btf_cmd), .flags = KS_TOOL_COMMAND | KS_TOOL_ROOT,
	    .run = run);
