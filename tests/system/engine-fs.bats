#!/usr/bin/env bats
# hako diff, export and commit: a container's changes to its image.

bats_require_minimum_version 1.5.0
load engine-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() {
	engine_teardown
	local img
	for img in $(hk images -q 2>/dev/null); do
		[ "$img" = "$(hk images -q busybox)" ] || hk rmi -f "$img" >/dev/null 2>&1 || true
	done
}

CHANGES='echo hi >/tmp/x; rm /bin/ls; mkdir -p /new/dir; touch /new/dir/f; chmod 700 /root'

@test "diff of a fresh container is empty: the engine's mount points are not changes" {
	hk run --name fresh busybox true
	run -0 hk diff fresh
	[ -z "$output" ]
}

@test "diff: added, changed and deleted paths, in path order" {
	hk run --name changed busybox sh -c "$CHANGES"
	run -0 hk diff changed
	[ "$output" = "C /bin
D /bin/ls
A /new
A /new/dir
A /new/dir/f
C /root
C /tmp
A /tmp/x" ]
}

@test "diff: a directory removed and made again is changed (opaque), a running container too" {
	hk run -d --name live busybox sh -c 'rm -rf /tmp; mkdir /tmp; touch /tmp/again; sleep 1000' >/dev/null
	sleep 0.5
	run -0 hk diff live
	[ "$output" = "C /tmp
A /tmp/again" ]
	run -125 hk diff nosuch
	[[ "$output" == *"no such container: nosuch"* ]]
	run -125 hk diff
	[[ "$output" == *"usage: hako diff CONTAINER"* ]]
}

@test "export: the container's files as a tar, without what it deleted or mounted" {
	hk run -d --name exp busybox sh -c "$CHANGES; sleep 1000" >/dev/null
	sleep 0.5
	hk export exp >"$BATS_TEST_TMPDIR/running.tar"
	run -0 tar -tf "$BATS_TEST_TMPDIR/running.tar"
	[[ "$output" == *"bin/busybox"* ]]
	[[ "$output" == *"tmp/x"* ]]
	[[ "$output" == *"new/dir/f"* ]]
	[ "$(grep -cx 'bin/ls' <<<"$output")" = 0 ]
	# the container's /proc is a mount in its namespace, not its files
	[[ "$output" != *"proc/1"* ]]
	[ "$(tar -xOf "$BATS_TEST_TMPDIR/running.tar" tmp/x)" = hi ]
}

@test "export -o of a stopped container; nothing stays mounted" {
	hk run --name stopped busybox sh -c "$CHANGES"
	id=$(hk inspect -f '{{.Id}}' stopped)
	run -0 hk export -o "$BATS_TEST_TMPDIR/stopped.tar" stopped
	[ -z "$output" ]
	[ "$(tar -xOf "$BATS_TEST_TMPDIR/stopped.tar" tmp/x)" = hi ]
	[ "$(grep -c "$id/merged" /proc/self/mountinfo)" = 0 ]
	# the tar imports back into an image that runs
	hk import "$BATS_TEST_TMPDIR/stopped.tar" reimported >/dev/null
	run -0 hk run --rm reimported cat /tmp/x
	[ "$output" = hi ]
	hk rmi reimported >/dev/null
}

@test "export refuses a terminal and bad arguments" {
	hk create --name idle busybox true >/dev/null
	run script -qec "$HAKO --root $HAKO_ROOT --runroot $HAKO_RUNROOT export idle" /dev/null
	[ "$status" -eq 125 ]
	[[ "$output" == *"not writing a tar archive to a terminal"* ]]
	run -125 hk export -o "$BATS_TEST_TMPDIR/x.tar" nosuch
	[[ "$output" == *"no such container: nosuch"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x.tar" ]
	run -125 hk export -o /nonexistent/dir/x.tar idle
	[[ "$output" == *"/nonexistent/dir/x.tar"* ]]
}

@test "commit: the changes become a layer, the container's command and env the image's" {
	hk run --name src -e GREETING=hello busybox sh -c "$CHANGES"
	run -0 hk commit -m 'a commit' -a 'Jane <jane@example.com>' src committed:1
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	id=$output
	[ "$(hk image inspect -f '{{.Id}}' committed:1)" = "$id" ]
	[ "$(hk image inspect -f '{{.Author}}' committed:1)" = 'Jane <jane@example.com>' ]
	[[ "$(hk image inspect -f '{{json .Config.Env}}' committed:1)" == *'"GREETING=hello"'* ]]
	[[ "$(hk image inspect -f '{{json .Config.Cmd}}' committed:1)" == *'rm /bin/ls'* ]]
	run -0 hk history committed:1
	[[ "${lines[1]}" == *"a commit"* ]]
	run -0 hk run --rm committed:1 sh -c 'cat /tmp/x; ls /new/dir; ls /bin/ls 2>&1; echo $GREETING'
	[ "$output" = "hi
f
ls: /bin/ls: No such file or directory
hello" ]
}

@test "commit's layer holds OCI whiteouts and none of the engine's mount points" {
	hk run --name src busybox sh -c "$CHANGES"
	hk commit src layered >/dev/null
	hk save -o "$BATS_TEST_TMPDIR/img.tar" layered
	mkdir "$BATS_TEST_TMPDIR/img"
	tar -C "$BATS_TEST_TMPDIR/img" -xf "$BATS_TEST_TMPDIR/img.tar"
	top=$(jq -r '.[0].Layers[-1]' "$BATS_TEST_TMPDIR/img/manifest.json")
	run -0 tar -tf "$BATS_TEST_TMPDIR/img/$top"
	[[ "$output" == *"bin/.wh.ls"* ]]
	[[ "$output" == *"tmp/x"* ]]
	[[ "$output" != *"etc/hosts"* ]]
	[[ "$output" != *"etc/hostname"* ]]
	[[ "$output" != *"etc/resolv.conf"* ]]
}

@test "commit -c changes the config; a running container is paused for it, then runs on" {
	hk run -d --name running busybox sh -c 'echo live >/tmp/live; sleep 1000' >/dev/null
	sleep 0.3
	run -0 hk commit -c 'CMD ["cat", "/tmp/live"]' -c 'ENV MODE=x' running fromlive
	[ "$(hk inspect -f '{{.State.Status}}' running)" = running ]
	run -0 hk run --rm fromlive
	[ "$output" = live ]
	[[ "$(hk image inspect -f '{{json .Config.Env}}' fromlive)" == *'"MODE=x"'* ]]
	run -0 hk commit --pause=false running nopause
	[ "$(hk inspect -f '{{.State.Status}}' running)" = running ]
}

@test "commit errors" {
	hk create --name idle busybox true >/dev/null
	run -125 hk commit nosuch img
	[[ "$output" == *"no such container: nosuch"* ]]
	run -125 hk commit idle 'Bad:Name'
	[ "$status" -eq 125 ]
	run -125 hk commit -c 'FROB x' idle img2
	[[ "$output" == *"FROB"* ]]
	run -125 hk commit --pause=maybe idle
	[[ "$output" == *"--pause"* ]]
	run -125 hk commit
	[[ "$output" == *"usage: hako commit"* ]]
	for c in diff export commit; do
		run -0 hk "$c" --help
		[[ "$output" == "usage: hako $c"* ]]
	done
}
