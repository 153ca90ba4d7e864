#!/usr/bin/env bats
# hako pause/unpause, rename, update: changing a container that exists.

bats_require_minimum_version 1.5.0
load engine-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

# cgroup_value NAME V1-CONTROLLER V1-FILE V2-FILE: the value the kernel has
# for the container's main process, found through /proc/PID/cgroup.
cgroup_value() {
	local pid path
	pid=$(hk inspect -f '{{.State.Pid}}' "$1")
	path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
	if [ -n "$path" ] && [ -f "/sys/fs/cgroup/$2$path/$3" ]; then
		cat "/sys/fs/cgroup/$2$path/$3"
	else
		path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
		cat "/sys/fs/cgroup$path/$4"
	fi
}

merged() {
	echo "$HAKO_ROOT/containers/$(hk inspect -f '{{.Id}}' "$1")/merged"
}

@test "pause freezes the container, unpause thaws it; ps and inspect say so" {
	hk run -d --name counter busybox sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.05; done' >/dev/null
	sleep 0.3
	run -0 hk pause counter
	[ "$output" = counter ]
	[ "$(hk inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' counter)" = "paused true true" ]
	[[ "$(hk ps --format '{{.Status}}')" == *"(Paused)" ]]
	local n1 n2
	n1=$(cat "$(merged counter)/tmp/n")
	sleep 0.4
	n2=$(cat "$(merged counter)/tmp/n")
	[ "$n1" = "$n2" ]
	run -0 hk unpause counter
	[ "$output" = counter ]
	[ "$(hk inspect -f '{{.State.Status}} {{.State.Paused}}' counter)" = "running false" ]
	sleep 0.4
	n2=$(cat "$(merged counter)/tmp/n")
	[ "$n2" -gt "$n1" ]
}

@test "pause and unpause refuse what is not running, paused or unpaused" {
	hk create --name idle busybox true >/dev/null
	run -125 hk pause idle
	[[ "$output" == *"container idle is not running"* ]]
	hk run -d --name sleeper busybox sleep 100 >/dev/null
	run -125 hk unpause sleeper
	[[ "$output" == *"container sleeper is not paused"* ]]
	hk pause sleeper
	run -125 hk pause sleeper
	[[ "$output" == *"already paused"* ]]
	run -125 hk pause nosuch
	[[ "$output" == *"no such container: nosuch"* ]]
	run -125 hk pause
	[[ "$output" == *"usage: hako pause"* ]]
}

@test "a paused container can be stopped and removed" {
	hk run -d --name frozen busybox sleep 100 >/dev/null
	hk pause frozen
	run -0 hk stop -t 1 frozen
	[ "$(hk inspect -f '{{.State.Status}}' frozen)" = exited ]
	hk run -d --name frozen2 busybox sleep 100 >/dev/null
	hk pause frozen2
	run -0 hk rm -f frozen2
	run -125 hk inspect frozen2
}

@test "rename: the new name finds the container, the old one does not" {
	hk run -d --name before busybox sleep 100 >/dev/null
	id=$(hk inspect -f '{{.Id}}' before)
	run -0 hk rename before after
	[ -z "$output" ]
	[ "$(hk inspect -f '{{.Id}} {{.Name}}' after)" = "$id /after" ]
	[ "$(hk ps --format '{{.Names}}')" = after ]
	run -125 hk inspect before
	[[ "$output" == *"no such container: before"* ]]
	# the running container is still managed under its new name
	run -0 hk stop -t 1 after
	[ "$(hk inspect -f '{{.State.Status}}' after)" = exited ]
}

@test "rename refuses a name in use, a bad name and the same name" {
	hk create --name one busybox true >/dev/null
	hk create --name two busybox true >/dev/null
	run -125 hk rename one two
	[[ "$output" == *'name "two" is already in use'* ]]
	[ "$(hk inspect -f '{{.Name}}' one)" = /one ]
	run -125 hk rename one 'bad/name'
	[[ "$output" == *'invalid container name "bad/name"'* ]]
	run -125 hk rename one one
	[[ "$output" == *"already named one"* ]]
	run -125 hk rename one
	[[ "$output" == *"usage: hako rename CONTAINER NEW_NAME"* ]]
}

