# SPDX-License-Identifier: GPL-2.0-only
# cpudist: schedload's spinners' slices on CPU (their switch-ins and run time as schedstat
# counts them), and a sleeper's K slices off CPU of about M ms each.

ks_test cpudist/oncpu t_cd_oncpu
for _m in tp_btf raw_tp tracepoint; do
	ks_test "cpudist/attach/$_m" t_cd_oncpu "$_m"
done
ks_test cpudist/offcpu t_cd_offcpu
ks_test cpudist/offcpu_ms t_cd_offcpu -m
ks_test cpudist/process t_cd_process

K=10
M=20

t_cd_oncpu() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	sl_start w spin 3 "$(ks_scaled 600 200)"
	ks_start ks cpudist --json -L -p "$(ks_pid w)" ${_m:+--attach "$_m"}
	ks_attached ks
	sl_go w
	ks_stop ks
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	expect_attach ks "$_m"
	"$H/jsonq" -w type=histograms -g 'rows.*' <"$KS_TMP/ks.out" >"$KS_TMP/rows"
	_i=0
	while read -r _w _t _p _pc _r _rd _e _ex; do
		[ "$_w" = thread ] || continue
		_row=$("$H/jsonq" -w "tid=$_t" "-w" "comm=spin-$_i" <"$KS_TMP/rows")
		[ -n "$_row" ] || fail "no row for spinner $_t (spin-$_i)"
		_c=$(printf '%s\n' "$_row" | "$H/jsonq" -g count)
		_ns=$(printf '%s\n' "$_row" | "$H/jsonq" -g total_ns)
		note "tid $_t: $_c slices, $_ns ns; schedstat: $_pc switch-ins, $_ex ns"
		if [ "$_pc" -gt 0 ]; then
			sc_close "$_c" "$_pc" || fail "tid $_t: $_c slices, schedstat counts $_pc"
			_d=$((_ns - _ex))
			[ "${_d#-}" -le $((_ex / 20 + 20000000)) ] ||
				fail "tid $_t: $_ns ns on CPU, schedstat says $_ex ns"
		fi
		_i=$((_i + 1))
	done <"$KS_TMP/w.out"
	[ "$_i" = 3 ] || fail "$_i spinners in schedload's output"
	pass
}

# K sleeps of M ms: exactly K slices in the log2 bucket holding M ms (and maybe a little
# more: timer slack, wake-up latency), none longer.
t_cd_offcpu() {
	sl_start w sleep "$K" "$M"
	ks_start ks cpudist --json -O ${1:-} -p "$(ks_pid w)"
	ks_attached ks
	sl_go w
	ks_stop ks
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	if [ "${1:-}" = -m ]; then _lo=16 _u=msecs; else _lo=16384 _u=usecs; fi
	expect_eq "$(ks_count ks type=histograms by=all "unit=$_u" 'rows#=1')" 1 "one histogram"
	_b=$("$H/jsonq" -w type=histograms -g 'rows.0.hist.buckets.*' <"$KS_TMP/ks.out")
	expect_eq "$(printf '%s\n' "$_b" | "$H/jsonq" -w "low=$_lo" -g count)" "$K" \
		"slices in the bucket from $_lo $_u"
	expect_eq "$(printf '%s\n' "$_b" | "$H/jsonq" -w "low>$_lo" -w 'count>0' -c)" 0 \
		"slices longer than that bucket"
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
