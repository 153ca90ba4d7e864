#!/usr/bin/env bats
# hako run by a normal user (rootless), which the file creates and removes:
# where its store and its run state go.

bats_require_minimum_version 1.5.0

load helpers

HAKO=$HAKO_BUILD/src/cli/hako

setup_file() {
	require_tools useradd userdel setpriv
	export RL_USER=hakorl$$
	useradd -M -d /nonexistent -s /bin/sh "$RL_USER"
	RL_UID=$(id -u "$RL_USER")
	export RL_UID
	# its home outside bats' private (0700) directory, so that it can reach it
	RL_HOME=$(mktemp -d /tmp/hako-rootless-home.XXXXXX)
	export RL_HOME
	chown "$RL_USER:" "$RL_HOME"
}

teardown_file() {
	userdel "$RL_USER"
	rm -rf "$RL_HOME"
}

teardown() {
	rm -rf "/tmp/hako-$RL_UID" "${RL_HOME:?}/"* "$RL_HOME"/.[!.]*
}

# as_user [VAR=VALUE...] -- ARGS...: hako as the user, with only the
# environment given (and PATH).
as_user() {
	local env=(PATH=/usr/sbin:/usr/bin:/sbin:/bin)
	while [ "$1" != -- ]; do
		env+=("$1")
		shift
	done
	shift
	(cd "$RL_HOME" && env -i "${env[@]}" setpriv --reuid "$RL_UID" --regid "$RL_UID" --clear-groups "$HAKO" "$@")
}

@test "a normal user's store is under XDG_DATA_HOME (default ~/.local/share/hako), its own" {
	run -0 as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- volume create mine
	[ -f "$RL_HOME/.local/share/hako/hako.db" ]
	[ "$(stat -c %U "$RL_HOME/.local/share/hako/hako.db")" = "$RL_USER" ]
	run -0 as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- volume ls --format '{{.Name}}'
	[ "$output" = mine ]
	run -0 as_user HOME="$RL_HOME" XDG_DATA_HOME="$RL_HOME/data" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- volume ls --format '{{.Name}}'
	[ "$output" = "" ]
	[ -f "$RL_HOME/data/hako/hako.db" ]
	# root's store is not the user's: root's volumes are not listed, and
	# the user cannot open root's store
	run as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- --root /var/lib/hako volume ls
	[ "$status" -eq 125 ]
	[[ "$output" == *"Permission denied"* ]]
}

@test "without XDG_RUNTIME_DIR: a private /tmp/hako-UID and a warning; one not the user's alone is refused" {
	run -0 --separate-stderr as_user HOME="$RL_HOME" -- ps
	[[ "$stderr" == *"XDG_RUNTIME_DIR is not set"*"/tmp/hako-$RL_UID/run"* ]]
	[ "$(stat -c '%a %U' "/tmp/hako-$RL_UID")" = "700 $RL_USER" ]
	# with XDG_RUNTIME_DIR, no warning
	run -0 --separate-stderr as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- ps
	[ "$stderr" = "" ]
	# another user's (here root's) directory at that name: refused
	rm -rf "/tmp/hako-$RL_UID"
	mkdir -m 0700 "/tmp/hako-$RL_UID"
	run as_user HOME="$RL_HOME" -- ps
	[ "$status" -eq 125 ]
	[[ "$output" == *"/tmp/hako-$RL_UID"*"not a directory of uid $RL_UID alone"* ]]
	# the user's own, open to others: refused too
	chown "$RL_USER" "/tmp/hako-$RL_UID"
	chmod 0755 "/tmp/hako-$RL_UID"
	run as_user HOME="$RL_HOME" -- ps
	[ "$status" -eq 125 ]
	[[ "$output" == *"not a directory of uid $RL_UID alone"* ]]
}

@test "a normal user with neither HOME nor XDG_DATA_HOME: exit 125 naming them" {
	run as_user XDG_RUNTIME_DIR="$RL_HOME/xdg" -- images
	[ "$status" -eq 125 ]
	[[ "$output" == *"XDG_DATA_HOME nor HOME"* ]]
	[ -z "$(ls -A "$RL_HOME")" ]
}
