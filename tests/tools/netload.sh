# SPDX-License-Identifier: GPL-2.0-only
# The network fixtures the network tool tests stand on (helpers/netload.c; lib.sh nl_*,
# ks_netns_new, ks_veth_pair, ks_nft_drop, ks_tbf, ks_nstat): netload moves exactly the bytes
# and makes exactly the connections it prints, both sides agree, and its namespace's own
# counters say the same; the namespaces, veth, nft and tbf fixtures do what they promise and
# are gone after the test. No kscope here.

ks_test netload/pair t_nl_pair 4
ks_test netload/pair/v6 t_nl_pair_v6
ks_test netload/pair/linger0 t_nl_linger0
ks_test netload/refuse t_nl_refuse 4
ks_test netload/refuse/v6 t_nl_refuse 6
ks_test netload/udp/noports t_nl_udp_noports
ks_test netload/udp/sink t_nl_udp_sink
ks_test netload/server_client t_nl_server_client
ks_test netload/backlog t_nl_backlog
ks_test -n netload/bad t_nl_bad
ks_test netload/netns t_nl_netns
ks_test netload/cleanup/fail t_nl_cleanup fail
ks_test netload/cleanup/killed t_nl_cleanup killed
ks_test netload/veth t_nl_veth
ks_test netload/nft t_nl_nft
ks_test netload/tbf t_nl_tbf
ks_test netload/retrans t_nl_retrans

# nt_col NAME WORD N: field N of each line that starts with WORD, sorted.
nt_col() { awk -v w="$2" -v n="$3" '$1 == w { print $n }' "$KS_TMP/$1.out" | sort | tr '\n' ' '; }

# nt_ping NS ADDR: 3 echo requests from namespace NS to ADDR, all answered (ping(8), or
# BusyBox's where iputils is not installed).
nt_ping() {
	if ks_which ping >/dev/null; then
		set -- "$1" ping "$2"
	elif ks_which busybox >/dev/null; then
		set -- "$1" busybox ping "$2"
	else
		note "no ping here: the TCP connections below show the link works"
		return 0
	fi
	_ns=$1
	shift
	ip netns exec "$_ns" "$@" -c 3 -W 5 >"$KS_TMP/ping.out" 2>&1 ||
		fail "$* from $_ns: $(tail -n 2 "$KS_TMP/ping.out" | tr '\n' ' ')"
	grep -q '3 packets received\|3 received' "$KS_TMP/ping.out" ||
		fail "$* from $_ns: $(grep received "$KS_TMP/ping.out")"
}

# The test shell's own network namespace.
nt_own_netns() { stat -L -c %i /proc/self/ns/net; }

# nt_pair_sides NAME N SEND RECV ADDR: netload pair NAME made N connections on ADDR, each with
# SEND bytes from the client and RECV back, the two sides' lines agreeing on the ports.
nt_pair_sides() {
	_n=$2 _s=$3 _r=$4 _a=$5
	_p=$(nl_port "$1")
	expect_eq "$(nl_lines "$1" connected)" "$_n" "connected lines"
	expect_eq "$(nl_match "$1" closed "3=tx=$_s" "4=rx=$_r" NF=4)" "$_n" \
		"closed lines with tx=$_s rx=$_r and no error"
	expect_eq "$(nl_match "$1" accepted "2=$_a" "3=$_p" "4=$_a" "6=rx=$_s" "7=tx=$_r" NF=7)" \
		"$_n" "accepted lines on $_a port $_p with rx=$_s tx=$_r and no error"
	_c=$(nt_col "$1" connected 2)
	expect_eq "$(nt_col "$1" closed 2)" "$_c" "the ports of the closed lines against the connected ones"
	expect_eq "$(nt_col "$1" accepted 5)" "$_c" "the server's peer ports against the client's ports"
	[ "$(echo "$_c" | tr ' ' '\n' | sort -u | grep -c .)" = "$_n" ] || fail "client ports not distinct: $_c"
	_sp=$(nl_field "$1" server 2)
	expect_eq "$(nl_field "$1" client 2)" "$(ks_pid "$1")" "the client's pid (netload's own)"
	expect_eq "$(nl_field "$1" listening 2)" "$_sp" "the listening pid (the server's)"
	[ "$_sp" != "$(ks_pid "$1")" ] || fail "server and client have the same pid $_sp"
}

