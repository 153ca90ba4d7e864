#!/usr/bin/env bats
# hako pull against Debian's docker-registry, fed by skopeo: images hako
# did not write.  Single platform, a two-platform index, several layers
# with whiteouts, zstd, pull by digest, layers shared between images.

load helpers
load image-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	require_tools zstd curl
	image_setup_file
	start_registry open
	local oci=$BATS_FILE_TMPDIR/oci md ms
	export BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR
	oci_init "$oci"
	gzip -c "$BUSYBOX_TAR" >"$BATS_FILE_TMPDIR/bb.tar.gz"
	zstd -q -c "$BUSYBOX_TAR" >"$BATS_FILE_TMPDIR/bb.tar.zst"

	read -r md ms < <(oci_image "$oci" amd64 "$BATS_FILE_TMPDIR/bb.tar.gz")
	oci_tag "$oci" single application/vnd.oci.image.manifest.v1+json "$md" "$ms"
	push_oci "$oci" single "$REGISTRY_OPEN/test/single:1"

	# two platforms: the arm64 image has a layer of its own
	make_layer_tar "$BATS_FILE_TMPDIR/arm.tar" etc/arch "arm64"
	local amd arm amds arms
	read -r amd amds < <(OCI_CMD=hush oci_image "$oci" amd64 "$BATS_FILE_TMPDIR/bb.tar.gz")
	read -r arm arms < <(oci_image "$oci" arm64 "$BATS_FILE_TMPDIR/bb.tar.gz" "$BATS_FILE_TMPDIR/arm.tar")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"os":"linux","architecture":"amd64"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]}' \
		"$amd" "$amds" "$arm" "$arms" >"$BATS_FILE_TMPDIR/index.json"
	local idx
	idx=$(oci_add_blob "$oci" "$BATS_FILE_TMPDIR/index.json")
	oci_tag "$oci" multi application/vnd.oci.image.index.v1+json "$idx" "$(stat -c %s "$BATS_FILE_TMPDIR/index.json")"
	push_oci "$oci" multi "$REGISTRY_OPEN/test/multi:1"
	# skopeo may rewrite the index: ask the registry for its digest
	MULTI_INDEX=$(curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' \
		"http://$REGISTRY_OPEN/v2/test/multi/manifests/1" | sha256sum | cut -d' ' -f1)
	export MULTI_INDEX=sha256:$MULTI_INDEX

	# whiteouts: the second layer deletes a file and replaces a directory
	local l1=$BATS_FILE_TMPDIR/l1 l2=$BATS_FILE_TMPDIR/l2
	mkdir -p "$l1/d" "$l2/d"
	echo a >"$l1/gone"
	echo keep >"$l1/kept"
	echo x >"$l1/d/old"
	: >"$l2/.wh.gone"
	: >"$l2/d/.wh..wh..opq"
	echo z >"$l2/d/new"
	tar -C "$l1" -czf "$BATS_FILE_TMPDIR/l1.tar.gz" .
	tar -C "$l2" -cf - . | zstd -q -c >"$BATS_FILE_TMPDIR/l2.tar.zst"
	read -r md ms < <(oci_image "$oci" amd64 "$BATS_FILE_TMPDIR/bb.tar.gz" "$BATS_FILE_TMPDIR/l1.tar.gz" "$BATS_FILE_TMPDIR/l2.tar.zst")
	oci_tag "$oci" whiteouts application/vnd.oci.image.manifest.v1+json "$md" "$ms"
	push_oci "$oci" whiteouts "$REGISTRY_OPEN/test/whiteouts:1"

	# zstd only, and the docker schema2 form of the single image
	read -r md ms < <(OCI_CMD=ash oci_image "$oci" amd64 "$BATS_FILE_TMPDIR/bb.tar.zst")
	oci_tag "$oci" zstd application/vnd.oci.image.manifest.v1+json "$md" "$ms"
	push_oci "$oci" zstd "$REGISTRY_OPEN/test/zstd:1"
	push_oci "$oci" single "$REGISTRY_OPEN/test/docker:1" --format v2s2
}

teardown_file() {
	stop_registries
	image_teardown_file
}

setup() { rm -rf "$HAKO_ROOT"; }
teardown() { image_teardown; }

@test "pull of a single-platform image over plain HTTP with --tls-verify=false" {
	run -0 hk pull --tls-verify=false "$REGISTRY_OPEN/test/single:1"
	[[ "${lines[-1]}" == "$REGISTRY_OPEN/test/single:1" ]]
	[[ "$output" == *"Pull complete"* && "$output" == *"Status: Downloaded newer image"* ]]
	run -0 hk image inspect "$REGISTRY_OPEN/test/single:1"
	echo "$output" | jq -e '.[0].Config.Cmd == ["sh"] and .[0].Architecture == "amd64"'
	echo "$output" | jq -e --arg r "$REGISTRY_OPEN/test/single" '.[0].RepoDigests[0] | startswith($r + "@sha256:")'
	merged=$(hk image mount --name s "$REGISTRY_OPEN/test/single:1")
	cmp "$merged/bin/busybox" /bin/busybox
	hk image unmount s
	assert_store_clean
	# again: nothing to download
	run -0 hk pull --tls-verify=false "$REGISTRY_OPEN/test/single:1"
	[[ "$output" == *"Already exists"* && "$output" == *"Image is up to date"* ]]
}

