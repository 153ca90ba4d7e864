#!/usr/bin/env bats
# hako events: the event log written by the command or monitor causing
# each event, read back as a range (--since/--until) or followed live;
# each type of event once with its fields and in order, concurrent
# writers, the rotation, filters and bad input.

bats_require_minimum_version 1.5.0
load image-helpers
load engine-helpers

setup_file() {
	engine_setup_file
	start_registry events
}
teardown_file() {
	stop_registries
	engine_teardown_file
}
setup() {
	engine_setup
	SINCE=$(date +%s.%N)
	FOLLOWER=
}
teardown() {
	if [ -n "$FOLLOWER" ]; then
		kill "$FOLLOWER" 2>/dev/null || true
		wait "$FOLLOWER" 2>/dev/null || true
	fi
	local p
	for p in $(hk pod ls -q --no-trunc 2>/dev/null); do
		hk pod rm -f "$p" >/dev/null 2>&1 || true
	done
	engine_teardown
}

# The events since the test began, as JSON lines, FILTERS applied.
events_json() {
	hk events --since "$SINCE" --until "$(date +%s.%N)" --format '{{json .}}' "$@"
}

# "TYPE ACTION" of each event since the test began.
actions() {
	events_json "$@" | jq -r '.Type + " " + .Action'
}

@test "events: a container's life in order, each event with Docker's fields" {
	hk run -d --name a busybox sleep 100 >/dev/null
	id=$(hk inspect -f '{{.Id}}' a)
	hk exec a true
	hk pause a >/dev/null
	hk unpause a >/dev/null
	hk rename a b
	hk kill -s USR1 b >/dev/null
	hk stop -t 1 b >/dev/null
	code=$(hk inspect -f '{{.State.ExitCode}}' b)
	hk rm b >/dev/null
	run -0 actions --filter type=container
	expected="container create
container start
container exec_create: true
container exec_start: true
container exec_die
container pause
container unpause
container rename
container kill
container kill
container die
container stop
container destroy"
	[ "$output" = "$expected" ] || {
		diff <(echo "$expected") <(echo "$output")
		false
	}
	x=$(events_json --filter type=container --filter event=create)
	[ "$(jq -r .status <<<"$x")" = create ]
	[ "$(jq -r .id <<<"$x")" = "$id" ]
	[ "$(jq -r .from <<<"$x")" = busybox ]
	[ "$(jq -r .Actor.ID <<<"$x")" = "$id" ]
	[ "$(jq -r .Actor.Attributes.name <<<"$x")" = a ]
	[ "$(jq -r .Actor.Attributes.image <<<"$x")" = busybox ]
	[ "$(jq -r .scope <<<"$x")" = local ]
	[ "$(jq -r '.timeNano / 1000000000 | floor' <<<"$x")" = "$(jq -r .time <<<"$x")" ]
	[ "$(events_json --filter event=rename | jq -r .Actor.Attributes.oldName)" = a ]
	# attach (on a container of its own: the client is killed by timeout)
	hk run -d --name at busybox sleep 100 >/dev/null
	rc=0
	timeout 1 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" attach --no-stdin --sig-proxy=false at || rc=$?
	[ "$rc" = 124 ]
	[ "$(events_json --filter container=at --filter event=attach | jq -r .Actor.Attributes.name)" = at ]
	[ "$(events_json --filter event=kill | jq -r .Actor.Attributes.signal | tr '\n' ' ')" = "10 15 " ]
	# b was killed by the stop: 128 + a signal, as inspect says
	die=$(events_json --filter event=die --filter container=b | jq -r .Actor.Attributes.exitCode)
	[ "$die" -gt 128 ]
	[ "$die" = "$code" ]
	[ "$(events_json --filter event=exec_die | jq -r .Actor.Attributes.exitCode)" = 0 ]
	exec_id=$(events_json --filter event=exec_create | jq -r .Actor.Attributes.execID)
	[ "$(events_json --filter event=exec_die | jq -r .Actor.Attributes.execID)" = "$exec_id" ]
	# the times never go back
	events_json | jq -s -e '[.[].timeNano] | . == sort'
	# the default format: TIME TYPE ACTION ID (ATTRIBUTES)
	run -0 hk events --since "$SINCE" --until "$(date +%s.%N)" --filter event=rename
	[[ $output =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z\ container\ rename\ $id\ \(image=busybox,\ name=b,\ oldName=a\)$ ]]
}

