#!/usr/bin/env bats
# hako explain: each section checked against what the kernel's files say
# when read here independently (readlink /proc/PID/ns/*, /proc/PID/status,
# the cgroup files, capsh --decode, nsenter + ip), and the JSON validated
# against docs/explain-schema.json.

bats_require_minimum_version 1.5.0
load engine-helpers

setup_file() {
	engine_setup_file
	require_tools capsh nsenter ip python3
	python3 -c 'import jsonschema' || {
		echo "python3-jsonschema is missing (scripts/install-deps.sh)" >&2
		return 1
	}
	export HAKO_SUBUID_FILE=$BATS_FILE_TMPDIR/subuid HAKO_SUBGID_FILE=$BATS_FILE_TMPDIR/subgid
	echo "hako:300000:1000000" >"$HAKO_SUBUID_FILE"
	echo "hako:300000:1000000" >"$HAKO_SUBGID_FILE"
}
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() {
	local p
	for p in $(hk pod ls -q --no-trunc 2>/dev/null); do
		hk pod rm -f "$p" >/dev/null 2>&1 || true
	done
	engine_teardown
}

pid_of() { hk inspect -f '{{.State.Pid}}' "$1"; }

# explain_json NAME [FLAGS...]: the document in $X, checked against the schema.
explain_json() {
	X=$BATS_TEST_TMPDIR/explain.json
	hk explain --format json "$@" >"$X"
	check_schema explain-schema.json
}

# explain_run_json [RUN FLAGS...] IMAGE: explain run's document in $X, checked.
explain_run_json() {
	X=$BATS_TEST_TMPDIR/explain-run.json
	hk explain run --format json "$@" >"$X"
	check_schema explain-run-schema.json
}

check_schema() {
	python3 - "$TOP/docs/$1" "$X" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator(schema).validate(doc)
PY
}

jx() { jq -r "$@" "$X"; }

