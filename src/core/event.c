// SPDX-License-Identifier: GPL-2.0-only
/* Common event fields: JSON members and the -T, --elapsed and -U columns. */
#include <string.h>

#include "core/cgroup.h"
#include "core/event.h"

void ks_event_json_begin(struct ks_ctx *c, const struct ks_event_hdr *h)
{
	struct ks_json *j = &c->json;

	ks_json_obj_begin(j, NULL);
	ks_json_str(j, "type", "event");
	ks_json_uint(j, "time_ns", ks_realtime(c, h->ts));
	ks_json_uint(j, "pid", h->pid);
	ks_json_uint(j, "tid", h->tid);
	ks_json_uint(j, "ppid", h->ppid);
	ks_json_uint(j, "uid", h->uid);
	ks_json_strn(j, "comm", h->comm, strnlen(h->comm, sizeof(h->comm)));
	ks_cgroup_json(j, h->cgroup);
}

void ks_event_text_prefix(struct ks_ctx *c, const struct ks_event_hdr *h)
{
	char buf[16];

	if (c->opt.timestamp)
		fprintf(c->out, "%-8s ", ks_fmt_hms(buf, sizeof(buf), ks_realtime(c, h->ts)));
	/* An event a little older than the attach (queued before it) shows as 0. */
	if (c->opt.elapsed)
		fprintf(c->out, "%-9.3f ",
			h->ts > c->start_ns ? (double)(h->ts - c->start_ns) / 1e9 : 0.0);
	if (c->opt.print_uid)
		fprintf(c->out, "%-6u ", h->uid);
}

void ks_event_text_header(struct ks_ctx *c)
{
	if (c->opt.timestamp)
		fprintf(c->out, "%-8s ", "TIME");
	if (c->opt.elapsed)
		fprintf(c->out, "%-9s ", "TIME(s)");
	if (c->opt.print_uid)
		fprintf(c->out, "%-6s ", "UID");
}

void ks_text_comm(FILE *f, const char *comm, int width)
{
	struct ks_line l;

	/* escaped if it must be, then followed by a space instead of its padding */
	ks_line_init(&l);
	ks_line_text(&l, comm, strnlen(comm, KS_COMM_LEN), -width);
	fwrite_unlocked(l.buf, 1, l.len, f);
}
