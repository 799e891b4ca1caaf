# SPDX-License-Identifier: GPL-2.0-only
# Turns bench/bio.sh's raw.txt (one key=value line per trial) into the disk-IO table.
#   awk -v n=N -v info="$(cat info.txt)" -v tracers=tracers.txt -f bench/stats.awk \
#       -f bench/bio.awk raw.txt

{
	ph = val($0, "phase"); id = val($0, "tracer")
	if (ph == "noloss-json" || ph == "noloss-text") {
		chk[ph "-" id] = $0
		next
	}
	if (failed($0, id, why)) {
		if (ph == "noloss")
			chk["noloss-" id] = $0
		next
	}
	if (ph == "startup")
		su[id] = su[id] " " val($0, "startup_ms")
	if (ph == "overhead") {
		seq++
		sid[seq] = id
		sns[seq] = val($0, "ns_per_op")
		sp10[seq] = val($0, "p10_ns_per_op")
		if (id == "base") iops = iops " " val($0, "iops")
		if (val($0, "bpf_ns") != "")
			cpu[id] = cpu[id] " " (val($0, "bpf_ns") + val($0, "loop_cpu_ms") * 1e6) / n
		if (val($0, "bpf_ns") != "") bpfo[id] = bpfo[id] " " val($0, "bpf_ns") / n
		if (val($0, "maxrss_kb") != "") rss[id] = rss[id] " " val($0, "maxrss_kb")
		if (val($0, "events") != "") ev[id] = ev[id] " " val($0, "events")
		if (val($0, "lost") != "") ls[id] = ls[id] " " val($0, "lost")
		if (val($0, "bpf_missed") != "") ms[id] = ms[id] " " val($0, "bpf_missed")
	}
	if (ph == "noloss")
		chk["noloss-" id] = $0
}

