#!/usr/bin/env bats
# mounts: every kind and option, propagation, the read-only root, masked
# and read-only paths, the cgroup view.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { setup_file_common; }
teardown_file() { teardown_file_common; }
setup() {
	make_bundle true
	HOSTDIR=$BATS_TEST_TMPDIR/host
	mkdir -p "$HOSTDIR"
}
teardown() {
	common_teardown
	mountpoint -q "$HOSTDIR/sub" && umount "$HOSTDIR/sub"
	mountpoint -q "$HOSTDIR" && umount -l "$HOSTDIR"
	true
}

run_in_container() {
	config_set '.process.args = ["sh", "-c", $cmd]' --arg cmd "$1"
	run rt run --bundle "$BUNDLE" "$CID"
}

# mount_field MOUNTINFO-TEXT MOUNTPOINT: "fstype options superoptions".
mount_of() {
	echo "$1" | awk -v mp="$2" '$5 == mp { for (i = 7; $i != "-"; i++); print $(i+1), $6, $(i+3) }' | tail -1
}

@test "the default mounts have their types and options" {
	run_in_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	info=$output
	[[ "$(mount_of "$info" /proc)" == "proc "* ]]
	[[ "$(mount_of "$info" /dev)" == "tmpfs "*nosuid* ]]
	[[ "$(mount_of "$info" /dev)" == *mode=755* ]]
	[[ "$(mount_of "$info" /dev/pts)" == "devpts "*noexec* ]]
	[[ "$(mount_of "$info" /dev/shm)" == "tmpfs "*nodev*noexec* ]]
	[[ "$(mount_of "$info" /dev/shm)" == *size=65536k* ]]
	[[ "$(mount_of "$info" /dev/mqueue)" == "mqueue "* ]]
	[[ "$(mount_of "$info" /sys)" == "sysfs ro,"* ]]
	[[ "$(mount_of "$info" /)" == *" ro,"* ]]
}

@test "bind mounts: read-write, read-only, a file, a relative source" {
	echo hello >"$HOSTDIR/file"
	mkdir -p "$BUNDLE/rel"
	echo relative >"$BUNDLE/rel/r"
	config_set '.mounts += [
		{destination: "/rw", type: "bind", source: $d, options: ["bind"]},
		{destination: "/ro", type: "bind", source: $d, options: ["bind", "ro"]},
		{destination: "/etc/hello", type: "bind", source: ($d + "/file"), options: ["rbind"]},
		{destination: "/rel", source: "rel", options: ["bind"]}]' --arg d "$HOSTDIR"
	run_in_container 'cat /etc/hello; cat /rel/r; echo x > /rw/made && echo rw-ok; echo x > /ro/no || echo ro-refused'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = $'hello\nrelative\nrw-ok\nro-refused' ] || [[ "$output" == *$'hello\nrelative\nrw-ok'*ro-refused ]]
	[ -f "$HOSTDIR/made" ]
	[ ! -e "$HOSTDIR/no" ]
}

@test "rbind carries submounts, bind does not, rro makes them all read-only" {
	mkdir -p "$HOSTDIR/sub"
	mount -t tmpfs sub "$HOSTDIR/sub"
	touch "$HOSTDIR/sub/marker"
	config_set '.mounts += [
		{destination: "/r", type: "bind", source: $d, options: ["rbind"]},
		{destination: "/b", type: "bind", source: $d, options: ["bind"]},
		{destination: "/rro", type: "bind", source: $d, options: ["rbind", "rro"]}]' --arg d "$HOSTDIR"
	run_in_container 'ls /r/sub; ls /b/sub | wc -l; touch /rro/sub/x 2>/dev/null || echo sub-ro'
	echo "$output"
	[ "$output" = $'marker\n0\nsub-ro' ]
}

