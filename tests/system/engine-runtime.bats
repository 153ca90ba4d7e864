#!/usr/bin/env bats
# run --runtime PATH: containers through another OCI runtime's command line
# (runc, crun, our own hako-runtime) instead of the in-process library.

load engine-helpers

PTY_RUN=$TOP/tests/helpers/pty-run.py

setup_file() {
	require_tools runc crun
	engine_setup_file
}
teardown_file() {
	engine_teardown_file
	rm -rf "$HAKO_RUNROOT/oci-runtime"
}
setup() { engine_setup; }
teardown() { engine_teardown; }

# lifecycle RUNTIME: run, exec, stop, start, -it and rm through RUNTIME.
lifecycle() {
	local runtime=$1
	run hk run --rm --runtime "$runtime" busybox sh -c 'echo hello; grep CapEff /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = "CapEff:	00000000a80425fb" ]
	run hk run --rm --runtime "$runtime" busybox sh -c 'exit 7'
	[ "$status" -eq 7 ]
	hk run -d --name ext --runtime "$runtime" busybox sleep 100 >/dev/null
	[ "$(hk inspect -f '{{.HostConfig.Runtime}}' ext)" = "$(command -v "$runtime" || echo "$runtime")" ]
	[ "$(hk inspect -f '{{.State.Pid}}' ext)" -gt 0 ]
	run hk exec ext sh -c 'echo in-exec; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = in-exec ]
	hk stop -t 1 ext
	[ "$(hk inspect -f '{{.State.ExitCode}}' ext)" = 137 ]
	hk start ext
	[ "$(hk inspect -f '{{.State.Status}}' ext)" = running ]
	hk rm -f ext
	run "$PTY_RUN" --size 20x60 'expect:# ' 'send:stty size; exit 2\n' -- \
		"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" run -it --rm --cgroup-parent "$ENGINE_CGROUP" --runtime "$runtime" busybox sh
	[ "$status" -eq 2 ]
	[[ "$output" == *"20 60"* ]]
}

@test "--runtime runc" {
	lifecycle runc
}

@test "--runtime hako-runtime (our own binary through its command line)" {
	lifecycle "$HAKO_BUILD/src/cli/hako-runtime"
}

@test "--runtime crun" {
	# crun 1.8 refuses this host's hybrid cgroup layout ("cgroups in hybrid
	# mode not supported"); pure v2 and pure v1 hosts are fine.
	if ! out=$(hk run --rm --runtime crun busybox true 2>&1); then
		[[ "$out" == *"crun create"* ]]
		skip "crun cannot create containers on this host: $out"
	fi
	lifecycle crun
}

@test "--runtime that does not exist is refused before anything is made" {
	run hk run --rm --runtime /no/such/runtime busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == */no/such/runtime* ]]
	run hk run --rm --runtime no-such-runtime busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *no-such-runtime* ]]
	[ -z "$(hk ps -a -q)" ]
}
