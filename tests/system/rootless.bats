#!/usr/bin/env bats
# hako run by a normal user (rootless), which the file creates with its
# own /etc/subuid and /etc/subgid ranges and removes: where its store and
# its run state go, its user namespace (newuidmap), containers, pasta and
# slirp4netns with -p, user-defined networks (in the user's rootless
# network namespace) with names and -p, volumes, cp, commit, and what it
# leaves.

bats_require_minimum_version 1.5.0

load helpers
load image-helpers

# hako as a user has it: installed where every user can run it (the
# build directory may be under root's 0700 home, as in CI).
HAKO=${RL_PREFIX:-}/bin/hako

setup_file() {
	require_tools useradd userdel usermod setpriv curl pasta slirp4netns newuidmap newgidmap fuse-overlayfs nsenter ss jq
	RL_PREFIX=$(mktemp -d /tmp/hako-rootless-prefix.XXXXXX)
	export RL_PREFIX
	chmod 0755 "$RL_PREFIX"
	meson install -C "$HAKO_BUILD" --no-rebuild --quiet --destdir "$RL_PREFIX/destdir" ||
		{ echo "meson install of $HAKO_BUILD into $RL_PREFIX failed" >&2; return 1; }
	ln -s "destdir$(meson introspect "$HAKO_BUILD" --buildoptions | jq -r '.[] | select(.name == "prefix") | .value')/bin" "$RL_PREFIX/bin"
	export RL_USER=hakorl$$
	useradd -M -d /nonexistent -s /bin/sh "$RL_USER"
	RL_UID=$(id -u "$RL_USER")
	export RL_UID
	# useradd gives a new user ranges (login.defs SUB_UID_*); when it did
	# not, the file gives it one
	if ! grep -q "^$RL_USER:" /etc/subuid; then
		usermod --add-subuids 3000000000-3000065535 --add-subgids 3000000000-3000065535 "$RL_USER"
	fi
	RL_SUBUID=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subuid)
	RL_SUBGID=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subgid)
	export RL_SUBUID RL_SUBGID
	# its home outside bats' private (0700) directory, so that it can reach it
	RL_HOME=$(mktemp -d /tmp/hako-rootless-home.XXXXXX)
	export RL_HOME
	chown "$RL_USER:" "$RL_HOME"
	"$TOP/scripts/make-busybox-rootfs.sh" "$BATS_FILE_TMPDIR/bbroot" >/dev/null
	export RL_BUSYBOX=$BATS_FILE_TMPDIR/busybox.tar
	tar -C "$BATS_FILE_TMPDIR/bbroot" -cf "$RL_BUSYBOX" .
	chmod 0755 "$BATS_FILE_TMPDIR"
	chmod 0644 "$RL_BUSYBOX"
	# pasta and slirp4netns open /dev/net/tun as the user, fuse-overlayfs
	# /dev/fuse: Debian's udev makes them 0666; a machine without udev
	# (this VM) may have them 0600, which the file changes for its
	# duration and puts back.
	RL_TUN_MODE=$(stat -c %a /dev/net/tun)
	RL_FUSE_MODE=$(stat -c %a /dev/fuse)
	export RL_TUN_MODE RL_FUSE_MODE
	chmod 0666 /dev/net/tun /dev/fuse
	SETPRIV=$(command -v setpriv)
	export SETPRIV RL_PROCS_BEFORE
	RL_PROCS_BEFORE=$(pgrep -u "$RL_UID" | wc -l)
}

teardown_file() {
	chmod "$RL_TUN_MODE" /dev/net/tun
	chmod "$RL_FUSE_MODE" /dev/fuse
	stop_holders
	userdel "$RL_USER"
	rm -rf "$RL_HOME" "$RL_PREFIX"
}

# The user's namespace holders (cli-rootless.c), stopped by their pid.
stop_holders() {
	local file pid
	for file in "/tmp/hako-$RL_UID/run/pause.pid" "$RL_HOME/xdg/hako/pause.pid"; do
		[ -f "$file" ] || continue
		pid=$(cut -d' ' -f1 "$file")
		kill "$pid" 2>/dev/null || true
		while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
		rm -f "$file"
	done
}