# t_nl_pair: 3 connections with 100000 bytes up and 5000 down, in a namespace of their own,
# whose TCP counters count exactly them.
t_nl_pair() {
	nl_start nl --netns-new --snmp TcpActiveOpens,TcpPassiveOpens,TcpAttemptFails,TcpOutRsts,TcpEstabResets \
		pair --count 3 --send 100000 --recv 5000
	nl_run nl
	nt_pair_sides nl 3 100000 5000 127.0.0.1
	expect_eq "$(nl_snmp nl TcpActiveOpens)" 3 "TcpActiveOpens"
	expect_eq "$(nl_snmp nl TcpPassiveOpens)" 3 "TcpPassiveOpens"
	expect_eq "$(nl_snmp nl TcpAttemptFails)" 0 "TcpAttemptFails"
	expect_eq "$(nl_snmp nl TcpOutRsts)" 0 "TcpOutRsts (every close was orderly)"
	expect_eq "$(nl_snmp nl TcpEstabResets)" 0 "TcpEstabResets"
	_i=$(nl_netns nl)
	if [ -z "$_i" ] || [ "$_i" = "$(nt_own_netns)" ]; then fail "netns '$_i': not a namespace of its own"; fi
	pass
}

# t_nl_pair_v6: over ::1, ping-pong rounds then bytes both ways.
t_nl_pair_v6() {
	[ -e /proc/net/if_inet6 ] || skip "no IPv6 in this kernel (no /proc/net/if_inet6)"
	nl_start nl --netns-new --snmp TcpActiveOpens,Ip6OutRequests pair -6 --count 2 \
		--pingpong 7 --size 300 --send 1000 --recv 2000
	nl_run nl
	# 7 rounds of 300 bytes each way come before the bytes
	nt_pair_sides nl 2 $((7 * 300 + 1000)) $((7 * 300 + 2000)) ::1
	expect_eq "$(nl_match nl pingpong 3=rounds=7 4=size=300)" 2 "pingpong lines"
	expect_eq "$(nt_col nl pingpong 2)" "$(nt_col nl connected 2)" "the pingpong lines' ports"
	# the client's own clock: a round trip takes some time, and the longest is the longest
	_t=$(awk '$1 == "pingpong" { sub(/min_ns=/, "", $5); sub(/max_ns=/, "", $6)
		if ($5 + 0 > 0 && $6 + 0 >= $5 + 0) n++ } END { print n + 0 }' "$KS_TMP/nl.out")
	expect_eq "$_t" 2 "pingpong lines with 0 < min_ns <= max_ns"
	expect_eq "$(nl_snmp nl TcpActiveOpens)" 2 "TcpActiveOpens"
	_o=$(nl_snmp nl Ip6OutRequests)
	[ "${_o:-0}" -gt 0 ] || fail "Ip6OutRequests $_o: the connections did not go over IPv6"
	pass
}

# t_nl_linger0: SO_LINGER 0 on the client: each close resets the connection, once.
t_nl_linger0() {
	nl_start nl --netns-new --snmp TcpOutRsts,TcpActiveOpens pair --count 4 --linger0 --send 10 --recv 20
	nl_run nl
	nt_pair_sides nl 4 10 20 127.0.0.1
	expect_eq "$(nl_snmp nl TcpOutRsts)" 4 "TcpOutRsts (one RST a close)"
	pass
}

# t_nl_refuse 4|6: N connects to a port nothing listens on: each refused by a RST, and the
# namespace counted exactly those.
t_nl_refuse() {
	_v=
	if [ "$1" = 6 ]; then
		[ -e /proc/net/if_inet6 ] || skip "no IPv6 in this kernel (no /proc/net/if_inet6)"
		_v=-6
	fi
	nl_start nl --netns-new --snmp TcpActiveOpens,TcpOutRsts,TcpAttemptFails,TcpPassiveOpens refuse $_v --count 5
	nl_run nl
	expect_eq "$(nl_lines nl connecting)" 5 "connecting lines"
	expect_eq "$(nl_lines nl failed ECONNREFUSED)" 5 "failed ECONNREFUSED lines"
	expect_eq "$(nl_lines nl failed)" 5 "failed lines"
	expect_eq "$(nt_col nl connecting 2 | tr ' ' '\n' | sort -u | grep -c .)" 5 "distinct local ports"
	[ -n "$(nl_port nl)" ] || fail "no port line"
	expect_eq "$(nl_snmp nl TcpActiveOpens)" 5 "TcpActiveOpens"
	expect_eq "$(nl_snmp nl TcpAttemptFails)" 5 "TcpAttemptFails"
	expect_eq "$(nl_snmp nl TcpOutRsts)" 5 "TcpOutRsts"
	expect_eq "$(nl_snmp nl TcpPassiveOpens)" 0 "TcpPassiveOpens"
	pass
}

