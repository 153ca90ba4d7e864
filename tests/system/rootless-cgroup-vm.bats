#!/usr/bin/env bats
# Rootless cgroup limits where they can work: a pure cgroup v2 kernel (the
# VM of ../shared/tools/cgroup2-vm; this host is a v1 hybrid, where
# rootless.bats tests the one-line warning) with a subtree delegated to a
# normal user.  One VM runs rootless-cgroup-vm-guest.sh; each test reads
# its part of what the guest saw.

load engine-helpers

VM=${CGROUP2_VM:-$TOP/../shared/tools/cgroup2-vm}

setup_file() {
	export VM_LOG=$BATS_FILE_TMPDIR/vm.log
	[ -x "$VM" ] || return 0
	require_tools setpriv newuidmap newgidmap tar
	"$TOP/scripts/make-busybox-rootfs.sh" "$BATS_FILE_TMPDIR/bbroot" >/dev/null
	tar -C "$BATS_FILE_TMPDIR/bbroot" -cf "$BATS_FILE_TMPDIR/busybox.tar" .
	"$VM" --timeout 240 --mem 1G \
		--bin "$HAKO" --bin "$HAKO_BUILD/src/cli/hako-transfer" \
		--bin "$HAKO_BUILD/src/monitor/hako-monitor" --bin "$HAKO_BUILD/src/init/hako-init" \
		--bin tar --bin setpriv --bin newuidmap --bin newgidmap \
		--copy "$BATS_FILE_TMPDIR/busybox.tar" -- \
		"$TOP/tests/system/rootless-cgroup-vm-guest.sh" "$HAKO" "$BATS_FILE_TMPDIR/busybox.tar" \
		"$(command -v setpriv)" >"$VM_LOG" 2>&1 || true
}

passed() {
	[ -x "$VM" ] || skip "no cgroup2-vm tool at $VM"
	grep -q "^PASS: $1\$" "$VM_LOG" || { cat "$VM_LOG"; false; }
}

@test "v2 VM rootless: the guest ran to the end without a failure" {
	[ -x "$VM" ] || skip "no cgroup2-vm tool at $VM"
	grep -q '^DONE$' "$VM_LOG" || { cat "$VM_LOG"; false; }
	! grep '^FAIL' "$VM_LOG" || { cat "$VM_LOG"; false; }
}

@test "v2 VM rootless: --memory, --pids-limit, --cpus applied in the delegated subtree and seen inside" {
	passed "import"
	passed "memory.max inside"
	passed "pids.max inside"
	passed "cpu.max inside"
}

@test "v2 VM rootless: the container's cgroup is DELEGATED/hako/ID, the user's, its process in it, the pids limit enforced, removed with it" {
	passed "the container's cgroup in the delegated subtree"
	passed "owned by the user"
	passed "its process in it"
	passed "pids limit enforced"
	passed "cgroup removed with the container"
	passed "no container left"
}

@test "v2 VM rootless: run from a cgroup the user does not own, limits are ignored with one warning line" {
	passed "not delegated: the container runs"
	passed "not delegated: one warning line"
	passed "not delegated: the warning says limits are ignored"
}
