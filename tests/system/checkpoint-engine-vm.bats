#!/usr/bin/env bats
# hako checkpoint / restore through the engine, end to end in the cgroup v2
# VM (criu fails `criu check` on this host; checkpoint-engine.bats tests the
# error here).  The VM gets hako, hako-monitor, hako-init and what criu
# runs and loads (see checkpoint-vm.bats); its containers run with
# --network none (no CNI plugins there).  One VM runs
# checkpoint-engine-vm-guest.sh; each test reads its part of what the
# guest saw.

load engine-helpers

VM=${CGROUP2_VM:-$TOP/../shared/tools/cgroup2-vm}

setup_file() {
	export VM_LOG=$BATS_FILE_TMPDIR/vm.log
	[ -z "$(vm_skip_reason)" ] || return 0
	require_tools criu ip iptables ip6tables iptables-restore ip6tables-restore xtables-nft-multi nft tar cc
	"$TOP/scripts/make-busybox-rootfs.sh" "$BATS_FILE_TMPDIR/bbroot" >/dev/null
	# a lock holder for the --file-locks test (busybox has no flock)
	cc -static -O2 -o "$BATS_FILE_TMPDIR/bbroot/bin/hako-test-flock" "$TOP/tests/helpers/hold-flock.c"
	tar -C "$BATS_FILE_TMPDIR/bbroot" -cf "$BATS_FILE_TMPDIR/busybox.tar" .
	local modules=() m
	for m in nf_tables nft_compat xt_mark nf_conntrack_netlink unix_diag inet_diag tcp_diag udp_diag \
		raw_diag netlink_diag af_packet_diag; do
		modules+=(--module "$m")
	done
	"$VM" --timeout 360 --mem 1G "${modules[@]}" \
		--bin "$HAKO" --bin "$HAKO_BUILD/src/cli/hako-transfer" \
		--bin "$HAKO_BUILD/src/monitor/hako-monitor" --bin "$HAKO_BUILD/src/init/hako-init" \
		--bin criu --bin tar --bin ip \
		--bin iptables --bin ip6tables --bin iptables-restore --bin ip6tables-restore \
		--bin xtables-nft-multi --bin nft --copy /usr/lib/x86_64-linux-gnu/xtables \
		--copy "$BATS_FILE_TMPDIR/busybox.tar" -- \
		"$TOP/tests/system/checkpoint-engine-vm-guest.sh" "$HAKO" "$BATS_FILE_TMPDIR/busybox.tar" \
		>"$VM_LOG" 2>&1 || true
}

passed() {
	vm_or_skip
	grep -q "^PASS: $1\$" "$VM_LOG" || { grep -v '^pie: ' "$VM_LOG"; false; }
}

@test "v2 VM: the guest ran to the end without a failure" {
	vm_or_skip
	grep -q '^DONE$' "$VM_LOG" || { cat "$VM_LOG"; false; }
	! grep '^FAIL' "$VM_LOG" || { cat "$VM_LOG"; false; }
	grep -E '^(TIME|SIZE): ' "$VM_LOG" >&3
}

@test "v2 VM hako checkpoint: exited, checkpointed, images in the container's directory, not restarted" {
	passed "checkpoint"
	passed "checkpoint prints the name"
	passed "checkpoint: exited and checkpointed"
	passed "CheckpointedAt is set"
	passed "the images are in the container's directory"
	passed "checkpoint: the cgroup is gone"
	passed "checkpoint: --restart always does not restart it"
	passed "ps -a shows it exited"
}

@test "v2 VM hako restore: a new monitor, counting on from the checkpoint, the same log, attach" {
	passed "restore"
	passed "restore prints the name"
	passed "restore: running, no longer checkpointed"
	passed "RestoredAt is set"
	passed "restore: CheckpointedAt kept"
	passed "restore: the images are gone (no --keep)"
	passed "restore: the process is in the container's cgroup"
	passed "restore: its monitor is hako-monitor"
	passed "restore: counts on from the checkpoint"
	passed "restore: the log continues"
	passed "restore: the log has the first run's lines"
	passed "restore: the log counts 1..N once each"
	passed "restore: attach hears it"
}

@test "v2 VM hako restore: the restart policy applies to the restored container" {
	passed "restored, killed: --restart always restarts it"
}

@test "v2 VM hako checkpoint --leave-running --keep: runs on, dump.log kept; restore refused while running" {
	passed "checkpoint --leave-running"
	passed "--leave-running: still running"
	passed "--leave-running: still counting"
	passed "--keep keeps dump.log"
	passed "restore of a running container is refused"
	passed "... saying it is running"
}

