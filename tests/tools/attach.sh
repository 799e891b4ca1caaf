# SPDX-License-Identifier: GPL-2.0-only
# The attach method each hook gets by default is the best one this kernel offers for it:
# fentry, then kprobe, then tp_btf, raw_tp, tracepoint -- among the variants the tool has.
# What "offers" means comes from `kscope features --json` (real probes), so the same test
# expects fentry on kernels that allow it and tp_btf on those that refuse it.

# Lists are comma-separated: a test's arguments are single words.
SYSCALL_FN=fentry,kprobe,tp_btf,raw_tp,tracepoint # hooks on single syscalls
TRACEPOINT=tp_btf,raw_tp,tracepoint               # hooks on tracepoints only

ks_test attach/best/opensnoop t_best opensnoop open_enter,open_exit $SYSCALL_FN
ks_test attach/best/execsnoop t_best execsnoop exec_enter,exec_exit $SYSCALL_FN
ks_test attach/best/sigsnoop t_best sigsnoop sig_enter,sig_exit $SYSCALL_FN
ks_test attach/best/sigsnoop_generated t_best sigsnoop,-g sig_gen $TRACEPOINT
ks_test attach/best/exitsnoop t_best exitsnoop task_exit $TRACEPOINT
ks_test attach/best/syscount t_best syscount sys_exit $TRACEPOINT
ks_test attach/best/syscount_latency t_best syscount,-L sys_enter,sys_exit $TRACEPOINT
SCHED=tp_btf,raw_tp # scheduler hooks that read task pointers: no classic tracepoint variant
ks_test attach/best/profile t_best profile stack_exec $TRACEPOINT
ks_test attach/best/offcputime t_best offcputime sched_switch,stack_exec $SCHED
ks_test attach/best/wakeuptime t_best wakeuptime sched_switch,sched_waking,stack_exec $SCHED
ks_test attach/best/runqlat t_best runqlat switch,wakeup $SCHED
ks_test attach/best/runqslower t_best runqslower switch,wakeup $SCHED
ks_test attach/best/cpudist t_best cpudist switch $TRACEPOINT
ks_test attach/best/hardirqs t_best hardirqs irq_entry,irq_exit $TRACEPOINT
ks_test attach/best/softirqs t_best softirqs softirq_entry,softirq_exit $TRACEPOINT

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

# t_best TOOL[,ARG...] HOOK[,HOOK...] METHOD[,METHOD...]: every HOOK gets the best METHOD.
t_best() {
	ks_features_json || skip "no 'kscope features --json' to know the usable methods"
	_want=$(best_method "$3")
	[ -n "$_want" ] || skip "none of $3 works here"
	# shellcheck disable=SC2046 # the tool and its arguments are words
	ks_run ks $(echo "$1" | tr ',' ' ') --json -d 0.3
	expect_rc ks 0
	ks_json_ok ks
	for _h in $(echo "$2" | tr ',' ' '); do
		expect_eq "$(head -n 1 "$KS_TMP/ks.out" | "$H/jsonq" -g "attach.$_h")" \
			"$(best_method "$3" ks "$_h")" "method of hook $_h"
	done
	expect_eq "$(head -n 1 "$KS_TMP/ks.out" | "$H/jsonq" -g 'attach.*' | wc -l | tr -d ' ')" \
		"$(echo "$2" | tr ',' '\n' | wc -l | tr -d ' ')" "hooks in the meta line"
	pass
}
