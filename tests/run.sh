#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The kscope test suite: unit test binaries, then the tool tests in tests/tools/*.sh.
#
#   sh tests/run.sh [--unit | --tools | --san | --no-san] [-k PATTERN] [--vm KERNELS]
#
#   --unit        unit tests only (no root needed)
#   --tools       tool tests only (root: they load BPF programs into the running kernel)
#   --san         the sanitizer stage only: the unit tests and a selection of the tool tests
#                 again with the ASan + UBSan build of `make sanitize` ($OUTPUT/san), named
#                 san/...; part of a run without --unit or --tools, unless --no-san
#   -k PATTERN    only tests whose name contains PATTERN
#   --vm KERNELS  also the tool tests on other kernels under qemu (tests/vmtest.sh, bash;
#                 comma-separated: 5.10,6.1,6.12,sid), while the host's run goes on, then
#                 checks that a guest that panics, crashes or hangs is reported as such.
#                 Their results are named vm/KERNEL/TEST; the runs stay in tests/out/vmtest.
#   env KSCOPE    the binary under test (default ./kscope)
#   env OUTPUT    the build directory with tests/unit/* and tests/helpers/* (default .output)
#   env KS_OUTDIR where failed tests' files go (default tests/out; emptied first), and
#                 artifacts/ what tests keep when they pass (browser screenshots)
#
# One line per test: "PASS name", "FAIL name: reason" or "SKIP name: reason", then one
# summary line "N passed, N failed[, N skipped]"; the exit status is 1 if anything failed.
# What a failing test saw (its log, kscope's output, ...) is kept under tests/out/NAME/
# (under $TMPDIR/kscope-tests-out.UID when tests/ is not writable).
# POSIX sh: also runs under BusyBox ash, with BusyBox and the built binaries only.

set -u

here=$(pwd)
top=$(cd "$(dirname "$0")/.." && pwd)

abspath() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$here" "$1" ;;
	esac
}

do_unit=1
do_tools=1
do_san=1
pattern=
vm_kernels=
while [ $# -gt 0 ]; do
	case $1 in
	--vm)
		[ $# -ge 2 ] || { echo "run.sh: --vm needs kernels (e.g. 5.10,sid)" >&2; exit 2; }
		vm_kernels=$2
		shift
		;;
	--unit) do_unit=1; do_tools=0; do_san=0 ;;
	--tools) do_unit=0; do_tools=1; do_san=0 ;;
	--san) do_unit=0; do_tools=0; do_san=1 ;;
	--no-san) do_san=0 ;;
	-k)
		[ $# -ge 2 ] || { echo "run.sh: -k needs a pattern" >&2; exit 2; }
		pattern=$2
		shift
		;;
	-h | --help)
		sed -n '3,27s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "run.sh: unknown option '$1' (see --help)" >&2
		exit 2
		;;
	esac
	shift
done

# Both are taken relative to where run.sh was started, then everything runs from the top.
OUTPUT=$(abspath "${OUTPUT:-.output}")
KSCOPE=$(abspath "${KSCOPE:-./kscope}")
cd "$top" || exit 2
KS_TOP=$top
KS_HELPERS=$OUTPUT/tests/helpers
export OUTPUT KSCOPE KS_TOP KS_HELPERS

npass=0
nfail=0
nskip=0
# Artifacts of failed tests; elsewhere when the tree is not ours to write (e.g. not root).
outdir=${KS_OUTDIR:-$top/tests/out}
# Emptied, but a `make vmtest`'s results (tests/vmtest.sh writes them to vmtest/ here) stay
# unless this run makes new ones.
for _f in "$outdir"/* "$outdir"/.[!.]*; do
	[ -e "$_f" ] || continue
	[ "${_f##*/}" = vmtest ] && [ -z "$vm_kernels" ] && continue
	rm -rf "$_f" 2>/dev/null
done
if ! mkdir -p "$outdir" 2>/dev/null || [ ! -w "$outdir" ]; then
	outdir=${TMPDIR:-/tmp}/kscope-tests-out.$(id -u)
	rm -rf "$outdir"
	mkdir -p "$outdir" || exit 2
