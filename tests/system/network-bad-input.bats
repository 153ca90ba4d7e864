#!/usr/bin/env bats
# Networks asked for wrongly, or that cannot be made: a clear error, exit
# 125, and nothing half-configured — no container, veth, rule, lease or
# namespace (network_teardown checks all of them after each test).

load network-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	require_tools python3
	network_setup_file
}
teardown_file() { network_teardown_file; }
setup() { network_setup; }
teardown() { network_teardown; }

# refused MESSAGE COMMAND...: hako fails with 125 and says MESSAGE.
refused() {
	local want=$1
	shift
	run "$@"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"$want"* ]]
}

@test "an overlapping subnet is refused" {
	net_create wide 10.213.60.0/22
	refused "subnet 10.213.61.128/25 overlaps with network wide (10.213.60.0/22)" \
		net_create narrow 10.213.61.128/25
	refused "overlaps with network wide" net_create wider 10.213.0.0/16
	[ "$(hk network ls --format '{{.Name}}')" = wide ]
	refused "network with name wide already exists" net_create wide 10.213.70.0/24
	refused "bridge hkt-wide is already used by network wide" \
		hk network create --subnet 10.213.71.0/24 -o com.docker.network.bridge.name=hkt-wide other
}

@test "bad subnets, gateways, names and options are refused" {
	refused "--subnet: \`10.213.60.0\` is not ADDRESS/PREFIX" net_create a 10.213.60.0
	refused "the address has host bits set (10.213.60.0/24?)" net_create a 10.213.60.7/24
	refused "an IPv6 subnet needs --ipv6" net_create a fd00:213::/64
	refused "--gateway 10.213.61.1 is not a usable address of the subnet" \
		net_create a 10.213.60.0/24 --gateway 10.213.61.1
	refused "--gateway 10.213.60.255 is not a usable address" net_create a 10.213.60.0/24 --gateway 10.213.60.255
	refused 'network name "none" is reserved' net_create none 10.213.60.0/24
	refused 'invalid network name "-x"' hk network create -- -x
	refused "-o mtu: unknown option" net_create a 10.213.60.0/24 -o mtu=1400
	refused "--driver macvlan: the drivers are bridge (native) and cni" net_create a 10.213.60.0/24 -d macvlan
	refused "the host has an interface lo that is not a bridge" \
		hk network create --subnet 10.213.60.0/24 -o com.docker.network.bridge.name=lo a
	[ -z "$(hk network ls -q)" ]
}

@test "a network that does not exist: no container is made" {
	refused "network nosuch not found" hk run --rm --network nosuch busybox true
	refused "network nosuch not found" hk create --network nosuch busybox true
	refused "network nosuch not found" hk network rm nosuch
	hk network rm -f nosuch
	[ -z "$(hk ps -a -q)" ]
}

@test "a port that a process of the host holds: the container does not start, nothing is left" {
	python3 -c 'import socket, time, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); sys.stdout.close(); time.sleep(60)' >"$BATS_TEST_TMPDIR/port" 3>&- &
	local holder=$!
	local i
	for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/port" ] && break; sleep 0.05; done
	local port
	port=$(cat "$BATS_TEST_TMPDIR/port")
	refused "port $port/tcp is already in use on the host at 127.0.0.1" \
		hk run -d --name blocked -p "127.0.0.1:$port:80" busybox sleep 60
	kill "$holder"
	[ -z "$(hk ps -a -q)" ]
}

@test "a port that another container publishes is refused" {
	hk run -d --name first -p 127.0.0.1::80 busybox sleep 60 >/dev/null
	local port
	port=$(hk port first 80)
	port=${port#*:}
	refused "port $port/tcp is already published by container $(hk inspect -f '{{.Id}}' first | cut -c1-12)" \
		hk run -d --name second -p "$port:80" busybox sleep 60
	[ "$(hk ps -a --format '{{.Names}}')" = first ]
}

@test "a missing CNI plugin (--driver cni): a clear error before anything is made" {
	net_create viacni 10.213.63.0/24 --driver cni
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	HAKO_CNI_PATH=$BATS_TEST_TMPDIR/empty refused \
		"CNI plugin \`bridge\` not found in $BATS_TEST_TMPDIR/empty (install the containernetworking-plugins package" \
		hk run --rm --network viacni busybox true
	[[ "$output" == *"network viacni needs CNI plugins (or use --network none or host)"* ]]
	# --network none and the native driver need none
	HAKO_CNI_PATH=$BATS_TEST_TMPDIR/empty hk run --rm --network none busybox true
	HAKO_CNI_PATH=$BATS_TEST_TMPDIR/empty hk run --rm -p 80 busybox true
	# portmap, only when ports are published
	mkdir -p "$BATS_TEST_TMPDIR/some"
	ln -s /usr/lib/cni/bridge /usr/lib/cni/host-local "$BATS_TEST_TMPDIR/some/"
	HAKO_CNI_PATH=$BATS_TEST_TMPDIR/some hk run --rm --network viacni busybox true
	HAKO_CNI_PATH=$BATS_TEST_TMPDIR/some refused "CNI plugin \`portmap\` not found" \
		hk run --rm --network viacni -p 80 busybox true
	[ -z "$(hk ps -a -q)" ]
}

@test "a CNI plugin that fails half-way: its message, and the plugins before it undone" {
	mkdir -p "$BATS_TEST_TMPDIR/cni"
	ln -s /usr/lib/cni/bridge /usr/lib/cni/host-local "$BATS_TEST_TMPDIR/cni/"
	# a portmap that fails ADD as plugins do, and accepts DEL
	cat >"$BATS_TEST_TMPDIR/cni/portmap" <<-'EOF'
		#!/bin/sh
		cat >/dev/null
		[ "$CNI_COMMAND" = ADD ] || exit 0
		echo '{"cniVersion":"1.0.0","code":100,"msg":"injected failure","details":"by the test"}'
		exit 1
	EOF
	chmod +x "$BATS_TEST_TMPDIR/cni/portmap"
	net_create half 10.213.61.0/24 --driver cni
	hk run --rm --network half busybox true # the network's own state, made once
	local before
	before=$(network_snapshot)
	HAKO_CNI_PATH=$BATS_TEST_TMPDIR/cni refused \
		"CNI plugin \`portmap\` (ADD): injected failure: by the test" \
		hk run --rm --network half -p 127.0.0.1::80 busybox true
	# the bridge plugin's veth and host-local's lease are gone again
	[ "$(network_snapshot)" = "$before" ]
	[ -z "$(hk ps -a -q)" ]
}

@test "a network in use cannot be removed; --ip outside the subnet; a bad MAC" {
	net_create busy 10.213.62.0/24
	hk create --name user --network busy busybox true >/dev/null
	refused "network busy is used by container user" hk network rm busy
	refused "--ip 10.213.99.5 is not a free address of network busy (10.213.62.0/24)" \
		hk run --rm --network busy --ip 10.213.99.5 busybox true
	refused "--ip 10.213.62.1 is not a free address" hk run --rm --network busy --ip 10.213.62.1 busybox true
	refused "--mac-address: \`02:42:zz:00:00:01\` is not a unicast MAC address" \
		hk run --rm --network busy --mac-address 02:42:zz:00:00:01 busybox true
	refused "--network none: none, host and container:NAME cannot be combined" \
		hk run --rm --network busy --network none busybox true
	refused "--network busy is given twice" hk run --rm --network busy --network busy busybox true
	[ "$(hk ps -a --format '{{.Names}}')" = user ]
}
