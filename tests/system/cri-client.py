#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A minimal CRI client, as the kubelet is one.

    cri-client.py SOCKET METHOD [REQUEST]
    cri-client.py --serve SOCKET
    cri-client.py --kube SOCKET FILE HANDLER DIR CGROUP-PARENT

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

With --kube, FILE is Kubernetes YAML with one Pod (`hako kube generate`
output) that the client runs as the kubelet would: RunPodSandbox under
runtime handler HANDLER (the pod's cgroup CGROUP-PARENT/pod-NAME, its
logs and its emptyDir volumes under DIR), then per container
CreateContainer and StartContainer with the container's settings
translated into the CRI's (command and args, env, workingDir, the
volume mounts, limits as quota, period and memory, requests.cpu as
shares, the security context); initContainers first, each run to its
exit, which must be 0.  Prints {"pod": ID, "containers": {NAME: ID}}.

The message classes come from `protoc --python_out` run on that .proto,
in the directory $CRI_PB_DIR (module cri_api_v1_pb2); no gRPC stubs are
needed: the call is a unary_unary on the channel by method path.
"""
import json
import os
import sys
import time

import grpc
from google.protobuf import descriptor, json_format

sys.path.insert(0, os.environ["CRI_PB_DIR"])
import cri_api_v1_pb2 as api  # noqa: E402 (generated in CRI_PB_DIR)

TIMEOUT_SECONDS = 120
USAGE = ("usage: cri-client.py SOCKET METHOD [REQUEST-JSON] | cri-client.py --serve SOCKET | "
         "cri-client.py --kube SOCKET FILE HANDLER DIR CGROUP-PARENT")


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


# ---- a Pod as the kubelet runs it ----

CPU_PERIOD = 100000


def millicpu(q):
    q = str(q)
    return int(q[:-1]) if q.endswith("m") else int(float(q) * 1000)


def memory_bytes(q):
    q = str(q)
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 10**3, "M": 10**6, "G": 10**9}
    for suffix, factor in units.items():
        if q.endswith(suffix):
            return int(float(q[: -len(suffix)]) * factor)
    return int(q)


def sandbox_config(pod, directory, cgroup_parent):
    meta, spec = pod["metadata"], pod["spec"]
    name = meta["name"]
    dns = spec.get("dnsConfig") or {}
    ports = []
    for c in spec.get("containers", []):
        for p in c.get("ports") or []:
            if "hostPort" in p:
                ports.append({"protocol": p.get("protocol", "TCP"), "container_port": p["containerPort"],
                              "host_port": p["hostPort"], "host_ip": p.get("hostIP", "")})
    pid = "POD" if spec.get("shareProcessNamespace") else "CONTAINER"
    return {
        "metadata": {"name": name, "uid": "uid-" + name, "namespace": "hakotest", "attempt": 0},
        "hostname": spec.get("hostname", name),
        "log_directory": os.path.join(directory, "logs", name),
        "dns_config": {"servers": dns.get("nameservers", []), "searches": dns.get("searches", [])},
        "port_mappings": ports,
        "labels": dict(meta.get("labels") or {}, **{"io.kubernetes.pod.name": name}),
        "linux": {"cgroup_parent": f"/{cgroup_parent}/pod-{name}",
                  "security_context": {"namespace_options": {"network": "POD", "pid": pid,
                                                             "ipc": "POD"}}},
    }


def volume_paths(pod, directory):
    """The host directory of each volume, made as the kubelet makes them."""
    paths = {}
    for v in pod["spec"].get("volumes") or []:
        if "hostPath" in v:
            paths[v["name"]] = v["hostPath"]["path"]
            continue
        path = os.path.join(directory, "volumes", pod["metadata"]["name"], v["name"])
        os.makedirs(path, exist_ok=True)
        if "emptyDir" not in v:
            raise CallError(f"cri-client: volume {v['name']}: only emptyDir and hostPath here")
        paths[v["name"]] = path
    return paths


def container_config(c, pod_spec, volumes):
    limits = (c.get("resources") or {}).get("limits") or {}
    requests = (c.get("resources") or {}).get("requests") or {}
    resources = {}
    if "memory" in limits:
        resources["memory_limit_in_bytes"] = memory_bytes(limits["memory"])
    if "cpu" in limits:
        resources["cpu_period"] = CPU_PERIOD
        resources["cpu_quota"] = millicpu(limits["cpu"]) * CPU_PERIOD // 1000
    if "cpu" in requests:
        resources["cpu_shares"] = max(2, millicpu(requests["cpu"]) * 1024 // 1000)
    sc = c.get("securityContext") or {}
    pod_sc = pod_spec.get("securityContext") or {}
    security = {"namespace_options": {
        "network": "POD", "ipc": "POD",
        "pid": "POD" if pod_spec.get("shareProcessNamespace") else "CONTAINER"}}
    for field, cri_field in (("runAsUser", "run_as_user"), ("runAsGroup", "run_as_group")):
        value = sc.get(field, pod_sc.get(field))
        if value is not None:
            security[cri_field] = {"value": value}
    caps = sc.get("capabilities") or {}
    if caps:
        security["capabilities"] = {"add_capabilities": caps.get("add", []),
                                    "drop_capabilities": caps.get("drop", [])}
    security["privileged"] = sc.get("privileged", False)
    security["readonly_rootfs"] = sc.get("readOnlyRootFilesystem", False)
    security["no_new_privs"] = sc.get("allowPrivilegeEscalation") is False
    profile = (sc.get("seccompProfile") or {}).get("type", "RuntimeDefault")
    security["seccomp"] = {"profile_type": profile,
                           "localhost_ref": (sc.get("seccompProfile") or {}).get("localhostProfile", "")}
    return {
        "metadata": {"name": c["name"], "attempt": 0},
        "image": {"image": c["image"]},
        "command": c.get("command", []),
        "args": c.get("args", []),
        "working_dir": c.get("workingDir", ""),
        "envs": [{"key": e["name"], "value": e.get("value", "")} for e in c.get("env") or []],
        "mounts": [{"container_path": m["mountPath"], "host_path": volumes[m["name"]],
                    "readonly": m.get("readOnly", False)} for m in c.get("volumeMounts") or []],
        "log_path": c["name"] + ".log",
        "stdin": c.get("stdin", False),
        "tty": c.get("tty", False),
        "linux": {"resources": resources, "security_context": security},
    }


def wait_exit(channel, container_id):
    for _ in range(600):
        status = call(channel, "ContainerStatus", json.dumps({"container_id": container_id}))["status"]
        if status["state"] == "CONTAINER_EXITED":
            return int(status["exit_code"])
        time.sleep(0.1)
    raise CallError(f"cri-client: init container {container_id} did not exit in 60 s")


def run_kube_pod(channel, file, handler, directory, cgroup_parent):
    import yaml  # only here: the other modes need no YAML

    with open(file, encoding="utf-8") as f:
        pods = [d for d in yaml.safe_load_all(f) if d and d.get("kind") == "Pod"]
    if len(pods) != 1:
        raise CallError(f"cri-client: {file}: one Pod expected, found {len(pods)}")
    pod = pods[0]
    sandbox = sandbox_config(pod, directory, cgroup_parent)
    os.makedirs(sandbox["log_directory"], exist_ok=True)
    volumes = volume_paths(pod, directory)
    pod_id = call(channel, "RunPodSandbox", json.dumps(
        {"config": sandbox, "runtime_handler": handler}))["pod_sandbox_id"]
    ids = {}
    spec = pod["spec"]
    for init, c in [(True, c) for c in spec.get("initContainers") or []] + \
                   [(False, c) for c in spec.get("containers") or []]:
        request = {"pod_sandbox_id": pod_id, "config": container_config(c, spec, volumes),
                   "sandbox_config": sandbox}
        cid = call(channel, "CreateContainer", json.dumps(request))["container_id"]
        call(channel, "StartContainer", json.dumps({"container_id": cid}))
        if init and wait_exit(channel, cid) != 0:
            raise CallError(f"cri-client: init container {c['name']} failed")
        ids[c["name"]] = cid
    return {"pod": pod_id, "containers": ids}


def main():
    if len(sys.argv) == 7 and sys.argv[1] == "--kube":
        with grpc.insecure_channel("unix:" + sys.argv[2]) as channel:
            try:
                print(json.dumps(run_kube_pod(channel, *sys.argv[3:])))
            except CallError as e:
                sys.exit(str(e))
        return
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
