# SPDX-License-Identifier: GPL-2.0-only
# The attach method each hook gets by default is the best one this kernel offers for it.
# Hooks on single syscalls are ranked by what they cost other processes: fentry on the
# syscall's function, the syscall's own tracepoint, a kprobe on the function, then the
# raw_syscalls hooks that run for every syscall (tp_btf, raw_tp, tracepoint); other hooks
# take tp_btf, raw_tp, tracepoint in that order. What "offers" means comes from
# `kscope features --json` (real probes), so the same test expects fentry on kernels that
# allow it and the per-syscall tracepoint on those that refuse it (docs/attach.md).

# Lists are comma-separated: a test's arguments are single words.
SYSCALL_FN=fentry,tracepoint,kprobe,tp_btf,raw_tp # hooks on single syscalls
TRACEPOINT=tp_btf,raw_tp,tracepoint               # hooks on tracepoints only

ks_test attach/best/opensnoop t_best opensnoop open_enter,open_exit $SYSCALL_FN syscall
ks_test attach/best/execsnoop t_best execsnoop exec_enter,exec_exit $SYSCALL_FN syscall
ks_test attach/best/sigsnoop t_best sigsnoop sig_enter,sig_exit $SYSCALL_FN syscall
# --attach raw_syscalls: the same tools on the hooks that run for every syscall
ks_test attach/best/opensnoop_raw_syscalls t_best opensnoop,--attach,raw_syscalls \
	open_enter,open_exit $TRACEPOINT raw_syscalls
ks_test attach/best/sigsnoop_generated t_best sigsnoop,-g sig_gen $TRACEPOINT
ks_test attach/best/exitsnoop t_best exitsnoop task_exit $TRACEPOINT
# syscount counts every syscall: raw_syscalls by design
ks_test attach/best/syscount t_best syscount sys_exit $TRACEPOINT raw_syscalls
ks_test attach/best/syscount_latency t_best syscount,-L sys_enter,sys_exit $TRACEPOINT raw_syscalls
SCHED=tp_btf,raw_tp # scheduler hooks that read task pointers: no classic tracepoint variant
ks_test attach/best/profile t_best profile stack_exec $TRACEPOINT
ks_test attach/best/offcputime t_best offcputime sched_switch,stack_exec $SCHED
ks_test attach/best/wakeuptime t_best wakeuptime sched_switch,sched_waking,stack_exec $SCHED
ks_test attach/best/runqlat t_best runqlat switch,wakeup $SCHED
ks_test attach/best/runqslower t_best runqslower switch,wakeup $SCHED
ks_test attach/best/cpudist t_best cpudist switch $TRACEPOINT
ks_test attach/best/hardirqs t_best hardirqs irq_entry,irq_exit $TRACEPOINT
ks_test attach/best/softirqs t_best softirqs softirq_entry,softirq_exit $TRACEPOINT

# A per-syscall hook does not run for the syscalls it does not trace: counted with the
# kernel's BPF run statistics, not timed.
ks_test attach/bystander/opensnoop t_bystander opensnoop
ks_test attach/bystander/execsnoop t_bystander execsnoop
ks_test attach/bystander/sigsnoop t_bystander sigsnoop

# The first of METHODS that `kscope features` calls usable here (empty if none is), past
# any the meta line of run NAME (when given) reports as fallen back from for HOOK: a
# variant that loaded nowhere on this kernel (the verifier refused it) is not the best.
best_method() {
	for _bm in $(echo "$1" | tr ',' ' '); do
		if [ -n "${2:-}" ] && [ -n "$(head -n 1 "$KS_TMP/$2.out" |
			"$H/jsonq" -g "fallbacks.$3:$_bm" 2>/dev/null)" ]; then
			note "$3: $_bm fell back: $(head -n 1 "$KS_TMP/$2.out" | "$H/jsonq" -g "fallbacks.$3:$_bm")"
			continue
		fi
		if [ "$("$H/jsonq" -w type=feature -w "name=$_bm" -g ok <"$KS_TMP/.features")" = true ]; then
			echo "$_bm"
			return
		fi
	done
}

# The scope the meta line must give a hook that got METHOD: for SCOPE "syscall" (a hook on
# single syscalls), per_syscall unless METHOD is one of the raw_syscalls variants; for
# "raw_syscalls", raw_syscalls; none for other hooks.
want_scope() { # SCOPE METHOD
	case $1:$2 in
	syscall:tp_btf | syscall:raw_tp | raw_syscalls:*) echo raw_syscalls ;;
	syscall:*) echo per_syscall ;;
	esac
}

