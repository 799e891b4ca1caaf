# SPDX-License-Identifier: GPL-2.0-only
# The unwinding fixture (helpers/unwindload.c; lib.sh uw_*) checked against an independent
# unwinder, perf: perf record --call-graph dwarf finds each action's chain (lib.sh uw_chain) in
# order, leaf first, down to main, in the -O2 build without frame pointers, and in the stripped
# build with its symbols from the debug file; --call-graph fp does in the frame-pointer build as
# far as libc's frames let it. No kscope here. Host only: the guests have no perf.

for _a in nap pipe cond malloc spin; do
	ks_test -H unwindload/dwarf/$_a t_uw_dwarf "$_a"
done
ks_test -H unwindload/fp/spin t_uw_fp spin full
ks_test -H unwindload/fp/malloc t_uw_fp malloc full
ks_test -H unwindload/fp/nap t_uw_fp nap noleaf
ks_test -H unwindload/fp/pipe t_uw_fp pipe noleaf
ks_test -H unwindload/stripped/nap t_uw_stripped nap
ks_test -H unwindload/stripped/spin t_uw_stripped spin
ks_test -H unwindload/waker t_uw_waker
ks_test -n -H unwindload/bad t_uw_bad

# The event that sees ACTION: a switch away from the CPU for the blocking ones, CPU time else.
uwt_event() {
	case $1 in
	malloc | spin) echo cpu-clock ;;
	*) echo sched:sched_switch ;;
	esac
}

# uwt_perf_ok EVENT CALLGRAPH: skip the test unless perf can record EVENT with call graphs here.
uwt_perf_ok() {
	ks_which perf >/dev/null || skip "no perf (Debian's linux-perf)"
	perf record -q -N -o "$KS_TMP/probe.data" -e "$1" --call-graph "$2" -- true \
		>"$KS_TMP/probe.err" 2>&1 ||
		skip "perf record -e $1 --call-graph $2 refused (perf_event_paranoid" \
			"$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null)):" \
			"$(grep -v '^ *$' "$KS_TMP/probe.err" | head -n 1)"
}

# uwt_perf ARGS...: perf with a build-id cache of the test's own (no ~/.debug of the machine's
# is read or written).
uwt_perf() { perf --buildid-dir "$KS_TMP/perf-buildid" "$@"; }

# uwt_record NAME BUILD EVENT CALLGRAPH ARGS...: perf record BUILD --now ARGS (its output in
# NAME.out), then its stacks (uwt_script).
uwt_record() {
	_n=$1 _b=$2 _e=$3 _g=$4
	shift 4
	uwt_perf record -q -N -o "$KS_TMP/$_n.data" -e "$_e" --call-graph "$_g" -- \
		"$_b" --now "$@" >"$KS_TMP/$_n.out" 2>"$KS_TMP/$_n.err" ||
		fail "perf record $_b $*: $(grep -v '^ *$' "$KS_TMP/$_n.err" | head -n 1)"
	grep -q '^done$' "$KS_TMP/$_n.out" || fail "$_b $* did not finish: $(ks_first_line "$KS_TMP/$_n.err")"
	uwt_script "$_n"
}

# uwt_script NAME: perf script's stacks of NAME.data, one frame a line, in NAME.script.
uwt_script() {
	uwt_perf script -i "$KS_TMP/$1.data" --no-inline -F tid,ip,sym,dso >"$KS_TMP/$1.script" \
		2>"$KS_TMP/$1.script.err" || fail "perf script: $(ks_first_line "$KS_TMP/$1.script.err")"
}

# uwt_stacks NAME TID CHAIN...: how many of NAME's stacks of thread TID hold the frames of
# CHAIN one after another; the first such stack goes to NAME.stack (and the log).
uwt_stacks() {
	_n=$1 _t=$2
	shift 2
	[ -n "$_t" ] || fail "$_n: no ready line"
	awk -v tid="$_t" -v chain="$*" -v out="$KS_TMP/$_n.stack" 'BEGIN { RS = ""; FS = "\\n"
		k = split(chain, want, " ") }
	{
		split($1, h, " ")
		if (h[1] != tid)
			next
		n = 0
		for (i = 2; i <= NF; i++) { split($i, f, " "); sym[++n] = f[2] }
		for (i = 1; i + k - 1 <= n; i++) {
			for (j = 1; j <= k && sym[i + j - 1] == want[j]; j++)
				;
			if (j > k) {
				c++
				if (!shown++)
					print $0 > out
				break
			}
		}
	}
	END { print c + 0 }' "$KS_TMP/$_n.script"
}

# uwt_expect NAME WHAT CHAIN...: at least one of NAME's stacks of its main thread (of its
# waker thread with UWT_WAKER=1) holds CHAIN; logs it.
uwt_expect() {
	_n=$1 _w=$2
	shift 2
	if [ "${UWT_WAKER:-0}" = 1 ]; then _t=$(uw_waker_tid "$_n"); else _t=$(uw_tid "$_n"); fi
	_c=$(uwt_stacks "$_n" "$_t" "$@")
	[ "$_c" -gt 0 ] || fail "$_w: no stack of thread $_t with $* in order" \
		"($(grep -c . "$KS_TMP/$_n.script") lines of perf script, kept in tests/out/)"
	note "$_w: $_c stacks with $*, the first:"
	sed 's/^/#   /' "$KS_TMP/$_n.stack" >&2
}

# uwt_args ACTION: a short run of ACTION (5 times, or 0.2 s of CPU time).
uwt_args() {
	case $1 in
	malloc | spin) echo "-d 0.2 $1" ;;
	*) echo "-n 5 -m 5 $1" ;;
	esac
}

