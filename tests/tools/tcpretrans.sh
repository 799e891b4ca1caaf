# SPDX-License-Identifier: GPL-2.0-only
# tcpretrans: tcpretransload drops a connection's segments for a while with a socket filter on
# the receiving socket, inside a network namespace of its own (no ip, nft or tc: the guests
# run it too), so every retransmission of that namespace is the test's. The events' segments
# must add up to the namespace's own TcpRetransSegs delta, their tail loss probes to
# TcpExtTCPLossProbes, the SYN-ACKs to TcpExtTCPSynRetrans; each event is the test's flow,
# owned by the helper (it listened, connected and accepted while kscope traced).

ks_test tcpretrans/data t_rt_data
for _m in tp_btf raw_tp; do
	ks_test "tcpretrans/data/$_m" t_rt_data "$_m"
done
ks_test tcpretrans/ipv6 t_rt_data - -6
ks_test tcpretrans/synack t_rt_synack
ks_test -H tcpretrans/interval t_rt_interval

# rt_snmp PID NAME: counter NAME (as nstat names it: TcpRetransSegs, TcpExtTCPLossProbes) of
# the network namespace of process PID, from its /proc/PID/net/snmp and netstat.
rt_snmp() {
	cat "/proc/$1/net/snmp" "/proc/$1/net/netstat" | awk -v want="$2" '
		$1 ~ /:$/ { p = substr($1, 1, length($1) - 1)
			if (p != hp) { hp = p; for (i = 2; i <= NF; i++) h[i] = $i; next }
			for (i = 2; i <= NF; i++) if (p h[i] == want) { print $i; exit }
			hp = "" }'
}

# rt_start NAME ARGS...: tcpretransload ARGS in the background, ready for its trigger;
# RT_PID, RT_NS (its network namespace's inode) and RT_C0 (its counters) are set.
rt_start() {
	_n=$1
	shift
	ks_bg "$_n" "$H/tcpretransload" --netns-new "$@"
	_wl_ready "$_n"
	RT_PID=$(ks_pid "$_n")
	RT_NS=$(awk '$1 == "netns" { print $2 }' "$KS_TMP/$_n.out")
	[ -n "$RT_NS" ] || fail "tcpretransload printed no netns: $(ks_first_line "$KS_TMP/$_n.err")"
	for _c in TcpRetransSegs TcpExtTCPLossProbes TcpExtTCPSynRetrans; do
		echo "$_c $(rt_snmp "$RT_PID" "$_c")"
	done >"$KS_TMP/$_n.c0"
}

# rt_delta NAME COUNTER: COUNTER now (tcpretransload NAME holds still) minus at rt_start.
rt_delta() {
	_v=$(rt_snmp "$(ks_pid "$1")" "$2")
	_v0=$(awk -v c="$2" '$1 == c { print $2 }' "$KS_TMP/$1.c0")
	[ -n "$_v" ] && [ -n "$_v0" ] || fail "no counter $2 in /proc/$(ks_pid "$1")/net"
	echo $((_v - _v0))
}

# rt_sum NAME EXPR...: the segments of kscope run NAME's events that match every EXPR.
rt_sum() {
	_f=$1
	shift
	for _e in "$@"; do
		set -- "$@" -w "$_e"
		shift
	done
	"$H/jsonq" -w type=event "$@" -g segs <"$KS_TMP/$_f.out" | awk '{ s += $1 } END { print s + 0 }'
}

