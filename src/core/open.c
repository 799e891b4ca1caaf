// SPDX-License-Identifier: GPL-2.0-only
/* BPF object open options: minimal BTF for CO-RE and our own BTF-typed program loading. */
#include <errno.h>
#include <linux/btf.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/btf.h"
#include "core/btfmin.h"
#include "core/log.h"
#include "core/open.h"

static const struct {
	const char *sec;
	enum bpf_attach_type type;
} hooked[] = {
	{ "tp_btf/", BPF_TRACE_RAW_TP },
	{ "fentry/", BPF_TRACE_FENTRY },
	{ "fexit/", BPF_TRACE_FEXIT },
};

static bool hooks_on;

/*
 * Right before load: make the program what its section says (a BTF-typed tracing
 * program) and give it its attach target's id, found by name in the kernel BTF. Until
 * now libbpf saw a raw_tp program, for which it needs no kernel BTF.
 */
static int prepare_load(struct bpf_program *prog, struct bpf_prog_load_opts *o, long cookie)
{
	const char *target = strchr(bpf_program__section_name(prog), '/');
	enum bpf_attach_type type = (enum bpf_attach_type)cookie;
	char name[192];
	int id;

	if (!target || !target[1])
		return -EINVAL;
	target++;
	if (type == BPF_TRACE_RAW_TP)
		snprintf(name, sizeof(name), "btf_trace_%s", target);
	else
		snprintf(name, sizeof(name), "%s", target);
	id = ks_btf_id(name, type == BPF_TRACE_RAW_TP ? BTF_KIND_TYPEDEF : BTF_KIND_FUNC);
	if (id < 0) {
		ks_warn("%s: no %s '%s' in kernel BTF", bpf_program__name(prog),
			type == BPF_TRACE_RAW_TP ? "tracepoint" : "function", target);
		return id;
	}
	bpf_program__set_type(prog, BPF_PROG_TYPE_TRACING);
	bpf_program__set_expected_attach_type(prog, type);
	o->expected_attach_type = type;
	o->attach_btf_id = id;
	o->attach_btf_obj_fd = 0;
	o->attach_prog_fd = 0;
	return 0;
}

static void hooks_register(void)
{
	if (hooks_on)
		return;
	for (size_t i = 0; i < KS_ARRAY_SIZE(hooked); i++) {
		LIBBPF_OPTS(libbpf_prog_handler_opts, o, .cookie = hooked[i].type,
			    .prog_prepare_load_fn = prepare_load);

		/* Never unregistered: libbpf 1.1 frees its handler table wrongly then. */
		libbpf_register_prog_handler(hooked[i].sec, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, &o);
	}
	hooks_on = true;
}

bool ks_bpf_own_prog(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	if (!hooks_on || bpf_program__type(prog) != BPF_PROG_TYPE_TRACING)
		return false;
	for (size_t i = 0; i < KS_ARRAY_SIZE(hooked); i++)
		if (!strncmp(sec, hooked[i].sec, strlen(hooked[i].sec)))
			return true;
	return false;
}

const struct bpf_object_open_opts *ks_bpf_open_opts(const void *(*elf)(size_t *size))
{
	static struct bpf_object_open_opts opts;
	const char *path = NULL;
	const void *data;
	size_t size = 0;

	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	data = elf ? elf(&size) : NULL;
	if (data)
		path = ks_btf_min_path(data, size, false);
	if (!path)
		return &opts;
	opts.btf_custom_path = path;
	hooks_register();
	return &opts;
}
