/* SPDX-License-Identifier: GPL-2.0-only */
/* The clocks kscope reads: BPF's monotonic time, the wall clock, and between the two. */
#ifndef KS_CLOCK_H
#define KS_CLOCK_H

/* CLOCK_MONOTONIC now, in ns (the clock of bpf_ktime_get_ns). */
unsigned long long ks_now_mono(void);
/* CLOCK_REALTIME now, in ns since the epoch: the "time_ns" of a periodic report. */
unsigned long long ks_now_realtime(void);
/*
 * CLOCK_REALTIME - CLOCK_MONOTONIC in ns, from the tightest of a few paired readings:
 * add it to a BPF timestamp to get wall-clock time (ks_realtime in core/tool.h).
 */
unsigned long long ks_realtime_offset(void);

#endif
