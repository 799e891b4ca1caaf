# SPDX-License-Identifier: GPL-2.0-only
# runqlat: schedload's spinners share one CPU; each thread's samples are its switch-ins,
# as the kernel counts them, and add up to its run-queue delay.

ks_test runqlat/threads t_rq_threads
for _m in tp_btf raw_tp; do
	ks_test "runqlat/attach/$_m" t_rq_threads "$_m"
done
ks_test runqlat/process t_rq_process
ks_test runqlat/cgroup t_rq_cgroup
ks_test runqlat/pidns t_rq_pidns
# -H: text and intervals are kscope's own (user space), the same on every kernel
ks_test -H runqlat/interval t_rq_interval
ks_test -H runqlat/text t_rq_text
ks_test -H runqlat/one_key t_rq_one_key

SPIN_MS=$(ks_scaled 1000 250)

# rq_rows NAME: the rows of all reports of run NAME, one JSON object per line.
rq_rows() {
	"$H/jsonq" -w type=histograms -g 'rows.*' <"$KS_TMP/$1.out"
}

# rq_check_threads NAME WL: every spinner of schedload WL has a row in run NAME (-L) with
# one sample per switch-in (each one ends a wait: the spinners were made after kscope
# attached and only block at the end), less switch-ins the kernel did not trace (ftrace's
# record, ks_swtrace_start in lib.sh); no row belongs to another process. The waits of a
# thread fit in the window, one after another; they add up to at least half the run-queue
# delay schedstat counts (the two clocks are read at different points of a switch, and a
# stall of a virtual CPU between them moves time between the two tasks).
rq_check_threads() {
	rq_rows "$1" >"$KS_TMP/$1.rows"
	_main=$(awk '$1 == "main" { print $2 }' "$KS_TMP/$2.out")
	_tids=$(awk '$1 == "thread" { print $2 }' "$KS_TMP/$2.out")
	_win=$(sl_val "$2" window_ns)
	[ -n "$_tids" ] || fail "schedload printed no threads: $(ks_first_line "$KS_TMP/$2.err")"
	for _t in $("$H/jsonq" -g tid <"$KS_TMP/$1.rows"); do
		echo "$_tids $_main" | tr ' ' '\n' | grep -qx "$_t" || fail "row of tid $_t: not schedload's"
	done
	_i=0
	while read -r _w _t _p _pc _r _rd _e _ex; do
		[ "$_w" = thread ] || continue
		_row=$("$H/jsonq" -w "tid=$_t" <"$KS_TMP/$1.rows")
		[ -n "$_row" ] || fail "no row for spinner $_t"
		expect_eq "$(printf '%s\n' "$_row" | "$H/jsonq" -g comm)" "spin-$_i" "comm of $_t"
		_c=$(printf '%s\n' "$_row" | "$H/jsonq" -g count)
		_ns=$(printf '%s\n' "$_row" | "$H/jsonq" -g total_ns)
		ks_switched_in "$_t" "$(sl_switches "$2" "$_t")"
		note "tid $_t: $_c samples, $_ns ns; $KS_IN traced switch-ins; schedstat: $_pc switch-ins, $_rd ns"
		expect_eq "$_c" "$KS_IN" "samples of $_t (its traced switch-ins)"
		_bad=$(ks_hist_total_ok "$_row" 1000)
		[ -z "$_bad" ] || fail "tid $_t: $_bad"
		[ "$_ns" -le "$_win" ] || fail "tid $_t: $_ns ns waited, more than the $_win ns window"
		[ "$_ns" -ge $((_rd / 2)) ] || fail "tid $_t: $_ns ns waited, schedstat says $_rd ns"
		_i=$((_i + 1))
	done <"$KS_TMP/$2.out"
}

t_rq_threads() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	sl_start w spin 4 "$SPIN_MS"
	ks_start ks runqlat --json -L -p "$(ks_pid w)" ${_m:+--attach "$_m"}
	ks_attached ks
	ks_swtrace_begin "$KS_SL_FILTER"
	sl_go w
	ks_swtrace_stop
	ks_stop ks
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	expect_attach ks "$_m"
	expect_eq "$(ks_count ks type=histograms by=tid unit=usecs)" 1 "reports"
	rq_check_threads ks w
	pass
}

