#!/usr/bin/env python3
# dns-stub.py ADDRESS PIDFILE: a resolver for the DNS tests, on ADDRESS:53
# over UDP and TCP (a 127.x address, or an IPv6 one such as ::1 or
# fe80::1%IFACE: the host's resolvers the network's DNS server forwards
# to).  Answers A 192.0.2.7 for outside.test; for
# big.test 60 A records 198.51.100.1-60 (a 1 KB reply) in full over TCP
# only: over UDP its reply is empty with TC set, as a server whose answer
# does not fit in 512 bytes sends it; huge.test the same with 1200
# records 198.51.x.y (a 19 KB reply, above hako-dns's former 16 KiB
# bound); wide.test 400 records (6.4 KB) over UDP and TCP alike, as a
# server that trusts the client's EDNS0 size would send it; over TCP a reply with another ID for badid.test (over UDP
# nothing); nothing at all for blackhole.test (an upstream that never
# answers; a TCP connection stays open, silent); NXDOMAIN for anything
# else.
import socket
import struct
import sys
import threading

BIG = 60
HUGE = 1200
WIDE = 400


def records(n):
    """N A records 198.51.x.y for the question's name (x from 100)."""
    return b"".join(
        struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + bytes([198, 51, 100 + i // 250, i % 250 + 1])
        for i in range(n))


def reply(query, tcp):
    """The reply to QUERY, or None for no reply."""
    if len(query) < 12:
        return None
    qid = struct.unpack("!H", query[:2])[0]
    end = 12
    labels = []
    while end < len(query) and query[end] != 0:
        labels.append(query[end + 1:end + 1 + query[end]].decode("ascii", "replace"))
        end += 1 + query[end]
    question = query[12:end + 5]
    qtype = struct.unpack("!H", query[end + 1:end + 3])[0] if end + 3 <= len(query) else 0
    name = ".".join(labels).lower()
    if name == "blackhole.test" or (name == "badid.test" and not tcp):
        return None
    if name == "badid.test":
        return struct.pack("!HHHHHH", qid ^ 0xffff, 0x8180, 1, 0, 0, 0) + question
    if name == "outside.test" and qtype == 1:
        header = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
        answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton("192.0.2.7")
        return header + question + answer
    count = {"big.test": BIG, "huge.test": HUGE, "wide.test": WIDE}.get(name)
    if count and qtype == 1 and not tcp and name != "wide.test":
        return struct.pack("!HHHHHH", qid, 0x8380, 1, 0, 0, 0) + question
    if count and qtype == 1:
        return struct.pack("!HHHHHH", qid, 0x8180, 1, count, 0, 0) + question + records(count)
    rcode = 0 if name in ("outside.test", "big.test", "huge.test", "wide.test") else 3
    return struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, 0, 0, 0) + question


def recv_exactly(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def serve_connection(conn):
    with conn:
        while True:
            length = recv_exactly(conn, 2)
            query = length and recv_exactly(conn, struct.unpack("!H", length)[0])
            if not query:
                return
            out = reply(query, True)
            if out is not None:
                conn.sendall(struct.pack("!H", len(out)) + out)


def serve_tcp(listener):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve_connection, args=(conn,), daemon=True).start()


address = socket.getaddrinfo(sys.argv[1], 53, type=socket.SOCK_DGRAM,
                             flags=socket.AI_NUMERICHOST)[0]
sock = socket.socket(address[0], socket.SOCK_DGRAM)
sock.bind(address[4])
listener = socket.socket(address[0], socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(address[4])
listener.listen(64)
threading.Thread(target=serve_tcp, args=(listener,), daemon=True).start()
with open(sys.argv[2], "w") as f:
    f.write("ready\n")
while True:
    query, peer = sock.recvfrom(4096)
    out = reply(query, False)
    if out is not None:
        sock.sendto(out, peer)
