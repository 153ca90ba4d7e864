#!/usr/bin/env bats
# IPv6 dual stack on the native driver: `network create --ipv6` gives a
# network an IPv6 subnet next to its IPv4 one (a free /64 of the ULA
# prefix fd89:6861:6b6f::/48 unless --subnet names one), the bridge its
# IPv6 gateway, each container an address of each family (leased in the
# store as the IPv4 ones) and an IPv6 default route, usable at once (no
# duplicate address detection on the container's interface or the
# bridge).  Traffic: only between the test containers and to the host's
# ::1.  (network_teardown checks after every test that nothing is left.)

load network-helpers

# hako-net turns IPv6 forwarding on for a dual-stack network and leaves
# it on (as Docker and netavark do); the tests put the host's value back.
setup_file() {
	require_tools curl python3 ss nft nsenter
	export IPV6_FORWARDING_BEFORE
	IPV6_FORWARDING_BEFORE=$(cat /proc/sys/net/ipv6/conf/all/forwarding)
	network_setup_file
}
teardown_file() {
	network_teardown_file
	echo "$IPV6_FORWARDING_BEFORE" >/proc/sys/net/ipv6/conf/all/forwarding
}
setup() { network_setup; }
# A helper a failed test left (udp_echo's server, a port holder) first:
# the echo server keeps a container's namespace alive.
teardown() {
	local f
	for f in "$BATS_TEST_TMPDIR"/*.pid; do
		[ -e "$f" ] && { kill "$(cat "$f")" 2>/dev/null || true; }
	done
	network_teardown
}

refused() {
	local want=$1
	shift
	run "$@"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"$want"* ]]
}

# container_ip6 NAME [NETWORK]: its IPv6 address (on NETWORK, default v6).
container_ip6() {
	hk inspect -f "{{.NetworkSettings.Networks.${2:-v6}.GlobalIPv6Address}}" "$1"
}

@test "network create --ipv6: a free ULA /64 of its own; inspect shows both subnets and gateways" {
	net_create v6 10.213.101.0/24 --ipv6
	net_create v6b 10.213.102.0/24 --ipv6
	[ "$(hk network inspect -f '{{.EnableIPv6}}' v6)" = true ]
	run hk network inspect -f '{{json .IPAM.Config}}' v6
	echo "$output"
	[ "$(jq -r '.[0] | "\(.Subnet) \(.Gateway)"' <<<"$output")" = "10.213.101.0/24 10.213.101.1" ]
	local s1 s2 gw1
	s1=$(jq -r '.[1].Subnet' <<<"$output")
	gw1=$(jq -r '.[1].Gateway' <<<"$output")
	[[ "$s1" =~ ^fd89:6861:6b6f:(:|[0-9a-f]{1,4}::)/64$ ]]
	[ "$gw1" = "${s1%/64}1" ]
	s2=$(hk network inspect -f '{{json .IPAM.Config}}' v6b | jq -r '.[1].Subnet')
	[[ "$s2" =~ ^fd89:6861:6b6f:(:|[0-9a-f]{1,4}::)/64$ ]]
	[ "$s1" != "$s2" ]
	# an IPv4-only network stays so
	net_create v4 10.213.103.0/24
	[ "$(hk network inspect -f '{{.EnableIPv6}}' v4)" = false ]
	[ "$(hk network inspect -f '{{json .IPAM.Config}}' v4 | jq length)" = 1 ]
}

@test "--ipv6 --subnet: the given IPv6 subnet; an overlapping one is refused" {
	net_create v6 10.213.101.0/24 --ipv6 --subnet fd00:213:1::/64
	[ "$(hk network inspect -f '{{json .IPAM.Config}}' v6 | jq -r '.[1] | "\(.Subnet) \(.Gateway)"')" = \
		"fd00:213:1::/64 fd00:213:1::1" ]
	refused "subnet fd00:213:1::/80 overlaps with network v6 (fd00:213:1::/64)" \
		net_create v6b 10.213.102.0/24 --ipv6 --subnet fd00:213:1::/80
	refused "subnet fd00:213::/32 overlaps with network v6" \
		net_create v6b 10.213.102.0/24 --ipv6 --subnet fd00:213::/32
	refused "an IPv6 subnet needs --ipv6" net_create v6b 10.213.102.0/24 --subnet fd00:213:2::/64
	refused "host bits set" net_create v6b 10.213.102.0/24 --ipv6 --subnet fd00:213:2::1/64
	refused "/32 to /120" net_create v6b 10.213.102.0/24 --ipv6 --subnet fd00:213:2::/124
	refused "one subnet per address family" net_create v6b 10.213.102.0/24 --ipv6 \
		--subnet fd00:213:2::/64 --subnet fd00:213:3::/64
	refused "only the bridge (native) driver has IPv6" net_create v6b 10.213.102.0/24 --ipv6 -d cni
	[ "$(hk network ls -q | grep -c v6b)" = 0 ]
}

@test "containers get an address of each family, the bridge the IPv6 gateway, a v6 default route" {
	net_create v6 10.213.101.0/24 --ipv6 --subnet fd00:213:1::/64
	hk run -d --name a --network v6 busybox sleep 60 >/dev/null
	hk run -d --name b --network v6 busybox sleep 60 >/dev/null
	[ "$(container_ip a)" = 10.213.101.2 ]
	[ "$(container_ip6 a)" = fd00:213:1::2 ]
	[ "$(container_ip6 b)" = fd00:213:1::3 ]
	[ "$(hk inspect -f '{{.NetworkSettings.Networks.v6.IPv6Gateway}} {{.NetworkSettings.Networks.v6.GlobalIPv6PrefixLen}}' a)" = \
		"fd00:213:1::1 64" ]
	[ "$(hk network inspect -f '{{json .Containers}}' v6 | jq -r '[.[].IPv6Address] | sort | join(" ")')" = \
		"fd00:213:1::2/64 fd00:213:1::3/64" ]
	# inside the namespace: the address, not tentative (no DAD), the route
	run hk exec a ip -6 addr show dev eth0
	echo "$output"
	[[ "$output" == *"inet6 fd00:213:1::2/64 scope global"* ]]
	[[ "$output" != *tentative* ]]
	[ "$(hk exec a cat /proc/sys/net/ipv6/conf/eth0/accept_dad)" = 0 ]
	run hk exec a ip -6 route show default
	[[ "$output" == "default via fd00:213:1::1 dev eth0"* ]]
	# through nsenter too: the namespace the engine made
	local pid
	pid=$(hk inspect -f '{{.State.Pid}}' a)
	nsenter -t "$pid" -n ip -6 addr show dev eth0 | grep -q "inet6 fd00:213:1::2/64"
	# the bridge holds the gateway, usable at once
	ip -6 addr show dev hkt-v6 | grep -q "inet6 fd00:213:1::1/64 scope global"
	run ip -6 addr show dev hkt-v6 to fd00:213:1::1
	[[ "$output" == *fd00:213:1::1/64* && "$output" != *tentative* ]]
	[ "$(cat /proc/sys/net/ipv6/conf/all/forwarding)" = 1 ]
	# leases in the store, one per family
	[ "$(sqlite3 "$HAKO_ROOT/hako.db" "SELECT address6 FROM network_endpoints WHERE network = 'v6' ORDER BY address6")" = \
		"$(printf 'fd00:213:1::2/64\nfd00:213:1::3/64')" ]
}

@test "container to container over IPv6: ping6 and a TCP connection; the gateway answers" {
	net_create v6 10.213.101.0/24 --ipv6 --subnet fd00:213:1::/64
	hk run -d --name a --network v6 busybox sh -c 'echo hello-v6 >/tmp/index.html && exec httpd -f -p 80 -h /tmp' >/dev/null
	hk run -d --name b --network v6 busybox sleep 60 >/dev/null
	hk exec b ping6 -c 1 -W 2 fd00:213:1::2
	hk exec b ping6 -c 1 -W 2 fd00:213:1::1
	# (busybox wget -q -T 2 crashes, status 139, on an IPv6 URL: neither; the
	# page into a file, read after)
	local i
	for i in $(seq 50); do
		hk exec b wget -O /tmp/got "http://[fd00:213:1::2]/index.html" && break
		sleep 0.1
	done
	[ "$(hk exec b cat /tmp/got)" = hello-v6 ]
}

@test "the IPv6 lease goes with the container and is reused; nothing of the network stays" {
	net_create v6 10.213.101.0/24 --ipv6 --subnet fd00:213:1::/64
	hk run -d --name a --network v6 busybox sleep 60 >/dev/null
	hk rm -f a >/dev/null
	[ "$(sqlite3 "$HAKO_ROOT/hako.db" "SELECT COUNT(*) FROM network_endpoints WHERE network = 'v6'")" = 0 ]
	hk run -d --name b --network v6 busybox sleep 60 >/dev/null
	[ "$(container_ip6 b)" = fd00:213:1::2 ]
	hk rm -f b >/dev/null
	hk network rm v6 >/dev/null
	run ip -6 addr
	[[ "$output" != *fd00:213:1:* ]]
	run ip link show hkt-v6
	[ "$status" -ne 0 ]
}

@test "DNS on a dual-stack network: AAAA, PTR in ip6.arpa, the server on the IPv6 gateway over UDP and TCP" {
	# no upstream: a name not ours goes nowhere off the host
	: >"$BATS_TEST_TMPDIR/resolv.conf"
	export HAKO_DNS_RESOLV_CONF=$BATS_TEST_TMPDIR/resolv.conf
	net_create v6 10.213.101.0/24 --ipv6 --subnet fd00:213:1::/64
	hk run -d --name a --network v6 busybox sleep 60 >/dev/null
	hk run -d --name b --network v6 busybox sleep 60 >/dev/null
	local q=$BATS_TEST_DIRNAME/dns-query.py
	local ptr=2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.3.1.2.0.0.0.d.f.ip6.arpa
	# from a container, through the IPv4 server its resolv.conf names
	run hk exec b nslookup -type=AAAA a
	echo "$output"
	[[ "$output" == *"Address: fd00:213:1::2"* ]]
	run hk exec b nslookup fd00:213:1::2
	echo "$output"
	[[ "$output" == *"name = a"* ]]
	# from a container, to the server on the IPv6 gateway
	run hk exec b nslookup -type=AAAA a fd00:213:1::1
	echo "$output"
	[[ "$output" == *"Address: fd00:213:1::2"* ]]
	# from the host: each family's server, each transport
	[ "$(python3 "$q" fd00:213:1::1 a AAAA)" = fd00:213:1::2 ]
	[ "$(python3 "$q" fd00:213:1::1 b A)" = 10.213.101.3 ]
	[ "$(python3 "$q" --tcp fd00:213:1::1 a AAAA)" = fd00:213:1::2 ]
	[ "$(python3 "$q" --tcp 10.213.101.1 b AAAA)" = fd00:213:1::3 ]
	[ "$(python3 "$q" fd00:213:1::1 "$ptr" PTR)" = a ]
	[ "$(python3 "$q" 10.213.101.1 3.101.213.10.in-addr.arpa PTR)" = b ]
}

@test "-p over IPv6: the host's IPv6 addresses reach the container (ip6 DNAT), from the host and from another network" {
	net_create v6 10.213.101.0/24 --ipv6 --subnet fd00:213:1::/64
	net_create v6b 10.213.102.0/24 --ipv6 --subnet fd00:213:2::/64
	# the client first: its bridge holds fd00:213:2::1, which web publishes on
	hk run -d --name client --network v6b busybox sleep 60 >/dev/null
	hk run -d --name web --network v6 -p 18080:80 -p '[fd00:213:2::1]:18081:80' busybox \
		sh -c 'echo hello-v6-port >/tmp/index.html && exec httpd -f -p 80 -h /tmp' >/dev/null
	nft list table inet hako | grep -q 'dnat ip6 to \[fd00:213:1::2\]:80'
	local i
	for i in $(seq 50); do
		curl -gsf --max-time 2 "http://[fd00:213:1::1]:18080/index.html" >/dev/null && break
		sleep 0.1
	done
	# from the host to its own IPv6 address (output hook), both rules
	[ "$(curl -gsf --max-time 2 "http://[fd00:213:1::1]:18080/index.html")" = hello-v6-port ]
	[ "$(curl -gsf --max-time 2 "http://[fd00:213:2::1]:18081/index.html")" = hello-v6-port ]
	# from a container of another network to its gateway (prerouting hook)
	hk exec client wget -O /tmp/got "http://[fd00:213:2::1]:18080/index.html"
	[ "$(hk exec client cat /tmp/got)" = hello-v6-port ]
	# the rule bound to fd00:213:2::1 does not answer on another address
	run curl -gsf --max-time 2 "http://[fd00:213:1::1]:18081/index.html"
	[ "$status" -ne 0 ]
	# all the host's addresses include ::1: left out of the DNAT rule,
	# relayed by the monitor (the port bound to fd00:213:2::1 is not)
	nft list table inet hako | grep -q 'ip6 daddr != ::1 tcp dport 18080 dnat ip6 to \[fd00:213:1::2\]:80'
	[ "$(curl -gsf --max-time 2 "http://[::1]:18080/index.html")" = hello-v6-port ]
	run curl -gsf --max-time 2 "http://[::1]:18081/index.html"
	[ "$status" -ne 0 ]
}

# udp_echo PID PORT: a UDP echo server on PORT of process PID's network
# namespace (the host's python3 entered into a container's namespace:
# busybox has no UDP server); its PID in $BATS_TEST_TMPDIR/echo.pid.
udp_echo() {
	nsenter -t "$1" -n python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(b"echo:" + data, peer)
' "$2" </dev/null >/dev/null 2>&1 3>&- &
	echo $! >"$BATS_TEST_TMPDIR/echo.pid"
}

# udp_ask PORT TEXT: TEXT sent to [::1]:PORT, the reply printed (1 s per
# try, 20 tries: the echo server may still be starting).
udp_ask() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(1)
for _ in range(20):
    s.sendto(sys.argv[2].encode(), ("::1", int(sys.argv[1])))
    try:
        print(s.recv(2048).decode())
        sys.exit(0)
    except socket.timeout:
        pass
sys.exit("no reply from [::1]:" + sys.argv[1])
' "$@"
}

# get_until URL: curl until it answers (5 s at most), the page printed.
get_until() {
	local i
	for i in $(seq 50); do
		curl -gsf --max-time 2 "$1" && return 0
		sleep 0.1
	done
	return 1
}

@test "-p [::1]: relayed by the container's monitor, TCP and UDP, on an IPv4-only network too; gone with the container" {
	net_create v6 10.213.101.0/24 --ipv6 --subnet fd00:213:1::/64
	net_create v4 10.213.103.0/24
	hk run -d --name web --network v4 -p '[::1]:18082:80' -p '[::1]:18083:5353/udp' busybox \
		sh -c 'echo hello-loopback >/tmp/index.html && exec httpd -f -p 80 -h /tmp' >/dev/null
	hk run -d --name web6 --network v6 -p '[::1]:18084:80' busybox \
		sh -c 'echo hello-loopback6 >/tmp/index.html && exec httpd -f -p 80 -h /tmp' >/dev/null
	run hk port web
	echo "$output"
	[[ "$output" == *"80/tcp -> [::1]:18082"* ]]
	# TCP, from the host at ::1, to an IPv4-only and to a dual-stack network
	[ "$(get_until 'http://[::1]:18082/index.html')" = hello-loopback ]
	[ "$(get_until 'http://[::1]:18084/index.html')" = hello-loopback6 ]
	# served by the monitor, not by a NAT rule (there is none for ::1)
	ss -Hltnp 'sport = :18082' | grep -q '"hako-monitor"'
	run nft list table inet hako
	[[ "$output" != *"daddr ::1"* ]]
	# UDP, to an echo server in the container's namespace
	udp_echo "$(hk inspect -f '{{.State.Pid}}' web)" 5353
	[ "$(udp_ask 18083 ping)" = echo:ping ]
	[ "$(udp_ask 18083 again)" = echo:again ]
	kill "$(cat "$BATS_TEST_TMPDIR/echo.pid")"
	rm "$BATS_TEST_TMPDIR/echo.pid"
	# a restart gets a new monitor, which relays again
	hk restart -t 0 web6 >/dev/null
	[ "$(get_until 'http://[::1]:18084/index.html')" = hello-loopback6 ]
	# the relay goes with the container: no socket left on the ports
	hk rm -f web web6 >/dev/null
	[ -z "$(ss -Hltn 'sport = :18082')" ]
	[ -z "$(ss -Hltn 'sport = :18084')" ]
	[ -z "$(ss -Huan 'sport = :18083')" ]
	run curl -gsf --max-time 2 'http://[::1]:18082/index.html'
	[ "$status" -ne 0 ]
}

@test "-p HOST:CTR on an IPv4-only network: [::1]:HOST relayed too, as Docker's proxy; a [::1] port taken is a warning" {
	net_create v4 10.213.103.0/24
	hk run -d --name web --network v4 -p 18088:80 busybox \
		sh -c 'echo hello-any >/tmp/index.html && exec httpd -f -p 80 -h /tmp' >/dev/null
	[ "$(get_until 'http://127.0.0.1:18088/index.html')" = hello-any ]
	[ "$(get_until 'http://[::1]:18088/index.html')" = hello-any ]
	hk rm -f web >/dev/null
	[ -z "$(ss -Hltn 'sport = :18088')" ]
	# [::1]:18089 held by another program: the container still starts,
	# published on the other addresses, and the start says what it lacks
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind(("::1", 18089))
s.listen(1)
open(sys.argv[1], "w").write("ready")
time.sleep(60)
' "$BATS_TEST_TMPDIR/taken.ready" </dev/null >/dev/null 2>&1 3>&- &
	echo $! >"$BATS_TEST_TMPDIR/holder.pid"
	local i
	for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/taken.ready" ] && break; sleep 0.05; done
	run hk run -d --name web2 --network v4 -p 18089:80 busybox \
		sh -c 'echo hello-v4 >/tmp/index.html && exec httpd -f -p 80 -h /tmp'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"port 18089/tcp is published on all addresses but [::1]:18089: Address already in use"* ]]
	[ "$(get_until 'http://127.0.0.1:18089/index.html')" = hello-v4 ]
	kill "$(cat "$BATS_TEST_TMPDIR/holder.pid")"
	rm "$BATS_TEST_TMPDIR/holder.pid"
}

@test "-p [::1]: a container the restart policy restarts is relayed again (its new monitor binds anew)" {
	net_create v4 10.213.103.0/24
	# serves for 2 s, then fails: restarted
	hk run -d --name flaky --restart on-failure --network v4 -p '[::1]:18086:80' busybox \
		sh -c 'echo hello-again >/tmp/index.html && httpd -p 80 -h /tmp && sleep 2; exit 3' >/dev/null
	[ "$(get_until 'http://[::1]:18086/index.html')" = hello-again ]
	local i
	for i in $(seq 100); do
		[ "$(hk inspect -f '{{.RestartCount}}' flaky)" -ge 1 ] && break
		sleep 0.1
	done
	[ "$(hk inspect -f '{{.RestartCount}}' flaky)" -ge 1 ]
	[ "$(get_until 'http://[::1]:18086/index.html')" = hello-again ]
}

@test "-p [::1]: a port taken on the host is refused with its reason; an IPv6 host address on an IPv4-only network too" {
	net_create v4 10.213.103.0/24
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind(("::1", 18085))
s.listen(1)
open(sys.argv[1], "w").write("ready")
time.sleep(60)
' "$BATS_TEST_TMPDIR/taken.ready" </dev/null >/dev/null 2>&1 3>&- &
	echo $! >"$BATS_TEST_TMPDIR/holder.pid"
	local i
	for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/taken.ready" ] && break; sleep 0.05; done
	refused "port 18085/tcp is already in use on the host at ::1" \
		hk run -d --name bad --network v4 -p '[::1]:18085:80' busybox sleep 60
	kill "$(cat "$BATS_TEST_TMPDIR/holder.pid")"
	rm "$BATS_TEST_TMPDIR/holder.pid"
	refused "-p [::1]:18085:80/sctp: the IPv6 loopback is relayed, for tcp and udp only" \
		hk run -d --name bad --network v4 -p '[::1]:18085:80/sctp' busybox sleep 60
	refused "-p [fd00:213:1::1]:18080:80: network v4 has no IPv6 (network create --ipv6)" \
		hk run -d --name bad --network v4 -p '[fd00:213:1::1]:18080:80' busybox sleep 60
	[ -z "$(hk ps -aq --filter name=bad)" ]
}

@test "resolv.conf on a dual-stack network names both gateways: a client with only IPv6 resolves" {
	: >"$BATS_TEST_TMPDIR/resolv.conf"
	export HAKO_DNS_RESOLV_CONF=$BATS_TEST_TMPDIR/resolv.conf
	net_create v6 10.213.101.0/24 --ipv6 --subnet fd00:213:1::/64
	net_create v4 10.213.103.0/24
	hk run -d --name a --network v6 busybox sleep 60 >/dev/null
	hk run -d --name b --network v6 busybox sleep 60 >/dev/null
	[ "$(hk exec b grep nameserver /etc/resolv.conf)" = \
		"$(printf 'nameserver 10.213.101.1\nnameserver fd00:213:1::1')" ]
	# an IPv4-only network's containers get its one server
	[ "$(hk run --rm --network v4 busybox grep nameserver /etc/resolv.conf)" = "nameserver 10.213.103.1" ]
	# b's queries to the IPv4 server dropped (a rule in b's namespace,
	# gone with it): after 1 s its resolver asks the IPv6 one, which
	# answers.  (Not by flushing b's IPv4 address: busybox nslookup dies
	# on the connect() error of a server it has no route to.)
	nsenter -t "$(hk inspect -f '{{.State.Pid}}' b)" -n nft -f - <<-'NFT'
		table ip v4dns {
			chain out {
				type filter hook output priority 0;
				ip daddr 10.213.101.1 udp dport 53 drop
			}
		}
	NFT
	run hk exec b nslookup -timeout=1 -type=AAAA a
	echo "$output"
	[[ "$output" == *"Server:"*"fd00:213:1::1"* ]]
	[[ "$output" == *"Address: fd00:213:1::2"* ]]
	# the control: without the IPv6 line, the same lookup gets no answer
	# (rewritten in place: the file is a bind mount, sed -i's rename fails)
	hk exec b sh -c "grep -v fd00:213:1::1 /etc/resolv.conf >/tmp/r && cat /tmp/r >/etc/resolv.conf"
	[ "$(hk exec b grep -c nameserver /etc/resolv.conf)" = 1 ]
	run hk exec b nslookup -timeout=1 -type=AAAA a
	echo "$output"
	[[ "$output" != *"Address: fd00:213:1::2"* ]]
}

@test "--ip6 on run and network connect; refused off a dual-stack network, outside the subnet, on the gateway, taken" {
	net_create v6 10.213.101.0/24 --ipv6 --subnet fd00:213:1::/64
	net_create v6b 10.213.102.0/24 --ipv6 --subnet fd00:213:2::/64
	net_create v4 10.213.103.0/24
	hk run -d --name a --network v6 --ip6 fd00:213:1::42 busybox sleep 60 >/dev/null
	[ "$(container_ip6 a)" = fd00:213:1::42 ]
	hk exec a ip -6 addr show dev eth0 | grep -q "inet6 fd00:213:1::42/64"
	# the address stays the container's across a restart (kept in its config)
	hk restart -t 0 a >/dev/null
	[ "$(container_ip6 a)" = fd00:213:1::42 ]
	hk network connect --ip6 fd00:213:2::77 v6b a
	[ "$(container_ip6 a v6b)" = fd00:213:2::77 ]
	hk exec a ip -6 addr show dev eth1 | grep -q "inet6 fd00:213:2::77/64"
	refused "address fd00:213:1::42 is already in use on network v6" \
		hk run --rm --network v6 --ip6 fd00:213:1::42 busybox true
	refused "--ip6 fd00:213:9::5 is not a free address of network v6 (fd00:213:1::/64)" \
		hk run --rm --network v6 --ip6 fd00:213:9::5 busybox true
	refused "--ip6 fd00:213:1::1 is not a free address of network v6" \
		hk run --rm --network v6 --ip6 fd00:213:1::1 busybox true
	refused "--ip6: \`10.213.101.9\` is not an IPv6 address" \
		hk run --rm --network v6 --ip6 10.213.101.9 busybox true
	refused "--ip6 fd00:213:1::9: network v4 has no IPv6 (network create --ipv6)" \
		hk run --rm --network v4 --ip6 fd00:213:1::9 busybox true
	refused "--ip6 fd00:213:1::9: network v4 has no IPv6" \
		hk network connect --ip6 fd00:213:1::9 v4 a
	refused "--ip, --ip6, --mac-address and --network-alias need a network, not --network none" \
		hk run --rm --network none --ip6 fd00:213:1::9 busybox true
	[ "$(hk ps -a --format '{{.Names}}')" = a ]
}

@test "network create --gateway for the IPv6 subnet: the bridge holds it, containers route and resolve through it" {
	net_create v6 10.213.101.0/24 --ipv6 --subnet fd00:213:1::/64 --gateway fd00:213:1::fe
	[ "$(hk network inspect -f '{{json .IPAM.Config}}' v6 | jq -r '.[1] | "\(.Subnet) \(.Gateway)"')" = \
		"fd00:213:1::/64 fd00:213:1::fe" ]
	hk run -d --name a --network v6 busybox sleep 60 >/dev/null
	hk run -d --name b --network v6 busybox sleep 60 >/dev/null
	[ "$(container_ip6 a)" = fd00:213:1::1 ]
	ip -6 addr show dev hkt-v6 | grep -q "inet6 fd00:213:1::fe/64"
	run hk exec a ip -6 route show default
	[[ "$output" == "default via fd00:213:1::fe dev eth0"* ]]
	hk exec a ping6 -c 1 -W 2 fd00:213:1::fe
	run hk exec a nslookup -type=AAAA b fd00:213:1::fe
	echo "$output"
	[[ "$output" == *"Address: fd00:213:1::2"* ]]
	refused "--gateway fd00:213:9::1 is not a usable address of the subnet" \
		net_create v6b 10.213.102.0/24 --ipv6 --subnet fd00:213:2::/64 --gateway fd00:213:9::1
	refused "--gateway fd00:213:2::1: an IPv6 gateway needs --ipv6 and an IPv6 --subnet" \
		net_create v6b 10.213.102.0/24 --ipv6 --gateway fd00:213:2::1
	refused "--gateway fd00:213:2::2: one gateway per address family" \
		net_create v6b 10.213.102.0/24 --ipv6 --subnet fd00:213:2::/64 --gateway fd00:213:2::1 \
		--gateway fd00:213:2::2
	[ "$(hk network ls -q | grep -c v6b)" = 0 ]
}
