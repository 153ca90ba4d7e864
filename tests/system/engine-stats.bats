#!/usr/bin/env bats
# hako top and stats: a container's processes and resource usage.

bats_require_minimum_version 1.5.0
load engine-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "top lists the container's processes with ps -ef's columns" {
	hk run -d --name topped busybox sh -c 'sleep 1000 & sleep 1001' >/dev/null
	pid=$(hk inspect -f '{{.State.Pid}}' topped)
	sleep 0.2
	run -0 hk top topped
	[[ "${lines[0]}" =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]]
	[ "${#lines[@]}" -eq 3 ]
	[[ "$output" == *"sleep 1000"* ]]
	[[ "$output" == *"sleep 1001"* ]]
	# the host's other processes are not shown
	[[ "$output" != *"hako-monitor"* ]]
	[ "$(echo "${lines[1]}" "${lines[2]}" | grep -c " $pid ")" -ge 1 ]
}

@test "top passes its options to ps" {
	hk run -d --name topped busybox sleep 1000 >/dev/null
	pid=$(hk inspect -f '{{.State.Pid}}' topped)
	run -0 hk top topped -o pid,comm
	[[ "${lines[0]}" =~ ^\ *PID\ +COMMAND$ ]]
	[[ "${lines[1]}" =~ ^\ *$pid\ +sleep$ ]]
	[ "${#lines[@]}" -eq 2 ]
	run -125 hk top topped -o comm
	[[ "$output" == *"no PID column"* ]]
	run -125 hk top topped --no-such-ps-option
	[[ "$output" == *"ps failed"* ]]
}

@test "top refuses a container that is not running" {
	hk create --name idle busybox true >/dev/null
	run -125 hk top idle
	[[ "$output" == *"container idle is not running"* ]]
	run -125 hk top nosuch
	[[ "$output" == *"no such container: nosuch"* ]]
	run -125 hk top
	[[ "$output" == *"usage: hako top CONTAINER"* ]]
}

@test "stats --no-stream: one table with Docker's columns" {
	hk run -d --name busy busybox sh -c 'while :; do :; done' >/dev/null
	hk run -d --name quiet -m 100m busybox sleep 1000 >/dev/null
	run -0 hk stats --no-stream
	[[ "${lines[0]}" =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]]
	[ "${#lines[@]}" -eq 3 ]
	run -0 hk stats --no-stream --format '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}' busy quiet
	busy_cpu=$(echo "${lines[0]}" | awk '{ sub("%", "", $2); print int($2) }')
	[ "$busy_cpu" -ge 10 ]
	[[ "${lines[1]}" =~ ^quiet\ 0\.[0-9][0-9]%\ [0-9.]+[KM]iB\ /\ 100MiB\ 1$ ]]
}

@test "stats --format json: one object per container, Docker's fields" {
	hk run -d --name mem -m 100m busybox sh -c 'head -c 30000000 /dev/zero >/dev/shm/fill; sleep 1000' >/dev/null
	sleep 0.5
	run -0 hk stats --no-stream --format json mem
	[ "${#lines[@]}" -eq 1 ]
	echo "$output" | jq -e '.Name == "mem" and .Container == "mem" and (.ID | length) == 12'
	echo "$output" | jq -e '.CPUPerc | test("^[0-9]+\\.[0-9][0-9]%$")'
	echo "$output" | jq -e '.BlockIO | test("^[0-9.]+[kMG]?B / [0-9.]+[kMG]?B$")'
	echo "$output" | jq -e '.NetIO and .PIDs == "1"'
	# the 30 MB the container wrote to its tmpfs count, against its limit
	echo "$output" | jq -e '.MemUsage | test("^(2[89]|3[0-9])\\.?[0-9]*MiB / 100MiB$")'
	echo "$output" | jq -e '.MemPerc | test("^(2[89]|3[0-9])\\.[0-9][0-9]%$")'
}

@test "stats table format picks columns and titles them" {
	hk run -d --name picked busybox sleep 1000 >/dev/null
	run -0 hk stats --no-stream --format 'table {{.Name}}\t{{.PIDs}}'
	[[ "${lines[0]}" =~ ^NAME\ +PIDS$ ]]
	[[ "${lines[1]}" =~ ^picked\ +1$ ]]
}

@test "stats -a shows stopped containers with zeros" {
	hk run -d --name up busybox sleep 1000 >/dev/null
	hk create --name down busybox true >/dev/null
	run -0 hk stats --no-stream --format '{{.Name}}'
	[ "$output" = up ]
	run -0 hk stats --no-stream -a --format '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}'
	[[ "$output" == *"down 0.00% 0B / 0B 0"* ]]
	[[ "$output" == *"up "* ]]
}

@test "stats streams: one frame a second, redrawn in place on a terminal" {
	hk run -d --name live busybox sleep 1000 >/dev/null
	run timeout 2.8 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" stats --format '{{.Name}}' live
	[ "$status" -eq 124 ]
	[ "${#lines[@]}" -ge 2 ]
	[ "${lines[0]}" = live ]
	run script -qec "timeout 1.5 $HAKO --root $HAKO_ROOT --runroot $HAKO_RUNROOT stats live" /dev/null
	[[ "$output" == *$'\e[2J\e[H'CONTAINER\ ID* ]]
}

@test "stats and top errors" {
	run -125 hk stats --no-stream nosuch
	[[ "$output" == *"no such container: nosuch"* ]]
	run -125 hk stats --bogus
	[ "$output" = "Error: unknown option --bogus for hako stats (see hako stats --help)" ]
	run -125 hk stats --no-stream --format '{{.Name'
	[[ "$output" == *"unclosed"* ]]
	run -0 hk stats --help
	[[ "$output" == "usage: hako stats"* ]]
	run -0 hk top --help
	[[ "$output" == "usage: hako top"* ]]
}

@test "top, stats and cp of a container under an external runtime" {
	hk run -d --name ext --runtime "$HAKO_BUILD/src/cli/hako-runtime" -m 64m busybox sh -c 'echo data >/tmp/d; sleep 1000' >/dev/null
	pid=$(hk inspect -f '{{.State.Pid}}' ext)
	run -0 hk top ext -o pid,comm
	[[ "${lines[1]}" =~ ^\ *$pid\ +sleep$ ]]
	run -0 hk stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' ext
	[[ "$output" =~ ^ext\ [0-9.]+[KM]iB\ /\ 64MiB\ 1$ ]]
	[ "$(hk cp ext:/tmp/d - | tar -xOf -)" = data ]
}
