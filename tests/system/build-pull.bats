#!/usr/bin/env bats
# hako build --pull against a private docker-registry on 127.0.0.1: the
# image a FROM (or COPY --from) names is pulled when missing, always,
# never, or when newer with the store's as the fallback.

bats_require_minimum_version 1.5.0
load image-helpers
load build-helpers

setup_file() {
	engine_setup_file
	start_registry open
	hk push -q --tls-verify=false busybox "$REGISTRY_OPEN/lib/base:1"
}

teardown_file() {
	stop_registries
	engine_teardown_file
}

setup() { build_setup; }
teardown() { engine_teardown; }

# hkb ARGS...: build-helpers' build, against the test's plain-HTTP registry.
hkb() {
	hk build --network none --tls-verify=false "$@"
}

@test "--pull=never, missing, always, newer and a bare --pull against a registry" {
	printf 'FROM %s\nRUN (cat /marker 2>/dev/null || echo none) >/seen\n' "$REGISTRY_OPEN/lib/base:1" \
		>"$CTX/Containerfile"
	run -125 hkb --pull=never "$CTX"
	[[ $output == *"is not in the store, and --pull=never"* ]]
	# missing (the default): pulled, since the store lacks it.
	run -0 hkb -t p1 "$CTX"
	[[ $output == *"Pulling $REGISTRY_OPEN/lib/base:1"* ]]
	[ "$(hk run --rm --network none p1 cat /seen)" = none ]
	# A newer image under the same name in the registry.
	printf 'FROM busybox\nRUN echo v2 >/marker\n' | hk build --network none -q -t base2 - >/dev/null
	hk push -q --tls-verify=false base2 "$REGISTRY_OPEN/lib/base:1"
	run -0 hkb -t p2 "$CTX"
	[[ $output != *"Pulling"* ]]
	[ "$(hk run --rm --network none p2 cat /seen)" = none ]
	run -0 hkb --pull=always -t p3 "$CTX"
	[[ $output == *"Pulling $REGISTRY_OPEN/lib/base:1"* ]]
	[ "$(hk run --rm --network none p3 cat /seen)" = v2 ]
	run -0 hkb --pull -t p3 "$CTX"
	[[ $output == *"Pulling"* ]]
	[ "$(grep -c -- '--> Using cache' <<<"$output")" -eq 1 ]
	# The registry gone: always fails, newer falls back on the store's.
	stop_registries
	run -125 hkb --pull=always "$CTX"
	[[ $output == *"pull \`$REGISTRY_OPEN/lib/base:1\`"* ]]
	run -0 hkb --pull=newer -t p4 "$CTX"
	[[ $output == *"using the store's"* ]]
	[ "$(hk run --rm --network none p4 cat /seen)" = v2 ]
	run -125 hkb --pull=sometimes "$CTX"
	[[ $output == *"--pull=sometimes: always, missing, never or newer"* ]]
}

@test "COPY --from an image the store lacks pulls it" {
	start_registry tools
	hk push -q --tls-verify=false busybox "$REGISTRY_TOOLS/lib/tools:2"
	printf 'FROM busybox\nCOPY --from=%s /bin/busybox /copied\n' "$REGISTRY_TOOLS/lib/tools:2" \
		>"$CTX/Containerfile"
	run -0 hkb -t cf "$CTX"
	[[ $output == *"Pulling $REGISTRY_TOOLS/lib/tools:2"* ]]
	hk run --rm --network none cf test -x /copied
	stop_registries
}
