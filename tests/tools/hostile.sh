# SPDX-License-Identifier: GPL-2.0-only
# Process names are anyone's data: a helper names itself (prctl) with a newline, a terminal
# escape, the folded frame separator and a space, and every aggregating tool's text and
# folded output must show it escaped (one function, ks_text_escape: \n, \x1b, and in
# folded stacks _ for ; and space), keep one record per line, and never print the raw bytes.
# A folded file made of such stacks must still draw (kscope flamegraph).

ks_test hostile/syscount t_hostile_syscount
ks_test hostile/runqlat t_hostile_hist runqlat
ks_test hostile/cpudist t_hostile_hist cpudist
ks_test hostile/profile_folded t_hostile_profile
ks_test hostile/offcputime_text t_hostile_offcputime
ks_test hostile/wakeuptime_folded t_hostile_wakeuptime
ks_test hostile/trace_map t_hostile_trace
ks_test hostile/symbol_folded t_hostile_symbol --folded
ks_test hostile/symbol_text t_hostile_symbol

# The name (11 bytes; the kernel keeps 15), and how text and folded output must show it.
HOSTILE=$(printf 'x\ny\033[7m;z w')
HOSTILE_TEXT='x\ny\x1b[7m;z w'
HOSTILE_FOLDED='x\ny\x1b[7m_z_w'

# A symbol of the stack helper, as any binary may name one: "burn;weird<ESC>[7m name".
SYMBOL_TEXT='burn_weird\x1b[7m name'
SYMBOL_FOLDED='burn_weird\x1b[7m name'

# hostile_clean FILE: no raw escape byte, no line that starts with the name's second half.
hostile_clean() {
	_esc=$(printf '\033')
	[ "$(grep -c "$_esc" "$1")" = 0 ] || fail "a raw ESC byte in the output: $(head -c 400 "$1" | od -c | head -5)"
	[ "$(grep -c '^y' "$1")" = 0 ] || fail "a line starts with the name's second half: the newline went out raw"
}

