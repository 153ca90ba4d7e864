#!/usr/bin/env bats
# The manual (docs/man): each command's one source is its --help and its
# man page; the options it documents are the options its getopt accepts;
# every command of hako's tables has a source, and hako --help lists
# them; hako's, hako-runtime's and compose's own pages list what they
# run; and the pages render without a warning.  No containers: no lock.

load helpers
bats_require_minimum_version 1.5.0

HAKO=$HAKO_BUILD/src/cli/hako
MAN_DIR=$HAKO_BUILD/docs/man
SOURCES=$TOP/docs/man

setup_file() {
	require_tools man
	export HAKO_ROOT=$BATS_FILE_TMPDIR/root HAKO_RUNROOT=$BATS_FILE_TMPDIR/run
	# read once: looking aliases up in every source for every command made
	# thousands of sed processes (minutes)
	documented_aliases >"$BATS_FILE_TMPDIR/aliases"
}

hk() { "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" "$@"; }

# The documented commands: "volume create" for hako-volume-create.txt.
documented_commands() {
	local f
	for f in "$SOURCES"/hako-*.txt; do
		[ "$(basename "$f")" = hako-runtime.txt ] && continue
		sed -n 's/^NAME //p' "$f"
	done
}

# The other names of documented commands, as "image ls SOURCE-PATH"; ALIAS
# names are listed by hako --help, HIDDEN-ALIAS ones are not.
documented_aliases() {
	local f
	for f in "$SOURCES"/hako-*.txt; do
		sed -n "s|^\(HIDDEN-\)\{0,1\}ALIAS \(.*\)|\2 $f|p" "$f"
	done
}

listed_aliases() {
	local f
	for f in "$SOURCES"/hako-*.txt; do
		sed -n 's/^ALIAS //p' "$f"
	done
}

source_of() {
	local alias
	alias=$(sed -n "s|^$1 \([^ ]*\)\$|\1|p" "$BATS_FILE_TMPDIR/aliases")
	echo "${alias:-$SOURCES/hako-${1// /-}.txt}"
}

# The options CMD's source documents, with those of the files it INCLUDEs.
documented_options() {
	local src inc
	src=$(source_of "$1")
	{
		cat "$src"
		sed -n 's/^INCLUDE //p' "$src" | while read -r inc; do cat "$SOURCES/$inc"; done
	} | sed -n 's/^OPTION //p' | tr ' ' '\n' | grep '^-' | sort
}

@test "each documented command's options are exactly those its getopt accepts" {
	local cmd n=0 documented accepted
	while read -r cmd; do
		documented=$(documented_options "$cmd")
		# -h and --help are everyone's, unless -h is the command's own
		# shellcheck disable=SC2086 # the command's words
		accepted=$(hk __options $cmd </dev/null | sort -u |
			if grep -qx -- -h <<<"$documented"; then sed '/^--help$/d'; else sed '/^-h$/d; /^--help$/d'; fi)
		echo "$cmd: documented [$documented] accepted [$accepted]"
		[ -n "$accepted" ] || [ -z "$documented" ]
		[ "$documented" = "$accepted" ]
		n=$((n + 1))
	done < <(documented_commands)
	((n >= 4))
}

@test "every command hako's tables list is documented, and no other" {
	local tables documented
	# the visible commands of the C tables, as typed
	tables=$(hk __commands | sort)
	# the sources' NAMEs and listed ALIASes
	documented=$({
		documented_commands
		listed_aliases
	} | sort)
	diff <(echo "$tables") <(echo "$documented")
	# hako --help lists exactly them, from the sources
	diff <(echo "$tables") <(hk --help | sed -n '/^commands:/,/^$/{s/^  \([a-z]\+\( [a-z]\+\)\{0,1\}\)  .*/\1/p}' | sort)
	((n = $(wc -l <<<"$tables"), n > 60))
}

@test "hako --help and hako-runtime --help are their sources' text" {
	local help src
	help=$(hk --help)
	[[ $help == "usage: hako $(sed -n 's/^SYNOPSIS //p' "$SOURCES/hako.txt")"* ]]
	while read -r opt; do
		grep -qF -- "$opt" <<<"$help"
	done < <(sed -n 's/^OPTION \([^ ]*\).*/\1/p; s/^EXAMPLE //p' "$SOURCES/hako.txt")
	src=$SOURCES/hako-runtime.txt
	help=$("$RUNTIME" --help)
	[[ $help == "usage: hako-runtime $(sed -n 's/^SYNOPSIS //p' "$src")"* ]]
	# each command the source lists is listed, and is one hako-runtime runs
	local verb n=0
	while read -r verb; do
		grep -q "^  $verb " <<<"$help"
		run "$RUNTIME" --root "$BATS_FILE_TMPDIR/rt" "$verb" --bogus-opt </dev/null
		[[ $output != *"unknown command"* ]]
		n=$((n + 1))
	done < <(sed -n 's/^VERB //p' "$src")
	((n >= 17))
	# and a command it does not list is refused
	run -1 "$RUNTIME" --root "$BATS_FILE_TMPDIR/rt" no-such-verb </dev/null
	[[ $output == *"unknown command"* ]]
}

@test "hako compose --help lists compose's commands, and -h is --help" {
	local help listed
	help=$(hk compose --help)
	[ "$(hk compose -h)" = "$help" ]
	# what compose lists when it is given no command (from its tables)
	run -1 hk compose
	listed=$(sed -n '/^Commands:/,/^Error/p' <<<"$output" | sed '1d;$d' | awk '{print $1}')
	[ -n "$listed" ]
	diff <(echo "$listed") <(sed -n 's/^VERB //p' "$SOURCES/hako-compose.txt")
	while read -r verb; do
		grep -q "^  $verb " <<<"$help"
	done <<<"$listed"
}

@test "hako CMD --help is the text of CMD's source" {
	local cmd src help
	while read -r cmd; do
		src=$(source_of "$cmd")
		# shellcheck disable=SC2086
		help=$(hk $cmd --help </dev/null)
		[[ $help == "usage: hako $cmd $(sed -n 's/^SYNOPSIS //p' "$src")"* ]]
		[[ $help == *"$(sed -n 's/^SUMMARY //p' "$src")."* ]]
		# every option, example and exit status of the source is in the help
		while read -r opt; do
			[[ $help == *"$opt"* ]] || {
				echo "$cmd --help lacks $opt"
				return 1
			}
		done < <(sed -n 's/^OPTION \([^ ]*\).*/\1/p; s/^EXAMPLE //p' "$src")
		grep -q '^exit status:' <<<"$help"
	done < <(
		documented_commands
		documented_aliases | sed 's/ [^ ]*$//'
	)
}

@test "the man pages render at 80 columns without a warning" {
	local page out n=0
	for page in "$MAN_DIR"/*.[18]; do
		out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		echo "$page: $out"
		[ -z "$out" ]
		MANWIDTH=80 man -l "$page" | grep -q '^EXIT STATUS'
		n=$((n + 1))
	done
	[ -e "$MAN_DIR/hako.1" ] && [ -e "$MAN_DIR/hako-runtime.8" ]
	((n >= 6))
}