fi
# What tests keep even when they pass (e.g. ks_svg_drawn's screenshots): artifacts/TEST/.
KS_ARTIFACTS=$outdir/artifacts
export KS_ARTIFACTS
work=$(mktemp -d "${TMPDIR:-/tmp}/kscope-run.XXXXXX") || exit 2
vm_pids=
san_hdir=
# vmtest.sh stops its guests on TERM
trap 'rm -rf "$work" ${san_hdir:+"$san_hdir"}; [ -z "$vm_pids" ] || kill -TERM $vm_pids 2>/dev/null; wait' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE

matches() {
	[ -z "$pattern" ] && return 0
	case $1 in
	*"$pattern"*) return 0 ;;
	esac
	return 1
}

report() { # STATUS NAME [REASON]
	case $1 in
	PASS) npass=$((npass + 1)); echo "PASS $2" ;;
	FAIL) nfail=$((nfail + 1)); echo "FAIL $2: ${3:-failed}" ;;
	SKIP) nskip=$((nskip + 1)); echo "SKIP $2: ${3:-skipped}" ;;
	esac
}

watchdog=$KS_HELPERS/watchdog
[ -x "$watchdog" ] || watchdog=

# Run "$@" with a timeout when the watchdog helper exists.
bounded() {
	_secs=$1
	shift
	if [ -n "$watchdog" ]; then
		"$watchdog" "$_secs" "$@"
	else
		"$@"
	fi
}

uid=$(id -u)
KS_ROOT=0
[ "$uid" = 0 ] && KS_ROOT=1
export KS_ROOT

# --- other kernels under qemu: started first, they run while the host's tests do -------

vm_res=$outdir/vmtest
vm_list=
vm_skip=
if [ -n "$vm_kernels" ]; then
	for _k in $(echo "$vm_kernels" | tr ',' ' '); do
		[ "$_k" = host ] || vm_list="$vm_list $_k" # the host's run is this one
	done
	if [ "$KS_ROOT" != 1 ]; then
		vm_skip="needs root (running as uid $uid)"
	else
		for _c in bash qemu-system-x86_64 busybox cpio; do
			command -v "$_c" >/dev/null 2>&1 ||
				{ vm_skip="no $_c (scripts/setup --vmtest installs what vmtest needs)"; break; }
		done
	fi
	if [ -z "$vm_skip" ] && [ -n "$vm_list" ]; then
		# shellcheck disable=SC2086 # the kernel list is words
		KSCOPE_VMTEST_OUT=$vm_res bash "$top/tests/vmtest.sh" ${pattern:+-k "$pattern"} $vm_list \
			>"$work/vm.out" 2>"$work/vm.err" </dev/null &
		vm_pids=$!
	fi
fi

# --- sanitizer reports -------------------------------------------------------------------

# In the sanitizer stage (san_on=1) every process of a test writes its ASan, LeakSanitizer or
# UBSan report to a file of its own in the test's san/ directory (log_path: not on stderr,
# where tests check kscope's messages): a report there fails the test whatever else it saw.
san_on=
san_env() { # DIR: the sanitizers' options for what runs next, reports into DIR
	mkdir -p "$1" && chmod 1777 "$1" # also for what a test runs as another user
	# halt_on_error: the first finding ends the process, so a report is never lost in a test
	# that goes on; detect_leaks: at exit, LSan's report is part of the run (see
	# tests/README.md); the UBSan build does not recover (-fno-sanitize-recover).
	ASAN_OPTIONS=log_path=$1/report:halt_on_error=1:detect_leaks=1:abort_on_error=0
	UBSAN_OPTIONS=log_path=$1/report:halt_on_error=1:print_stacktrace=1
	export ASAN_OPTIONS UBSAN_OPTIONS
}
# san_reported DIR: what the first report in DIR found, in one line (nothing: no report).
san_reported() {
	for _f in "$1"/report.*; do
		[ -f "$_f" ] || continue
		_sr=$(grep -m 1 -e '^SUMMARY: ' -e 'runtime error: ' "$_f" | cut -c1-300)
		printf 'sanitizer report (%s): %s\n' "${_f##*/}" "${_sr:-see the file}"
		return
	done
}
# san_print DIR: the reports in DIR, as comment lines of the suite's output (60 lines each).
san_print() {
	for _f in "$1"/report.*; do
		[ -f "$_f" ] && sed -n "1,60s|^|# ${_f##*/}: |p" "$_f"
	done
}

