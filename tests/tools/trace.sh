# SPDX-License-Identifier: GPL-2.0-only
# trace: programs in bpftrace's language, compiled by kscope, against the workload helper.
# Every program is filtered to the workload's pid ($1); the expected outputs are bpftrace's
# (trace/bpftrace/* run Debian's bpftrace on the same programs where it is installed).

ks_test trace/count t_tr_count
ks_test trace/printf t_tr_printf
ks_test trace/aggregations t_tr_aggs
ks_test trace/hist t_tr_hist
ks_test trace/begin_end t_tr_begin_end
ks_test trace/interval t_tr_interval
ks_test trace/vars_if t_tr_vars_if
ks_test trace/loops t_tr_loops
ks_test trace/strings t_tr_strings
ks_test trace/json t_tr_json
ks_test trace/cmd t_tr_cmd
ks_test trace/sigint t_tr_sigint
ks_test trace/profile t_tr_profile
ks_test trace/uprobe t_tr_uprobe
ks_test trace/usdt t_tr_usdt
ks_test trace/rawtracepoint t_tr_rawtp
ks_test trace/file_params t_tr_file
ks_test trace/equal_keys t_tr_equal_keys
ks_test -H trace/bad_syntax t_tr_bad_syntax
ks_test -H trace/bad_field t_tr_bad_field
ks_test -H trace/no_probe t_tr_no_probe
ks_test trace/kprobe_refused t_tr_kprobe
ks_test trace/kprobe t_tr_kprobe_works kprobe
ks_test trace/kfunc t_tr_kprobe_works fentry
ks_test -H trace/dump t_tr_dump
ks_test -H trace/verifier_rejects t_tr_verifier
ks_test -t 90 trace/bpftrace/aggregations t_tr_bt_aggs
ks_test -t 90 trace/bpftrace/hist t_tr_bt_hist
for _i in 0 1 2 3 4; do
	ks_test -t 90 "trace/bpftrace/tutorial/$_i" t_tr_bt_tutorial "$_i"
done
ks_test -t 90 trace/bpftrace/uprobe t_tr_bt_uprobe
for _i in 0 1 2 3; do
	ks_test "trace/bpftrace/begin/$_i" t_tr_bt_begin "$_i"
done
ks_test -H trace/no_such_pid t_tr_no_such_pid

# tr_start NAME ARGS...: kscope trace ARGS in the background, waiting until it attached.
tr_start() {
	_tr_n=$1
	shift
	ks_start "$_tr_n" trace "$@"
	ks_wait_until 10 _tr_attached "$_tr_n" ||
		fail "$_tr_n: not attached after 10 s (stderr: $(ks_first_line "$KS_TMP/$_tr_n.err"))"
	if ks_done "$_tr_n"; then
		grep -q '^Attaching' "$KS_TMP/$_tr_n.err" ||
			fail "$_tr_n: exited with $(cat "$KS_TMP/$_tr_n.rc") before attaching: $(ks_first_line "$KS_TMP/$_tr_n.err")"
	fi
	return 0
}

_tr_attached() {
	ks_done "$1" || grep -q '^Attaching ' "$KS_TMP/$1.err" 2>/dev/null ||
		grep -q '"attached_probes"' "$KS_TMP/$1.out" 2>/dev/null
}

# expect_out NAME FILE: NAME's stdout is exactly FILE
expect_out() {
	cmp -s "$KS_TMP/$1.out" "$2" ||
		fail "$1: output differs from the expected: $(diff "$2" "$KS_TMP/$1.out" | head -n 8 | tr '\n' '|')"
}

t_tr_count() {
	wl_start w getppid 100
	tr_start ks -e 't:syscalls:sys_enter_getppid /pid == $1/ { @calls = count(); }' "$(ks_pid w)"
	wl_run w
	ks_stop ks
	expect_rc ks 0
	printf '\n\n@calls: 100\n' >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

t_tr_printf() {
	wl_start w open "$KS_TMP/tr-unique-path" 3
	: >"$KS_TMP/tr-unique-path"
	tr_start ks -e 'tracepoint:syscalls:sys_enter_openat /pid == $1/ {
		printf("%s opened %s flags %x\n", comm, str(args->filename), args->flags); }' "$(ks_pid w)"
	wl_run w
	ks_stop ks
	expect_rc ks 0
	for _i in 1 2 3; do
		printf 'workload opened %s flags 80000\n' "$KS_TMP/tr-unique-path"
	done >"$KS_TMP/want"
	printf '\n\n' >>"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

# The program of trace/aggregations and trace/bpftrace/aggregations.
TR_AGGS='tracepoint:syscalls:sys_enter_openat /pid == $1/ {
	@opens[comm, str(args->filename)] = count();
	@flags = sum(args->flags); @avg = avg(args->flags + 1); @lo = min(args->dfd);
	@hi = max(args->flags); @st = stats(args->flags);
	@by_dfd[args->dfd] = count();
}'