# t_nl_udp_noports: datagrams to a closed port of a namespace of their own: each one counted
# as UdpNoPorts, exactly.
t_nl_udp_noports() {
	nl_start nl --netns-new --snmp UdpNoPorts,UdpOutDatagrams,UdpInDatagrams udp 127.0.0.1 9999 --count 9 --size 100
	nl_run nl
	expect_eq "$(nl_lines nl sent 9)" 1 "the sent line"
	expect_eq "$(nl_lines nl failed)" 0 "failed lines"
	expect_eq "$(nl_snmp nl UdpNoPorts)" 9 "UdpNoPorts"
	expect_eq "$(nl_snmp nl UdpOutDatagrams)" 9 "UdpOutDatagrams"
	expect_eq "$(nl_snmp nl UdpInDatagrams)" 0 "UdpInDatagrams"
	pass
}

# t_nl_udp_sink: a receiver on the loopback (the test's namespace, ephemeral port) gets all
# of a sender's datagrams; stopped by SIGUSR1, it reports what it got.
t_nl_udp_sink() {
	nl_start sink udpsink 127.0.0.1 0 --count 6
	wl_go sink
	nl_wait_line sink '^listening '
	nl_start tx udp 127.0.0.1 "$(nl_port sink)" --count 6 --size 200
	nl_run tx
	expect_eq "$(nl_lines tx sent 6)" 1 "the sender's sent line"
	nl_wait_done sink
	sl_end sink
	expect_eq "$(nl_lines sink received '6 bytes=1200')" 1 "the sink's received line"
	# without --count: until the next SIGUSR1, which finds nothing
	nl_start sink2 udpsink 127.0.0.1 0
	wl_go sink2
	nl_wait_line sink2 '^listening '
	nl_run sink2
	expect_eq "$(nl_lines sink2 received '0 bytes=0')" 1 "the idle sink's received line"
	pass
}

# t_nl_server_client: server and client as two programs on the loopback (an ephemeral port):
# --accept 3 --drain, the client's three connections, bytes and ports agree.
t_nl_server_client() {
	nl_start srv server 127.0.0.1 0 --accept 3 --drain --send 777
	wl_go srv
	nl_wait_line srv '^listening '
	_p=$(nl_port srv)
	expect_eq "$(nl_field srv listening 2)" "$(ks_pid srv)" "the listening pid"
	nl_start cli client 127.0.0.1 "$_p" --count 3 --send 4096 --nodelay
	nl_run cli
	nl_wait_done srv
	sl_end srv
	expect_eq "$(nl_match cli closed 3=tx=4096 4=rx=777 NF=4)" 3 "the client's closed lines"
	expect_eq "$(nl_match srv accepted "3=$_p" 6=rx=4096 7=tx=777 NF=7)" 3 "the server's accepted lines"
	expect_eq "$(nt_col srv accepted 5)" "$(nt_col cli connected 2)" "the server's peer ports against the client's"
	# a closed port: the client reports the refusal and goes on
	nl_start cli2 client 127.0.0.1 "$_p" --count 2 --timeout-ms 10000
	nl_run cli2
	expect_eq "$(nl_lines cli2 failed ECONNREFUSED)" 2 "connects to the closed port"
	pass
}

