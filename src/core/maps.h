/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading BPF maps from user space: snapshots (optionally reset), clearing, per-CPU sums. */
#ifndef KS_MAPS_H
#define KS_MAPS_H

#include "core/common.h"

/* What ks_map_dump read: keys and values, one block each, in the map's iteration order. */
struct ks_map_dump {
	size_t n; /* entries */
	size_t key_size;
	size_t value_size; /* bytes per entry in @values */
	unsigned int ncpu; /* per-CPU maps: one value per possible CPU; else 1 */
	size_t cpu_stride; /* per-CPU maps: bytes from one CPU's value to the next (8-aligned) */
	size_t cpu_value;  /* the map's own value size (one CPU's) */
	char *keys, *values;
};

enum ks_map_dump_flags {
	/*
	 * Reset what was read, so the next dump covers only what came after: hash entries
	 * are deleted (lookup-and-delete where the kernel has it, 5.14, else lookup then
	 * delete: an update between the two is lost with the entry), array entries zeroed.
	 */
	KS_MAP_RESET = 1u << 0,
};

/*
 * Read every entry of the map @fd (hash, LRU, array, and their per-CPU kinds) into @d:
 * first every key (deleting while walking a hash map would restart the walk), then each
 * value. Entries deleted meanwhile are left out. Returns the number read or -errno; free
 * with ks_map_dump_free (also after a failure).
 */
int ks_map_dump(int fd, unsigned int flags, struct ks_map_dump *d);
void ks_map_dump_free(struct ks_map_dump *d);

static inline const void *ks_map_dump_key(const struct ks_map_dump *d, size_t i)
{
	return d->keys + i * d->key_size;
}

/* Entry @i's value; for per-CPU maps CPU @cpu's value of it (else @cpu must be 0). */
static inline const void *ks_map_dump_value(const struct ks_map_dump *d, size_t i, unsigned int cpu)
{
	return d->values + i * d->value_size + cpu * d->cpu_stride;
}

/*
 * Empty the hash map @fd (every entry deleted), or with @zero keep its keys and set
 * every value to zeros (also what arrays get). Returns 0 or -errno.
 */
int ks_map_clear(int fd, bool zero);

/*
 * The sum over all possible CPUs of the u64 at @key of per-CPU array map @fd (a counter
 * the BPF side bumps without atomics); 0 when it can't be read.
 */
unsigned long long ks_percpu_sum(int fd, unsigned int key);

#endif
