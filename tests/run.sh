#!/bin/bash
# The README's second command: installs what is needed, builds hako twice
# (release, and with AddressSanitizer + UndefinedBehaviorSanitizer), runs
# the cmocka unit tests and the bats system tests against both builds, and
# ends with one line: "N passed, N failed".
#
#   tests/run.sh [--no-asan] [--unit] [--system] [BATS FILES...]
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD

asan=1 unit=1 system=1 fuzz=1 files=()
while (($#)); do
	case $1 in
	--no-asan) asan=0 ;;
	--unit) system=0 fuzz=0 ;;
	--system) unit=0 fuzz=0 ;;
	--no-fuzz) fuzz=0 ;;
	*) files+=("$1") ;;
	esac
	shift
done
((${#files[@]})) || files=(tests/system/*.bats)

scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
if ((asan)); then scripts/build.sh --asan; else scripts/build.sh; fi || {
	echo "build failed"
	echo "0 passed, 1 failed"
	exit 1
}

builds=(build)
((asan)) && builds+=(build-asan)

# Leaks are failures too; UBSan stops at the first report.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=98

passed=0 failed=0 skipped=0
log=$(mktemp /tmp/hako-tests.XXXXXX)
trap 'rm -f "$log"' EXIT

# Counts the TAP lines of a run into the totals.
count_tap() {
	local ok notok skip
	ok=$(grep -cE '^ok ' "$log")
	skip=$(grep -cE '^ok .*# [Ss][Kk][Ii][Pp]' "$log")
	notok=$(grep -cE '^not ok ' "$log")
	passed=$((passed + ok - skip))
	skipped=$((skipped + skip))
	failed=$((failed + notok))
}

for b in "${builds[@]}"; do
	if ((unit)); then
		echo "== unit tests ($b)"
		for t in "$b"/tests/unit/test-*; do
			[ -f "$t" ] && [ -x "$t" ] || continue
			CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1
			rc=$?
			grep -E '^(not )?ok ' "$log" | sed "s|^|  $(basename "$t"): |"
			if ((rc != 0)) && ! grep -qE '^not ok ' "$log"; then
				echo "not ok $(basename "$t") exited with status $rc" | tee -a "$log"
				cat "$log" | tail -20
			fi
			count_tap
		done
	fi
	if ((system)); then
		echo "== system tests ($b)"
		# One system-test suite at a time on a machine: they share cgroups,
		# mounts and firewall rules.
		exec 9>/run/hako-system-tests.lock
		flock 9
		HAKO_BUILD=$top/$b bats --tap "${files[@]}" >"$log" 2>&1
		sed 's/^/  /' "$log"
		count_tap
		flock -u 9
	fi
done
# A short run of every libFuzzer target over its seed corpus: crashes on
# the seeds or on what the fuzzer finds in a few seconds fail the suite.
if ((fuzz)); then
	echo "== fuzz smoke runs (build-fuzz)"
	if [ -d build-fuzz ] || CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address \
		-Db_lundef=false >/dev/null; then
		ninja -C build-fuzz >/dev/null
	fi
	for t in build-fuzz/tests/fuzz/fuzz-*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		name=$(basename "$t")
		corpus=$(mktemp -d /tmp/hako-fuzz.XXXXXX)
		seeds=tests/fuzz/corpus/${name#fuzz-}
		[ -d "$seeds" ] && cp "$seeds"/* "$corpus"/
		if "$t" -max_total_time="${HAKO_FUZZ_SECONDS:-8}" -rss_limit_mb=2048 "$corpus" >"$log" 2>&1; then
			echo "ok - $name ($(grep -o 'Done [0-9]* runs' "$log"))" | tee -a /dev/null >"$log.tap"
		else
			echo "not ok - $name"
			tail -30 "$log"
			echo "not ok - $name" >"$log.tap"
		fi
		sed 's/^/  /' "$log.tap"
		cp "$log.tap" "$log"
		count_tap
		rm -rf "$corpus" "$log.tap"
	done
fi
((skipped)) && echo "($skipped skipped, each with its reason above)"
echo "$passed passed, $failed failed"
((failed == 0))
