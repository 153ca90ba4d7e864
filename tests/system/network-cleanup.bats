#!/usr/bin/env bats
# Nothing of a container's network outlives it: no veth, bridge port,
# firewall rule, IPAM lease, cached result or namespace file — after 200
# run/rm cycles, after its monitor was killed with SIGKILL, after the
# container itself was.  (network_teardown checks all of it after every
# test; the tests check at the points that matter too.)

load network-helpers

setup_file() { network_setup_file; }
teardown_file() { network_teardown_file; }
setup() { network_setup; }
teardown() { network_teardown; }

# Nothing of a container's network on the host but what BEFORE had.
nothing_left() {
	local now i
	# the kernel removes a namespace's veth in the background
	for i in $(seq 100); do
		now=$(network_snapshot)
		[ "$now" = "$1" ] && return 0
		sleep 0.05
	done
	echo "left behind:"
	diff <(echo "$1") <(echo "$now") || true
	return 1
}

@test "200 run --rm cycles leave no veth, bridge port, rule, lease or namespace" {
	net_create cyc 10.213.51.0/24
	# the network's own state (its bridge, its rules) is made by the first
	hk run --rm --network cyc busybox true
	local before i
	before=$(network_snapshot)
	for i in $(seq 200); do
		if ((i % 20 == 0)); then
			# every 20th also runs portmap and tuning
			hk run --rm --network cyc -p 127.0.0.1::80 --mac-address 02:42:0a:d5:33:$((i / 20 + 10)) \
				busybox true
		else
			hk run --rm --network cyc busybox true
		fi
	done
	nothing_left "$before"
	[ -z "$(ls /sys/class/net/hkt-cyc/brif)" ]
	[ -z "$(hk ps -a -q)" ]
}

@test "monitors killed with SIGKILL: the network goes when hako notices" {
	net_create cyc 10.213.51.0/24
	local before m
	hk run --rm --network cyc busybox true
	hk run --rm busybox true # the default network's rules, made once
	before=$(network_snapshot)
	hk run -d --name k1 --network cyc busybox sleep 600 >/dev/null
	hk run -d --name k2 --network cyc -p 127.0.0.1::80 busybox sleep 600 >/dev/null
	hk run -d --name k3 busybox sleep 600 >/dev/null
	[ "$(ls /sys/class/net/hkt-cyc/brif | wc -l)" = 2 ]
	for m in $(engine_monitors); do
		kill -9 "$m"
	done
	# the next look at them finds the monitors gone
	run hk ps -a --format '{{.Names}} {{.Status}}'
	[[ "$output" == *"k1 Exited (137)"* ]]
	[[ "$output" == *"k2 Exited (137)"* ]]
	[[ "$output" == *"k3 Exited (137)"* ]]
	nothing_left "$before"
	[ -z "$(ls /sys/class/net/hkt-cyc/brif)" ]
}

@test "a container killed with SIGKILL: its monitor takes the network down" {
	net_create cyc 10.213.51.0/24
	local before pid
	hk run --rm --network cyc busybox true
	before=$(network_snapshot)
	hk run -d --name victim --network cyc busybox sleep 600 >/dev/null
	pid=$(hk inspect -f '{{.State.Pid}}' victim)
	kill -9 "$pid"
	wait_for_state victim exited
	local i
	for i in $(seq 100); do
		[ "$(network_snapshot)" = "$before" ] && break
		sleep 0.05
	done
	nothing_left "$before"
}

@test "stop gives the address back, start takes one again" {
	net_create cyc 10.213.51.0/24
	local before
	hk run --rm --network cyc busybox true
	before=$(network_snapshot)
	hk run -d --name s --network cyc busybox sleep 600 >/dev/null
	[ -n "$(container_ip s)" ]
	hk stop -t 1 s >/dev/null
	nothing_left "$before"
	hk start s >/dev/null
	[[ "$(container_ip s)" == 10.213.51.* ]]
	hk run --rm --network cyc busybox ping -c 1 -W 2 "$(container_ip s)"
}

