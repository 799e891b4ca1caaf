// SPDX-License-Identifier: GPL-2.0-only
/* Reading BPF maps from user space: snapshots (optionally reset), clearing, per-CPU sums. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/maps.h"

static bool type_percpu(__u32 t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static bool type_array(__u32 t)
{
	return t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* The map's sizes and kind, filled into @d. */
static int map_shape(int fd, struct ks_map_dump *d, __u32 *type)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int ncpu;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*type = info.type;
	d->key_size = info.key_size ? info.key_size : 1;
	d->cpu_value = info.value_size;
	d->ncpu = 1;
	d->cpu_stride = info.value_size;
	if (type_percpu(info.type)) {
		ncpu = libbpf_num_possible_cpus();
		if (ncpu <= 0)
			return ncpu ? ncpu : -EINVAL;
		d->ncpu = (unsigned int)ncpu;
		/* The kernel copies per-CPU values out at 8-byte strides. */
		d->cpu_stride = ((size_t)info.value_size + 7) & ~(size_t)7;
	}
	d->value_size = d->cpu_stride * d->ncpu;
	return 0;
}

/* Read (and with @reset, reset) the @size bytes at @key into @val; false if it is gone. */
static bool read_entry(int fd, bool array, bool reset, const void *key, void *val,
		       const void *zeros, size_t size)
{
	if (!reset)
		return !bpf_map_lookup_elem(fd, key, val);
	if (array) {
		if (bpf_map_lookup_elem(fd, key, val))
			return false;
		/* Untouched slots (most of a syscall table) need no write. */
		if (memcmp(val, zeros, size))
			bpf_map_update_elem(fd, key, zeros, BPF_EXIST);
		return true;
	}
	if (!bpf_map_lookup_and_delete_elem(fd, key, val))
		return true;
	if (errno == ENOENT)
		return false;
	/* Before 5.14 hash maps have no lookup-and-delete. */
	if (bpf_map_lookup_elem(fd, key, val))
		return false;
	bpf_map_delete_elem(fd, key);
	return true;
}

int ks_map_dump(int fd, unsigned int flags, struct ks_map_dump *d)
{
	bool reset = flags & KS_MAP_RESET;
	size_t cap = 0, nkeys = 0, out = 0;
	char *zeros = NULL;
	__u32 type;
	int err;

	memset(d, 0, sizeof(*d));
	err = map_shape(fd, d, &type);
	if (err)
		return err;
	for (;;) {
		if (nkeys == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char *k = realloc(d->keys, nc * d->key_size);

			if (!k)
				return -ENOMEM;
			d->keys = k;
			cap = nc;
		}
		if (bpf_map_get_next_key(fd, nkeys ? d->keys + (nkeys - 1) * d->key_size : NULL,
					 d->keys + nkeys * d->key_size))
			break;
		nkeys++;
	}
	d->values = malloc(nkeys ? nkeys * d->value_size : 1);
	if (reset && type_array(type))
		zeros = calloc(1, d->value_size);
	if (!d->values || (reset && type_array(type) && !zeros)) {
		free(zeros);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nkeys; i++) {
		const char *key = d->keys + i * d->key_size;

		if (!read_entry(fd, type_array(type), reset, key, d->values + out * d->value_size,
				zeros, d->value_size))
			continue;
		/* Entries stay in order: the key slot of entry @out is free. */
		if (out != i)
			memcpy(d->keys + out * d->key_size, key, d->key_size);
		out++;
	}
	free(zeros);
	d->n = out;
	return (int)out;
}

void ks_map_dump_free(struct ks_map_dump *d)
{
	free(d->keys);
	free(d->values);
	memset(d, 0, sizeof(*d));
}

int ks_map_clear(int fd, bool zero)
{
	struct ks_map_dump d;
	char *zeros, *key;
	__u32 type;
	int err;

	memset(&d, 0, sizeof(d));
	err = map_shape(fd, &d, &type);
	if (err)
		return err;
	if (zero || type_array(type)) {
		/* Keep the keys: every value becomes zeros (arrays can only be zeroed). */
		err = ks_map_dump(fd, 0, &d);
		zeros = err >= 0 ? calloc(1, d.value_size ? d.value_size : 1) : NULL;
		if (err >= 0 && !zeros)
			err = -ENOMEM;
		for (size_t i = 0; zeros && i < d.n; i++)
			bpf_map_update_elem(fd, ks_map_dump_key(&d, i), zeros, BPF_EXIST);
		free(zeros);
		ks_map_dump_free(&d);
		return err < 0 ? err : 0;
	}
	key = malloc(d.key_size);
	if (!key)
		return -ENOMEM;
	/* Always the first key: each delete makes another one first. */
	while (!bpf_map_get_next_key(fd, NULL, key)) {
		if (bpf_map_delete_elem(fd, key)) {
			err = -errno;
			break;
		}
	}
	free(key);
	return err;
}

unsigned long long ks_percpu_sum(int fd, unsigned int key)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long sum = 0, *v;

	if (fd < 0 || ncpu <= 0 || !(v = calloc((size_t)ncpu, sizeof(*v))))
		return 0;
	if (!bpf_map_lookup_elem(fd, &key, v))
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}
