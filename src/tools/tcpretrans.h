/* SPDX-License-Identifier: GPL-2.0-only */
/* tcpretrans' event and --count table: TCP retransmissions with flow, states and result. */
#ifndef KS_TCPRETRANS_H
#define KS_TCPRETRANS_H

#include "shared/event.h"
#include "shared/net.h"

/* What was sent again. */
enum {
	TCPRETRANS_SKB,	   /* a segment of a socket's retransmit queue (tcp_retransmit_skb) */
	TCPRETRANS_SYNACK, /* a listener's SYN-ACK to a pending connection request */
};

/* The congestion state of the sender (icsk_ca_state, include/net/inet_connection_sock.h). */
enum {
	TCPRETRANS_CA_OPEN,
	TCPRETRANS_CA_DISORDER,
	TCPRETRANS_CA_CWR,
	TCPRETRANS_CA_RECOVERY,
	TCPRETRANS_CA_LOSS,
	TCPRETRANS_CA_NONE = 255, /* a SYN-ACK: the request has no congestion state */
};

struct tcpretrans_event {
	struct ks_event_hdr hdr;   /* the socket's owner if known (owned), else the current task */
	unsigned long long skaddr; /* the socket (a SYN-ACK's: the request) */
	struct ks_flow flow;
	unsigned int seq;  /* first sequence number of the segment(s); SYN-ACK: 0 */
	unsigned int len;  /* sequence space: bytes, SYN and FIN count one */
	unsigned int segs; /* segments in the skb (tcp_skb_pcount), what TcpRetransSegs adds */
	int err;	   /* the kernel's result: 0 sent, -errno not (kernels with has_err only) */
	unsigned char kind;	/* TCPRETRANS_SKB, _SYNACK */
	unsigned char state;	/* TCP state (shared/net.h) */
	unsigned char ca_state; /* TCPRETRANS_CA_* */
	unsigned char tlp;	/* a tail loss probe (Open state, the loss-probe timer's run) */
	unsigned char owned;	/* hdr is the process that connected or accepted the socket */
	unsigned char has_err;	/* this kernel's tracepoint gives err, and traces failed tries */
	unsigned char pad[2];
};

/* --count: one row per flow and TCP state. */
struct tcpretrans_key {
	struct ks_flow flow;
	unsigned int state;
};

struct tcpretrans_stat {
	unsigned long long sent;     /* retransmissions sent (err 0) */
	unsigned long long segs;     /* their segments */
	unsigned long long failed;   /* tries the kernel gave up (err < 0: has_err kernels) */
	unsigned long long loss;     /* sent in the Loss state: after a retransmission timeout */
	unsigned long long recovery; /* sent in Recovery: fast retransmit */
	unsigned long long tlp;	     /* tail loss probes */
	unsigned long long synack;   /* SYN-ACKs */
	unsigned int pid;	     /* the owner (or current task) of the last one */
	char comm[KS_COMM_LEN];
	unsigned int pad;
};

#endif
