# SPDX-License-Identifier: GPL-2.0-only
# BCC habits (docs/bcc.md): a BCC, libbpf-tools or bpftrace user's options either do what
# they do there or are refused with one line naming kscope's option; never taken with
# another meaning.

# Refused: exit 2, one line on stderr that names kscope's option, nothing on stdout.
for _c in profile_c profile_L profile_C profile_stack_storage_size offcputime_state \
	wakeuptime_v opensnoop_f opensnoop_F opensnoop_b execsnoop_l execsnoop_n_regex \
	exitsnoop_T exitsnoop_utc \
	sigsnoop_n sigsnoop_n_flag runqlen_f runqlen_Q cpudist_I cpudist_e hardirqs_d \
	hardirqs_c softirqs_d softirqs_c syscount_T syscount_i trace_d trace_f trace_o trace_q \
	biolatency_j biolatency_e tcpconnect_c tcpconnect_d tcpretrans_c tcpretrans_l tcprtt_P \
	tcprtt_a tcprtt_A; do
	ks_test -n -H "bcc/refused/$_c" t_refused "$_c"
done
ks_test bcc/profile_duration t_duration profile
ks_test bcc/offcputime_duration t_duration offcputime
ks_test bcc/wakeuptime_duration t_duration wakeuptime
ks_test bcc/profile_d_duration t_profile_d
ks_test bcc/profile_user_stacks t_profile_U
ks_test bcc/opensnoop_n_contains t_opensnoop_n
ks_test bcc/execsnoop_t t_execsnoop_t
ks_test bcc/execsnoop_ppid t_execsnoop_P
ks_test bcc/exitsnoop_t t_exitsnoop_t
ks_test bcc/sigsnoop_k t_sigsnoop_k
ks_test bcc/offcputime_u t_threads offcputime
ks_test bcc/wakeuptime_u t_threads wakeuptime
ks_test bcc/runqlen_T t_runqlen_T

# t_refused CASE: the command line of CASE is refused with a message holding its WANT.
t_refused() {
	case $1 in
	profile_c) set -- "-F HZ" profile -c 1000 ;;
	biolatency_j) set -- "--json" biolatency -j ;;
	biolatency_e) set -- "total_ns" biolatency -e ;;
	profile_L) set -- "-t TID" profile -L 1 ;;
	profile_C) set -- "-C is BCC's CPU filter" profile -C 0 ;;
	profile_stack_storage_size) set -- "--stack-storage N" profile --stack-storage-size 100 ;;
	offcputime_state) set -- "R, S and D" offcputime --state 2 ;;
	wakeuptime_v) set -- "--verbose" wakeuptime -v ;;
	opensnoop_f) set -- "-e shows the flags" opensnoop -f O_WRONLY ;;
	opensnoop_F) set -- "-F is BCC's full paths" opensnoop -F ;;
	opensnoop_b) set -- "-b is BCC's perf buffer size" opensnoop -b 64 ;;
	execsnoop_l) set -- "--json" execsnoop -l foo ;;
	execsnoop_n_regex) set -- "plain text" execsnoop -n '^bash$' ;;
	exitsnoop_T) set -- "--threads" exitsnoop -T ;;
	exitsnoop_utc) set -- "-t prints local time" exitsnoop --utc ;;
	sigsnoop_n) set -- "--comm" sigsnoop -n ;;
	sigsnoop_n_flag) set -- "--comm=-x" sigsnoop -n -x ;;
	runqlen_f) set -- "-F HZ" runqlen -f 99 ;;
	runqlen_Q) set -- "-C reports per CPU" runqlen -Q ;;
	cpudist_I) set -- "-I is BCC's idle-task time" cpudist -I ;;
	cpudist_e) set -- "total_ns" cpudist -e ;;
	hardirqs_d) set -- "-D (--dist)" hardirqs -d 1 ;;
	hardirqs_c) set -- "-c is BCC's CPU filter" hardirqs -c 0 ;;
	softirqs_d) set -- "-D (--dist)" softirqs -d 1 ;;
	softirqs_c) set -- "-c is BCC's CPU filter" softirqs -c 0 ;;
	syscount_T) set -- "--top N" syscount -T 5 ;;
	syscount_i) set -- "first argument" syscount -i 1 ;;
	trace_d) set -- "--duration SECONDS" trace -d -e 'BEGIN { exit(); }' ;;
	trace_f) set -- "--json" trace -f json -e 'BEGIN { exit(); }' ;;
	trace_o) set -- "redirect" trace -o out.txt -e 'BEGIN { exit(); }' ;;
	trace_q) set -- "stderr" trace -q -e 'BEGIN { exit(); }' ;;
	tcpconnect_c) set -- "--count" tcpconnect -c ;;
	tcpconnect_d) set -- "--duration" tcpconnect -d ;;
	tcpretrans_c) set -- "--count" tcpretrans -c ;;
	tcpretrans_l) set -- "reason tlp" tcpretrans -l ;;
	tcprtt_P) set -- "--rport" tcprtt -P 80 ;;
	tcprtt_a) set -- "--laddr" tcprtt -a 127.0.0.1 ;;
	tcprtt_A) set -- "--raddr" tcprtt -A 127.0.0.1 ;;
	*) fail "no case $1" ;;
	esac
	_want=$1
	shift
	ks_bg r "$KSCOPE" "$@"
	ks_bg_wait r "$KS_WAIT" || fail "kscope $* did not finish"
	expect_eq "$KS_RC" 2 "exit code of kscope $*"
	expect_one_line "$KS_TMP/r.err" "kscope $*"
	expect_grep "$KS_TMP/r.err" "$_want" "kscope $*: the message names kscope's option"
	expect_grep "$KS_TMP/r.err" "kscope: $1: " "kscope $*: the message names the tool"
	[ -s "$KS_TMP/r.out" ] && fail "stdout not empty: $(ks_first_line "$KS_TMP/r.out")"
	pass
}

