/* SPDX-License-Identifier: GPL-2.0-only */
/* What the block tools share in user space: disks by name, request flags, the hooks' setup. */
#ifndef KS_BLOCK_H
#define KS_BLOCK_H

#include <stddef.h>

#include "core/opt.h"

#include "shared/block.h"

struct bpf_object;
struct ks_ctx;
struct ks_json;

/*
 * Parse a disk as -d takes it: a name ("vda", "loop3", "/dev/nvme0n1") or "MAJ:MIN", into
 * KS_BLK_DEV(major, minor) in @dev. The disk must exist (/sys/dev/block) and be a whole disk:
 * block requests carry the disk, not the partition. 0, or -EINVAL/-ENOENT with one line
 * for the user in @err.
 */
int ks_disk_parse(const char *arg, unsigned int *dev, char *err, size_t errlen);

/* ks_disk_parse for an option entry (KS_FUNC's parser): @field is an unsigned int. */
int ks_disk_opt(const char *arg, void *field, char *err, size_t errlen);

/* The -d/--disk DISK option of the block tools, into unsigned int @field of state @type. */
#define KS_DISK_OPT(type, field)                                                                   \
	KS_FUNC(type, field, "disk", 'd', "DISK",                                                  \
		"only this disk: a name (vda, loop3) or MAJ:MIN", ks_disk_opt)

/*
 * The kernel's name of disk @dev ("vda"), from /sys/dev/block/MAJ:MIN; "MAJ:MIN" when the
 * disk is gone. Names are cached for the life of the process; the result is @buf.
 */
const char *ks_disk_name(unsigned int dev, char *buf, size_t len);

/* JSON members of disk @dev: "disk" (its name), "major", "minor". */
void ks_disk_json(struct ks_json *j, unsigned int dev);

/*
 * @flags (KS_BLK_*) as blktrace's rwbs letters ("WS", "RA", "FWFS"): F for a preflush
 * first, then the operation (R, W, D for discard, E for secure erase, Z for write zeroes,
 * F for a flush, N for others), then F for FUA, A read-ahead, S sync, M metadata.
 */
const char *ks_blk_rwbs(unsigned int flags, char *buf, size_t len);

/* The operation's name: "read", "write", "flush", "discard", ...; "op-N" for others. */
const char *ks_blk_op_name(unsigned int flags, char *buf, size_t len);

/* @flags as words, BCC's style: "Write", "Read-Sync", "Write-Sync-FUA-Preflush". */
const char *ks_blk_flags_name(unsigned int flags, char *buf, size_t len);

/* A completion's error (struct ks_blk_req.error, as block.bpf.h stores it) as -errno or 0. */
int ks_blk_errno(int error);

/* What a block tool needs of src/bpf/block.bpf.h, for ks_block_configure. */
enum {
	KS_BLK_NEED_START = 1u << 0, /* when requests were made: queue times */
	KS_BLK_NEED_WHO = 1u << 1,   /* the submitter of every request counted */
	KS_BLK_NEED_DEV = 1u << 2,   /* the disk of each request (ks_blk_req.dev) */
	KS_BLK_NEED_IO = 1u << 3,    /* its sector, size and flags */
};

/*
 * The hooks of the submitter in @obj (KS_BLOCK_TRACK, opened) that fit this kernel, by its
 * BTF: blk_start where block_io_start exists, else blk_bio or blk_bioq by the arguments
 * of block_bio_queue; the others switched off. Sets ks_blk_by_bio. A tool's .layouts.
 */
int ks_block_layouts(struct bpf_object *obj);

/*
 * Configure an object that uses KS_BLOCK_TRACK (at configure time, opened, not loaded):
 * the disk filter @dev (0: every disk), and the hooks: issue and completion always; the
 * submitter's hooks when @need asks (KS_BLK_NEED_*) or the common filters or per-task keys
 * need them: block_io_start where the kernel has it, else block_bio_queue in its layout
 * (read from BTF); the completion's error type. Hooks not needed are switched off, so a
 * plain latency histogram costs two tracepoints; what the body does not use is not read.
 * 0 or -errno.
 */
int ks_block_configure(struct ks_ctx *c, unsigned int dev, unsigned int need);

#endif
