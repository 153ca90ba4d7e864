#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# checkpoint-archive-make.py KIND OUT IMAGE-ID IMAGE-NAME CONFIG-JSON:
# writes a hako checkpoint archive (gzip tar, which `restore --import`
# reads as well as zstd) to OUT for checkpoint-archive.bats: KIND "good"
# is well formed (its criu images are not real ones), every other KIND
# is that attack or damage.
import io
import json
import sys
import tarfile

kind, out, image_id, image, config = sys.argv[1:6]


def manifest(version=1):
    return json.dumps({
        "format": "hako-checkpoint", "version": version, "name": "migrant",
        "image": image, "imageId": image_id,
        "checkpointedAt": "2026-12-06T05:00:00.000000000Z",
        "config": json.loads(config),
    }).encode()


def member(tar, name, data=b"", **attrs):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    for k, v in attrs.items():
        setattr(info, k, v)
    tar.addfile(info, io.BytesIO(data) if info.isreg() else None)


def rootfs(evil_name=None):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as layer:
        member(layer, "hello", b"migrated\n")
        if evil_name:
            member(layer, evil_name, b"escaped\n")
    return buf.getvalue()


with tarfile.open(out, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
    if kind == "not-first":
        member(tar, "rootfs.tar", rootfs())
    if kind == "oversized-manifest":
        member(tar, "manifest.json", b" " * (2 << 20) + manifest())
    else:
        member(tar, "manifest.json", manifest(2 if kind == "newer-version" else 1))
    member(tar, "rootfs.tar", rootfs("../../escaped" if kind == "layer-traversal" else None))
    member(tar, "checkpoint/inventory.img", b"not a criu image")
    if kind == "traversal":
        member(tar, "checkpoint/../../../escaped", b"escaped\n")
    elif kind == "absolute":
        member(tar, "/tmp/hako-checkpoint-escaped", b"escaped\n")
    elif kind == "symlink":
        member(tar, "checkpoint/core-1.img", type=tarfile.SYMTYPE, linkname="/etc/shadow")
    elif kind == "hardlink":
        member(tar, "checkpoint/core-1.img", type=tarfile.LNKTYPE, linkname="/etc/shadow")
    elif kind == "device":
        member(tar, "checkpoint/core-1.img", type=tarfile.CHRTYPE, devmajor=1, devminor=1)
    elif kind == "unknown-member":
        member(tar, "etc/cron.d/evil", b"* * * * * root sh\n")
    elif kind == "duplicate":
        member(tar, "checkpoint/inventory.img", b"again")
    elif kind not in ("good", "not-first", "oversized-manifest", "newer-version",
                      "layer-traversal"):
        sys.exit(f"unknown kind {kind}")
