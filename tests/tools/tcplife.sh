# SPDX-License-Identifier: GPL-2.0-only
# tcplife against netload (helpers/netload.c): each connection of the workload is one line per
# end at its close, with exactly the bytes netload moved each way, the right owner and a
# lifetime within the run; the namespace's own counters (TcpActiveOpens, TcpPassiveOpens) and
# netload's own byte counts agree; the filters keep exactly what they say.

ks_test tcplife/pair/v4 t_tl_pair 4 3 100000 5000
ks_test tcplife/pair/v4/small t_tl_pair 4 4 1 1
ks_test tcplife/pair/v4/empty t_tl_pair 4 5 0 0
ks_test tcplife/pair/v6 t_tl_pair 6 3 5000 70000
ks_test tcplife/pair/v6/pingpong t_tl_pair 6 2 1000 2000 --pingpong 5 --size 300
ks_test tcplife/count t_tl_pair 4 25 0 10
ks_test tcplife/linger0 t_tl_linger0
ks_test tcplife/refused t_tl_refused
ks_test tcplife/pid t_tl_pid
ks_test tcplife/ports t_tl_ports
ks_test tcplife/family t_tl_family
ks_test tcplife/netns t_tl_netns
ks_test tcplife/text t_tl_text

# tl_addr 4|6: the loopback address netload pair uses.
tl_addr() { if [ "$1" = 6 ]; then echo ::1; else echo 127.0.0.1; fi; }

# tl_skip6 4|6: skip where the kernel has no IPv6.
tl_skip6() {
	[ "$1" != 6 ] || [ -e /proc/net/if_inet6 ] || skip "no IPv6 in this kernel (no /proc/net/if_inet6)"
}

# tl_sorted NAME EXPR... -- PATH: PATH of NAME's events matching every EXPR, sorted, on one line.
tl_sorted() {
	_tl_n=$1
	shift
	_tl_w=""
	while [ "$1" != -- ]; do
		_tl_w="$_tl_w -w $1"
		shift
	done
	# shellcheck disable=SC2086 # the expressions have no spaces
	"$H/jsonq" -w type=event $_tl_w -g "$2" <"$KS_TMP/$_tl_n.out" | sort | tr '\n' ' '
}

# tl_durations NAME: every event's duration_ns is > 0 and within the tracer's run
# (the summary's duration_ns): a connection begun and ended while tracing.
tl_durations() {
	_tl_all=$(ks_count "$1" type=event)
	expect_eq "$(ks_count "$1" type=event 'duration_ns>0')" "$_tl_all" "events with duration_ns > 0"
	_tl_run=$(tail -n 1 "$KS_TMP/$1.out" | "$H/jsonq" -g duration_ns)
	expect_eq "$(ks_count "$1" type=event "duration_ns<=$_tl_run")" "$_tl_all" \
		"events whose duration_ns is within the run's $_tl_run ns"
}

# tl_pair_run NAME NETLOAD_ARGS...: netload pair NETLOAD_ARGS in a namespace of its own
# (with its TCP open counters), tcplife --json on that namespace meanwhile.
tl_pair_run() {
	_tl_k=$1
	shift
	nl_start nl --netns-new --snmp TcpActiveOpens,TcpPassiveOpens pair "$@"
	ks_start "$_tl_k" tcplife --json --netns "$(nl_netns nl)"
	ks_attached "$_tl_k"
	sl_go nl
}

