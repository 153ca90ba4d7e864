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
teardown() {
	# a test's own upstreams (upstream.pid, one PID a line), stopped even
	# when it failed
	local pid
	if [ -s "$BATS_TEST_TMPDIR/upstream.pid" ]; then
		for pid in $(cat "$BATS_TEST_TMPDIR/upstream.pid"); do kill "$pid" || true; done
	fi
	network_teardown
}

# lookup CONTAINER NAME: the addresses the network's server gives NAME,
# asked from inside CONTAINER, sorted, one a line.
lookup() {
	hk exec "$1" nslookup "$2" | awk '/^Name:/ { seen = 1 } seen && /^Address/ { print $NF }' | sort
}

# ask [--tcp] SERVER NAME TYPE: the answers, from the host (dns-query.py).
ask() {
	python3 "$BATS_TEST_DIRNAME/dns-query.py" "$@"
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

@test "an internal network has a server too: its names answered, nothing forwarded (SERVFAIL, as Docker)" {
	net_create closed 10.213.99.0/24 --internal
	hk run -d --name web --network closed --network-alias www busybox sleep 60 >/dev/null
	hk run -d --name client --network closed busybox sleep 60 >/dev/null
	grep -qx "nameserver 10.213.99.1" <<<"$(hk exec client cat /etc/resolv.conf)"
	[ "$(lookup client web)" = "$(container_ip web closed)" ]
	[ "$(lookup client www)" = "$(container_ip web closed)" ]
	# outside.test, which the upstream answers on an ordinary network, is
	# not asked for: SERVFAIL at once, over UDP and TCP
	run ask 10.213.99.1 outside.test A
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"rcode 2"* ]]
	run ask --tcp 10.213.99.1 outside.test A
	[[ "$output" == *"rcode 2"* ]]
	# (busybox nslookup prints the rcode; its exit status says only that
	# a reply came)
	SECONDS=0
	run hk exec client nslookup outside.test
	echo "$output"
	[[ "$output" == *"can't find outside.test: SERVFAIL"* ]]
	[[ "$output" != *192.0.2.7* ]]
	[ "$SECONDS" -lt 3 ]
	# its server is told so
	local pid found=0
	for pid in $(dns_servers); do
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--internal" && found=1
	done
	[ "$found" = 1 ]
	# a container on an ordinary network too has a way out: its queries
	# to the internal network's server (its first network's) are
	# forwarded, as Docker forwards them
	net_create names 10.213.97.0/24
	hk run -d --name both --network closed busybox sleep 60 >/dev/null
	hk network connect names both
	grep -qx "nameserver 10.213.99.1" <<<"$(hk exec both cat /etc/resolv.conf)"
	run hk exec both nslookup outside.test
	echo "$output"
	[[ "$output" == *192.0.2.7* ]]
	# while the container on the internal network alone still gets none
	run hk exec client nslookup outside.test
	[[ "$output" != *192.0.2.7* ]]
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

