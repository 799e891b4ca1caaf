#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The network benchmark: per-packet cost of kscope skbdrop --count on dropped datagrams, and
# per-connection cost of kscope tcplife and tcpconnect on whole TCP connections, against bare
# BPF floors on the same hooks and Debian's libbpf-tools tcplife and tcpconnect; lost events
# at the highest connection rate this machine sustains (bench/README.md).
#
#   sh bench/net.sh                  (as root; bench/run.sh runs it after bio.sh)
#   BENCH_RUNS=5 BENCH_NET_UDP=1000000 BENCH_NET_CONN=50000 sh bench/net.sh
#   sh bench/net.sh --table [DIR]    the table again from a saved run (default latest)
#
# Environment: OUTPUT (build directory, default .output), KSCOPE (default ./kscope),
# BENCH_RUNS (rounds, default 3), BENCH_NET_UDP (datagrams per run, default 500000),
# BENCH_NET_CONN (connections per run, default 30000), BENCH_CPU (the workload's CPU,
# default the last).
set -u
set -f

cd "$(dirname "$0")/.." || exit 1
OUTPUT=${OUTPUT:-.output}
KSCOPE=${KSCOPE:-./kscope}
RUNS=${BENCH_RUNS:-3}
NUDP=${BENCH_NET_UDP:-500000}
NCONN=${BENCH_NET_CONN:-30000}
CPU=${BENCH_CPU:-$(($(getconf _NPROCESSORS_ONLN) - 1))}
B=$OUTPUT/bench
WORKLOAD=$B/netloop
. bench/common.sh

table() { # DIR
	awk -v info="$(cat "$1/info.txt")" -v tracers="$1/tracers.txt" \
		-f bench/stats.awk -f bench/net.awk "$1/raw.txt"
}

bench_begin net "net-" "BPF programs are loaded, network namespaces made" "trial netloop netfloor" "$@"
TMPD=$(mktemp -d /dev/shm/kscope-net.XXXXXX) || exit 1
trap 'rm -rf "$TMPD"' EXIT
trap 'exit 130' INT TERM HUP

# kscope tool $1 as tracer $2 ($3: label, $4...: its options), or a skip row.
ks_row() { # TOOL ID LABEL MARKER-TOOL OPTIONS...
	_t=$1 _i=$2 _l=$3
	shift 3
	if [ -x "$KSCOPE" ] && "$KSCOPE" "$_t" --help >/dev/null 2>&1; then
		echo "$_i|$_l|err:kscope: $_t: tracing|$KSCOPE $_t $*"
	else
		echo "$_i|$_l|skip|not built ('$KSCOPE $_t --help' fails)"
	fi
}
peer_row() { # FILE ID LABEL MARKER
	_p=$(peer_path libbpf-tools "$1")
	if [ -n "$_p" ]; then
		echo "$2|$3|$4|$_p"
	else
		echo "$2|$3|skip|not installed (scripts/setup --bench installs libbpf-tools)"
	fi
}

# The tracers: ID|SIDE|LABEL|MARKER|COMMAND; SIDE is the workload: udp (dropped datagrams)
# or conn (whole connections).
tracers() {
	echo "nfd|drop floor (tp_btf kfree_skb, count by location+reason)|err:netfloor: drops: tracing|$B/netfloor -d" | sed 's/|/|udp|/'
	ks_row skbdrop ks-sd "kscope skbdrop --count" --count | sed 's/|/|udp|/'
	echo "nfs|streaming floor (tp_btf inet_sock_set_state, record per close)|err:netfloor: streaming: tracing|$B/netfloor -s" | sed 's/|/|conn|/'
	ks_row tcplife ks-tl "kscope tcplife" | sed 's/|/|conn|/'
	ks_row tcpconnect ks-tc "kscope tcpconnect" | sed 's/|/|conn|/'
	ks_row tcpstates ks-ts "kscope tcpstates" | sed 's/|/|conn|/'
	peer_row tcplife lt-tl "libbpf-tools tcplife" "out:PID" | sed 's/|/|conn|/'
	peer_row tcpconnect lt-tc "libbpf-tools tcpconnect" "out:PID" | sed 's/|/|conn|/'
}
tracers >"$OUT/tracers.txt"
field() { awk -F'|' -v id="$1" -v f="$2" '$1 == id { print $f; exit }' "$OUT/tracers.txt"; }
side_ids() { awk -F'|' -v s="$1" '$2 == s && $4 != "skip" { print $1 }' "$OUT/tracers.txt"; }

