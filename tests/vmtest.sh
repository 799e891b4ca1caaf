#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs the tool tests on Debian kernels under qemu (software emulation), next to the host.
#
#   bash tests/vmtest.sh [-k PATTERN] [--fetch-only] [KERNEL...]      (root, Debian host)
#
#   KERNEL        host, 5.10, 6.1, 6.12, sid (alias: newest), SUITE (its linux-image-amd64)
#                 or SUITE:PACKAGE; default: $KSCOPE_KERNELS, else host,5.10,6.1,6.12,sid.
#                 "host" is the suite run natively on the running kernel, no guest.
#   -k PATTERN    only tests whose name contains PATTERN (tests/run.sh -k)
#   --fetch-only  download and unpack the kernels, run nothing
#   --table [DIR] print the compatibility table (Markdown) of the results in DIR (default
#                 the last run's, KSCOPE_VMTEST_OUT); every run also writes it to compat.md
#
#   env KSCOPE_KERNELS           comma-separated kernels (as above)
#   env KSCOPE_VMTEST_CACHE      apt lists and unpacked kernels, reused across runs
#                                (default $XDG_CACHE_HOME/kscope/vmtest, as root without
#                                XDG_CACHE_HOME /var/cache/kscope/vmtest)
#   env KSCOPE_VMTEST_OUT        results (default tests/out/vmtest; emptied first)
#   env KSCOPE_VMTEST_JOBS       runs at a time (default: twice the host's CPUs: a guest
#                                waits for half its time, in the tests' own sleeps and polls)
#   env KSCOPE_VMTEST_CPUS       vCPUs per guest (default 1: with 2, multi-threaded TCG has
#                                crashed a guest in kernel code patching)  KSCOPE_VMTEST_MEM (1G)
#   env KSCOPE_VMTEST_TIMEOUT    seconds a guest may run in all (default 1800)
#   env KSCOPE_VMTEST_BOOT_TIMEOUT  seconds until the guest's /init must start (default 120)
#   env KSCOPE_VMTEST_APPEND     appended to the guest kernel's command line (e.g.
#                                rdinit=/nonexistent to check that a broken boot is reported)
#   env KSCOPE_VMTEST_GUEST_CMD  a shell command the guest runs just before the tests (e.g.
#                                'echo c >/proc/sysrq-trigger' to check that a crash is reported)
#   env KSCOPE_VMTEST_LIST_AGE   hours before the private apt lists are refreshed
#                                (default 24; 0 = every run; never = only when missing)
#   env KSCOPE_VMTEST_STALL      seconds without any guest output that count as a hang (300)
#   env KSCOPE_VMTEST_SCALE      KS_SCALE in the guests: divisor for the heaviest workloads
#                                (tests/lib.sh ks_scaled; default 10). The host's own run
#                                takes KS_SCALE from the environment (default: full size).
#   env KSCOPE, OUTPUT           the binary and build tree, as for tests/run.sh
#
# Kernels come from Debian packages fetched with apt-get into the cache: the mirrors are
# those of the system's apt sources (/etc/apt/sources.list, sources.list.d/*.sources and
# *.list), read at run time; suites other than the system's own (bullseye, sid) use the
# same mirror URIs through a private apt configuration, and /etc/apt is never written.
# The image is unpacked without installing it; the ELF vmlinux inside the bzImage is
# booted through its PVH entry (qemu -kernel vmlinux, TCG), with the test payload in an
# uncompressed initramfs: busybox-static, kscope, the test helpers and scripts at the same
# absolute paths as here, their shared libraries; then, per kernel, a small archive of the
# modules the tests need that Debian builds as modules (the loop driver), taken from the
# kernel's packages and cached beside vmlinux. The guest (/init from tests/vm/init) loads
# them, runs `sh tests/run.sh --tools`, then reports over serial ports.
#
# Results in KSCOPE_VMTEST_OUT: summary.tsv and summary.jsonl, one line per kernel: name,
# release, status (boot-ok: the guest ran the suite and reported; native: the host; panic,
# oops, timeout (a hang, or over time), boot-failure, died, no-kernel), boot (ok once the
# guest's /init started), passed/failed/skipped, the runner's exit code, seconds, kernel
# warnings in dmesg, the attach method each tool chose per hook, and a reason (the panic
# line, ...). Per kernel NAME/: run.log (the runner's PASS/FAIL/SKIP lines and summary),
# run.times (when each line came), console.log, artifacts/ (features.json, meta/TOOL.json:
# the meta line of `TOOL --json --duration 1`; dmesg.txt; tests-out/: what failed tests saw).
# Exit status: 0 all kernels ran and passed, 1 a test failed or a guest did not finish
# (panic, oops, timeout, boot failure, kernel not available), 2 bad usage or setup.

set -u -o pipefail

here=$(pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

die() { echo "vmtest: $*" >&2; exit 2; }
say() { echo "vmtest: $*" >&2; }
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$here" "$1" ;; esac; }

pattern=
fetch_only=0
table=
names=()
while [ $# -gt 0 ]; do
	case $1 in
	-k) [ $# -ge 2 ] || die "-k needs a pattern"; pattern=$2; shift ;;
	--fetch-only) fetch_only=1 ;;
	--table)
		table=${KSCOPE_VMTEST_OUT:-tests/out/vmtest}
		case ${2:-} in '' | -*) ;; *) table=$2; shift ;; esac
		;;
	-h | --help) sed -n '3,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) names+=("$1") ;;
	esac
	shift
