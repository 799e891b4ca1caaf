# SPDX-License-Identifier: GPL-2.0-only
# tcptop: netload's connections, in a network namespace of their own, add up over the reports
# of a run to exactly the bytes each side sent and read, per flow and process (the client's
# and the server's), per process, per cgroup, and sorted as asked; netload's own counts of
# what its send and read calls moved are the cross-check.

ks_test tcptop/flows t_tt_flows 4
ks_test tcptop/flows/v6 t_tt_flows 6
ks_test tcptop/flows/kprobe t_tt_flows 4 kprobe
ks_test tcptop/process t_tt_process
ks_test tcptop/cgroup t_tt_cgroup
ks_test tcptop/sort t_tt_sort
ks_test -H tcptop/text t_tt_text

# tt_sum NAME MEMBER EXPR...: the sum of MEMBER over the rows of every report matching EXPR.
tt_sum() {
	_n=$1 _f=$2
	shift 2
	ks_elems_sum "$_n" tcptop rows "$_f" "$@"
}

# tt_pair NAME ARGS...: netload pair NAME in a namespace of its own (pair ARGS).
tt_pair() {
	_nm=$1
	shift
	nl_start "$_nm" --netns-new pair "$@"
	TT_NS=$(nl_netns "$_nm")
	TT_C=$(ks_pid "$_nm")
}

# t_tt_flows FAMILY [METHOD]: 2 connections with 100000 bytes up and 5000 down: each flow
# of each side, as netload printed its ports, with exactly those bytes, under its pid.
t_tt_flows() {
	_fam=ipv$1 _a=127.0.0.1 _six=
	[ "$1" = 6 ] && _fam=ipv6 _a=::1 _six=-6
	[ -n "${2:-}" ] && ks_method_works "$2"
	# shellcheck disable=SC2086 # -6 or nothing
	tt_pair nl $_six --count 2 --send 100000 --recv 5000
	ks_start ks tcptop --json --netns "$TT_NS" ${2:+--attach "$2"} 1
	ks_attached ks
	nl_run nl
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_attach ks "${2:-}"
	_s=$(nl_field nl server 2) _p=$(nl_port nl)
	expect_eq "$(nl_sum nl closed tx)" 200000 "bytes the client sent (netload)"
	expect_eq "$(nl_sum nl closed rx)" 10000 "bytes the client read (netload)"
	for _lp in $(awk '$1 == "connected" { print $2 }' "$KS_TMP/nl.out"); do
		_c="pid=$TT_C comm=netload family=$_fam laddr=$_a lport=$_lp raddr=$_a rport=$_p proto=tcp netns=$TT_NS"
		_v="pid=$_s comm=netload family=$_fam laddr=$_a lport=$_p raddr=$_a rport=$_lp proto=tcp netns=$TT_NS"
		# shellcheck disable=SC2086 # the expressions have no spaces
		{
			expect_eq "$(tt_sum ks tx_bytes $_c)" 100000 "bytes sent by the client on port $_lp"
			expect_eq "$(tt_sum ks rx_bytes $_c)" 5000 "bytes read by the client on port $_lp"
			expect_eq "$(tt_sum ks rx_bytes $_v)" 100000 "bytes read by the server from port $_lp"
			expect_eq "$(tt_sum ks tx_bytes $_v)" 5000 "bytes sent by the server to port $_lp"
		}
	done
	# nothing else in that namespace, nothing counted twice
	expect_eq "$(tt_sum ks tx_bytes)" 210000 "bytes sent in the namespace"
	expect_eq "$(tt_sum ks rx_bytes)" 210000 "bytes read in the namespace"
	expect_eq "$(ks_count ks type=tcptop by=flow 'interval_ns>0')" "$(ks_count ks type=tcptop)" \
		"reports keyed by flow, each with its interval"
	pass
}

