# SPDX-License-Identifier: GPL-2.0-only
# The suite's own JSON checker must be right before anything is judged with it.

ks_test -n -H jsonq/valid t_jsonq_valid
ks_test -n -H jsonq/invalid t_jsonq_invalid
ks_test -n -H jsonq/unicode t_jsonq_unicode
ks_test -n -H jsonq/filter t_jsonq_filter
ks_test -n -H jsonq/get t_jsonq_get

# jq_valid LINE...: each LINE alone must pass --check
jq_valid() {
	for _l in "$@"; do
		printf '%s\n' "$_l" | "$H/jsonq" --check 2>"$KS_TMP/err" ||
			fail "rejected valid JSON '$_l': $(cat "$KS_TMP/err")"
	done
}

# jq_invalid LINE...: each LINE alone must be rejected, with "line 1" in the message
jq_invalid() {
	for _l in "$@"; do
		printf '%s\n' "$_l" | "$H/jsonq" --check 2>"$KS_TMP/err"
		_rc=$?
		[ "$_rc" = 1 ] || fail "accepted invalid JSON '$_l' (exit $_rc)"
		grep -q 'line 1:' "$KS_TMP/err" || fail "no line number for '$_l': $(cat "$KS_TMP/err")"
	done
}

t_jsonq_valid() {
	jq_valid '{}' '[]' '0' '-0' '1.5e-3' '1E+9' '-12.25' '"x"' 'true' 'false' 'null' \
		'{"a":[1,{"b":null}],"c":"d"}' ' { "a" : 1 } ' '"\"\\\/\b\f\n\r\t"' \
		'"\u0000"' '"é€😀"' '"\ud83d\ude00"' '[[[[[[[[[[]]]]]]]]]]' \
		'18446744073709551615' '{"":""}'
	pass
}

t_jsonq_invalid() {
	jq_invalid '{' '}' '[1,]' '{"a":1,}' '{"a"}' '{"a":}' '{a:1}' "{'a':1}" '01' '1.' '.5' \
		'+1' '-' '1e' 'NaN' 'Infinity' 'tru' 'nul' '"abc' '"\x"' '"\u12"' '"\ud800"' \
		'"\udc00"' '"\ud800\u0041"' '{"a":1}{"b":2}' '{"a":1} x' '[1 2]' \
		'{"a":1,"a":2}' ''
	# raw bytes: a tab inside a string, invalid UTF-8, overlong, surrogate, > U+10FFFF
	for _b in '"a\tb"' '"\377"' '"\300\257"' '"\355\240\200"' '"\364\220\200\200"' '"\342\202"'; do
		# shellcheck disable=SC2059
		printf "$_b\\n" | "$H/jsonq" --check 2>/dev/null && fail "accepted raw bytes $_b"
	done
	# the line number of the bad line, and all lines checked
	printf '{"a":1}\n{"a":2}\n{"a":\n{"a":3}\n' | "$H/jsonq" --check 2>"$KS_TMP/err" &&
		fail "accepted a bad third line"
	grep -q '^jsonq: line 3: ' "$KS_TMP/err" || fail "bad line not named: $(cat "$KS_TMP/err")"
	# a missing final newline means truncated output
	printf '{"a":1}' | "$H/jsonq" --check 2>/dev/null && fail "accepted a line without newline"
	# an empty line
	printf '{"a":1}\n\n' | "$H/jsonq" --check 2>/dev/null && fail "accepted an empty line"
	# nesting limit
	_deep=$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "["; for (i = 0; i < 300; i++) printf "]" }')
	printf '%s\n' "$_deep" | "$H/jsonq" --check 2>/dev/null && fail "accepted 300 levels"
	pass
}

t_jsonq_unicode() {
	# escapes decode to UTF-8; a surrogate pair is one code point
	_got=$(printf '%s\n' '{"s":"\u00e9\u20ac\ud83d\ude00\n"}' | "$H/jsonq" -g s | od -An -tx1 | tr -d ' \n')
	expect_eq "$_got" "c3a9e282acf09f98800a0a" "decoded \\u escapes"
	_got=$(printf '%s\n' '{"s":"a\u0000b"}' | "$H/jsonq" -g 's#')
	expect_eq "$_got" 3 "length of a string with \\u0000"
	# raw multi-byte UTF-8 passes through
	_got=$(printf '{"s":"\303\251\360\237\230\200"}\n' | "$H/jsonq" -g s | od -An -tx1 | tr -d ' \n')
	expect_eq "$_got" "c3a9f09f98800a" "raw UTF-8"
	pass
}

