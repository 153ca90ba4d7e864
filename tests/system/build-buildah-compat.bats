#!/usr/bin/env bats
# The same Containerfile built by hako and by Debian's buildah (private
# store, vfs, chroot isolation): the root filesystems (file list,
# contents, modes, owners) and the configs must agree, except for what is
# listed here with its reason:
#   - Labels: buildah adds io.buildah.version (its own version).
#   - /etc/hosts, /etc/resolv.conf, /etc/hostname: buildah leaves the
#     empty mount points its RUN made in the image, hako leaves them out
#     as Docker does; they are compared outside the tree.
#   - /run: buildah leaves the empty directory its RUN's mounts needed
#     (hako leaves mount points out of the layer).
#   - the root directory itself: the export is extracted into a directory
#     of the test's, so its mode is that directory's.
#   - mtimes: not compared (each tool's RUN writes at its own time).
#   - ONBUILD: not in these files (`buildah from`, which the comparison
#     uses to see buildah's tree, runs the triggers); build.bats tests it.
#   - the second file is built by buildah with --format docker, the only
#     format whose config keeps HEALTHCHECK and SHELL, and its
#     config is read from buildah's Docker config, where buildah writes
#     "Entrypoint": [] and "User": "" for an image without them (hako
#     leaves them out): an unset field and an empty one are compared as
#     equal.  Its CMD is in exec form: buildah
#     runs a shell-form CMD with /bin/sh -c whatever SHELL says, where
#     Docker's reference (and hako) use SHELL's.

bats_require_minimum_version 1.5.0
load engine-helpers

setup_file() {
	engine_setup_file
	require_tools buildah
	export BUILDAH_DIR=$BATS_FILE_TMPDIR/buildah
	hk save --format oci-archive -o "$BATS_FILE_TMPDIR/busybox-oci.tar" busybox
	bh pull -q "oci-archive:$BATS_FILE_TMPDIR/busybox-oci.tar" >/dev/null
	bh tag "$(bh images -q | head -1)" busybox
}
teardown_file() {
	bh rm --all >/dev/null 2>&1 || true
	bh rmi --all -f >/dev/null 2>&1 || true
	engine_teardown_file
	rm -rf "$BUILDAH_DIR"
}
setup() { engine_setup; }
teardown() {
	bh rm --all >/dev/null 2>&1 || true
	engine_teardown
}

bh() {
	buildah --root "$BUILDAH_DIR/root" --runroot "$BUILDAH_DIR/run" --storage-driver vfs "$@"
}

# tree DIR: one line per file under DIR: path, type, mode, owner, size,
# content digest (regular files) or link target.
tree() {
	(cd "$1" && find . -path ./proc -prune -o -path ./sys -prune -o -path ./dev -prune -o \
		-path ./run -prune -o ! -path . ! -path ./etc/hosts ! -path ./etc/resolv.conf \
		! -path ./etc/hostname -printf '%p %y %m %U:%G %s %l\n' |
		sort | while read -r p y rest; do
			if [ "$y" = f ]; then echo "$p $y $rest $(sha256sum <"$p" | cut -c1-16)"; else echo "$p $y $rest"; fi
		done)
}

