#!/usr/bin/env bats
# hako compose against Docker Compose (Debian's docker-compose 1.29 with
# a private dockerd, as client-docker.bats starts it): the same file,
# the same project name; `config` agrees on the normalised values, and
# after `up -d` the containers, networks and volumes have the same names
# and compose labels, and a service reaches another by its name in both.

load client-helpers
load network-helpers

setup_file() {
	require_tools docker-compose python3
	python3 -c 'import yaml' || skip "python3-yaml is needed to compare the YAML"
	network_setup_file
	client_setup_file compose
	local dir=$CLIENT_DIR
	mkdir -p "$dir/cli"
	echo '{}' >"$dir/daemon.json"
	nsenter --target "$CLIENT_NS_PID" --mount -- env TMPDIR="$dir/tmp" dockerd \
		--config-file "$dir/daemon.json" --data-root "$dir/data" --exec-root "$dir/exec" \
		--pidfile "$dir/dockerd.pid" -H "unix://$dir/docker.sock" \
		--iptables=false --ip-forward=false --ip-masq=false --bridge none \
		--cgroup-parent "/$CLIENT_CGROUP" >"$dir/dockerd.log" 2>&1 3>&- &
	export DOCKERD_PID=$!
	local i
	for i in $(seq 300); do
		d version >/dev/null 2>&1 && break
		kill -0 "$DOCKERD_PID" 2>/dev/null || { cat "$dir/dockerd.log" >&2; return 1; }
		sleep 0.1
	done
	d load -i "$CLIENT_DIR/busybox/image.tar" >/dev/null
	# the same image for hako (/www/index.html is the web server's)
	hk load -i "$CLIENT_DIR/busybox/image.tar" >/dev/null
}

teardown_file() {
	if [ -n "${DOCKERD_PID:-}" ]; then
		d rm -f $(d ps -aq) >/dev/null 2>&1 || true
		stop_pid "$DOCKERD_PID" 30
	fi
	client_teardown_file
	network_teardown_file
}

setup() {
	network_setup
	P=$BATS_TEST_TMPDIR/cmp
	mkdir -p "$P"
	cd "$P"
}

teardown() {
	dc down -v -t 1 >/dev/null 2>&1 || true
	hk compose -p cmp down -v -t 1 >/dev/null 2>&1 || true
	network_teardown
}

d() { DOCKER_CONFIG=$CLIENT_DIR/cli /usr/bin/docker -H "unix://$CLIENT_DIR/docker.sock" "$@"; }

# docker-compose on the private dockerd, its containers on a bridge and
# subnet of the test's.
dc() {
	DOCKER_HOST=unix://$CLIENT_DIR/docker.sock DOCKER_CONFIG=$CLIENT_DIR/cli \
		BRIDGE=hkc-cmpd SUBNET=10.213.241.0/24 CGROUP=/$CLIENT_CGROUP \
		docker-compose -p cmp "$@"
}

hc() {
	BRIDGE=hkt-cmph SUBNET=10.213.242.0/24 CGROUP=$ENGINE_CGROUP hk compose -p cmp "$@"
}

write_app() {
	cat >compose.yaml <<YAML
services:
  web:
    image: $IMAGE
    init: true
    cgroup_parent: \${CGROUP}
    command: httpd -f -p 80 -h /www
    ports: ["127.0.0.1::80"]
    environment: {ROLE: web, LIST: "a b"}
    labels: {tier: front}
    healthcheck: {test: "wget -q -O /dev/null http://127.0.0.1/", interval: 1s, retries: 30}
    volumes: [data:/data]
  client:
    image: $IMAGE
    init: true
    cgroup_parent: \${CGROUP}
    command: sleep 300
    environment: [ROLE=client]
    depends_on:
      web: {condition: service_healthy}
networks:
  default:
    driver_opts: {com.docker.network.bridge.name: "\${BRIDGE}"}
    ipam: {config: [{subnet: "\${SUBNET}"}]}
volumes:
  data: {}
YAML
}

