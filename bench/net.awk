# SPDX-License-Identifier: GPL-2.0-only
# Turns bench/net.sh's raw.txt (one key=value line per trial) into the network table.
#   awk -v info="$(cat info.txt)" -v tracers=tracers.txt -f bench/stats.awk \
#       -f bench/net.awk raw.txt

{
	ph = val($0, "phase"); id = val($0, "tracer")
	if (ph == "noloss-json") {
		chk[id] = $0
		next
	}
	if (failed($0, id, why)) {
		if (ph == "noloss")
			nl[id] = $0
		next
	}
	if (ph == "startup")
		su[id] = su[id] " " val($0, "startup_ms")
	if (ph ~ /^overhead-/) {
		side = substr(ph, 10)
		n = side == "udp" ? val(info, "nudp") : val(info, "nconn")
		seq[side]++
		k = seq[side]
		sid[side, k] = id
		sns[side, k] = val($0, "ns_per_op")
		if (id == "base") rate[side] = rate[side] " " 1e9 / val($0, "ns_per_op")
		if (val($0, "bpf_ns") != "")
			cpu[id] = cpu[id] " " (val($0, "bpf_ns") + val($0, "loop_cpu_ms") * 1e6) / n
		if (val($0, "maxrss_kb") != "") rss[id] = rss[id] " " val($0, "maxrss_kb")
		if (val($0, "events") != "") ev[id] = ev[id] " " val($0, "events")
		if (val($0, "lost") != "") ls[id] = ls[id] " " val($0, "lost")
	}
	if (ph == "noloss")
		nl[id] = $0
}

END {
	while ((getline line < tracers) > 0) {
		split(line, f, "|")
		nt++
		tid[nt] = f[1]; tside[f[1]] = f[2]; lab[f[1]] = f[3]
		if (f[4] == "skip")
			why[f[1]] = "skipped: " f[5]
	}
	for (s in seq) {
		delete ids; delete vs; delete out
		for (i = 1; i <= seq[s]; i++) { ids[i] = sid[s, i]; vs[i] = sns[s, i] }
		against_baseline(seq[s], ids, vs, out)
		for (x in out) added[x] = out[x]
		base[s] = out["base"]
	}
	fd = cpu["nfd"] != "" ? minof(cpu["nfd"]) : 0
	fs = cpu["nfs"] != "" ? minof(cpu["nfs"]) : 0

	printf "\nworkloads (bench/netloop, in a network namespace of its own, pinned to CPU %s):\n",
		val(info, "cpu")
	printf "  udp:  %d datagrams per run to a closed port of 127.0.0.1, each dropped (NO_SOCKET);\n",
		val(info, "nudp")
	printf "        baseline %.0f ns per datagram (%.0f/s)\n", median(base["udp"]), median(rate["udp"])
	printf "  conn: %d TCP connections per run on 127.0.0.1, one after another: connect, accept,\n",
		val(info, "nconn")
	printf "        8 bytes each way, close; baseline %.0f ns per connection (%.0f/s)\n",
		median(base["conn"]), median(rate["conn"])
	printf "cpu/op: CPU ns per datagram or connection the tracer costs: its BPF programs' run time\n"
	printf "  (BPF statistics) plus its own process's CPU time while the workload ran, over the\n"
	printf "  operations; the least of the runs (other work only adds to it), and the median.\n"
	printf "x floor: cpu/op over the floor of the same workload. ns/op+: added elapsed ns per\n"
	printf "  operation against the baseline runs around it, median; noisy on a shared machine.\n\n"
	fmt = "%-5s %-58s %7s %7s %7s %8s %8s %6s %9s %6s\n"
	printf fmt, "load", "tracer", "cpu/op", "median", "x floor", "ns/op+", "start ms", "RSS MB",
		"events", "lost"
	hr = sprintf("%129s", "")
	gsub(/ /, "-", hr)
	print hr
	for (i = 1; i <= nt; i++) {
		id = tid[i]
		fl = tside[id] == "udp" ? fd : fs
		if (cpu[id] == "") {
			printf "%-5s %-58s %s\n", tside[id], lab[id], (id in why) ? why[id] : "failed: no result"
			continue
		}
		cv = minof(cpu[id])
		printf fmt, tside[id], lab[id], sprintf("%.0f", cv), sprintf("%.0f", median(cpu[id])),
			(fl > 0 ? sprintf("%.2f", cv / fl) : "-"),
			added[id] != "" ? sprintf("%+.0f", median(added[id])) : "-",
			su[id] != "" ? sprintf("%.1f", median(su[id])) : "-",
			rss[id] != "" ? sprintf("%.1f", maxof(rss[id]) / 1024) : "-",
			ev[id] != "" ? sprintf("%d", median(ev[id])) : "-",
			ls[id] != "" ? sprintf("%d", maxof(ls[id])) : "-"
	}
	printf "\nevents, lost: what the tracer reports at exit, system-wide (median, largest).\n"

	printf "\ntargets (reported, not asserted):\n"
	target("ks-sd", "kscope skbdrop --count", fd, "the drop floor", 1.5)
	target("ks-tl", "kscope tcplife", fs, "the streaming floor", 2)
	target("ks-tc", "kscope tcpconnect", fs, "the streaming floor", 2)
	if (cpu["ks-ts"] != "" && fs > 0)
		printf "  kscope tcpstates (an event per state change, 10 per connection): %.2f x the streaming floor\n",
			minof(cpu["ks-ts"]) / fs
	if (cpu["lt-tl"] != "" && cpu["ks-tl"] != "")
		printf "  kscope tcplife against libbpf-tools tcplife: %.2f x\n",
			minof(cpu["ks-tl"]) / minof(cpu["lt-tl"])

	printf "\nlost-event checks (--json --netns of the workload, default buffers, %d connections\n",
		val(info, "nconn")
	printf "  at %.0f/s):\n", median(rate["conn"])
	nchk = fails = 0
	check("ks-tl", "kscope tcplife", 2 * val(info, "nconn"), "two per connection: both ends")
	check("ks-tc", "kscope tcpconnect", val(info, "nconn"), "one per connection")
	if (nchk)
		printf "  checks: %d passed, %d failed\n", nchk - fails, fails
}

function check(id, name, want, what,   l, rec, e, x, ok) {
	if (!(id in nl)) {
		printf "  not run: %s: %s\n", name, ((id in why) ? why[id] : "no result")
		return
	}
	nchk++
	if (val(nl[id], "status") != "ok") {
		fails++
		printf "  FAIL %s: %s\n", name, why[id]
		return
	}
	l = chk[id]
	rec = val(l, "records"); e = val(l, "events"); x = val(l, "lost")
	ok = (rec == want && e == want && x == "0")
	fails += !ok
	printf "  %-4s %s: %s records, summary events=%s lost=%s (want %d, %s; lost 0)\n",
		ok ? "PASS" : "FAIL", name, rec, e == "" ? "?" : e, x == "" ? "?" : x, want, what
}
