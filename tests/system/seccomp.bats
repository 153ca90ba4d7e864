#!/usr/bin/env bats
# linux.seccomp: Docker's default allow-list, actions, argument
# conditions, errnoRet, the compiled-filter cache, SCMP_ACT_NOTIFY.

load helpers
bats_require_minimum_version 1.5.0

AGENT=$HAKO_BUILD/tests/helpers/hako-test-seccomp-agent
PROFILE=$BATS_TEST_DIRNAME/data/docker-default-seccomp.json

setup_file() { setup_file_common; }
teardown_file() { teardown_file_common; }
setup() { make_bundle true; }
teardown() {
	[ -n "${agent_pid:-}" ] && kill "$agent_pid" 2>/dev/null
	common_teardown
}

# An allow-list of what static busybox's true, sh and sleep call, plus
# execve: nothing of the runtime's own (close_range, getcwd, sendmsg...).
MINIMAL_PROFILE='{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"action": "SCMP_ACT_ALLOW", "names": [
	"execve", "arch_prctl", "brk", "getrandom", "getuid", "mprotect", "prctl", "prlimit64",
	"readlink", "rseq", "set_robust_list", "set_tid_address", "getpid", "getppid",
	"newfstatat", "rt_sigaction", "uname", "write", "clock_nanosleep", "exit", "exit_group"]}]}'

run_in_container() {
	config_set '.process.args = ["sh", "-c", $cmd]' --arg cmd "$1"
	run rt run --bundle "$BUNDLE" "$CID"
}

@test "Docker's default profile: the filter is on, ordinary work runs, namespaces are refused" {
	config_set '.linux.seccomp = $p[0]' --slurpfile p "$PROFILE"
	config_set '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	run_in_container 'grep ^Seccomp: /proc/self/status; ls / >/dev/null && echo ls-ok; unshare -n true 2>&1 || echo unshare-refused; mount -t tmpfs x /tmp 2>&1 || echo mount-refused'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'Seccomp:\t2'* ]]
	[[ "$output" == *ls-ok* ]]
	[[ "$output" == *unshare-refused* ]]
	[[ "$output" == *mount-refused* ]]
}

@test "a minimal allow-list profile: run, create/start and exec need only the program's syscalls and execve" {
	config_set '.linux.seccomp = $p' --argjson p "$MINIMAL_PROFILE"
	config_set '.process.args = ["sh", "-c", "echo in-container; exit 3"]'
	run rt run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 3 ]
	[ "$output" = in-container ]
	config_set '.process.args = ["true"]'
	rt create --bundle "$BUNDLE" "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped
	rt delete "$CID"
	config_set '.process.args = ["sleep", "100"]'
	rt run --detach --bundle "$BUNDLE" "$CID"
	pid=$(rt state "$CID" | jq -r .pid)
	[ "$(awk '/^Seccomp:/ {print $2}' /proc/$pid/status)" = 2 ]
	run rt exec "$CID" sh -c 'echo exec-ok; exit 5'
	[ "$status" -eq 5 ]
	[ "$output" = exec-ok ]
}

@test "a minimal allow-list profile without noNewPrivileges, as a user without CAP_SYS_ADMIN" {
	# Loading the filter then needs CAP_SYS_ADMIN, which the process keeps
	# until execve drops it: the program must not have it.
	config_set '.linux.seccomp = $p' --argjson p "$MINIMAL_PROFILE"
	config_set '.process.noNewPrivileges = false | .process.user = {uid: 1000, gid: 1000} | .process.args = ["sleep", "100"]'
	rt run --detach --bundle "$BUNDLE" "$CID"
	pid=$(rt state "$CID" | jq -r .pid)
	[ "$(awk '/^Seccomp:/ {print $2}' /proc/$pid/status)" = 2 ]
	[ "$(awk '/^NoNewPrivs:/ {print $2}' /proc/$pid/status)" = 0 ]
	for set in CapEff CapPrm CapInh CapAmb; do
		[ "$(awk -v s="$set:" '$1 == s {print $2}' /proc/$pid/status)" = 0000000000000000 ]
	done
	run rt exec "$CID" sh -c 'echo exec-ok'
	[ "$status" -eq 0 ]
	[ "$output" = exec-ok ]
	# As root without CAP_SYS_ADMIN: the bounding set decides what execve
	# gives, and it has no CAP_SYS_ADMIN.
	rt delete --force "$CID"
	config_set '.process.user = {uid: 0, gid: 0}'
	rt run --detach --bundle "$BUNDLE" "$CID"
	pid=$(rt state "$CID" | jq -r .pid)
	eff=$(awk '/^CapEff:/ {print $2}' /proc/$pid/status)
	[ $((0x$eff & (1 << 21))) -eq 0 ]
	[ "$eff" = "$(awk '/^CapBnd:/ {print $2}' /proc/$pid/status)" ]
}

