// SPDX-License-Identifier: GPL-2.0-only
/* The syscall table: read from the running kernel, with the build's headers as fallback. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/errors.h"
#include "core/log.h"
#include "core/open.h"
#include "core/syscalls.h"
#include "core/tracefs.h"
#include "skel/syscalls.skel.h"

static const struct {
	long nr;
	const char *name;
} header_table[] = {
#include "syscall_table.h"
};

static const char *header_name(unsigned int nr)
{
	for (size_t i = 0; i < KS_ARRAY_SIZE(header_table); i++)
		if (header_table[i].nr == (long)nr)
			return header_table[i].name;
	return NULL;
}

static char names[KS_SYSCALLS_MAX][sizeof(((struct ks_syscall_name *)0)->name)];
static const char *source;

static int load_from_kernel(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, run);
	struct syscalls_bpf *skel = NULL;
	struct ks_syscall_name v;
	const char *tfs = ks_tracefs_path();
	int efd = -1, err, found = 0;
	unsigned int zero = 0;
	char path[PATH_MAX];

	if (!tfs)
		return -errno;
	/* Opening, not writing: reading "enable" has no effect on tracing. */
	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_getpid/enable", tfs);
	efd = open(path, O_RDONLY | O_CLOEXEC);
	if (efd < 0)
		return -errno;
	err = -ENOMEM;
	skel = syscalls_bpf__open_opts(ks_bpf_open_opts(syscalls_bpf__elf_bytes));
	if (!skel)
		goto out;
	skel->rodata->event_fd = efd;
	bpf_program__set_autoattach(skel->progs.walk, false);
	err = syscalls_bpf__load(skel);
	if (err)
		goto out;
	/* A bounded number of short runs: each walks 64 entries of the event list. */
	for (int i = 0; i < 1024; i++) {
		struct {
			unsigned long long start, cursor, class;
			unsigned int done, found;
		} st;

		err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.walk), &run);
		if (err)
			goto out;
		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.state), &zero, &st))
			break;
		if (st.done) {
			found = st.done == 1 ? (int)st.found : 0;
			break;
		}
	}
	err = -ENOENT;
	if (found < 50) /* not plausibly a syscall table */
		goto out;
	for (unsigned int nr = 0; nr < KS_SYSCALLS_MAX; nr++) {
		const char *uapi = header_name(nr);

		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.names), &nr, &v) || !v.name[0])
			continue;
		v.name[sizeof(v.name) - 1] = '\0';
		/*
		 * The kernel tells which numbers exist; where the uapi headers know the
		 * number, their spelling is the one users know ("fstat", not the kernel's
		 * "newfstat"). Numbers newer than the headers keep the kernel's name.
		 */
		snprintf(names[nr], sizeof(names[nr]), "%s",
			 uapi			      ? uapi
			 : strncmp(v.name, "sys_", 4) ? v.name
						      : v.name + 4);
	}
	err = 0;
out:
	syscalls_bpf__destroy(skel);
	if (efd >= 0)
		close(efd);
	return err;
}

int ks_syscalls_load(void)
{
	int err;

	if (source)
		return 0;
	err = load_from_kernel();
	if (!err) {
		source = "kernel";
		return 0;
	}
	ks_info("syscall names from build-time headers (kernel metadata unreadable: %s)",
		ks_errno_name(-err));
	memset(names, 0, sizeof(names));
	for (size_t i = 0; i < KS_ARRAY_SIZE(header_table); i++)
		if (header_table[i].nr >= 0 && header_table[i].nr < KS_SYSCALLS_MAX)
			snprintf(names[header_table[i].nr], sizeof(names[0]), "%s",
				 header_table[i].name);
	source = "headers";
	return 0;
}

const char *ks_syscalls_source(void)
{
	return source;
}

const char *ks_syscall_name(long nr)
{
	ks_syscalls_load();
	if (nr < 0 || nr >= KS_SYSCALLS_MAX || !names[nr][0])
		return NULL;
	return names[nr];
}

long ks_syscall_nr(const char *name)
{
	ks_syscalls_load();
	for (long nr = 0; nr < KS_SYSCALLS_MAX; nr++)
		if (names[nr][0] && !strcmp(names[nr], name))
			return nr;
	return -1;
}
