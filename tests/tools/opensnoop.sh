# SPDX-License-Identifier: GPL-2.0-only
# opensnoop against the real kernel: exact counts and fields for a workload that opens a
# unique path a known number of times, with every filter and attach method.

N=50

ks_test opensnoop/json t_os_json
# Each variant: fentry, the syscalls' own tracepoints and kprobes (only the traced syscalls),
# tp_btf, raw_tp and the classic tracepoint on raw_syscalls (every syscall).
for _m in fentry tracepoint kprobe tp_btf raw_tp tracepoint,raw_syscalls; do
	ks_test "opensnoop/attach/$(echo "$_m" | tr , _)" t_os_json "$_m"
done
ks_test opensnoop/common_fields t_os_common_fields
ks_test opensnoop/missing t_os_missing
ks_test opensnoop/failed_only t_os_failed_only
ks_test opensnoop/text t_os_text
ks_test opensnoop/text_options t_os_text_options
ks_test opensnoop/odd_path t_os_odd_path
ks_test opensnoop/long_path t_os_long_path
ks_test opensnoop/syscalls t_os_syscalls
ks_test opensnoop/cgroup t_os_cgroup
ks_test opensnoop/cgroup_relative t_os_cgroup_relative
ks_test opensnoop/comm t_os_comm
ks_test opensnoop/comm_long t_os_comm_long
ks_test opensnoop/uid t_os_uid
ks_test opensnoop/tid t_os_tid
ks_test opensnoop/accounting t_os_accounting
ks_test opensnoop/forced_loss t_os_forced_loss
ks_test opensnoop/streaming t_os_streaming
ks_test opensnoop/new_cgroup t_os_new_cgroup
ks_test opensnoop/epipe t_os_epipe

# A directory every user can read, and a fresh file in it: $D, $F.
os_files() {
	D=$KS_TMP/files
	mkdir -p "$D" && chmod 755 "$D" || fail "cannot make $D"
	F=$D/target-$$
	: >"$F" && chmod 644 "$F" || fail "cannot make $F"
}

# The events' tool fields, one line each, to compare with what the workload did.
os_fields() {
	"$H/jsonq" -w type=event -g syscall -g dfd -g path -g flags -g ret -g errno <"$KS_TMP/$1.out"
}

# N lines of the same text
repeat() {
	_i=0
	while [ "$_i" -lt "$1" ]; do
		printf '%s\n' "$2"
		_i=$((_i + 1))
	done
}

# The main test: N opens of a unique path, filtered by pid (and optionally one method).
t_os_json() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "${_m%%,*}"
	os_files
	wl_start wl open "$F" "$N"
	_pid=$(ks_pid wl)
	if [ -n "$_m" ]; then
		ks_start ks opensnoop --json -p "$_pid" --attach "$_m"
	else
		ks_start ks opensnoop --json -p "$_pid"
	fi
	ks_attached ks
	wl_run wl
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_attach ks "${_m%%,*}"
	# the scope --attach METHOD gives: only the traced syscalls, or raw_syscalls (every one)
	case ${_m:-none} in fentry | kprobe | tracepoint) _s=per_syscall ;; none) _s= ;; *) _s=raw_syscalls ;; esac
	[ -z "$_s" ] || expect_eq "$(head -n 1 "$KS_TMP/ks.out" | "$H/jsonq" -g 'attach_detail.*' |
		"$H/jsonq" -g scope | sort -u)" "$_s" "scope of the hooks"
	expect_eq "$(ks_count ks type=event)" "$N" "events of pid $_pid"
	expect_eq "$(ks_count ks type=event "path=$F")" "$N" "events for $F"
	expect_eq "$(ks_count ks type=event "pid=$_pid" "tid=$_pid" comm=workload uid=0 \
		syscall=openat dfd=-100 flags=524288 'ret>=0' '!errno' '!truncated')" "$N" \
		"events with pid, flags O_RDONLY|O_CLOEXEC, ret >= 0"
	expect_eq "$(ks_count ks type=summary events="$N" lost=0)" 1 "summary with $N events"
	# the same results whatever the method: the fd is always 3 (0-2 are open)
	os_fields ks >"$KS_TMP/fields"
	repeat "$N" "$(printf 'openat\t-100\t%s\t524288\t3\t' "$F")" >"$KS_TMP/expected"
	cmp -s "$KS_TMP/fields" "$KS_TMP/expected" ||
		fail "event fields differ from the workload's opens: $(diff "$KS_TMP/expected" "$KS_TMP/fields" 2>&1 | head -n 3 | tr '\n' ' ')"
	pass
}

