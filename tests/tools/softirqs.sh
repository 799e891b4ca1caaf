# SPDX-License-Identifier: GPL-2.0-only
# softirqs: schedload sends UDP datagrams to itself over loopback, which raises net_rx.
# Softirqs belong to no process and run for everyone's work, so exact counts are not
# possible on a busy machine: the tests check the vector that must be there, names, the
# JSON, and that every histogram adds up to its row's count.

ks_test softirqs/net_rx t_si_net_rx
for _m in tp_btf raw_tp tracepoint; do
	ks_test "softirqs/attach/$_m" t_si_net_rx "$_m"
done
ks_test softirqs/time t_si_time
ks_test softirqs/dist t_si_dist
# -H: text is kscope's own (user space), the same on every kernel
ks_test -H softirqs/text t_si_text
ks_test -H softirqs/conflict t_si_conflict

# si_run NAME ARGS...: softirqs ARGS while schedload sends its datagrams.
si_run() {
	_n=$1
	shift
	sl_start "w$_n" udp "$(ks_scaled 2000 200)"
	ks_start "$_n" softirqs "$@"
	ks_attached "$_n"
	sl_go "w$_n"
	ks_stop "$_n"
	sl_end "w$_n"
	expect_rc "$_n" 0
}

t_si_net_rx() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	si_run ks --json -C ${_m:+--attach "$_m"}
	ks_json_ok ks
	expect_attach ks "$_m"
	expect_eq "$(ks_count ks type=softirqs by=softirq)" 1 "reports"
	_r=$("$H/jsonq" -w type=softirqs -g 'rows.*' <"$KS_TMP/ks.out")
	expect_eq "$(printf '%s\n' "$_r" | "$H/jsonq" -c -w name=net_rx -w vec=3 -w 'count>0' -w '!total_ns')" 1 \
		"net_rx counted (loopback traffic)"
	expect_eq "$(printf '%s\n' "$_r" | "$H/jsonq" -c -w 'vec>9')" 0 "vectors beyond rcu"
	pass
}

t_si_time() {
	si_run ks --json
	ks_json_ok ks
	_r=$("$H/jsonq" -w type=softirqs -g 'rows.*' <"$KS_TMP/ks.out")
	expect_eq "$(printf '%s\n' "$_r" | "$H/jsonq" -c -w name=net_rx -w 'count>0' -w 'total_ns>0')" 1 \
		"net_rx timed"
	pass
}

# Every row's histogram adds up to its count.
t_si_dist() {
	si_run ks --json -D -N
	ks_json_ok ks
	"$H/jsonq" -w type=softirqs -g 'rows.*' <"$KS_TMP/ks.out" >"$KS_TMP/rows"
	[ -s "$KS_TMP/rows" ] || fail "no rows"
	while read -r _row; do
		_c=$(printf '%s\n' "$_row" | "$H/jsonq" -g count)
		_s=$(printf '%s\n' "$_row" | "$H/jsonq" -g 'hist.buckets.*' | "$H/jsonq" -g count |
			awk '{ s += $1 } END { print s + 0 }')
		expect_eq "$_s" "$_c" "buckets of $(printf '%s\n' "$_row" | "$H/jsonq" -g name)"
	done <"$KS_TMP/rows"
	expect_eq "$("$H/jsonq" -c -w hist.unit=nsecs <"$KS_TMP/rows")" "$(ks_lines "$KS_TMP/rows")" "units"
	grep -q '"name":"net_rx"' "$KS_TMP/rows" || fail "no net_rx histogram"
	pass
}

t_si_text() {
	si_run ks
	head -n 1 "$KS_TMP/ks.out" | grep -q '^SOFTIRQ  *COUNT  *TOTAL_usecs$' ||
		fail "header: $(ks_first_line "$KS_TMP/ks.out")"
	[ -n "$(awk '$1 == "net_rx" && $2 > 0' "$KS_TMP/ks.out")" ] || fail "no net_rx line"
	si_run kd -D
	expect_grep "$KS_TMP/kd.out" "softirq = net_rx" "net_rx histogram"
	pass
}

t_si_conflict() {
	ks_run b softirqs -C -D --duration 1
	expect_rc b 2
	expect_one_line "$KS_TMP/b.err" "-C -D"
	ks_run p softirqs -p 1 --duration 1
	expect_rc p 2
	expect_grep "$KS_TMP/p.err" "unknown option '-p'" "no process filter"
	pass
}