# --- unit tests ---------------------------------------------------------------------------

upfx= # san/ in the sanitizer stage
run_unit() {
	bin=$1
	base=${bin##*/}
	log=$work/unit-$base.log
	[ -z "$san_on" ] || san_env "$work/san-unit-$base"
	bounded 120 "$bin" >"$log" 2>"$log.err"
	rc=$?
	san_found=
	[ -z "$san_on" ] || san_found=$(san_reported "$work/san-unit-$base")
	nbad=0
	nseen=0
	while IFS= read -r line; do
		case $line in
		"ok "*)
			name=${upfx}unit/$base/${line#ok }
			matches "$name" || continue
			nseen=$((nseen + 1))
			report PASS "$name"
			;;
		"skip "*)
			rest=${line#skip }
			tcase=${rest%%: *}
			name=${upfx}unit/$base/$tcase
			matches "$name" || continue
			nseen=$((nseen + 1))
			reason=${rest#"$tcase"}
			report SKIP "$name" "${reason#: }"
			;;
		"not ok "*)
			rest=${line#not ok }
			tcase=${rest%%: *}
			reason=${rest#"$tcase"}
			reason=${reason#: }
			name=${upfx}unit/$base/$tcase
			matches "$name" || continue
			nseen=$((nseen + 1))
			nbad=$((nbad + 1))
			report FAIL "$name" "${reason:-failed}"
			;;
		esac
	done <"$log"
	if { [ "$rc" -ne 0 ] || [ -n "$san_found" ]; } && [ "$nbad" -eq 0 ] &&
		{ [ "$nseen" -gt 0 ] || matches "${upfx}unit/$base"; }; then
		if [ -n "$san_found" ]; then
			report FAIL "${upfx}unit/$base" "$san_found"
		elif [ "$rc" -eq 124 ]; then
			report FAIL "${upfx}unit/$base" "timed out"
		else
			report FAIL "${upfx}unit/$base" "exited with status $rc after $nseen cases"
		fi
		nbad=1
	fi
	if [ "$nbad" -gt 0 ]; then
		mkdir -p "$outdir/${upfx}unit"
		cat "$log" "$log.err" >"$outdir/${upfx}unit/$base.log"
		if [ -n "$san_on" ]; then
			san_print "$work/san-unit-$base"
			cp -R "$work/san-unit-$base" "$outdir/${upfx}unit/$base.san" 2>/dev/null
		fi
	fi
}

if [ "$do_unit" = 1 ]; then
	found=0
	for bin in "$OUTPUT"/tests/unit/*; do
		[ -f "$bin" ] && [ -x "$bin" ] || continue
		found=1
		run_unit "$bin"
	done
	if [ "$found" = 0 ] && [ -z "$pattern" ]; then
		report FAIL unit "no unit test binaries in $OUTPUT/tests/unit (make OUTPUT=... unit-bins)"
	fi
fi

# --- tool tests ---------------------------------------------------------------------------

run_tool_test() { # FILE NEEDS_ROOT TIMEOUT NAME COMMAND [RETRY [RUNS]]
	file=$1 needroot=$2 secs=$3 name=$4 cmd=$5 again=${6:-} runs=${7:-1}
	if [ "$needroot" = 1 ] && [ "$KS_ROOT" != 1 ]; then
		report SKIP "$name" "needs root (running as uid $uid)"
		return
	fi
	tdir=$(mktemp -d "${TMPDIR:-/tmp}/kscope-test.XXXXXX") || {
		report FAIL "$name" "cannot make a temporary directory"
		return
	}
	chmod 755 "$tdir"
	KS_TMP=$tdir
	KS_NAME=$name
	export KS_TMP KS_NAME
	[ -z "$san_on" ] || san_env "$tdir/san"
	bounded "$secs" sh -c '. "$1"; ks_main "$2" "$3"' sh \
		"$top/tests/lib.sh" "$file" "$cmd" >"$tdir/test.log" 2>&1 </dev/null
	rc=$?
	# loop devices a test killed on timeout could not detach itself (lib.sh ks_loop_new)
	[ -f "$tdir/.loops" ] && KS_TMP=$tdir sh -c '. "$1"; _ks_loops_detach' sh "$top/tests/lib.sh" \
		>>"$tdir/test.log" 2>&1 </dev/null
	# and network namespaces (lib.sh ks_netns_new)
	[ -f "$tdir/.netns" ] && KS_TMP=$tdir sh -c '. "$1"; _ks_netns_cleanup' sh "$top/tests/lib.sh" \
		>>"$tdir/test.log" 2>&1 </dev/null
	san_found=
	[ -z "$san_on" ] || san_found=$(san_reported "$tdir/san")
	result=
	[ -s "$tdir/result" ] && result=$(cat "$tdir/result")
	status=${result%% *}
	reason=
	case $result in
	*" "*) reason=${result#* } ;;
	esac
	if [ "$rc" -eq 124 ]; then
		status=FAIL
		reason="timed out after $secs s${reason:+ ($reason)}"
	elif [ "$rc" -eq 123 ] && [ "$status" != FAIL ]; then
		status=FAIL
		reason="left processes running (the watchdog killed them)"
	elif [ -z "$status" ]; then
		if [ "$rc" -eq 0 ]; then
			status=PASS
		else
			status=FAIL
			reason="exited with status $rc: $(grep -v '^#' "$tdir/test.log" | tail -n 1 | cut -c1-300)"
		fi
	fi
	# whatever the test concluded: the sanitizers' finding is the cause to look at first
	if [ -n "$san_found" ]; then
		[ "$status" = FAIL ] && echo "# $name: the test itself said: $reason"
		status=FAIL
		reason=$san_found
		san_print "$tdir/san"
	fi
	# A failure the kernel may explain (it skipped runs of kscope's programs: lib.sh fail)
	# gets up to two more runs; the last decides. A tracing program never runs nested on a
	# CPU: one interrupted (an IRQ whose exit runs softirqs: the network stack) skips the
	# programs its softirq would run. Rare on hardware; in emulated guests under load a
	# program runs long enough for a few skips in a test's hundred state changes.
	if [ "$status" = FAIL ] && [ "$runs" -lt 3 ]; then
		case $reason in
		*"[the kernel skipped "*)
			rm -rf "$tdir"
			run_tool_test "$file" "$needroot" "$secs" "$name" "$cmd" \
				"${again:+$again; }$reason" $((runs + 1))
			return
			;;
		esac
	fi
	[ -n "$again" ] && echo "# $name: run again, the first run(s) failed: $again"
	report "$status" "$name" "$reason"
	if [ "$status" = FAIL ]; then
		mkdir -p "$outdir/$name"
		cp -R "$tdir/." "$outdir/$name/" 2>/dev/null
	fi
	rm -rf "$tdir"
}

# kscope's view of this kernel, once for all tests (they skip what can't work)
KS_FEATURES=
if [ "$KS_ROOT" = 1 ] && [ "$do_tools$do_san" != 00 ] &&
	"$KSCOPE" features --json >"$work/features.json" 2>/dev/null; then
	KS_FEATURES=$work/features.json
fi
export KS_FEATURES

# run_tool_files PREFIX: the tests of tests/tools/*.sh, named PREFIX + their name; with the
# prefix san/, only those san_picked chooses.
run_tool_files() {
	for file in "$top"/tests/tools/*.sh; do
		[ -f "$file" ] || continue
		list=$work/list
		: >"$list"
		if ! KS_MODE=list KS_LIST=$list KS_TMP=$work sh -c '. "$1"; . "$2"' sh \
			"$top/tests/lib.sh" "$file" >"$work/list.log" 2>&1; then
			report FAIL "$1tools/${file##*/}" "cannot list its tests: $(tail -n 1 "$work/list.log")"
			continue
		fi
		while read -r needroot secs name cmd; do
			matches "$1$name" || continue
			[ -z "$1" ] || san_picked "$name" || continue
			run_tool_test "$file" "$needroot" "$secs" "$1$name" "$cmd" </dev/null
		done <"$list"
	done
}

if [ "$do_tools" = 1 ]; then
	if [ ! -x "$KS_HELPERS/jsonq" ] || [ ! -x "$KS_HELPERS/workload" ]; then
		report FAIL tools "test helpers not built in $KS_HELPERS (make OUTPUT=... helpers)"
	elif [ ! -x "$KSCOPE" ]; then
		report FAIL tools "$KSCOPE not found or not executable (make kscope)"
	else
		run_tool_files ""
	fi
fi

# --- the sanitizer stage -------------------------------------------------------------------

# The unit tests, and the tool tests below, again with the ASan + UBSan build (`make sanitize`):
# kscope, the unit tests and jsonq; the workload helpers stay as they are. All the tool tests
# take about 7 minutes so (on 2 cores); these, about 3, reach nearly all of kscope's code:
# every tool's main tests and attach choice (attach/best), the language (compile, run, maps,
# printf, strings, uprobes, USDT, errors), stacks symbolized into folded, JSON and SVG
# output, histograms, BTF minimization, cgroups, features, jsonq's own tests, option errors
# and signals, the block tools. Left out: variants of the same code path (attach/*, each tool's generated
# smoke tests), bpftrace comparisons beyond two, and what takes long for little more code.
san_tests='
trace/count trace/printf trace/aggregations trace/hist trace/begin_end trace/interval
trace/vars_if trace/loops trace/strings trace/json trace/cmd trace/sigint trace/profile
trace/uprobe trace/usdt trace/rawtracepoint trace/file_params trace/equal_keys trace/bad_*
trace/no_* trace/kprobe* trace/kfunc trace/dump trace/verifier_rejects
trace/bpftrace/aggregations trace/bpftrace/hist
lang_probes/* attach/best/* btf/verify btf/cache_dir btf/corrupt_cache btf/opensnoop/no_btf
features/* cgroup/* jsonq/* kscope/* flamegraph/*
profile/* offcputime/* runqlat/threads runqlat/text runqlat/interval runqlat/process
runqlat/cgroup runqlat/pidns runqlat/one_key syscount/*
opensnoop/json opensnoop/text opensnoop/text_options opensnoop/odd_path opensnoop/long_path
opensnoop/missing opensnoop/failed_only opensnoop/syscalls opensnoop/cgroup opensnoop/comm_long
opensnoop/uid opensnoop/tid opensnoop/forced_loss opensnoop/streaming opensnoop/epipe
execsnoop/json execsnoop/text execsnoop/failed execsnoop/max_args execsnoop/long_args
execsnoop/odd_args execsnoop/cgroup execsnoop/comm exitsnoop/* sigsnoop/kill sigsnoop/tkill
sigsnoop/pidfd sigsnoop/generated sigsnoop/text softirqs/net_rx softirqs/dist softirqs/text
hardirqs/names hardirqs/dist runqlen/* runqslower/spinners runqslower/text
runqslower/threshold wakeuptime/* cpudist/oncpu cpudist/offcpu cpudist/process
badinput/opensnoop/* badinput/syscount/* exit/syscount/* exit/profile/*
hostile/* output/* trace_contract/json_errors trace_contract/long_line
trace_contract/cmd_* trace_contract/exit_codes trace_contract/verifier_reason
trace_contract/output_errors bcc/opensnoop_n_contains bcc/execsnoop_t bcc/profile_d_duration
biolatency/disk biolatency/submitter biolatency/text biolatency/bad_disk biosnoop/exact
biosnoop/text bitesize/buckets biopattern/shuffled biopattern/text
'
# KS_SAN_TESTS='PATTERN...' runs other tool tests in the stage ('*': all, about 7 minutes).
san_tests=${KS_SAN_TESTS:-$san_tests}
san_picked() { # NAME
	set -f
	for _p in $san_tests; do
		# shellcheck disable=SC2254 # the entries are patterns
		case $1 in
		$_p) set +f; return 0 ;;
		esac
	done
	set +f
	return 1
}

SAN=$OUTPUT/san
if [ "$do_san" = 1 ]; then
	san_on=1
	upfx=san/
	if [ ! -x "$SAN/kscope" ] || [ ! -x "$SAN/tests/helpers/jsonq" ]; then
		matches san/ &&
			report SKIP san "no sanitizer build in $SAN (make OUTPUT=... sanitize builds it)"
	else
		for bin in "$SAN"/tests/unit/*; do
			[ -f "$bin" ] && [ -x "$bin" ] && run_unit "$bin"
		done
		if [ "$KS_ROOT" != 1 ]; then
			matches san/ && report SKIP san/tools "needs root (running as uid $uid)"
		elif [ ! -x "$KS_HELPERS/workload" ]; then
			report FAIL san/tools "test helpers not built in $KS_HELPERS (make OUTPUT=... helpers)"
		else
			# the helpers as they are, but jsonq's sanitized build; not in $work, which tests'
			# other users (asuser) cannot enter
			san_hdir=$(mktemp -d "${TMPDIR:-/tmp}/kscope-san.XXXXXX") && chmod 755 "$san_hdir" || {
				report FAIL san/tools "cannot make a temporary directory"
				san_hdir=
			}
			if [ -n "$san_hdir" ]; then
				for _h in "$KS_HELPERS"/*; do
					ln -s "$_h" "$san_hdir/${_h##*/}"
				done
				ln -sf "$SAN/tests/helpers/jsonq" "$san_hdir/jsonq"
				san_k=$KSCOPE san_h=$KS_HELPERS
				KSCOPE=$SAN/kscope KS_HELPERS=$san_hdir
				run_tool_files san/
				KSCOPE=$san_k KS_HELPERS=$san_h
			fi
		fi
	fi
	san_on=
	upfx=
	unset ASAN_OPTIONS UBSAN_OPTIONS
fi

# --- other kernels' results --------------------------------------------------------------

# The runner's lines of one guest, renamed vm/KERNEL/TEST; then vm/KERNEL itself: the guest
# booted, ran the suite to its end and reported.
vm_fold() { # KERNEL
	_d=$vm_res/$1
	: >"$work/vm.run"
	if [ -s "$_d/run.log" ]; then
		tr -d '\r' <"$_d/run.log" >"$work/vm.run"
		while IFS= read -r line; do
			case $line in
			"PASS "*) report PASS "vm/$1/${line#PASS }" ;;
			"# "*) echo "# vm/$1/${line#\# }" ;;
			"FAIL "* | "SKIP "*)
				_st=${line%% *}
				_rest=${line#* }
				report "$_st" "vm/$1/${_rest%%: *}" "${_rest#*: }"
				;;
			esac
		done <"$work/vm.run"
	fi
	_state=$(cat "$_d/state" 2>/dev/null)
	case $_state in
	boot-ok)
		if grep -q -E '^[0-9]+ passed, [0-9]+ failed' "$work/vm.run"; then
			report PASS "vm/$1"
		else
			report FAIL "vm/$1" "the guest reported no summary line"
		fi
		;;
	'')
		report FAIL "vm/$1" "no result: $(grep -e "vmtest: $1:" -e 'vmtest: [^0-9]' "$work/vm.err" | tail -n 1)"
		;;
	no-kernel)
		report FAIL "vm/$1" "no kernel: $(grep "vmtest: $1:" "$work/vm.err" | tail -n 1)"
		;;
	*)
		report FAIL "vm/$1" "guest $_state (boot $(cat "$_d/boot" 2>/dev/null)): $(cat "$_d/reason" 2>/dev/null) (console: $_d/console.log)"
		;;
	esac
}

