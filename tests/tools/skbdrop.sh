# SPDX-License-Identifier: GPL-2.0-only
# skbdrop: drops of the tests' own packets, counted exactly in their own network namespaces
# and checked against the kernel's own counters (UdpNoPorts, the nft rule's counter).

ks_test skbdrop/noports t_sd_noports
ks_test skbdrop/count t_sd_count
ks_test skbdrop/stack t_sd_stack
ks_test skbdrop/nft t_sd_nft
ks_test skbdrop/pid t_sd_pid
ks_test skbdrop/reasons t_sd_reasons
ks_test skbdrop/bad t_sd_bad

# sd_reasons: 0 where kfree_skb gives drop reasons (the tool's own probe: --list-reasons
# reads the kernel's BTF), else 1.
sd_reasons() { "$KSCOPE" skbdrop --list-reasons >/dev/null 2>&1; }

# sd_location_ok NAME: every event of kscope NAME has its location symbolized to a function
# of /proc/kallsyms ("function+0xOFF", the function a name kallsyms lists).
sd_location_ok() {
	_fns=$("$H/jsonq" -w type=event -g function <"$KS_TMP/$1.out" | sort -u)
	[ -n "$_fns" ] || fail "$1: no function in its events"
	for _f in $_fns; do
		grep -q " [tTwW] $_f\$" /proc/kallsyms || fail "$1: function '$_f' is not in /proc/kallsyms"
	done
	expect_eq "$(ks_count "$1" type=event 'location~+0x' 'function!=null')" \
		"$(ks_count "$1" type=event)" "events with a location function+0xOFF"
}

# sd_noports NAME: UdpNoPorts of netload NAME's network namespace now (its /proc/PID/net/snmp).
sd_noports() {
	awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) f[$i] = i; h = 1; next }
		print $f["NoPorts"]; exit }' "/proc/$(ks_pid "$1")/net/snmp"
}

# sd_udp_go NAME N: trigger netload NAME (datagrams to a closed port, --netns-new), wait for
# its "done", then until its namespace counted N of them in UdpNoPorts (exactly N: checked
# here): on a slow machine the receive path runs later, in ksoftirqd, after sendto returned.
# netload holds still meanwhile; sl_end lets it go.
sd_udp_go() {
	_b=$(sd_noports "$1")
	[ -n "$_b" ] || fail "no UdpNoPorts in /proc/$(ks_pid "$1")/net/snmp"
	sl_go "$1"
	ks_wait_until "$KS_WAIT" test "$(($(sd_noports "$1") - _b))" -ge "$2" ||
		fail "UdpNoPorts of netload $1's namespace grew by $(($(sd_noports "$1") - _b)) in $KS_WAIT s, expected $2"
	expect_eq "$(($(sd_noports "$1") - _b))" "$2" "UdpNoPorts of the namespace"
}

# sd_meta_reasons NAME: the meta line says how many reasons the kernel has, or that it has
# none (then no event has one).
sd_meta_reasons() {
	if sd_reasons; then
		expect_eq "$(head -n 1 "$KS_TMP/$1.out" | "$H/jsonq" -w 'drop_reasons>0' -c)" 1 \
			"meta drop_reasons > 0"
	else
		expect_eq "$(head -n 1 "$KS_TMP/$1.out" | "$H/jsonq" -g note)" \
			"drop reasons: not in this kernel" "meta note"
		expect_eq "$(ks_count "$1" type=event 'reason!=null')" 0 "events with a reason"
		note "drop reasons: not in this kernel: location only"
	fi
}

# t_sd_noports: 9 UDP datagrams to a closed port in a namespace of their own: 9 drops for
# NO_SOCKET at a function of the UDP receive path, as many as the namespace's UdpNoPorts.
t_sd_noports() {
	nl_start nl --netns-new udp 127.0.0.1 9999 --count 9 --size 100
	_ns=$(nl_netns nl)
	ks_start ks skbdrop --json --netns "$_ns"
	ks_attached ks
	sd_udp_go nl 9
	ks_stop ks
	sl_end nl
	expect_rc ks 0
	ks_json_ok ks
	sd_meta_reasons ks
	_m="type=event netns=$_ns proto=udp daddr=127.0.0.1 dport=9999 len=108 ifname=lo"
	# shellcheck disable=SC2086
	if sd_reasons; then
		expect_eq "$(ks_count ks $_m reason=NO_SOCKET)" 9 "NO_SOCKET drops of the datagrams"
	else
		expect_eq "$(ks_count ks $_m reason=null)" 9 "drops of the datagrams"
	fi
	# shellcheck disable=SC2086
	expect_eq "$(ks_count ks $_m "sport=$(nl_field nl bound 2)")" 9 "drops from the sender's port"
	sd_location_ok ks
	pass
}