@test "events: oom, die with the exit code, restart, health_status, label filter" {
	run hk run --name oom -m 8m --memory-swap 8m busybox sh -c 'x=$(head -c 64000000 /dev/zero | tr "\0" a)'
	[ "$status" -eq 137 ]
	run -0 actions --filter container=oom
	[ "$(grep -v 'exec_' <<<"$output" | tr '\n' ,)" = "container create,container start,container attach,container oom,container die," ] ||
		[ "$(tr '\n' , <<<"$output")" = "container create,container start,container oom,container die," ]
	hk run -d --name r --label tier=web --restart on-failure:1 busybox sh -c 'exit 3' >/dev/null
	for i in $(seq 100); do
		[ "$(events_json --filter container=r --filter event=die | wc -l)" -ge 2 ] && break
		sleep 0.1
	done
	run -0 actions --filter container=r
	[ "$(tr '\n' , <<<"$output")" = "container create,container start,container die,container restart,container start,container die," ] ||
		[ "$(tr '\n' , <<<"$output")" = "container create,container start,container die,container restart,container die," ]
	[ "$(events_json --filter container=r --filter event=die | jq -r .Actor.Attributes.exitCode | sort -u)" = 3 ]
	[ "$(events_json --filter label=tier=web --filter event=create | jq -r .Actor.Attributes.name)" = r ]
	[ -z "$(events_json --filter label=tier=db)" ]
	hk run -d --name h --health-cmd true --health-interval 200ms busybox sleep 100 >/dev/null
	for i in $(seq 100); do
		events_json --filter container=h --filter event=health_status | grep -q healthy && break
		sleep 0.1
	done
	[ "$(events_json --filter container=h --filter event=health_status | jq -r .Action | head -1)" = "health_status: healthy" ]
}

@test "events: image tag, untag, delete, save, load, import, build, push, pull" {
	hk tag busybox ev/one:1
	hk rmi ev/one:1 >/dev/null
	hk save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	hk tag busybox ev/two:1
	hk save -o "$BATS_TEST_TMPDIR/two.tar" ev/two:1
	hk rmi ev/two:1 >/dev/null
	hk load -i "$BATS_TEST_TMPDIR/two.tar" >/dev/null
	hk import "$BUSYBOX_TAR" ev/imported:1 >/dev/null
	printf 'FROM busybox\nLABEL x=y\n' >"$BATS_TEST_TMPDIR/Dockerfile"
	hk build -q -t ev/built:1 "$BATS_TEST_TMPDIR" >/dev/null
	hk push --tls-verify=false ev/built:1 "$REGISTRY_EVENTS/ev/built:1" >/dev/null 2>&1
	hk rmi ev/built:1 >/dev/null
	hk pull -q --tls-verify=false "$REGISTRY_EVENTS/ev/built:1" >/dev/null
	run -0 actions --filter type=image
	[ "$(tr '\n' , <<<"$output")" = "image tag,image untag,image save,image tag,image save,image untag,image load,image import,image build,image push,image untag,image delete,image pull," ]
	[ "$(events_json --filter event=tag | jq -r .Actor.Attributes.name | head -1)" = docker.io/ev/one:1 ]
	[ "$(events_json --filter event=pull | jq -r .Actor.Attributes.name)" = "$REGISTRY_EVENTS/ev/built:1" ]
	hk rmi ev/two:1 ev/imported:1 "$REGISTRY_EVENTS/ev/built:1" >/dev/null
}