@test "update changes a running container's cgroup limits, and a restart keeps them" {
	hk run -d --name limited -m 64m busybox sleep 1000 >/dev/null
	[ "$(cgroup_value limited memory memory.limit_in_bytes memory.max)" = $((64 << 20)) ]
	run -0 hk update --memory 96m --cpus 0.5 --pids-limit 40 --cpu-shares 512 limited
	[ "$output" = limited ]
	[ "$(cgroup_value limited memory memory.limit_in_bytes memory.max)" = $((96 << 20)) ]
	[ "$(cgroup_value limited pids pids.max pids.max)" = 40 ]
	[ "$(cgroup_value limited cpu cpu.cfs_quota_us cpu.max | awk '{print $1}')" = 50000 ]
	[ "$(hk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}}' limited)" = "$((96 << 20)) 500000000 40 512" ]
	hk restart -t 1 limited >/dev/null
	[ "$(cgroup_value limited memory memory.limit_in_bytes memory.max)" = $((96 << 20)) ]
	[ "$(cgroup_value limited pids pids.max pids.max)" = 40 ]
}

@test "update of a stopped container is applied when it starts" {
	hk create --name later busybox sleep 1000 >/dev/null
	run -0 hk update --pids-limit 33 later
	hk start later >/dev/null
	[ "$(cgroup_value later pids pids.max pids.max)" = 33 ]
}

@test "update --restart changes the policy, refused for an --rm container" {
	hk create --name policy busybox true >/dev/null
	run -0 hk update --restart on-failure:3 policy
	[ "$(hk inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' policy)" = on-failure:3 ]
	hk create --rm --name gone busybox true >/dev/null
	run -125 hk update --restart always gone
	[[ "$output" == *"--rm"* ]]
}

@test "update refuses bad values and leaves the container as it was" {
	hk run -d --name steady -m 64m busybox sleep 1000 >/dev/null
	run -125 hk update steady
	[[ "$output" == *"give at least one flag"* ]]
	run -125 hk update --memory 12q steady
	[[ "$output" == *"--memory"* ]]
	run -125 hk update --cpus -1 steady
	[[ "$output" == *"--cpus"* ]]
	run -125 hk update --memory-swap 32m steady
	[[ "$output" == *"memory+swap"* ]]
	run -125 hk update --memory 32m nosuch
	[[ "$output" == *"no such container: nosuch"* ]]
	[ "$(cgroup_value steady memory memory.limit_in_bytes memory.max)" = $((64 << 20)) ]
	[ "$(hk inspect -f '{{.HostConfig.Memory}}' steady)" = $((64 << 20)) ]
}

@test "pause, unpause, rename and update have --help" {
	for c in pause unpause rename update; do
		run -0 hk "$c" --help
		[[ "$output" == "usage: hako $c"* ]]
	done
}

@test "pause and update go through an external runtime's command line" {
	hk run -d --name ext --runtime "$HAKO_BUILD/src/cli/hako-runtime" -m 64m busybox sleep 1000 >/dev/null
	run -0 hk pause ext
	[ "$(hk inspect -f '{{.State.Status}}' ext)" = paused ]
	run -0 hk unpause ext
	[ "$(hk inspect -f '{{.State.Status}}' ext)" = running ]
	run -0 hk update --memory 80m --pids-limit 30 ext
	[ "$(cgroup_value ext memory memory.limit_in_bytes memory.max)" = $((80 << 20)) ]
	[ "$(cgroup_value ext pids pids.max pids.max)" = 30 ]
	# nothing on stderr from the runtime when a running container goes
	run -0 hk rm -f ext
	[ "$output" = ext ]
}
