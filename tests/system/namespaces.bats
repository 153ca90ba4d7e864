#!/usr/bin/env bats
# linux.namespaces: new ones of every type, joining existing ones by path,
# user namespaces with uid/gid mappings, time namespace offsets.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { setup_file_common; }
teardown_file() { teardown_file_common; }
setup() { make_bundle true; }
teardown() { common_teardown; }

run_in_container() {
	config_set '.process.args = ["sh", "-c", $cmd]' --arg cmd "$1"
	run rt run --bundle "$BUNDLE" "$CID"
}

@test "new pid, uts, ipc, network, mount and cgroup namespaces" {
	run_in_container 'echo $$; for n in pid uts ipc net mnt cgroup; do readlink /proc/self/ns/$n; done; ls /sys/class/net; cat /proc/self/cgroup | tail -1'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sed -n 1p)" = 1 ]
	for n in pid uts ipc net mnt cgroup; do
		mine=$(readlink /proc/self/ns/$n)
		[ "$(grep -cx "$mine" <<<"$output")" = 0 ]
	done
	# a new network namespace has only the loopback device
	[ "$(echo "$output" | sed -n 8p)" = lo ]
	[[ "$(echo "$output" | tail -1)" == *":/" ]]
}

@test "without a namespace entry the container shares the host's" {
	config_set '.linux.namespaces |= map(select(.type == "mount"))'
	config_set 'del(.hostname)'
	run_in_container 'readlink /proc/self/ns/net; readlink /proc/self/ns/uts'
	[ "$status" -eq 0 ]
	[ "$output" = "$(readlink /proc/self/ns/net)"$'\n'"$(readlink /proc/self/ns/uts)" ]
}

@test "without a mount namespace the runtime's is kept: chroot into the root, nothing mounted" {
	# The spec: a namespace type not listed is inherited.  As runc: no
	# pivot_root; hako chroots into root.path and mounts nothing.
	config_set '.linux.namespaces |= map(select(.type != "mount")) | .mounts = []
		| del(.linux.maskedPaths, .linux.readonlyPaths) | .root.readonly = false
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"}
		| .process.args = ["sleep", "100"]'
	before=$(host_snapshot)
	mounts_before=$(wc -l </proc/self/mountinfo)
	rt run --detach --bundle "$BUNDLE" "$CID"
	pid=$(rt state "$CID" | jq -r .pid)
	[ "$(readlink /proc/$pid/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ]
	[ "$(readlink /proc/$pid/root)" = "$SHARED_ROOTFS" ]
	[ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ]
	[ "$(nsenter -t "$pid" -n cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	[ "$(wc -l </proc/self/mountinfo)" = "$mounts_before" ]
	run rt exec "$CID" sh -c 'echo $(ls /bin/busybox)'
	[ "$output" = /bin/busybox ]
	rt delete --force "$CID"
	host_unchanged "$before"
	# What needs mounts is refused, naming the field, and nothing is left.
	config_set '.mounts = [{destination: "/proc", type: "proc", source: "proc"}]'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"mounts: mounting \`/proc\` needs the container's own mount namespace"* ]]
	host_unchanged "$before"
}

@test "lo is up in a new network namespace" {
	run_in_container 'cat /sys/class/net/lo/flags; ip addr show lo | grep -c "inet 127.0.0.1"'
	[ "$status" -eq 0 ]
	[ $(( $(echo "$output" | sed -n 1p) & 1 )) -eq 1 ]
	[ "$(echo "$output" | sed -n 2p)" = 1 ]
}

