#!/usr/bin/env bats
# hako restore --import of hostile or damaged checkpoint archives: each is
# refused with an error naming what is wrong, before criu is needed, and
# leaves nothing in the store (no container, no staging directory) nor
# outside it.  The archives come from checkpoint-archive-make.py; the
# export/import that works end to end runs in the cgroup v2 VM
# (checkpoint-engine-vm.bats), criu failing here.

bats_require_minimum_version 1.5.0
load engine-helpers

setup_file() {
	require_tools python3 zstd
	engine_setup_file
	export IMAGE_ID
	IMAGE_ID=$(hk image inspect -f '{{.Id}}' busybox)
}
teardown_file() { engine_teardown_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

# archive KIND [IMAGE-ID IMAGE]: the archive of that kind, its path printed
archive() {
	local out=$BATS_TEST_TMPDIR/$1.tar.gz
	python3 "$TOP/tests/system/checkpoint-archive-make.py" "$1" "$out" "${2:-$IMAGE_ID}" \
		"${3:-busybox}" '{}'
	echo "$out"
}

# refused FILE MESSAGE [ARGS...]: restore --import FILE fails with MESSAGE
# and leaves nothing behind
refused() {
	local file=$1 message=$2
	shift 2
	run -125 hk restore --import "$file" "$@"
	[[ "$output" == *"cannot restore from \`$file\`: $message"* ]] || {
		echo "expected: $message" >&2
		echo "got: $output" >&2
		return 1
	}
	nothing_left
}

nothing_left() {
	[ -z "$(hk ps -a -q)" ]
	[ -z "$(find "$HAKO_ROOT" -maxdepth 1 -name 'checkpoint-import.*')" ]
	[ -z "$(find "$BATS_FILE_TMPDIR" /tmp -maxdepth 3 -name '*escaped*')" ]
}

@test "checkpoint archive attack: path traversal (checkpoint/../../../escaped) is refused" {
	refused "$(archive traversal)" "member \`checkpoint/../../../escaped\` climbs out with \`..\`"
}

@test "checkpoint archive attack: an absolute member name is refused" {
	refused "$(archive absolute)" "member \`/tmp/hako-checkpoint-escaped\` has an absolute name"
}

@test "checkpoint archive attack: a symlink out (checkpoint/core-1.img -> /etc/shadow) is refused" {
	refused "$(archive symlink)" "member \`checkpoint/core-1.img\` is a symbolic link: only regular files"
}

@test "checkpoint archive attack: a hard link to a host file is refused" {
	refused "$(archive hardlink)" "member \`checkpoint/core-1.img\` is a hard link to \`/etc/shadow\`"
}

@test "checkpoint archive attack: a device file is refused" {
	refused "$(archive device)" "member \`checkpoint/core-1.img\` is a character device: only regular files"
}

@test "checkpoint archive attack: an oversized manifest is refused before it is read" {
	refused "$(archive oversized-manifest)" "manifest.json is 2097386 bytes, more than the 1048576 allowed"
}

@test "checkpoint archive attack: a member outside the format (etc/cron.d/evil) is refused" {
	refused "$(archive unknown-member)" "member \`etc/cron.d/evil\` is not part of a hako checkpoint"
}

@test "checkpoint archive attack: an image file given twice (overwrite) is refused" {
	refused "$(archive duplicate)" "member \`checkpoint/inventory.img\` comes twice"
}

@test "checkpoint archive attack: path traversal inside the rootfs layer is refused" {
	refused "$(archive layer-traversal)" "member rootfs.tar: layer entry \`../../escaped\`: \`..\` refused"
}

@test "checkpoint archive: a truncated archive is refused" {
	local good cut=$BATS_TEST_TMPDIR/cut.tar.gz
	good=$(archive good)
	head -c $(($(stat -c %s "$good") / 2)) "$good" >"$cut"
	run -125 hk restore --import "$cut"
	[[ "$output" == *"cannot restore from \`$cut\`: "*"runcated"* ]] || [[ "$output" == *"premature end"* ]]
	nothing_left
}

@test "checkpoint archive: a corrupt archive (random bytes) is refused" {
	local junk=$BATS_TEST_TMPDIR/junk.tar.gz
	head -c 4096 /dev/urandom >"$junk"
	run -125 hk restore --import "$junk"
	[[ "$output" == *"cannot restore from \`$junk\`: "* ]]
	nothing_left
}

@test "checkpoint archive: one without its manifest first is not a checkpoint" {
	refused "$(archive not-first)" "its first member is \`rootfs.tar\`, not manifest.json: not a hako checkpoint"
}

@test "checkpoint archive: one from a newer format is refused, naming the version" {
	refused "$(archive newer-version)" "the checkpoint's manifest.json: it was made by a newer hako (format version 2; this one reads version 1)"
}

@test "checkpoint archive: an image not in this store is refused, naming it" {
	local id=sha256:$(printf '0%.0s' {1..64})
	refused "$(archive good "$id" nosuch:1)" "its image nosuch:1 ($id) is not in this store: pull or load it first"
}

@test "checkpoint archive: a name in use is refused, --name picks another; a bad name is refused" {
	local file
	file=$(archive good)
	hk create --network none --name migrant busybox true >/dev/null
	run -125 hk restore --import "$file"
	[[ "$output" == *"the name migrant is in use by container"*"(--name gives another)"* ]]
	[ "$(hk ps -a --format '{{.Names}}')" = migrant ]
	hk rm migrant >/dev/null
	run -125 hk restore --import "$file" --name 'bad/name'
	[[ "$output" == *"bad/name"* ]]
	nothing_left
}

@test "checkpoint archive: a well-formed archive (zstd) gets to criu; its failure leaves nothing" {
	local good zst=$BATS_TEST_TMPDIR/good.tar.zst
	good=$(archive good)
	gzip -dc "$good" | zstd -q -o "$zst"
	run -125 hk restore --import "$zst" --name moved
	# here criu fails `criu check`; where it works, it refuses the fake images
	[[ "$output" == *"cannot restore from \`$zst\`: restore container moved"* ]]
	[[ "$output" == *criu* ]]
	nothing_left
}

@test "checkpoint --export / restore --import: usage errors, and export without a working criu makes no file" {
	run -125 hk restore --import /nonexistent c1
	[[ "$output" == *"--import takes no container"* ]]
	run -125 hk restore --name x c1
	[[ "$output" == *"--name is for --import"* ]]
	run -125 hk checkpoint --export "$BATS_TEST_TMPDIR/x" a b
	[[ "$output" == *"--export takes one container"* ]]
	run -125 hk checkpoint --import "$BATS_TEST_TMPDIR/x" a
	[[ "$output" == *"unknown option --import (it is restore's)"* ]]
	run -125 hk restore --import "$BATS_TEST_TMPDIR/missing.tar.zst"
	[[ "$output" == *"import: open \`$BATS_TEST_TMPDIR/missing.tar.zst\`: No such file or directory"* ]]
	if criu check >/dev/null 2>&1; then return 0; fi
	hk run -d --network none --name counter busybox sleep 600 >/dev/null
	run -125 hk checkpoint --export "$BATS_TEST_TMPDIR/out.tar.zst" counter
	[[ "$output" == *"\`criu check\` says"* ]]
	[ -z "$(find "$BATS_TEST_TMPDIR" -name 'out.tar.zst*')" ]
	[ "$(hk inspect -f '{{.State.Status}}' counter)" = running ]
	hk rm -f counter >/dev/null
}
