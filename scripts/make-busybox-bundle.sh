#!/bin/bash
# make-busybox-bundle.sh DIR [ARGS...]: an OCI bundle in DIR whose rootfs is
# Debian's static busybox, with `hako-runtime spec`'s default config.json
# running ARGS (default: sh) without a terminal.
set -euo pipefail
trap 'echo "${0##*/}: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
dir=$1
shift
runtime=${HAKO_RUNTIME:-$(dirname "$0")/../build/src/cli/hako-runtime}
mkdir -p "$dir/rootfs"/{bin,dev,proc,sys,tmp,etc,root}
cp /bin/busybox "$dir/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$dir/rootfs/bin/$applet" ] || ln -s busybox "$dir/rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/rootfs/etc/passwd"
echo 'root:x:0:' >"$dir/rootfs/etc/group"
rm -f "$dir/config.json"
"$runtime" spec --bundle "$dir"
args_json=$(printf '%s\n' "${@:-sh}" | jq -R . | jq -s .)
jq --argjson args "$args_json" '.process.terminal = false | .process.args = $args' \
	"$dir/config.json" >"$dir/config.json.new"
mv "$dir/config.json.new" "$dir/config.json"
