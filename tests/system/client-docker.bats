#!/usr/bin/env bats
# hako-runtime under Docker 20.10 (Debian's docker.io), as a user adds it:
# `dockerd --add-runtime hako=PATH`, the default runtime left alone, and
# `docker run --runtime hako`.  dockerd starts its own containerd; both
# keep everything in this file's directory (client-helpers.bash), with
# --iptables=false and a bridge of the test's own on 10.213.240.0/24.
# Each operation runs under hako and under runc, and hako's observable
# result must be runc's.

load client-helpers
bats_require_minimum_version 1.5.0

RUNTIMES="hako runc"

setup_file() {
	client_setup_file docker
	client_bridge_add 10.213.240
	local dir=$CLIENT_DIR
	mkdir -p "$dir/cli" "$dir/bin"
	echo '{}' >"$dir/daemon.json"
	# A host whose bounding set lacks capabilities (here CAP_SYS_RESOURCE)
	# cannot grant --privileged's "every capability", to runc or hako:
	# for that one test both get the config with those dropped.
	local missing
	missing=$(host_caps_missing | jq -R 'tonumber' | jq -sc .)
	for rt in hako runc; do
		cap_filter "$dir/bin/$rt-privileged" "$([ $rt = hako ] && echo "$RUNTIME" || echo "$RUNC")" "$missing"
	done
	nsenter --target "$CLIENT_NS_PID" --mount -- env TMPDIR="$dir/tmp" dockerd \
		--config-file "$dir/daemon.json" --data-root "$dir/data" --exec-root "$dir/exec" \
		--pidfile "$dir/dockerd.pid" -H "unix://$dir/docker.sock" \
		--add-runtime "hako=$RUNTIME" \
		--add-runtime "hako-privileged=$dir/bin/hako-privileged" \
		--add-runtime "runc-privileged=$dir/bin/runc-privileged" \
		--iptables=false --ip-forward=false --ip-masq=false --bridge "$CLIENT_BRIDGE" \
		--cgroup-parent "/$CLIENT_CGROUP" >"$dir/dockerd.log" 2>&1 3>&- &
	export DOCKERD_PID=$!
	local i
	for i in $(seq 300); do
		d version >/dev/null 2>&1 && break
		kill -0 "$DOCKERD_PID" 2>/dev/null || { cat "$dir/dockerd.log" >&2; return 1; }
		sleep 0.1
	done
	d load -i "$CLIENT_DIR/busybox/image.tar" >/dev/null
	# every runtime of dockerd 20.10 gets the shim option Root=<exec-root>/runtime-runc
	export CLIENT_RUNTIME_ROOTS=$dir/exec/runtime-runc/moby
}

teardown_file() {
	if [ -n "${DOCKERD_PID:-}" ]; then
		d rm -f $(d ps -aq) >/dev/null 2>&1 || true
		stop_pid "$DOCKERD_PID" 30
	fi
	client_teardown_file
}

setup() { client_setup; }

teardown() {
	local ids
	ids=$(d ps -aq)
	[ -z "$ids" ] || d rm -f $ids >/dev/null
	for v in $(d volume ls -q); do d volume rm "$v" >/dev/null; done
	client_teardown
}

d() {
	DOCKER_CONFIG=$CLIENT_DIR/cli /usr/bin/docker -H "unix://$CLIENT_DIR/docker.sock" "$@"
}

# cap_filter PATH RUNTIME MISSING-JSON: a runtime at PATH that removes the
# capabilities numbered MISSING from the bundle's config.json at create,
# then is RUNTIME.
cap_filter() {
	cat >"$1" <<-EOF
		#!/bin/bash
		names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
			LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
			SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
			SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
			MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
			CHECKPOINT_RESTORE)
		drop=\$(for n in \$(jq -r '.[]' <<<'$3'); do echo "CAP_\${names[n]}"; done | jq -R . | jq -sc .)
		prev=
		for a in "\$@"; do
			if [ "\$prev" = --bundle ]; then
				jq --argjson drop "\$drop" '.process.capabilities |= with_entries(.value -= \$drop)' \\
					"\$a/config.json" >"\$a/config.json.new" && mv "\$a/config.json.new" "\$a/config.json"
			fi
			prev=\$a
		done
		exec $2 "\$@"
	EOF
	chmod +x "$1"
}

