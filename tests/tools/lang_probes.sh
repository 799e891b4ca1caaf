# SPDX-License-Identifier: GPL-2.0-only
# The language's probe layer on the real kernel (through the unit test program's expand,
# list and attach modes): tracepoint wildcards against tracefs, listings against bpftrace -l,
# counting programs attached to langtarget, nothing left loaded afterwards.

ks_test lang_probes/expand_tracepoints t_lp_expand_tp
ks_test lang_probes/list_like_bpftrace t_lp_list_bpftrace
ks_test -t 120 lang_probes/attach t_lp_attach

LP=${OUTPUT:-.output}/tests/unit/lang_probes

lp_have() {
	[ -x "$LP" ] || skip "$LP not built (make unit-bins)"
}

# Where tracefs is mounted (the program mounts it when it must), empty if nowhere.
lp_tracefs() {
	awk '$3 == "tracefs" { print $2; exit }' /proc/mounts
}

# lp_expand_like_dir CATEGORY GLOB: the expansion of tracepoint:CATEGORY:GLOB names the
# event directories of events/CATEGORY that GLOB matches, sorted.
lp_expand_like_dir() {
	"$LP" expand "tracepoint:$1:$2" >"$KS_TMP/got" 2>"$KS_TMP/err" ||
		fail "expand tracepoint:$1:$2: $(ks_first_line "$KS_TMP/err")"
	_lt=$(lp_tracefs)
	[ -n "$_lt" ] || fail "no tracefs mounted after expanding tracepoints"
	for _ld in "$_lt/events/$1"/$2; do
		[ -d "$_ld" ] && echo "tracepoint:$1:${_ld##*/}"
	done | LC_ALL=C sort >"$KS_TMP/want"
	[ -s "$KS_TMP/want" ] || skip "no $1:$2 tracepoints on this kernel"
	cmp -s "$KS_TMP/want" "$KS_TMP/got" ||
		fail "tracepoint:$1:$2 differs from $_lt/events/$1: $(diff "$KS_TMP/want" "$KS_TMP/got" | head -n 4 | tr '\n' ' ')"
}

t_lp_expand_tp() {
	lp_have
	lp_expand_like_dir syscalls 'sys_enter_open*'
	lp_expand_like_dir sched '*'
	lp_expand_like_dir sched 'sched_wak?*'
	expect_eq "$("$LP" expand t:syscalls:sys_enter_openat)" tracepoint:syscalls:sys_enter_openat \
		"an exact name"
	"$LP" expand tracepoint:syscalls:nope >"$KS_TMP/nope.out" 2>"$KS_TMP/nope.err"
	expect_eq "$?" 2 "exit code for a missing tracepoint"
	expect_grep "$KS_TMP/nope.err" "tracepoint:syscalls:nope: no such tracepoint" "the message"
	pass
}

# lp_like_bpftrace [-v] PATTERN: the listing is byte for byte what bpftrace -l prints.
lp_like_bpftrace() {
	_lv=
	if [ "$1" = -v ]; then
		_lv=-v
		shift
	fi
	# shellcheck disable=SC2086 # $_lv is one word or none
	bpftrace -l $_lv "$1" >"$KS_TMP/bt.out" 2>"$KS_TMP/bt.err"
	# shellcheck disable=SC2086
	"$LP" list $_lv "$1" >"$KS_TMP/lp.out" 2>"$KS_TMP/lp.err" ||
		fail "list $_lv '$1': $(ks_first_line "$KS_TMP/lp.err")"
	[ -s "$KS_TMP/lp.out" ] || fail "list $_lv '$1': nothing listed"
	cmp -s "$KS_TMP/bt.out" "$KS_TMP/lp.out" ||
		fail "list $_lv '$1' differs from bpftrace -l: $(diff "$KS_TMP/bt.out" "$KS_TMP/lp.out" | head -n 4 | tr '\n' ' ')"
}

t_lp_list_bpftrace() {
	lp_have
	ks_which bpftrace >/dev/null || skip "bpftrace is not installed (scripts/setup --bench installs it)"
	[ -x "$H/langtarget" ] || fail "no $H/langtarget"
	# only '*' wildcards: bpftrace 0.17 knows no '?' and '[...]'
	for _p in 'tracepoint:sched:*' 't:syscalls:sys_enter_open*' 'tracepoint:*:*' \
		"uprobe:$H/langtarget:*" "uprobe:$H/langtarget:lt_probe_*" "usdt:$H/langtarget:*" \
		"usdt:$H/langtarget:langtarget:t*" 'uprobe:libc:getppid'; do
		lp_like_bpftrace "$_p"
	done
	for _p in 'tracepoint:sched:sched_switch' 't:syscalls:sys_enter_open*' 't:sched:*'; do
		lp_like_bpftrace -v "$_p"
	done
	# more binaries when this machine has them: a big stripped one, USDT with semaphores
	[ -x /bin/bash ] && lp_like_bpftrace 'uprobe:/bin/bash:*'
	_py=$(ks_which python3) && readelf -n "$_py" 2>/dev/null | grep -q stapsdt &&
		lp_like_bpftrace "usdt:$_py:*"
	# Without a provider bpftrace 0.17 prints its pattern where software and hardware event
	# names belong ("software:*sched*:"): only its tracepoints are compared.
	for _p in '*sched_switch*' 'irq*' '*'; do
		bpftrace -l "$_p" 2>/dev/null | grep '^tracepoint:' >"$KS_TMP/bt.out"
		"$LP" list "$_p" | grep '^tracepoint:' >"$KS_TMP/lp.out"
		[ -s "$KS_TMP/lp.out" ] || fail "list '$_p': no tracepoints"
		cmp -s "$KS_TMP/bt.out" "$KS_TMP/lp.out" ||
			fail "list '$_p' differs from bpftrace -l: $(diff "$KS_TMP/bt.out" "$KS_TMP/lp.out" | head -n 4 | tr '\n' ' ')"
	done
	pass
}

# The attach cases of the unit test program, then the BPF objects it made must be gone.
t_lp_attach() {
	lp_have
	[ -x "$H/langtarget" ] || fail "no $H/langtarget"
	ks_mark lp
	OUTPUT=${OUTPUT:-.output} "$LP" attach >"$KS_TMP/lp.out" 2>"$KS_TMP/lp.err"
	_rc=$?
	ks_leakcheck lp
	if command -v bpftool >/dev/null 2>&1; then
		bpftool prog show >"$KS_TMP/progs" 2>&1
		grep -q 'name lpt_count' "$KS_TMP/progs" && fail "bpftool prog show still lists lpt_count"
	fi
	grep '^not ok' "$KS_TMP/lp.out" >"$KS_TMP/bad" && fail "$(head -n 1 "$KS_TMP/bad")"
	[ "$_rc" = 0 ] || fail "exit code $_rc: $(ks_first_line "$KS_TMP/lp.err")"
	for _c in attach_uprobes attach_usdt attach_tracepoints attach_profile; do
		grep -q "^ok $_c\$" "$KS_TMP/lp.out" ||
			fail "$_c did not pass: $(grep " $_c" "$KS_TMP/lp.out" | head -n 1)"
	done
	pass
}
