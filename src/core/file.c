// SPDX-License-Identifier: GPL-2.0-only
/* Reading small system files: whole files, one line, one integer. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"

int ks_read_file(const char *path, char **out, size_t *len)
{
	size_t cap = 16384, n = 0;
	char *buf = NULL;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (cap - n < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				err = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return err;
}

int ks_read_line(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, err = 0;

	if (size < 2)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		err = -errno;
	else if (n == 0)
		err = -EIO;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int ks_read_int(const char *path, const char *after, long long *out)
{
	char buf[128], *p = buf, *end;
	long long v;
	int err = ks_read_line(path, buf, sizeof(buf));

	if (err)
		return err;
	if (after) {
		p = strstr(buf, after);
		if (!p)
			return -EINVAL;
		p += strlen(after);
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (!isdigit((unsigned char)*p) && *p != '-')
		return -EINVAL;
	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno || end == p)
		return -EINVAL;
	*out = v;
	return 0;
}
