# SPDX-License-Identifier: GPL-2.0-only
# biosnoop: one event per request bioload made on a loop device of the test's own, with the
# sector, size and direction it printed, its pid, comm and cgroup as the submitter (the loop
# device's own worker does the IO to the backing file, not bioload), and the device's own
# accounting (/sys/block/DEV/stat) agreeing on the number of requests.

ks_test biosnoop/exact t_bs_exact
for _m in tp_btf raw_tp; do
	ks_test "biosnoop/attach/$_m" t_bs_exact "$_m"
done
ks_test biosnoop/cgroup t_bs_cgroup
ks_test -H biosnoop/text t_bs_text

# bs_check_ios NAME WL: every IO bioload WL printed is one event of run NAME, and no other.
bs_check_ios() {
	_w=$(ks_pid "$2")
	_n=0
	while read -r _io _op _bytes _off; do
		[ "$_io" = io ] || continue
		case $_op in r) _t=R ;; w) _t=W ;; *) continue ;; esac
		expect_eq "$(ks_count "$1" type=event "pid=$_w" "tid=$_w" comm=bioload "disk=$KS_LOOP_NAME" \
			"sector=$((_off / 512))" "bytes=$_bytes" "rwbs~$_t" 'device_ns>0' 'queue_ns>=0' \
			error=null)" 1 "event of '$_op $_bytes@$_off'"
		_n=$((_n + 1))
	done <"$KS_TMP/$2.out"
	[ "$_n" -gt 0 ] || fail "bioload printed no IO: $(ks_first_line "$KS_TMP/$2.err")"
	expect_eq "$(ks_count "$1" type=event)" "$_n" "events (bioload's IOs)"
}

t_bs_exact() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	ks_loop_new d 64
	bio_start b "$KS_LOOP" seq r 8 4k 0 shuffle w 8 16k 1m 7 r 64k@2m
	ks_blkstat_save "$KS_LOOP" before
	ks_start ks biosnoop --json -d "$KS_LOOP_NAME" ${_m:+--attach "$_m"}
	ks_attached ks
	wl_run b
	ks_blkstat_save "$KS_LOOP" after
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_attach ks "$_m"
	bs_check_ios ks b
	expect_eq "$(ks_blkstat_delta "$KS_LOOP" before rd_ios)" 9 "reads completed (device stat)"
	expect_eq "$(ks_blkstat_delta "$KS_LOOP" before wr_ios)" 8 "writes completed (device stat)"
	expect_eq "$(ks_count ks type=event 'rwbs~R')" 9 "read events"
	# (REQ_SYNC on O_DIRECT reads only on newer kernels)
	expect_eq "$(ks_count ks type=event op=read 'flags~Read')" 9 "read events' op and flags"
	expect_eq "$(ks_count ks type=event op=write flags=Write-Sync)" 8 "write events' op and flags"
	expect_eq "$(ks_count ks type=summary lost=0 events=17)" 1 "summary: 17 events, 0 lost"
	pass
}

# -c: only the requests of processes in that cgroup, named with it; bioload outside it
# (the same IOs on the same device) is not shown.
t_bs_cgroup() {
	ks_cg_create io
	ks_loop_new d 32
	bio_start in "$KS_LOOP" seq r 5 4k 0
	bio_start out "$KS_LOOP" seq r 3 4k 1m
	ks_cg_move "$(ks_pid in)" "$KS_CG"
	_path=$(ks_cgroup_of "$(ks_pid in)")
	ks_start ks biosnoop --json -c "$KS_CG" -d "$KS_LOOP_NAME"
	ks_attached ks
	wl_run in
	wl_run out
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	bs_check_ios ks in
	expect_eq "$(ks_count ks type=event "cgroup=$_path" 'cgroup_id>0')" 5 "events naming cgroup $_path"
	pass
}

# Text: BCC's columns, -Q adds QUE(ms); the submitter's name and pid on each line.
t_bs_text() {
	ks_loop_new d 32
	bio_start b "$KS_LOOP" seq w 4 8k 0
	_b=$(ks_pid b)
	ks_start ks biosnoop -Q -d "$KS_LOOP"
	ks_attached ks
	wl_run b
	ks_stop ks
	expect_rc ks 0
	expect_eq "$(head -n 1 "$KS_TMP/ks.out" | tr -s ' ')" \
		"TIME(s) COMM PID DISK T SECTOR BYTES QUE(ms) LAT(ms)" "header"
	expect_eq "$(awk -v p="$_b" -v d="$KS_LOOP_NAME" '$2 == "bioload" && $3 == p && $4 == d &&
		$5 == "WS" && $7 == 8192 && $8 ~ /^[0-9]+\.[0-9]+$/ && $9 ~ /^[0-9]+\.[0-9]+$/ { n++ }
		END { print n + 0 }' "$KS_TMP/ks.out")" 4 "lines of bioload's writes"
	expect_eq "$(awk 'NR > 1 { print $6 }' "$KS_TMP/ks.out" | tr '\n' ' ')" "0 16 32 48 " "sectors"
	pass
}
