# SPDX-License-Identifier: GPL-2.0-only
# biotop: bioload's reads and writes on a loop device of the test's own add up, over the
# reports of a run, to exactly its requests and bytes, under its pid (or thread, or cgroup),
# as the device's own accounting (/sys/block/DEV/stat) counts them.

ks_test biotop/process t_bt_process
ks_test biotop/thread_cgroup t_bt_thread_cgroup
ks_test -H biotop/rows t_bt_rows
ks_test -H biotop/text t_bt_text

# bt_sum NAME MEMBER EXPR...: the sum of MEMBER over the rows of every report matching EXPR.
bt_sum() {
	_n=$1 _f=$2
	shift 2
	ks_elems_sum "$_n" biotop rows "$_f" "$@"
}

t_bt_process() {
	ks_loop_new d 64
	bio_start b "$KS_LOOP" seq w 6 64k 0 seq r 9 8k 1m
	_b=$(ks_pid b)
	ks_blkstat_save "$KS_LOOP" before
	ks_start ks biotop --json -d "$KS_LOOP_NAME" 1
	ks_attached ks
	wl_run b
	ks_blkstat_save "$KS_LOOP" after
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	_r="pid=$_b comm=bioload disk=$KS_LOOP_NAME major=7"
	# shellcheck disable=SC2086
	{
		expect_eq "$(bt_sum ks reads $_r)" 9 "reads"
		expect_eq "$(bt_sum ks writes $_r)" 6 "writes"
		expect_eq "$(bt_sum ks others $_r)" 0 "other requests"
		expect_eq "$(bt_sum ks read_bytes $_r)" $((9 * 8192)) "bytes read"
		expect_eq "$(bt_sum ks write_bytes $_r)" $((6 * 65536)) "bytes written"
	}
	expect_eq "$(bt_sum ks reads)" "$(ks_blkstat_delta "$KS_LOOP" before rd_ios)" "reads (device stat)"
	expect_eq "$(bt_sum ks writes)" "$(ks_blkstat_delta "$KS_LOOP" before wr_ios)" "writes (device stat)"
	expect_eq $(($(bt_sum ks write_bytes) / 512)) "$(ks_blkstat_delta "$KS_LOOP" before wr_sectors)" \
		"sectors written (device stat)"
	expect_eq "$(ks_count ks type=biotop by=pid 'interval_ns>0')" "$(ks_count ks type=biotop)" \
		"reports keyed by pid, each with its interval"
	_bad=$("$H/jsonq" -w type=biotop -g 'rows.*' <"$KS_TMP/ks.out" | "$H/jsonq" -g avg_ns -g max_ns |
		awk '$1 > $2 { n++ } END { print n + 0 }')
	expect_eq "$_bad" 0 "rows whose average is above their maximum"
	pass
}

# -L names the thread; --per-cgroup the cgroup the submitter was in.
t_bt_thread_cgroup() {
	ks_cg_create io
	ks_loop_new d 32
	bio_start b "$KS_LOOP" seq r 5 4k 0
	_b=$(ks_pid b)
	ks_cg_move "$_b" "$KS_CG"
	_path=$(ks_cgroup_of "$_b")
	ks_start l biotop --json -L -d "$KS_LOOP_NAME" 1
	ks_start g biotop --json --per-cgroup -c "$KS_CG" 1
	ks_attached l
	ks_attached g
	wl_run b
	ks_stop l
	ks_stop g
	expect_rc l 0
	expect_rc g 0
	expect_eq "$(bt_sum l reads "tid=$_b" comm=bioload)" 5 "reads of thread $_b"
	expect_eq "$(bt_sum g reads "cgroup=$_path" "disk=$KS_LOOP_NAME")" 5 "reads of cgroup $_path"
	expect_eq "$(bt_sum g reads)" 5 "reads under -c (only that cgroup)"
	pass
}

# -r N: the N rows with the most bytes.
t_bt_rows() {
	ks_loop_new d 32
	bio_start big "$KS_LOOP" seq w 8 64k 0
	bio_start small "$KS_LOOP" seq r 2 4k 1m
	ks_start ks biotop --json -r 1 -d "$KS_LOOP_NAME" 30
	ks_attached ks
	wl_run big
	wl_run small
	ks_stop ks
	expect_rc ks 0
	expect_eq "$(bt_sum ks writes "pid=$(ks_pid big)")" 8 "the writer's row"
	expect_eq "$(bt_sum ks reads)" 0 "rows of the smaller reader"
	pass
}

# Text, not a terminal: BCC's first line (time and load average), the columns, the rows
# appended.
t_bt_text() {
	ks_loop_new d 32
	bio_start b "$KS_LOOP" seq w 3 16k 0
	ks_start ks biotop -d "$KS_LOOP_NAME" 30
	ks_attached ks
	wl_run b
	ks_stop ks
	expect_rc ks 0
	head -n 1 "$KS_TMP/ks.out" | grep -q '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] loadavg: ' ||
		fail "first line: $(ks_first_line "$KS_TMP/ks.out")"
	expect_eq "$(grep -c '^PID  *COMM  *DISK  *READS  *WRITES  *OTHER  *READ_KB  *WRITE_KB  *AVGms  *MAXms$' \
		"$KS_TMP/ks.out")" 1 "column titles"
	expect_eq "$(awk -v p="$(ks_pid b)" '$1 == p { print $2, $3, $4, $5, $6, $7, $8 }' "$KS_TMP/ks.out")" \
		"bioload $KS_LOOP_NAME 0 3 0 0 48" "bioload's row"
	! grep -q "$(printf '\033')" "$KS_TMP/ks.out" || fail "terminal escapes in a file"
	pass
}
