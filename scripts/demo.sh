#!/bin/bash
# The README's first command: install, build, run a real container.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
scripts/busybox-image.sh
echo "+ hako run --rm busybox sh -c '...'"
build/src/cli/hako run --rm busybox sh -c \
	'echo "hostname: $(hostname)"; echo "pid: $$"; grep -E "^Cap(Eff|Bnd)" /proc/self/status'
