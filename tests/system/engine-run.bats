#!/usr/bin/env bats
# hako run and create: the flags, Docker's defaults, the image's config.

bats_require_minimum_version 1.5.0
load engine-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "run --rm prints the output and leaves nothing" {
	run hk run --rm busybox echo hello from hako
	[ "$status" -eq 0 ]
	[ "$output" = "hello from hako" ]
	[ -z "$(hk ps -a -q)" ]
}

@test "run exits with the container's status, 128+N for a signal, 126/127 for a program that cannot run" {
	run hk run --rm busybox sh -c 'exit 42'
	[ "$status" -eq 42 ]
	# pid 1 of a pid namespace ignores signals it has no handler for, from
	# inside; SIGKILL from outside ends it.
	hk run --name killed busybox sleep 100 &
	pid=$!
	wait_for_state killed running
	hk kill killed
	rc=0
	wait $pid || rc=$?
	[ "$rc" -eq 137 ]
	hk rm killed
	run -127 hk run --rm busybox /no/such/program
	[ "$status" -eq 127 ]
	run hk run --rm busybox /etc/passwd
	[ "$status" -eq 126 ]
}

@test "the default capabilities are Docker's (CapEff 00000000a80425fb)" {
	run hk run --rm busybox grep CapEff /proc/self/status
	[ "$status" -eq 0 ]
	[ "$output" = "CapEff:	00000000a80425fb" ]
}

@test "--cap-drop ALL --cap-add NET_ADMIN leaves exactly NET_ADMIN; unknown names are refused" {
	run hk run --rm --cap-drop ALL --cap-add NET_ADMIN busybox grep CapEff /proc/self/status
	[ "$output" = "CapEff:	0000000000001000" ]
	run hk run --rm --cap-add NOT_A_CAP busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *NOT_A_CAP* ]]
}

