# SPDX-License-Identifier: GPL-2.0-only
# tcprtt: tcpretransload sends data over loopback in a network namespace of its own (nothing
# dropped), so every sample of that namespace is the helper's two sockets': per local port,
# exactly its listener's accepted socket and its client; a port filter that is not theirs
# keeps none;
# one histogram holds as many samples as the per-port ones together.

ks_test tcprtt/ports t_rtt_ports
for _m in tp_btf raw_tp; do
	ks_test "tcprtt/ports/$_m" t_rtt_ports "$_m"
done
ks_test -H tcprtt/conflict t_rtt_conflict

t_rtt_ports() {
	_m=${1:-}
	ks_bg rt "$H/tcpretransload" --netns-new data 200000 0
	_wl_ready rt
	_pid=$(ks_pid rt)
	_ns=$(awk '$1 == "netns" { print $2 }' "$KS_TMP/rt.out")
	ks_start ks tcprtt --json ${_m:+--attach "$_m"} --by lport -p "$_pid" --netns "$_ns"
	ks_start all tcprtt --json --netns "$_ns"
	ks_start none tcprtt --json --netns "$_ns" --lport 1
	ks_attached ks
	ks_attached all
	ks_attached none
	sl_go rt
	_port=$(awk '$1 == "port" { print $2 }' "$KS_TMP/rt.out")
	_lport=$(awk '$1 == "connected" { print $2 }' "$KS_TMP/rt.out")
	ks_stop ks
	expect_rc ks 0
	ks_stop all
	expect_rc all 0
	ks_stop none
	expect_rc none 0
	sl_end rt
	ks_json_ok ks
	expect_attach ks "$_m"
	_n=$(ks_elems_sum ks histograms rows count)
	note "$_n samples: $(ks_elems ks histograms rows | "$H/jsonq" -g lport -g count | tr '\n' ' ')"
	[ "$_n" -gt 0 ] || fail "no sample of the helper's sockets"
	expect_eq "$(ks_elems_sum ks histograms rows count "lport=$_port")" \
		"$(($_n - $(ks_elems_sum ks histograms rows count "lport=$_lport")))" \
		"samples of the server's port $_port and the client's $_lport"
	expect_eq "$(ks_elems_sum all histograms rows count)" "$_n" "samples in one histogram"
	expect_eq "$(ks_elems_sum none histograms rows count)" 0 "samples with --lport 1"
	pass
}

t_rtt_conflict() {
	ks_run ks tcprtt -B --by lport
	expect_rc ks 2
	expect_one_line "$KS_TMP/ks.err" "bad input"
	expect_grep "$KS_TMP/ks.err" "kscope: tcprtt: -B, -b and --by conflict" "message"
	pass
}
