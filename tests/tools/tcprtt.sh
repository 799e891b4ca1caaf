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
ks_test tcprtt/tbf t_rtt_tbf

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

# t_rtt_tbf: a path made slow by a token bucket on the client's side of a veth pair (100
# kbit/s, a bucket of one packet: each 1000-byte request waits about 84 ms for its tokens),
# a ping-pong of 40 rounds: the client's smoothed RTT climbs to that and stays. Most of its
# samples fall in the log2 bucket (ms) of the RTT ss -ti shows for the socket at the end,
# and that bucket is the fullest; only the client's socket has that remote address.
t_rtt_tbf() {
	ks_which ss >/dev/null || skip "no ss(8) to compare with"
	ks_netns_veth
	_a=$KS_NSA _b=$KS_NSB
	ks_tbf "$_a" "$KS_VETH1" 100kbit 1600
	nl_ns_start srv "$_b" server "$KS_IP2" 0 --pingpong 40 --size 1000
	wl_go srv
	nl_wait_line srv '^listening '
	_port=$(nl_port srv)
	nl_ns_start cli "$_a" client "$KS_IP2" "$_port" --pingpong 40 --size 1000
	ks_start ks tcprtt -m --json --netns "$(ks_netns_inode "$_a")" --raddr "$KS_IP2"
	ks_attached ks
	wl_go cli
	# ss's view of the client's socket while it runs; the last one is the RTT it settled at
	: >"$KS_TMP/ss.rtt"
	while ! grep -q '^pingpong ' "$KS_TMP/cli.out" && ! ks_done cli; do
		ip netns exec "$_a" ss -tin dst "$KS_IP2" 2>/dev/null |
			sed -n 's/.* rtt:\([0-9.]*\)\/.*/\1/p' | tail -n 1 >"$KS_TMP/ss.now"
		[ -s "$KS_TMP/ss.now" ] && cp "$KS_TMP/ss.now" "$KS_TMP/ss.rtt"
		sleep 0.2
	done
	nl_wait_done cli
	nl_wait_done srv
	sl_end cli
	sl_end srv
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(nl_lines cli pingpong)" 1 "the client's ping-pong"
	_rtt=$(cat "$KS_TMP/ss.rtt")
	[ -n "$_rtt" ] || fail "ss showed no RTT for the client's socket"
	# the bucket [low, 2 low) of ss's RTT in ms
	_low=$(awk -v r="$_rtt" 'BEGIN { l = 1; while (l * 2 <= r) l *= 2; print (r < 1 ? 0 : l) }')
	"$H/jsonq" -w type=histograms -g rows <"$KS_TMP/ks.out" | tail -n 1 |
		awk '{ s = $0; while (match(s, /"low":[0-9]+,"high":[0-9]+,"count":[0-9]+/)) {
				split(substr(s, RSTART, RLENGTH), f, /[:,]/)
				c[f[2]] += f[6]; n += f[6]; s = substr(s, RSTART + RLENGTH) }
			m = -1; for (k in c) if (c[k] > m) { m = c[k]; top = k }
			printf "%s %d %d\n", top, m, n }' >"$KS_TMP/buckets"
	read -r _top _in _all <"$KS_TMP/buckets"
	note "ss rtt ${_rtt} ms (bucket from $_low ms); fullest bucket from $_top ms: $_in of $_all samples"
	[ "${_all:-0}" -gt 0 ] || fail "no RTT sample of the client's socket"
	expect_eq "$_top" "$_low" "the fullest bucket's low end (ms) against ss's RTT"
	[ $((2 * _in)) -ge "$_all" ] || fail "only $_in of $_all samples in the bucket of ss's RTT"
	pass
}
