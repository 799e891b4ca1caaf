/* SPDX-License-Identifier: GPL-2.0-only */
/* Sampling events for perf_event programs: one per online CPU, hardware cycles or cpu-clock. */
#ifndef KS_PERF_H
#define KS_PERF_H

#include <stddef.h>

#include "core/common.h"

struct bpf_program;
struct bpf_link;

enum ks_sample_event {
	KS_SAMPLE_AUTO,	     /* hardware cycles where the CPU has them, else cpu-clock */
	KS_SAMPLE_CYCLES,    /* hardware cycles only */
	KS_SAMPLE_CPU_CLOCK, /* the software cpu-clock timer only */
};

struct perf_event_attr;

/*
 * perf_event_open(2) of @attr (its size set here) for @pid on @cpu, in group @group_fd
 * (-1 for none), close-on-exec: the event's fd, or -errno. Every perf event kscope opens
 * goes through here.
 */
int ks_perf_event_open(struct perf_event_attr *attr, int pid, int cpu, int group_fd);

/*
 * What /sys/bus/event_source/devices/@pmu/@file says about a dynamic PMU (kprobe, uprobe):
 * its type number for @file "type", or for a format field ("format/retprobe" holding
 * "config:0", "format/ref_ctr_offset" holding "config:32-63") its first bit. -errno
 * (-ENOENT: no such PMU, the kernel was built without it).
 */
int ks_pmu_value(const char *pmu, const char *file);

/* The CPUs listed in /sys/devices/system/cpu/online; returns how many (at most @max). */
int ks_cpus_online(int *cpus, int max);

/*
 * Open a sampling event at @hz samples per second on every online CPU and attach @prog
 * (loaded, of type perf_event) to each. With KS_SAMPLE_AUTO the hardware cycles event is
 * tried first and the software cpu-clock taken when the CPU has no such counter (ENOENT,
 * EOPNOTSUPP: virtual machines without a PMU). The links go to @links (room for @cap) and
 * their count to @n; the event used is named in @event ("cycles" or "cpu-clock").
 * Returns 0, or -errno with one line saying why in @err (nothing left attached).
 */
int ks_perf_attach(struct bpf_program *prog, enum ks_sample_event want, unsigned long long hz,
		   struct bpf_link **links, size_t cap, size_t *n, const char **event, char *err,
		   size_t errlen);

#endif
