# Shared by the engine bats files (engine-*.bats): a private store and run
# directory per file, a busybox image imported once, a default network of
# the tests' own (never the user's hako0), and the check that a test left
# no container, mount, cgroup or monitor behind.
# shellcheck shell=bash

load helpers

HAKO=$HAKO_BUILD/src/cli/hako

# hako with this file's private store and run directory; its containers
# go under their own cgroup parent, so that what other hako users on the
# machine do meanwhile is not taken for a leftover.
hk() {
	case $1 in
	run | create) "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" "$1" --cgroup-parent "$ENGINE_CGROUP" "${@:2}" ;;
	*) "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" "$@" ;;
	esac
}

engine_setup_file() {
	require_tools jq
	export HAKO_ROOT=$BATS_FILE_TMPDIR/root
	export HAKO_RUNROOT=$BATS_FILE_TMPDIR/run
	export HAKO_SECCOMP_CACHE=$BATS_FILE_TMPDIR/seccomp-cache
	# `run` joins the default network: here its own bridge and subnet.
	export HAKO_DEFAULT_NETWORK_BRIDGE=hkt-default
	export HAKO_DEFAULT_NETWORK_SUBNET=10.213.250.0/24
	export ENGINE_FIREWALL_BEFORE
	ENGINE_FIREWALL_BEFORE=$(firewall_state)
	export BUSYBOX_TAR=$BATS_FILE_TMPDIR/busybox.tar
	export ENGINE_CGROUP=hakotest-engine-$$
	"$TOP/scripts/make-busybox-rootfs.sh" "$BATS_FILE_TMPDIR/bbroot" >/dev/null
	tar -C "$BATS_FILE_TMPDIR/bbroot" -cf "$BUSYBOX_TAR" .
	hk import -c 'CMD ["sh"]' "$BUSYBOX_TAR" busybox >/dev/null
}

# What a test must leave as it found it: mounts under the store, hako's
# cgroups, containers in the store, monitor processes.
engine_snapshot() {
	local ids
	ids=$(hk ps -a -q --no-trunc) || {
		echo "hako ps failed: no snapshot of the containers" >&2
		return 1
	}
	awk -v r="$BATS_FILE_TMPDIR" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort
	find /sys/fs/cgroup -maxdepth 3 -path "*/$ENGINE_CGROUP/*" -type d 2>/dev/null | sort
	sort <<<"$ids"
	engine_monitors
}

# The PIDs of monitors of this file's containers.
engine_monitors() {
	local pid
	for pid in $(pgrep -x hako-monitor 2>/dev/null); do
		grep -qF "$HAKO_RUNROOT" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
	done
	return 0
}

engine_setup() {
	ENGINE_BEFORE=$(engine_snapshot)
}

# Removes what the test made, then checks that nothing else is left.
engine_teardown() {
	local id
	for id in $(hk ps -a -q --no-trunc 2>/dev/null); do
		hk rm -f -v "$id" >/dev/null 2>&1 || true
	done
	local now
	now=$(engine_snapshot)
	if [ "$now" != "$ENGINE_BEFORE" ]; then
		echo "the test left this behind:"
		diff <(echo "$ENGINE_BEFORE") <(echo "$now") || true
		return 1
	fi
}

engine_teardown_file() {
	local n
	for n in $(hk network ls -q 2>/dev/null); do
		hk network rm "$n" >/dev/null 2>&1 || true
	done
	firewall_restore "$ENGINE_FIREWALL_BEFORE"
	local m dir
	for dir in $(find /sys/fs/cgroup -maxdepth 2 -name "$ENGINE_CGROUP" -type d 2>/dev/null); do
		rmdir "$dir" 2>/dev/null || true
	done
	for m in $(awk -v r="$BATS_FILE_TMPDIR" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
}

# wait_for_state NAME STATE: polls `inspect` for up to 10 s.
wait_for_state() {
	local i
	for i in $(seq 200); do
		[ "$(hk inspect -f '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	echo "container $1 never reached $2 (now: $(hk inspect -f '{{.State.Status}}' "$1" 2>&1))" >&2
	return 1
}

# wait_client PID: its exit status, once it has ended (5 s at most: a
# client that ignores the signal is killed and the test fails).
wait_client() {
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "client $1 is still running: killed" >&2
		kill -KILL "$1"
		wait "$1"
		return 200
	fi
	wait "$1"
}

# The host's packet filter as tests can change it: the rules of every
# iptables table (counters dropped) and the nftables tables.  Fails when
# either cannot be read: an empty state would hide what a test leaves.
firewall_state() {
	local rules tables
	require_tools iptables-save nft
	rules=$(iptables-save) || {
		echo "iptables-save failed" >&2
		return 1
	}
	tables=$(nft list tables) || {
		echo "nft list tables failed" >&2
		return 1
	}
	grep -v '^#' <<<"$rules" | sed 's/ \[[0-9]*:[0-9]*\]$//'
	echo "$tables"
}

# firewall_restore BEFORE: removes what CNI plugins make once and never
# remove (portmap's CNI-HOSTPORT-* chains), and nftables tables that
# iptables-nft made and that are empty again, when BEFORE did not have
# them.
firewall_restore() {
	local before=$1 c t
	if ! grep -q 'CNI-HOSTPORT-DNAT' <<<"$before"; then
		iptables -t nat -D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT 2>/dev/null
		iptables -t nat -D OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT 2>/dev/null
		iptables -t nat -D POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" \
			-j CNI-HOSTPORT-MASQ 2>/dev/null
		for c in CNI-HOSTPORT-DNAT CNI-HOSTPORT-MASQ CNI-HOSTPORT-SETMARK; do
			iptables -t nat -F "$c" 2>/dev/null && iptables -t nat -X "$c" 2>/dev/null
		done
	fi
	while read -r _ t; do
		[ -n "$t" ] || continue
		grep -qxF "table $t" <<<"$before" && continue
		# only base chains left, no rule: ours to remove
		if ! nft list table $t 2>/dev/null | grep -P '^\t\t(?!type )' | grep -q .; then
			nft delete table $t 2>/dev/null
		fi
	done < <(nft list tables 2>/dev/null)
	return 0
}