# time_ns, ppid, uid, comm, cgroup_id and cgroup are right, not merely present.
t_os_common_fields() {
	os_files
	wl_start wl open "$F" 5
	_pid=$(ks_pid wl)
	_ppid=$(ks_ppid "$_pid")
	# the cgroup kscope names by default: v2, or v1 on hybrid hosts (docs/containers.md)
	ks_cg_named "$_pid"
	_cg=$KS_CGN_PATH
	[ -n "$_cg" ] || skip "no line for kscope's default cgroup hierarchy in /proc/$_pid/cgroup"
	_cgid=$(stat -c %i "$KS_CGN_DIR")
	_t0=$(ks_now)
	ks_start ks opensnoop --json -p "$_pid"
	ks_attached ks
	wl_run wl
	ks_stop ks
	_t1=$(($(ks_now) + 1))
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" 5 "events"
	expect_eq "$(ks_count ks type=event "ppid=$_ppid")" 5 "events with ppid $_ppid"
	expect_eq "$(ks_count ks type=event "cgroup=$_cg")" 5 "events with cgroup $_cg"
	expect_eq "$(ks_count ks type=event "cgroup_id=$_cgid")" 5 "events with cgroup_id $_cgid"
	expect_eq "$(ks_count ks type=event "time_ns>=${_t0}000000000" "time_ns<=${_t1}000000000")" 5 \
		"events with time_ns between $_t0 and $_t1 s (wall clock)"
	# and in order
	"$H/jsonq" -w type=event -g time_ns <"$KS_TMP/ks.out" >"$KS_TMP/times"
	sort -n "$KS_TMP/times" | cmp -s - "$KS_TMP/times" || fail "events not in time order"
	pass
}

t_os_missing() {
	os_files
	wl_start wl open-missing "$D/missing" "$N"
	_pid=$(ks_pid wl)
	ks_trace_json ks wl opensnoop --json -p "$_pid"
	expect_eq "$(ks_count ks type=event)" "$N" "events"
	expect_eq "$(ks_count ks type=event "path=$D/missing" ret=-2 errno=ENOENT)" "$N" \
		"events with ret -2 and errno ENOENT"
	pass
}

# -x: two workloads in one cgroup, one opening an existing file, one a missing one.
t_os_failed_only() {
	os_files
	ks_cg_create x
	wl_start ok open "$F" 10
	wl_start bad open-missing "$D/missing" 7
	ks_cg_move "$(ks_pid ok)" "$KS_CG"
	ks_cg_move "$(ks_pid bad)" "$KS_CG"
	ks_start ks opensnoop --json -x -c "$KS_CG"
	ks_attached ks
	wl_run ok
	wl_run bad
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event "path=$F")" 0 "successful opens with -x"
	expect_eq "$(ks_count ks type=event)" 7 "events with -x"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid bad)" ret=-2 errno=ENOENT)" 7 "failed opens"
	pass
}

