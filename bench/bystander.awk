# SPDX-License-Identifier: GPL-2.0-only
# Turns bench/bystander.sh's raw.txt into its table: per tracer, the ns it adds to an untraced
# getppid call and to a traced openat+close, grouped by job.
#   awk -v info="$(cat info.txt)" -v tracers=tracers.txt -f bench/stats.awk -f bench/bystander.awk raw.txt

{
	ph = val($0, "phase"); id = val($0, "tracer")
	if (failed($0, id, why))
		next
	if (ph == "getppid") { ng++; gid[ng] = id; gv[ng] = val($0, "p10_ns_per_op") }
	if (ph == "openat") { no++; oid[no] = id; ov[no] = val($0, "p10_ns_per_op") }
}

function info_val(key,   s) {
	s = " " info " "
	if (!match(s, " " key "=[^ ]*"))
		return ""
	return substr(s, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
}

function cell(list) { return list == "" ? "-" : sprintf("%+.0f", median(list)) }
function span(list) { return list == "" ? "" : sprintf("%.0f..%.0f", minof(list), maxof(list)) }

END {
	while ((getline line < tracers) > 0) {
		split(line, f, "|")
		nt++
		tid[nt] = f[1]; lab[f[1]] = f[2]; job[f[1]] = f[3]; hk[f[1]] = f[4]
		if (f[5] == "skip")
			why[f[1]] = "skipped: " f[6]
	}
	against_baseline(ng, gid, gv, g)
	against_baseline(no, oid, ov, o)
	# What the untraced getppid loop varies by from run to run (twice the median absolute
	# deviation, which one disturbed run does not sway): below that, nothing is measured.
	k = split(g["base"], b, " ")
	dev = ""
	for (i = 1; i <= k; i++)
		dev = dev " " (b[i] > median(g["base"]) ? b[i] - median(g["base"]) : median(g["base"]) - b[i])
	noise = 2 * median(dev)

	printf "\nbystander cost, kernel %s, workload pinned to CPU %s, %s rounds\n",
		info_val("kernel"), info_val("cpu"), info_val("runs")
	printf "untraced: getppid %.0f ns per call (%s calls a run), openat+close %.0f ns per iteration",
		median(g["base"]), info_val("gn"), median(o["base"])
	printf " (%s a run)\n", info_val("on")
	printf "getppid+: ns a system-wide tracer adds to each getppid call, which none of them traces\n"
	printf "  but syscount (which counts every syscall by design); openat+close+: ns added to an\n"
	printf "  openat+close iteration, traced by the open tools and syscount, untraced by the others.\n"
	printf "  Both: the median over the rounds of (run - mean of the untraced runs just before and\n"
	printf "  after it), from each run's 10th-percentile 1000-call chunk (the cost in the syscall\n"
	printf "  path); range: the smallest and largest of those.\n\n"
	fmt = "%-44s %9s %11s %14s %13s  %s\n"
	printf fmt, "tracer", "getppid+", "range", "openat+close+", "range", "hooks"
	hr = sprintf("%130s", "")
	gsub(/ /, "-", hr)
	print hr
	njobs = split("open exec kill signal all", jobs, " ")
	for (k = 1; k <= njobs; k++) {
		best = ""; mine = ""
		for (i = 1; i <= nt; i++) {
			id = tid[i]
			if (job[id] != jobs[k])
				continue
			if (g[id] == "") {
				printf "%-44s %s\n", lab[id], (id in why) ? why[id] : "failed: no result"
				continue
			}
			printf fmt, lab[id], cell(g[id]), span(g[id]), cell(o[id]), span(o[id]), hk[id]
			if (id ~ /^ks-/)
				mine = median(g[id])
			else if (id !~ /^(lt|bt)-/)
				continue # a reference, not a peer
			else if (best == "" || median(g[id]) < best)
				best = median(g[id])
		}
		if (mine == "" || best == "")
			continue
		# whole ns, as printed
		mine = sprintf("%.0f", mine) + 0
		best = sprintf("%.0f", best) + 0
		if (mine <= best)
			v = "kscope adds no more"
		else if (mine - best <= noise)
			v = sprintf("within the untraced runs' spread (%.0f ns): no measurable difference",
				noise)
		else
			v = "kscope adds MORE"
		verdict[jobs[k]] = sprintf("%s: kscope %+.0f ns, best peer %+.0f ns: %s", jobs[k], mine,
			best, v)
	}
	printf "\ntarget: no kscope tool adds more to an untraced syscall than the peer tool for the\n"
	printf "same job:\n"
	for (k = 1; k <= njobs; k++)
		if (jobs[k] in verdict)
			printf "  %s\n", verdict[jobs[k]]
}
