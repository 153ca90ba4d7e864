#!/usr/bin/env bats
# hako network create / ls / inspect / rm / prune, as Docker's.

load network-helpers

setup_file() { network_setup_file; }
teardown_file() { network_teardown_file; }
setup() { network_setup; }
teardown() { network_teardown; }

@test "create prints the ID; ls and inspect show the network" {
	local id
	id=$(net_create front 10.213.81.0/24 --gateway 10.213.81.254 --label tier=web --label team)
	[[ "$id" =~ ^[0-9a-f]{64}$ ]]
	run hk network ls
	[ "${lines[0]}" = "NETWORK ID     NAME    DRIVER   SCOPE" ]
	[[ "${lines[1]}" =~ ^${id:0:12}\ +front\ +bridge\ +local$ ]]
	local j
	j=$(hk network inspect front)
	[ "$(jq -r '.[0].Id' <<<"$j")" = "$id" ]
	[ "$(jq -r '.[0].Driver' <<<"$j")" = bridge ]
	[ "$(jq -c '.[0].IPAM.Config' <<<"$j")" = '[{"Subnet":"10.213.81.0/24","Gateway":"10.213.81.254"}]' ]
	[ "$(jq -c '.[0].Labels' <<<"$j")" = '{"tier":"web","team":""}' ]
	[ "$(jq -r '.[0].Internal' <<<"$j")" = false ]
	# the native driver: no CNI configuration
	[ "$(jq -r '.[0].CNI' <<<"$j")" = null ]
	# by ID prefix too
	[ "$(hk network inspect -f '{{.Name}}' "${id:0:8}")" = front ]
	[ "$(hk network ls -q)" = "${id:0:12}" ]
}

@test "a --driver cni network shows the CNI configuration list its containers are attached with" {
	net_create legacy 10.213.86.0/24 --gateway 10.213.86.254 --driver cni
	local j
	j=$(hk network inspect legacy)
	[ "$(jq -r '.[0].Driver' <<<"$j")" = cni ]
	[ "$(jq -r '.[0].CNI.plugins[0].type' <<<"$j")" = bridge ]
	[ "$(jq -r '.[0].CNI.plugins[0].ipam.ranges[0][0].gateway' <<<"$j")" = 10.213.86.254 ]
	[ "$(hk network ls --filter driver=cni --format '{{.Name}}')" = legacy ]
	run hk run --rm --network legacy busybox ip -o -4 addr show eth0
	[ "$status" -eq 0 ]
	[[ "$output" == *"inet 10.213.86."* ]]
}

@test "inspect lists the containers on the network" {
	net_create front 10.213.81.0/24
	hk run -d --name member --network front busybox sleep 60 >/dev/null
	local j id
	id=$(hk inspect -f '{{.Id}}' member)
	j=$(hk network inspect front)
	[ "$(jq -r ".[0].Containers[\"$id\"].Name" <<<"$j")" = member ]
	[ "$(jq -r ".[0].Containers[\"$id\"].IPv4Address" <<<"$j")" = "$(container_ip member)/24" ]
}

@test "a subnet is picked when none is given" {
	hk network create -o com.docker.network.bridge.name=hkt-auto auto >/dev/null
	[[ "$(hk network inspect -f '{{json .IPAM.Config}}' auto)" =~ \"Subnet\":\"10\.89\.[0-9]+\.0/24\" ]]
	hk network create -o com.docker.network.bridge.name=hkt-auto2 auto2 >/dev/null
	[ "$(hk network inspect -f '{{json .IPAM.Config}}' auto)" != \
		"$(hk network inspect -f '{{json .IPAM.Config}}' auto2)" ]
}

@test "ls filters by name, label and driver" {
	net_create front 10.213.81.0/24 --label tier=web
	net_create back 10.213.82.0/24 --label tier=db
	[ "$(hk network ls --filter label=tier=db --format '{{.Name}}')" = back ]
	[ "$(hk network ls --filter name=fro --format '{{.Name}}')" = front ]
	[ "$(hk network ls --filter driver=bridge -q | wc -l)" = 2 ]
	[ -z "$(hk network ls --filter label=other -q)" ]
}

@test "rm removes the network, its bridge and its rules" {
	net_create gone 10.213.83.0/24
	hk run --rm --network gone busybox true
	[ -d /sys/class/net/hkt-gone ]
	local id
	id=$(hk network inspect -f '{{.Id}}' gone)
	rules=$(nft list table inet hako)
	grep -q "nw-${id:0:12}-nat" <<<"$rules"
	[ "$(hk network rm gone)" = gone ]
	[ ! -e /sys/class/net/hkt-gone ]
	rules=$(nft list ruleset)
	[ "$(grep -c "nw-${id:0:12}" <<<"$rules")" = 0 ]
	[ ! -e "$HAKO_RUNROOT/networks/ipam/gone" ]
	[ -z "$(hk network ls -q)" ]
}

@test "prune removes unused networks, keeps used ones and the default network" {
	net_create used 10.213.84.0/24
	net_create unused 10.213.85.0/24
	hk create --name user --network used busybox true >/dev/null
	hk run --rm busybox true # the default network
	run hk network prune -f
	[ "$status" -eq 0 ]
	[ "$output" = $'Deleted Networks:\nunused' ]
	[ "$(hk network ls --format '{{.Name}}' | sort | tr '\n' ' ')" = "hako used " ]
}

@test "the default network can be removed when unused, and is made again on use" {
	hk run --rm busybox true
	local first
	first=$(hk network inspect -f '{{.Id}}' hako)
	hk network rm hako
	[ ! -e /sys/class/net/hkt-default ]
	hk run --rm busybox true
	[ "$(hk network inspect -f '{{.Id}}' bridge)" != "$first" ]
}
