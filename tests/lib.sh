# SPDX-License-Identifier: GPL-2.0-only
# Shared by the tool tests (tests/tools/*.sh): results, background runs of kscope and of
# the workload, the BPF leak check, private cgroups, loop devices and block IO. POSIX sh; runs
# under BusyBox ash.
#
# A test file registers its tests at top level and defines them as functions:
#
#   ks_test opensnoop/count t_count            # needs root, default timeout
#   ks_test -n jsonq/escapes t_jsonq_escapes   # -n: needs no root
#   ks_test -t 300 slow/one t_slow             # -t: timeout in seconds (default 120)
#   ks_test -n -H kscope/version t_version     # -H: checks kscope's own logic only (option
#                                              # parsing, messages), the same on every
#                                              # kernel: not run in the kernel matrix's
#                                              # guests (KS_GUEST=1), only on the host
#   t_count() { ...; pass; }
#
# tests/run.sh sources this file and the test file once to list the tests (KS_MODE=list),
# then runs each test in its own shell, process group and temporary directory ($KS_TMP),
# under a watchdog that kills the whole group on timeout. A test ends with pass, fail
# REASON or skip REASON (each exits the test); returning without one counts as a pass.
# Every kscope started with ks_start/ks_run is checked for leaked BPF objects when it ends.
#
# Environment set by run.sh: KSCOPE, OUTPUT, KS_HELPERS, KS_TOP, KS_TMP, KS_NAME, KS_ROOT,
# KS_FEATURES (a file with `kscope features --json`, or empty).
# KS_GUEST=1 in tests/vmtest.sh's guests. KS_SCALE (optional, default 1): divides the sizes of the heaviest workloads (see
# ks_scaled), for slow machines such as tests/vmtest.sh's emulated guests.

# The watchdog's timeout is the one limit that counts; the waits below for one step (a
# process to start, kscope to attach or end, a workload to finish) are there to say which
# step hung, with room for a machine that is busy with other work (make test-stress).
KS_DEFAULT_TIMEOUT=120
KS_WAIT=60
H=${KS_HELPERS:-}
KS_RC=0

# --- registration -----------------------------------------------------------------------

ks_test() {
	_ks_root=1
	_ks_to=$KS_DEFAULT_TIMEOUT
	_ks_host=0
	while :; do
		case $1 in
		-n) _ks_root=0; shift ;;
		-H) _ks_host=1; shift ;;
		-t) _ks_to=$2; shift 2 ;;
		*) break ;;
		esac
	done
	[ "${KS_MODE:-}" = list ] || return 0
	[ "$_ks_host" = 1 ] && [ "${KS_GUEST:-0}" = 1 ] && return 0
	_ks_name=$1
	shift
	# one line per test: needs-root, timeout, name, command (the rest of the line)
	printf '%s %s %s %s\n' "$_ks_root" "$_ks_to" "$_ks_name" "$*" >>"$KS_LIST"
}

# --- results ----------------------------------------------------------------------------

# The first FAIL wins; otherwise the first result. Each result ends the test shell.
_ks_result() {
	_ks_r=$1
	shift
	if [ ! -s "$KS_TMP/result" ] || { [ "$_ks_r" = FAIL ] && ! grep -q '^FAIL' "$KS_TMP/result"; }; then
		printf '%s %s\n' "$_ks_r" "$*" | tr '\n' ' ' | sed 's/ *$//' >"$KS_TMP/result.tmp"
		echo >>"$KS_TMP/result.tmp"
		mv "$KS_TMP/result.tmp" "$KS_TMP/result"
	fi
	[ "$_ks_r" = FAIL ] && printf 'FAIL: %s\n' "$*" >&2
	exit 0
}
pass() { _ks_result PASS "$*"; }
fail() { _ks_result FAIL "$*$(_ks_missed_note)"; }

# When a kscope of this test says the kernel skipped runs of its programs ("missed" in its
# JSON summary, or its text-mode warning on stderr: a run preempted on that CPU blocks the
# others), an exact count may come out
# short through no fault of kscope's: the failure says so, and run.sh runs the test again.
_ks_missed_note() {
	_ks_ms=0
	for _ks_f in "$KS_TMP"/*.out; do
		[ -f "$_ks_f" ] || continue
		_ks_m=$(tail -n 1 "$_ks_f" | "$H/jsonq" -w type=summary -g missed 2>/dev/null)
		case $_ks_m in '' | *[!0-9]*) continue ;; esac
		_ks_ms=$((_ks_ms + _ks_m))
	done
	# text mode says it on stderr: "warning: the kernel skipped N runs of the programs", or
	# in an event tool's summary "N events, M lost, K program runs skipped by the kernel"
	for _ks_f in "$KS_TMP"/*.err; do
		[ -f "$_ks_f" ] || continue
		_ks_m=$(sed -n -e 's/.*warning: the kernel skipped \([0-9][0-9]*\) runs of the programs.*/\1/p' \
			-e 's/.* lost, \([0-9][0-9]*\) program runs skipped by the kernel.*/\1/p' \
			"$_ks_f" | head -n 1)
		[ -n "$_ks_m" ] && _ks_ms=$((_ks_ms + _ks_m))
	done
	[ "$_ks_ms" = 0 ] || printf ' [the kernel skipped %s runs of kscope'"'"'s programs]' "$_ks_ms"
}
skip() { _ks_result SKIP "$*"; }

# Informational line in the test's log (kept in tests/out/ when it fails).
note() { printf '# %s\n' "$*" >&2; }

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

# expect_rc NAME EXPECTED: the recorded exit code of background run NAME
expect_rc() {
	_ks_got=$(cat "$KS_TMP/$1.rc" 2>/dev/null)
	[ "$_ks_got" = "$2" ] ||
		fail "$1: exit code ${_ks_got:-none}, expected $2 (stderr: $(ks_first_line "$KS_TMP/$1.err"))"
}

# Number of lines of FILE (0 if missing).
ks_lines() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# First line of FILE, for messages.
ks_first_line() {
	[ -s "$1" ] && head -n 1 "$1" | cut -c1-300
}

# expect_grep FILE STRING WHAT: FILE contains STRING (fixed string)
expect_grep() {
	grep -q -F -e "$2" "$1" 2>/dev/null || fail "$3: '$2' not found in $(basename "$1")"
}

# expect_one_line FILE WHAT: FILE has exactly one line
expect_one_line() {
	_ks_n=$(ks_lines "$1")
	[ "$_ks_n" = 1 ] || fail "$2: expected exactly one line on $(basename "$1"), got $_ks_n"
}

# ks_scaled N [MIN]: the size N of a heavy workload divided by KS_SCALE, never below MIN
# (default 1), e.g. a count that must stay larger than the ring buffer. The tests assert
# exactly on whatever size this gives.
ks_scaled() {
	_ks_sc=${KS_SCALE:-1}
	case $_ks_sc in
	*[!0-9]* | 0) _ks_sc=1 ;;
	esac
	_ks_sc=$(($1 / _ks_sc))
	[ "$_ks_sc" -ge "${2:-1}" ] || _ks_sc=${2:-1}
	echo "$_ks_sc"
}

# --- time -------------------------------------------------------------------------------

# Poll ticks: a tenth of a second where sleep takes fractions (GNU, most BusyBox builds).
if sleep 0.01 2>/dev/null; then
	KS_TICK=0.1
	KS_TPS=10
else
	KS_TICK=1
	KS_TPS=1
fi

# ks_wait_until SECONDS CMD...: run CMD every tick until it succeeds; 1 on timeout.
ks_wait_until() {
	_ks_wu_n=$(($1 * KS_TPS))
	shift
	while [ "$_ks_wu_n" -gt 0 ]; do
		"$@" && return 0
		sleep "$KS_TICK"
		_ks_wu_n=$((_ks_wu_n - 1))
	done
	"$@"
}

# Wall clock in seconds since the epoch.
ks_now() { date +%s; }

# Wait until a new second of the wall clock has just begun (to a tick).
ks_second_start() {
	_ks_s=$(date +%s)
	_ks_i=0
	while [ "$(date +%s)" = "$_ks_s" ] && [ "$_ks_i" -lt 200 ]; do
		sleep 0.01 2>/dev/null || sleep 1
		_ks_i=$((_ks_i + 1))
	done
}

# --- background processes ---------------------------------------------------------------

# ks_bg NAME CMD...: start CMD with stdout/stderr in $KS_TMP/NAME.out/.err; its pid goes to
# NAME.pid at once, and its exit code to NAME.rc when it ends.
ks_bg() {
	_ks_n=$1
	shift
	rm -f "$KS_TMP/$_ks_n.pid" "$KS_TMP/$_ks_n.rc"
	(
		"$@" >"$KS_TMP/$_ks_n.out" 2>"$KS_TMP/$_ks_n.err" </dev/null &
		echo $! >"$KS_TMP/$_ks_n.pid.tmp"
		mv "$KS_TMP/$_ks_n.pid.tmp" "$KS_TMP/$_ks_n.pid"
		wait $!
		echo $? >"$KS_TMP/$_ks_n.rc.tmp"
		mv "$KS_TMP/$_ks_n.rc.tmp" "$KS_TMP/$_ks_n.rc"
	) &
	echo "$_ks_n" >>"$KS_TMP/.bg"
	ks_wait_until "$KS_WAIT" test -s "$KS_TMP/$_ks_n.pid" || fail "$_ks_n: did not start"
}

ks_pid() { cat "$KS_TMP/$1.pid"; }

ks_done() { test -s "$KS_TMP/$1.rc"; }

# ks_bg_wait NAME SECONDS: wait for NAME to end; KS_RC is its exit code. 1 on timeout.
ks_bg_wait() {
	if ks_wait_until "$2" ks_done "$1"; then
		KS_RC=$(cat "$KS_TMP/$1.rc")
		return 0
	fi
	return 1
}

# ks_bg_kill NAME: SIGKILL NAME if it still runs (cleanup; never by name, only by pid).
ks_bg_kill() {
	if [ -s "$KS_TMP/$1.pid" ] && ! ks_done "$1"; then
		kill -KILL "$(ks_pid "$1")" 2>/dev/null
		ks_wait_until 5 ks_done "$1"
	fi
	return 0
}

# --- kscope -----------------------------------------------------------------------------

# ks_mark NAME: remember the highest BPF ids before NAME runs.
ks_mark() {
	"$H/bpfleak" mark >"$KS_TMP/$1.mark" 2>"$KS_TMP/$1.mark.err" ||
		fail "bpfleak mark failed: $(ks_first_line "$KS_TMP/$1.mark.err")"
}

