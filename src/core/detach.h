/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Detaching many hooks at once. Taking a BPF program off a tracepoint's perf event waits
 * for the kernel's RCU grace periods (tracepoint_synchronize_unregister: some 70 ms each on
 * a 2-CPU VM), so closing a tool's ten links one after the other kept Ctrl-C waiting most
 * of a second. Closed from threads of their own, the waits overlap.
 */
#ifndef KS_DETACH_H
#define KS_DETACH_H

#include <stddef.h>

struct bpf_link;

/* bpf_link__destroy() of @links[0..n-1], concurrently; each entry is set to NULL. */
void ks_links_destroy(struct bpf_link **links, size_t n);
/* close() of @fds[0..n-1] (perf events, BPF links), concurrently; each entry set to -1. */
void ks_fds_close(int *fds, size_t n);

#endif