@test "argument conditions and errnoRet" {
	config_set '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [
		{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 42},
		{names: ["personality"], action: "SCMP_ACT_ERRNO", args: [{index: 0, value: 8, op: "SCMP_CMP_EQ"}]}]}'
	run_in_container 'mkdir /tmp/x 2>&1; linux32 true 2>&1 || echo linux32-refused; linux64 true && echo linux64-ok'
	echo "$output"
	[[ "$output" == *"No message of desired type"* ]]
	[[ "$output" == *linux32-refused* ]]
	[[ "$output" == *linux64-ok* ]]
}

@test "SCMP_ACT_KILL_PROCESS kills with SIGSYS" {
	config_set '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_KILL_PROCESS"}]}'
	run_in_container 'exec mkdir /tmp/x'
	[ "$status" -eq 159 ]
}

@test "the exec'd process gets the container's filter" {
	config_set '.process.args = ["sleep", "100"] | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 42}]}'
	rt run --detach --bundle "$BUNDLE" "$CID"
	run rt exec "$CID" sh -c 'grep ^Seccomp: /proc/self/status; mkdir /x 2>&1'
	[[ "$output" == *$'Seccomp:\t2'* ]]
	[[ "$output" == *"No message of desired type"* ]]
}

@test "a compiled profile is cached and reused" {
	config_set '.linux.seccomp = $p[0]' --slurpfile p "$PROFILE"
	cache=$HAKO_SECCOMP_CACHE
	rm -rf "$cache"
	rt run --bundle "$BUNDLE" "$CID"
	[ "$(ls "$cache" | wc -l)" -eq 1 ]
	# reused, not written again: an entry is written to a temporary file
	# and renamed, so a new one has a new inode (a hit touches the mtime,
	# the eviction order, so the time is no sign)
	first=$(stat -c %i "$cache"/*)
	rt run --bundle "$BUNDLE" "$CID"
	[ "$(ls "$cache" | wc -l)" -eq 1 ]
	[ "$(stat -c %i "$cache"/*)" = "$first" ]
	config_set '.linux.seccomp.defaultErrnoRet = 13'
	rt run --bundle "$BUNDLE" "$CID"
	[ "$(ls "$cache" | wc -l)" -eq 2 ]
}

@test "the compiled-filter cache lives outside the state root, which only containers use" {
	# runc leaves --root empty once its containers are deleted and clients
	# check that; the cache also must not share the container-id namespace.
	config_set '.linux.seccomp = $p[0]' --slurpfile p "$PROFILE"
	rm -rf "$HAKO_SECCOMP_CACHE"
	rt run --bundle "$BUNDLE" "$CID"
	[ -z "$(ls -A "$STATE_ROOT")" ]
	[ "$(ls "$HAKO_SECCOMP_CACHE" | wc -l)" -eq 1 ]
	# The default place, without the tests' override: /run/hako.  A profile
	# of this test alone (its errno) finds the entry to remove afterwards.
	marker=$((RANDOM % 3000 + 1000))
	config_set '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: ($m | tonumber)}]}' --arg m "$marker"
	HAKO_SECCOMP_CACHE='' rt run --bundle "$BUNDLE" "$CID"
	[ -z "$(ls -A "$STATE_ROOT")" ]
	entry=$(grep -l "\"errnoRet\":$marker" /run/hako/seccomp-cache/*)
	[ -n "$entry" ]
	rm "$entry"
	[ "$(stat -c %a /run/hako/seccomp-cache)" = 700 ]
}

@test "SCMP_ACT_NOTIFY hands the listener to listenerPath with the state" {
	sock=$BATS_TEST_TMPDIR/agent.sock
	"$AGENT" "$sock" "$BATS_TEST_TMPDIR/state.json" 61 &
	agent_pid=$!
	for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.02; done
	config_set '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $s, listenerMetadata: "meta-42",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}' --arg s "$sock"
	run_in_container 'mkdir /tmp/x 2>&1 || true'
	echo "$output"
	[[ "$output" == *"No data available"* ]]
	wait "$agent_pid"
	agent_pid=
	jq -e --arg id "$CID" '.metadata == "meta-42" and .fds == ["seccompFd"] and .state.id == $id' "$BATS_TEST_TMPDIR/state.json"
}

@test "a rule for an unknown syscall is refused, naming it, with nothing left" {
	before=$(host_snapshot)
	config_set '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["read", "frobnicate"], action: "SCMP_ACT_ERRNO"}]}'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'linux.seccomp.syscalls[0].names[1]: unknown syscall `frobnicate`'* ]]
	host_unchanged "$before"
}