t_os_text() {
	os_files
	wl_start wl open "$F" "$N"
	_pid=$(ks_pid wl)
	ks_start ks opensnoop -p "$_pid"
	ks_attached ks
	wl_run wl
	ks_stop ks
	expect_rc ks 0
	_o=$KS_TMP/ks.out
	head -n 1 "$_o" | grep -q '^PID  *COMM  *FD  *ERR  *PATH$' ||
		fail "header: $(ks_first_line "$_o")"
	expect_eq "$(ks_lines "$_o")" "$((N + 1))" "lines (header + one per open)"
	_good=$(awk -v pid="$_pid" -v f="$F" 'NR > 1 && $1 == pid && $2 == "workload" &&
		$3 == 3 && $4 == 0 && $5 == f && NF == 5' "$_o" | wc -l | tr -d ' ')
	expect_eq "$_good" "$N" "lines 'PID workload 3 0 PATH'"
	expect_grep "$KS_TMP/ks.err" "opensnoop: tracing, Ctrl-C to end" "start message"
	expect_grep "$KS_TMP/ks.err" "$N events, 0 lost" "end message"
	pass
}

# -T time column, -e flags column, -U uid column
t_os_text_options() {
	os_files
	wl_start wl open "$F" 3
	_pid=$(ks_pid wl)
	ks_start ks opensnoop -p "$_pid" -T -e -U
	ks_attached ks
	wl_run wl
	ks_stop ks
	expect_rc ks 0
	_o=$KS_TMP/ks.out
	head -n 1 "$_o" | grep -q '^TIME  *UID  *PID  *COMM  *FD  *ERR  *FLAGS  *PATH$' ||
		fail "header: $(ks_first_line "$_o")"
	_good=$(awk -v pid="$_pid" -v f="$F" 'NR > 1 && $1 ~ /^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]$/ &&
		$2 == 0 && $3 == pid && $4 == "workload" && $5 == 3 && $6 == 0 &&
		$7 == "O_RDONLY|O_CLOEXEC" && $8 == f' "$_o" | wc -l | tr -d ' ')
	expect_eq "$_good" 3 "lines 'HH:MM:SS 0 PID workload 3 0 O_RDONLY|O_CLOEXEC PATH'"
	pass
}

# A path with a quote, a newline and an invalid UTF-8 byte: valid JSON with \ufffd, and
# one escaped line in text mode.
t_os_odd_path() {
	os_files
	_p=$(printf '%s/q"u\nl\377z\\' "$D")
	: >"$_p" || fail "cannot create the odd file"
	wl_start wl open "$_p" 4
	_pid=$(ks_pid wl)
	ks_start ks opensnoop --json -p "$_pid"
	ks_start kt opensnoop -p "$_pid"
	ks_attached ks
	ks_attached kt
	wl_run wl
	ks_stop ks
	ks_stop kt
	expect_rc ks 0
	expect_rc kt 0
	ks_json_ok ks
	_want=$(printf '%s/q"u\nl\357\277\275z\\' "$D")
	expect_eq "$(ks_count ks type=event "path=$_want")" 4 "events with the path, \\ufffd for the bad byte"
	expect_eq "$(grep -c -F 'q\"u\nl\ufffdz\\"' "$KS_TMP/ks.out")" 4 "raw JSON escapes"
	expect_eq "$(ks_lines "$KS_TMP/kt.out")" 5 "text lines (header + 4: no forged lines)"
	expect_eq "$(grep -c -F 'q"u\nl\xffz\\' "$KS_TMP/kt.out")" 4 "text escapes"
	pass
}

# Paths up to 4095 bytes come out whole; longer ones fail (ENAMETOOLONG), marked truncated.
t_os_long_path() {
	os_files
	# 4095 bytes: $D/ then components of 100 'a's, padded to the exact length
	_p=$D/
	while [ ${#_p} -lt 3990 ]; do
		_p=${_p}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/
	done
	while [ ${#_p} -lt 4095 ]; do
		_p=${_p}b
	done
	_q=${_p}ccccc # 4100 bytes: too long
	wl_start a open-missing "$_p" 2
	wl_start b open-missing "$_q" 1
	ks_cg_create l
	ks_cg_move "$(ks_pid a)" "$KS_CG"
	ks_cg_move "$(ks_pid b)" "$KS_CG"
	ks_start ks opensnoop --json -c "$KS_CG"
	ks_attached ks
	wl_run a
	wl_go b # its open fails with ENAMETOOLONG, not ENOENT: the workload exits 1, fine
	ks_bg_wait b 10 || fail "workload b did not finish"
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid a)" "path=$_p" ret=-2 '!truncated')" 2 \
		"4095-byte path whole, not truncated"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid b)" ret=-36 errno=ENAMETOOLONG truncated=true 'path#=4096')" 1 \
		"4100-byte path: ENAMETOOLONG, first 4096 bytes kept, marked truncated"
	pass
}

# open and openat2 are named as such.
t_os_syscalls() {
	os_files
	wl_start a open-legacy "$F" 3
	wl_start b openat2 "$F" 4
	ks_cg_create s
	ks_cg_move "$(ks_pid a)" "$KS_CG"
	ks_cg_move "$(ks_pid b)" "$KS_CG"
	ks_start ks opensnoop --json -c "$KS_CG"
	ks_attached ks
	wl_run a
	wl_run b
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" 7 "events"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid a)" syscall=open dfd=-100 "path=$F" flags=524288 'ret>=0')" 3 "open() events"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid b)" syscall=openat2 dfd=-100 "path=$F" flags=524288 'ret>=0')" 4 "openat2() events"
	pass
}

# -c: only the workload moved into a private cgroup is seen; one outside is not.
os_cgroup() {
	os_files
	ks_cg_create c
	wl_start in open "$F" "$N"
	wl_start out open "$F" "$N"
	ks_cg_move "$(ks_pid in)" "$KS_CG"
	if [ "$1" = relative ]; then
		ks_start ks opensnoop --json -c "${KS_CG#"$(ks_cg2_root)"/}"
	else
		ks_start ks opensnoop --json -c "$KS_CG"
	fi
	ks_attached ks
	wl_run in
	wl_run out
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" "$N" "events in the cgroup"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid in)" "path=$F" "cgroup=/${KS_CG#"$(ks_cg2_root)"/}")" "$N" \
		"events of the workload inside, with its cgroup path"
	pass
}
t_os_cgroup() { os_cgroup absolute; }
t_os_cgroup_relative() { os_cgroup relative; }

# -n: a workload with a unique command name is seen, one with the default name is not.
t_os_comm() {
	os_files
	_c=kst$$
	WORKLOAD_COMM=$_c
	export WORKLOAD_COMM
	wl_start a open "$F" "$N"
	unset WORKLOAD_COMM
	wl_start b open "$F" "$N"
	ks_start ks opensnoop --json -n "$_c"
	ks_attached ks
	wl_run a
	wl_run b
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" "$N" "events with -n $_c"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid a)" "comm=$_c" "path=$F")" "$N" "events of $_c"
	pass
}

