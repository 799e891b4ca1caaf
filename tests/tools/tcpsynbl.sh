# SPDX-License-Identifier: GPL-2.0-only
# tcpsynbl: a listener with backlog B that never accepts, in a network namespace of its own,
# and B + K clients: B + 1 connections complete, sampled with queue lengths 0 .. B against
# the limit B, and every SYN the full queue turned away is an overflow, exactly as many as
# the namespace's own TcpExtListenOverflows counted.

ks_test tcpsynbl/overflow t_sb_overflow 4 3 3
ks_test tcpsynbl/overflow/v6 t_sb_overflow 6 2 2
ks_test -H tcpsynbl/text t_sb_text

# sb_sum NAME MEMBER EXPR...: the sum of MEMBER over the rows of every report matching EXPR.
sb_sum() {
	_n=$1 _f=$2
	shift 2
	ks_elems_sum "$_n" tcpsynbl rows "$_f" "$@"
}

# t_sb_overflow FAMILY B K: B + K clients, interval reports (1 s) summed.
t_sb_overflow() {
	_b=$2 _k=$3 _six= _a=127.0.0.1 _fam=ipv4
	[ "$1" = 6 ] && _six=-6 _a=::1 _fam=ipv6
	# shellcheck disable=SC2086 # -6 or nothing
	nl_start nl --netns-new --snmp TcpExtListenOverflows,TcpExtListenDrops,TcpPassiveOpens \
		pair $_six --no-accept --backlog "$_b" --count $((_b + _k)) --timeout-ms 300
	_ns=$(nl_netns nl)
	nl_traced ks nl tcpsynbl 1
	_p=$(nl_port nl)
	_r="family=$_fam laddr=$_a lport=$_p netns=$_ns"
	_o=$(nl_snmp nl TcpExtListenOverflows)
	expect_eq "$(nl_lines nl connected)" $((_b + 1)) "connections completed (netload)"
	expect_eq "$(nl_snmp nl TcpPassiveOpens)" $((_b + 1)) "TcpPassiveOpens"
	expect_eq "$(nl_lines nl failed ETIMEDOUT)" $((_k - 1)) "connections timed out (netload)"
	# one dropped SYN per timed-out connection, more where a SYN was sent again
	[ "$_o" -ge $((_k - 1)) ] || fail "TcpExtListenOverflows $_o, below the $((_k - 1)) SYNs turned away"
	# shellcheck disable=SC2086 # the expressions have no spaces
	{
		expect_eq "$(sb_sum ks samples $_r)" $((_b + 1)) "connections sampled"
		expect_eq "$(sb_sum ks overflows $_r)" "$_o" "overflows against TcpExtListenOverflows"
		expect_eq "$(sb_sum ks overflows $_r)" "$(nl_snmp nl TcpExtListenDrops)" \
			"overflows against TcpExtListenDrops"
		_peak=$(ks_elems ks tcpsynbl rows $_r | "$H/jsonq" -g peak | sort -n | tail -n 1)
		expect_eq "$_peak" "$_b" "the longest queue sampled"
		expect_eq "$(ks_elems ks tcpsynbl rows $_r 'limit!='"$_b" | wc -l | tr -d ' ')" 0 \
			"rows whose limit is not the backlog $_b"
		# the queue lengths sampled were 0 .. B: their sum, and every sample in a bucket
		_sum=$(ks_elems ks tcpsynbl rows $_r | "$H/jsonq" -g 'hist.buckets.*' |
			"$H/jsonq" -g count | awk '{ s += $1 } END { print s + 0 }')
		expect_eq "$_sum" $((_b + 1)) "samples in the histograms' buckets"
	}
	expect_eq "$(sb_sum ks overflows)" "$_o" "overflows in the namespace (no other listener)"
	pass
}

# One report at the end: the listener's line and its histogram.
t_sb_text() {
	nl_start nl --netns-new pair --no-accept --backlog 1 --count 3 --timeout-ms 300
	_ns=$(nl_netns nl)
	ks_start ks tcpsynbl --netns "$_ns"
	ks_attached ks
	nl_run nl
	ks_stop ks
	expect_rc ks 0
	_p=$(nl_port nl)
	expect_grep "$KS_TMP/ks.out" "listener 127.0.0.1:$_p netns $_ns: backlog_max = 1, 2 connections, peak 1, " \
		"the listener's line"
	expect_eq "$(grep -c '^ *backlog *: count *distribution' "$KS_TMP/ks.out")" 1 "histogram headers"
	expect_eq "$(grep -c '^ *0 -> 1 *: 2 ' "$KS_TMP/ks.out")" 1 "the bucket of lengths 0 and 1"
	pass
}
