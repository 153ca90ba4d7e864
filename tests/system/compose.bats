#!/usr/bin/env bats
# hako compose with real multi-service applications of busybox: a web
# server that a client waits for (service_healthy), a one-shot migration
# (service_completed_successfully), a volume shared between them, service
# names resolved on the project network, labels and names as Docker
# Compose makes them, `up` twice recreating only what changed, scaling to
# 3 replicas reached by name, exec, run, logs, stop/start, and down -v
# leaving nothing.

load network-helpers

setup_file() { network_setup_file; }
teardown_file() { network_teardown_file; }
setup() {
	network_setup
	VOLUMES_BEFORE=$(hk volume ls -q | sort)
	P=$BATS_TEST_TMPDIR/app
	mkdir -p "$P"
	cd "$P"
}
teardown() {
	local status=0 v
	hk compose down -v -t 1 >/dev/null 2>&1 || true
	network_teardown || status=1
	for v in $(hk volume ls -q); do
		grep -qxF "$v" <<<"$VOLUMES_BEFORE" || hk volume rm "$v" >/dev/null 2>&1 || true
	done
	return $status
}

# The application: every service under the tests' cgroup, with an init
# that stops at SIGTERM; the default network on a bridge and subnet of
# the tests'.
write_app() {
	cat >compose.yaml <<'YAML'
name: hkc
x-common: &common
  image: busybox
  cgroup_parent: ${ENGINE_CGROUP}
  init: true
networks:
  default:
    driver_opts: {com.docker.network.bridge.name: hkt-compose}
    ipam: {config: [{subnet: 10.213.240.0/24}]}
volumes:
  shared:
    labels: {purpose: test}
services:
  web:
    <<: *common
    command: sh -c 'echo hello-from-web > /shared/index.html; exec httpd -f -p 80 -h /shared'
    volumes: [shared:/shared]
    healthcheck: {test: "wget -q -O /dev/null http://127.0.0.1/", interval: 1s, retries: 30}
    labels: {tier: front}
  migrate:
    <<: *common
    command: sh -c 'sleep 1; echo migrated > /shared/migrated'
    volumes: [shared:/shared]
  client:
    <<: *common
    command: sh -c 'wget -q -O /shared/fetched http://web/ && exec sleep 300'
    environment: ["VERSION=${VERSION:-1}"]
    volumes: [{type: volume, source: shared, target: /shared}]
    depends_on:
      web: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
YAML
}

@test "up -d: health-gated and one-shot dependencies, a shared volume, names and labels as Docker Compose's" {
	write_app
	run hk compose up -d
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# the client started after web was healthy and migrate had exited 0
	run hk compose exec -T client cat /shared/fetched /shared/migrated
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello-from-web ]
	[ "${lines[1]}" = migrated ]
	[ "$(hk inspect -f '{{.State.Status}} {{.State.ExitCode}}' hkc-migrate-1)" = "exited 0" ]
	[ "$(hk inspect -f '{{.State.Health.Status}}' hkc-web-1)" = healthy ]
	# names and labels
	hk network inspect hkc_default >/dev/null
	hk volume inspect hkc_shared >/dev/null
	run hk inspect -f '{{json .Config.Labels}}' hkc-web-1
	[ "$(jq -r '."com.docker.compose.project"' <<<"$output")" = hkc ]
	[ "$(jq -r '."com.docker.compose.service"' <<<"$output")" = web ]
	[ "$(jq -r '."com.docker.compose.container-number"' <<<"$output")" = 1 ]
	[ "$(jq -r '."com.docker.compose.oneoff"' <<<"$output")" = False ]
	[ "$(jq -r '.tier' <<<"$output")" = front ]
	[[ "$(jq -r '."com.docker.compose.config-hash"' <<<"$output")" =~ ^[0-9a-f]{64}$ ]]
	run hk network inspect -f '{{json .Labels}}' hkc_default
	[ "$(jq -r '."com.docker.compose.network" + " " + ."com.docker.compose.project"' <<<"$output")" = "default hkc" ]
	run hk volume inspect -f '{{json .Labels}}' hkc_shared
	[ "$(jq -r '."com.docker.compose.volume" + " " + .purpose' <<<"$output")" = "shared test" ]
	# ps, ps --services, logs prefixed by container
	run hk compose ps --services
	[ "$output" = "$(printf 'client\nweb')" ]
	run hk compose ps -a --format json
	[ "$(jq -r 'map(.Name) | join(" ")' <<<"$output")" = "hkc-client-1 hkc-migrate-1 hkc-web-1" ]
	hk compose exec -T web sh -c 'echo to-the-log > /proc/1/fd/1'
	run hk compose logs --no-color web
	[[ "$output" == *"hkc-web-1 | to-the-log"* ]] || { echo "$output"; false; }
	# down -v: nothing left (teardown checks mounts, veths, rules)
	run hk compose down -v
	[ "$status" -eq 0 ]
	[ -z "$(hk ps -a -q)" ]
	! hk network inspect hkc_default >/dev/null 2>&1
	! hk volume inspect hkc_shared >/dev/null 2>&1
}

