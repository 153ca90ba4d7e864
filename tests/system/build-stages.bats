#!/usr/bin/env bats
# hako build: the stages a target needs run in parallel; a failing stage
# stops the others; only needed stages run; RUN bind mounts from stages.

bats_require_minimum_version 1.5.0
load build-helpers

setup_file() { engine_setup_file; }
teardown_file() { engine_teardown_file; }
setup() { build_setup; }
teardown() { engine_teardown; }

# wait_for NAME: a RUN script that marks /sync/SELF and waits (30 s at
# most) for /sync/NAME; /sync is a cache mount both stages share.
wait_for() {
	echo "i=0; while [ ! -e /sync/$1 ]; do i=\$((i + 1)); [ \$i -lt 300 ] || exit 9; sleep 0.1; done"
}

@test "two independent stages overlap: each RUN waits for the other's marker" {
	id=sync-$BATS_TEST_NUMBER-$$
	cf "FROM busybox AS one
RUN --mount=type=cache,id=$id,target=/sync touch /sync/one && $(wait_for two) && echo one >/one

FROM busybox AS two
RUN --mount=type=cache,id=$id,target=/sync touch /sync/two && $(wait_for one) && echo two >/two

FROM busybox
COPY --from=one /one /
COPY --from=two /two /"
	run -0 hkb -t overlap "$CTX"
	run -0 hk run --rm --network none overlap cat /one /two
	[ "$output" = "one
two" ]
}

@test "a stage that waits for an earlier one starts after it is built" {
	cf 'FROM busybox AS base
RUN sleep 1 && echo base >/base

FROM base AS child
RUN cat /base >/child

FROM busybox AS other
COPY --from=child /child /from-child
RUN cat /from-child >/other'
	run -0 hkb -t chain "$CTX"
	[ "$(hk run --rm --network none chain cat /other)" = base ]
	# The progress numbers each stage's steps in file order.
	grep -q '^STEP 1/7: FROM busybox AS base$' <<<"$output"
	grep -q '^STEP 3/7: FROM base AS child$' <<<"$output"
	grep -q '^STEP 7/7: RUN cat /from-child >/other$' <<<"$output"
}

@test "a failing stage stops the stages that run beside it, and leaves nothing" {
	cf 'FROM busybox AS slow
RUN sleep 60

FROM busybox AS broken
RUN sleep 1 && exit 4

FROM busybox
COPY --from=slow /etc/hostname /a
COPY --from=broken /etc/hostname /b'
	start=$SECONDS
	run -1 hkb -t stopped "$CTX"
	[ $((SECONDS - start)) -lt 30 ]
	[[ $output == *"returned a non-zero code: 4"* ]]
	run -0 hk ps -a -q
	[ -z "$output" ]
	run -0 hk images -q stopped
	[ -z "$output" ]
}

@test "SIGINT stops every stage's RUN" {
	cf 'FROM busybox AS one
RUN sleep 60

FROM busybox AS two
RUN sleep 60

FROM busybox
COPY --from=one /etc/hostname /a
COPY --from=two /etc/hostname /b'
	"$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" build --network none "$CTX" \
		>"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ "$(hk ps -q | wc -l)" -eq 2 ] && break; sleep 0.1; done
	[ "$(hk ps -q | wc -l)" -eq 2 ]
	start=$SECONDS
	kill -INT "$pid"
	code=0
	wait "$pid" || code=$?
	[ "$code" -eq 125 ]
	[ $((SECONDS - start)) -lt 30 ]
	grep -q 'Error: interrupted' "$BATS_TEST_TMPDIR/out"
	run -0 hk ps -a -q
	[ -z "$output" ]
}

@test "RUN --mount=type=bind,from=STAGE and from an image: the stage is built first, the files read, nothing kept" {
	echo ctx-file >"$CTX/input"
	cf 'FROM busybox AS gen
RUN mkdir /out && echo generated >/out/file

FROM busybox
RUN --mount=type=bind,from=gen,source=/out,target=/in cat /in/file >/from-stage
RUN --mount=type=bind,from=busybox,source=/bin,target=/bb test -x /bb/busybox && echo image >/from-image
RUN --mount=type=bind,source=input,target=/ctx-input cat /ctx-input >/from-context'
	run -0 hkb -t bindfrom "$CTX"
	run -1 hk run --rm --network none bindfrom sh -c 'cat /from-stage /from-image /from-context; ls -d /in /bb /ctx-input 2>&1'
	[ "$output" = "generated
image
ctx-file
ls: /in: No such file or directory
ls: /bb: No such file or directory
ls: /ctx-input: No such file or directory" ]
	# What the stage makes is in the key: a change there reruns the step.
	cf 'FROM busybox AS gen
RUN mkdir /out && echo changed >/out/file

FROM busybox
RUN --mount=type=bind,from=gen,source=/out,target=/in cat /in/file >/from-stage
RUN --mount=type=bind,from=busybox,source=/bin,target=/bb test -x /bb/busybox && echo image >/from-image
RUN --mount=type=bind,source=input,target=/ctx-input cat /ctx-input >/from-context'
	run -0 hkb -t bindfrom "$CTX"
	[ "$(hk run --rm --network none bindfrom cat /from-stage)" = changed ]
}