@test "plain HTTP needs --tls-verify=false or an insecure registry in registries.json" {
	run -125 hk pull "$REGISTRY_OPEN/test/single:1"
	[[ "$output" == *"pull \`$REGISTRY_OPEN/test/single:1\`"* ]]
	[[ "$output" == *"--tls-verify=false"* ]]
	[ -z "$(hk images -q)" ]
	echo "{\"registries\": {\"$REGISTRY_OPEN\": {\"insecure\": true}}}" >"$HAKO_REGISTRIES_CONF"
	hk pull -q "$REGISTRY_OPEN/test/single:1"
	rm "$HAKO_REGISTRIES_CONF"
}

@test "a two-platform index: the host's platform by default, --platform picks another" {
	run -0 hk pull --tls-verify=false "$REGISTRY_OPEN/test/multi:1"
	[ "$(hk image inspect --format '{{.Architecture}}' "$REGISTRY_OPEN/test/multi:1")" = amd64 ]
	# the digest it was pulled by is the index's
	hk image inspect "$REGISTRY_OPEN/test/multi:1" | jq -e --arg d "$MULTI_INDEX" '.[0].RepoDigests == ["\($ENV.REGISTRY_OPEN)/test/multi@\($d)"]'
	run -0 hk pull --tls-verify=false --platform linux/arm64 "$REGISTRY_OPEN/test/multi:1"
	run -0 hk image inspect "$REGISTRY_OPEN/test/multi:1"
	echo "$output" | jq -e '.[0].Architecture == "arm64" and (.[0].RootFS.Layers | length) == 2'
	run -125 hk pull --tls-verify=false --platform linux/s390x "$REGISTRY_OPEN/test/multi:1"
	[[ "$output" == *"no manifest for platform linux/s390x (the index has: linux/amd64, linux/arm64)"* ]]
}

@test "several layers with whiteouts (gzip and zstd) give the right root filesystem" {
	hk pull -q --tls-verify=false "$REGISTRY_OPEN/test/whiteouts:1"
	merged=$(hk image mount --name w "$REGISTRY_OPEN/test/whiteouts:1")
	[ ! -e "$merged/gone" ]
	[ "$(cat "$merged/kept")" = keep ]
	[ "$(ls "$merged/d")" = new ]
	[ -x "$merged/bin/busybox" ]
	hk image unmount w
	[ "$(ls "$HAKO_ROOT/layers" | wc -l)" = 3 ]
}

@test "zstd layers, Docker schema2 manifests, pull by digest" {
	hk pull -q --tls-verify=false "$REGISTRY_OPEN/test/zstd:1"
	hk pull -q --tls-verify=false "$REGISTRY_OPEN/test/docker:1"
	hk image inspect --format '{{.ManifestMediaType}}' "$REGISTRY_OPEN/test/docker:1" | grep -qx application/vnd.docker.distribution.manifest.v2+json
	digest=$(hk image inspect --format '{{.ManifestDigest}}' "$REGISTRY_OPEN/test/zstd:1")
	hk rmi "$REGISTRY_OPEN/test/zstd:1"
	run -0 hk pull --tls-verify=false "$REGISTRY_OPEN/test/zstd@$digest"
	[ "${lines[-1]}" = "$REGISTRY_OPEN/test/zstd@$digest" ]
	run -0 hk images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' "$REGISTRY_OPEN/test/zstd"
	[ "$output" = "$REGISTRY_OPEN/test/zstd <none> $digest" ]
	hk image inspect "$REGISTRY_OPEN/test/zstd@$digest" >/dev/null
}

@test "a layer another image has is not downloaded again" {
	hk pull -q --tls-verify=false "$REGISTRY_OPEN/test/single:1"
	run -0 hk pull --tls-verify=false "$REGISTRY_OPEN/test/whiteouts:1"
	# busybox is shared: one download complete for each of the two new layers
	[ "$(grep -c 'Already exists' <<<"$output")" = 1 ]
	[ "$(grep -c 'Download complete' <<<"$output")" = 2 ]
}

@test "errors: a tag that does not exist, a repository that does not exist" {
	run -125 hk pull --tls-verify=false "$REGISTRY_OPEN/test/single:nope"
	[[ "$output" == *"pull \`$REGISTRY_OPEN/test/single:nope\`"* && "$output" == *"MANIFEST_UNKNOWN"* ]]
	run -125 hk pull --tls-verify=false "$REGISTRY_OPEN/no/such:1"
	[[ "$output" == *"404"* ]]
	assert_store_clean
}

@test "short names: each registry of the search list in turn, for pull and for lookups" {
	dead=127.0.0.1:$(free_port)
	echo "{\"unqualified-search-registries\": [\"$dead\", \"$REGISTRY_OPEN\"]}" >"$HAKO_REGISTRIES_CONF"
	run -0 hk pull --tls-verify=false test/single:1
	[ "${lines[-1]}" = "$REGISTRY_OPEN/test/single:1" ]
	# the short name finds the local image through the same list
	hk image inspect test/single:1 >/dev/null
	run -125 hk pull --tls-verify=false test/nothing:1
	[[ "$output" == *"pull \`$dead/test/nothing:1\`"* && "$output" == *"pull \`$REGISTRY_OPEN/test/nothing:1\`"* ]]
	rm "$HAKO_REGISTRIES_CONF"
}
