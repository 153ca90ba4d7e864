#!/usr/bin/env bats
# --network none, host, container:NAME, the default network, several
# networks, --ip, --mac-address, and the /etc files (--hostname, --dns,
# --dns-search, --add-host, resolv.conf from the host).

load network-helpers

setup_file() { network_setup_file; }
teardown_file() { network_teardown_file; }
setup() { network_setup; }
teardown() { network_teardown; }

@test "--network none has only lo, up" {
	run hk run --rm --network none busybox ls /sys/class/net
	[ "$status" -eq 0 ]
	[ "$output" = lo ]
	hk run --rm --network none busybox sh -c 'ip -o link show lo | grep -q "[<,]UP[,>]"'
	[ "$(hk run --rm --network none busybox cat /etc/hosts | grep -c 127.0.0.1)" = 1 ]
}

@test "--network host sees the host's interfaces and /etc/hosts" {
	run hk run --rm --network host busybox ls /sys/class/net
	[ "$output" = "$(ls /sys/class/net)" ]
	[ "$(hk run --rm --network host busybox cat /etc/hosts)" = "$(cat /etc/hosts)" ]
}

@test "--network container:NAME shares NAME's namespace, address and hosts" {
	net_create modes 10.213.31.0/24
	hk run -d --name first --network modes busybox \
		sh -c 'echo shared >/tmp/index.html && exec httpd -f -p 127.0.0.1:80 -h /tmp' >/dev/null
	local ip
	ip=$(container_ip first)
	# httpd listens on the loopback of first's namespace: only a process in
	# that namespace can reach it
	run hk run --rm --network container:first busybox sh -c \
		'for i in $(seq 50); do wget -q -O- http://127.0.0.1/index.html && exit 0; sleep 0.1; done; exit 1'
	[ "$output" = shared ]
	[ "$(hk run --rm --network container:first busybox ip -o -4 addr show eth0 | awk '{ print $4 }')" = "$ip/24" ]
	[ "$(hk run --rm --network container:first busybox cat /etc/hosts)" = \
		"$(cat "$HAKO_ROOT/containers/$(hk inspect -f '{{.Id}}' first)/hosts")" ]
	run hk run --rm --network container:first busybox readlink /proc/1/ns/net
	[ "$output" = "$(readlink "/proc/$(hk inspect -f '{{.State.Pid}}' first)/ns/net")" ]
}

@test "--network container:NAME of a container that another runtime runs (--runtime runc)" {
	hk run -d --name byrunc --runtime runc --network none busybox sleep 100 >/dev/null
	run hk run --rm --network container:byrunc busybox readlink /proc/1/ns/net
	[ "$status" -eq 0 ]
	[ "$output" = "$(readlink "/proc/$(hk inspect -f '{{.State.Pid}}' byrunc)/ns/net")" ]
	# a restart of the runc container: the joiner finds its new process
	hk restart -t 1 byrunc >/dev/null
	run hk run --rm --network container:byrunc busybox readlink /proc/1/ns/net
	[ "$status" -eq 0 ]
	[ "$output" = "$(readlink "/proc/$(hk inspect -f '{{.State.Pid}}' byrunc)/ns/net")" ]
	hk rm -f byrunc
}

@test "--network container:NAME of a container that is not running is an error" {
	hk create --name idle busybox true >/dev/null
	run hk run --rm --network container:idle busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"cannot join the network of container idle: it is not running"* ]]
	run hk run --rm --network container:nosuch busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"no such container: nosuch"* ]]
}

@test "the default network is made on first use: its bridge, subnet, gateway and NAT" {
	run hk run --rm busybox sh -c 'ip -o -4 addr show eth0; ip route'
	[ "$status" -eq 0 ]
	[[ "$output" == *"inet 10.213.250."*"/24"* ]]
	[[ "$output" == *"default via 10.213.250.1 dev eth0"* ]]
	[ "$(hk network ls --format '{{.Name}} {{.Subnet}}')" = "hako 10.213.250.0/24" ]
	[ "$(hk network inspect hako | jq -r '.[0].Options["com.docker.network.bridge.name"]')" = hkt-default ]
	[ -d /sys/class/net/hkt-default/bridge ]
	# what leaves the subnet is masqueraded
	local nw
	nw=nw-$(hk network inspect -f '{{.Id}}' hako | cut -c1-12)
	grep -q "ip saddr 10.213.250.0/24 jump $nw-nat" <<<"$(nft list chain inet hako postrouting)"
	grep -q "ip daddr != 10.213.250.0/24 masquerade" <<<"$(nft list chain inet hako "$nw-nat")"
	# `bridge` and `default` are Docker's names for it
	[[ "$(hk run --rm --network bridge busybox ip -o -4 addr show eth0)" == *10.213.250.* ]]
	local id
	id=$(hk create --network default busybox true)
	[ "$(hk inspect -f '{{.HostConfig.NetworkMode}}' "$id")" = hako ]
}