say "net: $NUDP datagrams and $NCONN connections per run, $RUNS runs, workload on CPU $CPU, results in $OUT"
printf 'nudp=%s nconn=%s runs=%s cpu=%s kernel=%s kscope=%s\n' "$NUDP" "$NCONN" "$RUNS" "$CPU" \
	"$(uname -r)" "$("$KSCOPE" --version 2>/dev/null | head -1 | tr ' ' _)" >"$OUT/info.txt"

# 1. Start-up: does it attach here, and how long until it says so.
say "net: start-up (each tracer once, no workload)"
ok_ids=""
for id in $(side_ids udp) $(side_ids conn); do
	marker=$(field "$id" 4)
	cmd=$(field "$id" 5)
	o=null
	case $marker in out:*) o=pty ;; esac
	FILE=udp N=1
	# shellcheck disable=SC2086
	run_trial startup "$id" 1 -u -o $o -m "$marker" -t 30 -- $cmd
	if tail -n 1 "$RAW" | grep -q 'status=ok'; then
		ok_ids="$ok_ids $id"
	fi
done
ok_side() { for i in $(side_ids "$1"); do case " $ok_ids " in *" $i "*) echo "$i" ;; esac; done; }

# 2. Cost per datagram and per connection: rounds of every tracer of a side, rotated, with
# baselines, BPF run-time statistics on in every run.
# shellcheck disable=SC2317 # called by rounds()
overhead_run() { # ID ROUND
	if [ "$1" = base ]; then
		run_trial "overhead-$SIDE" base "$2" -b
		return
	fi
	marker=$(field "$1" 4)
	cmd=$(field "$1" 5)
	case $marker in
	out:*) # shellcheck disable=SC2086
		run_trial "overhead-$SIDE" "$1" "$2" -b -w "$(settle_of "$1")" -- $cmd ;;
	*) # shellcheck disable=SC2086
		run_trial "overhead-$SIDE" "$1" "$2" -b -m "$marker" -- $cmd ;;
	esac
}
for SIDE in udp conn; do
	FILE=$SIDE
	if [ "$SIDE" = udp ]; then N=$NUDP; else N=$NCONN; fi
	say "net: cost per $([ "$SIDE" = udp ] && echo datagram || echo connection) (BPF statistics on)"
	# shellcheck disable=SC2046 # the ids are words
	rounds "$RUNS" 3 overhead_run $(ok_side "$SIDE")
done

# 3. Lost events at the highest connection rate (one connection after another, as fast as
# the workload goes), default buffers, filtered to the workload's namespace: every
# connection reported (tcplife: both ends; tcpconnect: the client), none lost.
say "net: lost-event checks"
FILE=conn N=$NCONN
for id in ks-tl ks-tc; do
	case " $ok_ids " in *" $id "*) ;; *) continue ;; esac
	t=$(field "$id" 5 | awk '{ print $2 }')
	run_trial noloss "$id" 1 -o "file:$TMPD/$id.json" -w "$(settle_of "$id")" -- \
		"$KSCOPE" "$t" --json --netns "/proc/{PID}/ns/net"
	awk -v id="$id" '/"type":"summary"/ {
			s = $0; sub(/.*"events":/, "", s); sub(/[,}].*/, "", s); ev = s
			s = $0; sub(/.*"lost":/, "", s); sub(/[,}].*/, "", s); ls = s; next }
		/"type":"event"/ { rec++ }
		END { printf "phase=noloss-json tracer=%s run=1 status=ok records=%d", id, rec
			if (ev != "") printf " events=%s", ev
			if (ls != "") printf " lost=%s", ls
			printf "\n" }' "$TMPD/$id.json" >>"$RAW"
	tail -n 2 "$TMPD/$id.json" >"$OUT/logs/noloss-$id.out"
	rm -f "$TMPD/$id.json"
done

# 4. The table.
table "$OUT" | tee "$OUT/table.txt"
say "net: raw results in $RAW, tracer logs in $OUT/logs/ (bench/out/net-latest)"
exit 0