# ks_leakcheck NAME: fail if a BPF program, map or link created since NAME's mark is left.
# Other kscopes of the same test that still run hold their own objects: those don't count.
ks_leakcheck() {
	set -- "$1"
	if [ -f "$KS_TMP/.kscopes" ]; then
		while read -r _ks_k; do
			[ "$_ks_k" != "$1" ] && [ -s "$KS_TMP/$_ks_k.pid" ] && ! ks_done "$_ks_k" &&
				set -- "$@" -x "$(ks_pid "$_ks_k")"
		done <"$KS_TMP/.kscopes"
	fi
	_ks_lk=$1
	shift
	# shellcheck disable=SC2046
	if ! "$H/bpfleak" check "$@" $(cat "$KS_TMP/$_ks_lk.mark") >"$KS_TMP/$_ks_lk.leaks" 2>&1; then
		fail "$_ks_lk: BPF objects left behind: $(tr '\n' ';' <"$KS_TMP/$_ks_lk.leaks" | cut -c1-400)"
	fi
}

# ks_start NAME ARGS...: start kscope ARGS in the background (see ks_bg).
ks_start() {
	_ks_n=$1
	shift
	ks_mark "$_ks_n"
	printf '%s\n' "$*" >"$KS_TMP/$_ks_n.cmd"
	echo "$_ks_n" >>"$KS_TMP/.kscopes"
	ks_bg "$_ks_n" "$KSCOPE" "$@"
}

_ks_is_attached() {
	ks_done "$1" && return 0
	grep -q -F ': tracing, Ctrl-C to end' "$KS_TMP/$1.err" 2>/dev/null && return 0
	head -n 1 "$KS_TMP/$1.out" 2>/dev/null | grep -q '^{"type":"meta"'
}

# ks_attached NAME: wait (KS_WAIT s at most) until kscope NAME has attached; fail if it ended.
ks_attached() {
	ks_wait_until "$KS_WAIT" _ks_is_attached "$1" ||
		fail "$1: not attached after $KS_WAIT s (stderr: $(ks_first_line "$KS_TMP/$1.err"))"
	if ks_done "$1"; then
		# Limited with --attach to a variant this kernel refused at load (the tool falls
		# back on its own otherwise): not something this test can check here.
		[ "$(cat "$KS_TMP/$1.rc")" = 4 ] && grep -q 'failed to load here' "$KS_TMP/$1.err" &&
			skip "the variant asked for does not load on this kernel: $(ks_first_line "$KS_TMP/$1.err")"
		fail "$1: exited with code $(cat "$KS_TMP/$1.rc") before attaching: $(ks_first_line "$KS_TMP/$1.err")"
	fi
}

# ks_stop NAME [SIGNAL]: stop kscope NAME (default SIGINT), wait KS_WAIT s at most, check
# that it left no BPF objects. KS_RC is its exit code.
ks_stop() {
	kill -"${2:-INT}" "$(ks_pid "$1")" 2>/dev/null
	if ! ks_bg_wait "$1" "$KS_WAIT"; then
		ks_bg_kill "$1"
		fail "$1: still running $KS_WAIT s after SIG${2:-INT}"
	fi
	ks_leakcheck "$1"
}

# ks_wait NAME SECONDS: wait for kscope NAME to end by itself (-d, an error), then leak check.
ks_wait() {
	if ! ks_bg_wait "$1" "$2"; then
		ks_bg_kill "$1"
		fail "$1: still running after $2 s"
	fi
	ks_leakcheck "$1"
}

# ks_run NAME ARGS...: run kscope to its end (KS_WAIT s at most), then leak check. KS_RC is set.
ks_run() {
	ks_start "$@"
	ks_wait "$1" "$KS_WAIT"
}

# ks_json_ok NAME: NAME's stdout is valid NDJSON, first line meta, last line summary.
ks_json_ok() {
	_ks_o=$KS_TMP/$1.out
	"$H/jsonq" --check <"$_ks_o" 2>"$KS_TMP/$1.jsonq" ||
		fail "$1: invalid JSON output: $(ks_first_line "$KS_TMP/$1.jsonq")"
	[ "$(head -n 1 "$_ks_o" | "$H/jsonq" -w type=meta -c)" = 1 ] ||
		fail "$1: first line is not {\"type\":\"meta\"...}: $(ks_first_line "$_ks_o")"
	[ "$(tail -n 1 "$_ks_o" | "$H/jsonq" -w type=summary -w 'lost>=0' -w 'missed>=0' -c)" = 1 ] ||
		fail "$1: last line is not {\"type\":\"summary\",...,\"lost\":N,\"missed\":N...}: $(tail -n 1 "$_ks_o" | cut -c1-200)"
	# every event carries the common fields, with the right types
	_ks_n=$("$H/jsonq" -c -w type=event <"$_ks_o")
	_ks_m=$("$H/jsonq" -c -w type=event -w 'time_ns>0' -w 'pid>=0' -w 'tid>=0' -w 'ppid>=0' \
		-w 'uid>=0' -w 'comm~' -w 'cgroup_id>=0' -w cgroup <"$_ks_o")
	[ "$_ks_n" = "$_ks_m" ] ||
		fail "$1: $((_ks_n - _ks_m)) of $_ks_n events lack a common field (time_ns pid tid ppid uid comm cgroup_id cgroup)"
}

# ks_count NAME EXPR...: number of NAME's stdout lines matching every jsonq -w EXPR.
ks_count() {
	_ks_f=$KS_TMP/$1.out
	shift
	_ks_nargs=$#
	for _ks_e in "$@"; do
		set -- "$@" -w "$_ks_e"
	done
	shift "$_ks_nargs"
	"$H/jsonq" -c "$@" <"$_ks_f"
}

# ks_wait_events NAME N [EXPR...]: wait until kscope NAME printed N events (matching every
# jsonq -w EXPR) or more, 15 s at most; 1 if they did not come. For events the kernel makes
# just after the workload said "done" (a TCP socket closes when its last segment is taken
# in, a moment later): stop kscope after it and assert the count exactly. It does not fail
# by itself: where the kernel skipped program runs (7.x guests) the events never come, and
# the summary's "missed" then lets run.sh run the test once more.
_ks_has_events() {
	_ks_hn=$1 _ks_hc=$2
	shift 2
	[ "$(ks_count "$_ks_hn" type=event "$@")" -ge "$_ks_hc" ]
}
ks_wait_events() {
	ks_wait_until 15 _ks_has_events "$@"
}

# ks_elems NAME TYPE ARRAY [EXPR...]: the elements of ARRAY ("rows") of every TYPE line of
# run NAME's stdout that match every jsonq -w EXPR (no spaces in them), one per line.
ks_elems() {
	_ks_ef=$KS_TMP/$1.out _ks_et=$2 _ks_ea=$3
	shift 3
	_ks_ew=""
	for _ks_e in "$@"; do
		_ks_ew="$_ks_ew -w $_ks_e"
	done
	# shellcheck disable=SC2086 # the expressions have no spaces
	"$H/jsonq" -w "type=$_ks_et" -g "$_ks_ea.*" <"$_ks_ef" | "$H/jsonq" $_ks_ew
}

# ks_elems_sum NAME TYPE ARRAY MEMBER [EXPR...]: MEMBER of those elements, summed (0 if none).
ks_elems_sum() {
	_ks_en=$1 _ks_et=$2 _ks_ea=$3 _ks_eg=$4
	shift 4
	ks_elems "$_ks_en" "$_ks_et" "$_ks_ea" "$@" | "$H/jsonq" -g "$_ks_eg" |
		awk '{ s += $1 } END { print s + 0 }'
}

# --- workload ---------------------------------------------------------------------------

_ks_catches_usr1() {
	_ks_cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$_ks_cgt" ] || return 1
	_ks_cgt=${_ks_cgt#"${_ks_cgt%????}"}
	[ $((0x$_ks_cgt & 0x200)) -ne 0 ]
}

# wl_start NAME MODE ARGS...: start the workload, wait until it waits for SIGUSR1.
wl_start() {
	_ks_wn=$1
	shift
	ks_bg "$_ks_wn" "$H/workload" "$@"
	_wl_ready "$_ks_wn"
}

# stk_start NAME MODE ARGS...: start the stack helper (stackload: no PIE, frame pointers,
# named functions), wait until it waits for SIGUSR1; trigger it with wl_go / wl_run.
stk_start() {
	_ks_wn=$1
	shift
	ks_bg "$_ks_wn" "$H/stackload" "$@"
	_wl_ready "$_ks_wn"
}

# folded_sum FILE FRAME: the sum of the counts of the folded stacks in FILE that have FRAME.
folded_sum() {
	awk -v f="$2" '{ n = $NF; $NF = ""; sub(/ $/, ""); k = split($0, a, ";")
		for (i = 1; i <= k; i++) if (a[i] == f) { s += n; break } } END { print s + 0 }' "$1"
}

# wl_start_as UID GID NAME MODE ARGS...: the same as another user (no capabilities).
wl_start_as() {
	_ks_wu=$1 _ks_wg=$2 _ks_wn=$3
	shift 3
	ks_bg "$_ks_wn" "$H/asuser" "$_ks_wu" "$_ks_wg" "$H/workload" "$@"
	_wl_ready "$_ks_wn"
}

_wl_ready() {
	ks_wait_until "$KS_WAIT" _ks_catches_usr1 "$(ks_pid "$1")" ||
		fail "workload $1 not ready after $KS_WAIT s: $(ks_first_line "$KS_TMP/$1.err")"
}

# wl_go NAME: trigger the workload.
wl_go() { kill -USR1 "$(ks_pid "$1")" || fail "cannot signal workload $1"; }

# wl_wait NAME: wait for the workload to finish (KS_WAIT s at most); it must exit 0.
wl_wait() {
	ks_bg_wait "$1" "$KS_WAIT" || {
		ks_bg_kill "$1"
		fail "workload $1 did not finish in $KS_WAIT s"
	}
	[ "$KS_RC" = 0 ] || fail "workload $1 exited with $KS_RC: $(ks_first_line "$KS_TMP/$1.err")"
}

# wl_run NAME: trigger and wait.
wl_run() {
	wl_go "$1"
	wl_wait "$1"
}

# schedload (tests/helpers/schedload.c): triggered like the workload, prints what it did and
# "done", then holds still (no run, no wake-up) until a second SIGUSR1 lets it exit, so a
# tracer stopped in between saw exactly what it printed.
# sl_start NAME ARGS...: start it, wait until it waits for SIGUSR1.
sl_start() {
	_ks_sn=$1
	shift
	ks_bg "$_ks_sn" "$H/schedload" "$@"
	_wl_ready "$_ks_sn"
}

_ks_sl_done() { grep -q '^done$' "$KS_TMP/$1.out" 2>/dev/null || ks_done "$1"; }

