#!/usr/bin/env bats
# Sharing between containers as Docker has it: --pid and --ipc
# (host, container:NAME; shareable, none, private with --shm-size) seen
# from /proc on the host and from inside, --volumes-from with :ro/:rw,
# the record shown by inspect, restarts joining the target again, and bad
# input refused with exit 125 and nothing made.

load engine-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() {
	local status=0 v
	engine_teardown || status=1
	for v in $(hk volume ls -q); do
		hk volume rm "$v" >/dev/null || status=1
	done
	return $status
}

# ns PID TYPE: the namespace of host process PID, as /proc names it.
ns() {
	readlink "/proc/$1/ns/$2"
}

pid_of() {
	local pid
	pid=$(hk inspect -f '{{.State.Pid}}' "$1")
	[ "$pid" -gt 0 ] || {
		echo "container $1 has no process (pid '$pid')" >&2
		return 1
	}
	echo "$pid"
}

# refused N WORD ARGS...: `hk ARGS` exits 125 with WORD in its message,
# and N containers exist afterwards (those the test made before).
refused() {
	local n=$1 word=$2
	shift 2
	run hk "$@"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"$word"* ]]
	[ "$(hk ps -a -q | wc -l)" -eq "$n" ]
}

@test "--pid container:NAME: the same pid namespace as NAME's, ps inside sees both; inspect says so" {
	hk run -d --name pidtarget --network none busybox sleep 1001
	hk run -d --name pidjoiner --network none --pid container:pidtarget busybox sleep 1002
	t=$(pid_of pidtarget)
	j=$(pid_of pidjoiner)
	[ "$(ns "$t" pid)" = "$(ns "$j" pid)" ]
	[ "$(ns "$t" pid)" != "$(ns $$ pid)" ]
	# only the pid namespace is shared
	[ "$(ns "$t" ipc)" != "$(ns "$j" ipc)" ]
	[ "$(ns "$t" uts)" != "$(ns "$j" uts)" ]
	run hk exec pidjoiner ps
	echo "$output"
	[[ "$output" == *"sleep 1001"* ]]
	[[ "$output" == *"sleep 1002"* ]]
	# the target's own view is shared too: it sees the joiner
	run hk exec pidtarget ps
	[[ "$output" == *"sleep 1002"* ]]
	[ "$(hk inspect -f '{{.HostConfig.PidMode}}' pidjoiner)" = container:pidtarget ]
	[ -z "$(hk inspect -f '{{.HostConfig.PidMode}}' pidtarget)" ]
}

@test "--pid host: the host's pid namespace, its pid 1 seen inside" {
	hk run -d --name pidhost --network none --pid host busybox sleep 1003
	[ "$(ns "$(pid_of pidhost)" pid)" = "$(ns $$ pid)" ]
	[ "$(hk exec pidhost cat /proc/1/comm)" = "$(cat /proc/1/comm)" ]
	# bats' own shell is visible from the container
	hk exec pidhost test -d "/proc/$$"
	[ "$(hk inspect -f '{{.HostConfig.PidMode}}' pidhost)" = host ]
}

@test "--ipc shareable / container:NAME: one IPC namespace, a file in /dev/shm seen by both" {
	hk run -d --name ipctarget --network none --ipc shareable --shm-size 16m busybox sleep 1004
	hk run -d --name ipcjoiner --network none --ipc container:ipctarget busybox sleep 1005
	t=$(pid_of ipctarget)
	j=$(pid_of ipcjoiner)
	[ "$(ns "$t" ipc)" = "$(ns "$j" ipc)" ]
	[ "$(ns "$t" ipc)" != "$(ns $$ ipc)" ]
	[ "$(ns "$t" pid)" != "$(ns "$j" pid)" ]
	hk exec ipctarget sh -c 'echo from-target > /dev/shm/shared'
	[ "$(hk exec ipcjoiner cat /dev/shm/shared)" = from-target ]
	hk exec ipcjoiner sh -c 'echo from-joiner > /dev/shm/back'
	[ "$(hk exec ipctarget cat /dev/shm/back)" = from-joiner ]
	# the shareable /dev/shm has the size asked, in both
	run hk exec ipcjoiner sh -c 'df -k /dev/shm | tail -1'
	[ "$(awk '{print $2}' <<<"$output")" = 16384 ]
	# it is a tmpfs on the host while the target runs, gone once it stops
	id=$(hk inspect -f '{{.Id}}' ipctarget)
	grep -qF " $HAKO_RUNROOT/containers/$id/shm " /proc/self/mountinfo
	[ "$(hk inspect -f '{{.HostConfig.IpcMode}}' ipctarget)" = shareable ]
	[ "$(hk inspect -f '{{.HostConfig.IpcMode}}' ipcjoiner)" = container:ipctarget ]
	[ "$(hk inspect -f '{{.HostConfig.ShmSize}}' ipctarget)" = 16777216 ]
	hk stop -t 0 ipcjoiner ipctarget
	run grep -cF " $HAKO_RUNROOT/containers/$id/shm " /proc/self/mountinfo
	[ "$output" = 0 ]
}

