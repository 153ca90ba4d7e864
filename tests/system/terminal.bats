#!/usr/bin/env bats
# process.terminal: a pty from the container's devpts, handed over a
# --console-socket (runc's protocol) or relayed by a foreground run.

load helpers
bats_require_minimum_version 1.5.0

RECVTTY=$HAKO_BUILD/tests/helpers/hako-test-recvtty

setup_file() { setup_file_common; }
teardown_file() { teardown_file_common; }
setup() { make_bundle sh -c 'tty; stty size; ls -l /dev/console | cut -c1; exit 3'; }
teardown() {
	[ -n "${recv_pid:-}" ] && kill "$recv_pid" 2>/dev/null
	common_teardown
}

@test "the pty master goes to the console socket" {
	config_set '.process.terminal = true | .process.consoleSize = {"height": 30, "width": 100}'
	sock=$BATS_TEST_TMPDIR/console.sock
	"$RECVTTY" "$sock" >"$BATS_TEST_TMPDIR/out" &
	recv_pid=$!
	for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.02; done
	rt create --bundle "$BUNDLE" --console-socket "$sock" "$CID"
	rt start "$CID"
	wait "$recv_pid"
	recv_pid=
	out=$(tr -d '\r' <"$BATS_TEST_TMPDIR/out")
	echo "$out"
	[[ "$out" == */dev/pts/0* ]]
	[[ "$out" == *"30 100"* ]]
	# /dev/console is the pty (a character device bound over it)
	[[ "$out" == *$'\nc'* ]]
}

@test "a terminal without --console-socket is refused by create" {
	config_set '.process.terminal = true'
	run rt create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--console-socket is required"* ]]
	[ -z "$(rt list -q)" ]
}

@test "a foreground run relays the terminal and the exit status" {
	config_set '.process.terminal = true'
	run script -qec "$RUNTIME --root $STATE_ROOT run --bundle $BUNDLE $CID" /dev/null
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == */dev/pts/0* ]]
}

@test "input reaches the container through the console socket" {
	make_bundle sh -c 'read line; echo "got:$line"'
	config_set '.process.terminal = true'
	sock=$BATS_TEST_TMPDIR/console.sock
	"$RECVTTY" "$sock" $'hello\n' >"$BATS_TEST_TMPDIR/out" &
	recv_pid=$!
	for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.02; done
	rt create --bundle "$BUNDLE" --console-socket "$sock" "$CID"
	rt start "$CID"
	wait "$recv_pid"
	recv_pid=
	grep -q 'got:hello' "$BATS_TEST_TMPDIR/out"
}
