#!/usr/bin/env bats
# hako-runtime under containerd 1.6's CRI plugin and under Podman 4.3 on a
# pure cgroup v2 kernel: this host is a v1 hybrid, so a throw-away VM
# (../shared/tools/cgroup2-vm) runs client-cri-vm-guest.sh and
# client-podman-vm-guest.sh once -- containerd, its runc v2 shim, Podman,
# conmon, hako-runtime, runc, the CNI plugins and a Python with what
# cri-client.py imports are copied in -- and each test reads its part of
# what the guests saw.  The VM's only network is the pods' bridge, made by
# the CNI plugin; Podman's containers have none.

load client-helpers

VM=${CGROUP2_VM:-$TOP/../shared/tools/cgroup2-vm}

setup_file() {
	export VM_LOG=$BATS_FILE_TMPDIR/vm.log
	[ -z "$(vm_skip_reason)" ] || return 0
	local w=$BATS_FILE_TMPDIR/w
	mkdir -p "$w/pb" "$w/net.d" "$w/logs"
	export CLIENT_DIR=$w
	client_images
	mv "$w/busybox/image.tar" "$w/busybox.tar"
	mv "$w/pause/image.tar" "$w/pause.tar"
	rm -rf "$w/busybox" "$w/pause"
	cp "$TOP/tests/system/cri-client.py" "$w/"
	protoc --proto_path="$TOP/tests/system/data" --python_out="$w/pb" "$TOP/tests/system/data/cri-api-v1.proto"
	# In the VM the bridge plugin may make the bridge and its gateway (and
	# turn on forwarding there).
	cat >"$w/net.d/10-hakotest.conflist" <<-EOF
		{"cniVersion": "0.4.0", "name": "hakotest-cri", "plugins": [
		  {"type": "bridge", "bridge": "hkc-cri", "isGateway": true, "ipMasq": false,
		   "ipam": {"type": "host-local", "dataDir": "$w/ipam",
		            "ranges": [[{"subnet": "10.213.242.0/24", "gateway": "10.213.242.1"}]]}}]}
	EOF
	cat >"$w/config.toml" <<-EOF
		version = 2
		root = "$w/root"
		state = "$w/state"
		disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
		[grpc]
		  address = "$w/containerd.sock"
		[ttrpc]
		  address = "$w/containerd.sock.ttrpc"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "hako.test/pause:1"
		  disable_apparmor = true
		  netns_mounts_under_state_dir = true
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "overlayfs"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hako]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hako.options]
		        BinaryName = "$RUNTIME"
		        Root = "$w/runtime-root/hako"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        BinaryName = "$RUNC"
		        Root = "$w/runtime-root/runc"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$w/net.d"
	EOF
	mkdir -p "$w/podman"
	cp "$w/busybox.tar" "$w/podman/"
	cat >"$w/podman/containers.conf" <<-EOF
		[engine]
		lock_type = "file"
		events_logfile_path = "$w/podman/events.log"
	EOF
	cat >"$w/guest.sh" <<-EOF
		#!/bin/sh
		sh $TOP/tests/system/client-cri-vm-guest.sh $w
		sh $TOP/tests/system/client-podman-vm-guest.sh $w/podman $RUNTIME
	EOF
	chmod +x "$w/guest.sh"
	local python_args=()
	vm_python "$w" python_args
	"$VM" --timeout 400 --mem 2G --module bridge --module veth --module loop \
		--bin "$RUNTIME" --bin "$RUNC" --bin containerd --bin containerd-shim-runc-v2 --bin ctr \
		--bin /usr/lib/cni/bridge --bin /usr/lib/cni/host-local --bin /usr/lib/cni/loopback \
		--bin podman --bin conmon --copy /etc/containers/policy.json \
		--bin jq "${python_args[@]}" --copy "$w" \
		--copy "$TOP/tests/system/client-cri-vm-guest.sh" --copy "$TOP/tests/system/client-podman-vm-guest.sh" \
		-- "$w/guest.sh" >"$VM_LOG" 2>&1 || true
}

