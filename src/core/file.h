/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading small system files: whole files, one line, one integer (procfs, sysfs, tracefs). */
#ifndef KS_FILE_H
#define KS_FILE_H

#include <stddef.h>

/*
 * Read the whole of @path (procfs files report no size, so it reads until EOF) into a
 * NUL-terminated buffer *@out that the caller frees; its length, without the NUL, in *@len.
 * Returns 0 or -errno.
 */
int ks_read_file(const char *path, char **out, size_t *len);

/*
 * Read the start of a small file (a sysfs attribute, a tracefs id) into @buf of @size
 * bytes, NUL-terminated, a final newline removed. Returns 0, or -errno (-EIO when empty).
 */
int ks_read_line(const char *path, char *buf, size_t size);

/*
 * Read a file that holds one decimal integer, as sysfs and tracefs attributes do
 * ("/sys/bus/event_source/devices/kprobe/type", "events/sched/sched_switch/id"). With
 * @after set, the number is what follows the first @after in the text ("config:32-63"
 * with ":" gives 32). Returns 0 with the value in *@out, -errno if the file can't be read,
 * -EINVAL if it holds no such number.
 */
int ks_read_int(const char *path, const char *after, long long *out);

#endif