# t_sd_count: --count beside an event run on the same datagrams: its total for the
# namespace is the events', and one row (NO_SOCKET, one place) holds them all.
t_sd_count() {
	nl_start nl --netns-new udp 127.0.0.1 9999 --count 12
	_ns=$(nl_netns nl)
	ks_start ev skbdrop --json --netns "$_ns" --port 9999
	ks_start cnt skbdrop --json -C --netns "$_ns" --port 9999
	ks_attached ev
	ks_attached cnt
	sd_udp_go nl 12
	ks_stop cnt
	ks_stop ev
	sl_end nl
	expect_rc cnt 0
	ks_json_ok cnt
	ks_json_ok ev
	expect_eq "$(ks_count ev type=event)" 12 "events"
	expect_eq "$(ks_count cnt type=drops)" 1 "reports (one at the end)"
	expect_eq "$(ks_count cnt type=drops total=12)" 1 "the report's total"
	expect_eq "$(ks_elems_sum cnt drops rows count)" 12 "the rows' sum"
	expect_eq "$(ks_count cnt type=summary events=12)" 1 "the summary's events"
	expect_eq "$(ks_elems cnt drops rows count=12 | wc -l)" 1 "one row for all"
	_loc=$("$H/jsonq" -w type=event -g location <"$KS_TMP/ev.out" | sort -u)
	expect_eq "$(ks_elems cnt drops rows "location=$_loc" | wc -l)" 1 "the row at the events' place"
	if sd_reasons; then
		expect_eq "$(ks_elems cnt drops rows reason=NO_SOCKET count=12 | wc -l)" 1 "the NO_SOCKET row"
	fi
	pass
}

# t_sd_stack: --stack: each drop's kernel stack, without the tracing machinery on top, holds
# the place that dropped it; with --count too.
t_sd_stack() {
	nl_start nl --netns-new udp 127.0.0.1 9999 --count 3
	_ns=$(nl_netns nl)
	ks_start ks skbdrop --json -s --netns "$_ns" --port 9999
	ks_start cnt skbdrop --json -s -C --netns "$_ns" --port 9999
	ks_attached ks
	ks_attached cnt
	sd_udp_go nl 3
	ks_stop cnt
	ks_stop ks
	sl_end nl
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" 3 "events"
	"$H/jsonq" -w type=event <"$KS_TMP/ks.out" >"$KS_TMP/events"
	while read -r _e; do
		_loc=$(printf '%s\n' "$_e" | "$H/jsonq" -g location)
		printf '%s\n' "$_e" | "$H/jsonq" -g 'stack.*' >"$KS_TMP/frames"
		grep -qxF "$_loc" "$KS_TMP/frames" || fail "location $_loc not in the stack: $(tr '\n' ' ' <"$KS_TMP/frames")"
		! grep -q '^bpf_\|^__bpf_trace\|^__traceiter' "$KS_TMP/frames" ||
			fail "tracing frames in the stack: $(tr '\n' ' ' <"$KS_TMP/frames")"
	done <"$KS_TMP/events"
	expect_eq "$(ks_elems_sum cnt drops rows count)" 3 "counted"
	_loc=$("$H/jsonq" -w type=event -g location <"$KS_TMP/events" | sort -u)
	ks_elems cnt drops rows | "$H/jsonq" -g 'stack.*' | grep -qxF "$_loc" ||
		fail "--count --stack: location $_loc not in the rows' stacks"
	pass
}

# t_sd_nft: datagrams over a veth pair dropped by an nft rule in the receiver's namespace:
# NETFILTER_DROP on its veth, as many as the rule's own counter.
t_sd_nft() {
	ks_netns_veth
	_a=$KS_NSA _b=$KS_NSB
	ks_nft_drop "$_b" udp dport 9999 drop
	nl_ns_start sink "$_b" udpsink "$KS_IP2" 9999
	wl_go sink
	nl_wait_line sink '^listening '
	_r=""
	sd_reasons && _r="-r NETFILTER_DROP"
	# shellcheck disable=SC2086
	ks_start ks skbdrop --json --netns "$_b" $_r
	ks_attached ks
	nl_ns_start tx "$_a" udp "$KS_IP2" 9999 --count 7
	nl_run tx
	ks_wait_until "$KS_WAIT" test "$(ks_nft_dropped "$_b")" -ge 7 ||
		fail "the rule dropped $(ks_nft_dropped "$_b") datagrams in $KS_WAIT s, expected 7"
	ks_stop ks
	nl_run sink
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_nft_dropped "$_b")" 7 "the rule's counter"
	_m="type=event proto=udp saddr=$KS_IP1 daddr=$KS_IP2 dport=9999 ifname=$KS_VETH2"
	# shellcheck disable=SC2086
	if sd_reasons; then
		expect_eq "$(ks_count ks $_m reason=NETFILTER_DROP)" 7 "NETFILTER_DROP drops"
		expect_eq "$(ks_count ks type=event 'reason!=NETFILTER_DROP')" 0 "drops of other reasons (-r)"
	else
		expect_eq "$(ks_count ks $_m)" 7 "drops"
	fi
	expect_eq "$(ks_count ks type=event "netns=$(ks_netns_inode "$_b")")" \
		"$(ks_count ks type=event)" "events of the receiver's namespace"
	sd_location_ok ks
	pass
}

