#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/rootless.sh [N]: rootless hako against rootless Podman, as a normal
# user the script creates (useradd gives it /etc/subuid and /etc/subgid
# ranges) and removes, with its home under a mktemp -d.
#
# 1. N (default 20) runs each of `run --rm --network none busybox true`,
#    hako and podman interleaved, the same busybox image in both stores
#    (podman's loaded from hako's `save`; podman on native overlay).
#    Median and 90th percentile wall time, and the ratio (issue 12's
#    target: hako at most 0.15x podman).
# 2. 1 GiB sent from the host to a published port on 127.0.0.1, into
#    busybox `nc -l` in the container, with pasta and with slirp4netns,
#    hako and podman: seconds from the first byte to the container's end.
#
# Needs root (to make the user), podman, pasta, slirp4netns, newuidmap.
# Run it under the system tests' lock.  Prints figures; asserts nothing.
set -euo pipefail
n=${1:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
hako_bin=${HAKO:-$top/build/src/cli/hako}
user=hakobench$$
work=$(mktemp -d /tmp/hako-bench-rootless.XXXXXX)
chmod 0755 "$work"
home=$work/home
tun_mode=$(stat -c %a /dev/net/tun)

as_user() {
	(cd "$home" && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" XDG_RUNTIME_DIR="$home/xdg" \
		setpriv --reuid "$user" --regid "$user" --clear-groups "$@")
}
hako() { as_user "$hako_bin" "$@"; }
# podman's crun refuses to start rootless on a hybrid cgroup host
# ("cgroups in hybrid mode not supported"): runc, which podman runs
# rootless on cgroup v1 without limits (hako's containers have no
# cgroups either)
podman() {
	case $1 in
	run) as_user /usr/bin/podman run --runtime runc "${@:2}" ;;
	*) as_user /usr/bin/podman "$@" ;;
	esac
}

# stop_holder FILE: the namespace holder whose pid FILE has, by that pid.
stop_holder() {
	local pid
	[ -f "$1" ] || return 0
	pid=$(cut -d' ' -f1 "$1")
	kill "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

cleanup() {
	local ids
	chmod "$tun_mode" /dev/net/tun
	if id "$user" >/dev/null 2>&1; then
		ids=$(hako ps -aq) && [ -n "$ids" ] && tidy hako rm -f $ids
		ids=$(podman ps -aq) && [ -n "$ids" ] && tidy podman rm -f $ids
		stop_holder "$home/xdg/hako/pause.pid"
		stop_holder "$home/xdg/libpod/tmp/pause.pid"
		tidy userdel "$user"
	fi
	rm -rf "$work"
}
trap cleanup EXIT

useradd -M -d /nonexistent -s /bin/sh "$user"
mkdir -p "$home/.config/containers"
# Podman's rootless default without this file is vfs (a copy per
# container); native overlay is what hako uses.
printf '[storage]\ndriver = "overlay"\n' >"$home/.config/containers/storage.conf"
chown -R "$user:" "$home"
# pasta and slirp4netns open /dev/net/tun as the user (0666 with udev).
chmod 0666 /dev/net/tun

"$top/scripts/make-busybox-rootfs.sh" "$work/rootfs" >/dev/null
tar -C "$work/rootfs" -cf "$home/busybox.tar" .
chown "$user:" "$home/busybox.tar"
hako import -c 'CMD ["sh"]' "$home/busybox.tar" busybox >/dev/null
hako save -o "$home/busybox-image.tar" busybox
quietly podman load -i "$home/busybox-image.tar"
img=localhost/busybox:latest

# Warm-up: the holders (hako's and podman's pause processes), caches.
hako run --rm --network none busybox true
podman run --rm --network none "$img" true

for ((i = 0; i < n; i++)); do
	t0=${EPOCHREALTIME/./}
	hako run --rm --network none busybox true
	t1=${EPOCHREALTIME/./}
	podman run --rm --network none "$img" true
	t2=${EPOCHREALTIME/./}
	echo "hako $((t1 - t0))" >>"$work/times"
	echo "podman $((t2 - t1))" >>"$work/times"
done

stat() { # NAME median|p90 -> microseconds
	grep "^$1 " "$work/times" | awk '{print $2}' | sort -n | awk -v q="$2" '
		{ v[NR] = $1 } END { i = (q == "median") ? int((NR + 1) / 2) : int(NR * 0.9); print v[i] }'
}
printf 'rootless `run --rm --network none busybox true`, %d runs each, interleaved (%s, %d CPUs)\n' \
	"$n" "$(uname -r)" "$(nproc)"
printf '%-10s %10s %10s\n' engine "median ms" "p90 ms"
for e in hako podman; do
	printf '%-10s %10.1f %10.1f\n' "$e" "$(echo "$(stat $e median) / 1000" | bc -l)" \
		"$(echo "$(stat $e p90) / 1000" | bc -l)"
done
printf 'time ratio hako/podman: %.3f\n\n' "$(echo "$(stat hako median) / $(stat podman median)" | bc -l)"

free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 20000))
		ss -Htln "sport = :$port" | grep -q . || break
	done
	echo "$port"
}

# throughput ENGINE NETWORK IMAGE: 1 GiB into the container's nc.
throughput() {
	local engine=$1 net=$2 image=$3 port t0 t1 got
	port=$(free_port)
	"$engine" run -d --name tp --network "$net" -p "127.0.0.1:$port:80" "$image" \
		sh -c 'nc -l -p 80 | wc -c' >/dev/null
	# the helper listens on the host at once; nc in the container a little
	# later (a connection before it would be reset)
	sleep 1
	t0=${EPOCHREALTIME/./}
	head -c 1073741824 /dev/zero >"/dev/tcp/127.0.0.1/$port"
	"$engine" wait tp >/dev/null
	t1=${EPOCHREALTIME/./}
	got=$("$engine" logs tp)
	"$engine" rm -f tp >/dev/null
	printf '%-8s %-12s %8.2f s %10.1f MiB/s  (%s bytes in)\n' "$engine" "$net" \
		"$(echo "($t1 - $t0) / 1000000" | bc -l)" \
		"$(echo "1024 / (($t1 - $t0) / 1000000)" | bc -l)" "$got"
}
echo '1 GiB from the host to a published port (127.0.0.1), busybox nc in the container:'
for net in pasta slirp4netns; do
	throughput hako "$net" busybox
	throughput podman "$net" "$img"
done