teardown() {
	local id
	if [ -f "$RL_HOME/xdg/hako/pause.pid" ]; then
		for id in $(as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- ps -a -q 2>/dev/null); do
			as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- rm -f "$id" >/dev/null 2>&1 || true
		done
		# the last network takes the rootless network namespace and its pasta
		for id in $(as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- network ls -q 2>/dev/null); do
			as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- network rm "$id" >/dev/null 2>&1 || true
		done
	fi
	stop_rootless_pasta
	stop_holders
	rm -rf "/tmp/hako-$RL_UID" "${RL_HOME:?}/"* "$RL_HOME"/.[!.]*
}

# is_pasta PID: PID is a pasta (its command name: Debian's pasta runs
# pasta.avx2 where it can).
is_pasta() {
	[ "$(tr '\0' ' ' <"/proc/$1/cmdline" | cut -d' ' -f1)" = pasta ]
}

# The rootless network namespace's pasta, if a failed test left it.
stop_rootless_pasta() {
	local file=$RL_HOME/xdg/hako/netns/rootless.pasta.pid pid
	[ -f "$file" ] || return 0
	pid=$(cut -d' ' -f1 "$file")
	if is_pasta "$pid" 2>/dev/null; then
		kill "$pid"
	fi
	rm -f "$file"
}

# as_user [VAR=VALUE...] -- ARGS...: hako as the user, with only the
# environment given (and PATH; setpriv is found whatever PATH is given).
as_user() {
	local env=(PATH=/usr/sbin:/usr/bin:/sbin:/bin)
	while [ "$1" != -- ]; do
		env+=("$1")
		shift
	done
	shift
	(cd "$RL_HOME" && env -i "${env[@]}" "$SETPRIV" --reuid "$RL_UID" --regid "$RL_UID" --clear-groups "$HAKO" "$@")
}

# wait_gone PID: until PID has ended (a zombie has: its parent may be an
# init that reaps late), for 5 s at most.
wait_gone() {
	for _ in $(seq 100); do
		grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null || [ ! -d "/proc/$1" ] && return 0
		sleep 0.05
	done
	echo "process $1 is still there" >&2
	return 1
}

# rl ARGS...: hako as the user with its usual environment.
rl() {
	as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- "$@"
}

# The busybox image in the user's store.
rl_busybox() {
	cp "$RL_BUSYBOX" "$RL_HOME/busybox.tar"
	chown "$RL_USER:" "$RL_HOME/busybox.tar"
	rl import -c 'CMD ["sh"]' "$RL_HOME/busybox.tar" busybox >/dev/null
}

@test "a normal user's store is under XDG_DATA_HOME (default ~/.local/share/hako), its own" {
	run -0 as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- volume create mine
	[ -f "$RL_HOME/.local/share/hako/hako.db" ]
	[ "$(stat -c %U "$RL_HOME/.local/share/hako/hako.db")" = "$RL_USER" ]
	run -0 as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- volume ls --format '{{.Name}}'
	[ "$output" = mine ]
	run -0 as_user HOME="$RL_HOME" XDG_DATA_HOME="$RL_HOME/data" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- volume ls --format '{{.Name}}'
	[ "$output" = "" ]
	[ -f "$RL_HOME/data/hako/hako.db" ]
	# root's store is not the user's: root's volumes are not listed, and
	# the user cannot open root's store
	run as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- --root /var/lib/hako volume ls
	[ "$status" -eq 125 ]
	[[ "$output" == *"Permission denied"* ]]
}