# t_rt_data [METHOD|- [-6]]: data dropped for 700 ms: a tail loss probe, then timeouts.
t_rt_data() {
	_m=${1:-}
	[ "$_m" = - ] && _m=
	_lo=127.0.0.1
	if [ "${2:-}" = -6 ]; then
		[ -f /proc/net/if_inet6 ] || skip "no IPv6 in this kernel (/proc/net/if_inet6)"
		_lo=::1
	fi
	rt_start rt ${2:-} data 5000 700
	ks_start ks tcpretrans --json ${_m:+--attach "$_m"} -p "$RT_PID" --netns "$RT_NS"
	ks_start cnt tcpretrans --count --json -p "$RT_PID" --netns "$RT_NS"
	ks_start none tcpretrans --json --netns "$RT_NS" --lport 1
	ks_attached ks
	ks_attached cnt
	ks_attached none
	sl_go rt
	ks_stop ks
	expect_rc ks 0
	ks_stop cnt
	expect_rc cnt 0
	ks_stop none
	expect_rc none 0
	_segs=$(rt_delta rt TcpRetransSegs)
	_tlp=$(rt_delta rt TcpExtTCPLossProbes)
	sl_end rt
	ks_json_ok ks
	expect_attach ks "$_m"
	_lport=$(awk '$1 == "connected" { print $2 }' "$KS_TMP/rt.out")
	_port=$(awk '$1 == "port" { print $2 }' "$KS_TMP/rt.out")
	_n=$(ks_count ks type=event)
	note "$_n events, TcpRetransSegs +$_segs, TcpExtTCPLossProbes +$_tlp"
	[ "$_n" -gt 0 ] || fail "no retransmission traced (TcpRetransSegs +$_segs)"
	expect_eq "$(ks_count ks type=event owner=true "pid=$RT_PID" comm=tcpretransload \
		"laddr=$_lo" "lport=$_lport" "raddr=$_lo" "rport=$_port" "netns=$RT_NS" proto=tcp \
		kind=segment state=ESTABLISHED 'segs>0' 'len>0')" "$_n" "events of the helper's flow"
	# a try the kernel gave up is traced (6.17+) but not counted in TcpRetransSegs
	_failed=$(ks_count ks type=event 'err<0')
	[ "$_failed" = 0 ] || note "$_failed tries failed: $("$H/jsonq" -w type=event -w 'err<0' -g error <"$KS_TMP/ks.out" | sort | uniq -c | tr '\n' ' ')"
	expect_eq "$(rt_sum ks err=0)" "$_segs" "segments sent again (TcpRetransSegs)"
	expect_eq "$(ks_count ks type=event err=0 tlp=true reason=tlp ca_state=Open)" "$_tlp" \
		"tail loss probes (TcpExtTCPLossProbes)"
	_loss=$(ks_count ks type=event err=0 reason=loss ca_state=Loss)
	[ "$_loss" -gt 0 ] || fail "no retransmission after a timeout (reason loss)"
	expect_eq $((_loss + _tlp)) "$(ks_count ks type=event err=0)" "retransmissions: loss or tlp"
	# --count: one row, the same totals
	ks_json_ok cnt
	expect_eq "$(ks_elems cnt counts rows | "$H/jsonq" -c)" 1 "rows of --count"
	expect_eq "$(ks_elems cnt counts rows "lport=$_lport" "rport=$_port" state=ESTABLISHED \
		"pid=$RT_PID" "retransmits=$((_n - _failed))" "segs=$_segs" "tlp=$_tlp" "loss=$_loss" \
		recovery=0 synack=0 "failed=$_failed" | "$H/jsonq" -c)" 1 "the --count row's totals"
	expect_eq "$(ks_count none type=event)" 0 "events with --lport 1"
	pass
}

# t_rt_synack: the listener drops its SYN-ACKs' answers for 1.2 s: it sends its SYN-ACK
# again (1 s after the first), while the client, established, sends its data again.
t_rt_synack() {
	rt_start rt synack 1200
	ks_start ks tcpretrans --json -p "$RT_PID" --netns "$RT_NS"
	ks_attached ks
	sl_go rt
	ks_stop ks
	expect_rc ks 0
	_segs=$(rt_delta rt TcpRetransSegs)
	_syn=$(rt_delta rt TcpExtTCPSynRetrans)
	sl_end rt
	ks_json_ok ks
	_lport=$(awk '$1 == "connected" { print $2 }' "$KS_TMP/rt.out")
	_port=$(awk '$1 == "port" { print $2 }' "$KS_TMP/rt.out")
	note "$(ks_count ks type=event) events, TcpRetransSegs +$_segs, TcpExtTCPSynRetrans +$_syn"
	[ "$_syn" -gt 0 ] || fail "the listener sent no SYN-ACK again (TcpExtTCPSynRetrans +0)"
	expect_eq "$(ks_count ks type=event kind=synack owner=true "pid=$RT_PID" laddr=127.0.0.1 \
		"lport=$_port" raddr=127.0.0.1 "rport=$_lport" state=SYN_RECV ca_state=null \
		reason=synack segs=1 err=0)" "$_syn" "SYN-ACKs sent again (TcpExtTCPSynRetrans)"
	expect_eq "$(ks_count ks type=event kind=segment owner=true "pid=$RT_PID" \
		"lport=$_lport" "rport=$_port")" "$(ks_count ks type=event kind=segment)" \
		"the client's retransmissions"
	expect_eq "$(rt_sum ks err=0)" "$_segs" "segments sent again (TcpRetransSegs)"
	pass
}

t_rt_interval() {
	ks_run ks tcpretrans 1
	expect_rc ks 2
	expect_one_line "$KS_TMP/ks.err" "bad input"
	expect_grep "$KS_TMP/ks.err" "kscope: tcpretrans: an interval needs --count"
	pass
}