@test "tmpfs size, mode and nosuid/nodev/noexec" {
	config_set '.mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs",
		options: ["nosuid", "nodev", "noexec", "size=1m", "mode=700"]}]'
	run_in_container 'grep " /scratch " /proc/self/mountinfo; stat -c %a /scratch; cp /bin/busybox /scratch/bb; /scratch/bb true 2>/dev/null || echo noexec-works'
	echo "$output"
	[[ "$output" == *nosuid,nodev,noexec* ]]
	[[ "$output" == *size=1024k* ]]
	[[ "$(echo "$output" | sed -n 2p)" = 700 ]]
	[[ "$output" == *noexec-works ]]
}

@test "rslave: a mount made on the host later appears in the container" {
	mount -t tmpfs hostdir "$HOSTDIR"
	mount --make-shared "$HOSTDIR"
	mkdir "$HOSTDIR/sub"
	config_set '.mounts += [{destination: "/shared", type: "bind", source: $d, options: ["rbind", "rslave"]}]' --arg d "$HOSTDIR"
	config_set '.process.args = ["sh", "-c", "while [ ! -e /shared/sub/marker ]; do sleep 0.05; done; echo propagated"]'
	rt create --bundle "$BUNDLE" "$CID"
	rt start "$CID"
	mount -t tmpfs later "$HOSTDIR/sub"
	touch "$HOSTDIR/sub/marker"
	wait_for_status "$CID" stopped
}

@test "a writable root, and a read-only one" {
	private_rootfs
	run_in_container 'echo x > /written && echo ok'
	[ "$output" = ok ]
	[ -f "$BUNDLE/rootfs/written" ]
	config_set '.root.readonly = true'
	run_in_container 'echo x > /written2 || echo refused'
	[[ "$output" == *refused ]]
}

@test "masked and read-only paths" {
	# /proc/keys and /proc/timer_list have content on the host
	[ -n "$(cat /proc/timer_list)" ]
	run_in_container 'wc -c < /proc/timer_list; wc -c < /proc/keys; ls /sys/firmware | wc -l; { echo 1 > /proc/sys/kernel/shmmni; } 2>/dev/null || echo sys-ro; grep " /proc/sys " /proc/self/mountinfo | cut -d" " -f6'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == $'0\n0\n0\nsys-ro\nro,'* ]]
}

@test "a mask over a directory cannot be written" {
	config_set '.linux.maskedPaths = ["/proc/acpi", "/sys/firmware", "/etc"]'
	run_in_container 'touch /etc/x 2>/dev/null || echo masked-ro; ls -A /etc | wc -l'
	[ "$output" = $'masked-ro\n0' ]
}

@test "the cgroup mount shows the container's own cgroup" {
	config_set '.linux.resources.pids = {limit: 77}'
	run_in_container 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; cat /proc/self/cgroup | grep -c ":/$"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | head -1)" = 77 ]
}

@test "the cgroup mount without a cgroup namespace binds the container's directory" {
	config_set '.linux.namespaces |= map(select(.type != "cgroup")) | .linux.resources.pids = {limit: 78}'
	run_in_container 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'
	[ "$status" -eq 0 ]
	[ "$output" = 78 ]
}

@test "rootfsPropagation private" {
	config_set '.linux.rootfsPropagation = "private"'
	run_in_container 'grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" != *shared:* ]]
	[[ "$output" != *master:* ]]
}

@test "rootfsPropagation unbindable and runbindable: set once the root is bound" {
	# The kernel refuses to bind an unbindable mount: set before the bind of
	# the root, it failed every create with EINVAL.
	for prop in unbindable runbindable; do
		config_set '.linux.rootfsPropagation = $p' --arg p "$prop"
		run_in_container 'grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / " /proc/self/mountinfo; grep " /proc " /proc/self/mountinfo'
		echo "$prop: $output"
		[ "$status" -eq 0 ]
		[[ "$(echo "$output" | sed -n 1p)" == *unbindable* ]]
		[[ "$output" != *shared:* ]]
		if [ "$prop" = runbindable ]; then
			[[ "$(echo "$output" | sed -n 2p)" == *unbindable* ]]
		fi
	done
}

