#!/bin/bash
# The README's second command: installs what is needed, builds hako twice
# (release, and with AddressSanitizer + UndefinedBehaviorSanitizer), runs
# the cmocka unit tests and the bats system tests against both builds and
# a short run of every libFuzzer target, and ends with one line:
# "N passed, N failed".
#
#   tests/run.sh [--no-asan] [--no-fuzz] [--unit] [--system] [FILE.bats...]
#
#   --no-asan  the release build only
#   --no-fuzz  no libFuzzer runs
#   --unit     the unit tests only;  --system  the system tests only
#   FILE.bats  these system test files only (no unit tests, no fuzzing)
#
# Results stream as they come: every TAP line, then a line per file or
# program with its counts and time.  A test that did not run (its file's
# setup_file failed, its program crashed) counts as failed, by name.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
top=$PWD
started=$SECONDS

asan=1 unit=1 system=1 fuzz=1 files=()
while (($#)); do
	case $1 in
	--no-asan) asan=0 ;;
	--no-fuzz) fuzz=0 ;;
	--unit) system=0 fuzz=0 ;;
	--system) unit=0 fuzz=0 ;;
	-*)
		echo "usage: tests/run.sh [--no-asan] [--no-fuzz] [--unit] [--system] [FILE.bats...]" >&2
		exit 2
		;;
	*) files+=("$1") unit=0 fuzz=0 ;;
	esac
	shift
