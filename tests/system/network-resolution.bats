#!/usr/bin/env bats
# Name resolution on user networks: containers reach each other by name and
# --network-alias, through /etc/hosts files rewritten in place as
# containers join and leave, connect and disconnect.

load network-helpers
bats_require_minimum_version 1.5.0

setup_file() { network_setup_file; }
teardown_file() { network_teardown_file; }
setup() { network_setup; }
teardown() { network_teardown; }

# A web server container on NETWORK answering /index.html with TEXT.
serve() {
	local name=$1 network=$2 text=$3
	shift 3
	hk run -d --name "$name" --network "$network" "$@" busybox \
		sh -c "echo $text >/tmp/index.html && exec httpd -f -p 80 -h /tmp" >/dev/null
}

# fetch NETWORK URL: GET from a new container on NETWORK (retried for 5 s
# while the server starts).
fetch() {
	hk run --rm --network "$1" busybox sh -c \
		"for i in \$(seq 50); do timeout 2 wget -q -O- '$2' 2>/dev/null && exit 0; sleep 0.1; done; exit 1"
}

@test "a container fetches from another by its name and by its alias" {
	net_create res 10.213.11.0/24
	serve web res hello-from-web --network-alias www
	run fetch res http://web/index.html
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-web ]
	run fetch res http://www/index.html
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-web ]
	# and by the short ID, as Docker's resolver does
	run fetch res "http://$(hk inspect -f '{{.Id}}' web | cut -c1-12)/index.html"
	[ "$output" = hello-from-web ]
}

@test "/etc/hosts follows containers that join and leave, rewritten in place" {
	net_create res 10.213.11.0/24
	hk run -d --name watcher --network res busybox sh -c \
		'until grep -q "[[:space:]]late" /etc/hosts; do sleep 0.05; done; echo joined
		 until ! grep -q "[[:space:]]late" /etc/hosts; do sleep 0.05; done; echo left'
	local id hosts inode
	id=$(hk inspect -f '{{.Id}}' watcher)
	hosts=$HAKO_ROOT/containers/$id/hosts
	inode=$(stat -c %i "$hosts")
	grep -q "^$(container_ip watcher)[[:space:]]" "$hosts"
	hk run -d --name late --network res busybox sleep 60
	grep -q "^$(container_ip late)[[:space:]]late[[:space:]]" "$hosts"
	hk rm -f late
	[ "$(grep -c late "$hosts")" = 0 ]
	run timeout 20 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" wait watcher
	[ "$output" = 0 ]
	[ "$(hk logs watcher)" = $'joined\nleft' ]
	# the bind mount follows the inode: the file was never replaced
	[ "$(stat -c %i "$hosts")" = "$inode" ]
}

@test "the default network, like Docker's bridge, has no names" {
	hk run -d --name plain busybox sleep 60
	run hk run --rm busybox sh -c 'grep plain /etc/hosts'
	[ "$status" -eq 1 ]
	# but the container has its own address
	hk run --rm busybox sh -c 'grep "^10\.213\.250\.[0-9]*[[:space:]]" /etc/hosts'
}

@test "connect gives a running container a new interface and name; disconnect takes them" {
	net_create res1 10.213.11.0/24
	net_create res2 10.213.12.0/24
	serve b res2 from-b
	hk network connect --alias bee res1 b
	[[ "$(container_ip b res1)" == 10.213.11.* ]]
	run fetch res1 http://bee/index.html
	[ "$output" = from-b ]
	[ "$(hk inspect -f '{{json .NetworkSettings.Networks.res1.Aliases}}' b)" = '["bee"]' ]
	hk network disconnect res1 b
	run hk run --rm --network res1 busybox sh -c 'timeout 2 wget -q -O- http://bee/index.html; exit $?'
	[ "$status" -ne 0 ]
	[ "$(hk inspect -f '{{json .NetworkSettings.Networks.res1}}' b)" = "" ] ||
		[ "$(hk inspect -f '{{json .NetworkSettings.Networks.res1}}' b)" = null ]
	# still on res2
	run fetch res2 http://b/index.html
	[ "$output" = from-b ]
}

@test "connect and disconnect of a stopped container change what its next start joins" {
	net_create res1 10.213.11.0/24
	net_create res2 10.213.12.0/24
	hk create --name c --network res1 busybox sh -c 'ip -o -4 addr show | grep -c eth'
	hk network connect res2 c
	hk start -a c >"$BATS_TEST_TMPDIR/out"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = 2 ]
	hk network disconnect res1 c
	hk start -a c >"$BATS_TEST_TMPDIR/out"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = 1 ]
	run hk network disconnect res1 c
	[ "$status" -eq 125 ]
	[[ "$output" == *"is not connected to network res1"* ]]
}

@test "stats shows the traffic of the container's interfaces" {
	net_create res 10.213.11.0/24
	serve web res "$(printf 'x%.0s' {1..3000})"
	run -0 hk stats --no-stream --format '{{.NetIO}}' web
	[[ "$output" =~ ^[0-9.]+k?B\ /\ [0-9.]+k?B$ ]]
	run fetch res http://web/index.html
	[ "$status" -eq 0 ]
	# the server sent the 3 kB page: its transmit side counts it
	run -0 hk stats --no-stream --format '{{.NetIO}}' web
	local tx=${output#* / }
	[[ "$tx" =~ ^[0-9.]+kB$ ]]
	# a container on the host's network shows none of the host's traffic
	hk run -d --name onhost --network host busybox sleep 60 >/dev/null
	run -0 hk stats --no-stream --format '{{.NetIO}}' onhost
	[ "$output" = "0B / 0B" ]
}
