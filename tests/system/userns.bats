#!/usr/bin/env bats
# Remapped containers (hako run as root): --userns auto|remap:USER|ns:PATH,
# --uidmap/--gidmap, --subuidname, hako.conf and HAKO_USERNS; the image's
# layers idmapped (or chowned copies), volumes, inspect/top/info, bad input,
# and what root with every capability cannot do to the host from inside.
# The ranges come from private subuid/subgid files ($HAKO_SUBUID_FILE):
# the host's /etc/subuid is never touched.

bats_require_minimum_version 1.5.0

load engine-helpers

setup_file() {
	engine_setup_file
	export HAKO_SUBUID_FILE=$BATS_FILE_TMPDIR/subuid HAKO_SUBGID_FILE=$BATS_FILE_TMPDIR/subgid
	export HAKO_CONFIG=$BATS_FILE_TMPDIR/hako.conf
	# An image with a file owned by 1000:1000, as images hold.
	mkdir -p "$BATS_FILE_TMPDIR/bbroot/home/user"
	echo mine >"$BATS_FILE_TMPDIR/bbroot/home/user/file"
	chown -R 1000:1000 "$BATS_FILE_TMPDIR/bbroot/home/user"
	tar -C "$BATS_FILE_TMPDIR/bbroot" -cf "$BATS_FILE_TMPDIR/owned.tar" .
	hk import -c 'CMD ["sh"]' "$BATS_FILE_TMPDIR/owned.tar" owned >/dev/null
}
teardown_file() { engine_teardown_file; }
setup() {
	echo "hako:200000:1000000" >"$HAKO_SUBUID_FILE"
	echo "hako:200000:1000000" >"$HAKO_SUBGID_FILE"
	rm -f "$HAKO_CONFIG"
	engine_setup
}
teardown() {
	rm -f "$HAKO_CONFIG"
	# a pod a failed test left, before the leak check
	local pod
	for pod in $(hk pod ls -q); do hk pod rm -f "$pod" >/dev/null; done
	engine_teardown
	hk volume prune -f -a >/dev/null 2>&1 || true
}

# host_uid NAME: the real uid of the container's first process, as the
# host sees it.
host_uid() {
	local pid
	pid=$(hk inspect -f '{{.State.Pid}}' "$1") || return 1
	awk '/^Uid:/ { print $2 }' "/proc/$pid/status"
}

@test "--userns=auto: root inside is an unprivileged uid of hako's range on the host" {
	hk run -d --name a --userns=auto busybox sleep 100 >/dev/null
	run hk exec a id
	[[ "$output" == "uid=0(root) gid=0(root)"* ]]
	run hk exec a cat /proc/self/uid_map
	[ "$(echo $output)" = "0 200000 65536" ]
	run hk exec a cat /proc/self/gid_map
	[ "$(echo $output)" = "0 200000 65536" ]
	[ "$(host_uid a)" = 200000 ]
	run hk inspect a
	echo "$output" | jq -e '.[0].HostConfig.UsernsMode == "auto"
		and .[0].HostConfig.IDMappings.UidMap == ["0:200000:65536"]
		and .[0].HostConfig.IDMappings.GidMap == ["0:200000:65536"]'
	# the default stays the host's: the whole range
	run hk run --rm busybox cat /proc/self/uid_map
	[ "$(echo $output)" = "0 0 4294967295" ]
}