# t_tl_pair 4|6 N SEND RECV [NETLOAD_ARGS...]: N connections, SEND bytes from the client
# and RECV back (after the ping-pong rounds, if any): exactly N lines per end, each with
# exactly those bytes, ports, addresses and owner.
t_tl_pair() {
	_f=$1 _n=$2 _s=$3 _r=$4
	shift 4
	tl_skip6 "$_f"
	_six=
	[ "$_f" = 6 ] && _six=-6
	_extra=0
	if [ "${1:-}" = --pingpong ]; then
		_extra=$(($2 * $4))
	fi
	tl_pair_run ks $_six --count "$_n" --send "$_s" --recv "$_r" "$@"
	ks_wait_events ks $((2 * _n))
	ks_stop ks
	sl_end nl
	expect_rc ks 0
	ks_json_ok ks
	_a=$(tl_addr "$_f") _p=$(nl_port nl) _ns=$(nl_netns nl)
	_tx=$((_s + _extra)) _rx=$((_r + _extra))
	_cp=$(ks_pid nl) _sp=$(nl_field nl server 2)
	_fam=ipv$_f
	expect_eq "$(ks_count ks type=event)" $((2 * _n)) "events (one per end of $_n connections)"
	expect_eq "$(ks_count ks type=event pid="$_cp" owner=true open=active start=SYN_SENT \
		last_state=FIN_WAIT2 family="$_fam" laddr="$_a" raddr="$_a" rport="$_p" proto=tcp \
		netns="$_ns" tx_bytes="$_tx" rx_bytes="$_rx")" "$_n" \
		"client lines (pid $_cp, to port $_p, tx $_tx rx $_rx)"
	expect_eq "$(ks_count ks type=event pid="$_sp" owner=true open=passive start=SYN_RECV \
		last_state=LAST_ACK family="$_fam" laddr="$_a" raddr="$_a" lport="$_p" proto=tcp \
		netns="$_ns" tx_bytes="$_rx" rx_bytes="$_tx")" "$_n" \
		"server lines (pid $_sp, on port $_p, tx $_rx rx $_tx)"
	# the client's ports are the ones its own getsockname() reported, at both ends
	_c=$(awk '$1 == "connected" { print $2 }' "$KS_TMP/nl.out" | sort | tr '\n' ' ')
	expect_eq "$(tl_sorted ks open=active -- lport)" "$_c" "client lines' local ports"
	expect_eq "$(tl_sorted ks open=passive -- rport)" "$_c" "server lines' remote ports"
	# counters tcplife does not read: the namespace's opens, netload's own byte counts
	expect_eq "$(nl_snmp nl TcpActiveOpens)" "$_n" "TcpActiveOpens"
	expect_eq "$(nl_snmp nl TcpPassiveOpens)" "$_n" "TcpPassiveOpens"
	expect_eq "$(nl_sum nl closed tx)" $((_n * _tx)) "bytes netload's client sent"
	expect_eq "$(nl_sum nl accepted tx)" $((_n * _rx)) "bytes netload's server sent"
	tl_durations ks
	pass
}

# t_tl_linger0: SO_LINGER 0: the client's close resets the connection. The server closes
# after its reply, so its FIN may reach the client first (the client then closes from
# CLOSE_WAIT, the server from FIN_WAIT1, or FIN_WAIT2 once its FIN was acknowledged) or not
# (both from ESTABLISHED): the bytes are the same either way.
t_tl_linger0() {
	tl_pair_run ks --count 3 --linger0 --send 3000 --recv 20000
	ks_wait_events ks 6
	ks_stop ks
	sl_end nl
	expect_rc ks 0
	ks_json_ok ks
	_p=$(nl_port nl) _cp=$(ks_pid nl) _sp=$(nl_field nl server 2)
	expect_eq "$(ks_count ks type=event)" 6 "events"
	expect_eq "$(ks_count ks type=event pid="$_cp" open=active rport="$_p" tx_bytes=3000 \
		rx_bytes=20000)" 3 "client lines"
	expect_eq $(($(ks_count ks type=event pid="$_cp" last_state=ESTABLISHED) + \
		$(ks_count ks type=event pid="$_cp" last_state=CLOSE_WAIT))) 3 \
		"client lines closed from ESTABLISHED or CLOSE_WAIT"
	# the server's last bytes may still wait for their ACK when the RST comes: tx_bytes
	# counts what the peer acknowledged
	expect_eq "$(ks_count ks type=event pid="$_sp" open=passive lport="$_p" rx_bytes=3000 \
		'tx_bytes<=20000')" 3 "server lines"
	expect_eq $(($(ks_count ks type=event pid="$_sp" last_state=ESTABLISHED) + \
		$(ks_count ks type=event pid="$_sp" last_state=FIN_WAIT1) + \
		$(ks_count ks type=event pid="$_sp" last_state=FIN_WAIT2))) 3 \
		"server lines closed from ESTABLISHED, FIN_WAIT1 or FIN_WAIT2"
	expect_eq "$(nl_snmp nl TcpActiveOpens)" 3 "TcpActiveOpens"
	tl_durations ks
	pass
}

