#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The bystander benchmark: what a tracer running system-wide adds to every syscall it does
# not trace (a pinned getppid loop), beside what it adds to one it does (openat+close), for
# kscope's per-syscall tools and the peers that do the same jobs (bench/README.md).
#
#   sh bench/bystander.sh                 (as root; 'make bench' runs it after bench/run.sh)
#   BENCH_RUNS=7 sh bench/bystander.sh
#   sh bench/bystander.sh --table [DIR]   the table again from a saved run (default latest)
#
# Environment: OUTPUT (build directory, default .output), KSCOPE (default ./kscope),
# BENCH_RUNS (rounds, default 5), BENCH_GN (getppid calls per run, default 2000000),
# BENCH_ON (openat+close per run, default 200000), BENCH_CPU (the workload's CPU, default
# the last).
set -u
set -f

cd "$(dirname "$0")/.." || exit 1
OUTPUT=${OUTPUT:-.output}
KSCOPE=${KSCOPE:-./kscope}
RUNS=${BENCH_RUNS:-5}
GN=${BENCH_GN:-2000000}
ON=${BENCH_ON:-200000}
CPU=${BENCH_CPU:-$(($(getconf _NPROCESSORS_ONLN) - 1))}
B=$OUTPUT/bench
FILE=$(pwd)/bench/out/openloop.dat
. bench/common.sh

table() { # DIR
	awk -v info="$(cat "$1/info.txt")" -v tracers="$1/tracers.txt" \
		-f bench/stats.awk -f bench/bystander.awk "$1/raw.txt"
}

bench_begin bystander "bystander-" "BPF programs are loaded" "trial openloop" "$@"

# kscope's choice per hook, from its meta line: "open_enter=tracepoint open_exit=tracepoint".
ks_hooks() { # TOOL [ARG...]
	"$KSCOPE" "$@" --json --duration 0.1 2>/dev/null | head -n 1 |
		sed -n 's/.*"attach":{\([^}]*\)}.*/\1/p' | tr -d '"' | tr ':,' '= '
}

# One tracers.txt line: ID|LABEL|JOB|HOOKS|MARKER|COMMAND (MARKER as in run.sh: err:TEXT or
# out:TEXT, what the tracer prints once attached), or ID|LABEL|JOB|-|skip|REASON.
ks_tracer() { # ID JOB TOOL [ARG...]
	_id=$1 _job=$2
	shift 2
	if echo "$tools" | grep -qx "$1"; then
		echo "$_id|kscope $*|$_job|$(ks_hooks "$@")|err:kscope: $1: tracing|$KSCOPE $*"
	else
		echo "$_id|kscope $*|$_job|-|skip|'$KSCOPE' does not list $1"
	fi
}
peer_tracer() { # ID JOB PACKAGE FILE HOOKS MARKER [ARG...]
	_p=$(peer_path "$3" "$4")
	_cmd=$_p
	[ "$3" = bpftrace ] && _cmd="$(command -v bpftrace) $_p"
	if [ -z "$_p" ]; then
		echo "$1|$3 $4|$2|-|skip|not installed (scripts/setup --bench installs $3)"
		return
	fi
	_id=$1 _job=$2 _label="$3 $4" _hooks=$5 _marker=$6
	[ "$3" = bpftrace ] && _hooks=$(grep -o 'tracepoint:[a-z_]*:[a-z_*]*' "$_p" |
		sed 's/^tracepoint://' | sort -u | paste -s -d ' ')
	shift 6
	echo "$_id|$_label${*:+ $*}|$_job|$_hooks|$_marker|$_cmd${*:+ $*}"
}