done
((${#files[@]})) || files=(tests/system/*.bats)

passed=0 failed=0 skipped=0 lock_wait=0

# finish: the totals line, and the exit status.
finish() {
	((skipped)) && echo "($skipped skipped, each with its reason above)"
	echo "tests/run.sh: $((SECONDS - started)) s, $lock_wait s of it waiting for the system-test lock"
	echo "$passed passed, $failed failed"
	((failed == 0))
	exit
}

# prepare STEP COMMAND...: a step without which nothing can be tested;
# its failure is the run's only result.
prepare() {
	local what=$1
	shift
	echo "== $what"
	"$@" && return 0
	echo "not ok - $what failed (its output is above)"
	failed=$((failed + 1))
	finish
}

prepare "scripts/install-deps.sh test" scripts/install-deps.sh test
build_args=()
((asan)) && build_args+=(--asan)
((fuzz)) && build_args+=(--fuzz)
prepare "scripts/build.sh ${build_args[*]}" scripts/build.sh "${build_args[@]}"

builds=(build)
((asan)) && builds+=(build-asan)

# Leaks are failures too; UBSan stops at the first report.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=98

log=$(mktemp /tmp/hako-tests.XXXXXX)
trap 'rm -f "$log"' EXIT

# stream LABEL COMMAND...: runs COMMAND, its output indented as it comes
# and kept in $log; then counts it (see count).
stream() {
	local label=$1 t0=$SECONDS rc
	shift
	"$@" 2>&1 | tee "$log" | sed -u 's/^/  /'
	rc=${PIPESTATUS[0]}
	count "$label" "$rc" "$((SECONDS - t0))"
}

# count LABEL STATUS SECONDS [NAMES-FILE]: adds the TAP results in $log to
# the totals.  Tests of the plan (1..N) that printed no result did not
# run: each counts as failed, by name when NAMES-FILE lists the names in
# plan order.  A non-zero status with no failure to show for it counts
# as one.  Prints a line for LABEL.
count() {
	local label=$1 rc=$2 secs=$3 names=${4:-}
	local summary
	summary=$(awk -v label="$label" -v rc="$rc" -v names="$names" '
		/^1\.\.[0-9]+$/ && !plan { plan = substr($0, 4) + 0 }
		/^ok / { ran[$2] = 1; if ($0 ~ / # [Ss][Kk][Ii][Pp]/) skip++; else ok++ }
		/^not ok [0-9]+ setup_file failed/ { setup_failed = 1; next }
		/^not ok / { if ($0 !~ /^not ok [0-9]+ teardown_file failed/) ran[$3] = 1; notok++ }
		END {
			if (names != "") { n = 0; while ((getline line < names) > 0) name[++n] = line }
			if (!plan) plan = n   # no plan printed: bats could not even start
			for (i = 1; i <= plan; i++) {
				if (i in ran) continue
				notrun++
				printf "  not ok - %s: %s did not run%s\n", label,
					(n == plan ? "\"" name[i] "\"" : "test " i),
					(setup_failed ? " (setup_file failed)" : "")
			}
			if (rc != 0 && notok + notrun == 0) {
				printf "  not ok - %s exited with status %d\n", label, rc
				notok++
			}
			printf "SUMMARY %d %d %d\n", ok, notok + notrun, skip
		}' "$log")
	local line=${summary##*$'\n'}
	[ "$line" = "$summary" ] || echo "${summary%$'\n'*}"
	read -r _ p f s <<<"$line"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	echo "  -- $label: $p passed, $f failed, $s skipped ($secs s)"
}

# system_tests_lock: the machine-wide lock of the system tests (they share
# cgroups, mounts and firewall rules), /run/hako-system-tests.lock of the
# machine.  A root entered with chroot or pivot_root that shares the
# machine's processes (../shared/tools/fresh-debian) has a /run of its
# own: the lock is then reached through the nearest ancestor process that
# has another root, as /proc/PID/root/run/hako-system-tests.lock.
system_tests_lock() {
	local pid=$$ here there
	here=$(stat -L -c %d:%i /)
	while pid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status") && ((pid > 1)); do
		# an ancestor whose root this process may not see: stop there
		there=$(stat -L -c %d:%i "/proc/$pid/root/" 2>/dev/null) || break
		if [ "$there" != "$here" ]; then
			echo "/proc/$pid/root/run/hako-system-tests.lock"
			return
		fi
	done
	echo /run/hako-system-tests.lock
}

for b in "${builds[@]}"; do
	if ((unit)); then
		echo "== unit tests ($b)"
		for t in "$b"/tests/unit/test-*; do
			[ -f "$t" ] && [ -x "$t" ] || continue
			stream "$b/${t##*/}" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
		done
	fi
	if ((system)); then
		lock=$(system_tests_lock)
		echo "== system tests ($b), each file under $lock"
		names=$(mktemp /tmp/hako-tests-names.XXXXXX)
		locked=$(mktemp /tmp/hako-tests-locked.XXXXXX)
		for f in "${files[@]}"; do
			sed -nE "s/^@test +([\"'])(.*)\\1 *\\{.*\$/\\2/p" "$f" >"$names"
			flock -n "$lock" true || echo "  (waiting for $lock)"
			t0=$SECONDS asked=$(date +%s)
			: >"$locked"
			# -o: the lock's fd is not inherited, so no container a
			# test leaves behind can hold it.  $locked: when it was got.
			HAKO_BUILD=$top/$b flock -o "$lock" sh -c 'date +%s >"$0" && exec "$@"' "$locked" \
				bats --tap --timing "$f" 2>&1 | tee "$log" | sed -u 's/^/  /'
			rc=${PIPESTATUS[0]}
			got=$(cat "$locked")
			waited=$((${got:-$asked} - asked))
			lock_wait=$((lock_wait + waited))
			((waited < 2)) || echo "  (waited $waited s for the lock)"
			count "$b: ${f##*/}" "$rc" "$((SECONDS - t0 - waited))" "$names"
		done
		rm -f "$names" "$locked"
	fi
done

# A short run of every libFuzzer target over its seed corpus: crashes on
# the seeds or on what the fuzzer finds in a few seconds fail the suite.
# fuzz_smoke TARGET: one run, libFuzzer's output shown when it fails.
# shellcheck disable=SC2317 # run through stream
fuzz_smoke() {
	local t=$1 name=${1##*/} corpus out rc=0
	corpus=$(mktemp -d /tmp/hako-fuzz.XXXXXX)
	if [ -d "tests/fuzz/corpus/${name#fuzz-}" ]; then
		cp "tests/fuzz/corpus/${name#fuzz-}"/* "$corpus"/
	fi
	out=$("$t" -max_total_time="${HAKO_FUZZ_SECONDS:-8}" -rss_limit_mb=2048 "$corpus" 2>&1) || rc=$?
	rm -rf "$corpus"
	echo "1..1"
	if ((rc == 0)); then
		echo "ok 1 $name ($(grep -o 'Done [0-9]* runs' <<<"$out"))"
	else
		echo "not ok 1 $name (status $rc)"
		tail -30 <<<"$out"
	fi
}
if ((fuzz)); then
	echo "== fuzz smoke runs (build-fuzz)"
	for t in build-fuzz/tests/fuzz/fuzz-*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		stream "${t##*/}" fuzz_smoke "$t"
	done
fi
finish