# The values both normalise alike, as JSON.
facts() {
	python3 -c '
import json, shlex, sys, yaml
# docker-compose 1.x keeps the short forms that Compose v2 (and hako)
# normalise: both written in the long form here
def health(t):
    return ["CMD-SHELL", t] if isinstance(t, str) else t
m = yaml.safe_load(sys.stdin)
def volume(v):
    if isinstance(v, str):  # docker-compose 1.x keeps the short syntax
        source, target = v.split(":")[:2]
        return {"type": "bind" if source[0] in "./~" else "volume", "source": source, "target": target}
    return {"type": v["type"], "source": v["source"], "target": v["target"]}
def port(p):
    if isinstance(p, str):  # docker-compose 1.x: [IP:][HOST:]TARGET[/PROTO]
        spec, _, proto = p.partition("/")
        parts = spec.split(":")
        return {"target": int(parts[-1]), "host_ip": parts[0] if len(parts) == 3 else None, "protocol": proto or "tcp"}
    return {"target": int(p["target"]), "host_ip": p.get("host_ip"), "protocol": p.get("protocol", "tcp")}
out = {"networks": sorted(m.get("networks", {})), "volumes": sorted(m.get("volumes", {}))}
for name, s in m["services"].items():
    env = s.get("environment", {})
    if isinstance(env, list):
        env = dict(e.split("=", 1) for e in env)
    out[name] = {
        "image": s["image"],
        "environment": env,
        "labels": s.get("labels", {}),
        "command": shlex.split(s["command"]) if isinstance(s.get("command"), str) else s.get("command"),
        "ports": [port(p) for p in s.get("ports", [])],
        "volumes": [volume(v) for v in s.get("volumes", [])],
        "depends_on": {k: v["condition"] for k, v in s.get("depends_on", {}).items()},
        "healthcheck_test": health(s.get("healthcheck", {}).get("test")),
        "init": s.get("init"),
    }
print(json.dumps(out, sort_keys=True))'
}

@test "config: hako compose and docker-compose agree on the normalised values" {
	write_app
	local theirs ours
	theirs=$(dc config | facts)
	ours=$(CGROUP=/$CLIENT_CGROUP BRIDGE=hkc-cmpd SUBNET=10.213.241.0/24 hk compose -p cmp config | facts)
	[ -n "$theirs" ]
	if [ "$theirs" != "$ours" ]; then
		diff <(jq -S . <<<"$theirs") <(jq -S . <<<"$ours")
		false
	fi
}

# name, then the compose labels, of every container, network and volume
# of the project, sorted.  docker-compose 1.x joins a container's name
# with _ where Compose v2 (and hako) use -: written as v2 does.
docker_state() {
	local c
	for c in $(d ps -a --filter label=com.docker.compose.project=cmp --format '{{.Names}}'); do
		d inspect -f '{{.Name}} {{index .Config.Labels "com.docker.compose.project"}} {{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.container-number"}} {{index .Config.Labels "com.docker.compose.oneoff"}}' "$c" | sed 's|^/||; s|^cmp_\([a-z]*\)_|cmp-\1-|'
	done | sort
	d network ls --filter label=com.docker.compose.project=cmp --format '{{.Name}}' | sed 's/^/network /'
	d volume ls --filter label=com.docker.compose.project=cmp --format '{{.Name}}' | sed 's/^/volume /'
}

hako_state() {
	local c
	for c in $(hk ps -a --filter label=com.docker.compose.project=cmp --format '{{.Names}}'); do
		hk inspect -f '{{json .Config.Labels}}' "$c" | jq -r --arg n "$c" '"\($n) \(."com.docker.compose.project") \(."com.docker.compose.service") \(."com.docker.compose.container-number") \(."com.docker.compose.oneoff")"'
	done | sort
	hk network ls --format '{{.Name}}' | grep '^cmp_' | sed 's/^/network /'
	hk volume ls -q | grep '^cmp_' | sed 's/^/volume /'
}

@test "up -d: the same names and labels as docker-compose, and a service reached by name in both" {
	write_app
	run dc up -d
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run hc up -d
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	local theirs ours
	theirs=$(docker_state)
	ours=$(hako_state)
	echo "docker-compose: $theirs"
	echo "hako compose: $ours"
	[ "$theirs" = "$ours" ]
	[[ "$ours" == *"cmp-web-1 cmp web 1 False"* ]]
	# the client reaches web by its service name
	run d exec cmp_client_1 wget -q -O - http://web/
	[ "$output" = hello-from-the-container ]
	run hc exec -T client wget -q -O - http://web/
	[ "$output" = hello-from-the-container ]
}
