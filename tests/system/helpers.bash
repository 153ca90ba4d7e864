# Shared by the bats files: paths, a busybox bundle per test, and checks
# that a test left nothing behind (state, cgroups, mounts, processes).
# shellcheck shell=bash

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
HAKO_BUILD=${HAKO_BUILD:-$TOP/build}
RUNTIME=$HAKO_BUILD/src/cli/hako-runtime
export HAKO_RUNTIME=$RUNTIME

# built_with_asan: true when the binaries under test carry AddressSanitizer
# (tests/run.sh's second build), whose shadow memory counts against a
# container's memory limit between the runtime joining the cgroup and exec.
built_with_asan() { grep -q __asan_init "$RUNTIME"; }

# The cgroup parent of every test container, in every hierarchy.
TEST_CGROUP=hakotest

# require_tools NAME...: fails with "missing tool: NAME" for the first NAME
# that is not installed (scripts/install-deps.sh test installs them all),
# so that no test passes or skips because a tool it calls is missing.
require_tools() {
	local t
	for t; do
		command -v "$t" >/dev/null || {
			echo "missing tool: $t" >&2
			return 1
		}
	done
}

# vm_skip_reason: why a cgroup2-vm file that drives criu, containerd or
# podman in the VM does not run with this build here, or nothing.  Without
# KVM the VM emulates the CPU, and the sanitizer build's programs there
# take 2-3 times their release time (over 4 minutes for checkpoint-vm.bats,
# past its VM timeout), which CI's budget cannot hold; the release build
# runs these files, and the sanitizer build runs the VM files of hako's
# own cgroup v2 code and every host file.
vm_skip_reason() {
	local sanitize
	if [ ! -x "$VM" ]; then
		echo "no cgroup2-vm tool at $VM"
		return
	fi
	sanitize=$(meson introspect "$HAKO_BUILD" --buildoptions | jq -r '.[] | select(.name == "b_sanitize") | .value') || {
		echo "meson introspect $HAKO_BUILD failed"
		return
	}
	if [ "$sanitize" != none ] && [ ! -w /dev/kvm ]; then
		echo "sanitizer build ($sanitize) in a VM without KVM: 2-3x the release time, past CI's budget; the release build runs this file"
	fi
}

# vm_or_skip: skips the test for vm_skip_reason's reason, if any.
vm_or_skip() {
	local why
	why=$(vm_skip_reason)
	[ -z "$why" ] || skip "$why"
}

# quietly COMMAND...: COMMAND with its output shown only when it fails.
quietly() {
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	((rc == 0)) && return 0
	echo "failed (status $rc): $*" >&2
	echo "$out" >&2
	return "$rc"
}

# hako-runtime with this file's private state root.
rt() {
	"$RUNTIME" --root "$STATE_ROOT" "$@"
}

# A shared busybox rootfs for the file, made once.
setup_file_common() {
	require_tools jq
	export STATE_ROOT=$BATS_FILE_TMPDIR/state
	export SHARED_ROOTFS=$BATS_FILE_TMPDIR/rootfs
	# compiled seccomp filters stay in the file's own directory
	export HAKO_SECCOMP_CACHE=$BATS_FILE_TMPDIR/seccomp-cache
	"$TOP/scripts/make-busybox-bundle.sh" "$BATS_FILE_TMPDIR" true >/dev/null
}

# make_bundle [ARGS...]: $BUNDLE with a config running ARGS over the shared
# rootfs (read-only), in cgroup /hakotest/$CID.
make_bundle() {
	export CID=hk${BATS_TEST_NUMBER}-$$
	export BUNDLE=$BATS_TEST_TMPDIR/bundle
	mkdir -p "$BUNDLE"
	local args_json
	args_json=$(printf '%s\n' "${@:-true}" | jq -R . | jq -s .)
	jq --argjson args "$args_json" --arg root "$SHARED_ROOTFS" --arg cg "/$TEST_CGROUP/$CID" \
		'.process.args = $args | .root.path = $root | .linux.cgroupsPath = $cg' \
		"$BATS_FILE_TMPDIR/config.json" >"$BUNDLE/config.json"
}

# A private, writable copy of the rootfs for tests that change it.
private_rootfs() {
	cp -a "$SHARED_ROOTFS" "$BUNDLE/rootfs"
	config_set '.root.path = "rootfs" | .root.readonly = false'
}

