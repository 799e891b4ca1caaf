// SPDX-License-Identifier: GPL-2.0-only
/* errno names, privilege, and the one errno -> exit code table. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/errors.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#define ENOTSUPP_KERNEL 524 /* the kernel's internal ENOTSUPP, which reaches user space */

const char *ks_errno_name(int err)
{
	static __thread char buf[16];
	const char *s;

	if (err < 0)
		err = -err;
	if (err == ENOTSUPP_KERNEL)
		return "ENOTSUPP";
	s = strerrorname_np(err);
	if (s)
		return s;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

int ks_errno_parse(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	v = strtol(s, &end, 10);
	if (!*end)
		return v > 0 && v < 4096 ? (int)v : -1;
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcasecmp(n, s))
			return e;
	}
	return -1;
}

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

bool ks_privileged(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d))
		return geteuid() == 0;
	return has_cap(d, CAP_SYS_ADMIN) || (has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON));
}

int ks_exit_code(int err)
{
	switch (err < 0 ? -err : err) {
	case EPERM:
	case EACCES:
		return ks_privileged() ? KS_EXIT_UNSUPPORTED : KS_EXIT_PERM;
	case ENOENT:
	case ENOSYS:
	case EOPNOTSUPP:
	case ENOTSUPP_KERNEL:
		return KS_EXIT_UNSUPPORTED;
	case ESRCH:
		return KS_EXIT_USAGE;
	}
	return KS_EXIT_FAIL;
}