# A guest that goes wrong on purpose: vmtest.sh must say what happened, in bounded time.
# vm_broken NAME KERNEL EXPECT-STATE EXPECT-BOOT EXPECT-TEXT [VAR=VALUE...] starts one,
# vm_broken_check NAME waits for it and reports vm/broken/NAME.
vm_broken() {
	_n=$1 _k=$2
	printf '%s\n' "$_k" "$3" "$4" "$5" >"$work/vm-$_n.want"
	shift 5
	mkdir -p "$vm_res-$_n"
	env KSCOPE_VMTEST_OUT="$vm_res-$_n" KSCOPE_VMTEST_LIST_AGE=never "$@" \
		bash "$top/tests/vmtest.sh" -k vmtest-no-such-test "$_k" \
		>"$work/vm-$_n.out" 2>"$work/vm-$_n.err" </dev/null &
	echo $! >"$work/vm-$_n.pid"
}
vm_broken_check() { # NAME
	_n=$1
	{ read -r _k; read -r _want; read -r _boot; read -r _text; } <"$work/vm-$_n.want"
	wait "$(cat "$work/vm-$_n.pid")"
	_rc=$?
	_line=$(awk -F '\t' -v k="$_k" '$1 == k' "$vm_res-$_n/summary.tsv" 2>/dev/null)
	_st=$(printf '%s\n' "$_line" | cut -f 3)
	_bt=$(printf '%s\n' "$_line" | cut -f 4)
	if [ "$_rc" != 1 ]; then
		report FAIL "vm/broken/$_n" "vmtest.sh exited with $_rc, not 1: $(tail -n 1 "$work/vm-$_n.err")"
	elif [ "$_st $_bt" != "$_want $_boot" ]; then
		report FAIL "vm/broken/$_n" "reported as '$_st' (boot $_bt), expected '$_want' (boot $_boot)"
	elif ! grep -q -F "$_text" "$work/vm-$_n.out"; then
		report FAIL "vm/broken/$_n" "no '$_text' in the report: $(head -n 3 "$work/vm-$_n.out" | tr '\n' ' ')"
	elif ! grep -q '^   | ' "$work/vm-$_n.out"; then
		report FAIL "vm/broken/$_n" "no console tail in the report"
	else
		report PASS "vm/broken/$_n"
	fi
	rm -rf "$vm_res-$_n"
}

