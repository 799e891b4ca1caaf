# SPDX-License-Identifier: GPL-2.0-only
# The language's front end under libFuzzer (tests/fuzz/lang_fuzz.c, built by `make fuzz-bins`):
# a minute from the seed corpus, allocation failures included. A crash, leak, sanitizer report,
# hang or broken error contract fails the test, which names the input that did it.

ks_test -n -H -t 150 lang/fuzz t_lang_fuzz

t_lang_fuzz() {
	_lf=$OUTPUT/tests/fuzz/lang_fuzz
	[ -x "$_lf" ] || skip "no $_lf to run (make fuzz-bins builds it with clang's libFuzzer)"
	mkdir -p "$KS_TMP/corpus" "$KS_TMP/found" || fail "cannot make directories in $KS_TMP"
	# a copy: libFuzzer adds what it finds to the corpus directory
	cp "$KS_TOP"/tests/fuzz/corpus/* "$KS_TMP/corpus/" || fail "cannot copy tests/fuzz/corpus"
	_ln=$(ls "$KS_TMP/corpus" | wc -l | tr -d ' ')
	# ASan keeps 256 MB of freed memory by default, half the RSS limit: 64 MB leaves room
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=64 \
		"$_lf" -max_total_time=60 -timeout=5 -rss_limit_mb=512 -max_len=4096 \
		-dict="$KS_TOP/tests/fuzz/lang.dict" -artifact_prefix="$KS_TMP/found/" \
		-print_final_stats=1 "$KS_TMP/corpus" >"$KS_TMP/fuzz.log" 2>&1
	_lr=$?
	_la=$(ls "$KS_TMP/found" 2>/dev/null | head -n 1)
	if [ "$_lr" != 0 ] || [ -n "$_la" ]; then
		# what went wrong: the target's own check, else the sanitizer's or libFuzzer's summary
		_lw=$(grep -m 1 '^lang_fuzz: ' "$KS_TMP/fuzz.log")
		[ -n "$_lw" ] || _lw=$(grep -m 1 -e '^SUMMARY: ' -e 'ERROR: ' "$KS_TMP/fuzz.log")
		_lp=
		if [ -n "$_la" ]; then
			_lp=$KS_TMP/found/$_la
			# kept where run.sh keeps what tests leave (tests/out/artifacts/TEST/)
			if [ -n "${KS_ARTIFACTS:-}" ] && mkdir -p "$KS_ARTIFACTS/$KS_NAME" 2>/dev/null &&
				cp "$_lp" "$KS_ARTIFACTS/$KS_NAME/"; then
				_lp=$KS_ARTIFACTS/$KS_NAME/$_la
			fi
		fi
		fail "lang_fuzz exited with $_lr: ${_lw:-see fuzz.log}${_lp:+; reproduce with: $_lf $_lp}"
	fi
	_lu=$(sed -n 's/^stat::number_of_executed_units: *//p' "$KS_TMP/fuzz.log")
	[ -n "$_lu" ] && [ "$_lu" -ge "$_ln" ] ||
		fail "lang_fuzz ran ${_lu:-no} inputs, fewer than the $_ln of the seed corpus"
	note "lang_fuzz: $_lu inputs in 60 s, peak RSS $(sed -n 's/^stat::peak_rss_mb: *//p' "$KS_TMP/fuzz.log") MB"
	pass
}