@test "auto ranges: each container its own, recorded in the store, freed on rm" {
	hk create --name a --userns=auto busybox true >/dev/null
	hk create --name b --userns=auto:size=1000 busybox true >/dev/null
	hk run -d --name c --userns=auto busybox sleep 100 >/dev/null
	[ "$(hk inspect -f '{{json .HostConfig.IDMappings.UidMap}}' a)" = '["0:200000:65536"]' ]
	[ "$(hk inspect -f '{{json .HostConfig.IDMappings.UidMap}}' b)" = '["0:265536:1000"]' ]
	[ "$(hk inspect -f '{{json .HostConfig.IDMappings.UidMap}}' c)" = '["0:266536:65536"]' ]
	[ "$(host_uid c)" = 266536 ]
	hk rm a >/dev/null
	# a's range is free again; a larger one does not fit there
	hk create --name d --userns=auto:size=2000 busybox true >/dev/null
	[ "$(hk inspect -f '{{json .HostConfig.IDMappings.UidMap}}' d)" = '["0:200000:2000"]' ]
	hk create --name e --userns=auto:size=70000 busybox true >/dev/null
	[ "$(hk inspect -f '{{json .HostConfig.IDMappings.UidMap}}' e)" = '["0:332072:70000"]' ]
	# the store's rows are the containers' (sqlite3 reads what hako wrote)
	run sqlite3 "$HAKO_ROOT/hako.db" 'SELECT COUNT(DISTINCT container_id) FROM userns_ranges'
	[ "$output" = 4 ]
	hk rm -f b c d e >/dev/null
	run sqlite3 "$HAKO_ROOT/hako.db" 'SELECT COUNT(*) FROM userns_ranges'
	[ "$output" = 0 ]
}

@test "bad input: exit 125 naming the cause, nothing created" {
	run hk run --rm --userns=bogus busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"unknown mode \`bogus\`"* ]]
	run hk run --rm --userns=keep-id busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"keep-id"*"rootless"* ]]
	run hk run --rm --userns=auto:size=2000000 busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *2000000* ]]
	run hk run --rm --uidmap 0:100:x busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--uidmap"* ]]
	run hk run --rm --userns=ns:/nonexistent busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"/nonexistent"* ]]
	run hk run --rm --userns=ns:/proc/self/ns/net busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"not a user namespace"* ]]
	run hk run --rm --userns=auto --network host busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--network host"* ]]
	run hk run --rm -v "$BATS_TEST_TMPDIR:/x:idmap" busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"idmap"*"user namespace"* ]]
	# a map overlapping another container's range is refused
	hk create --name a --userns=auto busybox true >/dev/null
	run hk run --name over --uidmap 0:210000:100 --gidmap 0:400000:100 busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"overlap"* ]]
	# no range for the user hako at all
	: >"$HAKO_SUBUID_FILE"
	run hk run --name nosub --userns=auto busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"hako"*"$HAKO_SUBUID_FILE"* ]]
	run hk run --name nouser --subuidname nosuchuser busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *nosuchuser* ]]
	# nothing was made: only a, and a's rows
	[ "$(hk ps -a --format '{{.Names}}')" = a ]
	run sqlite3 "$HAKO_ROOT/hako.db" 'SELECT DISTINCT container_id FROM userns_ranges'
	[ "$output" = "$(hk inspect -f '{{.Id}}' a)" ]
}

@test "--uidmap/--gidmap as given; --subuidname takes a user's ranges" {
	run hk run --rm --uidmap 0:300000:5000 --uidmap 5000:400000:10 --gidmap 0:310000:6000 \
		busybox sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 300000 5000" ]
	[ "$(echo ${lines[1]})" = "5000 400000 10" ]
	[ "$(echo ${lines[2]})" = "0 310000 6000" ]
	printf 'alice:500000:65536\nalice:700000:1000\n' >>"$HAKO_SUBUID_FILE"
	printf 'alice:600000:65536\n' >>"$HAKO_SUBGID_FILE"
	run hk run --rm --subuidname alice --subgidname alice busybox sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 500000 65536" ]
	[ "$(echo ${lines[1]})" = "65536 700000 1000" ]
	[ "$(echo ${lines[2]})" = "0 600000 65536" ]
}

