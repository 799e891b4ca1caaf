# SPDX-License-Identifier: GPL-2.0-only
# pkttrace against netload in network namespaces of its own (--netns-new: loopback only, so
# the guests run them too): a TCP ping-pong's data segments followed from net_dev_queue to
# the reader, hop by hop in order; UDP datagrams to a closed port dropped with the kernel's
# reason, as many as the namespace counted; the flow filters; --count; the text blocks.

ks_test pkttrace/pingpong t_pt_pingpong 4
ks_test pkttrace/pingpong/v6 t_pt_pingpong 6
ks_test pkttrace/drop t_pt_drop
ks_test pkttrace/filter t_pt_filter
ks_test pkttrace/pid t_pt_pid
ks_test pkttrace/count t_pt_count
ks_test pkttrace/text t_pt_text

# pt_packets NAME [-w EXPR]...: one line per packet event of kscope NAME (that matches jsonq's
# -w EXPRs): "SPORT DPORT END HOPS LASTLEN BACK", HOPS the hop names joined by commas, LASTLEN
# the last hop's len, BACK the number of hops whose time is before the previous hop's.
pt_packets() {
	_pf=$KS_TMP/$1.out
	shift
	"$H/jsonq" -w type=event "$@" -g sport -g dport -g end -g hops <"$_pf" |
		awk -F '\t' '{
			h = $4; names = ""; back = 0; len = ""
			while (match(h, /"hop":"[a-z_]*"/)) {
				names = names (names == "" ? "" : ",") substr(h, RSTART + 7, RLENGTH - 8)
				h = substr(h, RSTART + RLENGTH)
			}
			h = $4
			while (match(h, /"delta_ns":-?[0-9]*/)) {
				if (substr(h, RSTART + 11, 1) == "-") back++
				h = substr(h, RSTART + RLENGTH)
			}
			h = $4
			while (match(h, /"len":[0-9]*/)) {
				len = substr(h, RSTART + 6, RLENGTH - 6)
				h = substr(h, RSTART + RLENGTH)
			}
			print $1, $2, $3, names, len, back
		}'
}

# The path of a packet sent over the loopback: transmit, the loopback driver hands it to
# netif_rx before net_dev_xmit, then the stack takes it from the backlog.
PT_LO='net_dev_queue,net_dev_start_xmit,(netif_rx_entry,)?netif_rx,net_dev_xmit,netif_receive_skb'

# pt_meta NAME MEMBER: MEMBER of kscope NAME's meta line.
pt_meta() { head -n 1 "$KS_TMP/$1.out" | "$H/jsonq" -g "$2"; }

# pt_run PROTO NETLOAD_ARGS...: netload nl (in a namespace of its own) run while kscope ks
# follows its namespace's PROTO packets, as JSON.
pt_run() {
	_pp=$1
	shift
	nl_start nl --netns-new "$@"
	ks_start ks pkttrace --json --netns "$(nl_netns nl)" --proto "$_pp"
	ks_attached ks
	sl_go nl
	ks_stop ks
	sl_end nl
	expect_rc ks 0
	ks_json_ok ks
}