@test "the default seccomp profile is on; unconfined turns it off; no-new-privileges" {
	run hk run --rm busybox grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status
	[[ "$output" == *"Seccomp:	2"* ]]
	[[ "$output" == *"NoNewPrivs:	0"* ]]
	# Docker's allow-list refuses unshare of a user namespace without CAP_SYS_ADMIN.
	run hk run --rm busybox unshare -U true
	[ "$status" -ne 0 ]
	run hk run --rm --security-opt seccomp=unconfined --security-opt no-new-privileges busybox grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status
	[[ "$output" == *"Seccomp:	0"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
}

@test "--security-opt seccomp=FILE uses that profile" {
	cat >"$BATS_TEST_TMPDIR/profile.json" <<-'JSON'
	{"defaultAction": "SCMP_ACT_ALLOW",
	 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
	JSON
	run hk run --rm --security-opt seccomp="$BATS_TEST_TMPDIR/profile.json" busybox mkdir /tmp/x
	[ "$status" -ne 0 ]
	[[ "$output" == *"not permitted"* ]]
}

@test "masked and read-only paths of /proc and /sys" {
	run hk run --rm busybox sh -c 'cat /proc/keys /proc/timer_list | wc -c; echo 1 > /proc/sys/kernel/domainname || echo ro; touch /sys/x || echo sysro'
	[ "${lines[0]}" = "0" ]
	[[ "$output" == *ro* ]]
	[[ "$output" == *sysro* ]]
}

@test "--privileged: every capability we have, the host's devices, writable /sys" {
	run hk run --rm --privileged busybox sh -c 'grep CapEff /proc/self/status; ls /dev | wc -l'
	want=$(grep CapPrm /proc/self/status | cut -f2)
	[ "${lines[0]}" = "CapEff:	$want" ]
	[ "${lines[1]}" -gt 20 ]
}

@test "/etc/hostname, /etc/hosts, /etc/resolv.conf are the container's; -h sets the name" {
	run hk run --rm -h box1 busybox sh -c 'hostname; cat /etc/hostname; grep box1 /etc/hosts; test -s /etc/resolv.conf && echo resolv'
	[ "${lines[0]}" = box1 ]
	[ "${lines[1]}" = box1 ]
	[[ "${lines[2]}" == *box1* ]]
	[ "${lines[3]}" = resolv ]
	id=$(hk create busybox true)
	run hk start -a "$id"
	run hk run --rm busybox hostname
	[ ${#output} -eq 12 ]
	hk rm "$id"
}

@test "-e, --env-file, -w, -u, --entrypoint, --label and the image's Env/Cmd/WorkingDir/User" {
	printf 'FROMFILE=yes\n# comment\n\nSPACED=a b\n' >"$BATS_TEST_TMPDIR/env"
	export PASSED=through
	run hk run --rm -e A=1 -e PASSED --env-file "$BATS_TEST_TMPDIR/env" -w /tmp -u 65534:65534 busybox sh -c 'echo $A $PASSED $FROMFILE "$SPACED"; pwd; id -u; id -g'
	[ "${lines[0]}" = "1 through yes a b" ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 65534 ]
	[ "${lines[3]}" = 65534 ]
	run hk run --rm --entrypoint echo busybox from entrypoint
	[ "$output" = "from entrypoint" ]
	run hk run --rm -u nobody busybox id -un
	[ "$output" = nobody ]
	# An image with its own config.
	hk import -c 'ENV GREETING=hi' -c 'WORKDIR /etc' -c 'USER nobody' -c 'ENTRYPOINT ["sh", "-c"]' -c 'CMD ["echo $GREETING; pwd; id -un"]' "$BUSYBOX_TAR" configured >/dev/null
	run hk run --rm configured
	[ "${lines[0]}" = hi ]
	[ "${lines[1]}" = /etc ]
	[ "${lines[2]}" = nobody ]
	id=$(hk create --label team=blue --label x=1 configured)
	[ "$(hk inspect -f '{{.Config.Labels.team}}' "$id")" = blue ]
	hk rm "$id"
	hk rmi configured >/dev/null
}

@test "--read-only root with --tmpfs; --mount type=tmpfs" {
	run hk run --rm --read-only busybox touch /x
	[ "$status" -ne 0 ]
	run hk run --rm --read-only --tmpfs /scratch:size=1m busybox sh -c 'touch /scratch/x && df -k /scratch | tail -1'
	[ "$status" -eq 0 ]
	[[ "$output" == *" 1024 "* ]]
	run hk run --rm --mount type=tmpfs,destination=/t,tmpfs-size=2m busybox sh -c 'df -k /t | tail -1'
	[[ "$output" == *" 2048 "* ]]
}

@test "resource flags reach the cgroup: -m, --memory-swap, --memory-reservation, --cpus, --cpu-shares, --cpuset-cpus, --pids-limit" {
	id=$(hk run -d -m 64m --memory-reservation 32m --cpus 0.5 --cpu-shares 512 --cpuset-cpus 0 --pids-limit 50 busybox sleep 100)
	mem=$(cgroup_dir_of memory)
	mem=${mem%/*/*}/$ENGINE_CGROUP/$id
	if [ -f "$mem/memory.limit_in_bytes" ]; then
		[ "$(cat "$mem/memory.limit_in_bytes")" = 67108864 ]
		[ "$(cat "$mem/memory.soft_limit_in_bytes")" = 33554432 ]
	else
		[ "$(cat "$mem/memory.max")" = 67108864 ]
	fi
	cpu=$(cgroup_dir_of cpu)
	cpu=${cpu%/*/*}/$ENGINE_CGROUP/$id
	if [ -f "$cpu/cpu.cfs_quota_us" ]; then
		[ "$(cat "$cpu/cpu.cfs_quota_us")" = 50000 ]
		[ "$(cat "$cpu/cpu.shares")" = 512 ]
	else
		[ "$(cat "$cpu/cpu.max")" = "50000 100000" ]
	fi
	pids=$(cgroup_dir_of pids)
	pids=${pids%/*/*}/$ENGINE_CGROUP/$id
	[ "$(cat "$pids/pids.max")" = 50 ]
	cpuset=$(cgroup_dir_of cpuset)
	cpuset=${cpuset%/*/*}/$ENGINE_CGROUP/$id
	[ "$(cat "$cpuset/cpuset.cpus"* | head -1)" = 0 ]
	hk rm -f "$id"
}

@test "a memory limit is enforced: the container is OOM-killed (137)" {
	run hk run --rm -m 8m --memory-swap 8m busybox sh -c 'x=$(head -c 64000000 /dev/zero | tr "\0" a); echo survived'
	[ "$status" -eq 137 ]
	[[ "$output" != *survived* ]]
}

@test "--ulimit and --sysctl" {
	run hk run --rm --ulimit nofile=100:200 --sysctl kernel.shm_rmid_forced=1 busybox sh -c 'ulimit -n; ulimit -Hn; cat /proc/sys/kernel/shm_rmid_forced'
	[ "${lines[0]}" = 100 ]
	[ "${lines[1]}" = 200 ]
	[ "${lines[2]}" = 1 ]
}

@test "--device adds a host device, also under another name" {
	run hk run --rm --device /dev/zero:/dev/myzero busybox sh -c 'head -c 4 /dev/myzero | od -An -tx1'
	[ "$status" -eq 0 ]
	[[ "$output" == *"00 00 00 00"* ]]
}

@test "--init: hako-init is pid 1, reaps zombies and forwards signals" {
	run hk run --rm --init busybox sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	[[ "$output" == "/dev/init -- sh"* ]]
	# An orphan that exits becomes a zombie unless pid 1 reaps it.
	run hk run --rm --init busybox sh -c '(sleep 0.1 &) ; sleep 0.5; ps -o stat,comm | grep -c "^Z" || true'
	[ "${lines[-1]}" = 0 ]
	id=$(hk run -d --init busybox sleep 100)
	hk kill -s TERM "$id"
	run hk wait "$id"
	[ "$output" = 143 ]
	hk rm "$id"
}

@test "--network none has only lo; --network host sees the host's interfaces" {
	run hk run --rm --network none busybox sh -c 'ls /sys/class/net'
	[ "$output" = lo ]
	run hk run --rm --network host busybox sh -c 'ls /sys/class/net | wc -l'
	[ "$output" -eq "$(ls /sys/class/net | wc -l)" ]
}

@test "names are unique; any unique ID prefix works" {
	id=$(hk create --name same busybox true)
	run hk create --name same busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *same*"already in use"* ]]
	[ "$(hk inspect -f '{{.Name}}' "${id:0:5}")" = /same ]
	hk rm "${id:0:8}"
}

@test "20 concurrent run -d: every container is recorded and running" {
	for i in $(seq 20); do
		hk run -d --name par$i busybox sleep 100 >"$BATS_TEST_TMPDIR/out$i" 2>&1 &
	done
	wait
	cat "$BATS_TEST_TMPDIR"/out* | grep -v '^[0-9a-f]\{64\}$' && false
	[ "$(hk ps -q | wc -l)" -eq 20 ]
	for i in $(seq 20); do
		[ "$(hk inspect -f '{{.State.Status}}' par$i)" = running ]
	done
	hk rm -f $(hk ps -q) >/dev/null
}