# sl_go NAME: trigger it and wait (KS_WAIT s at most) until it is done.
sl_go() {
	wl_go "$1"
	ks_wait_until "$KS_WAIT" _ks_sl_done "$1" || fail "schedload $1 not done after $KS_WAIT s"
	ks_done "$1" && fail "schedload $1 ended early: $(ks_first_line "$KS_TMP/$1.err")"
	return 0
}

# sl_end NAME: let it exit; it must exit 0.
sl_end() { wl_run "$1"; }

# uringload (tests/helpers/uringload.c), io_uring requests, held like schedload: start it with
# ul_start NAME ACTION ARGS..., then sl_go and sl_end as for schedload.
ul_start() {
	_ks_un=$1
	shift
	ks_bg "$_ks_un" "$H/uringload" "$@"
	_wl_ready "$_ks_un"
}

# unwindload (tests/helpers/unwindload.c; tests/tools/unwindload.sh checks it against perf):
# known call chains through a shared library into libc, for the user stack unwinding tests.
# Triggered and held like schedload: uw_start, then sl_go (trigger, wait for "done") and sl_end
# (let it exit 0). Builds (-b): unwindload (default: no frame pointers, .eh_frame only),
# unwindload-fp, unwindload-stripped (its symbols only in a debug file: under uw_debug_root by
# build-id, and by .gnu_debuglink in .debug/ beside it).
#
#   uw_start uw -n 5 nap spin                      # "ready PID TID WAKER_TID", waits
#   ks_start ks offcputime --json -p "$(ks_pid uw)"; ks_attached ks
#   sl_go uw; ks_stop ks; sl_end uw
#   expect_eq "$(sl_val uw calls nap)" 5 "naps"; uw_chain nap   # the frames to look for

# uw_start [-b BUILD] NAME ARGS...: start unwindload (or BUILD), wait until it waits for SIGUSR1.
uw_start() {
	_ks_ub=unwindload
	if [ "$1" = -b ]; then
		_ks_ub=$2
		shift 2
	fi
	_ks_un=$1
	shift
	ks_bg "$_ks_un" "$H/$_ks_ub" "$@"
	_wl_ready "$_ks_un"
	ks_wait_until "$KS_WAIT" grep -q '^ready ' "$KS_TMP/$_ks_un.out" ||
		fail "unwindload $_ks_un printed no ready line: $(ks_first_line "$KS_TMP/$_ks_un.err")"
}

# uw_chain ACTION: the function names an unwinder must find for ACTION, leaf first, down to
# main (ACTION nap, pipe, cond, malloc, spin), or to the thread's start function for the waker
# thread's side (waker-pipe, waker-cond). Above the first name: libc (none for spin).
uw_chain() {
	case $1 in
	nap | pipe | cond | malloc | spin) echo "uw_leaf_$1 uw_lib_$1 uw_outer_$1 uw_main_$1 main" ;;
	waker-pipe | waker-cond) echo "uw_lib_wake_${1#waker-} uw_waker_${1#waker-} uw_waker_thread" ;;
	*) fail "uw_chain: no action '$1'" ;;
	esac
}

# uw_tid NAME, uw_waker_tid NAME: the thread that runs the actions, the one that wakes it.
uw_tid() { awk '$1 == "ready" { print $3; exit }' "$KS_TMP/$1.out"; }
uw_waker_tid() { awk '$1 == "ready" { print $4; exit }' "$KS_TMP/$1.out"; }

# uw_debug_root: where unwindload-stripped's debug file is found by build-id
# (DIR/.build-id/xx/rest.debug).
uw_debug_root() { echo "$H/debug"; }

# Parent pid of PID (field 4 of /proc/PID/stat; the command name may contain spaces).
ks_ppid() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f2; }

# The cgroup v2 path of PID ("/user.slice/..."), from the "0::" line of /proc/PID/cgroup.
ks_cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

# --- block devices ----------------------------------------------------------------------

