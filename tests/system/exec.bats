#!/usr/bin/env bats
# exec: a new process in every namespace and cgroup of a running container.

load helpers
bats_require_minimum_version 1.5.0

RECVTTY=$HAKO_BUILD/tests/helpers/hako-test-recvtty

setup_file() { setup_file_common; }
teardown_file() { teardown_file_common; }
setup() {
	make_bundle sleep 100
	private_rootfs
	mkdir -p "$BUNDLE/rootfs/tmp"
	config_set '.process.env += ["FROM_CONFIG=yes"]'
	rt run --detach --bundle "$BUNDLE" "$CID"
	PID=$(rt state "$CID" | jq -r .pid)
}
teardown() {
	[ -n "${recv_pid:-}" ] && kill "$recv_pid" 2>/dev/null
	common_teardown
}

@test "exec joins every namespace and the cgroup of the container" {
	run rt exec "$CID" sh -c 'for n in pid uts ipc net mnt cgroup; do readlink /proc/self/ns/$n; done; cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	i=1
	for n in pid uts ipc net mnt cgroup; do
		[ "$(echo "$output" | sed -n ${i}p)" = "$(readlink /proc/$PID/ns/$n)" ]
		i=$((i + 1))
	done
	rt exec --detach --pid-file "$BATS_TEST_TMPDIR/pid" "$CID" sleep 30
	execpid=$(cat "$BATS_TEST_TMPDIR/pid")
	[ "$(cat /proc/$execpid/cgroup)" = "$(cat /proc/$PID/cgroup)" ]
	[ "$(readlink /proc/$execpid/root)" = "$(readlink /proc/$PID/root)" ]
	# the pid namespace: the exec'd process sees the container's pid 1
	run rt exec "$CID" cat /proc/1/comm
	[ "$output" = sleep ]
}

@test "exec returns the process's exit status; 127 when the program is missing" {
	run rt exec "$CID" sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run -127 rt exec "$CID" no-such-program
	[[ "$output" == *"executable file not found"* ]]
	run rt exec "$CID" sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
}

@test "exec takes the config's process and the flags override it" {
	run rt exec --env EXTRA=1 --cwd /tmp --user 1000:1001 --additional-gids 20 "$CID" sh -c 'echo "$FROM_CONFIG $EXTRA $(pwd) $(id -u) $(id -g) $(id -G)"'
	[ "$status" -eq 0 ]
	[ "$output" = "yes 1 /tmp 1000 1001 1001 20" ]
}

@test "exec --cap adds a capability, --no-new-privs sets no_new_privs" {
	run rt exec "$CID" grep -E '^(CapEff|NoNewPrivs)' /proc/self/status
	[[ "$output" == *"CapEff:	0000000020000420"* ]]
	run rt exec --cap CAP_SYS_PTRACE --no-new-privs "$CID" grep -E '^(CapEff|NoNewPrivs)' /proc/self/status
	[[ "$output" == *"CapEff:	0000000020080420"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
}

@test "exec --process takes a whole process.json" {
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'JSON'
		{"args": ["sh", "-c", "echo $ONLY; id -u; umask"], "env": ["ONLY=from-file", "PATH=/bin"], "cwd": "/",
		 "user": {"uid": 42, "gid": 42, "umask": 18}}
	JSON
	run rt exec --process "$BATS_TEST_TMPDIR/process.json" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = $'from-file\n42\n0022' ]
	echo '{"args": "not a list", "cwd": "/"}' >"$BATS_TEST_TMPDIR/bad.json"
	run rt exec --process "$BATS_TEST_TMPDIR/bad.json" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.args: expected an array, got string"* ]]
}

@test "exec --tty with a console socket, and in the foreground" {
	sock=$BATS_TEST_TMPDIR/console.sock
	"$RECVTTY" "$sock" >"$BATS_TEST_TMPDIR/out" &
	recv_pid=$!
	for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.02; done
	rt exec --tty --detach --console-socket "$sock" "$CID" sh -c 'tty'
	wait "$recv_pid"
	recv_pid=
	grep -q '/dev/pts/' "$BATS_TEST_TMPDIR/out"
	run script -qec "$RUNTIME --root $STATE_ROOT exec -t $CID sh -c 'tty; exit 4'" /dev/null
	[ "$status" -eq 4 ]
	[[ "$output" == */dev/pts/* ]]
}

@test "exec passes preserved fds" {
	echo preserved >"$BATS_TEST_TMPDIR/in"
	run rt exec --preserve-fds 1 "$CID" sh -c 'cat <&3' 3<"$BATS_TEST_TMPDIR/in"
	[ "$output" = preserved ]
}

@test "exec runs from the sealed copy of the runtime (CVE-2019-5736)" {
	"$RUNTIME" --root "$STATE_ROOT" exec "$CID" sleep 2 &
	runner=$!
	sleep 0.5
	exe=$(readlink /proc/$runner/exe)
	wait "$runner"
	[[ "$exe" == /run/hako/exe/*/hako-exe ]]
	findmnt -no OPTIONS --target "$exe" | grep -q '^ro'
}

@test "exec into a stopped or paused container is refused" {
	rt pause "$CID"
	run rt exec "$CID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"is paused"* ]]
	rt resume "$CID"
	rt kill "$CID" KILL
	wait_for_status "$CID" stopped
	run rt exec "$CID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"is stopped"* ]]
}

@test "an exec'd process leads its own session and process group inside the pid namespace" {
	# Its group was the runtime's, outside the container: ps showed 0.
	run rt exec "$CID" sh -c 'read pid comm state ppid pgrp session rest </proc/self/stat; echo "$pid $pgrp $session"'
	[ "$status" -eq 0 ]
	set -- $output
	[ "$1" -gt 1 ]
	[ "$2" = "$1" ]
	[ "$3" = "$1" ]
	# The container's first process too.
	[ "$(awk '{print $5}' /proc/$PID/stat)" = "$PID" ]
}
