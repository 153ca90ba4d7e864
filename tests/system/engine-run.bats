#!/usr/bin/env bats
# hako run/create/start/stop/kill/rm/wait: the lifecycle of engine containers.

load engine-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "run --rm prints the output and leaves nothing" {
	run hk run --rm busybox echo hello from hako
	[ "$status" -eq 0 ]
	[ "$output" = "hello from hako" ]
	[ -z "$(hk ps -a -q)" ]
}

@test "run exits with the container's status" {
	run hk run --rm busybox sh -c 'exit 42'
	[ "$status" -eq 42 ]
}
