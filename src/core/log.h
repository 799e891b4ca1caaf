/* SPDX-License-Identifier: GPL-2.0-only */
/* Diagnostics on stderr: one-line errors naming tool and cause, -v detail, libbpf routing. */
#ifndef KS_LOG_H
#define KS_LOG_H

#include "core/common.h"

/*
 * Set who is speaking and how. @tool may be NULL (messages then read "kscope: ...").
 * With @json, errors and warnings are written as one JSON object per line on stderr
 * ({"type":"error","tool":...,"message":...}); with @verbose, ks_info() prints too.
 */
void ks_log_init(const char *tool, bool verbose, bool json);

/* Print one diagnostic line; no trailing newline needed in @fmt. */
void ks_error(const char *fmt, ...) KS_PRINTF(1, 2);
void ks_warn(const char *fmt, ...) KS_PRINTF(1, 2);
void ks_info(const char *fmt, ...) KS_PRINTF(1, 2);
bool ks_log_verbose(void);
/*
 * What ks_log_init was told: whether diagnostics are JSON lines, and the tool's name (NULL
 * if none), for a caller that writes a richer diagnostic object of its own (a compile
 * error with its position) in the same shape as ks_error's.
 */
bool ks_log_json(void);
const char *ks_log_tool(void);

/*
 * Route libbpf's own messages through the logger: everything with -v, nothing otherwise.
 * The last warning libbpf printed is kept either way and returned by ks_libbpf_last()
 * (empty string if none), so an error message can quote what libbpf saw.
 */
void ks_log_libbpf(void);
const char *ks_libbpf_last(void);
/* The verifier's reason from the last rejected program's log, or an empty string. */
const char *ks_verifier_last(void);
/* The name of the last program libbpf failed to load, or an empty string. */
const char *ks_libbpf_failed_prog(void);
/* Forget the above, before a new load. */
void ks_libbpf_clear(void);

#endif
