#!/usr/bin/env bats
# hako compose push and pull against Debian's docker-registry on
# 127.0.0.1 (insecure in this file's registries.json, as Docker treats a
# loopback registry): the services that are built here and name an image
# are pushed, the others not; a service of that image pulls it back.

load image-helpers
load network-helpers

setup_file() {
	network_setup_file
	start_registry open
	export HAKO_REGISTRIES_CONF=$BATS_FILE_TMPDIR/registries.json
	echo "{\"registries\": {\"$REGISTRY_OPEN\": {\"insecure\": true}}}" >"$HAKO_REGISTRIES_CONF"
}
teardown_file() {
	stop_registries
	network_teardown_file
}
setup() {
	network_setup
	P=$BATS_TEST_TMPDIR/app
	mkdir -p "$P"
	cd "$P"
}
teardown() { network_teardown; }

@test "compose push: the built services that name an image reach their registry; compose pull brings it back" {
	mkdir ctx ctx2
	printf 'FROM busybox\nLABEL hkc=pushed\n' >ctx/Dockerfile
	printf 'FROM busybox\nLABEL hkc=local\n' >ctx2/Dockerfile
	cat >compose.yaml <<YAML
name: hkreg
services:
  app: {build: ctx, image: "$REGISTRY_OPEN/hkreg/app:1", network_mode: none}
  unnamed: {build: ctx2, network_mode: none}
  plain: {image: busybox, network_mode: none}
YAML
	run hk compose build
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Service app  Built"* ]]
	run hk compose push
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Service app  Pushing"* ]]
	[[ "$output" != *"Service unnamed"* && "$output" != *"Service plain"* ]]
	# the registry holds app's image and nothing else
	[ "$(curl -sf "http://$REGISTRY_OPEN/v2/_catalog" | jq -c .repositories)" = '["hkreg/app"]' ]
	local id
	id=$(hk image inspect -f '{{.Id}}' "$REGISTRY_OPEN/hkreg/app:1")
	hk rmi "$REGISTRY_OPEN/hkreg/app:1" >/dev/null
	run hk image inspect "$REGISTRY_OPEN/hkreg/app:1"
	[ "$status" -ne 0 ]
	# a service that only names the image pulls it: the same image
	cat >compose.yaml <<YAML
name: hkreg
services:
  consumer: {image: "$REGISTRY_OPEN/hkreg/app:1", network_mode: none}
YAML
	run hk compose pull -q
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ -z "$output" ] || { echo "output: $output"; false; } # -q: no progress lines
	[ "$(hk image inspect -f '{{.Id}}' "$REGISTRY_OPEN/hkreg/app:1")" = "$id" ]
	[ "$(hk image inspect -f '{{json .Config.Labels}}' "$REGISTRY_OPEN/hkreg/app:1" | jq -r .hkc)" = pushed ]
	hk rmi "$REGISTRY_OPEN/hkreg/app:1" hkreg-unnamed >/dev/null
}

@test "compose push to a registry that does not answer: the service named, exit 1; --ignore-push-failures goes on" {
	local dead
	dead=127.0.0.1:$(free_port)
	mkdir ctx
	printf 'FROM busybox\nLABEL hkc=dead\n' >ctx/Dockerfile
	cat >compose.yaml <<YAML
name: hkreg
services:
  lost: {build: ctx, image: "$dead/hkreg/lost:1", network_mode: none}
YAML
	echo "{\"registries\": {\"$dead\": {\"insecure\": true}}}" >"$BATS_TEST_TMPDIR/registries.json"
	export HAKO_REGISTRIES_CONF=$BATS_TEST_TMPDIR/registries.json
	run hk compose build
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run hk compose push
	[ "$status" -eq 1 ]
	[[ "$output" == *"push of $dead/hkreg/lost:1 for service lost failed"* ]]
	run hk compose push --ignore-push-failures
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"push of $dead/hkreg/lost:1 for service lost failed (ignored)"* ]]
	hk rmi "$dead/hkreg/lost:1" >/dev/null
}

@test "compose push --include-deps: the named service's dependencies, transitively, are pushed too; without it only the named" {
	mkdir ctx
	printf 'FROM busybox\nLABEL hkc=deps\n' >ctx/Dockerfile
	# web -> api (not built here) -> db; lone is nobody's dependency
	cat >compose.yaml <<YAML
name: hkdeps
services:
  web: {build: ctx, image: "$REGISTRY_OPEN/deps/web:1", network_mode: none, depends_on: [api]}
  api: {image: busybox, network_mode: none, depends_on: [db]}
  db: {build: ctx, image: "$REGISTRY_OPEN/deps/db:1", network_mode: none}
  lone: {build: ctx, image: "$REGISTRY_OPEN/deps/lone:1", network_mode: none}
YAML
	run hk compose build
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	pushed() { curl -sf "http://$REGISTRY_OPEN/v2/_catalog" | jq -c '[.repositories[] | select(startswith("deps/"))]'; }
	run hk compose push web
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(pushed)" = '["deps/web"]' ]
	run hk compose push --include-deps web
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Service db  Pushing"* && "$output" != *"Service lone"* ]]
	[ "$(pushed)" = '["deps/db","deps/web"]' ]
	hk rmi "$REGISTRY_OPEN/deps/web:1" "$REGISTRY_OPEN/deps/db:1" "$REGISTRY_OPEN/deps/lone:1" >/dev/null
}
