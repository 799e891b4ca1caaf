# SPDX-License-Identifier: GPL-2.0-only
# The kscope binary itself, and the contract every tool shares, generated from the tool
# list `kscope` prints: --help, a bad option, a short --json run, bad input, exit paths.
# Pure option parsing is -H (the host only); whatever may load BPF runs on every kernel.
# Also -H, to keep the kernel matrix within CI's time: SIGTERM and SIGHUP (the same path in
# kscope as SIGINT, which every kernel runs), input checks made before anything is loaded
# (a pid or cgroup that does not exist), and the missing-BTF message.

ks_test -n -H kscope/list t_list
ks_test -n -H kscope/version t_version
ks_test -n -H kscope/unknown_tool t_unknown_tool
ks_test -n -H kscope/unknown_global_option t_unknown_global_option

# Tools under "tools:", commands under "commands:".
for _t in $(ks_list_tools); do
	ks_test -n -H "smoke/$_t/help" smoke_help "$_t"
	ks_test -n -H "smoke/$_t/bad_option" smoke_bad_option "$_t"
	ks_test "smoke/$_t/json" smoke_json "$_t"
	ks_test "smoke/$_t/not_root" smoke_not_root "$_t"
	ks_test "exit/$_t/sigint" exit_signal "$_t" INT
	ks_test -H "exit/$_t/sigterm" exit_signal "$_t" TERM
	ks_test -H "exit/$_t/sighup" exit_signal "$_t" HUP
	ks_test -H "badinput/$_t/unknown_option" bad_input "$_t" unknown_option
	ks_test -H "badinput/$_t/bad_value" bad_input "$_t" bad_value
	ks_test -H "badinput/$_t/attach_bogus" bad_input "$_t" attach_bogus
	# the filters, where the tool has them
	if "$KSCOPE" "$_t" --help 2>/dev/null | grep -q -e '--pid'; then
		ks_test -H "badinput/$_t/no_such_pid" bad_input "$_t" no_such_pid
		ks_test -H "badinput/$_t/no_such_cgroup" bad_input "$_t" no_such_cgroup
		ks_test -H "badinput/$_t/not_a_cgroup" bad_input "$_t" not_a_cgroup
		ks_test -H "badinput/$_t/bad_pid" bad_input "$_t" bad_pid
	fi
	ks_test "attach/$_t/fentry_refused" attach_fentry "$_t"
	ks_test -H "btf/$_t/no_btf" no_btf "$_t"
done
for _t in $(ks_list_commands); do
	ks_test -n -H "smoke/$_t/help" smoke_help "$_t"
	ks_test -n -H "smoke/$_t/bad_option" smoke_bad_option "$_t"
done

t_list() {
	ks_bg list "$KSCOPE"
	ks_bg_wait list "$KS_WAIT" || fail "kscope alone did not finish"
	expect_eq "$KS_RC" 0 "exit code of kscope alone"
	expect_grep "$KS_TMP/list.out" "tools:" "tool list"
	expect_grep "$KS_TMP/list.out" "commands:" "tool list"
	[ -n "$(ks_list_tools)" ] || fail "no tools listed"
	# every listed tool is found by name
	for _t in $(ks_list_tools) $(ks_list_commands); do
		"$KSCOPE" "$_t" --help >/dev/null 2>&1 || fail "'kscope $_t --help' fails"
	done
	pass
}

t_version() {
	ks_bg v "$KSCOPE" --version
	ks_bg_wait v "$KS_WAIT" || fail "kscope --version did not finish"
	expect_eq "$KS_RC" 0 "exit code of kscope --version"
	grep -q '^kscope [0-9]' "$KS_TMP/v.out" || fail "no version: $(ks_first_line "$KS_TMP/v.out")"
	pass
}

t_unknown_tool() {
	_t=$(ks_list_tools | grep -x opensnoop)
	[ -n "$_t" ] || skip "no opensnoop to misspell"
	ks_bg u "$KSCOPE" opensnop
	ks_bg_wait u "$KS_WAIT" || fail "did not finish"
	expect_eq "$KS_RC" 2 "exit code for an unknown tool"
	expect_one_line "$KS_TMP/u.err" "unknown tool"
	expect_grep "$KS_TMP/u.err" "did you mean 'opensnoop'" "suggestion"
	[ -s "$KS_TMP/u.out" ] && fail "stdout not empty: $(ks_first_line "$KS_TMP/u.out")"
	ks_bg u2 "$KSCOPE" zzzzzzzzzz
	ks_bg_wait u2 "$KS_WAIT" || fail "did not finish"
	expect_eq "$KS_RC" 2 "exit code for an unknown tool"
	expect_one_line "$KS_TMP/u2.err" "unknown tool"
	pass
}

t_unknown_global_option() {
	ks_bg g "$KSCOPE" --bogus-option
	ks_bg_wait g "$KS_WAIT" || fail "did not finish"
	expect_eq "$KS_RC" 2 "exit code for an unknown option"
	expect_one_line "$KS_TMP/g.err" "unknown option"
	pass
}

