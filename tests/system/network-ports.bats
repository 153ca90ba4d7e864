#!/usr/bin/env bats
# Published ports: -p [IP:]HOSTPORT:CONTAINERPORT[/PROTO], -p CONTAINERPORT
# (a random host port), -P (every EXPOSE of the image), `hako port`, and
# the ports in inspect and ps.  Traffic goes to 127.0.0.1 only.

load network-helpers

setup_file() {
	require_tools python3
	network_setup_file
	# an image that exposes two ports
	hk import -c 'CMD ["sh"]' -c 'EXPOSE 80' -c 'EXPOSE 8080/tcp' "$BUSYBOX_TAR" exposing >/dev/null
}
teardown_file() { network_teardown_file; }
setup() { network_setup; }
teardown() { network_teardown; }

# A free TCP port of 127.0.0.1 (the kernel's choice).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The first of N consecutive free TCP ports of 127.0.0.1.
free_ports() {
	python3 - "$1" <<'PY'
import socket, sys
n = int(sys.argv[1])
for base in range(20000, 60000, n):
    try:
        held = []
        for port in range(base, base + n):
            s = socket.socket()
            s.bind(("127.0.0.1", port))
            held.append(s)
        print(base)
        break
    except OSError:
        pass
PY
}

# serve NAME [RUN ARGS...]: httpd on port 80 in a new container, answering
# /index.html with NAME.
serve() {
	local name=$1
	shift
	hk run -d --name "$name" "$@" busybox \
		sh -c "echo $name >/tmp/index.html && exec httpd -f -p 80 -h /tmp" >/dev/null
}

@test "a published port is reachable at 127.0.0.1:HOSTPORT from the host" {
	net_create pub 10.213.21.0/24
	local port
	port=$(free_port)
	serve web --network pub -p "127.0.0.1:$port:80"
	wait_http "http://127.0.0.1:$port/index.html"
	[ "$(wget --no-proxy -q -O- "http://127.0.0.1:$port/index.html")" = web ]
	[ "$(hk port web)" = "80/tcp -> 127.0.0.1:$port" ]
	[ "$(hk port web 80)" = "127.0.0.1:$port" ]
	[ "$(hk inspect -f '{{json .NetworkSettings.Ports}}' web)" = \
		"{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}]}" ]
	[[ "$(hk ps --format '{{.Ports}}')" == "127.0.0.1:$port->80/tcp" ]]
}

@test "a port published on every address is reachable at 127.0.0.1 too, on the default network" {
	local port
	port=$(free_port)
	serve web -p "$port:80"
	wait_http "http://127.0.0.1:$port/index.html"
	[ "$(hk port web 80/tcp)" = "0.0.0.0:$port" ]
}

@test "-p CONTAINERPORT publishes on a random port that hako port shows" {
	serve web -p 80
	local hostport
	hostport=$(hk port web 80)
	[[ "$hostport" =~ ^0\.0\.0\.0:[0-9]+$ ]]
	wait_http "http://127.0.0.1:${hostport#*:}/index.html"
	[ "$(wget --no-proxy -q -O- "http://127.0.0.1:${hostport#*:}/index.html")" = web ]
}

@test "-P publishes every port the image exposes" {
	hk run -d --name all -P exposing httpd -f -p 8080 -h /etc >/dev/null
	run hk port all
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^80/tcp\ -\>\ 0\.0\.0\.0:[0-9]+$ ]]
	[[ "${lines[1]}" =~ ^8080/tcp\ -\>\ 0\.0\.0\.0:[0-9]+$ ]]
	local p
	p=$(hk port all 8080)
	wait_http "http://127.0.0.1:${p#*:}/hostname"
}

@test "a range of ports, and UDP" {
	local a b
	a=$(free_ports 2)
	b=$((a + 1))
	hk run -d --name r -p "127.0.0.1:$a-$b:80-81" -p 127.0.0.1::53/udp busybox sleep 60
	run hk port r
	[ "${lines[0]}" = "80/tcp -> 127.0.0.1:$a" ]
	[ "${lines[1]}" = "81/tcp -> 127.0.0.1:$b" ]
	[[ "${lines[2]}" =~ ^53/udp\ -\>\ 127\.0\.0\.1:[0-9]+$ ]]
}

@test "the ports go with the container: the host port is free again after rm" {
	local port
	port=$(free_port)
	serve web -p "127.0.0.1:$port:80"
	wait_http "http://127.0.0.1:$port/index.html"
	hk rm -f web
	run wget --no-proxy -q -T 1 -O- "http://127.0.0.1:$port/index.html"
	[ "$status" -ne 0 ]
	serve again -p "127.0.0.1:$port:80"
	wait_http "http://127.0.0.1:$port/index.html"
	[ "$(wget --no-proxy -q -O- "http://127.0.0.1:$port/index.html")" = again ]
}

@test "stop and start publish the same ports again" {
	local port
	port=$(free_port)
	serve web -p "127.0.0.1:$port:80"
	hk stop -t 1 web
	[ -z "$(hk port web)" ]
	hk start web
	wait_http "http://127.0.0.1:$port/index.html"
}
