#!/bin/bash
# bench/checkpoint.sh [N]: checkpoint and restore of a process holding 50 MiB
# of written memory, hako-runtime against runc through the same criu 3.17,
# in the cgroup v2 VM (../shared/tools/cgroup2-vm: criu fails `criu check`
# on this host's kernel).  N rounds each (default 3), interleaved; prints
# per runtime the median checkpoint time, restore time and image size, and
# the downtime of a migration between two runtime roots (checkpoint, copy
# of the images, restore with another --root and bundle).  Asserts nothing.
# The VM emulates the CPU (TCG) when /dev/kvm is missing: the times are
# then slow in absolute terms; the comparison is what counts.
set -euo pipefail
n=${1:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
runtime=${HAKO_RUNTIME:-$top/build/src/cli/hako-runtime}
vm=${CGROUP2_VM:-$top/../shared/tools/cgroup2-vm}
work=$(mktemp -d /tmp/hako-bench-checkpoint.XXXXXX)
trap 'rm -rf "$work"' EXIT

# A static program that writes 50 MiB and sleeps.
cat >"$work/memhog.c" <<'C'
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main (void)
{
  size_t size = 50u << 20;
  unsigned char *p = malloc (size);
  for (size_t i = 0; i < size; i++)
    p[i] = (unsigned char) (i * 2654435761u >> 13);
  for (;;)
    pause ();
}
C
cc -O2 -static -o "$work/memhog" "$work/memhog.c"
HAKO_RUNTIME=$runtime "$top/scripts/make-busybox-bundle.sh" "$work/bundle" /memhog >/dev/null
cp "$work/memhog" "$work/bundle/rootfs/memhog"

cat >"$work/guest.sh" <<'GUEST'
#!/bin/bash
set -u
n=$1 template=$2 hako=$3
ms() { echo $(( (${EPOCHREALTIME/./} - $1) / 1000 )); }
copy_bundle() {
	rm -rf "$2"; mkdir -p "$2"; cp -a "$template/rootfs" "$2/rootfs"
	jq --arg cg "/bench/$1" '.root.readonly = false | .linux.cgroupsPath = $cg' "$template/config.json" >"$2/config.json"
}
# one NAME RUNTIME ROUND
one() {
	local name=$1 rt=$2 round=$3 id=$1-$3 b=/tmp/b-$1-$3 img=/tmp/img-$1-$3 t
	copy_bundle "$id" "$b"
	$rt --root /run/$name run --detach --bundle "$b" "$id" </dev/null >/dev/null 2>&1 || { echo "FAIL: $name run"; return; }
	sleep 2   # the 50 MiB written
	t=${EPOCHREALTIME/./}
	$rt --root /run/$name checkpoint --image-path "$img" "$id" || { echo "FAIL: $name checkpoint"; return; }
	echo "RESULT $name checkpoint_ms $(ms "$t")"
	echo "RESULT $name image_kib $(du -sk "$img" | cut -f1)"
	t=${EPOCHREALTIME/./}
	$rt --root /run/$name restore --detach --image-path "$img" --bundle "$b" "$id" </dev/null >/dev/null 2>&1 || { echo "FAIL: $name restore"; return; }
	echo "RESULT $name restore_ms $(ms "$t")"
	# migration: dump, copy the images, restore under another root and bundle
	copy_bundle "$id" "$b.2"
	t=${EPOCHREALTIME/./}
	$rt --root /run/$name checkpoint --image-path "$img.m" "$id" || { echo "FAIL: $name migrate dump"; return; }
	cp -a "$img.m" "$img.m2"
	$rt --root /run/$name-2 restore --detach --image-path "$img.m2" --bundle "$b.2" "$id" </dev/null >/dev/null 2>&1 || { echo "FAIL: $name migrate restore"; return; }
	echo "RESULT $name migration_ms $(ms "$t")"
	$rt --root /run/$name-2 kill "$id" KILL; sleep 0.3; $rt --root /run/$name-2 delete --force "$id"
	rm -rf "$b" "$b.2" "$img" "$img.m" "$img.m2"
}
for ((r = 1; r <= n; r++)); do
	one hako "$hako" "$r"
	one runc runc "$r"
done
GUEST
chmod +x "$work/guest.sh"
modules=()
for m in nf_tables nft_compat xt_mark nf_conntrack_netlink unix_diag inet_diag tcp_diag udp_diag \
	raw_diag netlink_diag af_packet_diag; do
	modules+=(--module "$m")
done
"$vm" --timeout $((120 + n * 120)) --mem 1G "${modules[@]}" --bin bash --bin jq \
	--bin "$runtime" --bin runc --bin criu --bin tar --bin ip \
	--bin iptables --bin ip6tables --bin iptables-restore --bin ip6tables-restore \
	--bin xtables-nft-multi --bin nft --copy /usr/lib/x86_64-linux-gnu/xtables \
	--copy "$work/bundle" --copy "$work/guest.sh" -- \
	"$work/guest.sh" "$n" "$work/bundle" "$runtime" >"$work/vm.log" 2>&1 || true
if grep -q '^FAIL' "$work/vm.log" || ! grep -q '^RESULT' "$work/vm.log"; then
	grep -v '^pie: ' "$work/vm.log" | tail -40 >&2
	echo "bench/checkpoint.sh: the VM run failed" >&2
	exit 1
fi
grep 'accel' "$work/vm.log" | head -1
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf '%-6s %14s %12s %12s %14s\n' runtime checkpoint_ms restore_ms image_kib migration_ms
for name in hako runc; do
	row=$name
	for k in checkpoint_ms restore_ms image_kib migration_ms; do
		row+=" $(awk -v n="$name" -v k="$k" '$1 == "RESULT" && $2 == n && $3 == k { print $4 }' "$work/vm.log" | median)"
	done
	printf '%-6s %14s %12s %12s %14s\n' $row
done
