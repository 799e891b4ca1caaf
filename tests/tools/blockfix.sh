# SPDX-License-Identifier: GPL-2.0-only
# The block-device fixtures the block tool tests stand on (lib.sh ks_loop_new, ks_blkstat,
# bio_start; helpers/loopdev.c, helpers/bioload.c): a loop device comes and goes, and bioload
# does exactly the IOs it prints, one request each, by the device's own accounting.

ks_test blockfix/attach t_bf_attach
ks_test blockfix/cleanup/fail t_bf_cleanup fail
ks_test blockfix/cleanup/killed t_bf_cleanup killed
ks_test blockfix/bioload/seq t_bf_seq
ks_test blockfix/bioload/shuffle t_bf_shuffle
ks_test blockfix/bioload/sizes t_bf_sizes
ks_test blockfix/bioload/flush t_bf_flush
ks_test blockfix/bioload/bad t_bf_bad

# expect_blk DEV TAG FIELD=N...: each FIELD of DEV's accounting grew by exactly N since TAG.
expect_blk() {
	_bd=$1 _bt=$2
	shift 2
	for _bf in "$@"; do
		expect_eq "$(ks_blkstat_delta "$_bd" "$_bt" "${_bf%%=*}")" "${_bf#*=}" \
			"${_bf%%=*} of ${_bd##*/} since $_bt"
	done
}

# The largest IO bioload takes on DEV as one request (see its header; 4 KB pages).
bf_max_io() {
	_q=/sys/block/${1##*/}/queue
	_m=$(($(cat "$_q/max_sectors_kb") * 1024))
	_s=$(($(cat "$_q/max_segments") * 4096))
	[ "$_s" -lt "$_m" ] && _m=$_s
	[ $((256 * 4096)) -lt "$_m" ] && _m=$((256 * 4096))
	echo "$_m"
}

t_bf_attach() {
	ks_loop_new a 16
	case $KS_LOOP in /dev/loop[0-9]*) ;; *) fail "device path '$KS_LOOP'" ;; esac
	[ -b "$KS_LOOP" ] || fail "$KS_LOOP is not a block device"
	_l=/sys/block/$KS_LOOP_NAME
	expect_eq "$(cat "$_l/loop/backing_file")" "$KS_LOOP_FILE" "backing file"
	expect_eq "$(cat "$_l/size")" $((16 * 2048)) "size in sectors"
	expect_eq "$(ks_loops_of "$KS_LOOP_FILE")" "$KS_LOOP" "loop devices bound to the file"
	# direct IO: what loopdev said is what the kernel says, and it is on wherever the file
	# takes O_DIRECT (loopdev gives the loop device the file's direct IO alignment)
	expect_eq "$(cat "$_l/loop/dio")" "$KS_LOOP_DIO" "loop/dio against loopdev's dio=..."
	read -r _ _d _fd <"$KS_TMP/a.loop"
	note "$_d $_fd, logical block $(cat "$_l/queue/logical_block_size")"
	[ "$_fd" = filedio=no ] || expect_eq "$_d" dio=on "direct IO on a file that takes O_DIRECT"
	[ "${KS_GUEST:-0}" = 1 ] || expect_eq "$_d" dio=on "direct IO on the host's temporary directory"
	ks_loop_detach
	[ ! -e "$_l/loop/backing_file" ] || fail "$_l/loop/backing_file still there after detach"
	expect_eq "$(ks_loops_of "$KS_LOOP_FILE")" "" "loop devices bound to the file after detach"
	# a second detach leaves the device alone (exit 4), as one of a device reused since would
	"$H/loopdev" detach "$KS_LOOP" "$KS_LOOP_FILE" 2>"$KS_TMP/again.err"
	expect_eq "$?" 4 "exit code of a second detach"
	pass
}

