# SPDX-License-Identifier: GPL-2.0-only
# bitesize: bioload's requests of known sizes on a loop device of the test's own land in
# exactly the log2 Kbytes buckets of their sizes, under its pid (the submitter).

ks_test bitesize/buckets t_bz_buckets
ks_test -H bitesize/text t_bz_text
ks_test -H bitesize/conflict t_bz_conflict

# bz_bucket NAME PID LOW: the count of PID's bucket starting at LOW Kbytes.
bz_bucket() {
	"$H/jsonq" -w type=histograms -g 'rows.*' <"$KS_TMP/$1.out" | "$H/jsonq" -w "pid=$2" \
		-g 'hist.buckets.*' | "$H/jsonq" -w "low=$3" -g count | awk '{ s += $1 } END { print s + 0 }'
}

t_bz_buckets() {
	ks_loop_new d 64
	bio_start b "$KS_LOOP" seq r 5 4k 0 seq w 3 16k 1m r 8k@2m seq r 2 64k 3m r 512@4m
	_b=$(ks_pid b)
	ks_start ks bitesize --json -d "$KS_LOOP_NAME"
	ks_attached ks
	wl_run b
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	note "rows: $("$H/jsonq" -w type=histograms -g 'rows.*' <"$KS_TMP/ks.out" | "$H/jsonq" -g pid -g comm -g count | tr '\t\n' ' ;')"
	expect_eq "$(ks_count ks type=histograms by=pid unit=kbytes 'rows#=1' "rows.0.pid=$_b" \
		rows.0.comm=bioload rows.0.count=12)" 1 "one row: bioload, 12 requests"
	# 512 bytes is 0 Kbytes: slot 0 ("0 -> 1")
	expect_eq "$(bz_bucket ks "$_b" 0)" 1 "requests of 0-1 KB"
	expect_eq "$(bz_bucket ks "$_b" 4)" 5 "requests of 4-7 KB"
	expect_eq "$(bz_bucket ks "$_b" 8)" 1 "requests of 8-15 KB"
	expect_eq "$(bz_bucket ks "$_b" 16)" 3 "requests of 16-31 KB"
	expect_eq "$(bz_bucket ks "$_b" 64)" 2 "requests of 64-127 KB"
	pass
}

t_bz_text() {
	ks_loop_new d 32
	bio_start b "$KS_LOOP" seq r 3 4k 0
	_b=$(ks_pid b)
	ks_start ks bitesize -d "$KS_LOOP_NAME"
	ks_attached ks
	wl_run b
	ks_stop ks
	expect_rc ks 0
	expect_grep "$KS_TMP/ks.out" "pid = $_b (bioload)" "the process's label"
	expect_grep "$KS_TMP/ks.out" "kbytes" "the unit"
	expect_eq "$(awk '$1 == 4 && $2 == "->" && $3 == 7 { print $5 }' "$KS_TMP/ks.out")" 3 \
		"the 4 -> 7 bucket"
	pass
}

t_bz_conflict() {
	ks_run c bitesize -A -L
	expect_rc c 2
	expect_one_line "$KS_TMP/c.err" "--all with -L"
	pass
}
