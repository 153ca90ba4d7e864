# A UDP server and client for the tests of published UDP ports (busybox
# has no UDP server).
# shellcheck shell=bash

# udp_echo PID PORT: a UDP echo server on PORT of process PID's network
# namespace (the host's python3 entered into a container's namespace);
# its PID in $BATS_TEST_TMPDIR/echo.pid, for the test's teardown to kill.
udp_echo() {
	nsenter -t "$1" -n python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(b"echo:" + data, peer)
' "$2" </dev/null >/dev/null 2>&1 3>&- &
	echo $! >"$BATS_TEST_TMPDIR/echo.pid"
}

# udp_ask ADDRESS PORT TEXT: TEXT sent to ADDRESS:PORT, the reply printed
# (1 s per try, 20 tries: the echo server may still be starting).
udp_ask() {
	python3 -c '
import socket, sys
family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
s.settimeout(1)
for _ in range(20):
    s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
    try:
        print(s.recv(2048).decode())
        sys.exit(0)
    except socket.timeout:
        pass
sys.exit("no reply from " + sys.argv[1] + " port " + sys.argv[2])
' "$@"
}
