#!/usr/bin/env bats
# What goes in and out of containers: logs, exec, attach, -it through a
# pseudo-terminal, ps and inspect.

bats_require_minimum_version 1.5.0
load engine-helpers

PTY_RUN=$TOP/tests/helpers/pty-run.py

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "logs: stdout and stderr, --tail, -t, --since/--until, -f follows until the container exits" {
	hk run --name talk busybox sh -c 'echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three' >/dev/null 2>&1
	run hk logs talk
	[ "${lines[*]}" = "one two three" ]
	run hk logs --tail 1 talk
	[ "$output" = three ]
	run hk logs -t talk
	[[ "${lines[0]}" =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:.]+Z\ one$ ]]
	run hk logs --since 1h --until 2099-01-01T00:00:00Z talk
	[ "${#lines[@]}" -eq 3 ]
	run hk logs --until 2000-01-01T00:00:00Z talk
	[ -z "$output" ]
	# stderr stays stderr.
	[ "$(hk logs talk 2>/dev/null | tr '\n' ' ')" = "one three " ]
	hk run -d --name ticker busybox sh -c 'for i in 1 2 3; do echo tick$i; sleep 0.2; done' >/dev/null
	run timeout 10 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" logs -f ticker
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "tick1 tick2 tick3" ]
	hk rm talk ticker
}

@test "--log-opt max-size and max-file rotate the json-file log" {
	hk run --name chatty --log-opt max-size=2k --log-opt max-file=2 busybox sh -c 'i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done' >/dev/null
	dir=$HAKO_ROOT/containers/$(hk inspect -f '{{.Id}}' chatty)
	ls "$dir"/*-json.log*
	[ "$(ls "$dir"/*-json.log* | wc -l)" -eq 2 ]
	for f in "$dir"/*-json.log*; do
		[ "$(stat -c %s "$f")" -le 4096 ]
	done
	# Each line is Docker's json-file record.
	head -1 "$dir/$(hk inspect -f '{{.Id}}' chatty)-json.log" | jq -e '.log and .stream and .time' >/dev/null
	run hk logs --tail 1 chatty
	[ "$output" = line-299 ]
	hk rm chatty
}

@test "log-auditing evasion: a NUL byte in a line does not hide it from logs or logs -f" {
	hk run --name nul busybox sh -c "printf 'x\\000m2\\n'; echo after" >/dev/null
	cmp <(hk logs nul) <(printf 'x\000m2\nafter\n')
	cmp <(hk logs --tail 2 nul) <(printf 'x\000m2\nafter\n')
	hk run -d --name nulf busybox sh -c "sleep 1; printf 'y\\000hidden\\n'; sleep 0.5" >/dev/null
	cmp <(timeout 10 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" logs -f nulf) <(printf 'y\000hidden\n')
	hk rm nul nulf
}

@test "logs reads every rotation the writer keeps, past 64, and -f follows across rotations" {
	hk run --name many --log-opt max-size=1k --log-opt max-file=80 busybox sh -c 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done' >/dev/null
	dir=$HAKO_ROOT/containers/$(hk inspect -f '{{.Id}}' many)
	[ "$(ls "$dir"/*-json.log* | wc -l)" -eq 80 ]
	kept=$(cat "$dir"/*-json.log* | wc -l)
	# Every record kept, oldest first, the newest last.
	run hk logs many
	[ "${#lines[@]}" -eq "$kept" ]
	[ "${lines[0]}" = "line-$((2000 - kept))" ]
	[ "${lines[-1]}" = line-1999 ]
	run hk logs --tail 5 many
	[ "${lines[*]}" = "line-1995 line-1996 line-1997 line-1998 line-1999" ]
	# -f from before the first line: every line once, in order, while the
	# writer rotates under it.
	hk run -d --name rotating --log-opt max-size=1k --log-opt max-file=200 busybox sh -c 'sleep 1; i=0; while [ $i -lt 1500 ]; do echo line-$i; i=$((i+1)); done; sleep 0.5' >/dev/null
	timeout 20 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" logs -f rotating >"$BATS_TEST_TMPDIR/followed"
	dir=$HAKO_ROOT/containers/$(hk inspect -f '{{.Id}}' rotating)
	[ "$(ls "$dir"/*-json.log* | wc -l)" -gt 20 ]
	cmp "$BATS_TEST_TMPDIR/followed" <(i=0; while [ $i -lt 1500 ]; do echo line-$i; i=$((i+1)); done)
	hk rm many rotating
}

@test "exec: status, -e, -u, -w, -i, -d, --privileged; a stopped container is refused" {
	hk run -d --name box busybox sleep 100 >/dev/null
	run hk exec box sh -c 'exit 9'
	[ "$status" -eq 9 ]
	run hk exec -e X=1 -u 65534 -w /tmp box sh -c 'echo $X $(id -u) $(pwd)'
	[ "$output" = "1 65534 /tmp" ]
	run bash -c "echo fed | $HAKO --root $HAKO_ROOT --runroot $HAKO_RUNROOT exec -i box cat"
	[ "$output" = fed ]
	hk exec -d box sh -c 'echo detached > /tmp/marker'
	for i in $(seq 50); do hk exec box test -f /tmp/marker && break; sleep 0.1; done
	hk exec box test -f /tmp/marker
	run hk exec box grep CapEff /proc/self/status
	[ "$output" = "CapEff:	00000000a80425fb" ]
	run hk exec --privileged box grep CapEff /proc/self/status
	[ "$output" != "CapEff:	00000000a80425fb" ]
	run -127 hk exec box /no/such
	[ "$status" -eq 127 ]
	hk stop -t 0 box
	run hk exec box true
	[ "$status" -eq 125 ]
	[[ "$output" == *"not running"* ]]
	hk rm box
}

@test "run -it: a shell on a terminal, its size and size changes, ctrl-c to the container" {
	run "$PTY_RUN" --size 30x90 'expect:# ' 'send:stty size\n' 'expect:30 90' \
		resize:40x120 sleep:0.3 'send:stty size\n' 'expect:40 120' \
		'send:sleep 100\n' sleep:0.5 'send:\x03' 'expect:# ' 'send:tty; exit 4\n' -- \
		"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" run -it --rm busybox sh
	[ "$status" -eq 4 ]
	[[ "$output" == */dev/pts/0* ]]
}