# ks_loop_new NAME SIZE_MB: a sparse file $KS_TMP/NAME.img of SIZE_MB MiB on a free loop
# device (helpers/loopdev), with direct IO where the kernel and the file's filesystem allow it.
# Sets KS_LOOP (/dev/loopN), KS_LOOP_NAME (loopN), KS_LOOP_FILE and KS_LOOP_DIO (1 if the loop
# device does direct IO on the file, else 0). Whatever ends the test, the device is detached
# (_ks_cleanup; after a timeout, run.sh): the file is registered before it is attached, and
# only a device bound to that very file is detached. Skips the test where there are no loop
# devices (no /dev/loop-control: no loop driver, or its module not loaded).
ks_loop_new() {
	KS_LOOP_FILE=$KS_TMP/$1.img
	dd if=/dev/zero of="$KS_LOOP_FILE" bs=1048576 count=0 seek="$2" 2>"$KS_TMP/$1.loop.err" ||
		fail "cannot make $KS_LOOP_FILE: $(ks_first_line "$KS_TMP/$1.loop.err")"
	KS_LOOP_FILE=$(readlink -f "$KS_LOOP_FILE")
	echo "$KS_LOOP_FILE" >>"$KS_TMP/.loops"
	"$H/loopdev" attach "$KS_LOOP_FILE" --direct-io >"$KS_TMP/$1.loop" 2>"$KS_TMP/$1.loop.err"
	_ks_rc=$?
	[ "$_ks_rc" = 3 ] && skip "$(ks_first_line "$KS_TMP/$1.loop.err")"
	[ "$_ks_rc" = 0 ] || fail "loopdev attach exited with $_ks_rc: $(ks_first_line "$KS_TMP/$1.loop.err")"
	read -r KS_LOOP _ks_d _ks_fd <"$KS_TMP/$1.loop"
	KS_LOOP_NAME=${KS_LOOP##*/}
	KS_LOOP_DIO=0
	[ "$_ks_d" = dio=on ] && KS_LOOP_DIO=1
	note "$(cat "$KS_TMP/$1.loop.err")"
}

# ks_loop_detach [DEV [FILE]]: detach DEV (default KS_LOOP) bound to FILE (default
# KS_LOOP_FILE) now; fails the test unless it is gone.
ks_loop_detach() {
	"$H/loopdev" detach "${1:-$KS_LOOP}" "${2:-$KS_LOOP_FILE}" 2>"$KS_TMP/loop-detach.err" ||
		fail "loopdev detach ${1:-$KS_LOOP}: $(ks_first_line "$KS_TMP/loop-detach.err")"
}

# The loop devices bound to FILE (a path as the kernel shows it), one per line.
ks_loops_of() {
	for _ks_bf in /sys/block/loop*/loop/backing_file; do
		if [ -f "$_ks_bf" ] && [ "$(cat "$_ks_bf" 2>/dev/null)" = "$1" ]; then
			_ks_bf=${_ks_bf%/loop/backing_file}
			echo "/dev/${_ks_bf##*/}"
		fi
	done
}

# Detach every loop device still bound to a file in $KS_TMP/.loops (the test's cleanup, and
# run.sh's after a test it had to kill).
_ks_loops_detach() {
	[ -f "$KS_TMP/.loops" ] || return 0
	while read -r _ks_lf; do
		for _ks_ld in $(ks_loops_of "$_ks_lf"); do
			"$H/loopdev" detach "$_ks_ld" "$_ks_lf" ||
				printf 'cleanup: cannot detach %s from %s\n' "$_ks_ld" "$_ks_lf" >&2
		done
	done <"$KS_TMP/.loops"
	rm -f "$KS_TMP/.loops"
}

# Field names of /sys/block/DEV/stat (Documentation/block/stat.rst), in order; older kernels
# have fewer (discard since 4.19, flush since 5.5).
KS_BLK_FIELDS='rd_ios rd_merges rd_sectors rd_ticks wr_ios wr_merges wr_sectors wr_ticks in_flight io_ticks time_in_queue dc_ios dc_merges dc_sectors dc_ticks fl_ios fl_ticks'

_ks_blk_idle() { [ "$(awk '{ print $9 }' "/sys/block/$1/stat" 2>/dev/null)" = 0 ]; }

# ks_blkstat DEV [FIELD]: the device's own IO accounting (DEV: /dev/loopN or loopN), as
# "rd_ios=N rd_merges=N rd_sectors=N ... fl_ticks=N" (KS_BLK_FIELDS), or FIELD's value alone
# (empty if this kernel has no such field). The kernel counts a request when it completes, and
# the process waiting for it may wake before that: it first waits (5 s at most) until the
# device has nothing in flight.
ks_blkstat() {
	_ks_bd=${1##*/}
	ks_wait_until 5 _ks_blk_idle "$_ks_bd" || note "$_ks_bd: requests still in flight after 5 s"
	awk -v names="$KS_BLK_FIELDS" -v f="${2:-}" '{
		n = split(names, k, " ")
		for (i = 1; i <= NF && i <= n; i++) {
			if (f == "") printf "%s%s=%s", (i > 1 ? " " : ""), k[i], $i
			else if (k[i] == f) v = $i
		}
	} END { if (f == "") print ""; else print v }' "/sys/block/$_ks_bd/stat"
}

# ks_blkstat_save DEV TAG: remember DEV's accounting now, for ks_blkstat_delta.
ks_blkstat_save() { ks_blkstat "$1" >"$KS_TMP/$2.blkstat"; }

# ks_blkstat_delta DEV TAG FIELD: FIELD now minus FIELD when TAG was saved (empty if the
# kernel has no such field).
ks_blkstat_delta() {
	_ks_b0=$(tr ' ' '\n' <"$KS_TMP/$2.blkstat" | sed -n "s/^$3=//p")
	_ks_b1=$(ks_blkstat "$1" "$3")
	[ -n "$_ks_b0" ] && [ -n "$_ks_b1" ] && echo $((_ks_b1 - _ks_b0))
}

# bio_start NAME DEV OP...: start bioload (helpers/bioload.c: O_DIRECT IOs on DEV, one at a
# time, one request each, "io r|w|flush BYTES OFFSET" per IO done), wait until it waits for
# SIGUSR1; trigger it with wl_go / wl_run. Its pid (ks_pid NAME) submits every IO.
bio_start() {
	_ks_wn=$1
	shift
	ks_bg "$_ks_wn" "$H/bioload" "$@"
	_wl_ready "$_ks_wn"
}

# bio_ios NAME [r|w|flush]: IOs bioload NAME reported done (of that kind).
bio_ios() { awk -v o="${2:-}" '$1 == "io" && (o == "" || $2 == o) { n++ } END { print n + 0 }' \
	"$KS_TMP/$1.out"; }

# bio_bytes NAME [r|w]: the bytes they moved.
bio_bytes() { awk -v o="${2:-}" '$1 == "io" && (o == "" || $2 == o) { n += $3 } END { print n + 0 }' \
	"$KS_TMP/$1.out"; }

# --- cgroups ----------------------------------------------------------------------------

# Mount point of the cgroup v2 hierarchy, from /proc/mounts (empty if none).
ks_cg2_root() { awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts; }

# ks_cg_create NAME: make a private cgroup, removed when the test ends; KS_CG is its path.
# (Functions that may fail set variables: a failure inside $(...) can't end the test.)
ks_cg_create() {
	_ks_root=$(ks_cg2_root)
	[ -n "$_ks_root" ] || skip "no cgroup v2 hierarchy mounted"
	KS_CG=$_ks_root/kscope-test-$$-$1
	mkdir "$KS_CG" 2>"$KS_TMP/cg.err" ||
		skip "cannot create a cgroup under $_ks_root: $(ks_first_line "$KS_TMP/cg.err")"
	echo "$KS_CG" >>"$KS_TMP/.cgroups"
}

# ks_cg_move PID CGROUP
ks_cg_move() {
	echo "$1" >"$2/cgroup.procs" 2>"$KS_TMP/cg.err" ||
		fail "cannot move $1 into $2: $(ks_first_line "$KS_TMP/cg.err")"
}

# Remove a cgroup made by the test, with any sub-cgroups the test made in it: anything still
# inside goes first to cgroup $2 (default: the v2 root).
_ks_cg_remove() {
	[ -d "$1" ] || return 0
	_ks_root=${2:-$(ks_cg2_root)}
	find "$1" -depth -type d | while read -r _ks_d; do
		while read -r _ks_p; do
			echo "$_ks_p" >"$_ks_root/cgroup.procs" 2>/dev/null
		done <"$_ks_d/cgroup.procs"
		ks_wait_until 5 rmdir "$_ks_d" 2>/dev/null
	done
	[ ! -d "$1" ]
}

# --- feature probes ---------------------------------------------------------------------

# kscope's own view of this kernel (`kscope features --json`), cached for the test.
ks_features_json() {
	if [ ! -f "$KS_TMP/.features" ]; then
		if [ -n "${KS_FEATURES:-}" ] && [ -f "$KS_FEATURES" ]; then
			cp "$KS_FEATURES" "$KS_TMP/.features"
		elif "$KSCOPE" features --json >"$KS_TMP/.features" 2>/dev/null; then
			:
		else
			: >"$KS_TMP/.features"
			return 1
		fi
	fi
	[ -s "$KS_TMP/.features" ]
}

# --- the test's life --------------------------------------------------------------------

_ks_cleanup() {
	_ks_st=$?
	trap - EXIT INT TERM HUP
	if [ -f "$KS_TMP/.bg" ]; then
		while read -r _ks_b; do
			ks_bg_kill "$_ks_b"
		done <"$KS_TMP/.bg"
	fi
	# after the processes that may hold them open
	_ks_loops_detach
	_ks_netns_cleanup
	if [ -f "$KS_TMP/.cgroups" ]; then
		while read -r _ks_c; do
			_ks_cg_remove "$_ks_c" || printf 'cleanup: cannot remove cgroup %s\n' "$_ks_c" >&2
		done <"$KS_TMP/.cgroups"
	fi
	exit "$_ks_st"
}

# Called by run.sh: ks_main TESTFILE COMMAND
ks_main() {
	KS_MODE=run
	trap _ks_cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	trap 'exit 129' HUP
	# shellcheck disable=SC1090
	. "$1"
	eval "$2"
}

# The tools and the commands kscope lists (lines under "tools:" and "commands:").
ks_list_tools() {
	"$KSCOPE" 2>/dev/null | awk '/^tools:/ { m = 1; next } /^commands:/ { m = 0 }
		m && /^  [a-z0-9_-]+ / { print $1 }'
}
ks_list_commands() {
	"$KSCOPE" 2>/dev/null | awk '/^commands:/ { m = 1; next } /^[a-z]/ { m = 0 }
		m && /^  [a-z0-9_-]+ / { print $1 }'
}

# Absolute path of program NAME found in PATH (not a shell builtin); empty if none.
ks_which() {
	_ks_IFS=$IFS
	IFS=:
	for _ks_d in $PATH; do
		if [ -n "$_ks_d" ] && [ -f "$_ks_d/$1" ] && [ -x "$_ks_d/$1" ]; then
			IFS=$_ks_IFS
			printf '%s\n' "$_ks_d/$1"
			return 0
		fi
	done
	IFS=$_ks_IFS
	return 1
}

# An attach METHOD must work here according to `kscope features`; else the test is skipped
# with the probe's reason. Without a verdict (features failed) the test goes ahead.
ks_method_works() {
	ks_features_json || return 0
	[ "$("$H/jsonq" -w type=feature -w "name=$1" -g ok <"$KS_TMP/.features")" = false ] &&
		skip "$1 does not work here: $("$H/jsonq" -w type=feature -w "name=$1" -g detail <"$KS_TMP/.features")"
	return 0
}

# With METHOD set, the meta line of kscope run NAME names METHOD for every hook.
expect_attach() {
	[ -n "$2" ] || return 0
	_got=$(head -n 1 "$KS_TMP/$1.out" | "$H/jsonq" -g 'attach.*' | sort -u | tr '\n' ' ')
	expect_eq "$_got" "$2 " "attach methods in the meta line"
}

# ks_trace_json NAME WL ARGS...: start kscope run NAME with ARGS, run workload WL once it is
# attached, stop kscope, and check it exited 0 with well-formed JSON.
ks_trace_json() {
	_tn=$1
	_tw=$2
	shift 2
	ks_start "$_tn" "$@"
	ks_attached "$_tn"
	wl_run "$_tw"
	ks_stop "$_tn"
	expect_rc "$_tn" 0
	ks_json_ok "$_tn"
}

# --- flame graphs in a real browser (ks_svg_drawn) ----------------------------------------

# ks_svg_drawn [-f FRAGMENT] SVG PNG [NAME...]: open SVG (a kscope flame graph) in headless
# Chromium, as a user would, and check what the browser drew:
#  1. a screenshot goes to PNG (name it under $KS_TMP: it stays in tests/out/TEST/ when the
#     test fails, and a copy goes to $KS_ARTIFACTS/TEST/ when run.sh sets that); it must be
#     a PNG of more than 4 KB (a blank page is far smaller);
#  2. the DOM after the SVG's script ran (--dump-dom, in the same run; saved next to PNG as
#     X.dom.svg for X.png, path in KS_SVG_DOM) must carry data-ks-frames (the script laid
#     the frames out), and for each NAME a frame of that name (its <title> "NAME (N unit,
#     P%)": as shown, without a _[k]-style annotation) drawn with a width > 0 (data-ks-w,
#     in pixels, set by the script).
# FRAGMENT is added to the file's URL, e.g. "#zoom=burn_a" or "#search=burn" (see
# docs/flamegraph.md). Returns 0 when all is drawn; otherwise prints what is missing, sets
# KS_SVG_MISSING to it and returns 1 (then: `|| fail "$KS_SVG_MISSING"`). When Chromium is
# not installed or cannot run here (checked by running it on a blank page) the test is
# skipped with the reason, so call it after the test's other checks (or ask
# ks_svg_can_draw first). Each browser run is bounded by the watchdog (20 s) and takes
# about a second.
ks_svg_drawn() {
	_kb_frag=
	if [ "$1" = -f ]; then
		_kb_frag=$2
		shift 2
	fi
	_kb_svg=$1 _kb_png=$2
	shift 2
	KS_SVG_MISSING=
	KS_SVG_DOM=${_kb_png%.png}.dom.svg
	_ks_chromium_find || skip "$KS_SVG_WHY"
	_kb_bin=$KS_CHROMIUM
	# A file:// URL is shown as what its name says: an SVG must end in .svg.
	case $_kb_svg in
	*.svg) ;;
	*)
		cp "$_kb_svg" "$KS_TMP/ks_svg_drawn.svg" || fail "ks_svg_drawn: cannot read $_kb_svg"
		_kb_svg=$KS_TMP/ks_svg_drawn.svg
		;;
	esac
	case $_kb_svg in
	/*) _kb_url=file://$_kb_svg ;;
	*) _kb_url=file://$(pwd)/$_kb_svg ;;
	esac
	# The browser window is the size of the image (not too small: Chromium pads tiny ones).
	_kb_w=$(sed -n '/<svg /{s/.* width="\([0-9]*\)".*/\1/p;q;}' "$_kb_svg")
	_kb_h=$(sed -n '/<svg /{s/.* height="\([0-9]*\)".*/\1/p;q;}' "$_kb_svg")
	[ -n "$_kb_w" ] && [ "$_kb_w" -ge 400 ] || _kb_w=1200
	[ -n "$_kb_h" ] && [ "$_kb_h" -ge 300 ] || _kb_h=300
	[ "$_kb_h" -le 4000 ] || _kb_h=4000
	rm -f "$_kb_png" "$KS_SVG_DOM"
	# One run does both: the screenshot, and the DOM on stdout, after the script ran.
	_ks_chromium "$_kb_bin" --window-size="$_kb_w,$_kb_h" --screenshot="$_kb_png" --dump-dom \
		"$_kb_url$_kb_frag" >"$KS_SVG_DOM" 2>"$KS_TMP/chromium.err"
	_kb_rc=$?
	if [ "$_kb_rc" != 0 ] || [ ! -s "$_kb_png" ]; then
		# The browser itself, or the image? A blank page tells.
		ks_svg_can_draw || skip "$KS_SVG_WHY"
		KS_SVG_MISSING="chromium made no screenshot of $_kb_svg (exit $_kb_rc): $(grep -v dbus "$KS_TMP/chromium.err" | tail -n 1 | cut -c1-200)"
		echo "ks_svg_drawn: $KS_SVG_MISSING"
		return 1
	fi
	if [ -n "${KS_ARTIFACTS:-}" ] && mkdir -p "$KS_ARTIFACTS/$KS_NAME" 2>/dev/null; then
		cp "$_kb_png" "$KS_ARTIFACTS/$KS_NAME/" 2>/dev/null
	fi
	_kb_magic=$(head -c 8 "$_kb_png" | od -An -tx1 | tr -d ' \n')
	_kb_size=$(wc -c <"$_kb_png" | tr -d ' ')
	[ "$_kb_magic" = 89504e470d0a1a0a ] ||
		KS_SVG_MISSING="$KS_SVG_MISSING; the screenshot is not a PNG (starts with $_kb_magic)"
	[ "$_kb_size" -gt 4096 ] ||
		KS_SVG_MISSING="$KS_SVG_MISSING; the screenshot is only $_kb_size bytes (blank?)"
	if ! grep -q '<svg [^>]*data-ks-frames="[1-9]' "$KS_SVG_DOM"; then
		KS_SVG_MISSING="$KS_SVG_MISSING; the SVG's script did not lay out the frames (no data-ks-frames on <svg>)"
	else
		for _kb_n in "$@"; do
			[ -n "$(ks_svg_width "$_kb_n")" ] ||
				KS_SVG_MISSING="$KS_SVG_MISSING; no frame '$_kb_n' drawn with a width > 0"
		done
	fi
	KS_SVG_MISSING=${KS_SVG_MISSING#; }
	[ -z "$KS_SVG_MISSING" ] && return 0
	echo "ks_svg_drawn: $KS_SVG_MISSING"
	return 1
}

