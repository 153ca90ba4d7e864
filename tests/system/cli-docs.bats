#!/usr/bin/env bats
# The manual (docs/man): each command's one source is its --help and its
# man page; the options it documents are the options its getopt accepts,
# and the pages render without a warning.

load helpers
bats_require_minimum_version 1.5.0

HAKO=$HAKO_BUILD/src/cli/hako
MAN_DIR=$HAKO_BUILD/docs/man
SOURCES=$TOP/docs/man

setup_file() {
	require_tools man
	export HAKO_ROOT=$BATS_FILE_TMPDIR/root HAKO_RUNROOT=$BATS_FILE_TMPDIR/run
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

source_of() { echo "$SOURCES/hako-${1// /-}.txt"; }

@test "each documented command's options are exactly those its getopt accepts" {
	local cmd n=0 documented accepted
	while read -r cmd; do
		documented=$(sed -n 's/^OPTION //p' "$(source_of "$cmd")" | tr ' ' '\n' | grep '^-' | sort)
		# shellcheck disable=SC2086 # the command's words
		accepted=$(hk __options $cmd </dev/null | grep -vx -e -h -e --help | sort -u)
		echo "$cmd: documented [$documented] accepted [$accepted]"
		[ -n "$accepted" ] || [ -z "$documented" ]
		[ "$documented" = "$accepted" ]
		n=$((n + 1))
	done < <(documented_commands)
	((n >= 4))
}

@test "hako CMD --help is the text of CMD's source" {
	local cmd src help
	while read -r cmd; do
		src=$(source_of "$cmd")
		# shellcheck disable=SC2086
		help=$(hk $cmd --help </dev/null)
		[[ $help == "usage: hako $cmd $(sed -n 's/^SYNOPSIS //p' "$src")"* ]]
		# every option, example and exit status of the source is in the help
		while read -r opt; do
			grep -qF -- "$opt" <<<"$help" || {
				echo "$cmd --help lacks $opt"
				return 1
			}
		done < <(sed -n 's/^OPTION \([^ ]*\).*/\1/p; s/^EXAMPLE //p' "$src")
		grep -q '^exit status:' <<<"$help"
	done < <(documented_commands)
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
