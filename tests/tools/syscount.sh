# SPDX-License-Identifier: GPL-2.0-only
# syscount: a workload calls getppid exactly K times (or fails openat N times); exact counts.
#
# What else the workload does once triggered is known too: its rt_sigsuspend returns (EINTR:
# it was entered before kscope attached), the signal handler returns through rt_sigreturn,
# then exit_group, which never returns and so is never counted.

K=1000
N=30

ks_test syscount/by_syscall t_sc_by_syscall
for _m in tp_btf raw_tp tracepoint; do
	ks_test "syscount/attach/$_m" t_sc_by_syscall "$_m"
done
ks_test syscount/by_process t_sc_by_process
ks_test syscount/totals_agree t_sc_totals_agree
ks_test syscount/latency t_sc_latency
ks_test syscount/errno t_sc_errno
ks_test syscount/failures t_sc_failures
ks_test syscount/top t_sc_top
# -H: intervals and text are kscope's own (user space), the same on every kernel
ks_test -H -t 300 syscount/interval t_sc_interval
ks_test -H syscount/text t_sc_text
ks_test -H syscount/text_latency t_sc_text_latency
ks_test syscount/list t_sc_list

# sc_run NAME WORKLOAD-ARGS -- KSCOPE-ARGS: trace one workload with -p; sets WPID.
sc_run() {
	_n=$1
	shift
	_w=
	while [ "$1" != -- ]; do
		_w="$_w $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	wl_start "w$_n" $_w
	WPID=$(ks_pid "w$_n")
	ks_start "$_n" syscount --json -p "$WPID" "$@"
	ks_attached "$_n"
	wl_run "w$_n"
	ks_stop "$_n"
	expect_rc "$_n" 0
	ks_json_ok "$_n"
	expect_eq "$(ks_count "$_n" type=syscalls)" 1 "reports"
}

# The one report's rows, one compact JSON object per line.
sc_rows() {
	"$H/jsonq" -w type=syscalls -g 'rows.*' <"$KS_TMP/$1.out"
}

# Sum of the count members of all rows of all reports.
sc_total() {
	"$H/jsonq" -w type=syscalls -g 'rows.*' <"$KS_TMP/$1.out" | "$H/jsonq" -g count |
		awk '{ s += $1 } END { print s + 0 }'
}

t_sc_by_syscall() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	sc_run ks getppid "$K" -- ${_m:+--attach "$_m"}
	expect_attach ks "$_m"
	expect_eq "$(ks_count ks type=syscalls by=syscall 'rows.0.syscall=getppid' "rows.0.count=$K" \
		'rows.0.nr>=0' '!rows.0.total_ns')" 1 \
		"getppid counted $K times, first row"
	expect_eq "$(sc_rows ks | "$H/jsonq" -c -w syscall=rt_sigsuspend -w count=1)" 1 \
		"rt_sigsuspend counted once"
	pass
}

t_sc_by_process() {
	sc_run ks getppid "$K" -- -P
	expect_eq "$(ks_count ks type=syscalls by=process 'rows#=1' "rows.0.pid=$WPID" \
		rows.0.comm=workload "rows.0.count=$((K + 1))")" 1 \
		"one row: the workload, $K getppid + rt_sigsuspend (rt_sigreturn returns with its number rewritten: not counted)"
	pass
}

# Counting by syscall and by process sees the same calls.
t_sc_totals_agree() {
	wl_start wl getppid "$K"
	WPID=$(ks_pid wl)
	ks_start s syscount --json -p "$WPID"
	ks_start p syscount --json -P -p "$WPID"
	ks_attached s
	ks_attached p
	wl_run wl
	ks_stop s
	ks_stop p
	expect_rc s 0
	expect_rc p 0
	expect_eq "$(sc_total s)" "$(sc_total p)" \
		"total by syscall ($(sc_rows s | tr '\n' ' ')) vs by process"
	pass
}

t_sc_latency() {
	sc_run ks getppid "$K" -- -L
	_row=$(sc_rows ks | "$H/jsonq" -w syscall=getppid)
	[ -n "$_row" ] || fail "no getppid row"
	expect_eq "$(printf '%s\n' "$_row" | "$H/jsonq" -g count)" "$K" "getppid count"
	_t=$(printf '%s\n' "$_row" | "$H/jsonq" -g total_ns)
	_a=$(printf '%s\n' "$_row" | "$H/jsonq" -g avg_ns)
	_x=$(printf '%s\n' "$_row" | "$H/jsonq" -g max_ns)
	[ "$_t" -gt 0 ] || fail "total_ns $_t"
	expect_eq "$_a" "$((_t / K))" "avg_ns = total_ns / count"
	[ "$_x" -ge "$_a" ] && [ "$_x" -le "$_t" ] || fail "max_ns $_x not within [avg $_a, total $_t]"
	# rt_sigsuspend was entered before kscope attached: no start time, not counted with -L
	expect_eq "$(sc_rows ks | "$H/jsonq" -c -w syscall=rt_sigsuspend)" 0 "rt_sigsuspend with -L"
	pass
}

t_sc_errno() {
	os_d=$KS_TMP/files
	mkdir -p "$os_d"
	sc_run ks open-missing "$os_d/missing" "$N" -- -e ENOENT
	expect_eq "$(ks_count ks type=syscalls 'rows#=1' rows.0.syscall=openat "rows.0.count=$N")" 1 \
		"one row: openat $N times"
	sc_run k2 open-missing "$os_d/missing" "$N" -- -e 2
	expect_eq "$(ks_count k2 type=syscalls 'rows#=1' rows.0.syscall=openat "rows.0.count=$N")" 1 \
		"-e 2: one row: openat $N times"
	ks_run bad syscount -e EBOGUS -d 1
	expect_rc bad 2
	expect_one_line "$KS_TMP/bad.err" "-e EBOGUS"
	pass
}

