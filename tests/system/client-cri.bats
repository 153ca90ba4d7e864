#!/usr/bin/env bats
# hako-runtime under containerd 1.6's CRI plugin (Debian's containerd),
# driven the way the kubelet drives it: a CRI client (cri-client.py,
# runtime.v1 of Kubernetes 1.26, tests/system/data/cri-api-v1.proto) calls
# RunPodSandbox, CreateContainer, StartContainer, ExecSync, StopContainer,
# RemoveContainer, StopPodSandbox, RemovePodSandbox.  The runtime handler
# `hako` is io.containerd.runc.v2 with BinaryName = hako-runtime, `runc`
# the same with runc, each with its Root in this file's directory; pods get
# their network from a CNI bridge config of the test's own (10.213.242.0/24,
# no NAT).  Each operation runs under both handlers, and hako's observable
# result must be runc's.  After each test no shim, netns, veth, cgroup,
# lease or file in the runtime's --root is left (client-helpers.bash).

load client-helpers
bats_require_minimum_version 1.5.0

HANDLERS="hako runc"

setup_file() {
	client_setup_file cri
	client_bridge_add 10.213.242
	local dir=$CLIENT_DIR
	mkdir -p "$dir/net.d" "$dir/pb" "$dir/logs"
	protoc --proto_path="$TOP/tests/system/data" --python_out="$dir/pb" "$TOP/tests/system/data/cri-api-v1.proto"
	cat >"$dir/net.d/10-hakotest.conflist" <<-EOF
		{"cniVersion": "0.4.0", "name": "hakotest-cri", "plugins": [
		  {"type": "bridge", "bridge": "$CLIENT_BRIDGE", "isGateway": false, "ipMasq": false,
		   "ipam": {"type": "host-local", "dataDir": "$dir/ipam",
		            "ranges": [[{"subnet": "10.213.242.0/24", "gateway": "10.213.242.1"}]],
		            "routes": [{"dst": "0.0.0.0/0"}]}}]}
	EOF
	# The sandbox's oom_score_adj is -998 unless restricted to ours: lowering
	# it needs CAP_SYS_RESOURCE, which this host's bounding set may lack
	# (runc and hako fail alike then).
	local restrict=false
	host_caps_missing | grep -qx 24 && restrict=true
	cat >"$dir/config.toml" <<-EOF
		version = 2
		root = "$dir/root"
		state = "$dir/state"
		disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
		[grpc]
		  address = "$dir/containerd.sock"
		[ttrpc]
		  address = "$dir/containerd.sock.ttrpc"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "hako.test/pause:1"
		  disable_apparmor = true
		  restrict_oom_score_adj = $restrict
		  netns_mounts_under_state_dir = true
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "overlayfs"
		    default_runtime_name = "hako"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hako]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hako.options]
		        BinaryName = "$RUNTIME"
		        Root = "$dir/runtime-root/hako"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        BinaryName = "$RUNC"
		        Root = "$dir/runtime-root/runc"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$dir/net.d"
	EOF
	nsenter --target "$CLIENT_NS_PID" --mount -- env TMPDIR="$dir/tmp" \
		containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 3>&- &
	export CONTAINERD_PID=$!
	local i
	for i in $(seq 200); do
		cri Status >/dev/null 2>&1 && break
		kill -0 "$CONTAINERD_PID" 2>/dev/null || { cat "$dir/containerd.log" >&2; return 1; }
		sleep 0.1
	done
	[ "$(cri Status | jq -r '[.status.conditions[] | select(.status)] | length')" = 2 ]
	ctr_ images import "$dir/pause/image.tar" >/dev/null
	ctr_ images import "$dir/busybox/image.tar" >/dev/null
	# the shim passes <Root>/<namespace> as the runtime's --root
	export CLIENT_RUNTIME_ROOTS="$dir/runtime-root/hako/k8s.io $dir/runtime-root/runc/k8s.io"
}

teardown_file() {
	if [ -n "${CONTAINERD_PID:-}" ]; then
		remove_pods
		stop_pid "$CONTAINERD_PID" 30
	fi
	client_teardown_file
}

setup() { client_setup; }

