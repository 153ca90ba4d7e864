#!/usr/bin/env bats
# Archives: load what skopeo writes (docker-archive, oci-archive), save in
# both formats and read back with skopeo, several images per archive, and
# an image of 128 layers that must still mount.

load helpers
load image-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	require_tools skopeo python3
	image_setup_file
	export BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR
	local oci=$BATS_FILE_TMPDIR/oci md ms
	oci_init "$oci"
	gzip -c "$BUSYBOX_TAR" >"$BATS_FILE_TMPDIR/bb.tar.gz"
	make_layer_tar "$BATS_FILE_TMPDIR/extra.tar" etc/extra "extra layer"
	read -r md ms < <(oci_image "$oci" amd64 "$BATS_FILE_TMPDIR/bb.tar.gz" "$BATS_FILE_TMPDIR/extra.tar")
	oci_tag "$oci" two application/vnd.oci.image.manifest.v1+json "$md" "$ms"
	export OCI=$oci
	export CONFIG=$(jq -r .config.digest "$oci/blobs/sha256/${md#sha256:}")
}

teardown_file() { image_teardown_file; }
setup() { rm -rf "$HAKO_ROOT"; }
teardown() { image_teardown; }

@test "load a docker-archive written by skopeo, with two tags" {
	skopeo copy -q --additional-tag example.com/other:v2 "oci:$OCI:two" \
		"docker-archive:$BATS_TEST_TMPDIR/skopeo.tar:mine:v1"
	run -0 hk load -i "$BATS_TEST_TMPDIR/skopeo.tar"
	[[ "$output" == *"Loaded image: mine:v1"* && "$output" == *"Loaded image: example.com/other:v2"* ]]
	[ "$(hk image inspect --format '{{.Id}}' mine:v1)" = "$CONFIG" ]
	[ "$(hk image inspect --format '{{.Id}}' example.com/other:v2)" = "$CONFIG" ]
	merged=$(hk image mount --name m mine:v1)
	[ "$(cat "$merged/etc/extra")" = "extra layer" ]
	[ -x "$merged/bin/busybox" ]
	hk image unmount m
	assert_store_clean
}

@test "load an oci-archive written by skopeo, from stdin, gzip-compressed" {
	skopeo copy -q "oci:$OCI:two" "oci-archive:$BATS_TEST_TMPDIR/oci.tar:example.com/x/two:1"
	gzip -c "$BATS_TEST_TMPDIR/oci.tar" | hk load
	[ "$(hk image inspect --format '{{.Id}}' example.com/x/two:1)" = "$CONFIG" ]
}

@test "save docker-archive: skopeo reads it, hako loads it back with the same ID" {
	import_busybox a
	hk tag a b:2
	hk save -o "$BATS_TEST_TMPDIR/saved.tar" a b:2
	run -0 skopeo inspect --config "docker-archive:$BATS_TEST_TMPDIR/saved.tar:a:latest"
	echo "$output" | jq -e '.config.Cmd == ["sh"]'
	id=$(hk images -q --no-trunc)
	tar -xOf "$BATS_TEST_TMPDIR/saved.tar" manifest.json | jq -e '[.[].RepoTags[0]] == ["a:latest", "b:2"]'
	rm -rf "$HAKO_ROOT"
	run -0 hk load -i "$BATS_TEST_TMPDIR/saved.tar"
	[ "$(hk images -q --no-trunc | sort -u)" = "$id" ]
	hk image inspect b:2 >/dev/null
}