@test "hako.conf sets the machine's default (remap:default adds hako's ranges); HAKO_USERNS wins; info shows it" {
	: >"$HAKO_SUBUID_FILE"
	rm -f "$HAKO_SUBGID_FILE"
	echo 'userns = "remap:default"' >"$HAKO_CONFIG"
	run hk info
	[[ "$output" == *"Default: remap:default ($HAKO_CONFIG)"* ]]
	hk info --format '{{json .SecurityOptions}}' | jq -e 'index("name=userns") != null'
	run hk run --rm busybox id -u
	[ "$output" = 0 ]
	grep -qx 'hako:[0-9]*:65536' "$HAKO_SUBUID_FILE"
	grep -qx 'hako:[0-9]*:65536' "$HAKO_SUBGID_FILE"
	local start
	start=$(cut -d: -f2 "$HAKO_SUBUID_FILE")
	hk run -d --name a busybox sleep 100 >/dev/null
	[ "$(host_uid a)" = "$start" ]
	[ "$(hk inspect -f '{{.HostConfig.UsernsMode}}' a)" = remap:default ]
	# the environment over the file, the command line over both
	HAKO_USERNS=host run hk run --rm busybox cat /proc/self/uid_map
	[ "$(echo $output)" = "0 0 4294967295" ]
	run hk run --rm --userns=host busybox cat /proc/self/uid_map
	[ "$(echo $output)" = "0 0 4294967295" ]
	HAKO_USERNS=auto run hk info
	[[ "$output" == *"Default: auto (HAKO_USERNS)"* ]]
	echo 'userns = "sideways"' >"$HAKO_CONFIG"
	run hk run --rm busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *sideways* ]]
}

@test "--userns=ns:PATH joins a namespace made elsewhere; exec joins the container's" {
	hk run -d --name a --userns=auto busybox sleep 100 >/dev/null
	local pid
	pid=$(hk inspect -f '{{.State.Pid}}' a)
	run hk run --rm --userns="ns:/proc/$pid/ns/user" busybox cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "0 200000 65536" ]
	hk exec -d a sleep 99
	local p
	for p in $(pgrep -x sleep); do
		if grep -q '^99$' <(tr '\0' '\n' <"/proc/$p/cmdline" | tail -1); then
			[ "$(readlink "/proc/$p/ns/user")" = "$(readlink "/proc/$pid/ns/user")" ]
			[ "$(awk '/^Uid:/ { print $2 }' "/proc/$p/status")" = 200000 ]
		fi
	done
}

@test "top shows the container's user and the host's" {
	hk run -d --name a --userns=auto busybox sleep 100 >/dev/null
	run hk top a
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "USER HUSER "* ]]
	[[ "${lines[1]}" == "root 200000 "*"sleep 100" ]]
}

@test "image layers are idmapped: owners as in the image inside, the store's layers untouched, nothing copied" {
	run hk run --rm --userns=auto owned sh -c 'ls -ln /home/user/file /bin/busybox; echo changed > /home/user/file; touch /new; ls -ln /new'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *" 0 "*" 0 "*/bin/busybox ]]
	[[ "${lines[1]}" == *" 1000 "*" 1000 "*/home/user/file ]]
	[[ "${lines[2]}" == *" 0 "*" 0 "*/new ]]
	# the layer as the host stores it: its owners unchanged, its text too
	local f
	f=$(find "$HAKO_ROOT" -path '*/home/user/file' -not -path '*/merged/*' | head -1)
	[ -n "$f" ]
	[ "$(stat -c %u:%g "$f")" = 1000:1000 ]
	[ "$(cat "$f")" = mine ]
	# no chowned copy is made: none while a container of a new mapping runs
	hk run -d --name a --uidmap 0:500000:65536 --gidmap 0:500000:65536 owned sleep 100 >/dev/null
	run -0 hk exec a stat -c %u:%g /home/user/file
	[ "$output" = 1000:1000 ]
	# (the host sees the container's files shifted in its merged view only)
	[ -z "$(find "$HAKO_ROOT" -path '*/merged' -prune -o -uid 501000 -print)" ]
	[ -n "$(find "$HAKO_ROOT"/containers/*/merged/home/user -uid 501000)" ]
	[ ! -d "$HAKO_ROOT/s" ] || [ -z "$(ls -A "$HAKO_ROOT/s")" ]
}

