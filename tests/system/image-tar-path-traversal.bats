#!/usr/bin/env bats
# Hostile tar layers through `hako import` (and so through the same
# extractor as pull and load): every attempt to write outside the layer
# directory fails with the entry named, and nothing outside changes.

load helpers
load image-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	require_tools python3
	image_setup_file
}
teardown_file() { image_teardown_file; }

setup() {
	rm -rf "$HAKO_ROOT"
	mkdir -p "$HAKO_ROOT"
	OUTSIDE=$BATS_FILE_TMPDIR/outside
	rm -rf "$OUTSIDE"
	mkdir -p "$OUTSIDE"
	echo original >"$OUTSIDE/file"
	# the layer is extracted in $HAKO_ROOT/tmp/<command>/<layer>/: four
	# levels below $BATS_FILE_TMPDIR
	UP=../../../..
}
teardown() { image_teardown; }

# evil_tar FILE SPEC...: a tar of entries "file:NAME", "dir:NAME",
# "symlink:NAME:TARGET", "hardlink:NAME:TARGET".
evil_tar() {
	/usr/bin/python3 - "$@" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for spec in sys.argv[2:]:
        kind, name, *rest = spec.split(":", 2)
        info = tarfile.TarInfo(name)
        data = b""
        if kind == "file":
            data = b"pwned\n"
        elif kind == "dir":
            info.type = tarfile.DIRTYPE
        elif kind == "symlink":
            info.type, info.linkname = tarfile.SYMTYPE, rest[0]
        elif kind == "hardlink":
            info.type, info.linkname = tarfile.LNKTYPE, rest[0]
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
PY
}

assert_outside_unchanged() {
	[ "$(ls -A "$OUTSIDE")" = file ]
	[ "$(cat "$OUTSIDE/file")" = original ]
	[ "$(stat -c %h "$OUTSIDE/file")" = 1 ]
	[ -z "$(hk images -q)" ]
	assert_store_clean
}

@test "tar-path-traversal: ../ names" {
	evil_tar "$BATS_TEST_TMPDIR/e.tar" "file:ok" "file:$UP/outside/pwned"
	run -125 hk import "$BATS_TEST_TMPDIR/e.tar" evil
	[[ "$output" == *"layer entry \`$UP/outside/pwned\`: \`..\` refused"* ]]
	assert_outside_unchanged
}

@test "tar-path-traversal: absolute names" {
	evil_tar "$BATS_TEST_TMPDIR/e.tar" "file:$OUTSIDE/pwned"
	run -125 hk import "$BATS_TEST_TMPDIR/e.tar" evil
	[[ "$output" == *"layer entry \`$OUTSIDE/pwned\`: absolute name refused"* ]]
	assert_outside_unchanged
}

@test "tar-path-traversal: a symlink in a parent, absolute target" {
	evil_tar "$BATS_TEST_TMPDIR/e.tar" "symlink:link:$OUTSIDE" "file:link/pwned"
	run -125 hk import "$BATS_TEST_TMPDIR/e.tar" evil
	[[ "$output" == *"layer entry \`link/pwned\`: parent \`link\` is a symbolic link"* ]]
	assert_outside_unchanged
}

@test "tar-path-traversal: a symlink in a parent, relative target, deeper entry" {
	evil_tar "$BATS_TEST_TMPDIR/e.tar" "dir:a" "symlink:a/up:../$UP/outside" "dir:a/up/sub" "file:a/up/sub/pwned"
	run -125 hk import "$BATS_TEST_TMPDIR/e.tar" evil
	[[ "$output" == *"layer entry \`a/up/sub"*"parent \`a/up\` is a symbolic link"* ]]
	assert_outside_unchanged
}

@test "tar-path-traversal: hard links to files outside" {
	evil_tar "$BATS_TEST_TMPDIR/e.tar" "hardlink:hl:$UP/outside/file"
	run -125 hk import "$BATS_TEST_TMPDIR/e.tar" evil
	[[ "$output" == *"layer entry \`hl\`: hard link target"*"refused"* ]]
	evil_tar "$BATS_TEST_TMPDIR/e.tar" "hardlink:hl:$OUTSIDE/file"
	run -125 hk import "$BATS_TEST_TMPDIR/e.tar" evil
	[[ "$output" == *"layer entry \`hl\`: hard link target"*"absolute name refused"* ]]
	evil_tar "$BATS_TEST_TMPDIR/e.tar" "symlink:s:$OUTSIDE" "hardlink:hl:s/file"
	run -125 hk import "$BATS_TEST_TMPDIR/e.tar" evil
	[[ "$output" == *"layer entry \`hl\`: hard link target \`s/file\`: parent \`s\` is a symbolic link"* ]]
	assert_outside_unchanged
}

@test "tar-path-traversal: a symlink that is later written as a file is replaced, not followed" {
	evil_tar "$BATS_TEST_TMPDIR/e.tar" "symlink:victim:$OUTSIDE/file" "file:victim"
	hk import "$BATS_TEST_TMPDIR/e.tar" fine
	[ "$(cat "$OUTSIDE/file")" = original ]
	merged=$(hk image mount --name f fine)
	[ "$(cat "$merged/victim")" = pwned ]
	hk image unmount f
}