t_jsonq_filter() {
	_in=$KS_TMP/in
	cat >"$_in" <<'EOF'
{"type":"event","pid":10,"ret":-2,"errno":"ENOENT","path":"/a b","big":18446744073709551615}
{"type":"event","pid":11,"ret":3,"path":"/c","f":1.50,"n":null,"t":true}
{"type":"summary","events":2,"lost":0,"argv":["x","y z",""],"o":{"k":[1,2]}}
EOF
	expect_eq "$("$H/jsonq" -c <"$_in")" 3 "count all"
	expect_eq "$("$H/jsonq" -c -w type=event <"$_in")" 2 "type=event"
	expect_eq "$("$H/jsonq" -c -w type=event -w pid=10 <"$_in")" 1 "AND of two"
	expect_eq "$("$H/jsonq" -c -w 'type!=event' <"$_in")" 1 "!="
	expect_eq "$("$H/jsonq" -c -w 'ret<0' <"$_in")" 1 "ret<0"
	expect_eq "$("$H/jsonq" -c -w 'ret>=0' <"$_in")" 1 "ret>=0"
	expect_eq "$("$H/jsonq" -c -w 'ret>=-2' <"$_in")" 2 "ret>=-2"
	expect_eq "$("$H/jsonq" -c -w 'ret=-2.0' <"$_in")" 1 "numbers compare by value"
	expect_eq "$("$H/jsonq" -c -w 'f=1.5' <"$_in")" 1 "1.50 = 1.5"
	expect_eq "$("$H/jsonq" -c -w 'f=15e-1' <"$_in")" 1 "1.50 = 15e-1"
	expect_eq "$("$H/jsonq" -c -w 'big=18446744073709551615' <"$_in")" 1 "u64 max exact"
	expect_eq "$("$H/jsonq" -c -w 'big=18446744073709551614' <"$_in")" 0 "u64 max - 1 differs"
	expect_eq "$("$H/jsonq" -c -w 'big>18446744073709551614' <"$_in")" 1 "u64 order"
	expect_eq "$("$H/jsonq" -c -w 'pid="10"' <"$_in")" 0 "a quoted value is a string"
	expect_eq "$("$H/jsonq" -c -w 'type="event"' <"$_in")" 2 "a quoted string"
	printf '%s\n' '{"s":"true","n":"12","b":true,"z":"null"}' >"$KS_TMP/in2"
	expect_eq "$("$H/jsonq" -c -w s=true -w n=12 -w b=true -w z=null <"$KS_TMP/in2")" 1 "strings that look like JSON"
	expect_eq "$("$H/jsonq" -c -w b='"true"' <"$KS_TMP/in2")" 0 "a boolean is not a string"
	expect_eq "$("$H/jsonq" -c -w 'path=/a b' <"$_in")" 1 "plain string with a space"
	expect_eq "$("$H/jsonq" -c -w 'path~a' <"$_in")" 1 "substring"
	expect_eq "$("$H/jsonq" -c -w 'path~' <"$_in")" 2 "empty substring: is a string"
	expect_eq "$("$H/jsonq" -c -w errno <"$_in")" 1 "exists"
	expect_eq "$("$H/jsonq" -c -w '!errno' <"$_in")" 2 "does not exist"
	expect_eq "$("$H/jsonq" -c -w n=null <"$_in")" 1 "null"
	expect_eq "$("$H/jsonq" -c -w t=true <"$_in")" 1 "true"
	expect_eq "$("$H/jsonq" -c -w 'argv=["x","y z",""]' <"$_in")" 1 "array equality"
	expect_eq "$("$H/jsonq" -c -w 'o={"k":[1,2.0]}' <"$_in")" 1 "object equality"
	expect_eq "$("$H/jsonq" -c -w 'argv#=3' <"$_in")" 1 "array length"
	expect_eq "$("$H/jsonq" -c -w 'argv.1=y z' <"$_in")" 1 "array element"
	expect_eq "$("$H/jsonq" -c -w 'o.k.1=2' <"$_in")" 1 "nested path"
	"$H/jsonq" -w 'ret<abc' <"$_in" >/dev/null 2>&1
	expect_eq "$?" 2 "bad expression exit code"
	pass
}

t_jsonq_get() {
	_in=$KS_TMP/in
	cat >"$_in" <<'EOF'
{"type":"meta","attach":{"a":"tp_btf","b":"raw_tp"}}
{"type":"event","s":"q\"\\\n","argv":["x","y z",""],"o":{"k":[1,2]},"n":1e3}
EOF
	expect_eq "$("$H/jsonq" -w type=event -g argv.1 <"$_in")" "y z" "-g element"
	expect_eq "$("$H/jsonq" -w type=event -g 'argv#' <"$_in")" 3 "-g length"
	expect_eq "$("$H/jsonq" -w type=event -g argv <"$_in")" '["x","y z",""]' "-g array"
	expect_eq "$("$H/jsonq" -w type=event -g o <"$_in")" '{"k":[1,2]}' "-g object"
	expect_eq "$("$H/jsonq" -w type=event -g n <"$_in")" '1e3' "-g number as written"
	expect_eq "$("$H/jsonq" -w type=event -g n -g argv.0 <"$_in")" "$(printf '1e3\tx')" "two -g"
	expect_eq "$("$H/jsonq" -w type=meta -g 'attach.*' <"$_in" | tr '\n' ' ')" "tp_btf raw_tp " "-g all members"
	expect_eq "$("$H/jsonq" -w type=event -g s <"$_in" | od -An -tx1 | tr -d ' \n')" 71225c0a0a "-g raw string"
	expect_eq "$("$H/jsonq" -w type=event -g missing <"$_in")" "" "-g missing"
	expect_eq "$("$H/jsonq" -w type=nothing <"$_in")" "" "no match prints nothing"
	expect_eq "$("$H/jsonq" -w type=meta <"$_in")" "$(head -n 1 "$_in")" "whole line"
	pass
}
