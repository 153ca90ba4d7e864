#!/usr/bin/env bats
# hako compose config: how the files are found and merged, the project
# name, .env and --env-file, profiles, extends from another file, and
# the normalised model it prints.  Nothing is run, so no engine state.

load helpers

setup() {
	require_tools jq
	HAKO=$HAKO_BUILD/src/cli/hako
	P=$BATS_TEST_TMPDIR/My_Project.dir
	mkdir -p "$P/sub"
	cd "$P"
}

hc() { "$HAKO" --root "$BATS_TEST_TMPDIR/root" --runroot "$BATS_TEST_TMPDIR/run" compose "$@"; }

@test "files are found as Docker Compose finds them: compose.yaml and its override, from a subdirectory too" {
	printf 'services:\n  web: {image: busybox, environment: {A: base}}\n' >compose.yaml
	printf 'services:\n  web: {environment: {B: override}}\n' >compose.override.yaml
	cd sub
	run hc config --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.services.web.environment | "\(.A) \(.B)"' <<<"$output")" = "base override" ]
	# the name: the directory's, lower case, without what names may not hold
	[ "$(jq -r .name <<<"$output")" = my_projectdir ]
	[ "$(jq -r .networks.default.name <<<"$output")" = my_projectdir_default ]
	cd ..
	rm compose.yaml compose.override.yaml
	run hc config
	[ "$status" -eq 1 ]
	[[ "$output" == *"no configuration file provided"* ]]
}

@test "-f files merge by the spec's rules; -p, COMPOSE_PROJECT_NAME and name: in that order" {
	cat >a.yaml <<'YAML'
name: from-file
services:
  web:
    image: busybox
    command: [sh, -c, base]
    ports: ["8080:80"]
    volumes: [data:/data, ./html:/html]
    labels: [a=1]
    dns: [1.1.1.1]
    networks:
      front: {aliases: [one], ipv4_address: 10.89.7.9}
      back: {aliases: [b1]}
volumes: {data: {}}
networks: {front: {}, back: {}}
YAML
	cat >b.yaml <<'YAML'
services:
  web:
    command: echo override
    ports: ["8081:81"]
    volumes: [other:/data]
    labels: {b: "2"}
    dns: [1.1.1.1, 8.8.8.8]
    networks:
      front:
      back: {aliases: [b2, b1]}
volumes: {other: {}}
YAML
	run hc -f a.yaml -f b.yaml config --format json
	[ "$status" -eq 0 ]
	[ "$(jq -c .services.web.command <<<"$output")" = '["echo","override"]' ]
	[ "$(jq -r '.services.web.ports | map(.published) | join(",")' <<<"$output")" = 8080,8081 ]
	[ "$(jq -r '.services.web.volumes | map(.target + "=" + .source) | join(",")' <<<"$output")" = "/data=other,/html=$P/html" ]
	[ "$(jq -c .services.web.labels <<<"$output")" = '{"a":"1","b":"2"}' ]
	[ "$(jq -c .services.web.dns <<<"$output")" = '["1.1.1.1","8.8.8.8"]' ]
	# networks by name: a bare name keeps the base's aliases and address
	[ "$(jq -c .services.web.networks.front <<<"$output")" = '{"aliases":["one"],"ipv4_address":"10.89.7.9"}' ]
	[ "$(jq -c .services.web.networks.back.aliases <<<"$output")" = '["b1","b2"]' ]
	[ "$(jq -r .name <<<"$output")" = from-file ]
	[ "$(COMPOSE_PROJECT_NAME=from-env hc -f a.yaml config --format json | jq -r .name)" = from-env ]
	[ "$(COMPOSE_PROJECT_NAME=from-env hc -f a.yaml -p from-flag config --format json | jq -r .name)" = from-flag ]
	run hc -f a.yaml -p Bad.Name config
	[ "$status" -eq 1 ]
	[[ "$output" == *'project name "Bad.Name"'* ]]
}

