#!/bin/bash
# bench/network.sh [N]: what networking costs a container, as root.
#
# N (default 30) runs each, interleaved, of
#   hako   run --rm --network hako busybox true   (the default bridge network, native driver)
#   hako   run --rm --network none busybox true   (the container start itself)
#   podman run --rm busybox true                  (its default network, netavark)
#   podman run --rm --network none busybox true
# with the same image (imported into private hako and Podman stores).
# Prints the median and 90th percentile wall time of each, hako's default
# network over its --network none (target: at most 1.2x), what the
# network adds to each engine's start, and hako/podman (target: at most
# 0.1).  Asserts nothing.
#
# hako's default network gets a bridge and subnet of the benchmark's own
# (hkb-default, 10.213.240.0/24), not the user's hako0.  Podman runs with
# runc and cgroupfs (crun refuses this host's hybrid cgroups) and explicit
# nofile/nproc limits, as in bench/engine-run.sh.  What either engine
# leaves in the packet filter (portmap's and netavark's chains, tables
# iptables-nft made) is removed again if it was not there before.
set -euo pipefail
n=${1:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
hako_bin=${HAKO:-$top/build/src/cli/hako}
work=$(mktemp -d /tmp/hako-bench-network.XXXXXX)
export HAKO_DEFAULT_NETWORK_BRIDGE=hkb-default HAKO_DEFAULT_NETWORK_SUBNET=10.213.240.0/24
hako() { "$hako_bin" --root "$work/hako" --runroot "$work/hako-run" "$@"; }
podman() {
	command podman --root "$work/podman" --runroot "$work/podman-run" --runtime runc \
		--cgroup-manager cgroupfs --events-backend none --storage-driver overlay "$@"
}
limits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

filter_state() {
	iptables-save 2>/dev/null | grep -v '^#' | sed 's/ \[[0-9]*:[0-9]*\]$//'
	nft list tables 2>/dev/null
}
before=$(filter_state)
# podman's default bridge (netavark's podman0, CNI's cni-podman0) stays
# after `podman system reset`: removed after the run when it was not there
podman_bridges_before=$(ip -o link show type bridge | awk -F': ' '$2 ~ /^(cni-)?podman0$/ { print $2 }')

# Chains the engines make once and keep, and empty tables, when the host
# had none of them before.
restore_filter() {
	local chain table rule
	for chain in $(iptables-save 2>/dev/null | sed -n 's/^:\(NETAVARK[^ ]*\|CNI-HOSTPORT[^ ]*\) .*/\1/p'); do
		grep -q "^:$chain " <<<"$before" && continue
		for table in nat filter; do
			iptables-save -t "$table" 2>/dev/null | grep -- "-j $chain\( \|$\)" | grep -v "^-A $chain " |
				while read -r rule; do
					eval "iptables -t $table -D ${rule#-A }" 2>/dev/null
				done
		done
	done
	for chain in $(iptables-save 2>/dev/null | sed -n 's/^:\(NETAVARK[^ ]*\|CNI-HOSTPORT[^ ]*\) .*/\1/p'); do
		grep -q "^:$chain " <<<"$before" && continue
		for table in nat filter; do
			iptables -t "$table" -F "$chain" 2>/dev/null && iptables -t "$table" -X "$chain" 2>/dev/null
		done
	done
	while read -r _ table; do
		[ -n "$table" ] || continue
		grep -qxF "table $table" <<<"$before" && continue
		nft list table $table 2>/dev/null | grep -qP '^\t\t(?!type )' || nft delete table $table 2>/dev/null
	done < <(nft list tables 2>/dev/null)
}

cleanup() {
	set +e +o pipefail
	local ids
	ids=$(hako ps -aq) && [ -n "$ids" ] && tidy hako rm -f $ids
	hako network ls --format '{{.Name}}' | grep -qx hako && tidy hako network rm hako
	tidy podman rm -f -a
	tidy podman system reset -f
	local m
	for m in $(awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		tidy umount -l "$m"
	done
	restore_filter
	local bridge
	for bridge in podman0 cni-podman0; do
		grep -qx "$bridge" <<<"$podman_bridges_before" && continue
		ip link show "$bridge" >/dev/null 2>&1 || continue
		tidy ip link delete "$bridge"
	done
	rm -rf "$work"
}
trap cleanup EXIT

"$top/scripts/make-busybox-rootfs.sh" "$work/rootfs" >/dev/null
tar -C "$work/rootfs" -cf "$work/busybox.tar" .
hako import -c 'CMD ["sh"]' "$work/busybox.tar" busybox >/dev/null
quietly podman import --change 'CMD ["sh"]' "$work/busybox.tar" busybox

declare -A cmd=(
	[hako-net]="hako run --rm --network hako busybox true"
	[hako-none]="hako run --rm --network none busybox true"
	[podman-net]="podman run --rm ${limits[*]} busybox true"
	[podman-none]="podman run --rm --network none ${limits[*]} busybox true"
)
order=(hako-net hako-none podman-net podman-none)
# Warm-up: caches, hako's default network (made on first use), Podman's
# first-run setup and its bridge.
for k in "${order[@]}"; do ${cmd[$k]} >/dev/null; done

for ((i = 0; i < n; i++)); do
	for k in "${order[@]}"; do
		t0=${EPOCHREALTIME/./}
		${cmd[$k]} >/dev/null
		t1=${EPOCHREALTIME/./}
		echo "$k $((t1 - t0))" >>"$work/times"
	done
done

stat() { # NAME median|p90 -> microseconds
	grep "^$1 " "$work/times" | awk '{print $2}' | sort -n | awk -v q="$2" '
		{ v[NR] = $1 } END { i = (q == "median") ? int((NR + 1) / 2) : int(NR * 0.9); print v[i] }'
}
ms() { echo "$1 / 1000" | bc -l; }
printf '`run --rm busybox true`, %d runs each, interleaved (%s, %d CPUs)\n' "$n" "$(uname -r)" "$(nproc)"
printf '%-26s %10s %10s\n' "" "median ms" "p90 ms"
for k in "${order[@]}"; do
	printf '%-26s %10.1f %10.1f\n' "$k" "$(ms "$(stat "$k" median)")" "$(ms "$(stat "$k" p90)")"
done
hn=$(stat hako-net median) h0=$(stat hako-none median)
pn=$(stat podman-net median) p0=$(stat podman-none median)
printf 'network cost, hako:   +%.1f ms = %.2fx its start\n' \
	"$(ms $((hn - h0)))" "$(echo "($hn - $h0) / $h0" | bc -l)"
printf 'hako default network / hako --network none: %.2fx   (target <= 1.2)\n' \
	"$(echo "$hn / $h0" | bc -l)"
printf 'network cost, podman: +%.1f ms = %.2fx its start\n' \
	"$(ms $((pn - p0)))" "$(echo "($pn - $p0) / $p0" | bc -l)"
printf 'hako/podman, default networks: %.3f   (target <= 0.1)\n' "$(echo "$hn / $pn" | bc -l)"
printf 'hako/podman, --network none:   %.3f\n' "$(echo "$h0 / $p0" | bc -l)"