# bcc_trace WORKLOADS ARGS...: kscope ARGS as run "ks", the workloads (names, space
# separated) run one after the other once it is attached; it must exit 0.
bcc_trace() {
	_wls=$1
	shift
	ks_start ks "$@"
	ks_attached ks
	for _wl in $_wls; do wl_run "$_wl"; done
	ks_stop ks
	expect_rc ks 0
}

# The end of run NAME's JSON output: its duration in ns.
bcc_duration_ns() { tail -n 1 "$KS_TMP/$1.out" | "$H/jsonq" -g duration_ns; }

# t_duration TOOL: BCC's "TOOL 1" traces for one second and ends by itself, exit 0.
t_duration() {
	ks_run ks "$1" --json 1
	expect_rc ks 0
	ks_json_ok ks
	_d=$(bcc_duration_ns ks)
	[ -n "$_d" ] && [ "$_d" -ge 900000000 ] && [ "$_d" -lt 30000000000 ] ||
		fail "$1 1: duration_ns $_d"
	pass
}

# "profile -d 1": -d is BCC's delimiter, 1 the duration: ends by itself.
t_profile_d() {
	ks_run ks profile -d -f 1
	expect_rc ks 0
	pass
}

# -U: BCC's user stacks only. A dd copying zeros spends its time in the kernel: its folded
# stacks have kernel frames (_[k]) without -U, none with it.
t_profile_U() {
	ks_bg d dd if=/dev/zero of=/dev/null bs=64k count=100000000
	ks_run a profile -f -p "$(ks_pid d)" 1
	ks_run b profile -U -f -p "$(ks_pid d)" 1
	ks_bg_kill d
	expect_rc a 0
	expect_rc b 0
	expect_grep "$KS_TMP/a.out" "_[k]" "kernel frames without -U"
	[ -s "$KS_TMP/b.out" ] || fail "no stacks with -U"
	grep -q '_\[k\]' "$KS_TMP/b.out" && fail "a kernel frame with -U: $(grep -m1 '_\[k\]' "$KS_TMP/b.out")"
	pass
}

# -n: names that contain the word, as BCC's opensnoop -n; an exact name still matches.
t_opensnoop_n() {
	D=$KS_TMP/files
	mkdir -p "$D" && chmod 755 "$D" || fail "cannot make $D"
	F=$D/target-$$
	: >"$F" && chmod 644 "$F" || fail "cannot make $F"
	_w=b$$c
	WORKLOAD_COMM=x${_w}y
	export WORKLOAD_COMM
	wl_start a open "$F" 7
	WORKLOAD_COMM=$_w
	wl_start b open "$F" 5
	WORKLOAD_COMM=xb$$
	wl_start c open "$F" 3
	unset WORKLOAD_COMM
	bcc_trace "a b c" opensnoop --json -n "$_w"
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event "path=$F")" 12 "opens of $F by names containing $_w"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid a)" "comm=x${_w}y" "path=$F")" 7 "x${_w}y's opens"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid b)" "comm=$_w" "path=$F")" 5 "$_w's opens"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid c)")" 0 "xb$$'s opens"
	pass
}

