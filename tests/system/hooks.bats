#!/usr/bin/env bats
# OCI hooks: order, the state on stdin, args, env, timeout, failure.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { setup_file_common; }
teardown_file() { teardown_file_common; }
setup() {
	make_bundle sleep 100
	LOG=$BATS_TEST_TMPDIR/hooks.log
	HOOK=$BATS_TEST_TMPDIR/hook.sh
	# Appends "NAME ARGS... ENV status" and the state it read to the log.
	cat >"$HOOK" <<-'EOS'
		#!/bin/sh
		state=$(cat)
		status=$(echo "$state" | jq -r .status)
		id=$(echo "$state" | jq -r .id)
		pid=$(echo "$state" | jq -r .pid)
		echo "$* env=$HOOK_ENV status=$status id=$id pid=$pid" >>"$LOG"
	EOS
	chmod +x "$HOOK"
}
teardown() { common_teardown; }

# hook NAME [ARG]: a hook entry that runs $HOOK as NAME.
hook() {
	jq -n --arg path "$HOOK" --arg name "$1" --arg log "$LOG" --arg arg "${2:-}" \
		'{path: $path, args: [$name, $name, $arg], env: ["HOOK_ENV=set", "LOG=" + $log]}'
}

@test "hooks run in lifecycle order with the state on stdin" {
	config_set ".hooks = {prestart: [$(hook prestart a)], createRuntime: [$(hook createRuntime b)],
		createContainer: [$(hook createContainer c)], poststart: [$(hook poststart d)],
		poststop: [$(hook poststop e)]}"
	rt create --bundle "$BUNDLE" "$CID"
	pid=$(rt state "$CID" | jq -r .pid)
	rt start "$CID"
	rt kill "$CID" KILL
	wait_for_status "$CID" stopped
	rt delete "$CID"
	cat "$LOG"
	[ "$(cut -d' ' -f1 "$LOG" | tr '\n' ' ')" = "prestart createRuntime createContainer poststart poststop " ]
	grep -q "^prestart a env=set status=creating id=$CID pid=$pid" "$LOG"
	grep -q "^createRuntime b env=set status=creating id=$CID pid=$pid" "$LOG"
	grep -q "^poststart d env=set status=running" "$LOG"
	grep -q "^poststop e env=set status=stopped" "$LOG"
}

@test "a startContainer hook runs inside the container before the program" {
	private_rootfs
	config_set '.process.args = ["cat", "/hook-ran"]
		| .hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "cat > /hook-ran"]}]'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .status)" = created ]
	[ "$(echo "$output" | jq -r .id)" = "$CID" ]
}

@test "a failing createRuntime hook fails create and leaves nothing" {
	before=$(host_snapshot)
	config_set '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "echo broken-hook >&2; exit 4"]}]'
	run rt create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"createRuntime hook 0 (/bin/sh) exited with status 4: broken-hook"* ]]
	host_unchanged "$before"
}

@test "a hook that outlives its timeout is killed and fails create" {
	before=$(host_snapshot)
	config_set '.hooks.prestart = [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]'
	start=$(date +%s)
	run rt create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"prestart hook 0 (/bin/sleep): timed out after 1 seconds"* ]]
	[ $(($(date +%s) - start)) -lt 10 ]
	host_unchanged "$before"
}

@test "a failing poststop hook does not stop delete" {
	config_set '.hooks.poststop = [{path: "/bin/false"}]'
	rt create --bundle "$BUNDLE" "$CID"
	run rt delete "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"poststop hook 0 (/bin/false) exited with status 1"* ]]
	run rt state "$CID"
	[ "$status" -ne 0 ]
}
