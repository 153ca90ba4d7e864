# Shared by the pod and kube bats files: on top of the network helpers
# (a private store, the tests' own bridges and subnets, the leak checks of
# containers, mounts, cgroups, monitors, veths, rules, leases and
# namespaces), pods removed at the end of each test, and the check that
# no pod record and no hako-pause process of this store is left.
# shellcheck shell=bash

load network-helpers

# hako run/create without the helpers' --cgroup-parent: a pod's
# containers are in the pod's cgroup (pod create gets $ENGINE_CGROUP).
hkr() {
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" "$@"
}

# pod_create NAME [ARGS...]: a pod under the tests' cgroup parent.
pod_create() {
	local name=$1
	shift
	hk pod create --name "$name" --cgroup-parent "$ENGINE_CGROUP" "$@"
}

# The infra processes (hako-pause, bound in as /pause) of this file's
# pods: those in a cgroup below $ENGINE_CGROUP.
pause_processes() {
	local pid
	for pid in $(pgrep -x pause); do
		grep -qF "/$ENGINE_CGROUP/" "/proc/$pid/cgroup" 2>/dev/null && echo "$pid"
	done | sort
	return 0
}

pod_setup() {
	network_setup
	PODS_BEFORE=$(hk pod ls -q --no-trunc | sort)
	PAUSE_BEFORE=$(pause_processes)
}

pod_teardown() {
	local status=0 p
	for p in $(hk pod ls -q --no-trunc 2>/dev/null); do
		grep -qxF "$p" <<<"$PODS_BEFORE" || hk pod rm -f "$p" >/dev/null 2>&1 || true
	done
	network_teardown || status=1
	if [ "$(hk pod ls -q --no-trunc | sort)" != "$PODS_BEFORE" ]; then
		echo "the test left pods behind: $(hk pod ls)"
		status=1
	fi
	if [ "$(pause_processes)" != "$PAUSE_BEFORE" ]; then
		echo "the test left infra processes behind: $(pause_processes)"
		status=1
	fi
	return $status
}

# pod_status NAME: Created, Running, Paused, Exited or Degraded.
pod_status() {
	hk pod inspect -f '{{.State}}' "$1"
}
