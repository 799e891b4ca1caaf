# SPDX-License-Identifier: GPL-2.0-only
# cpudist: schedload's spinners' slices on CPU, and a blocked thread's slices off CPU, held
# against what the workload proves it did: its threads' context switches (one slice each),
# the window all slices fit in, reads K that each block for M ms or more.

ks_test cpudist/oncpu t_cd_oncpu
for _m in tp_btf raw_tp tracepoint; do
	ks_test "cpudist/attach/$_m" t_cd_oncpu "$_m"
done
ks_test cpudist/offcpu t_cd_offcpu
ks_test cpudist/offcpu_ms t_cd_offcpu -m
ks_test cpudist/process t_cd_process

K=10
M=20

# On CPU, per thread: a slice ends at each switch-out, and the spinners were made after
# kscope attached, so each one's count is exactly its context switches (less switch-ins
# the kernel did not trace: ks_swtrace_start in lib.sh). Their slices share one CPU, one
# after another: together they fit in the window. Each ran for its run time, as the kernel
# counts it (less a VM's stolen time): at least half of that is asked (a stall of the
# virtual CPU between the scheduler's clock reading and the tracepoint moves time between
# the two tasks of that switch).
t_cd_oncpu() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	sl_start w spin 3 "$(ks_scaled 600 200)" "$(ks_last_cpu)"
	ks_start ks cpudist --json -L -p "$(ks_pid w)" ${_m:+--attach "$_m"}
	ks_attached ks
	ks_swtrace_begin "$KS_SL_FILTER"
	sl_go w
	ks_swtrace_stop
	ks_stop ks
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	expect_attach ks "$_m"
	"$H/jsonq" -w type=histograms -g 'rows.*' <"$KS_TMP/ks.out" >"$KS_TMP/rows"
	_win=$(sl_val w window_ns)
	_i=0
	_sum=0
	while read -r _w _t _p _pc _r _rd _e _ex; do
		[ "$_w" = thread ] || continue
		_row=$("$H/jsonq" -w "tid=$_t" -w "comm=spin-$_i" <"$KS_TMP/rows")
		[ -n "$_row" ] || fail "no row for spinner $_t (spin-$_i)"
		_c=$(printf '%s\n' "$_row" | "$H/jsonq" -g count)
		_ns=$(printf '%s\n' "$_row" | "$H/jsonq" -g total_ns)
		_sw=$(sl_switches w "$_t")
		ks_switched_in "$_t" "$_sw"
		note "tid $_t: $_c slices, $_ns ns; its switches: $_sw ($KS_IN traced), run time $_ex ns (schedstat: $_pc switch-ins)"
		expect_eq "$_c" "$KS_IN" "slices of $_t (its traced switch-ins)"
		_bad=$(ks_hist_total_ok "$_row" 1000)
		[ -z "$_bad" ] || fail "tid $_t: $_bad"
		[ "$_ns" -ge $((_ex / 2)) ] || fail "tid $_t: $_ns ns on CPU, but it ran $_ex ns"
		_sum=$((_sum + _ns))
		_i=$((_i + 1))
	done <"$KS_TMP/w.out"
	[ "$_i" = 3 ] || fail "$_i spinners in schedload's output"
	[ "$_sum" -le "$_win" ] || fail "the spinners' slices add up to $_sum ns, more than the $_win ns they all fit in"
	# the spinners and the main thread (which made them), no other thread
	_ours=$(awk '$1 == "thread" || $1 == "main" { print $2 }' "$KS_TMP/w.out")
	for _t in $("$H/jsonq" -g tid <"$KS_TMP/rows"); do
		echo "$_ours" | grep -qx "$_t" || fail "row of tid $_t: not schedload's"
	done
	pass
}

# Off CPU (-O), the blocker thread: created after kscope attached, so each of its switch-ins
# ends a slice that began at its previous switch-out, and its last switch-out (blocked for
# good) has no end yet: its context switches less one. K of its slices are reads that
# blocked M ms or more (log2 bucket from 16384 us: 16 ms), so they add up to K x M ms at
# least; all of them fit in the window. A switch-in the kernel did not trace ends no
# slice (ks_swtrace_start in lib.sh); its other slices, if any, are waits for a CPU of any
# length. The main thread's row is not checked.
t_cd_offcpu() {
	sl_start w block "$K" "$M"
	ks_start ks cpudist --json -O -L ${1:-} -p "$(ks_pid w)"
	ks_attached ks
	ks_swtrace_begin "$KS_SL_FILTER"
	sl_go w
	ks_swtrace_stop
	ks_stop ks
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	if [ "${1:-}" = -m ]; then _u=msecs _un=1000000; else _u=usecs _un=1000; fi
	_lo=$((16384000 / _un))
	_t=$(awk '$1 == "blocker" { print $2 }' "$KS_TMP/w.out")
	[ -n "$_t" ] || fail "no blocker in schedload's output: $(ks_first_line "$KS_TMP/w.err")"
	_sw=$(($(sl_val w vol "$_t") + $(sl_val w invol "$_t")))
	_max=$(sl_val w max_read_ns "$_t")
	_win=$(sl_val w window_ns "$_t")
	_row=$("$H/jsonq" -w type=histograms -w "unit=$_u" -g 'rows.*' <"$KS_TMP/ks.out" |
		"$H/jsonq" -w "tid=$_t" -w comm=blocker)
	[ -n "$_row" ] || fail "no row for the blocker $_t"
	_c=$(printf '%s\n' "$_row" | "$H/jsonq" -g count)
	_ns=$(printf '%s\n' "$_row" | "$H/jsonq" -g total_ns)
	ks_switched_in "$_t" "$_sw"
	_h=$((_sw - KS_IN))
	note "blocker $_t: $_c slices, $_ns ns; $_sw switches ($_h switch-ins untraced), longest read $_max ns, window $_win ns"
	# its first switch-in ends no slice, whether traced or not
	expect_eq "$_c" $((KS_IN - 1 + $(ks_swtrace_first_hidden "$_t"))) \
		"slices off CPU (its traced switch-ins but the first)"
	_bad=$(ks_hist_total_ok "$_row" "$_un")
	[ -z "$_bad" ] || fail "$_bad"
	_b=$(printf '%s\n' "$_row" | "$H/jsonq" -g 'hist.buckets.*')
	_long=$(printf '%s\n' "$_b" | "$H/jsonq" -w "low>=$_lo" -g count | awk '{ s += $1 } END { print s + 0 }')
	[ "$_long" -ge $((K - _h)) ] ||
		fail "$_long slices from $_lo $_u on, expected $((K - _h)) or more (traced ends of reads of $M ms)"
	expect_eq "$(printf '%s\n' "$_b" | "$H/jsonq" -w "low>$((_win / _un))" -w 'count>0' -c)" 0 \
		"slices in buckets above the window ($_win ns)"
	[ "$_ns" -le "$_win" ] || fail "$_ns ns off CPU, more than the $_win ns window"
	[ "$_ns" -ge $(((K - _h) * M * 1000000)) ] ||
		fail "$_ns ns off CPU, less than its $((K - _h)) reads of $M ms with traced ends"
	pass
}

# -P: one row, the process, named after it.
t_cd_process() {
	sl_start w spin 2 "$(ks_scaled 300 100)"
	_w=$(ks_pid w)
	ks_start ks cpudist --json -P -p "$_w"
	ks_attached ks
	sl_go w
	ks_stop ks
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=histograms by=pid 'rows#=1' "rows.0.pid=$_w" rows.0.comm=schedload \
		'rows.0.count>0')" 1 "one row: schedload"
	pass
}