@test "save --format oci-archive keeps every blob as stored" {
	skopeo copy -q "oci:$OCI:two" "oci-archive:$BATS_TEST_TMPDIR/in.tar:example.com/two:1"
	hk load -q -i "$BATS_TEST_TMPDIR/in.tar"
	hk save --format oci-archive -o "$BATS_TEST_TMPDIR/out.tar" example.com/two:1
	# skopeo verifies every digest it copies
	skopeo copy -q "oci-archive:$BATS_TEST_TMPDIR/out.tar" "dir:$BATS_TEST_TMPDIR/copied"
	[ "sha256:$(sha256sum <"$BATS_TEST_TMPDIR/copied/${CONFIG#sha256:}" | cut -d' ' -f1)" = "$CONFIG" ]
	manifest=$(hk image inspect --format '{{.ManifestDigest}}' example.com/two:1)
	tar -xOf "$BATS_TEST_TMPDIR/out.tar" index.json | jq -e --arg m "$manifest" \
		'.manifests[0].digest == $m and .manifests[0].annotations["org.opencontainers.image.ref.name"] == "example.com/two:1"'
}

@test "an image of 128 layers loads and mounts (short layer links)" {
	# one small file per layer; built in one python process for speed
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/deep" <<'PY'
import hashlib, io, json, os, sys, tarfile
out = sys.argv[1]
os.makedirs(out + "/blobs/sha256")
def blob(data):
    h = hashlib.sha256(data).hexdigest()
    open("%s/blobs/sha256/%s" % (out, h), "wb").write(data)
    return {"digest": "sha256:" + h, "size": len(data)}
layers, diff_ids = [], []
for i in range(1, 129):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        data = str(i).encode()
        info = tarfile.TarInfo("layers/%d" % i)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    tar = buf.getvalue()
    diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
    layers.append(dict(blob(tar), mediaType="application/vnd.oci.image.layer.v1.tar"))
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": dict(blob(config), mediaType="application/vnd.oci.image.config.v1+json"),
                       "layers": layers}).encode()
m = dict(blob(manifest), mediaType="application/vnd.oci.image.manifest.v1+json",
         annotations={"org.opencontainers.image.ref.name": "example.com/deep:1"})
json.dump({"schemaVersion": 2, "manifests": [m]}, open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
	tar -C "$BATS_TEST_TMPDIR/deep" -cf "$BATS_TEST_TMPDIR/deep.tar" .
	hk load -q -i "$BATS_TEST_TMPDIR/deep.tar"
	[ "$(hk image inspect --format '{{json .RootFS.Layers}}' example.com/deep:1 | jq length)" = 128 ]
	merged=$(hk image mount --name deep example.com/deep:1)
	[ "$(ls "$merged/layers" | wc -l)" = 128 ]
	[ "$(cat "$merged/layers/77")" = 77 ]
	opts=$(awk -v m="$merged" '$5 == m { print $NF }' /proc/self/mountinfo)
	[[ "$opts" == *"lowerdir=l/"* ]]
	[ "${#opts}" -lt 4096 ]
	hk image unmount deep
}

@test "an archive member that escapes, or a blob that lies, is refused" {
	mkdir -p "$BATS_TEST_TMPDIR/evil"
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/evil.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    data = b"[]"
    info = tarfile.TarInfo("../manifest.json")
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))
PY
	run -125 hk load -i "$BATS_TEST_TMPDIR/evil.tar"
	[[ "$output" == *"archive entry \`../manifest.json\`"*"refused"* ]]
	# an OCI layout whose layer blob is not what its name says
	skopeo copy -q "oci:$OCI:two" "oci:$BATS_TEST_TMPDIR/liar:two"
	layer=$(ls -S "$BATS_TEST_TMPDIR/liar/blobs/sha256" | head -1)
	printf 'x' >>"$BATS_TEST_TMPDIR/liar/blobs/sha256/$layer"
	tar -C "$BATS_TEST_TMPDIR/liar" -cf "$BATS_TEST_TMPDIR/liar.tar" .
	run -125 hk load -i "$BATS_TEST_TMPDIR/liar.tar"
	[[ "$output" == *"blob sha256:$layer in the archive has digest"*"refused"* ]]
	[ -z "$(hk images -q)" ]
	assert_store_clean
}

@test "the legacy docker save layout: <id>/layer.tar, a repeated layer as a symlink" {
	local d=$BATS_TEST_TMPDIR/legacy diff
	mkdir -p "$d/aaa" "$d/bbb"
	cp "$BUSYBOX_TAR" "$d/aaa/layer.tar"
	ln -s ../aaa/layer.tar "$d/bbb/layer.tar"
	diff="sha256:$(sha256sum <"$BUSYBOX_TAR" | cut -d' ' -f1)"
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["%s","%s"]}}' \
		"$diff" "$diff" >"$d/cfg.json"
	echo '[{"Config":"cfg.json","RepoTags":["legacy:1"],"Layers":["aaa/layer.tar","bbb/layer.tar"]}]' >"$d/manifest.json"
	tar -C "$d" -cf "$BATS_TEST_TMPDIR/legacy.tar" .
	run -0 hk load -i "$BATS_TEST_TMPDIR/legacy.tar"
	[ "$output" = "Loaded image: legacy:1" ]
	[ "$(hk image inspect --format '{{.Id}}' legacy:1)" = "sha256:$(sha256sum <"$d/cfg.json" | cut -d' ' -f1)" ]
	[ "$(ls "$HAKO_ROOT/layers" | wc -l)" = 2 ]
	# a symlink that leaves the archive is refused
	ln -sf ../../etc/passwd "$d/bbb/layer.tar"
	tar -C "$d" -cf "$BATS_TEST_TMPDIR/legacy-evil.tar" .
	run -125 hk load -i "$BATS_TEST_TMPDIR/legacy-evil.tar"
	[[ "$output" == *"leaves the archive"* ]]
}
