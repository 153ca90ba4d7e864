# SPDX-License-Identifier: Apache-2.0
# What the build*.bats files share: a context directory per test ($CTX),
# its Containerfile, and builds without a network.
load engine-helpers

# build_setup: engine_setup and an empty context in $CTX.
build_setup() {
	engine_setup
	CTX=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$CTX"
}

# hkb ARGS...: a build without a network (no CNI needed for most tests).
hkb() {
	hk build --network none "$@"
}

# cf TEXT: the context's Containerfile.
cf() {
	printf '%s\n' "$1" >"$CTX/Containerfile"
}
