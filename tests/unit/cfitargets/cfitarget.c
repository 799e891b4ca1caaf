// SPDX-License-Identifier: GPL-2.0-only
/* A call chain main -> cfi_a -> cfi_b -> cfi_c whose innermost frame dumps its registers, a copy
 * of its stack and its mappings to stdout, for the reference unwinder's test (tests/unit/cfi.c). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WINDOW (64 * 1024)

/* What tests/unit/cfi.c reads first; then len bytes of stack, then /proc/self/maps. */
struct cfi_dump {
	char magic[8];
	uint64_t rip, rsp, rbp, addr, len;
};

static unsigned char copy[WINDOW];
volatile int sink;

/* The end of the [stack] mapping holding @sp, so the copy never reads past it. */
static uint64_t stack_end(uint64_t sp)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uint64_t end = 0;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;

		if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 && sp >= lo && sp < hi)
			end = hi;
	}
	if (f)
		fclose(f);
	return end;
}

static void write_all(const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(1, p, n);

		if (w <= 0)
			_exit(1);
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

__attribute__((noinline)) int cfi_c(int x)
{
	struct cfi_dump d = { .magic = "cfidump" };
	uint64_t rip, rsp, rbp, end;
	char buf[4096];
	ssize_t n;
	FILE *f;

	/* one asm block: no CFI change between the three reads */
	__asm__ volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"
			 : "=r"(rip), "=r"(rsp), "=r"(rbp));
	end = stack_end(rsp);
	d.rip = rip;
	d.rsp = rsp;
	d.rbp = rbp;
	d.addr = rsp;
	d.len = end > rsp && end - rsp < WINDOW ? end - rsp : WINDOW;
	memcpy(copy, (const void *)(uintptr_t)rsp, d.len);
	write_all(&d, sizeof(d));
	write_all(copy, d.len);
	f = fopen("/proc/self/maps", "r");
	while (f && (n = (ssize_t)fread(buf, 1, sizeof(buf), f)) > 0)
		write_all(buf, (size_t)n);
	if (f)
		fclose(f);
	return x + sink;
}

/* work after each call keeps it a call (no tail call), and the arrays give frames a size */
__attribute__((noinline)) int cfi_b(int x)
{
	volatile int pad[40] = { 0 };

	pad[x & 31] = x;
	return cfi_c(pad[x & 31] + 1) * 3 + pad[1];
}

__attribute__((noinline)) int cfi_a(int x)
{
	volatile long pad[7] = { 0 };

	pad[x & 3] = x;
	return cfi_b((int)pad[x & 3] + 1) * 5 + (int)pad[2];
}

int main(void)
{
	return cfi_a(1) == 12345 ? 3 : 0;
}
