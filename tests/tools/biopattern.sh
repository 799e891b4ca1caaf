# SPDX-License-Identifier: GPL-2.0-only
# biopattern: bioload reads the same offsets of a loop device of the test's own in order,
# then shuffled: the ordered run is 100% sequential, the shuffled one exactly as sequential
# as its order says (pairs where an IO begins where the one before ended).

ks_test biopattern/ordered t_bp_run seq
ks_test biopattern/shuffled t_bp_run shuffle
ks_test -H biopattern/text t_bp_text

# bp_seq_pairs WL: IOs of bioload WL that began where the one before it ended.
bp_seq_pairs() {
	awk '$1 == "io" { if (n++ && $4 == end) s++; end = $4 + $3 } END { print s + 0 }' \
		"$KS_TMP/$1.out"
}

t_bp_run() {
	ks_loop_new d 64
	if [ "$1" = seq ]; then
		bio_start b "$KS_LOOP" seq r 40 4k 0
	else
		bio_start b "$KS_LOOP" shuffle r 40 4k 0 11
	fi
	ks_start ks biopattern --json -d "$KS_LOOP_NAME"
	ks_attached ks
	wl_run b
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	_s=$(bp_seq_pairs b)
	note "bioload: $_s of 39 IOs began where the previous one ended"
	[ "$1" = seq ] && expect_eq "$_s" 39 "sequential pairs of the ordered run"
	[ "$1" = shuffle ] && { [ "$_s" -lt 10 ] || fail "the shuffled run is $_s/39 sequential"; }
	expect_eq "$(ks_count ks type=biopattern 'rows#=1' "rows.0.disk=$KS_LOOP_NAME" rows.0.count=40 \
		rows.0.bytes=163840 "rows.0.sequential=$_s" "rows.0.random=$((39 - _s))" \
		"rows.0.sequential_pct=$((_s * 100 / 39))")" 1 "the report of $KS_LOOP_NAME"
	pass
}

t_bp_text() {
	ks_loop_new d 32
	bio_start b "$KS_LOOP" seq w 10 4k 0
	ks_start ks biopattern -d "$KS_LOOP_NAME"
	ks_attached ks
	wl_run b
	ks_stop ks
	expect_rc ks 0
	expect_eq "$(head -n 1 "$KS_TMP/ks.out" | tr -s ' ')" "TIME DISK %RND %SEQ COUNT KBYTES" "header"
	expect_eq "$(awk -v d="$KS_LOOP_NAME" '$2 == d { print $3, $4, $5, $6 }' "$KS_TMP/ks.out")" \
		"0 100 10 40" "the row of $KS_LOOP_NAME"
	pass
}
