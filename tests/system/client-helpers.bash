# Shared by the client-*.bats files: hako-runtime under real clients
# (dockerd, Podman, containerd's CRI plugin), each started by its file and
# by nobody else, and the same operations under runc for reference.
#
# Private by construction: every client runs in a mount namespace of its
# own (client_ns_start) where /run is a new tmpfs and /var/lib and /etc are
# overlays whose upper layers are in the file's directory.  What a client
# writes to a path it does not let us choose (containerd's shim sockets in
# /run/containerd/s, dockerd 20.10's /etc/docker/key.json, CNI's cache in
# /var/lib/cni) so lands there and goes with it; state, sockets and
# configuration are in the file's directory anyway.  Networks use bridges
# the tests make (hkc-*) on subnets of 10.213.240.0/21, no NAT, no
# forwarding; servers listen on unix sockets or 127.0.0.1 only.
#
# After each test nothing of its containers may be left (client_snapshot):
# no shim or conmon process, no veth on the bridge, no cgroup under the
# client's cgroup parent, nothing in the runtime's --root, no IPAM lease,
# no network namespace, no mount, no firewall rule.
# shellcheck shell=bash

load engine-helpers
load oci-image

IMAGE=docker.io/library/hakobusybox:latest
RUNC=/usr/sbin/runc

# client_setup_file NAME: $CLIENT_DIR, the private namespace, the images.
client_setup_file() {
	export CLIENT_NAME=$1
	export CLIENT_DIR=$BATS_FILE_TMPDIR/$1
	export CLIENT_CGROUP=hakotest-$1
	export CLIENT_BRIDGE=hkc-$1
	export CLIENT_FIREWALL_BEFORE
	CLIENT_FIREWALL_BEFORE=$(firewall_state)
	mkdir -p "$CLIENT_DIR/tmp"
	client_ns_start
	client_images
}

client_teardown_file() {
	local status=0
	client_kill_leftovers || status=1
	client_ns_stop
	[ -d "/sys/class/net/$CLIENT_BRIDGE" ] && ip link del "$CLIENT_BRIDGE"
	firewall_restore "$CLIENT_FIREWALL_BEFORE"
	client_remove_cgroups
	teardown_file_common
	return $status
}

# Once the client has stopped: a process it left (a shim, conmon, a
# container's process) is killed by PID and reported.
client_kill_leftovers() {
	local pids pid
	pids=$({
		find /sys/fs/cgroup/pids -path "*/$CLIENT_CGROUP/*" -name cgroup.procs -exec cat {} + 2>/dev/null
		for pid in $(pgrep -f -- "$CLIENT_DIR" || true); do
			[ "$pid" != "$CLIENT_NS_PID" ] && echo "$pid"
		done
	} | sort -u)
	[ -n "$pids" ] || return 0
	for pid in $pids; do
		echo "left running: $pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" >&2
		kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in $pids; do
		tail --pid="$pid" -f /dev/null 2>/dev/null || true
	done
	return 1
}

# client_ns_start: the holder of the private mount namespace, a process
# that only waits; $CLIENT_NS_PID.
client_ns_start() {
	local ns=$CLIENT_DIR/ns
	mkdir -p "$ns"/{varlib,etc}/{upper,work}
	unshare --mount --propagation private -- sh -c '
		set -e
		mount -t tmpfs -o mode=0755 hako-client-run /run
		mount -t overlay -o "lowerdir=/var/lib,upperdir=$1/varlib/upper,workdir=$1/varlib/work" hako-client-varlib /var/lib
		mount -t overlay -o "lowerdir=/etc,upperdir=$1/etc/upper,workdir=$1/etc/work" hako-client-etc /etc
		echo ready >"$1/ready"
		exec sleep 2147483647' sh "$ns" >"$ns/log" 2>&1 &
	export CLIENT_NS_PID=$!
	local i
	for i in $(seq 100); do
		[ -f "$ns/ready" ] && return 0
		kill -0 "$CLIENT_NS_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "the private mount namespace did not start: $(cat "$ns/log")" >&2
	return 1
}

client_ns_stop() {
	[ -n "${CLIENT_NS_PID:-}" ] || return 0
	stop_pid "$CLIENT_NS_PID" 5
}

# in_ns CMD...: CMD in the private mount namespace.
in_ns() {
	nsenter --target "$CLIENT_NS_PID" --mount -- "$@"
}

# stop_pid PID SECONDS: SIGTERM, then SIGKILL after SECONDS; waits until
# the process is gone.
stop_pid() {
	local pid=$1 seconds=$2 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill "$pid"
	for i in $(seq $((seconds * 20))); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "pid $pid did not stop in ${seconds}s: killed" >&2
	kill -KILL "$pid" 2>/dev/null || true
	tail --pid="$pid" -f /dev/null
}

# client_bridge_add SUBNET-PREFIX: $CLIENT_BRIDGE with address PREFIX.1/24
# (the containers' gateway, so the host reaches them directly).
client_bridge_add() {
	ip link add "$CLIENT_BRIDGE" type bridge
	ip addr add "$1.1/24" dev "$CLIENT_BRIDGE"
	ip link set "$CLIENT_BRIDGE" up
}