@test "where idmapped layers are refused: chowned copies made once per mapping, shared, removed with the last container" {
	export HAKO_TEST_IDMAP_FALLBACK=1
	hk run -d --name a --uidmap 0:300000:65536 --gidmap 0:300000:65536 owned sleep 100 >/dev/null
	run hk exec a ls -ln /bin/busybox /home/user/file
	[[ "${lines[0]}" == *" 0 "*" 0 "*/bin/busybox ]]
	[[ "${lines[1]}" == *" 1000 "*" 1000 "*/home/user/file ]]
	local copies
	copies=$(find "$HAKO_ROOT" -path '*/home/user/file' -not -path '*/merged/*' -uid 301000)
	[ "$(wc -l <<<"$copies")" = 1 ]
	[ "$(stat -c %u:%g "$copies")" = 301000:301000 ]
	# a second container of the same mapping shares the copy
	hk run -d --name b --uidmap 0:300000:65536 --gidmap 0:300000:65536 owned sleep 100 >/dev/null
	[ "$(find "$HAKO_ROOT" -path '*/home/user/file' -not -path '*/merged/*' -uid 301000)" = "$copies" ]
	hk rm -f a >/dev/null
	[ -e "$copies" ]
	hk rm -f b >/dev/null
	[ ! -e "$copies" ]
	# the original layer is as it was
	[ "$(find "$HAKO_ROOT" -path '*/home/user/file' -not -path '*/merged/*' -uid 1000 | wc -l)" = 1 ]
}

@test "volumes: a file made in one belongs to the mapped host uid; :U chowns to the container's root; :idmap keeps host owners" {
	hk run --rm --userns=auto -v data:/data busybox sh -c 'echo x > /data/f; chown 5:6 /data'
	local mp
	mp=$(hk volume inspect -f '{{.Mountpoint}}' data)
	[ "$(stat -c %u:%g "$mp/f")" = 200000:200000 ]
	[ "$(stat -c %u:%g "$mp")" = 200005:200006 ]
	# a bind owned by host root: nobody inside, unless :U
	mkdir "$BATS_TEST_TMPDIR/u" "$BATS_TEST_TMPDIR/i"
	run hk run --rm --userns=auto -v "$BATS_TEST_TMPDIR/u:/u" busybox stat -c %u /u
	[ "$output" = 65534 ]
	run hk run --rm --userns=auto -v "$BATS_TEST_TMPDIR/u:/u:U" busybox sh -c 'stat -c %u /u; touch /u/f'
	[ "$output" = 0 ]
	[ "$(stat -c %u:%g "$BATS_TEST_TMPDIR/u" "$BATS_TEST_TMPDIR/u/f")" = "$(printf '200000:200000\n200000:200000')" ]
	# :idmap: the container's root writes host root's files
	echo host >"$BATS_TEST_TMPDIR/i/f"
	chmod 600 "$BATS_TEST_TMPDIR/i/f"
	run hk run --rm --userns=auto -v "$BATS_TEST_TMPDIR/i:/i:idmap" busybox sh -c 'stat -c %u /i/f; cat /i/f; touch /i/new'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = host ]
	[ "$(stat -c %u:%g "$BATS_TEST_TMPDIR/i/new")" = 0:0 ]
}

@test "attack: root with every capability in a remapped container writes, chowns or deletes a host root's file" {
	mkdir "$BATS_TEST_TMPDIR/h"
	echo secret >"$BATS_TEST_TMPDIR/h/f"
	chmod 644 "$BATS_TEST_TMPDIR/h/f"
	run hk run --rm --userns=auto --cap-add ALL --security-opt seccomp=unconfined \
		-v "$BATS_TEST_TMPDIR/h:/h" busybox sh -c 'caps=$(awk "/^CapEff/ { print \$2 }" /proc/self/status)
			[ $(( 0x$caps & (1 << 21 | 1 << 1 | 1 << 0 | 1 << 3) )) -eq $(( 1 << 21 | 1 << 1 | 1 << 0 | 1 << 3 )) ] && echo has-caps
			echo owned > /h/f && echo wrote; chown 0:0 /h/f && echo chowned
			chmod 666 /h/f && echo chmoded; rm /h/f && echo removed; cat /h/f'
	[ "${lines[0]}" = has-caps ]
	[[ "$output" != *wrote* && "$output" != *chowned* && "$output" != *chmoded* && "$output" != *removed* ]]
	[[ "$output" == *secret ]]
	[ "$(cat "$BATS_TEST_TMPDIR/h/f")" = secret ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/h/f")" = 644 ]
}

