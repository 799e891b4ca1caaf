# SPDX-License-Identifier: GPL-2.0-only
# kscope flamegraph: folded stacks to an interactive SVG. The structure is checked with an
# XML parser (xmllint), the drawing and the script in a real headless browser (Chromium,
# through ks_svg_drawn in lib.sh).

ks_test -n -H flamegraph/structure t_fg_structure
ks_test -n -H flamegraph/options t_fg_options
ks_test -n -H flamegraph/formats t_fg_formats
ks_test -n -H flamegraph/errors t_fg_errors
ks_test -n -H -t 120 flamegraph/large t_fg_large
ks_test -n -H flamegraph/browser t_fg_browser
ks_test -n -H flamegraph/browser_zoom t_fg_browser_zoom
ks_test -n -H flamegraph/browser_checker t_fg_browser_checker

fg_xmllint() {
	command -v xmllint >/dev/null 2>&1 ||
		skip "no xmllint to parse the SVG (scripts/setup --test installs libxml2-utils)"
}

# fg_xpath SVG EXPR: xmllint's answer for an XPath 1.0 expression over SVG.
fg_xpath() {
	xmllint --xpath "$2" "$1" 2>/dev/null
}

# XPath of the frame groups (the SVG's elements live in the SVG namespace).
FG_G="//*[local-name()='g'][starts-with(@class,'f ')]"

# fg_attr SVG TITLE ATTR: attribute ATTR of the frame whose <title> is TITLE; "class" and
# "data-*" are the group's, "fill", "width" and "x" its rect's.
fg_attr() {
	case $3 in
	class | data-*) fg_xpath "$1" "string($FG_G[*[local-name()='title']='$2']/@$3)" ;;
	*) fg_xpath "$1" "string($FG_G[*[local-name()='title']='$2']/*[local-name()='rect']/@$3)" ;;
	esac
}

# fg_run NAME ARGS...: run kscope (no BPF: no leak check needed) to NAME.out/.err/.rc.
fg_run() {
	_fn=$1
	shift
	"$KSCOPE" "$@" >"$KS_TMP/$_fn.out" 2>"$KS_TMP/$_fn.err"
	echo $? >"$KS_TMP/$_fn.rc"
}

# The same stacks in an order that makes every merge happen (repeats, shared prefixes).
fg_sample() {
	cat >"$KS_TMP/in.folded" <<'EOF'
main;read;sys_read_[k];vfs_read_[k] 40
main;burn_b;spin 20
main;burn_a;spin 60
main;esc<&"y 10
main;burn_b 30
main;burn_a;spin 40
EOF
}