tr_aggs_want() { # PATH
	# as bpftrace prints them: avg and stats maps are followed by an empty line; syscall
	# arguments are unsigned 64-bit in the tracepoint's record, so dfd -100 (AT_FDCWD)
	# reads 4294967196
	printf '\n\n@avg: 524289\n\n@by_dfd[4294967196]: 4\n@flags: 2097152\n@hi: 524288\n'
	printf '@lo: 4294967196\n@opens[workload, %s]: 4\n' "$1"
	printf '@st: count 4, average 524288, total 2097152\n\n'
}

t_tr_aggs() {
	: >"$KS_TMP/tr-agg"
	wl_start w open "$KS_TMP/tr-agg" 4
	tr_start ks -e "$TR_AGGS" "$(ks_pid w)"
	wl_run w
	ks_stop ks
	expect_rc ks 0
	tr_aggs_want "$KS_TMP/tr-agg" >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

TR_HIST='tracepoint:syscalls:sys_enter_openat /pid == $1/ {
	@h = hist(args->flags); @l = lhist(tid - pid + 5, 0, 10, 1); @n = hist(0 - 3);
}'

tr_hist_want() {
	_bar='|@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|'
	# "@h: " has a space before its newline, as bpftrace prints it
	printf '\n\n@h: \n[512K, 1M)             6 %s\n\n' "$_bar"
	printf '@l: \n[5, 6)                 6 %s\n\n' "$_bar"
	printf '@n: \n(..., 0)               6 %s\n\n' "$_bar"
}

