#!/bin/sh
# checkpoint-vm-guest.sh RUNTIME BUNDLE RECVTTY IMAGE-TAR: hako-runtime checkpoint and
# restore through criu, directly and under containerd's runc shim (IMAGE-TAR:
# an OCI image hako.test/busybox:1), run in the cgroup v2 VM by checkpoint-vm.bats.
# Prints PASS:/FAIL: lines that the bats file reads.
rt="$1 --root /run/rt"
template=$2
recvtty=$3
check() { if [ "$2" = "$3" ]; then echo "PASS: $1"; else echo "FAIL: $1: expected '$2', got '$3'"; fi; }
ok() { if [ "$2" -eq 0 ]; then echo "PASS: $1"; else echo "FAIL: $1 (status $2)"; fi; }
# grows NAME FILE BEFORE: FILE's number passes BEFORE within 10 s (an emulated VM is slow)
grows() {
	i=0
	while [ $i -lt 100 ]; do
		n=$(cat "$2" 2>/dev/null)
		[ -n "$n" ] && [ "$n" -gt "$3" ] && { echo "PASS: $1"; return; }
		sleep 0.1
		i=$((i + 1))
	done
	echo "FAIL: $1: still at '$n' (was $3)"
}
# bundle NAME JQ-FILTER: /tmp/NAME, a private copy of the template
bundle() {
	mkdir -p /tmp/$1
	cp -a $template/rootfs /tmp/$1/rootfs
	jq "$2 | .root.readonly = false" $template/config.json >/tmp/$1/config.json
}
counter='["sh", "-c", "i=0; while :; do i=$((i + 1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done"]'
quiet() { "$@" </dev/null >/dev/null 2>/tmp/err || { echo "  $* failed:"; sed 's/^/    /' /tmp/err; return 1; }; }
# run_detached ID: runs /tmp/ID, its stdio /dev/null (criu reopens it in the
# container; a file of the VM's would be out of its reach)
run_detached() {
	id=$1
	shift
	$rt run --detach "$@" --bundle /tmp/$id $id </dev/null >/dev/null 2>&1 || { echo "FAIL: run $id"; $rt run --detach "$@" --bundle /tmp/$id $id </dev/null; }
}

# 1. checkpoint stops the container and removes it; restore counts on
bundle c1 ".process.args = $counter | .linux.cgroupsPath = \"/hk/c1\""
run_detached c1
sleep 0.5
quiet $rt checkpoint --image-path /tmp/c1.img --work-path /tmp/c1.work c1; ok "checkpoint" $?
at_dump=$(cat /tmp/c1/rootfs/tmp/count)
$rt state c1 >/dev/null 2>&1; check "checkpoint: the container is gone" 1 $?
check "checkpoint: the cgroup is gone" gone "$([ -d /sys/fs/cgroup/hk/c1 ] && echo present || echo gone)"
sleep 0.5
check "checkpoint: it stopped counting" "$at_dump" "$(cat /tmp/c1/rootfs/tmp/count)"
[ -f /tmp/c1.work/dump.log ] && echo "PASS: --work-path holds the log" || echo "FAIL: --work-path holds the log"
quiet $rt restore --detach --image-path /tmp/c1.img --work-path /tmp/c1.rwork --pid-file /tmp/c1.pid --bundle /tmp/c1 c1
ok "restore --detach --pid-file" $?
check "restore: running" running "$($rt state c1 | jq -r .status)"
check "restore: --pid-file is the restored pid" "$($rt state c1 | jq -r .pid)" "$(cat /tmp/c1.pid)"
[ -f /tmp/c1.rwork/restore.log ] && echo "PASS: restore makes --work-path" || echo "FAIL: restore makes --work-path"
check "restore: in the container's cgroup" 1 "$(grep -c "^$(cat /tmp/c1.pid)\$" /sys/fs/cgroup/hk/c1/cgroup.procs)"
grows "restore: counts on from the checkpoint" /tmp/c1/rootfs/tmp/count "$at_dump"
n=$(cat /tmp/c1/rootfs/tmp/count)
[ "$n" -lt $((at_dump + 60)) ] && echo "PASS: restore: resumed, not restarted" || echo "FAIL: restore: resumed, not restarted ($n vs $at_dump)"