@test ".env and --env-file feed interpolation; the shell's environment wins; all the forms" {
	cat >.env <<'ENV'
TAG=from-dotenv
PORT=8080
# a comment
QUOTED="a b"
ENV
	printf 'TAG=from-env-file\n' >other.env
	cat >compose.yaml <<'YAML'
services:
  web:
    image: "busybox:${TAG}"
    ports: ["${PORT}:80"]
    environment:
      QUOTED: ${QUOTED}
      DEFAULT: ${UNSET:-fallback}
      EMPTY_DEFAULT: ${EMPTY-kept-empty}
      PLUS: ${PORT:+set}
      DOLLAR: $$PORT
YAML
	run env EMPTY= "$HAKO" --root "$BATS_TEST_TMPDIR/root" --runroot "$BATS_TEST_TMPDIR/run" compose config --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r .services.web.image <<<"$output")" = busybox:from-dotenv ]
	[ "$(jq -r '.services.web.ports[0].published' <<<"$output")" = 8080 ]
	[ "$(jq -r '.services.web.environment | [.QUOTED, .DEFAULT, .EMPTY_DEFAULT, .PLUS, .DOLLAR] | join("|")' <<<"$output")" = 'a b|fallback||set|$PORT' ]
	[ "$(TAG=from-shell hc config --format json | jq -r .services.web.image)" = busybox:from-shell ]
	[ "$(hc --env-file other.env config --format json | jq -r .services.web.image)" = busybox:from-env-file ]
	# a required variable
	printf 'services:\n  web: {image: "${NEEDED:?set NEEDED first}"}\n' >compose.yaml
	run hc config
	[ "$status" -eq 1 ]
	[[ "$output" == *"services.web.image: required variable NEEDED is missing a value: set NEEDED first"* ]]
}

@test "profiles, extends from another file, anchors and merge keys, config --services/--volumes/-q" {
	cat >base.yaml <<'YAML'
services:
  common:
    image: busybox
    environment: {FROM: base}
    volumes: [./in-base:/b]
YAML
	cat >compose.yaml <<'YAML'
x-defaults: &defaults
  restart: unless-stopped
  labels: {team: a}
services:
  web:
    <<: *defaults
    extends: {file: base.yaml, service: common}
    environment: {OWN: "1"}
  debug:
    image: busybox
    profiles: [debug]
volumes: {cache: {}}
YAML
	run hc config --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.services | keys | join(",")' <<<"$output")" = web ]
	[ "$(jq -r '.services.web | "\(.image) \(.restart) \(.labels.team) \(.environment.FROM) \(.environment.OWN) \(.volumes[0].source)"' <<<"$output")" = "busybox unless-stopped a base 1 $P/in-base" ]
	run hc --profile debug config --services
	[ "$output" = "$(printf 'debug\nweb')" ]
	[ "$(COMPOSE_PROFILES=debug hc config --services | wc -l)" -eq 2 ]
	run hc config --volumes
	[ "$output" = cache ]
	run hc config -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# the printed YAML reads back to the same model
	hc config >printed.yaml
	[ "$(hc -f printed.yaml config --format json | jq -S .services)" = "$(hc config --format json | jq -S .services)" ]
}

@test "include: another application's files, its paths and .env its own, env_file, several paths merged; conflicts and cycles refused" {
	mkdir -p db other
	cat >compose.yaml <<'YAML'
include:
  - db/compose.yaml
  - path: [other/a.yaml, other/b.yaml]
    project_directory: other
    env_file: other/vars.env
services:
  web: {image: busybox, depends_on: [db]}
YAML
	printf 'services:\n  db: {image: "busybox:${TAG}", env_file: db.env, volumes: [./data:/data]}\nvolumes: {dbdata: {}}\n' >db/compose.yaml
	echo A=1 >db/db.env
	echo TAG=from-db-env >db/.env
	printf 'services:\n  c: {image: "busybox:${CTAG}", command: one, volumes: [./x:/x]}\n' >other/a.yaml
	printf 'services:\n  c: {command: two}\n' >other/b.yaml
	echo CTAG=from-vars >other/vars.env
	run hc config --format json
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(jq -r .services.db.image <<<"$output")" = busybox:from-db-env ]
	[ "$(jq -r '.services.db.env_file[0]' <<<"$output")" = "$P/db/db.env" ]
	[ "$(jq -r '.services.db.volumes[0].source' <<<"$output")" = "$P/db/data" ]
	[ "$(jq -r .volumes.dbdata.name <<<"$output")" = my_projectdir_dbdata ]
	[ "$(jq -r .services.c.image <<<"$output")" = busybox:from-vars ]
	[ "$(jq -c .services.c.command <<<"$output")" = '["two"]' ]
	[ "$(jq -r '.services.c.volumes[0].source' <<<"$output")" = "$P/other/x" ]
	# the including project's variables win over the included .env
	TAG=shell run hc config --format json
	[ "$(jq -r .services.db.image <<<"$output")" = busybox:shell ]
	# a resource defined twice
	printf 'services:\n  web: {image: busybox}\n' >db/compose.yaml
	run hc config -q
	[ "$status" -eq 1 ]
	[[ "$output" == *"include: $P/db/compose.yaml defines services.web, which the including file defines too"* ]]
	# a cycle
	printf 'include: [sub.yaml]\nservices:\n  db: {image: busybox}\n' >db/compose.yaml
	printf 'include: [compose.yaml]\n' >db/sub.yaml
	run hc config -q
	[ "$status" -eq 1 ]
	[[ "$output" == *"includes itself (a cycle)"* ]]
	printf 'include: [{path: x.yaml, nope: 1}]\nservices: {}\n' >compose.yaml
	run hc config -q
	[ "$status" -eq 1 ]
	[[ "$output" == *"include[0].nope: unknown key"* ]]
}

