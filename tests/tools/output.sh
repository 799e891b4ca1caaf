# SPDX-License-Identifier: GPL-2.0-only
# Writing must not lose data silently. Standard output on /dev/full (ENOSPC) or closed: every
# output mode (text events, JSON, reports, folded, SVG on stdout, help, commands) ends kscope
# by itself with exit 1 and one line on stderr saying why, and nothing left loaded. A reader
# that goes away (EPIPE) is a quiet, clean exit 0. --svg FILE is checked before tracing.

# -H: the output path is kscope's own user space, the same on every kernel
ks_test -H output/full/opensnoop t_out_full opensnoop
ks_test -H output/full/opensnoop_json t_out_full opensnoop --json
ks_test -H output/full/syscount t_out_full syscount -d 1
ks_test -H output/full/syscount_json t_out_full syscount -d 1 --json
ks_test -H output/full/runqlat t_out_full runqlat -d 1
ks_test -H output/full/runqlat_interval t_out_full runqlat 1
ks_test -H output/full/profile_folded t_out_full profile -F 49 --folded 1
ks_test -H output/full/profile_svg t_out_full profile -F 49 --svg - 1
ks_test -H output/full/features t_out_full features
ks_test -H output/full/help t_out_full opensnoop --help
ks_test -H output/full/list t_out_full
ks_test -H output/full/flamegraph t_out_full flamegraph @FOLDED
ks_test -H output/closed/opensnoop t_out_closed opensnoop
ks_test -H output/closed/opensnoop_json t_out_closed opensnoop --json
ks_test -H output/closed/syscount t_out_closed syscount -d 1
ks_test -H output/closed/help t_out_closed opensnoop --help
ks_test -H output/closed/flamegraph t_out_closed flamegraph @FOLDED
ks_test -H output/epipe t_out_epipe
ks_test -H output/svg_missing_dir t_out_svg_bad profile /nonexistent/dir/x.svg
ks_test -H output/svg_directory t_out_svg_bad offcputime /
ks_test -H output/svg_not_a_dir t_out_svg_bad wakeuptime /etc/hostname/x.svg
ks_test -H output/svg_kept t_out_svg_kept

# out_bg NAME HOW ARGS...: kscope ARGS with stdout on /dev/full (HOW full) or closed (closed),
# registered like ks_start for the leak check; @FOLDED in ARGS is a small folded file.
out_bg() {
	_n=$1 _how=$2
	shift 2
	printf 'main;a 3\nmain;b 1\n' >"$KS_TMP/small.folded"
	_args=
	for _a in "$@"; do
		[ "$_a" = @FOLDED ] && _a=$KS_TMP/small.folded
		_args="$_args $_a"
	done
	ks_mark "$_n"
	echo "$_n" >>"$KS_TMP/.kscopes"
	case $_how in
	# shellcheck disable=SC2086
	full) ks_bg "$_n" sh -c 'exec "$0" "$@" >/dev/full' "$KSCOPE" $_args ;;
	# shellcheck disable=SC2086
	closed) ks_bg "$_n" sh -c 'exec "$0" "$@" >&-' "$KSCOPE" $_args ;;
	esac
}

# out_one_error NAME WHAT: stderr has exactly one error line, and it says WHAT; no totals.
out_one_error() {
	_e=$KS_TMP/$1.err
	expect_eq "$(grep -c -e 'cannot write' -e '"type":"error"' "$_e")" 1 "error lines on stderr"
	grep -q -F "$2" "$_e" || fail "stderr does not say '$2': $(head -c 400 "$_e")"
	grep -q -e ' events, ' -e '"type":"summary"' "$_e" && fail "totals printed after the output was lost"
	return 0
}

t_out_full() {
	out_bg ks full "$@"
	# no -d for the event tools: the first write fails, and that ends them
	ks_wait ks "$KS_WAIT"
	expect_rc ks 1
	out_one_error ks "cannot write the output: No space left on device"
	pass
}

t_out_closed() {
	out_bg ks closed "$@"
	ks_wait ks "$KS_WAIT"
	expect_rc ks 1
	out_one_error ks "standard output is closed"
	pass
}

# A pipe whose reader leaves after one byte: kscope's next write gets EPIPE, and it ends
# quietly with 0 (and its totals), like any well-behaved head of a pipeline.
t_out_epipe() {
	wl_start w open /etc/hostname 200
	_w=$(ks_pid w)
	ks_mark ks
	echo ks >>"$KS_TMP/.kscopes"
	# the reader takes the header's first byte, closes the pipe, then says so
	ks_bg ks sh -c '{ "$0" opensnoop -p "$1"; echo $? >"$2"; } |
		{ head -c 1 >/dev/null; exec 0<&-; touch "$3"; }' \
		"$KSCOPE" "$_w" "$KS_TMP/ks.piperc" "$KS_TMP/reader.gone"
	ks_attached ks
	ks_wait_until "$KS_WAIT" test -e "$KS_TMP/reader.gone" || fail "the reader got no header"
	wl_run w
	ks_wait ks "$KS_WAIT"
	expect_eq "$(cat "$KS_TMP/ks.piperc")" 0 "kscope's exit code"
	grep -q -e 'cannot write' -e 'error' "$KS_TMP/ks.err" &&
		fail "a broken pipe was reported: $(ks_first_line "$KS_TMP/ks.err")"
	pass
}

# --svg to a path that can't be written: refused before anything is traced (-d 600 would
# run ten minutes), exit 2, the path and the reason in one line.
t_out_svg_bad() {
	ks_run ks "$1" -d 600 --svg "$2"
	expect_rc ks 2
	expect_one_line "$KS_TMP/ks.err" "--svg $2"
	grep -q -F -- "--svg $2: " "$KS_TMP/ks.err" || fail "the error does not name the path: $(ks_first_line "$KS_TMP/ks.err")"
	grep -q 'tracing' "$KS_TMP/ks.err" && fail "it started tracing"
	pass
}

# A run that fails after --svg was opened leaves an existing graph as it was, and removes a
# file it created itself.
t_out_svg_kept() {
	echo 'an earlier graph' >"$KS_TMP/old.svg"
	ks_run ks profile -p 2147483646 --svg "$KS_TMP/old.svg"
	expect_rc ks 2
	expect_eq "$(cat "$KS_TMP/old.svg")" 'an earlier graph' "the earlier file"
	ks_run ks2 profile -p 2147483646 --svg "$KS_TMP/new.svg"
	expect_rc ks2 2
	[ -e "$KS_TMP/new.svg" ] && fail "a failed run left the file it created"
	pass
}
