#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# client-cri-vm-guest.sh WORKDIR: runs inside the cgroup v2 VM of
# client-cgroup-v2-vm.bats.  containerd's CRI plugin (WORKDIR/config.toml)
# with the runtime handlers hako and runc, driven by cri-client.py as the
# kubelet does: one pod per handler through RunPodSandbox,
# Create/StartContainer, ExecSync, UpdateContainerResources, a container
# exiting by itself, a missing program, StopContainer, RemoveContainer,
# StopPodSandbox, RemovePodSandbox; then nothing may be left.  Prints
# "PASS: NAME" or "FAIL: NAME: ..." per check, and "SEEN HANDLER: ..."
# lines that the test compares between hako and runc.
W=$1
export CRI_PB_DIR=$W/pb
check() { if [ "$2" = "$3" ]; then echo "PASS: $1"; else echo "FAIL: $1: expected '$2', got '$3'"; fi; }
# cri METHOD [REQUEST]: one call through the client started once (--serve):
# Python starts in seconds on the VM's emulated CPU.
cri() {
	printf '%s %s\n' "$1" "${2:-{\}}" >&3
	IFS= read -r reply <&4 || { echo "cri-client is gone" >&2; return 1; }
	case $reply in
	'{"error": '*) echo "$reply" | jq -r .error >&2; return 1 ;;
	esac
	echo "$reply"
}
ctr_() { ctr --address "$W/containerd.sock" -n k8s.io "$@"; }
cg=/sys/fs/cgroup/hakotest-cri

containerd --config "$W/config.toml" >"$W/containerd.log" 2>&1 &
ctrd=$!
i=0
while [ $i -lt 300 ] && [ ! -S "$W/containerd.sock" ]; do sleep 0.1; i=$((i + 1)); done
mkfifo "$W/cri.in" "$W/cri.out"
python3 "$W/cri-client.py" --serve "$W/containerd.sock" <"$W/cri.in" >"$W/cri.out" &
exec 3>"$W/cri.in" 4<"$W/cri.out"
check "containerd answers" 2 "$(cri Status | jq '[.status.conditions[] | select(.status)] | length')"
ctr_ images import "$W/pause.tar" >/dev/null && ctr_ images import "$W/busybox.tar" >/dev/null
check "images imported" 0 $?

pod_config() {
	jq -nc --arg name "$1" --arg logs "$W/logs/$1" --arg cg "/hakotest-cri/pod-$1" '{
		metadata: {name: $name, uid: ("uid-" + $name), namespace: "hakotest"},
		hostname: $name, log_directory: $logs,
		dns_config: {servers: ["10.213.242.1"], searches: ["hakotest.svc"], options: ["ndots:2"]},
		linux: {cgroup_parent: $cg, security_context: {namespace_options: {pid: "CONTAINER"}}}}'
}
# create POD NAME COMMAND-JSON [RESOURCES-JSON]: the container ID
create() {
	config=$(jq -nc --arg name "$2" --argjson cmd "$3" --argjson res "${4:-null}" '{
		metadata: {name: $name}, image: {image: "docker.io/library/hakobusybox:latest"},
		command: $cmd, log_path: ($name + ".log"),
		linux: ({security_context: {namespace_options: {pid: "CONTAINER"}}}
			+ (if $res then {resources: $res} else {} end))}')
	cri CreateContainer "{\"pod_sandbox_id\": \"$pod\", \"config\": $config, \"sandbox_config\": $(pod_config "$1")}" |
		jq -r .container_id
}
state() { cri ContainerStatus "{\"container_id\": \"$1\"}" | jq -r '.status | "\(.state) \(.exit_code) \(.reason)"'; }
wait_exited() {
	i=0
	while [ $i -lt 30 ] && ! state "$1" | grep -q CONTAINER_EXITED; do sleep 0.2; i=$((i + 1)); done
}

