/* SPDX-License-Identifier: GPL-2.0-only */
/* tracefs: find it, mount it when a classic tracepoint needs it, read event ids. */
#ifndef KS_TRACEFS_H
#define KS_TRACEFS_H

#include "core/common.h"

/*
 * The tracefs directory to use, mounting tracefs on /sys/kernel/tracing first if it is
 * mounted nowhere. NULL with errno set when neither works; ks_tracefs_error() then holds
 * a one-line reason ("tracefs not mounted (tried to mount /sys/kernel/tracing: EPERM)").
 * The answer is computed once per process.
 */
const char *ks_tracefs_path(void);
const char *ks_tracefs_error(void);

/* Id of classic tracepoint @cat:@name (from events/CAT/NAME/id); negative errno if none. */
int ks_tracefs_event_id(const char *cat, const char *name);

#endif
