#!/bin/bash
# The README's first command: install, build, run a real container.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
bundle=$(mktemp -d /tmp/hako-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
scripts/make-busybox-bundle.sh "$bundle" sh -c \
	'echo "hostname: $(hostname)"; echo "pid: $$"; grep -E "^Cap(Eff|Bnd)" /proc/self/status'
echo "+ hako-runtime run --bundle $bundle demo"
build/src/cli/hako-runtime run --bundle "$bundle" "demo-$$"
