// SPDX-License-Identifier: GPL-2.0-only
/* langtarget: named functions and USDT probes, each run exactly N times, for the probe tests. */
/*
 * usage: langtarget N
 *
 * Prints where its functions are ("lt_work 0x...", one per line) and "ready", then waits
 * for a line on stdin. Then, N times (i = 0 .. N-1): calls lt_work(i) (which fires USDT
 * probe langtarget:tick with arguments i and 42), lt_ret(i), getppid() through libc, and
 * lt_probe_a() and lt_probe_b() (USDT probe langtarget:twice, at two sites); and fires
 * langtarget:sema(i) only when its semaphore says a tracer is attached. It then prints
 * "done sema=K" (K: how many times the semaphore was seen set) and exits 0 at the end of
 * stdin. The functions are never inlined or cloned so that uprobes on them see every call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noipa, used))

/* Incremented by the kernel (uprobe ref_ctr_offset) while a tracer is attached to sema. */
unsigned short langtarget_sema_semaphore __attribute__((section(".probes"), used));

NOINLINE int lt_work(int i)
{
	volatile int v = i;

	STAP_PROBE2(langtarget, tick, i, 42);
	return v * 2;
}

NOINLINE int lt_ret(int i)
{
	volatile int v = i;

	return v + 1;
}

NOINLINE void lt_probe_a(void)
{
	STAP_PROBE(langtarget, twice);
	__asm__ volatile("" ::: "memory");
}

NOINLINE void lt_probe_b(void)
{
	STAP_PROBE(langtarget, twice);
	__asm__ volatile("" ::: "memory");
}

/*
 * The probes above carry no semaphore; from here on sdt.h's note names one (its internal
 * macro, switched per probe, because _SDT_HAS_SEMAPHORES would give every probe one).
 */
#undef _SDT_SEMAPHORE
#define _SDT_SEMAPHORE(p, n) _SDT_ASM_1(_SDT_ASM_ADDR p##_##n##_semaphore)

NOINLINE int lt_sema(int i)
{
	if (!*(volatile unsigned short *)&langtarget_sema_semaphore)
		return 0;
	STAP_PROBE1(langtarget, sema, i);
	return 1;
}

int main(int argc, char **argv)
{
	char line[64];
	long n, sema = 0;

	if (argc != 2 || (n = strtol(argv[1], NULL, 10)) < 0) {
		fprintf(stderr, "usage: langtarget N\n");
		return 2;
	}
	printf("lt_work %p\nlt_ret %p\nlt_probe_a %p\nlt_probe_b %p\nlt_sema %p\n"
	       "langtarget_sema_semaphore %p\nready\n",
	       (void *)lt_work, (void *)lt_ret, (void *)lt_probe_a, (void *)lt_probe_b,
	       (void *)lt_sema, (void *)&langtarget_sema_semaphore);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	for (long i = 0; i < n; i++) {
		lt_work((int)i);
		lt_ret((int)i);
		getppid();
		lt_probe_a();
		lt_probe_b();
		sema += lt_sema((int)i);
	}
	printf("done sema=%ld\n", sema);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		;
	return 0;
}
