# SPDX-License-Identifier: GPL-2.0-only
# trace under the tools' contract: JSON errors, bounded error excerpts, signals during a large
# compile, -c's command never outliving kscope, exit codes, output errors (docs/trace.md).

ks_test -H trace_contract/json_errors t_tc_json_errors
ks_test -n -H trace_contract/long_line t_tc_long_line
ks_test trace_contract/sigint_compile t_tc_sigint_compile
for _s in INT TERM KILL d; do
	ks_test "trace_contract/cmd_gone/$_s" t_tc_cmd_gone "$_s"
done
ks_test -H trace_contract/cmd_missing t_tc_cmd_missing
ks_test -H trace_contract/exit_codes t_tc_exit_codes
ks_test trace_contract/verifier_reason t_tc_verifier_reason
ks_test -H trace_contract/fd_limit t_tc_fd_limit
ks_test trace_contract/output_errors t_tc_output_errors

# Compile errors of every stage (lexer, parser, probes, types, builtins): each one JSON line.
t_tc_json_errors() {
	_n=0
	while IFS= read -r _p; do
		_n=$((_n + 1))
		"$KSCOPE" trace --json -e "$_p" >"$KS_TMP/out" 2>"$KS_TMP/err"
		_rc=$?
		[ "$_rc" = 2 ] || fail "case $_n ($_p): exit code $_rc, expected 2: $(ks_first_line "$KS_TMP/err")"
		expect_one_line "$KS_TMP/err" "case $_n ($_p)"
		"$H/jsonq" --check <"$KS_TMP/err" || fail "case $_n ($_p): not JSON: $(ks_first_line "$KS_TMP/err")"
		[ "$("$H/jsonq" -c -w type=error -w tool=trace -w 'message~' -w file=-e -w 'line>=1' \
			-w 'column>=1' -w 'source_offset>=0' <"$KS_TMP/err")" = 1 ] ||
			fail "case $_n ($_p): not a positioned error: $(ks_first_line "$KS_TMP/err")"
		[ -s "$KS_TMP/out" ] && fail "case $_n ($_p): output on stdout"
	done <<'EOF'
BEGIN { @x = ; }
BEGIN { printf("%d\n"); }
BEGIN { $x = 1 + "a"; }
BEGIN { nosuchfunc(); }
BEGIN { @x = count(; }
BEGIN { `
BEGIN { "unterminated }
tracepoint:syscalls:sys_enter_openat { @[args.nosuchfield] = count(); }
tracepoint:nosuchcat:nosuchevent { exit(); }
nosuchprovider:x { }
profile:hz:99999999 { @ = count(); }
profile:hz:0 { }
BEGIN { @x[1] = 1; @x["a"] = 2; }
BEGIN { $y = $x; }
BEGIN { @x = hist(); }
BEGIN { break; }
interval:xs:1 { }
BEGIN { print(@nosuch); }
BEGIN { $x = 1; $x = "str"; }
EOF
	pass
}

# A 1 MB line and binary garbage: the excerpt is a window, escaped, the caret under the error.
t_tc_long_line() {
	{
		printf 'BEGIN { @x = 1; } '
		head -c 1000000 /dev/zero | tr '\0' x
		printf ' \001\033[31m\377 BEGIN { }\n'
	} >"$KS_TMP/big.bt"
	"$KSCOPE" trace "$KS_TMP/big.bt" >"$KS_TMP/out" 2>"$KS_TMP/err"
	expect_eq "$?" 2 "exit code"
	expect_eq "$(ks_lines "$KS_TMP/err")" 3 "lines on stderr"
	_sz=$(wc -c <"$KS_TMP/err" | tr -d ' ')
	[ "$_sz" -lt 600 ] || fail "the excerpt is $_sz bytes: not bounded"
	tr -d '\n\t' <"$KS_TMP/err" | LC_ALL=C grep -q "$(printf '[\001-\037\177\377]')" &&
		fail "raw control bytes on the terminal"
	expect_grep "$KS_TMP/err" '\x01\x1b[31m\xff' "the escaped bytes"
	sed -n 2p "$KS_TMP/err" | grep -q '^\.\.\.x' || fail "no '...' where the line was cut"
	# the caret's column is that of the escaped byte the error is about
	_line=$(sed -n 2p "$KS_TMP/err")
	_pre=${_line%%\\x01*}
	_caret=$(sed -n 3p "$KS_TMP/err")
	expect_eq "${#_caret}" "$((${#_pre} + 1))" "the caret's column"
	"$KSCOPE" trace --json "$KS_TMP/big.bt" >"$KS_TMP/out" 2>"$KS_TMP/err"
	expect_one_line "$KS_TMP/err" "--json"
	[ "$("$H/jsonq" -c -w type=error -w 'source#<=110' -w source_cut=true -w 'column>1000000' \
		<"$KS_TMP/err")" = 1 ] || fail "--json: $(ks_first_line "$KS_TMP/err" | cut -c1-200)"
	pass
}

# Ctrl-C while 50,000 probes compile: out within seconds, exit 0, nothing loaded.
t_tc_sigint_compile() {
	awk 'BEGIN { for (i = 0; i < 50000; i++) print "BEGIN { @x[" i "] = count(); }" }' \
		>"$KS_TMP/many.bt"
	ks_start ks trace "$KS_TMP/many.bt"
	sleep 0.1
	ks_done ks && skip "the compile ended before the signal: $(ks_first_line "$KS_TMP/ks.err")"
	_t0=$(ks_now)
	kill -INT "$(ks_pid ks)"
	ks_bg_wait ks 10 || { ks_bg_kill ks; fail "still running 10 s after SIGINT"; }
	ks_leakcheck ks
	grep -q 'file descriptors' "$KS_TMP/ks.err" &&
		skip "the compile ended before the signal: $(ks_first_line "$KS_TMP/ks.err")"
	expect_rc ks 0
	[ $(($(ks_now) - _t0)) -le 5 ] || fail "took $(($(ks_now) - _t0)) s to stop"
	pass
}

# _tc_sleeps TAG: how many processes run "sleep TAG" (ours: TAG is unique to this test).
_tc_sleeps() {
	_c=0
	for _f in /proc/[0-9]*/cmdline; do
		[ "$(tr '\0' ' ' <"$_f" 2>/dev/null)" = "sleep $1 " ] && _c=$((_c + 1))
	done
	echo "$_c"
}

_tc_two_sleeps() { [ "$(_tc_sleeps "$1")" = 2 ]; }
_tc_no_sleeps() { [ "$(_tc_sleeps "$1")" = 0 ]; }

# _tc_kill_sleeps TAG: end what a failed run left (only our sleeps, by pid).
_tc_kill_sleeps() {
	for _f in /proc/[0-9]*/cmdline; do
		if [ "$(tr '\0' ' ' <"$_f" 2>/dev/null)" = "sleep $1 " ]; then
			_p=${_f#/proc/}
			kill -KILL "${_p%/cmdline}" 2>/dev/null
		fi
	done
}

# -c with a command that leaves a child in the background: both gone however kscope ends.
t_tc_cmd_gone() {
	_tag="30.$$" # (busybox date in the guests has no %N)
	if [ "$1" = d ]; then
		ks_start ks trace --duration 5 -c "sh -c \"sleep $_tag & sleep $_tag\"" -e 'BEGIN { }'
	else
		ks_start ks trace -c "sh -c \"sleep $_tag & sleep $_tag\"" -e 'BEGIN { }'
	fi
	ks_wait_until 10 _tc_two_sleeps "$_tag" || {
		ks_bg_kill ks
		_tc_kill_sleeps "$_tag"
		fail "the command's two sleeps did not start: $(ks_first_line "$KS_TMP/ks.err")"
	}
	if [ "$1" = d ]; then
		# 5 s, not 1: under load the sanitized kscope can take a second to start the
		# command, and its duration then ends it before the test has seen the sleeps
		ks_wait ks 15
		expect_rc ks 0
	else
		ks_stop ks "$1"
		[ "$1" = KILL ] || expect_rc ks 0
	fi
	ks_wait_until 5 _tc_no_sleeps "$_tag" || {
		_tc_kill_sleeps "$_tag"
		fail "$(_tc_sleeps "$_tag") sleeps of the command outlived kscope (SIG$1)"
	}
	pass
}

t_tc_cmd_missing() {
	"$KSCOPE" trace -c /nonexistent/cmd -e 'BEGIN { }' >"$KS_TMP/out" 2>"$KS_TMP/err"
	expect_eq "$?" 2 "exit code of -c /nonexistent/cmd"
	expect_one_line "$KS_TMP/err" "-c /nonexistent/cmd"
	expect_grep "$KS_TMP/err" "cannot run the command '/nonexistent/cmd'" "message"
	"$KSCOPE" trace --json -c 'nosuchcommand-kscope arg' -e 'BEGIN { }' >"$KS_TMP/out" 2>"$KS_TMP/err"
	expect_eq "$?" 2 "exit code of a command not in PATH"
	[ "$("$H/jsonq" -c -w type=error -w 'message~no such command' <"$KS_TMP/err")" = 1 ] ||
		fail "not one JSON error: $(ks_first_line "$KS_TMP/err")"
	pass
}

t_tc_exit_codes() {
	"$KSCOPE" trace -l 'nosuch:*:*' >"$KS_TMP/out" 2>"$KS_TMP/err"
	expect_eq "$?" 2 "-l nosuch:*:*"
	expect_one_line "$KS_TMP/err" "-l nosuch:*:*"
	"$KSCOPE" trace -e 'profile:hz:99999999 { @ = count(); }' >"$KS_TMP/out" 2>"$KS_TMP/err"
	expect_eq "$?" 2 "profile:hz:99999999"
	expect_grep "$KS_TMP/err" "hz on this machine (kernel.perf_event_max_sample_rate)" "the limit"
	mkdir "$KS_TMP/dir"
	"$KSCOPE" trace "$KS_TMP/dir" >"$KS_TMP/out" 2>"$KS_TMP/err"
	expect_eq "$?" 2 "a directory as the program"
	expect_one_line "$KS_TMP/err" "a directory as the program"
	expect_grep "$KS_TMP/err" "$KS_TMP/dir: is a directory" "message"
	pass
}

t_tc_verifier_reason() {
	ks_run ks trace -e 'BEGIN { while (1) { } }'
	expect_rc ks 2
	expect_grep "$KS_TMP/ks.err" "verifier rejected the program for BEGIN: infinite loop detected at insn" \
		"the verifier's reason"
	grep -q 'state:' "$KS_TMP/ks.err" && fail "a register dump: $(ks_first_line "$KS_TMP/ks.err")"
	pass
}

# More probes than the hard limit on open files: said before anything loads, exit 2.
t_tc_fd_limit() {
	awk 'BEGIN { for (i = 0; i < 300; i++) print "BEGIN { @x[" i "] = count(); }" }' \
		>"$KS_TMP/many.bt"
	(
		ulimit -n 100 || exit 99
		exec "$KSCOPE" trace "$KS_TMP/many.bt"
	) >"$KS_TMP/out" 2>"$KS_TMP/err"
	_rc=$?
	[ "$_rc" = 99 ] && skip "ulimit -n cannot be lowered here"
	expect_eq "$_rc" 2 "exit code"
	expect_one_line "$KS_TMP/err" "the message"
	expect_grep "$KS_TMP/err" "file descriptors (300 programs" "the count"
	expect_grep "$KS_TMP/err" "the limit is 100" "the limit"
	pass
}

# printf to /dev/full: one error line, exit 1; to a reader that goes away: quiet, exit 0.
t_tc_output_errors() {
	for _j in "" --json; do
		# shellcheck disable=SC2086
		"$KSCOPE" trace $_j -e 'interval:ms:10 { printf("hello\n"); }' >/dev/full 2>"$KS_TMP/err"
		expect_eq "$?" 1 "exit code with /dev/full $_j"
		expect_eq "$(grep -c 'cannot write the output' "$KS_TMP/err")" 1 "error lines $_j"
		grep -v -e 'cannot write the output' -e '^Attaching' "$KS_TMP/err" | grep -q . &&
			fail "other lines on stderr $_j: $(ks_first_line "$KS_TMP/err")"
	done
	{
		"$KSCOPE" trace -e 'interval:ms:10 { printf("hello\n"); }' 2>"$KS_TMP/err2"
		echo $? >"$KS_TMP/rc2"
	} | head -n 1 >"$KS_TMP/head"
	expect_eq "$(cat "$KS_TMP/rc2")" 0 "exit code when the reader goes"
	expect_eq "$(cat "$KS_TMP/head")" hello "the line read"
	grep -v '^Attaching' "$KS_TMP/err2" | grep -q . && fail "stderr: $(ks_first_line "$KS_TMP/err2")"
	pass
}
