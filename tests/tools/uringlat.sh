# SPDX-License-Identifier: GPL-2.0-only
# uringlat: uringload's known mix of io_uring requests, counted per opcode for its pid: NOPs
# (inline), NOPs with IOSQE_ASYNC (punted to io-wq), reads of a file, 20 ms timeouts (in the
# 16-31 ms slot, ending with ETIME) and reads of a closed fd (EBADF); a ring with a CQ too
# small for its requests (overflows); and one report per ring. What a kernel can't count
# (no io_uring_req_failed or io_uring_cqe_overflow on 5.10) the tool says in its counts
# line's "unavailable", and the assertions on it are skipped with that reason.

ks_test uringlat/mix t_ul_mix
for _m in tp_btf raw_tp; do
	ks_test "uringlat/attach/$_m" t_ul_mix "$_m"
done
ks_test uringlat/overflow t_ul_overflow
ks_test uringlat/per_ring t_ul_per_ring
ks_test -H uringlat/interval t_ul_interval
ks_test -H uringlat/bad_key t_ul_bad_key

UL_NOPS=10
UL_ASYNC=4
UL_READS=6
UL_TIMEOUTS=3
UL_BADF=2


# ul_hooks NAME HOOK...: how many of the HOOKs the meta line of run NAME names as attached.
ul_hooks() {
	_f=$KS_TMP/$1.out
	shift
	_c=0
	for _h in "$@"; do
		_c=$((_c + $(head -n 1 "$_f" | "$H/jsonq" -w "attach.$_h" -c)))
	done
	echo "$_c"
}

# ul_unavailable NAME WHAT: does run NAME say this kernel can't count WHAT?
ul_unavailable() {
	"$H/jsonq" -w type=uring_counts -g 'unavailable.*' <"$KS_TMP/$1.out" | grep -qx "$2"
}

t_ul_mix() {
	_m=${1:-}
	[ -z "$_m" ] || ks_method_works "$_m"
	ul_start w nop "$UL_NOPS" async "$UL_ASYNC" read "$UL_READS" "$KS_TMP/file" \
		timeout "$UL_TIMEOUTS" 20 badf "$UL_BADF"
	_p=$(ks_pid w)
	ks_start ks uringlat --json -m -P -p "$_p" ${_m:+--attach "$_m"}
	ks_attached ks
	sl_go w
	ks_stop ks
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	expect_attach ks "$_m"
	# one layout chosen for each tracepoint the tool needs, whichever this kernel has
	note "hooks: $(head -n 1 "$KS_TMP/ks.out" | "$H/jsonq" -g attach)"
	expect_eq "$(ul_hooks ks submit_req submit_sqe submit_sqe_ctx)" 1 "submission hooks"
	expect_eq "$(ul_hooks ks complete_cqe complete_res complete_ud)" 1 "completion hooks"
	expect_eq "$(ul_hooks ks punt_req punt_ctx)" "$(ul_unavailable ks punted && echo 0 || echo 1)" \
		"punt hooks"
	expect_eq "$(ul_hooks ks req_failed)" "$(ul_unavailable ks failed_at_submit && echo 0 || echo 1)" \
		"req_failed hook"
	expect_eq "$(ul_hooks ks cqe_overflow)" "$(ul_unavailable ks overflows && echo 0 || echo 1)" \
		"cqe_overflow hook"
	note "$(grep -v '^ring\|^done' "$KS_TMP/w.out" | tr '\n' ';')"
	# every row is the workload's, named after it
	expect_eq "$(ks_elems ks uring_counts rows "pid!=$_p" | wc -l | tr -d ' ')" 0 "rows of other pids"
	expect_eq "$(ks_elems ks histograms rows "pid=$_p" comm=uringload opcode=nop | wc -l |
		tr -d ' ')" 1 "nop histogram of uringload"
	_nop=$((UL_NOPS + UL_ASYNC))
	expect_eq "$(ks_elems_sum ks uring_counts rows count opcode=nop)" "$_nop" "nop requests"
	expect_eq "$(ks_elems_sum ks histograms rows count opcode=nop)" "$_nop" "nop histogram's count"
	if ul_unavailable ks punted; then
		note "SKIP punted count: this kernel has no io_uring_queue_async_work"
	else
		expect_eq "$(ks_elems_sum ks uring_counts rows punted opcode=nop)" "$UL_ASYNC" "nops punted (IOSQE_ASYNC)"
		expect_eq "$(ks_elems_sum ks uring_counts rows inline opcode=nop)" "$UL_NOPS" "nops inline"
	fi
	expect_eq "$(ks_elems_sum ks uring_counts rows count opcode=timeout)" "$UL_TIMEOUTS" "timeouts"
	# 20 ms timers: in the 16-31 ms slot; in the emulated guests, whose clocks run
	# unevenly (docs/vmtest.md), in that slot or a later one
	_slot=$(ks_elems ks histograms rows opcode=timeout | "$H/jsonq" -g 'hist.buckets.*' |
		"$H/jsonq" -w low=16 -w high=31 -g count)
	if [ "${KS_GUEST:-0}" = 1 ]; then
		_later=$(ks_elems ks histograms rows opcode=timeout | "$H/jsonq" -g 'hist.buckets.*' |
			"$H/jsonq" -w 'low>=16' -g count | awk '{ s += $1 } END { print s + 0 }')
		note "guest: ${_slot:-0} of $_later timeouts in the 16-31 ms slot"
		_slot=$_later
	fi
	expect_eq "$_slot" "$UL_TIMEOUTS" "timeouts in the 16-31 ms slot"
	expect_eq "$(ks_elems_sum ks uring_counts errors count opcode=timeout errno=ETIME error=-62)" \
		"$UL_TIMEOUTS" "timeouts ending with ETIME"
	# A read of a closed fd fails when it is issued (completed with EBADF: counted with the
	# reads) or, on older kernels, when it is prepared (io_uring_req_failed: not a read
	# that completed); either way it is one EBADF of opcode read.
	_reads=$(ks_elems_sum ks uring_counts rows count opcode=read)
	_ebadf=$(ks_elems_sum ks uring_counts errors count opcode=read errno=EBADF)
	if [ "$_ebadf" = 0 ] && ul_unavailable ks failed_at_submit; then
		note "SKIP EBADF count: this kernel fails them at submission and has no io_uring_req_failed"
		expect_eq "$_reads" "$UL_READS" "reads"
	else
		expect_eq "$_ebadf" "$UL_BADF" "reads failing with EBADF"
		[ "$_reads" = "$UL_READS" ] || [ "$_reads" = $((UL_READS + UL_BADF)) ] ||
			fail "reads: $_reads, expected $UL_READS (+ $UL_BADF failed at issue)"
	fi
	expect_eq "$(ks_elems_sum ks uring_counts errors count errno!=EBADF errno!=ETIME)" 0 "other errors"
	pass
}

