#!/usr/bin/env bats
# hako-runtime driven by a real client: containerd (Debian's), started here
# with its own root, state and socket, running containers through ctr with
# --runc-binary: output, exit codes, exec, kill, pause/resume, ps, a memory
# limit.  What containerd (and through it Kubernetes) needs, proven.

load helpers
load oci-image
bats_require_minimum_version 1.5.0

IMAGE=docker.io/library/hakobusybox:latest

setup_file() {
	require_tools containerd ctr
	setup_file_common
	export CTRD=$BATS_FILE_TMPDIR/containerd
	mkdir -p "$CTRD"
	cat >"$CTRD/config.toml" <<-EOT
		version = 2
		root = "$CTRD/root"
		state = "$CTRD/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.aufs"]
		[grpc]
		  address = "$CTRD/containerd.sock"
		[ttrpc]
		  address = "$CTRD/containerd.sock.ttrpc"
	EOT
	containerd --config "$CTRD/config.toml" >"$CTRD/log" 2>&1 &
	echo $! >"$CTRD/pid"
	for i in $(seq 100); do [ -S "$CTRD/containerd.sock" ] && break; sleep 0.05; done
	make_oci_image_tar "$CTRD" "$SHARED_ROOTFS" "$IMAGE"
	ctr_ images import "$CTRD/image.tar" >/dev/null
}

teardown_file() {
	for t in $(ctr_ task ls -q 2>/dev/null); do ctr_ task kill -s SIGKILL "$t" 2>/dev/null; done
	sleep 0.2
	for t in $(ctr_ task ls -q 2>/dev/null); do ctr_ task delete -f "$t" 2>/dev/null; done
	for c in $(ctr_ container ls -q 2>/dev/null); do ctr_ container delete "$c" 2>/dev/null; done
	ctr_ images rm "$IMAGE" >/dev/null 2>&1 || true
	[ -f "$CTRD/pid" ] && kill "$(cat "$CTRD/pid")" && tail --pid="$(cat "$CTRD/pid")" -f /dev/null
	umount -R "$CTRD/root" 2>/dev/null || true
	rm -rf /run/containerd/runc/hakotest
	for d in $(find /sys/fs/cgroup -maxdepth 2 -name hakotest -type d); do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
	teardown_file_common
}

ctr_() {
	ctr --address "$CTRD/containerd.sock" -n hakotest "$@"
}

teardown() {
	for t in $(ctr_ task ls -q 2>/dev/null); do ctr_ task kill -s SIGKILL "$t" 2>/dev/null; done
	sleep 0.2
	for t in $(ctr_ task ls -q 2>/dev/null); do ctr_ task delete -f "$t" >/dev/null 2>&1; done
	for c in $(ctr_ container ls -q 2>/dev/null); do ctr_ container delete "$c" >/dev/null 2>&1; done
}

@test "containerd: ctr run prints the output and returns the exit code" {
	run ctr_ run --rm --runc-binary "$RUNTIME" "$IMAGE" c1 sh -c 'echo hello from hako; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = "hello from hako" ]
}

@test "containerd: task exec, ps, pause and resume, kill" {
	ctr_ run -d --runc-binary "$RUNTIME" "$IMAGE" c2 sleep 100
	[[ "$(ctr_ task ls)" == *c2*RUNNING* ]]
	run ctr_ task exec --exec-id e1 c2 sh -c 'echo in exec; exit 4'
	[ "$status" -eq 4 ]
	[ "$output" = "in exec" ]
	pid=$(ctr_ task ls | awk '$1 == "c2" {print $2}')
	[[ "$(ctr_ task ps c2)" == *"$pid"* ]]
	ctr_ task pause c2
	[[ "$(ctr_ task ls)" == *c2*PAUSED* ]]
	ctr_ task resume c2
	[[ "$(ctr_ task ls)" == *c2*RUNNING* ]]
	ctr_ task kill -s SIGKILL c2
	for i in $(seq 50); do [[ "$(ctr_ task ls)" == *c2*STOPPED* ]] && break; sleep 0.1; done
	[[ "$(ctr_ task ls)" == *c2*STOPPED* ]]
}

@test "containerd: a memory limit reaches the cgroup" {
	ctr_ run -d --runc-binary "$RUNTIME" --memory-limit 67108864 "$IMAGE" c3 sleep 100
	pid=$(ctr_ task ls | awk '$1 == "c3" {print $2}')
	memcg=$(awk -F: '$2 == "memory" {print $3} $1 == "0" && $2 == "" {v2 = $3} END {}' /proc/$pid/cgroup)
	if [ -n "$memcg" ]; then
		[ "$(cat /sys/fs/cgroup/memory$memcg/memory.limit_in_bytes)" = 67108864 ]
	else
		[ "$(cat /sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/$pid/cgroup)/memory.max)" = 67108864 ]
	fi
}