# t_pt_pingpong 4|6: netload pair's ping-pong of 5 rounds of 300 bytes: exactly 10 data
# segments delivered (5 each way), each followed from net_dev_queue through the loopback,
# TCP (tcp_probe) to the reader's copy of its 300 bytes, in time order, with the pair's ports.
t_pt_pingpong() {
	_a=127.0.0.1 _f=ipv4 _v=
	if [ "$1" = 6 ]; then
		[ -e /proc/net/if_inet6 ] || skip "no IPv6 in this kernel (no /proc/net/if_inet6)"
		_a=::1 _f=ipv6 _v=-6
	fi
	pt_run tcp pair $_v --pingpong 5 --size 300
	expect_eq "$(nl_lines nl pingpong)" 1 "netload's pingpong line"
	_p=$(nl_port nl)
	_c=$(nl_field nl connected 2)
	pt_packets ks -w end=delivered -w "family=$_f" -w "saddr=$_a" -w "daddr=$_a" -w proto=tcp >"$KS_TMP/pp"
	expect_eq "$(ks_lines "$KS_TMP/pp")" 10 "packets delivered to a reader"
	expect_eq "$(awk -v c="$_c" -v p="$_p" '$1 == c && $2 == p' "$KS_TMP/pp" | wc -l | tr -d ' ')" 5 \
		"client $_c -> server $_p"
	expect_eq "$(awk -v c="$_c" -v p="$_p" '$1 == p && $2 == c' "$KS_TMP/pp" | wc -l | tr -d ' ')" 5 \
		"server $_p -> client $_c"
	_w="^$PT_LO,tcp_probe,skb_copy_datagram_iovec\$"
	_bad=$(awk -v w="$_w" '$4 !~ w' "$KS_TMP/pp" | head -n 1)
	[ -z "$_bad" ] || fail "a packet's hops (sport dport end hops len back): $_bad"
	expect_eq "$(awk '$5 == 300 && $6 == 0' "$KS_TMP/pp" | wc -l | tr -d ' ')" 10 \
		"packets read 300 bytes at a time, hops in time order"
	# every hop of every packet (the handshake's too) in the pair's namespace
	_h=$(ks_elems ks event hops | "$H/jsonq" -c)
	[ "$_h" -ge 70 ] || fail "$_h hops in all: fewer than the data segments'"
	expect_eq "$(ks_elems ks event hops "netns=$(nl_netns nl)" | "$H/jsonq" -c)" \
		"$((_h - $(ks_elems ks event hops netns=null | "$H/jsonq" -c)))" \
		"hops in the pair's namespace (the others: no device or socket to tell)"
	expect_eq "$(ks_elems ks event hops end=delivered | "$H/jsonq" -c)" 0 "hops with an end member"
	pass
}

# t_pt_drop: 5 UDP datagrams to a closed port: 5 packets, each dropped at its last hop
# (kfree_skb) after the loopback, with reason NO_SOCKET where kfree_skb gives reasons (the
# meta line says so; not before 5.17), where in the kernel; the namespace counted 5 UdpNoPorts.
t_pt_drop() {
	pt_run udp --snmp UdpNoPorts udp 127.0.0.1 9999 --count 5 --size 100
	expect_eq "$(nl_snmp nl UdpNoPorts)" 5 "UdpNoPorts (netload's namespace)"
	_s=$(nl_field nl bound 2)
	expect_eq "$(ks_count ks type=event)" 5 "packets"
	pt_packets ks -w end=dropped -w proto=udp -w saddr=127.0.0.1 -w daddr=127.0.0.1 >"$KS_TMP/pp"
	expect_eq "$(awk -v s="$_s" -v w="^$PT_LO,kfree_skb\$" '$1 == s && $2 == 9999 && $4 ~ w && $6 == 0' \
		"$KS_TMP/pp" | wc -l | tr -d ' ')" 5 "dropped packets from port $_s to 9999 with the loopback's hops"
	expect_eq "$(ks_count ks type=event end=dropped 'location~udp')" 5 "drops located in UDP's receive code"
	if [ "$(pt_meta ks drop_reasons)" = true ]; then
		expect_eq "$(ks_count ks type=event end=dropped reason=NO_SOCKET 'reason_code>0')" 5 "drops with reason NO_SOCKET"
	else
		expect_eq "$(ks_count ks type=event end=dropped reason=null)" 5 "drops without a reason"
		note "this kernel's kfree_skb gives no drop reason (meta drop_reasons false)"
	fi
	pass
}

# t_pt_filter: two flows in one namespace, 3 datagrams to port 9999 and 4 to 9998 (a second
# netload entered into the first one's namespace): --port 9999 follows the 3 alone, --proto
# udp both, as many as the namespace counted.
t_pt_filter() {
	ks_which nsenter >/dev/null || skip "no nsenter(1) to run a second netload in the namespace"
	nl_start a --netns-new --snmp UdpNoPorts udp 127.0.0.1 9999 --count 3
	ks_bg b nsenter --net="/proc/$(ks_pid a)/ns/net" "$H/netload" --snmp UdpNoPorts udp 127.0.0.1 9998 --count 4
	_wl_ready b
	_ns=$(nl_netns a)
	expect_eq "$(nl_netns b)" "$_ns" "the second netload's namespace"
	ks_start one pkttrace --json --netns "$_ns" --port 9999
	ks_start all pkttrace --json --netns "$_ns" --proto udp
	ks_attached one
	ks_attached all
	nl_run a
	nl_run b
	ks_stop one
	ks_stop all
	ks_json_ok one
	ks_json_ok all
	expect_eq "$(nl_snmp a UdpNoPorts)" 3 "UdpNoPorts of the first flow"
	# the second netload read its counters before the first one ran: both flows
	expect_eq "$(nl_snmp b UdpNoPorts)" 7 "UdpNoPorts of both flows"
	expect_eq "$(ks_count one type=event)" 3 "packets with --port 9999"
	expect_eq "$(ks_count one type=event dport=9999 end=dropped)" 3 "packets to 9999 with --port 9999"
	expect_eq "$(ks_count all type=event dport=9999 end=dropped)" 3 "packets to 9999 with --proto udp"
	expect_eq "$(ks_count all type=event dport=9998 end=dropped)" 4 "packets to 9998 with --proto udp"
	expect_eq "$(ks_count all type=event)" 7 "packets with --proto udp"
	pass
}

