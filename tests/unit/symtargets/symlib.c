// SPDX-License-Identifier: GPL-2.0-only
/* The shared library of tests/unit/symtargets/symtarget.c: one function and true addresses. */
#include <unistd.h>

__attribute__((noinline, used)) int lib_gamma(int x)
{
	volatile int v = x;

	for (int i = 0; i < 10; i++)
		v = v * 7 + i;
	return v;
}

/*
 * Its address through a hidden alias: &lib_gamma could be the non-PIE executable's PLT
 * stub, which stands for the function there (the "canonical" address).
 */
extern int lib_gamma_hidden(int x) __attribute__((alias("lib_gamma"), visibility("hidden")));

void *lib_gamma_addr(void)
{
	return (void *)lib_gamma_hidden;
}

/* A libc function the executable does not call: its address is libc's own. */
void *lib_getppid_addr(void)
{
	return (void *)getppid;
}
