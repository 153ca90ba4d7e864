#!/usr/bin/env bats
# The rest of config.json's linux and process settings: personality,
# scheduler, ioPriority, netDevices, idmapped mounts, and the ones this
# host cannot have (intelRdt, memoryPolicy).

load helpers
bats_require_minimum_version 1.5.0

setup_file() { setup_file_common; }
teardown_file() { teardown_file_common; }
setup() { make_bundle true; }
teardown() {
	ip link del hkvt0 2>/dev/null || true
	rm -rf "${IDMAP_DIR:-/nonexistent}"
	common_teardown
}

run_in_container() {
	config_set '.process.args = ["sh", "-c", $cmd]' --arg cmd "$1"
	run rt run --bundle "$BUNDLE" "$CID"
}

@test "linux.personality LINUX32" {
	config_set '.linux.personality = {domain: "LINUX32"}'
	run_in_container 'uname -m'
	[ "$status" -eq 0 ]
	[[ "$output" == i?86 ]]
}

@test "process.scheduler and process.ioPriority" {
	config_set '.process.scheduler = {policy: "SCHED_BATCH", nice: 7} | .process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0} | .process.args = ["sleep", "100"]'
	rt run --detach --bundle "$BUNDLE" "$CID"
	pid=$(rt state "$CID" | jq -r .pid)
	for i in $(seq 50); do [ "$(cat /proc/$pid/comm)" = sleep ] && break; sleep 0.02; done
	[[ "$(chrt -p "$pid")" == *SCHED_BATCH* ]]
	[ "$(awk '{print $19}' /proc/$pid/stat)" = 7 ]
	[[ "$(ionice -p "$pid")" == idle* ]]
}

@test "linux.netDevices moves a host interface into the container, renamed" {
	ip link add hkvt0 type veth peer name hkvt1
	config_set '.linux.netDevices = {hkvt0: {name: "inside0"}} | .process.args = ["sleep", "100"]'
	rt run --detach --bundle "$BUNDLE" "$CID"
	run ! ip link show hkvt0
	run rt exec "$CID" ip link show inside0
	[ "$status" -eq 0 ]
	[[ "$output" == *inside0* ]]
	rt delete --force "$CID"
	ip link del hkvt1 2>/dev/null || true
}

@test "linux.netDevices with an interface the host lacks is refused first" {
	before=$(host_snapshot)
	config_set '.linux.netDevices = {nosuchif0: {}}'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"the host has no interface \`nosuchif0\`"* ]]
	host_unchanged "$before"
}

@test "idmapped bind mount with its own mappings" {
	IDMAP_DIR=$(mktemp -d /tmp/hako-idmap.XXXXXX)
	echo data >"$IDMAP_DIR/root-owned"
	config_set '.mounts += [{destination: "/idm", type: "bind", source: $d, options: ["bind", "idmap"],
		uidMappings: [{containerID: 0, hostID: 1000, size: 1}], gidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]' --arg d "$IDMAP_DIR"
	config_set '.process.user = {uid: 1000, gid: 1000}'
	run_in_container 'stat -c "%u %g" /idm/root-owned; touch /idm/by-1000'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | head -1)" = "1000 1000" ]
	[ "$(stat -c %u "$IDMAP_DIR/by-1000")" = 0 ]
}

@test "idmapped mount with the container's user namespace mappings" {
	IDMAP_DIR=$(mktemp -d /tmp/hako-idmap.XXXXXX)
	chmod 755 "$IDMAP_DIR"
	echo data >"$IDMAP_DIR/root-owned"
	config_set '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .mounts |= map(if .type == "sysfs" then {destination: "/sys", type: "bind", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
		| .mounts += [{destination: "/idm", type: "bind", source: $d, options: ["bind", "idmap"]}]' --arg d "$IDMAP_DIR"
	d=$BATS_TEST_TMPDIR
	while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	chmod o+x "$BATS_FILE_TMPDIR" "$SHARED_ROOTFS"
	run_in_container 'stat -c "%u" /idm/root-owned; touch /idm/by-container-root && echo made'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | head -1)" = 0 ]
	[ "$(stat -c %u "$IDMAP_DIR/by-container-root")" = 0 ]
}