@test "without XDG_RUNTIME_DIR: a private /tmp/hako-UID and a warning; one not the user's alone is refused" {
	run -0 --separate-stderr as_user HOME="$RL_HOME" -- ps
	[[ "$stderr" == *"XDG_RUNTIME_DIR is not set"*"/tmp/hako-$RL_UID/run"* ]]
	[ "$(stat -c '%a %U' "/tmp/hako-$RL_UID")" = "700 $RL_USER" ]
	stop_holders
	# with XDG_RUNTIME_DIR, no warning
	run -0 --separate-stderr as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- ps
	[ "$stderr" = "" ]
	# another user's (here root's) directory at that name: refused
	rm -rf "/tmp/hako-$RL_UID"
	mkdir -m 0700 "/tmp/hako-$RL_UID"
	run as_user HOME="$RL_HOME" -- ps
	[ "$status" -eq 125 ]
	[[ "$output" == *"/tmp/hako-$RL_UID"*"not a directory of uid $RL_UID alone"* ]]
	# the user's own, open to others: refused too
	chown "$RL_USER" "/tmp/hako-$RL_UID"
	chmod 0755 "/tmp/hako-$RL_UID"
	run as_user HOME="$RL_HOME" -- ps
	[ "$status" -eq 125 ]
	[[ "$output" == *"not a directory of uid $RL_UID alone"* ]]
}

@test "a normal user with neither HOME nor XDG_DATA_HOME: exit 125 naming them" {
	run as_user XDG_RUNTIME_DIR="$RL_HOME/xdg" -- images
	[ "$status" -eq 125 ]
	[[ "$output" == *"XDG_DATA_HOME nor HOME"* ]]
	[ -z "$(ls -A "$RL_HOME")" ]
}

@test "rootless run: root inside is the user's uid on the host; the namespace maps its subordinate ranges; one holder for every command" {
	rl_busybox
	run -0 rl run -d --name c1 --network none busybox sleep 1000
	run -0 rl exec c1 id
	[[ "$output" == "uid=0(root) gid=0(root)"* ]]
	run -0 rl exec c1 cat /proc/self/uid_map
	[ "$(echo $output)" = "0 $RL_UID 1 1 $RL_SUBUID 65536" ]
	run -0 rl exec c1 cat /proc/self/gid_map
	[ "$(echo $output)" = "0 $RL_UID 1 1 $RL_SUBGID 65536" ]
	pid=$(rl inspect -f '{{.State.Pid}}' c1)
	[ "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" = "$RL_UID $RL_UID $RL_UID $RL_UID" ]
	# uid 5 inside is the range's 5th id on the host
	run -0 rl exec -u 5 c1 sleep 1000 &
	for _ in $(seq 100); do
		child=$(pgrep -u "$((RL_SUBUID + 4))" -x sleep) && break
		sleep 0.05
	done
	[ -n "$child" ]
	# the holder is one process, which every command joined
	holder=$(cut -d' ' -f1 "$RL_HOME/xdg/hako/pause.pid")
	[ "$(readlink "/proc/$holder/ns/user")" = "$(readlink "/proc/$pid/ns/user")" ]
	[ "$(cat "/proc/$holder/comm")" = hako-rootless ]
	# the container has no cgroup of hako's on this cgroup v1 host
	[ -z "$(find /sys/fs/cgroup -name "$(rl inspect -f '{{.Id}}' c1)" 2>/dev/null)" ]
	run -0 rl stop -t 1 c1
	run -0 rl restart -t 1 c1
	run -0 rl exec c1 true
	run -0 rl rm -f c1
	wait
}