for h in hako runc; do
	mkdir -p "$W/logs/$h"
	pod=$(cri RunPodSandbox "{\"config\": $(pod_config "$h"), \"runtime_handler\": \"$h\"}" | jq -r .pod_sandbox_id)
	status=$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$pod\"}")
	check "$h: pod ready" SANDBOX_READY "$(echo "$status" | jq -r .status.state)"
	[ -n "$pod" ] || continue
	ip=$(echo "$status" | jq -r .status.network.ip)
	check "$h: pod address on the CNI network" 10.213.242 "${ip%.*}"

	main=$(create "$h" main '["sleep", "1000"]' '{"memory_limit_in_bytes": 134217728, "cpu_shares": 512}')
	cri StartContainer "{\"container_id\": \"$main\"}" >/dev/null
	check "$h: started" CONTAINER_RUNNING "$(state "$main" | cut -d' ' -f1)"
	check "$h: memory.max from the container config" 134217728 "$(cat "$cg/pod-$h/$main/memory.max")"
	out=$(cri ExecSync "{\"container_id\": \"$main\", \"cmd\": [\"sh\", \"-c\", \"echo out; echo err >&2; cat /sys/fs/cgroup/memory.max; grep nameserver /etc/resolv.conf; exit 5\"], \"timeout\": 30}")
	check "$h: ExecSync" '["out\n134217728\nnameserver 10.213.242.1\n","err\n",5]' "$(echo "$out" | jq -c '[.stdout, .stderr, .exit_code]')"
	check "$h: ExecSync in the pod's network" "inet $ip/24" \
		"$(cri ExecSync "{\"container_id\": \"$main\", \"cmd\": [\"ip\", \"-4\", \"-o\", \"addr\", \"show\", \"eth0\"]}" |
			jq -r .stdout | grep -o "inet $ip/24")"
	cri UpdateContainerResources "{\"container_id\": \"$main\", \"linux\": {\"memory_limit_in_bytes\": 67108864, \"cpu_period\": 100000, \"cpu_quota\": 50000}}" >/dev/null
	check "$h: update: memory.max" 67108864 "$(cat "$cg/pod-$h/$main/memory.max")"
	check "$h: update: cpu.max" "50000 100000" "$(cat "$cg/pod-$h/$main/cpu.max")"

	seven=$(create "$h" seven '["sh", "-c", "exit 7"]')
	cri StartContainer "{\"container_id\": \"$seven\"}" >/dev/null
	wait_exited "$seven"
	missing=$(create "$h" missing '["no-such-program"]')
	start_missing=$(cri StartContainer "{\"container_id\": \"$missing\"}" 2>&1 && echo started)
	check "$h: a missing program fails StartContainer" 1 "$(echo "$start_missing" | grep -c 'executable file not found')"
	cri StopContainer "{\"container_id\": \"$main\", \"timeout\": 2}" >/dev/null
	echo "SEEN $h: main $(state "$main"); seven $(state "$seven"); missing $(state "$missing")"
	cri RemoveContainer "{\"container_id\": \"$seven\"}" >/dev/null
	check "$h: RemoveContainer" 2 "$(cri ListContainers "{\"filter\": {\"pod_sandbox_id\": \"$pod\"}}" | jq '.containers | length')"

	cri StopPodSandbox "{\"pod_sandbox_id\": \"$pod\"}" >/dev/null
	check "$h: StopPodSandbox" SANDBOX_NOTREADY "$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$pod\"}" | jq -r .status.state)"
	cri RemovePodSandbox "{\"pod_sandbox_id\": \"$pod\"}" >/dev/null
	check "$h: RemovePodSandbox" 0 "$(cri ListPodSandbox | jq '.items | length')"
	check "$h: no container left" 0 "$(cri ListContainers | jq '.containers | length')"
	i=0
	while [ $i -lt 50 ] && pgrep -f "containerd-shim.*-id $pod" >/dev/null; do sleep 0.1; i=$((i + 1)); done
	check "$h: no shim left" "" "$(pgrep -f "containerd-shim.*-id $pod")"
	check "$h: no veth left" "" "$(ls /sys/class/net/hkc-cri/brif)"
	check "$h: no netns left" "" "$(ls "$W/state/io.containerd.grpc.v1.cri/netns"; grep nsfs /proc/self/mountinfo)"
	check "$h: no lease left" "" "$(find "$W/ipam" -type f ! -name lock ! -name 'last_reserved_ip*')"
	check "$h: the runtime's --root is empty" "" "$(find "$W/runtime-root/$h/k8s.io" -mindepth 1)"
	check "$h: no container cgroup left" "" "$(find "$cg/pod-$h" -mindepth 1 -type d)"
	rmdir "$cg/pod-$h"
done
rmdir "$cg"
exec 3>&- 4<&-
kill "$ctrd"
i=0
while [ $i -lt 100 ] && kill -0 "$ctrd" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
check "containerd stopped" "" "$(pgrep containerd)"
