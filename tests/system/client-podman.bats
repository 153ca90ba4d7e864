#!/usr/bin/env bats
# hako-runtime under Podman 4.3 (Debian's), as a user runs it: `podman
# --runtime PATH`, with a store, run root and tmpdir of the test's own, the
# cgroupfs manager, the file events backend and a network config
# directory holding one CNI network on a bridge of the test's own
# (10.213.241.0/24, no NAT).  Every podman command runs in the file's
# private mount namespace (client-helpers.bash); conmon stays there.
# Each operation runs under hako and under runc, and hako's observable
# result must be runc's.

load client-helpers
bats_require_minimum_version 1.5.0

RUNTIMES="hako runc"

setup_file() {
	# conmon's cgroup is libpod_parent/conmon whatever --cgroup-parent says
	export LIBPOD_PARENT_BEFORE
	LIBPOD_PARENT_BEFORE=$(find /sys/fs/cgroup -maxdepth 2 -name libpod_parent -type d)
	client_setup_file podman
	client_bridge_add 10.213.241
	local dir=$CLIENT_DIR
	mkdir -p "$dir/net" "$dir/bin"
	cat >"$dir/containers.conf" <<-EOF
		[containers]
		# Podman's defaults are above what root may set without
		# CAP_SYS_RESOURCE, which this host's bounding set lacks
		default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
		[network]
		network_backend = "cni"
		cni_plugin_dirs = ["/usr/lib/cni"]
		default_network = "hakotest"
		[engine]
		events_logfile_path = "$dir/events.log"
		lock_type = "file"
		image_copy_tmp_dir = "$dir/tmp"
		volume_path = "$dir/volumes"
		[engine.runtimes]
		hako-runtime = ["$RUNTIME"]
	EOF
	cat >"$dir/net/hakotest.conflist" <<-EOF
		{"cniVersion": "0.4.0", "name": "hakotest", "plugins": [
		  {"type": "bridge", "bridge": "$CLIENT_BRIDGE", "isGateway": false, "ipMasq": false,
		   "hairpinMode": true,
		   "ipam": {"type": "host-local", "dataDir": "$dir/ipam",
		            "ranges": [[{"subnet": "10.213.241.0/24", "gateway": "10.213.241.1"}]],
		            "routes": [{"dst": "0.0.0.0/0"}]}},
		  {"type": "portmap", "capabilities": {"portMappings": true}}]}
	EOF
	# Podman's own default network would make a bridge, NAT rules and
	# enable forwarding on the host: only the test's network may exist
	[ "$(p hako network ls --format '{{.Name}}')" = hakotest ]
	p hako load -i "$CLIENT_DIR/busybox/image.tar" >/dev/null
	# the first container makes Podman's lasting state (conmon's cgroup)
	p hako run --rm "$IMAGE" true
	# rootful Podman passes no --root: each runtime's default, here in the
	# private /run
	export CLIENT_RUNTIME_ROOTS="/run/hako/runtime /run/runc"
}

teardown_file() {
	if [ -n "${CLIENT_NS_PID:-}" ]; then
		p hako rm -af >/dev/null 2>&1 || true
	fi
	local status=0 dir
	client_teardown_file || status=1
	if [ -z "$LIBPOD_PARENT_BEFORE" ]; then
		for dir in $(find /sys/fs/cgroup -maxdepth 3 -path "*/libpod_parent*" -type d | sort -r); do
			rmdir "$dir" || { echo "cgroup $dir not empty" >&2; status=1; }
		done
	fi
	return $status
}

setup() { client_setup; }

teardown() {
	p hako rm -af -t 0 >/dev/null
	p hako volume prune -f >/dev/null
	client_teardown
}

