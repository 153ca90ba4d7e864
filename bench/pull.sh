#!/bin/bash
# bench/pull.sh [--tmpfs] [RUNS]: pull of a 4-layer image of about 100 MB from a
# local docker-registry, timed for
#   hako pull                    (this tree's build/)
#   podman pull                  (its own storage root, overlay driver)
#   skopeo copy + umoci unpack   (to an OCI layout, then a bundle)
#   tar -x of the same 4 layers  (sequential gzip tar, the floor for unpacking)
# interleaved, RUNS rounds (default 5), each pull into an empty store.
# Prints per-tool medians and the ratios; never asserts on time.
# With --tmpfs every store lives in a tmpfs, which takes the disk (and a
# VM's I/O throttling) out of the comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
tmpfs=0
if [ "${1:-}" = --tmpfs ]; then
	tmpfs=1
	shift
fi
runs=${1:-5}
hako=$top/build/src/cli/hako
[ -x "$hako" ] || { echo "build hako first (meson setup build && ninja -C build)"; exit 1; }

work=$(mktemp -d /var/tmp/hako-bench.XXXXXX)
((tmpfs)) && mount -t tmpfs -o size=8g tmpfs "$work"
registry_pid=
cleanup() {
	if [ -n "$registry_pid" ]; then
		kill "$registry_pid" 2>/dev/null || true
		wait "$registry_pid" 2>/dev/null || true
	fi
	for m in $(awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" || true
	done
	if ((tmpfs)); then umount -l "$work" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# --- the image: four layers of real files from /usr, ~25 MB each ----------
echo "building the image..." >&2
make_layer() { # N DIRS...: a tar.gz of about 25 MB of files under DIRS
	local n=$1
	shift
	local list=$work/files$n
	{ find "$@" -xdev -type f -size -4M -printf '%s %p\n' 2>/dev/null || true; } | sort -k2 |
		awk -v max=$((25 * 1024 * 1024)) '{ if (t + $1 > max) exit; t += $1; print substr($0, index($0, " ") + 1) }' \
			>"$list" || true
	tar -czf "$work/layer$n.tar.gz" --files-from="$list"
}
make_layer 1 /usr/bin /usr/sbin
make_layer 2 /usr/lib/x86_64-linux-gnu
make_layer 3 /usr/share
make_layer 4 /usr/lib/python3* /usr/lib/gcc /usr/libexec
layers=("$work"/layer{1,2,3,4}.tar.gz)
oci=$work/oci
mkdir -p "$oci/blobs/sha256"
echo '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
descs=() ids=()
for l in "${layers[@]}"; do
	h=$(sha256sum <"$l" | cut -d' ' -f1)
	cp "$l" "$oci/blobs/sha256/$h"
	descs+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$h\",\"size\":$(stat -c %s "$l")}")
	ids+=("\"sha256:$(zcat "$l" | sha256sum | cut -d' ' -f1)\"")
done
cfg=$(printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%s]}}' "$(IFS=,; echo "${ids[*]}")")
ch=$(printf '%s' "$cfg" | sha256sum | cut -d' ' -f1)
printf '%s' "$cfg" >"$oci/blobs/sha256/$ch"
man=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[%s]}' "$ch" "${#cfg}" "$(IFS=,; echo "${descs[*]}")")
mh=$(printf '%s' "$man" | sha256sum | cut -d' ' -f1)
printf '%s' "$man" >"$oci/blobs/sha256/$mh"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"bench"}}]}' "$mh" "${#man}" >"$oci/index.json"

# --- the registry ------------------------------------------------------------
port=$((20000 + RANDOM % 20000))
mkdir -p "$work/registry"
printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' \
	"$work/registry" "$port" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.05; done
image=127.0.0.1:$port/bench/image:1
skopeo copy -q --dest-tls-verify=false "oci:$oci:bench" "docker://$image"
compressed=$(cat "${layers[@]}" | wc -c)
uncompressed=$(for l in "${layers[@]}"; do zcat "$l"; done | wc -c)
((tmpfs)) && echo "stores on tmpfs"
printf 'image: 4 layers, %d MB compressed, %d MB uncompressed, %d files\n' \
	$((compressed / 1000000)) $((uncompressed / 1000000)) "$(cat "$work"/files? | wc -l)"

# --- the runs ----------------------------------------------------------------
now() { date +%s.%N; }
declare -A times
# clean_TOOL empties the tool's store, untimed; run_TOOL is what is timed.
clean_hako() { rm -rf "$work/hako"; }
run_hako() {
	"$hako" --root "$work/hako" pull -q --tls-verify=false "$image" >/dev/null
}
clean_podman() {
	if [ -d "$work/podman" ]; then
		podman --root "$work/podman" --runroot "$work/podman-run" --storage-driver overlay \
			system reset -f || true
	fi
	rm -rf "$work/podman" "$work/podman-run"
}
run_podman() {
	podman --root "$work/podman" --runroot "$work/podman-run" --storage-driver overlay \
		pull -q --tls-verify=false "$image" >/dev/null
}
clean_skopeo_umoci() { rm -rf "$work/skopeo" "$work/bundle"; }
run_skopeo_umoci() {
	skopeo copy -q --src-tls-verify=false "docker://$image" "oci:$work/skopeo:bench" >/dev/null
	umoci unpack --image "$work/skopeo:bench" "$work/bundle" >/dev/null
}
clean_tar() { rm -rf "$work/tar"; }
run_tar() {
	mkdir "$work/tar"
	for l in "${layers[@]}"; do tar -xzf "$l" -C "$work/tar"; done
}
tools=(hako podman skopeo_umoci tar)
for t in "${tools[@]}"; do times[$t]=""; done
for i in $(seq "$runs"); do
	for t in "${tools[@]}"; do
		"clean_$t"
		sync
		s=$(now)
		"run_$t"
		e=$(now)
		times[$t]+="$(echo "$e - $s" | bc) "
	done
	echo "round $i: $(for t in "${tools[@]}"; do printf '%s=%.2fs ' "$t" "$(echo "${times[$t]}" | awk '{print $NF}')"; done)" >&2
done
for t in "${tools[@]}"; do "clean_$t"; done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo
printf '%-22s %s\n' "tool" "median wall time (s) over $runs runs"
declare -A med
for t in "${tools[@]}"; do
	med[$t]=$(echo "${times[$t]}" | median)
	printf '%-22s %.3f\n' "$t" "${med[$t]}"
done
echo
printf 'hako / podman          %.2f  (target <= 0.5)\n' "$(echo "${med[hako]} / ${med[podman]}" | bc -l)"
printf 'hako / skopeo+umoci    %.2f\n' "$(echo "${med[hako]} / ${med[skopeo_umoci]}" | bc -l)"
printf 'hako pull / tar -x     %.2f  (target for unpacking <= 1.5; the pull also downloads and verifies)\n' \
	"$(echo "${med[hako]} / ${med[tar]}" | bc -l)"
