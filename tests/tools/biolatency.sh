# SPDX-License-Identifier: GPL-2.0-only
# biolatency: bioload's O_DIRECT IOs on a loop device of the test's own, one request each:
# the histograms count exactly those requests, as the device's own accounting
# (/sys/block/DEV/stat) counts them, keyed by disk, flags and submitter.

ks_test biolatency/disk t_bl_disk
for _m in tp_btf raw_tp; do
	ks_test "biolatency/attach/$_m" t_bl_disk "$_m"
done
ks_test biolatency/submitter t_bl_submitter
ks_test biolatency/queued t_bl_queued
ks_test -H biolatency/text t_bl_text
ks_test -H biolatency/interval t_bl_interval
ks_test -H biolatency/bad_disk t_bl_bad_disk

# bl_rows NAME [EXPR...]: the rows of run NAME's reports (matching every jsonq EXPR).
bl_rows() {
	_n=$1
	shift
	ks_elems "$_n" histograms rows "$@"
}

# bl_sum NAME [EXPR...]: the sum of those rows' counts.
bl_sum() {
	_n=$1
	shift
	ks_elems_sum "$_n" histograms rows count "$@"
}

# bl_check_rows NAME: every row's buckets hold its count and total (in us).
bl_check_rows() {
	bl_rows "$1" >"$KS_TMP/$1.rows"
	while read -r _row; do
		_bad=$(ks_hist_total_ok "$_row" 1000)
		[ -z "$_bad" ] || fail "$1: row $_row: $_bad"
	done <"$KS_TMP/$1.rows"
}

# The hooks a run that needs submitters attaches on this kernel: block_io_start (6.5+), else
# block_bio_queue in one of its two layouts; issue and completion always.
bl_expect_hooks() { # NAME WHO(0|1)
	_h=$(head -n 1 "$KS_TMP/$1.out" | "$H/jsonq" -g 'attach' | tr -d '{}"' | tr ',' '\n' |
		sed 's/:.*//' | sort | tr '\n' ' ')
	if [ "$2" = 0 ]; then
		expect_eq "$_h" "blk_done blk_issue " "hooks of a run without submitters"
	elif [ -d /sys/kernel/tracing/events/block/block_io_start ]; then
		expect_eq "$_h" "blk_done blk_issue blk_start " "hooks (the kernel has block_io_start)"
	else
		case $_h in
		"blk_bio blk_done blk_issue " | "blk_bioq blk_done blk_issue ") ;;
		*) fail "hooks without block_io_start: $_h (expected blk_bio or blk_bioq)" ;;
		esac
	fi
}

# -d: every request on the device is bioload's; -D -F split them by disk and flags. The
# counts equal the device's own accounting and bioload's IOs.
t_bl_disk() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	ks_loop_new d 64
	bio_start b "$KS_LOOP" seq r 20 4k 0 seq w 12 16k 1m
	ks_blkstat_save "$KS_LOOP" before
	ks_start ks biolatency --json -D -F -d "$KS_LOOP_NAME" ${_m:+--attach "$_m"}
	ks_attached ks
	wl_run b
	ks_blkstat_save "$KS_LOOP" after
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_attach ks "$_m"
	bl_expect_hooks ks 0
	_rd=$(ks_blkstat_delta "$KS_LOOP" before rd_ios)
	_wr=$(ks_blkstat_delta "$KS_LOOP" before wr_ios)
	expect_eq "$_rd" 20 "reads completed by the device (its stat)"
	expect_eq "$_wr" 12 "writes completed by the device (its stat)"
	expect_eq "$(ks_count ks type=histograms by=disk,flags unit=usecs)" 1 "reports"
	expect_eq "$(bl_sum ks)" $((_rd + _wr)) "requests counted"
	expect_eq "$(bl_sum ks "disk=$KS_LOOP_NAME" 'rwbs~R' time=device)" "$_rd" "reads of $KS_LOOP_NAME"
	expect_eq "$(bl_sum ks "disk=$KS_LOOP_NAME" 'rwbs~W' time=device)" "$_wr" "writes of $KS_LOOP_NAME"
	expect_eq "$(bl_rows ks "disk!=$KS_LOOP_NAME" | wc -l)" 0 "rows of other disks"
	# O_DIRECT writes are sync everywhere; reads carry REQ_SYNC only on newer kernels
	expect_eq "$(bl_rows ks 'flags~Read' | wc -l)$(bl_rows ks flags=Write-Sync | wc -l)" 11 \
		"one row of reads, one of sync writes (-F)"
	bl_check_rows ks
	pass
}

