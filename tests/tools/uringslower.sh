# SPDX-License-Identifier: GPL-2.0-only
# uringslower: uringload's NOPs (some with IOSQE_ASYNC), reads of a file and 20 ms timeouts.
# With a threshold of 15 ms, only the timeouts (not the NOPs) are slow enough; with 0,
# every request is an event, with the submitter's pid, the opcode, punted for the
# IOSQE_ASYNC NOPs, and the reads' fd and path where the kernel gives the fd (5.18+;
# "fd": null before).

ks_test uringslower/timeouts t_us_timeouts
ks_test uringslower/all t_us_all
ks_test -H uringslower/text t_us_text
ks_test -H uringslower/bad_threshold t_us_bad_threshold

t_us_timeouts() {
	# (no reads here: a read punted to io-wq can take 15 ms in an emulated guest)
	ul_start w nop 5 timeout 3 20
	_p=$(ks_pid w)
	ks_start ks uringslower --json -p "$_p" 15000
	ks_attached ks
	sl_go w
	ks_stop ks
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" 3 "events"
	expect_eq "$(ks_count ks type=event "pid=$_p" "tid=$_p" comm=uringload opcode=timeout \
		opcode_nr=11 fd=null result=-62 errno=ETIME punted=false 'latency_ns>=15000000')" 3 \
		"timeouts of uringload"
	expect_eq "$(ks_count ks type=summary lost=0)" 1 "no lost events"
	pass
}

t_us_all() {
	ul_start w nop 4 async 3 read 2 "$KS_TMP/file"
	_p=$(ks_pid w)
	ks_start ks uringslower --json -p "$_p" 0
	ks_attached ks
	sl_go w
	ks_stop ks
	_fd=$(sl_val w fd read)
	sl_end w
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(ks_count ks type=event)" 9 "events"
	expect_eq "$(ks_count ks type=event "pid=$_p" opcode=nop result=0 fd=null)" 7 "nops"
	if "$H/jsonq" -g attach.punt_req -g attach.punt_ctx <"$KS_TMP/ks.out" | grep -q .; then
		expect_eq "$(ks_count ks type=event opcode=nop punted=true 'queued_ns>=0' 'wq_ns>=0')" 3 \
			"nops punted (IOSQE_ASYNC)"
	else
		note "SKIP punted: no io_uring_queue_async_work hook in the meta line"
	fi
	# (whether a read is punted depends on the file system: tmpfs punts O_DIRECT reads)
	expect_eq "$(ks_count ks type=event "pid=$_p" opcode=read result=4096)" 2 "reads"
	# the fd, where the kernel gives it; the path with it (the file is still open)
	_withfd=$(ks_count ks type=event opcode=read "fd=$_fd" "path=$KS_TMP/file")
	_nofd=$(ks_count ks type=event opcode=read fd=null path=null)
	expect_eq "$_withfd$_nofd" "$([ "$_withfd" = 0 ] && echo 02 || echo 20)" "reads' fd and path"
	pass
}

# text: the header, then one line per timeout naming it and its errno
t_us_text() {
	ul_start w timeout 2 20
	ks_start ks uringslower -p "$(ks_pid w)" 15000
	ks_attached ks
	sl_go w
	ks_stop ks
	sl_end w
	expect_rc ks 0
	expect_eq "$(head -n 1 "$KS_TMP/ks.out" | awk '{ print $1, $4, $5, $6, $NF }')" \
		"COMM OPCODE FD RESULT FILE" "header"
	expect_eq "$(awk '$1 == "uringload" && $4 == "timeout" && $5 == "-" && $6 == "ETIME" &&
		$8 == "no" && $NF == "-"' "$KS_TMP/ks.out" | wc -l | tr -d ' ')" 2 "timeout lines"
	pass
}

t_us_bad_threshold() {
	ks_run bad uringslower abc
	expect_rc bad 2
	expect_one_line "$KS_TMP/bad.err" "uringslower abc"
	pass
}