@test "a restart policy keeps the network across restarts; rm -f takes it down" {
	net_create cyc 10.213.51.0/24
	local before ip
	hk run --rm --network cyc busybox true
	before=$(network_snapshot)
	hk run -d --name again --restart always --network cyc busybox \
		sh -c 'ip -o -4 addr show eth0 >>/tmp/addrs; sleep 0.3; exit 1' >/dev/null
	local id
	id=$(hk inspect -f '{{.Id}}' again)
	for i in $(seq 100); do
		[ "$(wc -l <"$HAKO_ROOT/containers/$id/merged/tmp/addrs" 2>/dev/null)" -ge 3 ] 2>/dev/null && break
		sleep 0.1
	done
	# three starts seen (the loop above only waits for them)
	[ "$(wc -l <"$HAKO_ROOT/containers/$id/merged/tmp/addrs")" -ge 3 ]
	[ "$(sort -u "$HAKO_ROOT/containers/$id/merged/tmp/addrs" | awk '{ print $4 }' | wc -l)" = 1 ]
	hk rm -f again >/dev/null
	nothing_left "$before"
}

@test "a restart checks the network (native) and makes it again when it was broken" {
	net_create cyc 10.213.51.0/24
	hk run -d --name fragile --restart always --network cyc busybox sh -c \
		'(ip -o -4 addr show eth0 | grep -q inet && echo up || echo down) >>/tmp/states; sleep 1; exit 1' >/dev/null
	local id states
	id=$(hk inspect -f '{{.Id}}' fragile)
	states=$HAKO_ROOT/containers/$id/merged/tmp/states
	for i in $(seq 100); do [ -s "$states" ] && break; sleep 0.05; done
	# the host end of its veth; deleting it takes the container's eth0 too
	ip link del "vh${id:0:10}0"
	for i in $(seq 100); do [ "$(wc -l <"$states")" -ge 2 ] && break; sleep 0.1; done
	[ "$(sed -n 1p "$states")" = up ]
	[ "$(sed -n 2p "$states")" = up ]
	[ "$(ls /sys/class/net/hkt-cyc/brif | wc -l)" = 1 ]
}

@test "a restart checks the network (CNI CHECK) and makes it again when it was broken" {
	net_create cyc 10.213.51.0/24 --driver cni
	hk run -d --name fragile --restart always --network cyc busybox sh -c \
		'(ip -o -4 addr show eth0 | grep -q inet && echo up || echo down) >>/tmp/states; sleep 1; exit 1' >/dev/null
	local id states
	id=$(hk inspect -f '{{.Id}}' fragile)
	states=$HAKO_ROOT/containers/$id/merged/tmp/states
	for i in $(seq 100); do [ -s "$states" ] && break; sleep 0.05; done
	# the host end of its veth, from the cached CNI result; deleting it
	# takes the container's eth0 too
	local veth
	veth=$(jq -r '.result.interfaces[] | select(.sandbox == null) | .name' \
		"$HAKO_RUNROOT/containers/$id/cni/"*.json | grep -v hkt-cyc)
	ip link del "$veth"
	for i in $(seq 100); do [ "$(wc -l <"$states")" -ge 2 ] && break; sleep 0.1; done
	[ "$(sed -n 1p "$states")" = up ]
	[ "$(sed -n 2p "$states")" = up ]
	[ "$(ls /sys/class/net/hkt-cyc/brif | wc -l)" = 1 ]
}

@test "containers started and removed at once on a new network: all work, nothing is left" {
	net_create par 10.213.52.0/24
	local i
	for i in $(seq 8); do
		hk run -d --name "p$i" --network par -p 127.0.0.1::80 busybox sleep 60 >/dev/null &
	done
	wait
	[ "$(hk ps -q | wc -l)" = 8 ]
	[ "$(ls /sys/class/net/hkt-par/brif | wc -l)" = 8 ]
	# every one knows the seven others
	[ "$(grep -c '[[:space:]]p[1-8][[:space:]]' "$HAKO_ROOT/containers/$(hk inspect -f '{{.Id}}' p1)/hosts")" = 7 ]
	for i in $(seq 8); do
		hk rm -f "p$i" >/dev/null &
	done
	wait
	# the kernel removes the veths with their namespaces, in the background
	for i in $(seq 100); do [ -z "$(ls /sys/class/net/hkt-par/brif)" ] && break; sleep 0.05; done
	[ -z "$(ls /sys/class/net/hkt-par/brif)" ]
}