# t_nl_backlog: a listener with backlog 2 that never accepts: the first 3 connections complete,
# the others' SYNs are dropped (counted as listen overflows) and time out.
t_nl_backlog() {
	nl_start nl --netns-new --snmp TcpExtListenOverflows,TcpExtListenDrops,TcpPassiveOpens \
		pair --no-accept --backlog 2 --count 5 --timeout-ms 300
	nl_run nl
	expect_eq "$(nl_lines nl connected)" 3 "connections completed (backlog + 1)"
	expect_eq "$(nl_lines nl failed ETIMEDOUT)" 2 "connections timed out"
	expect_eq "$(nl_lines nl accepted)" 0 "accepted lines"
	expect_eq "$(nl_snmp nl TcpPassiveOpens)" 3 "TcpPassiveOpens"
	_o=$(nl_snmp nl TcpExtListenOverflows)
	# one dropped SYN per timed-out connection; a second only if the client was kept off its
	# CPU past the SYN's retransmission (1 s) after its 300 ms
	[ "$_o" -ge 2 ] || fail "TcpExtListenOverflows $_o, expected 2 or more (one a dropped SYN)"
	expect_eq "$(nl_snmp nl TcpExtListenDrops)" "$_o" "TcpExtListenDrops against the overflows"
	pass
}

# t_nl_bad: bad arguments exit 2 with one line, before waiting for any trigger.
t_nl_bad() {
	for _a in "" "bogus" "client 127.0.0.1" "client 127.0.0.1 0" "client nohost 80" \
		"client 127.0.0.1 70000" "server 127.0.0.1 0 --count 3" "pair --recv" \
		"pair --pingpong 3" "server 127.0.0.1 0 --drain --recv 5" "refuse --count 0" \
		"--snmp NoSuchCounter refuse"; do
		# shellcheck disable=SC2086 # the words are the arguments
		"$H/watchdog" 10 "$H/netload" $_a >"$KS_TMP/bad.out" 2>"$KS_TMP/bad.err" </dev/null
		_rc=$?
		expect_eq "$_rc" 2 "exit code of netload $_a"
		expect_one_line "$KS_TMP/bad.err" "stderr of netload $_a"
		grep -q '^netload: ' "$KS_TMP/bad.err" || fail "netload $_a: $(cat "$KS_TMP/bad.err")"
	done
	pass
}

# t_nl_netns: ks_netns_new makes a namespace with lo up, ks_nstat reads its counters,
# nl_ns_start runs netload inside it (same pid: the tools see netload itself).
t_nl_netns() {
	ks_netns_new a
	expect_eq "$KS_NS" "$(ks_netns a)" "the namespace's name"
	ip netns list | grep -q "^$KS_NS\( \|$\)" || fail "$KS_NS not in ip netns list"
	_i=$(ks_netns_inode "$KS_NS")
	if [ -z "$_i" ] || [ "$_i" = "$(nt_own_netns)" ]; then fail "inode '$_i' of $KS_NS"; fi
	ip -n "$KS_NS" link show lo | grep -q 'UP' || fail "lo is not up in $KS_NS"
	ks_nstat_save "$KS_NS" t0
	expect_eq "$(ks_nstat "$KS_NS" TcpActiveOpens)" 0 "TcpActiveOpens of a new namespace"
	nl_ns_start nl "$KS_NS" refuse --count 3
	expect_eq "$(nl_netns nl)" "$_i" "netload's namespace"
	expect_eq "$(stat -L -c %i "/proc/$(ks_pid nl)/ns/net")" "$_i" "the namespace of netload's pid"
	nl_run nl
	expect_eq "$(nl_lines nl failed ECONNREFUSED)" 3 "refused connects"
	expect_eq "$(ks_nstat_delta "$KS_NS" t0 TcpActiveOpens)" 3 "TcpActiveOpens delta (ks_nstat)"
	expect_eq "$(ks_nstat_delta "$KS_NS" t0 TcpOutRsts)" 3 "TcpOutRsts delta (ks_nstat)"
	expect_eq "$(ks_nstat_delta "$KS_NS" t0 TcpExtTCPTimeouts)" 0 "a netstat counter's delta (ks_nstat)"
	[ -z "$(ks_nstat "$KS_NS" NoSuchCounter)" ] || fail "ks_nstat gave a value for no counter"
	pass
}