@test "Podman's idmap=uids=...;gids=... mappings, absolute and relative to the container's" {
	IDMAP_DIR=$(mktemp -d /tmp/hako-idmap.XXXXXX)
	echo data >"$IDMAP_DIR/root-owned"
	chown 2000:2001 "$IDMAP_DIR/root-owned"
	chmod 755 "$IDMAP_DIR"
	# The file system's 2000 shows as 1000 (gid 2001 as 1001).
	config_set '.mounts += [{destination: "/idm", type: "bind", source: $d, options: ["bind", "idmap=uids=2000-1000-1;gids=2001-1001-1"]}]' --arg d "$IDMAP_DIR"
	run_in_container 'stat -c "%u %g" /idm/root-owned'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "1000 1001" ]
	# "@": the second id is the container's, mapped through its user namespace.
	config_set '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .mounts |= map(if .type == "sysfs" then {destination: "/sys", type: "bind", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
		| .mounts[-1].options = ["rbind", "ridmap=uids=@2000-5-1;gids=@2001-6-1"]'
	d=$BATS_TEST_TMPDIR
	while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	chmod o+x "$BATS_FILE_TMPDIR" "$SHARED_ROOTFS"
	run_in_container 'stat -c "%u %g" /idm/root-owned'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "5 6" ]
	config_set '.mounts[-1].options = ["bind", "idmap=uids=@0-70000-1"]'
	run_in_container true
	[ "$status" -ne 0 ]
	[[ "$output" == *"idmap: uids: \`@0-70000-1\`: the container's ids 70000..70000 are not all mapped"* ]]
}

@test "in a user namespace, bind sources under a mode 000 parent are opened by the runtime" {
	# The container's root is root of its user namespace only: it cannot
	# search a root-owned mode 000 directory; runc and crun open the source
	# as the runtime.
	locked=$BATS_TEST_TMPDIR/locked
	mkdir -p "$locked/src"
	echo through >"$locked/src/f"
	chmod 644 "$locked/src/f"
	chmod 755 "$locked/src"
	chmod 000 "$locked"
	private_rootfs
	chown -R 100000:100000 "$BUNDLE/rootfs"
	config_set '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .mounts |= map(if .type == "sysfs" then {destination: "/sys", type: "bind", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
		| .mounts += [{destination: "/data", type: "bind", source: $d, options: ["bind", "ro"]}]' --arg d "$locked/src"
	d=$BATS_TEST_TMPDIR
	while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	run_in_container 'cat /data/f; touch /data/g 2>/dev/null || echo read-only'
	chmod 755 "$locked"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "through
read-only" ]
}

@test "linux.devices in a user namespace: the host's node, or one the runtime makes" {
	# The container's root cannot mknod, nor open a node on a file system
	# its namespace mounted.  /dev/hkzero exists nowhere on the host.
	[ ! -e /dev/hkzero ]
	private_rootfs
	chown -R 100000:100000 "$BUNDLE/rootfs"
	config_set '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .mounts |= map(if .type == "sysfs" then {destination: "/sys", type: "bind", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
		| .linux.devices = [{path: "/dev/hkzero", type: "c", major: 1, minor: 5, fileMode: 420, uid: 7, gid: 8},
			{path: "/dev/full", type: "c", major: 1, minor: 7}, {path: "/dev/hkfifo", type: "p"}]'
	d=$BATS_TEST_TMPDIR
	while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	run_in_container 'head -c 3 /dev/hkzero | wc -c; stat -c "%t:%T %a %u %g" /dev/hkzero; stat -c %t:%T /dev/full; stat -c %F /dev/hkfifo'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "3
1:5 644 7 8
1:7
fifo" ]
	[ ! -e /dev/hkzero ]
}

@test "intelRdt is refused clearly on this host" {
	before=$(host_snapshot)
	config_set '.linux.intelRdt = {closID: "x"}'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.intelRdt: Intel RDT is not supported here"* ]]
	host_unchanged "$before"
}

@test "memoryPolicy is applied with set_mempolicy, bad values named" {
	config_set '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0"}'
	run_in_container 'grep -c " bind:0 " /proc/self/numa_maps'
	[ "$status" -eq 0 ]
	[ "$output" -gt 0 ]
	config_set '.linux.memoryPolicy = {mode: "MPOL_INTERLEAVE", nodes: "0", flags: ["MPOL_F_STATIC_NODES"]}'
	run_in_container 'grep -c " interleave=static:0 " /proc/self/numa_maps'
	[ "$status" -eq 0 ]
	[ "$output" -gt 0 ]
	[ "$(rt features | jq -r '.linux.memoryPolicy.modes | index("MPOL_BIND") != null')" = true ]
	before=$(host_snapshot)
	config_set '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0-x"}'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.memoryPolicy.nodes: \`0-x\` is not a list like 0-3,7"* ]]
	config_set '.linux.memoryPolicy = {mode: "MPOL_LOCAL", nodes: "0"}'
	run rt run --bundle "$BUNDLE" "$CID"
	[[ "$output" == *"linux.memoryPolicy.nodes: MPOL_LOCAL takes no nodes"* ]]
	# A node this host lacks: the kernel's refusal, named.
	config_set '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "1000"}'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.memoryPolicy: set_mempolicy: Invalid argument"* ]]
	host_unchanged "$before"
}