@test "bind propagation options take effect: rshared, rslave, rprivate, unbindable" {
	# The kernel changes the propagation of attached mounts only: set on the
	# detached tree before it was attached, it was silently lost.
	mount -t tmpfs hostdir "$HOSTDIR"
	mount --make-shared "$HOSTDIR"
	config_set '.mounts += [
		{destination: "/m-shared", type: "bind", source: $d, options: ["rbind", "rshared"]},
		{destination: "/m-slave", type: "bind", source: $d, options: ["rbind", "rslave", "ro"]},
		{destination: "/m-private", type: "bind", source: $d, options: ["bind", "rprivate"]},
		{destination: "/m-unbindable", type: "bind", source: $d, options: ["bind", "unbindable", "z"]}]' --arg d "$HOSTDIR"
	run_in_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	line() { echo "$output" | awk -v mp="$1" '$5 == mp'; }
	[[ "$(line /m-shared)" == *" shared:"* ]]
	[[ "$(line /m-slave)" == *" master:"* ]]
	[[ "$(line /m-slave)" != *" shared:"* ]]
	[[ "$(line /m-slave)" == *" ro,"* ]]
	[[ "$(line /m-private)" != *" shared:"* && "$(line /m-private)" != *" master:"* ]]
	[[ "$(line /m-unbindable)" == *" unbindable "* ]]
}

@test "tmpcopyup: a tmpfs starts with a copy of what it covers, with owners and modes" {
	private_rootfs
	d=$BUNDLE/rootfs/data
	mkdir -p "$d/sub"
	echo content >"$d/file"
	echo deeper >"$d/sub/g"
	ln -s file "$d/link"
	mkfifo "$d/fifo"
	chown -R 1000:1001 "$d"
	chmod 0712 "$d"
	chmod 0640 "$d/file"
	touch -d '2001-02-03 04:05:06' "$d/file"
	config_set '.mounts += [{destination: "/data", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "tmpcopyup", "Z"]}]
		| .process.user = {uid: 1000, gid: 1001}'
	run_in_container 'set -e; stat -c "%a %u %g" /data /data/file; cat /data/file /data/sub/g; readlink /data/link;
		stat -c %F /data/fifo; date -r /data/file +%Y; grep -c " /data .* - tmpfs " /proc/self/mountinfo; echo new >/data/new; echo written'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "712 1000 1001
640 1000 1001
content
deeper
file
fifo
2001
1
written" ]
	# The image's directory is untouched.
	[ ! -e "$d/new" ]
	# Read-only: the copy is made first, then the tmpfs is made read-only.
	config_set '.mounts[-1].options += ["ro"]'
	run_in_container 'cat /data/file; (echo x >/data/new) 2>/dev/null || echo refused'
	[ "$output" = "content
refused" ]
	# Only a tmpfs can be copied up.
	config_set '.mounts[-1] = {destination: "/data", type: "bind", source: "/tmp", options: ["bind", "tmpcopyup"]}'
	run_in_container true
	[ "$status" -ne 0 ]
	[[ "$output" == *"tmpcopyup applies to tmpfs mounts only"* ]]
}

@test "a tmpfs without a mode takes the mode of the directory it covers" {
	private_rootfs
	mkdir -m 0712 "$BUNDLE/rootfs/covered"
	config_set '.mounts += [
		{destination: "/covered", type: "tmpfs", source: "tmpfs", options: ["nosuid"]},
		{destination: "/given", type: "tmpfs", source: "tmpfs", options: ["mode=1770"]},
		{destination: "/new", type: "tmpfs", source: "tmpfs"}]'
	run_in_container 'stat -c %a /covered /given /new'
	[ "$status" -eq 0 ]
	[ "$output" = "712
1770
1777" ]
	# the same with tmpcopyup (Podman's --tmpfs /x:mode=0710): the copy does
	# not change the mount's mode
	config_set '.mounts[-3:] = [
		{destination: "/covered", type: "tmpfs", source: "tmpfs", options: ["nosuid", "tmpcopyup"]},
		{destination: "/given2", type: "tmpfs", source: "tmpfs", options: ["mode=0710", "tmpcopyup"]},
		{destination: "/new2", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup"]}]'
	run_in_container 'stat -c %a /covered /given2 /new2'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "712
710
1777" ]
}