@test "over TCP too (RFC 7766 framing): answers, forwarding, pipelined queries; a bound on connections and sizes" {
	net_create names 10.213.97.0/24
	hk run -d --name web --network names busybox sleep 60 >/dev/null
	local ip
	ip=$(container_ip web)
	[ "$(ask --tcp 10.213.97.1 web A)" = "$ip" ]
	[ "$(ask --tcp 10.213.97.1 outside.test A)" = 192.0.2.7 ]
	python3 - <<-'PY'
		import socket, struct, time
		def q(qid, name):
		    m = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
		    m += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0\0\1\0\1"
		    return struct.pack("!H", len(m)) + m
		def replies(s, n):
		    buf, out = b"", []
		    s.settimeout(3)
		    while len(out) < n:
		        chunk = s.recv(4096)
		        assert chunk, "closed after %d replies" % len(out)
		        buf += chunk
		        while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
		            n2 = struct.unpack("!H", buf[:2])[0]
		            out.append(struct.unpack("!H", buf[2:4])[0])
		            buf = buf[2 + n2:]
		    return sorted(out)
		def conn():
		    s = socket.create_connection(("10.213.97.1", 53), timeout=3)
		    return s
		# two queries in one write, a third split across writes
		s = conn()
		s.sendall(q(1, "web") + q(2, "outside.test"))
		third = q(3, "web")
		s.sendall(third[:5]); time.sleep(0.1); s.sendall(third[5:])
		assert replies(s, 3) == [1, 2, 3]
		# a length above the server's bound: the connection is closed
		s.sendall(struct.pack("!H", 65000) + b"x" * 100)
		s.settimeout(3)
		assert s.recv(10) == b"", "oversized message answered"
		s.close()
		# 100 connections held: at most 32 stay open (each new one above
		# the bound takes the slot of the idlest), UDP and a new connection
		# are answered once they go
		held = [conn() for _ in range(100)]
		time.sleep(0.5)
		closed = 0
		for h in held:
		    h.setblocking(False)
		    try:
		        if h.recv(1) == b"":
		            closed += 1
		    except BlockingIOError:
		        pass
		    except ConnectionResetError:
		        closed += 1
		assert closed >= 60, "only %d of 100 connections refused" % closed
		u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		u.settimeout(3)
		u.sendto(q(9, "web")[2:], ("10.213.97.1", 53))
		assert struct.unpack("!H", u.recv(4096)[:2])[0] == 9
		for h in held:
		    h.close()
		time.sleep(0.2)
		s = conn()
		s.sendall(q(4, "web"))
		assert replies(s, 1) == [4]
	PY
}

# big_addresses: the 60 addresses the stub upstream gives big.test over
# TCP, sorted as dns-query.py prints them.
big_addresses() {
	seq 60 | sed 's/^/198.51.100./' | sort
}

@test "a reply too large for UDP (TC from the upstream): the UDP client gets the TC to retry, the TCP client every record, forwarded over TCP" {
	net_create names 10.213.97.0/24
	hk run -d --name web --network names busybox sleep 60 >/dev/null
	run ask 10.213.97.1 big.test A
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"truncated (TC)"* ]]
	run ask --tcp 10.213.97.1 big.test A
	[ "$status" -eq 0 ]
	[ "$output" = "$(big_addresses)" ]
	# a TCP query waiting for a silent upstream (blackhole.test, 2 s)
	# holds up neither the next query on its connection nor another
	# connection's
	python3 - <<-'PY'
		import socket, struct, time
		def q(qid, name):
		    m = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
		    m += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0\0\1\0\1"
		    return struct.pack("!H", len(m)) + m
		def reply(s):
		    buf = b""
		    while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
		        chunk = s.recv(4096)
		        assert chunk, "closed before the reply"
		        buf += chunk
		    n = struct.unpack("!H", buf[:2])[0]
		    return struct.unpack("!HHHH", buf[2:10])
		start = time.monotonic()
		a = socket.create_connection(("10.213.97.1", 53), timeout=1.5)
		a.sendall(q(1, "blackhole.test") + q(2, "big.test"))
		b = socket.create_connection(("10.213.97.1", 53), timeout=1.5)
		b.sendall(q(3, "big.test"))
		for s, qid in ((a, 2), (b, 3)):
		    rid, flags, _qd, an = reply(s)
		    assert (rid, flags & 0x20f, an) == (qid, 0, 60), (rid, flags, an)
		assert time.monotonic() - start < 1.5
	PY
}

@test "over TCP, an upstream that refuses and one whose connect hangs are given up (at once, after 2 s), the next one answers" {
	net_create names 10.213.97.0/24
	# 127.0.0.78 refuses (nothing listens); 127.0.0.79 listens with a
	# backlog of 0 that one connection fills, so the kernel drops the
	# next SYNs: a connect there hangs
	python3 -c '
import socket, sys, time
l = socket.socket()
l.bind(("127.0.0.79", 53))
l.listen(0)
filler = socket.create_connection(("127.0.0.79", 53))
open(sys.argv[1], "w").write("ready\n")
time.sleep(60)' "$BATS_TEST_TMPDIR/hang.ready" 3>&- </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/hang.log" &
	echo $! >"$BATS_TEST_TMPDIR/upstream.pid"
	local i
	for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/hang.ready" ] && break; sleep 0.05; done
	[ -s "$BATS_TEST_TMPDIR/hang.ready" ] || { cat "$BATS_TEST_TMPDIR/hang.log"; false; }
	printf 'nameserver %s\n' 127.0.0.78 127.0.0.79 127.0.0.77 >"$BATS_TEST_TMPDIR/resolv.conf"
	# the network's server starts with its first container, reading this
	HAKO_DNS_RESOLV_CONF=$BATS_TEST_TMPDIR/resolv.conf \
		hk run -d --name web --network names busybox sleep 60 >/dev/null
	local start=${EPOCHREALTIME/./} ms
	run ask --tcp 10.213.97.1 big.test A
	ms=$(((${EPOCHREALTIME/./} - start) / 1000))
	echo "$output (${ms} ms)"
	[ "$status" -eq 0 ]
	[ "$output" = "$(big_addresses)" ]
	[ "$ms" -ge 1900 ] && [ "$ms" -lt 2900 ]
}

