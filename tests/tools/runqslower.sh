# SPDX-License-Identifier: GPL-2.0-only
# runqslower: schedload's spinners share one CPU, so they wait for it. With threshold 0
# every wait is an event: one per switch-in of each spinner (it was made after kscope
# attached, and every switch-in of a thread that never blocks ends a wait; less those the
# kernel did not trace: ks_swtrace_start in lib.sh), on that CPU,
# after a task that is never itself; with a threshold, the events are those waits of at
# least that long. Which task came before a wait depends on what else runs on that CPU:
# its fields must agree with what the workload knows about its own threads.

ks_test runqslower/spinners t_rs_spinners
for _m in tp_btf raw_tp; do
	ks_test "runqslower/attach/$_m" t_rs_spinners "$_m"
done
# -H: the threshold, text: the same BPF and user space code on every kernel as the above
ks_test -H runqslower/threshold t_rs_threshold
ks_test -H runqslower/text t_rs_text
ks_test -H runqslower/bad_threshold t_rs_bad_threshold

# rs_check_events NAME WL: the events of run NAME (threshold 0) against schedload WL's spinners.
rs_check_events() {
	_w=$(ks_pid "$2")
	_cpu=$(sl_val "$2" cpu)
	_n=$(ks_count "$1" type=event)
	expect_eq "$(ks_count "$1" type=event "pid=$_w" 'latency_ns>0' "cpu=$_cpu" 'prev_tid>=0' \
		'prev_comm~')" "$_n" "events of schedload, on CPU $_cpu"
	_tids=$(awk '$1 == "thread" { print $2 }' "$KS_TMP/$2.out")
	_main=$(awk '$1 == "main" { print $2 }' "$KS_TMP/$2.out")
	_i=0
	_all=0
	for _t in $_tids; do
		_sw=$(sl_switches "$2" "$_t")
		ks_switched_in "$_t" "$_sw"
		# (named after the process until it names itself, right after its first run)
		_e=$(ks_count "$1" type=event "tid=$_t")
		note "tid $_t: $_e events, $_sw switches, $KS_IN traced switch-ins"
		expect_eq "$_e" "$KS_IN" "waits of spinner $_t (its traced switch-ins)"
		expect_eq $(($(ks_count "$1" type=event "tid=$_t" "comm=spin-$_i") +
			$(ks_count "$1" type=event "tid=$_t" comm=schedload))) "$_e" "events of $_t named spin-$_i"
		expect_eq "$(ks_count "$1" type=event "tid=$_t" "prev_tid=$_t")" 0 "events of $_t after itself"
		# a spinner before a wait: named as schedload knows it, at most once per switch-out
		_p=$(ks_count "$1" type=event "prev_tid=$_t")
		expect_eq $(($(ks_count "$1" type=event "prev_tid=$_t" "prev_pid=$_w" "prev_comm=spin-$_i") +
			$(ks_count "$1" type=event "prev_tid=$_t" "prev_pid=$_w" prev_comm=schedload))) \
			"$_p" "events after spinner $_t naming it"
		[ "$_p" -le "$_sw" ] || fail "$_p events after $_t, which left the CPU $_sw times"
		_all=$((_all + _e))
		_i=$((_i + 1))
	done
	[ "$_i" -gt 0 ] || fail "schedload printed no threads: $(ks_first_line "$KS_TMP/$2.err")"
	# the main thread's waits (woken by the trigger, made the threads) are the others
	expect_eq "$(ks_count "$1" type=event "tid=$_main")" $((_n - _all)) "events of the main thread"
	# before any event: schedload's own threads are named as such, other tasks are not
	expect_eq "$(ks_count "$1" type=event "prev_pid=$_w")" \
		"$(($(ks_count "$1" type=event "prev_pid=$_w" prev_comm=schedload) +
			$(ks_count "$1" type=event "prev_pid=$_w" 'prev_comm~spin-')))" "events after schedload's threads"
	note "$(ks_count "$1" type=event 'prev_comm~spin-') of $_n events followed another spinner"
}