# t_uw_dwarf ACTION: without frame pointers, from .eh_frame alone, the whole chain.
t_uw_dwarf() {
	_e=$(uwt_event "$1")
	uwt_perf_ok "$_e" dwarf
	# shellcheck disable=SC2046
	uwt_record uw "$H/unwindload" "$_e" dwarf $(uwt_args "$1")
	uwt_expect uw "$1 (dwarf)" "$(uw_chain "$1")"
	pass
}

# t_uw_fp ACTION full|noleaf: with frame pointers, the whole chain (full), or all of it but the
# leaf (noleaf): libc's system call wrappers keep no frame pointer, so a frame-pointer walk from
# inside one goes from the wrapper straight to its caller's caller, skipping uw_leaf_ACTION.
t_uw_fp() {
	_e=$(uwt_event "$1")
	uwt_perf_ok "$_e" fp
	# shellcheck disable=SC2046
	uwt_record uw "$H/unwindload-fp" "$_e" fp $(uwt_args "$1")
	if [ "$2" = full ]; then
		uwt_expect uw "$1 (fp)" "$(uw_chain "$1")"
	else
		_chain=$(uw_chain "$1")
		uwt_expect uw "$1 (fp, without the leaf)" "${_chain#uw_leaf_"$1" }"
	fi
	pass
}

# t_uw_stripped ACTION: unwindload-stripped has no symbol table: perf finds its debug file by
# its .gnu_debuglink (.debug/ beside it) and names the program's frames from it; a copy of the
# program without the debug file beside it gets no names for them (the names come from there),
# until the debug file of the debug root (uw_debug_root, by build-id) is in perf's build-id cache.
# perf runs with a cache of the test's own, so its unwinding of the other runs is not changed.
t_uw_stripped() {
	_e=$(uwt_event "$1")
	uwt_perf_ok "$_e" dwarf
	readelf -S "$H/unwindload-stripped" | grep -q ' \.symtab' && fail "unwindload-stripped has a .symtab"
	readelf -S "$H/unwindload-stripped" | grep -q ' \.eh_frame ' ||
		fail "unwindload-stripped has no .eh_frame"
	# shellcheck disable=SC2046
	uwt_record uw "$H/unwindload-stripped" "$_e" dwarf $(uwt_args "$1")
	uwt_expect uw "$1 (stripped, dwarf)" "$(uw_chain "$1")"
	mkdir "$KS_TMP/bare"
	cp "$H/unwindload-stripped" "$H/libunwindlib.so" "$KS_TMP/bare/"
	# shellcheck disable=SC2046
	uwt_record bare "$KS_TMP/bare/unwindload-stripped" "$_e" dwarf $(uwt_args "$1")
	expect_eq "$(uwt_stacks bare "$(uw_tid bare)" "uw_outer_$1")" 0 "stacks naming uw_outer_$1 without the debug file"
	uwt_expect bare "$1 (stripped, no debug file: the library's frames only)" \
		"uw_leaf_$1" "uw_lib_$1"
	# the debug file under the debug root (by build-id), put in perf's build-id cache
	_id=$(readelf -n "$H/unwindload-stripped" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p')
	_dbg=$(uw_debug_root)/.build-id/$(echo "$_id" | cut -c1-2)/$(echo "$_id" | cut -c3-).debug
	[ -f "$_dbg" ] || fail "no debug file $_dbg for build-id '$_id'"
	uwt_perf buildid-cache --add "$_dbg" >"$KS_TMP/cache.err" 2>&1 ||
		fail "perf buildid-cache --add $_dbg: $(ks_first_line "$KS_TMP/cache.err")"
	uwt_script bare
	# the names only: perf 6.1 may then also read the program's .eh_frame from the debug
	# file, where it is empty (NOBITS), and end the stack at uw_outer_ACTION
	uwt_expect bare "$1 (stripped, the debug file in perf's build-id cache)" \
		"uw_leaf_$1" "uw_lib_$1" "uw_outer_$1"
	note "of which whole down to main: $(uwt_stacks bare "$(uw_tid bare)" "$(uw_chain "$1")")"
	pass
}

# t_uw_waker: the waker thread's side, for wakeuptime: it writes to the pipe and signals the
# condition from its own chains.
t_uw_waker() {
	uwt_perf_ok sched:sched_waking dwarf
	uwt_record uw "$H/unwindload" sched:sched_waking dwarf -n 5 -m 10 pipe cond
	UWT_WAKER=1
	uwt_expect uw "waker-pipe" "$(uw_chain waker-pipe)"
	uwt_expect uw "waker-cond" "$(uw_chain waker-cond)"
	pass
}

# t_uw_bad: bad usage exits 2 with one line on stderr, doing nothing.
t_uw_bad() {
	for _args in "" "jump" "-n 0 nap" "-n x nap" "-d 0 spin" "-d -1 spin" "-m 70000 nap" "-q nap"; do
		# shellcheck disable=SC2086
		"$H/unwindload" --now $_args >"$KS_TMP/bad.out" 2>"$KS_TMP/bad.err"
		_rc=$?
		expect_eq "$_rc" 2 "exit code of unwindload --now $_args"
		expect_eq "$(ks_lines "$KS_TMP/bad.err")" 1 "lines on stderr for '$_args'"
		expect_eq "$(ks_lines "$KS_TMP/bad.out")" 0 "lines on stdout for '$_args'"
	done
	pass
}
