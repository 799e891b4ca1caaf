# SPDX-License-Identifier: GPL-2.0-only
# execsnoop: a workload execs a known program with known arguments; exact events.

ks_test execsnoop/json t_ex_json
# Each variant: fentry, the syscalls' own tracepoints and kprobes (only the traced syscalls),
# tp_btf, raw_tp and the classic tracepoint on raw_syscalls (every syscall).
for _m in fentry tracepoint kprobe tp_btf raw_tp tracepoint,raw_syscalls; do
	ks_test "execsnoop/attach/$(echo "$_m" | tr , _)" t_ex_json "$_m"
done
ks_test execsnoop/text t_ex_text
ks_test execsnoop/failed t_ex_failed
ks_test execsnoop/max_args t_ex_max_args
ks_test execsnoop/long_args t_ex_long_args
ks_test execsnoop/odd_args t_ex_odd_args
ks_test execsnoop/cgroup t_ex_cgroup
ks_test execsnoop/uid t_ex_uid
ks_test execsnoop/comm t_ex_comm

ex_true() {
	TRUE=$(ks_which true) || skip "no 'true' program in PATH"
}

t_ex_json() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "${_m%%,*}"
	ex_true
	wl_start wl exec "$TRUE" "a b" "" "it's" 'q"x'
	_pid=$(ks_pid wl)
	_ppid=$(ks_ppid "$_pid")
	ks_trace_json ks wl execsnoop --json -p "$_pid" ${_m:+--attach "$_m"}
	expect_attach ks "${_m%%,*}"
	# the scope --attach METHOD gives: only the traced syscalls, or raw_syscalls (every one)
	case ${_m:-none} in fentry | kprobe | tracepoint) _s=per_syscall ;; none) _s= ;; *) _s=raw_syscalls ;; esac
	[ -z "$_s" ] || expect_eq "$(head -n 1 "$KS_TMP/ks.out" | "$H/jsonq" -g 'attach_detail.*' |
		"$H/jsonq" -g scope | sort -u)" "$_s" "scope of the hooks"
	expect_eq "$(ks_count ks type=event)" 1 "exec events of pid $_pid"
	expect_eq "$(ks_count ks type=event "pid=$_pid" "tid=$_pid" "ppid=$_ppid" uid=0 comm=true \
		"filename=$TRUE" "argv=[\"$TRUE\",\"a b\",\"\",\"it's\",\"q\\\"x\"]" truncated=false \
		ret=0 '!errno')" 1 "the exec event's fields"
	expect_eq "$(ks_count ks type=summary events=1 lost=0)" 1 "summary"
	pass
}

t_ex_text() {
	ex_true
	wl_start wl exec "$TRUE" "a b" "" "it's" plain
	_pid=$(ks_pid wl)
	_ppid=$(ks_ppid "$_pid")
	ks_start ks execsnoop -p "$_pid"
	ks_attached ks
	wl_run wl
	ks_stop ks
	expect_rc ks 0
	_o=$KS_TMP/ks.out
	head -n 1 "$_o" | grep -q '^PCOMM  *PID  *PPID  *RET  *ARGS$' || fail "header: $(ks_first_line "$_o")"
	expect_eq "$(ks_lines "$_o")" 2 "lines"
	_l=$(sed -n 2p "$_o")
	expect_eq "$(printf '%s\n' "$_l" | awk '{ print $1, $2, $3, $4 }')" "true $_pid $_ppid 0" "columns"
	_args=$(printf '%s' "$_l" | sed 's/^[^ ]*  *[0-9]*  *[0-9]*  *0 //')
	expect_eq "$_args" "$TRUE 'a b' '' 'it'\\''s' plain" "ARGS, quoted like a shell"
	expect_grep "$KS_TMP/ks.err" "1 events, 0 lost" "end message"
	pass
}

# A failed exec: seen with -x (ret -2, ENOENT), not without it.
t_ex_failed() {
	ks_cg_create f
	wl_start wl exec-fail "/nonexistent-$$/prog"
	ks_cg_move "$(ks_pid wl)" "$KS_CG"
	ks_start kx execsnoop --json -x -c "$KS_CG"
	ks_start k0 execsnoop --json -c "$KS_CG"
	ks_attached kx
	ks_attached k0
	wl_run wl
	ks_stop kx
	ks_stop k0
	expect_rc kx 0
	expect_rc k0 0
	ks_json_ok kx
	ks_json_ok k0
	expect_eq "$(ks_count kx type=event)" 1 "events with -x"
	expect_eq "$(ks_count kx type=event "pid=$(ks_pid wl)" comm=workload ret=-2 errno=ENOENT \
		"filename=/nonexistent-$$/prog" "argv=[\"/nonexistent-$$/prog\"]" truncated=false)" 1 \
		"the failed exec's fields"
	expect_eq "$(ks_count k0 type=event)" 0 "events without -x"
	pass
}