@test "attack: CAP_SYS_ADMIN in a remapped container mounts the host's disk or writes through a read-only bind" {
	local disk
	disk=$(findmnt -no SOURCE /)
	[ -b "$disk" ] || skip "the host's / is not on a block device ($disk)"
	mkdir "$BATS_TEST_TMPDIR/ro"
	echo host >"$BATS_TEST_TMPDIR/ro/f"
	# The kernel asks for CAP_SYS_ADMIN in the host's user namespace to
	# mount a block file system; its own root may remount its binds, but
	# the files of host root stay out of reach.
	run hk run --rm --userns=auto --cap-add ALL --security-opt seccomp=unconfined \
		--device "$disk:/dev/hostdisk:r" -v "$BATS_TEST_TMPDIR/ro:/ro:ro" busybox sh -c '
			mount -o ro /dev/hostdisk /mnt && echo mounted-disk
			mount -t ext4 -o ro /dev/hostdisk /mnt && echo mounted-ext4
			mount -o remount,bind,rw /ro; echo owned > /ro/f && echo wrote; touch /ro/new && echo made
			grep -c " /mnt " /proc/self/mountinfo'
	[[ "$output" != *mounted* && "$output" != *wrote* && "$output" != *made* ]]
	[ "${lines[-1]}" = 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/ro/f")" = host ]
	[ ! -e "$BATS_TEST_TMPDIR/ro/new" ]
}

@test "attack: CAP_SYS_MODULE in a remapped container loads a kernel module" {
	[ -e /proc/modules ] || skip "this kernel cannot load modules at all (no /proc/modules: CONFIG_MODULES off)"
	# finit_module asks for CAP_SYS_MODULE in the host's user namespace
	# before it reads the file: EPERM in a remapped container, while host
	# root gets as far as reading the (bogus) module.
	run hk run --rm --userns=auto --cap-add ALL --security-opt seccomp=unconfined busybox insmod /etc/passwd
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	run hk run --rm --cap-add ALL --security-opt seccomp=unconfined busybox insmod /etc/passwd
	[ "$status" -ne 0 ]
	[[ "$output" != *"Operation not permitted"* ]]
}

@test "a remapped container: network with -p, restart, cp, commit, stop and rm" {
	require_tools curl
	local port=18467
	hk run -d --name web --userns=auto --cap-add NET_ADMIN -p "127.0.0.1:$port:80" busybox \
		sh -c 'mkdir /www; echo hello-remapped > /www/index.html; httpd -f -p 80 -h /www' >/dev/null
	local i out=
	for i in $(seq 50); do
		out=$(curl -sf "http://127.0.0.1:$port/") && break
		sleep 0.1
	done
	[ "$out" = hello-remapped ]
	# the network namespace is owned by the container's user namespace:
	# its root with CAP_NET_ADMIN configures it
	run hk exec web sh -c 'touch /made-here; chown 7:7 /made-here; ip link set lo mtu 1400 && echo set'
	[ "$output" = set ]
	[ "$(hk exec web cat /sys/class/net/lo/mtu)" = 1400 ]
	# cp and commit write the container's owners, unshifted
	hk cp web:/made-here "$BATS_TEST_TMPDIR/out"
	hk cp web:/made-here - | tar -tvf - | grep -q ' 7/7 '
	hk commit web webimg >/dev/null
	run hk run --rm webimg stat -c %u:%g /made-here
	[ "$output" = 7:7 ]
	hk restart web >/dev/null
	wait_for_state web running
	[ "$(host_uid web)" = 200000 ]
	hk stop web >/dev/null
	hk rm web >/dev/null
	hk rmi webimg >/dev/null
	[ ! -e "$HAKO_RUNROOT/userns" ] || [ -z "$(ls "$HAKO_RUNROOT/userns")" ]
}