# -n with a name longer than 15 bytes matches the kernel's 15-byte command name.
t_os_comm_long() {
	os_files
	_c=ks$$-abcdefghijklmnopqrstuvwxyz
	_short=$(printf '%s' "$_c" | cut -c1-15)
	WORKLOAD_COMM=$_c
	export WORKLOAD_COMM
	wl_start a open "$F" 5
	unset WORKLOAD_COMM
	ks_trace_json ks a opensnoop --json -n "$_c"
	expect_eq "$(ks_count ks type=event)" 5 "events with -n $_c"
	expect_eq "$(ks_count ks type=event "comm=$_short" "pid=$(ks_pid a)")" 5 "events with comm $_short"
	pass
}

# -u: a workload running as uid 65534 is seen, one running as root is not.
t_os_uid() {
	os_files
	wl_start_as 65534 65534 a open "$F" "$N"
	wl_start b open "$F" "$N"
	ks_start ks opensnoop --json -u 65534
	ks_attached ks
	wl_run a
	wl_run b
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event "path=$F")" "$N" "events for $F with -u 65534"
	expect_eq "$(ks_count ks type=event "path=$F" "pid=$(ks_pid a)" uid=65534)" "$N" "events of the workload as 65534"
	expect_eq "$(ks_count ks type=event 'uid!=65534')" 0 "events of other users"
	pass
}

# -t: the main thread's id filters like -p for a single-threaded workload.
t_os_tid() {
	os_files
	wl_start a open "$F" 6
	wl_start b open "$F" 6
	ks_start ks opensnoop --json -t "$(ks_pid a)"
	ks_attached ks
	wl_run a
	wl_run b
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" 6 "events with -t"
	expect_eq "$(ks_count ks type=event "tid=$(ks_pid a)" "path=$F")" 6 "events of the thread"
	pass
}

# Many opens fast: every one is either printed or counted as lost, and lost ones are said.
t_os_accounting() {
	os_files
	_n=$(ks_scaled 200000)
	wl_start wl open "$F" "$_n"
	_pid=$(ks_pid wl)
	ks_start ks opensnoop --json -p "$_pid"
	ks_attached ks
	wl_go wl
	ks_bg_wait wl 60 || fail "workload did not finish"
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	_ev=$(tail -n 1 "$KS_TMP/ks.out" | "$H/jsonq" -g events)
	_lost=$(tail -n 1 "$KS_TMP/ks.out" | "$H/jsonq" -g lost)
	note "events $_ev, lost $_lost"
	expect_eq "$(ks_count ks type=event "path=$F")" "$_ev" "event lines vs summary events"
	expect_eq "$((_ev + _lost))" "$_n" "events + lost"
	if [ "$_lost" -gt 0 ]; then
		"$H/jsonq" -c -w type=warning -w 'message~lost' <"$KS_TMP/ks.err" | grep -qx 1 ||
			fail "$_lost events lost without a warning on stderr"
	fi
	pass
}