# ks_svg_width NAME: the widest drawn width (pixels, data-ks-w > 0) of the frames named NAME
# in the DOM the last ks_svg_drawn dumped; empty if none is drawn.
ks_svg_width() {
	# The DOM serializer escapes &, < and > in text.
	_kb_t=$(printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g')
	grep -F -e "<title>$_kb_t (" "$KS_SVG_DOM" 2>/dev/null |
		sed -n 's/.* data-ks-w="\([0-9.]*\)".*/\1/p' |
		awk '$1 > 0 && $1 > m { m = $1 } END { if (m > 0) print m }'
}

# ks_svg_can_draw: 0 if headless Chromium runs here (it screenshots a blank page: about a
# second, once per test), else 1 with the reason in KS_SVG_WHY. For a test that has more to
# check than the drawing (e.g. a profile run in the kernel matrix's guests, which have no
# browser): `if ks_svg_can_draw; then ks_svg_drawn ...; else note "$KS_SVG_WHY"; fi`.
ks_svg_can_draw() {
	_ks_chromium_find || return 1
	if [ ! -f "$KS_TMP/.chromium-probed" ]; then
		rm -f "$KS_TMP/chromium-blank.png"
		_ks_chromium "$KS_CHROMIUM" --window-size=400,300 --screenshot="$KS_TMP/chromium-blank.png" \
			about:blank >"$KS_TMP/chromium-probe.out" 2>"$KS_TMP/chromium-probe.err"
		if [ -s "$KS_TMP/chromium-blank.png" ]; then
			: >"$KS_TMP/.chromium-probed"
		else
			echo "chromium cannot run here: $(grep -v -e dbus -e '^$' "$KS_TMP/chromium-probe.err" |
				tail -n 1 | cut -c1-200)" >"$KS_TMP/.chromium-probed"
		fi
	fi
	KS_SVG_WHY=$(cat "$KS_TMP/.chromium-probed")
	[ -z "$KS_SVG_WHY" ]
}

# KS_CHROMIUM: the browser's path; 1 (reason in KS_SVG_WHY) if there is none.
_ks_chromium_find() {
	for _kc_c in chromium chromium-browser google-chrome; do
		KS_CHROMIUM=$(ks_which "$_kc_c") && return 0
	done
	KS_SVG_WHY="no chromium to check the flame graph in (scripts/setup --test installs it)"
	return 1
}

# One headless Chromium run, bounded by the watchdog, with a throwaway profile and home.
# Its helper processes may outlive it by a moment: the watchdog ends them (exit 123), which
# is no failure here.
_ks_chromium() {
	_kc_bin=$1
	shift
	mkdir -p "$KS_TMP/chromium-home"
	HOME=$KS_TMP/chromium-home "$H/watchdog" 20 "$_kc_bin" --headless --no-sandbox --disable-gpu \
		--disable-dev-shm-usage --no-first-run --hide-scrollbars --disable-crash-reporter \
		--user-data-dir="$KS_TMP/chromium-home/profile" "$@"
	_kc_rc=$?
	[ "$_kc_rc" = 123 ] && return 0
	return "$_kc_rc"
}

# --- cgroup v1 ---------------------------------------------------------------------------
# cgroup v1 hierarchies next to cgroup v2 (hybrid hosts) or instead of it (docs/containers.md),
# for tests/tools/cgroup.sh and tests that check how kscope names a task's cgroup. Mounts
# come from /proc/mounts; in the kernel matrix's guests, which mount cgroup2 only,
# ks_cg1_create mounts a free controller as v1 itself (and unmounts it at the end).

# Mount point of the v1 hierarchy that has controller (or name=NAME) $1; empty if none.
ks_cg1_root() {
	awk -v c="$1" '$3 == "cgroup" { n = split($4, o, ",")
		for (i = 1; i <= n; i++) if (o[i] == c) { print $2; exit } }' /proc/mounts
}

# The controller of kscope's default v1 hierarchy: memory, else cpu, else the first
# controller of the first v1 hierarchy that has one; empty if none is mounted.
ks_cg1_default() {
	for _ks_c in memory cpu; do
		if [ -n "$(ks_cg1_root "$_ks_c")" ]; then
			echo "$_ks_c"
			return 0
		fi
	done
	awk 'NR == FNR { if ($1 !~ /^#/) c[$1] = 1; next }
		$3 == "cgroup" { n = split($4, o, ",")
			for (i = 1; i <= n; i++) if (o[i] in c) { print o[i]; exit } }' \
		/proc/cgroups /proc/mounts
}

# The path of PID $1 in the v1 hierarchy of controller $2 (from /proc/PID/cgroup).
ks_cg1_of() {
	awk -v c="$2" '{ l = $0; split(l, f, ":"); n = split(f[2], o, ",")
		for (i = 1; i <= n; i++) if (o[i] == c) { sub(/^[^:]*:[^:]*:/, "", l); print l; exit } }' \
		"/proc/$1/cgroup"
}

# The cgroup layout kscope reports in its meta line: v2, v1, hybrid or none.
ks_cg_layout() {
	if [ -n "$(ks_cg2_root)" ]; then
		if [ -n "$(ks_cg1_default)" ]; then echo hybrid; else echo v2; fi
	elif awk '$3 == "cgroup" { f = 1 } END { exit !f }' /proc/mounts; then
		echo v1
	else
		echo none
	fi
}

# ks_cg_named PID [CONTROLLER]: how kscope names PID's cgroup by default, into KS_CGN_PATH
# (path in its hierarchy), KS_CGN_HIER (the v1 controller, empty for v2) and KS_CGN_DIR
# (the directory): its v2 cgroup, unless v1 controllers are mounted and it sits at the v2
# root (or there is no v2); then its cgroup in CONTROLLER's hierarchy (kscope takes -c's
# hierarchy first), else in the default one (ks_cg1_default).
ks_cg_named() {
	_ks_v2r=$(ks_cg2_root)
	_ks_c1=${2:-$(ks_cg1_default)}
	KS_CGN_PATH=$(ks_cgroup_of "$1")
	KS_CGN_HIER=
	KS_CGN_DIR=$_ks_v2r$KS_CGN_PATH
	if [ -n "$_ks_c1" ] && { [ -z "$_ks_v2r" ] || [ "$KS_CGN_PATH" = / ]; }; then
		KS_CGN_HIER=$_ks_c1
		KS_CGN_PATH=$(ks_cg1_of "$1" "$_ks_c1")
		KS_CGN_DIR=$(ks_cg1_root "$_ks_c1")$KS_CGN_PATH
	fi
}

