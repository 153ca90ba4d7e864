#!/usr/bin/env bats
# The engine on a pure cgroup v2 kernel: this host is a v1 hybrid, so a
# throw-away VM (../shared/tools/cgroup2-vm) runs hako there once — limits,
# exec, stop, the monitor, and `--runtime crun` (which refuses the hybrid
# layout here) — and each test reads its part of what the guest saw.  The
# guest has no CNI plugins: its containers run with --network none.

load engine-helpers

VM=${CGROUP2_VM:-$TOP/../shared/tools/cgroup2-vm}

setup_file() {
	export VM_LOG=$BATS_FILE_TMPDIR/vm.log
	[ -x "$VM" ] || return 0
	require_tools crun
	"$TOP/scripts/make-busybox-rootfs.sh" "$BATS_FILE_TMPDIR/bbroot" >/dev/null
	tar -C "$BATS_FILE_TMPDIR/bbroot" -cf "$BATS_FILE_TMPDIR/busybox.tar" .
	cat >"$BATS_FILE_TMPDIR/guest.sh" <<-'GUEST'
		#!/bin/sh
		hako="$1 --root /var/lib/hako --runroot /run/hako"
		check() { if [ "$2" = "$3" ]; then echo "PASS: $1"; else echo "FAIL: $1: expected '$2', got '$3'"; fi; }
		$hako import -c 'CMD ["sh"]' "$2" busybox >/dev/null && echo "PASS: import" || echo "FAIL: import"
		out=$($hako run --network none --rm -m 64m --pids-limit 20 --cpus 0.5 busybox sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max; grep CapEff /proc/self/status')
		echo "$out" | sed 's/^/  container: /'
		check "memory.max inside" 67108864 "$(echo "$out" | sed -n 1p)"
		check "pids.max inside" 20 "$(echo "$out" | sed -n 2p)"
		check "cpu.max inside" "50000 100000" "$(echo "$out" | sed -n 3p)"
		check "default capabilities" "CapEff:	00000000a80425fb" "$(echo "$out" | sed -n 4p)"
		id=$($hako run --network none -d --name bg -m 32m busybox sleep 1000)
		check "host side memory.max" 33554432 "$(cat /sys/fs/cgroup/hako/$id/memory.max)"
		check "exec" in-exec "$($hako exec bg echo in-exec)"
		explain=$($hako explain bg)
		echo "$explain" | sed -n '/^Cgroups/,/^$/p' | sed 's/^/  explain: /'
		check "explain: v2 layout" "Cgroups (v2)" "$(echo "$explain" | grep -o 'Cgroups (v2)')"
		check "explain: v2 hierarchy" "/sys/fs/cgroup/hako/$id" "$(echo "$explain" | awk '$1 == "v2" { print $3 }')"
		check "explain: memory.max" 33554432 "$(echo "$explain" | awk '$1 == "memory.max" { print $2 }')"
		check "explain: memory.current next to memory.max" yes "$(echo "$explain" | awk '$1 == "memory.max" { print ($3 > 0 ? "yes" : "no") }')"
		check "explain: OOM kills from memory.events" "0 memory.events" "$(echo "$explain" | sed -n 's|^  OOM kills: \([0-9]*\) (.*/\(memory.events\))$|\1 \2|p')"
		if $hako pause bg >/dev/null; then
			check "paused: cgroup.freeze" 1 "$(cat /sys/fs/cgroup/hako/$id/cgroup.freeze)"
		else
			echo "FAIL: pause"
		fi
		$hako unpause bg >/dev/null || echo "FAIL: unpause"
		$hako stop -t 1 bg >/dev/null
		check "stopped" exited "$($hako inspect -f '{{.State.Status}}' bg)"
		check "cgroup removed at stop" gone "$([ -d /sys/fs/cgroup/hako/$id ] && echo present || echo gone)"
		$hako rm bg >/dev/null
		$hako run --network none --rm -m 6m --pids-limit 1 busybox true && echo "PASS: 6 MiB and pids 1" || echo "FAIL: 6 MiB and pids 1"
		if command -v crun >/dev/null; then
			check "--runtime crun" via-crun "$($hako run --network none --rm --runtime crun -m 64m busybox sh -c 'echo via-crun')"
		fi
		check "no container left" 0 "$($hako ps -aq | wc -l)"
		check "no cgroup left" 0 "$(find /sys/fs/cgroup/hako -mindepth 1 -type d 2>/dev/null | wc -l)"
	GUEST
	chmod +x "$BATS_FILE_TMPDIR/guest.sh"
	"$VM" --timeout 240 --mem 1G --bin "$HAKO" --bin "$HAKO_BUILD/src/cli/hako-transfer" \
		--bin "$HAKO_BUILD/src/monitor/hako-monitor" \
		--bin "$HAKO_BUILD/src/init/hako-init" --bin crun --bin tar \
		--copy "$BATS_FILE_TMPDIR/busybox.tar" -- \
		"$BATS_FILE_TMPDIR/guest.sh" "$HAKO" "$BATS_FILE_TMPDIR/busybox.tar" >"$VM_LOG" 2>&1 || true
}

passed() {
	[ -x "$VM" ] || skip "no cgroup2-vm tool at $VM"
	grep -q "^PASS: $1" "$VM_LOG" || { cat "$VM_LOG"; false; }
}

@test "v2 VM engine: run with limits, seen inside through the cgroup namespace" {
	passed "import"
	passed "memory.max inside"
	passed "pids.max inside"
	passed "cpu.max inside"
	passed "default capabilities"
}

@test "v2 VM engine: a detached container, exec, pause, stop" {
	passed "host side memory.max"
	passed "exec"
	passed "paused: cgroup.freeze"
	passed "stopped"
	passed "cgroup removed at stop"
}

@test "v2 VM engine: explain's cgroup section reads the v2 hierarchy" {
	passed "explain: v2 layout"
	passed "explain: v2 hierarchy"
	passed "explain: memory.max"
	passed "explain: memory.current next to memory.max"
	passed "explain: OOM kills from memory.events"
}

@test "v2 VM engine: the smallest memory limit (6 MiB, as Docker) and a pids limit of 1" {
	passed "6 MiB and pids 1"
}

@test "v2 VM engine: --runtime crun works on a pure v2 kernel" {
	passed "--runtime crun"
}

@test "v2 VM engine: nothing left" {
	passed "no container left"
	passed "no cgroup left"
	! grep -q "^FAIL" "$VM_LOG" || { grep "^FAIL" "$VM_LOG"; false; }
}
