#!/usr/bin/env bats
# ps, update and events of a running container.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { setup_file_common; }
teardown_file() { teardown_file_common; }
setup() { make_bundle sh -c 'sleep 100 & exec sleep 100'; }
teardown() { common_teardown; }

@test "ps lists the container's processes, as JSON and as a table" {
	rt run --detach --bundle "$BUNDLE" "$CID"
	pid=$(rt state "$CID" | jq -r .pid)
	for i in $(seq 50); do [ "$(rt ps --format json "$CID" | jq length)" -ge 2 ] && break; sleep 0.05; done
	run rt ps --format json "$CID"
	[ "$(echo "$output" | jq length)" -eq 2 ]
	echo "$output" | jq -e --argjson p "$pid" 'index($p) != null'
	run rt ps "$CID"
	[[ "$(echo "$output" | head -1)" == UID*PID* ]]
	[ "$(echo "$output" | tail -n +2 | wc -l)" -eq 2 ]
	[[ "$output" == *"sleep 100"* ]]
	run rt ps "$CID" -- -o pid,comm
	[ "$(echo "$output" | head -1 | xargs)" = "PID COMMAND" ]
}

@test "update changes limits with runc's flags" {
	rt run --detach --bundle "$BUNDLE" "$CID"
	rt update --memory 100m --memory-swap 200m --pids-limit 50 --cpu-shares 256 --cpu-quota 20000 --cpu-period 100000 --cpuset-cpus 0 "$CID"
	mem=$(cgroup_dir_of memory)
	if [ -e "$mem/memory.limit_in_bytes" ]; then
		[ "$(cat "$mem/memory.limit_in_bytes")" = 104857600 ]
		[ "$(cat "$mem/memory.memsw.limit_in_bytes")" = 209715200 ]
		[ "$(cat "$(cgroup_dir_of cpu)/cpu.shares")" = 256 ]
		[ "$(cat "$(cgroup_dir_of cpu)/cpu.cfs_quota_us")" = 20000 ]
	else
		[ "$(cat "$mem/memory.max")" = 104857600 ]
	fi
	[ "$(cat "$(cgroup_dir_of pids)/pids.max")" = 50 ]
	[ "$(cat "$(cgroup_dir_of cpuset)/cpuset.cpus")" = 0 ]
	# lowering below the current memory+swap works too (order of writes)
	rt update --memory 50m --memory-swap 60m "$CID"
	[ "$(cat "$mem/memory.limit_in_bytes" 2>/dev/null || cat "$mem/memory.max")" = 52428800 ]
}

@test "update --resources from a file and from stdin" {
	rt run --detach --bundle "$BUNDLE" "$CID"
	echo '{"pids": {"limit": 21}}' >"$BATS_TEST_TMPDIR/res.json"
	rt update --resources "$BATS_TEST_TMPDIR/res.json" "$CID"
	[ "$(cat "$(cgroup_dir_of pids)/pids.max")" = 21 ]
	echo '{"pids": {"limit": 22}}' | rt update --resources - "$CID"
	[ "$(cat "$(cgroup_dir_of pids)/pids.max")" = 22 ]
	run rt update --resources - "$CID" <<<'{"pids": {"limit": "lots"}}'
	[ "$status" -ne 0 ]
	[[ "$output" == *"resources.pids.limit: expected an integer"* ]]
	[ "$(cat "$(cgroup_dir_of pids)/pids.max")" = 22 ]
}

@test "update refuses bad values and stopped containers" {
	rt run --detach --bundle "$BUNDLE" "$CID"
	run rt update --memory 12q "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"12q"* ]]
	run rt update --cpuset-cpus 900-999 "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cpu.cpus: \`900-999\`"* ]]
	rt kill "$CID" KILL
	wait_for_status "$CID" stopped
	run rt update --pids-limit 5 "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"is stopped"* ]]
}

@test "events --stats prints one statistics document" {
	config_set '.linux.resources.memory = {limit: 67108864}'
	rt run --detach --bundle "$BUNDLE" "$CID"
	run rt events --stats "$CID"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$CID" '.type == "stats" and .id == $id'
	echo "$output" | jq -e '.data.memory.usage.usage > 0 and .data.memory.usage.limit == 67108864'
	echo "$output" | jq -e '.data.pids.current >= 2'
	echo "$output" | jq -e '.data.cpu.usage.total > 0'
}

@test "events streams statistics at the interval and reports OOM kills" {
	make_bundle sh -c 'sleep 1; x=a; while :; do x=$x$x; done'
	config_set '.linux.resources.memory = {limit: 16777216, swap: 16777216} | .linux.namespaces |= map(select(.type != "pid"))'
	rt run --detach --bundle "$BUNDLE" "$CID"
	run timeout 20 "$RUNTIME" --root "$STATE_ROOT" events --interval 300ms "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r 'select(.type == "stats") | .id' | wc -l)" -ge 2 ]
	[ "$(echo "$output" | jq -r 'select(.type == "oom") | .id')" = "$CID" ]
}
