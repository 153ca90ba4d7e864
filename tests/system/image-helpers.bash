# Shared by the image bats files: a private store per file, a busybox
# root filesystem tar, and checks that nothing is left mounted.
# shellcheck shell=bash

HAKO=$HAKO_BUILD/src/cli/hako

# hako with this file's private store.
hk() {
	"$HAKO" --root "$HAKO_ROOT" "$@"
}

image_setup_file() {
	require_tools jq
	export HAKO_ROOT=$BATS_FILE_TMPDIR/store
	export BUSYBOX_TAR=$BATS_FILE_TMPDIR/busybox.tar
	export HAKO_REGISTRIES_CONF=$BATS_FILE_TMPDIR/registries.json
	[ -f "$BUSYBOX_TAR" ] || {
		"$TOP/scripts/make-busybox-rootfs.sh" "$BATS_FILE_TMPDIR/bbroot"
		tar -C "$BATS_FILE_TMPDIR/bbroot" -cf "$BUSYBOX_TAR" .
	}
}

# Unmounts whatever a test left under the store (a failed test must not
# leave mounts behind), then removes its image mounts.
image_teardown() {
	local m
	for m in $(awk -v r="$HAKO_ROOT" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
}

image_teardown_file() {
	image_teardown
}

# import_busybox NAME: the busybox image under NAME.
import_busybox() {
	hk import -c 'CMD ["sh"]' "$BUSYBOX_TAR" "${1:-busybox}"
}

# The number of mounts under the store.
store_mounts() {
	awk -v r="$HAKO_ROOT" 'index($5, r) == 1' /proc/self/mountinfo | wc -l
}

# --- registries -----------------------------------------------------------

# A TCP port nobody listens on.
free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 20000))
		ss -Htln "sport = :$port" | grep -q . || break
	done
	echo "$port"
}

# start_registry NAME [USER:PASSWORD [TLS_DIR]]: Debian's docker-registry
# on 127.0.0.1, storage in the file's temp dir, with htpasswd Basic auth
# when credentials are given, over TLS with TLS_DIR/server.{crt,key} when
# given.  Sets REGISTRY_NAME=127.0.0.1:PORT (upper-case).
start_registry() {
	local name=$1 creds=${2:-} tls=${3:-} dir=$BATS_FILE_TMPDIR/registry-$1 port
	require_tools docker-registry curl
	[ -z "$creds" ] || require_tools htpasswd
	mkdir -p "$dir/data"
	port=$(free_port)
	{
		echo "version: 0.1"
		echo "log: {level: error, accesslog: {disabled: true}}"
		echo "storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}"
		if [ -n "$tls" ]; then
			echo "http: {addr: 127.0.0.1:$port, tls: {certificate: $tls/server.crt, key: $tls/server.key}}"
		else
			echo "http: {addr: 127.0.0.1:$port}"
		fi
		if [ -n "$creds" ]; then
			htpasswd -Bbn "${creds%%:*}" "${creds#*:}" >"$dir/htpasswd"
			echo "auth: {htpasswd: {realm: hako-test, path: $dir/htpasswd}}"
		fi
	} >"$dir/config.yml"
	docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
	echo $! >"$dir/pid"
	local i url=http${tls:+s}://127.0.0.1:$port/v2/
	for i in $(seq 100); do
		# any HTTP answer (401 with auth) means it listens
		[ "$(curl -sk -o /dev/null -w '%{http_code}' "$url")" != 000 ] && break
		sleep 0.05
	done
	[ "$(curl -sk -o /dev/null -w '%{http_code}' "$url")" != 000 ] || {
		echo "docker-registry $name does not answer at $url; its log:" >&2
		cat "$dir/log" >&2
		return 1
	}
	export "REGISTRY_${name^^}=127.0.0.1:$port"
}

# make_certificates DIR: a CA (ca.crt) and a server certificate for
# 127.0.0.1 signed by it (server.crt, server.key).
make_certificates() {
	local d=$1
	require_tools openssl
	mkdir -p "$d"
	quietly openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" -days 1 \
		-subj /CN=hako-test-ca
	quietly openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -out "$d/server.csr" \
		-subj /CN=127.0.0.1
	echo 'subjectAltName=IP:127.0.0.1' >"$d/ext"
	quietly openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-out "$d/server.crt" -days 1 -extfile "$d/ext"
}

# Stops the registries this file started (by their PIDs).
stop_registries() {
	local pidfile pid
	for pidfile in "$BATS_FILE_TMPDIR"/registry-*/pid; do
		[ -f "$pidfile" ] || continue
		pid=$(cat "$pidfile")
		kill "$pid" 2>/dev/null || true
		while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
		rm -f "$pidfile"
	done
}

# --- OCI layouts built by hand (then pushed by skopeo) ------------------

# oci_init DIR: an empty OCI image layout.
oci_init() {
	mkdir -p "$1/blobs/sha256"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$1/oci-layout"
	echo '{"schemaVersion":2,"manifests":[]}' >"$1/index.json"
}

# oci_add_blob DIR FILE: copies FILE in as a blob; prints its digest.
oci_add_blob() {
	local hex
	hex=$(sha256sum <"$2" | cut -d' ' -f1)
	cp "$2" "$1/blobs/sha256/$hex"
	echo "sha256:$hex"
}

