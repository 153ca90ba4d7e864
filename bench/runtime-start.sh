#!/bin/bash
# bench/runtime-start.sh [N] [plain|secure]: N (default 100) sequential
# containers of /bin/true from one busybox bundle with hako-runtime, crun
# and runc, interleaved, and the peak RSS of one `run` of each.  Prints the
# median and 90th percentile time per container and the ratios; asserts
# nothing.  "secure" adds a Docker-like default seccomp profile
# (tests/system/data/docker-default-seccomp.json) and cpu, memory and pids
# limits; without the argument both are measured.
#
# crun refuses this host's hybrid cgroup layout, so the whole loop runs in
# a private mount namespace where an empty file hides the controllers of
# the cgroup2 tree (all three runtimes run there, alike).
set -euo pipefail
n=${1:-100}
if [ -z "${2:-}" ]; then
	"$0" "$n" plain
	echo
	exec "$0" "$n" secure
fi
mode=$2
top=$(cd "$(dirname "$0")/.." && pwd)
hako=${HAKO_RUNTIME:-$top/build/src/cli/hako-runtime}
work=$(mktemp -d /tmp/hako-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$top/scripts/make-busybox-bundle.sh" "$work/bundle" true >/dev/null
filter='.linux.cgroupsPath = "/hakobench/c" | .ociVersion = "1.0.2"'
if [ "$mode" = secure ]; then
	filter="$filter"' | .linux.seccomp = $p[0] | .linux.resources += {memory: {limit: 268435456}, cpu: {shares: 512, quota: 50000, period: 100000}, pids: {limit: 100}}'
fi
jq --slurpfile p "$top/tests/system/data/docker-default-seccomp.json" "$filter" "$work/bundle/config.json" >"$work/c.json"
mv "$work/c.json" "$work/bundle/config.json"
touch "$work/empty"

cat >"$work/loop.sh" <<'LOOP'
set -euo pipefail
work=$1 n=$2 hako=$3
controllers=/sys/fs/cgroup/unified/cgroup.controllers
[ -e "$controllers" ] && mount --bind "$work/empty" "$controllers"
declare -A cmd=(
	[hako]="$hako --root $work/state-hako run --bundle $work/bundle"
	[crun]="crun --root $work/state-crun run --bundle $work/bundle"
	[runc]="runc --root $work/state-runc run --bundle $work/bundle"
)
# one warm-up each: caches, the sealed copy of hako-runtime
for rt in hako crun runc; do ${cmd[$rt]} warm-$rt >/dev/null; done
for ((i = 0; i < n; i++)); do
	for rt in hako crun runc; do
		t0=${EPOCHREALTIME/./}
		${cmd[$rt]} "b$i" >/dev/null
		t1=${EPOCHREALTIME/./}
		echo "$rt $((t1 - t0))" >>"$work/times"
	done
done
for rt in hako crun runc; do
	for i in 1 2 3 4 5; do
		/usr/bin/time -f "$rt %M" ${cmd[$rt]} "m$i" 2>>"$work/rss" >/dev/null
	done
done
LOOP
unshare -m --propagation private bash "$work/loop.sh" "$work" "$n" "$hako"
rmdir /sys/fs/cgroup/*/hakobench 2>/dev/null || true

stat() { # RUNTIME FIELD(median|p90)
	grep "^$1 " "$work/times" | awk '{print $2}' | sort -n | awk -v q="$2" '
		{ v[NR] = $1 } END { i = (q == "median") ? int((NR + 1) / 2) : int(NR * 0.9); print v[i] }'
}
rss() { grep "^$1 " "$work/rss" | awk '{print $2}' | sort -n | sed -n 3p; }

printf '%d containers each, /bin/true, %s config, interleaved (%s)\n' "$n" "$mode" "$(uname -r)"
printf '%-6s %12s %12s %14s\n' runtime "median ms" "p90 ms" "peak RSS KiB"
for rt in hako crun runc; do
	printf '%-6s %12.2f %12.2f %14d\n' "$rt" "$(echo "$(stat $rt median) / 1000" | bc -l)" \
		"$(echo "$(stat $rt p90) / 1000" | bc -l)" "$(rss $rt)"
done
printf 'time ratio hako/crun: %.2f   hako/runc: %.2f\n' \
	"$(echo "$(stat hako median) / $(stat crun median)" | bc -l)" \
	"$(echo "$(stat hako median) / $(stat runc median)" | bc -l)"
printf 'RSS ratio  hako/crun: %.2f   hako/runc: %.2f\n' \
	"$(echo "$(rss hako) / $(rss crun)" | bc -l)" "$(echo "$(rss hako) / $(rss runc)" | bc -l)"
