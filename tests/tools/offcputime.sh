# SPDX-License-Identifier: GPL-2.0-only
# offcputime: a helper sleeps 10 x 50 ms in sleep_here: about 500 ms off CPU in a stack
# with sleep_here and main; a pipe reader blocks about as long as its writer sleeps.

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
	# shellcheck disable=SC2086
	stk_start "w$_n" $_w
	WPID=$(ks_pid "w$_n")
	ks_start "$_n" offcputime -p "$WPID" "$@"
	ks_attached "$_n"
	wl_run "w$_n"
	ks_stop "$_n"
	expect_rc "$_n" 0
}

# expect_about VALUE WANT PERCENT WHAT
expect_about() {
	[ "$1" -ge $(($2 * (100 - $3) / 100)) ] && [ "$1" -le $(($2 * (100 + $3) / 100)) ] ||
		fail "$4: $1, expected $2 within $3%"
}

t_off_sleep() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	off_run ks sleep 10 50 -- --folded ${_m:+--attach "$_m"}
	_us=$(folded_sum "$KS_TMP/ks.out" sleep_here)
	expect_about "$_us" 500000 20 "microseconds blocked in sleep_here"
	expect_eq "$(grep ';sleep_here;' "$KS_TMP/ks.out" | grep -c -v ';main;sleep_here;')" 0 \
		"sleep_here stacks without main right below"
	# the kernel half: the sleep ends in the scheduler
	expect_eq "$(grep ';sleep_here;' "$KS_TMP/ks.out" | grep -c 'schedule_\[k\]')" \
		"$(grep -c ';sleep_here;' "$KS_TMP/ks.out")" "sleep_here stacks through schedule()"
	pass
}

# Blocks of 50 ms are left out with --min-block 100 ms, and kept with --max-block 100 ms.
t_off_min_block() {
	off_run ks sleep 10 50 -- --folded --min-block 100000
	expect_eq "$(folded_sum "$KS_TMP/ks.out" sleep_here)" 0 "sleep_here time with --min-block 100 ms"
	off_run ks2 sleep 10 50 -- --folded --max-block 100000
	expect_about "$(folded_sum "$KS_TMP/ks2.out" sleep_here)" 500000 20 "sleep_here time with --max-block 100 ms"
	pass
}

# nanosleep sleeps in state S: --state D leaves it out, --state S keeps it.
t_off_state() {
	off_run ks sleep 10 50 -- --folded --state D
	expect_eq "$(folded_sum "$KS_TMP/ks.out" sleep_here)" 0 "sleep_here time with --state D"
	off_run ks2 sleep 10 50 -- --folded --state S
	expect_about "$(folded_sum "$KS_TMP/ks2.out" sleep_here)" 500000 20 "sleep_here time with --state S"
	pass
}

t_off_json() {
	off_run ks pipe 10 30 -- --json
	ks_json_ok ks
	expect_eq "$(ks_count ks type=stacks unit=us)" 1 "one report in microseconds"
	"$H/jsonq" -w type=stacks -g 'stacks.*' <"$KS_TMP/ks.out" >"$KS_TMP/stacks"
	_us=$(grep '"read_here","main"' "$KS_TMP/stacks" | "$H/jsonq" -g count |
		awk '{ s += $1 } END { print s + 0 }')
	expect_about "$_us" 300000 20 "microseconds blocked in read_here (JSON)"
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
	ks_run ks offcputime --state X -d 1
	expect_rc ks 2
	expect_one_line "$KS_TMP/ks.err" "bad --state"
	pass
}
