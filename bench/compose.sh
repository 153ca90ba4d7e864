#!/bin/bash
# bench/compose.sh [N]: `compose up -d` then `compose down -v` of a
# 5-service project (one network, two named volumes, one health-gated
# dependency), hako compose against Debian's podman-compose (1.0.3, the
# issue's reference; Podman with a private --root/--runroot, runc and
# cgroupfs as in bench/network.sh) and Docker Compose (Debian's
# docker-compose 1.29 on a private dockerd), interleaved, N rounds
# (default 5).  All run the same busybox image; dockerd runs in a mount
# namespace of its own (tmpfs /run, overlays on /var/lib and /etc, as
# tests/system/client-helpers.bash does) with --iptables=false and no
# default bridge.  podman-compose 1.0.3 does not wait for a
# `condition: service_healthy` (it starts in dependency order only), so
# its `up` skips the wait the others make; the health check runs every
# 200 ms to keep that wait short.  Prints the median of each and
# hako's ratios; the target is at most 0.1x podman-compose's wall time for
# up and for down.  Asserts nothing.  Run it under the system-test lock;
# it needs podman-compose (apt-get install podman-compose), which CI does
# not install.
set -euo pipefail
n=${1:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
hako_bin=${HAKO:-$top/build/src/cli/hako}
. "$top/bench/lib.sh"
work=$(mktemp -d /tmp/hako-bench-compose.XXXXXX)
hako() { "$hako_bin" --root "$work/hako" --runroot "$work/hako-run" "$@"; }
command -v podman-compose >/dev/null || {
	echo "bench/compose.sh: podman-compose is missing (apt-get install podman-compose)" >&2
	exit 1
}
podman() {
	command podman --root "$work/podman" --runroot "$work/podman-run" --runtime runc \
		--cgroup-manager cgroupfs --events-backend none --storage-driver overlay "$@"
}
# podman-compose runs `podman` by the path it is given: one with our options
mkdir -p "$work/bin"
printf '#!/bin/sh\nexec podman --root %s/podman --runroot %s/podman-run --runtime runc --cgroup-manager cgroupfs --events-backend none --storage-driver overlay "$@"\n' \
	"$work" "$work" >"$work/bin/podman"
chmod +x "$work/bin/podman"
pc() { BRIDGE=hkb-cmpp SUBNET=10.213.245.0/24 podman-compose --podman-path "$work/bin/podman" -p bench "$@"; }
podman_bridges_before=$(ip -o link show type bridge | awk -F': ' '{ print $2 }')
d() { docker -H "unix://$work/docker.sock" "$@"; }
dc() { DOCKER_HOST=unix://$work/docker.sock BRIDGE=hkb-cmpd SUBNET=10.213.243.0/24 docker-compose -p bench "$@"; }
hc() { BRIDGE=hkb-cmph SUBNET=10.213.244.0/24 hako compose -p bench "$@"; }
ns_pid='' dockerd_pid=''
cleanup() {
	local m
	(cd "$work/project" 2>/dev/null && tidy hc down -v -t 1)
	(cd "$work/project" 2>/dev/null && [ -n "$dockerd_pid" ] && tidy dc down -v -t 1)
	(cd "$work/project" 2>/dev/null && tidy pc down -v -t 1)
	tidy podman rm -f -a
	tidy podman system reset -f
	local bridge
	for bridge in $(ip -o link show type bridge | awk -F': ' '{ print $2 }'); do
		grep -qx "$bridge" <<<"$podman_bridges_before" || tidy ip link delete "$bridge"
	done
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
quietly podman load -i "$work/benchbox.tar"

mkdir -p "$work/project"
cd "$work/project"
cat >compose.yaml <<'YAML'
# root here lacks CAP_SYS_RESOURCE: runc (podman's) cannot raise the
# limits to the host's, so every engine gets these (as bench/network.sh)
x-limits: &limits {nofile: {soft: 1024, hard: 1024}, nproc: 1024}
services:
  db:
    image: benchbox
    init: true
    ulimits: *limits
    command: sh -c 'touch /data/ready; exec sleep 300'
    volumes: [data:/data]
    healthcheck: {test: "test -f /data/ready", interval: 200ms, retries: 100}
  cache:
    image: benchbox
    init: true
    ulimits: *limits
    command: sleep 300
    volumes: [cache:/cache]
  api:
    image: benchbox
    init: true
    ulimits: *limits
    command: sleep 300
    depends_on:
      db: {condition: service_healthy}
      cache: {condition: service_started}
  worker:
    image: benchbox
    init: true
    ulimits: *limits
    command: sleep 300
    volumes: [data:/data]
    depends_on: [api]
  web:
    image: benchbox
    init: true
    ulimits: *limits
    command: sleep 300
    depends_on: [api]
networks:
  default:
    driver_opts: {com.docker.network.bridge.name: "${BRIDGE}"}
    ipam: {config: [{subnet: "${SUBNET}"}]}
volumes:
  data: {}
  cache: {}
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

# all_running WHAT COUNT: a figure is worth nothing if `up` did not start
# the five (podman-compose exits 0 when its containers fail to start)
all_running() {
	[ "$2" -eq 5 ] || {
		echo "bench/compose.sh: $1: $2 of 5 containers running after up" >&2
		exit 1
	}
}
declare -a hu hd du dd pu pd
for i in $(seq "$n"); do
	hu+=("$(time_ms hc up -d)")
	all_running "hako compose" "$(hako ps -q | wc -l)"
	hd+=("$(time_ms hc down -v)")
	pu+=("$(time_ms pc up -d)")
	all_running podman-compose "$(podman ps -q | wc -l)"
	pd+=("$(time_ms pc down -v)")
	du+=("$(time_ms dc up -d)")
	all_running docker-compose "$(d ps -q | wc -l)"
	dd+=("$(time_ms dc down -v)")
done
# report WHAT HAKO PODMAN DOCKER: the medians and hako's ratios
report() {
	local h p d
	h=$(printf '%s\n' "${@:2:1}" | tr ' ' '\n' | median)
	p=$(printf '%s\n' "${@:3:1}" | tr ' ' '\n' | median)
	d=$(printf '%s\n' "${@:4:1}" | tr ' ' '\n' | median)
	printf '%s, median of %d:\n' "$1" "$n"
	printf '  hako compose     %6d ms\n  podman-compose   %6d ms\n  docker-compose   %6d ms\n' "$h" "$p" "$d"
	printf '  hako/podman-compose %6.3f   (target <= 0.1)\n  hako/docker-compose %6.3f\n' \
		"$(echo "$h / $p" | bc -l)" "$(echo "$h / $d" | bc -l)"
}
report 'compose up -d (5 services, 2 volumes, health-gated)' "${hu[*]}" "${pu[*]}" "${du[*]}"
report 'compose down -v' "${hd[*]}" "${pd[*]}" "${dd[*]}"