# vm_python DIR ARRAY-NAME: the --bin and --copy arguments that carry
# python3 and the modules cri-client.py imports (as a run on this host
# shows them) into the VM.  The extension modules' libraries come with
# executable copies of them given to --bin.
vm_python() {
	local dir=$1 f so
	local -n args=$2
	# The call fails (no containerd here): what matters is what it imported.
	CRI_PB_DIR=$dir/pb /usr/bin/python3 -c '
import atexit, runpy, sys
files, sock, client = sys.argv[1:4]
def record():
    with open(files, "w") as out:
        for m in list(sys.modules.values()):
            if getattr(m, "__file__", None):
                print(m.__file__, file=out)
atexit.register(record)
sys.argv = ["cri-client.py", sock, "Version"]
runpy.run_path(client, run_name="__main__")
' "$dir/python-files" "$dir/no.sock" "$TOP/tests/system/cri-client.py" >/dev/null 2>&1 || true
	grep -q cri_api_v1_pb2 "$dir/python-files"
	args=(--bin /usr/bin/python3)
	mkdir -p "$dir/so"
	for f in $(sort -u "$dir/python-files"); do
		case $f in
		"$dir"/*) ;;
		*.so)
			args+=(--copy "$f")
			so=$dir/so/$(basename "$f")
			cp "$f" "$so"
			chmod +x "$so"
			args+=(--bin "$so")
			;;
		*)
			args+=(--copy "$f")
			pyc=$(dirname "$f")/__pycache__/$(basename "$f" .py).cpython-311.pyc
			[ -f "$pyc" ] && args+=(--copy "$pyc")
			;;
		esac
	done
	# the directories Python finds its prefix by
	args+=(--copy /usr/lib/python3.11/os.py)
}

passed() {
	vm_or_skip
	grep -q "^PASS: $1" "$VM_LOG" || { cat "$VM_LOG"; false; }
}

@test "v2 VM cri: containerd's CRI plugin starts with both runtime handlers" {
	passed "containerd answers"
	passed "images imported"
}

@test "v2 VM cri: RunPodSandbox: a ready pod on the CNI network (hako, runc)" {
	for h in hako runc; do
		passed "$h: pod ready"
		passed "$h: pod address on the CNI network"
	done
}

@test "v2 VM cri: Create/StartContainer with limits, ExecSync, UpdateContainerResources (hako, runc)" {
	for h in hako runc; do
		passed "$h: started"
		passed "$h: memory.max from the container config"
		passed "$h: ExecSync"
		passed "$h: ExecSync in the pod's network"
		passed "$h: update: memory.max"
		passed "$h: update: cpu.max"
	done
}

@test "v2 VM cri: exit codes, a missing program, StopContainer, RemoveContainer: hako as runc" {
	for h in hako runc; do
		passed "$h: a missing program fails StartContainer"
		passed "$h: RemoveContainer"
	done
	hako=$(sed -n 's/^SEEN hako: //p' "$VM_LOG")
	runc=$(sed -n 's/^SEEN runc: //p' "$VM_LOG")
	same_result "container states" "$hako" "$runc"
	[[ "$hako" == "main CONTAINER_EXITED 137 Error; seven CONTAINER_EXITED 7 Error; missing CONTAINER_EXITED 128 StartError"* ]]
}

@test "v2 VM podman: limits, update, pause through cgroup.freeze (hako, runc)" {
	passed "podman: image loaded"
	for rt in hako-runtime runc; do
		passed "podman $rt: limits inside"
		passed "podman $rt: update"
		passed "podman $rt: pause freezes"
		passed "podman $rt: unpause thaws"
	done
}

@test "v2 VM podman: --device and --privileged through the eBPF device filter: hako as runc" {
	vm_or_skip
	hako=$(sed -n 's/^SEEN podman hako-runtime: //p' "$VM_LOG")
	runc=$(sed -n 's/^SEEN podman runc: //p' "$VM_LOG")
	same_result "devices" "$hako" "$runc"
	[[ "$hako" == "devices 3 read-open write-denied full-open"* ]]
	[[ "$hako" == *"mem-open"* ]]
	for rt in hako-runtime runc; do
		passed "podman $rt: no container left"
		passed "podman $rt: no cgroup left"
	done
}

@test "v2 VM cri: Stop/RemovePodSandbox leave no shim, netns, veth, lease, cgroup or runtime state" {
	for h in hako runc; do
		passed "$h: StopPodSandbox"
		passed "$h: RemovePodSandbox"
		passed "$h: no container left"
		passed "$h: no shim left"
		passed "$h: no veth left"
		passed "$h: no netns left"
		passed "$h: no lease left"
		passed "$h: the runtime's --root is empty"
		passed "$h: no container cgroup left"
	done
	passed "containerd stopped"
	! grep -q "^FAIL" "$VM_LOG" || { grep "^FAIL" "$VM_LOG"; false; }
}
