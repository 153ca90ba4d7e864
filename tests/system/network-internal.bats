#!/usr/bin/env bats
# --internal networks: containers on one reach each other and nothing else —
# not the outside, not the host's addresses but for the network's DNS
# server on the gateway's port 53.  The "host's other address" is
# one the test makes: 10.213.199.1 on a veth of the host (this kernel may
# have no dummy interfaces), served by busybox httpd on the host.

load network-helpers

HOST_ADDR=10.213.199.1

setup_file() {
	network_setup_file
	ip link add hkt-hosta type veth peer name hkt-hostb
	ip addr add "$HOST_ADDR/32" dev hkt-hosta
	ip link set hkt-hosta up
	mkdir -p "$BATS_FILE_TMPDIR/www"
	echo host >"$BATS_FILE_TMPDIR/www/index.html"
	busybox httpd -f -p "$HOST_ADDR:8099" -h "$BATS_FILE_TMPDIR/www" </dev/null >"$BATS_FILE_TMPDIR/httpd.log" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/httpd.pid"
}

teardown_file() {
	kill "$(cat "$BATS_FILE_TMPDIR/httpd.pid")" 2>/dev/null || true
	ip link del hkt-hosta 2>/dev/null || true
	network_teardown_file
}

setup() { network_setup; }
# a host httpd a failed test left on a gateway address, by its PID
teardown() {
	[ ! -e "$BATS_TEST_TMPDIR/gw-httpd.pid" ] || kill "$(cat "$BATS_TEST_TMPDIR/gw-httpd.pid")" || true
	network_teardown
}

# reach NETWORK URL: GET from a container on NETWORK, 3 s at most.  (Not
# as the container's pid 1, which timeout's signal could not end: pid 1
# ignores signals it has no handler for.)
reach() {
	hk run --rm --network "$1" busybox sh -c "timeout 3 wget -q -O- '$2'; exit \$?"
}

@test "a container reaches the host's address on a network, not on an internal one" {
	net_create open 10.213.41.0/24
	net_create closed 10.213.42.0/24 --internal
	run reach open "http://$HOST_ADDR:8099/index.html"
	[ "$status" -eq 0 ]
	[ "$output" = host ]
	run reach closed "http://$HOST_ADDR:8099/index.html"
	[ "$status" -ne 0 ]
	[ "$output" != host ]
	# not even by a route of its own making: there is no gateway to use
	run hk run --rm --network closed --cap-add NET_ADMIN busybox sh -c \
		"ip route add $HOST_ADDR/32 dev eth0 && timeout 3 wget -q -O- http://$HOST_ADDR:8099/index.html; exit \$?"
	[ "$output" != host ]
}

@test "containers on an internal network reach each other by name" {
	net_create closed 10.213.42.0/24 --internal
	hk run -d --name inside --network closed busybox \
		sh -c 'echo inside >/tmp/index.html && exec httpd -f -p 80 -h /tmp' >/dev/null
	run hk run --rm --network closed busybox sh -c \
		'for i in $(seq 50); do wget -q -O- http://inside/index.html && exit 0; sleep 0.1; done; exit 1'
	[ "$status" -eq 0 ]
	[ "$output" = inside ]
}

@test "an internal network has no route out, no NAT; its bridge holds the gateway for DNS alone" {
	net_create closed 10.213.42.0/24 --internal
	run hk run --rm --network closed busybox ip route
	[ "$status" -eq 0 ]
	[[ "$output" != *default* ]]
	[[ "$output" != *10.213.42.1* ]]
	# the gateway address, which the DNS server listens on
	[ "$(ip -4 -o addr show hkt-closed | awk '{ print $4 }')" = 10.213.42.1/24 ]
	local nw rules input
	nw=nw-$(hk network inspect -f '{{.Id}}' closed | cut -c1-12)
	rules=$(nft list table inet hako)
	[ "$(grep -c masquerade <<<"$(nft list chain inet hako "$nw-nat")")" = 0 ]
	[ "$(grep -c 10.213.42.0/24 <<<"$rules")" = 0 ]
	grep -q 'iifname "hkt-closed" oifname != "hkt-closed" drop' <<<"$(nft list chain inet hako "$nw-fwd")"
	input=$(nft list chain inet hako input)
	grep -q "iifname \"hkt-closed\" ip daddr 10.213.42.1 udp dport 53 accept comment \"$nw\"" <<<"$input"
	grep -q "iifname \"hkt-closed\" ip daddr 10.213.42.1 tcp dport 53 accept comment \"$nw\"" <<<"$input"
	grep -q "iifname \"hkt-closed\" drop comment \"$nw\"" <<<"$input"
	[ "$(hk network inspect -f '{{.Internal}}' closed)" = true ]
}

@test "an internal network's containers reach the gateway's DNS server, nothing else of the host there" {
	net_create closed 10.213.42.0/24 --internal
	hk run -d --name inside --network closed busybox sleep 60 >/dev/null
	# a service of the host on the gateway address (which exists now)
	busybox httpd -f -p 10.213.42.1:8099 -h "$BATS_FILE_TMPDIR/www" </dev/null >/dev/null 2>&1 3>&- &
	echo $! >"$BATS_TEST_TMPDIR/gw-httpd.pid"
	local i
	for i in $(seq 50); do
		wget -q -O- http://10.213.42.1:8099/index.html >/dev/null && break
		sleep 0.1
	done
	# the host reaches it there (the control)
	[ "$(wget -q -O- http://10.213.42.1:8099/index.html)" = host ]
	run hk exec inside timeout 3 wget -q -O- http://10.213.42.1:8099/index.html
	kill "$(cat "$BATS_TEST_TMPDIR/gw-httpd.pid")"
	rm "$BATS_TEST_TMPDIR/gw-httpd.pid"
	[ "$status" -ne 0 ]
	[ "$output" != host ]
	# while port 53 there answers
	run hk exec inside nslookup inside
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Address: $(container_ip inside closed)"* ]]
}

@test "ports are not published from an internal network" {
	net_create closed 10.213.42.0/24 --internal
	hk run -d --name quiet --network closed -p 80 busybox sleep 60 >/dev/null
	[ -z "$(hk port quiet)" ]
}
