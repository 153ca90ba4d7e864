#!/usr/bin/env bats
# process: args, env, cwd, user, umask, additional groups, capabilities,
# rlimits, noNewPrivileges, oomScoreAdj; hostname, domainname, sysctl.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { setup_file_common; }
teardown_file() { teardown_file_common; }
setup() { make_bundle true; }
teardown() { common_teardown; }

# run_in_container SHELL-COMMAND: runs it, output in $output.
run_in_container() {
	config_set '.process.args = ["sh", "-c", $cmd]' --arg cmd "$1"
	run rt run --bundle "$BUNDLE" "$CID"
}

@test "args, env and cwd" {
	config_set '.process.env = ["PATH=/bin", "GREETING=hello there"] | .process.cwd = "/tmp"'
	run_in_container 'echo "$GREETING|$(pwd)|$0"'
	[ "$status" -eq 0 ]
	[ "$output" = "hello there|/tmp|sh" ]
}

@test "HOME comes from the container's /etc/passwd when the environment has none" {
	private_rootfs
	echo 'lab:x:1000:1000:lab user:/home/lab:/bin/sh' >>"$BUNDLE/rootfs/etc/passwd"
	mkdir -p "$BUNDLE/rootfs/home/lab"
	config_set '.process.env = ["PATH=/bin"] | .process.user = {uid: 1000, gid: 1000} | .process.args = ["sh", "-c", "echo $HOME"]'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = /home/lab ]
	config_set '.process.user = {uid: 0, gid: 0}'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$output" = /root ]
	# A uid /etc/passwd does not know: "/", as runc and crun say.
	config_set '.process.user = {uid: 4242, gid: 4242}'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$output" = / ]
	# The environment's own HOME wins.
	config_set '.process.env += ["HOME=/elsewhere"]'
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$output" = /elsewhere ]
	# exec: the same rule, for the exec's user.
	config_set '.process.env = ["PATH=/bin"] | .process.user = {uid: 0, gid: 0} | .process.args = ["sleep", "100"]'
	rt run --detach --bundle "$BUNDLE" "$CID"
	run rt exec --user 1000:1000 "$CID" sh -c 'echo $HOME'
	[ "$output" = /home/lab ]
	run rt exec "$CID" sh -c 'echo $HOME'
	[ "$output" = /root ]
	run rt exec --env HOME=/mine "$CID" sh -c 'echo $HOME'
	[ "$output" = /mine ]
}

@test "an unknown capability is a warning, not an error (runtime-spec)" {
	config_set '.process.capabilities.bounding += ["CAP_FLY"] | .process.capabilities.effective += ["CAP_FLY"]'
	run_in_container 'echo ran'
	[ "$status" -eq 0 ]
	[[ "$output" == *"process.capabilities.bounding["*"]: unknown capability \`CAP_FLY\` ignored"* ]]
	[[ "$output" == *"process.capabilities.effective["*"]: unknown capability \`CAP_FLY\` ignored"* ]]
	[[ "$output" == *ran ]]
}

@test "a missing process.cwd is made, as runc and crun do" {
	private_rootfs
	config_set '.process.cwd = "/no/such/dir" | .process.user = {uid: 1000, gid: 1000}'
	run_in_container 'pwd'
	[ "$status" -eq 0 ]
	[ "$output" = /no/such/dir ]
	[ "$(stat -c '%a %u' "$BUNDLE/rootfs/no/such/dir")" = "755 0" ]
}

@test "user, group, additional groups and umask" {
	config_set '.process.user = {uid: 1000, gid: 1001, additionalGids: [20, 30], umask: 63}'
	run_in_container 'id -u; id -g; id -G; umask'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sed -n 1p)" = 1000 ]
	[ "$(echo "$output" | sed -n 2p)" = 1001 ]
	[ "$(echo "$output" | sed -n 3p)" = "1001 20 30" ]
	[ "$(echo "$output" | sed -n 4p)" = 0077 ]
}

