/* SPDX-License-Identifier: GPL-2.0-only */
/* skbdrop's event and count key: one dropped packet, or drops counted by reason and place. */
#ifndef KS_SKBDROP_H
#define KS_SKBDROP_H

#include "shared/event.h"
#include "shared/net.h"

/* Kernel frames an event carries with --stack (deeper stacks are cut: "nstack" says so). */
#define SKBDROP_STACK 48

/* --reason NAME,...: codes a run keeps at most. */
#define SKBDROP_REASONS 16

/* kfree_skb gave no reason (before 5.17): the event's reason is this. */
#define SKBDROP_NO_REASON 0xffffffffu

struct skbdrop_event {
	struct ks_event_hdr hdr; /* the socket's owner if known (owned), else the current task */
	struct ks_flow flow;	 /* family 0: not an IPv4/IPv6 packet, or not parsed */
	unsigned long long location; /* the kernel address that dropped it */
	unsigned int reason;	     /* the kernel's code, or SKBDROP_NO_REASON */
	unsigned int ifindex;	     /* skb->dev's, else the one it came in on; 0 none */
	char ifname[16];	     /* skb->dev's name; empty without a device */
	unsigned int len;	     /* skb->len: bytes from the current header on */
	unsigned short ethertype;    /* skb->protocol, host order */
	unsigned char owned;	     /* hdr is the socket's owner (connect/accept seen) */
	unsigned char pad;
	unsigned int nstack; /* frames in stack (with --stack), leaf first */
	unsigned int pad2;
	unsigned long long stack[SKBDROP_STACK]; /* sent only with --stack */
};

/* --count: drops per reason, place (and with --stack, kernel stack). */
struct skbdrop_key {
	unsigned long long location;
	unsigned int reason;
	int kstack; /* stack id in map "stacks", or a negative errno; -1 without --stack */
};

#endif
