#!/usr/bin/env bats
# create/start/stop/restart/kill/rm/wait, restart policies, --rm, a killed
# monitor, health checks.

load engine-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "create, then start -a: created, then exited with the output" {
	id=$(hk create --name c1 busybox echo started)
	[ "$(hk inspect -f '{{.State.Status}}' c1)" = created ]
	run hk ps -a --format '{{.Names}} {{.Status}}'
	[ "$output" = "c1 Created" ]
	run hk start -a c1
	[ "$status" -eq 0 ]
	[ "$output" = started ]
	[ "$(hk inspect -f '{{.State.Status}}' "$id")" = exited ]
	hk rm c1
}

@test "start -i sends our stdin to the container" {
	hk create -i --name cat1 busybox cat >/dev/null
	run bash -c "echo through stdin | $HAKO --root $HAKO_ROOT --runroot $HAKO_RUNROOT start -a -i cat1"
	[ "$output" = "through stdin" ]
	echo piped | hk run -i --rm busybox sh -c 'read x; echo got $x' >"$BATS_TEST_TMPDIR/out"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "got piped" ]
	hk rm cat1
}

@test "stop: SIGTERM, then SIGKILL after -t; --stop-signal and --stop-timeout" {
	# sh as pid 1 ignores SIGTERM: stop must fall back to SIGKILL.
	hk run -d --name deaf busybox sleep 100 >/dev/null
	start=$SECONDS
	hk stop -t 1 deaf
	[ $((SECONDS - start)) -lt 5 ]
	[ "$(hk inspect -f '{{.State.ExitCode}}' deaf)" = 137 ]
	# A container that handles its stop signal exits with its own status.
	hk run -d --name polite --stop-signal USR1 busybox sh -c 'trap "exit 7" USR1; while :; do sleep 0.1; done' >/dev/null
	hk stop polite
	[ "$(hk inspect -f '{{.State.ExitCode}}' polite)" = 7 ]
	hk run -d --name quick --stop-timeout 1 busybox sleep 100 >/dev/null
	start=$SECONDS
	hk stop quick
	[ $((SECONDS - start)) -lt 5 ]
	hk rm deaf polite quick
}

@test "kill -s, wait prints exit codes, restart runs it again" {
	hk run -d --name k1 busybox sh -c 'trap "exit 3" HUP; while :; do sleep 0.1; done' >/dev/null
	hk kill -s HUP k1
	run hk wait k1
	[ "$output" = 3 ]
	run hk kill k1
	[ "$status" -eq 125 ]
	[[ "$output" == *"not running"* ]]
	hk restart -t 1 k1
	[ "$(hk inspect -f '{{.State.Status}}' k1)" = running ]
	hk kill -s 9 k1
	run hk wait k1
	[ "$output" = 137 ]
	hk rm k1
}

@test "rm refuses a running container without -f; -v removes its anonymous volumes" {
	hk run -d --name r1 -v /data busybox sleep 100 >/dev/null
	run hk rm r1
	[ "$status" -eq 125 ]
	[[ "$output" == *running* ]]
	[ "$(hk volume ls -q | wc -l)" -eq 1 ]
	hk rm -f -v r1
	[ "$(hk volume ls -q | wc -l)" -eq 0 ]
	run hk rm nosuch
	[ "$status" -eq 125 ]
	[[ "$output" == *"no such container"* ]]
}

@test "run -d --rm: the monitor removes the container when it exits" {
	id=$(hk run -d --rm busybox sleep 0.2)
	for i in $(seq 100); do
		hk inspect "$id" >/dev/null 2>&1 || break
		sleep 0.05
	done
	run hk inspect "$id"
	[ "$status" -ne 0 ]
}

@test "--restart on-failure:2 restarts twice, then stays exited" {
	hk run -d --name flaky --restart on-failure:2 busybox sh -c 'exit 1' >/dev/null
	for i in $(seq 100); do
		[ "$(hk inspect -f '{{.RestartCount}} {{.State.Status}}' flaky)" = "2 exited" ] && break
		sleep 0.1
	done
	[ "$(hk inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' flaky)" = "2 exited 1" ]
	hk rm flaky
}