# cgroup_file CONTROLLER ID FILE: the container's cgroup file in a v1
# hierarchy.
cgroup_file() {
	echo "/sys/fs/cgroup/$1/$CLIENT_CGROUP/$2/$3"
}

@test "docker: run prints the output and returns the exit code; a missing program is 127" {
	for rt in $RUNTIMES; do
		run --separate-stderr d run --rm --runtime "$rt" "$IMAGE" sh -c 'echo out; echo err >&2; exit 3'
		[ "$status" -eq 3 ]
		[ "$output" = out ]
		[ "$stderr" = err ]
		run d run --rm --runtime "$rt" "$IMAGE" true
		[ "$status" -eq 0 ]
		run -127 d run --rm --runtime "$rt" "$IMAGE" /no/such/program
	done
}

@test "docker: a program that does not exist fails the create, as with runc" {
	for rt in $RUNTIMES; do
		run -127 d run --name "missing-$rt" --runtime "$rt" "$IMAGE" no-such-program
		[[ "$output" == *"executable file not found"* ]]
		eval "state_$rt=\$(d inspect -f '{{.State.Status}} {{.State.ExitCode}}' missing-$rt)"
	done
	same_result "state after the failed run" "$state_hako" "$state_runc"
	[ "$state_hako" = "created 127" ]
}

@test "docker: run -it through a pty: a terminal, typed input, the exit code" {
	for rt in $RUNTIMES; do
		run bash -c "printf 'echo typed-\$((6 * 7)); tty; exit 5\n' |
			script -qec 'DOCKER_CONFIG=$CLIENT_DIR/cli /usr/bin/docker -H unix://$CLIENT_DIR/docker.sock run -it --rm --runtime $rt $IMAGE sh' /dev/null"
		echo "$output"
		[ "$status" -eq 5 ]
		[[ "$output" == *typed-42* ]]
		[[ "$output" == */dev/pts/0* ]]
	done
}

@test "docker: --user NAME runs as that user with HOME from the image's /etc/passwd, in run and exec" {
	for rt in $RUNTIMES; do
		run d run --rm --runtime "$rt" --user labuser "$IMAGE" sh -c 'echo "$(id -un) $(id -u):$(id -g) $HOME"'
		[ "$status" -eq 0 ]
		[ "$output" = "labuser 1000:1000 /home/labuser" ]
		d run -d --name "u-$rt" --runtime "$rt" "$IMAGE" sleep 1000
		run d exec --user labuser "u-$rt" sh -c 'echo "$(id -u) $HOME"'
		[ "$output" = "1000 /home/labuser" ]
		run d exec "u-$rt" sh -c 'echo "$(id -u) $HOME"'
		[ "$output" = "0 /root" ]
	done
}