# p hako|runc ARGS...: podman with that runtime for new containers.
p() {
	local runtime=$RUNTIME
	[ "$1" = runc ] && runtime=$RUNC
	shift
	local cgroup=()
	case $1 in run | create) cgroup=(--cgroup-parent "/$CLIENT_CGROUP") ;; esac
	CONTAINERS_CONF=$CLIENT_DIR/containers.conf TMPDIR=$CLIENT_DIR/tmp \
		nsenter --target "$CLIENT_NS_PID" --mount -- \
		podman --root "$CLIENT_DIR/root" --runroot "$CLIENT_DIR/runroot" --tmpdir "$CLIENT_DIR/libpod" \
		--runtime "$runtime" --cgroup-manager cgroupfs --events-backend file \
		--network-config-dir "$CLIENT_DIR/net" "$1" "${cgroup[@]}" "${@:2}"
}

# cgroup_file CONTROLLER ID FILE: the container's cgroup file in a v1
# hierarchy.
cgroup_file() {
	echo "/sys/fs/cgroup/$1/$CLIENT_CGROUP/libpod-$2/$3"
}

@test "podman: run prints the output and returns the exit code; a missing program is 127" {
	for rt in $RUNTIMES; do
		run --separate-stderr p "$rt" run --rm "$IMAGE" sh -c 'echo out; echo err >&2; exit 3'
		[ "$status" -eq 3 ]
		[ "$output" = out ]
		[ "$stderr" = err ]
		run p "$rt" run --rm "$IMAGE" true
		[ "$status" -eq 0 ]
		run -127 p "$rt" run --rm "$IMAGE" /no/such/program
	done
}

@test "podman: a program that does not exist fails the create, as with runc" {
	for rt in $RUNTIMES; do
		run -127 p "$rt" run --name "missing-$rt" "$IMAGE" no-such-program
		[[ "$output" == *"executable file not found"* ]]
		eval "state_$rt=\$(p $rt inspect -f '{{.State.Status}} {{.State.ExitCode}}' missing-$rt)"
	done
	same_result "state after the failed run" "$state_hako" "$state_runc"
}

@test "podman: run -it through a pty: a terminal, typed input, the exit code" {
	for rt in $RUNTIMES; do
		runtime=$RUNTIME
		[ $rt = runc ] && runtime=$RUNC
		run bash -c "printf 'echo typed-\$((6 * 7)); tty; exit 5\n' |
			script -qec 'CONTAINERS_CONF=$CLIENT_DIR/containers.conf nsenter --target $CLIENT_NS_PID --mount -- podman --root $CLIENT_DIR/root --runroot $CLIENT_DIR/runroot --tmpdir $CLIENT_DIR/libpod --runtime $runtime --cgroup-manager cgroupfs --events-backend file --network-config-dir $CLIENT_DIR/net run -it --rm --cgroup-parent /$CLIENT_CGROUP $IMAGE sh' /dev/null"
		echo "$output"
		[ "$status" -eq 5 ]
		[[ "$output" == *typed-42* ]]
		[[ "$output" == */dev/pts/0* ]]
	done
}

@test "podman: --user NAME runs as that user with HOME from the image's /etc/passwd, in run and exec" {
	for rt in $RUNTIMES; do
		run p "$rt" run --rm --user labuser "$IMAGE" sh -c 'echo "$(id -un) $(id -u):$(id -g) $HOME"'
		[ "$status" -eq 0 ]
		[ "$output" = "labuser 1000:1000 /home/labuser" ]
		p "$rt" run -d --name "u-$rt" "$IMAGE" sleep 1000
		run p "$rt" exec --user labuser "u-$rt" sh -c 'echo "$(id -u) $HOME"'
		[ "$output" = "1000 /home/labuser" ]
	done
}

