# SPDX-License-Identifier: GPL-2.0-only
# offcputime: a helper sleeps 10 x 50 ms in sleep_here: 500 ms off CPU at least in a
# stack with sleep_here and main (less the time it ran inside those calls), and no more
# than those calls lasted; a pipe reader blocks in read_here 10 times for each 30 ms the
# writer sleeps once it saw the reader blocked (stackload handoff): 300 ms at least. A
# switch-in the kernel did not trace ends no block (ftrace's record, ks_swtrace_start in
# lib.sh): each one may take one call's worth off.

ks_test offcputime/sleep t_off_sleep
ks_test offcputime/min_block t_off_min_block
ks_test offcputime/state t_off_state
ks_test offcputime/json t_off_json
ks_test offcputime/svg t_off_svg
ks_test offcputime/attach/raw_tp t_off_sleep raw_tp
ks_test -n -H offcputime/bad_state t_off_bad_state

# off_run NAME MODE ARGS -- KSCOPE-ARGS: trace the stack helper with -p; sets WPID.
off_run() {
	_n=$1
	shift
	_w=
	while [ "$1" != -- ]; do
		_w="$_w $1"
		shift
	done
	shift
	STACKLOAD_REPORT=1
	export STACKLOAD_REPORT
	# shellcheck disable=SC2086
	stk_start "w$_n" $_w
	WPID=$(ks_pid "w$_n")
	ks_start "$_n" offcputime -p "$WPID" "$@"
	ks_attached "$_n"
	ks_swtrace_begin 'prev_comm == "stackload" || next_comm == "stackload"'
	_c0=$(ks_cpustat)
	wl_run "w$_n"
	OFF_X=$(ks_cpustat_delta "$_c0" "$(ks_cpustat)")
	ks_swtrace_stop
	ks_stop "$_n"
	expect_rc "$_n" 0
}

# off_walls NAME FUNC [MIN_NS [MAX_NS]]: the sum of the wall times (us) of the helper's calls
# of FUNC in its report that lasted from MIN_NS to MAX_NS; off_calls the same, their number.
off_walls() {
	awk -v f="$2" -v lo="${3:-0}" -v hi="${4:-1e30}" '$1 == f && $3 >= lo && $3 <= hi { s += $3 }
		END { printf "%d\n", s / 1000 }' "$KS_TMP/w$1.out"
}
off_calls() {
	awk -v f="$2" -v lo="${3:-0}" -v hi="${4:-1e30}" '$1 == f && $3 >= lo && $3 <= hi { n++ }
		END { print n + 0 }' "$KS_TMP/w$1.out"
}

# expect_blocked US NAME FUNC MS [MIN_NS [MAX_NS]]: US microseconds blocked in FUNC, in run
# NAME: at most the calls' wall times, at least MS ms for each call (of those from MIN_NS to
# MAX_NS long), less the untraced switch-ins' calls and the time the helper was on its CPU
# (its run time, and all CPUs' interrupt and stolen time meanwhile: OFF_X).
expect_blocked() {
	_us=$1 _bn=$2 _bf=$3 _bms=$4
	_hi=$(off_walls "$_bn" "$_bf" "${5:-0}" "${6:-1e30}")
	_k=$(off_calls "$_bn" "$_bf" "${5:-0}" "${6:-1e30}")
	_h=$(ks_swtrace_hidden "$WPID")
	_ex=$(awk '$2 == "exec_ns" { print $3 }' "$KS_TMP/w$_bn.out")
	_lo=$(((_k - _h) * _bms * 1000 - (${_ex:-0} + OFF_X) / 1000))
	note "$_bf: $_us us blocked in $_k calls; at least $_lo, at most $_hi ($_h untraced switch-ins)"
	[ "$_us" -le "$_hi" ] || fail "$_us us blocked in $_bf, more than its calls lasted ($_hi us)"
	[ "$_us" -ge "$_lo" ] || fail "$_us us blocked in $_bf, less than $_lo us (its $_k calls of $_bms ms)"
}

