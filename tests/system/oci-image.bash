# make_oci_image_tar DIR ROOTFS NAME [FILTER]: an image archive DIR/image.tar
# of ROOTFS (one uncompressed layer), named NAME, whose image config has
# {"Cmd": ["sh"], "Env": ["PATH=/bin"]} changed by FILTER (a jq filter of the
# whole config document, e.g. '.config.User = "1000"').
# The archive is both an OCI image layout (index.json, for `ctr images
# import` and `podman load`) and a `docker save` archive (manifest.json,
# for `docker load`), the two sharing the blobs.
# shellcheck shell=bash
make_oci_image_tar() {
	local dir=$1 rootfs=$2 name=$3 filter=${4:-.}
	local layout=$dir/layout
	rm -rf "$layout"
	mkdir -p "$layout/blobs/sha256"
	tar -C "$rootfs" --numeric-owner -cf "$dir/layer.tar" .
	local layer_digest layer_size config_digest config_size manifest_digest manifest_size
	layer_digest=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
	layer_size=$(stat -c %s "$dir/layer.tar")
	mv "$dir/layer.tar" "$layout/blobs/sha256/$layer_digest"
	jq -n --arg d "sha256:$layer_digest" '{architecture: "amd64", os: "linux",
		config: {Cmd: ["sh"], Env: ["PATH=/bin"]}, rootfs: {type: "layers", diff_ids: [$d]}}' |
		jq "$filter" >"$dir/config.json"
	config_digest=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
	config_size=$(stat -c %s "$dir/config.json")
	mv "$dir/config.json" "$layout/blobs/sha256/$config_digest"
	jq -n --arg c "sha256:$config_digest" --argjson cs "$config_size" --arg l "sha256:$layer_digest" --argjson ls "$layer_size" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' >"$dir/manifest.json"
	manifest_digest=$(sha256sum "$dir/manifest.json" | cut -d' ' -f1)
	manifest_size=$(stat -c %s "$dir/manifest.json")
	mv "$dir/manifest.json" "$layout/blobs/sha256/$manifest_digest"
	jq -n --arg m "sha256:$manifest_digest" --argjson ms "$manifest_size" --arg n "$name" \
		'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
		  digest: $m, size: $ms, annotations: {"io.containerd.image.name": $n, "org.opencontainers.image.ref.name": "latest"}}]}' >"$layout/index.json"
	echo '{"imageLayoutVersion": "1.0.0"}' >"$layout/oci-layout"
	jq -n --arg c "blobs/sha256/$config_digest" --arg l "blobs/sha256/$layer_digest" --arg n "$name" \
		'[{Config: $c, RepoTags: [$n], Layers: [$l]}]' >"$layout/manifest.json"
	tar -C "$layout" -cf "$dir/image.tar" .
	rm -rf "$layout"
}
