#!/usr/bin/env bats
# cgroup v2 on a real kernel: this host is a v1 hybrid, so a throw-away VM
# with a pure cgroup v2 hierarchy (../shared/tools/cgroup2-vm) runs
# hako-runtime once, and each test reads its part of what the guest saw.

load helpers
bats_require_minimum_version 1.5.0

VM=${CGROUP2_VM:-$TOP/../shared/tools/cgroup2-vm}

setup_file() {
	setup_file_common
	export VM_LOG=$BATS_FILE_TMPDIR/vm.log
	[ -x "$VM" ] || return 0
	bundle=$BATS_FILE_TMPDIR/vmbundle
	mkdir -p "$bundle"
	cp -a "$SHARED_ROOTFS" "$bundle/rootfs"
	jq '.process.args = ["sh", "-c", "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; head -c1 /dev/mem >/dev/null 2>&1 && echo mem-open || echo mem-denied; head -c1 /dev/zero | wc -c"]
		| .root.path = "rootfs" | .root.readonly = false
		| .linux.cgroupsPath = "/hakovm/c1"
		| .linux.resources = {memory: {limit: 67108864, swap: 134217728}, pids: {limit: 32},
			cpu: {shares: 1024, quota: 50000, period: 100000},
			devices: [{allow: false, access: "rwm"}]}' \
		"$BATS_FILE_TMPDIR/config.json" >"$bundle/config.json"
	# More bundles over the same root: long device rule lists (the eBPF
	# program's verifier log overflowed 4 KiB: ENOSPC on kernel 6.1) and
	# Docker's blockIO weight 0.
	rules=$(jq -n '[range(250) | {allow: (. % 2 == 0), type: "c", major: 10, minor: ., access: "rw"}]')
	jq --arg root "$bundle/rootfs" --argjson rules "$rules" '.process.args = ["true"] | .root = {path: $root, readonly: true}
		| .linux.cgroupsPath = "/hakovm/c4" | .linux.resources = {devices: $rules}' \
		"$BATS_FILE_TMPDIR/config.json" >"$bundle/config-rules.json"
	devices=$(jq -n '[range(200) | {path: "/dev/hk\(.)", type: "c", major: 1, minor: 3}]')
	jq --arg root "$bundle/rootfs" --argjson devs "$devices" '.process.args = ["sh", "-c", "echo x >/dev/hk199 && echo hk199-writable"]
		| .root = {path: $root, readonly: false} | .linux.cgroupsPath = "/hakovm/c5"
		| .linux.devices = $devs | .linux.resources = {devices: [{allow: true, access: "rwm"}]}' \
		"$BATS_FILE_TMPDIR/config.json" >"$bundle/config-devices.json"
	jq --arg root "$bundle/rootfs" '.process.args = ["true"] | .root = {path: $root, readonly: true}
		| .linux.cgroupsPath = "/hakovm/c6" | .linux.resources = {blockIO: {weight: 0, leafWeight: 0}}' \
		"$BATS_FILE_TMPDIR/config.json" >"$bundle/config-weight0.json"
	# The sanitizer's runtime alone needs about 6 MB: the runtime's setup
	# process, charged to the container's cgroup, cannot live in 512 KiB.
	if [ "$(meson introspect "$HAKO_BUILD" --buildoptions | jq -r '.[] | select(.name == "b_sanitize") | .value')" != none ]; then
		echo "SKIP: 512 KiB: a sanitizer build's setup process needs about 6 MB" >"$bundle/skip-512k"
	fi
	cat >"$BATS_FILE_TMPDIR/guest.sh" <<-'GUEST'
		#!/bin/sh
		rt=$1 b=$2
		cg=/sys/fs/cgroup/hakovm/c1
		check() { if [ "$2" = "$3" ]; then echo "PASS: $1"; else echo "FAIL: $1: expected '$2', got '$3'"; fi; }
		$rt --root /run/rt create --bundle $b c1 && echo "PASS: create" || echo "FAIL: create"
		check "memory.max" 67108864 "$(cat $cg/memory.max)"
		check "memory.swap.max" 67108864 "$(cat $cg/memory.swap.max)"
		check "pids.max" 32 "$(cat $cg/pids.max)"
		check "cpu.max" "50000 100000" "$(cat $cg/cpu.max)"
		check "cpu.weight" 39 "$(cat $cg/cpu.weight)"
		check "state created" 1 "$($rt --root /run/rt state c1 | grep -c '"status": "created"')"
		$rt --root /run/rt pause c1
		check "paused: cgroup.freeze" 1 "$(cat $cg/cgroup.freeze)"
		check "state paused" 1 "$($rt --root /run/rt state c1 | grep -c '"status": "paused"')"
		$rt --root /run/rt resume c1
		check "resumed: created again" 1 "$($rt --root /run/rt state c1 | grep -c '"status": "created"')"
		$rt --root /run/rt start c1
		i=0; while [ $i -lt 100 ] && ! $rt --root /run/rt state c1 | grep -q stopped; do sleep 0.05; i=$((i+1)); done
		$rt --root /run/rt delete c1
		check "delete removes the cgroup" gone "$([ -d $cg ] && echo present || echo gone)"
		sed -i 's|/hakovm/c1|/hakovm/c2|' $b/config.json
		out=$(timeout 30 $rt --root /run/rt run --bundle $b c2)
		echo "$out" | sed 's/^/  container: /'
		check "inside: memory.max" 67108864 "$(echo "$out" | sed -n 1p)"
		check "inside: pids.max" 32 "$(echo "$out" | sed -n 2p)"
		check "device filter denies /dev/mem" mem-denied "$(echo "$out" | sed -n 3p)"
		check "device filter allows /dev/zero" 1 "$(echo "$out" | sed -n 4p)"
		sed -i 's/"limit": 67108864/"limit": 524288/; s/"swap": 134217728/"swap": 524288/; s/"limit": 32/"limit": 1/' $b/config.json
		sed -i 's|"sh",|"true", "x",|; s|/hakovm/c2|/hakovm/c3|' $b/config.json
		if [ -f $b/skip-512k ]; then cat $b/skip-512k
		else timeout 30 $rt --root /run/rt run --bundle $b c3 && echo "PASS: 512 KiB and pids 1" || echo "FAIL: 512 KiB and pids 1"
		fi
		for k in rules devices weight0; do mkdir -p /tmp/$k && cp $b/config-$k.json /tmp/$k/config.json; done
		timeout 30 $rt --root /run/rt run --bundle /tmp/rules c4 && echo "PASS: 250 device rules load" || echo "FAIL: 250 device rules load"
		out=$(timeout 30 $rt --root /run/rt run --bundle /tmp/devices c5 2>&1)
		check "allow-all and 200 devices" hk199-writable "$out"
		timeout 30 $rt --root /run/rt run --bundle /tmp/weight0 c6 && echo "PASS: blockIO weight 0" || echo "FAIL: blockIO weight 0"
		check "no cgroup left" 0 "$(find /sys/fs/cgroup/hakovm -mindepth 1 -type d | wc -l)"
	GUEST
	chmod +x "$BATS_FILE_TMPDIR/guest.sh"
	"$VM" --timeout 120 --cpus 1 --bin "$RUNTIME" --copy "$bundle" -- "$BATS_FILE_TMPDIR/guest.sh" "$RUNTIME" "$bundle" >"$VM_LOG" 2>&1 || true
}
teardown_file() { teardown_file_common; }

