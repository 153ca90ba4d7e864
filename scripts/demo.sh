#!/bin/bash
# The README's first command: install, build, run a real container.
set -euo pipefail
cd "$(dirname "$0")/.."
step=''
trap 'echo "demo.sh: failed: $step" >&2' ERR

step='scripts/install-deps.sh demo'
scripts/install-deps.sh demo
step='scripts/build.sh'
scripts/build.sh
step='scripts/busybox-image.sh'
scripts/busybox-image.sh
step='hako run --rm busybox'
echo "+ hako run --rm busybox sh -c '...'"
# shellcheck disable=SC2016 # expanded in the container
build/src/cli/hako run --rm busybox sh -c \
	'echo "hostname: $(hostname)"; echo "pid: $$"; grep -E "^Cap(Eff|Bnd)" /proc/self/status'
# The default network was made on first use, as Docker's; the demo takes it
# down again so that it leaves the host's bridge and firewall as it found them.
step='hako network rm hako'
build/src/cli/hako network rm hako
