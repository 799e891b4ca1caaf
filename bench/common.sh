# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
# What the benchmark scripts (bench/run.sh, bio.sh, net.sh, bystander.sh) share: their start,
# peers' paths, one trial, settle times.
# Sourced; the caller sets B (bench binaries), OUT (its output directory), RAW (raw results
# file), FILE (the file openloop opens), CPU, and N (workload iterations) before each trial;
# WORKLOAD (default $B/openloop) and WORKLOAD_OPTS (trial options, e.g. "-a -q -a 64") for
# another workload.

say() { printf '%s\n' "$*" >&2; }

# bench_begin NAME PREFIX WHY BINS [ARG1 [ARG2]]: the start each benchmark script shares,
# given its own arguments. With ARG1 --table: print the caller's table (its function
# table DIR) of ARG2, or of bench/out/PREFIXlatest, and exit. Else insist on root (WHY says
# what needs it) and on $B's binaries BINS (a space-separated list), then make
# OUT=bench/out/PREFIXDATE with logs/ in it, point bench/out/PREFIXlatest at it, and empty
# RAW=$OUT/raw.txt.
bench_begin() {
	_bn=$1 _bp=$2 _bw=$3 _bb=$4
	shift 4
	if [ "${1:-}" = --table ]; then
		_bd=${2:-bench/out/${_bp}latest}
		if [ ! -f "$_bd/raw.txt" ]; then
			say "$_bn: no results in $_bd"
			exit 1
		fi
		table "$_bd"
		exit 0
	fi
	if [ "$(id -u)" != 0 ]; then
		say "$_bn: needs root ($_bw)"
		exit 1
	fi
	for _bf in $_bb; do
		if [ ! -x "$B/$_bf" ]; then
			say "$_bn: $B/$_bf is missing: build with 'make bench' (or make OUTPUT=$OUTPUT bench-bins)"
			exit 1
		fi
	done
	OUT=bench/out/$_bp$(date +%Y%m%d-%H%M%S)
	RAW=$OUT/raw.txt
	mkdir -p "$OUT/logs" || exit 1
	ln -sfn "$(basename "$OUT")" "bench/out/${_bp}latest"
	: >"$RAW"
}

# Where Debian puts a peer's file: ask dpkg, then try the usual places.
peer_path() { # PACKAGE FILE-NAME
	p=""
	if command -v dpkg-query >/dev/null 2>&1; then
		p=$(dpkg-query -L "$1" 2>/dev/null | grep -m1 "/$2\$")
	fi
	for d in /usr/sbin /usr/bin /usr/share/bpftrace/tools; do
		[ -n "$p" ] || { [ -f "$d/$2" ] && p=$d/$2; }
	done
	printf '%s' "$p"
}

# run_trial PHASE ID RUN [trial options...] -- [command...]: one line into $RAW.
# (Its variables start with _: plain sh has no locals, and callers loop over $id.)
# The pause first: the kernel finishes tearing down the previous tracer's links for some
# milliseconds after it exits, and a new attach waits for that.
run_trial() {
	_ph=$1 _id=$2 _run=$3
	shift 3
	sleep 0.1
	# shellcheck disable=SC2086 # WORKLOAD_OPTS are words (callers run with set -f)
	_res=$("$B/trial" -f "$FILE" -n "$N" -c "$CPU" -l "${WORKLOAD:-$B/openloop}" \
		${WORKLOAD_OPTS:-} -e "$OUT/logs/$_ph-$_id-$_run.err" "$@")
	echo "phase=$_ph tracer=$_id run=$_run $_res" >>"$RAW"
	say "  $_ph $_id #$_run: $_res"
}

# Tracers that say "attached" on stdout run with stdout to /dev/null in the overhead runs,
# where nothing can be seen: they get twice their slowest start-up (phase "startup" in
# $RAW) plus 0.3 s instead.
settle_of() { # ID
	awk -v id="$1" '$1 == "phase=startup" && $2 == "tracer=" id {
		for (i = 3; i <= NF; i++) if ($i ~ /^startup_ms=/) { split($i, a, "="); if (a[2] > m) m = a[2] } }
		END { printf "%d", 2 * m + 300 }' "$RAW"
}

# rounds RUNS EVERY FN ID...: RUNS rounds, each calling "FN ID ROUND" for every ID in the
# order rotated() gives, with "FN base N" (a baseline run, N counting from 1) before every
# EVERY-th ID and once at the very end: the machine drifts, and each tracer run is compared
# with the baselines around it.
rounds() {
	_ro_runs=$1 _ro_every=$2 _ro_fn=$3
	shift 3
	_ro_nb=0
	for _ro_r in $(seq 1 "$_ro_runs"); do
		_ro_i=0
		for _ro_id in $(rotated "$_ro_r" "$@"); do
			if [ $((_ro_i % _ro_every)) = 0 ]; then
				_ro_nb=$((_ro_nb + 1))
				"$_ro_fn" base "$_ro_nb"
			fi
			_ro_i=$((_ro_i + 1))
			"$_ro_fn" "$_ro_id" "$_ro_r"
		done
	done
	"$_ro_fn" base $((_ro_nb + 1))
}

# The tracer ids $2... in the order of round $1 (from 1): rotated by one each round, so no
# tracer always follows the same neighbour.
rotated() { # ROUND ID...
	_rot=$1
	shift
	printf '%s\n' "$@" | awk -v k="$((_rot - 1))" '{ a[NR] = $0 }
		END { for (i = 0; i < NR; i++) print a[(i + k % NR) % NR + 1] }'
}