# ks_cg1_create NAME [CONTROLLER...]: make a private cgroup in the v1 hierarchy of the first
# CONTROLLER mounted (default: memory cpu pids), inside the test shell's own cgroup there
# (so the limits set on it still hold), removed when the test ends. With none mounted, one
# is mounted as v1 under $KS_TMP (a controller cgroup v2 does not use can be), or the test
# is skipped with the reason. Sets KS_CG1 (the directory), KS_CG1_CTL (the controller),
# KS_CG1_ROOT (the mount point) and KS_CG1_PATH (the path inside the hierarchy).
ks_cg1_create() {
	_ks_n=$1
	shift
	[ $# -gt 0 ] || set -- memory cpu pids
	KS_CG1_CTL=
	for _ks_c in "$@"; do
		KS_CG1_ROOT=$(ks_cg1_root "$_ks_c")
		if [ -n "$KS_CG1_ROOT" ]; then
			KS_CG1_CTL=$_ks_c
			break
		fi
	done
	[ -n "$KS_CG1_CTL" ] || _ks_cg1_mount "$@" || skip "$KS_CG1_WHY"
	_ks_cg1_trap
	_ks_up=$(ks_cg1_of $$ "$KS_CG1_CTL")
	KS_CG1_PATH=${_ks_up%/}/kscope-test-$$-$_ks_n
	KS_CG1=$KS_CG1_ROOT$KS_CG1_PATH
	mkdir "$KS_CG1" 2>"$KS_TMP/cg.err" ||
		skip "cannot create a cgroup in the v1 $KS_CG1_CTL hierarchy: $(ks_first_line "$KS_TMP/cg.err")"
	echo "$KS_CG1" >>"$KS_TMP/.cgroups1"
}

# Mount the first controller of $@ (then pids, net_cls) that the kernel has as a v1
# hierarchy; 1 with the reason in KS_CG1_WHY when none can be (a kernel without v1, or
# every controller busy in v2).
_ks_cg1_mount() {
	KS_CG1_WHY=
	_ks_cg1_trap
	for _ks_c in "$@" pids net_cls; do
		awk -v c="$_ks_c" '$1 == c && $4 == 1 { f = 1 } END { exit !f }' /proc/cgroups 2>/dev/null ||
			continue
		_ks_d=$KS_TMP/cg1-$_ks_c
		mkdir -p "$_ks_d" || continue
		if mount -t cgroup -o "$_ks_c" "kscope-$_ks_c" "$_ks_d" 2>"$KS_TMP/cg1.err"; then
			echo "$_ks_d" >>"$KS_TMP/.mounts1"
			KS_CG1_CTL=$_ks_c
			KS_CG1_ROOT=$_ks_d
			return 0
		fi
		KS_CG1_WHY="no cgroup v1 controller hierarchy is mounted, and mounting $_ks_c as v1 failed: $(ks_first_line "$KS_TMP/cg1.err")"
		rmdir "$_ks_d" 2>/dev/null
	done
	[ -n "$KS_CG1_WHY" ] ||
		KS_CG1_WHY="no cgroup v1 controller hierarchy is mounted, and /proc/cgroups lists none of $* pids net_cls to mount"
	return 1
}

# ks_cg1_mount_named: mount a new named v1 hierarchy (no controller) under $KS_TMP, into
# KS_CG1N; 1 with the reason in KS_CG1_WHY when the kernel refuses.
ks_cg1_mount_named() {
	_ks_cg1_trap
	KS_CG1N=$KS_TMP/cg1-named
	mkdir -p "$KS_CG1N" || return 1
	if mount -t cgroup -o "none,name=kscope$$" kscope-named "$KS_CG1N" 2>"$KS_TMP/cg1.err"; then
		echo "$KS_CG1N" >>"$KS_TMP/.mounts1"
		return 0
	fi
	KS_CG1_WHY="cannot mount a named cgroup v1 hierarchy: $(ks_first_line "$KS_TMP/cg1.err")"
	rmdir "$KS_CG1N" 2>/dev/null
	return 1
}

# v1 cgroups and mounts go before lib.sh's own cleanup (which ends the shell), keeping the
# test's exit status for it.
_ks_cg1_trap() {
	[ -z "${_ks_cg1_trapped:-}" ] || return 0
	_ks_cg1_trapped=1
	trap '_ks_cg1_st=$?; _ks_cg1_cleanup; (exit $_ks_cg1_st); _ks_cleanup' EXIT
}

_ks_cg1_cleanup() {
	if [ -f "$KS_TMP/.cgroups1" ]; then
		while read -r _ks_c; do
			_ks_cg1_remove "$_ks_c" || printf 'cleanup: cannot remove cgroup %s\n' "$_ks_c" >&2
		done <"$KS_TMP/.cgroups1"
		rm -f "$KS_TMP/.cgroups1"
	fi
	if [ -f "$KS_TMP/.mounts1" ]; then
		while read -r _ks_m; do
			# a v1 hierarchy goes away with its last cgroup: any left (a test's own) first
			find "$_ks_m" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
			umount "$_ks_m" 2>/dev/null || printf 'cleanup: cannot unmount %s\n' "$_ks_m" >&2
			rmdir "$_ks_m" 2>/dev/null
		done <"$KS_TMP/.mounts1"
		rm -f "$KS_TMP/.mounts1"
	fi
}

# Remove v1 cgroup $1 and any made in it: what is still inside goes to its parent first.
_ks_cg1_remove() {
	_ks_cg_remove "$1" "${1%/*}"
}

# --- facts that hold under any load (tests/README.md: "A busy machine") ----------------------
# The scheduler tests compare what kscope saw with what the workload itself can prove it did
# (schedload and stackload report it), never with what an idle machine would do.

# sl_val NAME KEY [ID]: in schedload NAME's output, the value after KEY on the line that
# starts with ID ("switches TID ..."), or on the first line with KEY; empty if none.
sl_val() {
	awk -v k="$2" -v id="${3:-}" 'id != "" && $2 != id && $1 != id { next }
		{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$KS_TMP/$1.out"
}

# sl_switches NAME TID: the thread's context switches (voluntary + involuntary) from
# schedload NAME's "switches TID VOL INVOL" line: the sched_switch events that switched it
# out (and, for a thread made after kscope attached that ends blocked, also those that
# switched it in).
sl_switches() {
	awk -v t="$2" '$1 == "switches" && $2 == t { print $3 + $4; f = 1 } END { if (!f) print -1 }' \
		"$KS_TMP/$1.out"
}

# sl_wait_line NAME LINE: wait (KS_WAIT s at most) until schedload NAME printed LINE.
sl_wait_line() {
	ks_wait_until "$KS_WAIT" grep -q -x -F -e "$2" "$KS_TMP/$1.out" ||
		fail "schedload $1 did not print '$2' in $KS_WAIT s: $(ks_first_line "$KS_TMP/$1.err")"
}

# The last online CPU (the one the pinned workloads use).
ks_last_cpu() { sed 's/.*[-,]//' /sys/devices/system/cpu/online; }

# ks_cpustat [CPU]: "IRQ SOFTIRQ STEAL" of /proc/stat in ns (for CPU, or all CPUs): time
# a task on the CPU spends there without it counting as its run time. /proc/stat counts
# in USER_HZ ticks, which x86 fixes at 100 (getconf CLK_TCK where there is one).
ks_cpustat() {
	_ks_hz=$(getconf CLK_TCK 2>/dev/null) || _ks_hz=100
	awk -v c="cpu${1:-}" -v hz="${_ks_hz:-100}" '$1 == c { printf "%.0f %.0f %.0f\n",
		$7 * 1e9 / hz, $8 * 1e9 / hz, $9 * 1e9 / hz; exit }' /proc/stat
}

# ks_cpustat_delta BEFORE AFTER: IRQ + SOFTIRQ + STEAL ns between two ks_cpustat readings,
# plus a tick per column for their rounding down.
ks_cpustat_delta() {
	echo "$1 $2" | awk '{ printf "%.0f\n", $4 + $5 + $6 - $1 - $2 - $3 + 3 * 10000000 }'
}

# ks_hist_total_ok ROW UNIT_NS: the log2 histogram of a JSON row ("count", "total_ns",
# "hist.buckets" of {low, high, count} in units of UNIT_NS) holds the row's samples: the
# buckets add up to count, and each sample in [low, high] puts total_ns between the sums of
# the lows and of the highs (+1 unit: values are cut to whole units). Prints what is wrong.
ks_hist_total_ok() {
	printf '%s\n' "$1" | "$H/jsonq" -g 'hist.buckets.*' |
		sed 's/.*"low":\([0-9]*\),"high":\([0-9]*\),"count":\([0-9]*\).*/\1 \2 \3/' |
		awk -v c="$(printf '%s\n' "$1" | "$H/jsonq" -g count)" \
			-v t="$(printf '%s\n' "$1" | "$H/jsonq" -g total_ns)" -v u="$2" '
		{ n += $3; lo += $3 * $1 * u; hi += $3 * ($2 + 1) * u }
		END { if (n != c) printf "buckets add up to %d, count %d\n", n, c
			else if (t < lo || t > hi) printf "total_ns %s outside [%.0f, %.0f], the buckets\x27 range\n", t, lo, hi }'
}

# An independent record of sched_switch, for the tests that count switches: the kernel's
# own tracer (ftrace), in a trace instance of the test's own. Some kernels switch to a task
# without a sched_switch event now and then (this machine's 6.18 does when one of its
# sandbox agent's threads gives the CPU back): no tracer, kscope or ftrace or bpftrace, sees
# that switch-in, so a tool can't count it. The ftrace record shows it: a switch-out of a
# task whose previous event was a switch-out too, or that was its first event (for a task
# off its CPU when the record began). The tests count exactly what the kernel traced.
#
# ks_swtrace_start FILTER: record sched_switch events that match the ftrace FILTER (e.g.
# 'prev_comm == "x" || next_comm == "x"'; a task's name may change after its first run),
# stamped with the monotonic clock (events of all CPUs in one order). Returns 1, with the
# reason in KS_SWTRACE_WHY, where no instance can be made (no tracefs): the tests then
# expect the kernel to trace every switch.
ks_swtrace_start() {
	KS_SWTRACE=
	KS_SWTRACE_WHY=
	_ks_tfs=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
	if [ -z "$_ks_tfs" ] || [ ! -d "$_ks_tfs/instances" ]; then
		KS_SWTRACE_WHY="no tracefs with instances mounted"
		return 1
	fi
	_ks_i=$_ks_tfs/instances/kscope-test-$$
	if ! mkdir "$_ks_i" 2>"$KS_TMP/swtrace.err"; then
		KS_SWTRACE_WHY="cannot make $_ks_i: $(ks_first_line "$KS_TMP/swtrace.err")"
		return 1
	fi
	KS_SWTRACE=$_ks_i
	# removed whatever way the test ends (_ks_cleanup then sees the test's own status)
	trap '_ks_sw_st=$?; ks_swtrace_remove; (exit $_ks_sw_st); _ks_cleanup' EXIT
	echo mono >"$_ks_i/trace_clock" 2>/dev/null || echo global >"$_ks_i/trace_clock"
	echo 4096 >"$_ks_i/buffer_size_kb"
	printf '%s\n' "$1" >"$_ks_i/events/sched/sched_switch/filter" ||
		fail "ftrace refused the filter '$1'"
	echo 1 >"$_ks_i/events/sched/sched_switch/enable" &&
		echo 1 >"$_ks_i/tracing_on" || fail "cannot enable sched_switch in $_ks_i"
}

# ks_swtrace_stop: end the record: the events go to $KS_TMP/swtrace, the instance away.
# Fails if ftrace lost events (its buffer overran): the record would not be complete.
ks_swtrace_stop() {
	[ -n "${KS_SWTRACE:-}" ] || return 0
	echo 0 >"$KS_SWTRACE/tracing_on"
	grep ' sched_switch: ' "$KS_SWTRACE/trace" >"$KS_TMP/swtrace"
	_ks_lost=$(cat "$KS_SWTRACE"/per_cpu/cpu*/stats 2>/dev/null |
		awk '$1 == "overrun:" { s += $2 } END { print s + 0 }')
	ks_swtrace_remove
	[ "$_ks_lost" = 0 ] || fail "ftrace lost $_ks_lost sched_switch events (its buffer overran)"
	note "ftrace: $(ks_lines "$KS_TMP/swtrace") sched_switch events"
}

ks_swtrace_remove() {
	[ -n "${KS_SWTRACE:-}" ] && [ -d "$KS_SWTRACE" ] && rmdir "$KS_SWTRACE" 2>/dev/null
	KS_SWTRACE=
	return 0
}

# ks_swtrace_hidden TID: the switch-ins of thread TID ftrace's record shows no event for
# (0 without a record); ks_swtrace_first_hidden TID: 1 if the first of them is its first
# switch-in; ks_swtrace_outs TID: its switch-outs in the record.
ks_swtrace_hidden() {
	[ -s "$KS_TMP/swtrace" ] || { echo 0; return; }
	awk -v t="$1" '{ p = $0; sub(/.* prev_pid=/, "", p); sub(/ .*/, "", p)
		n = $0; sub(/.* next_pid=/, "", n); sub(/ .*/, "", n)
		if (p == t) { if (!on) h++; on = 0 } if (n == t) on = 1 } END { print h + 0 }' \
		"$KS_TMP/swtrace"
}
ks_swtrace_first_hidden() {
	[ -s "$KS_TMP/swtrace" ] || { echo 0; return; }
	awk -v t="$1" '{ p = $0; sub(/.* prev_pid=/, "", p); sub(/ .*/, "", p)
		n = $0; sub(/.* next_pid=/, "", n); sub(/ .*/, "", n)
		if (p == t) { print 1; f = 1; exit } if (n == t) { print 0; f = 1; exit } }
		END { if (!f) print 0 }' "$KS_TMP/swtrace"
}
ks_swtrace_outs() {
	[ -s "$KS_TMP/swtrace" ] || { echo -1; return; }
	awk -v t="$1" '{ p = $0; sub(/.* prev_pid=/, "", p); sub(/ .*/, "", p); if (p == t) o++ }
		END { print o + 0 }' "$KS_TMP/swtrace"
}