# t_bf_cleanup fail|killed: a test shell that attached a device and failed (its cleanup
# detaches it), or was killed with SIGKILL (run.sh's sweep after the test detaches it).
t_bf_cleanup() {
	_c=$KS_TMP/child
	mkdir "$_c" || fail "cannot make $_c"
	# ours too, in case this test ends before the child's device is gone
	echo "$(readlink -f "$_c")/c.img" >>"$KS_TMP/.loops"
	KS_TMP=$_c sh -c '. "$1"; trap _ks_cleanup EXIT
		ks_loop_new c 4
		echo "$KS_LOOP" >"$KS_TMP/dev"
		[ "$2" = killed ] && kill -KILL $$
		fail "on purpose"' sh "$KS_TOP/tests/lib.sh" "$1" >"$KS_TMP/child.log" 2>&1
	_rc=$?
	grep -q '^SKIP' "$_c/result" 2>/dev/null && skip "$(sed 's/^SKIP //' "$_c/result")"
	[ -s "$_c/dev" ] || fail "the child attached nothing (exit $_rc): $(tail -n 1 "$KS_TMP/child.log")"
	_dev=$(cat "$_c/dev")
	_f=$(readlink -f "$_c/c.img")
	if [ "$1" = killed ]; then
		expect_eq "$_rc" 137 "the child's exit status"
		expect_eq "$(ks_loops_of "$_f")" "$_dev" "bound after the child was killed"
		KS_TMP=$_c sh -c '. "$1"; _ks_loops_detach' sh "$KS_TOP/tests/lib.sh" ||
			fail "the sweep failed"
	else
		expect_grep "$_c/result" "FAIL on purpose" "the child's result"
	fi
	expect_eq "$(ks_loops_of "$_f")" "" "loop devices still bound to the child's file"
	[ ! -e "/sys/block/${_dev##*/}/loop/backing_file" ] ||
		[ "$(cat "/sys/block/${_dev##*/}/loop/backing_file")" != "$_f" ] ||
		fail "$_dev still bound to $_f"
	pass
}

t_bf_seq() {
	ks_loop_new d 16
	WORKLOAD_COMM=bfseq bio_start bl "$KS_LOOP" seq r 16 4k 0 seq w 8 8k 1m r 512@15m
	expect_eq "$(cat "/proc/$(ks_pid bl)/comm")" bfseq "bioload's command name"
	ks_blkstat_save "$KS_LOOP" t0
	wl_run bl
	# exactly the IOs asked for, in order
	{
		awk 'BEGIN { for (i = 0; i < 16; i++) print "io r 4096", i * 4096
			for (i = 0; i < 8; i++) print "io w 8192", 1048576 + i * 8192
			print "io r 512", 15 * 1048576 }'
	} >"$KS_TMP/expected"
	cmp -s "$KS_TMP/expected" "$KS_TMP/bl.out" ||
		fail "bioload's lines differ from the IOs asked for: $(diff "$KS_TMP/expected" "$KS_TMP/bl.out" | head -n 3 | tr '\n' ' ')"
	expect_eq "$(bio_ios bl r) $(bio_bytes bl r) $(bio_ios bl w) $(bio_bytes bl w)" \
		"17 66048 8 65536" "bio_ios / bio_bytes"
	# ... and the device saw exactly those: one request each, nothing merged
	expect_blk "$KS_LOOP" t0 rd_ios=17 rd_sectors=129 wr_ios=8 wr_sectors=128 rd_merges=0 wr_merges=0
	pass
}

t_bf_shuffle() {
	ks_loop_new d 16
	bio_start b1 "$KS_LOOP" shuffle r 64 4k 64k 42
	bio_start b2 "$KS_LOOP" shuffle r 64 4k 64k 42
	bio_start b3 "$KS_LOOP" shuffle w 64 4k 64k 43
	ks_blkstat_save "$KS_LOOP" t0
	wl_run b1
	wl_run b2
	wl_run b3
	awk 'BEGIN { for (i = 0; i < 64; i++) print 65536 + i * 4096 }' >"$KS_TMP/seq"
	awk '{ print $4 }' "$KS_TMP/b1.out" >"$KS_TMP/o1"
	awk '{ print $4 }' "$KS_TMP/b3.out" >"$KS_TMP/o3"
	sort -n "$KS_TMP/o1" | cmp -s - "$KS_TMP/seq" || fail "seed 42: not the 64 offsets of the run"
	sort -n "$KS_TMP/o3" | cmp -s - "$KS_TMP/seq" || fail "seed 43: not the 64 offsets of the run"
	! cmp -s "$KS_TMP/o1" "$KS_TMP/seq" || fail "seed 42 gave the ascending order"
	cmp -s "$KS_TMP/b1.out" "$KS_TMP/b2.out" || fail "the same seed gave another order"
	! cmp -s "$KS_TMP/o1" "$KS_TMP/o3" || fail "seeds 42 and 43 gave the same order"
	expect_blk "$KS_LOOP" t0 rd_ios=128 rd_sectors=1024 wr_ios=64 wr_sectors=512 rd_merges=0 wr_merges=0
	pass
}

# The sizes a block tool's histogram sees: 512 bytes up to the largest single request.
t_bf_sizes() {
	ks_loop_new d 16
	_max=$(bf_max_io "$KS_LOOP")
	note "largest single request: $_max bytes"
	bio_start bl "$KS_LOOP" r 512@0 r 4k@4k r 64k@64k r "$_max@1m" w 128k@8m w "$_max@$((_max * 8))"
	ks_blkstat_save "$KS_LOOP" t0
	wl_run bl
	expect_eq "$(bio_ios bl)" 6 "IOs done"
	expect_blk "$KS_LOOP" t0 rd_ios=4 "rd_sectors=$((1 + 8 + 128 + _max / 512))" wr_ios=2 \
		"wr_sectors=$((256 + _max / 512))" rd_merges=0 wr_merges=0
	pass
}

# A flush: where the device has a volatile write cache (the loop driver says "write back"),
# one flush request, and one more write request without data: the empty write that carried
# it (so on 5.10 to 7.2 and 6.18). Without a write cache (not seen with loop devices) only the
# data is checked.
t_bf_flush() {
	ks_loop_new d 16
	bio_start bl "$KS_LOOP" w 4k@0 flush
	ks_blkstat_save "$KS_LOOP" t0
	wl_run bl
	expect_eq "$(tail -n 1 "$KS_TMP/bl.out")" "io flush 0 0" "bioload's flush line"
	expect_blk "$KS_LOOP" t0 wr_sectors=8 rd_ios=0
	_wc=$(cat "/sys/block/$KS_LOOP_NAME/queue/write_cache")
	note "write_cache '$_wc': wr_ios +$(ks_blkstat_delta "$KS_LOOP" t0 wr_ios), fl_ios +$(ks_blkstat_delta "$KS_LOOP" t0 fl_ios)"
	if [ "$_wc" = "write back" ]; then
		expect_blk "$KS_LOOP" t0 wr_ios=2
		# flush requests are counted apart since 5.5
		[ -z "$(ks_blkstat "$KS_LOOP" fl_ios)" ] || expect_blk "$KS_LOOP" t0 fl_ios=1
	fi
	pass
}

# bf_refused WHY OP...: bioload refuses OP on the test's device before doing anything: exit
# 2, one line on stderr, no IO.
bf_refused() {
	_why=$1
	shift
	"$H/bioload" "$@" >"$KS_TMP/bad.out" 2>"$KS_TMP/bad.err" </dev/null
	expect_eq "$?" 2 "exit code for $_why"
	expect_one_line "$KS_TMP/bad.err" "$_why"
	[ ! -s "$KS_TMP/bad.out" ] || fail "$_why: output on stdout"
}

t_bf_bad() {
	ks_loop_new d 16
	_max=$(bf_max_io "$KS_LOOP")
	ks_blkstat_save "$KS_LOOP" t0
	bf_refused "more than one request" "$KS_LOOP" r "$((_max * 2))@0"
	bf_refused "a size off the block size" "$KS_LOOP" r 100@0
	bf_refused "an offset off the block size" "$KS_LOOP" w 4k@100
	bf_refused "past the device's end" "$KS_LOOP" r 4k@16m
	bf_refused "an unknown op" "$KS_LOOP" x
	bf_refused "no count" "$KS_LOOP" seq r 0 4k 0
	bf_refused "no OFFSET" "$KS_LOOP" r 4k
	bf_refused "a missing device" "$KS_TMP/nonexistent" r 4k@0
	bf_refused "not a block device" "$KS_LOOP_FILE" r 4k@0
	expect_blk "$KS_LOOP" t0 rd_ios=0 wr_ios=0
	pass
}
