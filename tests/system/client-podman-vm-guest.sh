#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# client-podman-vm-guest.sh WORKDIR RUNTIME: runs inside the cgroup v2 VM of
# client-cgroup-v2-vm.bats.  Podman 4.3 with --runtime RUNTIME (hako-runtime)
# and runc, the cgroupfs manager, no network: limits seen from inside,
# update, pause through cgroup.freeze, --device through the eBPF device
# filter, and --privileged (every host device: a large filter; runc's
# /dev/core link to /proc/kcore, which hako does not make, is not
# counted).  Prints
# "PASS: NAME" or "FAIL: NAME: ..." per check and "SEEN podman RUNTIME: ..." lines
# the test compares between hako and runc.
W=$1 HAKO=$2
check() { if [ "$2" = "$3" ]; then echo "PASS: $1"; else echo "FAIL: $1: expected '$2', got '$3'"; fi; }
export CONTAINERS_CONF=$W/containers.conf TMPDIR=$W/tmp
mkdir -p "$TMPDIR"
p() {
	podman --root "$W/root" --runroot "$W/runroot" --tmpdir "$W/libpod" --runtime "$rt" \
		--cgroup-manager cgroupfs --events-backend file "$@"
}
rt=$HAKO
p load -i "$W/busybox.tar" >/dev/null
check "podman: image loaded" 0 $?
for rt in "$HAKO" runc; do
	n=${rt##*/}
	out=$(p run --rm --network none --cgroup-parent /hakotest-podman -m 64m --pids-limit 40 \
		docker.io/library/hakobusybox:latest cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max)
	check "podman $n: limits inside" "67108864 40" "$(echo $out)"
	id=$(p run -d --network none --cgroup-parent /hakotest-podman docker.io/library/hakobusybox:latest sleep 1000)
	cg=/sys/fs/cgroup/hakotest-podman/libpod-$id
	p update --memory 32m --cpus 0.5 "$id" >/dev/null
	check "podman $n: update" "33554432 50000 100000" "$(cat "$cg/memory.max" "$cg/cpu.max" | tr '\n' ' ' | sed 's/ $//')"
	p pause "$id" >/dev/null
	check "podman $n: pause freezes" 1 "$(cat "$cg/cgroup.freeze")"
	p unpause "$id" >/dev/null
	check "podman $n: unpause thaws" 0 "$(cat "$cg/cgroup.freeze")"
	p rm -f -t 0 "$id" >/dev/null
	dev=$(p run --rm --network none --cgroup-parent /hakotest-podman --device /dev/zero:/dev/hkzero \
		--device /dev/loop-control:/dev/hkloop:r docker.io/library/hakobusybox:latest sh -c '
			head -c 3 /dev/hkzero | wc -c
			(exec 3</dev/hkloop) && echo read-open
			(exec 3>/dev/hkloop) 2>/dev/null && echo write-open || echo write-denied
			head -c 1 /dev/full >/dev/null 2>&1 && echo full-open || echo full-denied' 2>&1)
	echo "SEEN podman $n: devices $(echo $dev)"
	priv=$(p run --rm --network none --cgroup-parent /hakotest-podman --privileged \
		docker.io/library/hakobusybox:latest sh -c 'ls /dev | grep -cvx core; head -c 1 /dev/mem >/dev/null && echo mem-open' 2>&1)
	echo "SEEN podman $n: privileged $(echo $priv)"
	check "podman $n: no container left" "" "$(p ps -aq)"
	check "podman $n: no cgroup left" "" "$(find /sys/fs/cgroup/hakotest-podman -mindepth 1 -name 'libpod-*')"
done
