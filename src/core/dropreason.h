/* SPDX-License-Identifier: GPL-2.0-only */
/* Names of the kernel's packet drop reasons (enum skb_drop_reason), read from its BTF. */
#ifndef KS_DROPREASON_H
#define KS_DROPREASON_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Drop reasons are numbered by the running kernel: the numbering changes between releases
 * (66 core reasons on 6.1, 104 on 6.12, 130 on 6.18), so every name comes from the kernel
 * BTF (core/btf.h, $KSCOPE_VMLINUX_BTF honoured), never from a table in kscope. A reason
 * of the core subsystem is named as its enumerator without the SKB_DROP_REASON_ (or SKB_)
 * prefix: "NO_SOCKET", "NETFILTER_DROP", "NOT_SPECIFIED", "CONSUMED". Since 6.5 the high
 * bits (SKB_DROP_REASON_SUBSYS_MASK) name another subsystem (enum
 * skb_drop_reason_subsys: MAC80211_UNUSABLE, OPENVSWITCH, QDISC ...) whose own enum holds
 * the rest; those are named by that enum's enumerators where the kernel BTF has it (a
 * subsystem built into the kernel: "QDISC_DROP_OVERLIMIT"), else "SUBSYS:N" (the
 * subsystem's name and the number within it, "OPENVSWITCH:3"). Module BTF is not read.
 * The tables are read once per process, on first use. Not thread-safe.
 */

/*
 * Does the running kernel's kfree_skb give a reason (its BTF has enum skb_drop_reason:
 * 5.17 and later)? False too when there is no kernel BTF.
 */
bool ks_drop_reasons_known(void);

/* The number of core reasons (SKB_DROP_REASON_MAX: codes 0 to it - 1); 0 where none. */
unsigned int ks_drop_reason_max(void);

/*
 * The name of reason @code, as described above; for a code without a name (past the core
 * reasons, an unknown subsystem) "REASON_N" or "SUBSYS_S:N", written into @buf (@len
 * bytes; 32 hold any). Never NULL: names of the tables, or @buf.
 */
const char *ks_drop_reason_name(unsigned int code, char *buf, size_t len);

/*
 * The code of reason @name: a name as ks_drop_reason_name gives it, or the kernel's
 * enumerator in full ("SKB_DROP_REASON_NO_SOCKET"), in any case; "SUBSYS:N" too. Returns
 * 0 with *@code set, -ENOENT when this kernel has no such reason, -EOPNOTSUPP when it has
 * no drop reasons at all (ks_drop_reasons_known false).
 */
int ks_drop_reason_parse(const char *name, unsigned int *code);

typedef int (*ks_drop_reason_fn)(unsigned int code, const char *name, void *arg);

/*
 * Call @fn for every named reason of this kernel: the core reasons in code order, then
 * those of other subsystems the BTF names. A non-zero return of @fn stops the walk and is
 * returned; else 0 (also when the kernel has no reasons: @fn is never called).
 */
int ks_drop_reason_foreach(ks_drop_reason_fn fn, void *arg);

#endif