teardown() {
	remove_pods
	client_teardown
	# what a test left in the CRI's own state
	[ -z "$(ls -A "$CLIENT_DIR/state/io.containerd.grpc.v1.cri/netns")" ]
	[ -z "$(ls -A "$CLIENT_DIR/state/io.containerd.grpc.v1.cri/sandboxes")" ]
}

# cri METHOD [REQUEST-JSON]: one CRI call; the response JSON on stdout.
cri() {
	CRI_PB_DIR=$CLIENT_DIR/pb /usr/bin/python3 "$TOP/tests/system/cri-client.py" \
		"$CLIENT_DIR/containerd.sock" "$@"
}

ctr_() {
	ctr --address "$CLIENT_DIR/containerd.sock" -n k8s.io "$@"
}

# Every pod stopped and removed, then its cgroup (the kubelet's part).
remove_pods() {
	local id
	for id in $(cri ListPodSandbox | jq -r '.items[].id'); do
		cri StopPodSandbox "{\"pod_sandbox_id\": \"$id\"}" >/dev/null
		cri RemovePodSandbox "{\"pod_sandbox_id\": \"$id\"}" >/dev/null
	done
	local dir
	for dir in $(find /sys/fs/cgroup -mindepth 3 -maxdepth 3 -path "*/$CLIENT_CGROUP/pod-*" -type d); do
		rmdir "$dir" || echo "pod cgroup $dir not empty: $(ls "$dir")" >&2
	done
	return 0
}

