#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# dns-query.py [--tcp] [--edns SIZE] SERVER NAME TYPE: asks SERVER (an
# IPv4 or IPv6 address, port 53) for NAME's records of TYPE (A, AAAA, PTR)
# over UDP, or over TCP with RFC 7766's two-byte length framing, with an
# EDNS0 OPT record of payload size SIZE if given; prints the answers one
# a line (addresses, or PTR targets without the final dot), sorted.  Exit
# 1 with the reason when no reply comes within 3 s, it is not one (its ID
# and question must be the query's), it has an error rcode ("rcode N"), or
# it is truncated (TC).
import ipaddress
import os
import socket
import struct
import sys

TYPES = {"A": 1, "PTR": 12, "AAAA": 28}


def query(name, qtype, edns):
    qid = struct.unpack("!H", os.urandom(2))[0]
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split("."))
    opt = struct.pack("!BHHIH", 0, 41, edns, 0, 0) if edns else b""
    return qid, struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1 if edns else 0) + labels + b"\0" + \
        struct.pack("!HH", TYPES[qtype], 1) + opt


def read_name(msg, pos):
    labels, jumped, end = [], False, pos
    for _ in range(128):
        n = msg[pos]
        if n == 0:
            pos += 1
            break
        if n & 0xC0 == 0xC0:
            if not jumped:
                end = pos + 2
            jumped, pos = True, ((n & 0x3F) << 8) | msg[pos + 1]
            continue
        labels.append(msg[pos + 1:pos + 1 + n].decode())
        pos += 1 + n
    return ".".join(labels), (end if jumped else pos)


def answers(msg, qid, name, qtype):
    rid, flags, qd, an = struct.unpack("!HHHH", msg[:8])
    if rid != qid:
        sys.exit("reply with ID %d, asked %d" % (rid, qid))
    qname, pos = read_name(msg, 12)
    rtype = struct.unpack("!H", msg[pos:pos + 2])[0]
    if qd != 1 or qname.lower() != name.rstrip(".").lower() or rtype != TYPES[qtype]:
        sys.exit("reply to another question: %d questions, the first %s type %d" %
                 (qd, qname, rtype))
    pos += 4
    if flags & 0xF:
        sys.exit("rcode %d" % (flags & 0xF))
    if flags & 0x200:
        sys.exit("truncated (TC) with %d answers" % an)
    out = []
    for _ in range(an):
        pos = read_name(msg, pos)[1]
        rtype, _cls, _ttl, rdlen = struct.unpack("!HHIH", msg[pos:pos + 10])
        pos += 10
        data = msg[pos:pos + rdlen]
        if rtype in (1, 28):
            out.append(str(ipaddress.ip_address(data)))
        elif rtype == 12:
            out.append(read_name(msg, pos)[0])
        pos += rdlen
    return sorted(out)


def main():
    args = sys.argv[1:]
    tcp = args[0] == "--tcp"
    args = args[1:] if tcp else args
    edns = int(args[1]) if args[0] == "--edns" else 0
    server, name, qtype = args[2:] if edns else args
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    qid, msg = query(name, qtype, edns)
    sock = socket.socket(family, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
    sock.settimeout(3)
    try:
        if tcp:
            sock.connect((server, 53))
            sock.sendall(struct.pack("!H", len(msg)) + msg)
            buf = b""
            while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
                chunk = sock.recv(4096)
                if not chunk:
                    sys.exit("connection closed before the reply")
                buf += chunk
            reply = buf[2:]
        else:
            sock.sendto(msg, (server, 53))
            reply = sock.recv(65535)
    except OSError as e:
        sys.exit("no reply from %s: %s" % (server, e))
    for a in answers(reply, qid, name, qtype):
        print(a)


main()
