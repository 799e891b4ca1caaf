// SPDX-License-Identifier: GPL-2.0-only
/* bpfruns: turn BPF run statistics on, and count how often a process's programs ran. */
/*
 * usage: bpfruns stats        turn the kernel's BPF run statistics on (BPF_ENABLE_STATS),
 *                             print "on", and keep them on until killed
 *        bpfruns count PID    print "ID NAME RUN_CNT" for every BPF program process PID
 *                             holds (its program and link descriptors), then "total N"
 *
 * run_cnt counts the runs of a program while statistics are on: a count, not a time, so a
 * test can tell how many times a hook ran whatever the machine's load. The statistics stay
 * on as long as the descriptor of BPF_ENABLE_STATS is open: killing "bpfruns stats" turns
 * them off. Exit 0; 1 when a bpf() call or /proc fails; 2 on a usage error.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

static int usage(void)
{
	fprintf(stderr, "usage: bpfruns stats | bpfruns count PID\n");
	return 2;
}

static int stats(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0) {
		fprintf(stderr, "bpfruns: BPF_ENABLE_STATS: %s\n", strerror(errno));
		return 1;
	}
	printf("on\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* The program id in /proc/PID/fdinfo/FD (program and link descriptors have one), or 0. */
static unsigned int prog_id_of(const char *path)
{
	unsigned int id = 0;
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "prog_id: %u", &id) == 1)
			break;
	fclose(f);
	return id;
}

static int count(const char *pid)
{
	unsigned int ids[256], n = 0;
	unsigned long long total = 0;
	char dir[64], path[320];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%s/fdinfo", pid);
	dp = opendir(dir);
	if (!dp) {
		fprintf(stderr, "bpfruns: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((d = readdir(dp)) && n < sizeof(ids) / sizeof(ids[0])) {
		unsigned int id, i;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		id = prog_id_of(path);
		for (i = 0; i < n && ids[i] != id; i++)
			;
		if (id && i == n)
			ids[n++] = id;
	}
	closedir(dp);
	for (unsigned int i = 0; i < n; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			fprintf(stderr, "bpfruns: program %u: %s\n", ids[i], strerror(errno));
			if (fd >= 0)
				close(fd);
			return 1;
		}
		close(fd);
		printf("%u %s %llu\n", ids[i], info.name, (unsigned long long)info.run_cnt);
		total += info.run_cnt;
	}
	printf("total %llu\n", total);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "stats"))
		return stats();
	if (argc == 3 && !strcmp(argv[1], "count"))
		return count(argv[2]);
	return usage();
}
