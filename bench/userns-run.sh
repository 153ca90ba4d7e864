#!/bin/bash
# bench/userns-run.sh [N]: what a remapped user namespace costs, as root.
#
# 1. N (default 30) runs each of `hako run --rm busybox true` with
#    --userns=auto and with the default (the host's user namespace),
#    interleaved; both with --network none (networks have their own
#    benchmark).  Median and 90th percentile wall time, and the ratio
#    (issue 12's target: at most 1.10).
# 2. The first run of a new mapping on the image: idmapped layers against
#    the chowned copies (HAKO_TEST_IDMAP_FALLBACK=1), time and the disk the
#    store grew by.
#
# A private store and subuid/subgid files under a mktemp -d, removed at
# the end.  Run it under the system tests' lock.  Prints figures; asserts
# nothing.
set -euo pipefail
n=${1:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
hako_bin=${HAKO:-$top/build/src/cli/hako}
work=$(mktemp -d /tmp/hako-bench-userns.XXXXXX)
export HAKO_SUBUID_FILE=$work/subuid HAKO_SUBGID_FILE=$work/subgid HAKO_CONFIG=$work/hako.conf
echo "hako:200000:10000000" >"$HAKO_SUBUID_FILE"
cp "$HAKO_SUBUID_FILE" "$HAKO_SUBGID_FILE"
hako() { "$hako_bin" --root "$work/hako" --runroot "$work/hako-run" "$@"; }
cleanup() {
	local ids m
	ids=$(hako ps -aq) && [ -n "$ids" ] && tidy hako rm -f $ids
	for m in $(awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		tidy umount -l "$m"
	done
	rm -rf "$work"
}
trap cleanup EXIT

"$top/scripts/make-busybox-rootfs.sh" "$work/rootfs" >/dev/null
tar -C "$work/rootfs" -cf "$work/busybox.tar" .
hako import -c 'CMD ["sh"]' "$work/busybox.tar" busybox >/dev/null

# Warm-up: caches, hako's sealed runtime copy.
hako run --rm --network none busybox true
hako run --rm --network none --userns=auto busybox true

for ((i = 0; i < n; i++)); do
	t0=${EPOCHREALTIME/./}
	hako run --rm --network none --userns=auto busybox true
	t1=${EPOCHREALTIME/./}
	hako run --rm --network none busybox true
	t2=${EPOCHREALTIME/./}
	echo "auto $((t1 - t0))" >>"$work/times"
	echo "default $((t2 - t1))" >>"$work/times"
done

stat() { # NAME median|p90 -> microseconds
	grep "^$1 " "$work/times" | awk '{print $2}' | sort -n | awk -v q="$2" '
		{ v[NR] = $1 } END { i = (q == "median") ? int((NR + 1) / 2) : int(NR * 0.9); print v[i] }'
}
printf '`run --rm --network none busybox true`, %d runs each, interleaved (%s, %d CPUs)\n' \
	"$n" "$(uname -r)" "$(nproc)"
printf '%-14s %10s %10s\n' userns "median ms" "p90 ms"
for e in auto default; do
	printf '%-14s %10.1f %10.1f\n' "--userns=$e" "$(echo "$(stat $e median) / 1000" | bc -l)" \
		"$(echo "$(stat $e p90) / 1000" | bc -l)"
done
printf 'time ratio auto/default: %.3f\n\n' "$(echo "$(stat auto median) / $(stat default median)" | bc -l)"

# first_run LABEL HOST_START [ENV...]: one run with a mapping the store has
# not seen; its time and the store's growth in KiB while it runs.
first_run() {
	local label=$1 start=$2 before after t0 t1
	shift 2
	before=$(du -skx "$work/hako" | cut -f1)
	t0=${EPOCHREALTIME/./}
	env "$@" "$hako_bin" --root "$work/hako" --runroot "$work/hako-run" run -d --name "first-$start" \
		--network none --uidmap "0:$start:65536" --gidmap "0:$start:65536" busybox sleep 100 >/dev/null
	t1=${EPOCHREALTIME/./}
	after=$(du -skx "$work/hako" | cut -f1)
	printf '%-22s %8.1f ms %8d KiB\n' "$label" "$(echo "($t1 - $t0) / 1000" | bc -l)" $((after - before))
	hako rm -f "first-$start" >/dev/null
}
printf 'first run of a new mapping (run -d, the store'"'"'s growth while it runs):\n'
first_run 'idmapped layers' 3000000 HAKO_TEST_IDMAP_FALLBACK=0
first_run 'chowned copy' 4000000 HAKO_TEST_IDMAP_FALLBACK=1
