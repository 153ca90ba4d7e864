#!/usr/bin/env bats
# hako checkpoint / restore on this host, where `criu check` fails (Debian's
# criu 3.17 on a newer kernel): the error quotes criu, exits 125, and the
# container runs on untouched.  The end-to-end flow runs in the cgroup v2
# VM (checkpoint-engine-vm.bats).

bats_require_minimum_version 1.5.0
load engine-helpers

setup_file() {
	require_tools criu
	engine_setup_file
}
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "hako checkpoint without a working criu: criu's words, exit 125, the container runs on" {
	if criu check >/dev/null 2>&1; then skip "criu check passes here: checkpoint-engine-vm.bats covers the flow"; fi
	hk run -d --network none --name counter busybox sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.05; done' >/dev/null
	local id pid
	id=$(hk inspect -f '{{.Id}}' counter)
	pid=$(hk inspect -f '{{.State.Pid}}' counter)
	run -125 hk checkpoint counter
	expected=$(criu check 2>&1 | head -1)
	[[ "$output" == *"cannot checkpoint container counter"* ]]
	[[ "$output" == *"\`criu check\` says: $expected"* ]]
	[ "$(hk inspect -f '{{.State.Status}} {{.State.Pid}} {{.State.Checkpointed}}' counter)" = "running $pid false" ]
	[ ! -e "$HAKO_ROOT/containers/$id/checkpoint" ]
	[ ! -e "$HAKO_ROOT/containers/$id/checkpoint.new" ]
	[ ! -e "$HAKO_RUNROOT/containers/$id/checkpointing" ]
	# it still counts
	local n1 n2
	n1=$(hk exec counter cat /tmp/n)
	sleep 0.3
	n2=$(hk exec counter cat /tmp/n)
	[ "$n2" -gt "$n1" ]
	# the long form too, and restore says there is nothing to restore
	run -125 hk container checkpoint --leave-running counter
	[[ "$output" == *"\`criu check\` says"* ]]
	run -125 hk restore counter
	[[ "$output" == *"cannot restore container counter: it is running"* ]]
	hk rm -f counter >/dev/null
}

@test "hako restore of a container that was never checkpointed: a clear error" {
	hk create --network none --name plain busybox true >/dev/null
	run -125 hk restore plain
	[[ "$output" == *"cannot restore container plain: it has no checkpoint"* ]]
	[ "$(hk inspect -f '{{.State.Status}} {{.State.Checkpointed}} {{.State.CheckpointedAt}}' plain)" = "created false " ]
	run -125 hk restore --leave-running plain
	[[ "$output" == *"unknown option --leave-running"* ]]
	run -125 hk checkpoint plain
	[[ "$output" == *"cannot checkpoint container plain: it is created, not running"* ]]
	hk rm plain >/dev/null
}

@test "hako checkpoint of a pod member or a --runtime container: refused, saying why, before criu" {
	hk create --network none --runtime /bin/true --name ext busybox true >/dev/null
	run -125 hk checkpoint ext
	[[ "$output" == *"cannot checkpoint container ext: it runs under --runtime /usr/bin/true; only hako's own runtime can checkpoint"* ]]
	run -125 hk checkpoint --export "$BATS_TEST_TMPDIR/ext.tar.zst" ext
	[[ "$output" == *"only hako's own runtime can checkpoint"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/ext.tar.zst" ]
	local pod
	pod=$(hk pod create --name ckpod --cgroup-parent "$ENGINE_CGROUP")
	# (hk would add --cgroup-parent, which a pod member cannot take)
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" create --pod ckpod --name inpod busybox true >/dev/null
	run -125 hk checkpoint inpod
	[[ "$output" == *"cannot checkpoint container inpod: it is in pod ${pod:0:12}, whose namespaces it joins"* ]]
	run -125 hk restore inpod
	[[ "$output" == *"cannot restore container inpod: it is in pod ${pod:0:12}"* ]]
	hk rm ext inpod >/dev/null
	hk pod rm -f ckpod >/dev/null
}

@test "hako checkpoint --compress, restore --ignore-rootfs: an unknown kind, or either without --export/--import, is refused before anything is done" {
	hk run -d --network none --name zc busybox sleep 1000 >/dev/null
	local id pid
	id=$(hk inspect -f '{{.Id}}' zc)
	pid=$(hk inspect -f '{{.State.Pid}}' zc)
	run -125 hk checkpoint --export "$BATS_TEST_TMPDIR/zc.ckpt" --compress lz4 zc
	[[ "$output" == *"--compress lz4: expected zstd, gzip or none"* ]]
	[[ "$output" != *"criu"* ]] # refused before criu is asked
	[ ! -e "$BATS_TEST_TMPDIR/zc.ckpt" ]
	run -125 hk checkpoint --compress gzip zc
	[[ "$output" == *"--compress is for --export"* ]]
	run -125 hk restore --compress gzip zc
	[[ "$output" == *"unknown option --compress (it is checkpoint's)"* ]]
	run -125 hk restore --ignore-rootfs zc
	[[ "$output" == *"--ignore-rootfs is for --import"* ]]
	[ "$(hk inspect -f '{{.State.Status}} {{.State.Pid}} {{.State.Checkpointed}}' zc)" = "running $pid false" ]
	[ ! -e "$HAKO_ROOT/containers/$id/checkpoint.new" ]
	[ ! -e "$HAKO_RUNROOT/containers/$id/checkpointing" ]
	hk rm -f zc >/dev/null
}