# t_tl_refused: connects to a port nothing listens on: one line each, from SYN_SENT, no bytes,
# with the local port the client bound ("connecting LPORT").
t_tl_refused() {
	nl_start nl --netns-new --snmp TcpAttemptFails refuse --count 4
	ks_start ks tcplife --json --netns "$(nl_netns nl)"
	ks_attached ks
	sl_go nl
	ks_wait_events ks 4
	ks_stop ks
	sl_end nl
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(nl_lines nl failed ECONNREFUSED)" 4 "refused connects"
	expect_eq "$(ks_count ks type=event)" 4 "events"
	expect_eq "$(ks_count ks type=event pid="$(ks_pid nl)" open=active start=SYN_SENT \
		last_state=SYN_SENT rport="$(nl_port nl)" tx_bytes=0 rx_bytes=0)" 4 "refused lines"
	expect_eq "$(tl_sorted ks -- lport)" \
		"$(awk '$1 == "connecting" { print $2 }' "$KS_TMP/nl.out" | sort | tr '\n' ' ')" \
		"local ports"
	expect_eq "$(nl_snmp nl TcpAttemptFails)" 4 "TcpAttemptFails"
	tl_durations ks
	pass
}

# t_tl_pid: -p keeps the connections that process owns (the client's ends), not the other
# ends, though their handshake and close ran while the client was on the CPU.
t_tl_pid() {
	nl_start nl --netns-new pair --count 3 --send 100 --recv 200
	ks_start ks tcplife --json -p "$(ks_pid nl)"
	ks_start both tcplife --json --netns "$(nl_netns nl)" -p "$(ks_pid nl)"
	ks_attached ks
	ks_attached both
	sl_go nl
	ks_wait_events ks 3 netns="$(nl_netns nl)"
	ks_wait_events both 3
	ks_stop ks
	ks_stop both
	sl_end nl
	_ns=$(nl_netns nl)
	expect_eq "$(ks_count ks type=event netns="$_ns")" 3 "events in netload's namespace"
	expect_eq "$(ks_count ks type=event netns="$_ns" pid="$(ks_pid nl)" open=active \
		tx_bytes=100 rx_bytes=200)" 3 "client lines"
	expect_eq "$(ks_count both type=event)" 3 "events with --netns and -p"
	pass
}

# t_tl_ports: -L (local ports) keeps the server's ends, -D (remote ports) the client's.
t_tl_ports() {
	ks_which nsenter >/dev/null || skip "no nsenter(1) to run a client in the server's namespace"
	nl_start srvp --netns-new server 127.0.0.1 0 --accept 3 --drain --send 10
	wl_go srvp
	nl_wait_line srvp '^listening '
	_p=$(nl_port srvp)
	_ns=$(nl_netns srvp)
	# the client joins the server's namespace through /proc: no ip netns needed
	ks_bg cl nsenter --net="/proc/$(ks_pid srvp)/ns/net" "$H/netload" client 127.0.0.1 "$_p" \
		--count 3 --send 7
	_wl_ready cl
	ks_start lo tcplife --json --netns "$_ns" -L "$_p"
	ks_start re tcplife --json --netns "$_ns" -D "$_p"
	ks_start any tcplife --json --netns "$_ns" --port "$_p"
	ks_attached lo
	ks_attached re
	ks_attached any
	nl_run cl
	ks_wait_events any 6
	ks_stop lo
	ks_stop re
	ks_stop any
	nl_wait_line srvp '^done'
	sl_end srvp
	expect_eq "$(ks_count lo type=event)" 3 "-L: events"
	expect_eq "$(ks_count lo type=event lport="$_p" open=passive rx_bytes=7 tx_bytes=10)" 3 "-L: server lines"
	expect_eq "$(ks_count re type=event)" 3 "-D: events"
	expect_eq "$(ks_count re type=event rport="$_p" open=active tx_bytes=7 rx_bytes=10 \
		pid="$(ks_pid cl)")" 3 "-D: client lines"
	expect_eq "$(ks_count any type=event)" 6 "--port: events"
	pass
}

