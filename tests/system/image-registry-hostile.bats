#!/usr/bin/env bats
# A registry that lies or misbehaves: each case fails with an error that
# names the image and the blob, exit 125, and nothing unverified in the
# store.  One regression test per defence.

load helpers
load image-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	image_setup_file
	export BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR
	local oci=$BATS_FILE_TMPDIR/oci md ms
	oci_init "$oci"
	gzip -c "$BUSYBOX_TAR" >"$BATS_FILE_TMPDIR/bb.tar.gz"
	read -r md ms < <(oci_image "$oci" amd64 "$BATS_FILE_TMPDIR/bb.tar.gz")
	oci_tag "$oci" bb application/vnd.oci.image.manifest.v1+json "$md" "$ms"
	export LAYER=$(jq -r '.layers[0].digest' "$oci/blobs/sha256/${md#sha256:}")
	export OCI=$oci

	# a layer of a media type no runtime unpacks
	local weird=$BATS_FILE_TMPDIR/weird.json
	jq '.layers[0].mediaType = "application/vnd.example.not-a-layer"' "$oci/blobs/sha256/${md#sha256:}" >"$weird"
	oci_tag "$oci" weird application/vnd.oci.image.manifest.v1+json "$(oci_add_blob "$oci" "$weird")" "$(stat -c %s "$weird")"

	# a config whose DiffID does not match the layer
	local cfgd cfg=$BATS_FILE_TMPDIR/lying-config.json lying=$BATS_FILE_TMPDIR/lying.json
	cfgd=$(jq -r '.config.digest' "$oci/blobs/sha256/${md#sha256:}")
	jq '.rootfs.diff_ids[0] = "sha256:0000000000000000000000000000000000000000000000000000000000000000"' \
		"$oci/blobs/sha256/${cfgd#sha256:}" >"$cfg"
	cfgd=$(oci_add_blob "$oci" "$cfg")
	jq --arg d "$cfgd" --argjson s "$(stat -c %s "$cfg")" '.config.digest = $d | .config.size = $s' \
		"$oci/blobs/sha256/${md#sha256:}" >"$lying"
	oci_tag "$oci" lying application/vnd.oci.image.manifest.v1+json "$(oci_add_blob "$oci" "$lying")" "$(stat -c %s "$lying")"
}

teardown_file() {
	stop_registries
	image_teardown_file
}

setup() { rm -rf "$HAKO_ROOT"; }
teardown() { image_teardown; }

# pull_from MODE TAG: a pull from a fake registry in MODE.
pull_from() {
	start_fake_registry "$1" "$1" "$OCI"
	local var=FAKE_${1^^}
	var=${var//-/_}
	run hk pull --tls-verify=false "${!var}/test/bb:$2"
	stop_fake_registry "$1"
}

@test "blob whose digest does not match: refused, named, not stored" {
	pull_from bad-digest bb
	[ "$status" = 125 ]
	[[ "$output" == *"pull \`"*"/test/bb:bb\`"* ]]
	[[ "$output" == *"blob $LAYER: content has digest sha256:"*"refused"* ]]
	[ ! -e "$HAKO_ROOT/blobs/sha256/${LAYER#sha256:}" ]
	[ -z "$(hk images -q)" ]
	assert_store_clean
}

@test "endless body: cut at the size the manifest declares" {
	pull_from endless bb
	[ "$status" = 125 ]
	[[ "$output" == *"blob $LAYER: more than the"*"bytes its descriptor declares"* ]]
	assert_store_clean
}

@test "truncated body: retried, then refused as truncated" {
	pull_from truncate bb
	[ "$status" = 125 ]
	[[ "$output" == *"blob $LAYER: GET failed after retries"* ]]
	[ ! -e "$HAKO_ROOT/blobs/sha256/${LAYER#sha256:}" ]
	assert_store_clean
}

@test "a registry that stalls: the transfer times out, the pull fails" {
	export HAKO_REGISTRY_TIMEOUT=1
	start=$(date +%s)
	pull_from stall bb
	[ "$status" = 125 ]
	[ $(($(date +%s) - start)) -lt 20 ]
	[[ "$output" == *"the registry stalls"* ]]
	[[ "$output" == *"blob $LAYER"* ]]
	assert_store_clean
}

@test "manifest too large: refused before parsing" {
	pull_from huge-manifest bb
	[ "$status" = 125 ]
	[[ "$output" == *"manifests/bb: response larger than 4194304 bytes: refused"* ]]
	assert_store_clean
}

@test "unknown layer media type: refused, the blob named" {
	pull_from normal weird
	[ "$status" = 125 ]
	[[ "$output" == *"layer blob $LAYER has unsupported media type \`application/vnd.example.not-a-layer\`"* ]]
	assert_store_clean
}

@test "a config whose DiffID does not match the layer: refused, layer not stored" {
	pull_from normal lying
	[ "$status" = 125 ]
	[[ "$output" == *"layer $LAYER: uncompressed content has DiffID"*"refused"* ]]
	[ -z "$(ls "$HAKO_ROOT/layers")" ]
	[ -z "$(hk images -q)" ]
	assert_store_clean
}

@test "a body cut short is resumed with a Range request" {
	rm -f "$BATS_FILE_TMPDIR/registry-fake-resume/requests"
	start_fake_registry resume resume "$OCI"
	run hk pull --tls-verify=false "$FAKE_RESUME/test/bb:bb"
	requests=$(cat "$BATS_FILE_TMPDIR/registry-fake-resume/requests")
	stop_fake_registry resume
	[ "$status" = 0 ]
	# the first GET had no Range, the retry asked for the rest only
	[ "$(echo "$requests" | grep -c "^$LAYER -$")" = 1 ]
	echo "$requests" | grep -q "^$LAYER bytes=[1-9][0-9]*-$"
	assert_store_clean
}

@test "transient 503s are retried" {
	pull_from flaky bb
	[ "$status" = 0 ]
	[[ "$output" == *"Pull complete"* ]]
	assert_store_clean
}
