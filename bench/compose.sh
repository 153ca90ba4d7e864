#!/bin/bash
# bench/compose.sh [N]: `compose up -d` then `compose down` of a
# 3-service project (one network, one named volume, one health-gated
# dependency), hako compose against Docker Compose (Debian's
# docker-compose 1.29 on a private dockerd), interleaved, N rounds
# (default 5).  Both run the same busybox image; dockerd runs in a mount
# namespace of its own (tmpfs /run, overlays on /var/lib and /etc, as
# tests/system/client-helpers.bash does) with --iptables=false and no
# default bridge.  Prints the median of each and the ratios; asserts
# nothing.  Run it under the system-test lock.
set -euo pipefail
n=${1:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
hako_bin=${HAKO:-$top/build/src/cli/hako}
. "$top/bench/lib.sh"
work=$(mktemp -d /tmp/hako-bench-compose.XXXXXX)
hako() { "$hako_bin" --root "$work/hako" --runroot "$work/hako-run" "$@"; }
d() { docker -H "unix://$work/docker.sock" "$@"; }
dc() { DOCKER_HOST=unix://$work/docker.sock BRIDGE=hkb-cmpd SUBNET=10.213.243.0/24 docker-compose -p bench "$@"; }
hc() { BRIDGE=hkb-cmph SUBNET=10.213.244.0/24 hako compose -p bench "$@"; }
ns_pid='' dockerd_pid=''
cleanup() {
	local m
	(cd "$work/project" 2>/dev/null && tidy hc down -v -t 1)
	(cd "$work/project" 2>/dev/null && [ -n "$dockerd_pid" ] && tidy dc down -v -t 1)
	[ -n "$dockerd_pid" ] && kill "$dockerd_pid" 2>/dev/null && tail --pid="$dockerd_pid" -f /dev/null
	[ -n "$ns_pid" ] && kill "$ns_pid" 2>/dev/null && tail --pid="$ns_pid" -f /dev/null
	for m in $(awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		tidy umount -l "$m"
	done
	rm -rf "$work"
}
trap cleanup EXIT

# the image, in both stores
"$top/scripts/make-busybox-rootfs.sh" "$work/rootfs" >/dev/null
tar -C "$work/rootfs" -cf "$work/busybox.tar" .
quietly hako import -c 'CMD ["sh"]' "$work/busybox.tar" benchbox
quietly hako save -o "$work/benchbox.tar" benchbox

# a private dockerd
mkdir -p "$work"/ns/{varlib,etc}/{upper,work}
unshare --mount --propagation private -- sh -c '
	set -e
	mount -t tmpfs -o mode=0755 bench-run /run
	mount -t overlay -o "lowerdir=/var/lib,upperdir=$1/varlib/upper,workdir=$1/varlib/work" bench-varlib /var/lib
	mount -t overlay -o "lowerdir=/etc,upperdir=$1/etc/upper,workdir=$1/etc/work" bench-etc /etc
	echo ready >"$1/ready"
	exec sleep 2147483647' sh "$work/ns" &
ns_pid=$!
for _ in $(seq 100); do [ -f "$work/ns/ready" ] && break; sleep 0.05; done
echo '{}' >"$work/daemon.json"
nsenter --target "$ns_pid" --mount -- dockerd --config-file "$work/daemon.json" \
	--data-root "$work/docker" --exec-root "$work/docker-exec" --pidfile "$work/dockerd.pid" \
	-H "unix://$work/docker.sock" --iptables=false --ip-forward=false --ip-masq=false \
	--bridge none >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 300); do d version >/dev/null 2>&1 && break; sleep 0.1; done
quietly d load -i "$work/benchbox.tar"

mkdir -p "$work/project"
cd "$work/project"
cat >compose.yaml <<'YAML'
services:
  db:
    image: benchbox
    init: true
    command: sh -c 'touch /data/ready; exec sleep 300'
    volumes: [data:/data]
    healthcheck: {test: "test -f /data/ready", interval: 1s, retries: 30}
  api:
    image: benchbox
    init: true
    command: sleep 300
    depends_on:
      db: {condition: service_healthy}
  web:
    image: benchbox
    init: true
    command: sleep 300
    depends_on: [api]
networks:
  default:
    driver_opts: {com.docker.network.bridge.name: "${BRIDGE}"}
    ipam: {config: [{subnet: "${SUBNET}"}]}
volumes:
  data: {}
YAML

# time_ms COMMAND...: the wall time of COMMAND in ms
time_ms() {
	local start end
	start=$(date +%s%N)
	quietly "$@"
	end=$(date +%s%N)
	echo $(((end - start) / 1000000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -a hu hd du dd
for i in $(seq "$n"); do
	hu+=("$(time_ms hc up -d)")
	hd+=("$(time_ms hc down -v)")
	du+=("$(time_ms dc up -d)")
	dd+=("$(time_ms dc down -v)")
done
h_up=$(printf '%s\n' "${hu[@]}" | median)
h_down=$(printf '%s\n' "${hd[@]}" | median)
d_up=$(printf '%s\n' "${du[@]}" | median)
d_down=$(printf '%s\n' "${dd[@]}" | median)
printf 'compose up -d (3 services, health-gated), median of %d:\n' "$n"
printf '  hako compose     %6d ms\n  docker-compose   %6d ms\n  ratio            %6.2f\n' \
	"$h_up" "$d_up" "$(echo "$h_up / $d_up" | bc -l)"
printf 'compose down -v, median of %d:\n' "$n"
printf '  hako compose     %6d ms\n  docker-compose   %6d ms\n  ratio            %6.2f\n' \
	"$h_down" "$d_down" "$(echo "$h_down / $d_down" | bc -l)"
