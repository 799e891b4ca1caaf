#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The benchmark: per-openat cost, start-up, peak RSS and lost events of kscope, bare BPF
# floors and peer tools on one workload, printed as one table (see bench/README.md).
#
#   sh bench/run.sh                  (as root; 'make bench' builds what it needs and runs it)
#   BENCH_N=200000 BENCH_RUNS=5 sh bench/run.sh
#   sh bench/run.sh --table [DIR]    print the table again from a saved run (default latest)
#
# Environment: OUTPUT (build directory, default .output), BENCH_N (workload iterations,
# default 1000000), BENCH_RUNS (rounds, default 3), BENCH_CPU (the workload's CPU, default
# the last), BENCH_STOP_MS (how long the forced-loss run stops the tracer, default 1000),
# KSCOPE (default ./kscope), BENCH_SYMS (0: no symbolizer rate after the table), BENCH_BIO
# (0: not the disk-IO benchmark, bench/bio.sh, after it), BENCH_NET (0: not the network
# benchmark, bench/net.sh, after that).
set -u
set -f

cd "$(dirname "$0")/.." || exit 1
OUTPUT=${OUTPUT:-.output}
N=${BENCH_N:-1000000}
RUNS=${BENCH_RUNS:-3}
CPU=${BENCH_CPU:-$(($(getconf _NPROCESSORS_ONLN) - 1))}
STOP_MS=${BENCH_STOP_MS:-1000}
KSCOPE=${KSCOPE:-./kscope}
B=$OUTPUT/bench
FILE=$(pwd)/bench/out/openloop.dat
. bench/common.sh

table() { # DIR
	awk -v n="$(sed -n 's/^n=\([0-9]*\).*/\1/p' "$1/info.txt")" \
		-v stop_ms="$(sed -n 's/.* stop_ms=\([0-9]*\).*/\1/p' "$1/info.txt")" \
		-v tracers="$1/tracers.txt" -f bench/stats.awk -f bench/table.awk "$1/raw.txt"
}

bench_begin bench "" "BPF programs are loaded" "trial openloop floor streamfloor" "$@"

# The tracers: ID|LABEL|MARKER|COMMAND. MARKER err:TEXT or out:TEXT is what the tracer prints
# once attached (on stdout, a pty stands in for the terminal so it is not stuck in a buffer).
# A line "ID|LABEL|skip|REASON" is printed as skipped.
tracers() {
	f="err:floor"
	s="err:streamfloor"
	echo "empty|hook only (empty prog, tp_btf/sys_exit)|$f: empty: tracing|$B/floor -e"
	echo "count|counting floor (tp_btf/sys_exit, per-CPU +1)|$f: counting: tracing|$B/floor"
	echo "countraw|counting floor, raw_tp (no BTF read)|$f: counting-raw_tp: tracing|$B/floor -r"
	echo "stream|streaming floor (ringbuf, batched wake-ups)|$s: batched: tracing|$B/streamfloor"
	echo "streamw|streaming floor (wake-up per event)|$s: wakeup-per-event: tracing|$B/streamfloor -w"

	if [ ! -x "$KSCOPE" ]; then
		echo "ks-sc|kscope syscount|skip|$KSCOPE not built (make)"
		echo "ks-scl|kscope syscount -L|skip|$KSCOPE not built (make)"
		echo "ks-os|kscope opensnoop|skip|$KSCOPE not built (make)"
		return
	fi
	tools=$("$KSCOPE" 2>&1 |
		awk '/^tools:/ { t = 1; next } t && /^  [a-z]/ { print $1 } t && /^$/ { t = 0 }')
	if echo "$tools" | grep -qx syscount; then
		echo "ks-sc|kscope syscount|err:kscope: syscount: tracing|$KSCOPE syscount"
		if "$KSCOPE" syscount --help 2>&1 | grep -q -- '-L,'; then
			echo "ks-scl|kscope syscount -L|err:kscope: syscount: tracing|$KSCOPE syscount -L"
		else
			echo "ks-scl|kscope syscount -L|skip|'$KSCOPE syscount --help' has no -L"
		fi
	else
		echo "ks-sc|kscope syscount|skip|'$KSCOPE' does not list syscount yet"
		echo "ks-scl|kscope syscount -L|skip|'$KSCOPE' does not list syscount yet"
	fi
	# the one-liner language: the same program for kscope trace and bpftrace (below)
	printf 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }\n' >"$OUT/openat.bt"
	echo "ks-tr|kscope trace openat.bt (@[comm] = count())|err:Attaching|$KSCOPE trace $OUT/openat.bt"
	if echo "$tools" | grep -qx opensnoop; then
		echo "ks-os|kscope opensnoop|err:kscope: opensnoop: tracing|$KSCOPE opensnoop"
	else
		echo "ks-os|kscope opensnoop|skip|'$KSCOPE' does not list opensnoop"
	fi

	why="skip|not installed (scripts/setup --bench installs libbpf-tools)"
	p=$(peer_path libbpf-tools syscount)
	if [ -n "$p" ]; then
		echo "lt-sc|libbpf-tools syscount|out:Tracing syscalls|$p"
		echo "lt-scl|libbpf-tools syscount -L|out:Tracing syscalls|$p -L"
	else
		echo "lt-sc|libbpf-tools syscount|$why"
		echo "lt-scl|libbpf-tools syscount -L|$why"
	fi
	p=$(peer_path libbpf-tools opensnoop)
	if [ -n "$p" ]; then
		echo "lt-os|libbpf-tools opensnoop|out:COMM|$p"
	else
		echo "lt-os|libbpf-tools opensnoop|$why"
	fi

	if ! command -v bpftrace >/dev/null 2>&1; then
		echo "bt-sc|bpftrace syscount.bt|skip|bpftrace not installed (scripts/setup --bench)"
		echo "bt-os|bpftrace opensnoop.bt|skip|bpftrace not installed"
		echo "bt-tr|bpftrace openat.bt|skip|bpftrace not installed"
		return
	fi
	bt=$(command -v bpftrace)
	echo "bt-tr|bpftrace openat.bt (@[comm] = count())|out:Attaching|$bt $OUT/openat.bt"
	p=$(peer_path bpftrace syscount.bt)
	if [ -n "$p" ]; then
		echo "bt-sc|bpftrace syscount.bt|out:Counting syscalls|$bt $p"
	else
		echo "bt-sc|bpftrace syscount.bt|skip|syscount.bt not found"
	fi
	p=$(peer_path bpftrace opensnoop.bt)
	if [ -n "$p" ]; then
		echo "bt-os|bpftrace opensnoop.bt|out:Tracing open syscalls|$bt $p"
	else
		echo "bt-os|bpftrace opensnoop.bt|skip|opensnoop.bt not found"
	fi
}

