#!/usr/bin/env bats
# Local images: import, images, inspect, history, tag, rmi, prune, df,
# and the overlay root filesystem of an image.

load helpers
load image-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	require_tools zstd
	image_setup_file
}
teardown_file() { image_teardown_file; }
setup() { rm -rf "$HAKO_ROOT"; }
teardown() { image_teardown; }

@test "import makes a one-layer image whose ID is its config digest" {
	run -0 import_busybox busybox
	id=$output
	[[ "$id" =~ ^sha256:[0-9a-f]{64}$ ]]
	cfg=$HAKO_ROOT/blobs/sha256/${id#sha256:}
	[ "sha256:$(sha256sum <"$cfg" | cut -d' ' -f1)" = "$id" ]
	run -0 hk image inspect busybox
	echo "$output" | jq -e --arg id "$id" '.[0].Id == $id'
	echo "$output" | jq -e '.[0].RepoTags == ["busybox:latest"]'
	echo "$output" | jq -e '.[0].Config.Cmd == ["sh"]'
	echo "$output" | jq -e '.[0].Os == "linux" and .[0].Architecture == "amd64"'
	echo "$output" | jq -e '.[0].Size > 1000000 and (.[0].RootFS.Layers | length) == 1'
	# the DiffID is the sha256 of the uncompressed tar
	diff_id=$(echo "$output" | jq -r '.[0].RootFS.Layers[0]')
	[ "$diff_id" = "sha256:$(sha256sum <"$BUSYBOX_TAR" | cut -d' ' -f1)" ]
	run -0 hk images
	[[ "${lines[1]}" =~ ^busybox\ +latest\ +${id:7:12}\  ]]
}

@test "import detects gzip and zstd and stores a layer once" {
	gzip -c "$BUSYBOX_TAR" | hk import - localhost/bb:gz
	zstd -q -c "$BUSYBOX_TAR" | hk import - localhost/bb:zstd
	import_busybox localhost/bb:plain
	[ "$(ls "$HAKO_ROOT/layers" | wc -l)" = 1 ]
	[ "$(ls "$HAKO_ROOT/l" | wc -l)" = 1 ]
	run -0 hk image inspect --format '{{json .RootFS.Layers}}' localhost/bb:gz localhost/bb:zstd localhost/bb:plain
	[ "${lines[0]}" = "${lines[1]}" ]
	[ "${lines[1]}" = "${lines[2]}" ]
	# the manifests name the compression
	m=$(hk image inspect --format '{{.ManifestDigest}}' localhost/bb:zstd)
	jq -e '.layers[0].mediaType == "application/vnd.oci.image.layer.v1.tar+zstd"' "$HAKO_ROOT/blobs/sha256/${m#sha256:}"
}

@test "import --change and --message set the config and the history" {
	hk import -c 'ENTRYPOINT ["/bin/sh", "-c"]' -c 'ENV A=1 B="two words"' -c 'WORKDIR /tmp' \
		-c 'EXPOSE 80 53/udp' -c 'LABEL org.example=yes' -c 'USER 1000' -c 'VOLUME /data' \
		-c 'STOPSIGNAL SIGQUIT' -m 'made by a test' "$BUSYBOX_TAR" changed
	run -0 hk image inspect --format '{{json .Config}}' changed
	echo "$output" | jq -e '.Entrypoint == ["/bin/sh", "-c"] and .WorkingDir == "/tmp" and .User == "1000"'
	echo "$output" | jq -e '(.Env | index("A=1")) != null and (.Env | index("B=two words")) != null'
	echo "$output" | jq -e '.ExposedPorts == {"80/tcp": {}, "53/udp": {}} and .Volumes == {"/data": {}}'
	echo "$output" | jq -e '.Labels["org.example"] == "yes" and .StopSignal == "SIGQUIT"'
	run -0 hk history changed
	[[ "${lines[1]}" == *"hako import"*"made by a test"* ]]
	run -125 hk import -c 'RUN rm -rf /' "$BUSYBOX_TAR" bad
	[[ "$output" == *"\`RUN\` is not one of"* ]]
}

@test "images: -q, --format, filters, a repository argument" {
	import_busybox one
	hk tag one two:v1
	gzip -c "$BUSYBOX_TAR" | hk import - >/dev/null # dangling
	run -0 hk images -q
	[ "${#lines[@]}" = 2 ]
	run -0 hk images --format '{{.Repository}}:{{.Tag}}'
	[[ "$output" == *"one:latest"* && "$output" == *"two:v1"* && "$output" == *"<none>:<none>"* ]]
	run -0 hk images -f dangling=true --format '{{.Repository}}'
	[ "$output" = "<none>" ]
	run -0 hk images -f reference='tw*' --format '{{.Repository}}'
	[ "$output" = "two" ]
	run -0 hk images two --format '{{.Tag}}'
	[ "$output" = "v1" ]
	run -0 hk images --format json
	[ "$(echo "$output" | jq -s length)" = 3 ]
	run -125 hk images -f color=red
	[[ "$output" == *"supported filters"* ]]
}

@test "tag and rmi: untag, multiple names need -f, a missing image fails with 125" {
	id=$(import_busybox a)
	hk tag a b
	hk tag "${id:7:8}" quay.io/x/c:1
	run -0 hk rmi b
	[ "$output" = "Untagged: b:latest" ]
	run -125 hk rmi "$id"
	[[ "$output" == *"referenced in multiple repositories"* ]]
	run -0 hk rmi -f "$id"
	[[ "$output" == *"Untagged: a:latest"* && "$output" == *"Untagged: quay.io/x/c:1"* && "$output" == *"Deleted: $id"* ]]
	[ -z "$(ls "$HAKO_ROOT/blobs/sha256")" ]
	[ -z "$(ls "$HAKO_ROOT/layers")" ]
	run -125 hk rmi nothere
	[[ "$output" == *"no such image: nothere"* ]]
	run -125 hk tag a 'Bad/Name'
}

@test "image prune removes dangling images, -a every unused one" {
	import_busybox keep
	gzip -c "$BUSYBOX_TAR" | hk import - >/dev/null
	before=$(ls "$HAKO_ROOT/blobs/sha256" | wc -l)
	run -0 hk image prune
	[[ "$output" == *"deleted: sha256:"* ]]
	[ "$(hk images -q | wc -l)" = 1 ]
	[ "$(ls "$HAKO_ROOT/blobs/sha256" | wc -l)" -lt "$before" ]
	run -0 hk image prune -a
	[[ "$output" == *"untagged: keep:latest"* ]]
	[ -z "$(hk images -q)" ]
	[ -z "$(ls "$HAKO_ROOT/layers")" ]
}

@test "system df reports the space and what rmi gives back" {
	import_busybox
	run -0 hk system df --format json
	size=$(echo "$output" | jq -s '.[0].Size')
	[ "$size" -gt 3000000 ]
	[ "$(echo "$output" | jq -s '.[0].TotalCount')" = 1 ]
	hk rmi busybox
	run -0 hk system df --format json
	[ "$(echo "$output" | jq -s '.[0].Size')" = 0 ]
}

@test "image mount: overlay of the layers with a private upper directory" {
	import_busybox
	run -0 hk image mount --name m1 busybox
	merged=$output
	[ "$merged" = "$HAKO_ROOT/mounts/m1/merged" ]
	[ -x "$merged/bin/busybox" ]
	grep -q " $merged .* overlay overlay .*lowerdir=l/" /proc/self/mountinfo
	echo hello >"$merged/new-file"
	rm "$merged/bin/sh"
	[ -f "$HAKO_ROOT/mounts/m1/upper/new-file" ]
	# the layer itself is untouched; the deletion is a whiteout in upper
	layer=$(ls -d "$HAKO_ROOT"/layers/*)
	[ -L "$layer/bin/sh" ]
	[ ! -e "$layer/new-file" ]
	[ "$(stat -c %t:%T "$HAKO_ROOT/mounts/m1/upper/bin/sh")" = 0:0 ]
	run -125 hk rmi busybox
	[[ "$output" == *"container m1 is using it"* ]]
	hk image unmount m1
	[ "$(store_mounts)" = 0 ]
	[ ! -e "$HAKO_ROOT/mounts/m1" ]
	hk rmi busybox
}

@test "commit: the changes of a root filesystem become a layer, whiteouts included" {
	import_busybox base
	merged=$(hk image mount --name c1 base)
	mkdir -p "$merged/data/sub"
	echo new >"$merged/data/sub/file"
	ln "$merged/data/sub/file" "$merged/data/hardlink"
	rm "$merged/bin/ls"
	rm -rf "$merged/tmp" && mkdir "$merged/tmp" && echo t >"$merged/tmp/only"
	run -0 hk commit -c 'CMD ["cat", "/data/sub/file"]' -m 'a test commit' c1 committed:1
	id=$output
	hk image unmount c1
	run -0 hk image inspect committed:1
	echo "$output" | jq -e '.[0].Config.Cmd == ["cat", "/data/sub/file"] and (.[0].RootFS.Layers | length) == 2'
	run -0 hk history committed:1
	[[ "${lines[1]}" == "${id:7:12}"*"hako commit"*"a test commit" ]]
	# the new layer in the store: whiteouts in overlay form again
	m2=$(hk image mount --name c2 committed:1)
	[ "$(cat "$m2/data/sub/file")" = new ]
	[ "$(stat -c %i "$m2/data/sub/file")" = "$(stat -c %i "$m2/data/hardlink")" ]
	[ ! -e "$m2/bin/ls" ]
	[ -e "$m2/bin/sh" ]
	[ "$(ls "$m2/tmp")" = only ]
	hk image unmount c2
	# and it saves as a docker archive with .wh. entries
	hk save -o "$BATS_TEST_TMPDIR/c.tar" committed:1
	layer=$(tar -xOf "$BATS_TEST_TMPDIR/c.tar" manifest.json | jq -r '.[0].Layers[1]')
	tar -xOf "$BATS_TEST_TMPDIR/c.tar" "$layer" | tar -t | grep -qx 'bin/.wh.ls'
	tar -xOf "$BATS_TEST_TMPDIR/c.tar" "$layer" | tar -t | grep -qx 'tmp/.wh..wh..opq'
}