# ks_switched_in TID SWITCHES: KS_IN is the number of switch-ins of TID a tracer could
# see, out of SWITCHES (the kernel's count, from the workload): less those ftrace's record
# shows untraced. Fails if the record disagrees with the kernel on the switch-outs.
ks_switched_in() {
	KS_IN=$2
	[ -s "$KS_TMP/swtrace" ] || return 0
	_ks_o=$(ks_swtrace_outs "$1")
	[ "$_ks_o" = "$2" ] ||
		fail "ftrace recorded $_ks_o switch-outs of $1, the kernel counted $2"
	_ks_h=$(ks_swtrace_hidden "$1")
	[ "$_ks_h" = 0 ] || note "tid $1: $_ks_h switch-ins without a sched_switch event (ftrace)"
	KS_IN=$(($2 - _ks_h))
}

# The ftrace filter for schedload's threads (named schedload until they name themselves).
KS_SL_FILTER='prev_comm == "schedload" || next_comm == "schedload" || prev_comm ~ "spin-*" || next_comm ~ "spin-*" || prev_comm == "blocker" || next_comm == "blocker"'

# ks_swtrace_begin FILTER: ks_swtrace_start, or a note why there is no record.
ks_swtrace_begin() {
	ks_swtrace_start "$1" || note "no ftrace record of sched_switch ($KS_SWTRACE_WHY): every switch is expected traced"
}

# --- network fixtures -------------------------------------------------------------------
# For the network tools' tests (tests/tools/netload.sh checks these fixtures themselves).
# netload (tests/helpers/netload.c, modes and lines at its top) is triggered and held like
# schedload: nl_start, then sl_go (trigger, wait for "done") and sl_end (let it exit 0), or
# nl_run (both at once). Its first line is "netns INODE"; with --netns-new it runs in a new
# network namespace of its own with lo up (the usual case: everything it does is counted
# there alone, no ip(8) needed, so it works in the BusyBox guests too).
#
#   nl_start nl --netns-new --snmp TcpActiveOpens pair --count 3 --send 1000 --recv 10
#   ks_start ks TOOL --json -p "$(ks_pid nl)" ...; ks_attached ks
#   sl_go nl; ks_stop ks; sl_end nl
#   expect_eq "$(nl_lines nl closed)" 3 "connections"
#
# Between namespaces made with ip netns (the host; the guests have no `ip netns`, nor veth or
# nft, and the tests that need them skip with the reason): ks_netns_new, ks_veth_pair,
# nl_ns_start, ks_nft_drop, ks_tbf, ks_nstat. A namespace goes away when the test ends,
# however it ends (with the veth, nft tables and qdiscs in it); nothing is made outside them.

# nl_start NAME [--netns-new] [--snmp NAMES] MODE ARGS...: start netload, wait until it waits
# for SIGUSR1.
nl_start() {
	_ks_nn=$1
	shift
	ks_bg "$_ks_nn" "$H/netload" "$@"
	_wl_ready "$_ks_nn"
}

# nl_run NAME: trigger netload NAME, wait for its "done", let it exit (it must exit 0).
nl_run() {
	sl_go "$1"
	sl_end "$1"
}

# nl_traced KS NAME TOOL ARGS...: kscope TOOL --json --netns (netload NAME's namespace) ARGS
# started as KS, netload NAME run to its end (nl_run), then KS stopped: it must exit 0 with
# well-formed JSON lines.
nl_traced() {
	_ks_tk=$1 _ks_tn=$2 _ks_tt=$3
	shift 3
	ks_start "$_ks_tk" "$_ks_tt" --json --netns "$(nl_netns "$_ks_tn")" "$@"
	ks_attached "$_ks_tk"
	nl_run "$_ks_tn"
	ks_stop "$_ks_tk"
	expect_rc "$_ks_tk" 0
	ks_json_ok "$_ks_tk"
}

# nl_traced2 KS A B TOOL ARGS...: kscope TOOL --json ARGS started as KS while netloads A and
# B run at once (both triggered, then both ended), then stopped as nl_traced does.
nl_traced2() {
	_ks_tk=$1 _ks_ta=$2 _ks_tb=$3 _ks_tt=$4
	shift 4
	ks_start "$_ks_tk" "$_ks_tt" --json "$@"
	ks_attached "$_ks_tk"
	sl_go "$_ks_ta"
	sl_go "$_ks_tb"
	sl_end "$_ks_ta"
	sl_end "$_ks_tb"
	ks_stop "$_ks_tk"
	expect_rc "$_ks_tk" 0
	ks_json_ok "$_ks_tk"
}

# nl_netns_both TOOL N ARGS...: netloads a and b, each started with --netns-new ARGS, run at
# once while kscope TOOL --json --netns (a's namespace) runs as "ks" and TOOL --json, with no
# filter, as "all"; once ks has N events and all has N in b's namespace, both are stopped and
# the netloads ended. For a --netns test: the filter, not the workload, makes the difference.
nl_netns_both() {
	_ks_tt=$1 _ks_tc=$2
	shift 2
	nl_start a --netns-new "$@"
	nl_start b --netns-new "$@"
	[ "$(nl_netns a)" != "$(nl_netns b)" ] || fail "both netloads in one namespace"
	ks_start ks "$_ks_tt" --json --netns "$(nl_netns a)"
	ks_start all "$_ks_tt" --json
	ks_attached ks
	ks_attached all
	sl_go a
	sl_go b
	ks_wait_events ks "$_ks_tc"
	ks_wait_events all "$_ks_tc" netns="$(nl_netns b)"
	ks_stop ks
	ks_stop all
	sl_end a
	sl_end b
}

# nl_ns_start NAME NS ARGS...: the same inside namespace NS (ks_netns_new; "-": the test's
# own), through ip netns exec, which execs netload with the same pid.
nl_ns_start() {
	_ks_nn=$1 _ks_ns=$2
	shift 2
	if [ "$_ks_ns" = - ]; then
		nl_start "$_ks_nn" "$@"
		return
	fi
	ks_bg "$_ks_nn" ip netns exec "$_ks_ns" "$H/netload" "$@"
	_wl_ready "$_ks_nn"
}

# nl_wait_line NAME ERE: wait (KS_WAIT s at most) until netload NAME printed a line matching
# ERE (e.g. '^listening '): a server listens after its trigger.
nl_wait_line() {
	ks_wait_until "$KS_WAIT" grep -q -E -e "$2" "$KS_TMP/$1.out" ||
		fail "netload $1 printed no line matching '$2' in $KS_WAIT s: $(ks_first_line "$KS_TMP/$1.err")"
}

# nl_wait_done NAME: wait (KS_WAIT s at most) until netload NAME printed "done" (triggered
# some other way than sl_go, e.g. a second trigger after --pause); fail if it ended early.
nl_wait_done() {
	nl_wait_line "$1" '^done$'
	ks_done "$1" && fail "netload $1 ended early: $(ks_first_line "$KS_TMP/$1.err")"
	return 0
}

# nl_field NAME WORD N: field N of netload NAME's first line that starts with WORD (empty if
# none), e.g. nl_field srv listening 3 (its port), nl_field nl server 2 (the server's pid).
nl_field() {
	awk -v w="$2" -v n="$3" '$1 == w { print $n; exit }' "$KS_TMP/$1.out"
}

# nl_port NAME: the port netload NAME listened on or chose ("port P" or "listening PID P").
nl_port() {
	awk '$1 == "port" { print $2; exit } $1 == "listening" { print $3; exit }' "$KS_TMP/$1.out"
}

# nl_netns NAME: the inode of netload NAME's network namespace (its "netns INODE" line).
nl_netns() { nl_field "$1" netns 2; }

# nl_lines NAME WORD [REST]: how many lines of netload NAME start with WORD (and, with REST,
# continue with exactly REST: nl_lines nl failed ECONNREFUSED).
nl_lines() {
	awk -v w="$2" -v r="${3:-}" '$1 == w { l = $0; sub(/^[^ ]* ?/, "", l)
		if (r == "" || l == r) n++ } END { print n + 0 }' "$KS_TMP/$1.out"
}

# nl_match NAME WORD [N=VALUE...]: how many lines of netload NAME start with WORD and have
# field N equal to VALUE for each N=VALUE ("NF=K": K fields), e.g. nl_match nl closed 3=tx=100
# 4=rx=5 NF=4 (the closed connections that moved those bytes, without an error).
nl_match() {
	_ks_nf=$KS_TMP/$1.out _ks_nw=$2
	shift 2
	awk -v w="$_ks_nw" -v conds="$*" 'BEGIN { n = split(conds, c, " ") }
		$1 == w { ok = 1
			for (i = 1; i <= n; i++) {
				e = index(c[i], "="); k = substr(c[i], 1, e - 1); v = substr(c[i], e + 1)
				if ((k == "NF" ? NF "" : $k "") != v) ok = 0
			}
			m += ok }
		END { print m + 0 }' "$_ks_nf"
}

# nl_sum NAME WORD KEY: the sum of KEY=N over netload NAME's lines that start with WORD
# (nl_sum nl closed tx: the bytes its client sent on the connections it closed).
nl_sum() {
	awk -v w="$2" -v k="$3=" '$1 == w { for (i = 2; i <= NF; i++)
		if (index($i, k) == 1) s += substr($i, length(k) + 1) } END { print s + 0 }' \
		"$KS_TMP/$1.out"
}

# nl_snmp NAME COUNTER: the delta of COUNTER netload NAME printed (--snmp); empty if none.
nl_snmp() { awk -v c="$2" '$1 == "snmp" && $2 == c { print $3; exit }' "$KS_TMP/$1.out"; }

# Feature probes: each tries the thing in a throwaway network namespace and removes it; 0 if
# it works, else 1 with the reason in KS_NET_WHY (for skip). The answer is kept for the test.
# Tests may also just call ks_netns_new, ks_veth_pair, ks_nft_drop or ks_tbf, which skip the
# test with the reason where the probe fails.
_ks_net_probe() { # KEY CMD...: run the probe once per test, its verdict in $KS_TMP/.net-KEY
	_ks_pk=$KS_TMP/.net-$1
	shift
	if [ ! -f "$_ks_pk" ]; then
		if "$@" >"$KS_TMP/net-probe.err" 2>&1; then
			: >"$_ks_pk"
		else
			ks_first_line "$KS_TMP/net-probe.err" >"$_ks_pk"
			[ -s "$_ks_pk" ] || echo "exit $?" >"$_ks_pk"
		fi
	fi
	KS_NET_WHY=$(cat "$_ks_pk")
	[ -z "$KS_NET_WHY" ]
}

