#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A minimal CRI client, as the kubelet is one: one call per run.

    cri-client.py SOCKET METHOD [REQUEST]

SOCKET is the runtime's unix socket, METHOD a method of runtime.v1's
RuntimeService or ImageService (tests/system/data/cri-api-v1.proto) and
REQUEST the request message as protobuf JSON (default {}).  Prints the
response as JSON, field names as in the .proto, default values included,
bytes fields (ExecSync's stdout and stderr) as text.  A failed call prints
its gRPC status and message on stderr and exits 1.

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


def find_method(name):
    for service in api.DESCRIPTOR.services_by_name.values():
        method = service.methods_by_name.get(name)
        if method is not None:
            return service, method
    sys.exit(f"cri-client: no method {name} in runtime.v1")


def as_dict(message):
    out = json_format.MessageToDict(message, preserving_proto_field_name=True,
                                    including_default_value_fields=True)
    for field in message.DESCRIPTOR.fields:
        if field.type == descriptor.FieldDescriptor.TYPE_BYTES:
            out[field.name] = getattr(message, field.name).decode("utf-8", "replace")
    return out


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: cri-client.py SOCKET METHOD [REQUEST-JSON]")
    socket, name = sys.argv[1], sys.argv[2]
    service, method = find_method(name)
    request_class = getattr(api, method.input_type.name)
    response_class = getattr(api, method.output_type.name)
    try:
        request = json_format.Parse(sys.argv[3] if len(sys.argv) == 4 else "{}", request_class())
    except json_format.ParseError as e:
        sys.exit(f"cri-client: {name}: bad request: {e}")
    with grpc.insecure_channel("unix:" + socket) as channel:
        call = channel.unary_unary(f"/{service.full_name}/{name}",
                                   request_serializer=request_class.SerializeToString,
                                   response_deserializer=response_class.FromString)
        try:
            response = call(request, timeout=TIMEOUT_SECONDS)
        except grpc.RpcError as e:
            print(f"cri-client: {name}: {e.code().name}: {e.details()}", file=sys.stderr)
            sys.exit(1)
    print(json.dumps(as_dict(response), indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
