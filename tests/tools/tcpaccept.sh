# SPDX-License-Identifier: GPL-2.0-only
# tcpaccept against the real kernel: netload's servers accept known connections in
# namespaces of their own; each one line with the server's pid and the client's port,
# as many as the namespace's TcpPassiveOpens.

ks_test tcpaccept/pair t_ta_pair 4
ks_test tcpaccept/pair/v6 t_ta_pair 6
ks_test tcpaccept/pid t_ta_pid
ks_test tcpaccept/text t_ta_text

# ta_sorted FILE AWK_COND N: field N of FILE's lines matching AWK_COND, sorted, one line.
ta_sorted() { awk "$2 { print \$$3 }" "$1" | sort -n | tr '\n' ' '; }

# ta_rports NAME: the rport of kscope NAME's events, sorted, one line.
ta_rports() { "$H/jsonq" -w type=event -g rport <"$KS_TMP/$1.out" | sort -n | tr '\n' ' '; }

# t_ta_pair 4|6: a pair's N connections: N accept events by the server (not the client, not
# a softirq's task), with the client's ports, as many as TcpPassiveOpens.
t_ta_pair() {
	_v= _fam=ipv4 _a=127.0.0.1
	if [ "$1" = 6 ]; then
		[ -e /proc/net/if_inet6 ] || skip "no IPv6 in this kernel (no /proc/net/if_inet6)"
		_v=-6 _fam=ipv6 _a=::1
	fi
	nl_start nl --netns-new --snmp TcpPassiveOpens,TcpActiveOpens pair $_v --count 5 --send 2000
	_ns=$(nl_netns nl)
	nl_traced ks nl tcpaccept
	_srv=$(nl_field nl server 2)
	expect_eq "$(ks_count ks type=event)" 5 "events"
	expect_eq "$(ks_count ks type=event "pid=$_srv" "family=$_fam" "laddr=$_a" "raddr=$_a" \
		"lport=$(nl_port nl)" "netns=$_ns" proto=tcp 'queue_ns>=0')" 5 \
		"events of the server ($_srv) on port $(nl_port nl)"
	expect_eq "$(ta_rports ks)" "$(ta_sorted "$KS_TMP/nl.out" '$1 == "accepted"' 5)" \
		"remote ports against the server's accepted lines"
	expect_eq "$(ta_rports ks)" "$(ta_sorted "$KS_TMP/nl.out" '$1 == "connected"' 2)" \
		"remote ports against the client's getsockname()"
	expect_eq "$(nl_snmp nl TcpPassiveOpens)" 5 "TcpPassiveOpens of the namespace"
	pass
}

# t_ta_pid: two servers in the test's namespace, each accepting its client's connections:
# -p one server (kscope attached before the servers start) gives exactly its accepts. Then,
# with two new servers, -P one's port (kscope started once it listens, when its first
# accept() is already blocked) the same, but for that first one where the hook is fexit or
# kretprobe: those see only the calls that began after they were attached (the syscall's
# tracepoint sees it). One kscope at a time: before 5.12, attaching a second fexit program
# to a function rebuilt its trampoline under the calls sleeping in it, and their returns
# went untraced.
t_ta_pid() {
	nl_start sa server 127.0.0.1 0 --accept 3 --drain
	nl_start sb server 127.0.0.1 0 --accept 3 --drain
	ks_start ks tcpaccept --json -p "$(ks_pid sa)"
	ks_attached ks
	ta_serve a b
	ks_stop ks
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" 3 "events of -p $(ks_pid sa)"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid sa)" "lport=$(nl_port sa)")" 3 "the first server's"
	expect_eq "$(ta_rports ks)" "$(ta_sorted "$KS_TMP/ca.out" '$1 == "connected"' 2)" "its client's ports"
	nl_start sc server 127.0.0.1 0 --accept 3 --drain
	nl_start sd server 127.0.0.1 0 --accept 3 --drain
	ta_serve c d kp
	ks_json_ok kp
	_m=$(head -n 1 "$KS_TMP/kp.out" | "$H/jsonq" -g attach.accept)
	case $_m in
	tracepoint | tp_btf | raw_tp) _n=3 _skip=0 ;;
	*) _n=2 _skip=1 ;;
	esac
	expect_eq "$(ks_count kp type=event "pid=$(ks_pid sc)" "lport=$(nl_port sc)")" "$_n" \
		"events of -P $(nl_port sc) (accept hooked by $_m)"
	expect_eq "$(ks_count kp type=event)" "$_n" "events of -P $(nl_port sc)"
	expect_eq "$(ta_rports kp)" "$(awk -v s="$_skip" '$1 == "connected" && ++n > s { print $2 }' \
		"$KS_TMP/cc.out" | sort -n | tr '\n' ' ')" "their ports"
	pass
}

# ta_serve X Y [KS]: trigger servers sX and sY, each to listen; with KS, start kscope KS
# (tcpaccept -P sX's port) then; clients cX and cY make 3 connections each, the servers end;
# KS is stopped.
ta_serve() {
	for _s in "$1" "$2"; do
		wl_go "s$_s"
		nl_wait_line "s$_s" '^listening '
	done
	if [ -n "${3:-}" ]; then
		ks_start "$3" tcpaccept --json -P "$(nl_port "s$1")"
		ks_attached "$3"
	fi
	for _s in "$1" "$2"; do
		nl_start "c$_s" client 127.0.0.1 "$(nl_port "s$_s")" --count 3
		nl_run "c$_s"
		ks_wait_until "$KS_WAIT" _ks_sl_done "s$_s" || fail "server s$_s not done"
		sl_end "s$_s"
	done
	[ -z "${3:-}" ] || ks_stop "$3"
}

# t_ta_text: title, then PID COMM LADDR LPORT RADDR RPORT QUEUE(ms).
t_ta_text() {
	nl_start nl --netns-new pair --count 2
	ks_start ks tcpaccept --netns "$(nl_netns nl)"
	ks_attached ks
	nl_run nl
	ks_stop ks
	expect_eq "$(head -n 1 "$KS_TMP/ks.out" | tr -s ' ')" "PID COMM LADDR LPORT RADDR RPORT QUEUE(ms)" "title"
	expect_eq "$(awk -v p="$(nl_field nl server 2)" -v l="$(nl_port nl)" '$1 == p && $2 == "netload" &&
		$3 == "127.0.0.1" && $4 == l && $5 == "127.0.0.1" && $7 ~ /^[0-9]+\.[0-9][0-9][0-9]$/ { print $6 }' \
		"$KS_TMP/ks.out" | sort -n | tr '\n' ' ')" "$(ta_sorted "$KS_TMP/nl.out" '$1 == "connected"' 2)" "lines"
	expect_eq "$(ks_lines "$KS_TMP/ks.out")" 3 "lines"
	pass
}
