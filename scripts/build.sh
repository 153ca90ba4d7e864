#!/bin/bash
# build.sh [--asan] [--fuzz]: builds hako into build/ (release); --asan
# adds build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer), --fuzz
# build-fuzz/ (the libFuzzer targets, with clang).  The compiler's and the
# linker's messages are shown as they come; a failure names the step.
set -euo pipefail
cd "$(dirname "$0")/.."
step='reading the arguments'
trap 'echo "build.sh: failed: $step" >&2' ERR

asan=0 fuzz=0
for arg; do
	case $arg in
	--asan) asan=1 ;;
	--fuzz) fuzz=1 ;;
	*)
		echo "usage: build.sh [--asan] [--fuzz]" >&2
		exit 2
		;;
	esac
done

# setup DIR [MESON OPTIONS...]: configures DIR once; meson's output is
# shown when it fails (it names the missing dependency).
setup() {
	local dir=$1 out
	shift
	[ -d "$dir" ] && return 0
	step="meson setup $dir $*"
	if ! out=$(meson setup "$dir" "$@" 2>&1); then
		echo "$out" >&2
		rm -rf "$dir"
		return 1
	fi
}

# compile DIR: ninja, showing only what the compiler and the linker say.
compile() {
	step="ninja -C $1"
	local start=$SECONDS
	ninja -C "$1" --quiet
	echo "build.sh: ninja -C $1: done in $((SECONDS - start)) s"
}

setup build
compile build
if ((asan)); then
	setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
	compile build-asan
fi
if ((fuzz)); then
	CC=clang setup build-fuzz -Dfuzz=true -Db_sanitize=address -Db_lundef=false
	compile build-fuzz
fi
