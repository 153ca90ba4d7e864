#!/bin/bash
# busybox-image.sh [HAKO GLOBAL OPTIONS...]: makes sure hako has an image
# named `busybox`, building it the first time from Debian's busybox-static
# (no network needed): a root filesystem of the static binary and a link
# per applet, imported with `hako import` and CMD ["sh"].
set -euo pipefail
trap 'echo "${0##*/}: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
top=$(cd "$(dirname "$0")/.." && pwd)
hako=${HAKO:-$top/build/src/cli/hako}
"$hako" "$@" image inspect busybox >/dev/null 2>&1 && exit 0
rootfs=$(mktemp -d /tmp/hako-busybox.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
"$top/scripts/make-busybox-rootfs.sh" "$rootfs"
tar -C "$rootfs" -c . | "$hako" "$@" import -c 'CMD ["sh"]' - busybox >/dev/null
echo "built the busybox image from $(dpkg-query -W -f='busybox-static ${Version}' busybox-static 2>/dev/null || echo /bin/busybox)"
