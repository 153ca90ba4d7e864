#!/bin/bash
# install-deps.sh [demo|test]: installs the Debian 12 packages hako needs.
#   demo  what scripts/demo.sh needs: the build (compilers, the libraries
#         and their static dependencies, cmocka for the unit tests the build
#         compiles), busybox-static for the busybox image, and the CNI
#         plugins and iptables for the default network.
#   test  (the default) demo's packages and everything tests/run.sh uses:
#         the sanitizer and fuzzing toolchain, bats and the tools the system
#         tests call, the runtimes, engines and registries they compare hako
#         with, and qemu for the pure cgroup v2 VM.
# Idempotent (installs only what is missing); run as root.  Services that
# packages start on install (containerd, dockerd, docker-registry...) are
# never started: apt runs under a policy-rc.d that refuses every start
# (a temporary one, unless the machine has its own that refuses), and the
# services of packages installed now are disabled at boot; the tests start
# their own private instances.  Stops at the first failure, naming the step
# and showing apt's output.
set -euo pipefail

step='reading the arguments'
trap 'echo "install-deps.sh: failed while $step" >&2' ERR

demo_packages=(
	# build (scripts/build.sh): the libraries, and what pkg-config --static
	# asks for to link the static binaries (sqlite3: zlib)
	meson ninja-build pkg-config gcc libc6-dev
	libjansson-dev libcap-dev libseccomp-dev nettle-dev libsqlite3-dev zlib1g-dev
	libarchive-dev libcurl4-openssl-dev libcmocka-dev
	# kube play/generate (and compose): YAML through libyaml
	libyaml-dev
	# the busybox image (scripts/busybox-image.sh)
	busybox-static
	# the default network: CNI bridge, host-local, portmap; hako's NAT rules
	containernetworking-plugins iptables
	# the native network driver (hako-net): rtnetlink through libmnl, the
	# rules through libnftables (both shared libraries only in Debian)
	libmnl-dev libnftables-dev
	# a user network's DNS server (hako-dns): messages through ldns
	libldns-dev
)
test_packages=(
	# the sanitizer and libFuzzer builds
	clang libclang-rt-14-dev
	# the tests and the tools they call
	bats jq python3 python3-yaml procps iproute2 wget curl zstd openssl apache2-utils nftables
	# userns.bats reads the store's user namespace ranges
	sqlite3
	# explain.bats: capsh --decode checks explain's capability names, and
	# its JSON is validated against docs/explain-schema.json
	libcap2-bin python3-jsonschema
	# rootless hako (rootless.bats, bench/rootless.sh): newuidmap/newgidmap
	# map a user's subordinate ranges; pasta (passt, the default network)
	# and slirp4netns; fuse-overlayfs, Podman's rootless fallback where
	# the kernel refuses overlayfs in a user namespace (before 5.11)
	uidmap passt slirp4netns fuse-overlayfs
	# the pure cgroup v2 VM (../shared/tools/cgroup2-vm installs these on
	# first use; installed here so that their time is counted here)
	qemu-system-x86 cpio
	# other runtimes, engines and clients that drive or are compared with hako
	crun runc criu containerd docker.io podman buildah
	# compose-docker.bats and bench/compose.sh compare hako compose with
	# Docker Compose v1 (python) against a private dockerd
	docker-compose
	# Podman's pod infra image (built locally from catatonit: bench/pod.sh)
	catatonit
	python3-grpcio python3-protobuf protobuf-compiler
	# registries and image tools that did not come from us
	docker-registry skopeo umoci
	# bench/
	hyperfine
	# cli-docs.bats renders the man pages (man --warnings); completion.bats
	# runs the zsh and fish completion scripts
	man-db zsh fish
)

case ${1:-test} in
demo) packages=("${demo_packages[@]}") ;;
test) packages=("${demo_packages[@]}" "${test_packages[@]}") ;;
*)
	echo "usage: install-deps.sh [demo|test]" >&2
	exit 2
	;;
esac
group=${1:-test}

# installed_packages: the names of the installed packages, one a line.
installed_packages() {
	dpkg-query -W -f='${Package} ${db:Status-Status}\n' | awk '$2 == "installed" { print $1 }' | sort -u
}

step='listing the installed packages'
before=$(installed_packages)
declare -A installed=()
for p in $before; do installed[$p]=1; done
missing=()
for p in "${packages[@]}"; do
	[ -n "${installed[$p]:-}" ] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	echo "install-deps.sh: the $group packages are installed"
	exit 0
fi

log=$(mktemp /tmp/hako-install-deps.XXXXXX)
policy=/usr/sbin/policy-rc.d
own_policy=0
cleanup() {
	rm -f "$log"
	if ((own_policy)); then rm -f "$policy"; fi
}
trap cleanup EXIT

# apt ARGS...: apt-get with its output in $log, shown when it fails.
apt() {
	if ! DEBIAN_FRONTEND=noninteractive apt-get -q "$@" >"$log" 2>&1; then
		echo "install-deps.sh: apt-get $* failed:" >&2
		cat "$log" >&2
		return 1
	fi
}

step="checking $policy"
if [ -e "$policy" ]; then
	# A machine's own policy decides; one that lets services start would
	# start daemons that listen on every address.
	rc=0
	"$policy" containerd start >/dev/null || rc=$?
	if ((rc != 101)); then
		echo "install-deps.sh: $policy allows services to start (it exits $rc for" \
			"\`containerd start\`, 101 refuses): containerd, dockerd and docker-registry" \
			"would start and listen; install with a policy that refuses" >&2
		exit 1
	fi
else
	printf '#!/bin/sh\n# install-deps.sh: no service starts while it installs\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	own_policy=1
fi

start=$SECONDS
echo "install-deps.sh: installing ${#missing[@]} $group packages (and their dependencies): ${missing[*]}"
step='apt-get update'
apt update
step="apt-get install ${missing[*]}"
apt install -y --no-install-recommends "${missing[@]}"

# The services of the packages installed now (dependencies included) stay
# off at boot too.
step='listing the packages installed now'
after=$(installed_packages)
new=$(comm -13 <(echo "$before") <(echo "$after"))
for p in $new; do
	step="listing the files of $p"
	files=$(dpkg-query -L "$p")
	for f in $files; do
		case $f in
		/etc/init.d/*)
			compgen -G "/etc/rc[2-5].d/S??${f##*/}" >/dev/null || continue
			step="update-rc.d ${f##*/} disable"
			update-rc.d "${f##*/}" disable >"$log" 2>&1 || { cat "$log" >&2; false; }
			;;
		/lib/systemd/system/*.service | /lib/systemd/system/*.socket | /lib/systemd/system/*.timer)
			[[ $f == *@.* ]] && continue
			# as the package's maintainer scripts call it (the helper
			# refuses to run without dpkg's variable)
			step="deb-systemd-helper disable ${f##*/}"
			DPKG_MAINTSCRIPT_PACKAGE=$p deb-systemd-helper disable "${f##*/}" >"$log" 2>&1 ||
				{ cat "$log" >&2; false; }
			;;
		esac
	done
done
step='measuring what was installed'
# shellcheck disable=SC2086 # one word a package
kib=$(dpkg-query -W -f='${Installed-Size}\n' $new | awk '{ s += $1 } END { print s + 0 }')
# shellcheck disable=SC2086
debs=$(apt-cache show --no-all-versions $new | awk '/^Size:/ { s += $2 } END { print s + 0 }')
echo "install-deps.sh: installed $(wc -w <<<"$new") packages ($((debs >> 20)) MB of .deb files," \
	"$((kib >> 10)) MB on disk) in $((SECONDS - start)) s"
