# SPDX-License-Identifier: GPL-2.0-only
# tcpstates against netload (helpers/netload.c): a connection's whole sequence of states on
# both ends, in order, with its ports and owners, the time in each state where its start was
# seen; the filters keep exactly what they say.

ks_test tcpstates/sequence/v4 t_ts_sequence 4
ks_test tcpstates/sequence/v6 t_ts_sequence 6
ks_test tcpstates/ports t_ts_ports
ks_test tcpstates/pid t_ts_pid
ks_test tcpstates/family t_ts_family
ks_test tcpstates/netns t_ts_netns

# ts_states NAME SKADDR: the changes of socket SKADDR, in order: OLD>NEW ...
ts_states() {
	"$H/jsonq" -w type=event -w "skaddr=$2" -g oldstate -g newstate <"$KS_TMP/$1.out" |
		tr '\t' '>' | tr '\n' ' ' | sed 's/ $//'
}

# ts_sk NAME EXPR...: the skaddr of the first event matching every EXPR.
ts_sk() {
	_ts_n=$1
	shift
	_ts_w=""
	for _ts_e in "$@"; do
		_ts_w="$_ts_w -w $_ts_e"
	done
	# shellcheck disable=SC2086 # the expressions have no spaces
	"$H/jsonq" -w type=event $_ts_w -g skaddr <"$KS_TMP/$_ts_n.out" | head -n 1
}

# t_ts_sequence 4|6: one connection with a ping-pong round (so the server has accepted before
# the client's FIN), bytes both ways, the client closing first: 5 changes on each end, 2 on
# the listener, each on its owner, prev_ns null only where the socket was born.
t_ts_sequence() {
	_six=
	if [ "$1" = 6 ]; then
		[ -e /proc/net/if_inet6 ] || skip "no IPv6 in this kernel (no /proc/net/if_inet6)"
		_six=-6
	fi
	nl_start nl --netns-new pair $_six --count 1 --pingpong 1 --size 10 --send 1000 --recv 2000
	ks_start ks tcpstates --json --netns "$(nl_netns nl)"
	ks_attached ks
	sl_go nl
	ks_wait_events ks 12
	ks_stop ks
	sl_end nl
	expect_rc ks 0
	ks_json_ok ks
	_p=$(nl_port nl) _c=$(nl_field nl connected 2)
	_cp=$(ks_pid nl) _sp=$(nl_field nl server 2)
	expect_eq "$(ks_count ks type=event)" 12 "events"
	_csk=$(ts_sk ks newstate=SYN_SENT)
	_ssk=$(ts_sk ks newstate=SYN_RECV)
	_lsk=$(ts_sk ks newstate=LISTEN)
	expect_eq "$(ts_states ks "$_csk")" \
		"CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>CLOSE" \
		"the client's states"
	expect_eq "$(ts_states ks "$_ssk")" \
		"LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE" \
		"the server's states"
	expect_eq "$(ts_states ks "$_lsk")" "CLOSE>LISTEN LISTEN>CLOSE" "the listener's states"
	# ports: the client's local port is chosen by connect() just after CLOSE -> SYN_SENT
	expect_eq "$(ks_count ks type=event skaddr="$_csk" newstate=SYN_SENT lport=0 rport="$_p")" 1 \
		"SYN_SENT: local port 0, remote port $_p"
	expect_eq "$(ks_count ks type=event skaddr="$_csk" lport="$_c" rport="$_p")" 4 \
		"the client's other changes: ports $_c -> $_p"
	# the child's remote end is set before its birth (LISTEN -> SYN_RECV) on newer kernels,
	# after it on older ones (5.10): that one line has the remote port or 0
	expect_eq "$(ks_count ks type=event skaddr="$_ssk" lport="$_p" rport="$_c" oldstate!=LISTEN)" 4 \
		"the server's changes after its birth: ports $_p <- $_c"
	expect_eq $(($(ks_count ks type=event skaddr="$_ssk" lport="$_p" rport="$_c" oldstate=LISTEN) + \
		$(ks_count ks type=event skaddr="$_ssk" lport="$_p" rport=0 oldstate=LISTEN))) 1 \
		"the server's birth: port $_p, remote port $_c or 0"
	expect_eq "$(ks_count ks type=event skaddr="$_lsk" lport="$_p" rport=0)" 2 "the listener's changes"
	# owners: the client from connect() on; the server (which listens and accepts) for its
	# listener and the listener's child, whose handshake ran on whatever task had the CPU
	expect_eq "$(ks_count ks type=event skaddr="$_csk" pid="$_cp" owner=true)" 5 "the client's owner"
	expect_eq "$(ks_count ks type=event skaddr="$_ssk" pid="$_sp" owner=true)" 5 "the child's owner"
	expect_eq "$(ks_count ks type=event skaddr="$_lsk" pid="$_sp" owner=true)" 2 "the listener's owner"
	# the time in the state left: unknown only for a socket's first change (its birth)
	expect_eq "$(ks_count ks type=event prev_ns=null)" 3 "changes without prev_ns"
	expect_eq "$(ks_count ks type=event prev_ns=null oldstate=CLOSE newstate=SYN_SENT)" 1 "SYN_SENT's prev_ns"
	expect_eq "$(ks_count ks type=event prev_ns=null oldstate=LISTEN newstate=SYN_RECV)" 1 "SYN_RECV's prev_ns"
	expect_eq "$(ks_count ks type=event prev_ns=null oldstate=CLOSE newstate=LISTEN)" 1 "LISTEN's prev_ns"
	expect_eq "$(ks_count ks type=event 'prev_ns>0')" 9 "changes with prev_ns > 0"
	_run=$(tail -n 1 "$KS_TMP/ks.out" | "$H/jsonq" -g duration_ns)
	expect_eq "$(ks_count ks type=event "prev_ns<=$_run")" 9 "prev_ns within the run's $_run ns"
	pass
}

