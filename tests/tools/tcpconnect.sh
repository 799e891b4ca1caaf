# SPDX-License-Identifier: GPL-2.0-only
# tcpconnect against the real kernel: netload's connects in namespaces of their own, each
# one line with the port the client's getsockname() gave and the result the client saw,
# checked against the namespace's own TCP counters.

ks_test tcpconnect/pair t_tc_pair 4
ks_test tcpconnect/pair/v6 t_tc_pair 6
ks_test tcpconnect/refused t_tc_refused 4
ks_test tcpconnect/refused/v6 t_tc_refused 6
ks_test tcpconnect/pid t_tc_pid
ks_test tcpconnect/closed_pending t_tc_closed_pending
ks_test tcpconnect/count t_tc_count
ks_test tcpconnect/count_interval t_tc_count_interval
ks_test tcpconnect/before_syn t_tc_before_syn
ks_test tcpconnect/text t_tc_text
ks_test tcpconnect/timeout t_tc_timeout
ks_test tcpconnect/unreachable t_tc_unreachable
ks_test -n -H tcpconnect/bad t_tc_bad

# tc_sorted FILE AWK_COND N: field N of the lines of FILE matching AWK_COND, sorted, one line.
tc_sorted() { awk "$2 { print \$$3 }" "$1" | sort -n | tr '\n' ' '; }

# tc_events NAME [EXPR...]: kscope NAME's events matching every jsonq EXPR.
tc_events() {
	_n=$1
	shift
	ks_count "$_n" type=event "$@"
}

# tc_lports NAME: the lport of kscope NAME's events, sorted, one line.
tc_lports() { "$H/jsonq" -w type=event -g lport <"$KS_TMP/$1.out" | sort -n | tr '\n' ' '; }

# tc_v6 4|6: the pair/refuse flag for that IP version; skips where the kernel has no IPv6.
tc_v6() {
	[ "$1" = 6 ] || return 0
	[ -e /proc/net/if_inet6 ] || skip "no IPv6 in this kernel (no /proc/net/if_inet6)"
	echo -6
}

# t_tc_pair 4|6: N connections of a pair in its own namespace: N lines, result ok, the
# client's pid and ports, the server's port, as many as the namespace's TcpActiveOpens.
t_tc_pair() {
	_v=$(tc_v6 "$1")
	_fam=ipv4 _a=127.0.0.1
	[ -n "$_v" ] && _fam=ipv6 _a=::1
	nl_start nl --netns-new --snmp TcpActiveOpens,TcpPassiveOpens pair $_v --count 5 --send 1000
	_ns=$(nl_netns nl)
	nl_traced ks nl tcpconnect
	_p=$(nl_port nl)
	expect_eq "$(tc_events ks)" 5 "events"
	expect_eq "$(tc_events ks result=ok error=null "pid=$(ks_pid nl)" "family=$_fam" "laddr=$_a" \
		"raddr=$_a" "rport=$_p" "netns=$_ns" proto=tcp 'latency_ns>0')" 5 \
		"ok events of the client ($(ks_pid nl)) to $_a port $_p"
	expect_eq "$(tc_lports ks)" "$(tc_sorted "$KS_TMP/nl.out" '$1 == "connected"' 2)" \
		"lports against the client's getsockname()"
	expect_eq "$(nl_snmp nl TcpActiveOpens)" 5 "TcpActiveOpens of the namespace"
	expect_eq "$(ks_count ks type=pending connects=0)" 1 "pending line with 0 connects"
	pass
}

# t_tc_refused 4|6: connects to a port nothing listens on: one ECONNREFUSED line each, with
# the port netload connected from; TcpAttemptFails counts them too.
t_tc_refused() {
	_v=$(tc_v6 "$1")
	nl_start nl --netns-new --snmp TcpActiveOpens,TcpAttemptFails refuse $_v --count 4
	nl_traced ks nl tcpconnect
	expect_eq "$(nl_lines nl failed ECONNREFUSED)" 4 "netload's refused connects"
	expect_eq "$(tc_events ks)" 4 "events"
	expect_eq "$(tc_events ks result=failed error=ECONNREFUSED "pid=$(ks_pid nl)" \
		"rport=$(nl_port nl)")" 4 "ECONNREFUSED events to port $(nl_port nl)"
	expect_eq "$(tc_lports ks)" "$(tc_sorted "$KS_TMP/nl.out" '$1 == "connecting"' 2)" \
		"lports against netload's"
	expect_eq "$(nl_snmp nl TcpActiveOpens)" 4 "TcpActiveOpens"
	expect_eq "$(nl_snmp nl TcpAttemptFails)" 4 "TcpAttemptFails"
	pass
}

