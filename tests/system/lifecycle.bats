#!/usr/bin/env bats
# The OCI lifecycle: create, start, state, kill, delete, run, list.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { setup_file_common; }
teardown_file() { teardown_file_common; }
setup() { make_bundle sleep 100; }
teardown() { common_teardown; }

@test "create leaves the process waiting, start runs it, delete removes it" {
	rt create --bundle "$BUNDLE" "$CID"
	run rt state "$CID"
	[ "$(echo "$output" | jq -r .status)" = created ]
	pid=$(echo "$output" | jq -r .pid)
	[ "$pid" -gt 0 ]
	# created: still the runtime's code, not sleep
	[ "$(readlink /proc/$pid/exe)" != /bin/busybox ]
	rt start "$CID"
	wait_for_status "$CID" running
	[ "$(cat /proc/$pid/comm)" = sleep ]
	rt kill "$CID" KILL
	wait_for_status "$CID" stopped
	rt delete "$CID"
	run rt state "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container \`$CID\` does not exist"* ]]
	[ -z "$(container_cgroups)" ]
}

@test "state has the runtime-spec fields" {
	config_set '.annotations = {"org.example.key": "value"}'
	rt create --bundle "$BUNDLE" "$CID"
	run rt state "$CID"
	echo "$output" | jq -e '.ociVersion and .id and .status and .pid and .bundle'
	[ "$(echo "$output" | jq -r .bundle)" = "$BUNDLE" ]
	[ "$(echo "$output" | jq -r '.annotations["org.example.key"]')" = value ]
	[ "$(echo "$output" | jq -r .id)" = "$CID" ]
}

@test "delete of a running container fails unless --force" {
	rt create --bundle "$BUNDLE" "$CID"
	rt start "$CID"
	run rt delete "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"is running"* ]]
	rt delete --force "$CID"
	run rt state "$CID"
	[ "$status" -ne 0 ]
	[ -z "$(container_cgroups)" ]
}

@test "delete of a created container: refused without --force (its process waits), killed with it" {
	rt create --bundle "$BUNDLE" "$CID"
	pid=$(rt state "$CID" | jq -r .pid)
	run rt delete "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container \`$CID\` is created: stop it first or delete it with --force"* ]]
	[ "$(rt state "$CID" | jq -r .status)" = created ]
	rt delete --force "$CID"
	! kill -0 "$pid" 2>/dev/null || [ "$(awk '{print $3}' /proc/$pid/stat)" = Z ]
}

