#!/usr/bin/env bats
# The DNS server of a user network (hako-dns): A for container names,
# aliases, short IDs (every address of a shared alias), PTR for their
# addresses, names the moment containers connect or disconnect, everything
# else forwarded to the host's resolver — here one on 127.0.0.77 that the
# file starts (HAKO_DNS_RESOLV_CONF names it), which containers could not
# reach themselves; the server starts with the network's first container
# and exits with its last.  Traffic: the test containers and 127.0.0.77.

load network-helpers

setup_file() {
	require_tools python3
	network_setup_file
	echo "nameserver 127.0.0.77" >"$BATS_FILE_TMPDIR/resolv.conf"
	export HAKO_DNS_RESOLV_CONF=$BATS_FILE_TMPDIR/resolv.conf
	python3 "$BATS_TEST_DIRNAME/dns-stub.py" 127.0.0.77 "$BATS_FILE_TMPDIR/stub.ready" \
		3>&- </dev/null >/dev/null 2>"$BATS_FILE_TMPDIR/stub.log" &
	echo $! >"$BATS_FILE_TMPDIR/stub.pid"
	local i
	for i in $(seq 100); do [ -s "$BATS_FILE_TMPDIR/stub.ready" ] && break; sleep 0.05; done
	[ -s "$BATS_FILE_TMPDIR/stub.ready" ] || { cat "$BATS_FILE_TMPDIR/stub.log"; return 1; }
}
teardown_file() {
	kill "$(cat "$BATS_FILE_TMPDIR/stub.pid")" || true
	network_teardown_file
}
setup() { network_setup; }
teardown() { network_teardown; }

# lookup CONTAINER NAME: the addresses the network's server gives NAME,
# asked from inside CONTAINER, sorted, one a line.
lookup() {
	hk exec "$1" nslookup "$2" | awk '/^Name:/ { seen = 1 } seen && /^Address/ { print $NF }' | sort
}

dns_lock() {
	echo "$HAKO_RUNROOT/networks/dns-$(hk network inspect -f '{{.Id}}' "$1" | cut -c1-12).lock"
}

@test "names, aliases and short IDs are answered by the network's server; PTR too" {
	net_create names 10.213.97.0/24
	hk run -d --name web --network names --network-alias www busybox sleep 60 >/dev/null
	hk run -d --name client --network names busybox sleep 60 >/dev/null
	local ip id
	ip=$(container_ip web)
	id=$(hk inspect -f '{{.Id}}' web | cut -c1-12)
	grep -qx "nameserver 10.213.97.1" <<<"$(hk exec client cat /etc/resolv.conf)"
	[ "$(lookup client web)" = "$ip" ]
	[ "$(lookup client www)" = "$ip" ]
	[ "$(lookup client "$id")" = "$ip" ]
	[ "$(lookup client WEB)" = "$ip" ]
	run hk exec client nslookup "$ip"
	[[ "$output" == *"name = web"* ]]
}

@test "a shared alias answers with every address (replicas)" {
	net_create names 10.213.97.0/24
	hk run -d --name r1 --network names --network-alias api busybox sleep 60 >/dev/null
	hk run -d --name r2 --network names --network-alias api busybox sleep 60 >/dev/null
	[ "$(lookup r1 api)" = "$(printf '%s\n' "$(container_ip r1)" "$(container_ip r2)" | sort)" ]
}

@test "names change the moment a container connects or disconnects" {
	net_create names 10.213.97.0/24
	net_create other 10.213.98.0/24
	hk run -d --name client --network names busybox sleep 60 >/dev/null
	hk run -d --name late --network other busybox sleep 60 >/dev/null
	run hk exec client nslookup late
	[ "$status" -ne 0 ]
	hk network connect names late
	[ "$(lookup client late)" = "$(container_ip late names)" ]
	hk network disconnect names late
	run hk exec client nslookup late
	[ "$status" -ne 0 ]
}

@test "other names are forwarded to the host's resolver, one on 127.x" {
	net_create names 10.213.97.0/24
	run hk run --rm --network names busybox nslookup outside.test
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"192.0.2.7"* ]]
}

@test "the server starts with the network's first container and exits with its last" {
	net_create names 10.213.97.0/24
	local lock
	lock=$(dns_lock names)
	[ ! -e "$lock" ] || flock -n "$lock" true
	hk run -d --name one --network names busybox sleep 60 >/dev/null
	hk run -d --name two --network names busybox sleep 60 >/dev/null
	run flock -n "$lock" true
	[ "$status" -ne 0 ]
	# one server, however many containers
	local pid count=0
	for pid in $(pgrep -x hako-dns); do
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$lock" && count=$((count + 1))
	done
	[ "$count" = 1 ]
	hk rm -f one >/dev/null
	run flock -n "$lock" true
	[ "$status" -ne 0 ]
	hk rm -f two >/dev/null
	local i
	for i in $(seq 60); do flock -n "$lock" true && break; sleep 0.05; done
	flock -n "$lock" true
}

@test "the default network has no DNS server: the host's resolvers, as Docker's bridge" {
	run hk run --rm busybox cat /etc/resolv.conf
	[ "$status" -eq 0 ]
	[[ "$output" != *"nameserver 10.213.250.1"* ]]
}

@test "malformed packets to the server: it keeps answering the others" {
	net_create names 10.213.97.0/24
	hk run -d --name web --network names busybox sleep 60 >/dev/null
	python3 - <<-'PY'
		import os, socket
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		for n in range(200):
		    s.sendto(os.urandom(n % 64 + 1), ("10.213.97.1", 53))
		# a response, a query with no question, one with a name pointer loop
		s.sendto(b"\x12\x34\x81\x80" + b"\x00" * 8, ("10.213.97.1", 53))
		s.sendto(b"\x12\x34\x01\x00\x00\x00" + b"\x00" * 6, ("10.213.97.1", 53))
		s.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01", ("10.213.97.1", 53))
	PY
	[ "$(lookup web web)" = "$(container_ip web)" ]
}