@test "up twice recreates only the services whose configuration changed" {
	write_app
	hk compose up -d
	local web client
	web=$(hk inspect -f '{{.Id}}' hkc-web-1)
	client=$(hk inspect -f '{{.Id}}' hkc-client-1)
	run env VERSION=2 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" compose up -d
	[ "$status" -eq 0 ]
	[[ "$output" == *"hkc-web-1  Running"* ]]
	[[ "$output" == *"hkc-client-1  Recreated"* ]]
	[ "$(hk inspect -f '{{.Id}}' hkc-web-1)" = "$web" ]
	[ "$(hk inspect -f '{{.Id}}' hkc-client-1)" != "$client" ]
	run hk compose exec -T client sh -c 'echo $VERSION'
	[ "$output" = 2 ]
	# stop and start keep the containers
	hk compose stop
	[ "$(hk inspect -f '{{.State.Status}}' hkc-web-1)" = exited ]
	hk compose start web
	[ "$(hk inspect -f '{{.State.Status}}' hkc-web-1)" = running ]
	[ "$(hk inspect -f '{{.Id}}' hkc-web-1)" = "$web" ]
}

@test "--scale 3: three replicas, each reached by the service's name" {
	write_app
	run hk compose up -d --scale web=3
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(hk compose ps -q web | wc -l)" -eq 3 ]
	local i ip
	for i in 1 2 3; do
		ip=$(container_ip "hkc-web-$i")
		hk compose exec -T client grep -qw "^$ip.*web" /etc/hosts
		run hk compose exec -T client wget -q -O - "http://$ip/"
		[ "$output" = hello-from-web ]
	done
	# back to one: the others go
	run hk compose up -d --scale web=1
	[ "$status" -eq 0 ]
	[ "$(hk compose ps -q web | wc -l)" -eq 1 ]
	[[ "$output" == *"hkc-web-3  Removed"* ]]
}

@test "run: a one-off container with its dependencies, --rm, -e and the exit status" {
	write_app
	run hk compose run --rm -T -e EXTRA=x client sh -c 'cat /shared/fetched 2>/dev/null; echo "$EXTRA"; exit 3'
	[ "$status" -eq 3 ]
	[[ "$output" == *"x"* ]]
	# its dependencies were started, the one-off container is gone
	[ "$(hk inspect -f '{{.State.Status}}' hkc-web-1)" = running ]
	[ -z "$(hk ps -a -q --filter label=com.docker.compose.oneoff=True)" ]
}

