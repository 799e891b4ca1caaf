# SPDX-License-Identifier: GPL-2.0-only
# kscope btf: the per-kernel cache of minimal BTF. --verify proves that every tool's programs
# relocate the same with it as with the full kernel BTF, for every method that works here.

# Each runs kscope once per tool (and method): minutes in an emulated guest on a busy machine.
ks_test -t 600 btf/verify t_btf_verify
ks_test btf/cache_dir t_btf_cache_dir
ks_test -t 600 btf/cache_off t_btf_cache_off
ks_test btf/corrupt_cache t_btf_corrupt_cache

btf_have() {
	ks_list_commands | grep -qx btf || skip "no 'kscope btf' command yet"
}

t_btf_verify() {
	btf_have
	ks_run v btf --verify --json
	expect_rc v 0
	"$H/jsonq" --check <"$KS_TMP/v.out" 2>"$KS_TMP/v.jsonq" ||
		fail "invalid JSON: $(ks_first_line "$KS_TMP/v.jsonq")"
	[ -s "$KS_TMP/v.err" ] && fail "errors: $(ks_first_line "$KS_TMP/v.err")"
	expect_eq "$(ks_count v type=verify different 'different!=0')" 0 "programs relocated differently"
	expect_eq "$(ks_count v type=verify 'programs=0')" 0 "verify lines without programs"
	ks_features_json || skip "no 'kscope features --json' to know the working methods"
	for _t in $(ks_list_tools); do
		expect_eq "$(ks_count v type=btf "tool=$_t" 'path~/' 'bytes>0')" 1 "cache entry of $_t"
		# Sampling only (perf events): no choice of method, compared once.
		if [ "$_t" = runqlen ]; then
			expect_eq "$(ks_count v type=verify "tool=$_t" different=0 'programs>0')" 1 \
				"$_t verified (no choice of method)"
			continue
		fi
		# fentry/kprobe variants exist in the tools that hook single syscalls.
		_ms="tp_btf raw_tp tracepoint"
		case " execsnoop opensnoop sigsnoop " in *" $_t "*) _ms="fentry kprobe $_ms" ;; esac
		# no classic tracepoint variant: it lacks the woken and next tasks (sched.bpf.h),
		# the request (block.bpf.h), the io_uring request (uring.bpf.h); the network
		# tools' socket and packet hooks (net.bpf.h: inet_sock_set_state, kfree_skb ...)
		# have tp_btf and raw_tp variants only, raw_tp being everywhere tracepoints are
		_tponly=" runqlat runqslower offcputime wakeuptime biolatency biosnoop biotop bitesize"
		_tponly="$_tponly biopattern uringlat uringslower pkttrace skbdrop tcpaccept tcpconnect"
		_tponly="$_tponly tcpconnlat tcplife tcpretrans tcprtt tcpstates tcpsynbl "
		case $_tponly in *" $_t "*) _ms="tp_btf raw_tp" ;; esac
		# tcptop: the sock_*_length tracepoints where the kernel has them (6.3+), and
		# fexit or kprobes on the socket calls everywhere
		if [ "$_t" = tcptop ]; then
			_ms="fentry kprobe"
			[ -d /sys/kernel/tracing/events/sock/sock_send_length ] &&
				_ms="$_ms tp_btf raw_tp tracepoint"
		fi
		for _m in $_ms; do
			[ "$("$H/jsonq" -w type=feature -w "name=$_m" -g ok <"$KS_TMP/.features")" = true ] ||
				continue
			# Verified, or refused by this kernel in libbpf's own load as well (the tool
			# then falls back from that variant).
			expect_eq "$(($(ks_count v type=verify "tool=$_t" "method=$_m" different=0 'programs>0') +
				$(ks_count v type=verify "tool=$_t" "method=$_m" 'refused~')))" 1 \
				"$_t verified with $_m"
		done
	done
	pass
}

# The cache lives in a directory only its owner can use.
t_btf_cache_dir() {
	btf_have
	ks_run b btf --json
	expect_rc b 0
	_p=$("$H/jsonq" -w type=btf -g path <"$KS_TMP/b.out" | head -n 1)
	[ -n "$_p" ] || fail "no cache path"
	_d=${_p%/*}
	expect_eq "$(stat -c '%a %u' "$_d")" "700 $(id -u)" "mode and owner of $_d"
	pass
}

# KSCOPE_BTF_CACHE=0: no cache, libbpf reads the kernel BTF; the tools still work.
t_btf_cache_off() {
	btf_have
	KSCOPE_BTF_CACHE=0
	export KSCOPE_BTF_CACHE
	for _t in $(ks_list_tools); do
		ks_run "$_t" "$_t" --json --duration 0.3
		expect_rc "$_t" 0
		ks_json_ok "$_t"
	done
	ks_run b btf --json
	expect_eq "$(ks_count b type=btf 'path!=null')" 0 "cache paths with KSCOPE_BTF_CACHE=0"
	pass
}

# A damaged cache file must not break the tool: rebuilt, or the full BTF used instead.
t_btf_corrupt_cache() {
	btf_have
	ks_list_tools | grep -qx exitsnoop || skip "no exitsnoop"
	ks_run b btf --json
	_p=$("$H/jsonq" -w type=btf -w tool=exitsnoop -g path <"$KS_TMP/b.out")
	[ -n "$_p" ] && [ -f "$_p" ] || skip "no cache file for exitsnoop"
	cp "$_p" "$KS_TMP/saved.btf" || fail "cannot save $_p"
	# put it back whatever happens (other kscope runs share the cache)
	printf '%s\n' "$_p" >"$KS_TMP/.restore"
	trap 'cp "$KS_TMP/saved.btf" "$(cat "$KS_TMP/.restore")"; _ks_cleanup' EXIT
	printf 'garbage' >"$_p"
	ks_run g exitsnoop --json --duration 0.3
	: >"$_p"
	ks_run e exitsnoop --json --duration 0.3
	cp "$KS_TMP/saved.btf" "$_p"
	expect_rc g 0
	expect_rc e 0
	pass
}