@test "several networks: one interface each, in order" {
	net_create m1 10.213.31.0/24
	net_create m2 10.213.32.0/24
	run hk run --rm --network m1 --network m2 busybox ip -o -4 addr
	[[ "$output" == *"eth0"*"inet 10.213.31."* ]]
	[[ "$output" == *"eth1"*"inet 10.213.32."* ]]
	hk run -d --name two --network m1 --network m2 busybox sleep 60 >/dev/null
	[[ "$(container_ip two m1)" == 10.213.31.* ]]
	[[ "$(container_ip two m2)" == 10.213.32.* ]]
	[ "$(ls /sys/class/net/hkt-m1/brif | wc -l)" = 1 ]
	[ "$(ls /sys/class/net/hkt-m2/brif | wc -l)" = 1 ]
}

@test "--ip and --mac-address" {
	net_create m1 10.213.31.0/24
	hk run -d --name fixed --network m1 --ip 10.213.31.77 --mac-address 02:42:0a:d5:1f:4d busybox sleep 60 >/dev/null
	[ "$(container_ip fixed)" = 10.213.31.77 ]
	[ "$(hk inspect -f '{{.NetworkSettings.MacAddress}}' fixed)" = 02:42:0a:d5:1f:4d ]
	[ "$(hk inspect -f '{{.NetworkSettings.Networks.m1.IPAMConfig.IPv4Address}}' fixed)" = 10.213.31.77 ]
	run hk run --rm --network m1 busybox ping -c 1 -W 2 10.213.31.77
	[ "$status" -eq 0 ]
	# the address is taken while fixed runs
	run hk run --rm --network m1 --ip 10.213.31.77 busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"10.213.31.77"* ]]
}

@test "inspect shows NetworkSettings as Docker does" {
	net_create m1 10.213.31.0/24
	hk run -d --name web --network m1 --network-alias www busybox sleep 60 >/dev/null
	local s
	s=$(hk inspect -f '{{json .NetworkSettings}}' web)
	[ "$(jq -r .IPAddress <<<"$s")" = "$(jq -r .Networks.m1.IPAddress <<<"$s")" ]
	[ "$(jq -r .Gateway <<<"$s")" = 10.213.31.1 ]
	[ "$(jq -r .IPPrefixLen <<<"$s")" = 24 ]
	[[ "$(jq -r .MacAddress <<<"$s")" =~ ^([0-9a-f]{2}:){5}[0-9a-f]{2}$ ]]
	[ "$(jq -r .Networks.m1.NetworkID <<<"$s")" = "$(hk network inspect -f '{{.Id}}' m1)" ]
	[ "$(jq -c .Networks.m1.Aliases <<<"$s")" = '["www"]' ]
	[ "$(jq -c .Networks.m1.DNSNames <<<"$s")" = "[\"web\",\"www\",\"$(hk inspect -f '{{.Id}}' web | cut -c1-12)\"]" ]
	[ "$(jq -r .SandboxKey <<<"$s")" = "$HAKO_RUNROOT/netns/$(hk inspect -f '{{.Id}}' web)" ]
	# a stopped container keeps its networks, without addresses
	hk stop -t 1 web >/dev/null
	s=$(hk inspect -f '{{json .NetworkSettings}}' web)
	[ "$(jq -r .Networks.m1.IPAddress <<<"$s")" = "" ]
	[ "$(jq -r .IPAddress <<<"$s")" = "" ]
}

@test "--hostname, --add-host, --dns and --dns-search reach the container's files" {
	run hk run --rm --hostname box --add-host db.example:10.213.31.9 --dns 10.213.31.53 \
		--dns-search corp.example busybox sh -c 'hostname; cat /etc/hosts /etc/resolv.conf'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = box ]
	[[ "$output" == *$'10.213.31.9\tdb.example'* ]]
	[[ "$output" == *$'\tbox'* ]]
	[[ "$output" == *"nameserver 10.213.31.53"* ]]
	[[ "$output" == *"search corp.example"* ]]
	[ "$(grep -c '^nameserver' <<<"$output")" = 1 ]
}

@test "resolv.conf comes from the host's, without 127.x nameservers except on the host network" {
	local host_servers own_servers
	host_servers=$(grep '^nameserver' /etc/resolv.conf | grep -vc 'nameserver 127\.' || true)
	own_servers=$(hk run --rm busybox grep -c '^nameserver' /etc/resolv.conf || true)
	run hk run --rm busybox grep -c '^nameserver 127\.' /etc/resolv.conf
	[ "$output" = 0 ]
	if [ "$host_servers" -gt 0 ]; then
		[ "$own_servers" = "$host_servers" ]
	else
		[ "$own_servers" = 2 ] # Docker's fallback: 8.8.8.8, 8.8.4.4
	fi
	[ "$(hk run --rm --network host busybox cat /etc/resolv.conf)" = "$(cat /etc/resolv.conf)" ]
}
