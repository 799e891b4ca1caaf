# SPDX-License-Identifier: GPL-2.0-only
# Turns bench/run.sh's raw.txt (one key=value line per trial) into the results table.
#   awk -v n=N -v stop_ms=MS -v tracers=tracers.txt -f bench/stats.awk -f bench/table.awk raw.txt

{
	ph = val($0, "phase"); id = val($0, "tracer")
	if (failed($0, id, why))
		next
	if (ph == "startup") {
		su[id] = su[id] " " val($0, "startup_ms")
		if (val($0, "stop_ms") != "") sd[id] = sd[id] " " val($0, "stop_ms")
	}
	if (ph == "overhead") {
		seq++
		sid[seq] = id
		sns[seq] = val($0, "ns_per_op")
		sp10[seq] = val($0, "p10_ns_per_op")
		if (val($0, "maxrss_kb") != "") rss[id] = rss[id] " " val($0, "maxrss_kb")
		if (val($0, "events") != "") ev[id] = ev[id] " " val($0, "events")
		if (val($0, "lost") != "") ls[id] = ls[id] " " val($0, "lost")
	}
	if (ph == "noloss" || ph == "forcedloss")
		chk[ph "-" id] = $0
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
	base = median(ns["base"])
	floorc = p10["count"] != "" ? median(p10["count"]) : 0
	floors = p10["stream"] != "" ? median(p10["stream"]) : 0

	printf "\nworkload: %d x (openat+close) of one path, pinned to one CPU\n", n
	printf "baseline: %.0f ns/op elapsed, %.0f steady; medians of %d runs (elapsed %.0f..%.0f)\n",
		base, median(p10["base"]), split(ns["base"], tmp, " "), minof(ns["base"]), maxof(ns["base"])
	printf "ns/op+: added ns per openat+close, the median over the runs of (tracer run - mean of the\n"
	printf "  baseline runs just before and after it), from the workload's elapsed time; range: the\n"
	printf "  smallest and largest of those.\n"
	printf "steady+: the same from each run's 10th-percentile 1000-call chunk: the cost in the\n"
	printf "  syscall path without preemptions and host noise, but also without costs that come in\n"
	printf "  bursts (a reader woken on the workload's CPU).\n"
	printf "x count, x strm: steady+ over the counting floor's and the batched streaming floor's\n"
	printf "  steady+ of this run.\n\n"
	fmt = "%-46s %7s %13s %7s %7s %7s %8s %7s %6s %9s %7s\n"
	printf fmt, "tracer", "ns/op+", "range", "steady+", "x count", "x strm", "start ms", "stop ms",
		"RSS MB", "events", "lost"
	hr = sprintf("%132s", "")
	gsub(/ /, "-", hr)
	print hr
	for (i = 1; i <= nt; i++) {
		id = tid[i]
		if (ns[id] == "") {
			printf "%-46s %s\n", lab[id], (id in why) ? why[id] : "failed: no result"
			continue
		}
		add = median(ns[id])
		xc = xs = st = sp = mb = evs = lss = sty = "-"
		if (p10[id] != "") {
			steady = median(p10[id])
			sty = sprintf("%+.0f", steady)
			if (floorc > 0) xc = sprintf("%.2f", steady / floorc)
			if (floors > 0) xs = sprintf("%.2f", steady / floors)
		}
		if (su[id] != "") st = sprintf("%.1f", median(su[id]))
		if (sd[id] != "") sp = sprintf("%.0f", median(sd[id]))
		if (rss[id] != "") mb = sprintf("%.1f", maxof(rss[id]) / 1024)
		if (ev[id] != "") evs = sprintf("%d", median(ev[id]))
		if (ls[id] != "") lss = sprintf("%d", maxof(ls[id]))
		printf fmt, lab[id], sprintf("%+.0f", add),
			sprintf("%.0f..%.0f", minof(ns[id]), maxof(ns[id])), sty, xc, xs, st, sp, mb, evs,
			lss
	}

	printf "\nstart ms: median time from exec to attached, in runs without the workload.\n"
	printf "stop ms: median time from SIGINT to exit in the same runs: final output and detaching\n"
	printf "  (a tracepoint's perf event waits for RCU grace periods when it is closed).\n"
	printf "Attached means:\n"
	for (i = 1; i <= nt; i++) {
		id = tid[i]
		if (mk[id] == "skip" || ns[id] == "")
			continue
		if (mk[id] ~ /^err:/)
			printf "  %-44s stderr: \"%s\"\n", lab[id], substr(mk[id], 5)
		else
			printf "  %-44s stdout (a pty): \"%s\"\n", lab[id], substr(mk[id], 5)
	}
	printf "  (under the workload, stdout is /dev/null: for the stdout ones the workload starts\n"
	printf "  after twice their slowest start-up + 0.3 s)\n"
	printf "RSS MB: peak RSS (ru_maxrss) of the tracer process, the largest over the runs.\n"
	printf "events, lost: what the tracer reports at exit, system-wide (events include other\n"
	printf "processes): median events, largest lost over the runs; \"-\": the tool does not say.\n"

	printf "\nlost-event checks (kscope opensnoop -p WORKLOAD, default buffers):\n"
	nchk = fails = 0
	if (chk["noloss-ks-os"] != "") {
		l = chk["noloss-ks-os"]; e = val(l, "events"); x = val(l, "lost")
		ok = (e == n && x == 0)
		nchk++; fails += !ok
		printf "  %-4s burst:       events=%s lost=%s (want events == %d, lost == 0)\n",
			ok ? "PASS" : "FAIL", e, x, n
	}
	if (chk["forcedloss-ks-os"] != "") {
		l = chk["forcedloss-ks-os"]; e = val(l, "events"); x = val(l, "lost")
		ok = (e + x == n)
		nchk++; fails += !ok
		printf "  %-4s forced loss: events=%s lost=%s, sum %d (want sum == %d; tracer stopped",
			ok ? "PASS" : "FAIL", e, x, e + x, n
		printf " %d ms)\n", stop_ms
		if (x == 0)
			printf "       (nothing was lost: the ring held the whole burst; raise BENCH_N)\n"
	}
	if (nchk)
		printf "  checks: %d passed, %d failed\n", nchk - fails, fails
	else
		printf "  not run: kscope opensnoop is not available (%s)\n", why["ks-os"]
}
