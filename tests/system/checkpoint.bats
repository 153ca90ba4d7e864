#!/usr/bin/env bats
# checkpoint and restore through criu.  Where `criu check` fails (Debian's
# criu 3.17 on kernels newer than it knows, like this project's CI host),
# the error must say so before anything changes; where it passes, a counter
# resumes from where it was checkpointed.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	require_tools criu
	setup_file_common
}
teardown_file() { teardown_file_common; }
setup() {
	make_bundle sh -c 'i=0; while :; do i=$((i + 1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done'
	private_rootfs
	mkdir -p "$BUNDLE/rootfs/tmp"
	config_set '.root.readonly = false'
	IMAGES=$BATS_TEST_TMPDIR/images
}
teardown() { common_teardown; }

criu_works() {
	criu check >/dev/null 2>&1
}

@test "without a working criu: the error quotes criu check and nothing changes" {
	if criu_works; then skip "criu check passes on this host: the end-to-end test covers it"; fi
	rt run --detach --bundle "$BUNDLE" "$CID"
	before=$(host_snapshot)
	run rt checkpoint --image-path "$IMAGES" "$CID"
	[ "$status" -ne 0 ]
	expected=$(criu check 2>&1 | head -1)
	[[ "$output" == *"\`criu check\` says: $expected"* ]]
	[ ! -e "$IMAGES" ]
	[ "$(rt state "$CID" | jq -r .status)" = running ]
	host_unchanged "$before"
	run rt restore --image-path "$IMAGES" --bundle "$BUNDLE" "${CID}r"
	[ "$status" -ne 0 ]
	[[ "$output" == *"criu check"* ]]
	host_unchanged "$before"
}

@test "checkpoint of a container that does not exist" {
	run rt checkpoint --image-path "$IMAGES" nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *"container \`nosuch\` does not exist"* ]]
	[ ! -e "$IMAGES" ]
}

@test "a counter resumes where it was checkpointed" {
	criu_works || skip "criu check fails here: $(criu check 2>&1 | head -1)"
	rt run --detach --bundle "$BUNDLE" "$CID"
	sleep 1
	rt checkpoint --image-path "$IMAGES" "$CID"
	at_dump=$(cat "$BUNDLE/rootfs/tmp/count")
	run rt state "$CID"
	[ "$status" -ne 0 ]
	rt restore --detach --image-path "$IMAGES" --bundle "$BUNDLE" "$CID"
	sleep 1
	now=$(cat "$BUNDLE/rootfs/tmp/count")
	[ "$now" -gt "$at_dump" ]
	[ "$now" -lt $((at_dump + 50)) ]
}