# stub_addresses N: the N addresses the stub upstream gives huge.test
# (1200, 19 KB, over TCP) or wide.test (400, 6.4 KB), sorted as
# dns-query.py prints them.
stub_addresses() {
	local i
	for i in $(seq 0 $(($1 - 1))); do echo "198.51.$((100 + i / 250)).$((i % 250 + 1))"; done | sort
}

@test "a reply over 16 KiB from a TCP upstream is passed on whole (a DNS message over TCP may be 64 KiB)" {
	net_create names 10.213.97.0/24
	hk run -d --name web --network names busybox sleep 60 >/dev/null
	run ask --tcp 10.213.97.1 huge.test A
	[ "$status" -eq 0 ] || { echo "$output" | tail -3; false; }
	[ "$output" = "$(stub_addresses 1200)" ]
}

@test "an upstream's UDP reply longer than its client takes (512 bytes, or its EDNS0 size) goes back truncated (TC), whole over TCP; replies over 4 KiB are received whole" {
	net_create names 10.213.97.0/24
	hk run -d --name web --network names busybox sleep 60 >/dev/null
	# wide.test: the upstream sends 6.4 KB over UDP, whatever was asked
	run ask 10.213.97.1 wide.test A
	echo "$output"
	[ "$output" = "truncated (TC) with 0 answers" ]
	run ask --edns 4096 10.213.97.1 wide.test A
	echo "$output"
	[ "$output" = "truncated (TC) with 0 answers" ]
	# a client that takes 64 KiB gets all 6.4 KB over UDP: nothing is cut
	# at 4096 bytes on the way
	run ask --edns 65000 10.213.97.1 wide.test A
	[ "$status" -eq 0 ] || { echo "$output" | tail -3; false; }
	[ "$output" = "$(stub_addresses 400)" ]
	run ask --tcp 10.213.97.1 wide.test A
	[ "$status" -eq 0 ] || { echo "$output" | tail -3; false; }
	[ "$output" = "$(stub_addresses 400)" ]
	# a reply that fits goes as it is, with EDNS0 or without
	[ "$(ask --edns 1232 10.213.97.1 outside.test A)" = 192.0.2.7 ]
	[ "$(ask 10.213.97.1 outside.test A)" = 192.0.2.7 ]
}

@test "forwarding fails (no answer, a reply with another ID, an upstream that refuses): SERVFAIL with the query's ID and question, over UDP and TCP" {
	net_create names 10.213.97.0/24
	hk run -d --name web --network names busybox sleep 60 >/dev/null
	# (dns-query.py checks the reply's ID and question before its rcode)
	# the upstream never answers: SERVFAIL once its 2 s are up
	local start=${EPOCHREALTIME/./} ms
	ask 10.213.97.1 blackhole.test A >"$BATS_TEST_TMPDIR/udp.out" 2>&1 &
	local udp=$!
	run ask --tcp 10.213.97.1 blackhole.test A
	echo "tcp: $output"
	[[ "$output" == "rcode 2" ]]
	wait "$udp" || true # its exit status is 1 for an rcode: the output says which
	cat "$BATS_TEST_TMPDIR/udp.out"
	[[ "$(cat "$BATS_TEST_TMPDIR/udp.out")" == "rcode 2" ]]
	# (each client waits 3 s: an rcode at all says it came before)
	ms=$(((${EPOCHREALTIME/./} - start) / 1000))
	echo "${ms} ms"
	[ "$ms" -ge 1900 ]
	# a TCP reply with another ID, an upstream that refuses (nothing
	# listens on 127.0.0.78): SERVFAIL at once, not after 2 s
	net_create refused 10.213.98.0/24
	echo "nameserver 127.0.0.78" >"$BATS_TEST_TMPDIR/resolv.conf"
	HAKO_DNS_RESOLV_CONF=$BATS_TEST_TMPDIR/resolv.conf \
		hk run -d --name lonely --network refused busybox sleep 60 >/dev/null
	local args
	for args in "--tcp 10.213.97.1 badid.test" "10.213.98.1 outside.test" \
		"--tcp 10.213.98.1 outside.test"; do
		start=${EPOCHREALTIME/./}
		# shellcheck disable=SC2086 # the words of ARGS
		run ask $args A
		ms=$(((${EPOCHREALTIME/./} - start) / 1000))
		echo "$args: $output (${ms} ms)"
		[[ "$output" == "rcode 2" ]]
		[ "$ms" -lt 1500 ]
	done
}

