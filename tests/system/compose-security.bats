#!/usr/bin/env bats
# Hostile compose files, each test named after the attack: an alias bomb,
# files read from outside the project directory through relative paths,
# a value interpolated twice, a container_name that takes another
# container's name, a --scale that would exhaust the machine.

load network-helpers

setup_file() { network_setup_file; }
teardown_file() { network_teardown_file; }
setup() {
	network_setup
	VOLUMES_BEFORE=$(hk volume ls -q | sort)
	P=$BATS_TEST_TMPDIR/project
	mkdir -p "$P"
	cd "$P"
}
teardown() {
	local status=0
	hk compose down -v -t 1 >/dev/null 2>&1 || true
	network_teardown || status=1
	return $status
}

nothing_made() {
	[ -z "$(hk ps -a -q)" ]
	[ "$(hk network ls -q | sort)" = "$NETWORKS_BEFORE" ]
	[ "$(hk volume ls -q | sort)" = "$VOLUMES_BEFORE" ]
}

@test "billion laughs: an alias bomb is refused before it is expanded, nothing made" {
	{
		echo 'x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'
		local prev=a l
		for l in b c d e f g h i; do
			echo "x-$l: &$l [*$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev]"
			prev=$l
		done
		echo 'services: {web: {image: busybox}}'
	} >compose.yaml
	run timeout 10 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"nodes (aliases expanded): refused"* ]]
	nothing_made
}

@test "deep nesting and a huge number are refused with the path at fault" {
	printf 'services: {web: {image: busybox, labels: %s}}\n' "$(printf '[%.0s' $(seq 100))" >compose.yaml
	run hk compose config
	[ "$status" -eq 1 ]
	[[ "$output" == *"nested deeper than"* ]]
	printf 'services: {web: {image: busybox, deploy: {replicas: 123456789012345678901234567890}}}\n' >compose.yaml
	run hk compose config
	[ "$status" -eq 1 ]
	[[ "$output" == *"out of range"* ]]
}

@test "env_file and secrets through ../ cannot read files outside the project directory" {
	mkdir -p "$BATS_TEST_TMPDIR/outside"
	echo 'STOLEN=secret' >"$BATS_TEST_TMPDIR/outside/creds.env"
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    env_file: ../outside/creds.env
YAML
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *'services.web.env_file[0]: "../outside/creds.env" climbs out of the project directory'* ]]
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    secrets: [key]
secrets:
  key: {file: sub/../../../outside/creds.env}
YAML
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"secrets.key.file"*"climbs out of the project directory"* ]]
	nothing_made
	# an absolute path says plainly what it reads: allowed
	sed -i "s|file: [^}]*|file: $BATS_TEST_TMPDIR/outside/creds.env|" compose.yaml
	run hk compose config -q
	[ "$status" -eq 0 ]
}

@test "double interpolation: a variable's value that holds \${...} reaches the container as written" {
	cat >compose.yaml <<'YAML'
name: hkc-sec
services:
  web:
    image: busybox
    cgroup_parent: ${ENGINE_CGROUP}
    init: true
    network_mode: none
    command: sleep 300
    environment: {PAYLOAD: "${PAYLOAD}"}
YAML
	run env 'PAYLOAD=${HOME:?boom} $$' "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" compose up -d
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run hk exec hkc-sec-web-1 sh -c 'printf %s "$PAYLOAD"'
	[ "$output" = '${HOME:?boom} $$' ]
}

@test "container_name collision: up fails on another's name and leaves that container alone" {
	hk run -d --name victim --network none busybox sleep 300
	local victim
	victim=$(hk inspect -f '{{.Id}}' victim)
	cat >compose.yaml <<'YAML'
name: hkc-sec
services:
  web:
    image: busybox
    cgroup_parent: ${ENGINE_CGROUP}
    network_mode: none
    container_name: victim
    command: sleep 300
YAML
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *victim* ]]
	[ "$(hk inspect -f '{{.Id}} {{.State.Status}}' victim)" = "$victim running" ]
	# and down does not take it either: it carries no label of the project
	hk compose down -v
	[ "$(hk inspect -f '{{.Id}}' victim)" = "$victim" ]
	hk rm -f victim
}

@test "a huge --scale or replicas is refused before anything is made" {
	printf 'services: {web: {image: busybox}}\n' >compose.yaml
	run hk compose up -d --scale web=100000
	[ "$status" -eq 1 ]
	[[ "$output" == *"--scale"* ]]
	printf 'services: {web: {image: busybox, deploy: {replicas: 5000}}}\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"services.web.deploy.replicas: 5000 is outside 0..1000"* ]]
	nothing_made
}

