#!/bin/bash
# bench/checkpoint-vm.sh [N]: checkpoint and restore of a process holding
# 50 MB (busybox sh with a 50 000 000-byte string), hako-runtime against
# runc through the same criu, N rounds each, interleaved (default 3), in
# the cgroup v2 VM (../shared/tools/cgroup2-vm: criu fails on this host's
# kernel; podman does not run in the VM).  Prints the median checkpoint
# and restore times, the images' size, and hako-runtime/runc.  Under TCG
# emulation (no KVM) absolute times are several times a real machine's;
# the ratio is the figure.  Asserts nothing, but stops when a round does
# not count on after its restore.
set -euo pipefail
n=${1:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
vm=${CGROUP2_VM:-$top/../shared/tools/cgroup2-vm}
runtime=${HAKO_RUNTIME:-$top/build/src/cli/hako-runtime}
work=$(mktemp -d /tmp/hako-bench-ckpt.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$top/scripts/make-busybox-bundle.sh" "$work/template" true >/dev/null
cat >"$work/guest.sh" <<'GUEST'
#!/bin/sh
# guest.sh N TEMPLATE RUNTIME...: rounds of run, checkpoint, restore for each runtime
n=$1 template=$2
shift 2
ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
big='["sh", "-c", "x=$(head -c 50000000 /dev/zero | tr \"\\\\0\" a); i=0; while :; do i=$((i + 1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done"]'
round=0
while [ $round -lt "$n" ]; do
	round=$((round + 1))
	for rt in "$@"; do
		name=$(basename "$rt")
		id=$name-$round
		mkdir -p /tmp/$id
		cp -a $template/rootfs /tmp/$id/rootfs
		jq ".process.args = $big | .root.readonly = false | .linux.cgroupsPath = \"/bench/$id\"" \
			$template/config.json >/tmp/$id/config.json
		$rt --root /run/$name run --detach --bundle /tmp/$id $id </dev/null >/dev/null 2>&1 || { echo "FAIL: $name run"; exit 1; }
		i=0; while [ $i -lt 200 ] && ! [ -s /tmp/$id/rootfs/tmp/count ]; do sleep 0.1; i=$((i + 1)); done
		t0=$(ms)
		$rt --root /run/$name checkpoint --image-path /tmp/$id.img --work-path /tmp/$id.work $id || { echo "FAIL: $name checkpoint"; tail -25 /tmp/$id.work/dump.log; exit 1; }
		t1=$(ms)
		before=$(cat /tmp/$id/rootfs/tmp/count)
		$rt --root /run/$name restore --detach --image-path /tmp/$id.img --work-path /tmp/$id.work --bundle /tmp/$id $id </dev/null >/dev/null 2>&1 || { echo "FAIL: $name restore"; cat /tmp/$id.work/restore.log | tail -5; exit 1; }
		t2=$(ms)
		i=0; while [ $i -lt 100 ] && [ "$(cat /tmp/$id/rootfs/tmp/count)" -le "$before" ]; do sleep 0.1; i=$((i + 1)); done
		[ "$(cat /tmp/$id/rootfs/tmp/count)" -gt "$before" ] || { echo "FAIL: $name did not count on"; exit 1; }
		echo "ROUND: $name $((t1 - t0)) $((t2 - t1)) $(du -sk /tmp/$id.img | cut -f1)"
		$rt --root /run/$name kill $id KILL >/dev/null 2>&1
		sleep 0.3
		$rt --root /run/$name delete --force $id >/dev/null 2>&1
		rm -rf /tmp/$id /tmp/$id.img /tmp/$id.work
	done
done
echo DONE
GUEST
chmod +x "$work/guest.sh"
modules=()
for m in nf_tables nft_compat xt_mark nf_conntrack_netlink unix_diag inet_diag tcp_diag udp_diag \
	raw_diag netlink_diag af_packet_diag; do
	modules+=(--module "$m")
done
"$vm" --timeout 600 --mem 1G "${modules[@]}" --bin "$runtime" --bin runc --bin criu --bin tar --bin jq \
	--bin ip --bin iptables --bin ip6tables --bin iptables-restore --bin ip6tables-restore \
	--bin xtables-nft-multi --bin nft --copy /usr/lib/x86_64-linux-gnu/xtables \
	--copy "$work/template" -- "$work/guest.sh" "$n" "$work/template" "$runtime" "$(command -v runc)" \
	>"$work/vm.log" 2>&1 || { grep -v '^pie: ' "$work/vm.log" >&2; echo "bench/checkpoint-vm.sh: the VM run failed" >&2; exit 1; }
grep -q '^DONE$' "$work/vm.log" || { cat "$work/vm.log" >&2; exit 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# col RUNTIME FIELD: the median of one field of the runtime's rounds
col() { awk -v r="$1" -v f="$2" '$1 == "ROUND:" && $2 == r { print $f }' "$work/vm.log" | median; }
h=$(basename "$runtime")
printf 'a 50 MB process in the cgroup v2 VM, median of %d (TCG: absolute times are slow):\n' "$n"
printf '%-14s %12s %12s %12s\n' '' 'checkpoint' 'restore' 'images'
for rt in "$h" runc; do
	printf '%-14s %9d ms %9d ms %8d KiB\n' "$rt" "$(col "$rt" 3)" "$(col "$rt" 4)" "$(col "$rt" 5)"
done
printf 'hako-runtime/runc: checkpoint %.2f, restore %.2f\n' \
	"$(echo "$(col "$h" 3) / $(col runc 3)" | bc -l)" "$(echo "$(col "$h" 4) / $(col runc 4)" | bc -l)"