# t_tc_pid: two pairs at once, -p one client: only its connects, the other's none.
t_tc_pid() {
	nl_start a --netns-new pair --count 3
	nl_start b --netns-new pair --count 4
	nl_traced2 ks a b tcpconnect -p "$(ks_pid a)"
	expect_eq "$(tc_events ks)" 3 "events (-p $(ks_pid a))"
	expect_eq "$(tc_events ks "pid=$(ks_pid a)" result=ok "netns=$(nl_netns a)")" 3 "the first client's"
	expect_eq "$(tc_lports ks)" "$(tc_sorted "$KS_TMP/a.out" '$1 == "connected"' 2)" "lports"
	# without -p both are there (the filter, not the workload, made the difference)
	nl_start c --netns-new pair --count 2
	ks_start ks2 tcpconnect --json --netns "$(nl_netns c)"
	ks_attached ks2
	nl_run c
	ks_stop ks2
	expect_eq "$(tc_events ks2 "pid=$(ks_pid c)")" 2 "events without -p"
	pass
}

# tc_syn_sent PID: does netload PID's namespace hold a socket in SYN_SENT (state 02)?
tc_syn_sent() {
	cat "/proc/$1/net/tcp" "/proc/$1/net/tcp6" 2>/dev/null | awk '$4 == "02" { f = 1 } END { exit !f }'
}

# t_tc_closed_pending: a listener with backlog 1 that never accepts: 2 connections complete,
# the SYNs of the others are dropped. Those the client gives up on (its own timeout, then
# close) end as "closed"; one still in SYN_SENT when kscope stops is counted as pending.
t_tc_closed_pending() {
	nl_start nl --netns-new --snmp TcpActiveOpens pair --no-accept --backlog 1 --count 4 --timeout-ms 300
	nl_traced ks nl tcpconnect
	expect_eq "$(nl_lines nl connected)" 2 "connections netload completed"
	expect_eq "$(nl_lines nl failed ETIMEDOUT)" 2 "connections netload gave up on"
	expect_eq "$(tc_events ks result=ok)" 2 "ok events"
	expect_eq "$(tc_events ks result=closed error=null)" 2 "closed events"
	expect_eq "$(tc_events ks)" 4 "events"
	expect_eq "$(ks_count ks type=pending connects=0)" 1 "pending line with 0 connects"
	# now one left in SYN_SENT while kscope stops
	nl_start nl2 --netns-new pair --no-accept --backlog 1 --count 3 --timeout-ms 5000
	ks_start ks2 tcpconnect --json --netns "$(nl_netns nl2)"
	ks_attached ks2
	wl_go nl2
	ks_wait_until "$KS_WAIT" tc_syn_sent "$(ks_pid nl2)" ||
		fail "no socket of netload's in SYN_SENT in $KS_WAIT s"
	ks_stop ks2
	ks_json_ok ks2
	expect_eq "$(tc_events ks2 result=ok)" 2 "ok events"
	expect_eq "$(tc_events ks2)" 2 "events"
	expect_eq "$(ks_count ks2 type=pending tool=tcpconnect connects=1)" 1 "pending line with 1 connect"
	ks_wait_until "$KS_WAIT" _ks_sl_done nl2 || fail "netload nl2 not done after $KS_WAIT s"
	sl_end nl2
	pass
}

# t_tc_count: --count adds up in the kernel: one row per destination and result, the
# counts netload's (ok and refused, two namespaces told apart by --netns).
t_tc_count() {
	nl_start nl --netns-new --snmp TcpActiveOpens pair --count 6
	ks_start ks tcpconnect --count --json --netns "$(nl_netns nl)"
	ks_attached ks
	nl_run nl
	ks_stop ks
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" 0 "events in --count mode"
	expect_eq "$(ks_count ks type=tcpconnect)" 1 "reports"
	expect_eq "$(ks_elems ks tcpconnect rows | "$H/jsonq" -c)" 1 "rows"
	expect_eq "$(ks_elems ks tcpconnect rows family=ipv4 raddr=127.0.0.1 "rport=$(nl_port nl)" \
		result=ok error=null count=6 | "$H/jsonq" -c)" 1 "the row of 6 ok connects"
	expect_eq "$(nl_snmp nl TcpActiveOpens)" 6 "TcpActiveOpens"
	nl_start rf --netns-new refuse --count 3
	ks_start ks2 tcpconnect --count --netns "$(nl_netns rf)"
	ks_attached ks2
	nl_run rf
	ks_stop ks2
	# text: the title, then one row
	expect_eq "$(awk '$1 == "RADDR" { t++ } $1 == "127.0.0.1" && $3 == "ECONNREFUSED" && $4 == 3 { r++ }
		END { print t + 0, r + 0, NR }' "$KS_TMP/ks2.out")" "1 1 2" "title, the refused row, lines"
	expect_eq "$(awk '$1 == "127.0.0.1" { print $2 }' "$KS_TMP/ks2.out")" "$(nl_port rf)" "the row's port"
	pass
}

