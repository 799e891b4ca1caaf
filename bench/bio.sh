#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The disk-IO benchmark: per-IO cost of kscope biolatency, biosnoop and uringlat, bare BPF
# floors on the same block tracepoints and Debian's libbpf-tools, on 4 KiB O_DIRECT random
# reads of a memory-backed loop device at this machine's top rate; lost events at that rate
# (bench/README.md).
#
#   sh bench/bio.sh                  (as root; bench/run.sh runs it after its own table)
#   BENCH_RUNS=5 BENCH_BIO_N=2000000 sh bench/bio.sh
#   sh bench/bio.sh --table [DIR]    the table again from a saved run (default latest)
#
# Environment: OUTPUT (build directory, default .output), KSCOPE (default ./kscope),
# BENCH_RUNS (rounds, default 3), BENCH_BIO_N (reads per run, default 1000000),
# BENCH_BIO_QD (io_uring queue depth; default: the fastest of a short sweep), BENCH_BIO_MB
# (size of the backing file in /dev/shm, default 128), BENCH_CPU (the workload's CPU,
# default the last).
set -u
set -f

cd "$(dirname "$0")/.." || exit 1
OUTPUT=${OUTPUT:-.output}
KSCOPE=${KSCOPE:-./kscope}
RUNS=${BENCH_RUNS:-3}
N=${BENCH_BIO_N:-1000000}
QD=${BENCH_BIO_QD:-}
MB=${BENCH_BIO_MB:-128}
CPU=${BENCH_CPU:-$(($(getconf _NPROCESSORS_ONLN) - 1))}
B=$OUTPUT/bench
WORKLOAD=$B/randread
. bench/common.sh

table() { # DIR
	awk -v n="$(sed -n 's/^n=\([0-9]*\).*/\1/p' "$1/info.txt")" -v info="$(cat "$1/info.txt")" \
		-v tracers="$1/tracers.txt" \
		-f bench/stats.awk -f bench/bio.awk "$1/raw.txt"
}

bench_begin bio "bio-" "BPF programs are loaded, a loop device is set up" "trial randread biofloor" "$@"

