#!/usr/bin/env bats
# Malformed configs and command lines: a clear error that names what is
# wrong, a non-zero exit, and nothing left behind — no state directory,
# cgroup, mount or process.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { setup_file_common; }
teardown_file() { teardown_file_common; }
setup() {
	make_bundle true
	BEFORE=$(host_snapshot)
	PROCS_BEFORE=$(pgrep -c -P 1 || true)
}
teardown() { common_teardown; }

# refused ERROR-SUBSTRING [create args...]: create must fail with it and
# leave the host as it was.
refused() {
	local want=$1
	shift
	run rt create --bundle "$BUNDLE" "$@" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$want"* ]]
	host_unchanged "$BEFORE"
	! ls "$STATE_ROOT/$CID" 2>/dev/null
}

@test "config.json that is not JSON" {
	echo '{"ociVersion": "1.2.0", "process": ' >"$BUNDLE/config.json"
	refused "config.json: not valid JSON"
}

@test "a field of the wrong type" {
	config_set '.process.user.uid = "zero"'
	refused "process.user.uid: expected an unsigned 32-bit integer, got string"
}

@test "an unknown namespace" {
	config_set '.linux.namespaces += [{type: "sideways"}]'
	refused 'linux.namespaces[6].type: unknown namespace `sideways`'
}

@test "an unknown mount type" {
	config_set '.mounts += [{destination: "/x", type: "nosuchfs", source: "none"}]'
	refused 'mounts[7].type: unknown file system type `nosuchfs`'
}

@test "a relative mount destination" {
	config_set '.mounts += [{destination: "x", type: "tmpfs", source: "tmpfs"}]'
	refused 'mounts[7].destination: `x` is not an absolute path'
}

@test "a missing root" {
	config_set 'del(.root)'
	refused "root: required but missing"
	config_set '.root = {path: "/no/such/rootfs"}'
	refused "root.path: \`/no/such/rootfs\`: No such file or directory"
}

@test "a missing bundle" {
	run rt create --bundle /no/such/bundle "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"bundle \`/no/such/bundle\`: No such file or directory"* ]]
	host_unchanged "$BEFORE"
}

@test "a duplicate id" {
	rt create --bundle "$BUNDLE" "$CID"
	snapshot=$(host_snapshot)
	run rt create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container \`$CID\` already exists"* ]]
	host_unchanged "$snapshot"
	[ "$(rt state "$CID" | jq -r .status)" = created ]
}

@test "an invalid id" {
	run rt create --bundle "$BUNDLE" "../escape"
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid container id"* ]]
	host_unchanged "$BEFORE"
}

@test "an unknown signal" {
	rt create --bundle "$BUNDLE" "$CID"
	run rt kill "$CID" SIGWHATEVER
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown signal \`SIGWHATEVER\`"* ]]
	[ "$(rt state "$CID" | jq -r .status)" = created ]
}

@test "a failure inside the container process cleans up as well" {
	# the mount fails only once the container process tries it
	config_set '.mounts += [{destination: "/x", type: "bind", source: "/no/such/source", options: ["bind"]}]'
	refused 'bind source `/no/such/source`'
	# a cwd that is a file (a missing one is made)
	make_bundle true
	config_set '.process.cwd = "/bin/busybox"'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.cwd"*"/bin/busybox"* ]]
	host_unchanged "$BEFORE"
}

@test "unknown commands and options" {
	run "$RUNTIME" frobnicate
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown command \`frobnicate\`"* ]]
	run rt create --bundel "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown option --bundel for hako-runtime create"* ]]
	run rt state
	[ "$status" -ne 0 ]
	[[ "$output" == *"missing container id"* ]]
	host_unchanged "$BEFORE"
}

@test "operations on a container that does not exist" {
	for verb in start state kill delete pause resume; do
		run rt $verb nosuch
		[ "$status" -ne 0 ]
		[[ "$output" == *"container \`nosuch\` does not exist"* ]]
	done
	run rt delete --force nosuch
	[ "$status" -eq 0 ]
}

@test "start of a container that is not created" {
	rt run --detach --bundle "$BUNDLE" "$CID"
	wait_for_status "$CID" stopped
	run rt start "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"is stopped, not created"* ]]
}
