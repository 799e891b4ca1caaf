# SPDX-License-Identifier: GPL-2.0-only
# profile: a helper without PIE, with frame pointers, spins 3 times as long (CPU time) in
# burn_a as in burn_b; samples split 3:1 between them, with main below each.

ks_test profile/ratio t_prof_ratio
ks_test profile/json t_prof_json
ks_test profile/svg t_prof_svg
ks_test profile/cgroup t_prof_cgroup
ks_test profile/interval t_prof_interval
ks_test profile/kernel_only t_prof_kernel_only
ks_test profile/cycles t_prof_cycles
ks_test -n -H profile/bad_event t_prof_bad_event

# CPU time of the burn: ROUNDS x (30 + 10) ms; not scaled down in guests: the 3:1 check
# needs its thousand samples (an emulated CPU's timer comes in bursts).
PROF_ROUNDS=25

# prof_run NAME KSCOPE-ARGS...: profile the burn helper at 999 Hz; sets WPID.
prof_run() {
	_n=$1
	shift
	stk_start "w$_n" burn 30 10 "$PROF_ROUNDS"
	WPID=$(ks_pid "w$_n")
	ks_start "$_n" profile -F 999 -p "$WPID" "$@"
	ks_attached "$_n"
	wl_run "w$_n"
	# The helper has exited: its symbols must come from what was learnt while it ran.
	ks_stop "$_n"
	expect_rc "$_n" 0
}

# prof_ratio FOLDED: burn_a's samples are 3 times burn_b's, within 25%.
prof_ratio() {
	_a=$(folded_sum "$1" burn_a)
	_b=$(folded_sum "$1" burn_b)
	[ "$_b" -gt 0 ] || fail "no samples in burn_b (burn_a: $_a): $(head -c 300 "$1")"
	# 3 x 0.75 <= a/b <= 3 x 1.25, in integers
	[ $((_a * 4)) -ge $((_b * 9)) ] && [ $((_a * 4)) -le $((_b * 15)) ] ||
		fail "burn_a:burn_b samples $_a:$_b, not 3:1 within 25%"
}

t_prof_ratio() {
	prof_run ks --folded
	_f=$KS_TMP/ks.out
	prof_ratio "$_f"
	# Each stack of the helper starts with its name, then main calls the burn function.
	expect_eq "$(grep -c -v '^stackload;' "$_f")" 0 "stacks of other processes"
	# Frame-pointer unwinding misses the caller of a function sampled in its prologue,
	# before it saved the frame pointer (the burn functions' first instructions): such a
	# sample reads "...;burn_a" without main. A few of those, not more than 2% of the samples.
	_all=$(grep -E ';burn_[ab](;| )' "$_f" | awk '{ s += $NF } END { print s + 0 }')
	_odd=$(grep -E ';burn_[ab](;| )' "$_f" | grep -v -E ';main;burn_[ab](;| )' |
		awk '{ s += $NF } END { print s + 0 }')
	note "burn samples: $_all, without main right below: $_odd"
	[ $((_odd * 50)) -le "$_all" ] ||
		fail "$_odd of $_all burn samples without main right below the burn function"
	# CPU time ROUNDS x 40 ms at 999 Hz: at least half the samples expected arrive.
	_all=$(awk '{ s += $NF } END { print s + 0 }' "$_f")
	[ "$_all" -ge $((PROF_ROUNDS * 40 / 2)) ] ||
		fail "$_all samples for $((PROF_ROUNDS * 40)) ms of CPU time at 999 Hz"
	pass
}