tracers >"$OUT/tracers.txt"
field() { awk -F'|' -v id="$1" -v f="$2" '$1 == id { print $f; exit }' "$OUT/tracers.txt"; }
ids=$(awk -F'|' '$3 != "skip" { print $1 }' "$OUT/tracers.txt")

say "bench: $N openat+close per run, $RUNS runs, workload on CPU $CPU, results in $OUT"
printf 'n=%s runs=%s cpu=%s stop_ms=%s kernel=%s kscope=%s\n' "$N" "$RUNS" "$CPU" "$STOP_MS" \
	"$(uname -r)" "$("$KSCOPE" --version 2>/dev/null | head -1 | tr ' ' _)" >"$OUT/info.txt"

# 1. Start-up: exec to attached, with no workload. A tracer that fails here is reported
# with its first line of stderr and left out of the rest.
say "bench: start-up (exec to the tracer's attached message)"
settle=""
for id in $ids; do
	marker=$(field "$id" 3)
	cmd=$(field "$id" 4)
	o=null
	case $marker in out:*) o=pty ;; esac
	for r in $(seq 1 "$RUNS"); do
		# shellcheck disable=SC2086
		run_trial startup "$id" "$r" -u -o $o -m "$marker" -t 30 -- $cmd
	done
done
ok_ids=""
for id in $ids; do
	if grep "phase=startup tracer=$id " "$RAW" | grep -q 'status=ok'; then
		ok_ids="$ok_ids $id"
	fi
done

# 2. Overhead: each round runs every tracer once, in a rotated order so no tracer always
# follows the same neighbour, with a baseline run before every fourth tracer and at the end:
# the machine drifts, and each tracer run is compared with the baselines around it.
say "bench: overhead (stdout to /dev/null)"
# shellcheck disable=SC2317 # called by rounds()
overhead_run() { # ID ROUND
	if [ "$1" = base ]; then
		run_trial overhead base "$2"
		return
	fi
	marker=$(field "$1" 3)
	cmd=$(field "$1" 4)
	case $marker in
	out:*) # shellcheck disable=SC2086
		run_trial overhead "$1" "$2" -o null -w "$(settle_of "$1")" -- $cmd ;;
	*) # shellcheck disable=SC2086
		run_trial overhead "$1" "$2" -o null -m "$marker" -- $cmd ;;
	esac
}
# shellcheck disable=SC2086 # the ids are words
rounds "$RUNS" 4 overhead_run $ok_ids

# 3. Loss: kscope opensnoop on the workload alone must see every call; stopped (SIGSTOP) as
# the loop starts, for BENCH_STOP_MS or until the loop ends, it must count every call it could
# not see as lost.
say "bench: lost-event checks"
if echo " $ok_ids " | grep -q ' ks-os '; then
	run_trial noloss ks-os 1 -o null -m "err:kscope: opensnoop: tracing" -- \
		"$KSCOPE" opensnoop -p "{PID}"
	run_trial forcedloss ks-os 1 -o null -m "err:kscope: opensnoop: tracing" \
		-x "0:$STOP_MS" -- "$KSCOPE" opensnoop -p "{PID}"
fi

# 4. The table.
table "$OUT" | tee "$OUT/table.txt"

# 5. Apart from the table: the stack symbolizer's rate (bench/symrate.c), BENCH_SYMS=0 skips it.
if [ "${BENCH_SYMS:-1}" != 0 ]; then
	if [ -x "$B/symrate" ]; then
		say "bench: stack symbolizer (symrate)"
		"$B/symrate" >"$OUT/symrate.txt" 2>&1
		cat "$OUT/symrate.txt"
	else
		say "bench: $B/symrate is missing: no symbolizer rate (make bench-bins)"
	fi
fi
say "bench: raw results in $RAW, tracer logs in $OUT/logs/ (bench/out/latest)"

# 6. The disk-IO benchmark, with its own workload and table (bench/bio.sh); BENCH_BIO=0
# skips it.
if [ "${BENCH_BIO:-1}" != 0 ]; then
	say "bench: disk IO (bench/bio.sh)"
	OUTPUT=$OUTPUT KSCOPE=$KSCOPE BENCH_RUNS=$RUNS BENCH_CPU=$CPU sh bench/bio.sh
fi

# 7. The network benchmark (bench/net.sh); BENCH_NET=0 skips it.
if [ "${BENCH_NET:-1}" != 0 ]; then
	say "bench: network (bench/net.sh)"
	OUTPUT=$OUTPUT KSCOPE=$KSCOPE BENCH_RUNS=$RUNS BENCH_CPU=$CPU sh bench/net.sh
fi
exit 0
