#!/usr/bin/env bats
# linux.resources on this host's cgroups (v1, v2 or hybrid, detected at run
# time), checked in the cgroup files from outside and from inside.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { setup_file_common; }
teardown_file() { teardown_file_common; }
setup() { make_bundle sleep 100; }
teardown() { common_teardown; }

# cg_file CONTROLLER V1-FILE V2-FILE: the value the kernel holds.
cg_file() {
	local dir
	dir=$(cgroup_dir_of "$1")
	if [ -e "$dir/$2" ]; then cat "$dir/$2"; else cat "$dir/$3"; fi
}

@test "memory, cpu, cpuset and pids limits reach the cgroup files" {
	config_set '.linux.resources += {memory: {limit: 67108864, reservation: 33554432, swap: 134217728},
		cpu: {shares: 512, quota: 50000, period: 100000, cpus: "0", mems: "0"}, pids: {limit: 32}}'
	rt create --bundle "$BUNDLE" "$CID"
	[ "$(cg_file memory memory.limit_in_bytes memory.max)" = 67108864 ]
	[ "$(cg_file memory memory.soft_limit_in_bytes memory.low)" = 33554432 ]
	sw=$(cg_file memory memory.memsw.limit_in_bytes memory.swap.max)
	[ "$sw" = 134217728 ] || [ "$sw" = 67108864 ]
	[ "$(cg_file pids pids.max pids.max)" = 32 ]
	[ "$(cg_file cpuset cpuset.cpus cpuset.cpus)" = 0 ]
	dir=$(cgroup_dir_of cpu)
	if [ -e "$dir/cpu.shares" ]; then
		[ "$(cat "$dir/cpu.shares")" = 512 ]
		[ "$(cat "$dir/cpu.cfs_quota_us")" = 50000 ]
		[ "$(cat "$dir/cpu.cfs_period_us")" = 100000 ]
	else
		[ "$(cat "$dir/cpu.weight")" = 20 ]
		[ "$(cat "$dir/cpu.max")" = "50000 100000" ]
	fi
	# the container process is in every hierarchy's cgroup
	pid=$(rt state "$CID" | jq -r .pid)
	for d in $(container_cgroups); do grep -qx "$pid" "$d/cgroup.procs"; done
}

@test "the container runs in 512 KiB of memory and with a pids limit of 1" {
	config_set '.process.args = ["true"] | .linux.resources += {memory: {limit: 524288}, pids: {limit: 1}}'
	run rt run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "the memory limit is enforced (the OOM killer ends the process)" {
	config_set '.process.args = ["sh", "-c", "x=a; while :; do x=$x$x; done"] | .linux.resources += {memory: {limit: 16777216, swap: 16777216}}'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 137 ]
}

@test "the pids limit is enforced" {
	config_set '.process.args = ["sh", "-c", "for i in 1 2 3 4 5 6; do sleep 5 & done 2>&1; wait"] | .linux.resources += {pids: {limit: 4}}'
	run rt run --bundle "$BUNDLE" "$CID"
	[[ "$output" == *"an't fork"* ]] || [[ "$output" == *"Resource temporarily unavailable"* ]]
}

@test "cgroupsPath relative to the runtime's own cgroup" {
	config_set '.linux.cgroupsPath = $p' --arg p "$TEST_CGROUP/$CID"
	rt create --bundle "$BUNDLE" "$CID"
	pid=$(rt state "$CID" | jq -r .pid)
	own=$(awk -F: '$2 == "pids" {print $3}' /proc/self/cgroup)
	[ "$(awk -F: '$2 == "pids" {print $3}' /proc/$pid/cgroup)" = "${own%/}/$TEST_CGROUP/$CID" ]
	rt delete --force "$CID"
	mp=$(awk '$3 == "cgroup" && $4 ~ /pids/ {print $2}' /proc/self/mounts)
	[ ! -d "$mp${own%/}/$TEST_CGROUP/$CID" ]
	rmdir "$mp${own%/}/$TEST_CGROUP" 2>/dev/null || true
}

@test "delete removes the cgroup even when processes were left behind" {
	config_set '.process.args = ["sh", "-c", "sleep 100 & sleep 100 & exec sleep 100"] | .linux.namespaces |= map(select(.type != "pid"))'
	rt create --bundle "$BUNDLE" "$CID"
	rt start "$CID"
	for i in $(seq 50); do [ "$(wc -l <"$(cgroup_dir_of pids)/cgroup.procs")" -ge 3 ] && break; sleep 0.05; done
	pids=$(cat "$(cgroup_dir_of pids)/cgroup.procs")
	# the main process dies, its children stay
	kill -9 "$(rt state "$CID" | jq -r .pid)"
	wait_for_status "$CID" stopped
	rt delete "$CID"
	[ -z "$(container_cgroups)" ]
	for p in $pids; do ! kill -0 "$p" 2>/dev/null || [ "$(awk '{print $3}' /proc/$p/stat)" = Z ]; done
}

@test "a limit the kernel rejects names the field and leaves nothing" {
	before=$(host_snapshot)
	config_set '.linux.resources.cpu = {cpus: "64-127"}'
	run rt create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.cpu.cpus: \`64-127\`"* ]]
	host_unchanged "$before"
}
