// SPDX-License-Identifier: GPL-2.0-only
/* runqlen: how many tasks wait on each CPU's run queue, sampled, as linear histograms. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/hist.h"
#include "core/perf.h"
#include "core/tool.h"
#include "skel/runqlen.skel.h"
#include "tools/runqlen.h"

static bool per_cpu, occupancy;
static long long hz = 99;
static struct runqlen_bpf *skel;
static int ncpu;

static const struct ks_opt opts[] = {
	{ "cpus", 'C', KS_OPT_FLAG, NULL, "one histogram per CPU", &per_cpu },
	{ "occupancy", 'O', KS_OPT_FLAG, NULL, "print how often the run queue was not empty",
	  &occupancy },
	{ "frequency", 'F', KS_OPT_INT, "HZ", "samples per second on each CPU (default 99)", &hz, 1,
	  10000 },
	{ 0 },
};

static void print_one(struct ks_ctx *c, int cpu, const struct runqlen_hist *h)
{
	unsigned long long total = 0, queued = 0;

	for (int i = 0; i < RUNQLEN_SLOTS; i++)
		total += h->slots[i];
	queued = total - h->slots[0];
	if (c->opt.json) {
		struct ks_json *j = &c->json;

		ks_json_obj_begin(j, NULL);
		if (cpu >= 0)
			ks_json_int(j, "cpu", cpu);
		ks_json_uint(j, "samples", total);
		ks_json_uint(j, "samples_queued", queued);
		ks_hist_json_linear(j, "hist", h->slots, RUNQLEN_SLOTS, 0, 1, "tasks");
		ks_json_obj_end(j);
		return;
	}
	if (cpu >= 0)
		fprintf(c->out, "\ncpu = %d\n", cpu);
	if (occupancy)
		fprintf(c->out, "runqocc: %6.2f%%  (%llu of %llu samples with tasks waiting)\n",
			total ? 100.0 * queued / total : 0.0, queued, total);
	else
		ks_hist_print_linear(c->out, h->slots, RUNQLEN_SLOTS, 0, 1, "runqlen");
}

static int on_tick(struct ks_ctx *c, bool last)
{
	int fd = bpf_map__fd(skel->maps.hists);
	struct runqlen_hist sum = {}, h, zero = {};

	if (c->opt.json) {
		ks_json_obj_begin(&c->json, NULL);
		ks_json_str(&c->json, "type", "runqlen");
		ks_json_uint(&c->json, "time_ns", ks_now_realtime());
		ks_json_arr_begin(&c->json, per_cpu ? "cpus" : "all");
	} else if (c->opt.interval > 0 || c->opt.timestamp) {
		ks_print_report_time(c->out);
	}
	for (int cpu = 0; cpu < ncpu; cpu++) {
		unsigned int key = (unsigned int)cpu;
		bool any = false;

		if (bpf_map_lookup_elem(fd, &key, &h))
			continue;
		for (int i = 0; i < RUNQLEN_SLOTS; i++) {
			sum.slots[i] += h.slots[i];
			any |= h.slots[i] != 0;
		}
		if (per_cpu && any)
			print_one(c, cpu, &h);
		if (c->opt.interval > 0 && any)
			bpf_map_update_elem(fd, &key, &zero, BPF_ANY);
	}
	if (!per_cpu)
		print_one(c, -1, &sum);
	if (c->opt.json) {
		ks_json_arr_end(&c->json);
		ks_json_obj_end(&c->json);
	} else if (c->opt.interval > 0 && !last) {
		fputc('\n', c->out);
	}
	return 0;
}

static void configure(struct runqlen_bpf *s)
{
	skel = s;
	bpf_map__set_max_entries(s->maps.hists, (unsigned int)ncpu);
}

static int run(struct ks_ctx *c)
{
	static const struct ks_loop loop = { .on_tick = on_tick };

	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return KS_EXIT_FAIL;
	c->sample_hz = (unsigned long long)hz;
	c->sample_want = KS_SAMPLE_CPU_CLOCK; /* a timer: cycles would sample busy CPUs more */
	return KS_RUN_SKEL(c, runqlen, configure, &loop);
}

KSCOPE_TOOL(runqlen, .bpf_elf = runqlen_bpf__elf_bytes,
	    .summary = "sample run-queue length per CPU: how many tasks wait for a CPU",
	    .usage = "[interval [count]]",
	    .help = "Samples every CPU HZ times a second with the cpu-clock timer and counts how\n"
		    "many tasks were waiting on its run queue (the running task not counted).\n"
		    "Whole-CPU figures: the process filters do not apply.\n\n"
		    "examples:\n"
		    "  kscope runqlen -d 10          one histogram for all CPUs\n"
		    "  kscope runqlen -C 1 5         per CPU, every second, 5 times\n"
		    "  kscope runqlen -O             occupancy: share of samples with a queue",
	    .opts = opts, .flags = KS_TOOL_BPF | KS_TOOL_INTERVAL, .run = run);
