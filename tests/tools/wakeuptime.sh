# SPDX-License-Identifier: GPL-2.0-only
# wakeuptime: a parent reads a pipe 10 times; a child, once it saw the parent blocked in
# the read (stackload handoff), sleeps 30 ms, then writes. The parent's blocked time goes
# to the child's stack, wake_here below main: 30 ms at least for each read, at most as
# long as the reads lasted.

ks_test wakeuptime/pipe t_wake_pipe
ks_test wakeuptime/json t_wake_json
ks_test wakeuptime/attach/raw_tp t_wake_pipe raw_tp

wake_run() {
	_n=$1
	shift
	STACKLOAD_REPORT=1
	export STACKLOAD_REPORT
	stk_start "w$_n" handoff 10 30
	WPID=$(ks_pid "w$_n")
	ks_start "$_n" wakeuptime -p "$WPID" "$@"
	ks_attached "$_n"
	wl_run "w$_n"
	ks_stop "$_n"
	expect_rc "$_n" 0
}

t_wake_pipe() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	wake_run ks --folded ${_m:+--attach "$_m"}
	# target;--;waker;waker's user stack;kernel stack COUNT
	_us=$(grep '^stackload;--;stackload;' "$KS_TMP/ks.out" | grep ';main;wake_here;' |
		awk '{ s += $NF } END { print s + 0 }')
	_hi=$(awk '$1 == "read_here" { s += $3 } END { printf "%d\n", s / 1000 }' "$KS_TMP/wks.out")
	note "blocked time woken from wake_here: $_us us; the reads lasted $_hi us"
	[ "$_us" -ge 300000 ] && [ "$_us" -le "$_hi" ] ||
		fail "blocked time woken from wake_here: $_us us, expected from 300000 to $_hi (the reads): $(head -c 600 "$KS_TMP/ks.out")"
	pass
}

t_wake_json() {
	wake_run ks --json
	ks_json_ok ks
	"$H/jsonq" -w type=stacks -g 'stacks.*' <"$KS_TMP/ks.out" >"$KS_TMP/stacks"
	_n=$(grep '"wake_here","main"' "$KS_TMP/stacks" | "$H/jsonq" -c -w comm=stackload \
		-w target.comm=stackload -w "target.pid=$WPID" -w 'pid>0')
	[ "$_n" -ge 1 ] || fail "no stack of the waker with wake_here and the target: $(head -c 600 "$KS_TMP/stacks")"
	pass
}
