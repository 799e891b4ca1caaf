# SPDX-License-Identifier: GPL-2.0-only
# Functions the benchmarks' tables share (awk -f bench/stats.awk -f TABLE.awk): key=value
# fields of a raw.txt line, medians, and tracer runs against their neighbouring baselines.

function val(line, key,   i, k, a) {
	k = split(line, a, " ")
	for (i = 1; i <= k; i++)
		if (index(a[i], key "=") == 1)
			return substr(a[i], length(key) + 2)
	return ""
}

function sorted(list, a,   k, i, j, t) {
	k = split(list, a, " ")
	for (i = 2; i <= k; i++) {
		t = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
	return k
}

function median(list,   a, k) {
	k = sorted(list, a)
	if (k == 0)
		return ""
	return k % 2 ? a[(k + 1) / 2] + 0 : (a[k / 2] + a[k / 2 + 1]) / 2
}

function minof(list,   a) { return sorted(list, a) ? a[1] + 0 : "" }
function maxof(list,   a, k) { k = sorted(list, a); return k ? a[k] + 0 : "" }

# A raw.txt line whose trial did not come out "status=ok": the first reason for tracer @id
# goes to why[id]. True for such a line.
function failed(line, id, why,   r) {
	if (val(line, "status") == "ok")
		return 0
	if (!(id in why)) {
		r = line
		sub(/.*reason="/, "", r)
		sub(/".*/, "", r)
		why[id] = "failed: " r
	}
	return 1
}

# Runs 1..n in order: id[i] the tracer ("base": no tracer) and v[i] the value measured.
# out[ID] gets, for each run of ID, its value minus the mean of the nearest baseline runs
# before and after it (the machine drifts over minutes, less between neighbours), as a
# space-separated list; out["base"] the baseline values themselves. Runs with an empty value
# are left out.
function against_baseline(n, id, v, out,   i, j, pb, nb) {
	for (i = 1; i <= n; i++) {
		if (v[i] == "")
			continue
		if (id[i] == "base") {
			out["base"] = out["base"] " " v[i]
			continue
		}
		pb = nb = ""
		for (j = i - 1; j >= 1; j--) if (id[j] == "base" && v[j] != "") { pb = j; break }
		for (j = i + 1; j <= n; j++) if (id[j] == "base" && v[j] != "") { nb = j; break }
		if (pb == "" && nb == "")
			continue
		if (pb == "") pb = nb
		if (nb == "") nb = pb
		out[id[i]] = out[id[i]] " " (v[i] - (v[pb] + v[nb]) / 2)
	}
}

# One target line: tracer @id's lowest cost per operation (cpu[id], its runs' costs) against
# @floor, named @fname, met when within @want times; or why @id has no result (why[id]).
function target(id, name, floor, fname, want,   r) {
	if (cpu[id] == "" || floor <= 0) {
		printf "  %s: %s\n", name, ((id in why) ? why[id] : "no result")
		return
	}
	r = minof(cpu[id]) / floor
	printf "  %s: %.2f x %s (target within %.1f x): %s\n", name, r, fname, want,
		r <= want ? "met" : "not met"
}