@test "docker: run -d -p 127.0.0.1::80: the container's server answers on 127.0.0.1" {
	for rt in $RUNTIMES; do
		d run -d --name "web-$rt" --runtime "$rt" -p 127.0.0.1::80 "$IMAGE" httpd -f -p 80 -h /www
		port=$(d port "web-$rt" 80/tcp)
		[[ "$port" == 127.0.0.1:* ]]
		for i in $(seq 50); do
			out=$(wget -q -T 2 -O - "http://$port/" 2>/dev/null) && break
			sleep 0.1
		done
		[ "$out" = hello-from-the-container ]
		# and the container sits on the test's bridge
		ip=$(d inspect -f '{{.NetworkSettings.IPAddress}}' "web-$rt")
		[[ "$ip" == 10.213.240.* ]]
		[ "$(wget -q -T 2 -O - "http://$ip/")" = hello-from-the-container ]
	done
}

@test "docker: exec returns the output and exit code, with its own env and workdir" {
	for rt in $RUNTIMES; do
		d run -d --name "ex-$rt" --runtime "$rt" "$IMAGE" sleep 1000
		run d exec -e HAKO_VAR=v1 -w /tmp "ex-$rt" sh -c 'echo "$HAKO_VAR $(pwd)"; exit 4'
		[ "$status" -eq 4 ]
		[ "$output" = "v1 /tmp" ]
		run d exec "ex-$rt" /no/such/program
		[ "$status" -eq 126 ] || [ "$status" -eq 127 ]
		eval "missing_$rt=$status"
	done
	same_result "exec of a missing program" "$missing_hako" "$missing_runc"
}

@test "docker: top lists the container's processes (the runtime's ps)" {
	for rt in $RUNTIMES; do
		d run -d --name "top-$rt" --runtime "$rt" "$IMAGE" sh -c 'sleep 1001 & sleep 1002'
		for i in $(seq 50); do
			d top "top-$rt" -o pid,args | grep -q 'sleep 1001' && break
			sleep 0.1
		done
		eval "top_$rt=\$(d top top-$rt -o pid,args | awk 'NR > 1 { \$1 = \"\"; print }' | sort)"
	done
	same_result "docker top" "$top_hako" "$top_runc"
	[[ "$top_hako" == *"sleep 1001"* ]]
	[[ "$top_hako" == *"sleep 1002"* ]]
}

@test "docker: pause freezes the container, unpause thaws it" {
	for rt in $RUNTIMES; do
		d run -d --name "pz-$rt" --runtime "$rt" "$IMAGE" sleep 1000
		id=$(d inspect -f '{{.Id}}' "pz-$rt")
		d pause "pz-$rt"
		[ "$(d inspect -f '{{.State.Status}}' "pz-$rt")" = paused ]
		[ "$(cat "$(cgroup_file freezer "$id" freezer.state)")" = FROZEN ]
		run d exec "pz-$rt" true
		[ "$status" -ne 0 ]
		[[ "$output" == *"is paused"* ]]
		d unpause "pz-$rt"
		[ "$(d inspect -f '{{.State.Status}}' "pz-$rt")" = running ]
		[ "$(cat "$(cgroup_file freezer "$id" freezer.state)")" = THAWED ]
		[ "$(d exec "pz-$rt" echo thawed)" = thawed ]
	done
}

@test "docker: update --memory --memory-swap --pids-limit reaches the cgroup of a running container" {
	for rt in $RUNTIMES; do
		d run -d --name "up-$rt" --runtime "$rt" "$IMAGE" sleep 1000
		id=$(d inspect -f '{{.Id}}' "up-$rt")
		d update --memory 64m --memory-swap 128m --pids-limit 33 "up-$rt"
		[ "$(cat "$(cgroup_file memory "$id" memory.limit_in_bytes)")" = 67108864 ]
		[ "$(cat "$(cgroup_file memory "$id" memory.memsw.limit_in_bytes)")" = 134217728 ]
		[ "$(cat "$(cgroup_file pids "$id" pids.max)")" = 33 ]
		[ "$(d inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' "up-$rt")" = "67108864 33" ]
		[ "$(d exec "up-$rt" cat /sys/fs/cgroup/pids/pids.max)" = 33 ]
	done
}

@test "docker: stop (the container's TERM handler), start, kill, rm" {
	for rt in $RUNTIMES; do
		d run -d --name "st-$rt" --runtime "$rt" "$IMAGE" sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
		d stop -t 10 "st-$rt"
		[ "$(d inspect -f '{{.State.Status}} {{.State.ExitCode}}' "st-$rt")" = "exited 42" ]
		d start "st-$rt"
		[ "$(d inspect -f '{{.State.Status}}' "st-$rt")" = running ]
		d kill "st-$rt"
		[ "$(d wait "st-$rt")" = 137 ]
		d start "st-$rt"
		d kill -s TERM "st-$rt"
		[ "$(d wait "st-$rt")" = 42 ]
		id=$(d inspect -f '{{.Id}}' "st-$rt")
		d rm "st-$rt"
		run d inspect "st-$rt"
		[ "$status" -ne 0 ]
		[ ! -e "$CLIENT_RUNTIME_ROOTS/$id" ]
	done
}

@test "docker: --memory: the OOM killer ends the container and docker says OOMKilled" {
	for rt in $RUNTIMES; do
		run d run --name "oom-$rt" --runtime "$rt" --memory 16m --memory-swap 16m "$IMAGE" sh -c 'tail /dev/zero'
		[ "$status" -eq 137 ]
		[ "$(d inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' "oom-$rt")" = "true 137" ]
	done
}

@test "docker: --read-only with --tmpfs: the root is read-only, the tmpfs writable" {
	# the mounts sorted: dockerd keeps --tmpfs in a Go map and hands them
	# to the runtime in a different order each time
	for rt in $RUNTIMES; do
		run d run --rm --runtime "$rt" --read-only --tmpfs /run:size=1m --tmpfs /scratch "$IMAGE" sh -c '
			touch /x 2>&1; touch /run/y /scratch/z && echo writable
			grep -E " (/|/run|/scratch) " /proc/mounts | cut -d" " -f2-4 | sed "s/lowerdir=.*//" | sort'
		eval "out_$rt=\$output"
	done
	echo "$out_hako"
	same_result "read-only root and tmpfs mounts" "$out_hako" "$out_runc"
	[[ "$out_hako" == *"Read-only file system"* ]]
	[[ "$out_hako" == *writable* ]]
	[[ "$out_hako" == *"/run tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k"* ]]
}

@test "docker: volumes: a named volume kept between containers, read-only, and a bind mount" {
	host=$CLIENT_DIR/bind
	mkdir -p "$host"
	for rt in $RUNTIMES; do
		d volume create "vol-$rt" >/dev/null
		d run --rm --runtime "$rt" -v "vol-$rt:/data" "$IMAGE" sh -c 'echo kept > /data/f'
		run d run --rm --runtime "$rt" -v "vol-$rt:/data:ro" "$IMAGE" sh -c 'cat /data/f; touch /data/g'
		echo "$rt: $output"
		[ "$status" -ne 0 ]
		# stdout and stderr reach docker's client on two streams: either order
		[[ "$output" == *kept* ]]
		[[ "$output" == *"touch: /data/g: Read-only file system"* ]]
		d run --rm --runtime "$rt" -v "$host:/h" "$IMAGE" sh -c "echo from-$rt > /h/out-$rt"
		[ "$(cat "$host/out-$rt")" = "from-$rt" ]
	done
}

@test "docker: --device adds the node, the device cgroup grants only the asked access" {
	# /dev/loop-control is not among the devices Docker allows by default
	for rt in $RUNTIMES; do
		run d run --rm --runtime "$rt" --device /dev/zero:/dev/hkzero --device /dev/loop-control:/dev/hkloop:r "$IMAGE" sh -c '
			head -c 5 /dev/hkzero | wc -c
			stat -c "%F %t:%T" /dev/hkzero /dev/hkloop
			(exec 3</dev/hkloop) && echo read-open || echo read-denied
			(exec 3>/dev/hkloop) 2>/dev/null && echo write-open || echo write-denied
			[ -e /dev/loop-control ] && echo loop-control-present || echo no-loop-control'
		eval "out_$rt=\$output"
	done
	echo "$out_hako"
	same_result "devices" "$out_hako" "$out_runc"
	[ "$out_hako" = "5
character special file 1:5
character special file a:ed
read-open
write-denied
no-loop-control" ]
}

@test "docker: --privileged: every capability, the host's devices, no seccomp, a writable /proc/sys" {
	for rt in $RUNTIMES; do
		run d run --rm --runtime "$rt-privileged" --privileged "$IMAGE" sh -c '
			grep -E "^(CapEff|CapBnd|Seccomp):" /proc/self/status
			ls /dev | wc -l
			[ -e /dev/kmsg ] && echo kmsg
			echo 1 >/proc/sys/net/ipv4/ip_forward && echo proc-sys-writable
			mount -t tmpfs t /tmp && echo mounted
			mknod /tmp/n c 1 3 && echo x >/tmp/n && echo mknod'
		eval "out_$rt=\$output"
	done
	echo "$out_hako"
	same_result "privileged" "$out_hako" "$out_runc"
	# every capability Docker 20.10 knows (0 to 37) that the host has
	eff=$(awk '/^CapEff:/ { print $2 }' <<<"$out_hako")
	[ "$eff" = "$(awk '/^CapBnd:/ { print $2 }' <<<"$out_hako")" ]
	[ $((16#$eff & 16#3fffffffff)) -eq $((16#3fffffffff & 16#$(awk '/^CapBnd:/ { print $2 }' /proc/self/status))) ]
	[[ "$out_hako" == *"Seccomp:	0"* ]]
	[[ "$out_hako" == *kmsg*proc-sys-writable*mounted*mknod* ]]
}