@test "run attached: SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to the client reach the container, whose status is run's" {
	cat >compose.yaml <<'YAML'
name: hkc
services:
  box:
    image: busybox
    cgroup_parent: ${ENGINE_CGROUP}
    network_mode: none
YAML
	local sig pid rc i out=$BATS_TEST_TMPDIR/run.out
	for sig in INT TERM HUP QUIT; do
		"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" compose run --rm -T box \
			sh -c "trap 'echo got-$sig; exit 9' $sig; echo ready; while :; do sleep 0.1; done" \
			>"$out" 2>&1 </dev/null &
		pid=$!
		# "ready" comes through the attached client: its signals are proxied
		for i in $(seq 100); do
			grep -qx ready "$out" && break
			sleep 0.1
		done
		kill -"$sig" "$pid"
		rc=0
		wait_client "$pid" || rc=$?
		[ "$rc" -eq 9 ] || { echo "SIG$sig: status $rc"; cat "$out"; false; }
		grep -qx "got-$sig" "$out"
	done
	# --rm: each one-off container went with its end
	[ -z "$(hk ps -a -q --filter label=com.docker.compose.oneoff=True)" ]
}

@test "run: a SIGTERM that comes before the attach (a dependency not yet healthy) reaches the container instead of ending only the client" {
	cat >compose.yaml <<'YAML'
name: hkc
x-common: &common
  image: busybox
  cgroup_parent: ${ENGINE_CGROUP}
  network_mode: none
  init: true
services:
  db:
    <<: *common
    command: sleep 60
    healthcheck: {test: [CMD, test, -e, /tmp/go], interval: 1s, retries: 30}
  job:
    <<: *common
    command: sleep 60
    depends_on: {db: {condition: service_healthy}}
YAML
	local pid rc i out=$BATS_TEST_TMPDIR/run.out
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" compose run -T --name hkc-early job \
		>"$out" 2>&1 </dev/null &
	pid=$!
	# db runs but is not healthy until /tmp/go exists: run waits for it,
	# not attached yet, when the signal comes
	for i in $(seq 100); do
		[ "$(hk inspect -f '{{.State.Status}}' hkc-db-1 2>/dev/null)" = running ] && break
		sleep 0.1
	done
	kill -TERM "$pid"
	hk exec hkc-db-1 touch /tmp/go
	rc=0
	wait_client "$pid" || rc=$?
	# the one-off container was made and started, and the signal ended it
	# (its init's 143); run's status is the container's
	[ "$(hk inspect -f '{{.State.Status}} {{.State.ExitCode}}' hkc-early)" = "exited 143" ] \
		|| { echo "status $rc"; cat "$out"; false; }
	[ "$rc" -eq 143 ]
}

@test "shm_size, the host's platform, secrets and configs from environment: and content:" {
	cat >compose.yaml <<'YAML'
name: hkc
services:
  box:
    image: busybox
    cgroup_parent: ${ENGINE_CGROUP}
    init: true
    network_mode: none
    platform: linux/amd64
    shm_size: 32m
    command: sleep 300
    secrets: [token, {source: token, target: /etc/token}]
    configs: [{source: motd, target: /etc/motd}]
secrets:
  token: {environment: HKC_TOKEN}
configs:
  motd: {content: "hello $${USER}"}
YAML
	[ "$(uname -m)" = x86_64 ] || sed -i "s|linux/amd64|linux/$(uname -m)|" compose.yaml
	HKC_TOKEN=s3cret run hk compose up -d
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run hk exec hkc-box-1 sh -c 'df -k /dev/shm | tail -1'
	[ "$(awk '{print $2}' <<<"$output")" = 32768 ]
	[ "$(hk exec hkc-box-1 cat /run/secrets/token)" = s3cret ]
	[ "$(hk exec hkc-box-1 cat /etc/token)" = s3cret ]
	[ "$(hk exec hkc-box-1 cat /etc/motd)" = 'hello ${USER}' ]
	# read-only in the container; on the host in a directory only root reads
	run hk exec hkc-box-1 sh -c 'echo x > /run/secrets/token'
	[ "$status" -ne 0 ]
	[ "$(stat -c %a "$HAKO_ROOT/compose/hkc")" = 700 ]
	run hk compose down -t 1
	[ "$status" -eq 0 ]
	[ ! -e "$HAKO_ROOT/compose/hkc" ]
}