# The names capsh gives to the hex of SET in /proc/PID/status.
capsh_names() {
	local hex
	hex=$(awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status")
	capsh --decode="$hex" | sed 's/^0x[0-9a-f]*=//'
}

# The names explain gives for SET, comma-joined as capsh prints them.
explain_names() { jx ".capabilities.sets.$1.names | join(\",\")"; }

@test "explain: namespaces, NSpid, capabilities, cgroups, mounts and network of a default container match the kernel's files" {
	hk run -d --name d busybox sleep 100 >/dev/null
	pid=$(pid_of d)
	explain_json d
	[ "$(jx .container.pid)" = "$pid" ]
	for t in pid mnt net uts ipc user cgroup; do
		ino=$(readlink "/proc/$pid/ns/$t" | tr -dc 0-9)
		[ "$(jx ".namespaces[] | select(.type == \"$t\") | .inode")" = "$ino" ]
		host=$(readlink "/proc/self/ns/$t" | tr -dc 0-9)
		[ "$(jx ".namespaces[] | select(.type == \"$t\") | .host_inode")" = "$host" ]
	done
	for t in pid mnt net uts ipc cgroup; do
		[ "$(jx ".namespaces[] | select(.type == \"$t\") | .relation")" = new ]
	done
	[ "$(jx '.namespaces[] | select(.type == "user") | .relation')" = host ]
	# NSpid: host pid, then 1 in the container.
	[ "$(jx '.processes.list[0].nspid | join(" ")')" = "$(awk '$1 == "NSpid:" { $1 = ""; print substr($0, 2) }' "/proc/$pid/status")" ]
	[ "$(jx '.processes.list[0].container_pid')" = 1 ]
	# Capabilities: hex as /proc has it, names as capsh decodes them.
	for s in CapInh CapPrm CapEff CapBnd CapAmb; do
		[ "$(jx ".capabilities.sets.$s.hex")" = "$(awk -v k="$s:" '$1 == k { print $2 }' "/proc/$pid/status")" ]
		[ "$(explain_names $s)" = "$(capsh_names "$pid" $s)" ]
	done
	[ "$(jx '.capabilities.added_to_docker_default | length')" = 0 ]
	[ "$(jx '.capabilities.dropped_from_docker_default | length')" = 0 ]
	[ "$(jx '.capabilities.dropped_from_full | index("cap_sys_admin") != null')" = true ]
	# Security: NoNewPrivs and Seccomp lines.
	[ "$(jx .security.seccomp.mode)" = filter ]
	[ "$(jx .security.seccomp.filters)" = "$(awk '$1 == "Seccomp_filters:" { print $2 }' "/proc/$pid/status")" ]
	[ "$(jx .security.no_new_privs)" = false ]
	# Cgroups: the memory hierarchy's path is /proc/PID/cgroup's.
	path=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")
	[ "$(jx '.cgroups.hierarchies[] | select(.controllers == ["memory"]) | .path')" = "$path" ]
	[ "$(jx .cgroups.oom_kills)" = 0 ]
	# Filesystem: an overlay root whose upper dir is the container's; the
	# masked paths Docker masks are marked.
	[ "$(jx .filesystem.root.fstype)" = overlay ]
	id=$(hk inspect -f '{{.Id}}' d)
	[ "$(jx .filesystem.root.overlay.upper)" = "$HAKO_ROOT/containers/$id/upper" ]
	for l in $(jx '.filesystem.root.overlay.lower_resolved[]'); do [ -d "$l" ]; done
	[ "$(jx '.filesystem.mounts[] | select(.target == "/proc/timer_list") | .masked')" = true ]
	[ "$(jx '.filesystem.mounts[] | select(.target == "/proc/sys") | .readonly')" = true ]
	[ "$(jx '.filesystem.mounts[] | select(.target == "/") | .readonly')" = false ]
	# Network: eth0's address as ip sees it in the namespace; the default route.
	want=$(nsenter --net="/proc/$pid/ns/net" ip -4 -o addr show dev eth0 | awk '{ print $4 }')
	[ -n "$want" ]
	[ "$(jx '.network.interfaces[] | select(.name == "eth0") | .addresses[0]')" = "$want" ]
	gw=$(nsenter --net="/proc/$pid/ns/net" ip -4 route show default | awk '{ print $3 }')
	[ "$(jx '.network.routes[] | select(.destination == "default") | .gateway')" = "$gw" ]
	[ "$(jx '.network.dns.nameservers | length')" -ge 1 ]
	# The text says the same, one section per heading.
	run -0 hk explain d
	for s in Namespaces Processes User Cgroups Capabilities Security Filesystem Network; do
		grep -q "^$s" <<<"$output"
	done
	[[ $output != *$'\033'* ]] # no colour when not on a terminal
	grep -q "CapEff  $(awk '$1 == "CapEff:" { print $2 }' "/proc/$pid/status")" <<<"$output"
}

@test "explain: --cap-drop ALL --cap-add NET_ADMIN leaves cap_net_admin alone, the rest of Docker's set dropped" {
	hk run -d --name c --cap-drop ALL --cap-add NET_ADMIN busybox sleep 100 >/dev/null
	pid=$(pid_of c)
	explain_json c
	[ "$(explain_names CapEff)" = cap_net_admin ]
	[ "$(explain_names CapEff)" = "$(capsh_names "$pid" CapEff)" ]
	[ "$(explain_names CapBnd)" = "$(capsh_names "$pid" CapBnd)" ]
	[ "$(jx '.capabilities.added_to_docker_default | join(",")')" = cap_net_admin ]
	[ "$(jx '.capabilities.dropped_from_docker_default | length')" = 14 ]
	[ "$(jx '.capabilities.dropped_from_docker_default | index("cap_chown") != null')" = true ]
}

@test "explain: --memory, --pids-limit and --cpus are the cgroup files' values, with the usage next to them" {
	hk run -d --name l --memory 64m --pids-limit 50 --cpus 0.5 busybox sleep 100 >/dev/null
	pid=$(pid_of l)
	explain_json l
	setting() { jx ".cgroups.settings[] | select(.file | endswith(\"/$1\")) | .$2"; }
	mem=$(jx '.cgroups.hierarchies[] | select(.controllers | index("memory")) | .dir')
	[ "$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")" = "${mem#/sys/fs/cgroup/memory}" ]
	[ "$(setting memory.limit_in_bytes value)" = 67108864 ]
	[ "$(setting memory.limit_in_bytes value)" = "$(cat "$mem/memory.limit_in_bytes")" ]
	[ "$(setting memory.limit_in_bytes limited)" = true ]
	[ "$(setting memory.limit_in_bytes usage)" -gt 0 ]
	[ "$(setting pids.max value)" = 50 ]
	[ "$(setting pids.max usage)" = 1 ]
	[ "$(setting cpu.cfs_quota_us value)" = 50000 ]
	[ "$(setting cpu.cfs_period_us value)" = 100000 ]
	[ "$(jx .cgroups.layout)" = hybrid ]
}

@test "explain: --network none has lo alone; host shares the host's; container:X names X" {
	hk run -d --name n --network none busybox sleep 100 >/dev/null
	explain_json n
	[ "$(jx '[.network.interfaces[].name] | join(",")')" = lo ]
	[ "$(jx '.network.routes | length')" = 0 ]
	[ "$(jx '.namespaces[] | select(.type == "net") | .relation')" = new ]
	hk run -d --name h --network host busybox sleep 100 >/dev/null
	explain_json h
	[ "$(jx '.namespaces[] | select(.type == "net") | .relation')" = host ]
	[ "$(jx '.network.interfaces | length')" = "$(ip -o link show | wc -l)" ]
	hk run -d --name j --network container:n busybox sleep 100 >/dev/null
	explain_json j
	[ "$(jx '.namespaces[] | select(.type == "net") | .relation')" = container ]
	[ "$(jx '.namespaces[] | select(.type == "net") | .shared_with')" = n ]
	[ "$(jx '.namespaces[] | select(.type == "net") | .inode')" = "$(readlink "/proc/$(pid_of n)/ns/net" | tr -dc 0-9)" ]
	run -0 hk explain j
	grep -q 'shared with container n' <<<"$output"
}

@test "explain: --read-only root; --privileged has every capability, no seccomp, nothing masked" {
	hk run -d --name r --read-only busybox sleep 100 >/dev/null
	explain_json r
	[ "$(jx .filesystem.root.readonly)" = true ]
	[ "$(jx '.filesystem.mounts[] | select(.target == "/") | .options[0]')" = ro ]
	hk run -d --name p --privileged busybox sleep 100 >/dev/null
	pid=$(pid_of p)
	explain_json p
	# Every capability hako has (root here may lack some of the kernel's).
	[ "$(jx .capabilities.sets.CapBnd.hex)" = "$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)" ]
	[ "$(jx '.capabilities.dropped_from_full | index("cap_sys_admin")')" = null ]
	[ "$(explain_names CapEff)" = "$(capsh_names "$pid" CapEff)" ]
	[ "$(jx .security.seccomp.mode)" = disabled ]
	[ "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$pid/status")" = 0 ]
	[ "$(jx '[.filesystem.mounts[] | select(.masked)] | length')" = 0 ]
}

@test "explain: --userns=auto shows a new user namespace and root inside as an unprivileged host uid" {
	hk run -d --name u --userns=auto busybox sleep 100 >/dev/null
	pid=$(pid_of u)
	explain_json u
	[ "$(jx '.namespaces[] | select(.type == "user") | .relation')" = new ]
	read -r inside outside count <"/proc/$pid/uid_map"
	[ "$inside" = 0 ]
	[ "$(jx .user.uid_map[0].outside)" = "$outside" ]
	[ "$(jx .user.uid_map[0].count)" = "$count" ]
	[ "$(jx .user.root_uid_on_host)" = "$outside" ]
	[ "$outside" -ge 300000 ]
	[ "$(jx .user.process_uids | awk '{ print $1 }')" = "$outside" ]
	run -0 hk explain u
	grep -q "uid 0 inside is uid $outside on the host" <<<"$output"
}

@test "explain --host: the container's veth peer on the host, its bridge, the network's rules" {
	hk run -d --name v busybox sleep 100 >/dev/null
	pid=$(pid_of v)
	explain_json --host v
	peer=$(jx '.host.veths[0].host_interface')
	# The host end's peer index is eth0's inside.
	[ "$(cat "/sys/class/net/$peer/iflink")" = "$(nsenter --net="/proc/$pid/ns/net" ip -o link show dev eth0 | cut -d: -f1)" ]
	[ "$(jx '.host.veths[0].bridge')" = hkt-default ]
	[ "$(basename "$(readlink "/sys/class/net/$peer/master")")" = hkt-default ]
	[ "$(jx '[.host.firewall.rules[] | select(.rule | contains("hkt-default"))] | length')" -ge 1 ]
}

@test "explain: a container that is not running, an unknown one, a bad format: exit 125 with the reason" {
	hk create --name s busybox true >/dev/null
	run -125 hk explain s
	[[ $output == *"container s is created: explain reads a running container"* ]]
	run -125 hk explain no-such-container
	[[ $output == *"no such container"* ]]
	hk run -d --name f busybox sleep 100 >/dev/null
	run -125 hk explain --format yaml f
	[[ $output == *"--format yaml"* ]]
	run -0 hk explain --help
	for s in Namespaces Processes User Cgroups Capabilities Security Filesystem Network Host; do
		grep -q "^  $s " <<<"$output"
	done
	# -h, which explain's own getopt reads, prints the same text (its source's)
	[ "$(hk explain -h)" = "$output" ]
}

# A container's /etc/resolv.conf is its own: a symlink it puts there to a
# host path must not make explain read the host's file.
@test "explain-resolv-conf-symlink-escape: DNS is read inside the container's root" {
	echo "nameserver 203.0.113.66" >"$BATS_TEST_TMPDIR/host-resolv"
	hk run -d --name x --privileged busybox sleep 100 >/dev/null
	hk exec x sh -c "umount /etc/resolv.conf && rm -f /etc/resolv.conf && ln -s $BATS_TEST_TMPDIR/host-resolv /etc/resolv.conf"
	explain_json x
	[ "$(jx '.network.dns.nameservers | length')" = 0 ]
	[ -n "$(jx .network.dns.error)" ]
	! grep -q 203.0.113.66 "$X"
}

@test "explain: a pod's container shares the pod's namespaces, named as the pod" {
	hk pod create --name pd --cgroup-parent "$ENGINE_CGROUP" >/dev/null
	# not hk run: a pod's containers are in the pod's cgroup
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" run -d --name inpod --pod pd busybox sleep 100 >/dev/null
	explain_json inpod
	[ "$(jx '.namespaces[] | select(.type == "net") | .relation')" = pod ]
	[ "$(jx '.namespaces[] | select(.type == "net") | .shared_with')" = pd ]
	[ "$(jx '.namespaces[] | select(.type == "pid") | .relation')" = new ]
	run -0 hk explain inpod
	grep -q 'shared with pod pd' <<<"$output"
	hk pod rm -f pd >/dev/null
}

@test "explain run: what run would set up, from the generated config, the same as a run with those flags gets; nothing made" {
	flags=(--cap-drop ALL --cap-add NET_ADMIN --memory 64m --pids-limit 50 --read-only --network none -p 8080:80)
	explain_run_json "${flags[@]}" busybox
	[ -z "$(hk ps -a -q)" ]
	[ "$(jx .capabilities.sets.effective.names[])" = cap_net_admin ]
	[ "$(jx .cgroups.resources.memory.limit)" = 67108864 ]
	[ "$(jx .cgroups.resources.pids.limit)" = 50 ]
	[ "$(jx .filesystem.root_readonly)" = true ]
	[ "$(jx .network.mode)" = none ]
	[ "$(jx '.network.ports[0].container_port')" = 80 ]
	[ "$(jx '.namespaces[] | select(.type == "net") | .relation')" = new ]
	[ "$(jx '.namespaces[] | select(.type == "user") | .relation')" = host ]
	plan=$(jx .capabilities.sets.effective.hex)
	hk run -d --name planned "${flags[@]}" busybox sleep 100 >/dev/null
	[ "$plan" = "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$(pid_of planned)/status")" ]
	hk rm -f planned >/dev/null
	explain_run_json --privileged busybox
	[ "$(jx .security.seccomp.enabled)" = false ]
	[ "$(jx '.filesystem.masked_paths | length')" = 0 ]
	explain_run_json --userns=auto busybox
	[ "$(jx '.namespaces[] | select(.type == "user") | .relation')" = new ]
	run -0 hk explain run --network container:other busybox
	grep -q 'net      container other' <<<"$output"
	run -125 hk explain run --no-such-flag busybox
	run -125 hk explain run --format yaml busybox
	[[ $output == *"--format yaml"* ]]
	run -125 hk explain run no-such-image
	[ -z "$(hk ps -a -q)" ]
}