t_prof_json() {
	prof_run ks --json
	ks_json_ok ks
	expect_eq "$(ks_count ks type=meta 'sampling.hz=999' 'sampling.event~')" 1 "meta names the event"
	expect_eq "$(ks_count ks type=stacks unit=samples 'total>0')" 1 "one report"
	"$H/jsonq" -w type=stacks -g 'stacks.*' <"$KS_TMP/ks.out" >"$KS_TMP/stacks"
	expect_eq "$("$H/jsonq" -c -w "pid=$WPID" -w comm=stackload <"$KS_TMP/stacks")" \
		"$(wc -l <"$KS_TMP/stacks" | tr -d ' ')" "every stack is the helper's"
	# user frames leaf first: burn_a before main
	_ua=$(grep '"burn_a"' "$KS_TMP/stacks" | grep -c '"burn_a",.*"main"')
	[ "$_ua" -gt 0 ] || fail "no user stack with burn_a then main: $(head -c 400 "$KS_TMP/stacks")"
	pass
}

t_prof_svg() {
	prof_run ks --svg "$KS_TMP/profile.svg" --folded
	prof_ratio "$KS_TMP/ks.out"
	[ -s "$KS_TMP/profile.svg" ] || fail "no SVG written"
	grep -q 'burn_a' "$KS_TMP/profile.svg" && grep -q 'burn_b' "$KS_TMP/profile.svg" ||
		fail "the SVG lacks burn_a or burn_b"
	# In a real browser (the host has Chromium; the kernel matrix's guests do not).
	if ks_svg_can_draw; then
		ks_svg_drawn "$KS_TMP/profile.svg" "$KS_TMP/profile.png" burn_a burn_b main ||
			fail "not drawn in Chromium: $KS_SVG_MISSING"
	elif [ -z "${KS_GUEST:-}" ]; then
		fail "Chromium cannot draw here: $KS_SVG_WHY"
	fi
	pass
}

t_prof_cgroup() {
	ks_cg_create prof
	stk_start w burn 30 10 "$PROF_ROUNDS"
	WPID=$(ks_pid w)
	ks_cg_move "$WPID" "$KS_CG"
	ks_start ks profile -F 999 -c "$KS_CG" --folded
	ks_attached ks
	wl_run w
	ks_stop ks
	expect_rc ks 0
	expect_eq "$(grep -c -v '^stackload;' "$KS_TMP/ks.out")" 0 "stacks from outside the cgroup"
	prof_ratio "$KS_TMP/ks.out"
	pass
}

t_prof_interval() {
	stk_start w burn 30 10 "$PROF_ROUNDS"
	WPID=$(ks_pid w)
	ks_start ks profile -F 199 -p "$WPID" --json 0.3 2
	ks_attached ks
	wl_go w
	ks_wait ks 30
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=stacks)" 2 "reports"
	pass
}

t_prof_kernel_only() {
	prof_run ks --json -K
	"$H/jsonq" -w type=stacks -g 'stacks.*' <"$KS_TMP/ks.out" >"$KS_TMP/stacks"
	expect_eq "$(grep -c '"user"' "$KS_TMP/stacks")" 0 "user stacks with -K"
	[ "$(grep -c '"kernel":\["[^"]' "$KS_TMP/stacks")" -gt 0 ] ||
		fail "no kernel stack at all: $(head -c 300 "$KS_TMP/stacks")"
	pass
}

# Where the CPU has no cycles counter (virtual machines), --event cycles says so: exit 4.
t_prof_cycles() {
	ks_features_json || skip "kscope features gave nothing"
	if [ "$("$H/jsonq" -w type=feature -w name=perf_hw -g ok <"$KS_TMP/.features")" = true ]; then
		prof_run ks --json --event cycles
		expect_eq "$(ks_count ks type=meta sampling.event=cycles)" 1 "cycles event used"
		pass
	fi
	ks_run ks profile --event cycles -d 1
	expect_rc ks 4
	expect_one_line "$KS_TMP/ks.err" "--event cycles without a PMU"
	expect_grep "$KS_TMP/ks.err" "hardware cycles" "the reason"
	pass
}

t_prof_bad_event() {
	ks_run ks profile --event bogus -d 1
	expect_rc ks 2
	expect_one_line "$KS_TMP/ks.err" "bad --event"
	expect_grep "$KS_TMP/ks.err" "unknown --event" "the message"
	pass
}