done
if [ ${#names[@]} -eq 0 ]; then
	IFS=', ' read -r -a names <<<"${KSCOPE_KERNELS:-host,5.10,6.1,6.12,sid}"
fi
[ ${#names[@]} -gt 0 ] || die "no kernels to test"

KSCOPE=$(abspath "${KSCOPE:-./kscope}")
OUTPUT=$(abspath "${OUTPUT:-.output}")
if [ -n "${XDG_CACHE_HOME:-}" ]; then
	cache_default=$XDG_CACHE_HOME/kscope/vmtest
elif [ "$(id -u)" = 0 ]; then
	cache_default=/var/cache/kscope/vmtest
else
	cache_default=${HOME:-/tmp}/.cache/kscope/vmtest
fi
cache=$(abspath "${KSCOPE_VMTEST_CACHE:-$cache_default}")
res=$(abspath "${KSCOPE_VMTEST_OUT:-tests/out/vmtest}")
ncpu=$(nproc 2>/dev/null || echo 1)
jobs=${KSCOPE_VMTEST_JOBS:-$((ncpu * 2))}
gcpus=${KSCOPE_VMTEST_CPUS:-1}
gmem=${KSCOPE_VMTEST_MEM:-1G}
tmo=${KSCOPE_VMTEST_TIMEOUT:-1800}
boot_tmo=${KSCOPE_VMTEST_BOOT_TIMEOUT:-120}
list_age=${KSCOPE_VMTEST_LIST_AGE:-24}
stall=${KSCOPE_VMTEST_STALL:-300}
guest_scale=${KSCOPE_VMTEST_SCALE:-10}
for v in jobs gcpus tmo boot_tmo stall guest_scale; do
	case ${!v} in '' | *[!0-9]*) die "$v must be a number, got '${!v}'" ;; esac
done
[ "$jobs" -ge 1 ] || jobs=1

now() { date +%s; }
t_start=$(now)

# --- the system's apt sources, re-aimed at another suite ----------------------------------

# shellcheck disable=SC1091
os_codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
[ -n "$os_codename" ] || os_codename=$(sed -n 's/^.*\///p' /etc/debian_version 2>/dev/null)
[ -n "$os_codename" ] || die "cannot tell this system's Debian codename (/etc/os-release)"

# awk: suite S of the system's suite family (C, C-updates, C-security, C-backports) -> the
# same suite of T, or "" when T has none (sid has no -updates or -security).
# shellcheck disable=SC2016 # awk code
awk_mapsuite='
function mapsuite(s, r) {
	if (s == C) return T
	if (index(s, C "-") != 1) return ""
	r = substr(s, length(C) + 2)
	if (T == C) return s
	if (T == "sid" || T == "unstable" || T == "experimental") return ""
	if (r == "updates" || r == "security") return T "-" r
	return ""
}
'

# deb822 (.sources) on stdin -> the stanzas serving the system's suite (C, C-updates,
# C-security, C-backports), with Suites re-aimed at suite T. Every other field (URIs,
# Components, Signed-By, embedded keys, ...) is kept as it is.
map_deb822() {
	awk -v C="$os_codename" -v T="$1" "$awk_mapsuite"'
	function flush(   i, n, s, out, isdeb) {
		if (nf == 0) return
		isdeb = 0
		n = split(types, a, /[ \t]+/)
		for (i = 1; i <= n; i++) if (a[i] == "deb") isdeb = 1
		out = ""
		n = split(suites, a, /[ \t]+/)
		for (i = 1; i <= n; i++) if (a[i] != "" && (s = mapsuite(a[i])) != "") out = out " " s
		if (isdeb && tolower(enabled) != "no" && out != "") {
			print "Types: deb"
			print "Suites:" out
			for (i = 1; i <= nf; i++) print field[i]
			print ""
		}
		nf = 0; types = ""; suites = ""; enabled = ""
	}
	/^#/ { next }
	/^[ \t]*$/ { flush(); next }
	/^[ \t]/ { if (nf > 0 && keep) field[nf] = field[nf] "\n" $0; next }
	{
		key = tolower($0); sub(/:.*/, "", key)
		val = $0; sub(/^[^:]*:[ \t]*/, "", val)
		keep = 0
		if (key == "types") types = val
		else if (key == "suites") suites = val
		else if (key == "enabled") enabled = val
		else { field[++nf] = $0; keep = 1 }
	}
	END { flush() }'
}

# One-line sources.list format on stdin -> the same, re-aimed at suite T.
map_oneline() {
	awk -v C="$os_codename" -v T="$1" "$awk_mapsuite"'
	/^[ \t]*deb[ \t]/ {
		i = 2; opts = ""
		if ($2 ~ /^\[/) {
			while (i <= NF) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } i++ }
		}
		uri = $i; s = mapsuite($(i + 1))
		if (s == "") next
		line = "deb" opts " " uri " " s
		for (j = i + 2; j <= NF; j++) { if ($j ~ /^#/) break; line = line " " $j }
		print line
	}'
}

# The private apt configuration for SUITE; sets APT_OPTS.
apt_dir_for() { echo "$cache/apt/$1"; }
apt_opts_for() {
	local d
	d=$(apt_dir_for "$1")
	APT_OPTS=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/sources.list.d"
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o "Dir::State::status=/dev/null"
		-o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$d/preferences.d"
		-o "Acquire::Languages=none" -o "APT::Get::List-Cleanup=true")
}

# Make (or refresh) the private apt lists for SUITE. 0 if usable lists exist afterwards.
apt_prepare() {
	local suite=$1 d f new age_ok=0
	d=$(apt_dir_for "$suite")
	mkdir -p "$d/sources.list.d" "$d/preferences.d" "$d/lists/partial" "$d/cache/archives/partial" \
		"$cache/debs" || return 1
	new=$d/sources.new
	: >"$new.list"
	: >"$new.sources"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && map_oneline "$suite" <"$f" >>"$new.list"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && map_deb822 "$suite" <"$f" >>"$new.sources"
	done
	if [ ! -s "$new.list" ] && [ ! -s "$new.sources" ]; then
		say "$suite: the system's apt sources have no Debian entry for '$os_codename' to re-aim"
		return 1
	fi
	# the sources changed: the old lists no longer describe them
	if ! cmp -s "$new.list" "$d/sources.list" || ! cmp -s "$new.sources" "$d/sources.list.d/kscope.sources"; then
		mv "$new.list" "$d/sources.list"
		mv "$new.sources" "$d/sources.list.d/kscope.sources"
		rm -f "$d/updated"
	else
		rm -f "$new.list" "$new.sources"
	fi
	if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$d/lists/partial" "$d/cache/archives/partial" "$cache/debs" 2>/dev/null
	fi
	if [ -f "$d/updated" ]; then
		case $list_age in
		never) age_ok=1 ;;
		0) age_ok=0 ;;
		*) [ -n "$(find "$d/updated" -mmin "-$((list_age * 60))" 2>/dev/null)" ] && age_ok=1 ;;
		esac
	fi
	[ "$age_ok" = 1 ] && return 0
	apt_opts_for "$suite"
	say "$suite: apt-get update (private lists in $d)"
	if apt-get -q "${APT_OPTS[@]}" update >"$d/update.log" 2>&1 && ! grep -q '^E: ' "$d/update.log"; then
		grep '^W: ' "$d/update.log" | sed "s/^/vmtest: $suite: apt-get update: /" >&2
		touch "$d/updated"
		return 0
	fi
	if [ -f "$d/updated" ]; then
		say "$suite: apt-get update failed, using the lists of $(date -r "$d/updated" '+%F %T'): $(grep '^[EW]: ' "$d/update.log" | head -n 1)"
		return 0
	fi
	say "$suite: apt-get update failed: $(grep '^[EW]: ' "$d/update.log" | head -n 2 | tr '\n' ' ')"
	return 1
}

# Field FIELD of the candidate of PACKAGE in SUITE's lists.
apt_field() {
	apt_opts_for "$1"
	apt-cache "${APT_OPTS[@]}" show --no-all-versions "$2" 2>/dev/null |
		awk -v f="$3" 'tolower($0) ~ "^" tolower(f) ":" { sub(/^[^:]*:[ \t]*/, ""); print; exit }'
}

