// SPDX-License-Identifier: GPL-2.0-only
/* Drop reason names from the running kernel's BTF: core reasons and other subsystems'. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bpf/btf.h>

#include "core/btf.h"
#include "core/dropreason.h"

#define SUBSYS_MAX 64 /* subsystems kscope keeps names of (4 on 7.2) */

/* A reason of another subsystem, named by that subsystem's own enum. */
struct sub_reason {
	unsigned int code;
	char *name;
};

static struct {
	bool loaded;	  /* the core enums were read (or found missing) */
	bool subs_loaded; /* the other subsystems' enums were looked for */
	char **core;	  /* by code, prefix cut off; NULL where the enum has a gap */
	unsigned int ncore;
	unsigned int shift; /* where the subsystem starts in a code; 0: no subsystems */
	char *subsys[SUBSYS_MAX];
	struct sub_reason *subs;
	size_t nsubs, capsubs;
} dr;

/* An enumerator name without the prefix the kernel gives every reason. */
static const char *short_name(const char *name)
{
	static const char *const prefixes[] = { "SKB_DROP_REASON_SUBSYS_", "SKB_DROP_REASON_",
						"SKB_" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (!strncasecmp(name, prefixes[i], n))
			return name + n;
	}
	return name;
}

/* Names such as SKB_DROP_REASON_MAX and QDISC_DROP_MAX count the reasons: none of them. */
static bool is_bound(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, "__", 2) || (n >= 4 && !strcmp(name + n - 4, "_MAX"));
}

static int core_one(const char *name, long long value, void *arg)
{
	unsigned int v = (unsigned int)value;

	(void)arg;
	if (!strcmp(name, "SKB_DROP_REASON_SUBSYS_MASK")) {
		/* the shift is a #define, the mask is in BTF: its lowest bit */
		if (v)
			dr.shift = (unsigned int)__builtin_ctz(v);
		return 0;
	}
	if (is_bound(name) || v >= 1u << 16 || v >= dr.ncore)
		return 0;
	dr.core[v] = strdup(short_name(name));
	return dr.core[v] ? 0 : -ENOMEM;
}

static int max_one(const char *name, long long value, void *arg)
{
	if (!strcmp(name, "SKB_DROP_REASON_MAX") && value > 0 && value < 1 << 16)
		*(unsigned int *)arg = (unsigned int)value;
	return 0;
}

static int subsys_one(const char *name, long long value, void *arg)
{
	(void)arg;
	if (value <= 0 || value >= SUBSYS_MAX || !strcmp(name, "SKB_DROP_REASON_SUBSYS_NUM"))
		return 0; /* 0 is the core */
	free(dr.subsys[value]);
	dr.subsys[value] = strdup(short_name(name));
	return 0;
}

static void load(void)
{
	unsigned int max = 0;

	if (dr.loaded)
		return;
	dr.loaded = true;
	if (ks_btf_enum_foreach("skb_drop_reason", max_one, &max) || !max)
		return;
	dr.core = calloc(max, sizeof(*dr.core));
	if (!dr.core)
		return;
	dr.ncore = max;
	if (ks_btf_enum_foreach("skb_drop_reason", core_one, NULL)) {
		for (unsigned int i = 0; i < max; i++)
			free(dr.core[i]);
		free(dr.core);
		dr.core = NULL;
		dr.ncore = 0;
		return;
	}
	if (dr.shift)
		ks_btf_enum_foreach("skb_drop_reason_subsys", subsys_one, NULL);
}