# t_best TOOL[,ARG...] HOOK[,HOOK...] METHOD[,METHOD...] [SCOPE]: every HOOK gets the best
# METHOD, and its attach_detail says so: the same method, its scope (want_scope), targets,
# and why.
t_best() {
	ks_features_json || skip "no 'kscope features --json' to know the usable methods"
	_want=$(best_method "$3")
	[ -n "$_want" ] || skip "none of $3 works here"
	# shellcheck disable=SC2046 # the tool and its arguments are words
	ks_run ks $(echo "$1" | tr ',' ' ') --json --duration 0.3
	expect_rc ks 0
	ks_json_ok ks
	head -n 1 "$KS_TMP/ks.out" >"$KS_TMP/meta"
	for _h in $(echo "$2" | tr ',' ' '); do
		_m=$(best_method "$3" ks "$_h")
		expect_eq "$("$H/jsonq" -g "attach.$_h" <"$KS_TMP/meta")" "$_m" "method of hook $_h"
		expect_eq "$("$H/jsonq" -g "attach_detail.$_h.method" <"$KS_TMP/meta")" "$_m" \
			"attach_detail.$_h.method"
		expect_eq "$("$H/jsonq" -g "attach_detail.$_h.scope" <"$KS_TMP/meta")" \
			"$(want_scope "${4:-}" "$_m")" "attach_detail.$_h.scope"
		[ "$("$H/jsonq" -g "attach_detail.$_h.targets#" <"$KS_TMP/meta")" -ge 1 ] ||
			fail "attach_detail.$_h has no targets: $(cat "$KS_TMP/meta")"
		[ -n "$("$H/jsonq" -g "attach_detail.$_h.why" <"$KS_TMP/meta")" ] ||
			fail "attach_detail.$_h does not say why: $(cat "$KS_TMP/meta")"
	done
	expect_eq "$("$H/jsonq" -g 'attach.*' <"$KS_TMP/meta" | wc -l | tr -d ' ')" \
		"$(echo "$2" | tr ',' '\n' | wc -l | tr -d ' ')" "hooks in the meta line"
	pass
}

# by_run SCOPE TOOL [ARG...]: N getppid calls by a workload while kscope TOOL ARGS runs,
# with every hook's scope SCOPE; _runs: the runs of TOOL's BPF programs meanwhile.
by_run() {
	_sc=$1
	shift
	wl_start "w$_sc" getppid "$_n"
	ks_start "k$_sc" "$@" --json -p "$(ks_pid "w$_sc")"
	ks_attached "k$_sc"
	_r0=$("$H/bpfruns" count "$(ks_pid "k$_sc")" | sed -n 's/^total //p')
	wl_run "w$_sc"
	_r1=$("$H/bpfruns" count "$(ks_pid "k$_sc")" | sed -n 's/^total //p')
	ks_stop "k$_sc"
	expect_rc "k$_sc" 0
	if [ -z "$_r0" ] || [ -z "$_r1" ]; then
		fail "bpfruns count of kscope $* failed"
	fi
	_runs=$((_r1 - _r0))
	expect_eq "$(head -n 1 "$KS_TMP/k$_sc.out" | "$H/jsonq" -g 'attach_detail.*' |
		"$H/jsonq" -g scope | sort -u)" "$_sc" "scope of every hook of kscope $*"
	note "$_sc: $_runs runs of $1's programs during $_n getppid calls"
}

# t_bystander TOOL: N getppid calls, which TOOL does not trace, while TOOL runs with its
# default choice (a per-syscall hook wherever fentry, a syscall tracepoint or a kprobe
# works) and, as the control, with --attach raw_syscalls; the kernel's run counts of TOOL's
# programs meanwhile. The control's hooks run on entry and exit of every getppid: at least
# N runs, plus the machine's other syscalls. The per-syscall hooks run only for the opens
# (execs, kills) the rest of the machine makes meanwhile: at least N runs fewer than the
# control, however busy the machine (a benchmark opening files flat out on the other CPU
# makes hundreds of thousands), where hooks that ran for every syscall would come out
# level with it. Counts, not times.
t_bystander() {
	ks_features_json || skip "no 'kscope features --json' to know the usable methods"
	[ -n "$(best_method fentry,tracepoint,kprobe)" ] ||
		skip "no per-syscall method (fentry, tracepoint, kprobe) works here"
	_n=$(ks_scaled 1000000 20000)
	ks_bg stats "$H/bpfruns" stats
	ks_wait_until 5 grep -qx on "$KS_TMP/stats.out" ||
		fail "BPF run statistics not on: $(ks_first_line "$KS_TMP/stats.err")"
	by_run per_syscall "$1"
	_per=$_runs
	by_run raw_syscalls "$1" --attach raw_syscalls
	_raw=$_runs
	ks_bg_kill stats
	[ "$_raw" -ge "$_n" ] ||
		fail "control: on raw_syscalls $1's hooks ran only $_raw times during $_n getppid calls (want >= $_n: is the count right?)"
	[ "$_per" -le $((_raw - _n)) ] ||
		fail "$1's per-syscall hooks ran $_per times during $_n getppid calls, the raw_syscalls ones $_raw (want at least $_n fewer)"
	pass
}
