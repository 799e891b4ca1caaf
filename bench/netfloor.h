/* SPDX-License-Identifier: GPL-2.0-only */
/* The streaming network floor's record: one TCP connection at its close, 88 bytes. */
#ifndef BENCH_NETFLOOR_H
#define BENCH_NETFLOOR_H

struct nf_event {
	unsigned long long ts;	    /* close time, ns */
	unsigned long long life_ns; /* from SYN sent or SYN received */
	unsigned long long tx_bytes, rx_bytes;
	unsigned int pid;
	unsigned short family, lport, rport, pad;
	unsigned char laddr[16], raddr[16];
	char comm[16];
};

#endif
