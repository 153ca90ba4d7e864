# Shared by the image bats files: a private store per file, a busybox
# root filesystem tar, and checks that nothing is left mounted.
# shellcheck shell=bash

HAKO=$HAKO_BUILD/src/cli/hako

# hako with this file's private store.
hk() {
	"$HAKO" --root "$HAKO_ROOT" "$@"
}

image_setup_file() {
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
