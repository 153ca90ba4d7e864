#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# In the cgroup v2 VM (rootless-cgroup-vm.bats): a normal user, rl (uid
# 1001, subordinate ids 100000-165535), is given a delegated cgroup
# subtree as an administrator (or systemd's Delegate=) gives one: a
# directory it owns with controllers enabled for its children, its shell
# in a child.  hako run by it there applies --memory, --pids-limit and
# --cpus; run from a cgroup it does not own, it warns in one line.
# Prints PASS:/FAIL: lines, then DONE.
# Usage: rootless-cgroup-vm-guest.sh HAKO BUSYBOX_TAR SETPRIV (util-linux's, not busybox's)
hako_bin=$1 tar=$2 setpriv=$3
check() { if [ "$2" = "$3" ]; then echo "PASS: $1"; else echo "FAIL: $1: expected '$2', got '$3'"; fi; }

# the user, its ranges, newuidmap/newgidmap setuid as Debian installs them
echo "rl:x:1001:1001::/home/rl:/bin/sh" >>/etc/passwd
echo "rl:x:1001:" >>/etc/group
echo "rl:100000:65536" >/etc/subuid
echo "rl:100000:65536" >/etc/subgid
chmod 4755 "$(command -v newuidmap)" "$(command -v newgidmap)"
mkdir -p /home/rl/xdg
cp "$tar" /home/rl/busybox.tar
chown -R 1001:1001 /home/rl
chmod 0700 /home/rl/xdg
# the build directory's parents (maybe root's 0700 home) reachable
d=$(dirname "$hako_bin")
while [ "$d" != / ]; do chmod a+rx "$d"; d=$(dirname "$d"); done
chmod -R a+rX "$(dirname "$(dirname "$(dirname "$hako_bin")")")"

# the delegated subtree: owned by the user, controllers for its children
deleg=/sys/fs/cgroup/rl.slice
mkdir "$deleg" "$deleg/session"
echo "+memory +pids +cpu" >"$deleg/cgroup.subtree_control"
chown -R 1001:1001 "$deleg"

as_rl() {
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/home/rl \
		XDG_RUNTIME_DIR=/home/rl/xdg timeout 60 "$setpriv" --reuid 1001 --regid 1001 --clear-groups "$hako_bin" "$@"
}

# a shell in the user's session cgroup: the holder and every command start there
(
	echo 0 >"$deleg/session/cgroup.procs"
	as_rl import /home/rl/busybox.tar busybox >/dev/null && echo "PASS: import" || echo "FAIL: import"
	out=$(as_rl run --rm --network none -m 64m --pids-limit 20 --cpus 0.5 busybox \
		sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max' 2>&1)
	echo "$out" | sed 's/^/  container: /'
	check "memory.max inside" 67108864 "$(echo "$out" | sed -n 1p)"
	check "pids.max inside" 20 "$(echo "$out" | sed -n 2p)"
	check "cpu.max inside" "50000 100000" "$(echo "$out" | sed -n 3p)"
	id=$(as_rl run -d --network none --name bg -m 32m --pids-limit 5 busybox sleep 1000)
	check "the container's cgroup in the delegated subtree" 33554432 "$(cat "$deleg/hako/$id/memory.max")"
	check "owned by the user" 1001 "$(stat -c %u "$deleg/hako/$id")"
	pid=$(as_rl inspect -f '{{.State.Pid}}' bg)
	check "its process in it" "0::/rl.slice/hako/$id" "$(cat "/proc/$pid/cgroup")"
	# the pids limit holds: 5 processes at most
	out=$(as_rl exec bg sh -c 'p=; for i in 1 2 3 4 5 6; do sleep 30 & p="$p $!"; done; kill $p' 2>&1)
	check "pids limit enforced" yes "$(echo "$out" | grep -q -i 'resource temporarily unavailable\|fork' && echo yes || echo "no: $out")"
	as_rl rm -f bg >/dev/null
	check "cgroup removed with the container" gone "$([ -d "$deleg/hako/$id" ] && echo present || echo gone)"
	check "no container left" 0 "$(as_rl ps -aq | wc -l)"
)

# a command from a cgroup the user does not own: no subtree, one warning
(
	echo 0 >/sys/fs/cgroup/cgroup.procs
	if holder=$(cut -d' ' -f1 /home/rl/xdg/hako/pause.pid); then
		kill "$holder"
		while kill -0 "$holder" 2>/dev/null; do sleep 0.1; done
		rm -f /home/rl/xdg/hako/pause.pid
	fi
	out=$(as_rl run --rm --network none -m 64m busybox echo ran 2>/tmp/err)
	check "not delegated: the container runs" ran "$out"
	check "not delegated: one warning line" 1 "$(wc -l </tmp/err)"
	check "not delegated: the warning says limits are ignored" yes "$(grep -q 'resource limits ignored' /tmp/err && echo yes || echo no)"
)
echo DONE