t_rs_spinners() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	sl_start w spin 4 "$(ks_scaled 600 200)" "$(ks_last_cpu)"
	ks_start ks runqslower --json -p "$(ks_pid w)" 0 ${_m:+--attach "$_m"}
	ks_attached ks
	ks_swtrace_begin "$KS_SL_FILTER"
	sl_go w
	ks_swtrace_stop
	ks_stop ks
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	expect_attach ks "$_m"
	expect_eq "$(ks_count ks type=summary lost=0)" 1 "no lost events"
	rs_check_events ks w
	pass
}

# 1 ms, beside a run with threshold 0 over the same waits: every event is a wait of 1 ms
# or more, and there are as many as the waits of 1 ms or more the other run saw (the two
# runs time each wait from their own programs' clock readings, microseconds apart: waits
# within 10% of the threshold may fall on either side).
t_rs_threshold() {
	sl_start w spin 4 "$(ks_scaled 600 200)" "$(ks_last_cpu)"
	_w=$(ks_pid w)
	ks_start all runqslower --json -p "$_w" 0
	ks_start ks runqslower --json -p "$_w" 1000
	ks_attached all
	ks_attached ks
	ks_swtrace_begin "$KS_SL_FILTER"
	sl_go w
	ks_swtrace_stop
	ks_stop ks
	ks_stop all
	sl_end w
	expect_rc ks 0
	expect_rc all 0
	ks_json_ok ks
	expect_eq "$(ks_count all type=summary lost=0)" 1 "no lost events (threshold 0)"
	rs_check_events all w
	_n=$(ks_count ks type=event)
	expect_eq "$(ks_count ks type=event "pid=$_w" 'latency_ns>=1000000')" "$_n" "events of 1 ms or more"
	_hi=$(ks_count all type=event 'latency_ns>=1100000')
	_lo=$(ks_count all type=event 'latency_ns>=900000')
	note "$_n waits of 1 ms or more; with threshold 0: $_hi of 1.1 ms or more, $_lo of 0.9 ms or more"
	[ "$_n" -ge "$_hi" ] && [ "$_n" -le "$_lo" ] ||
		fail "$_n waits of 1 ms or more, but $_hi of 1.1 ms or more and $_lo of 0.9 ms or more with threshold 0"
	pass
}

# Text: a header, then one line per wait: with threshold 0, one for each switch-in of spin-0.
t_rs_text() {
	sl_start w spin 3 "$(ks_scaled 300 100)"
	ks_start ks runqslower -p "$(ks_pid w)" 0
	ks_attached ks
	ks_swtrace_begin "$KS_SL_FILTER"
	sl_go w
	ks_swtrace_stop
	ks_stop ks
	sl_end w
	expect_rc ks 0
	head -n 1 "$KS_TMP/ks.out" | grep -q '^COMM  *PID  *TID  *LAT(us)  *CPU  *PREV COMM  *PREV TID$' ||
		fail "header: $(ks_first_line "$KS_TMP/ks.out")"
	_t=$(awk '$1 == "thread" { print $2; exit }' "$KS_TMP/w.out")
	ks_switched_in "$_t" "$(sl_switches w "$_t")"
	# (named schedload until it names itself)
	expect_eq "$(awk -v t="$_t" '($1 == "spin-0" || $1 == "schedload") && $3 == t && $4 >= 0' \
		"$KS_TMP/ks.out" | wc -l | tr -d ' ')" "$KS_IN" "lines for spin-0 ($_t): its traced switch-ins"
	pass
}

t_rs_bad_threshold() {
	ks_run b runqslower abc
	expect_rc b 2
	expect_one_line "$KS_TMP/b.err" "runqslower abc"
	expect_grep "$KS_TMP/b.err" "MIN_US" "the message names MIN_US"
	ks_run b2 runqslower 10 20
	expect_rc b2 2
	expect_grep "$KS_TMP/b2.err" "unexpected argument '20'" "a second number"
	pass
}