@test "all five capability sets are what the config says" {
	# A non-root user, so the kernel keeps the sets as given through execve
	# (for root it widens permitted/effective to the bounding set).
	config_set '.process.user = {uid: 1000, gid: 1000} | .process.capabilities = {
		bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SYS_ADMIN"],
		effective: ["CAP_CHOWN", "CAP_KILL"],
		permitted: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
		inheritable: ["CAP_KILL", "CAP_NET_RAW"],
		ambient: ["CAP_KILL"]}'
	config_set '.process.args = ["sleep", "100"]'
	rt create --bundle "$BUNDLE" "$CID"
	pid=$(rt state "$CID" | jq -r .pid)
	# created: the process waits with exactly the configured sets
	# (CHOWN=0 KILL=5 NET_RAW=13 SYS_ADMIN=21)
	[ "$(awk '/^CapBnd/ {print $2}' /proc/$pid/status)" = 0000000000202021 ]
	[ "$(awk '/^CapEff/ {print $2}' /proc/$pid/status)" = 0000000000000021 ]
	[ "$(awk '/^CapPrm/ {print $2}' /proc/$pid/status)" = 0000000000002021 ]
	[ "$(awk '/^CapInh/ {print $2}' /proc/$pid/status)" = 0000000000002020 ]
	[ "$(awk '/^CapAmb/ {print $2}' /proc/$pid/status)" = 0000000000000020 ]
	rt start "$CID"
	wait_for_status "$CID" running
	for i in $(seq 50); do [ "$(cat /proc/$pid/comm)" = sleep ] && break; sleep 0.02; done
	[ "$(awk '/^CapBnd/ {print $2}' /proc/$pid/status)" = 0000000000202021 ]
	# after execve, a non-root process keeps its ambient set as permitted and effective
	[ "$(awk '/^CapEff/ {print $2}' /proc/$pid/status)" = 0000000000000020 ]
	[ "$(awk '/^CapPrm/ {print $2}' /proc/$pid/status)" = 0000000000000020 ]
	[ "$(awk '/^CapInh/ {print $2}' /proc/$pid/status)" = 0000000000002020 ]
	[ "$(awk '/^CapAmb/ {print $2}' /proc/$pid/status)" = 0000000000000020 ]
}

@test "ambient capabilities survive a non-root user" {
	config_set '.process.user = {uid: 1000, gid: 1000}
		| .process.capabilities = {bounding: ["CAP_NET_BIND_SERVICE"], effective: ["CAP_NET_BIND_SERVICE"],
		  permitted: ["CAP_NET_BIND_SERVICE"], inheritable: ["CAP_NET_BIND_SERVICE"], ambient: ["CAP_NET_BIND_SERVICE"]}'
	run_in_container 'grep CapEff /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" == *0000000000000400 ]]
}

@test "rlimits are set, and raising a hard limit past the host's is a clear error" {
	config_set '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 100, hard: 200}, {type: "RLIMIT_NPROC", soft: 50, hard: 60}]'
	run_in_container 'ulimit -n; ulimit -Hn; ulimit -u'
	[ "$status" -eq 0 ]
	[ "$output" = $'100\n200\n50' ]
	hard=$(ulimit -Hn)
	config_set '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1024, hard: ($h + 1)}]' --argjson h "$hard"
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ] || skip "this host lets root raise hard limits"
	[[ "$output" == *"process.rlimits[0]"* ]]
}

@test "noNewPrivileges is set when asked and not otherwise" {
	config_set '.process.noNewPrivileges = true'
	run_in_container 'grep NoNewPrivs /proc/self/status'
	[[ "$output" == *"1" ]]
	config_set '.process.noNewPrivileges = false'
	run_in_container 'grep NoNewPrivs /proc/self/status'
	[[ "$output" == *"0" ]]
}

@test "oomScoreAdj is applied" {
	config_set '.process.oomScoreAdj = 500'
	run_in_container 'cat /proc/self/oom_score_adj'
	[ "$status" -eq 0 ]
	[ "$output" = 500 ]
}

@test "hostname, domainname and a namespaced sysctl" {
	config_set '.hostname = "box.example" | .domainname = "example.org"
		| .linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1000"}'
	run_in_container 'hostname; cat /proc/sys/kernel/domainname; cat /proc/sys/net/ipv4/ip_forward; cat /proc/sys/kernel/shmmni'
	[ "$status" -eq 0 ]
	[ "$output" = $'box.example\nexample.org\n1\n1000' ]
	# the host's are untouched
	[ "$(hostname)" != box.example ]
	[ "$(cat /proc/sys/kernel/shmmni)" != 1000 ]
}

@test "a kernel.hostname sysctl that contradicts hostname is refused, an agreeing one runs" {
	before=$(host_snapshot)
	config_set '.hostname = "box" | .linux.sysctl = {"kernel.hostname": "other"}'
	run_in_container hostname
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.sysctl: \`kernel.hostname\` = \`other\` conflicts with hostname \`box\`"* ]]
	host_unchanged "$before"
	config_set '.linux.sysctl = {"kernel.hostname": "box"}'
	run_in_container hostname
	[ "$status" -eq 0 ]
	[ "$output" = box ]
}

@test "a non-namespaced sysctl is refused: it would change the host" {
	config_set '.linux.sysctl = {"kernel.core_pattern": "|/tmp/evil"}'
	before=$(cat /proc/sys/kernel/core_pattern)
	run rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"kernel.core_pattern"*"not namespaced"* ]]
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
}