# ks_net_in_new_ns CMD: run the shell command CMD in a new network namespace of its own
# (unshare -n): a probe that touches nothing of the machine's.
_ks_net_in_new_ns() {
	ks_which unshare >/dev/null || {
		echo "no unshare(1) to try it in a throwaway namespace"
		return 1
	}
	unshare -n sh -c "$1" 2>&1
}

_ks_probe_netns() {
	_ks_ip=$(ks_which ip) || { echo "no ip(8) here"; return 1; }
	if ! ip netns list >/dev/null 2>&1; then
		case $(readlink -f "$_ks_ip") in
		*busybox*) echo "$_ks_ip is BusyBox's, which has no netns command" ;;
		*) echo "$_ks_ip has no netns command" ;;
		esac
		return 1
	fi
	_ks_pn=ks-$$-probe
	ip netns add "$_ks_pn" 2>&1 || { echo "ip netns add failed"; return 1; }
	ip netns del "$_ks_pn" 2>&1
}

ks_have_netns() {
	_ks_net_probe netns _ks_probe_netns && return 0
	KS_NET_WHY="no ip netns here (ip netns add: $KS_NET_WHY)"
	return 1
}

ks_have_veth() {
	_ks_net_probe veth _ks_net_in_new_ns 'ip link add ksp0 type veth peer name ksp1' && return 0
	KS_NET_WHY="no veth in this kernel (ip link add type veth: $KS_NET_WHY)"
	return 1
}

ks_have_nft() {
	if ! ks_which nft >/dev/null; then
		KS_NET_WHY="no nft(8) here"
		[ "${KS_GUEST:-0}" = 1 ] || KS_NET_WHY="$KS_NET_WHY (scripts/setup --test installs nftables)"
		return 1
	fi
	_ks_net_probe nft _ks_net_in_new_ns \
		'nft add table inet ksp && nft add chain inet ksp in "{ type filter hook input priority 0; }" && nft add rule inet ksp in udp dport 9 counter drop' &&
		return 0
	KS_NET_WHY="no nftables here (nft add table/chain/rule: $KS_NET_WHY)"
	return 1
}

ks_have_tbf() {
	_ks_net_probe tbf _ks_net_in_new_ns \
		'ip link set lo up && tc qdisc add dev lo root tbf rate 1mbit burst 10kb latency 100ms' &&
		return 0
	KS_NET_WHY="no tbf qdisc here (tc qdisc add tbf: $KS_NET_WHY)"
	return 1
}

# ks_netns NAME: the name ks_netns_new NAME gives its namespace (unique to the test shell).
ks_netns() { echo "ks-$$-$1"; }

# ks_netns_new NAME: a network namespace of the test's own (ip netns add), lo up; its name in
# KS_NS (also ks_netns NAME). Registered before it is made, removed when the test ends
# (_ks_cleanup; after a timeout, run.sh). Skips the test where there is no ip netns.
ks_netns_new() {
	ks_have_netns || skip "$KS_NET_WHY"
	KS_NS=$(ks_netns "$1")
	echo "$KS_NS" >>"$KS_TMP/.netns"
	ip netns add "$KS_NS" 2>"$KS_TMP/netns.err" ||
		fail "ip netns add $KS_NS: $(ks_first_line "$KS_TMP/netns.err")"
	ip -n "$KS_NS" link set lo up 2>"$KS_TMP/netns.err" ||
		fail "lo up in $KS_NS: $(ks_first_line "$KS_TMP/netns.err")"
}

# ks_netns_inode NS: the inode of namespace NS (what netload prints as "netns INODE").
ks_netns_inode() { ip netns exec "$1" stat -L -c %i /proc/self/ns/net; }

# _ks_netns_cleanup: remove the namespaces listed in $KS_TMP/.netns (the test's cleanup, and
# run.sh's after a test it had to kill). A namespace lives on while a process is in it: the
# test's processes are ended first.
_ks_netns_cleanup() {
	[ -f "$KS_TMP/.netns" ] || return 0
	while read -r _ks_nsn; do
		ip netns list 2>/dev/null | grep -q "^$_ks_nsn\( \|$\)" || continue
		ip netns del "$_ks_nsn" 2>/dev/null ||
			printf 'cleanup: cannot remove network namespace %s\n' "$_ks_nsn" >&2
	done <"$KS_TMP/.netns"
	rm -f "$KS_TMP/.netns"
}

# ks_veth_pair NS1 NS2 [v6]: a veth pair between namespaces NS1 and NS2 (ks_netns_new), made
# in NS1 (never in the machine's namespace), links up: KS_VETH1 (in NS1) 10.X.Y.1/24 and
# KS_VETH2 (in NS2) 10.X.Y.2/24, X and Y from the test shell's pid: KS_IP1, KS_IP2; with v6
# also fd00:X:Y::1/64 and ::2 without duplicate address detection (usable at once): KS_IP6_1,
# KS_IP6_2. Skips the test where the kernel has no veth.
ks_veth_pair() {
	ks_have_veth || skip "$KS_NET_WHY"
	_ks_x=$(($$ / 256 % 256)) _ks_y=$(($$ % 256))
	KS_VETH1=ks0 KS_VETH2=ks1
	KS_IP1=10.$_ks_x.$_ks_y.1 KS_IP2=10.$_ks_x.$_ks_y.2
	KS_IP6_1=fd00:$_ks_x:$_ks_y::1 KS_IP6_2=fd00:$_ks_x:$_ks_y::2
	{
		ip -n "$1" link add "$KS_VETH1" type veth peer name "$KS_VETH2" netns "$2" &&
			ip -n "$1" addr add "$KS_IP1/24" dev "$KS_VETH1" &&
			ip -n "$2" addr add "$KS_IP2/24" dev "$KS_VETH2" &&
			if [ "${3:-}" = v6 ]; then
				ip netns exec "$1" sysctl -q -w "net.ipv6.conf.$KS_VETH1.accept_dad=0" &&
					ip netns exec "$2" sysctl -q -w "net.ipv6.conf.$KS_VETH2.accept_dad=0" &&
					ip -n "$1" addr add "$KS_IP6_1/64" dev "$KS_VETH1" nodad &&
					ip -n "$2" addr add "$KS_IP6_2/64" dev "$KS_VETH2" nodad
			fi &&
			ip -n "$1" link set "$KS_VETH1" up &&
			ip -n "$2" link set "$KS_VETH2" up
	} 2>"$KS_TMP/veth.err" || fail "veth pair between $1 and $2: $(ks_first_line "$KS_TMP/veth.err")"
}

# ks_netns_veth [v6]: two new namespaces (ks_netns_new a and b), KS_NSA and KS_NSB, joined by
# ks_veth_pair KS_NSA KS_NSB [v6].
ks_netns_veth() {
	ks_netns_new a
	KS_NSA=$KS_NS
	ks_netns_new b
	KS_NSB=$KS_NS
	ks_veth_pair "$KS_NSA" "$KS_NSB" "$@"
}

# ks_nft_drop NS [-o] MATCH... [drop]: drop what MATCH matches ("udp dport 9999", "tcp dport
# 5001") on input (-o: output) in namespace NS, counted: table inet kscope, chains in / out,
# rule "MATCH counter drop". Skips the test where there are no nftables.
ks_nft_drop() {
	_ks_nns=$1
	shift
	_ks_hook=input _ks_chain=in
	if [ "$1" = -o ]; then
		_ks_hook=output _ks_chain=out
		shift
	fi
	ks_have_nft || skip "$KS_NET_WHY"
	_ks_rule=$*
	_ks_rule=${_ks_rule% drop}
	{
		ip netns exec "$_ks_nns" nft add table inet kscope &&
			ip netns exec "$_ks_nns" nft add chain inet kscope "$_ks_chain" \
				"{ type filter hook $_ks_hook priority 0; }" &&
			ip netns exec "$_ks_nns" nft add rule inet kscope "$_ks_chain" $_ks_rule counter drop
	} 2>"$KS_TMP/nft.err" || fail "nft rule '$_ks_rule drop' in $_ks_nns: $(ks_first_line "$KS_TMP/nft.err")"
}

# ks_nft_dropped NS: the packets ks_nft_drop's rules in NS dropped so far (all chains).
ks_nft_dropped() {
	ip netns exec "$1" nft list table inet kscope 2>/dev/null |
		awk '{ for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}

# ks_nft_clear NS: remove ks_nft_drop's table from NS.
ks_nft_clear() { ip netns exec "$1" nft delete table inet kscope 2>/dev/null; return 0; }

# ks_tbf NS DEV RATE [BURST [LATENCY]]: a token bucket (tbf) on DEV's egress in NS: past BURST
# bytes (default 5kb), DEV sends RATE (tc's units: 1mbit) at most, so S bytes sent at once
# take at least (S - BURST) / RATE. Skips the test where there is no tbf.
ks_tbf() {
	ks_have_tbf || skip "$KS_NET_WHY"
	ip netns exec "$1" tc qdisc replace dev "$2" root tbf rate "$3" burst "${4:-5kb}" \
		latency "${5:-1s}" 2>"$KS_TMP/tbf.err" ||
		fail "tbf on $2 in $1: $(ks_first_line "$KS_TMP/tbf.err")"
}

# ks_nstat NS [NAME]: namespace NS's counters (NS "-": the test's own), named as nstat names
# them (TcpActiveOpens, UdpNoPorts, TcpExtListenDrops, Udp6NoPorts), from /proc/net/snmp,
# netstat and snmp6 read inside it: "NAME VALUE" lines, or NAME's value alone (empty if none).
ks_nstat() {
	if [ "$1" = - ]; then
		cat /proc/net/snmp /proc/net/netstat /proc/net/snmp6 2>/dev/null
	else
		ip netns exec "$1" sh -c 'cat /proc/net/snmp /proc/net/netstat /proc/net/snmp6 2>/dev/null'
	fi | awk -v want="${2:-}" '
		function out(k, v) { if (want == "") print k, v; else if (k == want) { print v; exit } }
		$1 ~ /:$/ { p = substr($1, 1, length($1) - 1)
			if (p != hp) { hp = p; for (i = 2; i <= NF; i++) h[i] = $i; next }
			for (i = 2; i <= NF; i++) out(p h[i], $i); hp = ""; next }
		NF == 2 { out($1, $2) }'
}

# ks_nstat_save NS TAG: remember NS's counters now; ks_nstat_delta NS TAG NAME: NAME now minus
# then (empty if there is no such counter).
ks_nstat_save() { ks_nstat "$1" >"$KS_TMP/$2.nstat"; }
ks_nstat_delta() {
	_ks_n0=$(awk -v k="$3" '$1 == k { print $2; exit }' "$KS_TMP/$2.nstat")
	_ks_n1=$(ks_nstat "$1" "$3")
	[ -n "$_ks_n0" ] && [ -n "$_ks_n1" ] && echo $((_ks_n1 - _ks_n0))
}