@test "--ipc host: the host's IPC namespace and /dev/shm" {
	name=hako-test-shm-$$
	echo from-host >"/dev/shm/$name"
	run hk run --rm --network none --ipc host busybox cat "/dev/shm/$name"
	rm -f "/dev/shm/$name"
	[ "$status" -eq 0 ]
	[ "$output" = from-host ]
	hk run -d --name ipchost --network none --ipc host busybox sleep 1006
	[ "$(ns "$(pid_of ipchost)" ipc)" = "$(ns $$ ipc)" ]
	[ "$(hk inspect -f '{{.HostConfig.IpcMode}}' ipchost)" = host ]
}

@test "--ipc none has no /dev/shm; private (the default) has its own, sized by --shm-size" {
	run hk run --rm --network none --ipc none busybox grep -c ' /dev/shm ' /proc/self/mountinfo
	[ "$output" = 0 ]
	run hk run --rm --network none --shm-size 8m busybox sh -c 'df -k /dev/shm | tail -1'
	[ "$(awk '{print $2}' <<<"$output")" = 8192 ]
	hk create --name ipcdefault --network none busybox true
	[ "$(hk inspect -f '{{.HostConfig.IpcMode}}' ipcdefault)" = private ]
	hk run -d --name ipcown --network none busybox sleep 1007
	[ "$(ns "$(pid_of ipcown)" ipc)" != "$(ns $$ ipc)" ]
}

@test "a restart of the joining container joins the target again, by hand and by its policy" {
	hk run -d --name rtarget --network none --ipc shareable busybox sleep 1008
	hk run -d --name rjoiner --network none --pid container:rtarget --ipc container:rtarget busybox sleep 1009
	before=$(pid_of rjoiner)
	hk restart -t 0 rjoiner
	t=$(pid_of rtarget)
	j=$(pid_of rjoiner)
	[ "$j" != "$before" ]
	[ "$(ns "$t" pid)" = "$(ns "$j" pid)" ]
	[ "$(ns "$t" ipc)" = "$(ns "$j" ipc)" ]
	# a policy restart joins again too: the first run exits 3, the
	# second (its root kept) finds the mark and stays
	hk run -d --name rpolicy --network none --restart always --pid container:rtarget busybox \
		sh -c '[ -e /again ] && exec sleep 1013; touch /again; exit 3'
	for _ in $(seq 100); do
		[ "$(hk inspect -f '{{.RestartCount}}' rpolicy)" -ge 1 ] && [ "$(hk inspect -f '{{.State.Status}}' rpolicy)" = running ] && break
		sleep 0.1
	done
	[ "$(hk inspect -f '{{.RestartCount}}' rpolicy)" -ge 1 ]
	p=$(pid_of rpolicy)
	[ "$(ns "$p" pid)" = "$(ns "$t" pid)" ]
	hk stop -t 0 rpolicy
}

@test "a joiner whose target has stopped does not start, saying why; it does once the target runs" {
	hk run -d --name starget --network none busybox sleep 1010
	hk create --name sjoiner --network none --pid container:starget busybox sleep 1011
	hk stop -t 0 starget
	run hk start sjoiner
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot join the pid namespace of container starget: it is not running"* ]]
	[ "$(hk inspect -f '{{.State.Status}}' sjoiner)" != running ]
	hk start starget
	hk start sjoiner
	[ "$(ns "$(pid_of starget)" pid)" = "$(ns "$(pid_of sjoiner)" pid)" ]
}

