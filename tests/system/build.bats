#!/usr/bin/env bats
# hako build: every instruction and flag, with the image's config, files,
# modes and owners checked; the cache; stages; mounts and secrets;
# reproducible IDs; bad input; nothing left behind.

bats_require_minimum_version 1.5.0
load build-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { build_setup; }
teardown() { engine_teardown; }

# image_config IMAGE: its config document, as stored.
image_config() {
	local id
	id=$(hk image inspect -f '{{.Id}}' "$1") || return 1
	cat "$HAKO_ROOT/blobs/sha256/${id#sha256:}"
}

# The number of "Using cache" lines in $output.
cached() {
	grep -c -- '--> Using cache' <<<"$output" || true
}

@test "every config instruction lands in inspect's Config" {
	cf 'FROM busybox
ARG V=7
ENV A=1 B="two words"
ENV LEGACY value with spaces
LABEL version=${V} "with space"=x
EXPOSE 80 53/udp
VOLUME ["/data"]
USER 1000:1000
WORKDIR /srv
WORKDIR app
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD wget -q localhost
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo hi"]
SHELL ["/bin/sh", "-xc"]'
	run -0 hkb -t cfg "$CTX"
	run -0 hk image inspect -f '{{json .Config}}' cfg
	c=$output
	[ "$(jq -c .Env <<<"$c")" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","A=1","B=two words","LEGACY=value with spaces"]' ] ||
		[ "$(jq -c '.Env[-3:]' <<<"$c")" = '["A=1","B=two words","LEGACY=value with spaces"]' ]
	[ "$(jq -c .Labels <<<"$c")" = '{"version":"7","with space":"x"}' ]
	[ "$(jq -c .ExposedPorts <<<"$c")" = '{"53/udp":{},"80/tcp":{}}' ]
	[ "$(jq -c .Volumes <<<"$c")" = '{"/data":{}}' ]
	[ "$(jq -r .User <<<"$c")" = 1000:1000 ]
	[ "$(jq -r .WorkingDir <<<"$c")" = /srv/app ]
	[ "$(jq -r .StopSignal <<<"$c")" = SIGINT ]
	[ "$(jq -c .Healthcheck <<<"$c")" = '{"Interval":5000000000,"Retries":4,"Test":["CMD-SHELL","wget -q localhost"],"Timeout":2000000000}' ]
	[ "$(jq -c .Entrypoint <<<"$c")" = '["/bin/sh","-c"]' ]
	[ "$(jq -c .Cmd <<<"$c")" = '["echo hi"]' ]
	[ "$(jq -c .Shell <<<"$c")" = '["/bin/sh","-xc"]' ]
	# History as Docker writes it: one entry per step, config steps empty.
	run -0 image_config cfg
	[ "$(jq '[.history[] | select(.empty_layer == true)] | length' <<<"$output")" -eq 13 ]
	[ "$(jq -r '.history[-1].created_by' <<<"$output")" = '/bin/sh -c #(nop) SHELL ["/bin/sh", "-xc"]' ]
}

@test "RUN's history as Docker's: the shell's words or the exec form, after the args but the proxy args not declared" {
	cf 'FROM busybox
ARG V=7
ARG HTTPS_PROXY
RUN echo "$V $HTTP_PROXY $HTTPS_PROXY" >/seen
RUN ["/bin/sh", "-c", "true"]
ENV V=env
SHELL ["/bin/sh", "-ec"]
RUN true'
	run -0 hkb --build-arg HTTP_PROXY=http://user:pw@127.0.0.1:9 --build-arg HTTPS_PROXY=hs -t hist "$CTX"
	# RUN sees the proxy args, declared or not; the image does not keep them.
	[ "$(hk run --rm --network none hist cat /seen)" = "7 http://user:pw@127.0.0.1:9 hs" ]
	run -0 hk image inspect -f '{{json .Config.Env}}' hist
	[[ $output != *PROXY* ]]
	run -0 image_config hist
	[[ $output != *user:pw* ]]
	# Sorted NAME=VALUE after |N; an arg that ENV overrides is not in
	# RUN's environment, so not in its entry either.
	[ "$(jq -r '[.history[] | select(.empty_layer != true)][-3:][].created_by' <<<"$output")" = \
		'|2 HTTPS_PROXY=hs V=7 /bin/sh -c echo "$V $HTTP_PROXY $HTTPS_PROXY" >/seen
|2 HTTPS_PROXY=hs V=7 /bin/sh -c true
|1 HTTPS_PROXY=hs /bin/sh -ec true' ]
}

@test "image build; Containerfile over Dockerfile; escape and syntax directives; MAINTAINER; COPY --from an image, --link; RUN --network" {
	printf 'FROM busybox\nRUN echo dockerfile >/which\n' >"$CTX/Dockerfile"
	cf '# syntax=docker/dockerfile:1
# escape=`
FROM busybox
MAINTAINER someone <someone@example.org>
COPY --from=busybox /bin/busybox /from-image
COPY --link Dockerfile /linked
RUN --network=none echo containerfile >/which && `
    ls /sys/class/net >/nets
LABEL path=C:\
RUN echo "C:\dir" >/backslash'
	run -0 hk image build --network host -t misc "$CTX"
	[[ $output == *"the syntax directive (\`docker/dockerfile:1\`) is ignored"* ]]
	[ "$(hk image inspect -f '{{.Author}}' misc)" = "someone <someone@example.org>" ]
	# With escape=` a backslash at the end of a line is the label's.
	[ "$(hk image inspect -f '{{json .Config.Labels}}' misc)" = '{"path":"C:\\"}' ]
	run -0 hk run --rm --network none misc sh -c 'cat /which /nets /backslash; cmp /from-image /bin/busybox && cat /linked'
	[ "$output" = "containerfile
lo
C:\dir
FROM busybox
RUN echo dockerfile >/which" ]
	# -f picks the other file.
	run -0 hk image build --network none -f "$CTX/Dockerfile" -t misc-docker "$CTX"
	[ "$(hk run --rm --network none misc-docker cat /which)" = dockerfile ]
}

@test "builder prune: the cache is forgotten (the next build reruns every step), tagged images stay" {
	cf 'FROM busybox
RUN echo one >/one'
	run -0 hkb -t bp "$CTX"
	run -0 hkb -t bp "$CTX"
	[ "$(cached)" -eq 1 ]
	[ -n "$(ls "$HAKO_ROOT/build-cache")" ]
	run -0 hk builder prune -f
	[ ! -e "$HAKO_ROOT/build-cache" ] || [ -z "$(ls -A "$HAKO_ROOT/build-cache")" ]
	[ "$(hk run --rm --network none bp cat /one)" = one ]
	run -0 hkb -t bp "$CTX"
	[ "$(cached)" -eq 0 ]
}

@test "RUN (shell and exec forms), COPY with --chown and --chmod: files, modes, owners" {
	mkdir -p "$CTX/tree/sub"
	echo one >"$CTX/one.txt"
	echo deep >"$CTX/tree/sub/deep"
	chmod 600 "$CTX/tree/sub/deep"
	ln -s one.txt "$CTX/tree/link"
	cf 'FROM busybox
RUN echo shell >/shell && echo app:x:1234:1234::/:/bin/sh >>/etc/passwd && echo app:x:1234: >>/etc/group
RUN ["/bin/sh", "-c", "echo exec >/exec"]
COPY one.txt /copied/
COPY tree /tree
COPY --chown=app:app --chmod=0750 one.txt /owned
COPY --chown=42:43 tree/sub /numeric/'
	run -0 hkb -t files "$CTX"
	run -0 hk run --rm --network none files sh -c 'cat /shell /exec /copied/one.txt /tree/sub/deep;
		stat -c "%n %a %u:%g" /owned /tree/sub/deep /numeric/deep /copied/one.txt; readlink /tree/link'
	[ "$output" = "shell
exec
one
deep
/owned 750 1234:1234
/tree/sub/deep 600 0:0
/numeric/deep 600 42:43
/copied/one.txt 644 0:0
one.txt" ]
}

@test "COPY destination rules: file onto a name, into a directory, globs, a directory's content" {
	mkdir -p "$CTX/d/e"
	echo a >"$CTX/a.go"
	echo b >"$CTX/b.go"
	echo c >"$CTX/c.txt"
	echo x >"$CTX/d/e/x"
	cf 'FROM busybox
COPY c.txt /renamed
COPY *.go /globbed/
COPY d /content
COPY c.txt /etc'
	run -0 hkb -t dest "$CTX"
	run -0 hk run --rm --network none dest sh -c 'cat /renamed; ls /globbed; ls /content; cat /content/e/x /etc/c.txt'
	[ "$output" = "c
a.go
b.go
e
x
c" ]
}

@test "cache: an unchanged rebuild reruns nothing; a changed file reruns from its COPY on" {
	echo 1 >"$CTX/f"
	echo same >"$CTX/g"
	cf 'FROM busybox
ENV X=1
COPY g /g
RUN echo before >/before
COPY f /f
RUN cat /f >/after
CMD ["cat", "/after"]'
	run -0 hkb -t cache "$CTX"
	[ "$(cached)" -eq 0 ]
	first=$(hk image inspect -f '{{.Id}}' cache)
	run -0 hkb -t cache "$CTX"
	[ "$(cached)" -eq 6 ]
	[ "$(hk image inspect -f '{{.Id}}' cache)" = "$first" ]
	# A touch changes no content: still cached.
	touch "$CTX/f"
	run -0 hkb -t cache "$CTX"
	[ "$(cached)" -eq 6 ]
	echo 2 >"$CTX/f"
	run -0 hkb -t cache "$CTX"
	[ "$(cached)" -eq 3 ]
	grep -A1 'COPY f /f' <<<"$output" | grep -vq 'Using cache'
	run -0 hk run --rm --network none cache
	[ "$output" = 2 ]
	run -0 hkb --no-cache -t cache "$CTX"
	[ "$(cached)" -eq 0 ]
	# A changed build arg reruns what follows its ARG.
	cf 'FROM busybox
ARG A=1
RUN echo $A >/a'
	run -0 hkb "$CTX"
	run -0 hkb --build-arg A=2 -t arg "$CTX"
	[ "$(cached)" -eq 0 ]
	[ "$(hk run --rm --network none arg cat /a)" = 2 ]
}

@test "a rebuild with nothing changed is answered by hako alone; a rewrite with the same size and mtime is noticed" {
	mkdir -p "$CTX/d"
	for i in $(seq 50); do echo "$i" >"$CTX/d/f$i"; done
	touch -d 2020-01-01 "$CTX"/d/*
	cf 'FROM busybox
COPY d /d
RUN cat /d/f7 >/seven'
	# Digests are kept for files changed two seconds before they are read.
	sleep 2.1
	run -0 hkb -t dc "$CTX"
	[ "$(cached)" -eq 0 ]
	# the digests of this context (named by its device and inode; other
	# tests' contexts have files there too)
	digests=$(printf '%s' "$(stat -c '%d:%i' "$CTX")" | sha256sum | cut -d' ' -f1)
	[ -s "$HAKO_ROOT/build-cache/files/$digests" ]
	# A hako-transfer that fails would fail a build handed over to it.
	run -0 env HAKO_TRANSFER=/bin/false "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" \
		build --network none -t dc "$CTX"
	[ "$(cached)" -eq 2 ]
	[[ $output == *"Successfully tagged docker.io/library/dc:latest"* ]]
	# The same size and mtime, another content: the change time tells.
	echo 8 >"$CTX/d/f7"
	touch -d 2020-01-01 "$CTX/d/f7"
	run -1 env HAKO_TRANSFER=/bin/false "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" \
		build --network none -t dc "$CTX"
	[ -z "$output" ]
	run -0 hkb -t dc "$CTX"
	[ "$(cached)" -eq 0 ]
	[ "$(hk run --rm --network none dc cat /seven)" = 8 ]
}

# layer_tar DIFF_ID: the listing (tar -tv) of the stored layer blob whose
# uncompressed digest is DIFF_ID.
layer_tar() {
	local b
	for b in "$HAKO_ROOT"/blobs/sha256/*; do
		gzip -t "$b" 2>/dev/null || continue
		if [ "sha256:$(gzip -dc "$b" | sha256sum | cut -d' ' -f1)" = "$1" ]; then
			gzip -dc "$b" | tar -t
			return 0
		fi
	done
	echo "no layer blob for $1" >&2
	return 1
}

@test "--layers=false: one layer for the stage with the files of every step, no intermediate images, no cache" {
	echo a >"$CTX/a"
	cf 'FROM busybox
RUN mkdir /d /opq && echo one >/d/one && echo gone >/gone && touch /opq/old
COPY a /d/a
RUN rm /gone /bin/ls && echo two >/d/two && rm -r /opq && mkdir /opq && touch /opq/new
ENV X=1
CMD ["cat", "/d/one"]'
	base=$(hk image inspect -f '{{json .RootFS.Layers}}' busybox | jq length)
	base_history=$(image_config busybox | jq '.history | length')
	images=$(hk images -a -q | wc -l)
	run -0 hkb --layers=false -t flat "$CTX"
	# One image more, nothing intermediate.
	[ "$(hk images -a -q | wc -l)" -eq $((images + 1)) ]
	[ "$(hk image inspect -f '{{json .RootFS.Layers}}' flat | jq length)" -eq $((base + 1)) ]
	run -0 image_config flat
	history=$(jq .history <<<"$output")
	[ "$(jq length <<<"$history")" -eq $((base_history + 5)) ]
	[ "$(jq "[.[$base_history:][] | select(.empty_layer != true)] | length" <<<"$history")" -eq 1 ]
	[ "$(jq -r "[.[$base_history:][] | select(.empty_layer != true)][0].created_by" <<<"$history")" = \
		"/bin/sh -c rm /gone /bin/ls && echo two >/d/two && rm -r /opq && mkdir /opq && touch /opq/new" ]
	[ "$(hk image inspect -f '{{json .Config.Env}}' flat | jq -r '.[-1]')" = X=1 ]
	# The layer: every step's files, the deletion of a file of the base, the
	# directory made again opaque (its old entry gone).
	run -0 layer_tar "$(hk image inspect -f '{{json .RootFS.Layers}}' flat | jq -r '.[-1]')"
	listing=$output
	for f in d/one d/a d/two bin/.wh.ls opq/.wh..wh..opq opq/new; do
		grep -qx "\(\./\)\?$f" <<<"$listing" || { echo "missing $f in: $listing"; false; }
	done
	! grep -q 'opq/old' <<<"$listing"
	run -0 hk run --rm --network none flat sh -c 'cat /d/one /d/a /d/two; ls /opq; test -e /gone || test -e /bin/ls || echo deleted'
	[ "$output" = "one
a
two
new
deleted" ]
	# The same files as a layered build.
	run -0 hkb -t layered "$CTX"
	list='find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /etc \) -prune -o -print | sort | xargs stat -c "%n %f %u %g %s"'
	[ "$(hk run --rm --network none flat sh -c "$list")" = "$(hk run --rm --network none layered sh -c "$list")" ]
	# No cache: every step runs again.
	run -0 hkb --layers=false -t flat "$CTX"
	[ "$(cached)" -eq 0 ]
	run -125 hkb --layers=maybe "$CTX"
	[[ $output == *'--layers: "maybe" is not true or false'* ]]
}

@test "intermediate images: hidden without -a; image prune keeps those a tagged image is made over, rmi takes its chain" {
	cf 'FROM busybox
RUN echo a >/a
ENV X=1
RUN echo b >/b'
	run -0 hkb -t inter "$CTX"
	final=$(hk image inspect -f '{{.Id}}' inter)
	base=$(hk image inspect -f '{{.Id}}' busybox)
	# The chain: final -> ENV's -> RUN's -> busybox.
	env_image=$(hk image inspect -f '{{.Parent}}' "$final")
	run_image=$(hk image inspect -f '{{.Parent}}' "$env_image")
	[ "$(hk image inspect -f '{{.Parent}}' "$run_image")" = "$base" ]
	# Other tests' images may be in the store: these four are looked for.
	shown=$(hk images -q --no-trunc)
	grep -qx "$final" <<<"$shown"
	! grep -qx "$env_image" <<<"$shown"
	! grep -qx "$run_image" <<<"$shown"
	shown=$(hk images -a -q --no-trunc)
	grep -qx "$env_image" <<<"$shown"
	grep -qx "$run_image" <<<"$shown"
	! hk images -a -q --no-trunc -f dangling=true | grep -qx "$final\|$env_image\|$run_image"
	# Nothing of them is dangling: image prune keeps them, the cache stays whole.
	run -0 hk image prune -f
	[ "$(hk images -a -q --no-trunc | grep -cx "$final\|$env_image\|$run_image")" -eq 3 ]
	run -0 hkb -t inter "$CTX"
	[ "$(cached)" -eq 3 ]
	# A change to the last step leaves the old final image dangling.
	cf 'FROM busybox
RUN echo a >/a
ENV X=1
RUN echo c >/b'
	run -0 hkb -t inter "$CTX"
	[ "$(cached)" -eq 2 ]
	hk images -q -f dangling=true --no-trunc | grep -qx "$final"
	run -0 hk image prune -f
	[[ $output == *"$final"* ]]
	[[ $output != *"$env_image"* ]]
	! hk images -a -q --no-trunc | grep -qx "$final"
	run -0 hkb -t inter "$CTX"
	[ "$(cached)" -eq 3 ]
	# rmi takes the image and its unnamed parents, not busybox.
	new_final=$(hk image inspect -f '{{.Id}}' inter)
	run -0 hk rmi inter
	[[ $output == *"Deleted: $new_final"* && $output == *"Deleted: $env_image"* && $output == *"Deleted: $run_image"* ]]
	[ "$(hk images -a -q --no-trunc | grep -cx "$new_final\|$env_image\|$run_image\|$base")" -eq 1 ]
	hk images -q --no-trunc | grep -qx "$base"
}

@test "multi-stage: COPY --from, --target, only the stages the target needs are built" {
	cf 'FROM busybox AS base
RUN echo base >/base

FROM busybox AS broken
RUN exit 3

FROM base AS build
RUN echo built >/built

FROM scratch AS final
COPY --from=build /built /base /
COPY --from=0 /bin/busybox /bin/busybox'
	run -0 hkb -t staged "$CTX"
	! grep -q 'exit 3' <<<"$output"
	run -0 hk run --rm --network none --entrypoint /bin/busybox staged cat /built /base
	[ "$output" = "built
base" ]
	# scratch: only what was copied.
	run -0 hk run --rm --network none --entrypoint /bin/busybox staged ls /
	[ "$output" = "base
bin
built
dev
etc
proc
sys" ] || [ "$output" = "base
bin
built" ] || { echo "$output"; false; }
	run -0 hkb --target build -t target "$CTX"
	run -0 hk run --rm --network none target cat /built
	run -125 hkb --target nope "$CTX"
	[[ $output == *"target stage \`nope\` could not be found"* ]]
	run -1 hkb --target broken "$CTX"
	[[ $output == *"returned a non-zero code: 3"* ]]
}

@test ".dockerignore and .containerignore: excluded files are not sent, exceptions are" {
	mkdir -p "$CTX/logs" "$CTX/src"
	echo x >"$CTX/logs/a.log"
	echo y >"$CTX/src/keep.md"
	echo z >"$CTX/src/drop.md"
	echo secret >"$CTX/secret.key"
	printf '*.key\nlogs\n**/*.md\n!src/keep.md\n' >"$CTX/.dockerignore"
	cf 'FROM busybox
COPY . /ctx'
	run -0 hkb -t ignore "$CTX"
	run -0 hk run --rm --network none ignore find /ctx -type f
	[ "$(sort <<<"$output")" = "/ctx/.dockerignore
/ctx/Containerfile
/ctx/src/keep.md" ]
	# .containerignore wins over .dockerignore, as Podman has it.
	echo 'src' >"$CTX/.containerignore"
	run -0 hkb -t ignore2 "$CTX"
	run -0 hk run --rm --network none ignore2 find /ctx -name '*.md'
	[ -z "$output" ]
	# An excluded source named outright is an error.
	cf 'FROM busybox
COPY secret.key /'
	rm "$CTX/.containerignore"
	run -125 hkb "$CTX"
	[[ $output == *"excluded by .dockerignore"* ]]
}

@test "heredocs: RUN script, RUN with the shell's heredoc, COPY of heredocs" {
	cf 'FROM busybox
ARG WHO=you
RUN <<EOF
echo "hello $WHO" >/hello
echo second >>/hello
EOF
RUN cat <<EOF >/fromcat
literal line
EOF
COPY <<-"RAW" <<OUT /docs/
	kept $WHO
	RAW
for ${WHO}
OUT'
	run -0 hkb -t heredoc "$CTX"
	run -0 hk run --rm --network none heredoc cat /hello /fromcat /docs/RAW /docs/OUT
	[ "$output" = 'hello you
second
literal line
kept $WHO
for you' ]
}

@test "heredocs: a RUN script with #! runs with its interpreter; the shell expands, quotes stay; a changed body reruns" {
	cf 'FROM busybox
ARG WHO=you
RUN <<EOF
#!/bin/awk -f
BEGIN { printf "awk ran, %s\n", ARGV[0] > "/by-awk" }
EOF
RUN <<SH
#!/bin/sh -e
echo "$0 for $WHO" >/by-sh
SH
RUN <<EOF
echo "two  spaces" "$WHO" >/quoted
EOF'
	run -0 hkb -t shebang "$CTX"
	run -1 hk run --rm --network none shebang sh -c 'cat /by-awk /by-sh /quoted; ls /dev/pipes 2>&1'
	[ "$output" = "awk ran, awk
/dev/pipes/SH for you
two  spaces you
ls: /dev/pipes: No such file or directory" ]
	# The body is part of the key.
	cf 'FROM busybox
ARG WHO=you
RUN <<EOF
#!/bin/awk -f
BEGIN { printf "awk ran, %s\n", ARGV[0] > "/by-awk" }
EOF
RUN <<SH
#!/bin/sh -e
echo "$0 changed" >/by-sh
SH
RUN <<EOF
echo "two  spaces" "$WHO" >/quoted
EOF'
	run -0 hkb -t shebang "$CTX"
	[ "$(cached)" -eq 1 ]
	[ "$(hk run --rm --network none shebang cat /by-sh)" = "/dev/pipes/SH changed" ]
}

@test "RUN --mount=type=cache keeps its content between builds; tmpfs and bind leave no trace" {
	echo ctxfile >"$CTX/input"
	cf 'FROM busybox
RUN --mount=type=cache,target=/cache echo run >>/cache/log && cat /cache/log | wc -l >/count
RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && ! test -e /x
RUN --mount=type=bind,target=/in cat /in/input >/copied'
	run -0 hkb -t cm "$CTX"
	[ "$(hk run --rm --network none cm cat /count)" = 1 ]
	run -0 hkb --no-cache -t cm "$CTX"
	[ "$(hk run --rm --network none cm cat /count)" = 2 ]
	[ "$(hk run --rm --network none cm cat /copied)" = ctxfile ]
	# What a bind mount shows is part of the key: a changed file reruns it.
	run -0 hkb -t cm "$CTX"
	[ "$(cached)" -eq 3 ]
	echo changed >"$CTX/input"
	run -0 hkb -t cm "$CTX"
	[ "$(cached)" -eq 2 ]
	[ "$(hk run --rm --network none cm cat /copied)" = changed ]
	run -1 hk run --rm --network none cm sh -c 'ls -d /cache /scratch /in 2>&1'
	[[ $output == *"/cache: No such file"* && $output == *"/in: No such file"* ]]
	# system prune drops the cache mounts too.
	run -0 hk system prune -f
	run -0 hkb --no-cache -t cm "$CTX"
	[ "$(hk run --rm --network none cm cat /count)" = 1 ]
}

@test "--secret is readable by RUN and never stored in a layer or the history" {
	echo TOPSECRET-4711 >"$BATS_TEST_TMPDIR/s"
	cf 'FROM busybox
RUN --mount=type=secret,id=tok cat /run/secrets/tok >/dev/null && wc -c </run/secrets/tok >/len
RUN --mount=type=secret,id=tok,target=/etc/tok test -s /etc/tok'
	run -0 hkb --secret id=tok,src="$BATS_TEST_TMPDIR/s" -t sec "$CTX"
	[ "$(hk run --rm --network none sec cat /len)" = 15 ]
	run -1 hk run --rm --network none sec sh -c 'ls /run/secrets /etc/tok 2>&1'
	[[ $output == *"No such file"* ]]
	# Not in any blob or layer of the store, nor in the image's history.
	! grep -rqs TOPSECRET-4711 "$HAKO_ROOT/blobs" "$HAKO_ROOT/layers"
	for b in "$HAKO_ROOT"/blobs/sha256/*; do
		! { gzip -dc "$b" 2>/dev/null | grep -aq TOPSECRET-4711; }
	done
	run -0 hk image inspect sec
	! grep -q TOPSECRET <<<"$output"
	# A required secret not given is an error.
	cf 'FROM busybox
RUN --mount=type=secret,id=missing,required=true true'
	run -125 hkb "$CTX"
	[[ $output == *"secret \`missing\` was not given"* ]]
}

@test "reproducible: --timestamp and SOURCE_DATE_EPOCH give the same image ID twice" {
	echo data >"$CTX/f"
	cf 'FROM busybox
COPY f /f
RUN date >/now && echo x >/x
CMD ["sh"]'
	run -0 hkb --no-cache --timestamp 1700000000 -q "$CTX"
	one=$output
	sleep 1
	touch "$CTX/f"
	run -0 hkb --no-cache --timestamp 1700000000 -q "$CTX"
	[ "$output" != "" ]
	# The RUN writes the date: only a step without varying output is
	# reproducible, so compare a build without that RUN too.
	cf 'FROM busybox
COPY f /f
RUN echo x >/x && mkdir -p /d
CMD ["sh"]'
	run -0 hkb --no-cache --timestamp 1700000000 -q "$CTX"
	a=$output
	sleep 1
	run -0 env SOURCE_DATE_EPOCH=1700000000 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" build --network none --no-cache -q "$CTX"
	[ "$output" = "$a" ]
	run -0 hk image inspect -f '{{.Created}}' "$a"
	[[ $output == 2023-11-14T22:13:20* ]]
	run -0 hkb --no-cache -q "$CTX"
	[ "$output" != "$a" ]
}

@test "ADD: local archives extracted, plain files copied, a URL with --checksum" {
	mkdir -p "$BATS_TEST_TMPDIR/t/sub"
	echo in-tar >"$BATS_TEST_TMPDIR/t/sub/f"
	tar -C "$BATS_TEST_TMPDIR/t" -czf "$CTX/a.tgz" sub
	echo plain >"$CTX/plain"
	mkdir -p "$BATS_TEST_TMPDIR/www"
	echo served >"$BATS_TEST_TMPDIR/www/file.txt"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	python3 -m http.server --bind 127.0.0.1 --directory "$BATS_TEST_TMPDIR/www" "$port" >/dev/null 2>&1 &
	server=$!
	for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/file.txt" >/dev/null && break; sleep 0.1; done
	sum=sha256:$(sha256sum "$BATS_TEST_TMPDIR/www/file.txt" | cut -d' ' -f1)
	cf "FROM busybox
ADD a.tgz /x/
ADD plain /p
ADD --checksum=$sum http://127.0.0.1:$port/file.txt /dl/"
	run hkb -t add "$CTX"
	bad=sha256:$(printf '0%.0s' $(seq 64))
	cf "FROM busybox
ADD --checksum=$bad http://127.0.0.1:$port/file.txt /dl/"
	run -125 hkb "$CTX"
	mismatch=$output
	kill "$server"
	wait "$server" || true
	[[ $mismatch == *"checksum mismatch"* ]]
	run -0 hk run --rm --network none add sh -c 'cat /x/sub/f /p /dl/file.txt; stat -c %a /dl/file.txt'
	[ "$output" = "in-tar
plain
served
600" ]
}

@test "ONBUILD triggers run in the child build, and are not inherited" {
	cf 'FROM busybox
ONBUILD RUN echo triggered >/trigger'
	run -0 hkb -t parent "$CTX"
	[ "$(hk image inspect -f '{{json .Config.OnBuild}}' parent)" = '["RUN echo triggered >/trigger"]' ]
	cf 'FROM parent'
	run -0 hkb -t child "$CTX"
	[ "$(hk run --rm --network none child cat /trigger)" = triggered ]
	[ "$(hk image inspect -f '{{json .Config.OnBuild}}' child)" = null ]
}

@test "the Dockerfile on stdin, a tar context on stdin, -f, --iidfile, -q, --label" {
	printf 'FROM busybox\nRUN echo piped >/p\n' | hk build --network none -t piped - >/dev/null
	[ "$(hk run --rm --network none piped cat /p)" = piped ]
	echo intar >"$CTX/f"
	printf 'FROM busybox\nCOPY f /f\n' >"$CTX/Dockerfile"
	tar -C "$CTX" -cf - . | hk build --network none -t tarctx - >/dev/null
	[ "$(hk run --rm --network none tarctx cat /f)" = intar ]
	printf 'FROM busybox\nLABEL from=custom\n' >"$BATS_TEST_TMPDIR/Other"
	run -0 hkb -q -f "$BATS_TEST_TMPDIR/Other" --iidfile "$BATS_TEST_TMPDIR/iid" --label extra=yes "$CTX"
	[[ $output == sha256:* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/iid")" = "$output" ]
	[ "$(hk image inspect -f '{{json .Config.Labels}}' "$output")" = '{"extra":"yes","from":"custom"}' ]
}

@test "--platform and FROM --platform: this machine's platform builds, another is refused" {
	cf 'FROM --platform=$BUILDPLATFORM busybox
RUN echo ok >/ok'
	run -0 hkb --platform linux/amd64 -t plat "$CTX"
	run -0 hkb --platform linux/x86_64 -t plat "$CTX"
	[ "$(hk run --rm --network none plat cat /ok)" = ok ]
	run -125 hkb --platform linux/arm64 "$CTX"
	[[ $output == *"--platform: \`linux/arm64\`: hako builds for this machine's platform only (linux/amd64)"* ]]
	run -125 hkb --platform nonsense/a/b/c "$CTX"
	[[ $output == *"--platform: invalid platform \`nonsense/a/b/c\`"* ]]
	cf 'FROM --platform=linux/arm64 busybox'
	run -125 hkb "$CTX"
	[[ $output == *"line 1: FROM --platform: \`linux/arm64\`: hako builds for this machine's platform only"* ]]
}

@test "bad input: syntax errors name the line and column; a failing RUN exits 1 and leaves nothing" {
	cf 'FROM busybox
  RUNN echo'
	run -125 hkb "$CTX"
	[[ $output == *"Containerfile:2:3: unknown instruction \`RUNN\`"* ]]
	cf 'RUN true'
	run -125 hkb "$CTX"
	[[ $output == *"before the first FROM"* ]]
	cf 'FROM nosuchimage'
	run -125 hkb "$CTX"
	[[ $output == *"FROM nosuchimage"* ]]
	cf 'FROM busybox
COPY --from=nostage /x /x'
	run -125 hkb "$CTX"
	[[ $output == *"no stage or image of that name"* ]]
	cf 'FROM busybox
RUN echo partial >/p && exit 7'
	run -1 hkb -t failed "$CTX"
	[[ $output == *"line 2: \`RUN echo partial >/p && exit 7\` returned a non-zero code: 7"* ]]
	run -0 hk ps -a -q
	[ -z "$output" ]
	run -0 hk images -q failed
	[ -z "$output" ]
	[ "$(store_mounts_here)" -eq 0 ]
}

store_mounts_here() {
	awk -v r="$BATS_FILE_TMPDIR" 'index($5, r) == 1' /proc/self/mountinfo | wc -l
}

@test "SIGINT stops a build and removes its container; after SIGKILL its step dies, system prune cleans up and the next build works" {
	cf 'FROM busybox
RUN sleep 30'
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" build --network none "$CTX" \
		>"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do hk ps -q | grep -q . && break; sleep 0.1; done
	kill -INT "$pid"
	code=0
	wait "$pid" || code=$?
	[ "$code" -eq 125 ]
	grep -q 'Error: interrupted' "$BATS_TEST_TMPDIR/out"
	run -0 hk ps -a -q
	[ -z "$output" ]
	cf 'FROM busybox
RUN sleep 60'
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" build --network none "$CTX" \
		>"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do hk ps -q | grep -q . && break; sleep 0.1; done
	step=$(hk ps -q)
	step_pid=$(hk inspect -f '{{.State.Pid}}' "$step")
	[ "$step_pid" -gt 0 ]
	kill -KILL "$pid"
	wait "$pid" || true
	# The step's container dies with its build (its monitor watches it).
	for _ in $(seq 100); do [ -z "$(hk ps -q)" ] && break; sleep 0.1; done
	[ -z "$(hk ps -q)" ]
	! kill -0 "$step_pid" 2>/dev/null
	# What remains, system prune removes.
	run -0 hk system prune -f
	run -0 hk ps -a -q
	[ -z "$output" ]
	[ "$(store_mounts_here)" -eq 0 ]
	run -0 hkb -t after "$CTX"
}
