#!/usr/bin/env bats
# Command lines getopt refuses: one line naming the option and the command,
# exit 125 (hako) or 1 (hako-runtime, as runc), for every command; and the
# options each command's getopt accepts are the ones its manual documents.

load helpers
bats_require_minimum_version 1.5.0

HAKO=$HAKO_BUILD/src/cli/hako

setup_file() {
	export HAKO_ROOT=$BATS_FILE_TMPDIR/root HAKO_RUNROOT=$BATS_FILE_TMPDIR/run
}

hk() { "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" "$@"; }

# The commands `hako --help` lists, one a line ("ps", "volume create").
listed_commands() {
	local first second rest
	hk --help | sed -n '/^commands:/,/^$/p' | sed '1d;/^$/d' |
		while read -r first second rest; do
			# a group's --help is hako's own
			if hk "$first" --help </dev/null | grep -q '^usage: hako \[--root'; then
				echo "$first $second"
			else
				echo "$first"
			fi
		done
}

# refused_with LINE STATUS COMMAND...: COMMAND prints LINE alone and exits
# with STATUS.
refused_with() {
	local want=$1 status_want=$2
	shift 2
	run -"$status_want" "$@" </dev/null
	echo "got:  $output"
	echo "want: $want"
	[ "$output" = "$want" ]
}

@test "every hako command: one line for an unknown option, exit 125" {
	local cmd n=0 want
	while read -r cmd; do
		# compose's failures exit with 1, as Docker Compose's do
		want=125
		[ "$cmd" = compose ] && want=1
		# shellcheck disable=SC2086 # the command's words
		refused_with "Error: unknown option --bogus-opt for hako $cmd (see hako $cmd --help)" "$want" \
			hk $cmd --bogus-opt
		n=$((n + 1))
	done < <(listed_commands)
	echo "commands checked: $n"
	((n > 60))
	[ ! -e "$HAKO_ROOT/containers" ]
}

@test "an option without its argument, with one it does not take, an unknown letter" {
	refused_with "Error: option --filter of hako ps needs an argument" 125 hk ps --filter
	refused_with "Error: option -n of hako logs needs an argument" 125 hk logs -n
	refused_with "Error: option --all of hako ps takes no argument" 125 hk ps --all=yes
	refused_with "Error: unknown option -Z for hako ps (see hako ps --help)" 125 hk ps -aZq
	refused_with "Error: unknown option -Z for hako ps (see hako ps --help)" 125 hk ps -qZ
	refused_with "Error: unknown option --userns-bogus for hako run (see hako run --help)" 125 \
		hk run --userns-bogus busybox
	refused_with "Error: unknown option --bogus-opt for hako (see hako --help)" 125 hk --bogus-opt ps
	refused_with "Error: unknown option --bogus-opt for hako image ls (see hako image ls --help)" 125 \
		hk image ls --bogus-opt
	refused_with "Error: unknown option --bogus-opt for hako compose up (see hako compose up --help)" 1 \
		hk compose up --bogus-opt
	refused_with "Error: option --tail of hako pod logs needs an argument" 125 hk pod logs --tail
}

@test "every hako-runtime command: one line for an unknown option, exit 1" {
	local verb
	for verb in create start run exec state kill delete list pause resume ps update events \
		checkpoint restore spec; do
		refused_with "hako-runtime: unknown option --bogus-opt for hako-runtime $verb (see hako-runtime --help)" 1 \
			"$RUNTIME" --root "$BATS_FILE_TMPDIR/rt" "$verb" --bogus-opt
	done
	refused_with "hako-runtime: unknown option --bogus-opt for hako-runtime (see hako-runtime --help)" 1 \
		"$RUNTIME" --bogus-opt
}

@test "the help these errors point to exists: hako run --help and exec --help print usage, exit 0" {
	local cmd
	for cmd in run exec create; do
		run -0 hk "$cmd" --help
		[[ "$output" == "usage: hako $cmd "* ]]
	done
	# typed in its group, a command answers with its top-level help
	run -0 hk container run --help
	[[ "$output" == "usage: hako run "* ]]
}
