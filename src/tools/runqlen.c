// SPDX-License-Identifier: GPL-2.0-only
/* runqlen: how many tasks wait on each CPU's run queue, sampled, as linear histograms. */
#include <string.h>

#include <bpf/libbpf.h>

#include "core/clock.h"
#include "core/hist.h"
#include "core/maps.h"
#include "core/perf.h"
#include "core/tool.h"
#include "skel/runqlen.skel.h"
#include "tools/runqlen.h"

struct runqlen {
	bool per_cpu, occupancy;
	long long hz;
};

static const struct ks_opt opts[] = {
	KS_FLAG(struct runqlen, per_cpu, "cpus", 'C', "one histogram per CPU"),
	KS_FLAG(struct runqlen, occupancy, "occupancy", 'O',
		"print how often the run queue was not empty"),
	KS_INT(struct runqlen, hz, "frequency", 'F', "HZ",
	       "samples per second on each CPU (default 99)", 1, 10000),
	KS_REFUSE('f', "is libbpf-tools runqlen's frequency; kscope takes -F HZ"),
	KS_REFUSE('Q', "is BCC's per-run-queue report; kscope runqlen -C reports per CPU, one "
		       "run queue each"),
	{ 0 },
};

static void print_one(struct ks_ctx *c, int cpu, const struct runqlen_hist *h)
{
	const struct runqlen *st = c->state;
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
	if (st->occupancy)
		fprintf(c->out, "runqocc: %6.2f%%  (%llu of %llu samples with tasks waiting)\n",
			total ? 100.0 * queued / total : 0.0, queued, total);
	else
		ks_hist_print_linear(c->out, h->slots, RUNQLEN_SLOTS, 0, 1, "runqlen");
}

static int on_tick(struct ks_ctx *c, bool last)
{
	const struct runqlen *st = c->state;
	struct runqlen_bpf *skel = c->skel;
	struct runqlen_hist sum = {};
	struct ks_map_dump d;
	/* An array indexed by CPU; in interval mode each report starts from zero. */
	int n = ks_map_dump(bpf_map__fd(skel->maps.hists), c->opt.interval > 0 ? KS_MAP_RESET : 0,
			    &d);

	if (n >= 0 && d.cpu_value != sizeof(struct runqlen_hist))
		n = -EINVAL;
	if (n < 0) {
		ks_map_dump_free(&d);
		return n;
	}
	if (c->opt.json) {
		ks_json_obj_begin(&c->json, NULL);
		ks_json_str(&c->json, "type", "runqlen");
		ks_json_uint(&c->json, "time_ns", ks_now_realtime());
		ks_json_arr_begin(&c->json, st->per_cpu ? "cpus" : "all");
	} else if (c->opt.interval > 0 || c->opt.timestamp) {
		ks_print_report_time(c->out);
	}
	for (size_t i = 0; i < d.n; i++) {
		const struct runqlen_hist *h = ks_map_dump_value(&d, i, 0);
		unsigned int cpu;
		bool any = false;

		memcpy(&cpu, ks_map_dump_key(&d, i), sizeof(cpu));
		for (int s = 0; s < RUNQLEN_SLOTS; s++) {
			sum.slots[s] += h->slots[s];
			any |= h->slots[s] != 0;
		}
		if (st->per_cpu && any)
			print_one(c, (int)cpu, h);
	}
	ks_map_dump_free(&d);
	if (!st->per_cpu)
		print_one(c, -1, &sum);
	if (c->opt.json) {
		ks_json_arr_end(&c->json);
		ks_json_obj_end(&c->json);
	} else if (c->opt.interval > 0 && !last) {
		fputc('\n', c->out);
	}
	return 0;
}

static int prepare(struct ks_ctx *c)
{
	const struct runqlen *st = c->state;

	c->sample_hz = (unsigned long long)st->hz;
	c->sample_want = KS_SAMPLE_CPU_CLOCK; /* a timer: cycles would sample busy CPUs more */
	return 0;
}

static int configure(struct ks_ctx *c)
{
	struct runqlen_bpf *skel = c->skel;
	int ncpu = libbpf_num_possible_cpus();

	return ncpu > 0 ? bpf_map__set_max_entries(skel->maps.hists, (unsigned int)ncpu) : ncpu;
}

KSCOPE_BPF_TOOL(
	runqlen, .summary = "sample run-queue length per CPU: how many tasks wait for a CPU",
	.usage = "[interval [count]]",
	.help = "Samples every CPU HZ times a second with the cpu-clock timer and counts how\n"
		"many tasks were waiting on its run queue (the running task not counted).\n"
		"Whole-CPU figures: the process filters do not apply.\n\n"
		"examples:\n"
		"  kscope runqlen -d 10          one histogram for all CPUs\n"
		"  kscope runqlen -C 1 5         per CPU, every second, 5 times\n"
		"  kscope runqlen -O             occupancy: share of samples with a queue",
	.opts = opts, KS_STATE(struct runqlen, .hz = 99),
	.flags = KS_TOOL_BPF | KS_TOOL_INTERVAL | KS_TOOL_STREAM, .prepare = prepare,
	.configure = configure, .loop = { .on_tick = on_tick });
