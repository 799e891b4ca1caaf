# SPDX-License-Identifier: GPL-2.0-only
# profile: a helper without PIE, with frame pointers, spins 3 times as long (CPU time) in
# burn_a as in burn_b, on one CPU, with main below each. How many samples land in each
# depends on how much of that CPU the helper gets, and on the timer (late, or lost, in a
# busy or emulated virtual machine): the tests hold them against what can't be exceeded.

ks_test profile/ratio t_prof_ratio
ks_test profile/json t_prof_json
ks_test profile/svg t_prof_svg
ks_test profile/cgroup t_prof_cgroup
# -H: intervals are kscope's own (user space), the same on every kernel
ks_test -H profile/interval t_prof_interval
ks_test profile/kernel_only t_prof_kernel_only
ks_test profile/cycles t_prof_cycles
ks_test -n -H profile/bad_event t_prof_bad_event

# CPU time of the burn: ROUNDS x (30 + 10) ms.
PROF_ROUNDS=25
# The sampling period at 999 Hz in ns (the kernel's: 10^9 / 999, cut).
PROF_P=1001001

# prof_burn NAME: start the burn helper (reporting what it did) on the last CPU; sets WPID
# and PROF_CPU.
prof_burn() {
	PROF_CPU=$(ks_last_cpu)
	STACKLOAD_REPORT=1
	export STACKLOAD_REPORT
	stk_start "$1" burn 30 10 "$PROF_ROUNDS" "$PROF_CPU"
	WPID=$(ks_pid "$1")
}

# prof_go NAME: run the burn helper; its CPU's interrupt and stolen time meanwhile go to
# PROF_X (ns).
prof_go() {
	_c0=$(ks_cpustat "$PROF_CPU")
	wl_run "$1"
	PROF_X=$(ks_cpustat_delta "$_c0" "$(ks_cpustat "$PROF_CPU")")
}

# prof_run NAME KSCOPE-ARGS...: profile the burn helper at 999 Hz.
prof_run() {
	_n=$1
	shift
	prof_burn "w$_n"
	ks_start "$_n" profile -F 999 -p "$WPID" "$@"
	ks_attached "$_n"
	prof_go "w$_n"
	# The helper has exited: its symbols must come from what was learnt while it ran.
	ks_stop "$_n"
	expect_rc "$_n" 0
}

# prof_most FUNC WL: the most samples FUNC ("burn" for the whole burn) of helper run WL can
# have. The timer of each CPU fires at most once a period: a call that lasted W ns by the
# wall clock can hold W / P + 2 samples (one more for the period it began in, one for a
# late timer). And only while the helper is on its CPU: for that its CPU time, plus the
# interrupt and stolen time of its CPU (PROF_X), with 2 more for each stretch on the CPU
# (its context switches, and one per call).
prof_most() {
	awk -v f="$1" -v p="$PROF_P" -v x="$PROF_X" '
		$1 == "burn" { sw = $7 } $1 == f { for (i = 2; i < NF; i++) v[$i] = $(i + 1) }
		END { n = (f == "burn") ? 1 : v["calls"]
			wall = v["wall_ns"] / p + 2 * n
			cpu = (v["exec_ns"] + x) / p + 2 * (n + sw + 1)
			printf "%d\n", wall < cpu ? wall : cpu }' "$KS_TMP/$2.out"
}

# prof_check FOLDED WL: the samples of burn_a and burn_b in FOLDED (kscope's profile of
# helper run WL): some in each, and no more than each could have (prof_most): with an
# idle CPU, that is close to the 3:1 split, and the count of one bounds the other from
# below. Each stack starts with the helper, main right below a burn function (frame
# pointers: a sample in the first two instructions of the call, before its frame pointer
# is set, skips main, at most twice a call).
prof_check() {
	_a=$(folded_sum "$1" burn_a)
	_b=$(folded_sum "$1" burn_b)
	_ma=$(prof_most burn_a "$2")
	_mb=$(prof_most burn_b "$2")
	_mall=$(prof_most burn "$2")
	note "samples: burn_a $_a (at most $_ma), burn_b $_b (at most $_mb), both at most $_mall; $(grep '^burn ' "$KS_TMP/$2.out")"
	[ "$_a" -gt 0 ] && [ "$_b" -gt 0 ] || fail "burn_a:burn_b samples $_a:$_b: $(head -c 300 "$1")"
	[ "$_a" -le "$_ma" ] || fail "$_a samples in burn_a, more than the $_ma it can have"
	[ "$_b" -le "$_mb" ] || fail "$_b samples in burn_b, more than the $_mb it can have"
	[ $((_a + _b)) -le "$_mall" ] || fail "$((_a + _b)) samples in the burn, more than the $_mall it can have"
	expect_eq "$(grep -c -v '^stackload;' "$1")" 0 "stacks of other processes"
	_all=$(grep -E ';burn_[ab](;| )' "$1" | awk '{ s += $NF } END { print s + 0 }')
	_odd=$(grep -E ';burn_[ab](;| )' "$1" | grep -v -E ';main;burn_[ab](;| )' |
		awk '{ s += $NF } END { print s + 0 }')
	note "burn samples: $_all, without main right below: $_odd"
	[ "$_odd" -le $((4 * PROF_ROUNDS)) ] ||
		fail "$_odd of $_all burn samples without main right below the burn function"
	[ "$_all" -gt "$_odd" ] || fail "no burn sample with main right below"
}

t_prof_ratio() {
	prof_run ks --folded
	prof_check "$KS_TMP/ks.out" wks
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
	prof_check "$KS_TMP/ks.out" wks
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
	prof_burn w
	ks_cg_move "$WPID" "$KS_CG"
	ks_start ks profile -F 999 --cgroup "$KS_CG" --folded
	ks_attached ks
	prof_go w
	ks_stop ks
	expect_rc ks 0
	expect_eq "$(grep -c -v '^stackload;' "$KS_TMP/ks.out")" 0 "stacks from outside the cgroup"
	prof_check "$KS_TMP/ks.out" w
	pass
}

t_prof_interval() {
	stk_start w burn 30 10 "$PROF_ROUNDS"
	WPID=$(ks_pid w)
	# A report every 0.3 s, two of them (the positional argument is the duration, as in
	# BCC: --interval and --count say what interval [count] says in the other tools).
	ks_start ks profile -F 199 -p "$WPID" --json --interval 0.3 --count 2
	ks_attached ks
	wl_go w
	ks_wait ks "$KS_WAIT"
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
	ks_run ks profile --event cycles --duration 1
	expect_rc ks 4
	expect_one_line "$KS_TMP/ks.err" "--event cycles without a PMU"
	expect_grep "$KS_TMP/ks.err" "hardware cycles" "the reason"
	pass
}

t_prof_bad_event() {
	ks_run ks profile --event bogus --duration 1
	expect_rc ks 2
	expect_one_line "$KS_TMP/ks.err" "bad --event"
	expect_grep "$KS_TMP/ks.err" "unknown --event" "the message"
	pass
}