# stub_start ADDRESS: one more stub upstream, on ADDRESS, for this test
# (stopped by teardown through upstream.pid).
stub_start() {
	local ready=$BATS_TEST_TMPDIR/stub-$RANDOM i
	python3 "$BATS_TEST_DIRNAME/dns-stub.py" "$1" "$ready" \
		3>&- </dev/null >/dev/null 2>"$ready.log" &
	echo $! >>"$BATS_TEST_TMPDIR/upstream.pid"
	for i in $(seq 100); do [ -s "$ready" ] && break; sleep 0.05; done
	[ -s "$ready" ] || { cat "$ready.log"; false; }
}

@test "IPv6 nameservers in resolv.conf are forwarded to, over UDP and TCP: ::1, and a link-local one with its zone (fe80::...%BRIDGE); zones naming no interface are skipped" {
	# ::1 alone
	stub_start ::1
	net_create names 10.213.97.0/24
	echo "nameserver ::1" >"$BATS_TEST_TMPDIR/resolv.conf"
	HAKO_DNS_RESOLV_CONF=$BATS_TEST_TMPDIR/resolv.conf \
		hk run -d --name web --network names busybox sleep 60 >/dev/null
	[ "$(ask 10.213.97.1 outside.test A)" = 192.0.2.7 ]
	[ "$(ask --tcp 10.213.97.1 big.test A)" = "$(big_addresses)" ]
	# a stub on the link-local address of this network's bridge (up now),
	# which needs its zone
	local i ll=
	for i in $(seq 100); do
		ll=$(ip -6 -o addr show dev hkt-names scope link |
			awk '!/tentative/ { sub(/\/.*/, "", $4); print $4 }')
		[ -n "$ll" ] && break
		sleep 0.05
	done
	echo "hkt-names: $ll"
	[ -n "$ll" ]
	stub_start "$ll%hkt-names"
	# three nameservers whose zone is no interface here come first: they
	# are skipped, not counted among the three upstreams taken, so the
	# fourth, the link-local one with its zone, is asked
	net_create zoned 10.213.96.0/24
	printf 'nameserver %s\n' fe80::1%nosuchif0 fe80::2%nosuchif1 fe80::3%nosuchif2 \
		"$ll%hkt-names" >"$BATS_TEST_TMPDIR/resolv.conf"
	HAKO_DNS_RESOLV_CONF=$BATS_TEST_TMPDIR/resolv.conf \
		hk run -d --name zoned --network zoned busybox sleep 60 >/dev/null
	[ "$(ask 10.213.96.1 outside.test A)" = 192.0.2.7 ]
	[ "$(ask --tcp 10.213.96.1 outside.test A)" = 192.0.2.7 ]
}

