#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/completion.sh [N]: the time bash takes to complete, from `hako
# completion bash`, on a private store of N created containers (default
# 200): a command name, an option, and a container name (which lists the
# store), and the floor: starting /bin/true, most of a completion on a
# loaded machine. Prints the median of 20 runs of each, in milliseconds; asserts
# nothing (the issue's target is under 20 ms). Run it under the system
# tests' lock: it creates containers.
set -euo pipefail
n=${1:-200}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${HAKO_BUILD:-$top/build}/src/cli
. "$top/bench/lib.sh"
work=$(mktemp -d /tmp/hako-bench-completion.XXXXXX)
hk() { "$bin/hako" --root "$work/root" --runroot "$work/run" "$@"; }
cleanup() {
	tidy hk system prune -a -f --volumes
	rm -rf "$work"
}
trap cleanup EXIT

"$top/scripts/make-busybox-rootfs.sh" "$work/bbroot" >/dev/null
tar -C "$work/bbroot" -cf "$work/busybox.tar" .
quietly hk import -c 'CMD ["sh"]' "$work/busybox.tar" busybox
for ((i = 0; i < n; i++)); do
	quietly hk create --network none --name "c$i" busybox true
done

# median_ms WORD...: the median wall time of completing `hako WORD...`.
median_ms() {
	local words
	printf -v words '%q ' hako --root "$work/root" --runroot "$work/run" "$@"
	# shellcheck disable=SC2016 # expanded by the inner bash
	PATH=$bin:$PATH bash --norc -c 'source <(hako completion bash)
		COMP_WORDS=('"$words"'); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		for i in $(seq 20); do
			s=$EPOCHREALTIME; _hako; e=$EPOCHREALTIME
			echo "$(( (${e/./} - ${s/./}) ))"
		done' | sort -n | sed -n 10p | awk '{ printf "%.1f", $1 / 1000 }'
}

# the floor: what starting any process costs here
floor_ms() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash --norc -c 'for i in $(seq 20); do
			s=$EPOCHREALTIME; /bin/true; e=$EPOCHREALTIME
			echo "$(( (${e/./} - ${s/./}) ))"
		done' | sort -n | sed -n 10p | awk '{ printf "%.1f", $1 / 1000 }'
}

echo "completion with $n containers in the store (median of 20, bash):"
printf '  %-34s %s ms\n' "floor: starting /bin/true" "$(floor_ms)"
printf '  %-34s %s ms\n' "command name (hako ru)" "$(median_ms ru)"
printf '  %-34s %s ms\n' "option (hako ps --f)" "$(median_ms ps --f)"
printf '  %-34s %s ms (%s names)\n' "container name (hako rm c1)" "$(median_ms rm c1)" \
	"$(PATH=$bin:$PATH bash --norc -c "source <(hako completion bash); COMP_WORDS=(hako --root $work/root --runroot $work/run rm c); COMP_CWORD=6; _hako; echo \${#COMPREPLY[@]}")"