END {
	while ((getline line < tracers) > 0) {
		split(line, f, "|")
		nt++
		tid[nt] = f[1]; lab[f[1]] = f[2]; mk[f[1]] = f[3]
		if (f[3] == "skip")
			why[f[1]] = "skipped: " f[4]
	}

	against_baseline(seq, sid, sns, ns)
	against_baseline(seq, sid, sp10, p10)
	# The least CPU time of the runs: other work only ever adds to it (a vCPU taken away
	# by the host in the middle of a program, caches shared), it never makes a run cheaper.
	fh = cpu["bfh"] != "" ? minof(cpu["bfh"]) : 0
	fs = cpu["bfs"] != "" ? minof(cpu["bfs"]) : 0

	printf "\nworkload: %d random 4 KiB O_DIRECT reads per run from %s (a loop device on a\n",
		n, val(info, "dev")
	printf "  %s MiB file in /dev/shm, scheduler %s, nomerges %s), io_uring depth %s, submitter\n",
		val(info, "mb"), val(info, "scheduler"), val(info, "nomerges"), val(info, "depth")
	printf "  pinned to CPU %s\n", val(info, "cpu")
	printf "baseline: %.0f ns/IO elapsed (%.0f IOPS), %.0f steady; medians of %d runs (elapsed %.0f..%.0f)\n",
		median(ns["base"]), median(iops), median(p10["base"]), split(ns["base"], tmp, " "),
		minof(ns["base"]), maxof(ns["base"])
	printf "cpu/IO: CPU ns per IO the tracer costs: its BPF programs' run time (BPF statistics)\n"
	printf "  plus its own process's CPU time while the workload ran, over the reads; an io_uring\n"
	printf "  tool's per request (each read is one). The least of the runs (other work only adds\n"
	printf "  to it); median: the median of the runs. Leaves out the hook's own dispatch (the same\n"
	printf "  for every tp_btf program).\n"
	printf "x hist, x strm: cpu/IO over the histogram floor's and the streaming floor's.\n"
	printf "ns/IO+, steady+: added elapsed ns per IO against the baseline runs just before and\n"
	printf "  after, median of the runs, and the same from the 10th-percentile 1000-read chunk: the\n"
	printf "  throughput lost; far noisier than cpu/IO when other work shares the CPUs.\n\n"
	fmt = "%-56s %7s %7s %6s %6s %7s %7s %8s %6s %9s %7s\n"
	printf fmt, "tracer", "cpu/IO", "median", "x hist", "x strm", "ns/IO+", "steady+", "start ms",
		"RSS MB", "events", "lost"
	hr = sprintf("%141s", "")
	gsub(/ /, "-", hr)
	print hr
	for (i = 1; i <= nt; i++) {
		id = tid[i]
		if (ns[id] == "") {
			printf "%-56s %s\n", lab[id], (id in why) ? why[id] : "failed: no result"
			continue
		}
		c = cm = xh = xs = st = mb = evs = lss = sty = "-"
		if (cpu[id] != "") {
			cv = minof(cpu[id])
			c = sprintf("%.0f", cv)
			cm = sprintf("%.0f", median(cpu[id]))
			if (fh > 0) xh = sprintf("%.2f", cv / fh)
			if (fs > 0) xs = sprintf("%.2f", cv / fs)
		}
		if (p10[id] != "") sty = sprintf("%+.0f", median(p10[id]))
		if (su[id] != "") st = sprintf("%.1f", median(su[id]))
		if (rss[id] != "") mb = sprintf("%.1f", maxof(rss[id]) / 1024)
		if (ev[id] != "") evs = sprintf("%d", median(ev[id]))
		if (ls[id] != "") lss = sprintf("%d", maxof(ls[id]))
		printf fmt, lab[id], c, cm, xh, xs, sprintf("%+.0f", median(ns[id])), sty, st, mb, evs,
			lss
		if (maxof(ms[id]) > 0)
			skipped = skipped sprintf("  %s: up to %d program runs skipped by the kernel (recursion)\n",
				lab[id], maxof(ms[id]))
	}
	if (skipped != "")
		printf "\n%s", skipped

	printf "\nstart ms: exec to attached, one run without the workload. RSS MB: peak RSS of the\n"
	printf "  tracer, the largest over the runs. events, lost: what the tracer reports at exit,\n"
	printf "  system-wide (other devices' IOs included), median events and largest lost over the\n"
	printf "  runs; \"-\": the tool does not say.\n"
	printf "  kscope biosnoop and libbpf-tools biosnoop write their output to a file.\n"

	printf "\ntargets (reported, not asserted):\n"
	target("ks-bl", "kscope biolatency", fh, "the histogram floor", 1.3)
	target("ks-bs", "kscope biosnoop", fs, "the streaming floor", 2)
	if (cpu["ks-ul"] != "")
		printf "  kscope uringlat: %.0f ns per io_uring request\n", minof(cpu["ks-ul"])
	else
		printf "  kscope uringlat: %s\n", (("ks-ul" in why) ? why["ks-ul"] : "no result")
	if (cpu["lt-bl"] != "" && cpu["ks-bl"] != "")
		printf "  kscope biolatency against libbpf-tools biolatency: %.2f x\n",
			minof(cpu["ks-bl"]) / minof(cpu["lt-bl"])

	printf "\nlost-event checks (biosnoop -d %s, default buffers, at the rate above):\n",
		val(info, "dev")
	nchk = fails = 0
	if (chk["noloss-ks-bs"] != "") {
		l = chk["noloss-ks-bs"]
		j = chk["noloss-json-ks-bs"]
		if (val(l, "status") != "ok") {
			nchk++; fails++
			printf "  FAIL kscope biosnoop --json: %s\n", why["ks-bs"]
		} else {
			rec = val(j, "records"); e = val(j, "events"); x = val(j, "lost")
			m = val(j, "missed")
			# every read reported, or counted as missed (a completion the kernel did not
			# run the program for, which biosnoop finds out and counts); none lost
			ok = (rec == e && rec + m == n && x == "0")
			nchk++; fails += !ok
			printf "  %-4s kscope biosnoop --json: %s records of %s, summary events=%s lost=%s missed=%s",
				ok ? "PASS" : "FAIL", rec, val(info, "dev"), e == "" ? "?" : e,
				x == "" ? "?" : x, m == "" ? "?" : m
			printf " (want records = events, records + missed = %d, lost 0)\n", n
		}
	} else {
		printf "  not run: kscope biosnoop: %s\n", (("ks-bs" in why) ? why["ks-bs"] : "no result")
	}
	if (chk["noloss-lt-bs"] != "") {
		l = chk["noloss-lt-bs"]
		rec = val(chk["noloss-text-lt-bs"], "records"); x = val(l, "lost")
		printf "  %-4s libbpf-tools biosnoop: %s lines of %s, lost=%s (want %d, 0)\n",
			(rec == n && x + 0 == 0) ? "ok" : "LOSS", rec, val(info, "dev"), x == "" ? 0 : x, n
	} else {
		printf "  not run: libbpf-tools biosnoop: %s\n", (("lt-bs" in why) ? why["lt-bs"] : "no result")
	}
	if (nchk)
		printf "  checks: %d passed, %d failed\n", nchk - fails, fails
}