@test "joining the namespaces of another container by path" {
	config_set '.process.args = ["sleep", "100"] | .hostname = "first"'
	rt run --detach --bundle "$BUNDLE" "$CID"
	first=$(rt state "$CID" | jq -r .pid)
	second=${CID}b
	config_set '.hostname = null | .linux.cgroupsPath = ("/hakotest/" + $id)
		| .linux.namespaces = [{type: "mount"},
			{type: "pid", path: "/proc/\($p)/ns/pid"}, {type: "network", path: "/proc/\($p)/ns/net"},
			{type: "uts", path: "/proc/\($p)/ns/uts"}, {type: "ipc", path: "/proc/\($p)/ns/ipc"}]
		| .process.args = ["sh", "-c", "hostname; readlink /proc/self/ns/net; ps -o comm | grep -c sleep"]' \
		--arg p "$first" --arg id "$second"
	run rt run --bundle "$BUNDLE" "$second"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sed -n 1p)" = first ]
	[ "$(echo "$output" | sed -n 2p)" = "$(readlink /proc/$first/ns/net)" ]
	[ "$(echo "$output" | sed -n 3p)" -ge 1 ]
}

@test "a namespace path of the wrong type is refused before anything is made" {
	before=$(host_snapshot)
	config_set '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/uts" else . end)'
	run rt create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.namespaces["*"].path: \`/proc/self/ns/uts\` is not a network namespace"* ]]
	host_unchanged "$before"
}

@test "a user namespace maps container root to a host uid" {
	# The bundle is below directories only the host's root may search: the
	# container process reaches its root before it becomes the mapped root.
	chmod 0700 "$BATS_TEST_TMPDIR"
	private_rootfs
	chown -R 100000:100000 "$BUNDLE/rootfs"
	config_set '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .process.args = ["sh", "-c", "cat /proc/self/uid_map; id -u; touch /made-by-root; sleep 100"]
		| .mounts |= map(if .type == "sysfs" then {destination: "/sys", type: "bind", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)'
	rt run --detach --bundle "$BUNDLE" "$CID" >"$BATS_TEST_TMPDIR/out"
	pid=$(rt state "$CID" | jq -r .pid)
	for i in $(seq 100); do [ -e "$BUNDLE/rootfs/made-by-root" ] && break; sleep 0.05; done
	[ "$(stat -c %u "$BUNDLE/rootfs/made-by-root")" = 100000 ]
	[ "$(awk '/^Uid/ {print $2}' /proc/$pid/status)" = 100000 ]
	[ "$(awk '{print $1, $2, $3}' /proc/$pid/uid_map)" = "0 100000 65536" ]
}

@test "a user namespace joined by path owns the container's new namespaces" {
	# As Podman and the hako engine use it: the namespace exists first (a
	# network namespace may belong to it); the container's mount, pid, uts
	# and ipc namespaces must belong to it too, or its root could not mount.
	chmod 0700 "$BATS_TEST_TMPDIR"
	private_rootfs
	chown -R 100000:100000 "$BUNDLE/rootfs"
	unshare --user sleep 1000 &
	holder=$!
	for i in $(seq 100); do [ "$(readlink /proc/$holder/ns/user)" != "$(readlink /proc/self/ns/user)" ] && break; sleep 0.02; done
	echo "0 100000 65536" >/proc/$holder/uid_map
	echo "0 100000 65536" >/proc/$holder/gid_map
	config_set '.linux.namespaces += [{type: "user", path: $p}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .process.args = ["sh", "-c", "cat /proc/self/uid_map; id -u; hostname; touch /made-by-root"]
		| .mounts |= map(if .type == "sysfs" then {destination: "/sys", type: "bind", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)' \
		--arg p "/proc/$holder/ns/user"
	run rt run --bundle "$BUNDLE" "$CID"
	kill "$holder"
	wait "$holder" || true
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sed -n 1p | awk '{print $1, $2, $3}')" = "0 100000 65536" ]
	[ "$(echo "$output" | sed -n 2p)" = 0 ]
	[ "$(stat -c %u "$BUNDLE/rootfs/made-by-root")" = 100000 ]
}

@test "a time namespace with offsets" {
	config_set '.linux.namespaces += [{type: "time"}] | .linux.timeOffsets = {boottime: {secs: 86400000, nanosecs: 0}, monotonic: {secs: 1000, nanosecs: 0}}'
	run_in_container 'cut -d. -f1 /proc/uptime'
	[ "$status" -eq 0 ]
	host=$(cut -d. -f1 /proc/uptime)
	[ "$output" -ge $((host + 86400000 - 5)) ]
	[ "$output" -le $((host + 86400000 + 5)) ]
}