passed() {
	[ -x "$VM" ] || skip "no cgroup2-vm tool at $VM"
	grep -q "^PASS: $1" "$VM_LOG" || { cat "$VM_LOG"; false; }
}

@test "v2 VM: create writes memory, swap, pids and cpu limits" {
	passed "create"
	passed "memory.max"
	passed "memory.swap.max"
	passed "pids.max"
	passed "cpu.max"
	passed "cpu.weight"
}

@test "v2 VM: pause and resume through cgroup.freeze" {
	passed "state created"
	passed "paused: cgroup.freeze"
	passed "state paused"
	passed "resumed: created again"
}

@test "v2 VM: the container sees its limits through its cgroup namespace" {
	passed "inside: memory.max"
	passed "inside: pids.max"
}

@test "v2 VM: the eBPF device filter allows and denies" {
	passed "device filter denies /dev/mem"
	passed "device filter allows /dev/zero"
}

@test "v2 VM: 512 KiB of memory and a pids limit of 1" {
	[ ! -f "$BATS_FILE_TMPDIR/vmbundle/skip-512k" ] || skip "$(cut -d' ' -f2- "$BATS_FILE_TMPDIR/vmbundle/skip-512k")"
	passed "512 KiB and pids 1"
}

@test "v2 VM: long device rule lists load (the verifier's log is not asked for)" {
	passed "250 device rules load"
	passed "allow-all and 200 devices"
}

@test "v2 VM: blockIO weight 0 is 'not set'" {
	passed "blockIO weight 0"
}

@test "v2 VM: delete removes the cgroups" {
	passed "delete removes the cgroup"
	passed "no cgroup left"
	! grep -q "^FAIL" "$VM_LOG" || { grep "^FAIL" "$VM_LOG"; false; }
}
