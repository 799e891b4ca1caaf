# SPDX-License-Identifier: GPL-2.0-only
# sigsnoop: a workload forks a child and signals it through each syscall of the kill
# family; a kill of a missing pid fails with ESRCH. Exact events, filtered to the workload.

ks_test sigsnoop/kill t_sig_via kill
# Each variant: fentry, the syscalls' own tracepoints and kprobes (only the traced syscalls),
# tp_btf, raw_tp and the classic tracepoint on raw_syscalls (every syscall).
for _m in fentry tracepoint kprobe tp_btf raw_tp tracepoint,raw_syscalls; do
	ks_test "sigsnoop/attach/$(echo "$_m" | tr , _)" t_sig_via kill "$_m"
done
for _how in tkill tgkill sigqueue tgsigqueue pidfd; do
	ks_test "sigsnoop/$_how" t_sig_via "$_how"
done
ks_test sigsnoop/missing t_sig_missing
ks_test sigsnoop/failed_only t_sig_failed_only
ks_test sigsnoop/signal_filter t_sig_filter
ks_test sigsnoop/generated t_sig_generated
for _m in tp_btf raw_tp tracepoint; do
	ks_test "sigsnoop/generated/$_m" t_sig_generated "$_m"
done
ks_test sigsnoop/text t_sig_text

# t_sig_via HOW [METHOD]: SIGTERM to a child through syscall HOW, traced with -p.
t_sig_via() {
	_how=$1
	_m=${2:-}
	[ -z "$_m" ] || ks_method_works "${_m%%,*}"
	wl_start wl signal 15 "$_how"
	_pid=$(ks_pid wl)
	ks_trace_json ks wl sigsnoop --json -p "$_pid" ${_m:+--attach "$_m"}
	expect_attach ks "${_m%%,*}"
	# the scope --attach METHOD gives: only the traced syscalls, or raw_syscalls (every one)
	case ${_m:-none} in fentry | kprobe | tracepoint) _s=per_syscall ;; none) _s= ;; *) _s=raw_syscalls ;; esac
	[ -z "$_s" ] || expect_eq "$(head -n 1 "$KS_TMP/ks.out" | "$H/jsonq" -g 'attach_detail.*' |
		"$H/jsonq" -g scope | sort -u)" "$_s" "scope of the hooks"
	_c=$(sed -n 1p "$KS_TMP/wl.out")
	case $_how in
	kill) set -- syscall=kill "target_pid=$_c" '!target_tid' ;;
	tkill) set -- syscall=tkill "target_pid=$_c" "target_tid=$_c" ;;
	tgkill) set -- syscall=tgkill "target_pid=$_c" "target_tid=$_c" ;;
	sigqueue) set -- syscall=rt_sigqueueinfo "target_pid=$_c" '!target_tid' ;;
	tgsigqueue) set -- syscall=rt_tgsigqueueinfo "target_pid=$_c" "target_tid=$_c" ;;
	pidfd) set -- syscall=pidfd_send_signal "target_pidfd=$(sed -n 2p "$KS_TMP/wl.out")" '!target_pid' ;;
	esac
	expect_eq "$(ks_count ks type=event)" 1 "signals sent by pid $_pid"
	expect_eq "$(ks_count ks type=event "pid=$_pid" comm=workload signal=15 signal_name=SIGTERM \
		ret=0 '!errno' "$@")" 1 "the $_how event's fields ($*)"
	pass
}

t_sig_missing() {
	wl_start wl kill-missing
	_pid=$(ks_pid wl)
	ks_trace_json ks wl sigsnoop --json -p "$_pid"
	_t=$(sed -n 1p "$KS_TMP/wl.out")
	expect_eq "$(ks_count ks type=event)" 1 "kill calls"
	expect_eq "$(ks_count ks type=event syscall=kill "target_pid=$_t" signal=0 ret=-3 errno=ESRCH)" 1 \
		"kill of missing pid $_t: ESRCH"
	pass
}

# -x: in one cgroup, a failing kill and a working one; only the failure is shown.
t_sig_failed_only() {
	ks_cg_create x
	wl_start ok signal 15
	wl_start bad kill-missing
	ks_cg_move "$(ks_pid ok)" "$KS_CG"
	ks_cg_move "$(ks_pid bad)" "$KS_CG"
	ks_start ks sigsnoop --json -x -c "$KS_CG"
	ks_attached ks
	wl_run ok
	wl_run bad
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" 1 "failed sends"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid bad)" ret=-3 errno=ESRCH)" 1 "the failed kill"
	pass
}

# -s SIGUSR1: of two workloads sending SIGUSR1 and SIGTERM, only the first is shown.
t_sig_filter() {
	ks_cg_create s
	wl_start a signal 10
	wl_start b signal 15
	ks_cg_move "$(ks_pid a)" "$KS_CG"
	ks_cg_move "$(ks_pid b)" "$KS_CG"
	ks_start ks sigsnoop --json -s SIGUSR1 -c "$KS_CG"
	ks_start k2 sigsnoop --json -s 15 -c "$KS_CG"
	ks_attached ks
	ks_attached k2
	wl_run a
	wl_run b
	ks_stop ks
	ks_stop k2
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" 1 "events with -s SIGUSR1"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid a)" signal=10 signal_name=SIGUSR1)" 1 "SIGUSR1 event"
	expect_eq "$(ks_count k2 type=event)" 1 "events with -s 15"
	expect_eq "$(ks_count k2 type=event "pid=$(ks_pid b)" signal=15)" 1 "SIGTERM event"
	ks_run bad sigsnoop -s SIGBOGUS -d 1
	expect_rc bad 2
	expect_one_line "$KS_TMP/bad.err" "-s SIGBOGUS"
	pass
}

# -g: the signal the kernel generates for the child, sent from the workload.
t_sig_generated() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	wl_start wl signal 15
	_pid=$(ks_pid wl)
	_ppid=$(ks_ppid "$_pid")
	ks_trace_json ks wl sigsnoop --json -g -p "$_pid" ${_m:+--attach "$_m"}
	_c=$(sed -n 1p "$KS_TMP/wl.out")
	# SIGTERM for the child, and SIGCHLD for the workload's parent when it exits itself
	expect_eq "$(ks_count ks type=event)" 2 "generated signals"
	expect_eq "$(ks_count ks type=event "pid=$_pid" syscall=generated "target_pid=$_c" \
		"target_tid=$_c" target_comm=workload signal=15 signal_name=SIGTERM ret=0 \
		result=delivered)" 1 "the generated SIGTERM"
	expect_eq "$(ks_count ks type=event "pid=$_pid" syscall=generated "target_pid=$_ppid" \
		signal=17 signal_name=SIGCHLD)" 1 "the SIGCHLD for the workload's parent"
	pass
}

t_sig_text() {
	wl_start wl signal 15
	_pid=$(ks_pid wl)
	ks_start ks sigsnoop -p "$_pid"
	ks_attached ks
	wl_run wl
	ks_stop ks
	expect_rc ks 0
	_c=$(sed -n 1p "$KS_TMP/wl.out")
	_o=$KS_TMP/ks.out
	head -n 1 "$_o" | grep -q '^PID  *COMM  *SIG  *TPID  *SYSCALL  *RESULT$' ||
		fail "header: $(ks_first_line "$_o")"
	expect_eq "$(ks_lines "$_o")" 2 "lines"
	expect_eq "$(sed -n 2p "$_o" | awk '{ print $1, $2, $3, $4, $5, $6, NF }')" \
		"$_pid workload SIGTERM $_c kill 0 6" "the line"
	pass
}
