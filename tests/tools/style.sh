# SPDX-License-Identifier: GPL-2.0-only
# The house keeps its own style: the C sources follow .clang-format, every registered tool
# and command is in the README's tables, and every option a tool's --help shows is in its
# documentation page. Host only: none of this depends on the kernel.

ks_test -n -H style/clang_format t_style_format
ks_test -n -H style/readme_tools t_style_readme
ks_test -n -H style/docs_options t_style_docs

# The C sources of the tree: git's list where this is a clone, else what is on disk.
style_sources() {
	if [ -d "$KS_TOP/.git" ] && command -v git >/dev/null 2>&1; then
		git -C "$KS_TOP" ls-files '*.c' '*.h'
	else
		(cd "$KS_TOP" && find src tests bench -name '*.[ch]' | sort)
	fi
}

t_style_format() {
	command -v clang-format >/dev/null 2>&1 ||
		skip "clang-format is not installed (scripts/setup --test installs it)"
	_bad=
	_n=0
	for _f in $(style_sources); do
		_n=$((_n + 1))
		clang-format --style=file "$KS_TOP/$_f" | cmp -s - "$KS_TOP/$_f" || _bad="$_bad $_f"
	done
	[ "$_n" -gt 50 ] || fail "found only $_n C sources under $KS_TOP"
	[ -z "$_bad" ] || fail "not formatted by .clang-format (make format fixes it):$_bad"
	pass
}

# Names of the registered tools and commands, from kscope's own listing.
style_tools() {
	"$KSCOPE" 2>/dev/null | sed -n 's/^  \([a-z0-9_-]*\)  .*/\1/p'
}

t_style_readme() {
	_tools=$(style_tools)
	[ -n "$_tools" ] || fail "kscope listed no tools"
	_missing=
	for _t in $_tools; do
		grep -q "^| \`$_t\` |" "$KS_TOP/README.md" || _missing="$_missing $_t"
	done
	[ -z "$_missing" ] || fail "not in the README's tool or command table:$_missing"
	pass
}

# The docs page of tool $1: the docs/*.md with a heading "## TOOL" or "# kscope TOOL".
style_page() {
	grep -l -E "^#{1,2} (kscope )?$1([ :]|\$)" "$KS_TOP"/docs/*.md 2>/dev/null | head -n 1
}

t_style_docs() {
	_problems=
	for _t in $(style_tools); do
		_page=$(style_page "$_t")
		if [ -z "$_page" ]; then
			_problems="$_problems; $_t: no docs page has a '## $_t' or '## kscope $_t' heading"
			continue
		fi
		# The tool's own options: the lines of --help between "options:" and the next
		# section, each "  -x, --long ARG  help" or "      --long ARG  help".
		"$KSCOPE" "$_t" --help 2>/dev/null |
			sed -n '/^options:/,/^$/p' | sed -n 's/^ *\(-[a-zA-Z0-9], \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p' \
			>"$KS_TMP/opts"
		while read -r _o; do
			grep -q -e "$_o" "$_page" || _problems="$_problems; $_t: $_o not in ${_page#$KS_TOP/}"
		done <"$KS_TMP/opts"
	done
	# The options every tool shares are documented once, in the README.
	"$KSCOPE" opensnoop --help 2>/dev/null |
		sed -n '/^common options:/,/^$/p' | sed -n 's/^ *\(-[a-zA-Z0-9], \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p' \
		>"$KS_TMP/common"
	[ -s "$KS_TMP/common" ] || fail "opensnoop --help shows no common options"
	while read -r _o; do
		[ "$_o" = --help ] && continue
		grep -q -e "$_o" "$KS_TOP/README.md" || _problems="$_problems; common option $_o not in README.md"
	done <"$KS_TMP/common"
	[ -z "$_problems" ] || fail "${_problems#; }"
	pass
}
