# SPDX-License-Identifier: GPL-2.0-only
# hardirqs: interrupts belong to no process and come from devices, so what is certain is
# this: every device interrupt whose count grows by a few in /proc/interrupts while
# hardirqs runs shows up under the same name, and no name appears that /proc/interrupts
# lacks. Direct writes to a file make the block device interrupt; exact counts are not
# possible (other work interrupts too, and the two readings are not at the same moments).

ks_test hardirqs/names t_hi_names
for _m in tp_btf raw_tp tracepoint; do
	ks_test "hardirqs/attach/$_m" t_hi_names "$_m"
done
ks_test hardirqs/dist t_hi_dist
ks_test -H hardirqs/conflict t_hi_conflict

# Per device interrupt line of /proc/interrupts: "NAME TOTAL" (the last column's name).
hi_counts() {
	awk '$1 ~ /^[0-9]+:$/ { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i;
		print $NF, s }' /proc/interrupts | sort
}

# hi_run NAME ARGS...: hardirqs ARGS for a second of direct writes; /proc/interrupts
# before and after in NAME.before/.after.
hi_run() {
	_n=$1
	shift
	ks_start "$_n" hardirqs "$@"
	ks_attached "$_n"
	hi_counts >"$KS_TMP/$_n.before"
	dd if=/dev/zero of="$KS_TMP/io" bs=64k count="$(ks_scaled 64 8)" oflag=direct,sync \
		>/dev/null 2>&1 || dd if=/dev/zero of="$KS_TMP/io" bs=64k count=8 conv=fsync \
		>/dev/null 2>&1
	sleep 1
	hi_counts >"$KS_TMP/$_n.after"
	ks_stop "$_n"
	expect_rc "$_n" 0
	ks_json_ok "$_n"
	"$H/jsonq" -w type=hardirqs -g 'rows.*' <"$KS_TMP/$_n.out" >"$KS_TMP/$_n.rows"
}

t_hi_names() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	hi_run ks --json -C ${_m:+--attach "$_m"}
	expect_attach ks "$_m"
	# (no join in BusyBox)
	_grown=$(awk 'NR == FNR { b[$1] = $2; next } ($1 in b) && $2 - b[$1] >= 5 {
		print $1 }' "$KS_TMP/ks.before" "$KS_TMP/ks.after")
	[ -n "$_grown" ] || skip "no device interrupt fired 5 times during the test (/proc/interrupts)"
	for _i in $_grown; do
		expect_eq "$("$H/jsonq" -c -w "name=$_i" -w 'count>0' -w '!total_ns' <"$KS_TMP/ks.rows")" 1 \
			"$_i (grew by 5 or more in /proc/interrupts)"
	done
	for _i in $("$H/jsonq" -g name <"$KS_TMP/ks.rows"); do
		grep -q -F -e "$_i" /proc/interrupts || fail "$_i is not in /proc/interrupts"
	done
	pass
}

# Time mode with histograms: every row's buckets add up to its count, and there is time.
t_hi_dist() {
	hi_run ks --json -D
	[ -s "$KS_TMP/ks.rows" ] || skip "no device interrupt during the test"
	while read -r _row; do
		_c=$(printf '%s\n' "$_row" | "$H/jsonq" -g count)
		_s=$(printf '%s\n' "$_row" | "$H/jsonq" -g 'hist.buckets.*' | "$H/jsonq" -g count |
			awk '{ s += $1 } END { print s + 0 }')
		expect_eq "$_s" "$_c" "buckets of $(printf '%s\n' "$_row" | "$H/jsonq" -g name)"
		[ "$(printf '%s\n' "$_row" | "$H/jsonq" -g total_ns)" -gt 0 ] || fail "no time: $_row"
	done <"$KS_TMP/ks.rows"
	expect_eq "$("$H/jsonq" -c -w hist.unit=usecs <"$KS_TMP/ks.rows")" "$(ks_lines "$KS_TMP/ks.rows")" "units"
	pass
}

t_hi_conflict() {
	ks_run b hardirqs -C -D --duration 1
	expect_rc b 2
	expect_one_line "$KS_TMP/b.err" "-C -D"
	ks_run d hardirqs --duration 1
	expect_rc d 0
	ks_run p hardirqs -c /sys --duration 1
	expect_rc p 2
	expect_grep "$KS_TMP/p.err" "-c is BCC's CPU filter" "no cgroup filter, refused naming BCC's -c"
	pass
}
