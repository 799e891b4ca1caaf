// SPDX-License-Identifier: GPL-2.0-only
/* The process tests/unit/syms.c symbolizes: prints where its functions are, waits for EOF. */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

void *lib_gamma_addr(void);
void *lib_getppid_addr(void);
int lib_gamma(int x);

/* Long enough that addr+5 is still inside; never inlined, never dropped. */
__attribute__((noinline, used)) int sym_alpha(int x)
{
	volatile int v = x;

	for (int i = 0; i < 10; i++)
		v = v * 3 + i;
	return v;
}

__attribute__((noinline, used)) int sym_beta(int x)
{
	volatile int v = x;

	for (int i = 0; i < 10; i++)
		v = v * 5 - i;
	return v + sym_alpha(x) + lib_gamma(x);
}

int main(void)
{
	/* stands for JIT code: anonymous and executable, named by a perf map the test writes */
	void *jit = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[64];

	if (jit == MAP_FAILED)
		return 2;
	printf("variant %s\n", VARIANT);
	printf("sym_alpha %p\n", (void *)sym_alpha);
	printf("sym_beta %p\n", (void *)sym_beta);
	printf("lib_gamma %p\n", lib_gamma_addr());
	printf("getppid %p\n", lib_getppid_addr());
	printf("jit %p\n", jit);
	printf("ready\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return sym_beta(1) == 12345 ? 3 : 0;
}
