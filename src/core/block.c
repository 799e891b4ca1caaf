// SPDX-License-Identifier: GPL-2.0-only
/* What the block tools share in user space: disks by name, request flags, the hooks' setup. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "core/block.h"
#include "core/btf.h"
#include "core/tool.h"

/* "MAJ:MIN" of /sys/class/block/NAME/dev, into *@dev; 0 or -errno. */
static int dev_of_name(const char *name, unsigned int *dev)
{
	char path[PATH_MAX], line[64];
	unsigned int ma, mi;
	FILE *f;
	int ok;

	if (snprintf(path, sizeof(path), "/sys/class/block/%s/dev", name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ok = fgets(line, sizeof(line), f) && sscanf(line, "%u:%u", &ma, &mi) == 2;
	fclose(f);
	if (!ok)
		return -EINVAL;
	*dev = KS_BLK_DEV(ma, mi);
	return 0;
}

int ks_disk_parse(const char *arg, unsigned int *dev, char *err, size_t errlen)
{
	char path[PATH_MAX], name[64];
	unsigned int ma, mi;
	char end;
	struct stat st;
	const char *base;

	if (sscanf(arg, "%u:%u%c", &ma, &mi, &end) == 2) {
		if (ma >= 1u << (32 - KS_BLK_MINORBITS) || mi >= 1u << KS_BLK_MINORBITS) {
			snprintf(err, errlen, "invalid disk '%s': no such device number", arg);
			return -EINVAL;
		}
		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", ma, mi);
		if (stat(path, &st)) {
			snprintf(err, errlen, "no block device %u:%u (no %s)", ma, mi, path);
			return -ENOENT;
		}
		*dev = KS_BLK_DEV(ma, mi);
	} else {
		base = strncmp(arg, "/dev/", 5) ? arg : arg + 5;
		if (!*base || strchr(base, '/') || strlen(base) >= sizeof(name) || base[0] == '.') {
			snprintf(err, errlen,
				 "invalid disk '%s': expected a name like vda or MAJ:MIN", arg);
			return -EINVAL;
		}
		if (dev_of_name(base, dev)) {
			snprintf(err, errlen, "no disk '%s' (not in /sys/class/block)", arg);
			return -ENOENT;
		}
	}
	ks_disk_name(*dev, name, sizeof(name));
	snprintf(path, sizeof(path), "/sys/class/block/%s/partition", name);
	if (!stat(path, &st)) {
		snprintf(err, errlen,
			 "'%s' is a partition: block requests are counted per whole disk (give "
			 "the disk it is on)",
			 arg);
		return -EINVAL;
	}
	return 0;
}

int ks_disk_opt(const char *arg, void *field, char *err, size_t errlen)
{
	return ks_disk_parse(arg, field, err, errlen);
}

/* @n bytes of @s into @buf as a string, cut to fit: snprintf's cost, paid per event, shows. */
static const char *copy_out(char *buf, size_t len, const char *s, size_t n)
{
	if (!len)
		return buf;
	n = n < len - 1 ? n : len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/* Names seen so far: disks come and go rarely, reports name them often. */
static struct disk_name {
	unsigned int dev;
	char name[32];
} * names;
static size_t nnames;

const char *ks_disk_name(unsigned int dev, char *buf, size_t len)
{
	char path[64], link[PATH_MAX];
	struct disk_name *d;
	const char *base;
	ssize_t n;

	for (size_t i = 0; i < nnames; i++) {
		if (names[i].dev == dev)
			return copy_out(buf, len, names[i].name, strlen(names[i].name));
	}
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", KS_BLK_MAJOR(dev), KS_BLK_MINOR(dev));
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0) {
		snprintf(buf, len, "%u:%u", KS_BLK_MAJOR(dev), KS_BLK_MINOR(dev));
		return buf;
	}
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	snprintf(buf, len, "%s", base);
	d = realloc(names, (nnames + 1) * sizeof(*names));
	if (d) {
		names = d;
		names[nnames].dev = dev;
		snprintf(names[nnames].name, sizeof(names[nnames].name), "%.31s", base);
		nnames++;
	}
	return buf;
}

void ks_disk_json(struct ks_json *j, unsigned int dev)
{
	char name[32];

	ks_json_str(j, "disk", ks_disk_name(dev, name, sizeof(name)));
	ks_json_uint(j, "major", KS_BLK_MAJOR(dev));
	ks_json_uint(j, "minor", KS_BLK_MINOR(dev));
}

static const struct {
	unsigned int op;
	char rwbs;
	const char *name, *word;
} ops[] = {
	{ KS_BLK_OP_READ, 'R', "read", "Read" },
	{ KS_BLK_OP_WRITE, 'W', "write", "Write" },
	{ KS_BLK_OP_FLUSH, 'F', "flush", "Flush" },
	{ KS_BLK_OP_DISCARD, 'D', "discard", "Discard" },
	{ KS_BLK_OP_SECURE_ERASE, 'E', "secure-erase", "SecureErase" },
	{ KS_BLK_OP_WRITE_ZEROES, 'Z', "write-zeroes", "WriteZeroes" },
};

static int op_index(unsigned int flags)
{
	for (size_t i = 0; i < KS_ARRAY_SIZE(ops); i++)
		if (ops[i].op == (flags & KS_BLK_OP_MASK))
			return (int)i;
	return -1;
}

const char *ks_blk_rwbs(unsigned int flags, char *buf, size_t len)
{
	char s[8];
	size_t n = 0;
	int i = op_index(flags);

	if (flags & KS_BLK_PREFLUSH)
		s[n++] = 'F';
	s[n++] = i < 0 ? 'N' : ops[i].rwbs;
	if (flags & KS_BLK_FUA)
		s[n++] = 'F';
	if (flags & KS_BLK_RAHEAD)
		s[n++] = 'A';
	if (flags & KS_BLK_SYNC)
		s[n++] = 'S';
	if (flags & KS_BLK_META)
		s[n++] = 'M';
	return copy_out(buf, len, s, n);
}

const char *ks_blk_op_name(unsigned int flags, char *buf, size_t len)
{
	int i = op_index(flags);

	if (i < 0)
		snprintf(buf, len, "op-%u", flags & KS_BLK_OP_MASK);
	else
		copy_out(buf, len, ops[i].name, strlen(ops[i].name));
	return buf;
}

const char *ks_blk_flags_name(unsigned int flags, char *buf, size_t len)
{
	static const struct {
		unsigned int bit;
		const char *word;
	} words[] = { { KS_BLK_SYNC, "Sync" },
		      { KS_BLK_META, "Meta" },
		      { KS_BLK_FUA, "FUA" },
		      { KS_BLK_PREFLUSH, "Preflush" },
		      { KS_BLK_RAHEAD, "ReadAhead" } };
	int i = op_index(flags);
	size_t n;

	if (!len)
		return buf;
	if (i < 0)
		snprintf(buf, len, "Op%u", flags & KS_BLK_OP_MASK);
	else
		copy_out(buf, len, ops[i].word, strlen(ops[i].word));
	n = strlen(buf);
	/* "-Word" for each flag, while it fits (copy_out cuts the last one) */
	for (size_t w = 0; w < KS_ARRAY_SIZE(words) && n + 1 < len; w++) {
		if (!(flags & words[w].bit))
			continue;
		buf[n++] = '-';
		copy_out(buf + n, len - n, words[w].word, strlen(words[w].word));
		n += strlen(buf + n);
	}
	return buf;
}

int ks_blk_errno(int error)
{
	/* blk_status_t values that have meant the same since 4.13 (blk_errors[] in blk-core.c) */
	static const int status_errno[] = {
		0,     EOPNOTSUPP, ETIMEDOUT, ENOSPC, ENOLINK, EREMOTEIO,
		EBADE, ENODATA,	   EILSEQ,    ENOMEM, EIO,
	};

	if (error <= 0)
		return error; /* an errno already (the int the tracepoint had before) */
	if ((size_t)error < KS_ARRAY_SIZE(status_errno))
		return -status_errno[error];
	return -EIO;
}

int ks_block_layouts(struct bpf_object *obj)
{
	const char *types[2];
	bool on = true;

	if (ks_btf_tp_args("block_io_start", types, 1) == 1) {
		ks_bpf_disable_hook(obj, "blk_bio");
		ks_bpf_disable_hook(obj, "blk_bioq");
		return 0;
	}
	/* before 5.11: block_bio_queue(struct request_queue *, struct bio *) */
	ks_bpf_disable_hook(obj, "blk_start");
	ks_bpf_disable_hook(obj, ks_btf_tp_args("block_bio_queue", types, 2) == 2 ? "blk_bio"
										  : "blk_bioq");
	return ks_bpf_set_rodata(obj, "ks_blk_by_bio", &on, sizeof(on));
}

int ks_block_configure(struct ks_ctx *c, unsigned int dev, unsigned int need)
{
	const struct ks_common *o = &c->opt;
	const char *types[3];
	bool who, start, by_bio, err_errno, on = true;
	int n, err;

	who = (need & KS_BLK_NEED_WHO) || o->pid || o->tid || o->has_uid || o->comm[0] ||
	      o->cgroup || o->by != KS_BY_ALL;
	start = who || (need & KS_BLK_NEED_START);
	by_bio = ks_btf_tp_args("block_io_start", types, 1) != 1;
	if (start) {
		err = ks_block_layouts(c->obj);
		if (err)
			return err;
	} else {
		ks_bpf_disable_hook(c->obj, "blk_start");
		ks_bpf_disable_hook(c->obj, "blk_bio");
		ks_bpf_disable_hook(c->obj, "blk_bioq");
		by_bio = false;
	}
	if (!by_bio) {
		struct bpf_map *m = bpf_object__find_map_by_name(c->obj, "ks_blk_bios");

		err = m ? bpf_map__set_max_entries(m, 1) : -ENOENT;
		if (err)
			return err;
	}
	n = ks_btf_tp_args("block_rq_complete", types, 2);
	err_errno = n >= 2 && !strcmp(types[1], "int");
	err = ks_bpf_set_rodata(c->obj, "ks_blk_dev_filter", &dev, sizeof(dev));
	if (!err && who)
		err = ks_bpf_set_rodata(c->obj, "ks_blk_need_who", &on, sizeof(on));
	if (!err && err_errno)
		err = ks_bpf_set_rodata(c->obj, "ks_blk_err_errno", &on, sizeof(on));
	if (!err && start)
		err = ks_bpf_set_rodata(c->obj, "ks_blk_start", &on, sizeof(on));
	if (!err && (need & KS_BLK_NEED_DEV))
		err = ks_bpf_set_rodata(c->obj, "ks_blk_need_dev", &on, sizeof(on));
	if (!err && (need & KS_BLK_NEED_IO))
		err = ks_bpf_set_rodata(c->obj, "ks_blk_need_io", &on, sizeof(on));
	return err;
}
