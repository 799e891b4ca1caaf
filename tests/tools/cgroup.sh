# SPDX-License-Identifier: GPL-2.0-only
# cgroups v1, v2 and hybrid (docs/containers.md): -c on a directory of either version, the
# path, hierarchy and container ids events carry, per-cgroup keys, and bad input. The v1
# tests use the host's v1 hierarchies (a cgroup made inside the test's own) or, in guests
# that mount cgroup2 only, a controller they mount as v1 themselves.

ks_test cgroup/v2/filter t_cg_filter v2
ks_test cgroup/v1/filter t_cg_filter v1
ks_test cgroup/v2/containers t_cg_containers v2
ks_test cgroup/v1/containers t_cg_containers v1
ks_test -t 90 cgroup/v2/per_cgroup t_cg_per_cgroup v2
ks_test -t 90 cgroup/v1/per_cgroup t_cg_per_cgroup v1
ks_test cgroup/v1/execsnoop_column t_cg_exec_column
ks_test cgroup/v2/tcpconnect t_cg_tcpconnect v2
ks_test cgroup/v1/tcpconnect t_cg_tcpconnect v1
ks_test cgroup/named t_cg_named
ks_test -H cgroup/bad_hierarchy t_cg_bad_hierarchy
ks_test -H cgroup/not_a_cgroup t_cg_not_cgroup

# 64-hex container ids and a pod uid, as runtimes write them in cgroup paths.
CG_ID_A=a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90
CG_ID_B=b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1
CG_ID_C=c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2
CG_POD=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0

# cg_make V NAME: a private cgroup of version V (v1 or v2): its directory in CG_DIR, its
# path inside its hierarchy in CG_PATH, and in CG_OPTS the options that make kscope name
# tasks in that hierarchy.
cg_make() {
	if [ "$1" = v2 ]; then
		ks_cg_create "$2"
		CG_DIR=$KS_CG
		CG_PATH=/${KS_CG#"$(ks_cg2_root)"/}
		CG_OPTS="--cgroup-hierarchy unified"
		CG_HIER=
	else
		ks_cg1_create "$2"
		CG_DIR=$KS_CG1
		CG_PATH=$KS_CG1_PATH
		CG_OPTS="--cgroup-hierarchy $KS_CG1_CTL"
		CG_HIER=$KS_CG1_CTL
	fi
}

# The hierarchy member of cgroup path, expected: "cgroup_hierarchy=CTL" for v1, absent for v2.
cg_hier_expr() {
	if [ -n "$CG_HIER" ]; then echo "cgroup_hierarchy=$CG_HIER"; else echo '!cgroup_hierarchy'; fi
}

# The meta line of run $1 says layout $2 and hierarchy $3.
cg_expect_meta() {
	_got=$(head -n 1 "$KS_TMP/$1.out" | "$H/jsonq" -g cgroup.layout -g cgroup.hierarchy)
	expect_eq "$_got" "$(printf '%s\t%s' "$2" "$3")" "$1: layout and hierarchy in the meta line"
}

# -c on a cgroup of version V: exactly the opens of the workload inside, none of the one
# outside; the events carry its path, id and hierarchy. One run names tasks in that
# hierarchy (--cgroup-hierarchy), the other by default, given as "CTL:/path" for v1.
t_cg_filter() {
	_v=$1
	cg_make "$_v" f
	: >"$KS_TMP/f"
	wl_start in open "$KS_TMP/f" 7
	wl_start out open "$KS_TMP/f" 3
	_in=$(ks_pid in)
	ks_cg_move "$_in" "$CG_DIR"
	_id=$(stat -c %i "$CG_DIR")
	_c=$CG_DIR
	[ "$_v" = v1 ] && _c=$CG_HIER:$CG_PATH
	ks_cg_named "$_in" "$CG_HIER"
	# shellcheck disable=SC2086
	ks_start k1 opensnoop --json -c "$CG_DIR" $CG_OPTS
	ks_start k2 opensnoop --json -c "$_c"
	ks_attached k1
	ks_attached k2
	wl_run in
	wl_run out
	ks_stop k1
	ks_stop k2
	expect_rc k1 0
	expect_rc k2 0
	ks_json_ok k1
	ks_json_ok k2
	for _k in k1 k2; do
		expect_eq "$(ks_count "$_k" type=event)" 7 "$_k: events in $CG_DIR"
		expect_eq "$(ks_count "$_k" type=event "pid=$_in" "path=$KS_TMP/f")" 7 "$_k: the workload's opens"
	done
	expect_eq "$(ks_count k1 type=event "cgroup=$CG_PATH" "cgroup_id=$_id" "$(cg_hier_expr)" '!container' '!pod_uid')" 7 \
		"k1: events naming $CG_PATH (got: $("$H/jsonq" -w type=event -g cgroup -g cgroup_hierarchy <"$KS_TMP/k1.out" | sort -u | tr '\n' ' '))"
	_l=$(ks_cg_layout)
	cg_expect_meta k1 "$_l" "${CG_HIER:-unified}"
	# by default: v2 unless the task is at the v2 root (hybrid), else -c's v1 hierarchy
	_h='!cgroup_hierarchy'
	[ -n "$KS_CGN_HIER" ] && _h=cgroup_hierarchy=$KS_CGN_HIER
	expect_eq "$(ks_count k2 type=event "cgroup=$KS_CGN_PATH" "cgroup_id=$(stat -c %i "$KS_CGN_DIR")" "$_h")" 7 \
		"k2: events naming ${KS_CGN_HIER:-unified}:$KS_CGN_PATH by default (got: $("$H/jsonq" -w type=event -g cgroup -g cgroup_hierarchy <"$KS_TMP/k2.out" | sort -u | tr '\n' ' '))"
	case $_l in
	hybrid) _dh=unified+${CG_HIER:-$(ks_cg1_default)} ;;
	v1) _dh=${CG_HIER:-$(ks_cg1_default)} ;;
	*) _dh=unified ;;
	esac
	cg_expect_meta k2 "$_l" "$_dh"
	pass
}

