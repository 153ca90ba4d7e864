#!/bin/bash
# bench/engine-run.sh [N] [MONITORS]: the engine against Podman, as root.
#
# 1. N (default 30) runs each of `hako run --rm busybox true` and
#    `podman run --rm` of the same image (imported into a private Podman
#    store), interleaved; both with --network none (networks have their
#    own benchmark).  Median and 90th percentile wall time, and the ratio.
# 2. MONITORS (default 100) detached `sleep` containers: the resident
#    memory of the processes hako leaves running (one monitor each), and
#    for comparison Podman's conmon for 10 containers.
#
# Podman runs with runc and cgroupfs (crun refuses this host's hybrid
# cgroups; there is no systemd) and with explicit nofile/nproc limits
# (its defaults exceed what root may set on hosts without
# CAP_SYS_RESOURCE).  Prints figures; asserts nothing.
set -euo pipefail
n=${1:-30}
monitors=${2:-100}
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
hako_bin=${HAKO:-$top/build/src/cli/hako}
work=$(mktemp -d /tmp/hako-bench-engine.XXXXXX)
hako() { "$hako_bin" --root "$work/hako" --runroot "$work/hako-run" "$@"; }
podman() {
	command podman --root "$work/podman" --runroot "$work/podman-run" --runtime runc \
		--cgroup-manager cgroupfs --events-backend none --storage-driver overlay "$@"
}
cleanup() {
	local ids
	ids=$(hako ps -aq) && [ -n "$ids" ] && tidy hako rm -f $ids
	tidy podman rm -f -a
	tidy podman system reset -f
	local m
	for m in $(awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		tidy umount -l "$m"
	done
	rm -rf "$work"
}
trap cleanup EXIT

"$top/scripts/make-busybox-rootfs.sh" "$work/rootfs" >/dev/null
tar -C "$work/rootfs" -cf "$work/busybox.tar" .
hako import -c 'CMD ["sh"]' "$work/busybox.tar" busybox >/dev/null
quietly podman import --change 'CMD ["sh"]' "$work/busybox.tar" busybox
limits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

# Warm-up: caches, hako's sealed runtime copy, Podman's first-run setup.
hako run --rm --network none busybox true
podman run --rm --network none "${limits[@]}" busybox true

for ((i = 0; i < n; i++)); do
	t0=${EPOCHREALTIME/./}
	hako run --rm --network none busybox true
	t1=${EPOCHREALTIME/./}
	podman run --rm --network none "${limits[@]}" busybox true
	t2=${EPOCHREALTIME/./}
	echo "hako $((t1 - t0))" >>"$work/times"
	echo "podman $((t2 - t1))" >>"$work/times"
done

stat() { # NAME median|p90 -> microseconds
	grep "^$1 " "$work/times" | awk '{print $2}' | sort -n | awk -v q="$2" '
		{ v[NR] = $1 } END { i = (q == "median") ? int((NR + 1) / 2) : int(NR * 0.9); print v[i] }'
}
printf '`run --rm busybox true`, %d runs each, interleaved (%s, %d CPUs)\n' "$n" "$(uname -r)" "$(nproc)"
printf '%-8s %10s %10s\n' engine "median ms" "p90 ms"
for e in hako podman; do
	printf '%-8s %10.1f %10.1f\n' "$e" "$(echo "$(stat $e median) / 1000" | bc -l)" \
		"$(echo "$(stat $e p90) / 1000" | bc -l)"
done
printf 'time ratio hako/podman: %.3f\n\n' "$(echo "$(stat hako median) / $(stat podman median)" | bc -l)"

# RSS (KiB) of the given pids, summed.
rss_sum() {
	local pid total=0
	for pid in "$@"; do
		total=$((total + $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")))
	done
	echo "$total"
}
for ((i = 0; i < monitors; i++)); do
	hako run -d --network none busybox sleep 1000 >/dev/null
done
mapfile -t pids < <(pgrep -x hako-monitor | while read -r p; do
	grep -qF "$work/hako-run" "/proc/$p/cmdline" && echo "$p"
done)
total=$(rss_sum "${pids[@]}")
printf '%d detached containers: %d hako processes stay (monitors), RSS %d KiB in all, %.0f KiB each\n' \
	"$monitors" "${#pids[@]}" "$total" "$(echo "$total / ${#pids[@]}" | bc -l)"
hako rm -f $(hako ps -q) >/dev/null

for ((i = 0; i < 10; i++)); do
	podman run -d --network none "${limits[@]}" busybox sleep 1000 >/dev/null
done
mapfile -t cpids < <(pgrep -x conmon | while read -r p; do
	grep -qF "$work/podman" "/proc/$p/cmdline" && echo "$p"
done)
ctotal=$(rss_sum "${cpids[@]}")
printf '10 podman containers: %d conmon processes, %.0f KiB each\n' "${#cpids[@]}" \
	"$(echo "$ctotal / ${#cpids[@]}" | bc -l)"
printf 'RSS ratio hako monitor/conmon: %.2f\n' \
	"$(echo "($total / ${#pids[@]}) / ($ctotal / ${#cpids[@]})" | bc -l)"