# t_pt_count: --count 2 stops by itself after the second packet of five.
t_pt_count() {
	nl_start nl --netns-new udp 127.0.0.1 9999 --count 5
	ks_start ks pkttrace --json --netns "$(nl_netns nl)" --proto udp --count 2
	ks_attached ks
	nl_run nl
	ks_wait ks "$KS_WAIT"
	expect_eq "$KS_RC" 0 "exit code"
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event end=dropped dport=9999)" 2 "packets"
	expect_eq "$(ks_count ks type=event packet=1)$(ks_count ks type=event packet=2)" 11 "packets numbered 1 and 2"
	pass
}

# t_pt_text: the text blocks: a title line with the flow, one line per hop, the end.
t_pt_text() {
	nl_start nl --netns-new udp 127.0.0.1 9999 --count 3
	ks_start ks pkttrace --netns "$(nl_netns nl)" --proto udp
	ks_attached ks
	nl_run nl
	ks_stop ks
	expect_rc ks 0
	_s=$(nl_field nl bound 2)
	_o=$KS_TMP/ks.out
	head -n 1 "$_o" | grep -q '^ *TIME(s) *+US *HOP *DEV *LEN *CPU *DETAIL$' ||
		fail "header: $(ks_first_line "$_o")"
	expect_eq "$(grep -c "^#[1-3] udp 127\.0\.0\.1:$_s -> 127\.0\.0\.1:9999 netns $(nl_netns nl)\$" "$_o")" 3 "title lines"
	expect_eq "$(grep -c '^ *[0-9.]* *[0-9.]* net_dev_queue  *lo  *[0-9]* *[0-9]*$' "$_o")" 3 "net_dev_queue lines"
	expect_eq "$(grep -c '^ *[0-9.]* *[0-9.]* kfree_skb  *lo ' "$_o")" 3 "kfree_skb lines"
	expect_eq "$(grep -c '^    dropped\(: [A-Z_]*\)\? at [a-z_0-9]*+0x[0-9a-f]*, [0-9.]* us from the first hop to the last$' "$_o")" 3 "end lines"
	expect_grep "$KS_TMP/ks.err" "pkttrace: " "the summary line"
	pass
}

# t_pt_pid: the same two flows; -p keeps the packets each netload sends (their first hop is
# in its sendto, not in a softirq), and nothing of the other's.
t_pt_pid() {
	ks_which nsenter >/dev/null || skip "no nsenter(1) to run a second netload in the namespace"
	nl_start a --netns-new udp 127.0.0.1 9999 --count 3
	ks_bg b nsenter --net="/proc/$(ks_pid a)/ns/net" "$H/netload" udp 127.0.0.1 9998 --count 4
	_wl_ready b
	_ns=$(nl_netns a)
	ks_start pa pkttrace --json --netns "$_ns" --proto udp -p "$(ks_pid a)"
	ks_start pb pkttrace --json --netns "$_ns" --proto udp -p "$(ks_pid b)"
	ks_attached pa
	ks_attached pb
	nl_run a
	nl_run b
	ks_stop pa
	ks_stop pb
	ks_json_ok pa
	ks_json_ok pb
	expect_eq "$(ks_count pa type=event dport=9999 end=dropped "pid=$(ks_pid a)")" 3 "-p of the first: its packets"
	expect_eq "$(ks_count pa type=event)" 3 "-p of the first: packets"
	expect_eq "$(ks_count pb type=event dport=9998 end=dropped "pid=$(ks_pid b)")" 4 "-p of the second: its packets"
	expect_eq "$(ks_count pb type=event)" 4 "-p of the second: packets"
	pass
}