t_fg_structure() {
	fg_xmllint
	fg_sample
	fg_run fg flamegraph "$KS_TMP/in.folded"
	expect_rc fg 0
	[ -s "$KS_TMP/fg.err" ] && fail "stderr: $(ks_first_line "$KS_TMP/fg.err")"
	xmllint --noout "$KS_TMP/fg.out" 2>"$KS_TMP/xmllint.err" ||
		fail "not well-formed XML: $(ks_first_line "$KS_TMP/xmllint.err")"
	# Exactly these frames, merged, in preorder with children sorted by name (xmllint prints
	# text nodes escaped).
	fg_xpath "$KS_TMP/fg.out" "$FG_G/*[local-name()='title']/text()" >"$KS_TMP/titles"
	cat >"$KS_TMP/want" <<'EOF'
all (200 samples, 100.00%)
main (200 samples, 100.00%)
burn_a (100 samples, 50.00%)
spin (100 samples, 50.00%)
burn_b (50 samples, 25.00%)
spin (20 samples, 10.00%)
esc&lt;&amp;"y (10 samples, 5.00%)
read (40 samples, 20.00%)
sys_read (40 samples, 20.00%)
vfs_read (40 samples, 20.00%)
EOF
	cmp -s "$KS_TMP/titles" "$KS_TMP/want" ||
		fail "frames: expected $(tr '\n' '|' <"$KS_TMP/want"), got $(tr '\n' '|' <"$KS_TMP/titles")"
	expect_eq "$(fg_xpath "$KS_TMP/fg.out" "string(/*/@data-ks-total)")" 200 "data-ks-total"
	# The raw text escapes what XML needs.
	expect_grep "$KS_TMP/fg.out" '<title>esc&lt;&amp;&quot;y (10 samples, 5.00%)</title>' "escaped name"
	# Kinds: classes, and a blue kernel next to warm user colours.
	expect_eq "$(fg_attr "$KS_TMP/fg.out" 'sys_read (40 samples, 20.00%)' class)" "f k" "kernel class"
	expect_eq "$(fg_attr "$KS_TMP/fg.out" 'vfs_read (40 samples, 20.00%)' class)" "f k" "kernel class"
	expect_eq "$(fg_attr "$KS_TMP/fg.out" 'burn_a (100 samples, 50.00%)' class)" "f u" "user class"
	for _t in 'sys_read (40 samples, 20.00%)' 'vfs_read (40 samples, 20.00%)'; do
		_c=$(fg_attr "$KS_TMP/fg.out" "$_t" fill)
		fg_blue "$_c" || fail "kernel frame $_t: fill $_c is not blue"
	done
	for _t in 'main (200 samples, 100.00%)' 'burn_a (100 samples, 50.00%)' \
		'burn_b (50 samples, 25.00%)' 'read (40 samples, 20.00%)'; do
		_c=$(fg_attr "$KS_TMP/fg.out" "$_t" fill)
		fg_blue "$_c" && fail "user frame $_t: fill $_c is blue like the kernel's"
		case $_c in '#'??????) ;; *) fail "user frame $_t: fill '$_c'" ;; esac
	done
	# Same function, same colour (both spin frames).
	expect_eq "$(fg_attr "$KS_TMP/fg.out" 'spin (100 samples, 50.00%)' fill)" \
		"$(fg_attr "$KS_TMP/fg.out" 'spin (20 samples, 10.00%)' fill)" "colour of spin"
	# Geometry: 1200 px wide, 10 px margins: burn_a is half of 1180 px, burn_b starts after.
	expect_eq "$(fg_attr "$KS_TMP/fg.out" 'burn_a (100 samples, 50.00%)' width)" 590.00 "burn_a width"
	expect_eq "$(fg_attr "$KS_TMP/fg.out" 'burn_b (50 samples, 25.00%)' x)" 600.00 "burn_b x"
	expect_eq "$(fg_attr "$KS_TMP/fg.out" 'burn_b (50 samples, 25.00%)' data-c)" 50 "burn_b data-c"
	# Self-contained: nothing loaded from elsewhere; the legend names both kinds.
	grep -q -e 'href' -e 'url(' -e '@import' "$KS_TMP/fg.out" && fail "an external reference"
	expect_eq "$(fg_xpath "$KS_TMP/fg.out" "count(//*[local-name()='script'])")" 1 "scripts"
	expect_eq "$(fg_xpath "$KS_TMP/fg.out" "count(//*[local-name()='style'])")" 1 "styles"
	expect_eq "$(fg_xpath "$KS_TMP/fg.out" "string(//*[@class='legend'])")" userkernel "legend"
	pass
}

# fg_blue #RRGGBB: blue the largest component, by a margin (the kernel's hue family).
fg_blue() {
	case $1 in '#'??????) ;; *) return 1 ;; esac
	_r=$(printf '%d' "0x$(echo "$1" | cut -c2-3)")
	_g=$(printf '%d' "0x$(echo "$1" | cut -c4-5)")
	_b=$(printf '%d' "0x$(echo "$1" | cut -c6-7)")
	[ "$_b" -gt $((_r + 30)) ] && [ "$_b" -gt "$_g" ]
}

t_fg_options() {
	fg_xmllint
	fg_sample
	# stdin, -o, and every option
	fg_run o flamegraph -o "$KS_TMP/o.svg" --title 'CPU <profile>' --subtitle 'kscope profile -F 49' \
		--unit us --width 2010 --inverted - <"$KS_TMP/in.folded"
	expect_rc o 0
	[ -s "$KS_TMP/o.out" ] && fail "stdout not empty with -o"
	xmllint --noout "$KS_TMP/o.svg" 2>"$KS_TMP/xmllint.err" ||
		fail "not well-formed XML: $(ks_first_line "$KS_TMP/xmllint.err")"
	expect_eq "$(fg_xpath "$KS_TMP/o.svg" "string(/*/@width)")" 2010 "width"
	expect_eq "$(fg_xpath "$KS_TMP/o.svg" "string(//*[@class='title'])")" 'CPU <profile>' "title"
	expect_eq "$(fg_xpath "$KS_TMP/o.svg" "string(//*[@class='sub'])")" 'kscope profile -F 49' "subtitle"
	expect_eq "$(fg_attr "$KS_TMP/o.svg" 'burn_a (100 us, 50.00%)' width)" 995.00 "burn_a width"
	# Inverted: the root's row is above its children's.
	_ry=$(fg_attr "$KS_TMP/o.svg" 'all (200 us, 100.00%)' y)
	_cy=$(fg_attr "$KS_TMP/o.svg" 'spin (100 us, 50.00%)' y)
	[ -n "$_ry" ] && [ -n "$_cy" ] && [ "$_ry" -lt "$_cy" ] || fail "inverted: root at y=$_ry, spin at y=$_cy"
	fg_run n flamegraph "$KS_TMP/in.folded"
	_ry=$(fg_attr "$KS_TMP/n.out" 'all (200 samples, 100.00%)' y)
	_cy=$(fg_attr "$KS_TMP/n.out" 'spin (100 samples, 50.00%)' y)
	[ -n "$_ry" ] && [ -n "$_cy" ] && [ "$_ry" -gt "$_cy" ] || fail "not inverted: root at y=$_ry, spin at y=$_cy"
	# No argument: stdin too; the same bytes every time.
	fg_run s flamegraph <"$KS_TMP/in.folded"
	expect_rc s 0
	cmp -s "$KS_TMP/s.out" "$KS_TMP/n.out" || fail "stdin and FILE gave different SVGs"
	fg_run w flamegraph --width 10 "$KS_TMP/in.folded"
	expect_rc w 2
	expect_grep "$KS_TMP/w.err" "invalid value '10' for --width" "message"
	fg_run h flamegraph --help
	expect_rc h 0
	expect_grep "$KS_TMP/h.out" "usage: kscope flamegraph [options] [FILE]" "usage"
	pass
}

# fg_classes NAME TOTAL: kscope run NAME drew a well-formed SVG of TOTAL, with the frames
# on stdin ("CLASS|TITLE" lines) of those classes.
fg_classes() {
	expect_rc "$1" 0
	xmllint --noout "$KS_TMP/$1.out" || fail "$1: not well-formed XML"
	expect_eq "$(fg_xpath "$KS_TMP/$1.out" "string(/*/@data-ks-total)")" "$2" "$1: total"
	while IFS='|' read -r _cl _ti; do
		expect_eq "$(fg_attr "$KS_TMP/$1.out" "$_ti" class)" "$_cl" "$1: class of $_ti"
	done
}

# What other tools write: perf's stackcollapse (comm with spaces, _[k], fractional counts as
# perf script's period sums can be) and BCC's profile -f (-d puts "-" between the user and
# kernel stacks), offcputime -f, wakeuptime -f ("--" between target and waker).
t_fg_formats() {
	fg_xmllint
	cat >"$KS_TMP/perf.folded" <<'EOF'
my prog;_start;__libc_start_main;main;compute 7.5
my prog;_start;__libc_start_main;main;compute;entry_SYSCALL_64_[k];do_syscall_64_[k] 2.4
my prog;[unknown];[unknown] 1
swapper;secondary_startup_64_[k];cpu_idle_[k] 9
java;Interpreter_[j];LoopBody_[j] 4
java;Interpreter_[j];Helper_[i] 1
EOF
	fg_run p flamegraph "$KS_TMP/perf.folded"
	fg_classes p 25 <<'EOF'
f u|my prog (11 samples, 44.00%)
f u|compute (10 samples, 40.00%)
f k|do_syscall_64 (2 samples, 8.00%)
f q|[unknown] (1 samples, 4.00%)
f j|LoopBody (4 samples, 16.00%)
f i|Helper (1 samples, 4.00%)
EOF
	cat >"$KS_TMP/bcc.folded" <<'EOF'
worker;start_thread;run;burn 12
worker;start_thread;run;-;asm_sysvec_apic_timer_interrupt_[k] 3
target;schedule_[k];--;waker_fn_[w];wake_up_process_[w] 5
EOF
	fg_run b flamegraph "$KS_TMP/bcc.folded"
	fg_classes b 20 <<'EOF'
f u|run (15 samples, 75.00%)
f w|- (3 samples, 15.00%)
f w|-- (5 samples, 25.00%)
f w|wake_up_process (5 samples, 25.00%)
f k|asm_sysvec_apic_timer_interrupt (3 samples, 15.00%)
EOF
	# Windows line ends and a missing final newline are fine.
	printf 'a;b 1\r\na;c 2' >"$KS_TMP/crlf.folded"
	fg_run c flamegraph "$KS_TMP/crlf.folded"
	expect_rc c 0
	expect_eq "$(fg_attr "$KS_TMP/c.out" 'c (2 samples, 66.67%)' class)" "f u" "last line without newline"
	pass
}

# fg_bad NAME WHAT EXPECTED_MESSAGE ARGS...: exit 2, one line on stderr with the message,
# nothing on stdout.
fg_bad() {
	_bn=$1 _bw=$2 _bm=$3
	shift 3
	fg_run "$_bn" "$@"
	expect_rc "$_bn" 2
	expect_one_line "$KS_TMP/$_bn.err" "$_bw"
	expect_grep "$KS_TMP/$_bn.err" "$_bm" "$_bw"
	[ -s "$KS_TMP/$_bn.out" ] && fail "$_bw: output on stdout"
	return 0
}

t_fg_errors() {
	printf 'main;a 1\nmain;b 2\nmain;c\nmain;d 4\n' >"$KS_TMP/nocount.folded"
	fg_bad nc "no count" "kscope: flamegraph: $KS_TMP/nocount.folded:3: no count" flamegraph "$KS_TMP/nocount.folded"
	printf 'main;a 1\n\nmain;b two\n' >"$KS_TMP/badcount.folded"
	fg_bad bc "bad count" "$KS_TMP/badcount.folded:3: count is not a number" flamegraph "$KS_TMP/badcount.folded"
	printf 'main;a 1\n 5\n' >"$KS_TMP/noframe.folded"
	fg_bad nf "no frame" "stdin:2: no frame before the count" flamegraph - <"$KS_TMP/noframe.folded"
	printf 'main;a -1\n' >"$KS_TMP/neg.folded"
	fg_bad ng "negative" "neg.folded:1: count is not a number >= 0" flamegraph "$KS_TMP/neg.folded"
	printf 'a 18446744073709551615\nb 1\n' >"$KS_TMP/big.folded"
	fg_bad bg "overflow" "big.folded:2: the counts add up to more than 2^64" flamegraph "$KS_TMP/big.folded"
	: >"$KS_TMP/empty.folded"
	fg_bad em "empty input" "no stacks in $KS_TMP/empty.folded" flamegraph "$KS_TMP/empty.folded"
	printf '\n  \n\n' >"$KS_TMP/blank.folded"
	fg_bad bl "blank input" "no stacks in stdin" flamegraph <"$KS_TMP/blank.folded"
	printf 'a;b 0\n' >"$KS_TMP/zero.folded"
	fg_bad z "zero counts" "every count in $KS_TMP/zero.folded is 0" flamegraph "$KS_TMP/zero.folded"
	fg_bad mf "missing file" "cannot open $KS_TMP/nope.folded: No such file or directory" \
		flamegraph "$KS_TMP/nope.folded"
	fg_bad dir "a directory" "cannot read $KS_TMP: Is a directory" flamegraph "$KS_TMP"
	fg_bad two "two files" "unexpected argument" flamegraph "$KS_TMP/zero.folded" "$KS_TMP/zero.folded"
	# Bad input leaves an existing -o file alone.
	echo keep >"$KS_TMP/keep.svg"
	fg_bad ko "no clobber" "nocount.folded:3:" flamegraph -o "$KS_TMP/keep.svg" "$KS_TMP/nocount.folded"
	expect_eq "$(cat "$KS_TMP/keep.svg")" keep "-o file after bad input"
	printf 'main;a 1\n' >"$KS_TMP/good.folded"
	fg_bad od "output in a missing directory" \
		"cannot write $KS_TMP/no/such.svg: No such file or directory" \
		flamegraph -o "$KS_TMP/no/such.svg" "$KS_TMP/good.folded"
	pass
}

# A million lines: the tree is hashed, so this is a matter of a second or two.
t_fg_large() {
	fg_xmllint
	awk 'BEGIN { for (i = 0; i < 1000000; i++)
		printf "app;main;f%d;g%d;h%d 1\n", i % 100, i % 7, i % 1000 }' >"$KS_TMP/large.folded"
	fg_run l flamegraph -v "$KS_TMP/large.folded"
	expect_rc l 0
	note "$(cat "$KS_TMP/l.err")"
	expect_grep "$KS_TMP/l.err" "1000000 stacks" "stacks read"
	xmllint --noout "$KS_TMP/l.out" || fail "not well-formed XML"
	expect_eq "$(fg_xpath "$KS_TMP/l.out" "string(/*/@data-ks-total)")" 1000000 "total"
	expect_eq "$(fg_attr "$KS_TMP/l.out" 'f42 (10000 samples, 1.00%)' data-d)" 3 "f42"
	# f*: 100, g* under each f: 7 (100 and 7 are coprime), h* under each g: 1000/700 rounds.
	expect_eq "$(fg_xpath "$KS_TMP/l.out" "count($FG_G[@data-d='3'])")" 100 "f frames"
	expect_eq "$(fg_xpath "$KS_TMP/l.out" "count($FG_G[@data-d='4'])")" 700 "g frames"
	pass
}

# Two functions burning CPU, as a profile of the workload would show them.
fg_burn() {
	cat >"$KS_TMP/burn.folded" <<'EOF'
workload;_start;__libc_start_main;main;burn_a 600
workload;_start;__libc_start_main;main;burn_b 300
workload;_start;__libc_start_main;main;burn_b;__x64_sys_getppid_[k] 40
workload;_start;__libc_start_main;main;a_function_with_a_very_long_name_that_cannot_fit_in_a_narrow_frame 59
workload;_start;__libc_start_main;main;tiny 1
EOF
	fg_run svg flamegraph --title "burn" "$KS_TMP/burn.folded"
	expect_rc svg 0
}

t_fg_browser() {
	fg_burn
	ks_svg_drawn "$KS_TMP/svg.out" "$KS_TMP/burn.png" burn_a burn_b main __x64_sys_getppid ||
		fail "$KS_SVG_MISSING"
	# Every frame laid out by the script, and the checker sees what is not there.
	grep -q '<svg [^>]*data-ks-frames="10"' "$KS_SVG_DOM" ||
		fail "data-ks-frames: $(grep -o 'data-ks-frames="[^"]*"' "$KS_SVG_DOM")"
	# 600 of 1000 samples, 1180 px to draw in
	expect_eq "$(ks_svg_width burn_a)" 708.00 "burn_a's drawn width"
	# The script fitted the long name to its frame (69.62 px): cut, with "..".
	grep -F '<title>a_function_with' "$KS_SVG_DOM" | grep -q '>a_f[a-z_]*\.\.</text>' ||
		fail "long name not truncated: $(grep -F '<title>a_function_with' "$KS_SVG_DOM" | cut -c1-300)"
	pass
}

# Search, a click to zoom and a hover, driven through the URL fragment the script honours
# (it dispatches real mouse events to the frames).
t_fg_browser_zoom() {
	fg_burn
	ks_svg_drawn -f '#search=^burn_&zoom=burn_b&hover=__x64_sys_getppid' "$KS_TMP/svg.out" \
		"$KS_TMP/zoom.png" burn_b main || fail "$KS_SVG_MISSING"
	grep -q '<svg [^>]*data-ks-zoom="burn_b"' "$KS_SVG_DOM" || fail "no data-ks-zoom on <svg>"
	# Zoomed: burn_b across the whole 1180 px, its ancestors too, its sibling hidden, its
	# child (40 of its 340 samples) widened.
	expect_eq "$(ks_svg_width burn_b)" 1180.00 "zoomed burn_b's width"
	expect_eq "$(ks_svg_width main)" 1180.00 "ancestor main's width"
	expect_eq "$(ks_svg_width __x64_sys_getppid)" 138.82 "burn_b's child"
	expect_eq "$(ks_svg_width burn_a)" "" "burn_a drawn beside the zoomed burn_b"
	grep -F '<title>burn_a (' "$KS_SVG_DOM" | grep -q 'style="display: none;"' || fail "burn_a not hidden"
	# Search: burn_a and burn_b match, 940 of 1000 samples.
	grep -q '<svg [^>]*data-ks-matched="94.00"' "$KS_SVG_DOM" ||
		fail "matched: $(grep -o 'data-ks-matched="[^"]*"' "$KS_SVG_DOM")"
	expect_eq "$(grep -c 'class="f u m"' "$KS_SVG_DOM")" 2 "highlighted frames"
	# The status line tells about the frame under the mouse, and its share of the zoom.
	expect_grep "$KS_SVG_DOM" '<text class="ks-status" x="10" y="190">__x64_sys_getppid (40 samples, 4.00%), 11.76% of burn_b</text>' "status line"
	pass
}

# The checker itself: a name that isn't there, and a file that is no flame graph, fail.
t_fg_browser_checker() {
	ks_svg_can_draw || skip "$KS_SVG_WHY"
	fg_burn
	ks_svg_drawn "$KS_TMP/svg.out" "$KS_TMP/c1.png" burn_a burn_c && fail "burn_c found drawn"
	expect_eq "$KS_SVG_MISSING" "no frame 'burn_c' drawn with a width > 0" "what is missing"
	cat >"$KS_TMP/plain.svg" <<'EOF'
<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300"><rect width="600" height="300" fill="#fff"/></svg>
EOF
	ks_svg_drawn "$KS_TMP/plain.svg" "$KS_TMP/c2.png" && fail "a blank SVG passed"
	case $KS_SVG_MISSING in
	*"the screenshot is only "*"bytes (blank?); the SVG's script did not lay out the frames"*) ;;
	*) fail "blank SVG: $KS_SVG_MISSING" ;;
	esac
	pass
}