@test "exec -it: a terminal in a running container" {
	hk run -d --name shell busybox sleep 100 >/dev/null
	run "$PTY_RUN" --size 25x70 'expect:# ' 'send:stty size; exit 3\n' -- \
		"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" exec -it shell sh
	[ "$status" -eq 3 ]
	[[ "$output" == *"25 70"* ]]
	hk rm -f shell
}

@test "attach: output and input, ctrl-p ctrl-q detaches and the container runs on" {
	hk run -dit --name att busybox sh >/dev/null
	run "$PTY_RUN" sleep:0.3 'send:echo in-$((20+22))\n' 'expect:in-42' 'send:\x10\x11' -- \
		"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" attach att
	[ "$status" -eq 0 ]
	[ "$(hk inspect -f '{{.State.Status}}' att)" = running ]
	run "$PTY_RUN" sleep:0.3 'send:exit 6\n' -- \
		"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" attach att
	[ "$status" -eq 6 ]
	run hk attach att
	[ "$status" -eq 125 ]
	hk rm att
}

@test "attach: SIGTERM goes to the container; with --sig-proxy=false it ends only the client" {
	hk run -d --name sigs busybox sh -c 'trap "echo got-term; exit 9" TERM; while :; do sleep 0.1; done' >/dev/null
	local pid
	# not proxied: the client dies of the signal, the container runs on
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" attach --no-stdin --sig-proxy=false sigs &
	pid=$!
	sleep 0.5
	kill -TERM "$pid"
	local rc=0
	wait_client "$pid" || rc=$?
	[ "$rc" -eq $((128 + 15)) ]
	[ "$(hk inspect -f '{{.State.Status}}' sigs)" = running ]
	# proxied (the default): the container gets it and its exit code is ours
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" attach --no-stdin sigs >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	sleep 0.5
	kill -TERM "$pid"
	rc=0
	wait_client "$pid" || rc=$?
	[ "$rc" -eq 9 ]
	grep -qx got-term "$BATS_TEST_TMPDIR/out"
	[ "$(hk inspect -f '{{.State.Status}} {{.State.ExitCode}}' sigs)" = "exited 9" ]
	hk rm sigs
}