# true, for exec workloads
bcc_true() {
	TRUE=$(command -v true)
	case $TRUE in /*) ;; *) TRUE=/bin/true ;; esac
}

# execsnoop -t: BCC's seconds-since-start column, TIME(s); not a thread filter.
t_execsnoop_t() {
	bcc_true
	WORKLOAD_COMM=kbt$$
	export WORKLOAD_COMM
	wl_start a exec "$TRUE" bcc-t-$$
	unset WORKLOAD_COMM
	bcc_trace a execsnoop -t -n "kbt$$"
	expect_eq "$(head -n 1 "$KS_TMP/ks.out" | awk '{ print $1 }')" "TIME(s)" "first column's title"
	expect_eq "$(ks_lines "$KS_TMP/ks.out")" 2 "lines (header and one exec)"
	_l=$(grep -F "bcc-t-$$" "$KS_TMP/ks.out")
	echo "$_l" | grep -Eq "^[0-9]+\.[0-9]{3} +true +$(ks_pid a) " ||
		fail "exec line without seconds first: $_l"
	pass
}

# execsnoop -P PPID: BCC's parent filter.
t_execsnoop_P() {
	bcc_true
	wl_start a exec "$TRUE" bcc-p-$$
	_pp=$(awk '/^PPid:/ { print $2 }' "/proc/$(ks_pid a)/status")
	ks_trace_json ks a execsnoop --json -P "$_pp"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid a)" "ppid=$_pp" "argv.1=bcc-p-$$")" 1 "the exec"
	expect_eq "$(ks_count ks type=event "ppid!=$_pp")" 0 "execs of other parents"
	pass
}

# exitsnoop -t: BCC's time column (HH:MM:SS); not a thread filter.
t_exitsnoop_t() {
	wl_start a exit 3
	bcc_trace a exitsnoop -t -p "$(ks_pid a)"
	expect_eq "$(head -n 1 "$KS_TMP/ks.out" | awk '{ print $1 }')" "TIME" "first column's title"
	expect_eq "$(grep -Ec "^[0-9]{2}:[0-9]{2}:[0-9]{2} +workload +$(ks_pid a) " "$KS_TMP/ks.out")" 1 \
		"the exit, with its time"
	pass
}

# sigsnoop -k: libbpf-tools' kill(2) only; a tkill from the same kind of workload is left out.
t_sigsnoop_k() {
	wl_start a signal 15 kill
	wl_start b signal 15 tkill
	bcc_trace "a b" sigsnoop --json -k -n workload
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid a)" syscall=kill signal=15)" 1 "the kill"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid b)")" 0 "the tkill"
	expect_eq "$(ks_count ks type=event "syscall!=kill")" 0 "other syscalls"
	pass
}

# Is PID a kernel thread (kthreadd or its child)? Unknown (gone) counts as not.
bcc_kthread() {
	[ "$1" = 2 ] && return 0
	[ "$(awk '/^PPid:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" = 2 ]
}

# t_threads TOOL: -u (BCC: user threads only) leaves kernel threads out, -k (offcputime)
# keeps only them. The pids are those that blocked (offcputime) or slept (wakeuptime's
# target).
t_threads() {
	_sel=pid
	[ "$1" = wakeuptime ] && _sel=target.pid
	ks_run u "$1" --json -u 1
	expect_rc u 0
	ks_json_ok u
	"$H/jsonq" -w type=stacks -g 'stacks.*' <"$KS_TMP/u.out" | "$H/jsonq" -g "$_sel" |
		sort -u >"$KS_TMP/u.pids"
	[ -s "$KS_TMP/u.pids" ] || fail "$1 -u: no stacks in a second"
	while read -r _p; do
		bcc_kthread "$_p" && fail "$1 -u: kernel thread $_p counted"
	done <"$KS_TMP/u.pids"
	if [ "$1" = offcputime ]; then
		ks_run k offcputime --json -k 1
		expect_rc k 0
		ks_json_ok k
		"$H/jsonq" -w type=stacks -g 'stacks.*' <"$KS_TMP/k.out" | "$H/jsonq" -g pid |
			sort -u >"$KS_TMP/k.pids"
		while read -r _p; do
			[ -d "/proc/$_p" ] || continue
			bcc_kthread "$_p" || fail "offcputime -k: user thread $_p counted"
		done <"$KS_TMP/k.pids"
	fi
	pass
}

# runqlen -T: the time above the report, as libbpf-tools' runqlen -T (a report at the end
# has none without it).
t_runqlen_T() {
	ks_run a runqlen -T --duration 0.5
	ks_run b runqlen --duration 0.5
	expect_rc a 0
	expect_rc b 0
	expect_eq "$(grep -Ec '^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]$' "$KS_TMP/a.out")" 1 "time lines with -T"
	expect_eq "$(grep -Ec '^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]$' "$KS_TMP/b.out")" 0 "time lines without"
	pass
}
