/* SPDX-License-Identifier: GPL-2.0-only */
/* unwindload's shared library: the middle and leaf frames of its call chains (unwindlib.c). */
#ifndef KS_TEST_UNWINDLIB_H
#define KS_TEST_UNWINDLIB_H

#include <pthread.h>
#include <stddef.h>

/*
 * Every frame of a chain stays a frame of its own, also at -O2: not inlined, not cloned
 * (a clone would be named FUNC.constprop.0 and the like), and never tail-called (each
 * function writes a volatile after its call, see UW_AFTER), so an unwinder must find
 * each name in order.
 */
#define UW_FN		  __attribute__((noinline, noclone, used))
#define UW_AFTER(counter) ((counter)++)

/*
 * In the frame-pointer build (-DUW_FP), a leaf function keeps its frame: gcc 12 omits it at
 * -O2 despite -mno-omit-leaf-frame-pointer, and a frame-pointer walk from a sample in the leaf
 * would then skip its caller. Taking the frame's address makes gcc set the frame up.
 */
#ifdef UW_FP
#define UW_LEAF_FRAME() __asm__ volatile("" : : "r"(__builtin_frame_address(0)))
#else
#define UW_LEAF_FRAME() ((void)0)
#endif

/* A condition the waker thread sets and signals (the cond action). */
struct uw_cond {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int set;
};

/* Sleep @ns in nanosleep(2) (glibc's wrapper, no frame of its own); 0 or -errno. */
int uw_lib_nap(long ns);
/* Read one byte from @fd (a pipe another thread writes to); 0 or -errno. */
int uw_lib_pipe(int fd);
/* Wait in pthread_cond_wait until @c->set, then clear it; 0 or -errno. */
int uw_lib_cond(struct uw_cond *c);
/* @n malloc/free pairs of sizes picked from @seed; the bytes allocated. */
unsigned long uw_lib_malloc(unsigned long n, unsigned int *seed);
/* Burn CPU for @iters iterations of arithmetic; a value that depends on all of them. */
unsigned long uw_lib_spin(unsigned long iters);
/* The waker's side: write one byte to @fd; set @c and signal it. 0 or -errno. */
int uw_lib_wake_pipe(int fd);
int uw_lib_wake_cond(struct uw_cond *c);

#endif
