#!/usr/bin/env bats
# The native bridge driver (hako-net): leases in the store (never shared,
# gone with the container, a full subnet refused), the nftables rules of
# a container's published ports there while it runs and gone after, the
# driver's teardown after kill -9 of hako or of hako-net in the middle of
# a setup, networks recorded before the driver staying on CNI.
# (network_teardown checks after every test that no veth, bridge port,
# rule, lease or namespace is left.)

load network-helpers

setup_file() { network_setup_file; }
teardown_file() { network_teardown_file; }
setup() { network_setup; }
teardown() { network_teardown; }

refused() {
	local want=$1
	shift
	run "$@"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"$want"* ]]
}

@test "the nftables rules of published ports are there while the container runs, gone after" {
	net_create pub 10.213.91.0/24
	hk run -d --name web --network pub -p 127.0.0.1:18091:80 -p 18092:81/udp busybox \
		sh -c 'echo web >/tmp/index.html && exec httpd -f -p 80 -h /tmp' >/dev/null
	local id ip chain
	id=$(hk inspect -f '{{.Id}}' web | cut -c1-12)
	ip=$(container_ip web)
	chain=$(nft list chain inet hako "ct-$id")
	grep -q "ip daddr 127.0.0.1 tcp dport 18091 dnat ip to $ip:80" <<<"$chain"
	grep -q "udp dport 18092 dnat ip to $ip:81" <<<"$chain"
	grep -q "fib daddr type local jump ct-$id comment \"ct-$id\"" <<<"$(nft list chain inet hako prerouting)"
	grep -q "fib daddr type local jump ct-$id comment \"ct-$id\"" <<<"$(nft list chain inet hako output)"
	wait_http http://127.0.0.1:18091/index.html
	[ "$(wget --no-proxy -q -O- http://127.0.0.1:18091/index.html)" = web ]
	hk rm -f web >/dev/null
	run nft list chain inet hako "ct-$id"
	[ "$status" -ne 0 ]
	[ "$(nft list ruleset | grep -c "ct-$id")" = 0 ]
	# the network's own chains stay until network rm
	nft list chain inet hako "nw-$(hk network inspect -f '{{.Id}}' pub | cut -c1-12)-nat" >/dev/null
}

@test "containers started at once never share an address; the lease goes with the container" {
	net_create lease 10.213.92.0/24
	local i
	for i in $(seq 10); do
		hk run -d --name "l$i" --network lease busybox sleep 60 >/dev/null &
	done
	wait
	[ "$(hk ps -q | wc -l)" = 10 ]
	[ "$(for i in $(seq 10); do container_ip "l$i"; done | sort -u | wc -l)" = 10 ]
	[ "$(sqlite3 "$HAKO_ROOT/hako.db" "SELECT COUNT(*) FROM network_endpoints WHERE network = 'lease'")" = 10 ]
	local freed
	freed=$(container_ip l3)
	hk rm -f l3 >/dev/null
	[ "$(sqlite3 "$HAKO_ROOT/hako.db" "SELECT COUNT(*) FROM network_endpoints WHERE network = 'lease'")" = 9 ]
	# the lowest free address is taken next: the one l3 had
	hk run -d --name again --network lease busybox sleep 60 >/dev/null
	[ "$(container_ip again)" = "$freed" ]
	# --ip of an address in use
	refused "address $(container_ip l1) is already in use on network lease" \
		hk run --rm --network lease --ip "$(container_ip l1)" busybox true
}

@test "a /30 has room for one container: the next is refused, nothing half-made" {
	net_create tiny 10.213.93.0/30
	hk run -d --name only --network tiny busybox sleep 60 >/dev/null
	[ "$(container_ip only)" = 10.213.93.2 ]
	local before
	before=$(network_snapshot)
	refused "network tiny has no free address left (10.213.93.0/30)" \
		hk run --rm --network tiny busybox true
	refused "network tiny has no free address left" hk run -d --name second --network tiny busybox true
	[ "$(hk ps -a --format '{{.Names}}')" = only ]
	[ "$(network_snapshot)" = "$before" ]
}

