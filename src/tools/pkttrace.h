/* SPDX-License-Identifier: GPL-2.0-only */
/* pkttrace's event: one hop of a followed packet through the kernel's network tracepoints. */
#ifndef KS_PKTTRACE_H
#define KS_PKTTRACE_H

#include "shared/event.h"
#include "shared/net.h"

/*
 * The hops, in the order a packet meets them on each path. Transmit: queue, qdisc,
 * driver; receive: the driver's entry points, netif_rx (backlog), netif_receive_skb (the
 * stack's entry), TCP; ends: read by a socket, consumed, dropped. PKT_HOP_UNSEEN is no
 * tracepoint: the packet's skb showed up as the first hop of another packet, so it ended
 * where no tracepoint sees it.
 */
enum pkttrace_hop {
	PKT_HOP_NONE,
	PKT_HOP_QUEUE,	    /* net_dev_queue: dev_queue_xmit() */
	PKT_HOP_QDISC_ENQ,  /* qdisc_enqueue */
	PKT_HOP_QDISC_DEQ,  /* qdisc_dequeue */
	PKT_HOP_START_XMIT, /* net_dev_start_xmit: handed to the driver */
	PKT_HOP_XMIT,	    /* net_dev_xmit: the driver returned */
	PKT_HOP_RX_ENTRY,   /* netif_rx_entry */
	PKT_HOP_GRO_ENTRY,  /* napi_gro_receive_entry */
	PKT_HOP_RECV_ENTRY, /* netif_receive_skb_entry */
	PKT_HOP_LIST_ENTRY, /* netif_receive_skb_list_entry */
	PKT_HOP_RX,	    /* netif_rx: queued to a CPU's backlog */
	PKT_HOP_RECEIVE,    /* netif_receive_skb: the stack takes it */
	PKT_HOP_TCP,	    /* tcp_probe: an established TCP socket receives it */
	PKT_HOP_DELIVERED,  /* skb_copy_datagram_iovec: a reader copies it out (end) */
	PKT_HOP_CONSUMED,   /* consume_skb (end) */
	PKT_HOP_DROPPED,    /* kfree_skb (end) */
	PKT_HOP_UNSEEN,	    /* end not traced (see above) */
	PKT_HOP_NR,
};

/* pkttrace_event.flags */
#define PKT_F_FIRST  1 /* the packet's first hop: flow is set */
#define PKT_F_LAST   2 /* the packet's last hop */
#define PKT_F_LOC    4 /* location is set */
#define PKT_F_REASON 8 /* reason is set (kfree_skb on 5.17+) */

struct pkttrace_event {
	/*
	 * ts: the hop's time (PKT_HOP_UNSEEN: when the end was found out). The rest only on
	 * the first hop: the task the CPU ran then (the sender, for a packet sent by a process;
	 * in softirq context whatever task was interrupted).
	 */
	struct ks_event_hdr hdr;
	unsigned long long id; /* the packet's number, from 1 in the order first seen */
	unsigned long long skb;
	unsigned long long location; /* consume/drop: the kernel code that freed it */
	struct ks_flow flow;	     /* PKT_F_FIRST only */
	unsigned int len;	     /* skb->len, or the bytes copied out (delivered) */
	unsigned int ifindex;	     /* of the hop's device, 0 none */
	unsigned int netns;	     /* of the hop's device (else its socket's), 0 unknown */
	unsigned int reason;	     /* drop reason (enum skb_drop_reason) */
	int rc;			     /* net_dev_xmit: the driver's return code */
	unsigned int cpu;
	unsigned int pid, tid; /* delivered: the reader */
	unsigned int qhandle;  /* qdisc hops: the qdisc's handle */
	unsigned short hop;    /* enum pkttrace_hop */
	unsigned char flags;   /* PKT_F_* */
	unsigned char pad;
	char dev[16];  /* the hop's device name, "" none */
	char name[16]; /* delivered: the reader's comm; qdisc hops: the qdisc kind */
};

#endif