smoke_help() {
	ks_bg h "$KSCOPE" "$1" --help
	ks_bg_wait h "$KS_WAIT" || fail "--help did not finish"
	expect_eq "$KS_RC" 0 "exit code of --help"
	grep -q "^usage: kscope $1" "$KS_TMP/h.out" ||
		fail "no 'usage: kscope $1' on stdout: $(ks_first_line "$KS_TMP/h.out")"
	[ -s "$KS_TMP/h.err" ] && fail "--help wrote to stderr: $(ks_first_line "$KS_TMP/h.err")"
	pass
}

smoke_bad_option() {
	ks_bg b "$KSCOPE" "$1" --no-such-option
	ks_bg_wait b "$KS_WAIT" || fail "did not finish"
	expect_eq "$KS_RC" 2 "exit code for a bad option"
	expect_one_line "$KS_TMP/b.err" "bad option"
	expect_grep "$KS_TMP/b.err" "--no-such-option" "the message names the option"
	[ -s "$KS_TMP/b.out" ] && fail "stdout not empty: $(ks_first_line "$KS_TMP/b.out")"
	# in --json mode the error is JSON too
	ks_bg bj "$KSCOPE" "$1" --json -Z
	ks_bg_wait bj "$KS_WAIT" || fail "did not finish"
	expect_eq "$KS_RC" 2 "exit code for a bad option with --json"
	expect_one_line "$KS_TMP/bj.err" "bad option with --json"
	expect_eq "$("$H/jsonq" -c -w type=error -w "tool=$1" <"$KS_TMP/bj.err" 2>&1)" 1 \
		"a JSON error line on stderr"
	pass
}

smoke_json() {
	ks_run j "$1" --json --duration 1
	expect_rc j 0
	ks_json_ok j
	_a=$(head -n 1 "$KS_TMP/j.out" | "$H/jsonq" -g attach)
	case $_a in
	"{"*) ;;
	*) fail "meta line has no attach object: $(ks_first_line "$KS_TMP/j.out")" ;;
	esac
	expect_eq "$(head -n 1 "$KS_TMP/j.out" | "$H/jsonq" -g tool)" "$1" "meta tool"
	# attach_detail: attach's hooks, in the same order with the same methods, each with its
	# targets and the reason for its choice
	head -n 1 "$KS_TMP/j.out" >"$KS_TMP/meta"
	expect_eq "$("$H/jsonq" -g 'attach_detail.*' <"$KS_TMP/meta" | "$H/jsonq" -g method | tr '\n' ' ')" \
		"$("$H/jsonq" -g 'attach.*' <"$KS_TMP/meta" | tr '\n' ' ')" "attach_detail's methods"
	expect_eq "$("$H/jsonq" -g 'attach_detail.*' <"$KS_TMP/meta" | "$H/jsonq" -c -w 'targets#>=1' -w why)" \
		"$("$H/jsonq" -g 'attach#' <"$KS_TMP/meta")" "attach_detail's hooks with targets and why"
	expect_eq "$(tail -n 1 "$KS_TMP/j.out" | "$H/jsonq" -g tool)" "$1" "summary tool"
	# a second at least; the end may come late on a busy machine, not seconds late
	_d=$(tail -n 1 "$KS_TMP/j.out" | "$H/jsonq" -g duration_ns)
	[ -n "$_d" ] && [ "$_d" -ge 900000000 ] && [ "$_d" -lt 31000000000 ] ||
		fail "summary duration_ns $_d for --duration 1"
	expect_eq "$(ks_count j type=summary 'lost>=0')" 1 "summary lost"
	# (ks_json_ok checked that every event line carries the common fields)
	# No diagnostics on a clean run. Tracing the whole machine, a streaming tool may lose
	# events when other work makes many (its reader falls behind): then one warning says
	# how many, the number in the summary.
	if [ -s "$KS_TMP/j.err" ]; then
		_l=$(tail -n 1 "$KS_TMP/j.out" | "$H/jsonq" -g lost)
		[ "$_l" != 0 ] && [ "$(ks_lines "$KS_TMP/j.err")" = 1 ] &&
			[ "$("$H/jsonq" -c -w type=warning -w "tool=$1" -w "message~lost $_l events" \
				<"$KS_TMP/j.err")" = 1 ] || fail "stderr not empty: $(ks_first_line "$KS_TMP/j.err")"
		note "$(ks_first_line "$KS_TMP/j.err")"
	fi
	pass
}