# t_tc_count_interval: --count with an interval: each report has only its interval's
# connects, so the reports add up to netload's.
t_tc_count_interval() {
	nl_start nl --netns-new pair --count 5
	ks_start ks tcpconnect --count --json --netns "$(nl_netns nl)" 0.2
	ks_attached ks
	nl_run nl
	sleep 0.5 # one report after the last connect at least
	ks_stop ks
	ks_json_ok ks
	[ "$(ks_count ks type=tcpconnect)" -ge 2 ] || fail "$(ks_count ks type=tcpconnect) reports"
	expect_eq "$(ks_elems_sum ks tcpconnect rows count result=ok)" 5 "ok connects over all reports"
	expect_eq "$(ks_run_bad tcpconnect 1)" 2 "an interval without --count"
	pass
}

# ks_run_bad ARGS...: exit code of kscope ARGS, which must refuse them with one line.
ks_run_bad() {
	"$KSCOPE" "$@" >"$KS_TMP/bad.out" 2>"$KS_TMP/bad.err"
	_rc=$?
	[ "$(ks_lines "$KS_TMP/bad.err")" = 1 ] || fail "kscope $*: stderr not one line: $(cat "$KS_TMP/bad.err")"
	grep -q '^kscope: tcpconnect: ' "$KS_TMP/bad.err" || fail "kscope $*: $(cat "$KS_TMP/bad.err")"
	echo "$_rc"
}

# t_tc_before_syn: a connect with no route fails in connect() before any SYN: shown with
# --before-syn (result no_syn, the errno netload saw), not without.
t_tc_before_syn() {
	nl_start nl --netns-new --snmp TcpActiveOpens client 10.254.1.1 80 --count 2
	_ns=$(nl_netns nl)
	ks_start ks tcpconnect --json --before-syn --netns "$_ns"
	ks_start ks0 tcpconnect --json --netns "$_ns"
	ks_attached ks
	ks_attached ks0
	nl_run nl
	ks_stop ks
	ks_stop ks0
	ks_json_ok ks
	expect_eq "$(nl_lines nl failed ENETUNREACH)" 2 "netload's failed connects"
	expect_eq "$(nl_snmp nl TcpActiveOpens)" 0 "TcpActiveOpens (no SYN)"
	expect_eq "$(tc_events ks)" 2 "events with --before-syn"
	expect_eq "$(tc_events ks result=no_syn error=ENETUNREACH latency_ns=null raddr=10.254.1.1 \
		rport=80 "pid=$(ks_pid nl)")" 2 "no_syn ENETUNREACH events"
	expect_eq "$(tc_events ks0)" 0 "events without --before-syn"
	pass
}

# t_tc_text: the text lines: title, then PID COMM LADDR LPORT RADDR RPORT RESULT MS.
t_tc_text() {
	nl_start nl --netns-new pair --count 2
	ks_start ks tcpconnect --netns "$(nl_netns nl)"
	ks_attached ks
	nl_run nl
	ks_stop ks
	expect_eq "$(head -n 1 "$KS_TMP/ks.out" | tr -s ' ')" "PID COMM LADDR LPORT RADDR RPORT RESULT MS" "title"
	expect_eq "$(awk -v p="$(ks_pid nl)" -v r="$(nl_port nl)" '$1 == p && $2 == "netload" &&
		$3 == "127.0.0.1" && $5 == "127.0.0.1" && $6 == r && $7 == "ok" && $8 ~ /^[0-9]+\.[0-9][0-9][0-9]$/ { print $4 }' \
		"$KS_TMP/ks.out" | sort -n | tr '\n' ' ')" "$(tc_sorted "$KS_TMP/nl.out" '$1 == "connected"' 2)" "lines"
	expect_eq "$(ks_lines "$KS_TMP/ks.out")" 3 "lines"
	pass
}