# Follow meta-packages (linux-image-amd64 -> linux-image-6.12-amd64 -> linux-image-6.12.N+...)
# to the package that holds the image; prints "PACKAGE VERSION".
resolve_image() {
	local suite=$1 pkg=$2 dep ver
	for _ in 1 2 3 4 5; do
		ver=$(apt_field "$suite" "$pkg" Version)
		[ -n "$ver" ] || { say "$suite: no package $pkg"; return 1; }
		if [[ $pkg =~ ^linux-image-[0-9]+\.[0-9]+\.[0-9]+ ]]; then
			echo "$pkg $ver"
			return 0
		fi
		dep=$(apt_field "$suite" "$pkg" Depends | tr ',|' '\n\n' | sed 's/^[ \t]*//; s/[ \t(].*//' |
			grep -E '^linux-image-[0-9]' | grep -v -E -- '-(dbg|unsigned)$' | head -n 1)
		[ -n "$dep" ] || { say "$suite: $pkg $ver depends on no linux-image-N package"; return 1; }
		pkg=$dep
	done
	say "$suite: $2: meta-packages nested too deep"
	return 1
}

# bzImage -> the ELF vmlinux inside it. The setup header says where the compressed payload
# is (payload_offset, payload_length); its first bytes say how it is compressed. Kbuild
# appends the uncompressed size (4 bytes) to every format but gzip, which has it built in.
u32_at() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' \n'; }
decompressor_for() { # MAGIC-HEX -> "command trailer-bytes"
	case $1 in
	1f8b*) echo "gzip -dc 0" ;;
	fd377a585a00*) echo "xz -dc 4" ;;
	28b52ffd*) echo "zstd -dcq 4" ;;
	5d0000*) echo "xz -dc --format=lzma 4" ;;
	425a68*) echo "bzip2 -dc 4" ;;
	02214c18*) echo "lz4 -dc 4" ;;
	*) return 1 ;;
	esac
}
is_elf() { [ "$(od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' \n')" = 7f454c46 ]; }
extract_vmlinux() {
	local img=$1 out=$2 sects start len magic d cmd trail off
	if [ "$(od -An -c -j 514 -N4 "$img" | tr -d ' \n')" = HdrS ]; then
		sects=$(od -An -tu1 -j 497 -N1 "$img" | tr -d ' \n')
		[ "$sects" = 0 ] && sects=4
		start=$(((sects + 1) * 512 + $(u32_at "$img" 584)))
		len=$(u32_at "$img" 588)
		magic=$(od -An -tx1 -j "$start" -N6 "$img" | tr -d ' \n')
		if d=$(decompressor_for "$magic"); then
			cmd=${d% *}
			trail=${d##* }
			tail -c "+$((start + 1))" "$img" | head -c "$((len - trail))" | $cmd >"$out" 2>/dev/null &&
				is_elf "$out" && return 0
		fi
	fi
	# no usable header: try every compressed-stream magic in the file
	for off in $(LC_ALL=C grep -obUaP '\x1f\x8b\x08|\xfd7zXZ\x00|\x28\xb5\x2f\xfd' "$img" | cut -d: -f1); do
		magic=$(od -An -tx1 -j "$off" -N6 "$img" | tr -d ' \n')
		d=$(decompressor_for "$magic") || continue
		tail -c "+$((off + 1))" "$img" | ${d% *} >"$out" 2>/dev/null
		is_elf "$out" && [ "$(stat -c %s "$out")" -gt 1000000 ] && return 0
	done
	rm -f "$out"
	return 1
}

# An ELF kernel with a PVH entry point (Xen note XEN_ELFNOTE_PHYS32_ENTRY, type 18).
has_pvh() {
	command -v readelf >/dev/null || return 0
	readelf -n "$1" 2>/dev/null | grep -q -E 'Xen.*(0x00000012|PHYS32_ENTRY)'
}

# KERNEL name -> "SUITE PACKAGE"
kernel_spec() {
	case $1 in
	5.10) echo "bullseye linux-image-amd64" ;;
	6.1) echo "bookworm linux-image-amd64" ;;
	6.12) echo "bookworm linux-image-6.12-amd64" ;;
	sid | newest | unstable) echo "sid linux-image-amd64" ;;
	*:*) echo "${1%%:*} ${1#*:}" ;;
	[a-z]*) echo "$1 linux-image-amd64" ;;
	*) return 1 ;;
	esac
}

# The versioned packages an image package depends on whose kind (linux-KIND-N...) matches the
# regex alternatives KINDS, e.g. linux-binary-N (the image, newer Debian), linux-modules-N.
image_deps() {
	apt_field "$1" "$2" Depends | tr ',|' '\n\n' | sed 's/^[ \t]*//; s/[ \t(].*//' |
		grep -E "^linux-($3)-[0-9]" | grep -v -E -- '-(dbg|unsigned)$'
}

# The block drivers Debian builds as modules that the guests load: the loop driver.
guest_modules=(loop)

# One module of a kernel package: find NAME.ko[.xz|.zst|.gz] in the listing LIST of DEB,
# extract it decompressed to DIR/NAME.ko, then the modules it depends on (its .modinfo
# "depends="), and append each to DIR/order after those it needs (insmod order).
add_module() {
	local deb=$1 list=$2 dir=$3 m=$4 pat f dep
	grep -q -x -F "$m.ko" "$dir/order" 2>/dev/null && return 0
	pat=$(printf '%s' "$m" | sed 's/[-_]/[-_]/g')
	f=$(grep -E "/kernel/.*/$pat\.ko(\.xz|\.zst|\.gz)?\$" "$list" | head -n 1)
	[ -n "$f" ] || { say "no module $m in $(basename "$deb")"; return 1; }
	dpkg-deb --fsys-tarfile "$deb" | tar -x -O "$f" >"$dir/$m.ko.in" 2>/dev/null || return 1
	case $f in
	*.xz) xz -dc <"$dir/$m.ko.in" >"$dir/$m.ko" ;;
	*.zst) zstd -dcq <"$dir/$m.ko.in" >"$dir/$m.ko" ;;
	*.gz) gzip -dc <"$dir/$m.ko.in" >"$dir/$m.ko" ;;
	*) mv "$dir/$m.ko.in" "$dir/$m.ko" ;;
	esac || { say "cannot decompress $f"; return 1; }
	rm -f "$dir/$m.ko.in"
	for dep in $(tr '\0' '\n' <"$dir/$m.ko" | sed -n 's/^depends=//p' | head -n 1 | tr ',' ' '); do
		add_module "$deb" "$list" "$dir" "$dep" || return 1
	done
	echo "$m.ko" >>"$dir/order"
}

