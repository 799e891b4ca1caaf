# SPDX-License-Identifier: GPL-2.0-only
# runqlen: three threads spin on one CPU, so while they run that CPU's queue holds two
# waiting tasks (at least) in most samples.

ks_test runqlen/queued t_rql_queued
ks_test runqlen/occupancy t_rql_occupancy

RQL_MS=$(ks_scaled 1500 500)

# The CPU the spinners share: the last online one.
rql_cpu() {
	sed 's/.*[-,]//' /sys/devices/system/cpu/online
}

t_rql_queued() {
	_cpu=$(rql_cpu)
	stk_start w spin 3 "$_cpu" "$RQL_MS"
	ks_start ks runqlen -C -F 99 --json
	ks_attached ks
	wl_run w
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=runqlen)" 1 "reports"
	# Samples on that CPU with 2 or more tasks waiting.
	_q=$("$H/jsonq" -w type=runqlen -g 'cpus.*' <"$KS_TMP/ks.out" | "$H/jsonq" -w "cpu=$_cpu" \
		-g 'hist.buckets.*' | "$H/jsonq" -w 'low>=2' -g count | awk '{ s += $1 } END { print s + 0 }')
	# 99 Hz for RQL_MS: at least half of those samples saw the two waiting spinners.
	_want=$((99 * RQL_MS / 1000 / 2))
	[ "$_q" -ge "$_want" ] ||
		fail "only $_q samples on CPU $_cpu with 2+ tasks waiting, expected $_want or more: $(grep runqlen "$KS_TMP/ks.out" | cut -c1-400)"
	pass
}

t_rql_occupancy() {
	_cpu=$(rql_cpu)
	stk_start w spin 3 "$_cpu" "$RQL_MS"
	ks_start ks runqlen -C -O
	ks_attached ks
	wl_run w
	ks_stop ks
	expect_rc ks 0
	# "cpu = N" then "runqocc:  P%  (Q of S samples with tasks waiting)"
	_line=$(grep -A1 "^cpu = $_cpu\$" "$KS_TMP/ks.out" | sed -n 2p)
	_qd=$(echo "$_line" | sed -n 's/.*(\([0-9]*\) of \([0-9]*\) samples.*/\1/p')
	[ -n "$_qd" ] && [ "$_qd" -ge $((99 * RQL_MS / 1000 / 2)) ] ||
		fail "occupancy line for CPU $_cpu: '$_line'"
	pass
}
