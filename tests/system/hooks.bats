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
	# The container exists when they run: "created", as crun says.
	grep -q "^prestart a env=set status=created id=$CID pid=$pid" "$LOG"
	grep -q "^createRuntime b env=set status=created id=$CID pid=$pid" "$LOG"
	grep -q "^createContainer c env=set status=created id=$CID pid=$pid" "$LOG"
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

@test "a failing poststop hook is a warning: delete succeeds and the other poststop hooks run" {
	config_set ".hooks.poststop = [{path: \"/bin/false\"}, $(hook poststop after-failure)]"
	rt create --bundle "$BUNDLE" "$CID"
	run rt delete --force "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"poststop hook 0 (/bin/false) exited with status 1"* ]]
	grep -q "^poststop after-failure env=set status=stopped" "$LOG"
	run rt state "$CID"
	[ "$status" -ne 0 ]
}

@test "a failing poststart hook is an error that stops the container (runtime-spec 1.3)" {
	config_set '.hooks.poststart = [{path: "/bin/sh", args: ["sh", "-c", "echo no-go >&2; exit 3"]}]'
	rt create --bundle "$BUNDLE" "$CID"
	pid=$(rt state "$CID" | jq -r .pid)
	run rt start "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"poststart hook 0 (/bin/sh) exited with status 3: no-go"* ]]
	[ "$(rt state "$CID" | jq -r .status)" = stopped ]
	! kill -0 "$pid" 2>/dev/null || [ "$(awk '{print $3}' /proc/$pid/stat)" = Z ]
	rt delete "$CID"
	# run: the container is stopped and removed, nothing is left.
	before=$(host_snapshot)
	run rt run --detach --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"poststart hook 0 (/bin/sh) exited with status 3: no-go"* ]]
	host_unchanged "$before"
}

@test "a hook without env gets the runtime's environment, one with env only its own" {
	config_set ".hooks.prestart = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"echo probe=\$HAKO_HOOK_PROBE >>$LOG\"]}]
		| .hooks.poststart = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"echo probe=\$HAKO_HOOK_PROBE >>$LOG\"], env: [\"OTHER=1\"]}]"
	HAKO_HOOK_PROBE=inherited rt create --bundle "$BUNDLE" "$CID"
	HAKO_HOOK_PROBE=inherited rt start "$CID"
	[ "$(cat "$LOG")" = "probe=inherited
probe=" ]
}

@test "the runtime-spec version is 1.3.0 in the state, the features and the default config" {
	rt create --bundle "$BUNDLE" "$CID"
	[ "$(rt state "$CID" | jq -r .ociVersion)" = 1.3.0 ]
	[ "$(rt features | jq -r .ociVersionMax)" = 1.3.0 ]
	rm -f "$BATS_TEST_TMPDIR/config.json"
	rt spec --bundle "$BATS_TEST_TMPDIR"
	[ "$(jq -r .ociVersion "$BATS_TEST_TMPDIR/config.json")" = 1.3.0 ]
}