if [ -n "$vm_kernels" ]; then
	if [ -n "$vm_skip" ]; then
		report SKIP vm "$vm_skip"
	elif [ -n "$vm_list" ]; then
		wait "$vm_pids"
		vm_pids=
		sed -n '/^kernel /,/^$/{/^$/d; s/^/# /p; }' "$work/vm.out"
		for _k in $vm_list; do
			vm_fold "$_k"
		done
		# the first guest kernel that worked serves the broken guests (cached by now)
		vm_k=
		for _k in $vm_list; do
			[ "$(cat "$vm_res/$_k/state" 2>/dev/null)" = boot-ok ] && { vm_k=$_k; break; }
		done
		if [ -z "$vm_k" ]; then
			report SKIP vm/broken "no guest kernel booted"
		elif matches vm/broken; then
			vm_broken boot "$vm_k" panic failed "BOOT FAILURE" \
				KSCOPE_VMTEST_APPEND=rdinit=/nonexistent KSCOPE_VMTEST_BOOT_TIMEOUT=60
			vm_broken crash "$vm_k" panic ok "sysrq triggered crash" \
				"KSCOPE_VMTEST_GUEST_CMD=echo c >/proc/sysrq-trigger"
			vm_broken hang "$vm_k" timeout ok "no output for 15 s (hung)" \
				"KSCOPE_VMTEST_GUEST_CMD=sleep 100000" KSCOPE_VMTEST_STALL=15
			for _n in boot crash hang; do
				vm_broken_check "$_n"
			done
		fi
	fi
fi

summary="$npass passed, $nfail failed"
[ "$nskip" -gt 0 ] && summary="$summary, $nskip skipped"
echo "$summary"
[ "$nfail" -eq 0 ]
