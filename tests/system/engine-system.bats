#!/usr/bin/env bats
# hako container prune, system prune, system info, version.

bats_require_minimum_version 1.5.0
load engine-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() {
	engine_teardown
	hk volume prune -a >/dev/null 2>&1 || true
}

@test "container prune -f removes stopped and created containers, not running ones" {
	hk run --name done busybox true
	hk create --name made busybox true >/dev/null
	hk run -d --name up busybox sleep 1000 >/dev/null
	done_id=$(hk inspect -f '{{.Id}}' done)
	made_id=$(hk inspect -f '{{.Id}}' made)
	run -0 hk container prune -f
	[ "${lines[0]}" = "Deleted Containers:" ]
	[[ "$output" == *"$done_id"* ]]
	[[ "$output" == *"$made_id"* ]]
	[[ "${lines[-1]}" =~ ^Total\ reclaimed\ space:\ [0-9.]+k?B$ ]]
	[ "$(hk ps -a --format '{{.Names}}')" = up ]
	[ ! -e "$HAKO_ROOT/containers/$done_id" ]
	run -0 hk container prune -f
	[ "$output" = "Total reclaimed space: 0B" ]
}

@test "container prune asks first; only yes removes" {
	hk create --name kept busybox true >/dev/null
	run -0 hk container prune <<<"n"
	[[ "$output" == "WARNING! This will remove all stopped containers."* ]]
	[[ "$output" == *"[y/N]"* ]]
	hk inspect kept >/dev/null
	run -0 hk container prune <<<"y"
	[[ "$output" == *"Deleted Containers:"* ]]
	run -125 hk inspect kept
}

@test "container prune --filter label= and until=" {
	hk create --name tagged -l keep=no busybox true >/dev/null
	hk create --name other -l keep=yes busybox true >/dev/null
	run -0 hk container prune -f --filter label=keep=no
	run -125 hk inspect tagged
	hk inspect other >/dev/null
	run -0 hk container prune -f --filter label!=keep=yes
	hk inspect other >/dev/null
	# created just now: not before an hour ago, but before now + 1 minute
	run -0 hk container prune -f --filter until=1h
	hk inspect other >/dev/null
	run -0 hk container prune -f --filter "until=$(($(date +%s) + 60))"
	run -125 hk inspect other
	run -125 hk container prune -f --filter color=red
	[[ "$output" == *'--filter "color=red"'* ]]
	run -125 hk container prune -f --filter until=someday
	[[ "$output" == *"until=someday"* ]]
}

@test "system prune: stopped containers and dangling images; -a unused ones; images in use stay" {
	hk run --name src busybox touch /new
	dangling=$(hk commit src)
	hk commit src extra:1 >/dev/null
	hk run -d --name up busybox sleep 1000 >/dev/null
	run -0 hk system prune -f
	[[ "$output" == *"Deleted Containers:"* ]]
	[[ "$output" == *"Deleted Images:"*"deleted: $dangling"* ]]
	[[ "$output" == *"Total reclaimed space:"* ]]
	run -125 hk inspect src
	hk image inspect extra:1 >/dev/null
	run -0 hk system prune -a -f
	[[ "$output" == *"untagged: extra:1"* ]]
	run -125 hk image inspect extra:1
	# busybox has a running container
	hk image inspect busybox >/dev/null
	hk inspect up >/dev/null
}

@test "system prune --volumes removes unused anonymous volumes only" {
	hk run --name v1 -v /anon busybox true
	hk run --name v2 -v named:/data busybox true
	run -0 hk system prune -f
	[ "$(hk volume ls -q | wc -l)" -eq 2 ]
	run -0 hk system prune -f --volumes
	[[ "$output" == *"Deleted Volumes:"* ]]
	[ "$(hk volume ls -q)" = named ]
	run -0 hk system prune <<<"n"
	[[ "$output" == *"all stopped containers"*"all dangling images"* ]]
	run -0 hk system prune --volumes -a <<<"n"
	[[ "$output" == *"anonymous volumes"*"all images without at least one container"* ]]
}

@test "system info counts containers by state and describes the host" {
	hk run -d --name running busybox sleep 1000 >/dev/null
	hk run -d --name paused busybox sleep 1000 >/dev/null
	hk pause paused >/dev/null
	hk create --name created busybox true >/dev/null
	run -0 hk system info
	[[ "$output" == *" Containers: 3
  Running: 1
  Paused: 1
  Stopped: 1"* ]]
	[[ "$output" == *" Images: 1"* ]]
	[[ "$output" == *" Kernel Version: $(uname -r)"* ]]
	[[ "$output" == *" CPUs: $(nproc)"* ]]
	[[ "$output" == *" Root Dir: $HAKO_ROOT"* ]]
	version=1
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && version=2
	[ "$(hk info --format '{{.CgroupVersion}} {{.ContainersRunning}} {{.OSType}}')" = "$version 1 linux" ]
	hk system info --format json | jq -e '.Containers == 3 and .Images == 1 and .MemTotal > 0 and .NCPU > 0 and .DockerRootDir != null'
}

@test "version: client and engine, Docker's layout, --format json and templates" {
	run -0 hk version
	[ "${lines[0]}" = "Client:" ]
	[[ "${lines[1]}" =~ ^\ Version:\ {11}[0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ "$output" == *"Server: hako engine (daemonless)"* ]]
	[[ "$output" == *" SQLite:"* ]]
	want=$("$HAKO" --version | awk '{print $3}')
	[ "$(hk version --format '{{.Client.Version}} {{.Server.Version}}')" = "$want $want" ]
	hk version --format json | jq -e '.Server.Components[0].Name == "Engine" and (.Server.Components | map(.Name) | index("libarchive")) != null'
	run -125 hk version --format '{{.Nope'
	run -125 hk version extra
}

@test "prune, info and version have --help" {
	for c in "container prune" "system prune" "system info" version; do
		# shellcheck disable=SC2086
		run -0 hk $c --help
		[[ "$output" == "usage: hako $c"* ]]
	done
}