@test "pid, ipc and volumes_from: service:NAME joins that service's container, container:NAME another, :ro read-only" {
	hk create --name hkc-outside --network none -v hkcoutside:/outside busybox true
	cat >compose.yaml <<'YAML'
name: hkc
x-common: &common
  image: busybox
  cgroup_parent: ${ENGINE_CGROUP}
  network_mode: none
volumes:
  data: {}
services:
  store:
    <<: *common
    ipc: shareable
    shm_size: 4m
    command: sh -c 'echo stored > /data/f; echo in-shm > /dev/shm/s; exec sleep 300'
    volumes: [data:/data]
  reader:
    <<: *common
    pid: "service:store"
    ipc: "service:store"
    volumes_from: ["store:ro", "container:hkc-outside:rw"]
    command: sleep 301
  hostpid:
    <<: *common
    pid: host
    command: sleep 302
YAML
	run hk compose up -d
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	s=$(hk inspect -f '{{.State.Pid}}' hkc-store-1)
	r=$(hk inspect -f '{{.State.Pid}}' hkc-reader-1)
	h=$(hk inspect -f '{{.State.Pid}}' hkc-hostpid-1)
	[ "$(readlink "/proc/$s/ns/pid")" = "$(readlink "/proc/$r/ns/pid")" ]
	[ "$(readlink "/proc/$s/ns/ipc")" = "$(readlink "/proc/$r/ns/ipc")" ]
	[ "$(readlink "/proc/$h/ns/pid")" = "$(readlink /proc/$$/ns/pid)" ]
	[ "$(readlink "/proc/$s/ns/pid")" != "$(readlink /proc/$$/ns/pid)" ]
	run hk exec hkc-reader-1 ps
	[[ "$output" == *"sleep 300"* ]]
	# the store's command has written its files (it may still be at it)
	for _ in $(seq 50); do
		hk exec hkc-reader-1 test -e /dev/shm/s && hk exec hkc-reader-1 test -e /data/f && break
		sleep 0.1
	done
	[ "$(hk exec hkc-reader-1 cat /dev/shm/s)" = in-shm ]
	[ "$(hk exec hkc-reader-1 cat /data/f)" = stored ]
	run hk exec hkc-reader-1 sh -c 'echo x > /data/g'
	[ "$status" -ne 0 ]
	hk exec hkc-reader-1 sh -c 'echo x > /outside/g'
	[ "$(hk inspect -f '{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}}' hkc-reader-1)" = "container:hkc-store-1 container:hkc-store-1" ]
	[ "$(hk inspect -f '{{json .HostConfig.VolumesFrom}}' hkc-reader-1)" = '["hkc-store-1:ro","hkc-outside:rw"]' ]
	[ "$(hk inspect -f '{{.HostConfig.IpcMode}} {{.HostConfig.ShmSize}}' hkc-store-1)" = "shareable 4194304" ]
	# a changed store is made again, and the reader with it, joined to
	# the new one
	sed -i 's/exec sleep 300/exec sleep 303/' compose.yaml
	run hk compose up -d
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"hkc-store-1  Recreated"* ]]
	[[ "$output" == *"hkc-reader-1  Recreated"* ]]
	[[ "$output" == *"hkc-hostpid-1  Running"* ]]
	s=$(hk inspect -f '{{.State.Pid}}' hkc-store-1)
	r=$(hk inspect -f '{{.State.Pid}}' hkc-reader-1)
	[ "$(readlink "/proc/$s/ns/pid")" = "$(readlink "/proc/$r/ns/pid")" ]
	run hk exec hkc-reader-1 ps
	[[ "$output" == *"sleep 303"* ]]
	# config keeps them as written
	run hk compose config
	[[ "$output" == *'pid: service:store'* ]]
	[[ "$output" == *'- store:ro'* ]]
	run hk compose down -v -t 0
	[ "$status" -eq 0 ]
	[ -z "$(hk ps -a -q --filter label=com.docker.compose.project=hkc)" ]
	hk rm -v hkc-outside
	hk volume rm hkcoutside
}

