#!/usr/bin/env bats
# Two hako commands at once, and a pull killed with SIGKILL: the store
# stays consistent.  The fake registry in "slow" mode (about 1 MB/s)
# makes the commands overlap for sure.

load helpers
load image-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	image_setup_file
	export BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR
	local oci=$BATS_FILE_TMPDIR/oci md ms
	oci_init "$oci"
	gzip -c "$BUSYBOX_TAR" >"$BATS_FILE_TMPDIR/bb.tar.gz"
	make_layer_tar "$BATS_FILE_TMPDIR/a.tar" a "only in a"
	make_layer_tar "$BATS_FILE_TMPDIR/b.tar" b "only in b"
	read -r md ms < <(oci_image "$oci" amd64 "$BATS_FILE_TMPDIR/bb.tar.gz" "$BATS_FILE_TMPDIR/a.tar")
	oci_tag "$oci" a application/vnd.oci.image.manifest.v1+json "$md" "$ms"
	read -r md ms < <(oci_image "$oci" amd64 "$BATS_FILE_TMPDIR/bb.tar.gz" "$BATS_FILE_TMPDIR/b.tar")
	oci_tag "$oci" b application/vnd.oci.image.manifest.v1+json "$md" "$ms"
	export OCI=$oci
	start_fake_registry slow slow "$oci"
	start_fake_registry fast normal "$oci"
}

teardown_file() {
	stop_registries
	image_teardown_file
}

setup() { rm -rf "$HAKO_ROOT"; }
teardown() { image_teardown; }

@test "two pulls of the same image at once: each layer downloaded once, both succeed" {
	hk pull --tls-verify=false "$FAKE_SLOW/t/x:a" >"$BATS_TEST_TMPDIR/one" 2>&1 &
	one=$!
	hk pull --tls-verify=false "$FAKE_SLOW/t/x:a" >"$BATS_TEST_TMPDIR/two" 2>&1 &
	two=$!
	wait $one
	wait $two
	cat "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/two"
	[ "$(cat "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/two" | grep -c 'Download complete')" = 2 ]
	[ "$(cat "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/two" | grep -c 'Pull complete')" = 2 ]
	[ "$(hk images -q | wc -l)" = 1 ]
	[ "$(ls "$HAKO_ROOT/layers" | wc -l)" = 2 ]
	assert_store_clean
}

@test "a pull and an rmi of a shared layer at once are safe" {
	hk pull -q --tls-verify=false "$FAKE_FAST/t/x:a"
	hk pull --tls-verify=false "$FAKE_SLOW/t/x:b" >"$BATS_TEST_TMPDIR/pull" 2>&1 &
	pull=$!
	sleep 0.5
	# a is the only image that holds the busybox layer right now
	hk rmi "$FAKE_FAST/t/x:a"
	wait $pull
	merged=$(hk image mount --name b "$FAKE_SLOW/t/x:b")
	cmp "$merged/bin/busybox" /bin/busybox
	[ "$(cat "$merged/b")" = "only in b" ]
	hk image unmount b
	[ "$(ls "$HAKO_ROOT/layers" | wc -l)" = 2 ]
	assert_store_clean
}

@test "kill -9 in the middle of a pull: consistent store, cleaned up, retry completes" {
	# hako itself, not a shell around it, gets the SIGKILL (hako has become
	# hako-transfer, which does the pull, in the same process)
	"$HAKO" --root "$HAKO_ROOT" pull --tls-verify=false "$FAKE_SLOW/t/x:a" >/dev/null 2>&1 &
	pid=$!
	sleep 1
	[ "$(cat /proc/$pid/comm)" = hako-transfer ]
	[ -n "$(ls -A "$HAKO_ROOT/tmp")" ]
	kill -9 $pid
	wait $pid || true
	# nothing unverified got a digest name, no image was recorded
	for f in "$HAKO_ROOT"/blobs/sha256/*; do
		[ -e "$f" ] || continue
		[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$(basename "$f")" ]
	done
	[ -z "$(hk images -q)" ]
	# `hk images` was the next command: it removed the dead pull's scratch
	[ -z "$(ls -A "$HAKO_ROOT/tmp")" ]
	run -0 hk pull --tls-verify=false "$FAKE_FAST/t/x:a"
	[[ "$output" == *"Pull complete"* ]]
	assert_store_clean
}
