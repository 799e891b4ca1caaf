# SPDX-License-Identifier: GPL-2.0-only
# exitsnoop: a workload in a private cgroup forks a child that exits with a known code or
# is killed; the child and the workload itself are the only exits there.

ks_test exitsnoop/code t_exit_code
for _m in tp_btf raw_tp tracepoint; do
	ks_test "exitsnoop/attach/$_m" t_exit_code "$_m"
done
ks_test exitsnoop/killed t_exit_killed
ks_test exitsnoop/failed_only t_exit_failed_only
ks_test exitsnoop/pid t_exit_pid
ks_test exitsnoop/threads t_exit_threads
ks_test exitsnoop/text t_exit_text

# Runs workload MODE ARGS in a new cgroup under exitsnoop --json EXTRA...; sets WPID, CPID.
exit_run() {
	_extra=$1
	shift
	ks_cg_create e
	wl_start wl "$@"
	WPID=$(ks_pid wl)
	WPPID=$(ks_ppid "$WPID")
	ks_cg_move "$WPID" "$KS_CG"
	# shellcheck disable=SC2086
	ks_start ks exitsnoop --json -c "$KS_CG" $_extra
	ks_attached ks
	wl_run wl
	CPID=$(head -n 1 "$KS_TMP/wl.out")
	[ -n "$CPID" ] || fail "the workload printed no child pid"
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
}

t_exit_code() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	exit_run "${_m:+--attach $_m}" exit 3
	expect_attach ks "$_m"
	expect_eq "$(ks_count ks type=event)" 2 "exits in the cgroup (child and workload)"
	expect_eq "$(ks_count ks type=event "pid=$CPID" "tid=$CPID" "ppid=$WPID" comm=workload \
		code=3 signal=0 '!signal_name' core=false exit_status=768 'lifetime_ns>0' \
		'lifetime_ns<10000000000')" 1 "the child's exit: code 3"
	expect_eq "$(ks_count ks type=event "pid=$WPID" "ppid=$WPPID" code=0 signal=0 exit_status=0 \
		'lifetime_ns>0')" 1 "the workload's exit: code 0"
	expect_eq "$(ks_count ks type=summary events=2 lost=0)" 1 "summary"
	pass
}

t_exit_killed() {
	exit_run "" killed
	expect_eq "$(ks_count ks type=event)" 2 "exits in the cgroup"
	expect_eq "$(ks_count ks type=event "pid=$CPID" "ppid=$WPID" code=0 signal=9 \
		signal_name=SIGKILL core=false exit_status=9)" 1 "the child's exit: SIGKILL"
	expect_eq "$(ks_count ks type=event "pid=$WPID" code=0 signal=0)" 1 "the workload's exit"
	pass
}

t_exit_failed_only() {
	exit_run -x exit 7
	expect_eq "$(ks_count ks type=event)" 1 "exits with -x"
	expect_eq "$(ks_count ks type=event "pid=$CPID" code=7 exit_status=1792)" 1 "the child's exit"
	pass
}

# -p filters on the exiting process: only the workload itself, not its child.
t_exit_pid() {
	wl_start wl exit 0
	_pid=$(ks_pid wl)
	ks_trace_json ks wl exitsnoop --json -p "$_pid"
	expect_eq "$(ks_count ks type=event)" 1 "exits with -p"
	expect_eq "$(ks_count ks type=event "pid=$_pid" code=0)" 1 "the workload's exit"
	pass
}

# --threads: single-threaded processes give the same exits.
t_exit_threads() {
	exit_run --threads exit 5
	expect_eq "$(ks_count ks type=event)" 2 "exits with --threads"
	expect_eq "$(ks_count ks type=event "pid=$CPID" "tid=$CPID" code=5)" 1 "the child's exit"
	pass
}

t_exit_text() {
	ks_cg_create t
	wl_start wl killed
	_w=$(ks_pid wl)
	ks_cg_move "$_w" "$KS_CG"
	ks_start ks exitsnoop -c "$KS_CG"
	ks_attached ks
	wl_run wl
	_c=$(head -n 1 "$KS_TMP/wl.out")
	ks_stop ks
	expect_rc ks 0
	_o=$KS_TMP/ks.out
	head -n 1 "$_o" | grep -q '^PCOMM  *PID  *PPID  *TID  *AGE(s)  *EXIT$' ||
		fail "header: $(ks_first_line "$_o")"
	expect_eq "$(ks_lines "$_o")" 3 "lines (header + 2 exits)"
	expect_eq "$(awk -v c="$_c" -v w="$_w" '$2 == c { print $1, $3, $4, $6, $7, $8 }' "$_o")" \
		"workload $_w $_c signal 9 (SIGKILL)" "the child's line"
	expect_eq "$(awk -v w="$_w" '$2 == w { print $1, $4, $6, $7 }' "$_o")" \
		"workload $_w code 0" "the workload's line"
	expect_grep "$KS_TMP/ks.err" "2 events, 0 lost" "end message"
	pass
}