static int sub_add(unsigned int code, const char *name)
{
	if (dr.nsubs == dr.capsubs) {
		size_t cap = dr.capsubs ? dr.capsubs * 2 : 32;
		struct sub_reason *n = realloc(dr.subs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		dr.subs = n;
		dr.capsubs = cap;
	}
	dr.subs[dr.nsubs].name = strdup(name);
	if (!dr.subs[dr.nsubs].name)
		return -ENOMEM;
	dr.subs[dr.nsubs++].code = code;
	return 0;
}

/*
 * A subsystem's reasons live in an enum of its own, which starts them from a base
 * enumerator valued SUBSYS << shift (__OVS_DROP_REASON, __QDISC_DROP_REASON,
 * __RX_DROP_UNUSABLE_BASE): recognised by that, not by a list of enum names, so a
 * subsystem added later is named too.
 */
static int enum_one(const char *name, int id, void *arg)
{
	const struct btf_type *t = ks_btf_type(id);
	const struct btf_enum *e;
	unsigned int sub = 0, low = (1u << dr.shift) - 1;

	(void)name;
	(void)arg;
	if (!t || !btf_is_enum(t))
		return 0;
	e = btf_enum(t);
	for (unsigned int i = 0; i < btf_vlen(t) && !sub; i++) {
		unsigned int v = (unsigned int)e[i].val, s = v >> dr.shift;
		const char *n = ks_btf_str(e[i].name_off);

		if (!(v & low) && s && s < SUBSYS_MAX && dr.subsys[s] && !strncmp(n, "__", 2) &&
		    strstr(n, "DROP"))
			sub = s;
	}
	for (unsigned int i = 0; sub && i < btf_vlen(t); i++) {
		unsigned int v = (unsigned int)e[i].val;
		const char *n = ks_btf_str(e[i].name_off);

		if (v >> dr.shift == sub && (v & low) && !is_bound(n) && sub_add(v, n))
			return -ENOMEM;
	}
	return 0;
}

static void load_subs(void)
{
	load();
	if (dr.subs_loaded)
		return;
	dr.subs_loaded = true;
	if (dr.shift)
		ks_btf_foreach(BTF_KIND_ENUM, enum_one, NULL);
}

bool ks_drop_reasons_known(void)
{
	load();
	return dr.ncore > 0;
}

unsigned int ks_drop_reason_max(void)
{
	load();
	return dr.ncore;
}

const char *ks_drop_reason_name(unsigned int code, char *buf, size_t len)
{
	unsigned int s;

	load();
	if (code < dr.ncore && dr.core[code])
		return dr.core[code];
	s = dr.shift ? code >> dr.shift : 0;
	if (!s) {
		snprintf(buf, len, "REASON_%u", code);
		return buf;
	}
	load_subs();
	for (size_t i = 0; i < dr.nsubs; i++)
		if (dr.subs[i].code == code)
			return dr.subs[i].name;
	if (s < SUBSYS_MAX && dr.subsys[s])
		snprintf(buf, len, "%s:%u", dr.subsys[s], code & ((1u << dr.shift) - 1));
	else
		snprintf(buf, len, "SUBSYS_%u:%u", s, code & ((1u << dr.shift) - 1));
	return buf;
}

/* "SUBSYS:N" of a subsystem this kernel has, N within it. */
static int parse_subsys(const char *name, unsigned int *code)
{
	const char *colon = strchr(name, ':');
	unsigned long n;
	char *end;

	if (!colon || !dr.shift)
		return -ENOENT;
	errno = 0;
	n = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || n >= 1ul << dr.shift)
		return -ENOENT;
	for (unsigned int s = 1; s < SUBSYS_MAX; s++) {
		if (dr.subsys[s] && strlen(dr.subsys[s]) == (size_t)(colon - name) &&
		    !strncasecmp(dr.subsys[s], name, (size_t)(colon - name))) {
			*code = s << dr.shift | (unsigned int)n;
			return 0;
		}
	}
	return -ENOENT;
}

int ks_drop_reason_parse(const char *name, unsigned int *code)
{
	const char *want = short_name(name);

	load();
	if (!dr.ncore)
		return -EOPNOTSUPP;
	for (unsigned int i = 0; i < dr.ncore; i++) {
		if (dr.core[i] && !strcasecmp(dr.core[i], want)) {
			*code = i;
			return 0;
		}
	}
	load_subs();
	for (size_t i = 0; i < dr.nsubs; i++) {
		if (!strcasecmp(dr.subs[i].name, name)) {
			*code = dr.subs[i].code;
			return 0;
		}
	}
	return parse_subsys(name, code);
}

int ks_drop_reason_foreach(ks_drop_reason_fn fn, void *arg)
{
	int err;

	load();
	for (unsigned int i = 0; i < dr.ncore; i++) {
		if (!dr.core[i])
			continue;
		err = fn(i, dr.core[i], arg);
		if (err)
			return err;
	}
	load_subs();
	for (size_t i = 0; i < dr.nsubs; i++) {
		err = fn(dr.subs[i].code, dr.subs[i].name, arg);
		if (err)
			return err;
	}
	return 0;
}
