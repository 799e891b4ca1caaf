# SPDX-License-Identifier: GPL-2.0-only
# runqslower: schedload's spinners share one CPU, so they wait for each other: each wait
# of 1 ms or more is one event naming the spinner and, mostly, another spinner before it.

ks_test runqslower/spinners t_rs_spinners
for _m in tp_btf raw_tp; do
	ks_test "runqslower/attach/$_m" t_rs_spinners "$_m"
done
ks_test runqslower/text t_rs_text
ks_test -H runqslower/bad_threshold t_rs_bad_threshold

t_rs_spinners() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	sl_start w spin 4 "$(ks_scaled 600 200)"
	_w=$(ks_pid w)
	ks_start ks runqslower --json -p "$_w" 1000 ${_m:+--attach "$_m"}
	ks_attached ks
	sl_go w
	ks_stop ks
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	expect_attach ks "$_m"
	_n=$(ks_count ks type=event)
	expect_eq "$(ks_count ks type=event "pid=$_w" 'latency_ns>=1000000' 'cpu>=0' 'prev_tid>=0' \
		'prev_comm~')" "$_n" "events of schedload, 1 ms or more"
	_tids=$(awk '$1 == "thread" { print $2 }' "$KS_TMP/w.out")
	_i=0
	_prev_spin=0
	for _t in $_tids; do
		_pc=$(awk -v t="$_t" '$1 == "thread" && $2 == t { print $4 }' "$KS_TMP/w.out")
		_e=$(ks_count ks type=event "tid=$_t" "comm=spin-$_i")
		note "tid $_t: $_e events, $_pc switch-ins"
		[ "$_e" -gt 0 ] || fail "no event for spinner $_t (spin-$_i)"
		[ "$_e" -le "$_pc" ] || fail "tid $_t: $_e events, more than its $_pc switch-ins"
		# the task before it on that CPU: mostly another spinner (other processes that
		# happen to run on that CPU take turns too: the machine is never idle)
		_ps=0
		for _p in $_tids; do
			[ "$_p" = "$_t" ] && continue
			_ps=$((_ps + $(ks_count ks type=event "tid=$_t" "prev_tid=$_p" "prev_pid=$_w" \
				"prev_comm~spin-")))
		done
		note "tid $_t followed another spinner $_ps times"
		_prev_spin=$((_prev_spin + _ps))
		_i=$((_i + 1))
	done
	note "$_prev_spin of $_n events followed another spinner"
	# at least an eighth; on emulated guests, where kernel threads take many of the turns,
	# at least one
	_share=8
	[ -z "${KS_GUEST:-}" ] || _share=$((_n + 1))
	[ "$_prev_spin" -gt 0 ] && [ $((_prev_spin * _share)) -ge "$_n" ] ||
		fail "only $_prev_spin of $_n events followed another spinner"
	pass
}

t_rs_text() {
	sl_start w spin 3 "$(ks_scaled 300 100)"
	ks_start ks runqslower -p "$(ks_pid w)" 1000
	ks_attached ks
	sl_go w
	ks_stop ks
	sl_end w
	expect_rc ks 0
	head -n 1 "$KS_TMP/ks.out" | grep -q '^COMM  *PID  *TID  *LAT(us)  *CPU  *PREV COMM  *PREV TID$' ||
		fail "header: $(ks_first_line "$KS_TMP/ks.out")"
	_t=$(awk '$1 == "thread" { print $2; exit }' "$KS_TMP/w.out")
	[ -n "$(awk -v t="$_t" '$1 == "spin-0" && $3 == t && $4 >= 1000' "$KS_TMP/ks.out")" ] ||
		fail "no line for spin-0 ($_t) waiting 1000 us or more"
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
