// SPDX-License-Identifier: GPL-2.0-only
/* USDT argument specs ("-4@%edi", "8@-16(%rbp)", "4@$5") to x86-64 pt_regs reads. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "lang/probes.h"

/*
 * x86-64 struct pt_regs as a uprobe's BPF program sees it: r15 r14 r13 r12 bp bx r11 r10 r9
 * r8 ax cx dx si di orig_ax ip cs flags sp ss, eight bytes each. The narrower names of a
 * register read its low bytes (little endian); %ah and friends the byte above.
 */
struct reg {
	const char *names[4]; /* 64, 32, 16, 8 bits */
	int off;
	const char *high; /* the 8-bit name of bits 8..15, if any */
};

static const struct reg regs[] = {
	{ { "rax", "eax", "ax", "al" }, 80, "ah" },
	{ { "rbx", "ebx", "bx", "bl" }, 40, "bh" },
	{ { "rcx", "ecx", "cx", "cl" }, 88, "ch" },
	{ { "rdx", "edx", "dx", "dl" }, 96, "dh" },
	{ { "rsi", "esi", "si", "sil" }, 104, NULL },
	{ { "rdi", "edi", "di", "dil" }, 112, NULL },
	{ { "rbp", "ebp", "bp", "bpl" }, 32, NULL },
	{ { "rsp", "esp", "sp", "spl" }, 152, NULL },
	{ { "r8", "r8d", "r8w", "r8b" }, 72, NULL },
	{ { "r9", "r9d", "r9w", "r9b" }, 64, NULL },
	{ { "r10", "r10d", "r10w", "r10b" }, 56, NULL },
	{ { "r11", "r11d", "r11w", "r11b" }, 48, NULL },
	{ { "r12", "r12d", "r12w", "r12b" }, 24, NULL },
	{ { "r13", "r13d", "r13w", "r13b" }, 16, NULL },
	{ { "r14", "r14d", "r14w", "r14b" }, 8, NULL },
	{ { "r15", "r15d", "r15w", "r15b" }, 0, NULL },
};

/* Offset of register @name (@len bytes, without '%') in pt_regs; -ENOENT if unknown. */
static int reg_offset(const char *name, size_t len)
{
	for (size_t i = 0; i < KS_ARRAY_SIZE(regs); i++) {
		for (int w = 0; w < 4; w++)
			if (strlen(regs[i].names[w]) == len &&
			    !strncmp(regs[i].names[w], name, len))
				return regs[i].off;
		if (regs[i].high && strlen(regs[i].high) == len &&
		    !strncmp(regs[i].high, name, len))
			return regs[i].off + 1;
	}
	/* %rip is known but useless: a uprobe sees ip at the probe, not past the instruction */
	if (len == 3 && !strncmp(name, "rip", 3))
		return -EOPNOTSUPP;
	return -ENOENT;
}

/* "%reg" at @s: its offset, and where it ends in *@end. */
static int parse_reg(const char *s, const char **end)
{
	size_t n = 0;
	int off;

	if (*s != '%')
		return -EINVAL;
	s++;
	while (isalnum((unsigned char)s[n]))
		n++;
	off = reg_offset(s, n);
	if (off == -ENOENT)
		return -EINVAL;
	*end = s + n;
	return off;
}

/* A signed decimal or 0x hexadecimal integer; false when there is none at @s. */
static bool parse_int(const char *s, const char **end, int64_t *v)
{
	bool neg = *s == '-';
	unsigned long long u;
	char *e;

	if (*s == '-' || *s == '+')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	u = strtoull(s, &e, 0);
	if (errno)
		return false;
	*v = neg ? -(int64_t)u : (int64_t)u;
	*end = e;
	return true;
}

int lang_usdt_arg_parse(const char *spec, struct lang_usdt_arg *a)
{
	const char *s = spec, *e;
	bool neg = false;
	int64_t v;
	int off;

	if (!spec || !a)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	a->size = (int)strtol(s, (char **)&e, 10);
	if (a->size != 1 && a->size != 2 && a->size != 4 && a->size != 8)
		return -EINVAL;
	s = e;
	if (*s == 'f') /* "8f@%xmm0": a floating-point argument */
		return -EOPNOTSUPP;
	if (*s++ != '@')
		return -EINVAL;
	a->is_signed = neg;
	if (*s == '%') {
		off = parse_reg(s, &e);
		if (off < 0)
			return off;
		if (*e)
			return -EINVAL;
		a->kind = LANG_USDT_REG;
		a->reg_off = off;
		return 0;
	}
	if (*s == '$') {
		if (!parse_int(s + 1, &e, &v))
			return isalpha((unsigned char)s[1]) || s[1] == '_' ? -EOPNOTSUPP : -EINVAL;
		if (*e)
			return -EINVAL;
		a->kind = LANG_USDT_CONST;
		a->val = v;
		return 0;
	}
	/* memory: [disp](%base) */
	v = 0;
	if (*s != '(') {
		if (!parse_int(s, &e, &v))
			return isalpha((unsigned char)*s) || *s == '_' || *s == '.' ? -EOPNOTSUPP
										    : -EINVAL;
		s = e;
		if (*s == '+' || *s == '-') /* "sym+8(%rip)" forms never start with a number */
			return -EINVAL;
	}
	if (*s != '(')
		return -EINVAL;
	off = parse_reg(s + 1, &e);
	if (off < 0)
		return off;
	if (*e == ',') /* an index register: base + index * scale */
		return -EOPNOTSUPP;
	if (e[0] != ')' || e[1])
		return -EINVAL;
	a->kind = LANG_USDT_MEM;
	a->reg_off = off;
	a->val = v;
	return 0;
}

int lang_usdt_args_parse(const char *args, struct lang_usdt_arg **v, size_t *n, size_t *bad)
{
	struct lang_usdt_arg *out = NULL;
	size_t cnt = 0;
	int err = 0;

	*v = NULL;
	*n = 0;
	*bad = 0;
	while (args && *args) {
		char spec[64];
		size_t len;

		while (*args == ' ' || *args == '\t')
			args++;
		len = strcspn(args, " \t");
		if (!len)
			break;
		if (len >= sizeof(spec)) {
			err = -EINVAL;
		} else {
			struct lang_usdt_arg *nv = realloc(out, (cnt + 1) * sizeof(*nv));

			if (!nv) {
				err = -ENOMEM;
				break;
			}
			out = nv;
			memcpy(spec, args, len);
			spec[len] = '\0';
			err = lang_usdt_arg_parse(spec, &out[cnt]);
		}
		if (err) {
			*bad = cnt;
			break;
		}
		cnt++;
		args += len;
	}
	if (err) {
		free(out);
		return err;
	}
	*v = out;
	*n = cnt;
	return 0;
}