# t_ts_ports: a server in a namespace of its own and a client in it (joined through /proc: no
# ip netns needed), traced from before the server listens: -L (local ports) keeps the
# listener and its children, all the server's (the children from their birth, 5.10's without
# remote port: the listener's owner owns them until accepted); -D (remote ports) the client's sockets, five changes each
# (the client's SYN_SENT has its remote port already).
t_ts_ports() {
	ks_which nsenter >/dev/null || skip "no nsenter(1) to run a client in the server's namespace"
	# a namespace of its own: the port is free
	_p=4242
	nl_start srvp --netns-new server 127.0.0.1 "$_p" --accept 2 --drain --send 10
	_ns=$(nl_netns srvp)
	ks_start all tcpstates --json --netns "$_ns"
	ks_start lo tcpstates --json --netns "$_ns" -L "$_p"
	ks_start re tcpstates --json --netns "$_ns" -D "$_p"
	ks_attached all
	ks_attached lo
	ks_attached re
	wl_go srvp
	nl_wait_line srvp '^listening '
	ks_bg cl nsenter --net="/proc/$(ks_pid srvp)/ns/net" "$H/netload" client 127.0.0.1 "$_p" \
		--count 2 --send 7
	_wl_ready cl
	nl_run cl
	nl_wait_line srvp '^done'
	ks_wait_events all 22
	ks_wait_events lo 12
	ks_wait_events re 10
	ks_stop all
	ks_stop lo
	ks_stop re
	sl_end srvp
	_sp=$(ks_pid srvp)
	expect_eq "$(ks_count all type=event)" 22 "events (a listener's 2, 2 children's and 2 clients' 5)"
	expect_eq "$(ks_count lo type=event)" 12 "-L: events"
	expect_eq "$(ks_count lo type=event lport="$_p" pid="$_sp" owner=true)" 12 "-L: the server's"
	expect_eq $(($(ks_count lo type=event newstate=LISTEN) + \
		$(ks_count lo type=event oldstate=LISTEN newstate=CLOSE))) 2 "-L: the listener's"
	expect_eq "$(ks_count re type=event)" 10 "-D: events"
	expect_eq "$(ks_count re type=event rport="$_p" pid="$(ks_pid cl)" owner=true)" 10 "-D: the client's"
	pass
}

# t_ts_pid: -p keeps the sockets that process owns: the client's, not the server's, though
# the server's handshake ran while the client had the CPU.
t_ts_pid() {
	nl_start nl --netns-new pair --count 2 --pingpong 1 --size 10
	_ns=$(nl_netns nl)
	ks_start cl tcpstates --json --netns "$_ns" -p "$(ks_pid nl)"
	ks_start all tcpstates --json --netns "$_ns"
	ks_attached cl
	ks_attached all
	sl_go nl
	ks_wait_events all 22
	ks_wait_events cl 10
	ks_stop cl
	ks_stop all
	sl_end nl
	_sp=$(nl_field nl server 2)
	expect_eq "$(ks_count all type=event)" 22 "events without -p (2 x 5 + 2 x 5 + 2)"
	expect_eq "$(ks_count cl type=event)" 10 "events with -p: the client's 2 x 5"
	expect_eq "$(ks_count cl type=event pid="$(ks_pid nl)" owner=true)" 10 "the client's, owned"
	expect_eq "$(ks_count all type=event pid="$_sp" owner=true)" 12 "the server's, owned"
	pass
}

# t_ts_family: -6 keeps the IPv6 sockets of two namespaces with one pair each family, -4 the
# IPv4 ones.
t_ts_family() {
	[ -e /proc/net/if_inet6 ] || skip "no IPv6 in this kernel (no /proc/net/if_inet6)"
	nl_start n4 --netns-new pair --count 1
	nl_start n6 --netns-new pair -6 --count 1
	ks_start k6 tcpstates --json -6
	ks_start k4 tcpstates --json -4
	ks_attached k6
	ks_attached k4
	sl_go n4
	sl_go n6
	ks_wait_events k6 12 netns="$(nl_netns n6)"
	ks_wait_events k4 12 netns="$(nl_netns n4)"
	ks_stop k6
	ks_stop k4
	sl_end n4
	sl_end n6
	expect_eq "$(ks_count k6 type=event netns="$(nl_netns n6)" family=ipv6)" 12 "-6: IPv6 changes"
	expect_eq "$(ks_count k6 type=event netns="$(nl_netns n4)")" 0 "-6: IPv4 changes"
	expect_eq "$(ks_count k4 type=event netns="$(nl_netns n4)" family=ipv4)" 12 "-4: IPv4 changes"
	expect_eq "$(ks_count k4 type=event netns="$(nl_netns n6)")" 0 "-4: IPv6 changes"
	pass
}

# t_ts_netns: --netns keeps one namespace's changes, not those of a second namespace running
# the same workload at the same time (which an unfiltered run sees).
t_ts_netns() {
	nl_netns_both tcpstates 22 pair --count 2
	expect_eq "$(ks_count ks type=event)" 22 "events with --netns"
	expect_eq "$(ks_count ks type=event netns="$(nl_netns a)")" 22 "namespace a's"
	expect_eq "$(ks_count all type=event netns="$(nl_netns b)")" 22 "namespace b's without --netns"
	pass
}
