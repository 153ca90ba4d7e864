# SPDX-License-Identifier: Apache-2.0
# Shared by the benchmarks (sourced).
# shellcheck shell=bash

# quietly COMMAND...: runs COMMAND with its output kept back; when it fails,
# says which command failed, shows the output and returns its status, so a
# benchmark never stops (set -e) or goes on without saying why.
quietly() {
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	((rc == 0)) && return 0
	printf '%s: failed (status %d): %s\n%s\n' "${0##*/}" "$rc" "$*" "$out" >&2
	return "$rc"
}

# tidy COMMAND...: a cleanup step: its failure is reported, never fatal.
tidy() { quietly "$@" || true; }