# client_images: $CLIENT_DIR/busybox/image.tar, the busybox image as
# $IMAGE (a user `labuser` with a home; `sh` by default), and
# $CLIENT_DIR/pause/image.tar, hako.test/pause:1 (the same files, running
# a long sleep), for CRI's sandboxes.
client_images() {
	local rootfs=$CLIENT_DIR/rootfs
	"$TOP/scripts/make-busybox-rootfs.sh" "$rootfs" >/dev/null
	echo 'labuser:x:1000:1000:lab user:/home/labuser:/bin/sh' >>"$rootfs/etc/passwd"
	echo 'labuser:x:1000:' >>"$rootfs/etc/group"
	mkdir -p "$rootfs/home/labuser" "$rootfs/www"
	chown 1000:1000 "$rootfs/home/labuser"
	echo hello-from-the-container >"$rootfs/www/index.html"
	mkdir -p "$CLIENT_DIR/busybox" "$CLIENT_DIR/pause"
	make_oci_image_tar "$CLIENT_DIR/busybox" "$rootfs" "$IMAGE" \
		'.config = {"Cmd": ["sh"], "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}'
	make_oci_image_tar "$CLIENT_DIR/pause" "$rootfs" hako.test/pause:1 \
		'.config = {"Entrypoint": ["sleep", "2147483647"], "Env": ["PATH=/bin"]}'
	rm -rf "$rootfs"
}

# What containers of this client use on the host; the same before and
# after a test.
client_snapshot() {
	local pid
	for pid in $(pgrep -f "^(containerd-shim|/usr/bin/containerd-shim|conmon|/usr/bin/conmon)" || true); do
		grep -qF "$CLIENT_DIR" "/proc/$pid/cmdline" 2>/dev/null && echo "process $pid $(tr '\0' ' ' <"/proc/$pid/cmdline")"
	done
	ls "/sys/class/net/$CLIENT_BRIDGE/brif" 2>/dev/null | sed 's/^/veth /'
	find /sys/fs/cgroup -mindepth 2 -maxdepth 5 -path "*/$CLIENT_CGROUP/*" -type d 2>/dev/null | sed 's/^/cgroup /' | sort
	find "$CLIENT_DIR/ipam" -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null | sed 's/^/lease /'
	in_ns awk '$9 == "nsfs" || $9 == "overlay" || $9 == "tmpfs" || $9 == "shm" { print "mount " $5 }' /proc/self/mountinfo | sort
	firewall_state | grep -- '^-A' | grep -v -e CNI-HOSTPORT-MASQ -e CNI-HOSTPORT-SETMARK -e 'j CNI-HOSTPORT-DNAT' -e 'CNI portfwd' | sed 's/^/firewall /'
	return 0
}

client_setup() {
	CLIENT_BEFORE=$(client_snapshot)
}

# What is in the runtimes' --root directories ($CLIENT_RUNTIME_ROOTS, as
# the private namespace sees them): nothing once their containers are
# deleted, as runc leaves it (clients check that).
client_runtime_state() {
	local root
	for root in ${CLIENT_RUNTIME_ROOTS:-}; do
		in_ns find "$root" -mindepth 1 2>/dev/null | sed 's/^/runtime state /'
	done
	return 0
}

# client_teardown: after the file's own removal of its containers,
# nothing of them may be left.
client_teardown() {
	local now i
	# the daemons finish some of their clean-up just after answering
	for i in $(seq 40); do
		now=$(client_snapshot; client_runtime_state)
		[ "$now" = "$CLIENT_BEFORE" ] && return 0
		sleep 0.25
	done
	echo "the test left this behind:"
	diff <(echo "$CLIENT_BEFORE") <(echo "$now") || true
	return 1
}

# The cgroup parent: what was made in it must be gone, then it goes too.
client_remove_cgroups() {
	local dir
	for dir in $(find /sys/fs/cgroup -mindepth 2 -maxdepth 5 -path "*/$CLIENT_CGROUP*" -type d 2>/dev/null | sort -r); do
		rmdir "$dir" 2>/dev/null || echo "cgroup $dir could not be removed" >&2
	done
	return 0
}

# same_result NAME HAKO-OUTPUT RUNC-OUTPUT: hako's observable result is
# runc's.
same_result() {
	[ "$2" = "$3" ] && return 0
	echo "$1: hako-runtime and runc differ"
	diff <(echo "$3") <(echo "$2") | sed 's/^</runc:/; s/^>/hako:/'
	return 1
}

# host_caps_missing: the capabilities (numbers) this host's bounding set
# lacks, of those the kernel knows.
host_caps_missing() {
	local bnd last cap
	bnd=$((16#$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)))
	last=$(cat /proc/sys/kernel/cap_last_cap)
	for cap in $(seq 0 "$last"); do
		((bnd >> cap & 1)) || echo "$cap"
	done
}
