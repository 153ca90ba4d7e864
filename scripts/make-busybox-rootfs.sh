#!/bin/bash
# make-busybox-rootfs.sh DIR: a minimal root filesystem in DIR made of
# Debian's static busybox and a symlink per applet; no network needed.
#   scripts/make-busybox-rootfs.sh /tmp/bb && tar -C /tmp/bb -c . |
#     hako import -c 'CMD ["sh"]' - busybox
set -euo pipefail
trap 'echo "${0##*/}: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
dir=$1
mkdir -p "$dir"/{bin,dev,proc,sys,tmp,etc,root}
chmod 1777 "$dir/tmp"
cp /bin/busybox "$dir/bin/busybox"
# One process for the ~400 links (a `ln` each takes seconds).
(cd "$dir/bin" && /bin/busybox --list | perl -ne 'chomp; -e $_ or symlink("busybox", $_) or die "$_: $!\n"')
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$dir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
