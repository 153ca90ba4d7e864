#!/usr/bin/env bats
# HTTPS, the default: a registry with a certificate from a private CA is
# refused until hako is given the CA (--cert-dir, or a certs.d directory
# per registry), or told not to verify (--tls-verify=false).

load helpers
load image-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	require_tools skopeo
	image_setup_file
	export BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR
	export CERTS=$BATS_FILE_TMPDIR/certs
	make_certificates "$CERTS"
	start_registry tls "" "$CERTS"
	local oci=$BATS_FILE_TMPDIR/oci md ms
	oci_init "$oci"
	gzip -c "$BUSYBOX_TAR" >"$BATS_FILE_TMPDIR/bb.tar.gz"
	read -r md ms < <(oci_image "$oci" amd64 "$BATS_FILE_TMPDIR/bb.tar.gz")
	oci_tag "$oci" bb application/vnd.oci.image.manifest.v1+json "$md" "$ms"
	mkdir -p "$BATS_FILE_TMPDIR/ca-only"
	cp "$CERTS/ca.crt" "$BATS_FILE_TMPDIR/ca-only/"
	push_oci "$oci" bb "$REGISTRY_TLS/tls/bb:1" --dest-cert-dir "$BATS_FILE_TMPDIR/ca-only"
}

teardown_file() {
	stop_registries
	image_teardown_file
}

setup() { rm -rf "$HAKO_ROOT"; }
teardown() { image_teardown; }

@test "an unknown CA is refused by default, with the registry named" {
	run -125 hk pull "$REGISTRY_TLS/tls/bb:1"
	[[ "$output" == *"registry \`$REGISTRY_TLS\`"* && "$output" == *"certificate"* ]]
	[ -z "$(hk images -q)" ]
}

@test "--cert-dir with the CA: verified HTTPS pull and push" {
	run -0 hk pull --cert-dir "$BATS_FILE_TMPDIR/ca-only" "$REGISTRY_TLS/tls/bb:1"
	[[ "$output" == *"Pull complete"* ]]
	hk push -q --cert-dir "$BATS_FILE_TMPDIR/ca-only" "$REGISTRY_TLS/tls/bb:1" "$REGISTRY_TLS/tls/copy:1"
	skopeo inspect --cert-dir "$BATS_FILE_TMPDIR/ca-only" "docker://$REGISTRY_TLS/tls/copy:1" >/dev/null
}

@test "certs.d/<registry>/ca.crt is found by registry name" {
	export HAKO_CERTS_D=$BATS_TEST_TMPDIR/certs.d
	mkdir -p "$HAKO_CERTS_D/$REGISTRY_TLS"
	cp "$CERTS/ca.crt" "$HAKO_CERTS_D/$REGISTRY_TLS/"
	hk pull -q "$REGISTRY_TLS/tls/bb:1"
}

@test "--tls-verify=false: HTTPS without verification" {
	hk pull -q --tls-verify=false "$REGISTRY_TLS/tls/bb:1"
}
