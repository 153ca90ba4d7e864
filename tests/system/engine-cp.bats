#!/usr/bin/env bats
# hako cp: files both ways, running and stopped containers, tar streams.

bats_require_minimum_version 1.5.0
load engine-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() {
	engine_setup
	OUT=$BATS_TEST_TMPDIR/out
	mkdir -p "$OUT"
}
teardown() { engine_teardown; }

# A running container with /data/{file,dir/inner,link -> file}.
start_data() {
	hk run -d --name "${1:-box}" busybox sh -c '
		mkdir -p /data/dir; echo content >/data/file; echo inner >/data/dir/inner
		ln -s file /data/link; chmod 751 /data/file; touch -d "2001-02-03 04:05:06" /data/file
		ln /data/dir/inner /data/dir/hard; echo ready >/ready; sleep 1000' >/dev/null
	local i
	for i in $(seq 100); do
		hk cp "${1:-box}:/ready" - >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

@test "cp a file out: to a new name, into a directory, over a file" {
	start_data
	run -0 hk cp box:/data/file "$OUT/renamed"
	[ "$(cat "$OUT/renamed")" = content ]
	hk cp box:/data/file "$OUT/"
	[ "$(cat "$OUT/file")" = content ]
	# mode and time come along
	[ "$(stat -c %a "$OUT/file")" = 751 ]
	[ "$(stat -c %Y "$OUT/file")" = "$(date -d '2001-02-03 04:05:06' +%s)" ]
	echo old >"$OUT/over"
	hk cp box:/data/file "$OUT/over"
	[ "$(cat "$OUT/over")" = content ]
}

@test "cp a directory out: a new directory, into a directory, its content with /." {
	start_data
	hk cp box:/data "$OUT/new"
	[ "$(cat "$OUT/new/dir/inner")" = inner ]
	[ "$(readlink "$OUT/new/link")" = file ]
	# hard links stay hard links
	[ "$(stat -c %i "$OUT/new/dir/inner")" = "$(stat -c %i "$OUT/new/dir/hard")" ]
	mkdir "$OUT/existing"
	hk cp box:/data "$OUT/existing"
	[ "$(cat "$OUT/existing/data/file")" = content ]
	mkdir "$OUT/contents"
	hk cp box:/data/. "$OUT/contents"
	[ "$(cat "$OUT/contents/file")" = content ]
	[ ! -e "$OUT/contents/data" ]
}

@test "cp in: a file and a directory reach the running container, volumes included" {
	hk run -d --name box -v cpvol:/vol busybox sleep 1000 >/dev/null
	echo hello >"$OUT/f"
	mkdir -p "$OUT/d/sub"
	echo deep >"$OUT/d/sub/x"
	run -0 hk cp "$OUT/f" box:/tmp/
	hk cp "$OUT/d" box:/tmp/newdir
	hk cp "$OUT/f" box:/vol/in-volume
	hk cp box:/tmp/f "$OUT/back"
	[ "$(cat "$OUT/back")" = hello ]
	hk cp box:/tmp/newdir/sub/x "$OUT/x"
	[ "$(cat "$OUT/x")" = deep ]
	# the copy went into the volume, as the container sees it
	[ "$(cat "$HAKO_ROOT/volumes/cpvol/_data/in-volume")" = hello ]
}

@test "cp works on a stopped container and leaves nothing mounted" {
	start_data
	hk stop -t 0 box >/dev/null
	hk cp box:/data/file "$OUT/from-stopped"
	[ "$(cat "$OUT/from-stopped")" = content ]
	echo later >"$OUT/later"
	hk cp "$OUT/later" box:/data/later
	# the next start sees it
	hk create --name never busybox cat /tmp/copied >/dev/null
	run -125 hk cp "$OUT/later" never:/no/such/dir/copied
	[[ "$output" == *"copy into container never: open \`/no/such/dir\`"*"No such file or directory"* ]]
	hk cp "$OUT/later" never:/tmp/copied
	run -0 hk start -a never
	[ "$output" = later ]
	id=$(hk inspect -f '{{.Id}}' box)
	[ "$(grep -c "$id/merged" /proc/self/mountinfo)" = 0 ]
}

@test "cp with - writes and reads tar streams" {
	start_data
	hk cp box:/data/dir - >"$OUT/dir.tar"
	run -0 tar -tf "$OUT/dir.tar"
	[[ "$output" == *"dir/inner"* ]]
	[[ "$output" != *"data/"* ]]
	mkdir -p "$OUT/t/a"
	echo streamed >"$OUT/t/a/s"
	tar -C "$OUT/t" -cf - a | hk cp - box:/data/dir
	tar -C "$OUT/t" -czf - a | hk cp - box:/tmp
	hk cp box:/data/dir/a/s "$OUT/s1"
	hk cp box:/tmp/a/s "$OUT/s2"
	[ "$(cat "$OUT/s1") $(cat "$OUT/s2")" = "streamed streamed" ]
	run -125 hk cp - box:/data/file <"$OUT/dir.tar"
	[[ "$output" == *"must be a directory"* ]]
	run -125 hk cp - box:/nowhere <"$OUT/dir.tar"
	[[ "$output" == *"must be a directory"* ]]
}

@test "cp ownership: root in the container, the user on the host, -a keeps the source's" {
	hk run -d --name box busybox sh -c 'echo x >/owned; chown 1234:567 /owned; sleep 1000' >/dev/null
	sleep 0.3
	echo mine >"$OUT/host"
	chown 4321:765 "$OUT/host"
	hk cp "$OUT/host" box:/plain
	hk cp -a "$OUT/host" box:/kept
	hk cp box:/plain - | tar -tvf - | grep -q ' 0/0 '
	hk cp box:/kept - | tar -tvf - | grep -q ' 4321/765 '
	hk cp box:/owned "$OUT/owned"
	[ "$(stat -c %u:%g "$OUT/owned")" = "$(id -u):$(id -g)" ]
	hk cp -a box:/owned "$OUT/owned-a"
	[ "$(stat -c %u:%g "$OUT/owned-a")" = 1234:567 ]
}

@test "cp -L copies what a symlink points to" {
	start_data
	hk cp box:/data/link "$OUT/as-link"
	[ "$(readlink "$OUT/as-link")" = file ]
	hk cp -L box:/data/link "$OUT/followed"
	[ ! -L "$OUT/followed" ]
	[ "$(cat "$OUT/followed")" = content ]
}

@test "cp into a read-only container fails with the reason" {
	hk run -d --name ro --read-only busybox sleep 1000 >/dev/null
	echo x >"$OUT/x"
	run -125 hk cp "$OUT/x" ro:/x
	[[ "$output" == *"Read-only file system"* ]]
}

@test "cp errors are Docker-like and name what is wrong" {
	start_data
	run -125 hk cp a b
	[[ "$output" == *"one of the paths must name a container"* ]]
	run -125 hk cp box:/a box:/b
	[[ "$output" == *"copying between containers is not supported"* ]]
	run -125 hk cp box:/nope "$OUT/"
	[[ "$output" == *"no such file or directory in container box: /nope"* ]]
	run -125 hk cp nosuch:/x "$OUT/"
	[[ "$output" == *"no such container: nosuch"* ]]
	touch "$OUT/file"
	run -125 hk cp box:/data "$OUT/file"
	[[ "$output" == *"cannot copy the directory"* ]]
	run -125 hk cp box:/data/file "$OUT/missing/"
	[[ "$output" == *"does not exist"* ]]
	run -125 hk cp box:/data/file/ "$OUT/"
	[[ "$output" == *"Not a directory"* ]]
	run -125 hk cp "$OUT/none" box:/tmp
	[[ "$output" == *"no such file or directory: $OUT/none"* ]]
	run -125 hk cp box:/data/file
	[[ "$output" == *"usage: hako cp"* ]]
	run -0 hk cp --help
	[[ "$output" == "usage: hako cp"* ]]
}