# The device: a loop device on a file in /dev/shm, buffered (no direct-io), so an IO is a
# 4 KiB copy out of tmpfs's pages: the block layer's and the tracers' costs are all there
# is, and the rate is the highest this machine reaches. Detached whatever way we exit.
# The tracers' output files go to /dev/shm too: written to the real disk, they would add
# writeback IO that the system-wide tracers trace.
TMPD=""
DEV=""
cleanup() {
	[ -n "$DEV" ] && losetup -d "$DEV"
	[ -n "$TMPD" ] && rm -rf "$TMPD"
	DEV=""
	TMPD=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
TMPD=$(mktemp -d /dev/shm/kscope-bio.XXXXXX) || exit 1
BACK=$TMPD/disk.img
# written, not sparse: a hole would be read from the zero page, cheaper than real data
if ! dd if=/dev/zero of="$BACK" bs=1M count="$MB" status=none; then
	say "bio: cannot write $MB MiB to $BACK"
	exit 1
fi
DEV=$(losetup -f --show "$BACK") || {
	DEV=""
	say "bio: losetup -f failed: no free loop device?"
	exit 1
}
DISK=${DEV#/dev/}
# shellcheck disable=SC2034 # read by run_trial (common.sh): the workload's target
FILE=$DEV
# No merging: two reads of neighbouring blocks in flight at once would become one request,
# and a tracer's events would no longer be one per read.
if ! echo 2 >"/sys/block/$DISK/queue/nomerges"; then
	say "bio: cannot turn off merging on $DISK: a few requests may hold two reads"
fi

# The queue depth: the fastest of a short sweep (each depth twice, its better run counts).
if [ -z "$QD" ]; then
	say "bio: queue depth sweep on $DEV (200000 reads per run)"
	best=0
	for q in 8 32 64 128 256; do
		for _ in 1 2; do
			i=$("$WORKLOAD" -n 200000 -c "$CPU" -q "$q" "$DEV" | sed -n 's/.* iops=\([0-9]*\).*/\1/p')
			echo "sweep depth=$q iops=${i:-0}" >>"$OUT/sweep.txt"
			say "  depth $q: ${i:-?} IOPS"
			if [ "${i:-0}" -gt "$best" ]; then
				best=$i
				QD=$q
			fi
		done
	done
fi
# shellcheck disable=SC2034 # read by run_trial (common.sh)
WORKLOAD_OPTS="-a -q -a $QD"

# The tracers: ID|LABEL|MARKER|COMMAND, as in run.sh; "ID|LABEL|skip|REASON" is not run.
tracers() {
	echo "bfh|histogram floor (tp_btf issue+complete, hash + log2 slot)|err:biofloor: histogram: tracing|$B/biofloor"
	echo "bfs|streaming floor (the same + ringbuf record, batched)|err:biofloor: streaming: tracing|$B/biofloor -s"
	for t in biolatency biosnoop uringlat; do
		case $t in
		biolatency) id=ks-bl cmd="$KSCOPE biolatency" ;;
		biosnoop) id=ks-bs cmd="$KSCOPE biosnoop" ;; # its output goes to a file (below)
		uringlat) id=ks-ul cmd="$KSCOPE uringlat" ;;
		esac
		if [ -x "$KSCOPE" ] && "$KSCOPE" "$t" --help >/dev/null 2>&1; then
			echo "$id|kscope $t|err:kscope: $t: tracing|$cmd"
		else
			echo "$id|kscope $t|skip|not built ('$KSCOPE $t --help' fails)"
		fi
	done
	why="skip|not installed (scripts/setup --bench installs libbpf-tools)"
	p=$(peer_path libbpf-tools biolatency)
	if [ -n "$p" ]; then
		echo "lt-bl|libbpf-tools biolatency|out:Tracing block device I/O|$p"
	else
		echo "lt-bl|libbpf-tools biolatency|$why"
	fi
	p=$(peer_path libbpf-tools biosnoop)
	if [ -n "$p" ]; then
		echo "lt-bs|libbpf-tools biosnoop|out:COMM|$p"
	else
		echo "lt-bs|libbpf-tools biosnoop|$why"
	fi
}
tracers >"$OUT/tracers.txt"
field() { awk -F'|' -v id="$1" -v f="$2" '$1 == id { print $f; exit }' "$OUT/tracers.txt"; }
ids=$(awk -F'|' '$3 != "skip" { print $1 }' "$OUT/tracers.txt")
# where a tracer's stdout goes under the workload: biosnoop's to a file, as one would
# shellcheck disable=SC2317 # called by overhead_run()
out_of() { case $1 in *-bs) echo "file:$TMPD/$1.out" ;; *) echo null ;; esac; }
# keep the size and the end of an output file in the logs, drop the rest
keep_tail() { # FILE LOG
	[ -f "$1" ] || return 0
	{
		echo "lines=$(wc -l <"$1") bytes=$(wc -c <"$1")"
		tail -n 3 "$1"
	} >"$2"
	rm -f "$1"
}

say "bio: $N reads of 4 KiB per run at depth $QD on $DEV ($MB MiB in /dev/shm), $RUNS runs, workload on CPU $CPU, results in $OUT"
printf 'n=%s runs=%s cpu=%s depth=%s dev=%s mb=%s nomerges=%s scheduler=%s kernel=%s kscope=%s\n' \
	"$N" "$RUNS" "$CPU" "$QD" "$DISK" "$MB" "$(cat "/sys/block/$DISK/queue/nomerges")" \
	"$(sed -n 's/.*\[\(.*\)\].*/\1/p' "/sys/block/$DISK/queue/scheduler" 2>/dev/null)" \
	"$(uname -r)" "$("$KSCOPE" --version 2>/dev/null | head -1 | tr ' ' _)" >"$OUT/info.txt"