@test "v2 VM migration: checkpoint --export in store A, restore --import in store B counts on" {
	passed "checkpoint --export - (stdout)"
	passed "criu ran: check once, dump once"
	passed "the export is zstd"
	passed "store A: the exported container is kept, exited and checkpointed"
	passed "store B without the image: refused"
	passed "... naming the image"
	passed "store B: nothing left by the refusal"
	passed "store B: the image loaded"
	passed "store B: restore --import --name"
	passed "restore --import prints the new name"
	passed "store B: running"
	passed "store B: counts on from the checkpoint"
	passed "store B: the file system changes came along"
	passed "store B: its image is the same"
	passed "store B: the images are gone after the restore"
	passed "store B: no staging left"
	passed "store B: restore --import - (stdin)"
	passed "store B: the second one counts on too"
	passed "store B: a name in use is refused"
}

@test "v2 VM checkpoint --export --compress gzip|none: import tells them by their bytes; a bad kind is refused; restore --import --ignore-rootfs; a restore criu refuses keeps its log; --with-volumes" {
	passed "--compress lz4: exit 125"
	passed "--compress lz4: says so"
	passed "--compress lz4: c1 untouched, no file"
	passed "store A: c2 restored for the other exports"
	passed "checkpoint --export --compress gzip"
	passed "checkpoint --export --compress none"
	passed "--compress gzip: gzip's magic"
	passed "--compress none: a tar"
	passed "--compress none is larger than gzip"
	passed "store B: restore --import of the gzip export"
	passed "store B: the gzip one runs with the file system changes"
	passed "store B: restore --import of the none export"
	passed "store B: the none one runs with the file system changes"
	passed "store B: restore --import --ignore-rootfs"
	passed "--ignore-rootfs: running, without the changed file"
	passed "--ignore-rootfs: counts on from the checkpoint"
	passed "checkpoint --export held"
	passed "a restore criu refuses: exit 125"
	passed "a restore criu refuses: the error quotes criu's log and names it"
	passed "a restore criu refuses: its log is kept"
	passed "a restore criu refuses: no container left"
	passed "a restore criu refuses: the volume it made is gone"
	passed "checkpoint --export --with-volumes"
	passed "--with-volumes: a volume of that name in store B: exit 125"
	passed "... naming it, nothing made"
	passed "--with-volumes: the refusal made no container"
	passed "restore --import of a --with-volumes export"
	passed "--with-volumes: the volume came with its content"
	passed "--with-volumes: it is a named volume in store B"
	passed "store B: no container left"
	passed "store B: no mount left"
}

@test "v2 VM hako checkpoint/restore of a container with a terminal (-t): a new pty, the log goes on" {
	passed "checkpoint -t"
	passed "checkpoint -t: exited and checkpointed"
	passed "restore -t"
	passed "restore -t: running"
	passed "restore -t: counts on from the checkpoint"
	passed "restore -t: the log goes on through the new pty"
	passed "restore -t: stdout is a pty"
}

@test "v2 VM hako checkpoint/restore --tcp-established: a TCP echo server's connection survives" {
	passed "tcp: the echo server answers"
	passed "tcp: checkpoint without --tcp-established is refused"
	passed "tcp: ... the container runs on"
	passed "tcp: checkpoint --tcp-established"
	passed "tcp: exited and checkpointed"
	passed "tcp: restore --tcp-established"
	passed "tcp: the connection echoes on"
}

@test "v2 VM hako checkpoint/restore --file-locks: a container holding a flock keeps it" {
	passed "flock: held before the checkpoint"
	passed "flock: checkpoint without --file-locks is refused"
	passed "flock: ... the container runs on"
	passed "flock: checkpoint --file-locks"
	passed "flock: exited and checkpointed"
	passed "flock: restore --file-locks"
	passed "flock: counts on from the checkpoint"
	passed "flock: still held after the restore"
	passed "flock: /proc/locks names the restored process"
}

@test "v2 VM hako checkpoint --pre-checkpoint, then --with-previous: a 50 MB process stops only for the pages it changed" {
	passed "--with-previous without a pre-checkpoint: exit 125"
	passed "... says so, and big runs on"
	passed "--pre-checkpoint"
	passed "--pre-checkpoint: runs on, not checkpointed"
	passed "--pre-checkpoint: the memory is in checkpoint.pre"
	passed "--with-previous"
	passed "--with-previous: exited and checkpointed"
	passed "--with-previous: only the changed pages (under a tenth)"
	passed "--with-previous: restore"
	passed "--with-previous: counts on from the checkpoint"
	passed "--with-previous: the 50 MB string came back"
	passed "--with-previous: both image directories gone after the restore"
	passed "a plain checkpoint of 50 MB"
}

@test "v2 VM hako checkpoint with criu failing mid-dump: exit 125, criu's message, the container runs on" {
	passed "a failing criu: exit 125"
	passed "a failing criu: its message"
	passed "a failing criu: still running, same process"
	passed "a failing criu: no images left"
	passed "a failing criu: no marker left"
	passed "no container left"
	passed "no cgroup left"
	passed "no mount left"
}
