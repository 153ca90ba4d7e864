#!/usr/bin/env bats
# The build context is the user's directory and the archives ADD extracts
# come from anywhere: neither may reach the host's files; and a Dockerfile
# may not give its RUN steps the host's network or privileges unless the
# command line allows it.  One test per attack.

bats_require_minimum_version 1.5.0
load build-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() {
	build_setup
	echo host-only >"$BATS_TEST_TMPDIR/outside"
}
teardown() { engine_teardown; }

@test "COPY ../outside: a path leading out of the context is refused" {
	printf 'FROM busybox\nCOPY ../outside /x\n' >"$CTX/Containerfile"
	run -125 hkb "$CTX"
	[[ $output == *"forbidden path outside the build context"* ]]
	printf 'FROM busybox\nCOPY sub/../../outside /x\n' >"$CTX/Containerfile"
	run -125 hkb "$CTX"
	[[ $output == *"forbidden path outside the build context"* ]]
}

@test "COPY of a symlink leading out of the context is refused" {
	ln -s "$BATS_TEST_TMPDIR/outside" "$CTX/abs-link"
	ln -s ../outside "$CTX/rel-link"
	for l in abs-link rel-link; do
		printf 'FROM busybox\nCOPY %s /x\n' "$l" >"$CTX/Containerfile"
		run -125 hkb "$CTX"
		[[ $output == *"leads outside the build context"* ]]
	done
	# Inside a copied directory a symlink is copied as a symlink, never read.
	mkdir "$CTX/d"
	ln -s "$BATS_TEST_TMPDIR/outside" "$CTX/d/link"
	printf 'FROM busybox\nCOPY d /d\n' >"$CTX/Containerfile"
	run -0 hkb -t linkdir "$CTX"
	run -0 hk run --rm --network none linkdir readlink /d/link
	[ "$output" = "$BATS_TEST_TMPDIR/outside" ]
	run -1 hk run --rm --network none linkdir cat /d/link
}

@test "COPY /etc/passwd: an absolute source is the context's, not the host's" {
	printf 'FROM busybox\nCOPY /etc/passwd /x\n' >"$CTX/Containerfile"
	run -125 hkb "$CTX"
	[[ $output == *"etc/passwd"* ]]
	mkdir -p "$CTX/etc"
	echo context-passwd >"$CTX/etc/passwd"
	run -0 hkb -t abs "$CTX"
	[ "$(hk run --rm --network none abs cat /x)" = context-passwd ]
}

@test "ADD of a tar with ../ and absolute names writes nothing outside the image root" {
	python3 - "$CTX/evil.tar" "$BATS_TEST_TMPDIR" <<-'PY'
		import io, sys, tarfile
		t = tarfile.open(sys.argv[1], "w")
		def add(name, data=b"pwned\n", kind=tarfile.REGTYPE, link=""):
		    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link; i.size = len(data) if kind == tarfile.REGTYPE else 0
		    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
		add("../../../../../../.." + sys.argv[2] + "/dotdot-escape")
		add(sys.argv[2] + "/absolute-escape")
		t.close()
	PY
	printf 'FROM busybox\nADD evil.tar /x/\n' >"$CTX/Containerfile"
	run hkb -t evil "$CTX"
	[ ! -e "$BATS_TEST_TMPDIR/dotdot-escape" ]
	[ ! -e "$BATS_TEST_TMPDIR/absolute-escape" ]
}

@test "ADD of a tar whose symlink points out, then a file through it, stays in the root" {
	python3 - "$CTX/evil.tar" "$BATS_TEST_TMPDIR" <<-'PY'
		import io, sys, tarfile
		t = tarfile.open(sys.argv[1], "w")
		i = tarfile.TarInfo("escape"); i.type = tarfile.SYMTYPE; i.linkname = sys.argv[2]; t.addfile(i)
		d = b"through the link\n"
		i = tarfile.TarInfo("escape/planted"); i.size = len(d); t.addfile(i, io.BytesIO(d))
		t.close()
	PY
	printf 'FROM busybox\nADD evil.tar /x/\n' >"$CTX/Containerfile"
	run hkb -t evil2 "$CTX"
	[ ! -e "$BATS_TEST_TMPDIR/planted" ]
	if [ "$status" -eq 0 ]; then
		# Followed as if the root were /: it landed inside the image.
		run -0 hk run --rm --network none evil2 cat "$BATS_TEST_TMPDIR/planted"
	fi
}

@test "RUN --network=host from a Dockerfile alone: refused; the host's network only with --allow network.host" {
	printf 'FROM busybox\nRUN --network=host ls /sys/class/net >/nets\n' >"$CTX/Containerfile"
	run -125 hkb -t hostnet "$CTX"
	[[ $output == *"line 2: RUN --network=host needs \`--allow network.host\`"* ]]
	run -0 hk images -q hostnet
	[ -z "$output" ]
	# A named network is not the Dockerfile's to choose either.
	printf 'FROM busybox\nRUN --network=hkt-default true\n' >"$BATS_TEST_TMPDIR/named"
	run -125 hkb -f "$BATS_TEST_TMPDIR/named" "$CTX"
	[[ $output == *"RUN --network=hkt-default: default, none or host"* ]]
	# Allowed: the step sees the host's interfaces.
	run -0 hkb --allow network.host -t hostnet "$CTX"
	[ "$(hk run --rm --network none hostnet cat /nets)" = "$(ls /sys/class/net)" ]
}

@test "RUN --security=insecure from a Dockerfile alone: refused, even from the cache; privileged only with --allow security.insecure" {
	printf 'FROM busybox\nRUN --security=insecure grep CapEff /proc/self/status >/caps\n' >"$CTX/Containerfile"
	run -125 hkb -t insecure "$CTX"
	[[ $output == *"line 2: RUN --security=insecure needs \`--allow security.insecure\`"* ]]
	run -0 hkb --allow security.insecure -t insecure "$CTX"
	caps=$(hk run --rm --network none insecure cat /caps)
	# CAP_SYS_ADMIN (bit 21), which hako run's default set lacks
	echo "$caps"
	(((0x${caps##*[[:space:]]} >> 21) & 1))
	default=$(hk run --rm --network none busybox grep CapEff /proc/self/status)
	((!((0x${default##*[[:space:]]} >> 21) & 1)))
	# The step is cached now; without the flag the build is still refused.
	run -125 hkb -t insecure "$CTX"
	[[ $output == *"needs \`--allow security.insecure\`"* ]]
}