@test "--volumes-from: the other's volumes and binds at the same places; :ro refuses writes; -v wins" {
	bind=$BATS_TEST_TMPDIR/bind
	mkdir -p "$bind"
	hk create --name vsrc --network none -v vfdata:/data -v "$bind:/bind" -v /anon busybox true
	hk run --rm --network none --volumes-from vsrc busybox sh -c 'echo a >/data/f && echo b >/bind/f && echo c >/anon/f'
	[ "$(cat "$bind/f")" = b ]
	[ "$(hk run --rm --network none --volumes-from vsrc:ro busybox cat /data/f /bind/f /anon/f | tr '\n' ' ')" = "a b c " ]
	run hk run --rm --network none --volumes-from vsrc:ro busybox sh -c 'echo x >/data/g'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	run hk run --rm --network none --volumes-from vsrc:ro busybox sh -c 'echo x >/bind/g'
	[ "$status" -ne 0 ]
	[ ! -e "$bind/g" ]
	# a read-only source stays read-only unless :rw is asked
	hk create --name vro --network none -v vfro:/ro:ro busybox true
	run hk run --rm --network none --volumes-from vro busybox sh -c 'echo x >/ro/g'
	[ "$status" -ne 0 ]
	hk run --rm --network none --volumes-from vro:rw busybox sh -c 'echo x >/ro/g'
	# the container's own mount at the same destination wins
	hk run --rm --network none --volumes-from vsrc -v vfother:/data busybox sh -c '[ ! -e /data/f ]'
	# recorded as given; the mounts are inspect's
	hk create --name vjoin --network none --volumes-from vsrc:ro --volumes-from vro busybox true
	[ "$(hk inspect -f '{{json .HostConfig.VolumesFrom}}' vjoin)" = '["vsrc:ro","vro"]' ]
	run hk inspect vjoin
	echo "$output" | jq -e '[.[0].Mounts[] | select(.Destination == "/data")][0] | .RW == false and .Name == "vfdata"'
	echo "$output" | jq -e '[.[0].Mounts[] | select(.Destination == "/bind")][0] | .RW == false and .Type == "bind"'
	echo "$output" | jq -e '[.[0].Mounts[] | select(.Destination == "/ro")][0] | .RW == false'
	# the volume another container uses is not removed with it
	hk rm -v vsrc
	[ "$(hk run --rm --network none --volumes-from vjoin busybox cat /anon/f)" = c ]
	hk rm -v vjoin vro
}

@test "bad --pid, --ipc, --shm-size, --volumes-from: exit 125 naming the problem, nothing made" {
	refused 0 'not a pid namespace mode' run --pid bogus busybox true
	refused 0 'not a pid namespace mode' run --pid container: busybox true
	refused 0 'not an IPC mode' run --ipc bogus busybox true
	refused 0 'no such container: nosuch' run --pid container:nosuch busybox true
	refused 0 'no such container: nosuch' run --ipc container:nosuch busybox true
	refused 0 'no such container: nosuch' run --volumes-from nosuch busybox true
	refused 0 'no such container: nosuch' create --volumes-from nosuch:ro busybox true
	refused 0 'unknown mode "z"' run --volumes-from nosuch:z busybox true
	refused 0 '--shm-size' run --ipc host --shm-size 1m busybox true
	refused 0 'above 0' run --shm-size 0 busybox true
	hk create --name stopped --network none busybox true
	refused 1 'cannot join the namespaces of container stopped: it is not running' run --pid container:stopped busybox true
	refused 1 'cannot join the namespaces of container stopped: it is not running' create --ipc container:stopped busybox true
	hk run -d --name private --network none busybox sleep 1012
	refused 2 'the IPC namespace of container private is not shareable' run --ipc container:private busybox true
	# no volume was made by the refused runs
	[ -z "$(hk volume ls -q)" ]
}

@test "in a pod that shares them, --pid and --ipc are refused" {
	hk pod create --name sharepod --cgroup-parent "$ENGINE_CGROUP" --share ipc,pid,uts,net >/dev/null
	run hk run --pod sharepod --pid host busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--pid: not with --pod sharepod: the pod shares its pid namespace"* ]]
	run hk run --pod sharepod --ipc host busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--ipc: not with --pod sharepod: the pod shares its IPC namespace"* ]]
	hk pod rm -f sharepod >/dev/null
}

@test "checkpoint and restore refuse a container that joins a namespace not its own, before criu" {
	hk create --name ckhost --network none --pid host busybox true
	run hk checkpoint ckhost
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot checkpoint container ckhost: it joins a namespace that is not its own (--pid host)"* ]]
	run hk restore ckhost
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot restore container ckhost: it joins a namespace that is not its own (--pid host)"* ]]
}
