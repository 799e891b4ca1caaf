# SPDX-License-Identifier: GPL-2.0-only
# runqlen: three threads spin on one CPU from before kscope starts until after it ends
# (schedload hold), so every sample of that CPU sees at least two of them waiting, whatever
# else runs there: they never block, and other tasks only make the queue longer.

ks_test runqlen/queued t_rql_queued
ks_test runqlen/occupancy t_rql_occupancy

# rql_run NAME ARGS...: runqlen ARGS for a second while the spinners hold the last CPU.
rql_run() {
	_n=$1
	shift
	RQL_CPU=$(ks_last_cpu)
	sl_start w hold 3 "$RQL_CPU"
	wl_go w
	sl_wait_line w spinning
	ks_start "$_n" runqlen -C -F 99 -d 1 "$@"
	ks_wait "$_n" "$KS_WAIT"
	wl_go w
	ks_wait_until "$KS_WAIT" _ks_sl_done w || fail "schedload w not done after $KS_WAIT s"
	sl_end w
	expect_rc "$_n" 0
}

t_rql_queued() {
	rql_run ks --json
	ks_json_ok ks
	expect_eq "$(ks_count ks type=runqlen)" 1 "reports"
	"$H/jsonq" -w type=runqlen -g 'cpus.*' <"$KS_TMP/ks.out" | "$H/jsonq" -w "cpu=$RQL_CPU" \
		-g 'hist.buckets.*' >"$KS_TMP/buckets"
	_q=$("$H/jsonq" -w 'low>=2' -g count <"$KS_TMP/buckets" | awk '{ s += $1 } END { print s + 0 }')
	_short=$("$H/jsonq" -w 'low<2' -g count <"$KS_TMP/buckets" | awk '{ s += $1 } END { print s + 0 }')
	note "CPU $RQL_CPU: $_q samples with 2 or more tasks waiting, $_short with fewer"
	expect_eq "$_short" 0 "samples on CPU $RQL_CPU with fewer than 2 tasks waiting"
	[ "$_q" -gt 0 ] || fail "no sample of CPU $RQL_CPU: $(grep runqlen "$KS_TMP/ks.out" | cut -c1-400)"
	pass
}

t_rql_occupancy() {
	rql_run ks -O
	# "cpu = N" then "runqocc:  P%  (Q of S samples with tasks waiting)"
	_line=$(grep -A1 "^cpu = $RQL_CPU\$" "$KS_TMP/ks.out" | sed -n 2p)
	_q=$(echo "$_line" | sed -n 's/.*(\([0-9]*\) of \([0-9]*\) samples.*/\1/p')
	_s=$(echo "$_line" | sed -n 's/.*(\([0-9]*\) of \([0-9]*\) samples.*/\2/p')
	[ -n "$_q" ] && [ "$_q" -gt 0 ] && [ "$_q" = "$_s" ] ||
		fail "occupancy line for CPU $RQL_CPU: '$_line' (every sample has tasks waiting)"
	case $_line in *" 100.00%"* | *" 100%"* | *"100.0%"*) ;; *) fail "occupancy of CPU $RQL_CPU not 100%: '$_line'" ;; esac
	pass
}
