// SPDX-License-Identifier: GPL-2.0-only
/* kscope features: what this kernel can do, each item found by a tiny real load. */
#include <string.h>
#include <sys/utsname.h>

#include "core/errors.h"
#include "core/log.h"
#include "core/probe.h"
#include "core/syscalls.h"
#include "core/tool.h"

static int run(struct ks_ctx *c)
{
	struct utsname u;
	int nok = 0;

	uname(&u);
	ks_features_full(true);
	if (c->opt.json) {
		ks_json_obj_begin(&c->json, NULL);
		ks_json_str(&c->json, "type", "kernel");
		ks_json_str(&c->json, "release", u.release);
		ks_json_str(&c->json, "version", u.version);
		ks_json_str(&c->json, "machine", u.machine);
		ks_json_obj_end(&c->json);
	} else {
		fprintf(c->out, "kernel %s %s (%s)\n\n%-14s %-4s %s\n", u.release, u.version,
			u.machine, "FEATURE", "OK", "DETAIL");
	}
	for (int f = 0; f < KS_FEAT_NR; f++) {
		int err = ks_feature_probe(f);

		nok += !err;
		if (c->opt.json) {
			ks_json_obj_begin(&c->json, NULL);
			ks_json_str(&c->json, "type", "feature");
			ks_json_str(&c->json, "name", ks_feature_name(f));
			ks_json_bool(&c->json, "ok", !err);
			if (err)
				ks_json_str(&c->json, "errno", ks_errno_name(-err));
			else
				ks_json_null(&c->json, "errno");
			ks_json_str(&c->json, "detail", ks_feature_detail(f));
			ks_json_obj_end(&c->json);
		} else {
			fprintf(c->out, "%-14s %-4s %s\n", ks_feature_name(f), err ? "no" : "yes",
				ks_feature_detail(f));
		}
	}
	ks_syscalls_load();
	if (c->opt.json) {
		ks_json_obj_begin(&c->json, NULL);
		ks_json_str(&c->json, "type", "syscalls");
		ks_json_str(&c->json, "source", ks_syscalls_source());
		ks_json_obj_end(&c->json);
	} else {
		fprintf(c->out, "\nsyscall names from: %s\n",
			!strcmp(ks_syscalls_source(), "kernel")
				? "the running kernel's syscall metadata"
				: "build-time uapi headers (kernel metadata unreadable)");
		fprintf(c->out,
			"tools attach with the first usable of: fentry, kprobe_multi, kprobe, "
			"tp_btf, raw_tp, tracepoint\n");
	}
	return nok ? KS_EXIT_OK : KS_EXIT_UNSUPPORTED;
}

KSCOPE_TOOL(
	features, .summary = "show what this kernel can do for tracing, probed by real loads",
	.help = "Each feature is tested by loading (and, where attaching is what can fail,\n"
		"attaching) a minimal BPF program; failures show the errno and why.\n"
		"JSON: one {\"type\":\"kernel\"} line, then one {\"type\":\"feature\",\"name\",\n"
		"\"ok\",\"errno\",\"detail\"} line per feature.",
	.flags = KS_TOOL_COMMAND | KS_TOOL_ROOT, .run = run);
