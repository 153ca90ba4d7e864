#!/bin/bash
# Installs the Debian 12 packages hako needs to build, to run its demo and
# to run every test.  Idempotent; run as root.
set -euo pipefail
packages=(
	# build
	meson ninja-build pkg-config gcc clang libclang-rt-14-dev
	libjansson-dev libcap-dev libseccomp-dev
	libarchive-dev libcurl4-openssl-dev nettle-dev libsqlite3-dev
	# tests
	libcmocka-dev bats busybox-static jq iproute2 util-linux procps
	# comparisons (bench/ and compatibility tests)
	crun runc containerd hyperfine criu buildah
	# images: a registry and tools that did not come from us
	docker-registry skopeo umoci apache2-utils podman python3
	# networks
	containernetworking-plugins iptables nftables
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