# 2. --leave-running: it keeps counting; the images restore a second one
quiet $rt checkpoint --leave-running --image-path /tmp/c1.live c1; ok "checkpoint --leave-running" $?
check "--leave-running: still running" running "$($rt state c1 | jq -r .status)"
n=$(cat /tmp/c1/rootfs/tmp/count)
grows "--leave-running: still counting" /tmp/c1/rootfs/tmp/count "$n"

# 3. pre-dump, then the final dump on top of it
quiet $rt checkpoint --pre-dump --image-path /tmp/c1.pre c1; ok "checkpoint --pre-dump" $?
check "--pre-dump: still running" running "$($rt state c1 | jq -r .status)"
quiet $rt checkpoint --parent-path ../c1.pre --image-path /tmp/c1.fin c1; ok "checkpoint --parent-path" $?
check "--parent-path: criu linked the parent" /tmp/c1.pre "$(cd /tmp/c1.fin/parent && pwd -P)"
at_dump=$(cat /tmp/c1/rootfs/tmp/count)
quiet $rt restore --detach --image-path /tmp/c1.fin --bundle /tmp/c1 c1; ok "restore from a pre-dumped checkpoint" $?
grows "pre-dump + dump: counts on" /tmp/c1/rootfs/tmp/count "$at_dump"
$rt kill c1 KILL; sleep 0.3; $rt delete --force c1

# 4. no cgroup namespace: the host's cgroup directory is bound in
bundle c2 ".process.args = $counter | .linux.cgroupsPath = \"/hk/c2\" | .linux.namespaces |= map(select(.type != \"cgroup\"))"
run_detached c2
sleep 0.3
quiet $rt checkpoint --image-path /tmp/c2.img c2; ok "no cgroupns: checkpoint" $?
at_dump=$(cat /tmp/c2/rootfs/tmp/count)
quiet $rt restore --detach --image-path /tmp/c2.img --bundle /tmp/c2 c2; ok "no cgroupns: restore" $?
grows "no cgroupns: counts on" /tmp/c2/rootfs/tmp/count "$at_dump"
$rt kill c2 KILL; sleep 0.3; $rt delete --force c2

# 5. a terminal: the master goes to --console-socket at run and at restore
bundle c3 ".process.terminal = true | .process.args = [\"sh\", \"-c\", \"i=0; while :; do i=\$((i + 1)); echo \$i > /tmp/count.new; mv /tmp/count.new /tmp/count; echo tick\$i; sleep 0.1; done\"] | .linux.cgroupsPath = \"/hk/c3\""
$recvtty /tmp/tty1.sock >/tmp/tty1.out &
rpid=$!
i=0; while [ ! -S /tmp/tty1.sock ] && [ $i -lt 50 ]; do sleep 0.05; i=$((i+1)); done
run_detached c3 --console-socket /tmp/tty1.sock
sleep 0.3
quiet $rt checkpoint --image-path /tmp/c3.img c3; ok "terminal: checkpoint" $?
wait $rpid
at_dump=$(cat /tmp/c3/rootfs/tmp/count)
$recvtty /tmp/tty2.sock >/tmp/tty2.out &
rpid=$!
i=0; while [ ! -S /tmp/tty2.sock ] && [ $i -lt 50 ]; do sleep 0.05; i=$((i+1)); done
quiet $rt restore --detach --console-socket /tmp/tty2.sock --image-path /tmp/c3.img --bundle /tmp/c3 c3
ok "terminal: restore --console-socket" $?
grows "terminal: counts on" /tmp/c3/rootfs/tmp/count "$at_dump"
sleep 0.3
grep -q "tick$((at_dump + 2))" /tmp/tty2.out && echo "PASS: terminal: the new pty carries its output" || { echo "FAIL: terminal: the new pty carries its output"; head -c 300 /tmp/tty2.out; }
$rt kill c3 KILL; sleep 0.3; $rt delete --force c3
wait $rpid

