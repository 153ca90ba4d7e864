#!/usr/bin/env bats
# Bad input to the engine: a clear error naming what is wrong, exit 125,
# and nothing made (no record, mount, cgroup, volume or monitor).

load engine-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

# refused WORD ARGS...: `hk ARGS` exits 125 with WORD in its message, and
# no container or volume exists afterwards.
refused() {
	local word=$1
	shift
	run hk "$@"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"$word"* ]]
	[ -z "$(hk ps -a -q)" ]
	[ -z "$(hk volume ls -q)" ]
}

@test "bad values of run flags name the flag and the value" {
	refused 12q run --memory 12q busybox true
	refused cpus run --cpus -1 busybox true
	refused garbage run -p garbage busybox true
	refused 70000 run -p 70000:80 busybox true
	refused bogus run --restart bogus busybox true
	refused "on-failure" run --restart on-failure:x busybox true
	refused nofile run --ulimit nofile=abc busybox true
	refused NOPE run --stop-signal NOPE busybox true
	refused 3x run --health-interval 3x --health-cmd true busybox true
	refused "--no-such-flag" run --no-such-flag busybox true
	refused "seccomp" run --security-opt seccomp=/no/such/profile.json busybox true
	refused "/no/such/device" run --device /no/such/device busybox true
	refused "rm" run -d --rm --restart always busybox true
}

@test "a missing image, a missing command, a name in use" {
	refused "nosuchimage" run --rm nosuchimage true
	refused "image" run
	hk create --name taken busybox true >/dev/null
	run hk run --name taken busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *taken*"in use"* ]]
	[ "$(hk ps -a -q | wc -l)" -eq 1 ]
	hk rm taken
	hk import "$BUSYBOX_TAR" nocmd >/dev/null
	refused "command" run --rm nocmd
	hk rmi nocmd >/dev/null
}

@test "unknown containers and commands" {
	refused "no such container" stop nosuch
	refused "no such container" logs nosuch
	refused "no such container" exec nosuch true
	refused "unknown command" frobnicate
}

@test "a run whose start fails leaves nothing; a created container that cannot start keeps the error" {
	mkdir "$BATS_TEST_TMPDIR/src"
	# The bind source disappears between create and start.
	id=$(hk create --mount "type=bind,source=$BATS_TEST_TMPDIR/src,target=/x" busybox true)
	rmdir "$BATS_TEST_TMPDIR/src"
	run hk start "$id"
	[ "$status" -eq 125 ]
	[[ "$output" == *src* ]]
	[ "$(hk inspect -f '{{.State.Status}}' "$id")" = created ]
	[[ "$(hk inspect -f '{{.State.Error}}' "$id")" == *src* ]]
	hk rm "$id"
	# A run that fails to start is removed: sysctl outside the container's namespaces.
	run hk run --sysctl kernel.hostname_nope=1 busybox true
	[ "$status" -eq 125 ]
	[ -z "$(hk ps -a -q)" ]
}
