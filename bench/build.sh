#!/bin/bash
# bench/build.sh [N]: hako build against `buildah bud`, as root, each with a
# private store, on the same context, interleaved, N rounds (default 5):
#
#   1. cold: a 10-step Containerfile on busybox (COPY of a 2,000-file
#      tree, several RUNs), nothing cached (--no-cache / --layers with an
#      emptied cache: buildah's cache removed with `rmi --all`);
#   2. rebuild with nothing changed;
#   3. rebuild after one copied file changed.
#
# buildah: --storage-driver overlay, --isolation chroot, --layers (its
# cache), --network host; hako: --network host (so that neither pays for
# a network namespace setup per RUN).  Prints median wall times and the
# ratios hako/buildah; asserts nothing.
set -euo pipefail
n=${1:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
hako_bin=${HAKO:-$top/build/src/cli/hako}
. "$top/bench/lib.sh"
work=$(mktemp -d /tmp/hako-bench-build.XXXXXX)
hako() { "$hako_bin" --root "$work/hako" --runroot "$work/hako-run" "$@"; }
buildah() {
	command buildah --root "$work/buildah" --runroot "$work/buildah-run" --storage-driver overlay "$@"
}
cleanup() {
	tidy buildah rm --all
	tidy hako system prune -f
	for m in $(awk -v r="$work" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" || echo "bench: could not unmount $m" >&2
	done
	rm -rf "$work"
}
trap cleanup EXIT

HAKO=$hako_bin quietly "$top/scripts/busybox-image.sh" --root "$work/hako" --runroot "$work/hako-run"
hako save --format oci-archive -o "$work/busybox.tar" busybox
quietly buildah pull -q "oci-archive:$work/busybox.tar"
buildah tag "$(buildah images -q | head -1)" busybox

ctx=$work/ctx
mkdir -p "$ctx/tree"
for d in $(seq 0 19); do
	mkdir -p "$ctx/tree/d$d"
	for f in $(seq 0 99); do
		echo "file $d/$f $(printf '%0200d' "$f")" >"$ctx/tree/d$d/f$f"
	done
done
cat >"$ctx/Containerfile" <<'CF'
FROM busybox
ENV APP=/app
WORKDIR /app
RUN mkdir -p /app/bin && echo built >/app/bin/marker
COPY tree /app/tree
RUN find /app/tree -type f | wc -l >/app/count
RUN tar -cf /app/tree.tar -C /app tree && rm /app/tree.tar
LABEL bench=build
RUN echo done >/app/done
CMD ["cat", "/app/count"]
CF

# ms COMMAND...: wall time of COMMAND in milliseconds (its output dropped).
ms() {
	local t0 t1
	t0=$(date +%s%N)
	quietly "$@" || exit 1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

hako_build() { hako build -q --network host -t bench "$ctx"; }
buildah_build() { buildah bud -q --layers --isolation chroot --network host -t bench "$ctx"; }
hako_cold() { quietly hako builder prune -f && hako_build; }
# buildah's cache is its intermediate images: the tagged one and the rest
buildah_cold() {
	if [ -n "$(buildah images -q --filter reference=bench)" ]; then
		quietly buildah rmi -f bench
	fi
	quietly buildah rmi --prune && buildah_build
}

declare -A t
for scenario in cold nochange onefile; do t[hako-$scenario]=""; t[buildah-$scenario]=""; done
for round in $(seq "$n"); do
	for tool in hako buildah; do
		t[$tool-cold]+="$(ms "${tool}_cold") "
		t[$tool-nochange]+="$(ms "${tool}_build") "
		echo "round $round $tool" >"$ctx/tree/d7/f7"
		t[$tool-onefile]+="$(ms "${tool}_build") "
	done
done

printf '%-10s %12s %12s %8s\n' scenario "hako ms" "buildah ms" ratio
for scenario in cold nochange onefile; do
	h=$(tr ' ' '\n' <<<"${t[hako-$scenario]}" | grep . | median)
	b=$(tr ' ' '\n' <<<"${t[buildah-$scenario]}" | grep . | median)
	printf '%-10s %12s %12s %8s\n' "$scenario" "$h" "$b" "$(awk -v h="$h" -v b="$b" 'BEGIN { printf "%.2f", h / b }')"
done
echo "(medians of $n interleaved rounds; targets: cold <= 0.5x, nochange <= 50 ms, onefile <= 0.3x)"