# --max-args 3 keeps argv[0..2] and marks the event truncated (" ..." in text).
t_ex_max_args() {
	ex_true
	wl_start wl exec "$TRUE" a b c d e
	_pid=$(ks_pid wl)
	ks_start ks execsnoop --json --max-args 3 -p "$_pid"
	ks_start kt execsnoop --max-args 3 -p "$_pid"
	ks_attached ks
	ks_attached kt
	wl_run wl
	ks_stop ks
	ks_stop kt
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event "argv=[\"$TRUE\",\"a\",\"b\"]" truncated=true)" 1 "argv cut to 3, truncated"
	expect_eq "$(sed -n 2p "$KS_TMP/kt.out" | sed 's/^.* 0 //')" "$TRUE a b ..." "text ARGS with ' ...'"
	pass
}

# More than 4 KiB of arguments: the first ones whole, the event marked truncated.
t_ex_long_args() {
	ex_true
	_x=$(awk 'BEGIN { for (i = 0; i < 1500; i++) printf "x" }')
	_y=$(awk 'BEGIN { for (i = 0; i < 1500; i++) printf "y" }')
	wl_start wl exec "$TRUE" "$_x" "$_y" "$_x" "$_y"
	_pid=$(ks_pid wl)
	ks_trace_json ks wl execsnoop --json -p "$_pid"
	expect_eq "$(ks_count ks type=event truncated=true "argv.0=$TRUE" "argv.1=$_x" "argv.2=$_y")" 1 \
		"long arguments: first ones whole, truncated"
	_len=$("$H/jsonq" -w type=event -g 'argv.3#' <"$KS_TMP/ks.out")
	[ -n "$_len" ] && [ "$_len" -lt 1500 ] || fail "argv.3 should be cut short, has ${_len:-no} bytes"
	expect_eq "$(ks_count ks type=event '!argv.4')" 1 "no argv.4"
	pass
}

# Arguments with a newline, a tab, an escape and an invalid byte: valid JSON, one text line.
t_ex_odd_args() {
	ex_true
	_a=$(printf 'new\nline')
	_b=$(printf 'tab\tesc\033[31m')
	_c=$(printf 'bad\377byte')
	wl_start wl exec "$TRUE" "$_a" "$_b" "$_c"
	_pid=$(ks_pid wl)
	ks_start ks execsnoop --json -p "$_pid"
	ks_start kt execsnoop -p "$_pid"
	ks_attached ks
	ks_attached kt
	wl_run wl
	ks_stop ks
	ks_stop kt
	ks_json_ok ks
	_cj=$(printf 'bad\357\277\275byte')
	expect_eq "$(ks_count ks type=event "argv.1=$_a" "argv.2=$_b" "argv.3=$_cj")" 1 "odd arguments in JSON"
	expect_eq "$(ks_lines "$KS_TMP/kt.out")" 2 "text lines (no forged lines)"
	expect_grep "$KS_TMP/kt.out" 'new\nline' "escaped newline"
	expect_grep "$KS_TMP/kt.out" 'bad\xffbyte' "escaped invalid byte"
	expect_grep "$KS_TMP/kt.out" '\x1b[31m' "escaped ESC"
	pass
}

# -c: three workloads inside the cgroup exec, one outside is not seen.
t_ex_cgroup() {
	ex_true
	ks_cg_create c
	for _w in a b c; do
		wl_start "$_w" exec "$TRUE" "$_w"
		ks_cg_move "$(ks_pid "$_w")" "$KS_CG"
	done
	wl_start out exec "$TRUE" out
	ks_start ks execsnoop --json -c "$KS_CG"
	ks_attached ks
	for _w in a b c out; do
		wl_run "$_w"
	done
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" 3 "execs in the cgroup"
	for _w in a b c; do
		expect_eq "$(ks_count ks type=event "pid=$(ks_pid "$_w")" "argv=[\"$TRUE\",\"$_w\"]")" 1 "exec of $_w"
	done
	pass
}

t_ex_uid() {
	ex_true
	wl_start_as 65534 65534 a exec "$TRUE" as-nobody
	wl_start b exec "$TRUE" as-root
	ks_start ks execsnoop --json -u 65534
	ks_attached ks
	wl_run a
	wl_run b
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event "argv.1=as-root")" 0 "root's exec with -u 65534"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid a)" uid=65534 "argv.1=as-nobody")" 1 "nobody's exec"
	pass
}

# -n matches the command name at the exec call; the event shows the new one.
t_ex_comm() {
	ex_true
	WORKLOAD_COMM=kse$$
	export WORKLOAD_COMM
	wl_start a exec "$TRUE" named
	unset WORKLOAD_COMM
	wl_start b exec "$TRUE" other
	ks_start ks execsnoop --json -n "kse$$"
	ks_attached ks
	wl_run a
	wl_run b
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" 1 "execs with -n kse$$"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid a)" comm=true "argv.1=named")" 1 "the named workload's exec"
	pass
}