@test "--runtime runc runs a remapped container" {
	require_tools runc
	run hk run --rm --userns=auto --runtime "$(command -v runc)" busybox sh -c 'id -u; cat /proc/self/uid_map'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "$(echo ${lines[1]})" = "0 200000 65536" ]
}

@test "a remapped container: health check, stats, pause, export, restart policy" {
	hk run -d --name h --userns=auto --restart on-failure:1 --health-cmd 'test -f /tmp/ok' \
		--health-interval 200ms --health-retries 2 --health-timeout 2s busybox \
		sh -c 'touch /tmp/ok; chown 3:3 /tmp/ok; sleep 100' >/dev/null
	local i
	for i in $(seq 100); do
		[ "$(hk inspect -f '{{.State.Health.Status}}' h)" = healthy ] && break
		sleep 0.1
	done
	[ "$(hk inspect -f '{{.State.Health.Status}}' h)" = healthy ]
	run -0 hk stats --no-stream --format '{{.Name}} {{.PIDs}}' h
	[[ "$output" == "h "[1-9]* ]]
	hk pause h >/dev/null
	[ "$(hk inspect -f '{{.State.Status}}' h)" = paused ]
	hk unpause h >/dev/null
	hk export h | tar -tvf - tmp/ok | grep -q ' 3/3 '
	# the first process killed from the host: the policy starts it again,
	# in a user namespace with the same maps
	local pid
	pid=$(hk inspect -f '{{.State.Pid}}' h)
	kill -9 "$pid"
	for i in $(seq 100); do
		local now
		now=$(hk inspect -f '{{.State.Pid}}' h)
		[ "$now" != 0 ] && [ "$now" != "$pid" ] && break
		sleep 0.1
	done
	wait_for_state h running
	[ "$(hk inspect -f '{{.RestartCount}}' h)" = 1 ]
	[ "$(host_uid h)" = 200000 ]
}

@test "a machine-wide default of auto: hako build's RUN and COPY files keep the owners the build gave them" {
	echo 'userns = "auto"' >"$HAKO_CONFIG"
	local ctx=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$ctx"
	echo data >"$ctx/f"
	printf '%s\n' 'FROM busybox' 'COPY --chown=7:7 f /copied' \
		'RUN touch /made && mkdir -p /home/u && chown 1000:1000 /home/u' >"$ctx/Containerfile"
	hk build --network none -t built "$ctx" >/dev/null
	run -0 hk run --rm --userns=host built stat -c '%n %u:%g' /copied /made /home/u
	[ "${lines[0]}" = "/copied 7:7" ]
	[ "${lines[1]}" = "/made 0:0" ]
	[ "${lines[2]}" = "/home/u 1000:1000" ]
	hk rmi built >/dev/null
}

@test "a machine-wide default of auto: a pod's members share its namespaces" {
	echo 'userns = "auto"' >"$HAKO_CONFIG"
	hk pod create --name p --cgroup-parent "$ENGINE_CGROUP" >/dev/null
	# without hk's --cgroup-parent: a pod's containers are in its cgroup
	run -0 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" run --rm --pod p busybox \
		sh -c 'id -u; hostname; cat /proc/self/uid_map'
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = p ]
	[ "$(echo ${lines[2]})" = "0 0 4294967295" ]
	# asked for: refused, as the pod's namespaces are the host's user namespace's
	run "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" create --pod p --userns=auto busybox
	[ "$status" -eq 125 ]
	[[ "$output" == *"--userns"*"not with --pod p"* ]]
	run "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" create --pod p --uidmap 0:300000:1000 busybox
	[ "$status" -eq 125 ]
	[[ "$output" == *"not with --pod p"* ]]
	hk pod rm -f p >/dev/null
}