# 6a. --empty-ns network and --manage-cgroups-mode ignore
bundle c7 ".process.args = $counter | .linux.cgroupsPath = \"/hk/c7\""
run_detached c7
sleep 0.3
quiet $rt checkpoint --empty-ns network --manage-cgroups-mode ignore --image-path /tmp/c7.img c7
ok "checkpoint --empty-ns network --manage-cgroups-mode ignore" $?
at_dump=$(cat /tmp/c7/rootfs/tmp/count)
quiet $rt restore --detach --empty-ns network --manage-cgroups-mode ignore --image-path /tmp/c7.img --bundle /tmp/c7 c7
ok "restore --empty-ns network --manage-cgroups-mode ignore" $?
grows "--empty-ns network: counts on" /tmp/c7/rootfs/tmp/count "$at_dump"
$rt kill c7 KILL; sleep 0.3; $rt delete --force c7

# 6. an established TCP connection survives (--tcp-established): the server
# in a container sharing the VM's network, the client outside
bundle c4 ".process.args = [\"nc\", \"-l\", \"-p\", \"5000\", \"-e\", \"cat\"] | .linux.cgroupsPath = \"/hk/c4\" | .linux.namespaces |= map(select(.type != \"network\"))"
run_detached c4
i=0; while ! netstat -ltn | grep -q ':5000 ' && [ $i -lt 50 ]; do sleep 0.05; i=$((i+1)); done
(i=0; while [ $i -lt 100 ]; do i=$((i + 1)); echo $i; sleep 0.1; done) | nc 127.0.0.1 5000 >/tmp/echo.out &
sleep 0.5
quiet $rt checkpoint --tcp-established --image-path /tmp/c4.img c4; ok "tcp: checkpoint --tcp-established" $?
at_dump=$(tail -n 1 /tmp/echo.out)
quiet $rt restore --detach --tcp-established --image-path /tmp/c4.img --bundle /tmp/c4 c4; ok "tcp: restore --tcp-established" $?
i=0; while [ $i -lt 100 ]; do n=$(tail -n 1 /tmp/echo.out); [ "$n" -gt $((at_dump + 3)) ] && break; sleep 0.1; i=$((i+1)); done
[ "$n" -gt $((at_dump + 3)) ] && echo "PASS: tcp: the connection echoes on" || echo "FAIL: tcp: the connection echoes on ($at_dump -> $n)"
$rt kill c4 KILL; sleep 0.3; $rt delete --force c4

# 7. stdout a pipe (as a monitor's or a shim's): restore hands its own
# stdout over in its place
bundle c6 ".process.args = [\"sh\", \"-c\", \"i=0; while :; do i=\$((i + 1)); echo \$i; sleep 0.1; done\"] | .linux.cgroupsPath = \"/hk/c6\""
# (stderr /dev/null: it is the container's, and criu reopens only that)
$rt run --detach --bundle /tmp/c6 c6 </dev/null 2>/dev/null | cat >/tmp/pipe1.out &
# running and counting (run returns in the background: a slow VM may not
# have started it 0.5 s later)
i=0; while [ $i -lt 100 ] && ! $rt state c6 2>/dev/null | grep -q '"running"'; do sleep 0.1; i=$((i+1)); done
$rt state c6 | grep -q '"running"' || echo "FAIL: pipe: run c6 (not running after 10 s)"
sleep 0.5
quiet $rt checkpoint --image-path /tmp/c6.img c6; ok "pipe: checkpoint" $?
wait
at_dump=$(tail -n 1 /tmp/pipe1.out)
$rt restore --detach --image-path /tmp/c6.img --bundle /tmp/c6 c6 </dev/null 2>/tmp/err | cat >/tmp/pipe2.out &
# (up to 20 s: without KVM the VM is emulated and criu's restore slow)
i=0; while [ $i -lt 200 ] && [ ! -s /tmp/pipe2.out ]; do sleep 0.1; i=$((i+1)); done
sleep 0.3
first=$(head -n 1 /tmp/pipe2.out)
check "pipe: the restored container writes to the new pipe, from where it was" $((at_dump + 1)) "$first"
$rt kill c6 KILL; sleep 0.3; $rt delete --force c6
wait

# 8. criu's failures quote its log and name it; the container keeps running
bundle c5 ".process.args = $counter | .linux.cgroupsPath = \"/hk/c5\""
run_detached c5
cat >/tmp/criu-dies <<-'EOF'
	#!/bin/sh
	[ "$1" = check ] && exec criu check
	criu "$@" & pid=$!
	sleep 0.2; kill -9 $pid; exit 137
