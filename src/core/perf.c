// SPDX-License-Identifier: GPL-2.0-only
/* Sampling events for perf_event programs: one per online CPU, hardware cycles or cpu-clock. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "core/file.h"
#include "core/perf.h"

int ks_cpus_online(int *cpus, int max)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	int n = 0, a, b;
	char sep;

	if (!f) {
		/* No sysfs: assume the CPUs the C library counts are 0..N-1. */
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		for (n = 0; n < c && n < max; n++)
			cpus[n] = n;
		return n;
	}
	/* "0-3,5,7-8\n" */
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		sep = (char)fgetc(f);
		if (sep == '-') {
			if (fscanf(f, "%d", &b) != 1)
				break;
			sep = (char)fgetc(f);
		}
		for (int i = a; i <= b && n < max; i++)
			cpus[n++] = i;
		if (sep != ',')
			break;
	}
	fclose(f);
	return n;
}

int ks_perf_event_open(struct perf_event_attr *attr, int pid, int cpu, int group_fd)
{
	int fd;

	attr->size = sizeof(*attr);
	fd = (int)syscall(__NR_perf_event_open, attr, pid, cpu, group_fd, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int ks_pmu_value(const char *pmu, const char *file)
{
	char path[256];
	long long v;
	int err;

	if (strchr(pmu, '/'))
		return -EINVAL;
	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/%s", pmu, file);
	/* "type" holds a number; format fields say where they are: "config:32-63". */
	err = ks_read_int(path, strncmp(file, "format/", 7) ? NULL : ":", &v);
	if (err)
		return err;
	return v < 0 || v > 0x7fffffff ? -EINVAL : (int)v;
}

static int open_event(__u32 type, __u64 config, unsigned long long hz, int cpu)
{
	struct perf_event_attr a = {
		.type = type,
		.config = config,
		.freq = 1,
		.sample_freq = hz,
	};

	return ks_perf_event_open(&a, -1, cpu, -1);
}

int ks_perf_attach(struct bpf_program *prog, enum ks_sample_event want, unsigned long long hz,
		   struct bpf_link **links, size_t cap, size_t *n, const char **event, char *err,
		   size_t errlen)
{
	int cpus[1024], ncpu = ks_cpus_online(cpus, 1024), ret = 0;
	__u32 type = PERF_TYPE_SOFTWARE;
	__u64 config = PERF_COUNT_SW_CPU_CLOCK;
	size_t first = *n;

	if (ncpu <= 0) {
		snprintf(err, errlen, "cannot find the online CPUs");
		return -ENOENT;
	}
	*event = "cpu-clock";
	if (want != KS_SAMPLE_CPU_CLOCK) {
		int fd = open_event(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, hz, cpus[0]);

		if (fd >= 0) {
			close(fd);
			type = PERF_TYPE_HARDWARE;
			config = PERF_COUNT_HW_CPU_CYCLES;
			*event = "cycles";
		} else if (want == KS_SAMPLE_CYCLES) {
			snprintf(err, errlen,
				 "cannot open the hardware cycles event: %s (this CPU "
				 "or virtual machine has no usable PMU; use the cpu-clock event)",
				 strerror(-fd));
			return fd;
		}
	}
	for (int i = 0; i < ncpu; i++) {
		struct bpf_link *link;
		int fd = open_event(type, config, hz, cpus[i]);

		if (fd == -ENODEV) /* went offline meanwhile */
			continue;
		if (fd < 0) {
			ret = fd;
			snprintf(err, errlen,
				 "cannot open the %s sampling event at %llu Hz on CPU %d: "
				 "%s%s",
				 *event, hz, cpus[i], strerror(-fd),
				 fd == -EINVAL ? " (above kernel.perf_event_max_sample_rate?)"
					       : "");
			goto fail;
		}
		if (*n == cap) {
			close(fd);
			ret = -ENOSPC;
			snprintf(err, errlen, "too many CPUs");
			goto fail;
		}
		link = bpf_program__attach_perf_event(prog, fd);
		if (!link) {
			ret = -errno;
			close(fd);
			snprintf(err, errlen, "cannot attach %s to the %s event on CPU %d: %s",
				 bpf_program__name(prog), *event, cpus[i], strerror(-ret));
			goto fail;
		}
		/* The link owns the event's fd from here on. */
		links[(*n)++] = link;
	}
	return 0;
fail:
	while (*n > first)
		bpf_link__destroy(links[--*n]);
	return ret;
}