@test "slowloris: 32 slow TCP clients (one byte sent, then nothing) do not stop the server answering UDP and a full TCP query" {
	net_create names 10.213.97.0/24
	hk run -d --name web --network names busybox sleep 60 >/dev/null
	WEB=$(container_ip web) BIG=$(big_addresses) QUERY=$BATS_TEST_DIRNAME/dns-query.py python3 - <<-'PY'
		import os, socket, subprocess, time
		def ask(*args):
		    start = time.monotonic()
		    out = subprocess.run(["python3", os.environ["QUERY"], *args], capture_output=True,
		                         text=True, timeout=5)
		    assert out.returncode == 0, (args, out.stderr)
		    assert time.monotonic() - start < 2, (args, time.monotonic() - start)
		    return out.stdout.strip()
		# as many slow clients as the server has connections: each sends
		# the first byte of a length, then nothing
		slow = []
		for _ in range(32):
		    s = socket.create_connection(("10.213.97.1", 53), timeout=3)
		    s.sendall(b"\0")
		    slow.append(s)
		time.sleep(0.2)
		assert ask("10.213.97.1", "web", "A") == os.environ["WEB"]
		assert ask("--tcp", "10.213.97.1", "web", "A") == os.environ["WEB"]
		assert ask("--tcp", "10.213.97.1", "big.test", "A") == os.environ["BIG"]
		# the server made room by closing the slow clients idle the longest,
		# one per new connection: most are still held
		closed = 0
		for s in slow:
		    s.setblocking(False)
		    try:
		        closed += s.recv(1) == b""
		    except BlockingIOError:
		        pass
		    except ConnectionResetError:
		        closed += 1
		assert 1 <= closed <= 2, "%d slow clients closed" % closed
	PY
}

@test "query flood: a query waiting for a silent upstream holds up no other; bounded memory; still answering" {
	net_create names 10.213.97.0/24
	hk run -d --name web --network names busybox sleep 60 >/dev/null
	local pid
	pid=$(dns_servers)
	[ -n "$pid" ]
	python3 - <<-'PY'
		import os, socket, struct, time
		def q(qid, name):
		    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + b"".join(
		        bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0\0\1\0\1"
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		# 50 queries the upstream never answers: each waits 2 s, none blocks
		for i in range(50):
		    s.sendto(q(i, "blackhole.test"), ("10.213.97.1", 53))
		a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		a.settimeout(1)
		start = time.monotonic()
		a.sendto(q(7, "outside.test"), ("10.213.97.1", 53))
		reply = a.recv(4096)
		assert struct.unpack("!H", reply[:2])[0] == 7 and socket.inet_aton("192.0.2.7") in reply
		assert time.monotonic() - start < 1
		# the flood: 20000 queries, forwarded and not
		for i in range(20000):
		    name = "blackhole.test" if i % 2 else "n%d.flood.test" % i
		    s.sendto(q(i & 0xffff, name), ("10.213.97.1", 53))
		PY
	# the names of the network are answered during and after it
	[ "$(ask 10.213.97.1 web A)" = "$(container_ip web)" ]
	# its tables are fixed (128 queries in flight, 32 connections); under
	# ASan, shadow memory and the freed-memory quarantine come on top
	local rss limit=16000
	built_with_asan && limit=131072
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
	echo "hako-dns RSS ${rss} kB (limit $limit)"
	[ "$rss" -lt "$limit" ]
	# the forwarded queries' table drains (2 s per silent upstream)
	sleep 2.5
	[ "$(ask 10.213.97.1 outside.test A)" = 192.0.2.7 ]
}

@test "port 53 of the gateway taken: the container starts and the warning says the DNS server did not" {
	net_create names 10.213.97.0/24
	local lock i
	lock=$(dns_lock names)
	hk run -d --name first --network names busybox sleep 60 >/dev/null
	hk rm -f first >/dev/null
	for i in $(seq 60); do flock -n "$lock" true && break; sleep 0.05; done
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.213.97.1", 53))
open(sys.argv[1], "w").write("bound\n")
time.sleep(60)' "$BATS_TEST_TMPDIR/squatter.ready" 3>&- </dev/null >/dev/null 2>&1 &
	local squatter=$!
	for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/squatter.ready" ] && break; sleep 0.05; done
	run hk run -d --name second --network names busybox sleep 60
	kill "$squatter"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"network names: its DNS server did not start, containers get no names: hako-dns: listen on 10.213.97.1 port 53/udp: Address already in use"* ]]
	[ "$(hk inspect -f '{{.State.Running}}' second)" = true ]
	[ -z "$(dns_servers)" ]
}