# 1. Does it attach here, and how long until it says so (the settle time of the peers,
# which say it on stdout; under the workload their stdout is a file or /dev/null).
say "bio: start-up (each tracer once, no workload)"
ok_ids=""
for id in $ids; do
	marker=$(field "$id" 3)
	cmd=$(field "$id" 4)
	o=null
	case $marker in out:*) o=pty ;; esac
	# shellcheck disable=SC2086
	run_trial startup "$id" 1 -u -o $o -m "$marker" -t 30 -- $cmd
	if tail -n 1 "$RAW" | grep -q 'status=ok'; then
		ok_ids="$ok_ids $id"
	fi
done

# 2. Per-IO cost: rounds of every tracer once, rotated, a baseline run before every third
# tracer and at the end. BPF run-time statistics are on in every run (trial -b, baselines
# too): the tracer's programs' run time is the cost the kernel pays per IO, wherever the IO
# completes (here, mostly the other CPU, in softirq).
say "bio: per-IO cost (BPF statistics on)"
# shellcheck disable=SC2317 # called by rounds()
overhead_run() { # ID ROUND
	if [ "$1" = base ]; then
		run_trial overhead base "$2" -b
		return
	fi
	marker=$(field "$1" 3)
	cmd=$(field "$1" 4)
	case $marker in
	out:*) # shellcheck disable=SC2086
		run_trial overhead "$1" "$2" -b -o "$(out_of "$1")" -w "$(settle_of "$1")" -- $cmd ;;
	*) # shellcheck disable=SC2086
		run_trial overhead "$1" "$2" -b -o "$(out_of "$1")" -m "$marker" -- $cmd ;;
	esac
	keep_tail "$TMPD/$1.out" "$OUT/logs/overhead-$1-$2.out"
}
# shellcheck disable=SC2086 # the ids are words
rounds "$RUNS" 3 overhead_run $ok_ids

# 3. Lost events at this rate, default buffers, filtered to our device: every read must be
# reported, none lost. kscope's --json output ends with a summary line holding its counts;
# in JSON mode "attached" is its meta line on stdout, here a file: it gets the settle time
# of the peers (twice its start-up + 0.3 s).
say "bio: lost-event checks"
if echo " $ok_ids " | grep -q ' ks-bs '; then
	run_trial noloss ks-bs 1 -o "file:$TMPD/noloss.json" -w "$(settle_of ks-bs)" -- \
		"$KSCOPE" biosnoop -d "$DISK" --json
	# records of our device, and the summary's counts, from the output file
	awk -v dev="$DISK" '/"type":"summary"/ {
			s = $0; sub(/.*"events":/, "", s); sub(/[,}].*/, "", s); ev = s
			s = $0; sub(/.*"lost":/, "", s); sub(/[,}].*/, "", s); ls = s
			s = $0; sub(/.*"missed":/, "", s); sub(/[,}].*/, "", s); ms = s; next }
		index($0, "\"disk\":\"" dev "\"") { rec++ }
		END { printf "phase=noloss-json tracer=ks-bs run=1 status=ok records=%d", rec
			if (ev != "") printf " events=%s", ev
			if (ls != "") printf " lost=%s", ls
			if (ms != "") printf " missed=%s", ms
			printf "\n" }' "$TMPD/noloss.json" >>"$RAW"
	keep_tail "$TMPD/noloss.json" "$OUT/logs/noloss-ks-bs.out"
fi
if echo " $ok_ids " | grep -q ' lt-bs '; then
	run_trial noloss lt-bs 1 -o "file:$TMPD/noloss.txt" \
		-w "$(settle_of lt-bs)" -- "$(field lt-bs 4 | cut -d' ' -f1)" -d "$DISK"
	awk -v dev="$DISK" '$0 ~ " " dev " " { rec++ } END {
		printf "phase=noloss-text tracer=lt-bs run=1 status=ok records=%d\n", rec }' \
		"$TMPD/noloss.txt" >>"$RAW"
	keep_tail "$TMPD/noloss.txt" "$OUT/logs/noloss-lt-bs.out"
fi

cleanup

# 4. The table.
table "$OUT" | tee "$OUT/table.txt"
say "bio: raw results in $RAW, tracer logs in $OUT/logs/ (bench/out/bio-latest)"
exit 0