# t_tl_family: -6 keeps the IPv6 connections of two namespaces with one pair each family.
t_tl_family() {
	tl_skip6 6
	nl_start n4 --netns-new pair --count 2 --send 10 --recv 10
	nl_start n6 --netns-new pair -6 --count 2 --send 10 --recv 10
	ks_start ks tcplife --json -6
	ks_start k4 tcplife --json -4
	ks_attached ks
	ks_attached k4
	sl_go n4
	sl_go n6
	ks_wait_events ks 4 netns="$(nl_netns n6)"
	ks_wait_events k4 4 netns="$(nl_netns n4)"
	ks_stop ks
	ks_stop k4
	sl_end n4
	sl_end n6
	expect_eq "$(ks_count ks type=event netns="$(nl_netns n6)")" 4 "-6: IPv6 lines"
	expect_eq "$(ks_count ks type=event netns="$(nl_netns n4)")" 0 "-6: IPv4 lines"
	expect_eq "$(ks_count k4 type=event netns="$(nl_netns n4)")" 4 "-4: IPv4 lines"
	expect_eq "$(ks_count k4 type=event netns="$(nl_netns n6)")" 0 "-4: IPv6 lines"
	pass
}

# t_tl_netns: --netns keeps one namespace's connections and not those of a second namespace
# running the same workload at the same time.
t_tl_netns() {
	nl_netns_both tcplife 6 pair --count 3 --send 1000 --recv 1000
	expect_eq "$(ks_count ks type=event)" 6 "events with --netns"
	expect_eq "$(ks_count ks type=event netns="$(nl_netns a)" tx_bytes=1000 rx_bytes=1000)" 6 \
		"namespace a's lines"
	# the same workload in b was traced by the unfiltered run
	expect_eq "$(ks_count all type=event netns="$(nl_netns b)" tx_bytes=1000 rx_bytes=1000)" 6 \
		"namespace b's lines without --netns"
	pass
}

# t_tl_text: the text columns, BCC's, and -w's wide addresses.
t_tl_text() {
	tl_skip6 6
	nl_start nl --netns-new pair -6 --count 1 --send 3000 --recv 5000
	ks_start ks tcplife --netns "$(nl_netns nl)" -w
	ks_attached ks
	sl_go nl
	ks_wait_until "$KS_WAIT" sh -c "[ \$(grep -c '^[0-9]' '$KS_TMP/ks.out') -ge 2 ]" ||
		fail "no 2 lines in $KS_WAIT s"
	ks_stop ks
	sl_end nl
	expect_rc ks 0
	_p=$(nl_port nl) _c=$(nl_field nl connected 2)
	expect_eq "$(head -n 1 "$KS_TMP/ks.out" | tr -s ' ')" \
		"PID COMM LADDR LPORT RADDR RPORT TX_KB RX_KB MS" "header"
	# wide: the addresses get 39 columns
	expect_eq "$(awk 'NR == 1 { print index($0, "LPORT") }' "$KS_TMP/ks.out")" 66 "LPORT's column"
	expect_eq "$(awk -v c="$_c" -v p="$_p" -v pid="$(ks_pid nl)" \
		'$1 == pid && $3 == "::1" && $4 == c && $5 == "::1" && $6 == p && $7 == 2 && $8 == 4 && $9 ~ /^[0-9]+\.[0-9][0-9]$/' \
		"$KS_TMP/ks.out" | grep -c .)" 1 "the client's line (2 KB sent, 4 KB received)"
	expect_eq "$(awk -v c="$_c" -v p="$_p" -v pid="$(nl_field nl server 2)" \
		'$1 == pid && $4 == p && $6 == c && $7 == 4 && $8 == 2' "$KS_TMP/ks.out" | grep -c .)" \
		1 "the server's line"
	pass
}
