#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# What sampling costs: kscope profile at 49, 99 and 999 Hz with every CPU busy, as a share
# of one CPU (BPF program run time from kernel.bpf_stats_enabled, plus kscope's own CPU
# time), and the work a busy loop lost next to a run without a profiler (noisier).
#
#   sh bench/profile.sh            (as root; 'make bench' runs it after bench/run.sh)
#
# Environment: OUTPUT (default .output), KSCOPE (default ./kscope), BENCH_SECS (seconds per
# run, default 10), BENCH_HZ (default "49 99 999").
set -u
cd "$(dirname "$0")/.." || exit 1
OUTPUT=${OUTPUT:-.output}
KSCOPE=${KSCOPE:-./kscope}
SECS=${BENCH_SECS:-10}
HZS=${BENCH_HZ:-49 99 999}
SPIN=$OUTPUT/bench/spin
NCPU=$(getconf _NPROCESSORS_ONLN)
OUT=bench/out/profile-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT" || exit 1

[ "$(id -u)" = 0 ] || { echo "bench/profile.sh: needs root" >&2; exit 1; }
[ -x "$SPIN" ] || { echo "bench/profile.sh: $SPIN missing: make bench-bins" >&2; exit 1; }

old_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q -w kernel.bpf_stats_enabled=1
trap 'sysctl -q -w kernel.bpf_stats_enabled=$old_stats' EXIT INT TERM

# Busy loops on every CPU for SECS; prints the total work units.
spin_all() {
	c=0
	while [ "$c" -lt "$NCPU" ]; do
		"$SPIN" "$c" "$SECS" >"$OUT/spin.$c" &
		c=$((c + 1))
	done
	wait
	cat "$OUT"/spin.* | sed 's/units=//' | awk '{ s += $1 } END { print s }'
}

# CPU ticks (user + system) of PID so far.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# The highest BPF program id so far: the tracer's programs come after it.
prog_mark() { bpftool prog show 2>/dev/null | awk -F: '/^[0-9]+:/ { m = $1 } END { print m + 0 }'; }

# run_ns and run_cnt summed over the BPF programs with ids above MARK (bpftool's plain
# output; Debian's bpftool does not show which process holds a program).
bpf_stats() {
	bpftool prog show 2>/dev/null | awk -F'[: ]+' -v m="$1" '
		/^[0-9]+:/ && $1 > m { for (i = 1; i < NF; i++) {
			if ($i == "run_time_ns") t += $(i + 1); if ($i == "run_cnt") c += $(i + 1) } }
		END { printf "%d %d\n", t, c }'
}

# Context switches: a pipe read 20000 times, each byte written after a 0 ms sleep.
switches() {
	"$OUTPUT/tests/helpers/stackload" pipe 20000 0 &
	sp=$!
	sleep 0.2
	kill -USR1 "$sp"
	wait "$sp"
	echo 0
}

# One traced run: WORKLOAD MARKER TRACER ARGS...; MARKER is what the tracer prints once
# attached, or "-" to give it a second. Prints "units kscope_ticks bpf_ns bpf_runs".
traced() {
	work=$1 marker=$2
	shift 2
	mark=$(prog_mark)
	"$@" >"$OUT/tracer.out" 2>"$OUT/tracer.err" &
	tp=$!
	i=0
	if [ "$marker" = - ]; then
		sleep 1
	else
		until grep -q -e "$marker" "$OUT/tracer.err" "$OUT/tracer.out" 2>/dev/null; do
			sleep 0.1
			i=$((i + 1))
			if [ "$i" -gt 100 ] || ! kill -0 "$tp" 2>/dev/null; then
				echo "failed: $(head -n 1 "$OUT/tracer.err")"
				kill "$tp" 2>/dev/null
				wait "$tp" 2>/dev/null
				return 1
			fi
		done
	fi
	t0=$(ticks "$tp")
	u=$($work)
	t1=$(ticks "$tp")
	set -- $(bpf_stats "$mark")
	kill -INT "$tp"
	wait "$tp"
	echo "$u $((t1 - t0)) $1 $2"
}

hz_tick=$(getconf CLK_TCK)
printf 'sampling cost, %s CPUs busy, %s s per run (results in %s)\n' "$NCPU" "$SECS" "$OUT"
base=$(spin_all)
printf '%-34s %12s %10s %12s %10s %10s\n' tracer work_lost samples bpf_ns/smp bpf_%cpu user_%cpu
for hz in $HZS; do
	r=$(traced spin_all tracing "$KSCOPE" profile -F "$hz" --folded) ||
		{ echo "kscope -F $hz $r"; continue; }
	set -- $r
	awk -v b="$base" -v u="$1" -v tk="$2" -v ns="$3" -v n="$4" -v s="$SECS" -v tck="$hz_tick" \
		-v name="kscope profile -F $hz" 'BEGIN {
		printf "%-34s %11.2f%% %10d %12.0f %9.3f%% %9.3f%%\n", name, 100 * (b - u) / b, n,
			n ? ns / n : 0, 100 * ns / (s * 1e9), 100 * tk / tck / s }'
	# the baseline drifts on a shared machine: take it again between runs
	base=$(spin_all)
done
echo "libbpf-tools profile: not in Debian 12's libbpf-tools package"

printf '\noff-CPU tracing, 20000 pipe round trips (2 switches each)\n'
printf '%-34s %10s %12s %10s\n' tracer runs ns/run user_ticks
row() { # LABEL RESULT
	set -- "$1" $2
	awk -v name="$1" -v tk="$3" -v ns="$4" -v n="$5" 'BEGIN {
		printf "%-34s %10d %12.0f %10d\n", name, n, n ? ns / n : 0, tk }'
}
r=$(traced switches tracing "$KSCOPE" offcputime --folded) && row "kscope offcputime" "$r" ||
	echo "kscope offcputime: $r"
r=$(traced switches tracing "$KSCOPE" wakeuptime --folded) && row "kscope wakeuptime" "$r" ||
	echo "kscope wakeuptime: $r"
if [ -x /usr/sbin/offcputime ]; then
	r=$(traced switches - /usr/sbin/offcputime) && row "libbpf-tools offcputime" "$r" ||
		echo "libbpf-tools offcputime: $r"
else
	echo "libbpf-tools offcputime: not installed (scripts/setup --bench)"
fi