# Workloads in cgroups named as docker, Kubernetes (cgroupfs) and Kubernetes with the
# systemd driver and containerd name them: each event carries its container's short id,
# runtime where the path names one, and pod uid.
t_cg_containers() {
	_v=$1
	cg_make "$_v" c
	_a=docker/$CG_ID_A
	_b=kubepods/burstable/pod$CG_POD/$CG_ID_B
	_u=$(echo "$CG_POD" | tr - _)
	_s=kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$_u.slice
	_cc=$_s/cri-containerd-$CG_ID_C.scope
	for _d in "$_a" "$_b" "$_cc"; do
		mkdir -p "$CG_DIR/$_d" || fail "cannot make $CG_DIR/$_d"
	done
	: >"$KS_TMP/f"
	wl_start a open "$KS_TMP/f" 2
	wl_start b open "$KS_TMP/f" 3
	wl_start c open "$KS_TMP/f" 4
	ks_cg_move "$(ks_pid a)" "$CG_DIR/$_a"
	ks_cg_move "$(ks_pid b)" "$CG_DIR/$_b"
	ks_cg_move "$(ks_pid c)" "$CG_DIR/$_cc"
	# shellcheck disable=SC2086
	ks_start ks opensnoop --json -c "$CG_DIR" $CG_OPTS
	ks_attached ks
	wl_run a
	wl_run b
	wl_run c
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	_h=$(cg_hier_expr)
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid a)" "cgroup=$CG_PATH/$_a" "$_h" \
		container=a1b2c3d4e5f6 container_runtime=docker '!pod_uid')" 2 \
		"docker container (got: $("$H/jsonq" -w "pid=$(ks_pid a)" -g cgroup -g container -g container_runtime -g pod_uid <"$KS_TMP/ks.out" | sort -u))"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid b)" "cgroup=$CG_PATH/$_b" "$_h" \
		container=b2c3d4e5f607 '!container_runtime' "pod_uid=$CG_POD")" 3 \
		"kubepods container (got: $("$H/jsonq" -w "pid=$(ks_pid b)" -g cgroup -g container -g container_runtime -g pod_uid <"$KS_TMP/ks.out" | sort -u))"
	expect_eq "$(ks_count ks type=event "pid=$(ks_pid c)" "cgroup=$CG_PATH/$_cc" "$_h" \
		container=c3d4e5f60718 container_runtime=containerd "pod_uid=$CG_POD")" 4 \
		"systemd-driver containerd container (got: $("$H/jsonq" -w "pid=$(ks_pid c)" -g cgroup -g container -g container_runtime -g pod_uid <"$KS_TMP/ks.out" | sort -u))"
	expect_eq "$(ks_count ks type=event)" 9 "events in all"
	pass
}

# cg_rows NAME: the rows of all reports of runqlat run NAME, one JSON object per line.
cg_rows() {
	"$H/jsonq" -w type=histograms -g 'rows.*' <"$KS_TMP/$1.out"
}

# cg_sum_tids NAME WL: the sum of the counts of the -L rows of run NAME that are threads of
# schedload WL (its "thread TID" and "main TID" lines).
cg_sum_tids() {
	_s=0
	for _t in $(awk '$1 == "thread" || $1 == "main" { print $2 }' "$KS_TMP/$2.out"); do
		_n=$(cg_rows "$1" | "$H/jsonq" -w "tid=$_t" -g count)
		_s=$((_s + ${_n:-0}))
	done
	echo "$_s"
}