t_ul_overflow() {
	ul_start w overflow 3
	ks_start ks uringlat --json -p "$(ks_pid w)"
	ks_attached ks
	sl_go w
	ks_stop ks
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	if ul_unavailable ks overflows; then
		expect_eq "$("$H/jsonq" -w type=uring_counts -g overflows <"$KS_TMP/ks.out")" null "overflows"
		skip "this kernel has no io_uring_cqe_overflow: CQ overflows are not counted"
	fi
	expect_eq "$(ks_elems_sum ks uring_counts overflows count)" 3 "CQ overflows"
	pass
}

# --per-ring: a row per ring, named by its process and fd (both rings are made while traced).
t_ul_per_ring() {
	ul_start w nop 3 overflow 2
	_p=$(ks_pid w)
	ks_start ks uringlat --json --per-ring -p "$_p"
	ks_attached ks
	sl_go w
	ks_stop ks
	_fd=$(sl_val w fd ring)
	_sfd=$(sl_val w fd overflow)
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_elems_sum ks uring_counts rows count opcode=nop "pid=$_p" "ring_fd=$_fd" comm=uringload)" 3 \
		"nops on the main ring (fd $_fd)"
	_n=$(ks_elems_sum ks uring_counts rows count opcode=nop "pid=$_p" "ring_fd=$_sfd")
	# 8 fill the small CQ; the 2 that overflow complete there too where io_uring_complete
	# fires before the CQE is placed (before 6.13), not where it fires once placed
	[ "$_n" = 8 ] || [ "$_n" = 10 ] || fail "nops on the small ring (fd $_sfd): $_n, expected 8 or 10"
	expect_eq "$(ks_elems ks histograms rows 'ring~0x' "ring_fd=$_fd" | wc -l | tr -d ' ')" 1 \
		"histogram rows of the main ring"
	pass
}

# interval mode, text: two reports of the same layout, the counts table after each
t_ul_interval() {
	ks_run ks uringlat -p 1 1 2
	expect_rc ks 0
	expect_eq "$(grep -c '^OPCODE  *COUNT  *INLINE  *PUNTED' "$KS_TMP/ks.out")" 2 "counts tables"
	expect_eq "$(grep -c '^\[..:..:..\]' "$KS_TMP/ks.out")" 2 "report times"
	pass
}

t_ul_bad_key() {
	ks_run bad uringlat --per-ring -P
	expect_rc bad 2
	expect_one_line "$KS_TMP/bad.err" "--per-ring -P"
	expect_grep "$KS_TMP/bad.err" "choose one" "the message"
	pass
}