@test "a content: secret named ../x cannot write outside the project's directory of secrets" {
	cat >compose.yaml <<'YAML'
name: hkc-sec
services:
  web: {image: busybox, network_mode: none, secrets: [../../../escaped]}
secrets:
  ../../../escaped: {content: pwned}
YAML
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"secrets.../../../escaped: the name cannot be a file name"* ]]
	nothing_made
	[ ! -e "$HAKO_ROOT/escaped" ] && [ ! -e "$HAKO_ROOT/compose/escaped" ]
	[ ! -e "$HAKO_ROOT/compose/hkc-sec" ]
}

@test "a symlink inside the project to a file outside cannot be read as env_file, secret or include" {
	mkdir -p "$BATS_TEST_TMPDIR/outside" inner
	echo 'STOLEN=secret' >"$BATS_TEST_TMPDIR/outside/creds.env"
	printf 'services:\n  x: {image: busybox}\n' >"$BATS_TEST_TMPDIR/outside/compose.yaml"
	ln -s "$BATS_TEST_TMPDIR/outside/creds.env" creds.env
	ln -s "$BATS_TEST_TMPDIR/outside" inner/dir
	printf 'services:\n  web: {image: busybox, env_file: creds.env}\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *'services.web.env_file[0]: "creds.env" is a symbolic link (or under one) that leads out of the project directory'* ]]
	printf 'services:\n  web: {image: busybox, secrets: [k]}\nsecrets:\n  k: {file: inner/dir/creds.env}\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *'secrets.k.file: "inner/dir/creds.env" is a symbolic link'* ]]
	printf 'include: [inner/dir/compose.yaml]\nservices: {}\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *'include[0].path[0]: "inner/dir/compose.yaml" is a symbolic link'* ]]
	nothing_made
	# a link that stays inside the project is fine
	cp "$BATS_TEST_TMPDIR/outside/creds.env" real.env
	ln -sf real.env creds.env
	printf 'services:\n  web: {image: busybox, env_file: creds.env}\n' >compose.yaml
	run hk compose config -q
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "include project_directory escape (.. or /): the included file cannot read a file outside the project by an innocent relative path" {
	mkdir -p "$BATS_TEST_TMPDIR/outside" inc
	echo 'STOLEN=secret' >"$BATS_TEST_TMPDIR/outside/creds.env"
	# outside/creds.env looks like a file of the project; against .. it is not
	printf 'services:\n  web: {image: busybox, env_file: outside/creds.env}\n' >inc/compose.yaml
	printf 'include: [{path: inc/compose.yaml, project_directory: ..}]\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"include[0].project_directory: the project directory \"..\" of the include inc/compose.yaml leads out of the including project $P"* ]]
	nothing_made
	# nor by an absolute path: from /, etc/shadow would be the host's
	printf 'services:\n  web: {image: busybox, env_file: etc/shadow}\n' >inc/compose.yaml
	printf 'include: [{path: inc/compose.yaml, project_directory: /}]\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"include[0].project_directory: the project directory \"/\" of the include inc/compose.yaml leads out of the including project $P"* ]]
	nothing_made
	# the include's env_file likewise: its values reach containers
	printf 'services:\n  web: {image: busybox, environment: [S=${STOLEN}]}\n' >inc/compose.yaml
	printf 'include: [{path: inc/compose.yaml, env_file: ../outside/creds.env}]\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *'include[0].env_file[0]: "../outside/creds.env" climbs out of the project directory'* ]]
	nothing_made
}

@test "include or extends of a FIFO, a device or /proc/kmsg is refused instead of blocking for ever" {
	mkfifo pipe.yaml
	printf 'include: [pipe.yaml]\nservices: {}\n' >compose.yaml
	run timeout 10 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" compose config -q
	[ "$status" -eq 1 ]
	[[ "$output" == *"include: $P/pipe.yaml is not a regular file"* ]]
	printf 'include: [/dev/zero]\nservices: {}\n' >compose.yaml
	run timeout 10 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" compose config -q
	[ "$status" -eq 1 ]
	[[ "$output" == *"include: /dev/zero is not a regular file"* ]]
	# a regular file whose read would wait for the kernel's messages
	printf 'include: [/proc/kmsg]\nservices: {}\n' >compose.yaml
	run timeout 10 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" compose config -q
	[ "$status" -eq 1 ]
	[[ "$output" == *"include: /proc/kmsg: read: Resource temporarily unavailable"* ]]
	# extends reads through the same door
	printf 'services:\n  a: {extends: {file: /dev/stdin, service: x}}\n' >compose.yaml
	run timeout 10 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" compose config -q
	[ "$status" -eq 1 ]
	[[ "$output" == *"services.a.extends: /dev/stdin is not a regular file"* ]]
}