@test "podman: run -d -p 127.0.0.1::80: the container's server answers on 127.0.0.1" {
	for rt in $RUNTIMES; do
		p "$rt" run -d --name "web-$rt" -p 127.0.0.1::80 "$IMAGE" httpd -f -p 80 -h /www
		port=$(p "$rt" port "web-$rt" 80/tcp)
		[[ "$port" == 127.0.0.1:* ]]
		for i in $(seq 50); do
			out=$(wget -q -T 2 -O - "http://$port/" 2>/dev/null) && break
			sleep 0.1
		done
		[ "$out" = hello-from-the-container ]
		ip=$(p "$rt" inspect -f '{{.NetworkSettings.Networks.hakotest.IPAddress}}' "web-$rt")
		[[ "$ip" == 10.213.241.* ]]
		[ "$(wget -q -T 2 -O - "http://$ip/")" = hello-from-the-container ]
	done
}

@test "podman: exec returns the output and exit code, with its own env and workdir" {
	for rt in $RUNTIMES; do
		p "$rt" run -d --name "ex-$rt" "$IMAGE" sleep 1000
		run p "$rt" exec -e HAKO_VAR=v1 -w /tmp "ex-$rt" sh -c 'echo "$HAKO_VAR $(pwd)"; exit 4'
		[ "$status" -eq 4 ]
		[ "$output" = "v1 /tmp" ]
		run p "$rt" exec "ex-$rt" /no/such/program
		eval "missing_$rt=$status"
	done
	same_result "exec of a missing program" "$missing_hako" "$missing_runc"
	[ "$missing_hako" -eq 127 ]
}

@test "podman: top lists the container's processes" {
	for rt in $RUNTIMES; do
		p "$rt" run -d --name "top-$rt" "$IMAGE" sh -c 'sleep 1001 & sleep 1002'
		for i in $(seq 50); do
			p "$rt" top "top-$rt" args | grep -q 'sleep 1001' && break
			sleep 0.1
		done
		eval "top_$rt=\$(p $rt top top-$rt user args | sort)"
	done
	same_result "podman top" "$top_hako" "$top_runc"
	[[ "$top_hako" == *"sleep 1001"* ]]
	[[ "$top_hako" == *"sleep 1002"* ]]
}

@test "podman: pause freezes the container, unpause thaws it" {
	for rt in $RUNTIMES; do
		p "$rt" run -d --name "pz-$rt" "$IMAGE" sleep 1000
		id=$(p "$rt" inspect -f '{{.Id}}' "pz-$rt")
		p "$rt" pause "pz-$rt"
		[ "$(p "$rt" inspect -f '{{.State.Status}}' "pz-$rt")" = paused ]
		[ "$(cat "$(cgroup_file freezer "$id" freezer.state)")" = FROZEN ]
		p "$rt" unpause "pz-$rt"
		[ "$(p "$rt" inspect -f '{{.State.Status}}' "pz-$rt")" = running ]
		[ "$(cat "$(cgroup_file freezer "$id" freezer.state)")" = THAWED ]
		[ "$(p "$rt" exec "pz-$rt" echo thawed)" = thawed ]
	done
}

@test "podman: update --memory --cpus reaches the cgroup of a running container" {
	for rt in $RUNTIMES; do
		p "$rt" run -d --name "up-$rt" "$IMAGE" sleep 1000
		id=$(p "$rt" inspect -f '{{.Id}}' "up-$rt")
		p "$rt" update --memory 64m --cpus 0.5 "up-$rt"
		[ "$(cat "$(cgroup_file memory "$id" memory.limit_in_bytes)")" = 67108864 ]
		[ "$(cat "$(cgroup_file cpu "$id" cpu.cfs_quota_us)")" = 50000 ]
		[ "$(cat "$(cgroup_file cpu "$id" cpu.cfs_period_us)")" = 100000 ]
		[ "$(p "$rt" exec "up-$rt" cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" = 67108864 ]
	done
}

@test "podman: stop (the container's TERM handler), start, kill, rm" {
	for rt in $RUNTIMES; do
		p "$rt" run -d --name "st-$rt" "$IMAGE" sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
		p "$rt" stop -t 10 "st-$rt"
		[ "$(p "$rt" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "st-$rt")" = "exited 42" ]
		p "$rt" start "st-$rt"
		[ "$(p "$rt" inspect -f '{{.State.Status}}' "st-$rt")" = running ]
		p "$rt" kill "st-$rt"
		[ "$(p "$rt" wait "st-$rt")" = 137 ]
		p "$rt" start "st-$rt"
		p "$rt" kill -s TERM "st-$rt"
		[ "$(p "$rt" wait "st-$rt")" = 42 ]
		p "$rt" rm "st-$rt"
		run p "$rt" inspect "st-$rt"
		[ "$status" -ne 0 ]
	done
}

@test "podman: --memory: the OOM killer ends the container (exit 137)" {
	for rt in $RUNTIMES; do
		run -137 p "$rt" run --name "oom-$rt" --memory 16m --memory-swap 16m "$IMAGE" sh -c 'tail /dev/zero'
		eval "oom_$rt=\$(p $rt inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' oom-$rt)"
	done
	same_result "OOM" "$oom_hako" "$oom_runc"
}

@test "podman: --read-only: the root is read-only, /tmp /run /var/tmp writable tmpfs with the image's content" {
	for rt in $RUNTIMES; do
		run p "$rt" run --rm --read-only "$IMAGE" sh -c '
			touch /x 2>&1; touch /tmp/y /run/y /var/tmp/y && echo writable
			grep -E " (/|/tmp|/run|/var/tmp) " /proc/mounts | cut -d" " -f2-4 | sed "s/lowerdir=.*//" | sort'
		eval "out_$rt=\$output"
	done
	echo "$out_hako"
	same_result "read-only root and tmpfs mounts" "$out_hako" "$out_runc"
	[[ "$out_hako" == *"Read-only file system"* ]]
	[[ "$out_hako" == *writable* ]]
	[[ "$out_hako" == *"/tmp tmpfs rw,nosuid,nodev"* ]]
}

@test "podman: --tmpfs: a size-limited tmpfs, and tmpcopyup copies the image's files into it" {
	for rt in $RUNTIMES; do
		run p "$rt" run --rm --tmpfs /scratch:size=1m,mode=0710 --tmpfs /www "$IMAGE" sh -c '
			df -k /scratch | awk "NR == 2 { print \$2 }"; stat -c %a /scratch
			cat /www/index.html; grep " /www " /proc/mounts | cut -d" " -f2-3'
		eval "out_$rt=\$output"
	done
	echo "$out_hako"
	same_result "tmpfs" "$out_hako" "$out_runc"
	[ "$out_hako" = "1024
710
hello-from-the-container
/www tmpfs" ]
}

@test "podman: volumes: a named volume kept between containers, read-only, and a bind mount" {
	host=$CLIENT_DIR/bind
	mkdir -p "$host"
	for rt in $RUNTIMES; do
		p "$rt" volume create "vol-$rt" >/dev/null
		p "$rt" run --rm -v "vol-$rt:/data" "$IMAGE" sh -c 'echo kept > /data/f'
		run p "$rt" run --rm -v "vol-$rt:/data:ro" "$IMAGE" sh -c 'cat /data/f; touch /data/g'
		echo "$rt: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == kept*"Read-only file system"* ]]
		p "$rt" run --rm -v "$host:/h" "$IMAGE" sh -c "echo from-$rt > /h/out-$rt"
		[ "$(cat "$host/out-$rt")" = "from-$rt" ]
	done
}

@test "podman: --device adds the node, the device cgroup grants only the asked access" {
	for rt in $RUNTIMES; do
		run p "$rt" run --rm --device /dev/zero:/dev/hkzero --device /dev/loop-control:/dev/hkloop:r "$IMAGE" sh -c '
			head -c 5 /dev/hkzero | wc -c
			stat -c "%F %t:%T %a" /dev/hkzero /dev/hkloop
			(exec 3</dev/hkloop) && echo read-open || echo read-denied
			(exec 3>/dev/hkloop) 2>/dev/null && echo write-open || echo write-denied'
		eval "out_$rt=\$output"
	done
	echo "$out_hako"
	same_result "devices" "$out_hako" "$out_runc"
	[ "$out_hako" = "5
character special file 1:5 666
character special file a:ed 600
read-open
write-denied" ]
}

@test "podman: --privileged: the capabilities of the host, its devices, no seccomp, a writable /proc/sys" {
	for rt in $RUNTIMES; do
		run p "$rt" run --rm --privileged "$IMAGE" sh -c '
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
	[[ "$out_hako" == *"CapEff:	$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)"* ]]
	[[ "$out_hako" == *"Seccomp:	0"* ]]
	[[ "$out_hako" == *kmsg*proc-sys-writable*mounted*mknod* ]]
}
