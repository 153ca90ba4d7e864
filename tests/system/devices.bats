#!/usr/bin/env bats
# /dev: the default devices and links, linux.devices, the device cgroup.

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

@test "the default devices are the real ones, mode 0666" {
	run_in_container 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "/dev/null character special file 1:3 666
/dev/zero character special file 1:5 666
/dev/full character special file 1:7 666
/dev/random character special file 1:8 666
/dev/urandom character special file 1:9 666
/dev/tty character special file 5:0 666" ]
}

@test "the /dev links" {
	run_in_container 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done; ls -d /dev/pts /dev/shm'
	[ "$status" -eq 0 ]
	[ "$output" = "fd -> /proc/self/fd
stdin -> /proc/self/fd/0
stdout -> /proc/self/fd/1
stderr -> /proc/self/fd/2
ptmx -> pts/ptmx
/dev/pts
/dev/shm" ]
}

@test "linux.devices makes nodes with mode and owner, and they are usable" {
	config_set '.linux.devices = [{path: "/dev/myzero", type: "c", major: 1, minor: 5, fileMode: 420, uid: 1000, gid: 1001},
		{path: "/dev/sub/fifo", type: "p", fileMode: 420}]'
	run_in_container 'stat -c "%F %t:%T %a %u %g" /dev/myzero; head -c 4 /dev/myzero | wc -c; stat -c %F /dev/sub/fifo'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = $'character special file 1:5 644 1000 1001\n4\nfifo' ]
}

@test "linux.devices: a fileMode with the file type bits, as Podman sends it (the host node's st_mode)" {
	# 8630 = 020666, 4516 = 010644
	config_set '.linux.devices = [{path: "/dev/hkzero", type: "c", major: 1, minor: 5, fileMode: 8630},
		{path: "/dev/hkfifo", type: "p", fileMode: 4516}]'
	run_in_container 'stat -c "%F %t:%T %a" /dev/hkzero /dev/hkfifo'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = $'character special file 1:5 666\nfifo 0:0 644' ]
}

@test "the device cgroup denies a device that is not allowed" {
	config_set '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
	# mknod is allowed (c *:* m), reading the host's first disk is not
	run_in_container 'mknod /dev/mem2 c 1 1 && echo made; head -c1 /dev/mem2 >/dev/null 2>&1 || echo denied'
	echo "$output"
	[ "$output" = $'made\ndenied' ]
	# explicitly allowed, it opens
	config_set '.linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 7, access: "rw"}]'
	run_in_container 'mknod /dev/full2 c 1 7 && head -c1 /dev/full2 | wc -c'
	[ "$output" = 1 ]
}

@test "a device given read-only (docker --device X:r) cannot be written: linux.devices does not widen the device cgroup" {
	# what Docker and Podman send for --device /dev/loop-control:/dev/hkloop:r
	config_set '.linux.devices = [{path: "/dev/hkloop", type: "c", major: 10, minor: 237, fileMode: 384}]
		| .linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 10, minor: 237, access: "r"}]'
	run_in_container '(exec 3</dev/hkloop) && echo read-open; (exec 3>/dev/hkloop) 2>/dev/null && echo write-open || echo write-denied'
	echo "$output"
	[ "$output" = $'read-open\nwrite-denied' ]
}
