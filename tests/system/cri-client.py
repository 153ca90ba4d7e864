#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A minimal CRI client, as the kubelet is one.

    cri-client.py SOCKET METHOD [REQUEST]
    cri-client.py --serve SOCKET

SOCKET is the runtime's unix socket, METHOD a method of runtime.v1's
RuntimeService or ImageService (tests/system/data/cri-api-v1.proto) and
REQUEST the request message as protobuf JSON (default {}).  Prints the
response as JSON, field names as in the .proto, default values included,
bytes fields (ExecSync's stdout and stderr) as text.  A failed call prints
its gRPC status and message on stderr and exits 1.

With --serve, one call per line of stdin ("METHOD REQUEST"), one line of
JSON per call on stdout ({"error": "..."} for a failed one), until end of
input: a slow machine (the cgroup v2 VM emulates its CPU) then starts
Python once, not once per call.

The message classes come from `protoc --python_out` run on that .proto,
in the directory $CRI_PB_DIR (module cri_api_v1_pb2); no gRPC stubs are
needed: the call is a unary_unary on the channel by method path.
"""
import json
import os
import sys

import grpc
from google.protobuf import descriptor, json_format

sys.path.insert(0, os.environ["CRI_PB_DIR"])
import cri_api_v1_pb2 as api  # noqa: E402 (generated in CRI_PB_DIR)

TIMEOUT_SECONDS = 120
USAGE = "usage: cri-client.py SOCKET METHOD [REQUEST-JSON] | cri-client.py --serve SOCKET"


class CallError(Exception):
    pass


def find_method(name):
    for service in api.DESCRIPTOR.services_by_name.values():
        method = service.methods_by_name.get(name)
        if method is not None:
            return service, method
    raise CallError(f"cri-client: no method {name} in runtime.v1")


def as_dict(message):
    out = json_format.MessageToDict(message, preserving_proto_field_name=True,
                                    including_default_value_fields=True)
    for field in message.DESCRIPTOR.fields:
        if field.type == descriptor.FieldDescriptor.TYPE_BYTES:
            out[field.name] = getattr(message, field.name).decode("utf-8", "replace")
    return out


def call(channel, name, body):
    service, method = find_method(name)
    request_class = getattr(api, method.input_type.name)
    response_class = getattr(api, method.output_type.name)
    try:
        request = json_format.Parse(body, request_class())
    except json_format.ParseError as e:
        raise CallError(f"cri-client: {name}: bad request: {e}") from e
    stub = channel.unary_unary(f"/{service.full_name}/{name}",
                               request_serializer=request_class.SerializeToString,
                               response_deserializer=response_class.FromString)
    try:
        return as_dict(stub(request, timeout=TIMEOUT_SECONDS))
    except grpc.RpcError as e:
        raise CallError(f"cri-client: {name}: {e.code().name}: {e.details()}") from e


def serve(channel):
    for line in sys.stdin:
        name, _, body = line.strip().partition(" ")
        try:
            response = call(channel, name, body or "{}")
        except CallError as e:
            response = {"error": str(e)}
        print(json.dumps(response, sort_keys=True), flush=True)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        with grpc.insecure_channel("unix:" + sys.argv[2]) as channel:
            serve(channel)
        return
    if len(sys.argv) not in (3, 4):
        sys.exit(USAGE)
    with grpc.insecure_channel("unix:" + sys.argv[1]) as channel:
        try:
            response = call(channel, sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else "{}")
        except CallError as e:
            sys.exit(str(e))
    print(json.dumps(response, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
