// SPDX-License-Identifier: GPL-2.0-only
/* Benchmark: how many stacks per second src/core/syms symbolizes, cold and warm. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "core/syms.h"

static const char usage[] =
	"usage: symrate [-n STACKS] [-d DEPTH] [-k KFRAMES] [-r ROUNDS] [-t TARGET | -s]\n"
	"\n"
	"Builds STACKS stacks (default 100000) of DEPTH frames (default 20), KFRAMES of them\n"
	"(default 5) kernel addresses from /proc/kallsyms (none when it hides them), the rest\n"
	"random addresses in the executable mappings of the target process (its binary, its\n"
	"shared library, libc...), and symbolizes them all with one ks_syms, each frame also\n"
	"formatted with ks_sym_folded: the first pass cold (reading kallsyms, learning the\n"
	"process, loading its ELF files), then ROUNDS warm passes (default 3; the best counts).\n"
	"  -t TARGET  the program to start and symbolize (default: the unit tests' symtarget-pie\n"
	"             next to this build, tests/unit/symtargets/)\n"
	"  -s         symbolize this process itself instead\n";

static unsigned long long rnd_state = 0x9e3779b97f4a7c15ULL;

static unsigned long long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

struct range {
	unsigned long long start, end;
	char name[64];
};

/* The file-backed executable mappings of @pid. */
static int text_ranges(int pid, struct range *r, int max)
{
	char path[64], line[1024];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	while (f && n < max && fgets(line, sizeof(line), f)) {
		char perms[8], *file = strchr(line, '/');
		unsigned long long s, e;

		if (sscanf(line, "%llx-%llx %7s", &s, &e, perms) != 3 || !strchr(perms, 'x') ||
		    !file)
			continue;
		file[strcspn(file, "\n")] = '\0';
		r[n].start = s;
		r[n].end = e;
		snprintf(r[n].name, sizeof(r[n].name), "%s", strrchr(file, '/') + 1);
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

/* Up to @max text addresses from /proc/kallsyms (0 if it shows none). */
static size_t kernel_addrs(unsigned long long *a, size_t max)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512];
	size_t n = 0;

	while (f && n < max && fgets(line, sizeof(line), f)) {
		unsigned long long v;
		char t;

		if (sscanf(line, "%llx %c", &v, &t) == 2 && v && strchr("tT", t))
			a[n++] = v;
	}
	if (f)
		fclose(f);
	return n;
}

struct pass {
	unsigned long long ns, named_user, named_kernel, user, kernel, bytes;
};

static void run_pass(struct ks_syms *s, int pid, const unsigned long long *addrs, int nstacks,
		     int depth, int kframes, struct pass *p)
{
	unsigned long long t0 = bench_mono_ns();
	char line[8192];

	memset(p, 0, sizeof(*p));
	for (int i = 0; i < nstacks; i++) {
		const unsigned long long *st = addrs + (size_t)i * depth;
		size_t o = 0;

		for (int j = 0; j < depth; j++) {
			struct ks_sym sym;
			int n;

			if (j < kframes) {
				p->kernel++;
				p->named_kernel += !ks_syms_kernel(s, st[j], &sym);
			} else {
				p->user++;
				p->named_user += !ks_syms_user(s, pid, st[j], &sym);
			}
			n = ks_sym_folded(&sym, line + o, sizeof(line) - o);
			o += (size_t)n < sizeof(line) - o ? (size_t)n : 0;
			if (o < sizeof(line) - 1)
				line[o++] = ';';
		}
		p->bytes += o;
	}
	p->ns = bench_mono_ns() - t0;
}

static void print_pass(const char *what, const struct pass *p, int nstacks, int depth)
{
	double s = p->ns / 1e9;

	printf("symrate: %s: %.0f stacks/s, %.0f ns/frame (%.1f ms for %d stacks); named: "
	       "user %.1f%%, kernel %.1f%%\n",
	       what, nstacks / s, p->ns / ((double)nstacks * depth), p->ns / 1e6, nstacks,
	       p->user ? 100.0 * p->named_user / p->user : 0.0,
	       p->kernel ? 100.0 * p->named_kernel / p->kernel : 0.0);
}