@test "run: SIGTERM goes to the container; with --sig-proxy=false it ends only the client" {
	local script='trap "echo got-term; exit 9" TERM; echo up; while :; do sleep 0.1; done'
	# not proxied: the client dies of the signal, the container runs on
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" run --sig-proxy=false --name unproxied busybox sh -c "$script" >"$BATS_TEST_TMPDIR/out1" &
	local pid=$!
	wait_for_state unproxied running
	kill -TERM "$pid"
	local rc=0
	wait_client "$pid" || rc=$?
	[ "$rc" -eq $((128 + 15)) ]
	[ "$(hk inspect -f '{{.State.Status}}' unproxied)" = running ]
	hk rm -f unproxied >/dev/null
	# proxied (the default, and --sig-proxy=true): the container's exit code is ours
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" run --sig-proxy=true --name proxied busybox sh -c "$script" >"$BATS_TEST_TMPDIR/out2" &
	pid=$!
	wait_for_state proxied running
	for _ in $(seq 50); do grep -q up "$BATS_TEST_TMPDIR/out2" && break; sleep 0.1; done
	kill -TERM "$pid"
	rc=0
	wait_client "$pid" || rc=$?
	[ "$rc" -eq 9 ]
	grep -qx got-term "$BATS_TEST_TMPDIR/out2"
	hk rm proxied
	run hk run --sig-proxy=maybe busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *'--sig-proxy: "maybe" is not true or false'* ]]
}

@test "ps: -a, -q, --no-trunc, --filter, --format" {
	hk run -d --name up1 --label role=web busybox sleep 100 >/dev/null
	hk run --name down1 busybox true
	run hk ps -q
	[ "${#lines[@]}" -eq 1 ]
	[ ${#output} -eq 12 ]
	run hk ps -a -q --no-trunc
	[ "${#lines[@]}" -eq 2 ]
	[ ${#lines[0]} -eq 64 ]
	run hk ps -a --filter status=exited --format '{{.Names}}'
	[ "$output" = down1 ]
	run hk ps -a --filter label=role=web --format '{{.Names}} {{.State}}'
	[ "$output" = "up1 running" ]
	run hk ps -a --filter name=down --format '{{.Names}}'
	[ "$output" = down1 ]
	run hk ps --format json
	echo "$output" | jq -e '.Names == "up1"'
	run hk ps -a --filter bogus=1
	[ "$status" -eq 125 ]
	hk rm -f up1 down1
}

@test "inspect: Docker's fields" {
	hk run -d --name ins -e K=V -m 32m -v /vol busybox sleep 100 >/dev/null
	run hk inspect ins
	echo "$output" | jq -e '.[0] | .Id and .Created and (.Name == "/ins") and .State.Running and (.State.Pid > 0)'
	echo "$output" | jq -e '.[0].Config.Env | index("K=V")'
	echo "$output" | jq -e '.[0].HostConfig.Memory == 33554432'
	echo "$output" | jq -e '.[0].Mounts[0].Destination == "/vol" and .[0].Mounts[0].Type == "volume"'
	echo "$output" | jq -e '.[0].NetworkSettings | type == "object"'
	[ "$(hk inspect -f '{{.Config.Image}}' ins)" = busybox ]
	hk rm -f -v ins
}