# -x: failed calls only. In one cgroup: K successful getppid, N failed openat.
t_sc_failures() {
	mkdir -p "$KS_TMP/files"
	ks_cg_create x
	wl_start a getppid "$K"
	wl_start b open-missing "$KS_TMP/files/missing" "$N"
	ks_cg_move "$(ks_pid a)" "$KS_CG"
	ks_cg_move "$(ks_pid b)" "$KS_CG"
	ks_start ks syscount --json -x -c "$KS_CG"
	ks_attached ks
	wl_run a
	wl_run b
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(sc_rows ks | "$H/jsonq" -c -w syscall=openat -w "count=$N")" 1 "failed openat"
	expect_eq "$(sc_rows ks | "$H/jsonq" -c -w syscall=getppid)" 0 "getppid never fails"
	expect_eq "$(sc_rows ks | "$H/jsonq" -c -w syscall=rt_sigsuspend -w count=2)" 1 \
		"rt_sigsuspend (EINTR) once per workload"
	pass
}

t_sc_top() {
	sc_run ks getppid "$K" -- --top 1
	expect_eq "$(ks_count ks type=syscalls 'rows#=1' rows.0.syscall=getppid "rows.0.count=$K")" 1 \
		"--top 1: the busiest row only"
	pass
}

# interval I, count 3: three reports, then exit by itself; the counts add up. The workload
# must have ended while kscope ran: if its three intervals ended first (a busy machine),
# again with intervals four times as long.
t_sc_interval() {
	mkdir -p "$KS_TMP/files"
	for _iv in 1 4 16; do
		wl_start wl open-missing "$KS_TMP/files/missing" "$N"
		ks_start ks syscount --json -e ENOENT -p "$(ks_pid wl)" "$_iv" 3
		ks_attached ks
		wl_run wl
		ks_done ks || break
		note "kscope's 3 x $_iv s ended before the workload did: again"
		ks_wait ks "$KS_WAIT"
	done
	ks_wait ks $((3 * _iv + KS_WAIT))
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_lines "$KS_TMP/ks.out")" 5 "lines: meta, 3 reports, summary"
	expect_eq "$(ks_count ks type=syscalls)" 3 "reports"
	expect_eq "$(sc_total ks)" "$N" "openat failures over the reports"
	# three intervals at least; the end may come late on a busy machine, not 30 s late
	_d=$(tail -n 1 "$KS_TMP/ks.out" | "$H/jsonq" -g duration_ns)
	[ "$_d" -ge $((3 * _iv * 1000000000 - 100000000)) ] &&
		[ "$_d" -lt $(((3 * _iv + 30) * 1000000000)) ] || fail "duration_ns $_d for 3 x $_iv s"
	pass
}

t_sc_text() {
	wl_start wl getppid "$K"
	_pid=$(ks_pid wl)
	ks_start ks syscount -p "$_pid"
	ks_attached ks
	wl_run wl
	ks_stop ks
	expect_rc ks 0
	_o=$KS_TMP/ks.out
	head -n 1 "$_o" | grep -q '^SYSCALL  *COUNT$' || fail "header: $(ks_first_line "$_o")"
	expect_eq "$(sed -n 2p "$_o" | awk '{ print $1, $2, NF }')" "getppid $K 2" "first row"
	expect_eq "$(awk '$1 == "rt_sigsuspend" { print $2 }' "$_o")" 1 "rt_sigsuspend row"
	pass
}

t_sc_text_latency() {
	wl_start wl getppid "$K"
	_pid=$(ks_pid wl)
	ks_start ks syscount -L -m -P -p "$_pid"
	ks_attached ks
	wl_run wl
	ks_stop ks
	expect_rc ks 0
	_o=$KS_TMP/ks.out
	head -n 1 "$_o" | grep -q '^PID  *COMM  *COUNT  *TOTAL(ms)  *AVG(ms)  *MAX(ms)$' ||
		fail "header: $(ks_first_line "$_o")"
	expect_eq "$(sed -n 2p "$_o" | awk '{ print $1, $2, $3, NF }')" "$_pid workload $K 6" \
		"the process row (rt_sigsuspend entered before attach: not timed; rt_sigreturn: not counted)"
	pass
}

t_sc_list() {
	ks_run l syscount --list
	expect_rc l 0
	expect_eq "$(awk '$2 == "getppid"' "$KS_TMP/l.out" | wc -l | tr -d ' ')" 1 "getppid listed once"
	expect_eq "$(awk '$2 == "openat"' "$KS_TMP/l.out" | wc -l | tr -d ' ')" 1 "openat listed once"
	ks_run lj syscount --list --json
	expect_rc lj 0
	"$H/jsonq" --check <"$KS_TMP/lj.out" || fail "invalid JSON from --list --json"
	expect_eq "$(ks_count lj type=syscall name=getppid 'nr>=0' 'source~')" 1 "getppid in JSON"
	expect_eq "$("$H/jsonq" -w type=syscall -g nr <"$KS_TMP/lj.out" | sort -n | uniq -d | wc -l | tr -d ' ')" \
		0 "duplicate numbers"
	pass
}