@test "build, images, down --rmi local then all: the project's images go, the others stay" {
	mkdir ctx
	printf 'FROM busybox\nLABEL hkc=built\n' >ctx/Dockerfile
	hk tag busybox hkc-tagged:1
	cat >compose.yaml <<'YAML'
name: hkc
x-common: &common
  cgroup_parent: ${ENGINE_CGROUP}
  init: true
  network_mode: none
  command: sleep 300
services:
  built: {<<: *common, build: ctx}
  tagged: {<<: *common, image: "hkc-tagged:1"}
YAML
	run hk compose build
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(hk image inspect -f '{{json .Config.Labels}}' hkc-built | jq -r .hkc)" = built ]
	run hk compose up -d
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run hk compose images
	[[ "$output" == *"hkc-built-1"*"hkc-built"* ]]
	[[ "$output" == *"hkc-tagged-1"*"hkc-tagged:1"* ]]
	run hk compose down -t 1 --rmi nope
	[ "$status" -eq 1 ]
	[[ "$output" == *'--rmi: "nope" is not local or all'* ]]
	run hk compose down -t 1 --rmi local
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Image hkc-built  Removed"* ]]
	run hk image inspect hkc-built
	[ "$status" -ne 0 ]
	hk image inspect hkc-tagged:1 >/dev/null
	run hk compose down --rmi all
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Image hkc-tagged:1  Removed"* ]]
	run hk image inspect hkc-tagged:1
	[ "$status" -ne 0 ]
	# busybox, which hkc-tagged:1 was another name of, stays
	hk image inspect busybox >/dev/null
}

@test "kill, pause/unpause, top, port, ls on a running project" {
	cat >compose.yaml <<'YAML'
name: hkc
services:
  web:
    image: busybox
    cgroup_parent: ${ENGINE_CGROUP}
    init: true
    command: sh -c 'exec httpd -f -p 8080'
    ports: ["127.0.0.1:18089:8080"]
YAML
	run hk compose up -d
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(hk compose port web 8080)" = 127.0.0.1:18089 ]
	run hk compose top
	[ "$status" -eq 0 ]
	[[ "$output" == *"hkc-web-1"* ]] && [[ "$output" == *"httpd -f -p 8080"* ]]
	run hk compose ls
	[[ "$output" == *"hkc"*"running(1)"* ]] || { echo "$output"; false; }
	hk compose pause
	[ "$(hk inspect -f '{{.State.Status}}' hkc-web-1)" = paused ]
	hk compose unpause
	[ "$(hk inspect -f '{{.State.Status}}' hkc-web-1)" = running ]
	hk compose kill -s KILL web
	[ "$(hk inspect -f '{{.State.Status}}' hkc-web-1)" = exited ]
	[ "$(hk inspect -f '{{.State.ExitCode}}' hkc-web-1)" = 137 ]
}

