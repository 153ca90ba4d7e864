#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/network-cycles.sh [N]: N (default 500) cycles, interleaved, of
#   hako run --rm busybox true                  (the default network, native driver)
#   hako run --rm --network none busybox true
# as root, in a private store; prints each one's median and 90th
# percentile, the default network over --network none, and then checks
# that the N runs on the network left nothing: no port on the bridge (the
# kernel gets 5 s to remove the veths), no lease (endpoint row), no
# per-container nft chain and only the network's two, no network
# namespace file, no mount more than before.  Exit 1 when something is
# left.  Run it under the system tests' lock (it makes veths and rules):
#   flock -o /run/hako-system-tests.lock bash bench/network-cycles.sh 500
set -euo pipefail
n=${1:-500}
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
hako_bin=${HAKO:-$top/build/src/cli/hako}
work=$(mktemp -d /tmp/hako-bench-cycles.XXXXXX)
bridge=hkb-cycles
export HAKO_DEFAULT_NETWORK_BRIDGE=$bridge HAKO_DEFAULT_NETWORK_SUBNET=10.213.241.0/24
hako() { "$hako_bin" --root "$work/hako" --runroot "$work/hako-run" "$@"; }

cleanup() {
	set +e +o pipefail
	local ids m
	ids=$(hako ps -aq) && [ -n "$ids" ] && tidy hako rm -f $ids
	hako network ls --format '{{.Name}}' | grep -qx hako && tidy hako network rm hako
	for m in $(awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		tidy umount -l "$m"
	done
	rm -rf "$work"
}
trap cleanup EXIT

"$top/scripts/make-busybox-rootfs.sh" "$work/rootfs" >/dev/null
tar -C "$work/rootfs" -cf "$work/busybox.tar" .
hako import -c 'CMD ["sh"]' "$work/busybox.tar" busybox >/dev/null

declare -A cmd=(
	[default]="hako run --rm busybox true"
	[none]="hako run --rm --network none busybox true"
)
order=(default none)
# warm-up: caches, the default network (made on first use)
for k in "${order[@]}"; do ${cmd[$k]} >/dev/null; done
mounts_before=$(grep -c "$work" /proc/self/mountinfo || true)

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
printf '`run --rm busybox true`, %d cycles each, interleaved (%s, %d CPUs)\n' "$n" "$(uname -r)" "$(nproc)"
printf '%-26s %10s %10s\n' "" "median ms" "p90 ms"
for k in "${order[@]}"; do
	printf '%-26s %10.1f %10.1f\n' "$k" "$(ms "$(stat "$k" median)")" "$(ms "$(stat "$k" p90)")"
done
printf 'default network / --network none: median %.2fx, p90 %.2fx   (target <= 1.2)\n' \
	"$(echo "$(stat default median) / $(stat none median)" | bc -l)" \
	"$(echo "$(stat default p90) / $(stat none p90)" | bc -l)"

# What the runs could have left.
ports=0
for ((i = 0; i < 100; i++)); do
	ports=$(find "/sys/class/net/$bridge/brif" -mindepth 1 | wc -l)
	((ports == 0)) && break
	sleep 0.05
done
id12=$(hako network inspect -f '{{.Id}}' hako | cut -c1-12)
leases=$(sqlite3 "$work/hako/hako.db" 'SELECT COUNT(*) FROM network_endpoints')
ct_chains=$(nft list table inet hako | grep -c 'chain ct-' || true)
nw_chains=$(nft list table inet hako | grep -c "chain nw-$id12-" || true)
netns=$(find "$work/hako-run/netns" -mindepth 1 2>/dev/null | wc -l)
mounts_after=$(grep -c "$work" /proc/self/mountinfo || true)
containers=$(hako ps -aq | wc -l)
printf 'left after %d cycles: bridge ports %d, leases %d, container nft chains %d, network nft chains %d (2 expected), netns files %d, mounts %d -> %d, containers %d\n' \
	"$n" "$ports" "$leases" "$ct_chains" "$nw_chains" "$netns" "$mounts_before" "$mounts_after" "$containers"
if ((ports || leases || ct_chains || nw_chains != 2 || netns || containers)) ||
	[ "$mounts_before" != "$mounts_after" ]; then
	echo "network-cycles.sh: something was left (above)" >&2
	exit 1
fi
echo "nothing left"