# t_nl_cleanup fail|killed: a test shell that made a namespace and failed (its cleanup removes
# it), or was killed with SIGKILL (run.sh's sweep after the test removes it).
t_nl_cleanup() {
	ks_have_netns || skip "$KS_NET_WHY"
	_c=$KS_TMP/child
	mkdir "$_c" || fail "cannot make $_c"
	KS_TMP=$_c sh -c '. "$1"; trap _ks_cleanup EXIT
		ks_netns_new c
		echo "$KS_NS" >"$KS_TMP/ns"
		# ours too, in case this test ends before the child'"'"'s namespace is gone
		cat "$KS_TMP/.netns" >>"$3/.netns"
		[ "$2" = killed ] && kill -KILL $$
		fail "on purpose"' sh "$KS_TOP/tests/lib.sh" "$1" "$KS_TMP" >"$KS_TMP/child.log" 2>&1
	_rc=$?
	[ -s "$_c/ns" ] || fail "the child made no namespace (exit $_rc): $(tail -n 1 "$KS_TMP/child.log")"
	_ns=$(cat "$_c/ns")
	if [ "$1" = killed ]; then
		expect_eq "$_rc" 137 "the child's exit status"
		ip netns list | grep -q "^$_ns\( \|$\)" || fail "$_ns gone though nothing removed it"
		KS_TMP=$_c sh -c '. "$1"; _ks_netns_cleanup' sh "$KS_TOP/tests/lib.sh" || fail "the sweep failed"
	else
		grep -q '^FAIL on purpose' "$_c/result" || fail "the child's result: $(cat "$_c/result")"
	fi
	! ip netns list | grep -q "^$_ns\( \|$\)" || fail "$_ns left behind"
	pass
}

# t_nl_veth: two namespaces joined by a veth pair: they ping each other over IPv4 and IPv6
# (no duplicate address detection to wait for), and a TCP connection crosses with the right
# addresses on both sides.
t_nl_veth() {
	ks_have_veth || skip "$KS_NET_WHY"
	ks_netns_veth v6
	_a=$KS_NSA _b=$KS_NSB
	nt_ping "$_a" "$KS_IP2"
	nt_ping "$_b" "$KS_IP6_1"
	for _v in 4 6; do
		if [ "$_v" = 4 ]; then _sa=$KS_IP2 _ca=$KS_IP1; else _sa=$KS_IP6_2 _ca=$KS_IP6_1; fi
		nl_ns_start srv "$_b" server "$_sa" 0 --drain --send 1500
		wl_go srv
		nl_wait_line srv '^listening '
		nl_ns_start cli "$_a" client "$_sa" "$(nl_port srv)" --send 3000
		nl_run cli
		nl_wait_done srv
		sl_end srv
		expect_eq "$(nl_match srv accepted "2=$_sa" "4=$_ca" 6=rx=3000 7=tx=1500 NF=7)" 1 \
			"IPv$_v: the server's accepted line from $_ca"
		expect_eq "$(nl_match cli closed 3=tx=3000 4=rx=1500 NF=4)" 1 "IPv$_v: the client's closed line"
	done
	pass
}

# t_nl_nft: an nft drop rule in the receiver's namespace makes UDP datagrams to its port
# disappear: counted by the rule, never by UDP, the receiver gets none; without it all arrive.
t_nl_nft() {
	ks_have_veth || skip "$KS_NET_WHY"
	ks_have_nft || skip "$KS_NET_WHY"
	ks_netns_veth
	_a=$KS_NSA _b=$KS_NSB
	# first without the rule: all 5 arrive
	nl_ns_start sink "$_b" udpsink "$KS_IP2" 9999 --count 5
	wl_go sink
	nl_wait_line sink '^listening '
	nl_ns_start tx "$_a" udp "$KS_IP2" 9999 --count 5
	nl_run tx
	nl_wait_done sink
	sl_end sink
	expect_eq "$(nl_lines sink received '5 bytes=320')" 1 "received without the rule"
	# then with it
	ks_nft_drop "$_b" udp dport 9999 drop
	expect_eq "$(ks_nft_dropped "$_b")" 0 "packets dropped before sending"
	nl_ns_start sink "$_b" udpsink "$KS_IP2" 9999
	wl_go sink
	nl_wait_line sink '^listening '
	ks_nstat_save "$_b" t0
	nl_ns_start tx "$_a" udp "$KS_IP2" 9999 --count 7
	nl_run tx
	expect_eq "$(nl_lines tx sent 7)" 1 "the sender's sent line"
	# the rule has seen all 7 once its counter says so: then the receiver has its answer
	ks_wait_until "$KS_WAIT" test "$(ks_nft_dropped "$_b")" -ge 7 ||
		fail "the rule dropped $(ks_nft_dropped "$_b") datagrams in $KS_WAIT s, expected 7"
	expect_eq "$(ks_nft_dropped "$_b")" 7 "packets the rule dropped"
	nl_run sink
	expect_eq "$(nl_lines sink received '0 bytes=0')" 1 "received with the rule"
	expect_eq "$(ks_nstat_delta "$_b" t0 UdpInDatagrams)" 0 "UdpInDatagrams of the receiver's namespace"
	expect_eq "$(ks_nstat_delta "$_b" t0 UdpNoPorts)" 0 "UdpNoPorts of the receiver's namespace"
	ks_nft_clear "$_b"
	! ip netns exec "$_b" nft list table inet kscope >/dev/null 2>&1 || fail "ks_nft_clear left the table"
	pass
}