@test "--restart always restarts after success, stop ends it; unless-stopped likewise" {
	hk run -d --name again --restart always busybox sh -c 'sleep 0.2' >/dev/null
	for i in $(seq 100); do
		[ "$(hk inspect -f '{{.RestartCount}}' again)" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(hk inspect -f '{{.RestartCount}}' again)" -ge 2 ]
	hk stop -t 1 again
	count=$(hk inspect -f '{{.RestartCount}}' again)
	sleep 1
	[ "$(hk inspect -f '{{.RestartCount}} {{.State.Status}}' again)" = "$count exited" ]
	hk run -d --name us --restart unless-stopped busybox sh -c 'sleep 0.2' >/dev/null
	for i in $(seq 100); do
		[ "$(hk inspect -f '{{.RestartCount}}' us)" -ge 1 ] && break
		sleep 0.1
	done
	hk stop -t 1 us
	[ "$(hk inspect -f '{{.State.Status}}' us)" = exited ]
	hk rm again us
}

@test "a container whose monitor was killed shows as exited and can be removed" {
	id=$(hk run -d --name orphan busybox sleep 100)
	mon=$(hk inspect -f '{{.State.MonitorPid}}' orphan)
	[ -n "$mon" ] && [ "$mon" -gt 0 ]
	kill -9 "$mon"
	wait_for_state orphan exited
	run hk ps -a --format '{{.Names}} {{.State}}'
	[ "$output" = "orphan exited" ]
	# The container's processes went with it, and nothing is left mounted.
	hk rm orphan
}

@test "--health-cmd: healthy, then unhealthy after --health-retries failures" {
	hk run -d --name doc --health-cmd 'test -f /tmp/ok' --health-interval 200ms --health-retries 2 --health-timeout 2s busybox sh -c 'touch /tmp/ok; sleep 100' >/dev/null
	for i in $(seq 100); do
		[ "$(hk inspect -f '{{.State.Health.Status}}' doc)" = healthy ] && break
		sleep 0.1
	done
	[ "$(hk inspect -f '{{.State.Health.Status}}' doc)" = healthy ]
	[[ "$(hk ps --format '{{.Status}}')" == *"(healthy)"* ]]
	hk exec doc rm /tmp/ok
	for i in $(seq 100); do
		[ "$(hk inspect -f '{{.State.Health.Status}}' doc)" = unhealthy ] && break
		sleep 0.1
	done
	[ "$(hk inspect -f '{{.State.Health.Status}}' doc)" = unhealthy ]
	[ "$(hk inspect -f '{{.State.Health.FailingStreak}}' doc)" -ge 2 ]
	hk rm -f doc
}

# wait_health NAME STATUS: up to 10 s for NAME's health to be STATUS.
wait_health() {
	for i in $(seq 100); do
		[ "$(hk inspect -f '{{.State.Health.Status}}' "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	[ "$(hk inspect -f '{{.State.Health.Status}}' "$1")" = "$2" ]
}

@test "the image's HEALTHCHECK is honoured; --no-healthcheck and --health-* override it" {
	load oci-image
	make_oci_image_tar "$BATS_TEST_TMPDIR" "$BATS_FILE_TMPDIR/bbroot" checked:1 \
		'.config.Healthcheck = {Test: ["CMD-SHELL", "test -f /tmp/ok"], Interval: 200000000, Retries: 2}'
	hk load -i "$BATS_TEST_TMPDIR/image.tar" >/dev/null
	# The image's check, as Docker runs it.
	hk run -d --name imgcheck checked:1 sh -c 'touch /tmp/ok; sleep 100' >/dev/null
	wait_health imgcheck healthy
	hk inspect imgcheck | jq -e '.[0].Config.Healthcheck.Test == ["CMD-SHELL", "test -f /tmp/ok"]'
	# --no-healthcheck: none at all.
	hk run -d --name nocheck --no-healthcheck checked:1 sleep 100 >/dev/null
	sleep 0.5
	hk inspect nocheck | jq -e '.[0].State.Health == null'
	[[ "$(hk ps --filter name=nocheck --format '{{.Status}}')" != *health* ]]
	# --health-cmd replaces the image's test, keeping its interval.
	hk run -d --name owncheck --health-cmd 'false' --health-retries 1 checked:1 sh -c 'touch /tmp/ok; sleep 100' >/dev/null
	wait_health owncheck unhealthy
	[ "$(hk inspect -f '{{.Config.Healthcheck.Interval}}' owncheck)" = 200000000 ]
	# --health-interval alone keeps the image's test.
	hk run -d --name faster --health-interval 100ms checked:1 sh -c 'sleep 100' >/dev/null
	wait_health faster unhealthy
	[ "$(hk inspect -f '{{.Config.Healthcheck.Interval}}' faster)" = 100000000 ]
	hk rm -f imgcheck nocheck owncheck faster
	hk rmi checked:1 >/dev/null
}