@test "kill accepts signal names and numbers" {
	make_bundle sh -c 'trap "exit 7" USR1; trap "exit 9" TERM; while :; do sleep 0.1; done'
	rt create --bundle "$BUNDLE" "$CID"
	rt start "$CID"
	wait_for_status "$CID" running
	pid=$(rt state "$CID" | jq -r .pid)
	rt kill "$CID" SIGUSR1
	wait_for_status "$CID" stopped
	rt delete "$CID"
	rt create --bundle "$BUNDLE" "$CID"
	rt start "$CID"
	rt kill "$CID" 15
	wait_for_status "$CID" stopped
	run rt kill "$CID" NOPE
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown signal \`NOPE\`"* ]]
}

@test "kill --all signals every process of the container" {
	make_bundle sh -c 'sleep 100 & sleep 100 & wait'
	config_set '.linux.namespaces |= map(select(.type != "pid"))'
	rt create --bundle "$BUNDLE" "$CID"
	rt start "$CID"
	for i in $(seq 50); do
		[ "$(wc -l <"$(cgroup_dir_of pids)/cgroup.procs")" -ge 3 ] && break
		sleep 0.05
	done
	pids=$(cat "$(cgroup_dir_of pids)/cgroup.procs")
	[ "$(echo "$pids" | wc -l)" -ge 3 ]
	rt kill --all "$CID" KILL
	wait_for_status "$CID" stopped
	for p in $pids; do
		! kill -0 "$p" 2>/dev/null || [ "$(awk '{print $3}' /proc/$p/stat)" = Z ]
	done
}

@test "kill --all of an exited container signals what is left and succeeds" {
	# No pid namespace: the first process exits and leaves a child in the
	# cgroup, as processes of a pod sharing a pid namespace are left.
	make_bundle sh -c 'sleep 100 & echo started; exit 0'
	config_set '.linux.namespaces |= map(select(.type != "pid"))'
	rt create --bundle "$BUNDLE" "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped
	procs=$(cgroup_dir_of pids)/cgroup.procs
	for i in $(seq 50); do [ -s "$procs" ] && break; sleep 0.05; done
	left=$(cat "$procs")
	[ -n "$left" ]
	rt kill --all "$CID" 9
	for i in $(seq 100); do [ -s "$procs" ] || break; sleep 0.05; done
	[ ! -s "$procs" ]
	# Nothing left: --all still succeeds, as runc's does.
	rt kill --all "$CID" 9
	rt delete "$CID"
}

@test "errors name the container in the words containerd's shim and Podman match" {
	# containerd-shim-runc-v2 (checkKillError, Init.delete) and Podman
	# (UpdateContainerStatus) look for these substrings in our stderr.
	make_bundle true
	rt create --bundle "$BUNDLE" "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped
	run rt kill "$CID" 9
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
	rt delete "$CID"
	for verb in "kill NOPE$$ 9" "delete NOPE$$" "state NOPE$$" "start NOPE$$" "pause NOPE$$" "ps NOPE$$"; do
		# shellcheck disable=SC2086 # the verb and its arguments
		run rt $verb
		[ "$status" -ne 0 ]
		[[ "$output" == *"container \`NOPE$$\` does not exist"* ]] || { echo "$verb: $output"; false; }
	done
	run rt delete --force "NOPE$$"
	[ "$status" -eq 0 ]
}

@test "run in the foreground returns the exit status, 128+N for a signal" {
	make_bundle sh -c 'exit 42'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 42 ]
	make_bundle sh -c 'kill -TERM $$; sleep 5'
	config_set '.linux.namespaces |= map(select(.type != "pid"))'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 143 ]
	# run removes the container afterwards
	[ -z "$(rt list -q)" ]
}

@test "run --keep leaves the stopped container for state and delete" {
	make_bundle sh -c 'exit 3'
	run rt run --keep --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 3 ]
	[ "$(rt state "$CID" | jq -r .status)" = stopped ]
	[ -n "$(container_cgroups)" ]
	rt delete "$CID"
	[ -z "$(container_cgroups)" ]
	run rt run --keep --detach --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--keep applies to a container run in the foreground"* ]]
}

@test "run forwards signals to the container" {
	make_bundle sh -c 'trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.05; done'
	"$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID" >"$BATS_TEST_TMPDIR/out" &
	runner=$!
	for i in $(seq 100); do grep -q ready "$BATS_TEST_TMPDIR/out" && break; sleep 0.05; done
	kill -TERM "$runner"
	rc=0
	wait "$runner" || rc=$?
	[ "$rc" -eq 3 ]
	grep -q got-term "$BATS_TEST_TMPDIR/out"
}

@test "run --detach returns while the container runs" {
	rt run --detach --bundle "$BUNDLE" "$CID"
	wait_for_status "$CID" running
	rt delete --force "$CID"
}

@test "pid file and preserved fds" {
	make_bundle sh -c 'cat <&3'
	echo "through fd 3" >"$BATS_TEST_TMPDIR/input"
	rt create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" --preserve-fds 1 "$CID" 3<"$BATS_TEST_TMPDIR/input"
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(rt state "$CID" | jq -r .pid)" ]
	rt delete --force "$CID"
	run rt run --bundle "$BUNDLE" --preserve-fds 1 "$CID" 3<"$BATS_TEST_TMPDIR/input"
	[ "$status" -eq 0 ]
	[ "$output" = "through fd 3" ]
}

@test "list shows containers as a table and as JSON" {
	rt create --bundle "$BUNDLE" "$CID"
	run rt list
	[[ "$output" == *"$CID"*created* ]]
	run rt list --format json
	[ "$(echo "$output" | jq -r '.[0].id')" = "$CID" ]
	[ "$(echo "$output" | jq -r '.[0].status')" = created ]
}

@test "pause and resume freeze the container" {
	rt create --bundle "$BUNDLE" "$CID"
	rt start "$CID"
	rt pause "$CID"
	[ "$(rt state "$CID" | jq -r .status)" = paused ]
	pid=$(rt state "$CID" | jq -r .pid)
	grep -q '^State:.*(stopped)\|^State:.*S\|^State:.*D' /proc/$pid/status
	rt resume "$CID"
	[ "$(rt state "$CID" | jq -r .status)" = running ]
	run rt resume "$CID"
	[ "$status" -ne 0 ]
}

@test "an executable that does not exist: 127 and a clear message" {
	make_bundle /no/such/program
	run -127 rt run --bundle "$BUNDLE" "$CID"
	[[ "$output" == *"/no/such/program"* ]]
	make_bundle nosuchprogram
	run -127 rt run --bundle "$BUNDLE" "$CID"
	[[ "$output" == *"executable file not found in \$PATH"* ]]
	[ -z "$(rt list -q)" ]
}

@test "a program that does not exist fails the create, as runc and crun do; nothing is left" {
	before=$(host_snapshot)
	out=$BATS_TEST_TMPDIR/out
	make_bundle nosuchprogram
	# (a file, not a pipe: a container that was made would hold it open)
	! rt create --bundle "$BUNDLE" "$CID" >"$out" 2>&1
	grep -F 'exec `nosuchprogram`: executable file not found in $PATH' "$out"
	[ -z "$(rt list -q)" ]
	make_bundle /no/such/program
	! rt create --bundle "$BUNDLE" "$CID" >"$out" 2>&1
	grep -F 'exec `/no/such/program`: no such file or directory' "$out"
	make_bundle /etc/passwd
	! rt create --bundle "$BUNDLE" "$CID" >"$out" 2>&1
	grep -F 'exec `/etc/passwd`: permission denied' "$out"
	[ -z "$(rt list -q)" ]
	host_unchanged "$before"
}

@test "--systemd-cgroup is refused clearly without systemd" {
	run "$RUNTIME" --root "$STATE_ROOT" --systemd-cgroup list
	[ "$status" -ne 0 ]
	[[ "$output" == *"systemd"* ]]
}

@test "the --log file gets errors as JSON lines" {
	run "$RUNTIME" --root "$STATE_ROOT" --log "$BATS_TEST_TMPDIR/log.json" --log-format json state nosuch
	[ "$status" -ne 0 ]
	jq -e 'select(.level == "error") | .msg | contains("does not exist")' "$BATS_TEST_TMPDIR/log.json"
}
