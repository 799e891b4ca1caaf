#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# kscope trace against bpftrace: start-up (to the first event) and peak RSS of one-liners,
# side by side in one run (bench/README.md). As root; 'make bench' runs it.
#
#   sh bench/trace.sh            (BENCH_TRACE_RUNS=5 runs per one-liner and tracer)
set -u
cd "$(dirname "$0")/.." || exit 1
OUTPUT=${OUTPUT:-.output}
KSCOPE=${KSCOPE:-./kscope}
RUNS=${BENCH_TRACE_RUNS:-5}
T=$OUTPUT/bench/tracestart

[ -x "$T" ] || { echo "trace.sh: $T not built (make bench-bins)" >&2; exit 1; }
have_bt=0
command -v bpftrace >/dev/null 2>&1 && have_bt=1

printf '%-44s %22s %22s %8s\n' "one-liner" "kscope ms (RSS KiB)" "bpftrace ms (RSS KiB)" "ratio"
while IFS= read -r prog; do
	[ -n "$prog" ] || continue
	k=$("$T" "$RUNS" "$prog" -- "$KSCOPE" trace)
	km=$(echo "$k" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')
	kr=$(echo "$k" | sed -n 's/.*rss_kib=\([0-9]*\).*/\1/p')
	bm=- br=- ratio=-
	if [ "$have_bt" = 1 ]; then
		b=$("$T" "$RUNS" "$prog" -- bpftrace)
		bm=$(echo "$b" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')
		br=$(echo "$b" | sed -n 's/.*rss_kib=\([0-9]*\).*/\1/p')
		[ -n "$km" ] && [ -n "$bm" ] && ratio=$(awk -v a="$bm" -v b="$km" 'BEGIN { printf "%.1fx", a / b }')
	fi
	short=$(printf '%s' "$prog" | cut -c1-44)
	printf '%-44s %14s (%6s) %14s (%6s) %8s\n' "$short" "${km:-fail}" "${kr:--}" "${bm:-fail}" \
		"${br:--}" "$ratio"
done <<'EOT'
BEGIN { @start = nsecs; }
tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }
tracepoint:raw_syscalls:sys_enter { @[pid, comm] = count(); }
tracepoint:syscalls:sys_exit_read /args->ret > 0/ { @bytes = hist(args->ret); }
tracepoint:sched:sched_switch { @[args->prev_comm] = count(); }
tracepoint:syscalls:sys_enter_openat { printf("%s %s\n", comm, str(args->filename)); }
tracepoint:sched:sched_switch { @[curtask->real_parent->pid] = count(); }
profile:hz:99 { @[kstack] = count(); }
EOT