# Take guest_modules (and what they need) for kernel NAME from its package PKG, or the
# linux-binary / linux-modules package PKG depends on (newer Debian splits them), into
# KDIR/modules/: NAME.ko files, decompressed, and "order", the insmod order. Debs already
# downloaded may be in DL. A package without them (the drivers built in) leaves an empty order.
fetch_modules() {
	local name=$1 suite=$2 pkg=$3 ver=$4 kdir=$5 dl=$6 c deb w m pat found=0
	local -a cand
	cand=("$pkg")
	mapfile -t -O 1 cand < <(image_deps "$suite" "$pkg" 'binary|modules')
	w=$(mktemp -d "$kdir/modules.XXXXXX") && chmod 755 "$w" || return 1
	apt_opts_for "$suite"
	for c in "${cand[@]}"; do
		deb=$(ls "$dl/${c}"_*.deb 2>/dev/null | head -n 1)
		if [ ! -f "$deb" ]; then
			say "$name: downloading $c $ver ($suite) for its modules"
			(cd "$dl" && apt-get -q "${APT_OPTS[@]}" download "$c=$ver") >"$dl/$c.log" 2>&1 || {
				say "$name: apt-get download $c=$ver failed: $(grep '^E: ' "$dl/$c.log" | head -n 1)"
				rm -rf "$w"
				return 1
			}
			deb=$(ls "$dl/${c}"_*.deb 2>/dev/null | head -n 1)
		fi
		[ -f "$deb" ] || continue
		dpkg-deb --fsys-tarfile "$deb" | tar -t >"$w/list" 2>/dev/null
		rm -f "$w/order"
		for m in "${guest_modules[@]}"; do
			pat=$(printf '%s' "$m" | sed 's/[-_]/[-_]/g')
			grep -q -E "/kernel/.*/$pat\.ko(\.xz|\.zst|\.gz)?\$" "$w/list" || continue
			add_module "$deb" "$w/list" "$w" "$m" || { rm -rf "$w"; return 1; }
			found=1
		done
		rm -f "$deb" "$w/list"
		[ "$found" = 1 ] && break
	done
	touch "$w/order"
	if [ "$found" = 1 ]; then
		say "$name: modules $(tr '\n' ' ' <"$w/order")from $c"
	else
		say "$name: no ${guest_modules[*]} module in ${cand[*]} (built in?)"
	fi
	# another run may have done the same meanwhile: the first one stays
	mv -T "$w" "$kdir/modules" 2>/dev/null || rm -rf "$w"
}

