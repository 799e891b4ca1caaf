/* SPDX-License-Identifier: GPL-2.0-only */
/* Printing the common part of streamed events (struct ks_event_hdr) as text or JSON. */
#ifndef KS_EVENT_H
#define KS_EVENT_H

#include "core/tool.h"
#include "shared/event.h"

/*
 * Open a JSON event object and write the common fields: type "event", time_ns (wall clock,
 * ns since the epoch), pid, tid, ppid, uid, comm, and the cgroup's members (ks_cgroup_json:
 * cgroup_id, cgroup, null if unknown, and cgroup_hierarchy, container, container_runtime,
 * pod_uid where they apply). The tool adds its own fields and closes with
 * ks_json_obj_end(&c->json).
 */
void ks_event_json_begin(struct ks_ctx *c, const struct ks_event_hdr *h);

/*
 * The columns every streaming tool's text lines start with: with -T the event's
 * wall-clock time ("HH:MM:SS "), with -U the uid. ks_event_text_header() prints their
 * titles; ks_bpf_run() calls it before the tool's own header.
 */
void ks_event_text_prefix(struct ks_ctx *c, const struct ks_event_hdr *h);
void ks_event_text_header(struct ks_ctx *c);

/* Print a NUL-padded kernel comm of at most 16 bytes, escaped, left-aligned in @width. */
void ks_text_comm(FILE *f, const char *comm, int width);

#endif
