#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# A registry that misbehaves on purpose, for the tests of hako's defences.
# It serves the images of an OCI layout (manifests by the ref.name
# annotation or by digest, blobs by digest) and, depending on --mode:
#
#   normal        behaves
#   bearer        demands a Bearer token from its /token realm, given for
#                 Basic credentials test:secret
#   stall         sends half of each layer blob, then nothing
#   endless       sends layer blobs with no end (no Content-Length)
#   bad-digest    flips a byte of each layer blob
#   truncate      promises the whole layer blob, closes halfway
#   slow          sends layer blobs at about 1 MB/s
#   huge-manifest answers manifests with 5 MiB of JSON
#   flaky         fails the first GET of each blob with a 503
#   resume        cuts the first GET of each layer blob halfway, then
#                 answers Range requests with 206 (logged to --log)
#
# Usage: fake-registry.py --mode MODE --layout DIR --port-file FILE
import argparse
import base64
import hashlib
import http.server
import json
import os
import socketserver
import sys
import threading
import time

args = None
tokens = set()
flaky_seen = set()
lock = threading.Lock()


def layout_index():
    with open(os.path.join(args.layout, "index.json")) as f:
        return json.load(f)


def blob_path(digest):
    algo, _, hexpart = digest.partition(":")
    if algo != "sha256" or len(hexpart) != 64 or not all(c in "0123456789abcdef" for c in hexpart):
        return None
    p = os.path.join(args.layout, "blobs", "sha256", hexpart)
    return p if os.path.exists(p) else None


def config_digests():
    """Digests of configs and manifests: served honestly in every mode."""
    honest = set()
    for root, _, files in os.walk(os.path.join(args.layout, "blobs", "sha256")):
        for name in files:
            try:
                with open(os.path.join(root, name)) as f:
                    doc = json.load(f)
            except Exception:
                continue
            cfg = doc.get("config") if isinstance(doc, dict) else None
            if isinstance(cfg, dict) and isinstance(cfg.get("digest"), str):
                honest.add(cfg["digest"])
    return honest


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, status, doc, headers=()):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def unauthorized(self):
        host = self.headers.get("Host")
        challenge = 'Bearer realm="http://%s/token",service="fake"' % host
        self.send_json(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
                       [("WWW-Authenticate", challenge)])

    def authorized(self):
        if args.mode != "bearer":
            return True
        auth = self.headers.get("Authorization", "")
        return auth.startswith("Bearer ") and auth[7:] in tokens

    def do_HEAD(self):
        self.do_GET(head=True)

    def do_GET(self, head=False):
        path = self.path.split("?")[0]
        if path == "/token":
            auth = self.headers.get("Authorization", "")
            want = "Basic " + base64.b64encode(b"test:secret").decode()
            if auth != want:
                self.send_json(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})
                return
            token = base64.b64encode(os.urandom(18)).decode()
            with lock:
                tokens.add(token)
            self.send_json(200, {"token": token, "expires_in": 300})
            return
        if not self.authorized():
            self.unauthorized()
            return
        if path == "/v2/":
            self.send_json(200, {})
            return
        parts = path.split("/")
        if len(parts) < 5 or parts[1] != "v2":
            self.send_json(404, {"errors": [{"code": "NOT_FOUND", "message": "no route"}]})
            return
        kind, ref = parts[-2], parts[-1]
        if kind == "manifests":
            self.manifest(ref, head)
        elif kind == "blobs":
            self.blob(ref, head)
        else:
            self.send_json(404, {"errors": [{"code": "NOT_FOUND", "message": "no route"}]})

    def manifest(self, ref, head):
        if args.mode == "huge-manifest":
            body = json.dumps({"schemaVersion": 2, "pad": "x" * (5 << 20)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        digest = ref if ref.startswith("sha256:") else None
        media = "application/vnd.oci.image.manifest.v1+json"
        for m in layout_index()["manifests"]:
            if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref or m["digest"] == ref:
                digest, media = m["digest"], m["mediaType"]
        p = blob_path(digest) if digest else None
        if p is None:
            self.send_json(404, {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}]})
            return
        with open(p, "rb") as f:
            body = f.read()
        try:
            media = json.loads(body).get("mediaType", media)
        except Exception:
            pass
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Docker-Content-Digest", digest)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def blob(self, digest, head):
        p = blob_path(digest)
        if p is None:
            self.send_json(404, {"errors": [{"code": "BLOB_UNKNOWN", "message": "blob unknown"}]})
            return
        with open(p, "rb") as f:
            body = f.read()
        honest = digest in HONEST
        mode = "normal" if honest else args.mode
        if mode == "flaky":
            with lock:
                first = digest not in flaky_seen
                flaky_seen.add(digest)
            if first:
                self.send_json(503, {"errors": [{"code": "UNAVAILABLE", "message": "try again"}]})
                return
        if mode == "resume":
            rng = self.headers.get("Range")
            if args.log:
                with open(args.log, "a") as f:
                    f.write("%s %s\n" % (digest, rng or "-"))
            with lock:
                first = digest not in flaky_seen
                flaky_seen.add(digest)
            if first:
                mode = "truncate"
            elif rng and rng.startswith("bytes=") and rng.endswith("-"):
                start = int(rng[6:-1])
                part = body[start:]
                self.send_response(206)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(body) - 1, len(body)))
                self.send_header("Content-Length", str(len(part)))
                self.end_headers()
                if not head:
                    self.wfile.write(part)
                return
        if mode == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                chunk = b"\0" * 65536
                while True:
                    self.wfile.write(chunk)
            except Exception:
                return
        if mode == "bad-digest":
            body = bytearray(body)
            body[len(body) // 2] ^= 0xFF
            body = bytes(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        if mode in ("truncate", "stall"):
            self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        try:
            if mode == "stall":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                time.sleep(3600)
            elif mode == "truncate":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
            elif mode == "slow":
                for i in range(0, len(body), 65536):
                    self.wfile.write(body[i:i + 65536])
                    self.wfile.flush()
                    time.sleep(0.06)
            else:
                self.wfile.write(body)
        except Exception:
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global args, HONEST
    p = argparse.ArgumentParser()
    p.add_argument("--mode", default="normal")
    p.add_argument("--layout", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", default=None)
    args = p.parse_args()
    HONEST = config_digests()
    srv = Server(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".new", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(args.port_file + ".new", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
