# SPDX-License-Identifier: GPL-2.0-only
# kscope features: every probe reported once, consistent JSON and text, nothing left loaded,
# and the verdicts agree with what the tools then do.

FEATURES="btf tracefs ringbuf tp_btf raw_tp tracepoint fentry kprobe kprobe_multi uprobe perf_sw perf_hw"

ks_test features/json t_feat_json
ks_test features/text t_feat_text
ks_test features/not_root t_feat_not_root
ks_test features/methods_agree t_feat_methods_agree

feat_have() {
	ks_list_commands | grep -qx features || skip "no 'kscope features' command yet"
}

t_feat_json() {
	feat_have
	ks_run f features --json
	expect_rc f 0
	"$H/jsonq" --check <"$KS_TMP/f.out" 2>"$KS_TMP/f.jsonq" ||
		fail "invalid JSON: $(ks_first_line "$KS_TMP/f.jsonq")"
	expect_eq "$(head -n 1 "$KS_TMP/f.out" | "$H/jsonq" -w type=kernel -g release)" "$(uname -r)" \
		"first line: kernel release"
	expect_eq "$(ks_count f type=kernel "machine=$(uname -m)")" 1 "kernel machine"
	for _f in $FEATURES; do
		expect_eq "$(ks_count f type=feature "name=$_f")" 1 "lines for feature $_f"
		expect_eq "$(ks_count f type=feature "name=$_f" ok=true errno=null 'detail~')" \
			"$(ks_count f type=feature "name=$_f" ok=true)" "$_f: ok means errno null"
		expect_eq "$(ks_count f type=feature "name=$_f" ok=false 'errno~E' 'detail~E')" \
			"$(ks_count f type=feature "name=$_f" ok=false)" "$_f: not ok means an errno and a reason"
	done
	expect_eq "$(ks_count f type=feature)" "$(echo $FEATURES | wc -w | tr -d ' ')" "feature lines"
	expect_eq "$(ks_count f type=feature 'detail#=0')" 0 "empty details"
	[ -s "$KS_TMP/f.err" ] && fail "stderr not empty: $(ks_first_line "$KS_TMP/f.err")"
	pass
}

# The text table says yes/no as the JSON says true/false.
t_feat_text() {
	feat_have
	ks_run t features
	expect_rc t 0
	ks_run j features --json
	for _f in $FEATURES; do
		_j=$("$H/jsonq" -w type=feature -w "name=$_f" -g ok <"$KS_TMP/j.out")
		_t=$(awk -v f="$_f" '$1 == f { print $2 }' "$KS_TMP/t.out")
		case $_j/$_t in
		true/yes | false/no) ;;
		*) fail "$_f: JSON ok=$_j but text '$_t'" ;;
		esac
	done
	expect_grep "$KS_TMP/t.out" "$(uname -r)" "kernel release"
	pass
}

t_feat_not_root() {
	feat_have
	cp "$KSCOPE" "$KS_TMP/kscope" && chmod 755 "$KS_TMP/kscope" || fail "cannot copy kscope"
	ks_mark nr
	ks_bg nr "$H/asuser" 65534 65534 "$KS_TMP/kscope" features
	ks_wait nr "$KS_WAIT"
	expect_rc nr 3
	expect_one_line "$KS_TMP/nr.err" "features as nobody"
	expect_grep "$KS_TMP/nr.err" "permission denied" "features as nobody"
	pass
}

# Each tracepoint method the probes call usable attaches a tool; one called unusable gives 4.
# (fentry and kprobes: see attach/TOOL/fentry_refused in kscope.sh.)
t_feat_methods_agree() {
	feat_have
	ks_run j features --json
	for _m in tp_btf raw_tp tracepoint; do
		_ok=$("$H/jsonq" -w type=feature -w "name=$_m" -g ok <"$KS_TMP/j.out")
		ks_run "m_$_m" exitsnoop --attach "$_m" -d 0.2
		if [ "$_ok" = true ]; then
			expect_rc "m_$_m" 0
		else
			expect_rc "m_$_m" 4
		fi
	done
	pass
}