@test "kill -9 of hako in the middle of a setup: rm takes away everything it made" {
	net_create mid 10.213.94.0/24
	hk run --rm --network mid busybox true # the network's own state
	# hako-net does its work, then says so and waits to be killed
	cat >"$BATS_TEST_TMPDIR/hako-net" <<-EOF
		#!/bin/sh
		"$HAKO_BUILD/src/netdrv/hako-net" "\$@" || exit
		[ "\$1" = attach ] || exit 0
		echo \$\$ >"$BATS_TEST_TMPDIR/made"
		exec sleep 60
	EOF
	chmod +x "$BATS_TEST_TMPDIR/hako-net"
	HAKO_NET=$BATS_TEST_TMPDIR/hako-net "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" \
		run -d --name victim --network mid -p 127.0.0.1::80 --cgroup-parent "$ENGINE_CGROUP" \
		busybox sleep 60 &
	local pid=$! i
	for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/made" ] && break; sleep 0.05; done
	[ -s "$BATS_TEST_TMPDIR/made" ]
	kill -9 "$pid"
	kill -9 "$(cat "$BATS_TEST_TMPDIR/made")"
	wait "$pid" || true
	# what it made: the lease, the veth, the port rules
	local id
	id=$(hk inspect -f '{{.Id}}' victim)
	[ "$(sqlite3 "$HAKO_ROOT/hako.db" "SELECT COUNT(*) FROM network_endpoints WHERE container_id = '$id'")" = 1 ]
	ip link show "vh${id:0:10}0" >/dev/null
	nft list chain inet hako "ct-${id:0:12}" >/dev/null
	hk rm -f victim >/dev/null
	# network_teardown checks that nothing is left; the rules now already
	[ "$(nft list ruleset | grep -c "ct-${id:0:12}")" = 0 ]
}

@test "hako-net killed in the middle of a setup: the error says so, nothing half-made" {
	net_create mid 10.213.94.0/24
	hk run --rm --network mid busybox true
	local before
	before=$(network_snapshot)
	cat >"$BATS_TEST_TMPDIR/hako-net" <<-EOF
		#!/bin/sh
		[ "\$1" = attach ] || exec "$HAKO_BUILD/src/netdrv/hako-net" "\$@"
		kill -9 \$\$
	EOF
	chmod +x "$BATS_TEST_TMPDIR/hako-net"
	HAKO_NET=$BATS_TEST_TMPDIR/hako-net refused "network mid: $BATS_TEST_TMPDIR/hako-net was killed by signal 9" \
		hk run --rm --network mid -p 127.0.0.1::80 busybox true
	[ -z "$(hk ps -a -q)" ]
	local i
	for i in $(seq 100); do [ "$(network_snapshot)" = "$before" ] && break; sleep 0.05; done
	[ "$(network_snapshot)" = "$before" ]
}

@test "a network recorded before the native driver stays on CNI" {
	net_create old 10.213.95.0/24
	# as an older hako left it: driver "bridge" meant CNI, no version table
	# (and none of the IPv6 columns of version 2)
	sqlite3 "$HAKO_ROOT/hako.db" "UPDATE networks SET driver = 'bridge'; DROP TABLE network_schema; DROP INDEX network_endpoints_address;
		DROP INDEX network_endpoints_address6; ALTER TABLE networks DROP COLUMN subnet6; ALTER TABLE networks DROP COLUMN gateway6;
		ALTER TABLE network_endpoints DROP COLUMN address6; ALTER TABLE network_endpoints DROP COLUMN gateway6"
	[ "$(hk network inspect -f '{{.Driver}}' old)" = cni ]
	[ "$(hk network inspect -f '{{.Driver}}' old)" = cni ]
	run hk run --rm --network old busybox ip -o -4 addr show eth0
	[ "$status" -eq 0 ]
	[[ "$output" == *"inet 10.213.95."* ]]
	# and a new one is native
	net_create new 10.213.96.0/24
	[ "$(hk network inspect -f '{{.Driver}}' new)" = bridge ]
}