# The tracers, grouped by job; kscope's single-syscall tools also with --attach raw_syscalls
# (how they attached before they were given their syscalls' own tracepoints), as a
# reference. libbpf-tools: per-syscall tracepoints (syscalls:sys_*_NAME),
# but syscount (raw_syscalls) and sigsnoop without -k (signal:signal_generate); their
# "attached" signal is the header they print once attached. bpftrace: Debian's tools, and,
# as a reference rather than a peer (it reports no result), the smallest program on one
# syscall's tracepoint.
tracers() {
	tools=""
	[ -x "$KSCOPE" ] && tools=$("$KSCOPE" 2>&1 |
		awk '/^tools:/ { t = 1; next } t && /^  [a-z]/ { print $1 } t && /^$/ { t = 0 }')
	pt="syscalls:sys_enter/exit_NAME tracepoints"
	ks_tracer ks-open open opensnoop
	ks_tracer raw-open open opensnoop --attach raw_syscalls
	peer_tracer lt-open open libbpf-tools opensnoop "$pt" out:COMM
	peer_tracer bt-open open bpftrace opensnoop.bt - "out:Tracing open"
	printf 'BEGIN { printf("tracing\\n"); }\ntracepoint:syscalls:sys_enter_openat { @[comm] = count(); }\n' \
		>"$OUT/openat.bt"
	if command -v bpftrace >/dev/null 2>&1; then
		echo "ref-openat|bpftrace sys_enter_openat count() (ref)|open|syscalls:sys_enter_openat|out:tracing|$(command -v bpftrace) $OUT/openat.bt"
	fi
	ks_tracer ks-exec exec execsnoop
	ks_tracer raw-exec exec execsnoop --attach raw_syscalls
	peer_tracer lt-exec exec libbpf-tools execsnoop "$pt" out:PCOMM
	peer_tracer bt-exec exec bpftrace execsnoop.bt - "out:TIME(ms)"
	ks_tracer ks-kill kill sigsnoop
	ks_tracer raw-kill kill sigsnoop --attach raw_syscalls
	peer_tracer lt-kill kill libbpf-tools sigsnoop "$pt" out:TPID -k
	peer_tracer bt-kill kill bpftrace killsnoop.bt - "out:Tracing kill"
	ks_tracer ks-sig signal sigsnoop -g
	peer_tracer lt-sig signal libbpf-tools sigsnoop "signal:signal_generate tracepoint" out:TPID
	ks_tracer ks-count all syscount
	peer_tracer lt-count all libbpf-tools syscount "raw_syscalls:sys_enter/exit tracepoints" \
		"out:Tracing syscalls"
	peer_tracer bt-count all bpftrace syscount.bt - "out:Counting syscalls"
}

say "bystander: $GN getppid and $ON openat+close per run, $RUNS runs, workload on CPU $CPU, results in $OUT"
printf 'gn=%s on=%s runs=%s cpu=%s kernel=%s kscope=%s\n' "$GN" "$ON" "$RUNS" "$CPU" \
	"$(uname -r)" "$("$KSCOPE" --version 2>/dev/null | head -1 | tr ' ' _)" >"$OUT/info.txt"
tracers >"$OUT/tracers.txt"
field() { awk -F'|' -v id="$1" -v f="$2" '$1 == id { print $f; exit }' "$OUT/tracers.txt"; }
ids=$(awk -F'|' '$5 != "skip" { print $1 }' "$OUT/tracers.txt")

# 1. One start-up each: a tracer that cannot start here is reported and left out; the
# others' start-up times set how long to wait for those that say "attached" on stdout.
say "bystander: start-up"
N=1
ok_ids=""
for id in $ids; do
	marker=$(field "$id" 5)
	o=null
	case $marker in out:*) o=pty ;; esac
	# shellcheck disable=SC2046 # the command is words
	run_trial startup "$id" 1 -u -o $o -m "$marker" -t 30 -- $(field "$id" 6)
	if tail -n 1 "$RAW" | grep -q 'status=ok'; then
		ok_ids="$ok_ids $id"
	fi
done

# trial_pair ID RUN [trial options...] -- [command...]: the getppid run, then the openat+close
# run, with the same tracer.
trial_pair() {
	_tp_id=$1 _tp_run=$2
	shift 2
	N=$GN
	run_trial getppid "$_tp_id" "$_tp_run" -g "$@"
	N=$ON
	run_trial openat "$_tp_id" "$_tp_run" "$@"
}

# 2. Rounds: every tracer once per round, in an order rotated by one each round, with an
# untraced pair of runs before every third tracer and at the end; each tracer run is compared
# with the untraced runs around it.
say "bystander: rounds"
nb=0
for r in $(seq 1 "$RUNS"); do
	i=0
	# shellcheck disable=SC2086 # the ids are words
	for id in $(rotated "$r" $ok_ids); do
		if [ $((i % 3)) = 0 ]; then
			nb=$((nb + 1))
			trial_pair base "$nb"
		fi
		i=$((i + 1))
		marker=$(field "$id" 5)
		case $marker in
		out:*) # shellcheck disable=SC2046
			trial_pair "$id" "$r" -o null -w "$(settle_of "$id")" -- $(field "$id" 6) ;;
		*) # shellcheck disable=SC2046
			trial_pair "$id" "$r" -o null -m "$marker" -- $(field "$id" 6) ;;
		esac
	done
done
trial_pair base $((nb + 1))

table "$OUT" | tee "$OUT/table.txt"
say "bystander: raw results in $RAW, tracer logs in $OUT/logs/ (bench/out/bystander-latest)"
exit 0