# t_tc_timeout: SYNs dropped by nft on the server's side, 1 SYN retry in the client's
# namespace: the connect times out, ETIMEDOUT, as netload saw; the rule dropped 2 SYNs each.
t_tc_timeout() {
	ks_netns_veth
	_a=$KS_NSA _b=$KS_NSB
	ks_nft_drop "$_b" tcp dport 5001 drop
	ip netns exec "$_a" sysctl -q -w net.ipv4.tcp_syn_retries=1 ||
		fail "cannot set tcp_syn_retries in $_a"
	ks_nstat_save "$_a" t0
	ks_start ks tcpconnect --json --netns "$_a"
	ks_attached ks
	nl_ns_start nl "$_a" client "$KS_IP2" 5001 --count 2
	nl_run nl
	ks_stop ks
	ks_json_ok ks
	expect_eq "$(nl_lines nl failed ETIMEDOUT)" 2 "netload's timed-out connects"
	expect_eq "$(tc_events ks)" 2 "events"
	expect_eq "$(tc_events ks result=failed error=ETIMEDOUT "raddr=$KS_IP2" "laddr=$KS_IP1" rport=5001 \
		"pid=$(ks_pid nl)" 'latency_ns>=3000000000')" 2 \
		"ETIMEDOUT events after the SYN and its retry (1 + 2 s)"
	expect_eq "$(ks_nstat_delta "$_a" t0 TcpAttemptFails)" 2 "TcpAttemptFails"
	expect_eq "$(ks_nstat_delta "$_a" t0 TcpActiveOpens)" 2 "TcpActiveOpens"
	# every SYN was dropped: the first of each connect and the retransmissions
	expect_eq "$(ks_nft_dropped "$_b")" $((2 + $(ks_nstat_delta "$_a" t0 TcpRetransSegs))) \
		"SYNs the rule dropped against TcpActiveOpens + TcpRetransSegs"
	pass
}

# t_tc_unreachable: a connect to an address of the veth's subnet that nobody has: ARP gets
# no answer, the kernel sends itself an ICMP host unreachable: EHOSTUNREACH.
t_tc_unreachable() {
	ks_netns_veth
	_a=$KS_NSA _b=$KS_NSB
	_dead=${KS_IP2%.2}.3
	# one ARP request, 200 ms for its answer: fails in well under a second
	ip netns exec "$_a" sysctl -q -w "net.ipv4.neigh.$KS_VETH1.mcast_solicit=1" \
		"net.ipv4.neigh.$KS_VETH1.retrans_time_ms=200" || fail "cannot set the ARP sysctls in $_a"
	ks_nstat_save "$_a" t0
	ks_start ks tcpconnect --json --netns "$_a"
	ks_attached ks
	nl_ns_start nl "$_a" client "$_dead" 5002 --count 2
	nl_run nl
	ks_stop ks
	ks_json_ok ks
	expect_eq "$(nl_lines nl failed EHOSTUNREACH)" 2 "netload's unreachable connects"
	expect_eq "$(tc_events ks)" 2 "events"
	expect_eq "$(tc_events ks result=failed error=EHOSTUNREACH "raddr=$_dead" rport=5002 "pid=$(ks_pid nl)")" 2 \
		"EHOSTUNREACH events"
	expect_eq "$(ks_nstat_delta "$_a" t0 TcpAttemptFails)" 2 "TcpAttemptFails"
	pass
}

# t_tc_bad: bad input, one line and exit 2, before anything is loaded.
t_tc_bad() {
	for _a in "-P 0" "-P 70000" "--raddr nohost" "-4 -6" "--count 1 2 3"; do
		# shellcheck disable=SC2086 # the words are the arguments
		"$KSCOPE" tcpconnect $_a >"$KS_TMP/bad.out" 2>"$KS_TMP/bad.err"
		expect_eq "$?" 2 "exit code of tcpconnect $_a"
		expect_one_line "$KS_TMP/bad.err" "stderr of tcpconnect $_a"
	done
	"$KSCOPE" tcpconnect -d >"$KS_TMP/bad.out" 2>"$KS_TMP/bad.err"
	expect_eq "$?" 2 "exit code of tcpconnect -d (BCC's DNS option)"
	grep -q -- '--duration' "$KS_TMP/bad.err" || fail "tcpconnect -d: $(cat "$KS_TMP/bad.err")"
	pass
}