# runqlat --per-cgroup over two schedloads in two cgroups of version V: one row each,
# with the cgroup's path, its count the sum of the -L rows of that schedload's threads.
t_cg_per_cgroup() {
	_v=$1
	cg_make "$_v" rq
	mkdir "$CG_DIR/a" "$CG_DIR/b" || fail "cannot make $CG_DIR/a and b"
	_ms=$(ks_scaled 600 200)
	sl_start wa spin 2 "$_ms"
	sl_start wb spin 3 "$_ms"
	ks_cg_move "$(ks_pid wa)" "$CG_DIR/a"
	ks_cg_move "$(ks_pid wb)" "$CG_DIR/b"
	# shellcheck disable=SC2086
	ks_start g runqlat --json --per-cgroup -c "$CG_DIR" $CG_OPTS
	ks_start l runqlat --json -L -c "$CG_DIR"
	ks_attached g
	ks_attached l
	sl_go wa
	sl_go wb
	ks_stop g
	ks_stop l
	sl_end wa
	sl_end wb
	expect_rc g 0
	expect_rc l 0
	ks_json_ok g
	cg_rows g >"$KS_TMP/g.rows"
	expect_eq "$(ks_lines "$KS_TMP/g.rows")" 2 \
		"rows: one per cgroup (got: $("$H/jsonq" -g cgroup <"$KS_TMP/g.rows" | tr '\n' ' '))"
	_h=$(cg_hier_expr)
	for _x in a b; do
		_want=$(cg_sum_tids l "w$_x")
		[ "$_want" -gt 0 ] || fail "no -L samples for schedload w$_x"
		_row=$("$H/jsonq" -w "cgroup=$CG_PATH/$_x" -w "$_h" -w "cgroup_id=$(stat -c %i "$CG_DIR/$_x")" <"$KS_TMP/g.rows")
		[ -n "$_row" ] || fail "no row for $CG_PATH/$_x"
		expect_eq "$(printf '%s\n' "$_row" | "$H/jsonq" -g count)" "$_want" \
			"$CG_PATH/$_x: count = the sum of its threads' -L counts"
	done
	pass
}

# execsnoop's text CGROUP column names a v1 cgroup as CTL:/path, as /proc/PID/cgroup does.
t_cg_exec_column() {
	TRUE=$(ks_which true) || skip "no 'true' program in PATH"
	cg_make v1 x
	wl_start w exec "$TRUE" cgcol
	ks_cg_move "$(ks_pid w)" "$CG_DIR"
	# shellcheck disable=SC2086
	ks_start ks execsnoop -C -c "$CG_DIR" $CG_OPTS
	ks_attached ks
	wl_run w
	ks_stop ks
	expect_rc ks 0
	expect_eq "$(grep -c " $CG_HIER:$CG_PATH $TRUE cgcol\$" "$KS_TMP/ks.out")" 1 \
		"one exec line with $CG_HIER:$CG_PATH (got: $(tail -n 1 "$KS_TMP/ks.out"))"
	pass
}

# -c on a named v1 hierarchy (no controller, so no way to it from a task): refused.
t_cg_named() {
	_d=$(awk '$3 == "cgroup" && $4 ~ /(^|,)name=/ { print $2; exit }' /proc/mounts)
	if [ -z "$_d" ]; then
		ks_cg1_mount_named || skip "$KS_CG1_WHY"
		_d=$KS_CG1N
	fi
	ks_run n opensnoop -c "$_d" -d 1
	expect_rc n 2
	expect_one_line "$KS_TMP/n.err" "-c on $_d"
	expect_grep "$KS_TMP/n.err" "is a named cgroup v1 hierarchy without a controller" "message"
	pass
}

t_cg_bad_hierarchy() {
	ks_run b opensnoop --cgroup-hierarchy nosuch -d 1
	expect_rc b 2
	expect_one_line "$KS_TMP/b.err" "--cgroup-hierarchy nosuch"
	expect_grep "$KS_TMP/b.err" "kscope: opensnoop: --cgroup-hierarchy: no cgroup hierarchy 'nosuch' is mounted (use one of: " "message"
	pass
}

t_cg_not_cgroup() {
	ks_run n opensnoop -c "$KS_TMP" -d 1
	expect_rc n 2
	expect_one_line "$KS_TMP/n.err" "-c $KS_TMP"
	expect_grep "$KS_TMP/n.err" "not a cgroup directory: $KS_TMP (cgroup hierarchies are mounted " "message"
	pass
}

# -c in a network tool, whose events run in softirqs: the connects of the netload inside
# cgroup V, named by their owner (the caller of connect), none of the one outside.
t_cg_tcpconnect() {
	cg_make "$1" net
	nl_start in --netns-new refuse --count 5
	nl_start out --netns-new refuse --count 3
	_in=$(ks_pid in)
	ks_cg_move "$_in" "$CG_DIR"
	# shellcheck disable=SC2086
	ks_start ks tcpconnect --json -c "$CG_DIR" $CG_OPTS
	ks_attached ks
	nl_run in
	nl_run out
	ks_stop ks
	expect_rc ks 0
	ks_json_ok ks
	expect_eq "$(nl_lines in failed ECONNREFUSED)" 5 "refused connects inside"
	expect_eq "$(ks_count ks type=event)" 5 "events in $CG_DIR"
	expect_eq "$(ks_count ks type=event "pid=$_in" error=ECONNREFUSED "cgroup=$CG_PATH" \
		"$(cg_hier_expr)")" 5 "the connects of the netload inside, naming its cgroup"
	pass
}
