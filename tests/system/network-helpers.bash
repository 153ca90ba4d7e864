# Shared by the network bats files (network-*.bats): on top of the engine
# helpers, networks with the tests' own bridges (hkt-*) and subnets
# (10.213.0.0/16), and the check that a test left no veth, bridge port,
# firewall rule, IPAM lease or network namespace behind.
# shellcheck shell=bash

load engine-helpers

# net_create NAME SUBNET [ARGS...]: network NAME on bridge hkt-NAME.
net_create() {
	local name=$1 subnet=$2
	shift 2
	hk network create --subnet "$subnet" -o "com.docker.network.bridge.name=hkt-${name:0:11}" \
		"$@" "$name"
}

# What a container's network can leave on the host.
network_snapshot() {
	local fw
	fw=$(firewall_state) || return 1
	ip -o link show type veth | awk -F': ' '{ sub(/@.*/, "", $2); print "veth " $2 }' |
		grep -v ' hkt-host' | sort
	local b
	for b in /sys/class/net/hkt-*/brif; do
		[ -d "$b" ] && ls "$b" | sed "s|^|port of ${b#/sys/class/net/} |"
	done
	# portmap makes its CNI-HOSTPORT-* chains once and keeps them: the
	# file's teardown removes them
	grep -v -e CNI-HOSTPORT -e '^table ' <<<"$fw" | grep -- '^-A'
	# the native driver's chains and rules (table inet hako)
	if grep -qx 'table inet hako' <<<"$fw"; then
		nft list table inet hako | grep -E 'chain (nw|ct)-|comment|dnat|masquerade|drop' |
			sed 's/^[[:space:]]*/nft /' || true
	fi
	# the native driver's leases: endpoint rows
	sqlite3 "$HAKO_ROOT/hako.db" 'SELECT network, address FROM network_endpoints' 2>/dev/null |
		sed 's/^/lease /' || true
	find "$HAKO_RUNROOT/networks/ipam" -type f ! -name lock ! -name 'last_reserved_ip*' \
		2>/dev/null | sed 's/^/lease /'
	find "$HAKO_RUNROOT/netns" -mindepth 1 2>/dev/null | sed 's/^/netns /'
	find "$HAKO_RUNROOT/containers" -path '*/cni/*' 2>/dev/null | sed 's/^/cached /'
	return 0
}

# The PIDs of the DNS servers of this file's networks.
dns_servers() {
	local pid
	for pid in $(pgrep -x hako-dns 2>/dev/null); do
		grep -qF "$HAKO_RUNROOT" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
	done
	return 0
}

network_setup_file() {
	require_tools wget sqlite3
	engine_setup_file
}

network_setup() {
	engine_setup
	NETWORKS_BEFORE=$(hk network ls -q 2>/dev/null | sort)
	NETWORK_BEFORE=$(network_snapshot)
}

# Containers removed (engine_teardown), then the networks the test made;
# then nothing of theirs may be left.
network_teardown() {
	local status=0 n now
	engine_teardown || status=1
	for n in $(hk network ls -q 2>/dev/null); do
		grep -qxF "$n" <<<"$NETWORKS_BEFORE" || hk network rm "$n" >/dev/null 2>&1 || true
	done
	# the kernel removes a namespace's veth in the background: 5 s for it
	local i
	for i in $(seq 100); do
		now=$(network_snapshot)
		[ "$now" = "$NETWORK_BEFORE" ] && break
		sleep 0.05
	done
	# the DNS servers of this file's networks exit with their last
	# container, within a second
	for i in $(seq 100); do
		[ -z "$(dns_servers)" ] && break
		sleep 0.05
	done
	if [ -n "$(dns_servers)" ]; then
		echo "DNS servers left running: $(dns_servers)"
		status=1
	fi
	if [ "$now" != "$NETWORK_BEFORE" ]; then
		echo "the test left this on the host:"
		diff <(echo "$NETWORK_BEFORE") <(echo "$now") || true
		status=1
	fi
	return $status
}

network_teardown_file() {
	engine_teardown_file
}

# container_ip NAME [NETWORK]: its IPv4 address (on NETWORK).
container_ip() {
	if [ -n "${2:-}" ]; then
		hk inspect -f "{{.NetworkSettings.Networks.$2.IPAddress}}" "$1"
	else
		hk inspect -f '{{.NetworkSettings.IPAddress}}' "$1"
	fi
}

# wait_http URL: until a GET of URL from the host works (5 s at most).
wait_http() {
	local i
	for i in $(seq 100); do
		wget -q -T 1 -O /dev/null "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "nothing answers at $1" >&2
	return 1
}
