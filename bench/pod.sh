#!/bin/bash
# bench/pod.sh [N]: pods against Podman's, as root.
#
# 1. N (default 20) rounds of `pod create` + two `run -d --pod` of busybox
#    `sleep` + `pod rm -f`, with hako and with Podman (`podman pod`),
#    interleaved.
# 2. N rounds of `kube play` of a 3-container pod (then removed, not
#    timed), with hako and with Podman (`podman play kube`), interleaved.
# Both on the same busybox image, imported into private stores; the pods
# have no network (`--network none`, `hostNetwork: true` in the YAML):
# networks have their own benchmark.  Podman runs with runc and cgroupfs
# (crun refuses this host's hybrid cgroups; there is no systemd), explicit
# nofile/nproc limits in a containers.conf of its own (its defaults exceed
# what root may set here), and
# the infra image Podman 4 builds itself on first use (localhost/podman-pause,
# from Debian's catatonit package: no network).  Prints the
# median and 90th percentile of each and the ratios (target: hako at most
# 0.15 of Podman); asserts nothing.
set -euo pipefail
n=${1:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
hako_bin=${HAKO:-$top/build/src/cli/hako}
. "$top/bench/lib.sh"
work=$(mktemp -d /tmp/hako-bench-pod.XXXXXX)
hako() { "$hako_bin" --root "$work/hako" --runroot "$work/hako-run" "$@"; }
podman() {
	CONTAINERS_CONF=$work/containers.conf command podman --root "$work/podman" --runroot "$work/podman-run" --runtime runc \
		--cgroup-manager cgroupfs --events-backend none --storage-driver overlay "$@"
}
# Podman's cgroupfs parent: removed at the end when this made it
libpod_cgroups_before=$(compgen -G '/sys/fs/cgroup/*/libpod_parent' || true)
cleanup() {
	local p d m
	for p in $(hako pod ls -q); do tidy hako pod rm -f "$p"; done
	tidy podman pod rm -f -a -t 0
	tidy podman system reset -f
	for m in $(awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		tidy umount -l "$m"
	done
	rm -rf "$work"
	if [ -z "$libpod_cgroups_before" ]; then
		for d in $(compgen -G '/sys/fs/cgroup/*/libpod_parent' || true); do
			for d in $(find "$d" -depth -type d); do tidy rmdir "$d"; done
		done
	fi
}
trap cleanup EXIT

# the limits for every Podman container, the infra ones and kube play's too
printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' >"$work/containers.conf"
quietly "$top/scripts/make-busybox-rootfs.sh" "$work/rootfs"
tar -C "$work/rootfs" -cf "$work/busybox.tar" .
# PATH in the image: Podman's kube play, unlike its run, adds none
path=ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
quietly hako import -c 'CMD ["sh"]' -c "${path/=/ }" "$work/busybox.tar" busybox
quietly podman import --change 'CMD ["sh"]' --change "${path/=/ }" "$work/busybox.tar" localhost/busybox

cat >"$work/pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: bench}
spec:
  hostNetwork: true
  containers:
  - {name: a, image: localhost/busybox, command: [sleep, "1000"]}
  - {name: b, image: localhost/busybox, command: [sleep, "1000"]}
  - {name: c, image: localhost/busybox, command: [sleep, "1000"]}
YAML
quietly hako tag busybox localhost/busybox

hako_pod() {
	quietly hako pod create --name "p$1" --network none
	quietly hako run -d --pod "p$1" busybox sleep 1000
	quietly hako run -d --pod "p$1" busybox sleep 1000
	quietly hako pod rm -f "p$1"
}
podman_pod() {
	quietly podman pod create --name "p$1" --network none
	quietly podman run -d --pod "p$1" busybox sleep 1000
	quietly podman run -d --pod "p$1" busybox sleep 1000
	quietly podman pod rm -f -t 0 "p$1"
}
hako_play() { quietly hako kube play "$work/pod.yaml"; }
podman_play() { quietly podman play kube "$work/pod.yaml"; }

# time_it NAME COMMAND...: one timed run, in microseconds, into the log.
time_it() {
	local name=$1 t0 t1
	shift
	t0=${EPOCHREALTIME/./}
	"$@"
	t1=${EPOCHREALTIME/./}
	echo "$name $((t1 - t0))" >>"$work/times"
}

# Warm-up: caches, hako's sealed runtime copy, Podman's pause image.
hako_pod w
podman_pod w
for ((i = 0; i < n; i++)); do
	time_it hako-pod hako_pod "$i"
	time_it podman-pod podman_pod "$i"
done
for ((i = 0; i < n; i++)); do
	time_it hako-play hako_play
	quietly hako pod rm -f bench
	time_it podman-play podman_play
	quietly podman pod rm -f -t 0 bench
done

quantile() { # NAME median|p90 -> microseconds
	grep "^$1 " "$work/times" | awk '{print $2}' | sort -n | awk -v q="$2" '
		{ v[NR] = $1 } END { i = (q == "median") ? int((NR + 1) / 2) : int(NR * 0.9); print v[i] }'
}
ms() { echo "$1 / 1000" | bc -l; }
report() { # TITLE HAKO-NAME PODMAN-NAME
	printf '%s, %d rounds each, interleaved (%s, %d CPUs)\n' "$1" "$n" "$(uname -r)" "$(nproc)"
	printf '%-8s %10s %10s\n' engine "median ms" "p90 ms"
	printf '%-8s %10.1f %10.1f\n' hako "$(ms "$(quantile "$2" median)")" "$(ms "$(quantile "$2" p90)")"
	printf '%-8s %10.1f %10.1f\n' podman "$(ms "$(quantile "$3" median)")" "$(ms "$(quantile "$3" p90)")"
	printf 'time ratio hako/podman: %.3f\n\n' "$(echo "$(quantile "$2" median) / $(quantile "$3" median)" | bc -l)"
}
report '`pod create` + 2 `run -d --pod` + `pod rm -f`' hako-pod podman-pod
report '`kube play` of a 3-container pod' hako-play podman-play