# t_sd_pid: -p selects the task a drop ran in, outside softirqs: an nft rule on output drops
# a sender's datagrams inside its sendto (its own task), while the same namespace's receive
# path (a softirq) drops another's to a closed port, which -p of that one does not show.
t_sd_pid() {
	ks_netns_new a
	_a=$KS_NS
	ks_nft_drop "$_a" -o udp dport 9998 drop
	nl_ns_start tx "$_a" udp 127.0.0.1 9998 --count 5
	nl_ns_start rx "$_a" udp 127.0.0.1 9999 --count 4
	ks_start ks skbdrop --json --netns "$_a" -p "$(ks_pid tx)"
	ks_start krx skbdrop --json --netns "$_a" -p "$(ks_pid rx)"
	ks_start all skbdrop --json --netns "$_a"
	ks_attached ks
	ks_attached krx
	ks_attached all
	ks_nstat_save "$_a" t0
	nl_run tx
	nl_run rx
	# the closed port's drops come in a softirq, maybe after sendto returned
	ks_wait_until "$KS_WAIT" test "$(ks_nstat_delta "$_a" t0 UdpNoPorts)" -ge 4 ||
		fail "UdpNoPorts grew by $(ks_nstat_delta "$_a" t0 UdpNoPorts) in $KS_WAIT s, expected 4"
	expect_eq "$(ks_nstat_delta "$_a" t0 UdpNoPorts)" 4 "UdpNoPorts"
	ks_stop ks
	ks_stop krx
	ks_stop all
	ks_json_ok ks
	expect_eq "$(ks_nft_dropped "$_a")" 5 "the rule's counter"
	expect_eq "$(ks_count ks type=event dport=9998 "pid=$(ks_pid tx)")" 5 "the sender's drops"
	expect_eq "$(ks_count ks type=event)" 5 "events under -p"
	expect_eq "$(ks_count all type=event dport=9999)" 4 "the closed port's drops (no filter)"
	expect_eq "$(ks_count krx type=event)" 0 "drops in softirqs under -p"
	pass
}

# t_sd_reasons: --list-reasons is the kernel's enum skb_drop_reason (bpftool's dump of its
# BTF, where bpftool is installed); -r takes those names only. Without reasons: exit 4.
t_sd_reasons() {
	if ! sd_reasons; then
		ks_run ks skbdrop --list-reasons
		expect_rc ks 4
		expect_one_line "$KS_TMP/ks.err" "ks stderr"
		expect_grep "$KS_TMP/ks.err" "drop reasons: not in this kernel" "ks message"
		ks_run kr skbdrop -r NO_SOCKET
		expect_rc kr 4
		pass
	fi
	ks_run ks skbdrop --list-reasons
	expect_rc ks 0
	grep -q '^[0-9]* NO_SOCKET$' "$KS_TMP/ks.out" || fail "no NO_SOCKET in the list"
	if ks_which bpftool >/dev/null; then
		bpftool btf dump file /sys/kernel/btf/vmlinux format c 2>/dev/null |
			awk '/^enum skb_drop_reason {/ { on = 1; next } on && /^}/ { exit }
			on { sub(/,$/, ""); n = $1; v = $3; if (n ~ /_MAX$|SUBSYS_MASK/) next
			if (!sub(/^SKB_DROP_REASON_/, "", n)) sub(/^SKB_/, "", n); print v, n }' >"$KS_TMP/want"
		[ -s "$KS_TMP/want" ] || fail "bpftool dumped no enum skb_drop_reason"
		head -n "$(wc -l <"$KS_TMP/want")" "$KS_TMP/ks.out" >"$KS_TMP/got"
		cmp -s "$KS_TMP/want" "$KS_TMP/got" ||
			fail "--list-reasons differs from bpftool's enum: $(diff "$KS_TMP/want" "$KS_TMP/got" | head -n 4 | tr '\n' ' ')"
	else
		note "no bpftool: --list-reasons not compared with the BTF dump"
	fi
	ks_run kj skbdrop --list-reasons --json
	"$H/jsonq" --check <"$KS_TMP/kj.out" || fail "--list-reasons --json: invalid JSON"
	expect_eq "$(ks_count kj 'code>=0' name~)" "$(wc -l <"$KS_TMP/ks.out")" "JSON reasons"
	pass
}

# t_sd_bad: bad input: one line, exit 2.
t_sd_bad() {
	ks_run k1 skbdrop -r NO_SUCH_REASON_AT_ALL
	if sd_reasons; then
		expect_rc k1 2
		expect_one_line "$KS_TMP/k1.err" "k1 stderr"
		expect_grep "$KS_TMP/k1.err" "no such drop reason in this kernel" "k1 message"
	else
		expect_rc k1 4
	fi
	ks_run k2 skbdrop 1
	expect_rc k2 2
	expect_one_line "$KS_TMP/k2.err" "k2 stderr"
		expect_grep "$KS_TMP/k2.err" "an interval needs --count" "k2 message"
	ks_run k3 skbdrop --port 99999
	expect_rc k3 2
	pass
}