# A reader that can't keep up: kscope is stopped while the workload opens far more than the
# ring holds. Every event is either delivered or counted lost, and the loss is reported;
# the stalled reader is not woken once per event (the workload would crawl).
t_os_forced_loss() {
	os_files
	_n=$(ks_scaled 100000 40000) # always well over what the 2 MB ring holds (~16k)
	wl_start wl open "$F" "$_n"
	_pid=$(ks_pid wl)
	ks_start ks opensnoop --json -p "$_pid"
	ks_attached ks
	kill -STOP "$(ks_pid ks)" || fail "cannot stop kscope"
	wl_go wl
	ks_bg_wait wl 60 || { kill -CONT "$(ks_pid ks)"; fail "workload did not finish"; }
	kill -CONT "$(ks_pid ks)"
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	_ev=$(tail -n 1 "$KS_TMP/ks.out" | "$H/jsonq" -g events)
	_lost=$(tail -n 1 "$KS_TMP/ks.out" | "$H/jsonq" -g lost)
	note "events $_ev, lost $_lost"
	[ "$_lost" -gt 0 ] || fail "nothing lost: the ring buffer held $_n events?"
	expect_eq "$((_ev + _lost))" "$_n" "events + lost"
	expect_eq "$(ks_count ks type=event "path=$F")" "$_ev" "event lines vs summary events"
	"$H/jsonq" -c -w type=warning -w 'message~lost' <"$KS_TMP/ks.err" | grep -qx 1 ||
		fail "$_lost events lost without a warning on stderr"
	pass
}

_os_has_event() { grep -q -F "$F" "$KS_TMP/ks.out"; }

# Events come out while kscope runs (within the 100 ms drain period), not only at exit.
t_os_streaming() {
	os_files
	wl_start wl open "$F" 1
	ks_start ks opensnoop --json -p "$(ks_pid wl)"
	ks_attached ks
	wl_run wl
	ks_wait_until 2 _os_has_event || fail "the event was not printed within 2 s"
	ks_stop ks
	expect_rc ks 0
	expect_eq "$(ks_count ks type=event "path=$F")" 1 "events"
	pass
}

# The reader goes away (like | head -n 1): kscope stops by itself, exit 0, nothing left.
t_os_epipe() {
	os_files
	mkfifo "$KS_TMP/fifo" || skip "no mkfifo"
	wl_start wl open "$F" 100
	ks_bg head sh -c 'exec head -n 1 <"$1"' sh "$KS_TMP/fifo"
	ks_mark ks
	( "$KSCOPE" opensnoop --json -p "$(ks_pid wl)" >"$KS_TMP/fifo" 2>"$KS_TMP/ks.err" &
	  echo $! >"$KS_TMP/ks.pid"
	  wait $!
	  echo $? >"$KS_TMP/ks.rc" ) &
	echo ks >>"$KS_TMP/.bg"
	ks_bg_wait head 10 || fail "head did not get a line"
	wl_run wl
	ks_wait ks 10
	expect_rc ks 0
	[ -s "$KS_TMP/ks.err" ] && fail "stderr not quiet: $(ks_first_line "$KS_TMP/ks.err")"
	expect_eq "$(head -n 1 "$KS_TMP/head.out" | "$H/jsonq" -c -w type=meta)" 1 "the line head got"
	pass
}

# A cgroup made while kscope runs (a container started meanwhile) still gets its path.
t_os_new_cgroup() {
	os_files
	ks_cg_create p
	_p=$KS_CG
	mkdir "$_p/a" || fail "cannot make $_p/a"
	wl_start a open "$F" 3
	wl_start b open "$F" 4
	ks_cg_move "$(ks_pid a)" "$_p/a"
	ks_start ks opensnoop --json -c "$_p"
	ks_attached ks
	# early in a second, so that what follows happens within the same one
	ks_second_start
	wl_run a
	ks_wait_until 2 _os_has_event || fail "the first events were not printed within 2 s"
	# right after kscope has looked up the cgroups it saw
	mkdir "$_p/b" || fail "cannot make $_p/b"
	ks_cg_move "$(ks_pid b)" "$_p/b"
	wl_run b
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	_rel=/${_p#"$(ks_cg2_root)"/}
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid a)" "cgroup=$_rel/a")" 3 "events of a in $_rel/a"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid b)" "cgroup=$_rel/b")" 4 \
		"events of b in $_rel/b, made after kscope started (got: $("$H/jsonq" -w "pid=$(ks_pid b)" -g cgroup <"$KS_TMP/ks.out" | sort -u | tr '\n' ' '))"
	pass
}
