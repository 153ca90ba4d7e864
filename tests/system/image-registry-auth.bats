#!/usr/bin/env bats
# Registry authentication: Basic (docker-registry with htpasswd), Bearer
# tokens (the fake registry's realm), login/logout and auth files.

load helpers
load image-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	image_setup_file
	export BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR
	start_registry auth test:secret
	local oci=$BATS_FILE_TMPDIR/oci md ms
	oci_init "$oci"
	gzip -c "$BUSYBOX_TAR" >"$BATS_FILE_TMPDIR/bb.tar.gz"
	read -r md ms < <(oci_image "$oci" amd64 "$BATS_FILE_TMPDIR/bb.tar.gz")
	oci_tag "$oci" bb application/vnd.oci.image.manifest.v1+json "$md" "$ms"
	push_oci "$oci" bb "$REGISTRY_AUTH/private/bb:1" --dest-creds test:secret
	start_fake_registry bearer bearer "$oci"
}

teardown_file() {
	stop_registries
	image_teardown_file
}

setup() {
	rm -rf "$HAKO_ROOT"
	export REGISTRY_AUTH_FILE=$BATS_TEST_TMPDIR/auth.json
	export HOME=$BATS_TEST_TMPDIR/home XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
	mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
}
teardown() { image_teardown; }

@test "basic auth: 401 without credentials names the image, nothing stored" {
	run -125 hk pull --tls-verify=false "$REGISTRY_AUTH/private/bb:1"
	[[ "$output" == *"pull \`$REGISTRY_AUTH/private/bb:1\`"* ]]
	[[ "$output" == *"401"* && "$output" == *"hako login"* ]]
	[ -z "$(hk images -q)" ]
	assert_store_clean
}

@test "login with a wrong password fails and stores nothing" {
	run -125 hk login --tls-verify=false -u test -p wrong "$REGISTRY_AUTH"
	[[ "$output" == *"wrong user name or password"* ]]
	[ ! -e "$REGISTRY_AUTH_FILE" ]
}

@test "login stores credentials in auth.json, pull uses them, logout removes them" {
	echo secret | hk login --tls-verify=false -u test --password-stdin "$REGISTRY_AUTH"
	[ "$(stat -c %a "$REGISTRY_AUTH_FILE")" = 600 ]
	jq -e --arg r "$REGISTRY_AUTH" '.auths[$r].auth == ("test:secret" | @base64)' "$REGISTRY_AUTH_FILE"
	hk pull -q --tls-verify=false "$REGISTRY_AUTH/private/bb:1"
	run -0 hk logout "$REGISTRY_AUTH"
	[[ "$output" == *"Removed login credentials for $REGISTRY_AUTH"* ]]
	jq -e '.auths == {}' "$REGISTRY_AUTH_FILE"
	hk rmi "$REGISTRY_AUTH/private/bb:1"
	run -125 hk pull --tls-verify=false "$REGISTRY_AUTH/private/bb:1"
	run -125 hk logout "$REGISTRY_AUTH"
	[[ "$output" == *"not logged in"* ]]
}

@test "login asks for the user and the password on a terminal" {
	printf 'test\nsecret\n' | script -q -e -c "$HAKO --root $HAKO_ROOT login --tls-verify=false $REGISTRY_AUTH" /dev/null >"$BATS_TEST_TMPDIR/out"
	grep -q 'Username:' "$BATS_TEST_TMPDIR/out"
	grep -q 'Login Succeeded' "$BATS_TEST_TMPDIR/out"
	jq -e --arg r "$REGISTRY_AUTH" '.auths[$r].auth == ("test:secret" | @base64)' "$REGISTRY_AUTH_FILE"
}

@test "--creds, and Docker's ~/.docker/config.json" {
	hk pull -q --tls-verify=false --creds test:secret "$REGISTRY_AUTH/private/bb:1"
	hk rmi "$REGISTRY_AUTH/private/bb:1"
	unset REGISTRY_AUTH_FILE
	mkdir -p "$HOME/.docker"
	jq -n --arg r "$REGISTRY_AUTH" '{auths: {($r): {auth: ("test:secret" | @base64)}}}' >"$HOME/.docker/config.json"
	hk pull -q --tls-verify=false "$REGISTRY_AUTH/private/bb:1"
}

@test "Docker credential helpers (credHelpers) are asked for the registry" {
	unset REGISTRY_AUTH_FILE
	mkdir -p "$HOME/.docker" "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/docker-credential-hakotest" <<'SH'
#!/bin/sh
read -r server
echo "$server" >>"$HOME/helper-calls"
[ "$1" = get ] && printf '{"ServerURL":"%s","Username":"test","Secret":"secret"}' "$server"
SH
	chmod +x "$BATS_TEST_TMPDIR/bin/docker-credential-hakotest"
	jq -n --arg r "$REGISTRY_AUTH" '{credHelpers: {($r): "hakotest"}}' >"$HOME/.docker/config.json"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH hk pull -q --tls-verify=false "$REGISTRY_AUTH/private/bb:1"
	grep -qx "$REGISTRY_AUTH" "$HOME/helper-calls"
}

@test "bearer tokens: the realm's token for Basic credentials, then the registry" {
	run -125 hk pull --tls-verify=false "$FAKE_BEARER/any/bb:bb"
	[[ "$output" == *"401"* ]]
	run -125 hk pull --tls-verify=false --creds test:wrong "$FAKE_BEARER/any/bb:bb"
	[[ "$output" == *"get a token"* && "$output" == *"wrong credentials"* ]]
	hk login --tls-verify=false -u test -p secret "$FAKE_BEARER"
	run -0 hk pull --tls-verify=false "$FAKE_BEARER/any/bb:bb"
	[[ "$output" == *"Pull complete"* ]]
	assert_store_clean
}