# compare_with_buildah CTX FORMAT KEY...: CTX built by hako and by
# buildah (--format FORMAT: oci or docker): the same root filesystem, and
# the same config fields KEY, and Labels but buildah's own.
compare_with_buildah() {
	local ctx=$1 format=$2 k hc bc ctr mnt
	shift 2
	run -0 hk build --network none -t compat "$ctx"
	run -0 bh bud -q --format "$format" --isolation chroot --network host -t compat "$ctx"
	# Root filesystems.
	rm -rf "$BATS_TEST_TMPDIR/h"
	mkdir "$BATS_TEST_TMPDIR/h"
	hk create --name compat-export compat >/dev/null
	hk export compat-export | tar -C "$BATS_TEST_TMPDIR/h" -xf -
	hk rm compat-export >/dev/null
	ctr=$(bh from compat)
	mnt=$(bh mount "$ctr")
	diff <(tree "$BATS_TEST_TMPDIR/h") <(tree "$mnt")
	bh umount "$ctr" >/dev/null
	bh rm "$ctr" >/dev/null
	# Configs.
	hc=$(hk image inspect -f '{{json .Config}}' compat)
	if [ "$format" = docker ]; then
		bc=$(bh inspect --type image compat | jq .Docker.config)
	else
		bc=$(bh inspect --type image compat | jq .OCIv1.config)
	fi
	# An unset field and an empty one ("", [], {}) mean the same.
	local unset='if . == "" or . == [] or . == {} then null else . end'
	for k in "$@"; do
		[ "$(jq -cS ".$k | $unset" <<<"$hc")" = "$(jq -cS ".$k | $unset" <<<"$bc")" ] || {
			echo "$k: hako $(jq -cS ".$k" <<<"$hc"), buildah $(jq -cS ".$k" <<<"$bc")"
			false
		}
	done
	[ "$(jq -cS '.Labels' <<<"$hc")" = "$(jq -cS '.Labels | del(."io.buildah.version")' <<<"$bc")" ]
}

@test "hako and buildah build the same root filesystem and config" {
	ctx=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$ctx/tree/sub"
	echo one >"$ctx/one.txt"
	echo two >"$ctx/tree/sub/two"
	chmod 600 "$ctx/tree/sub/two"
	ln -s one.txt "$ctx/tree/link"
	cat >"$ctx/Containerfile" <<-'CF'
		FROM busybox AS base
		RUN echo base >/base && mkdir -p /opt/x && chmod 750 /opt/x
		FROM base
		ARG V=3
		ENV A=1 B="two words"
		WORKDIR /app
		COPY one.txt .
		COPY tree /app/tree/
		COPY --chown=12:34 --chmod=0640 one.txt /owned
		RUN echo "$V $A" >/app/run && rm /bin/ls && ln -s /app/run /app/runlink
		LABEL version=$V
		EXPOSE 8080/udp
		USER 1000
		ENTRYPOINT ["/bin/sh"]
		CMD ["-c", "cat /app/run"]
	CF
	compare_with_buildah "$ctx" oci Env Entrypoint Cmd WorkingDir User ExposedPorts
}

@test "hako and buildah agree on ADD, COPY's directory rules, deletions and the other config instructions" {
	ctx=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$ctx/src/a/b" "$ctx/more" "$ctx/arch/d"
	echo x >"$ctx/src/x"
	echo deep >"$ctx/src/a/b/deep"
	chmod 755 "$ctx/src/a/b/deep"
	echo m1 >"$ctx/more/m1.conf"
	echo m2 >"$ctx/more/m2.conf"
	echo skip >"$ctx/more/m3.txt"
	echo inside >"$ctx/arch/d/f"
	tar -C "$ctx/arch" --owner=5 --group=6 -czf "$ctx/a.tar.gz" d
	echo plain >"$ctx/plain"
	cat >"$ctx/Containerfile" <<-'CF'
		FROM busybox
		SHELL ["/bin/sh", "-ec"]
		WORKDIR /w/deep/er
		COPY src /copied
		COPY src/ /copied-slash/
		COPY more/*.conf plain /confs/
		COPY src/x /renamed
		ADD a.tar.gz /extracted/
		ADD --chown=7:8 --chmod=0600 plain /added
		RUN mkdir -p /gone/inner && echo g >/gone/inner/g && rm -rf /copied/a && rm /bin/cat
		RUN rm -rf /gone && mkdir /gone && echo new >/gone/new
		VOLUME /data /logs
		STOPSIGNAL SIGUSR1
		HEALTHCHECK --interval=7s --timeout=3s --retries=2 CMD ["true"]
		LABEL a=b "c d"="e f"
		ENV PATH=/usr/local/bin:/bin:/usr/bin
		CMD ["sleep", "1"]
	CF
	compare_with_buildah "$ctx" docker Env Entrypoint Cmd WorkingDir User ExposedPorts Volumes \
		StopSignal Healthcheck Shell
}