int main(int argc, char **argv)
{
	int nstacks = 100000, depth = 20, kframes = 5, rounds = 3, self = 0, opt, nr, in[2], out[2];
	unsigned long long *addrs, *kaddrs, t0, learn_ns, kall_ns;
	char target[PATH_MAX] = "", line[256];
	struct range ranges[64];
	struct pass cold, warm, best;
	size_t nk;
	pid_t pid = 0, child = 0;
	struct ks_syms *s;

	while ((opt = getopt(argc, argv, "n:d:k:r:t:sh")) != -1) {
		switch (opt) {
		case 'n':
			nstacks = atoi(optarg);
			break;
		case 'd':
			depth = atoi(optarg);
			break;
		case 'k':
			kframes = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 't':
			snprintf(target, sizeof(target), "%s", optarg);
			break;
		case 's':
			self = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (nstacks < 1 || depth < 1 || depth > 200 || kframes < 0 || kframes > depth ||
	    rounds < 1) {
		fprintf(stderr, "symrate: bad -n, -d, -k or -r\n%s", usage);
		return 2;
	}
	if (!self && !target[0]) {
		ssize_t n = readlink("/proc/self/exe", target, sizeof(target) - 64);

		if (n > 0) {
			target[n] = '\0';
			*strrchr(target, '/') = '\0';
			strcat(target, "/../tests/unit/symtargets/symtarget-pie");
		}
		if (access(target, X_OK)) {
			fprintf(stderr, "symrate: no %s (make unit-bins): symbolizing itself\n",
				target);
			self = 1;
		}
	}
	if (self) {
		pid = getpid();
	} else {
		if (pipe(in) || pipe(out))
			return 1;
		child = fork();
		if (!child) {
			dup2(in[0], 0);
			dup2(out[1], 1);
			close(in[1]);
			close(out[0]);
			execl(target, target, (char *)NULL);
			_exit(127);
		}
		close(in[0]);
		close(out[1]);
		/* its "ready" line: everything is mapped */
		FILE *f = fdopen(out[0], "r");

		while (f && fgets(line, sizeof(line), f) && strcmp(line, "ready\n"))
			;
		pid = child;
	}

	nr = text_ranges(pid, ranges, 64);
	if (!nr) {
		fprintf(stderr, "symrate: no executable mappings readable in /proc/%d/maps\n", pid);
		return 1;
	}
	kaddrs = malloc(200000 * sizeof(*kaddrs));
	nk = kaddrs ? kernel_addrs(kaddrs, 200000) : 0;
	if (!nk)
		kframes = 0;
	addrs = malloc((size_t)nstacks * depth * sizeof(*addrs));
	if (!addrs)
		return 1;
	for (size_t i = 0; i < (size_t)nstacks * depth; i++) {
		if ((int)(i % depth) < kframes) {
			addrs[i] = kaddrs[rnd() % nk] + rnd() % 64;
		} else {
			const struct range *r = &ranges[rnd() % nr];

			addrs[i] = r->start + rnd() % (r->end - r->start);
		}
	}
	printf("symrate: pid %d (%s), %d stacks x %d frames (%d kernel), %d executable mappings:",
	       pid, self ? "itself" : target, nstacks, depth, kframes, nr);
	for (int i = 0; i < nr; i++)
		printf(" %s", ranges[i].name);
	printf("\n");

	s = ks_syms_new();
	if (!s)
		return 1;
	t0 = bench_mono_ns();
	if (kframes)
		ks_syms_kernel_refresh(s);
	kall_ns = bench_mono_ns() - t0;
	t0 = bench_mono_ns();
	ks_syms_learn(s, pid);
	learn_ns = bench_mono_ns() - t0;
	run_pass(s, pid, addrs, nstacks, depth, kframes, &cold);
	cold.ns += kall_ns + learn_ns;
	print_pass("cold", &cold, nstacks, depth);
	printf("symrate: cold includes reading /proc/kallsyms %.1f ms, learning the process (maps, "
	       "ELF files) %.1f ms\n",
	       kall_ns / 1e6, learn_ns / 1e6);
	for (int r = 0; r < rounds; r++) {
		run_pass(s, pid, addrs, nstacks, depth, kframes, &warm);
		if (!r || warm.ns < best.ns)
			best = warm;
	}
	print_pass("warm", &best, nstacks, depth);
	/* what a tool pays to call ks_syms_learn on every sample of a known process */
	t0 = bench_mono_ns();
	for (int i = 0; i < 10000; i++)
		ks_syms_learn(s, pid);
	printf("symrate: ks_syms_learn of the known, unchanged process: %.2f us per call\n",
	       (bench_mono_ns() - t0) / 1e3 / 10000);
	ks_syms_free(s);
	if (child) {
		close(in[1]);
		waitpid(child, NULL, 0);
	}
	free(addrs);
	free(kaddrs);
	return 0;
}