# hostile_folded FILE: every line is 'frames COUNT', the first frame the escaped name.
hostile_folded() {
	[ -s "$1" ] || fail "no folded stacks"
	# (awk -v would turn the name's backslashes into escapes: ENVIRON keeps them)
	_bad=$(HOSTILE_FOLDED=$HOSTILE_FOLDED awk '{ split($0, a, ";") }
		$NF !~ /^[0-9]+$/ || a[1] != ENVIRON["HOSTILE_FOLDED"] { bad++ } END { print bad + 0 }' "$1")
	[ "$_bad" = 0 ] || fail "$_bad folded lines not 'NAME;...;frame COUNT' with the name escaped: $(head -c 400 "$1")"
	hostile_clean "$1"
	"$KSCOPE" flamegraph "$1" >"$1.svg" 2>"$1.fgerr" ||
		fail "kscope flamegraph refused the folded stacks: $(ks_first_line "$1.fgerr")"
	grep -q -F 'x\ny\x1b[7m_z_w' "$1.svg" || fail "the flame graph lacks the escaped name"
}

t_hostile_syscount() {
	WORKLOAD_COMM=$HOSTILE wl_start w getppid 7
	_w=$(ks_pid w)
	ks_start ks syscount -P -p "$_w"
	ks_attached ks
	wl_run w
	ks_stop ks
	expect_rc ks 0
	hostile_clean "$KS_TMP/ks.out"
	_row=$(awk -v p="$_w" '$1 == p' "$KS_TMP/ks.out")
	expect_eq "$_row" "$(printf '%-7s %-16s %10s' "$_w" "$HOSTILE_TEXT" 8)" "the process's row: getppid 7, rt_sigsuspend"
	pass
}

# hist TOOL: the histogram of the helper's process (-P) is titled with its name escaped.
t_hostile_hist() {
	WORKLOAD_COMM=$HOSTILE wl_start w getppid 1
	_w=$(ks_pid w)
	ks_start ks "$1" -P -p "$_w"
	ks_attached ks
	wl_run w
	ks_stop ks
	expect_rc ks 0
	hostile_clean "$KS_TMP/ks.out"
	expect_eq "$(grep -c -F -x "pid = $_w ($HOSTILE_TEXT)" "$KS_TMP/ks.out")" 1 "the histogram's title"
	pass
}

t_hostile_profile() {
	STACKLOAD_COMM=$HOSTILE stk_start w burn 200 100 1
	_w=$(ks_pid w)
	ks_start ks profile -F 199 -p "$_w" --folded
	ks_attached ks
	wl_run w
	ks_stop ks
	expect_rc ks 0
	hostile_folded "$KS_TMP/ks.out"
	[ "$(folded_sum "$KS_TMP/ks.out" burn_a)" -gt 0 ] || fail "no sample in burn_a: $(head -c 400 "$KS_TMP/ks.out")"
	pass
}

t_hostile_offcputime() {
	STACKLOAD_COMM=$HOSTILE stk_start w sleep 5 20
	_w=$(ks_pid w)
	ks_start ks offcputime -p "$_w"
	ks_attached ks
	wl_run w
	ks_stop ks
	expect_rc ks 0
	hostile_clean "$KS_TMP/ks.out"
	# BCC's layout: "    -                NAME (PID)" under each stack
	_n=$(grep -c -F -x "    -                $HOSTILE_TEXT ($_w)" "$KS_TMP/ks.out")
	[ "$_n" -ge 1 ] || fail "no stack names the helper escaped: $(head -c 400 "$KS_TMP/ks.out")"
	grep -q 'sleep_here' "$KS_TMP/ks.out" || fail "no stack with sleep_here"
	pass
}

t_hostile_wakeuptime() {
	STACKLOAD_COMM=$HOSTILE stk_start w handoff 3 20
	_w=$(ks_pid w)
	ks_start ks wakeuptime -p "$_w" --folded
	ks_attached ks
	wl_run w
	ks_stop ks
	expect_rc ks 0
	hostile_folded "$KS_TMP/ks.out"
	# target;--;waker;...: the child waker has the same name
	_n=$(grep -c -F "$HOSTILE_FOLDED;--;$HOSTILE_FOLDED;" "$KS_TMP/ks.out")
	[ "$_n" -ge 1 ] || fail "no stack of the waker named escaped: $(head -c 400 "$KS_TMP/ks.out")"
	pass
}

# A symbol with the frame separator, an escape and a space: folded, the frame is one frame
# (_), right below main; text, one line of its own, the same.
t_hostile_symbol() {
	stk_start w weird 300
	_w=$(ks_pid w)
	ks_start ks profile -F 199 -p "$_w" "$@"
	ks_attached ks
	wl_run w
	ks_stop ks
	expect_rc ks 0
	hostile_clean "$KS_TMP/ks.out"
	if [ "${1:-}" = --folded ]; then
		_bad=$(awk '$NF !~ /^[0-9]+$/ { bad++ } END { print bad + 0 }' "$KS_TMP/ks.out")
		expect_eq "$_bad" 0 "folded lines without a count"
		[ "$(grep -c -F ";main;$SYMBOL_FOLDED" "$KS_TMP/ks.out")" -ge 1 ] ||
			fail "no stack with main;$SYMBOL_FOLDED: $(head -c 400 "$KS_TMP/ks.out")"
		grep -q -F 'burn;weird' "$KS_TMP/ks.out" && fail "a raw ';' split the symbol"
	else
		[ "$(grep -c -F -x "    $SYMBOL_TEXT" "$KS_TMP/ks.out")" -ge 1 ] ||
			fail "no frame line '    $SYMBOL_TEXT': $(head -c 400 "$KS_TMP/ks.out")"
	fi
	pass
}

# kscope trace prints a map's string keys escaped too (a printf is the user's own format).
t_hostile_trace() {
	WORKLOAD_COMM=$HOSTILE wl_start w getppid 7
	_w=$(ks_pid w)
	ks_start ks trace -e "tracepoint:syscalls:sys_enter_getppid /pid == $_w/ { @[comm] = count(); }"
	# trace says "Attaching N probes..." once attached, as bpftrace does
	ks_wait_until "$KS_WAIT" grep -q '^Attaching ' "$KS_TMP/ks.err" ||
		fail "not attached: $(ks_first_line "$KS_TMP/ks.err")"
	wl_run w
	ks_stop ks
	expect_rc ks 0
	hostile_clean "$KS_TMP/ks.out"
	expect_eq "$(grep -c -F -x "@[$HOSTILE_TEXT]: 7" "$KS_TMP/ks.out")" 1 "the map's line"
	pass
}