@test "events: volume create, mount, destroy; network create, connect, disconnect, destroy; pod" {
	hk volume create v1 >/dev/null
	hk run --rm -v v1:/data busybox true
	hk volume rm v1 >/dev/null
	hk network create --subnet 10.213.252.0/24 n1 >/dev/null
	hk create --name c busybox true >/dev/null
	hk network connect n1 c
	hk network disconnect n1 c
	hk rm c >/dev/null
	hk network rm n1 >/dev/null
	hk pod create --name p1 --cgroup-parent "$ENGINE_CGROUP" >/dev/null
	hk pod start p1 >/dev/null
	hk pod stop p1 >/dev/null
	hk pod rm p1 >/dev/null
	[ "$(actions --filter type=volume | tr '\n' ,)" = "volume create,volume mount,volume destroy," ]
	[ "$(events_json --filter event=mount | jq -r .Actor.Attributes.destination)" = /data ]
	[ "$(events_json --filter volume=v1 | wc -l)" = 3 ]
	[ "$(actions --filter type=network --filter network=n1 | tr '\n' ,)" = "network create,network connect,network disconnect,network destroy," ]
	cid=$(events_json --filter container=c --filter event=create | jq -r .id)
	[ "$(events_json --filter event=connect | jq -r .Actor.Attributes.container)" = "$cid" ]
	[ "$(actions --filter type=pod | tr '\n' ,)" = "pod create,pod start,pod stop,pod remove," ]
	[ "$(events_json --filter pod=p1 | jq -r .Actor.Attributes.name | sort -u)" = p1 ]
}

@test "events: two concurrent writers never interleave a line; the log is rotated at its bound" {
	for w in a b; do
		(for i in $(seq 40); do hk tag busybox "conc/$w:$i" || exit 1; done) &
		eval "pid_$w=$!"
	done
	wait "$pid_a"
	wait "$pid_b"
	log=$HAKO_ROOT/events/events.log
	# every line is one whole event
	while IFS= read -r line; do
		jq -e .Action <<<"$line" >/dev/null || {
			echo "not an event: $line"
			false
		}
	done < <(cat "$log.1" "$log" 2>/dev/null || cat "$log")
	[ "$(events_json --filter event=tag | jq -r .Actor.Attributes.name | grep -c '^docker.io/conc/a:')" = 40 ]
	[ "$(events_json --filter event=tag | jq -r .Actor.Attributes.name | grep -c '^docker.io/conc/b:')" = 40 ]
	# each writer's events in its own order
	[ "$(events_json --filter event=tag | jq -r .Actor.Attributes.name | sed -n 's|^docker.io/conc/a:||p' | tr '\n' ' ')" = "$(seq 40 | tr '\n' ' ')" ]
	# rotation: a small bound, then more events
	export HAKO_EVENT_LOG_MAX=4000
	for i in $(seq 30); do hk tag busybox "rot/x:$i"; done
	[ -f "$log.1" ]
	[ "$(stat -c %s "$log")" -le 4000 ]
	[ "$(stat -c %s "$log.1")" -le 4000 ]
	# what the two files hold is read in order, the newest last
	[ "$(events_json --filter event=tag | jq -r .Actor.Attributes.name | tail -1)" = docker.io/rot/x:30 ]
	unset HAKO_EVENT_LOG_MAX
}

@test "events: follow mode sees a new event promptly, and --since replays what came before" {
	hk create --name before busybox true >/dev/null
	out=$BATS_TEST_TMPDIR/follow
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" events --since "$SINCE" --filter event=create --format '{{.Actor.Attributes.name}}' >"$out" &
	FOLLOWER=$!
	for i in $(seq 100); do
		grep -qx before "$out" && break
		sleep 0.05
	done
	grep -qx before "$out" # replayed
	hk create --name after busybox true >/dev/null
	t0=$(date +%s%N)
	for i in $(seq 400); do
		grep -qx after "$out" && break
		sleep 0.005
	done
	t1=$(date +%s%N)
	grep -qx after "$out"
	ms=$(((t1 - t0) / 1000000))
	echo "# follow saw the event ${ms} ms after the command returned" >&3
	[ "$ms" -lt 2000 ]
	kill -0 "$FOLLOWER" # still following
	[ "$(wc -l <"$out")" = 2 ]
}

@test "events: bad --since, --filter and --format are refused with exit 125" {
	run -125 hk events --since yesterday
	[[ $output == *"--since yesterday"* ]]
	run -125 hk events --filter colour=red
	[[ $output == *"--filter colour=red"* ]]
	run -125 hk events --filter type=planet
	[[ $output == *"the types are"* ]]
	run -125 hk events --until 1 extra
}
