# SPDX-License-Identifier: GPL-2.0-only
# tcpconnlat against the real kernel: one line per connection netload made, with its port
# and pid; a connection whose first SYN an nft rule dropped took at least the SYN's 1 s
# retransmission timeout, and the minimum filters by latency.

ks_test tcpconnlat/pair t_cl_pair 4
ks_test tcpconnlat/pair/v6 t_cl_pair 6
ks_test tcpconnlat/refused t_cl_refused
ks_test tcpconnlat/pid t_cl_pid
ks_test tcpconnlat/text t_cl_text
ks_test tcpconnlat/syn_dropped t_cl_syn_dropped
ks_test -n -H tcpconnlat/bad t_cl_bad

# cl_sorted FILE AWK_COND N: field N of FILE's lines matching AWK_COND, sorted, one line.
cl_sorted() { awk "$2 { print \$$3 }" "$1" | sort -n | tr '\n' ' '; }

# cl_lports NAME: the lport of kscope NAME's events, sorted, one line.
cl_lports() { "$H/jsonq" -w type=event -g lport <"$KS_TMP/$1.out" | sort -n | tr '\n' ' '; }

# t_cl_pair 4|6: N connections: N lines with the client's pid and ports, latency > 0, as
# many as TcpActiveOpens.
t_cl_pair() {
	_v= _fam=ipv4
	if [ "$1" = 6 ]; then
		[ -e /proc/net/if_inet6 ] || skip "no IPv6 in this kernel (no /proc/net/if_inet6)"
		_v=-6 _fam=ipv6
	fi
	nl_start nl --netns-new --snmp TcpActiveOpens pair $_v --count 4
	_ns=$(nl_netns nl)
	nl_traced ks nl tcpconnlat
	expect_eq "$(ks_count ks type=event)" 4 "events"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid nl)" "family=$_fam" "rport=$(nl_port nl)" \
		"netns=$_ns" 'latency_ns>0')" 4 "events of the client with a latency"
	expect_eq "$(cl_lports ks)" "$(cl_sorted "$KS_TMP/nl.out" '$1 == "connected"' 2)" \
		"lports against the client's getsockname()"
	expect_eq "$(nl_snmp nl TcpActiveOpens)" 4 "TcpActiveOpens"
	pass
}

# t_cl_refused: refused connects have no latency: no line.
t_cl_refused() {
	nl_start nl --netns-new refuse --count 3
	nl_traced ks nl tcpconnlat
	expect_eq "$(nl_lines nl failed ECONNREFUSED)" 3 "netload's refused connects"
	expect_eq "$(ks_count ks type=event)" 0 "events"
	pass
}

# t_cl_pid: two pairs at once, -p one client: only its connects.
t_cl_pid() {
	nl_start a --netns-new pair --count 2
	nl_start b --netns-new pair --count 3
	nl_traced2 ks a b tcpconnlat -p "$(ks_pid b)"
	expect_eq "$(ks_count ks type=event)" 3 "events (-p $(ks_pid b))"
	expect_eq "$(cl_lports ks)" "$(cl_sorted "$KS_TMP/b.out" '$1 == "connected"' 2)" "lports"
	pass
}

# t_cl_text: title, then PID COMM LADDR LPORT RADDR RPORT LAT(ms).
t_cl_text() {
	nl_start nl --netns-new pair --count 2
	ks_start ks tcpconnlat --netns "$(nl_netns nl)"
	ks_attached ks
	nl_run nl
	ks_stop ks
	expect_eq "$(head -n 1 "$KS_TMP/ks.out" | tr -s ' ')" "PID COMM LADDR LPORT RADDR RPORT LAT(ms)" "title"
	expect_eq "$(awk -v p="$(ks_pid nl)" -v r="$(nl_port nl)" '$1 == p && $2 == "netload" &&
		$6 == r && $7 ~ /^[0-9]+\.[0-9][0-9][0-9]$/ { print $4 }' "$KS_TMP/ks.out" |
		sort -n | tr '\n' ' ')" "$(cl_sorted "$KS_TMP/nl.out" '$1 == "connected"' 2)" "lines"
	expect_eq "$(ks_lines "$KS_TMP/ks.out")" 3 "lines"
	pass
}

# t_cl_syn_dropped: an nft rule drops the first SYN of a connection across a veth pair and is
# removed once it has: the SYN is sent again after the initial retransmission timeout (1 s),
# so the connection took at least 1 s; MIN_MS 900 keeps it, 5000 does not; a fast
# connection after it is left out by MIN_MS 900.
t_cl_syn_dropped() {
	ks_netns_veth
	_a=$KS_NSA _b=$KS_NSB
	nl_ns_start srv "$_b" server "$KS_IP2" 0 --accept 2 --drain
	wl_go srv
	nl_wait_line srv '^listening '
	_p=$(nl_port srv)
	ks_nft_drop "$_b" tcp dport "$_p" drop
	ks_nstat_save "$_a" t0
	ks_start ks tcpconnlat --json --netns "$_a"
	ks_start k9 tcpconnlat --json --netns "$_a" 900
	ks_start k5 tcpconnlat --json --netns "$_a" -m 5000
	ks_attached ks
	ks_attached k9
	ks_attached k5
	nl_ns_start cli "$_a" client "$KS_IP2" "$_p" --count 2
	wl_go cli
	ks_wait_until "$KS_WAIT" test "$(ks_nft_dropped "$_b")" -ge 1 || fail "the rule dropped no SYN"
	ks_nft_clear "$_b"
	ks_wait_until "$KS_WAIT" _ks_sl_done cli || fail "netload cli not done after $KS_WAIT s"
	sl_end cli
	ks_wait_until "$KS_WAIT" grep -q '^done$' "$KS_TMP/srv.out" || fail "the server is not done"
	sl_end srv
	ks_stop ks
	ks_stop k9
	ks_stop k5
	ks_json_ok ks
	expect_eq "$(nl_lines cli connected)" 2 "netload's connections"
	expect_eq "$(ks_count ks type=event)" 2 "events"
	_first=$(awk '$1 == "connected" { print $2; exit }' "$KS_TMP/cli.out")
	expect_eq "$(ks_count ks type=event "lport=$_first" 'latency_ns>=1000000000')" 1 \
		"the first connection, whose first SYN was dropped, took 1 s or more"
	expect_eq "$(ks_count k9 type=event)" 1 "events of MIN_MS 900"
	expect_eq "$(ks_count k9 type=event "lport=$_first")" 1 "the slow one with MIN_MS 900"
	expect_eq "$(ks_count k5 type=event)" 0 "events of -m 5000"
	_r=$(ks_nstat_delta "$_a" t0 TcpRetransSegs)
	[ "$_r" -ge 1 ] || fail "TcpRetransSegs $_r: the SYN was not sent again"
	pass
}

# t_cl_bad: a bad minimum, one line and exit 2.
t_cl_bad() {
	for _a in "-m -1" "-m x" "abc" "1 2"; do
		# shellcheck disable=SC2086 # the words are the arguments
		"$KSCOPE" tcpconnlat $_a >"$KS_TMP/bad.out" 2>"$KS_TMP/bad.err"
		expect_eq "$?" 2 "exit code of tcpconnlat $_a"
		expect_one_line "$KS_TMP/bad.err" "stderr of tcpconnlat $_a"
	done
	pass
}