# -P: one row, the process; its count is the sum of -L's rows over the same time.
t_rq_process() {
	sl_start w spin 3 "$SPIN_MS"
	_w=$(ks_pid w)
	ks_start p runqlat --json -P -p "$_w"
	ks_start l runqlat --json -L -p "$_w"
	ks_attached p
	ks_attached l
	sl_go w
	ks_stop p
	ks_stop l
	sl_end w
	expect_rc p 0
	expect_rc l 0
	ks_json_ok p
	expect_eq "$(ks_count p type=histograms by=pid 'rows#=1' "rows.0.pid=$_w" rows.0.comm=schedload)" 1 \
		"one row: schedload's pid"
	_sum=$(rq_rows l | "$H/jsonq" -g count | awk '{ s += $1 } END { print s + 0 }')
	expect_eq "$(rq_rows p | "$H/jsonq" -g count)" "$_sum" "-P count = sum of -L counts"
	pass
}

# -c: the woken tasks are filtered by their cgroup (ks_filter_task); --per-cgroup names it.
t_rq_cgroup() {
	ks_cg_create rq
	sl_start w spin 3 "$SPIN_MS"
	ks_cg_move "$(ks_pid w)" "$KS_CG"
	ks_start l runqlat --json -L -c "$KS_CG"
	ks_start g runqlat --json --per-cgroup -c "$KS_CG"
	ks_attached l
	ks_attached g
	ks_swtrace_begin "$KS_SL_FILTER"
	sl_go w
	ks_swtrace_stop
	ks_stop l
	ks_stop g
	sl_end w
	expect_rc l 0
	expect_rc g 0
	ks_json_ok g
	rq_check_threads l w
	_path=/${KS_CG#"$(ks_cg2_root)"/}
	expect_eq "$(ks_count g type=histograms by=cgroup 'rows#=1' "rows.0.cgroup=$_path" 'rows.0.cgroup_id>0')" 1 \
		"one row: the cgroup $_path"
	_sum=$(rq_rows l | "$H/jsonq" -g count | awk '{ s += $1 } END { print s + 0 }')
	expect_eq "$(rq_rows g | "$H/jsonq" -g count)" "$_sum" "cgroup count = sum of -L counts"
	pass
}

t_rq_pidns() {
	sl_start w spin 2 "$(ks_scaled 300 100)"
	_ns=$(readlink "/proc/$(ks_pid w)/ns/pid" | tr -dc '0-9')
	ks_start ks runqlat --json --pidnss -p "$(ks_pid w)"
	ks_attached ks
	sl_go w
	ks_stop ks
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=histograms by=pidns 'rows#=1' "rows.0.pidns=$_ns" 'rows.0.count>0')" 1 \
		"one row: pid namespace $_ns"
	pass
}

# interval 0.4, count 3: three reports, then it ends by itself. The spinners spin from
# before it starts until after it ends (hold), so they wait for their CPU in its time.
t_rq_interval() {
	sl_start w hold 2
	wl_go w
	sl_wait_line w spinning
	ks_start ks runqlat --json -p "$(ks_pid w)" 0.4 3
	ks_wait ks "$KS_WAIT"
	wl_go w
	ks_wait_until "$KS_WAIT" _ks_sl_done w || fail "schedload w not done after $KS_WAIT s"
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_lines "$KS_TMP/ks.out")" 5 "lines: meta, 3 reports, summary"
	expect_eq "$(ks_count ks type=histograms by=all)" 3 "reports"
	[ "$(rq_rows ks | "$H/jsonq" -g count | awk '{ s += $1 } END { print s + 0 }')" -gt 0 ] ||
		fail "no samples in 3 reports"
	pass
}

t_rq_text() {
	sl_start w spin 2 "$(ks_scaled 300 100)"
	ks_start ks runqlat -m -L -p "$(ks_pid w)"
	ks_attached ks
	sl_go w
	ks_stop ks
	sl_end w
	expect_rc ks 0
	_t=$(awk '$1 == "thread" { print $2; exit }' "$KS_TMP/w.out")
	expect_grep "$KS_TMP/ks.out" "tid = $_t (spin-0)" "the first spinner's histogram"
	grep -q '^ *msecs  *: count  *distribution$' "$KS_TMP/ks.out" ||
		fail "no msecs histogram header: $(ks_first_line "$KS_TMP/ks.out")"
	pass
}

# Keys exclude each other.
t_rq_one_key() {
	ks_run b runqlat -P -L -d 1
	expect_rc b 2
	expect_one_line "$KS_TMP/b.err" "-P -L"
	expect_grep "$KS_TMP/b.err" "choose one" "message"
	pass
}