EOF
chmod +x /tmp/criu-dies
out=$($1 --root /run/rt --criu /tmp/criu-dies checkpoint --image-path /tmp/c5.img c5 2>&1); ok_status=$?
[ $ok_status -ne 0 ] && echo "PASS: criu killed mid-dump: an error" || echo "FAIL: criu killed mid-dump: an error"
echo "$out" | sed 's/^/  said: /'
case $out in *"criu dump failed (status 137)"*"/tmp/c5.img/dump.log"*) echo "PASS: the error names the log" ;; *) echo "FAIL: the error names the log" ;; esac
check "criu killed mid-dump: still running" running "$($rt state c5 | jq -r .status)"
n=$(cat /tmp/c5/rootfs/tmp/count)
grows "criu killed mid-dump: still counting" /tmp/c5/rootfs/tmp/count "$n"
$rt kill c5 KILL; sleep 0.3; $rt delete --force c5
rm -f /tmp/c1.img/pstree.img
out=$($rt restore --detach --image-path /tmp/c1.img --bundle /tmp/c1 c1 2>&1)
echo "$out" | sed 's/^/  said: /'
case $out in *"criu restore failed"*"/tmp/c1.img/restore.log ends:"*"pstree"*) echo "PASS: a broken checkpoint: criu's error and its log" ;; *) echo "FAIL: a broken checkpoint: criu's error and its log" ;; esac
$rt state c1 >/dev/null 2>&1; check "a broken checkpoint: no container left" 1 $?
# containerd's runc v2 shim with hako-runtime as its runc: `ctr container
# checkpoint --task` (it pauses the task, the runtime dumps it frozen and
# leaves it running) and `ctr container restore --live` after the task died
ctd=/tmp/ctd
mkdir -p $ctd
cat >$ctd/config.toml <<CONFIG
version = 2
root = "$ctd/root"
state = "$ctd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$ctd/containerd.sock"
CONFIG
containerd --config $ctd/config.toml >$ctd/log 2>&1 &
ctd_pid=$!
i=0
while [ ! -S $ctd/containerd.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ctr="ctr --address $ctd/containerd.sock"
ctr_status() { $ctr task ls | awk -v id="$1" '$1 == id { print $3 }'; }
# the counter in task $1, read by exec id $2; a slow VM may not have written it yet
ctr_count() {
	local c='' i=0
	while [ -z "$c" ] && [ $i -lt 30 ]; do
		c=$($ctr task exec --exec-id "$2$i" "$1" cat /tmp/count) || sleep 0.2
		i=$((i + 1))
	done
	echo "$c"
}
quiet $ctr image import "$4"; ok "ctr: image imported" $?
quiet $ctr run -d --runc-binary "$1" hako.test/busybox:1 k1 sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done'
ok "ctr run with hako-runtime" $?
sleep 1
n=$(ctr_count k1 e1-)
quiet $ctr container checkpoint --rw --task k1 hako.test/k1-checkpoint:1; ok "ctr container checkpoint --task" $?
check "ctr: the task runs on after the checkpoint" RUNNING "$(ctr_status k1)"
quiet $ctr task kill -s KILL k1
i=0
while [ "$(ctr_status k1)" != STOPPED ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
quiet $ctr task rm k1 && quiet $ctr container rm k1; ok "ctr: the task and container removed" $?
quiet $ctr container restore --rw --live k1 hako.test/k1-checkpoint:1; ok "ctr container restore --live" $?
check "ctr: the restored task runs" RUNNING "$(ctr_status k1)"
sleep 0.5
m=$(ctr_count k1 e2-)
[ -n "$m" ] && [ "$m" -gt "$n" ] && echo "PASS: ctr: the restored task counts on from the checkpoint" || echo "FAIL: ctr: the restored task counts on from the checkpoint ($m vs $n)"
$ctr task kill -s KILL k1
i=0
while [ "$(ctr_status k1)" != STOPPED ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
quiet $ctr task rm k1 && quiet $ctr container rm k1; ok "ctr: removed again" $?
kill $ctd_pid
wait $ctd_pid
check "no container left" "" "$($rt list -q)"
check "no cgroup left" 0 "$(find /sys/fs/cgroup/hk -mindepth 1 -type d 2>/dev/null | wc -l)"