t_tr_hist() {
	: >"$KS_TMP/tr-hist"
	wl_start w open "$KS_TMP/tr-hist" 6
	tr_start ks -e "$TR_HIST" "$(ks_pid w)"
	wl_run w
	ks_stop ks
	expect_rc ks 0
	tr_hist_want >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

t_tr_begin_end() {
	ks_run ks trace -e 'BEGIN { printf("start %d\n", 41 + 1); @x = 7; exit(); }
		END { printf("end %d\n", @x * 2); }'
	expect_rc ks 0
	printf 'start 42\nend 14\n\n\n@x: 7\n' >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

t_tr_interval() {
	ks_run ks trace -e 'interval:ms:50 { @ticks++; if (@ticks == 3) { printf("three\n"); exit(); } }'
	expect_rc ks 0
	printf 'three\n\n\n@ticks: 3\n' >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

t_tr_vars_if() {
	wl_start w getppid 10
	tr_start ks -e 't:syscalls:sys_enter_getppid /pid == $1/ {
		$i = @n; @n = $i + 2;
		if ($i % 4 == 0) { @even++; } else if ($i % 4 == 2) { @odd++; } else { @never++; }
		@t = $i > 10 ? 1 : 0; $s = $i > 10 ? "big" : "small"; @last = $s; }' "$(ks_pid w)"
	wl_run w
	ks_stop ks
	expect_rc ks 0
	# @never was never assigned at run time: an empty map is an empty line, as in bpftrace
	printf '\n\n@even: 5\n@last: big\n@n: 20\n\n@odd: 5\n@t: 1\n' >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

t_tr_loops() {
	ks_run ks trace -e 'BEGIN { $i = 0; while ($i < 10) { $i++; if ($i == 8) { break; } @w += $i; }
		unroll(5) { @u++; } $j = 0; while ($j < 6) { $j++; if ($j % 2) { continue; } @even++; }
		exit(); }'
	expect_rc ks 0
	printf '\n\n@even: 3\n@u: 5\n@w: 28\n' >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

t_tr_strings() {
	wl_start w getppid 3
	tr_start ks -e 't:syscalls:sys_enter_getppid /pid == $1 && comm == "workload"/ {
		@[comm] = count(); if (comm != "nope") { @ne++; }
		if (strncmp(comm, "work", 4) == 0) { @prefix++; } $c = comm; @c[$c, pid == $1] = 1; }' \
		"$(ks_pid w)"
	wl_run w
	ks_stop ks
	expect_rc ks 0
	printf '\n\n@[workload]: 3\n@c[workload, 1]: 1\n@ne: 3\n@prefix: 3\n' >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

t_tr_json() {
	wl_start w getppid 5
	tr_start ks --json -e 't:syscalls:sys_enter_getppid /pid == $1/ { @c = count(); @k[comm] = count();
		printf("call %d\n", @c2++); }' "$(ks_pid w)"
	wl_run w
	ks_stop ks
	expect_rc ks 0
	"$H/jsonq" --check <"$KS_TMP/ks.out" || fail "invalid JSON lines"
	expect_eq "$("$H/jsonq" -w type=printf -c <"$KS_TMP/ks.out")" 5 "printf lines"
	expect_grep "$KS_TMP/ks.out" '{"type": "map", "data": {"@c": 5}}' "@c as bpftrace's JSON"
	expect_grep "$KS_TMP/ks.out" '{"type": "map", "data": {"@k": {"workload": 5}}}' "@k"
	expect_grep "$KS_TMP/ks.out" '{"type": "attached_probes", "data": {"probes": 1}}' "probes"
	pass
}

t_tr_cmd() {
	ks_run ks trace -c 'exit 7' -e 'tracepoint:syscalls:sys_enter_exit_group /pid == cpid/ {
		printf("code %d\n", args->error_code); }'
	expect_rc ks 0
	printf 'code 7\n\n\n' >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

t_tr_sigint() {
	tr_start ks -e 'interval:ms:10 { @n = 1; }'
	sleep 0.3
	ks_stop ks INT
	expect_rc ks 0
	printf '\n\n@n: 1\n' >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	tr_start ks2 -e 'interval:ms:10 { @n = 1; }'
	ks_stop ks2 TERM
	expect_rc ks2 0
	pass
}

t_tr_profile() {
	stk_start w burn 300 100 3
	tr_start ks -e 'profile:hz:99 /pid == $1/ { @samples = count(); @k[kstack(3)] = count();
		@u[ustack] = count(); }' "$(ks_pid w)"
	wl_run w
	ks_stop ks
	expect_rc ks 0
	_n=$(sed -n 's/^@samples: //p' "$KS_TMP/ks.out")
	note "samples: $_n"
	[ -n "$_n" ] && [ "$_n" -gt 0 ] || fail "no samples of the burning helper"
	# kstack(3): at most three frames a key
	_most=$(awk '/^@k\[$/ { n = 0; on = 1; next } on && /^\]:/ { if (n > m) m = n; on = 0; next }
		on { n++ } END { print m + 0 }' "$KS_TMP/ks.out")
	[ "$_most" -le 3 ] || fail "a kstack(3) key has $_most frames"
	# user stacks of stackload (frame pointers, symbols) name its functions, 4 spaces in
	grep -q '^    burn_a+[0-9]*$' "$KS_TMP/ks.out" || fail "no user stack through burn_a"
	grep -q '^    main+[0-9]*$' "$KS_TMP/ks.out" || fail "no user stack through main"
	pass
}

t_tr_file() {
	wl_start w getppid 4
	cat >"$KS_TMP/prog.bt" <<-'EOT'
	// a program from a file, with positional parameters
	tracepoint:syscalls:sys_enter_getppid
	/pid == $1/
	{
		@[$2] = count();
	}
	EOT
	tr_start ks "$KS_TMP/prog.bt" "$(ks_pid w)" label
	wl_run w
	ks_stop ks
	expect_rc ks 0
	printf '\n\n@[label]: 4\n' >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

# Equal values are equal keys, whatever bytes lie after a string's NUL. Two processes take
# the name "opener": a copy of the workload that sh execs once kscope is attached (the shape
# of the harness that found the bug: sh -c 'kill -STOP $$; exec "$@"', kscope, SIGCONT), and
# renamer, which goes abcdefghijklmno, opener, ABCDEFGHIJKLMNO, opener. The kernel's
# task_rename event copies newcomm without zeroing the rest of its char[16], and older
# kernels do the same with task->comm, which curtask->comm and sched_process_exit's comm
# copy; comm (bpf_get_current_comm) pads with zeros on 5.10 and 6.12+, but on 6.1 it stops
# at the NUL and leaves the buffer's earlier bytes (the 6.1 guest split comm keys until
# trace zeroed the slot first). The ?: branches differ in length.
# Not compared with bpftrace: Debian's bpftrace 0.17 splits @[comm, ... ? "fail" : "ok"]
# itself (it keys "ok" with bytes of its stack behind it).
t_tr_equal_keys() {
	cp "$H/workload" "$KS_TMP/opener" || fail "cannot copy the workload"
	ks_bg a sh -c 'kill -STOP $$; exec "$@"' sh "$KS_TMP/opener" getppid 3
	ks_wait_until 5 _tr_stopped "$(ks_pid a)" || fail "sh did not stop itself"
	ks_bg b "$H/renamer" abcdefghijklmno opener ABCDEFGHIJKLMNO opener
	_wl_ready b
	tr_start ks -e 'tracepoint:syscalls:sys_exit_getppid /pid == $1 || pid == $2/ {
		@[comm, args->ret < 0 ? "fail" : "ok"] = count();
		@task[curtask->comm, args->ret < 0 ? "fail" : "ok"] = count(); }
		tracepoint:task:task_rename /pid == $1 || pid == $2/ { @rename[args->newcomm] = count(); }
		tracepoint:sched:sched_process_exit /pid == $1 || pid == $2/ {
		@exit[args->comm] = count(); }' "$(ks_pid a)" "$(ks_pid b)"
	kill -CONT "$(ks_pid a)" || fail "cannot continue a"
	_wl_ready a
	wl_run a
	wl_run b
	ks_stop ks
	expect_rc ks 0
	cat >"$KS_TMP/want" <<-'EOT'


	@[abcdefghijklmno, ok]: 1
	@[ABCDEFGHIJKLMNO, ok]: 3
	@[opener, ok]: 9
	@exit[opener]: 2
	@rename[ABCDEFGHIJKLMNO]: 1
	@rename[abcdefghijklmno]: 1
	@rename[opener]: 3
	@task[abcdefghijklmno, ok]: 1
	@task[ABCDEFGHIJKLMNO, ok]: 3
	@task[opener, ok]: 9
	EOT
	expect_out ks "$KS_TMP/want"
	pass
}

# _tr_stopped PID: PID is stopped (by a signal)
_tr_stopped() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1 | grep -q T; }

t_tr_bad_syntax() {
	"$KSCOPE" trace -e 'BEGIN { @x = ; }' >"$KS_TMP/out" 2>"$KS_TMP/err"
	expect_eq "$?" 2 "exit code of a syntax error"
	expect_grep "$KS_TMP/err" '-e:1:14: error:' "position"
	expect_grep "$KS_TMP/err" 'BEGIN { @x = ; }' "the source line"
	expect_eq "$(sed -n 3p "$KS_TMP/err")" '             ^' "the caret"
	[ -s "$KS_TMP/out" ] && fail "output on a syntax error"
	pass
}

t_tr_bad_field() {
	"$KSCOPE" trace -e 'tracepoint:syscalls:sys_enter_openat { @[args.nosuchfield] = count(); }' \
		>"$KS_TMP/out" 2>"$KS_TMP/err"
	expect_eq "$?" 2 "exit code of an unknown field"
	expect_grep "$KS_TMP/err" "-e:1:46: error: tracepoint syscalls:sys_enter_openat has no field 'nosuchfield'" \
		"message"
	pass
}

t_tr_no_probe() {
	"$KSCOPE" trace -e 'tracepoint:nosuchcat:nosuchevent { exit(); }' >"$KS_TMP/out" 2>"$KS_TMP/err"
	expect_eq "$?" 2 "exit code of a missing tracepoint"
	expect_grep "$KS_TMP/err" "-e:1:1: error:" "position"
	expect_grep "$KS_TMP/err" "nosuchevent" "names the probe"
	pass
}

t_tr_kprobe() {
	ks_features_json || skip "no 'kscope features --json' to know whether kprobes work"
	[ "$("$H/jsonq" -w type=feature -w name=kprobe -g ok <"$KS_TMP/.features")" = false ] ||
		skip "kprobes work on this kernel: nothing to refuse"
	"$KSCOPE" trace -e 'kprobe:do_nanosleep { @ = count(); }' >"$KS_TMP/out" 2>"$KS_TMP/err"
	expect_eq "$?" 4 "exit code of a probe type the kernel lacks"
	expect_grep "$KS_TMP/err" "-e:1:1: error: " "position"
	expect_grep "$KS_TMP/err" "kprobe" "names the probe type"
	pass
}

t_tr_dump() {
	"$KSCOPE" trace --dump -e 'BEGIN { @x = count(); }' >"$KS_TMP/out" 2>"$KS_TMP/err" ||
		fail "--dump failed: $(ks_first_line "$KS_TMP/err")"
	expect_grep "$KS_TMP/out" '; 1: BEGIN { @x = count(); }' "source line"
	expect_grep "$KS_TMP/out" 'call 1' "a map lookup"
	expect_grep "$KS_TMP/out" 'exit' "the end"
	pass
}

# Debian's bpftrace (for comparison only) and kscope on the same program, filtered to the
# same workload run: their outputs, without bpftrace's "Attaching" line, must be equal.
# tr_same PROGRAM START-FUNCTION GO-FUNCTION END-FUNCTION
tr_same() {
	command -v bpftrace >/dev/null 2>&1 || skip "bpftrace is not installed (apt-get install bpftrace)"
	[ -z "${KS_GUEST:-}" ] || skip "no bpftrace in the guests"
	_tp=$1
	$2 w
	_wp=$(ks_pid w)
	ks_bg bt bpftrace -e "$_tp" "$_wp"
	tr_start ks -e "$_tp" "$_wp"
	ks_wait_until 30 grep -q '^Attaching' "$KS_TMP/bt.out" ||
		fail "bpftrace did not attach: $(ks_first_line "$KS_TMP/bt.err")"
	sleep 2 # bpftrace says "Attaching" before it attaches
	$3 w
	kill -INT "$(ks_pid bt)"
	# bpftrace gone first: kscope's leak check counts every BPF object made since its start
	ks_bg_wait bt 20 || fail "bpftrace did not stop"
	ks_stop ks
	$4 w
	expect_rc ks 0
	sed '1{/^Attaching/d}' "$KS_TMP/bt.out" >"$KS_TMP/bt.cmp"
	cmp -s "$KS_TMP/bt.cmp" "$KS_TMP/ks.out" ||
		fail "kscope's output differs from bpftrace's: $(diff "$KS_TMP/bt.cmp" "$KS_TMP/ks.out" | head -n 8 | tr '\n' '|')"
}

tr_open_start() { : >"$KS_TMP/tr-open"; wl_start "$1" open "$KS_TMP/tr-open" 5; }
tr_noop() { :; }

t_tr_bt_aggs() {
	tr_same "$TR_AGGS" tr_open_start wl_run tr_noop
	pass
}

t_tr_bt_hist() {
	tr_same "$TR_HIST" tr_open_start wl_run tr_noop
	pass
}

tr_lt_start() { lt_start "$1" 21; }

# One-liners of bpftrace's tutorial and README, filtered to the workload ($1).
t_tr_bt_tutorial() {
	_i=$(($1))
	set -- \
	'tracepoint:syscalls:sys_enter_openat /pid == $1/ { printf("%s %s\n", comm, str(args->filename)); }' \
	'tracepoint:raw_syscalls:sys_enter /pid == $1 && args->id == 257/ { @[comm] = count(); }' \
	'tracepoint:syscalls:sys_exit_openat /pid == $1/ { @fds = hist(args->ret); @[comm] = sum(args->ret); }' \
	'tracepoint:syscalls:sys_exit_openat /pid == $1/ { @l = lhist(args->ret, 0, 10, 1); @m = min(args->ret); @x = max(args->ret); @a = avg(args->ret); }' \
	'tracepoint:syscalls:sys_enter_openat /pid == $1/ { @[probe, tid == pid] = count(); @s[str(args->filename, 4)] = count(); }'
	shift "$_i"
	tr_same "$1" tr_open_start wl_run tr_noop
	pass
}

# (values differ so the order is defined: bpftrace orders equal values by its hash table)
t_tr_bt_uprobe() {
	_b=$H/langtarget
	tr_same "uprobe:$_b:lt_work /pid == \$1/ { @[arg0 * arg0 / 100] = count(); @s = sum(arg0); }
		uretprobe:$_b:lt_ret /pid == \$1/ { @r = hist(retval); }
		usdt:$_b:langtarget:tick /pid == \$1/ { @t = stats(arg1); }" tr_lt_start lt_go lt_end
	pass
}

# lt_start NAME N: langtarget N in the background, its stdin a fifo held open by fd 8;
# waits for "ready". lt_go NAME: the line that starts it; lt_end NAME: wait for "done", let
# it exit.
lt_start() {
	mkfifo "$KS_TMP/$1.fifo" || fail "mkfifo"
	ks_bg "$1" sh -c 'exec "$1" "$2" <"$3"' sh "$H/langtarget" "$2" "$KS_TMP/$1.fifo"
	exec 8>"$KS_TMP/$1.fifo"
	ks_wait_until 10 grep -q '^ready$' "$KS_TMP/$1.out" || fail "langtarget not ready"
}

lt_go() {
	echo go >&8
	ks_wait_until 20 grep -q '^done' "$KS_TMP/$1.out" || fail "langtarget did not finish"
}

lt_end() {
	exec 8>&-
	wl_wait "$1"
}

t_tr_uprobe() {
	lt_start lt 37
	_b=$H/langtarget
	tr_start ks -p "$(ks_pid lt)" -e "uprobe:$_b:lt_work { @calls = count(); @sum = sum(arg0);
		@f[func] = count(); @s[usym(reg(\"ip\"))] = count(); }
		uretprobe:$_b:lt_ret { @ret = sum(retval); }
		uprobe:$_b:lt_probe_* { @w[probe] = count(); }"
	lt_go lt
	ks_stop ks
	lt_end lt
	expect_rc ks 0
	{
		printf '\n\n@calls: 37\n@f[lt_work]: 37\n@ret: 703\n@s[lt_work]: 37\n@sum: 666\n'
		printf '@w[uprobe:%s:lt_probe_a]: 37\n@w[uprobe:%s:lt_probe_b]: 37\n' "$_b" "$_b"
	} >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

t_tr_usdt() {
	lt_start lt 37
	_b=$H/langtarget
	tr_start ks -p "$(ks_pid lt)" -e "usdt:$_b:langtarget:tick { @t = count(); @a = sum(arg0);
		@b = max(arg1); } usdt:$_b:langtarget:twice { @tw = count(); }
		usdt:$_b:sema { @s = count(); @si = sum(arg0); }"
	lt_go lt
	ks_stop ks
	lt_end lt
	expect_rc ks 0
	expect_grep "$KS_TMP/lt.out" "done sema=37" "the semaphore set while attached"
	printf '\n\n@a: 666\n@b: 42\n@s: 37\n@si: 666\n@t: 37\n@tw: 74\n' >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

t_tr_rawtp() {
	wl_start w getppid 5
	# arguments by BTF name where the kernel's BTF names them (__bpf_trace_sys_enter)
	_named='@n[args.regs->orig_ax, args.id] = count();'
	if ! "$KSCOPE" trace --dump -e "rawtracepoint:sys_enter { $_named }" >/dev/null 2>"$KS_TMP/named.err"; then
		grep -q 'does not name the arguments' "$KS_TMP/named.err" ||
			fail "args of rawtracepoint:sys_enter: $(ks_first_line "$KS_TMP/named.err")"
		note "no argument names in this kernel's BTF: $(ks_first_line "$KS_TMP/named.err")"
		_named='@n[110, 110] = count();'
	fi
	# tp_btf: is kscope's other name for rawtracepoint:
	tr_start ks -e "tp_btf:sys_enter /((struct pt_regs *)arg0)->orig_ax == 110 &&
		pid == \$1/ { @[comm, arg1] = count(); $_named }" "$(ks_pid w)"
	wl_run w
	ks_stop ks
	expect_rc ks 0
	printf '\n\n@[workload, 110]: 5\n@n[110, 110]: 5\n' >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

t_tr_no_such_pid() {
	ks_run ks trace -p 4194303 -e "uprobe:$H/langtarget:lt_work { @ = count(); }"
	expect_eq "$KS_RC" 2 "exit code"
	expect_grep "$KS_TMP/ks.err" "no such process: 4194303" "message"
	expect_one_line "$KS_TMP/ks.err" "stderr"
	pass
}

# tr_feature NAME: skip unless `kscope features` says NAME works here.
tr_feature() {
	ks_features_json || skip "no 'kscope features --json' to know whether $1 works"
	[ "$("$H/jsonq" -w type=feature -w "name=$1" -g ok <"$KS_TMP/.features")" = true ] ||
		skip "$1 does not work here: $("$H/jsonq" -w type=feature -w "name=$1" -g detail <"$KS_TMP/.features")"
}

# kprobe/kretprobe (or kfunc/kretfunc) on getppid's syscall function, where the kernel has them.
t_tr_kprobe_works() {
	tr_feature "$1"
	_p=kprobe _r=kretprobe
	[ "$1" = kprobe ] || { _p=kfunc _r=kretfunc; }
	wl_start w getppid 6
	# __do_sys_getppid: Debian's kernels do not offer the __x64_sys_ wrappers to kprobes
	tr_start ks -e "$_p:__do_sys_getppid /pid == \$1/ { @calls = count(); @f[func] = count(); }
		$_r:__do_sys_getppid /pid == \$1/ { @ok = sum(retval == $(ks_ppid "$(ks_pid w)")); }" \
		"$(ks_pid w)"
	wl_run w
	ks_stop ks
	expect_rc ks 0
	printf '\n\n@calls: 6\n@f[__do_sys_getppid]: 6\n@ok: 6\n' >"$KS_TMP/want"
	expect_out ks "$KS_TMP/want"
	pass
}

# Programs that run in BEGIN and exit: kscope's output is bpftrace's, byte for byte.
t_tr_bt_begin() {
	command -v bpftrace >/dev/null 2>&1 || skip "bpftrace is not installed (apt-get install bpftrace)"
	[ -z "${KS_GUEST:-}" ] || skip "no bpftrace in the guests"
	_i=$(($1))
	set -- \
	'BEGIN { @a[1] = 1; @a[2] = 5; @a[3] = 3; print(@a, 2); print(@a, 0, 2); clear(@a); @b = 4;
		zero(@b); @c = count(); @c = count(); zero(@c); print(5); print("str"); print((1, "x"));
		exit(); }' \
	'BEGIN { printf("%-5s|%5d|%x|%c|%05d|%-4d|%u|%o|%X|%%|%s\n", "ab", 42, 255, 65, 42, 7, 3, 8,
		254, "end"); printf("%d %d %d\n", -5, 1 - 2, (int8)200); exit(); }' \
	'BEGIN { @h = hist(1); @h = hist(2); @h = hist(3); @h = hist(1000); @h = hist(1 << 20);
		@l = lhist(15, 0, 100, 10); @l = lhist(-1, 0, 100, 10); @l = lhist(100, 0, 100, 10);
		@s = stats(5); @s = stats(10); @k["a", 1] = sum(3); @k["b", 2] = sum(1); exit(); }' \
	'BEGIN { $i = 0; while ($i < 5) { @sq[$i] = $i * $i; $i++; } @t = (1, "two", 3);
		@str = "text"; @m = max(3); @m = max(9); @n = min(-4); @avg = avg(7); exit(); }'
	shift "$_i"
	ks_run ks trace -e "$1"
	expect_rc ks 0
	bpftrace -e "$1" 2>"$KS_TMP/bt.err" | sed '1{/^Attaching/d}' >"$KS_TMP/bt.out"
	cmp -s "$KS_TMP/bt.out" "$KS_TMP/ks.out" ||
		fail "kscope's output differs from bpftrace's: $(diff "$KS_TMP/bt.out" "$KS_TMP/ks.out" | head -n 8 | tr '\n' '|')"
	pass
}

# A program the verifier rejects (a loop it cannot bound): its reason, at the source line
# that emitted the instruction it stopped at; nothing left loaded.
t_tr_verifier() {
	ks_run ks trace -e 'BEGIN { $i = 0; while ($i >= 0) { $i++; } }'
	expect_eq "$KS_RC" 2 "exit code"
	expect_grep "$KS_TMP/ks.err" "error: the kernel's verifier rejected the program for BEGIN:" "message"
	grep -q '^-e:1:[0-9]*: error' "$KS_TMP/ks.err" || fail "no position: $(ks_first_line "$KS_TMP/ks.err")"
	expect_eq "$(sed -n 2p "$KS_TMP/ks.err")" 'BEGIN { $i = 0; while ($i >= 0) { $i++; } }' "source line"
	sed -n 3p "$KS_TMP/ks.err" | grep -q '^ *\^$' || fail "no caret line"
	pass
}