# The OCI media type of a layer file, from its first bytes.
layer_media_type() {
	case $(head -c4 "$1" | od -An -tx1 | tr -d ' \n') in
	1f8b*) echo application/vnd.oci.image.layer.v1.tar+gzip ;;
	28b52ffd) echo application/vnd.oci.image.layer.v1.tar+zstd ;;
	*) echo application/vnd.oci.image.layer.v1.tar ;;
	esac
}

# oci_image DIR ARCH LAYER... : writes a config (Cmd $OCI_CMD, default
# sh) and a manifest for the layers (tar, tar.gz or tar.zst files); prints
# "DIGEST SIZE" of the manifest.
oci_image() {
	local dir=$1 arch=$2
	shift 2
	local diff_ids=() layers=() f d diff_id
	require_tools zstdcat
	for f in "$@"; do
		# the digest of the uncompressed tar (zstdcat -f also reads gzip
		# and plain files)
		diff_id=$(
			set -o pipefail
			zstdcat -f -q "$f" | sha256sum
		) || {
			echo "zstdcat $f failed" >&2
			return 1
		}
		diff_ids+=("\"sha256:${diff_id%% *}\"")
		d=$(oci_add_blob "$dir" "$f")
		layers+=("{\"mediaType\":\"$(layer_media_type "$f")\",\"digest\":\"$d\",\"size\":$(stat -c %s "$f")}")
	done
	local ids layer_list cfg cfgd manifest md
	ids=$(
		IFS=,
		echo "${diff_ids[*]}"
	)
	layer_list=$(
		IFS=,
		echo "${layers[*]}"
	)
	cfg=$BATS_TEST_TMPDIR/config.$$.json
	printf '{"architecture":"%s","os":"linux","created":"2024-01-02T03:04:05Z","config":{"Cmd":["%s"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[{"created_by":"test"}]}' \
		"$arch" "${OCI_CMD:-sh}" "$ids" >"$cfg"
	cfgd=$(oci_add_blob "$dir" "$cfg")
	manifest=$BATS_TEST_TMPDIR/manifest.$$.json
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' \
		"$cfgd" "$(stat -c %s "$cfg")" "$layer_list" >"$manifest"
	md=$(oci_add_blob "$dir" "$manifest")
	echo "$md $(stat -c %s "$manifest")"
}

# oci_tag DIR NAME MEDIA_TYPE DIGEST SIZE: names a manifest or index in
# index.json.
oci_tag() {
	local tmp=$1/index.json.new
	jq --arg n "$2" --arg mt "$3" --arg d "$4" --argjson s "$5" \
		'.manifests += [{mediaType: $mt, digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": $n}}]' \
		"$1/index.json" >"$tmp"
	mv "$tmp" "$1/index.json"
}

# push_oci DIR NAME REGISTRY/REPO:TAG [skopeo args]: skopeo copy to the registry.
push_oci() {
	local dir=$1 name=$2 dest=$3
	shift 3
	require_tools skopeo
	skopeo copy -q --all --dest-tls-verify=false "$@" "oci:$dir:$name" "docker://$dest" >/dev/null
}

# A tar of one file NAME with CONTENT, as a layer.
make_layer_tar() {
	local out=$1 name=$2 content=$3 d
	d=$(mktemp -d "$BATS_TEST_TMPDIR/layer.XXXXXX")
	mkdir -p "$d/$(dirname "$name")"
	printf '%s' "$content" >"$d/$name"
	tar -C "$d" -cf "$out" .
	rm -rf "$d"
}

# start_fake_registry NAME MODE LAYOUT: tests/system/fake-registry.py on
# 127.0.0.1; sets FAKE_NAME=127.0.0.1:PORT (upper-case).
start_fake_registry() {
	local name=$1 mode=$2 layout=$3 dir=$BATS_FILE_TMPDIR/registry-fake-$1
	require_tools python3
	mkdir -p "$dir"
	rm -f "$dir/port"
	/usr/bin/python3 "$TOP/tests/system/fake-registry.py" --mode "$mode" --layout "$layout" \
		--port-file "$dir/port" --log "$dir/requests" >"$dir/log" 2>&1 &
	echo $! >"$dir/pid"
	local i
	for i in $(seq 200); do
		[ -f "$dir/port" ] && break
		sleep 0.02
	done
	[ -f "$dir/port" ] || {
		cat "$dir/log" >&2
		return 1
	}
	local var=FAKE_${name^^}
	export "${var//-/_}=127.0.0.1:$(cat "$dir/port")"
}

# stop_fake_registry NAME
stop_fake_registry() {
	local pidfile=$BATS_FILE_TMPDIR/registry-fake-$1/pid pid
	[ -f "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
	rm -f "$pidfile"
}

# Nothing unverified or half-made in the store: every blob has the digest
# it is named by; tmp holds no scratch of a finished command.
assert_store_clean() {
	local f hex
	for f in "$HAKO_ROOT"/blobs/sha256/*; do
		[ -e "$f" ] || continue
		hex=$(sha256sum <"$f" | cut -d' ' -f1)
		[ "$hex" = "$(basename "$f")" ] || {
			echo "blob $f has digest $hex"
			return 1
		}
	done
	[ -z "$(ls -A "$HAKO_ROOT/tmp" 2>/dev/null)" ] || {
		echo "left in tmp: $(ls -A "$HAKO_ROOT/tmp")"
		return 1
	}
}