# -p -P: only bioload's requests, from any disk, keyed by it; -L the same with its thread.
t_bl_submitter() {
	ks_loop_new d 64
	bio_start b "$KS_LOOP" seq r 9 8k 0 shuffle w 7 4k 64k 3
	_b=$(ks_pid b)
	ks_start p biolatency --json -P -D -p "$_b"
	ks_start l biolatency --json -L -n bioload -d "$KS_LOOP_NAME"
	ks_attached p
	ks_attached l
	wl_run b
	ks_stop p
	ks_stop l
	expect_rc p 0
	expect_rc l 0
	ks_json_ok p
	ks_json_ok l
	bl_expect_hooks p 1
	expect_eq "$(bl_sum p)" 16 "requests of pid $_b"
	expect_eq "$(bl_sum p "pid=$_b" comm=bioload "disk=$KS_LOOP_NAME")" 16 \
		"requests of pid $_b (bioload) on $KS_LOOP_NAME"
	expect_eq "$(bl_sum l "tid=$_b" comm=bioload)" 16 "requests of thread $_b (-L, -n)"
	expect_eq "$(bl_sum l)" 16 "requests of threads named bioload on $KS_LOOP_NAME"
	pass
}

# -Q: a queue-time and a device-time histogram of the same requests.
t_bl_queued() {
	ks_loop_new d 32
	bio_start b "$KS_LOOP" seq w 10 4k 0 seq r 5 4k 0
	ks_start ks biolatency --json -Q -d "$KS_LOOP_NAME"
	ks_attached ks
	wl_run b
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	bl_expect_hooks ks 1
	expect_eq "$(bl_sum ks time=device)" 15 "device-time samples"
	expect_eq "$(bl_sum ks time=queued)" 15 "queue-time samples"
	expect_eq "$(ks_count ks type=histograms by=time 'rows#=2')" 1 "one report of two rows"
	bl_check_rows ks
	pass
}

# Text: BCC's layout, one labelled histogram per key; -m in msecs.
t_bl_text() {
	ks_loop_new d 32
	bio_start b "$KS_LOOP" seq r 6 4k 0
	ks_start ks biolatency -D -Q -m -d "$KS_LOOP"
	ks_attached ks
	wl_run b
	ks_stop ks
	expect_rc ks 0
	expect_grep "$KS_TMP/ks.out" "disk = $KS_LOOP_NAME, queued (request made -> issued)" "queue label"
	expect_grep "$KS_TMP/ks.out" "disk = $KS_LOOP_NAME, device (issued -> completed)" "device label"
	expect_eq "$(grep -c '^ *msecs *: count *distribution$' "$KS_TMP/ks.out")" 2 "msecs histograms"
	expect_eq "$(awk '$2 == "->" { n += $5 } END { print n + 0 }' "$KS_TMP/ks.out")" 12 \
		"samples in the text histograms"
	pass
}

# interval count: that many reports, then it ends by itself; each report's requests are new.
t_bl_interval() {
	ks_loop_new d 32
	bio_start b "$KS_LOOP" seq r 7 4k 0
	ks_start ks biolatency --json -d "$KS_LOOP_NAME" 1 3
	ks_attached ks
	wl_run b
	ks_wait ks "$KS_WAIT"
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=histograms)" 3 "reports"
	expect_eq "$(bl_sum ks)" 7 "requests in all reports"
	pass
}

# Bad disks: one line, exit 2, nothing loaded.
t_bl_bad_disk() {
	for _d in nosuchdisk 4095:1048575 "a/b" ""; do
		ks_run bad biolatency -d "$_d"
		expect_rc bad 2
		expect_one_line "$KS_TMP/bad.err" "kscope: biolatency: "
	done
	expect_grep "$KS_TMP/bad.err" "invalid disk" "an empty name"
	_p=$(for _x in /sys/class/block/*/partition; do [ -f "$_x" ] && echo "$_x"; done | head -n 1)
	if [ -n "$_p" ]; then
		_p=${_p%/partition}
		ks_run part biolatency -d "${_p##*/}"
		expect_rc part 2
		expect_grep "$KS_TMP/part.err" "is a partition" "a partition"
	else
		note "no partition here to try -d on"
	fi
	pass
}