# config_set JQ-FILTER [jq args...]: edits $BUNDLE/config.json.
config_set() {
	local filter=$1
	shift
	jq "$@" "$filter" "$BUNDLE/config.json" >"$BUNDLE/config.json.new"
	mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# The cgroup directories of $CID in every mounted hierarchy.
container_cgroups() {
	local mp
	for mp in $(awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/self/mounts); do
		[ -d "$mp/$TEST_CGROUP/$CID" ] && echo "$mp/$TEST_CGROUP/$CID"
	done
	return 0
}

# The directory of CONTROLLER's hierarchy (v1 mount, else the v2 tree).
cgroup_dir_of() {
	local controller=$1 mp
	mp=$(awk -v c="$controller" '$3 == "cgroup" { n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $2 }' /proc/self/mounts | head -1)
	if [ -z "$mp" ]; then
		mp=$(awk '$3 == "cgroup2" { print $2 }' /proc/self/mounts | head -1)
	fi
	echo "$mp/$TEST_CGROUP/$CID"
}

# own_cgroups: "MOUNT-POINT PATH" of this process's cgroup in every mounted
# hierarchy (v1 and v2), from /proc/self/cgroup: a relative cgroupsPath is
# under PATH in each, and PATH may differ between hierarchies.
own_cgroups() {
	awk 'FNR == NR {
		if ($3 == "cgroup2" && !v2) v2 = $2
		else if ($3 == "cgroup") { n = split($4, o, ","); for (i = 1; i <= n; i++) if (!(o[i] in mp)) mp[o[i]] = $2 }
		next
	}
	{
		# ID:CONTROLLERS:PATH; the v2 tree has no controllers
		id = $0; sub(/:.*/, "", id)
		rest = substr($0, length(id) + 2)
		ctrls = rest; sub(/:.*/, "", ctrls)
		path = substr(rest, length(ctrls) + 2)
		first = ctrls; sub(/,.*/, "", first)
		if (ctrls == "") { if (v2) print v2, path }
		else if (first in mp) print mp[first], path
	}' /proc/self/mounts /proc/self/cgroup
}

# whole_disk: "MAJOR:MINOR" (decimal) of a whole disk, for block I/O rules
# (the kernel refuses them on partitions): the disk under the root file
# system, else the first disk in /sys/block; nothing when there is none.
whole_disk() {
	local dev sys d
	dev=$(stat -c '%Hd:%Ld' /)
	sys=/sys/dev/block/$dev
	if [ -e "$sys/partition" ]; then
		cat "$sys/../dev"
		return
	elif [ -e "$sys/dev" ]; then
		cat "$sys/dev"
		return
	fi
	for d in /sys/block/*; do
		case ${d##*/} in loop* | ram* | zram*) continue ;; esac
		cat "$d/dev"
		return
	done
}

# What must be the same before and after a test: mounts, test cgroups,
# containers in the state root.
host_snapshot() {
	{
		# Mounts under the test's files or hako's run directories: other
		# work on the machine may mount elsewhere meanwhile.
		grep -E "$BATS_RUN_TMPDIR|/run/hako|/var/lib/hako" /proc/self/mountinfo | awk '{print $5}' | grep -v "^/run/hako/exe/" | sort || true
		find /sys/fs/cgroup -maxdepth 3 -path "*/$TEST_CGROUP/*" -type d 2>/dev/null | sort
		ls -A "$STATE_ROOT" 2>/dev/null | grep -v '^\.' || true
	}
}

# host_unchanged BEFORE: the host is as host_snapshot saw it before.
host_unchanged() {
	local now
	now=$(host_snapshot)
	[ "$now" = "$1" ] && return 0
	echo "the host changed:"
	diff <(echo "$1") <(echo "$now") || true
	return 1
}

common_teardown() {
	local id
	for id in $(rt list -q 2>/dev/null); do
		rt delete --force "$id" >/dev/null 2>&1 || true
	done
	local dir
	for dir in $(find /sys/fs/cgroup -maxdepth 3 -path "*/$TEST_CGROUP/*" -type d 2>/dev/null); do
		rmdir "$dir" 2>/dev/null || true
	done
}

teardown_file_common() {
	local dir
	for dir in $(find /sys/fs/cgroup -maxdepth 2 -name "$TEST_CGROUP" -type d 2>/dev/null); do
		rmdir "$dir" 2>/dev/null || true
	done
}

# wait_for_status ID STATUS: polls `state` for up to 5 s.
wait_for_status() {
	local i
	for i in $(seq 100); do
		[ "$(rt state "$1" 2>/dev/null | jq -r .status)" = "$2" ] && return 0
		sleep 0.05
	done
	echo "container $1 never reached $2 (now: $(rt state "$1" 2>&1))" >&2
	return 1
}
