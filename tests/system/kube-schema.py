#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""kube-schema.py FILE...: checks Kubernetes YAML against the facts of the
Kubernetes OpenAPI schema (release 1.30: io.k8s.api.core.v1 and
io.k8s.api.apps.v1) that hako's `kube generate` output touches, the way
the API server's strict decoding and validation would: known fields only,
each of its type (int32, int64, string, boolean, list, map, quantity),
required fields, enums, and the name rules (RFC 1123 labels and
subdomains, IANA service names, environment variable names).

Debian 12's kubernetes-client (kubectl 1.20) cannot validate offline:
`kubectl create --dry-run=client` asks a server for the kinds' mappings.
So the facts are here, written from the schema.  Exit 0 when valid,
else 1 with each problem on a line, named by document and path."""

import base64
import re
import sys

import yaml

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
IANA_SVC_NAME = re.compile(r"^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")

problems = []
where = ""  # the document being checked: "FILE: document N: "


def bad(path, why):
    problems.append(f"{where}{path}: {why}")


def check_int(v, path, lo, hi):
    if type(v) is not int:
        bad(path, f"expected an integer, got {type(v).__name__}")
    elif not lo <= v <= hi:
        bad(path, f"{v} is outside {lo}..{hi}")


INT32 = ("int", -(2**31), 2**31 - 1)
INT64 = ("int", -(2**63), 2**63 - 1)
PORT = ("int", 1, 65535)
MODE = ("int", 0, 0o777)


def check(v, t, path):
    """V against type T: a tuple for scalars, a dict (object fields), a
    list [T] (a list of T), or a function."""
    if callable(t):
        t(v, path)
    elif isinstance(t, tuple):
        kind = t[0]
        if kind == "int":
            check_int(v, path, t[1], t[2])
        elif kind == "str":
            if not isinstance(v, str):
                bad(path, f"expected a string, got {type(v).__name__}")
            elif len(t) > 1 and not t[1](v):
                bad(path, f"{v!r} is not {t[2]}")
        elif kind == "bool":
            if not isinstance(v, bool):
                bad(path, f"expected a boolean, got {type(v).__name__}")
        elif kind == "enum":
            if v not in t[1]:
                bad(path, f"{v!r} is not one of {', '.join(t[1])}")
        elif kind == "map":
            if not isinstance(v, dict):
                bad(path, f"expected a map, got {type(v).__name__}")
            else:
                for k, x in v.items():
                    check(k, t[1], f"{path}.{k} (key)")
                    check(x, t[2], f"{path}.{k}")
    elif isinstance(t, list):
        if not isinstance(v, list):
            bad(path, f"expected a list, got {type(v).__name__}")
        else:
            for i, x in enumerate(v):
                check(x, t[0], f"{path}[{i}]")
    elif isinstance(t, dict):
        if not isinstance(v, dict):
            bad(path, f"expected an object, got {type(v).__name__}")
            return
        for k, x in v.items():
            if k == "__required__":
                continue
            if k not in t:
                bad(f"{path}.{k}" if path else k, "unknown field")
            else:
                check(x, t[k], f"{path}.{k}" if path else k)
        for k in t.get("__required__", ()):
            if k not in v:
                bad(f"{path}.{k}" if path else k, "required")


STR = ("str",)
BOOL = ("bool",)
LABEL = ("str", lambda s: len(s) <= 63 and DNS_LABEL.match(s), "a DNS label")
SUBDOMAIN = ("str", lambda s: len(s) <= 253 and DNS_SUBDOMAIN.match(s), "a DNS subdomain")
QTY = ("str", QUANTITY.match, "a quantity")
LABELS = ("map", ("str", lambda s: 0 < len(s.split("/")[-1]) <= 63, "a label key"),
          ("str", lambda s: len(s) <= 63 and LABEL_VALUE.match(s), "a label value"))
PROTOCOL = ("enum", ("TCP", "UDP", "SCTP"))


def quantity(v, path):
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        bad(path, "expected a quantity")
    elif isinstance(v, str) and not QUANTITY.match(v):
        bad(path, f"{v!r} is not a quantity")


RESOURCES = {"limits": ("map", STR, quantity), "requests": ("map", STR, quantity),
             "claims": [dict]}
METADATA = {"name": SUBDOMAIN, "labels": LABELS, "annotations": ("map", STR, STR),
            "namespace": LABEL, "__required__": ("name",)}
SECCOMP = {"type": ("enum", ("RuntimeDefault", "Unconfined", "Localhost")),
           "localhostProfile": STR, "__required__": ("type",)}
CONTAINER_SECURITY = {
    "runAsUser": INT64, "runAsGroup": INT64, "runAsNonRoot": BOOL, "privileged": BOOL,
    "readOnlyRootFilesystem": BOOL, "allowPrivilegeEscalation": BOOL,
    "capabilities": {"add": [STR], "drop": [STR]}, "seccompProfile": SECCOMP,
}
PROBE = {"exec": {"command": [STR]}, "periodSeconds": ("int", 1, 2**31 - 1),
         "timeoutSeconds": ("int", 1, 2**31 - 1), "initialDelaySeconds": ("int", 0, 2**31 - 1),
         "failureThreshold": ("int", 1, 2**31 - 1), "successThreshold": ("int", 1, 1)}
ENV = {"name": ("str", ENV_NAME.match, "an environment variable name"), "value": STR,
       "valueFrom": {"configMapKeyRef": {"name": STR, "key": STR, "optional": BOOL},
                     "secretKeyRef": {"name": STR, "key": STR, "optional": BOOL}},
       "__required__": ("name",)}
PORT_SPEC = {"containerPort": PORT, "hostPort": PORT, "hostIP": STR, "protocol": PROTOCOL,
             "name": ("str", lambda s: len(s) <= 15 and IANA_SVC_NAME.match(s), "a port name"),
             "__required__": ("containerPort",)}
CONTAINER = {
    "name": LABEL, "image": STR, "command": [STR], "args": [STR], "env": [ENV],
    "envFrom": [{"prefix": STR, "configMapRef": {"name": STR, "optional": BOOL},
                 "secretRef": {"name": STR, "optional": BOOL}}],
    "workingDir": STR, "ports": [PORT_SPEC], "resources": RESOURCES,
    "securityContext": CONTAINER_SECURITY, "livenessProbe": PROBE,
    "volumeMounts": [{"name": STR, "mountPath": STR, "readOnly": BOOL,
                      "__required__": ("name", "mountPath")}],
    "stdin": BOOL, "tty": BOOL, "__required__": ("name",),
}
ITEMS = [{"key": STR, "path": STR, "mode": MODE, "__required__": ("key", "path")}]
VOLUME = {
    "name": LABEL,
    "hostPath": {"path": STR, "type": ("enum", ("", "DirectoryOrCreate", "Directory",
                                                "FileOrCreate", "File", "Socket",
                                                "CharDevice", "BlockDevice")),
                 "__required__": ("path",)},
    "emptyDir": {"medium": ("enum", ("", "Memory")), "sizeLimit": quantity},
    "configMap": {"name": STR, "items": ITEMS, "defaultMode": MODE, "optional": BOOL},
    "secret": {"secretName": STR, "items": ITEMS, "defaultMode": MODE, "optional": BOOL},
    "persistentVolumeClaim": {"claimName": STR, "readOnly": BOOL, "__required__": ("claimName",)},
    "__required__": ("name",),
}
POD_SPEC = {
    "containers": [CONTAINER], "initContainers": [CONTAINER], "volumes": [VOLUME],
    "restartPolicy": ("enum", ("Always", "OnFailure", "Never")), "hostname": LABEL,
    "hostNetwork": BOOL, "shareProcessNamespace": BOOL,
    "hostAliases": [{"ip": STR, "hostnames": [STR], "__required__": ("ip",)}],
    "dnsConfig": {"nameservers": [STR], "searches": [STR], "options": [dict]},
    "securityContext": {"runAsUser": INT64, "runAsGroup": INT64, "runAsNonRoot": BOOL,
                        "seccompProfile": SECCOMP},
    "terminationGracePeriodSeconds": ("int", 0, 2**63 - 1),
    "__required__": ("containers",),
}


def pod_spec_rules(spec, path, deployment):
    """What validation adds to the types: at least one container, unique
    container and volume names, mounts naming a volume, a Deployment's
    restart policy Always."""
    if not isinstance(spec, dict):
        return
    containers = (spec.get("initContainers") or []) + (spec.get("containers") or [])
    if not spec.get("containers"):
        bad(f"{path}.containers", "at least one container is required")
    names = [c.get("name") for c in containers if isinstance(c, dict)]
    if len(names) != len(set(names)):
        bad(f"{path}.containers", "container names are not unique")
    volumes = [v.get("name") for v in spec.get("volumes") or [] if isinstance(v, dict)]
    if len(volumes) != len(set(volumes)):
        bad(f"{path}.volumes", "volume names are not unique")
    for v in spec.get("volumes") or []:
        if isinstance(v, dict) and sum(k != "name" for k in v) != 1:
            bad(f"{path}.volumes", f"volume {v.get('name')!r} needs exactly one source")
    for c in containers:
        for m in (c.get("volumeMounts") or []) if isinstance(c, dict) else []:
            if isinstance(m, dict) and m.get("name") not in volumes:
                bad(f"{path}.containers", f"mount of unknown volume {m.get('name')!r}")
        if isinstance(c, dict) and "image" not in c:
            bad(f"{path}.containers", f"container {c.get('name')!r}: image is required")
    if deployment and spec.get("restartPolicy", "Always") != "Always":
        bad(f"{path}.restartPolicy", "a Deployment's pods restart Always")


def check_pod(doc):
    check(doc, {"apiVersion": ("enum", ("v1",)), "kind": STR, "metadata": METADATA,
                "spec": POD_SPEC, "__required__": ("apiVersion", "kind", "metadata", "spec")},
          "")
    pod_spec_rules(doc.get("spec"), "spec", False)


def check_deployment(doc):
    spec = {"replicas": ("int", 0, 2**31 - 1),
            "selector": {"matchLabels": LABELS, "__required__": ("matchLabels",)},
            "template": {"metadata": {"labels": LABELS, "name": SUBDOMAIN},
                         "spec": POD_SPEC, "__required__": ("spec",)},
            "__required__": ("selector", "template")}
    check(doc, {"apiVersion": ("enum", ("apps/v1",)), "kind": STR, "metadata": METADATA,
                "spec": spec, "__required__": ("apiVersion", "kind", "metadata", "spec")}, "")
    s = doc.get("spec") or {}
    selector = (s.get("selector") or {}).get("matchLabels") or {}
    labels = ((s.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if any(labels.get(k) != v for k, v in selector.items()):
        bad("spec.selector", "does not select the template's labels")
    pod_spec_rules((s.get("template") or {}).get("spec"), "spec.template.spec", True)


def check_service(doc):
    port = {"name": LABEL, "port": PORT, "targetPort": lambda v, p: check(v, PORT, p)
            if not isinstance(v, str) else check(v, LABEL, p), "protocol": PROTOCOL,
            "nodePort": PORT, "__required__": ("port",)}
    check(doc, {"apiVersion": ("enum", ("v1",)), "kind": STR, "metadata": METADATA,
                "spec": {"ports": [port], "selector": ("map", STR, STR),
                         "type": ("enum", ("ClusterIP", "NodePort", "LoadBalancer"))},
                "__required__": ("apiVersion", "kind", "metadata")}, "")
    ports = (doc.get("spec") or {}).get("ports") or []
    if len(ports) > 1 and any("name" not in p for p in ports if isinstance(p, dict)):
        bad("spec.ports", "every port needs a name when there are several")


def base64_value(v, path):
    try:
        base64.b64decode(v, validate=True)
    except Exception:
        bad(path, "not base64")


def check_config(doc, secret):
    data = ("map", ("str", CONFIG_KEY.match, "a key"), base64_value if secret else STR)
    fields = {"apiVersion": ("enum", ("v1",)), "kind": STR, "metadata": METADATA, "data": data,
              "__required__": ("apiVersion", "kind", "metadata")}
    if secret:
        fields["type"] = STR
        fields["stringData"] = ("map", STR, STR)
    check(doc, fields, "")


def main():
    global where
    for file in sys.argv[1:]:
        with open(file, encoding="utf-8") as f:
            docs = list(yaml.safe_load_all(f))
        for n, doc in enumerate(docs, 1):
            if doc is None:
                continue
            where = f"{file}: document {n}: "
            kind = doc.get("kind") if isinstance(doc, dict) else None
            if kind == "Pod":
                check_pod(doc)
            elif kind == "Deployment":
                check_deployment(doc)
            elif kind == "Service":
                check_service(doc)
            elif kind in ("ConfigMap", "Secret"):
                check_config(doc, kind == "Secret")
            else:
                bad("kind", f"{kind!r} is not a kind this checker knows")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