# t_nl_tbf: a 1 mbit/s token bucket with a 5 KiB burst on the client's side of a veth pair:
# each round of 20000 bytes out must wait for tokens, so takes at least
# (20000 - 5120) * 8 / 10^6 s = 119 ms by the client's own clock, and tbf counts the waits.
t_nl_tbf() {
	ks_have_veth || skip "$KS_NET_WHY"
	ks_have_tbf || skip "$KS_NET_WHY"
	ks_netns_veth
	_a=$KS_NSA _b=$KS_NSB
	ks_tbf "$_a" "$KS_VETH1" 1mbit 5kb
	ip netns exec "$_a" tc qdisc show dev "$KS_VETH1" | grep -q 'tbf' || fail "no tbf on $KS_VETH1"
	nl_ns_start srv "$_b" server "$KS_IP2" 0 --pingpong 4 --size 20000
	wl_go srv
	nl_wait_line srv '^listening '
	nl_ns_start cli "$_a" client "$KS_IP2" "$(nl_port srv)" --pingpong 4 --size 20000
	nl_run cli
	nl_wait_done srv
	sl_end srv
	_min=$(awk '$1 == "pingpong" { sub(/min_ns=/, "", $5); print $5 }' "$KS_TMP/cli.out")
	[ -n "$_min" ] || fail "no pingpong line"
	note "shortest round through tbf: $_min ns"
	[ "$_min" -ge 119040000 ] || fail "shortest round $_min ns, less than the bucket allows (119040000)"
	_ol=$(ip netns exec "$_a" tc -s qdisc show dev "$KS_VETH1" |
		sed -n 's/.*overlimits \([0-9]*\).*/\1/p' | head -n 1)
	[ "${_ol:-0}" -gt 0 ] || fail "tbf counted no overlimits ($_ol)"
	pass
}

# t_nl_retrans: netload pair --pause stops after connecting; an nft rule then drops what the
# client sends to the server's port, so the kernel retransmits it until the rule goes, and then
# every byte arrives. TcpRetransSegs of the namespace counts the retransmissions.
t_nl_retrans() {
	ks_have_nft || skip "$KS_NET_WHY"
	ks_netns_new a
	_a=$KS_NS
	nl_ns_start nl "$_a" --snmp TcpRetransSegs,TcpActiveOpens pair --pause --send 5000 --recv 100
	wl_go nl
	nl_wait_line nl '^connected '
	ks_nft_drop "$_a" tcp dport "$(nl_port nl)" drop
	ks_nstat_save "$_a" t0
	wl_go nl
	ks_wait_until "$KS_WAIT" nt_retransmitted "$_a" t0 2 ||
		fail "no 2 retransmissions in $KS_WAIT s: TcpRetransSegs $(ks_nstat_delta "$_a" t0 TcpRetransSegs)"
	ks_nft_clear "$_a"
	nl_wait_done nl
	sl_end nl
	nt_pair_sides nl 1 5000 100 127.0.0.1
	_r=$(nl_snmp nl TcpRetransSegs)
	[ "$_r" -ge 2 ] || fail "TcpRetransSegs $_r, expected 2 or more"
	expect_eq "$(nl_snmp nl TcpActiveOpens)" 1 "TcpActiveOpens"
	pass
}

# nt_retransmitted NS TAG N: N or more segments retransmitted in NS since TAG.
nt_retransmitted() { [ "$(ks_nstat_delta "$1" "$2" TcpRetransSegs)" -ge "$3" ]; }