@test "rootless -p: pasta (the default) and slirp4netns publish on 127.0.0.1; the helper goes with the container" {
	rl_busybox
	port=$(free_port)
	run -0 rl run -d --name web -p "127.0.0.1:$port:80" busybox sh -c 'echo pasta > /tmp/i; httpd -f -p 80 -h /tmp'
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/i" >/dev/null && break; sleep 0.05; done
	run -0 curl -sf "http://127.0.0.1:$port/i"
	[ "$output" = pasta ]
	helper=$(cut -d' ' -f1 "$RL_HOME"/xdg/hako/netns/*.pasta.pid)
	[ "$(tr '\0' ' ' <"/proc/$helper/cmdline" | cut -d' ' -f1)" = pasta ]
	# outbound: the container has an address and a default route
	run -0 rl exec web ip route
	[[ "$output" == *default* ]]
	run -0 rl rm -f web
	wait_gone "$helper"
	port=$(free_port)
	run -0 rl run -d --name web --network slirp4netns -p "127.0.0.1:$port:80" busybox sh -c 'echo slirp > /tmp/i; httpd -f -p 80 -h /tmp'
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/i" >/dev/null && break; sleep 0.05; done
	run -0 curl -sf "http://127.0.0.1:$port/i"
	[ "$output" = slirp ]
	helper=$(cut -d' ' -f1 "$RL_HOME"/xdg/hako/netns/*.slirp4netns.pid)
	[ "$(cat "/proc/$helper/comm")" = slirp4netns ]
	run -0 rl rm -f web
	wait_gone "$helper"
	[ -z "$(ls "$RL_HOME/xdg/hako/netns")" ]
	# --network host is the host's
	run -0 rl run --rm --network host busybox cat /proc/net/dev
	[[ "$output" == *lo:* ]]
}

# rl_netns CMD...: CMD (as root) in the user's rootless network namespace,
# reached through its holder's mount namespace, where the nsfs file is
# mounted.
rl_netns() {
	local holder
	holder=$(cut -d' ' -f1 "$RL_HOME/xdg/hako/pause.pid")
	nsenter --net="/proc/$holder/root$RL_HOME/xdg/hako/netns/rootless" "$@"
}

# rl_bridge NETWORK: the bridge of the user's NETWORK.
rl_bridge() {
	echo "hk-$(rl network inspect -f '{{.Id}}' "$1" | cut -c1-12)"
}

@test "rootless user network: its bridge in the rootless network namespace, two containers reach each other by name (its DNS server too), outbound through pasta" {
	rl_busybox
	run -0 rl network create rlnet --subnet 10.231.7.0/24
	run -0 rl network ls --format '{{.Name}} {{.Driver}} {{.Subnet}}'
	[[ "$output" == *"rlnet bridge 10.231.7.0/24"* ]]
	# nothing is made before a container joins
	[ ! -e "$RL_HOME/xdg/hako/netns/rootless" ]
	run -0 rl run -d --name a --network rlnet busybox sleep 1000
	run -0 rl run -d --name b --network rlnet busybox sleep 1000
	bridge=$(rl_bridge rlnet)
	# the bridge and the veths are in the rootless namespace, not the host's
	run -0 rl_netns ip -br addr show "$bridge"
	[[ "$output" == *10.231.7.1/24* ]]
	run ip link show "$bridge"
	[ "$status" -ne 0 ]
	[ "$(rl_netns ip -o link show master "$bridge" | wc -l)" -eq 2 ]
	# its pasta: in the user's namespace
	pasta=$(cut -d' ' -f1 "$RL_HOME/xdg/hako/netns/rootless.pasta.pid")
	holder=$(cut -d' ' -f1 "$RL_HOME/xdg/hako/pause.pid")
	is_pasta "$pasta"
	[ "$(readlink "/proc/$pasta/ns/user")" = "$(readlink "/proc/$holder/ns/user")" ]
	ip_a=$(rl inspect -f '{{.NetworkSettings.Networks.rlnet.IPAddress}}' a)
	ip_b=$(rl inspect -f '{{.NetworkSettings.Networks.rlnet.IPAddress}}' b)
	[[ "$ip_a" == 10.231.7.* && "$ip_b" == 10.231.7.* && "$ip_a" != "$ip_b" ]]
	run -0 rl exec a ping -c 1 -W 2 b
	[[ "$output" == *"$ip_b"* ]]
	run -0 rl exec b ping -c 1 -W 2 a
	[[ "$output" == *"$ip_a"* ]]
	# names from the network's DNS server, which runs in the namespace
	run -0 rl exec a cat /etc/resolv.conf
	[[ "$output" == *"nameserver 10.231.7.1"* ]]
	run -0 rl exec a nslookup b 10.231.7.1
	[[ "$output" == *"Address"*"$ip_b"* ]]
	run -0 rl_netns ss -Hlun "sport = :53"
	[[ "$output" == *10.231.7.1:53* ]]
	# outbound: the container's default route is the bridge, the
	# namespace's is pasta's interface
	run -0 rl exec a ip route
	[[ "$output" == *"default via 10.231.7.1"* ]]
	run -0 rl_netns ip route show default
	[ -n "$output" ]
	run -0 rl network inspect rlnet
	[ "$(jq -r '.[0].Containers | length' <<<"$output")" -eq 2 ]
	run -0 rl rm -f a b
	run -0 rl network rm rlnet
	wait_gone "$pasta"
	[ -z "$(ls "$RL_HOME/xdg/hako/netns")" ]
}

# (The relay's UDP is tested in tests/unit/test-rootless-ports.c: this
# busybox has no UDP server to answer.)
@test "rootless user network: -p is reached on 127.0.0.1 and from a peer by name; connect and disconnect; rm leaves nothing" {
	rl_busybox
	run -0 rl network create rlnet --subnet 10.231.8.0/24
	run -0 rl network create rlnet2 --subnet 10.231.9.0/24
	port=$(free_port)
	port6=$(free_port)
	run -0 rl run -d --name web --network rlnet -p "127.0.0.1:$port:80" -p "[::1]:$port6:80" busybox \
		sh -c 'echo rootless-net > /tmp/i; httpd -f -p 80 -h /tmp'
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/i" >/dev/null && break; sleep 0.05; done
	run -0 curl -sf "http://127.0.0.1:$port/i"
	[ "$output" = rootless-net ]
	# the IPv6 loopback too (relayed in user space, unlike root's DNAT)
	run -0 curl -sfg "http://[::1]:$port6/i"
	[ "$output" = rootless-net ]
	# the relay: a process of the user's, listening on 127.0.0.1 only
	relay=$(cut -d' ' -f1 "$RL_HOME"/xdg/hako/netns/*.ports.pid)
	[ "$(cat "/proc/$relay/comm")" = hako-ports ]
	[ "$(stat -c %u "/proc/$relay")" = "$RL_UID" ]
	run -0 ss -Htlnp "sport = :$port"
	[[ "$output" == *"127.0.0.1:$port"* && "$output" == *"pid=$relay,"* ]]
	# a peer reaches it by name
	run -0 rl run --rm --network rlnet busybox wget -q -O - http://web/i
	[ "$output" = rootless-net ]
	# the same host port again: refused, nothing of the second container runs
	run rl run -d --name web2 --network rlnet -p "127.0.0.1:$port:80" busybox sleep 1000
	[ "$status" -ne 0 ]
	[[ "$output" == *"$port"* ]]
	[ "$(ls "$RL_HOME"/xdg/hako/netns/*.ports.pid | wc -l)" -eq 1 ]
	run rl rm -f web2 # if its create was kept
	# connect and disconnect, running
	run -0 rl network connect rlnet2 web
	run -0 rl exec web ip -o -4 addr show eth1
	[[ "$output" == *10.231.9.* ]]
	run rl network rm rlnet2
	[ "$status" -eq 125 ]
	[[ "$output" == *"used by container web"* ]]
	run -0 rl network disconnect rlnet2 web
	run rl exec web ip link show eth1
	[ "$status" -ne 0 ]
	# rm: the relay goes, the port is free
	run -0 rl rm -f web
	wait_gone "$relay"
	run curl -sf "http://127.0.0.1:$port/i"
	[ "$status" -ne 0 ]
	[ -z "$(ss -Htln "sport = :$port")" ]
	# the namespace and its pasta stay while a network exists, and go with the last
	pasta=$(cut -d' ' -f1 "$RL_HOME/xdg/hako/netns/rootless.pasta.pid")
	run -0 rl network rm rlnet
	is_pasta "$pasta"
	run -0 rl network rm rlnet2
	wait_gone "$pasta"
	# nothing left: no namespace file, pid files, DNS locks, DNS servers or relays
	[ -z "$(ls "$RL_HOME/xdg/hako/netns")" ]
	[ -z "$(ls "$RL_HOME/xdg/hako/networks" | grep -v -e '^rules\.lock$' -e '^rootless-netns\.lock$')" ]
	for _ in $(seq 40); do [ "$(pgrep -u "$RL_UID" | wc -l)" -eq "$((RL_PROCS_BEFORE + 1))" ] && break; sleep 0.05; done
	[ "$(pgrep -u "$RL_UID" | wc -l)" -eq "$((RL_PROCS_BEFORE + 1))" ] # the holder alone
	run -0 rl network ls -q
	[ "$output" = "" ]
}

@test "rootless user network after the user's namespaces ended: its namespace is made again, the old pasta stopped" {
	rl_busybox
	run -0 rl network create rlnet --subnet 10.231.11.0/24
	run -0 rl run --rm --network rlnet busybox true
	old=$(cut -d' ' -f1 "$RL_HOME/xdg/hako/netns/rootless.pasta.pid")
	is_pasta "$old"
	stop_holders
	run -0 rl run --rm --network rlnet busybox ping -c 1 -W 2 10.231.11.1
	wait_gone "$old"
	new=$(cut -d' ' -f1 "$RL_HOME/xdg/hako/netns/rootless.pasta.pid")
	[ "$new" != "$old" ]
	is_pasta "$new"
	run -0 rl network rm rlnet
	wait_gone "$new"
	[ -z "$(ls "$RL_HOME/xdg/hako/netns")" ]
}

@test "rootless user network bad input: unknown network, cni driver, bad subnet or gateway: exit 125, nothing made" {
	rl_busybox
	run rl run --rm --network nosuch busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *nosuch* ]]
	run rl network create --driver cni cninet
	[ "$status" -eq 125 ]
	[[ "$output" == *"--driver cni"*"rootless"* ]]
	run rl network create badnet --subnet 10.231.0.0/33
	[ "$status" -eq 125 ]
	run rl network create badnet --subnet 10.231.10.0/24 --gateway 10.232.0.1
	[ "$status" -eq 125 ]
	run -0 rl network ls -q
	[ "$output" = "" ]
	run -0 rl ps -a -q
	[ "$output" = "" ]
	[ ! -e "$RL_HOME/xdg/hako/netns/rootless" ]
	[ ! -e "$RL_HOME/xdg/hako/netns/rootless.pasta.pid" ]
}

@test "rootless volumes, cp, commit, save and load: owners through the mapping" {
	rl_busybox
	run -0 rl run --rm --network none -v v1:/data busybox sh -c 'touch /data/root-file /data/five; chown 5:5 /data/five'
	dir=$RL_HOME/.local/share/hako/volumes/v1/_data
	[ "$(stat -c '%u:%g' "$dir/root-file")" = "$RL_UID:$RL_UID" ]
	[ "$(stat -c '%u:%g' "$dir/five")" = "$((RL_SUBUID + 4)):$((RL_SUBGID + 4))" ]
	mkdir "$RL_HOME/bind"
	chown "$RL_USER:" "$RL_HOME/bind"
	run -0 rl run --rm --network none -v "$RL_HOME/bind:/b" busybox touch /b/made
	[ "$(stat -c %u "$RL_HOME/bind/made")" = "$RL_UID" ]
	run -0 rl run -d --name c1 --network none busybox sleep 1000
	echo hello >"$RL_HOME/in.txt"
	chown "$RL_USER:" "$RL_HOME/in.txt"
	run -0 rl cp "$RL_HOME/in.txt" c1:/in.txt
	run -0 rl exec c1 sh -c 'stat -c %u:%g /in.txt; cat /in.txt; touch /bob; chown 1234:1234 /bob'
	[ "${lines[0]}" = "0:0" ]
	[ "${lines[1]}" = hello ]
	run -0 rl cp c1:/in.txt "$RL_HOME/out.txt"
	[ "$(stat -c %u "$RL_HOME/out.txt")" = "$RL_UID" ]
	run -0 rl commit c1 mine:1
	run -0 rl save -o "$RL_HOME/mine.tar" mine:1
	run -0 rl rmi mine:1
	run -0 rl load -i "$RL_HOME/mine.tar"
	run -0 rl run --rm --network none mine:1 stat -c %u:%g /bob /in.txt
	[ "$(echo $output)" = "1234:1234 0:0" ]
	run -0 rl rm -f c1
}

@test "rootless fuse-overlayfs (the fallback where the kernel refuses overlayfs in a user namespace): files, whiteouts, its daemon goes with the container" {
	rl_busybox
	run -0 as_user HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" HAKO_TEST_FUSE_OVERLAYFS=1 -- \
		run -d --name f1 --network none busybox sh -c 'rm /bin/ls; echo made > /new; sleep 1000'
	holder=$(cut -d' ' -f1 "$RL_HOME/xdg/hako/pause.pid")
	id=$(rl inspect -f '{{.Id}}' f1)
	grep -q " $RL_HOME/.local/share/hako/containers/$id/merged .* - fuse.fuse-overlayfs " "/proc/$holder/mountinfo"
	daemon=$(pgrep -u "$RL_UID" -x fuse-overlayfs)
	for _ in $(seq 100); do rl exec f1 cat /new >/dev/null 2>&1 && break; sleep 0.05; done
	run -0 rl exec f1 cat /new
	[ "$output" = made ]
	run -0 rl diff f1
	[[ "$output" == *"D /bin/ls"* ]]
	[[ "$output" == *"A /new"* ]]
	run -0 rl rm -f f1
	wait_gone "$daemon"
}

@test "rootless limits on a cgroup v1 host: one warning line, the container runs" {
	rl_busybox
	run -0 --separate-stderr rl run --rm --network none --memory 64m busybox echo ran
	[ "$output" = ran ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[[ "$stderr" == *"resource limits ignored"* ]]
}

@test "rootless bad input: --userns, no newuidmap: exit 125, nothing made" {
	rl_busybox
	run rl run --rm --network none --userns auto busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--userns auto"*"not supported rootless"* ]]
	run -0 rl ps -a -q
	[ "$output" = "" ]
	stop_holders
	# without newuidmap in $PATH: no namespace can be made with the ranges
	run as_user PATH=/nonexistent HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_HOME/xdg" -- ps
	[ "$status" -eq 125 ]
	[[ "$output" == *"newuidmap is not in \$PATH"*"uidmap"* ]]
	[ ! -e "$RL_HOME/xdg/hako/pause.pid" ]
	[ "$(pgrep -u "$RL_UID" | wc -l)" -eq "$RL_PROCS_BEFORE" ]
}

@test "rootless --userns keep-id: the user's uid and gid the same inside, run as the user with its HOME and its name; the image's root still root; files the user's on the host" {
	rl_busybox
	mkdir "$RL_HOME/bind"
	chown "$RL_USER:" "$RL_HOME/bind"
	run -0 rl run -d --name k1 --network none --userns keep-id -v "$RL_HOME/bind:/b" busybox sh -c 'touch /b/made; sleep 1000'
	run -0 rl exec k1 sh -c 'id -u; id -g; echo $HOME; stat -c %u:%g /bin/busybox /etc'
	[ "$(echo $output)" = "$RL_UID $RL_UID /nonexistent 0:0 0:0" ]
	# inside: below the user's uid the holder's 1.., the user's uid its 0
	# (the user), the rest above at the same numbers
	run -0 rl exec k1 cat /proc/self/uid_map
	[ "$(echo $output)" = "0 1 $RL_UID $RL_UID 0 1 $((RL_UID + 1)) $((RL_UID + 1)) $((65536 - RL_UID))" ]
	# from the host: the process is the user, the container's root a
	# subordinate id
	pid=$(rl inspect -f '{{.State.Pid}}' k1)
	[ "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" = "$RL_UID $RL_UID $RL_UID $RL_UID" ]
	[ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" = "$RL_UID" ]
	[ "$(echo $(cat "/proc/$pid/gid_map"))" = "0 $RL_SUBGID $RL_UID $RL_UID $RL_UID 1 $((RL_UID + 1)) $((RL_SUBGID + RL_UID)) $((65536 - RL_UID))" ]
	[ "$(stat -c %u:%g "$RL_HOME/bind/made")" = "$RL_UID:$RL_UID" ]
	# the user's entries in the container's /etc/passwd and /etc/group
	# (Podman's), through copies bound over them: the container's own
	# files are not changed
	run -0 rl exec k1 sh -c 'whoami; id -gn; grep "^$(whoami):" /etc/passwd'
	[ "$(echo $output)" = "$RL_USER $RL_USER $RL_USER:*:$RL_UID:$RL_UID:$RL_USER:/nonexistent:/bin/sh" ]
	run -0 rl diff k1
	[[ "$output" != *passwd* && "$output" != *group* ]]
	run -0 rl exec -u 0 k1 sh -c 'id -u; touch /b/by-root'
	[ "$output" = 0 ]
	[ "$(stat -c %u:%g "$RL_HOME/bind/by-root")" = "$RL_SUBUID:$RL_SUBGID" ]
	# --user and -e HOME win
	run -0 rl run --rm --network none --userns keep-id -u 7 -e HOME=/h busybox sh -c 'id -u; echo $HOME'
	[ "$(echo $output)" = "7 /h" ]
	# the default network (pasta) works in the nested namespace
	run -0 rl run --rm --userns keep-id busybox ip route
	[[ "$output" == *default* ]]
	run -0 rl rm -f k1
}

@test "rootless --userns nomap: the subordinate ids alone, the user's own uid unmapped" {
	rl_busybox
	mkdir "$RL_HOME/bind"
	chown "$RL_USER:" "$RL_HOME/bind"
	run -0 rl run --rm --network none --userns nomap -v "$RL_HOME/bind:/b" busybox sh -c 'id -u; cat /proc/self/uid_map; stat -c %u /b /bin/busybox'
	[ "$(echo $output)" = "0 0 1 65536 65534 0" ]
}

@test "--userns keep-id as root: exit 125, nothing created" {
	local root=$BATS_TEST_TMPDIR/root run=$BATS_TEST_TMPDIR/run
	"$HAKO" --root "$root" --runroot "$run" import "$RL_BUSYBOX" busybox >/dev/null
	run "$HAKO" --root "$root" --runroot "$run" run --rm --network none --userns keep-id busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"keep-id: only for hako run by a normal user"* ]]
	run -0 "$HAKO" --root "$root" --runroot "$run" ps -a -q
	[ "$output" = "" ]
}

@test "a user without subordinate ranges: its uid alone, with a note of what that limits" {
	local ranges
	ranges=$(awk -F: -v u="$RL_USER" '$1 == u { print $2 "-" $2 + $3 - 1 }' /etc/subuid)
	usermod --del-subuids "$ranges" --del-subgids "$ranges" "$RL_USER"
	run --separate-stderr rl_busybox
	usermod --add-subuids "$ranges" --add-subgids "$ranges" "$RL_USER"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"has no range in /etc/subuid"*"uid $RL_UID and gid $RL_UID alone"* ]]
	run -0 rl run --rm --network none busybox cat /proc/self/uid_map
	[ "$(echo $output)" = "0 $RL_UID 1" ]
}

@test "a user cannot reach another user's store or containers" {
	rl_busybox
	run -0 rl run -d --name c1 --network none busybox sleep 1000
	pid=$(rl inspect -f '{{.State.Pid}}' c1)
	# nobody: neither its store nor its processes
	run setpriv --reuid nobody --regid nogroup --clear-groups "$HAKO" --root "$RL_HOME/.local/share/hako" --runroot "$RL_HOME/xdg/hako" ps -a
	[ "$status" -eq 125 ]
	run setpriv --reuid nobody --regid nogroup --clear-groups kill -0 "$pid"
	[ "$status" -ne 0 ]
	[ "$(stat -c %a "$RL_HOME/.local/share/hako")" = 700 ]
	run -0 rl rm -f c1
}

@test "leaks: the user's holder stopped, nothing of it is left (processes, mounts, network namespaces, /tmp)" {
	rl_busybox
	run -0 rl run --rm -p "127.0.0.1:$(free_port):80" busybox true
	run -0 rl run -d --name c1 --network none busybox sleep 1000
	run -0 rl rm -f c1
	stop_holders
	[ "$(pgrep -u "$RL_UID" | wc -l)" -eq "$RL_PROCS_BEFORE" ]
	! grep -qF "$RL_HOME" /proc/self/mountinfo
	[ ! -e "/tmp/hako-$RL_UID" ]
	[ -z "$(ls "$RL_HOME/xdg/hako/netns")" ]
	[ -z "$(find /sys/fs/cgroup -maxdepth 4 -user "$RL_UID" 2>/dev/null)" ]
}
