#!/bin/bash
# Builds hako into build/ (release) and, with --asan, build-asan/ too
# (AddressSanitizer + UndefinedBehaviorSanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
if [ "${1:-}" = --asan ]; then
	[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug >/dev/null
	ninja -C build-asan >/dev/null
fi