# Fetch and unpack kernel NAME; prints the directory holding vmlinux (or vmlinuz) and release.
fetch_kernel() {
	local name=$1 spec suite meta pkg ver kdir deb tmp rel ok=0
	spec=$(kernel_spec "$name") || { say "$name: unknown kernel name"; return 1; }
	suite=${spec% *}
	meta=${spec#* }
	if apt_prepare "$suite" && read -r pkg ver < <(resolve_image "$suite" "$meta"); then
		ok=1
	fi
	if [ "$ok" != 1 ]; then
		# offline, or the mirror changed: the last kernel fetched for this name still serves
		if [ -s "$cache/resolved/$name" ] && [ -f "$(cat "$cache/resolved/$name")/release" ]; then
			say "$name: using the cached $(cat "$cache/resolved/$name")"
			cat "$cache/resolved/$name"
			return 0
		fi
		return 1
	fi
	kdir=$cache/kernels/${pkg}_${ver//:/%3a}
	local dl
	dl=$(mktemp -d "$cache/debs/dl.XXXXXX") || return 1
	[ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1 && chown _apt "$dl"
	if [ ! -f "$kdir/release" ]; then
		tmp=$kdir.tmp
		rm -rf "$tmp"
		mkdir -p "$tmp/x" "$cache/debs"
		# The image is in the package itself, or (newer Debian kernels) in the
		# linux-binary-ABI package it depends on.
		local cand=("$pkg") c
		mapfile -t -O 1 cand < <(image_deps "$suite" "$pkg" 'binary|kernel|image')
		apt_opts_for "$suite"
		for c in "${cand[@]}"; do
			say "$name: downloading $c $ver ($suite)"
			rm -f "$cache/debs/${c}"_*.deb
			(cd "$cache/debs" && apt-get -q "${APT_OPTS[@]}" download "$c=$ver") >"$cache/debs/$c.log" 2>&1 || {
				say "$name: apt-get download $c=$ver failed: $(grep '^E: ' "$cache/debs/$c.log" | head -n 1)"
				rm -rf "$tmp" "$dl"
				return 1
			}
			deb=$(ls -t "$cache/debs/${c}"_*.deb 2>/dev/null | head -n 1)
			[ -f "$deb" ] || { say "$name: apt-get download left no .deb"; rm -rf "$tmp" "$dl"; return 1; }
			# /boot/vmlinuz-RELEASE, or /usr/lib/modules/RELEASE/vmlinuz (Debian 14)
			dpkg-deb --fsys-tarfile "$deb" |
				tar -x -C "$tmp/x" --wildcards './boot/vmlinuz-*' './usr/lib/modules/*/vmlinuz' 2>/dev/null
			# kept until the modules are taken from it too (fetch_modules)
			mv "$deb" "$dl/" || rm -f "$deb"
			set -- "$tmp"/x/boot/vmlinuz-* "$tmp"/x/usr/lib/modules/*/vmlinuz
			while [ $# -gt 0 ] && [ ! -f "$1" ]; do shift; done
			[ $# -gt 0 ] && break
		done
		if [ $# -eq 0 ]; then
			say "$name: no /boot/vmlinuz-* or /usr/lib/modules/*/vmlinuz in ${cand[*]}"
			rm -rf "$tmp" "$dl"
			return 1
		fi
		case $1 in
		*/boot/vmlinuz-*) rel=${1##*/vmlinuz-} ;;
		*) rel=${1%/vmlinuz}; rel=${rel##*/} ;;
		esac
		mv "$1" "$tmp/vmlinuz"
		rm -rf "$tmp/x"
		if extract_vmlinux "$tmp/vmlinuz" "$tmp/vmlinux"; then
			if has_pvh "$tmp/vmlinux"; then
				rm -f "$tmp/vmlinuz" # the ELF boots faster; the bzImage is not needed
			else
				say "$name: the vmlinux has no PVH entry point: booting the bzImage"
				rm -f "$tmp/vmlinux"
			fi
		else
			say "$name: no ELF vmlinux found in the bzImage: booting the bzImage"
		fi
		printf '%s\n' "$rel" >"$tmp/release"
		printf 'suite=%s\nmeta=%s\npackage=%s\nversion=%s\n' "$suite" "$meta" "$c" "$ver" >"$tmp/source"
		rm -rf "$kdir"
		mv "$tmp" "$kdir"
	fi
	# a kernel cached before the modules were taken along gets them now
	[ -f "$kdir/modules/order" ] || fetch_modules "$name" "$suite" "$pkg" "$ver" "$kdir" "$dl"
	rm -rf "$dl"
	mkdir -p "$cache/resolved"
	echo "$kdir" >"$cache/resolved/$name"
	echo "$kdir"
}

# --- the guest's initramfs ----------------------------------------------------------------

# Copy the file at PATH into the tree at the same path (merged-/usr layout: /bin, /sbin,
# /lib, /lib64 live under /usr), through symlinks, and link PATH to it when they differ.
usrpath() {
	case $1 in
	/bin/* | /sbin/* | /lib/* | /lib64/*) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}
add_file() {
	local root=$1 p=$2 real dst src
	real=$(readlink -f "$p") || return 1
	dst=$(usrpath "$real")
	if [ ! -e "$root$dst" ]; then
		mkdir -p "$root${dst%/*}"
		cp -p "$real" "$root$dst" || return 1
	fi
	src=$(usrpath "$p")
	if [ "$src" != "$dst" ] && [ ! -e "$root$src" ] && [ ! -L "$root$src" ]; then
		mkdir -p "$root${src%/*}"
		ln -s "$dst" "$root$src"
	fi
}
# The dynamic loader and shared libraries of ELF file F (nothing for a static one).
add_closure() {
	local root=$1 f=$2 lib
	for lib in $(ldd "$f" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[ \t]*\(\/[^ ]*\) (.*/\1/p'); do
		add_file "$root" "$lib" || return 1
	done
}
shq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

build_initramfs() {
	local out=$1 root=$1.root bb p f
	rm -rf "$root"
	umask 022
	mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib "$root"/usr/lib64 "$root"/proc \
		"$root"/sys "$root"/dev "$root"/run "$root"/root "$root"/etc "$root"/mnt "$root"/vmtest
	mkdir -m 1777 "$root/tmp"
	for p in bin sbin lib lib64; do ln -s "usr/$p" "$root/$p"; done
	bb=$(command -v busybox) || { say "no busybox (scripts/setup --vmtest installs busybox-static)"; return 1; }
	if ldd "$bb" >/dev/null 2>&1; then
		say "$bb is not static (scripts/setup --vmtest installs busybox-static)"
		return 1
	fi
	cp "$(readlink -f "$bb")" "$root/usr/bin/busybox"
	for p in $("$bb" --list-full); do
		p=$(usrpath "/$p")
		[ -e "$root$p" ] || [ -L "$root$p" ] || ln -s /usr/bin/busybox "$root$p"
	done
	# the payload, at the same absolute paths as here
	for f in "$KSCOPE" "$OUTPUT"/tests/helpers/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		mkdir -p "$root${f%/*}"
		cp -p "$f" "$root$f" && add_closure "$root" "$f" || return 1
	done
	for f in "$top"/tests/*.sh "$top"/tests/tools/*.sh; do
		mkdir -p "$root${f%/*}"
		cp -p "$f" "$root$f" || return 1
	done
	cp "$top/tests/vm/init" "$root/init" && chmod 755 "$root/init" || return 1
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	echo kscope-vm >"$root/etc/hostname"
	{
		echo "KSCOPE=$(shq "$KSCOPE")"
		echo "OUTPUT=$(shq "$OUTPUT")"
		echo "KS_TOP=$(shq "$top")"
		echo "KS_SCALE=$(shq "$guest_scale")"
		echo "VM_PATTERN=$(shq "$pattern")"
		echo "VM_BEFORE=$(shq "${KSCOPE_VMTEST_GUEST_CMD:-}")"
	} >"$root/vmtest/env"
	# an initial console for /init (the kernel opens it before devtmpfs is mounted)
	mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null
	mknod -m 666 "$root/dev/null" c 1 3 2>/dev/null
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out" || return 1
	rm -rf "$root"
}

# The initramfs of the guest booting KDIR's kernel in DIR: the shared one, followed by a small
# archive of that kernel's modules (/vmtest/modules/RELEASE/, which /init loads) when it has
# any; the kernel unpacks concatenated newc archives one after the other. Prints its path.
guest_initramfs() {
	local kdir=$1 dir=$2 rel root=$2/modules.root
	if [ ! -s "$kdir/modules/order" ]; then
		echo "$res/initramfs.cpio"
		return 0
	fi
	rel=$(cat "$kdir/release")
	rm -rf "$root"
	mkdir -p "$root/vmtest/modules/$rel" || return 1
	cp "$kdir"/modules/*.ko "$kdir/modules/order" "$root/vmtest/modules/$rel/" || return 1
	{
		cat "$res/initramfs.cpio"
		(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
	} >"$dir/initramfs.cpio" || return 1
	rm -rf "$root"
	echo "$dir/initramfs.cpio"
}

# --- running one kernel -------------------------------------------------------------------

# The attach methods of each tool, from meta lines "meta TOOL RC {json}" on stdin:
# "tool:hook=method,hook=method;tool:..."
attach_summary() {
	local tool rc json a smp out=
	while read -r _ tool rc json; do
		a=$(printf '%s\n' "$json" | sed -n 's/.*"attach":{\([^}]*\)}.*/\1/p' | tr -d '"' | tr ':' '=')
		# a sampling tool: the perf event it sampled on
		smp=$(printf '%s\n' "$json" | sed -n 's/.*"sampling":{"event":"\([^"]*\)".*/\1/p')
		[ -z "$smp" ] || a="${a:+$a,}sampling=perf_event $smp"
		[ -n "$a" ] || a="none(exit $rc)"
		out="$out${out:+;}$tool:$a"
	done
	printf '%s\n' "$out"
}

# Runner output -> "passed failed skipped" from its last "N passed, N failed[, N skipped]";
# without that line (the guest died), the results seen so far and "partial".
suite_counts() {
	local line p f s
	line=$(tr -d '\r' <"$1" 2>/dev/null | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$line" ]; then
		tr -d '\r' <"$1" 2>/dev/null | grep -q -E '^(PASS|FAIL|SKIP) ' || return 1
		tr -d '\r' <"$1" | awk '$1 == "PASS" { p++ } $1 == "FAIL" { f++ } $1 == "SKIP" { s++ }
			END { print p + 0, f + 0, s + 0, "partial" }'
		return 0
	fi
	p=${line%% passed*}
	f=${line%% failed*}
	f=${f##* }
	s=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
	echo "$p $f ${s:-0}"
}

# The host: the same suite, natively, on the running kernel.
run_host() {
	local d=$res/host t0 rc tool
	mkdir -p "$d/artifacts/meta"
	t0=$(now)
	uname -r >"$d/artifacts/release"
	: >"$d/status.log"
	"$KSCOPE" features --json >"$d/artifacts/features.json" 2>"$d/artifacts/features.err"
	for tool in $("$KSCOPE" 2>/dev/null | awk '/^tools:/ { m = 1; next } /^commands:/ { m = 0 }
		m && /^  [a-z0-9_-]+ / { print $1 }'); do
		timeout 30 "$KSCOPE" "$tool" --json --duration 1 >"$d/artifacts/meta/$tool.out" 2>"$d/artifacts/meta/$tool.err"
		rc=$?
		head -n 1 "$d/artifacts/meta/$tool.out" >"$d/artifacts/meta/$tool.json"
		echo "meta $tool $rc $(cat "$d/artifacts/meta/$tool.json")" >>"$d/status.log"
	done
	# KS_OUTDIR: the failed tests' files go with this run's artifacts (run.sh would
	# otherwise empty tests/out, where these results are)
	KS_OUTDIR=$d/artifacts/tests-out KSCOPE=$KSCOPE OUTPUT=$OUTPUT \
		sh tests/run.sh --tools ${pattern:+-k "$pattern"} >"$d/run.log" 2>&1 </dev/null
	rc=$?
	echo "rc $rc" >>"$d/status.log"
	echo "$(($(now) - t0))" >"$d/seconds"
	echo - >"$d/boot"
	echo native >"$d/state"
}

# Kill the qemu of NAME if it still runs (only the one this script started, by its pid).
kill_qemu() {
	local f=$res/$1/qemu.pid p
	[ -s "$f" ] || return 0
	p=$(cat "$f")
	kill -TERM "$p" 2>/dev/null || return 0
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.2
	done
	kill -KILL "$p" 2>/dev/null
}

run_guest() {
	local name=$1 kdir=$2 d=$res/$1 kernel t0 qpid state='' why='' inited=0 last=0 size got
	local seen=0 n grew=0 bytes obytes=-1 pl initrd
	mkdir -p "$d/artifacts"
	if [ -f "$kdir/vmlinux" ]; then kernel=$kdir/vmlinux; else kernel=$kdir/vmlinuz; fi
	initrd=$(guest_initramfs "$kdir" "$d") || {
		say "$name: cannot add its modules to the initramfs: booting without them"
		initrd=$res/initramfs.cpio
	}
	cp "$kdir/release" "$d/kernel-release"
	cp "$kdir/source" "$d/kernel-source" 2>/dev/null
	local cmdline="console=ttyS0 panic=-1 oops=panic quiet ${KSCOPE_VMTEST_APPEND:-}"
	# shellcheck disable=SC2054 # tcg,thread=multi is one argument
	local -a qemu=(qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot
		-accel tcg,thread=multi -cpu max -smp "$gcpus" -m "$gmem"
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
		-serial "file:$d/console.log" -serial "file:$d/run.log"
		-serial "file:$d/status.log" -serial "file:$d/results.tgz")
	printf '%q ' "${qemu[@]}" >"$d/qemu.cmd"
	echo >>"$d/qemu.cmd"
	t0=$(now)
	"${qemu[@]}" </dev/null >"$d/qemu.out" 2>&1 &
	qpid=$!
	echo "$qpid" >"$d/qemu.pid"
	trap 'kill_qemu "$name"; exit 143' TERM INT
	: >"$d/run.times"
	grew=$t0
	while kill -0 "$qpid" 2>/dev/null; do
		sleep 1
		# when each runner line arrived (seconds since qemu started): per-test times
		n=$(tr -d '\r' <"$d/run.log" 2>/dev/null | wc -l)
		if [ "$n" -gt "$seen" ]; then
			tr -d '\r' <"$d/run.log" | sed -n "$((seen + 1)),${n}p" |
				sed "s/^/$(($(now) - t0))\t/" >>"$d/run.times"
			seen=$n
		fi
		if [ "$inited" = 0 ] && grep -q -a 'kscope-vmtest: init started' "$d/console.log" 2>/dev/null; then
			inited=1
			echo "$(($(now) - t0))" >"$d/boot-seconds"
		fi
		# a hang: nothing new on any port for a while (the runner bounds every test)
		bytes=$(cat "$d/console.log" "$d/run.log" "$d/status.log" 2>/dev/null | wc -c)
		[ "$bytes" != "$obytes" ] && grew=$(now) && obytes=$bytes
		if [ "$inited" = 0 ] && [ $(($(now) - t0)) -ge "$boot_tmo" ]; then
			state=timeout why="/init had not started after $boot_tmo s"
		elif [ $(($(now) - t0)) -ge "$tmo" ]; then
			state=timeout why="still running after $tmo s"
		elif [ $(($(now) - grew)) -ge "$stall" ]; then
			state=timeout why="no output for $stall s (hung)"
		fi
		[ -n "$state" ] && break
		# progress, once a minute
		if [ $(($(now) - last)) -ge 60 ] && [ -s "$d/run.log" ]; then
			last=$(now)
			say "$name: $(($(now) - t0)) s, $(tr -d '\r' <"$d/run.log" | grep -c -E '^(PASS|FAIL|SKIP) ') tests done"
		fi
	done
	[ -n "$state" ] && kill_qemu "$name"
	wait "$qpid" 2>/dev/null
	[ "$initrd" = "$d/initramfs.cpio" ] && rm -f "$initrd"
	echo "$(($(now) - t0))" >"$d/seconds"
	rm -f "$d/qemu.pid"
	grep -q -a 'kscope-vmtest: init started' "$d/console.log" 2>/dev/null && inited=1
	tr -d '\r' <"$d/console.log" >"$d/console.txt" 2>/dev/null
	if [ -z "$state" ]; then
		if tr -d '\r' <"$d/status.log" 2>/dev/null | grep -q -x 'done'; then
			state='boot-ok'
		elif grep -q -a -E 'Oops|BUG: |general protection fault' "$d/console.txt"; then
			state=oops
			why=$(grep -a -m 1 -E 'Oops|BUG: |general protection fault' "$d/console.txt")
		elif grep -q -a 'Kernel panic' "$d/console.txt"; then
			state=panic
		elif [ "$inited" = 0 ]; then
			state='boot-failure'
			why=$(head -n 1 "$d/qemu.out" 2>/dev/null)
			[ -n "$why" ] || why="the guest stopped before /init started"
		else
			state=died why="the guest stopped before reporting its results"
		fi
	fi
	if [ "$state" != boot-ok ]; then
		pl=$(grep -a -m 1 'Kernel panic - not syncing' "$d/console.txt" | sed 's/^\[[ 0-9.]*\] //')
		[ -n "$pl" ] && why="$why${why:+; }$pl"
	fi
	rm -f "$d/console.txt"
	if [ "$inited" = 1 ]; then echo ok >"$d/boot"; else echo failed >"$d/boot"; fi
	# the results tar: complete when its size matches the one the guest announced
	size=$(tr -d '\r' <"$d/status.log" 2>/dev/null | sed -n 's/^tar //p' | tail -n 1)
	got=$(stat -c %s "$d/results.tgz" 2>/dev/null || echo 0)
	if [ -n "$size" ] && [ "$got" -ge "$size" ] 2>/dev/null; then
		head -c "$size" "$d/results.tgz" | tar -xz -C "$d/artifacts" 2>"$d/untar.err" ||
			say "$name: the results tar is damaged: $(head -n 1 "$d/untar.err")"
		rm -f "$d/untar.err"
	elif [ "$state" = boot-ok ]; then
		say "$name: the results tar is incomplete ($got of ${size:-?} bytes)"
	fi
	rm -f "$d/results.tgz"
	# what the guest said over the status port survives a crash before the tar
	if [ ! -s "$d/artifacts/features.json" ]; then
		tr -d '\r' <"$d/status.log" 2>/dev/null | sed -n 's/^features //p' >"$d/artifacts/features.json"
		[ -s "$d/artifacts/features.json" ] || rm -f "$d/artifacts/features.json"
	fi
	printf '%s\n' "$why" >"$d/reason"
	echo "$state" >"$d/state"
}

# --- report -------------------------------------------------------------------------------

json_str() {
	printf '"%s"' "$(printf '%s' "$1" | tr -d '\000-\010\013-\037' | sed 's/\\/\\\\/g; s/"/\\"/g' |
		awk 'NR > 1 { printf "\\n" } { printf "%s", $0 }')"
}
json_num() { case $1 in '' | - | *[!0-9]*) echo null ;; *) echo "$1" ;; esac; }

report_kernel() { # NAME -> a line of summary.tsv and summary.jsonl; prints the table row
	local name=$1 d=$res/$1 state rel counts p f s secs attach rc boot bootsecs why warn feat
	state=$(cat "$d/state" 2>/dev/null || echo not-run)
	boot=$(cat "$d/boot" 2>/dev/null || echo -)
	why=$(cat "$d/reason" 2>/dev/null)
	rel=$(tr -d '\r' <"$d/status.log" 2>/dev/null | sed -n 's/^release //p' | tail -n 1)
	[ -n "$rel" ] || rel=$(cat "$d/artifacts/release" 2>/dev/null || cat "$d/kernel-release" 2>/dev/null)
	local partial=
	if counts=$(suite_counts "$d/run.log"); then
		read -r p f s partial <<<"$counts"
		[ -n "$partial" ] && why="$why${why:+; }partial results: the runner did not finish"
	else
		p=- f=- s=-
	fi
	rc=$(tr -d '\r' <"$d/status.log" 2>/dev/null | sed -n 's/^rc //p' | tail -n 1)
	secs=$(cat "$d/seconds" 2>/dev/null || echo -)
	bootsecs=$(cat "$d/boot-seconds" 2>/dev/null || echo -)
	warn=-
	[ -f "$d/artifacts/dmesg.txt" ] && warn=$(grep -c -E 'WARNING:|BUG:' "$d/artifacts/dmesg.txt")
	attach=$(tr -d '\r' <"$d/status.log" 2>/dev/null | grep '^meta ' | attach_summary)
	feat=
	[ -s "$d/artifacts/features.json" ] && feat=$d/artifacts/features.json
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "${rel:--}" "$state" "$boot" \
		"$p" "$f" "$s" "${rc:--}" "$secs" "$bootsecs" "$warn" "${attach:--}" "${why:--}" "$d" >>"$res/summary.tsv"
	{
		printf '{"kernel":%s,"release":%s,"status":%s,"boot":%s,' "$(json_str "$name")" \
			"$(json_str "${rel:-}")" "$(json_str "$state")" "$(json_str "$boot")"
		printf '"passed":%s,"failed":%s,"skipped":%s,"exit":%s,"seconds":%s,"boot_seconds":%s,' \
			"$(json_num "$p")" "$(json_num "$f")" "$(json_num "$s")" "$(json_num "$rc")" \
			"$(json_num "$secs")" "$(json_num "$bootsecs")"
		printf '"kernel_warnings":%s,"reason":%s,"attach":{' "$(json_num "$warn")" \
			"$([ -n "$why" ] && json_str "$why" || echo null)"
		local first=1 tool a
		while read -r _ tool _ json; do
			[ "$first" = 1 ] || printf ','
			first=0
			a=$(printf '%s\n' "$json" | sed -n 's/.*"attach":\({[^}]*}\).*/\1/p')
			printf '%s:%s' "$(json_str "$tool")" "${a:-null}"
		done < <(tr -d '\r' <"$d/status.log" 2>/dev/null | grep '^meta ')
		printf '},"features":%s,"artifacts":%s}\n' "$([ -n "$feat" ] && json_str "$feat" || echo null)" \
			"$(json_str "$d")"
	} >>"$res/summary.jsonl"
	printf '%-6s %-24s %-12s %-6s %6s %6s %7s %6s\n' "$name" "${rel:--}" "$state" "$boot" "$p" "$f" "$s" "$secs"
}

# The compatibility table of the results in DIR (Markdown, for the README): per tool, the
# attach method each hook chose on each kernel; the suite's counts; what `kscope features`
# found on each kernel. Everything comes from the run's summary.tsv and features.json files.
compat_table() {
	local dir=$1 n d
	[ -s "$dir/summary.tsv" ] || { echo "vmtest: no results in $dir (run tests/vmtest.sh first)" >&2; return 2; }
	{
		tail -n +2 "$dir/summary.tsv" | sed 's/^/S\t/'
		tail -n +2 "$dir/summary.tsv" | while IFS=$'\t' read -r n _ _ _ _ _ _ _ _ _ _ _ _ d; do
			[ -s "$d/artifacts/features.json" ] || continue
			sed -n 's/.*"type":"feature","name":"\([^"]*\)","ok":\([a-z]*\),"errno":"\{0,1\}\([A-Za-z0-9]*\)"\{0,1\}.*/F\t'"$n"'\t\1\t\2\t\3/p' \
				"$d/artifacts/features.json"
		done
	} | awk -F '\t' '
	function cell(a,   n, i, kv, m, all, out) {
		# "hook=method,hook=method" -> "method" when all agree, else "hook method, ..."
		if (a == "" || a == "-") return "-"
		n = split(a, kv, ",")
		all = ""
		for (i = 1; i <= n; i++) {
			split(kv[i], m, "=")
			if (i == 1) all = m[2]
			else if (m[2] != all) all = ""
		}
		if (all != "") return all
		out = ""
		for (i = 1; i <= n; i++) {
			split(kv[i], m, "=")
			out = out (i > 1 ? ", " : "") m[1] " " m[2]
		}
		return out
	}
	$1 == "S" {
		k = $2; nk++; kern[nk] = k; rel[k] = $3; state[k] = $4
		counts[k] = $6 "/" $7 "/" $8
		n = split($13, tl, ";")
		for (i = 1; i <= n; i++) {
			t = tl[i]; sub(/:.*/, "", t)
			a = tl[i]; sub(/^[^:]*:/, "", a)
			if (t == "") continue
			if (!(t in seen)) { seen[t] = 1; nt++; tool[nt] = t }
			att[t, k] = a
		}
		next
	}
	$1 == "F" {
		f = $3
		if (!(f in fseen)) { fseen[f] = 1; nf++; feat[nf] = f }
		fv[f, $2] = ($4 == "true") ? "yes" : ($5 != "" ? $5 : "no")
	}
	END {
		h = "| tool |"; sep = "|---|"
		for (j = 1; j <= nk; j++) {
			k = kern[j]
			h = h " " (k == "host" ? "host" : k) " (" rel[k] ") |"; sep = sep "---|"
		}
		print h; print sep
		for (i = 1; i <= nt; i++) {
			r = "| `" tool[i] "` |"
			for (j = 1; j <= nk; j++) r = r " " cell(att[tool[i], kern[j]]) " |"
			print r
		}
		r = "| tests passed/failed/skipped |"
		for (j = 1; j <= nk; j++) {
			k = kern[j]
			r = r " " counts[k] (state[k] == "boot-ok" || state[k] == "native" ? "" : " (" state[k] ")") " |"
		}
		print r
		if (nf == 0) exit
		print ""
		h = "| `kscope features` |"; sep = "|---|"
		for (j = 1; j <= nk; j++) { h = h " " kern[j] " |"; sep = sep "---|" }
		print h; print sep
		for (i = 1; i <= nf; i++) {
			r = "| " feat[i] " |"
			for (j = 1; j <= nk; j++) r = r " " ((feat[i], kern[j]) in fv ? fv[feat[i], kern[j]] : "-") " |"
			print r
		}
	}'
}

# --- main ---------------------------------------------------------------------------------

if [ -n "$table" ]; then
	compat_table "$(abspath "$table")"
	exit
fi
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "needs apt-get and dpkg-deb (Debian)"
need_guest=0
for n in "${names[@]}"; do [ "$n" != host ] && need_guest=1; done
if [ "$need_guest" = 1 ]; then
	for c in qemu-system-x86_64 cpio busybox xz zstd gzip; do
		command -v "$c" >/dev/null || die "no $c: run scripts/setup --vmtest (as root)"
	done
fi
if [ "$fetch_only" = 0 ]; then
	[ -x "$KSCOPE" ] || die "$KSCOPE not found or not executable (make kscope)"
	[ -x "$OUTPUT/tests/helpers/jsonq" ] || die "no test helpers in $OUTPUT/tests/helpers (make OUTPUT=... helpers)"
	[ "$(id -u)" = 0 ] || die "the tool tests need root"
fi
mkdir -p "$cache" || die "cannot make the cache $cache"

# 1. kernels (one at a time: they share the network and the apt lists)
declare -A kdirs=()
t_fetch=$(now)
for n in "${names[@]}"; do
	[ "$n" = host ] && continue
	[ -n "${kdirs[$n]:-}" ] && continue
	if kd=$(fetch_kernel "$n"); then
		kdirs[$n]=$kd
		say "$n: $(cat "$kd/release") ($(sed -n 's/^package=//p' "$kd/source") $(sed -n 's/^version=//p' "$kd/source"))"
	else
		kdirs[$n]=
		say "$n: no kernel"
	fi
done
t_fetch=$(($(now) - t_fetch))
say "kernels ready in ${t_fetch} s (cache $cache)"
if [ "$fetch_only" = 1 ]; then
	for n in "${!kdirs[@]}"; do [ -n "${kdirs[$n]}" ] || exit 1; done
	exit 0
fi

rm -rf "$res"
mkdir -p "$res" || die "cannot make $res"
if [ "$need_guest" = 1 ]; then
	build_initramfs "$res/initramfs.cpio" || die "cannot build the initramfs"
	say "initramfs: $(($(stat -c %s "$res/initramfs.cpio") / 1024)) KB"
fi

# 2. runs, JOBS at a time; the host's own run counts as one job
# shellcheck disable=SC2317 # called from the traps
cleanup() {
	local n
	for n in "${names[@]}"; do kill_qemu "$n"; done
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
t_run=$(now)
running=0
for n in "${names[@]}"; do
	mkdir -p "$res/$n"
	if [ "$n" != host ] && [ -z "${kdirs[$n]}" ]; then
		echo no-kernel >"$res/$n/state"
		continue
	fi
	while [ "$running" -ge "$jobs" ]; do
		wait -n
		running=$((running - 1))
	done
	say "$n: starting"
	if [ "$n" = host ]; then
		run_host &
	else
		run_guest "$n" "${kdirs[$n]}" &
	fi
	running=$((running + 1))
done
wait
t_run=$(($(now) - t_run))

# 3. report
printf 'kernel\trelease\tstatus\tboot\tpassed\tfailed\tskipped\texit\tseconds\tboot_seconds\tkernel_warnings\tattach\treason\tdir\n' \
	>"$res/summary.tsv"
: >"$res/summary.jsonl"
echo
printf '%-6s %-24s %-12s %-6s %6s %6s %7s %6s\n' kernel release status boot passed failed skipped secs
bad=0
for n in "${names[@]}"; do
	report_kernel "$n"
done
for n in "${names[@]}"; do
	d=$res/$n
	state=$(cat "$d/state" 2>/dev/null)
	case $state in
	boot-ok | native) ;;
	*) bad=1 ;;
	esac
	if [ "$state" = native ]; then
		echo
		echo "== host: this machine's own kernel ($(cat "$d/artifacts/release")), the suite run natively (no guest)"
	fi
	if [ -s "$d/run.log" ] && tr -d '\r' <"$d/run.log" | grep -q '^FAIL '; then
		bad=1
		echo
		echo "== $n: failed tests (what each saw: $d/artifacts/tests-out/NAME/)"
		tr -d '\r' <"$d/run.log" | grep '^FAIL ' | cut -c1-400
	fi
	case $state in
	boot-ok | native) ;;
	no-kernel) echo; echo "== $n: no kernel could be fetched (see the messages above)" ;;
	*)
		echo
		if [ "$(cat "$d/boot" 2>/dev/null)" = failed ]; then
			echo "== $n: BOOT FAILURE ($state): $(cat "$d/reason")"
		else
			echo "== $n: GUEST $state while the tests ran: $(cat "$d/reason")"
		fi
		echo "   console tail ($d/console.log):"
		tr -d '\r' <"$d/console.log" 2>/dev/null | tail -n 25 | sed 's/^/   | /'
		if [ -s "$d/run.log" ]; then
			echo "   runner output tail ($d/run.log):"
			tr -d '\r' <"$d/run.log" | tail -n 5 | sed 's/^/   | /'
		fi
		[ -s "$d/qemu.out" ] && sed 's/^/   qemu: /' "$d/qemu.out" | head -n 5
		;;
	esac
done
compat_table "$res" >"$res/compat.md" 2>/dev/null
echo
say "fetch ${t_fetch} s, runs ${t_run} s, total $(($(now) - t_start)) s"
say "summary: $res/summary.tsv, $res/summary.jsonl; compatibility table: $res/compat.md"
exit "$bad"
