#!/usr/bin/env bats
# hako push to docker-registry, checked with skopeo (a reader that is not
# hako): monolithic and chunked uploads, existing blobs skipped, auth.

load helpers
load image-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	require_tools skopeo
	image_setup_file
	start_registry open
	start_registry auth test:secret
}

teardown_file() {
	stop_registries
	image_teardown_file
}

setup() { rm -rf "$HAKO_ROOT"; }
teardown() { image_teardown; }

@test "push uploads the blobs and the manifest; skopeo reads the image back" {
	id=$(import_busybox localbb)
	run -0 hk push --tls-verify=false localbb "$REGISTRY_OPEN/pushed/bb:v1"
	digest=$(hk image inspect --format '{{.ManifestDigest}}' localbb)
	[[ "$output" == *"Pushed"* && "${lines[-1]}" == "v1: digest: $digest" ]]
	# the config arrives byte for byte: its digest is still the image ID
	config=$(skopeo inspect --tls-verify=false --raw --config "docker://$REGISTRY_OPEN/pushed/bb:v1" | sha256sum | cut -d' ' -f1)
	[ "sha256:$config" = "$id" ]
	skopeo copy -q --src-tls-verify=false "docker://$REGISTRY_OPEN/pushed/bb:v1" "dir:$BATS_TEST_TMPDIR/copy"
	[ "sha256:$(sha256sum <"$BATS_TEST_TMPDIR/copy/manifest.json" | cut -d' ' -f1)" = "$digest" ]
	hk image inspect localbb | jq -e --arg r "$REGISTRY_OPEN/pushed/bb@$digest" '.[0].RepoDigests == [$r]'
	# a second push finds every blob there
	run -0 hk push --tls-verify=false localbb "$REGISTRY_OPEN/pushed/bb:v2"
	[ "$(grep -c 'Layer already exists' <<<"$output")" = 2 ]
}

@test "chunked upload of a blob larger than the chunk size" {
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/random"
	tar -C "$BATS_TEST_TMPDIR" -cf "$BATS_TEST_TMPDIR/big.tar" random
	hk import "$BATS_TEST_TMPDIR/big.tar" big
	export HAKO_PUSH_CHUNK_SIZE=1000000
	run -0 hk --log-level debug push --tls-verify=false big "$REGISTRY_OPEN/pushed/big:1"
	[[ "$output" == *"uploaded in 4 chunks"* ]]
	skopeo copy -q --src-tls-verify=false "docker://$REGISTRY_OPEN/pushed/big:1" "dir:$BATS_TEST_TMPDIR/big"
	layer=$(jq -r '.layers[0].digest' "$BATS_TEST_TMPDIR/big/manifest.json")
	cmp "$BATS_TEST_TMPDIR/big/${layer#sha256:}" "$BATS_TEST_TMPDIR/big.tar"
	# and hako pulls it back into an empty store
	rm -rf "$HAKO_ROOT"
	hk pull -q --tls-verify=false "$REGISTRY_OPEN/pushed/big:1"
	merged=$(hk image mount --name big "$REGISTRY_OPEN/pushed/big:1")
	cmp "$merged/random" "$BATS_TEST_TMPDIR/random"
	hk image unmount big
}

@test "push to a registry with Basic auth: refused without credentials, works with them" {
	import_busybox bb
	run -125 hk push --tls-verify=false bb "$REGISTRY_AUTH/private/bb:1"
	[[ "$output" == *"push \`$REGISTRY_AUTH/private/bb:1\`"* && "$output" == *"401"* ]]
	hk push -q --tls-verify=false --creds test:secret bb "$REGISTRY_AUTH/private/bb:1"
	skopeo inspect --tls-verify=false --creds test:secret "docker://$REGISTRY_AUTH/private/bb:1" >/dev/null
}

@test "push of a name the store does not have fails with 125" {
	run -125 hk push --tls-verify=false nothere "$REGISTRY_OPEN/x:1"
	[[ "$output" == *"no such image: nothere"* ]]
}
