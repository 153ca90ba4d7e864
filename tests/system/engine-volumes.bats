#!/usr/bin/env bats
# -v/--mount binds and named volumes; hako volume create/ls/inspect/rm/prune.

load engine-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() {
	engine_teardown
	hk volume prune -f -a >/dev/null 2>&1 || true
}

@test "-v HOST:CONTAINER binds a host directory; :ro makes it read-only" {
	mkdir "$BATS_TEST_TMPDIR/share"
	echo from-host >"$BATS_TEST_TMPDIR/share/in"
	run hk run --rm -v "$BATS_TEST_TMPDIR/share:/share" busybox sh -c 'cat /share/in; echo from-container > /share/out'
	[ "$output" = from-host ]
	[ "$(cat "$BATS_TEST_TMPDIR/share/out")" = from-container ]
	run hk run --rm -v "$BATS_TEST_TMPDIR/share:/share:ro" busybox touch /share/x
	[ "$status" -ne 0 ]
	run hk run --rm --mount "type=bind,source=$BATS_TEST_TMPDIR/share,target=/m,readonly" busybox sh -c 'cat /m/in; touch /m/y'
	[ "${lines[0]}" = from-host ]
	[ "$status" -ne 0 ]
}

@test "a named volume keeps data across containers and is filled from the image on first use" {
	hk run --rm -v data:/data busybox sh -c 'echo kept > /data/f'
	run hk run --rm -v data:/data busybox cat /data/f
	[ "$output" = kept ]
	# A new volume at /etc gets the image's /etc (copy-up), as Docker does.
	run hk run --rm -v etcvol:/etc busybox cat /etc/passwd
	[[ "$output" == root:* ]]
	run hk volume inspect etcvol
	echo "$output" | jq -e '.[0].Name == "etcvol" and .[0].Driver == "local" and (.[0].Mountpoint | length > 0)'
	[ -f "$(hk volume inspect -f '{{.Mountpoint}}' etcvol)/passwd" ]
}

@test "volume create/ls/inspect/rm/prune; a volume in use cannot be removed" {
	hk volume create --label k=v v1 >/dev/null
	hk volume create v2 >/dev/null
	run hk volume ls -q
	[ "$(echo "$output" | sort | tr '\n' ' ')" = "v1 v2 " ]
	[ "$(hk volume inspect -f '{{.Labels.k}}' v1)" = v ]
	hk run -d --name user -v v1:/x busybox sleep 100 >/dev/null
	run hk volume rm v1
	[ "$status" -eq 125 ]
	[[ "$output" == *"in use"* ]]
	hk rm -f user
	hk volume rm v1
	hk volume prune -f -a
	[ -z "$(hk volume ls -q)" ]
	run hk volume inspect v2
	[ "$status" -eq 125 ]
}

@test "the image's VOLUME gets an anonymous volume" {
	hk import -c 'VOLUME /store' -c 'CMD ["sh"]' "$BUSYBOX_TAR" withvol >/dev/null
	id=$(hk create withvol true)
	run hk inspect -f '{{json .Mounts}}' "$id"
	echo "$output" | jq -e '.[0].Destination == "/store" and .[0].Type == "volume"'
	hk rm -v "$id"
	[ -z "$(hk volume ls -q)" ]
	hk rmi withvol >/dev/null
}

@test "bad volume specifications are refused and nothing is created" {
	run hk run --rm -v relative/path:/x busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"relative/path"* ]]
	run hk run --rm -v /host:relative busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *relative* ]]
	run hk run --rm --mount "type=bind,source=$BATS_TEST_TMPDIR/nonexistent,target=/x" busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *nonexistent* ]]
	# -v creates a missing host directory, as Docker does.
	hk run --rm -v "$BATS_TEST_TMPDIR/made:/x" busybox true
	[ -d "$BATS_TEST_TMPDIR/made" ]
	run hk run --rm --mount type=nonsense,target=/x busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *nonsense* ]]
	[ -z "$(hk ps -a -q)" ]
	[ -z "$(hk volume ls -q)" ]
}