t_off_sleep() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	off_run ks sleep 10 50 -- --folded ${_m:+--attach "$_m"}
	expect_blocked "$(folded_sum "$KS_TMP/ks.out" sleep_here)" ks sleep_here 50
	# A preemption in user mode (an interrupt or exception entry, asm_*) may catch sleep_here in
	# its first instructions, before it set its frame pointer: that walk skips main, as a
	# profile sample there does. A block in the system call itself never does.
	expect_eq "$(grep ';sleep_here;' "$KS_TMP/ks.out" | grep -v ';asm_[a-z_]*_\[k\];' |
		grep -c -v ';main;sleep_here;')" 0 "sleep_here stacks without main right below"
	# the kernel half: the sleep ends in the scheduler
	expect_eq "$(grep ';sleep_here;' "$KS_TMP/ks.out" | grep -c 'schedule_\[k\]')" \
		"$(grep -c ';sleep_here;' "$KS_TMP/ks.out")" "sleep_here stacks through schedule()"
	pass
}

# Blocks of 50 ms are left out with --min-block 100 ms (all of them, unless a call lasted
# 100 ms or more), and kept with --max-block 100 ms (all those of calls that lasted less).
t_off_min_block() {
	off_run ks sleep 10 50 -- --folded --min-block 100000
	_us=$(folded_sum "$KS_TMP/ks.out" sleep_here)
	_hi=$(off_walls ks sleep_here 100000000)
	[ "$_us" -le "$_hi" ] ||
		fail "sleep_here time with --min-block 100 ms: $_us us, but its calls of 100 ms or more lasted $_hi us"
	off_run ks2 sleep 10 50 -- --folded --max-block 100000
	expect_blocked "$(folded_sum "$KS_TMP/ks2.out" sleep_here)" ks2 sleep_here 50 0 100000000
	pass
}

# nanosleep sleeps in state S: --state D leaves it out, --state S keeps it.
t_off_state() {
	off_run ks sleep 10 50 -- --folded --state D
	expect_eq "$(folded_sum "$KS_TMP/ks.out" sleep_here)" 0 "sleep_here time with --state D"
	off_run ks2 sleep 10 50 -- --folded --state S
	expect_blocked "$(folded_sum "$KS_TMP/ks2.out" sleep_here)" ks2 sleep_here 50
	pass
}

t_off_json() {
	off_run ks handoff 10 30 -- --json
	ks_json_ok ks
	expect_eq "$(ks_count ks type=stacks unit=us)" 1 "one report in microseconds"
	"$H/jsonq" -w type=stacks -g 'stacks.*' <"$KS_TMP/ks.out" >"$KS_TMP/stacks"
	_us=$(grep '"read_here","main"' "$KS_TMP/stacks" | "$H/jsonq" -g count |
		awk '{ s += $1 } END { print s + 0 }')
	# each read blocks 30 ms or more: no slack for the reader's run time
	OFF_X=0
	expect_blocked "$_us" ks read_here 30
	pass
}

t_off_svg() {
	off_run ks sleep 10 50 -- --svg "$KS_TMP/off.svg"
	grep -q sleep_here "$KS_TMP/off.svg" || fail "sleep_here not in the SVG"
	# In a real browser (the host has Chromium; the kernel matrix's guests do not).
	if ks_svg_can_draw; then
		ks_svg_drawn "$KS_TMP/off.svg" "$KS_TMP/off.png" sleep_here main ||
			fail "not drawn in Chromium: $KS_SVG_MISSING"
	elif [ -z "${KS_GUEST:-}" ]; then
		fail "Chromium cannot draw here: $KS_SVG_WHY"
	fi
	pass
}

t_off_bad_state() {
	ks_run ks offcputime --state X --duration 1
	expect_rc ks 2
	expect_one_line "$KS_TMP/ks.err" "bad --state"
	pass
}