@test "attached up: lines prefixed per container; --exit-code-from stops the rest with its status; SIGINT stops the project" {
	cat >compose.yaml <<'YAML'
name: hkc
x-common: &common
  image: busybox
  cgroup_parent: ${ENGINE_CGROUP}
  init: true
  network_mode: none
services:
  a: {<<: *common, command: sh -c 'echo from-a; sleep 1; echo from-a-late; exec sleep 300'}
  b: {<<: *common, command: sh -c 'sleep 0.5; echo from-b; sleep 2; exit 7'}
YAML
	run timeout -s KILL 60 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" compose up --exit-code-from b
	[ "$status" -eq 7 ] || { echo "$output"; false; }
	[[ "$output" == *"hkc-a-1 | from-a"* ]]
	[[ "$output" == *"hkc-b-1 | from-b"* ]]
	[ "$(hk inspect -f '{{.State.Status}}' hkc-a-1)" = exited ]
	# logs without -f: the containers' lines merged by time
	run hk compose logs --no-color -t
	[ "$status" -eq 0 ]
	[ "$(grep -o 'from-[a-z-]*' <<<"$output" | tr '\n' ' ')" = "from-a from-b from-a-late " ] || { echo "$output"; false; }
	run timeout -s KILL 60 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" compose up --abort-on-container-exit
	[ "$status" -eq 0 ]
	[ "$(hk inspect -f '{{.State.Status}}' hkc-a-1)" = exited ]
	# Ctrl-C: SIGINT to an attached up stops the project, exit 130
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" compose up a >"$BATS_TEST_TMPDIR/up.out" 2>&1 &
	local pid=$! i
	for i in $(seq 100); do
		grep -q 'hkc-a-1 | from-a' "$BATS_TEST_TMPDIR/up.out" && break
		sleep 0.1
	done
	kill -INT "$pid"
	for i in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	# still there after 30 s: a hang, not a slow stop
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		false
	fi
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ] || { cat "$BATS_TEST_TMPDIR/up.out"; false; }
	grep -q 'Gracefully stopping' "$BATS_TEST_TMPDIR/up.out"
	[ "$(hk inspect -f '{{.State.Status}}' hkc-a-1)" = exited ]
}

@test "an unknown field, a wrong type, an undefined network or service, an unsupported field: exit 1 naming the key path, nothing made" {
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    networks: [nowhere]
YAML
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"services.web.networks.nowhere: not defined in networks"* ]]
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    deploy: {replicas: lots}
YAML
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"services.web.deploy.replicas"* ]]
	# a field the engine cannot carry out is an error naming it
	printf 'services:\n  web: {image: busybox, deploy: {mode: global}}\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"services.web.deploy.mode: global is not supported"* ]]
	# pid, ipc and volumes_from name services that exist, with modes the
	# engine knows
	printf 'services:\n  web: {image: busybox, pid: "service:nope"}\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"services.web.pid: no service nope"* ]]
	printf 'services:\n  web: {image: busybox, volumes_from: ["nope:ro"]}\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"services.web.volumes_from[0]: no service nope"* ]]
	printf 'services:\n  web: {image: busybox, ipc: bogus}\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"services.web.ipc: --ipc: \"bogus\" is not an IPC mode"* ]]
	# another machine's platform: no emulator, said so
	printf 'services:\n  web: {image: busybox, platform: linux/s390x}\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"services.web.platform: linux/s390x is not this machine's platform"* ]]
	# a secret from a variable that is not set
	printf 'services:\n  web: {image: busybox, secrets: [s]}\nsecrets:\n  s: {environment: HKC_UNSET_VAR}\n' >compose.yaml
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"secrets.s.environment: the variable HKC_UNSET_VAR is not set"* ]]
	# an external secret, which only a Swarm holds: refused as Docker
	# Compose refuses it, by up and by run (before its network and volume)
	printf 'services:\n  web: {image: busybox, secrets: [pw], volumes: [v:/v]}\nvolumes: {v: {}}\nsecrets:\n  pw: {external: true}\n' >compose.yaml
	run hk compose config -q
	[ "$status" -eq 0 ]
	run hk compose up -d
	[ "$status" -eq 1 ]
	[[ "$output" == *"services.web.secrets[0]: secret pw is external"* ]]
	run hk compose run --rm -T web true
	[ "$status" -eq 1 ]
	[[ "$output" == *"services.web.secrets[0]: secret pw is external"* ]]
	[ -z "$(hk ps -a -q)" ]
	[ "$(hk network ls -q | sort)" = "$NETWORKS_BEFORE" ]
	[ "$(hk volume ls -q | sort)" = "$VOLUMES_BEFORE" ]
}