# Not root (uid/gid 65534, no capabilities): exit 3 with one line, nothing loaded.
smoke_not_root() {
	cp "$KSCOPE" "$KS_TMP/kscope" || fail "cannot copy kscope"
	chmod 755 "$KS_TMP/kscope"
	ks_mark nr
	ks_bg nr "$H/asuser" 65534 65534 "$KS_TMP/kscope" "$1" --duration 1
	ks_wait nr "$KS_WAIT"
	expect_rc nr 3
	expect_one_line "$KS_TMP/nr.err" "not root"
	expect_grep "$KS_TMP/nr.err" "permission denied" "not root"
	pass
}

# Stopped by a signal once attached: exit 0, the summary, nothing left behind.
exit_signal() {
	ks_start s "$1" --json
	ks_attached s
	ks_stop s "$2"
	expect_rc s 0
	ks_json_ok s
	# and in text mode
	ks_start st "$1"
	ks_attached st
	ks_stop st "$2"
	expect_rc st 0
	pass
}

# Bad input: exit 2, exactly one line on stderr, nothing on stdout, nothing left behind.
bad_input() {
	_why=
	case $2 in
	unknown_option) set -- "$1" --frobnicate ;;
	bad_value) set -- "$1" --duration abc ;;
	attach_bogus) set -- "$1" --attach bogus; _why=bogus ;;
	no_such_pid) set -- "$1" -p 999999999; _why="no such process" ;;
	no_such_cgroup) set -- "$1" --cgroup /nonexistent; _why="no such cgroup" ;;
	not_a_cgroup) set -- "$1" --cgroup /tmp; _why="not a cgroup" ;;
	bad_pid) set -- "$1" -p abc; _why=abc ;;
	esac
	ks_run b "$@"
	expect_rc b 2
	expect_one_line "$KS_TMP/b.err" "$*"
	[ -z "$_why" ] || expect_grep "$KS_TMP/b.err" "$_why" "message of '$*'"
	[ -s "$KS_TMP/b.out" ] && fail "stdout not empty: $(ks_first_line "$KS_TMP/b.out")"
	# the same in --json mode: one JSON error line
	ks_run bj "$@" --json
	expect_rc bj 2
	expect_one_line "$KS_TMP/bj.err" "$* --json"
	expect_eq "$("$H/jsonq" -c -w type=error -w "tool=$1" -w 'message~' <"$KS_TMP/bj.err" 2>&1)" 1 \
		"a JSON error line on stderr for '$* --json'"
	pass
}

# A feature's verdict from `kscope features --json`: sets KS_FEAT_OK (true/false) and
# KS_FEAT_WHY; skips the test when kscope can't tell.
ks_feature() {
	ks_features_json || skip "no 'kscope features --json' to tell whether $1 works here"
	KS_FEAT_OK=$("$H/jsonq" -w type=feature -w "name=$1" -g ok <"$KS_TMP/.features")
	KS_FEAT_WHY=$("$H/jsonq" -w type=feature -w "name=$1" -g detail <"$KS_TMP/.features")
	[ -n "$KS_FEAT_OK" ] || skip "'kscope features' does not report $1"
}

# --attach fentry where the kernel refuses fentry: exit 4 and a message that says why.
attach_fentry() {
	ks_feature fentry
	[ "$KS_FEAT_OK" = false ] || skip "fentry works on this kernel: nothing to refuse"
	ks_run f "$1" --attach fentry --duration 1
	# A tool without tracing hooks (perf event sampling only) has nothing to choose.
	if [ "$KS_RC" = 2 ] && grep -q 'has no choice of attach method' "$KS_TMP/f.err"; then
		expect_one_line "$KS_TMP/f.err" "--attach fentry"
		pass
	fi
	expect_rc f 4
	expect_one_line "$KS_TMP/f.err" "--attach fentry"
	expect_grep "$KS_TMP/f.err" "fentry" "the message names fentry"
	expect_grep "$KS_TMP/f.err" "EPERM" "the message says why (EPERM)"
	pass
}

# No kernel BTF (KSCOPE_VMLINUX_BTF pointing at nothing, or at garbage): exit 4, one line
# that says what is missing; the real file named there works.
no_btf() {
	KSCOPE_VMLINUX_BTF=/nonexistent-btf-$$
	export KSCOPE_VMLINUX_BTF
	ks_run n "$1" --duration 0.3
	expect_rc n 4
	expect_one_line "$KS_TMP/n.err" "missing BTF"
	expect_grep "$KS_TMP/n.err" "CONFIG_DEBUG_INFO_BTF" "the message says what is missing"
	printf 'not BTF at all\n' >"$KS_TMP/garbage.btf"
	KSCOPE_VMLINUX_BTF=$KS_TMP/garbage.btf
	ks_run g "$1" --duration 0.3
	expect_rc g 4
	expect_one_line "$KS_TMP/g.err" "garbage BTF"
	[ -r /sys/kernel/btf/vmlinux ] || pass
	KSCOPE_VMLINUX_BTF=/sys/kernel/btf/vmlinux
	ks_run ok "$1" --json --duration 0.3
	expect_rc ok 0
	ks_json_ok ok
	pass
}