# pod_config NAME: a PodSandboxConfig as the kubelet writes one.
pod_config() {
	jq -nc --arg name "$1" --arg logs "$CLIENT_DIR/logs/$1" --arg cg "/$CLIENT_CGROUP/pod-$1" '{
		metadata: {name: $name, uid: ("uid-" + $name), namespace: "hakotest", attempt: 0},
		hostname: $name, log_directory: $logs,
		dns_config: {servers: ["10.213.242.1"], searches: ["hakotest.svc"], options: ["ndots:2"]},
		labels: {"io.kubernetes.pod.name": $name},
		linux: {cgroup_parent: $cg, security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"}}}}'
}

# run_pod NAME HANDLER: RunPodSandbox; prints the sandbox ID.
run_pod() {
	mkdir -p "$CLIENT_DIR/logs/$1"
	cri RunPodSandbox "{\"config\": $(pod_config "$1"), \"runtime_handler\": \"$2\"}" | jq -r .pod_sandbox_id
}

# create_container POD-ID POD-NAME NAME COMMAND-JSON [LINUX-JSON]: prints
# the container ID.
create_container() {
	local config linux=${5:-'{}'}
	config=$(jq -nc --arg name "$3" --arg image "$IMAGE" --argjson cmd "$4" --argjson linux "$linux" '{
		metadata: {name: $name, attempt: 0}, image: {image: $image}, command: $cmd,
		log_path: ($name + ".log"), envs: [{key: "HAKO_ENV", value: "from-cri"}],
		linux: ({security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"}}} + $linux)}')
	cri CreateContainer "{\"pod_sandbox_id\": \"$1\", \"config\": $config, \"sandbox_config\": $(pod_config "$2")}" |
		jq -r .container_id
}

start_container() {
	cri StartContainer "{\"container_id\": \"$1\"}" >/dev/null
}

# container_state ID: "STATE EXIT-CODE REASON".
container_state() {
	cri ContainerStatus "{\"container_id\": \"$1\"}" | jq -r '.status | "\(.state) \(.exit_code) \(.reason)"'
}

# wait_exited ID: until the CRI reports the container exited (10 s).
wait_exited() {
	local i
	for i in $(seq 100); do
		[[ "$(container_state "$1")" == CONTAINER_EXITED* ]] && return 0
		sleep 0.1
	done
	echo "container $1 never exited: $(container_state "$1")" >&2
	return 1
}

# exec_sync ID COMMAND-JSON: the ExecSyncResponse.
exec_sync() {
	cri ExecSync "{\"container_id\": \"$1\", \"cmd\": $2, \"timeout\": 10}"
}

@test "cri: RunPodSandbox: a ready pod with an address of the CNI network, reachable from the host" {
	for h in $HANDLERS; do
		pod=$(run_pod "net-$h" "$h")
		st=$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$pod\"}")
		[ "$(jq -r .status.state <<<"$st")" = SANDBOX_READY ]
		[ "$(jq -r .status.runtime_handler <<<"$st")" = "$h" ]
		ip=$(jq -r .status.network.ip <<<"$st")
		[[ "$ip" == 10.213.242.* ]]
		busybox ping -c 1 -W 2 "$ip" >/dev/null
		# the pause process runs under the handler's runtime
		[ -d "$CLIENT_DIR/runtime-root/$h/k8s.io/$pod" ]
	done
}

@test "cri: CreateContainer, StartContainer: the container runs in its pod, with its env, hostname and log" {
	for h in $HANDLERS; do
		pod=$(run_pod "run-$h" "$h")
		id=$(create_container "$pod" "run-$h" main '["sh", "-c", "echo started $HAKO_ENV $(hostname); sleep 1000"]')
		[[ "$(container_state "$id")" == "CONTAINER_CREATED "* ]]
		start_container "$id"
		[[ "$(container_state "$id")" == "CONTAINER_RUNNING "* ]]
		for i in $(seq 50); do
			grep -q started "$CLIENT_DIR/logs/run-$h/main.log" 2>/dev/null && break
			sleep 0.1
		done
		grep -q " stdout F started from-cri run-$h$" "$CLIENT_DIR/logs/run-$h/main.log"
		[ -d "$CLIENT_DIR/runtime-root/$h/k8s.io/$id" ]
	done
}

@test "cri: ExecSync returns stdout, stderr and the exit code, in the pod's network" {
	for h in $HANDLERS; do
		pod=$(run_pod "exec-$h" "$h")
		id=$(create_container "$pod" "exec-$h" main '["sleep", "1000"]')
		start_container "$id"
		out=$(exec_sync "$id" '["sh", "-c", "echo out; echo err >&2; exit 5"]')
		[ "$(jq -c '[.stdout, .stderr, .exit_code]' <<<"$out")" = '["out\n","err\n",5]' ]
		# the pod's resolv.conf from the kubelet's dns_config
		[ "$(exec_sync "$id" '["cat", "/etc/resolv.conf"]' | jq -r .stdout)" = "search hakotest.svc
nameserver 10.213.242.1
options ndots:2" ]
		ip=$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$pod\"}" | jq -r .status.network.ip)
		[[ "$(exec_sync "$id" '["ip", "-4", "-o", "addr", "show", "eth0"]' | jq -r .stdout)" == *"inet $ip/24"* ]]
		# a program that is not there: the call fails, the runtime says why
		run exec_sync "$id" '["no-such-program"]'
		[ "$status" -eq 1 ]
		[[ "$output" == *"OCI runtime exec failed"*"executable file not found in \$PATH"* ]]
	done
}

@test "cri: a container that exits by itself is reported exited with its code" {
	for h in $HANDLERS; do
		pod=$(run_pod "exit-$h" "$h")
		id7=$(create_container "$pod" "exit-$h" seven '["sh", "-c", "exit 7"]')
		id0=$(create_container "$pod" "exit-$h" zero '["true"]')
		start_container "$id7"
		start_container "$id0"
		wait_exited "$id7"
		wait_exited "$id0"
		eval "states_$h=\"\$(container_state $id7); \$(container_state $id0)\""
	done
	same_result "exit states" "$states_hako" "$states_runc"
	[ "$states_hako" = "CONTAINER_EXITED 7 Error; CONTAINER_EXITED 0 Completed" ]
}

@test "cri: a program that does not exist fails StartContainer, as with runc" {
	for h in $HANDLERS; do
		pod=$(run_pod "missing-$h" "$h")
		id=$(create_container "$pod" "missing-$h" main '["no-such-program"]')
		run cri StartContainer "{\"container_id\": \"$id\"}"
		[ "$status" -ne 0 ]
		[[ "$output" == *"executable file not found"* ]]
		eval "state_$h=\$(container_state $id)"
	done
	same_result "state after the failed start" "$state_hako" "$state_runc"
}

@test "cri: StopContainer: TERM, then KILL after the timeout; RemoveContainer" {
	for h in $HANDLERS; do
		pod=$(run_pod "stop-$h" "$h")
		graceful=$(create_container "$pod" "stop-$h" graceful '["sh", "-c", "trap \"exit 42\" TERM; while :; do sleep 0.1; done"]')
		stubborn=$(create_container "$pod" "stop-$h" stubborn '["sh", "-c", "trap \"\" TERM; while :; do sleep 0.1; done"]')
		start_container "$graceful"
		start_container "$stubborn"
		cri StopContainer "{\"container_id\": \"$graceful\", \"timeout\": 10}" >/dev/null
		t0=$EPOCHSECONDS
		cri StopContainer "{\"container_id\": \"$stubborn\", \"timeout\": 1}" >/dev/null
		[ $((EPOCHSECONDS - t0)) -lt 8 ]
		eval "states_$h=\"\$(container_state $graceful); \$(container_state $stubborn)\""
		# stopping again is no error (the kubelet does)
		cri StopContainer "{\"container_id\": \"$stubborn\", \"timeout\": 1}" >/dev/null
		cri RemoveContainer "{\"container_id\": \"$graceful\"}" >/dev/null
		cri RemoveContainer "{\"container_id\": \"$stubborn\"}" >/dev/null
		[ "$(cri ListContainers "{\"filter\": {\"pod_sandbox_id\": \"$pod\"}}" | jq '.containers | length')" = 0 ]
		[ ! -e "$CLIENT_DIR/runtime-root/$h/k8s.io/$graceful" ]
		[ ! -e "$CLIENT_DIR/runtime-root/$h/k8s.io/$stubborn" ]
	done
	same_result "stopped states" "$states_hako" "$states_runc"
	[ "$states_hako" = "CONTAINER_EXITED 42 Error; CONTAINER_EXITED 137 Error" ]
}

@test "cri: UpdateContainerResources reaches the container's cgroup" {
	for h in $HANDLERS; do
		pod=$(run_pod "update-$h" "$h")
		id=$(create_container "$pod" "update-$h" main '["sleep", "1000"]' \
			'{"resources": {"memory_limit_in_bytes": 134217728, "cpu_shares": 512}}')
		start_container "$id"
		cg=/sys/fs/cgroup/memory/$CLIENT_CGROUP/pod-update-$h/$id
		[ "$(cat "$cg/memory.limit_in_bytes")" = 134217728 ]
		cri UpdateContainerResources "{\"container_id\": \"$id\", \"linux\": {\"memory_limit_in_bytes\": 67108864, \"cpu_shares\": 256, \"cpu_period\": 100000, \"cpu_quota\": 50000}}" >/dev/null
		[ "$(cat "$cg/memory.limit_in_bytes")" = 67108864 ]
		cpu=/sys/fs/cgroup/cpu/$CLIENT_CGROUP/pod-update-$h/$id
		[ "$(cat "$cpu/cpu.shares") $(cat "$cpu/cpu.cfs_quota_us")" = "256 50000" ]
	done
}

@test "cri: StopPodSandbox stops running containers, RemovePodSandbox removes all: no shim, netns, veth, cgroup, lease or runtime state left" {
	for h in $HANDLERS; do
		pod=$(run_pod "all-$h" "$h")
		a=$(create_container "$pod" "all-$h" a '["sleep", "1000"]')
		b=$(create_container "$pod" "all-$h" b '["sh", "-c", "trap \"\" TERM; sleep 1000"]')
		c=$(create_container "$pod" "all-$h" c '["true"]')
		start_container "$a"
		start_container "$b"
		start_container "$c"
		wait_exited "$c"
		[ -n "$(ls "/sys/class/net/$CLIENT_BRIDGE/brif")" ]
		cri StopPodSandbox "{\"pod_sandbox_id\": \"$pod\"}" >/dev/null
		[[ "$(container_state "$a")" == "CONTAINER_EXITED 137 "* ]]
		[[ "$(container_state "$b")" == "CONTAINER_EXITED 137 "* ]]
		[ "$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$pod\"}" | jq -r .status.state)" = SANDBOX_NOTREADY ]
		# the network is gone at stop: veth, lease, netns
		[ -z "$(ls "/sys/class/net/$CLIENT_BRIDGE/brif")" ]
		[ -z "$(find "$CLIENT_DIR/ipam" -type f ! -name lock ! -name 'last_reserved_ip*')" ]
		# stopping again is no error (the kubelet does)
		cri StopPodSandbox "{\"pod_sandbox_id\": \"$pod\"}" >/dev/null
		cri RemovePodSandbox "{\"pod_sandbox_id\": \"$pod\"}" >/dev/null
		[ "$(cri ListPodSandbox | jq '.items | length')" = 0 ]
		[ "$(cri ListContainers | jq '.containers | length')" = 0 ]
		[ -z "$(client_runtime_state)" ]
		[ -z "$(find /sys/fs/cgroup -mindepth 3 -path "*/$CLIENT_CGROUP/pod-all-$h/*" -type d)" ]
		run pgrep -f "containerd-shim.*-id $pod"
		[ "$status" -ne 0 ]
	done
}

@test "cri: a pod made from kube generate output runs through the CRI as it runs with kube play" {
	# hako makes the YAML: kube play (not started) of the workload that
	# kube.bats runs with hako, then kube generate of the pod
	local hk_dir=$CLIENT_DIR/hako
	hkc() { "$HAKO" --root "$hk_dir/root" --runroot "$hk_dir/run" "$@"; }
	hkc load -i "$CLIENT_DIR/busybox/image.tar" >/dev/null
	sed "s|IMAGE|$IMAGE|" "$TOP/tests/system/data/kube-workload.yaml" >"$hk_dir/workload.yaml"
	hkc kube play --start=false --cgroup-parent "$CLIENT_CGROUP" "$hk_dir/workload.yaml" >/dev/null
	hkc kube generate workload >"$hk_dir/generated.yaml"
	hkc kube down "$hk_dir/workload.yaml" >/dev/null
	python3 "$TOP/tests/system/kube-schema.py" "$hk_dir/generated.yaml"
	for h in $HANDLERS; do
		# the kubelet's part, by the test client: the Pod into CRI calls
		local made
		made=$(CRI_PB_DIR=$CLIENT_DIR/pb /usr/bin/python3 "$TOP/tests/system/cri-client.py" --kube \
			"$CLIENT_DIR/containerd.sock" "$hk_dir/generated.yaml" "$h" "$CLIENT_DIR/kube-$h" "$CLIENT_CGROUP")
		local pod server client
		pod=$(jq -r .pod <<<"$made")
		server=$(jq -r .containers.server <<<"$made")
		client=$(jq -r .containers.client <<<"$made")
		[ "$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$pod\"}" | jq -r .status.runtime_handler)" = "$h" ]
		[ -d "$CLIENT_DIR/runtime-root/$h/k8s.io/$server" ]
		local log=$CLIENT_DIR/kube-$h/logs/workload/client.log
		for i in $(seq 100); do
			grep -q "uid 1000 nnp 1$" "$log" 2>/dev/null && break
			sleep 0.1
		done
		# what kube play gives (kube.bats): the page over the pod's
		# localhost, the user, no privilege escalation
		grep -q " stdout F page from-the-pod$" "$log"
		grep -q " stdout F uid 1000 nnp 1$" "$log"
		# the limits of the YAML in the container's cgroup
		[ "$(cat "/sys/fs/cgroup/memory/$CLIENT_CGROUP/pod-workload/$server/memory.limit_in_bytes")" = $((64 << 20)) ]
		[ "$(cat "/sys/fs/cgroup/cpu/$CLIENT_CGROUP/pod-workload/$server/cpu.cfs_quota_us")" = 50000 ]
		eval "page_$h=\$(exec_sync $server '[\"cat\", \"/shared/index.html\"]' | jq -r .stdout)"
		remove_pods
	done
	same_result "the served page" "$page_hako" "$page_runc"
	[ "$page_hako" = "page from-the-pod" ]
}
