/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel feature probes (tiny real loads) and the attach-method choice made from them. */
#ifndef KS_PROBE_H
#define KS_PROBE_H

#include "core/common.h"

struct bpf_object;

enum ks_feature {
	KS_FEAT_BTF,
	KS_FEAT_TRACEFS,
	KS_FEAT_RINGBUF,
	KS_FEAT_TP_BTF,
	KS_FEAT_RAW_TP,
	KS_FEAT_TRACEPOINT,
	KS_FEAT_FENTRY,
	KS_FEAT_KPROBE,
	KS_FEAT_KPROBE_MULTI,
	KS_FEAT_UPROBE,
	KS_FEAT_PERF_SW,
	KS_FEAT_PERF_HW,
	KS_FEAT_NR,
};

/*
 * Probe feature @f once per process (later calls return the cached answer): 0 when it
 * works here, or the negative errno of the step that failed. The probe loads a minimal
 * program (and attaches it, see ks_features_full), then releases it.
 */
int ks_feature_probe(enum ks_feature f);
/*
 * By default probes stop at loading where attaching is slow (tracepoint text patching,
 * perf-event release); with @full they attach too. Call before the first probe.
 */
void ks_features_full(bool full);
/* Short name ("tp_btf") and a one-line explanation of the last probe's result. */
const char *ks_feature_name(enum ks_feature f);
const char *ks_feature_detail(enum ks_feature f);

/* Attach methods in order of preference: the first one that works is used. */
enum ks_method {
	KS_METHOD_FENTRY,
	KS_METHOD_KPROBE_MULTI,
	KS_METHOD_KPROBE,
	KS_METHOD_TP_BTF,
	KS_METHOD_RAW_TP,
	KS_METHOD_TRACEPOINT,
	KS_METHOD_NR,
	KS_METHOD_FIXED = KS_METHOD_NR, /* not selectable: uprobe, perf_event, iter ... */
};

#define KS_METHODS_ALL ((1u << KS_METHOD_NR) - 1)
/*
 * Not a method but a restriction in the same mask (--attach raw_syscalls): hooks on
 * syscalls use only their variants on raw_syscalls, which run for every syscall.
 */
#define KS_ATTACH_RAW_SYSCALLS (1u << KS_METHOD_NR)

const char *ks_method_name(enum ks_method m);
/*
 * Parse a comma-separated list of method names ("tp_btf,tracepoint"), and the word
 * "raw_syscalls" (KS_ATTACH_RAW_SYSCALLS; alone it allows every method), into a bit mask.
 * Returns 0, or -EINVAL with the offending word in @bad (at least 32 bytes).
 */
int ks_method_parse(const char *s, unsigned int *mask, char *bad, size_t badlen);

/* Which syscalls a program runs for: what it costs the processes it does not trace. */
enum ks_scope {
	KS_SCOPE_OTHER,	       /* not a syscall hook: sched_switch, a kernel function ... */
	KS_SCOPE_SYSCALL,      /* one syscall: its function (fentry, kprobe) or tracepoint */
	KS_SCOPE_RAW_SYSCALLS, /* raw_syscalls sys_enter/sys_exit: every syscall */
};

/*
 * Scope of a program attached with @m to @target (as ks_method_of_section gives it). For
 * KS_SCOPE_SYSCALL the syscall's name ("openat") goes to @sys (NULL: not wanted).
 */
enum ks_scope ks_scope_of(enum ks_method m, const char *target, char *sys, size_t syslen);
/* "per_syscall", "raw_syscalls", or NULL for KS_SCOPE_OTHER. */
const char *ks_scope_name(enum ks_scope s);

/* What was chosen for one hook. */
struct ks_choice {
	char hook[64]; /* program name before "__" */
	enum ks_method method;
	enum ks_scope scope;
	const char *prog;    /* the first chosen program's name */
	unsigned int nprogs; /* programs of the chosen variant (one per syscall, say) */
	char targets[512];   /* their attach targets, comma-separated (may be cut) */
	char why[768];	     /* what it runs for, and why each better variant was not taken */
};

struct ks_attach_plan {
	struct ks_choice *v;
	size_t n;
};

/*
 * Choose one program per hook in @obj (opened, not loaded) and switch the others off.
 *
 * Programs named HOOK__VARIANT are alternatives for HOOK; their section names say how
 * each attaches (fentry/, kprobe/, tp_btf/, raw_tp/, tracepoint/ ...). All programs of a
 * hook with the same method and scope (ks_scope_of) form one variant (fentry on three
 * syscall functions, say). For every hook the first variant in preference order is chosen
 * whose method is in @allowed, works on this kernel (ks_feature_probe) and whose targets
 * exist (kernel BTF, tracefs). The order is enum ks_method's, except for hooks on syscalls,
 * which are ranked by what they cost the processes they do not trace: fentry on the
 * syscalls' functions, their own tracepoints, kprobes on the functions, then raw_syscalls
 * (tp_btf, raw_tp, tracepoint). In a per-syscall variant a program whose syscall this
 * kernel lacks altogether (no function in BTF, no tracepoint: open on arm64) is switched
 * off and the others used; a missing target of a syscall that exists rules the variant out.
 * Programs whose autoload was already switched off by the tool are not considered;
 * programs of other kinds are left alone. On success returns 0 and fills @plan (free with
 * ks_attach_plan_free). When some hook has no usable variant, returns -EOPNOTSUPP (or
 * -EINVAL when only @allowed excluded them) and writes why every variant was rejected
 * into @err.
 */
int ks_attach_select(struct bpf_object *obj, unsigned int allowed, struct ks_attach_plan *plan,
		     char *err, size_t errlen);
void ks_attach_plan_free(struct ks_attach_plan *plan);

/*
 * Never again choose the variant of @hook with method @m and scope @s in this process: it
 * failed to load on this kernel (@why, e.g. the verifier's reason). Returns 0, or
 * -EEXIST/-ENOSPC.
 */
int ks_attach_exclude(const char *hook, enum ks_method m, enum ks_scope s, const char *why);
/* The @i-th exclusion made so far: false when there are no more. */
bool ks_attach_exclusion(unsigned int i, const char **hook, enum ks_method *m, const char **why);

/* Method of a program from its section name; KS_METHOD_FIXED if not selectable. */
enum ks_method ks_method_of_section(const char *sec, const char **target);

#endif
