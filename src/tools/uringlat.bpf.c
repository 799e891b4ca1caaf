// SPDX-License-Identifier: GPL-2.0-only
/* uringlat: io_uring request latency per opcode as log2 histograms, with counts, in kernel. */
#include "bpf/hist.bpf.h"
#include "bpf/uring.bpf.h"
#include "tools/uringlat.h"

const volatile __u64 unit_div = 1000; /* ns per histogram unit */
const volatile bool per_ring = false;

KS_HIST_MAP(hists, struct uringlat_key, 10240);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct uringlat_key);
	__type(value, struct uringlat_counts);
} counts SEC(".maps");

/* Completions with a negative result and requests failed at submission: key.err. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct uringlat_key);
	__type(value, struct uringlat_err);
} errs SEC(".maps");

/* The report key of the current task (or of @ring with --per-ring), and its name. */
static __always_inline void task_key(__u64 ring, __u64 *key, char *name)
{
	struct task_struct *t = ks_current();

	*key = per_ring ? ring : ks_task_key(t, ks_by);
	/* A process's histogram is named after the process, a thread's after the thread. */
	if (ks_by != KS_BY_TID)
		t = BPF_CORE_READ(t, group_leader);
	bpf_core_read(name, KS_COMM_LEN, &t->comm);
}

static __always_inline void on_submit(struct ks_uring_req *r, struct ks_uring_ring *ring)
{
	task_key(r->ring, &r->key, r->name);
	/* The ring's overflows go to its last traced submitter's key. */
	if (ring) {
		ring->key = r->key;
		__builtin_memcpy(ring->name, r->name, sizeof(ring->name));
	}
}

static __always_inline void key_fill(struct uringlat_key *k, __u64 key, __u64 ring, __u32 op)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->key = key;
	k->opcode = op;
	k->by = per_ring ? URINGLAT_BY_RING : ks_by;
	if (per_ring) {
		struct ks_uring_ring *rg = bpf_map_lookup_elem(&ks_uring_rings, &ring);

		k->ring_fd = rg ? rg->fd : -1;
		k->ring_pid = rg ? rg->pid : 0;
	}
}

static const struct uringlat_counts zero_counts;
static const struct uringlat_err zero_err;

static __always_inline void count_err(struct uringlat_key *k, int err, const char *name)
{
	struct uringlat_err *e;

	k->err = err;
	e = bpf_map_lookup_elem(&errs, k);
	if (!e) {
		bpf_map_update_elem(&errs, k, &zero_err, BPF_NOEXIST);
		e = bpf_map_lookup_elem(&errs, k);
		if (!e)
			return;
		__builtin_memcpy(e->name, name, sizeof(e->name));
	}
	__sync_fetch_and_add(&e->count, 1);
}

static __always_inline struct uringlat_counts *counts_of(struct uringlat_key *k, const char *name)
{
	struct uringlat_counts *c = bpf_map_lookup_elem(&counts, k);

	if (c)
		return c;
	bpf_map_update_elem(&counts, k, &zero_counts, BPF_NOEXIST);
	c = bpf_map_lookup_elem(&counts, k);
	if (c)
		__builtin_memcpy(c->name, name, sizeof(c->name));
	return c;
}

static __always_inline void on_complete(void *ctx, struct ks_uring_req *r, __s32 res, __u64 now)
{
	struct uringlat_key k;
	struct uringlat_counts *c;
	struct ks_hist_val *v;

	key_fill(&k, r->key, r->ring, r->opcode);
	v = ks_hist_add(&hists, &k, now - r->hdr.ts, unit_div);
	if (v)
		__builtin_memcpy(v->comm, r->name, sizeof(v->comm));
	c = counts_of(&k, r->name);
	if (c) {
		if (r->punt_ns)
			__sync_fetch_and_add(&c->punted, 1);
		else
			__sync_fetch_and_add(&c->inline_done, 1);
	}
	if (res < 0)
		count_err(&k, res, r->name);
}

static __always_inline void on_failed(void *ctx, __u64 ring, __u8 opcode, int error)
{
	struct uringlat_key k;
	char name[KS_COMM_LEN];
	__u64 key;

	task_key(ring, &key, name);
	key_fill(&k, key, ring, opcode);
	count_err(&k, error < 0 ? error : -error, name);
}

static __always_inline void on_overflow(void *ctx, struct ks_uring_ring *ring, __u64 user_data)
{
	struct uringlat_key k;
	struct uringlat_counts *c;

	__builtin_memset(&k, 0, sizeof(k));
	k.key = ring->key;
	k.opcode = URINGLAT_NO_OP;
	k.by = per_ring ? URINGLAT_BY_RING : ks_by;
	if (per_ring) {
		k.ring_fd = ring->fd;
		k.ring_pid = ring->pid;
	}
	c = counts_of(&k, ring->name);
	if (c)
		__sync_fetch_and_add(&c->overflow, 1);
}

KS_URING_SUBMIT(on_submit)
KS_URING_COMPLETE(on_complete)
KS_URING_FAILED(on_failed)
KS_URING_OVERFLOW(on_overflow)
