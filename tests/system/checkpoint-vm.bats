#!/usr/bin/env bats
# hako-runtime checkpoint and restore through criu, end to end.  Debian's
# criu 3.17 fails `criu check` on this host's kernel (checkpoint.bats tests
# the clear error there); it works on the Debian 6.1 kernel that
# ../shared/tools/cgroup2-vm boots, given what criu runs and loads: GNU tar
# (the runtime's tmpfs mounts), ip (the network namespace's addresses and
# routes), iptables-nft with its mark and tcp extensions (the network lock),
# the socket diag, conntrack-netlink and xt_mark modules.  One VM runs
# checkpoint-vm-guest.sh; each test reads its part of what the guest saw.

load helpers
load oci-image

VM=${CGROUP2_VM:-$TOP/../shared/tools/cgroup2-vm}

setup_file() {
	export VM_LOG=$BATS_FILE_TMPDIR/vm.log
	[ -z "$(vm_skip_reason)" ] || return 0
	require_tools criu jq ip iptables ip6tables iptables-restore ip6tables-restore xtables-nft-multi nft tar \
		containerd containerd-shim-runc-v2 ctr
	local recvtty=$HAKO_BUILD/tests/helpers/hako-test-recvtty guest=$TOP/tests/system/checkpoint-vm-guest.sh
	"$TOP/scripts/make-busybox-bundle.sh" "$BATS_FILE_TMPDIR/template" true >/dev/null
	# containerd's image: the bundle's root as an OCI archive
	mkdir -p "$BATS_FILE_TMPDIR/image"
	make_oci_image_tar "$BATS_FILE_TMPDIR/image" "$BATS_FILE_TMPDIR/template/rootfs" hako.test/busybox:1
	local modules=() m
	for m in nf_tables nft_compat xt_mark nf_conntrack_netlink unix_diag inet_diag tcp_diag udp_diag \
		raw_diag netlink_diag af_packet_diag; do
		modules+=(--module "$m")
	done
	"$VM" --timeout 240 --mem 1G "${modules[@]}" \
		--bin "$RUNTIME" --bin "$recvtty" --bin criu --bin tar --bin ip --bin jq \
		--bin containerd --bin containerd-shim-runc-v2 --bin ctr \
		--copy "$BATS_FILE_TMPDIR/image/image.tar" \
		--bin iptables --bin ip6tables --bin iptables-restore --bin ip6tables-restore \
		--bin xtables-nft-multi --bin nft --copy /usr/lib/x86_64-linux-gnu/xtables \
		--copy "$BATS_FILE_TMPDIR/template" --copy "$guest" -- \
		"$guest" "$RUNTIME" "$BATS_FILE_TMPDIR/template" "$recvtty" "$BATS_FILE_TMPDIR/image/image.tar" >"$VM_LOG" 2>&1 || true
}

passed() {
	vm_or_skip
	grep -q "^PASS: $1\$" "$VM_LOG" || { grep -v '^pie: ' "$VM_LOG"; false; }
}

@test "v2 VM checkpoint: the container stops and is gone; restore --detach --pid-file counts on" {
	passed "checkpoint"
	passed "checkpoint: the container is gone"
	passed "checkpoint: the cgroup is gone"
	passed "checkpoint: it stopped counting"
	passed "--work-path holds the log"
	passed "restore --detach --pid-file"
	passed "restore: running"
	passed "restore: --pid-file is the restored pid"
	passed "restore makes --work-path"
	passed "restore: in the container's cgroup"
	passed "restore: counts on from the checkpoint"
	passed "restore: resumed, not restarted"
}

@test "v2 VM checkpoint --leave-running: the container runs on" {
	passed "checkpoint --leave-running"
	passed "--leave-running: still running"
	passed "--leave-running: still counting"
}

@test "v2 VM checkpoint --pre-dump, then --parent-path: restored from both" {
	passed "checkpoint --pre-dump"
	passed "--pre-dump: still running"
	passed "checkpoint --parent-path"
	passed "--parent-path: criu linked the parent"
	passed "restore from a pre-dumped checkpoint"
	passed "pre-dump + dump: counts on"
}

@test "v2 VM checkpoint: without a cgroup namespace (the host's cgroup directory bound in)" {
	passed "no cgroupns: checkpoint"
	passed "no cgroupns: restore"
	passed "no cgroupns: counts on"
}

@test "v2 VM checkpoint: a terminal container, restored onto a new pty sent to --console-socket" {
	passed "terminal: checkpoint"
	passed "terminal: restore --console-socket"
	passed "terminal: counts on"
	passed "terminal: the new pty carries its output"
}

@test "v2 VM checkpoint --empty-ns network, --manage-cgroups-mode ignore" {
	passed "checkpoint --empty-ns network --manage-cgroups-mode ignore"
	passed "restore --empty-ns network --manage-cgroups-mode ignore"
	passed "--empty-ns network: counts on"
}

@test "v2 VM checkpoint --tcp-established: a TCP echo server's connection survives" {
	passed "tcp: checkpoint --tcp-established"
	passed "tcp: restore --tcp-established"
	passed "tcp: the connection echoes on"
}

@test "v2 VM checkpoint: stdout a pipe: restore gives the container the caller's stdout" {
	passed "pipe: checkpoint"
	passed "pipe: the restored container writes to the new pipe, from where it was"
}

@test "v2 VM checkpoint: criu killed mid-dump, a broken checkpoint: criu's log quoted, nothing half-made" {
	passed "criu killed mid-dump: an error"
	passed "the error names the log"
	passed "criu killed mid-dump: still running"
	passed "criu killed mid-dump: still counting"
	passed "a broken checkpoint: criu's error and its log"
	passed "a broken checkpoint: no container left"
}

@test "v2 VM checkpoint: nothing left" {
	passed "no container left"
	passed "no cgroup left"
	! grep -q "^FAIL" "$VM_LOG" || { grep "^FAIL" "$VM_LOG"; false; }
}

@test "v2 VM containerd: ctr container checkpoint --task / restore --live through the runc shim with hako-runtime" {
	passed "ctr: image imported"
	passed "ctr run with hako-runtime"
	passed "ctr container checkpoint --task"
	passed "ctr: the task runs on after the checkpoint"
	passed "ctr: the task and container removed"
	passed "ctr container restore --live"
	passed "ctr: the restored task runs"
	passed "ctr: the restored task counts on from the checkpoint"
	passed "ctr: removed again"
}
