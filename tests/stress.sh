#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The host's test suite under competing CPU and IO load (make test-stress).
#
#   sh tests/stress.sh [run.sh OPTIONS...]     e.g. -k cpudist/ (never --vm: host only)
#
#   env STRESS_RUNS=N   run the suite N times in a row (default 1), stop at the first failure
#   env STRESS_CPU=N    stress-ng CPU workers (default: one per online CPU)
#   env STRESS_IO=N     stress-ng --hdd and --iomix workers each (default 1)
#   env STRESS_BUILD=0  no parallel build of kscope beside them (default 1)
#   env OUTPUT, KSCOPE  as for run.sh
#
# The load, started before the suite and kept up until it ends: stress-ng CPU workers,
# --hdd workers (write and read back files) and --iomix workers (mixed reads, writes,
# fsyncs, fadvise) in a temporary directory, and a loop that builds kscope from a copy of
# the sources with make -j<CPUs> into a temporary tree (the tree under test is not
# touched). All of it runs in one process group of its own, under the suite's watchdog
# helper: it is stopped by that group, and only that group, when the runs end, fail, or
# are interrupted (Ctrl-C). Each run prints the suite's own lines and summary line; the
# exit status is the last run's (1 if anything failed). Needs stress-ng (scripts/setup
# --stress) and the built helpers (make helpers).

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
here=$(pwd)
case ${OUTPUT:-.output} in
/*) out=${OUTPUT:-.output} ;;
*) out=$here/${OUTPUT:-.output} ;;
esac
watchdog=$out/tests/helpers/watchdog

for a in "$@"; do
	case $a in
	--vm)
		echo "stress: the suite runs on the host only here (no --vm)" >&2
		exit 2
		;;
	esac
done
runs=${STRESS_RUNS:-1}
case $runs in '' | *[!0-9]* | 0) echo "stress: STRESS_RUNS must be a number >= 1, not '$runs'" >&2; exit 2 ;; esac
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
cpu=${STRESS_CPU:-$ncpu}
io=${STRESS_IO:-1}
build=${STRESS_BUILD:-1}
command -v stress-ng >/dev/null 2>&1 ||
	{ echo "stress: no stress-ng (sh scripts/setup --stress installs it)" >&2; exit 2; }
[ -x "$watchdog" ] ||
	{ echo "stress: no $watchdog (make OUTPUT=${OUTPUT:-.output} helpers)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kscope-stress.XXXXXX") || exit 2
load_pid=

# Stop the load: TERM to its watchdog ends the whole group (KILL 2 s later if need be),
# then wait until the last of the group is gone (a worker in an IO wait takes a moment).
stop_load() {
	[ -n "$load_pid" ] || return 0
	kill -TERM "$load_pid" 2>/dev/null
	wait "$load_pid" 2>/dev/null
	load_pid=
	_pg=$(cat "$work/pgid" 2>/dev/null)
	_i=0
	while [ -n "$_pg" ] && [ "$_i" -lt 300 ] && kill -0 -- "-$_pg" 2>/dev/null; do
		sleep 0.1 2>/dev/null || sleep 1
		_i=$((_i + 1))
	done
}
trap 'stop_load; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# A copy of what building kscope needs, so the build loop never writes into this tree.
if [ "$build" = 1 ]; then
	mkdir -p "$work/tree"
	(cd "$top" && tar -cf - Makefile src) | (cd "$work/tree" && tar -xf -) ||
		{ echo "stress: cannot copy the sources to $work/tree" >&2; exit 2; }
fi
mkdir -p "$work/io"

# The load's script: everything it starts stays in the watchdog's process group.
cat >"$work/load.sh" <<'EOF'
work=$1 cpu=$2 io=$3 build=$4 ncpu=$5
echo $$ >"$work/pgid" # the watchdog made this shell the leader of the load's group
stress-ng --timeout 0 --cpu "$cpu" --hdd "$io" --hdd-bytes 128M --iomix "$io" \
	--iomix-bytes 128M --temp-path "$work/io" --log-file "$work/stress-ng.log" \
	>/dev/null 2>&1 </dev/null &
if [ "$build" = 1 ]; then
	(
		n=0
		while :; do
			rm -rf "$work/tree/.output" "$work/tree/kscope"
			make -C "$work/tree" -j"$ncpu" all >"$work/build.log" 2>&1 </dev/null ||
				sleep 1
			n=$((n + 1))
			echo "$n" >"$work/builds"
		done
	) &
fi
wait
EOF
# A day at most: the watchdog ends the load even if this script is killed outright.
"$watchdog" 86400 sh "$work/load.sh" "$work" "$cpu" "$io" "$build" "$ncpu" \
	>"$work/load.out" 2>&1 </dev/null &
load_pid=$!
# stress-ng is up when its workers are (it logs them as it starts them)
i=0
while [ "$i" -lt 100 ] && ! grep -q 'dispatching hogs' "$work/stress-ng.log" 2>/dev/null; do
	sleep 0.1 2>/dev/null || sleep 1
	i=$((i + 1))
done
kill -0 "$load_pid" 2>/dev/null ||
	{ echo "stress: the load did not start: $(tail -n 3 "$work/load.out" "$work/stress-ng.log" 2>/dev/null)" >&2; exit 2; }
what="stress-ng --cpu $cpu --hdd $io --iomix $io"
[ "$build" = 1 ] && what="$what, make -j$ncpu all in a loop"
echo "# stress: load: $what, on $ncpu CPUs (process group $load_pid)"

rc=0
r=1
while [ "$r" -le "$runs" ]; do
	echo "# stress: run $r of $runs"
	t0=$(date +%s)
	{
		(cd "$here" && sh "$top/tests/run.sh" "$@") </dev/null
		echo $? >"$work/rc"
	} | tee "$work/run.log"
	rc=$(cat "$work/rc")
	t1=$(date +%s)
	echo "# stress: run $r of $runs: $(tail -n 1 "$work/run.log") (exit $rc) in $((t1 - t0)) s," \
		"load average $(cut -d' ' -f1-3 /proc/loadavg), $(cat "$work/builds" 2>/dev/null || echo 0) builds so far"
	[ "$rc" = 0 ] || break
	r=$((r + 1))
done
exit "$rc"
