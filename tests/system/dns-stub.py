#!/usr/bin/env python3
# dns-stub.py ADDRESS PIDFILE: a resolver for the DNS tests, on ADDRESS:53
# (a 127.x address: the host's resolvers the network's DNS server forwards
# to).  Answers A 192.0.2.7 for outside.test, nothing at all for
# blackhole.test (an upstream that never answers), NXDOMAIN for anything
# else.
import socket
import struct
import sys

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((sys.argv[1], 53))
with open(sys.argv[2], "w") as f:
    f.write("ready\n")
while True:
    query, peer = sock.recvfrom(4096)
    if len(query) < 12:
        continue
    qid, _flags, qdcount = struct.unpack("!HHH", query[:6])
    end = 12
    labels = []
    while end < len(query) and query[end] != 0:
        labels.append(query[end + 1:end + 1 + query[end]].decode("ascii", "replace"))
        end += 1 + query[end]
    question = query[12:end + 5]
    qtype = struct.unpack("!H", query[end + 1:end + 3])[0] if end + 3 <= len(query) else 0
    name = ".".join(labels).lower()
    if name == "blackhole.test":
        continue
    if name == "outside.test" and qtype == 1:
        header = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
        answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton("192.0.2.7")
        sock.sendto(header + question + answer, peer)
    else:
        rcode = 0 if name == "outside.test" else 3
        header = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, 0, 0, 0)
        sock.sendto(header + question, peer)
