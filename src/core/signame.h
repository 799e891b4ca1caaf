/* SPDX-License-Identifier: GPL-2.0-only */
/* Signal names and numbers. */
#ifndef KS_SIGNAME_H
#define KS_SIGNAME_H

#include <stddef.h>

/* "SIGUSR1", "SIGRTMIN+3", or "SIG<n>" into @buf (at least 16 bytes). */
const char *ks_signal_name(int sig, char *buf, size_t len);
/* Number of "SIGUSR1", "USR1", "usr1" or "10"; -1 when unknown. */
int ks_signal_parse(const char *s);

#endif