@test "include: a path relative to the including file may climb by .. (its own paths stay its own), not through a link" {
	mkdir -p "$BATS_TEST_TMPDIR/common" "$BATS_TEST_TMPDIR/elsewhere"
	printf 'services:\n  db: {image: "busybox:${TAG}", env_file: db.env}\n' >"$BATS_TEST_TMPDIR/common/compose.yaml"
	echo A=1 >"$BATS_TEST_TMPDIR/common/db.env"
	echo TAG=common-env >"$BATS_TEST_TMPDIR/common/.env"
	# from a subdirectory's file too: the path is the including file's
	printf 'include: [../../common/compose.yaml]\n' >sub/inc.yaml
	printf 'include: [../common/compose.yaml]\nservices:\n  web: {image: busybox, depends_on: [db]}\n' >compose.yaml
	run hc config --format json
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(jq -r .services.db.image <<<"$output")" = busybox:common-env ]
	[ "$(jq -r '.services.db.env_file[0]' <<<"$output")" = "$BATS_TEST_TMPDIR/common/db.env" ]
	printf 'include: [sub/inc.yaml]\nservices:\n  web: {image: busybox, depends_on: [db]}\n' >compose.yaml
	run hc config --format json
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(jq -r '.services.db.env_file[0]' <<<"$output")" = "$BATS_TEST_TMPDIR/common/db.env" ]
	# the included file's own paths may not climb out of its directory
	echo B=2 >"$BATS_TEST_TMPDIR/elsewhere/x.env"
	printf 'services:\n  db: {image: busybox, env_file: ../elsewhere/x.env}\n' >"$BATS_TEST_TMPDIR/common/compose.yaml"
	printf 'include: [../common/compose.yaml]\nservices: {}\n' >compose.yaml
	run hc config -q
	[ "$status" -eq 1 ]
	[[ "$output" == *'services.db.env_file[0]: "../elsewhere/x.env" climbs out of the project directory'* ]]
	# a link inside the project that leads out hides where it goes
	ln -s "$BATS_TEST_TMPDIR/common" linked
	printf 'include: [linked/compose.yaml]\nservices: {}\n' >compose.yaml
	run hc config -q
	[ "$status" -eq 1 ]
	[[ "$output" == *'include[0].path[0]: "linked/compose.yaml" is a symbolic link'* ]]
}

@test "!reset and !override: a later file removes or replaces what an earlier one set" {
	cat >a.yaml <<'YAML'
services:
  web:
    image: busybox
    ports: ["8080:80", "8443:443"]
    environment: {A: "1", B: "2"}
    dns: [1.1.1.1]
YAML
	cat >b.yaml <<'YAML'
services:
  web:
    ports: !override ["9090:90"]
    environment:
      B: !reset
    dns: !reset []
    labels: !reset {x: "${HKC_UNSET:?a reset value is not interpolated}"}
YAML
	run hc -f a.yaml -f b.yaml config --format json
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(jq -c '[.services.web.ports[] | .published]' <<<"$output")" = '["9090"]' ]
	[ "$(jq -c .services.web.environment <<<"$output")" = '{"A":"1"}' ]
	[ "$(jq -c '.services.web | has("dns"), has("labels")' <<<"$output" | tr -d '\n')" = falsefalse ]
	# without !override the lists are merged
	sed -i 's/!override //' b.yaml
	run hc -f a.yaml -f b.yaml config --format json
	[ "$(jq '.services.web.ports | length' <<<"$output")" = 3 ]
	# on a list item, or an unknown tag: refused naming the file
	printf 'services:\n  web: {image: busybox, dns: [!reset 1.1.1.1]}\n' >c.yaml
	run hc -f a.yaml -f c.yaml config -q
	[ "$status" -eq 1 ]
	[[ "$output" == *"c.yaml: !reset on a list item is not supported by hako compose"* ]]
	printf 'services:\n  web: {image: !custom busybox}\n' >c.yaml
	run hc -f c.yaml config -q
	[ "$status" -eq 1 ]
	[[ "$output" == *"the tag \`!custom\` is not supported"* ]]
}