# -P -p: the client's process alone, its flows summed.
t_tt_process() {
	tt_pair nl --count 3 --send 20000 --recv 700
	ks_start ks tcptop --json -P -p "$TT_C" 1
	ks_attached ks
	nl_run nl
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(tt_sum ks tx_bytes "pid=$TT_C" comm=netload)" 60000 "bytes the client sent"
	expect_eq "$(tt_sum ks rx_bytes "pid=$TT_C" comm=netload)" 2100 "bytes the client read"
	expect_eq "$(ks_elems ks tcptop rows 'pid!='"$TT_C" | wc -l | tr -d ' ')" 0 "rows of other pids"
	expect_eq "$(ks_elems ks tcptop rows laddr | wc -l | tr -d ' ')" 0 "rows with a flow under -P"
	expect_eq "$(ks_count ks type=tcptop by=pid)" "$(ks_count ks type=tcptop)" "reports keyed by pid"
	pass
}

# --per-cgroup -c: the pair (the server is forked after the trigger, in the same cgroup) as
# one row of its cgroup.
t_tt_cgroup() {
	ks_cg_create tt
	tt_pair nl --count 2 --send 30000 --recv 400
	ks_cg_move "$TT_C" "$KS_CG"
	_path=$(ks_cgroup_of "$TT_C")
	ks_start ks tcptop --json --per-cgroup -c "$KS_CG" 1
	ks_attached ks
	nl_run nl
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(tt_sum ks tx_bytes "cgroup=$_path")" 60800 "bytes sent in cgroup $_path"
	expect_eq "$(tt_sum ks rx_bytes "cgroup=$_path")" 60800 "bytes read in cgroup $_path"
	expect_eq "$(tt_sum ks tx_bytes)" 60800 "bytes sent under -c (only that cgroup)"
	pass
}

# One report at the end (a 60 s interval ended by SIGINT): -s received -r 1 keeps a server's
# flow (it read 50000 on each), -s sent -r 1 a client's (it sent 50000 on each).
t_tt_sort() {
	tt_pair nl --count 2 --send 50000 --recv 3000
	ks_start r tcptop --json --netns "$TT_NS" -s received -r 1 60
	ks_start s tcptop --json --netns "$TT_NS" --sort sent -r 1 60
	ks_attached r
	ks_attached s
	nl_run nl
	ks_stop r
	ks_stop s
	expect_rc r 0
	expect_rc s 0
	_s=$(nl_field nl server 2)
	expect_eq "$(ks_elems r tcptop rows | wc -l | tr -d ' ')" 1 "rows under -r 1"
	expect_eq "$(ks_elems r tcptop rows "pid=$_s" rx_bytes=50000 tx_bytes=3000 | wc -l | tr -d ' ')" 1 \
		"the row that read the most (a server's flow)"
	expect_eq "$(ks_elems s tcptop rows "pid=$TT_C" tx_bytes=50000 rx_bytes=3000 | wc -l | tr -d ' ')" 1 \
		"the row that sent the most (a client's flow)"
	pass
}

# The text report: BCC's title and columns, one row per flow with KB (one report, at the end).
t_tt_text() {
	tt_pair nl --count 1 --send 300000 --recv 4096
	ks_start ks tcptop -C --netns "$TT_NS" 60
	ks_attached ks
	nl_run nl
	ks_stop ks
	expect_rc ks 0
	_o=$KS_TMP/ks.out _p=$(nl_port nl) _s=$(nl_field nl server 2)
	_lp=$(awk '$1 == "connected" { print $2 }' "$KS_TMP/nl.out")
	grep -q '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] loadavg: ' "$_o" || fail "no title line: $(head -n 1 "$_o")"
	expect_eq "$(grep -c '^PID  *COMM  *LADDR  *RADDR  *RX_KB  *TX_KB$' "$_o")" 1 "header lines"
	expect_eq "$(awk -v p="$TT_C" -v l="127.0.0.1:$_lp" -v r="127.0.0.1:$_p" \
		'$1 == p && $2 == "netload" && $3 == l && $4 == r && $5 == 4 && $6 == 292' "$_o" | wc -l | tr -d ' ')" \
		1 "the client's row (4 KB read, 292 KB sent)"
	expect_eq "$(awk -v p="$_s" -v l="127.0.0.1:$_p" -v r="127.0.0.1:$_lp" \
		'$1 == p && $2 == "netload" && $3 == l && $4 == r && $5 == 292 && $6 == 4' "$_o" | wc -l | tr -d ' ')" \
		1 "the server's row"
	grep -q "$(printf '\033')" "$_o" && fail "-C: the output clears the screen"
	pass
}
