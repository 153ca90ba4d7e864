#!/usr/bin/env bats
# kube play (Pod, Deployment, ConfigMap, Secret, PersistentVolumeClaim and
# each field hako carries out), kube down, kube generate with a round
# trip and the YAML checked against the Kubernetes schema's facts
# (kube-schema.py), and bad input that makes nothing.

load pod-helpers

setup_file() {
	require_tools python3
	python3 -c 'import yaml' || skip "python3-yaml is needed to check the YAML"
	network_setup_file
}
teardown_file() { network_teardown_file; }
setup() {
	pod_setup
	VOLUMES_BEFORE=$(hk volume ls -q | sort)
	Y=$BATS_TEST_TMPDIR
}
teardown() {
	local status=0 v
	pod_teardown || status=1
	for v in $(hk volume ls -q); do
		grep -qxF "$v" <<<"$VOLUMES_BEFORE" || hk volume rm "$v" >/dev/null 2>&1 || true
	done
	return $status
}

# play FILE [ARGS...]: kube play of FILE, its pods under the tests' cgroup.
play() {
	local file=$1
	shift
	hk kube play --cgroup-parent "$ENGINE_CGROUP" "$@" "$file"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

@test "a Pod: command, args, env from values, ConfigMaps and Secrets, workingDir, hostPort, localhost" {
	local port
	port=$(free_port)
	cat >"$Y/pod.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {greeting: hello, mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
data: {password: c2VjcmV0}
stringData: {token: plain}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: server
    image: busybox
    command: [sh, -c]
    args: ['echo "\$GREETING \$PASSWORD \$token \$PLAIN \$cfg_mode \$(pwd)" >/tmp/index.html && exec httpd -f -p 8080 -h /tmp']
    workingDir: /etc
    env:
    - {name: PLAIN, value: "42"}
    - name: GREETING
      valueFrom: {configMapKeyRef: {name: cfg, key: greeting}}
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: sec, key: password}}
    - name: MISSING
      valueFrom: {configMapKeyRef: {name: cfg, key: nothere, optional: true}}
    envFrom:
    - {secretRef: {name: sec}}
    - {configMapRef: {name: cfg}, prefix: cfg_}
    ports:
    - {containerPort: 8080, hostPort: $port, hostIP: 127.0.0.1, protocol: TCP}
  - name: client
    image: busybox
    command: [sleep, "1000"]
YAML
	run play "$Y/pod.yaml"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = Pod: ]
	[ "$(pod_status web)" = Running ]
	[ "$(hk pod inspect -f '{{.Labels.app}}' web)" = web ]
	[ "$(hk inspect -f '{{json .Config.Entrypoint}}' web-server)" = '["sh","-c"]' ]
	wait_http "http://127.0.0.1:$port/index.html"
	[ "$(wget --no-proxy -q -O- "http://127.0.0.1:$port/index.html")" = "hello secret plain 42 fast /etc" ]
	[ "$(hk exec web-client wget -q -O- http://127.0.0.1:8080/index.html)" = "hello secret plain 42 fast /etc" ]
	[ "$(hk exec web-server sh -c 'echo ${MISSING-unset}')" = unset ]
	[ "$(hk exec web-server hostname)" = web ]
}

@test "resources become limits, livenessProbe the health check, restartPolicy the restart policy" {
	cat >"$Y/res.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: res}
spec:
  restartPolicy: OnFailure
  terminationGracePeriodSeconds: 3
  containers:
  - name: c
    image: busybox
    command: [sleep, "1000"]
    resources:
      limits: {memory: 48Mi, cpu: 500m}
      requests: {memory: 16Mi, cpu: "0.25"}
    livenessProbe:
      exec: {command: [sh, -c, "test -d /"]}
      periodSeconds: 1
      timeoutSeconds: 2
      initialDelaySeconds: 0
      failureThreshold: 4
YAML
	run play "$Y/res.yaml"
	[ "$status" -eq 0 ]
	[ "$(hk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.MemoryReservation}} {{.HostConfig.CpuShares}}' res-c)" = \
		"$((48 << 20)) 500000000 $((16 << 20)) 256" ]
	[ "$(hk inspect -f '{{.HostConfig.RestartPolicy.Name}} {{.Config.StopTimeout}}' res-c)" = "on-failure 3" ]
	[ "$(hk inspect -f '{{json .Config.Healthcheck.Test}} {{.Config.Healthcheck.Retries}}' res-c)" = \
		'["CMD","sh","-c","test -d /"] 4' ]
	for i in $(seq 60); do
		[ "$(hk inspect -f '{{.State.Health.Status}}' res-c)" = healthy ] && break
		sleep 0.1
	done
	[ "$(hk inspect -f '{{.State.Health.Status}}' res-c)" = healthy ]
	local pid
	pid=$(hk inspect -f '{{.State.Pid}}' res-c)
	grep -q "$ENGINE_CGROUP/hako-pod-" "/proc/$pid/cgroup"
}

@test "securityContext: user and group, capabilities, privileged, read-only root, no escalation, seccomp" {
	cat >"$Y/sec.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: sec}
spec:
  securityContext: {runAsUser: 1000}
  containers:
  - name: locked
    image: busybox
    command: [sleep, "1000"]
    securityContext:
      runAsGroup: 2000
      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      seccompProfile: {type: RuntimeDefault}
  - name: open
    image: busybox
    command: [sleep, "1000"]
    securityContext:
      runAsUser: 0
      privileged: true
      seccompProfile: {type: Unconfined}
YAML
	run play "$Y/sec.yaml"
	[ "$status" -eq 0 ]
	[ "$(hk exec sec-locked id -u):$(hk exec sec-locked id -g)" = "1000:2000" ]
	[ "$(hk exec sec-locked grep CapBnd /proc/self/status)" = "CapBnd:	0000000000000400" ]
	run hk exec sec-locked touch /file
	[ "$status" -ne 0 ]
	[ "$(hk exec sec-locked grep NoNewPrivs /proc/self/status)" = "NoNewPrivs:	1" ]
	[ "$(hk exec sec-locked grep Seccomp: /proc/self/status)" = "Seccomp:	2" ]
	[ "$(hk exec sec-open id -u)" = 0 ]
	[ "$(hk inspect -f '{{.HostConfig.Privileged}}' sec-open)" = true ]
	[ "$(hk exec sec-open grep Seccomp: /proc/self/status)" = "Seccomp:	0" ]
}

@test "volumes: hostPath, emptyDir shared by two containers, emptyDir in memory, configMap, secret, a claim" {
	mkdir "$Y/host"
	echo from-host >"$Y/host/file"
	cat >"$Y/vol.yaml" <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: kube-claim}
spec:
  accessModes: [ReadWriteOnce]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf}
data:
  app.conf: |
    key=value
  other: x
---
apiVersion: v1
kind: Secret
metadata: {name: keys}
data: {id: c2VjcmV0}
---
apiVersion: v1
kind: Pod
metadata: {name: vol}
spec:
  containers:
  - name: writer
    image: busybox
    command: [sh, -c, "echo shared >/shared/x; echo kept >/claim/y; exec sleep 1000"]
    volumeMounts:
    - {name: shared, mountPath: /shared}
    - {name: claim, mountPath: /claim}
  - name: reader
    image: busybox
    command: [sleep, "1000"]
    volumeMounts:
    - {name: shared, mountPath: /shared}
    - {name: host, mountPath: /host, readOnly: true}
    - {name: mem, mountPath: /mem}
    - {name: conf, mountPath: /etc/app}
    - {name: keys, mountPath: /keys}
  volumes:
  - {name: shared, emptyDir: {}}
  - {name: mem, emptyDir: {medium: Memory}}
  - {name: host, hostPath: {path: $Y/host, type: Directory}}
  - name: conf
    configMap:
      name: conf
      items: [{key: app.conf, path: app.conf}]
  - {name: keys, secret: {secretName: keys, defaultMode: 0400}}
  - {name: claim, persistentVolumeClaim: {claimName: kube-claim}}
YAML
	run play "$Y/vol.yaml"
	[ "$status" -eq 0 ]
	for i in $(seq 50); do
		hk exec vol-reader test -f /shared/x && break
		sleep 0.1
	done
	[ "$(hk exec vol-reader cat /shared/x)" = shared ]
	[ "$(hk exec vol-reader cat /host/file)" = from-host ]
	run hk exec vol-reader touch /host/new
	[ "$status" -ne 0 ]
	[ "$(hk exec vol-reader sh -c 'grep " /mem " /proc/mounts | cut -d" " -f3')" = tmpfs ]
	[ "$(hk exec vol-reader cat /etc/app/app.conf)" = key=value ]
	run hk exec vol-reader test -e /etc/app/other
	[ "$status" -ne 0 ]
	[ "$(hk exec vol-reader cat /keys/id)" = secret ]
	[ "$(hk exec vol-reader stat -c %a /keys/id)" = 400 ]
	[ "$(hk volume inspect -f '{{.Name}}' kube-claim)" = kube-claim ]
	# --down removes the pod and its directories; the claim's data stays
	local pod
	pod=$(hk pod inspect -f '{{.Id}}' vol)
	run hk kube down "$Y/vol.yaml"
	[ "$status" -eq 0 ]
	[ ! -e "$HAKO_ROOT/pods/$pod" ]
	[ ! -e "$HAKO_RUNROOT/pods/$pod" ]
	[ "$(hk run --rm -v kube-claim:/claim busybox cat /claim/y)" = kept ]
}

@test "initContainers run to completion in order before the others; a failing one makes nothing" {
	cat >"$Y/init.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: init}
spec:
  initContainers:
  - name: first
    image: busybox
    command: [sh, -c, "echo one >>/work/log"]
    volumeMounts: [{name: work, mountPath: /work}]
  - name: second
    image: busybox
    command: [sh, -c, "echo two >>/work/log"]
    volumeMounts: [{name: work, mountPath: /work}]
  containers:
  - name: main
    image: busybox
    command: [sh, -c, "echo main >>/work/log; exec sleep 1000"]
    volumeMounts: [{name: work, mountPath: /work}]
  volumes: [{name: work, emptyDir: {}}]
YAML
	run play "$Y/init.yaml"
	[ "$status" -eq 0 ]
	for i in $(seq 50); do
		[ "$(hk exec init-main cat /work/log | wc -l)" -eq 3 ] && break
		sleep 0.1
	done
	[ "$(hk exec init-main cat /work/log | tr '\n' ' ')" = "one two main " ]
	# init containers are gone once done
	[ "$(hk ps -a --filter name=init- --format '{{.Names}}')" = init-main ]
	sed -e 's/name: init}/name: init2}/' -e 's/echo two >>\/work\/log/exit 3/' "$Y/init.yaml" >"$Y/init2.yaml"
	run play "$Y/init2.yaml"
	[ "$status" -eq 125 ]
	[[ $output == *"pod init2: init container init2-second exited with 3"* ]]
	run hk pod exists init2
	[ "$status" -eq 1 ]
}

@test "a Deployment makes its replicas as pods NAME-pod-N; multi-document files, stdin, --replace, play kube" {
	cat >"$Y/dep.yaml" <<'YAML'
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: dep}
spec:
  replicas: 2
  selector: {matchLabels: {app: dep}}
  template:
    metadata: {labels: {app: dep}}
    spec:
      containers:
      - name: c
        image: busybox
        command: [sleep, "1000"]
---
apiVersion: v1
kind: Pod
metadata: {name: single}
spec:
  containers:
  - {name: c, image: busybox, command: [sleep, "1000"]}
---
YAML
	run hk kube play --cgroup-parent "$ENGINE_CGROUP" - <"$Y/dep.yaml"
	[ "$status" -eq 0 ]
	[ "$(hk pod ls --format '{{.Name}} {{.Status}}' | sort | tr '\n' ' ')" = \
		"dep-pod-0 Running dep-pod-1 Running single Running " ]
	[ "$(hk pod inspect -f '{{.Labels.app}}' dep-pod-1)" = dep ]
	local before
	before=$(hk pod inspect -f '{{.Id}}' single)
	run hk play kube --cgroup-parent "$ENGINE_CGROUP" --replace "$Y/dep.yaml"
	[ "$status" -eq 0 ]
	[ "$(hk pod inspect -f '{{.Id}}' single)" != "$before" ]
	run hk kube play --down "$Y/dep.yaml"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Pods removed:" ]
	[ -z "$(hk pod ls -q)" ]
}

@test "fields hako does not carry out are warnings naming them" {
	cat >"$Y/warn.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: warn
  annotations: {a: b}
spec:
  nodeSelector: {disk: ssd}
  containers:
  - name: c
    image: busybox
    command: [sleep, "1000"]
    imagePullPolicy: Always
    readinessProbe: {exec: {command: ["true"]}}
YAML
	run play "$Y/warn.yaml"
	[ "$status" -eq 0 ]
	[[ $output == *"warn.yaml: document 1 (Pod warn): metadata.annotations: not supported, ignored"* ]]
	[[ $output == *"(Pod warn): spec.nodeSelector: not supported, ignored"* ]]
	[[ $output == *"(Pod warn): spec.containers[0].imagePullPolicy: not supported, ignored"* ]]
	[[ $output == *"(Pod warn): spec.containers[0].readinessProbe: not supported, ignored"* ]]
}

@test "bad input names the document and the path, exits 125 and makes nothing" {
	cat >"$Y/bad-type.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: first}
data: {a: b}
---
apiVersion: v1
kind: Pod
metadata: {name: badtype}
spec:
  containers:
  - {name: a, image: busybox, command: [sleep, "1000"]}
  - name: b
    image: busybox
    ports: [{containerPort: 80, hostPort: eighty}]
YAML
	run play "$Y/bad-type.yaml"
	[ "$status" -eq 125 ]
	[[ $output == *"bad-type.yaml: document 2 (Pod badtype): spec.containers[1].ports[0].hostPort: expected"* ]]
	printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: x\nspec: {}\n' >"$Y/syntax.yaml"
	run play "$Y/syntax.yaml"
	[ "$status" -eq 125 ]
	[[ $output == *"syntax.yaml: document 1, line"* ]]
	printf 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n' >"$Y/kind.yaml"
	run play "$Y/kind.yaml"
	[ "$status" -eq 125 ]
	[[ $output == *"document 1 (Job): kind: Job is not supported"* ]]
	cat >"$Y/ref.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: ref}
spec:
  containers:
  - name: a
    image: busybox
    env: [{name: X, valueFrom: {configMapKeyRef: {name: nothere, key: k}}}]
YAML
	run play "$Y/ref.yaml"
	[ "$status" -eq 125 ]
	[[ $output == *"spec.containers[0].env[0].valueFrom.configMapKeyRef: the ConfigMap nothere has no key k"* ]]
	# a pod whose second container cannot be made (no such image) is undone
	cat >"$Y/noimage.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: noimage}
spec:
  containers:
  - {name: a, image: busybox, command: [sleep, "1000"]}
  - {name: b, image: "127.0.0.1:1/nothere:latest"}
YAML
	run play "$Y/noimage.yaml"
	[ "$status" -eq 125 ]
	[[ $output == *"pod noimage, container b"* ]]
	run hk pod exists noimage
	[ "$status" -eq 1 ]
	# a name in use
	pod_create taken >/dev/null
	printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: taken}\nspec:\n  containers: [{name: a, image: busybox}]\n' >"$Y/taken.yaml"
	run play "$Y/taken.yaml"
	[ "$status" -eq 125 ]
	[[ $output == *'the pod name "taken" is already in use'* ]]
	[ "$(hk pod ls --format '{{.Name}}')" = taken ]
	[ -z "$(hk ps -a --filter name=noimage -q)" ]
}

@test "billion laughs: a file whose aliases expand past the node limit is refused" {
	{
		echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
		local p=a c
		for c in b c d e f g h i; do
			echo "$c: &$c [*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p]"
			p=$c
		done
	} >"$Y/lol.yaml"
	run timeout 10 "$HAKO" --root "$HAKO_ROOT" --runroot "$HAKO_RUNROOT" kube play "$Y/lol.yaml"
	[ "$status" -eq 125 ]
	[[ $output == *"more than 100000 nodes (aliases expanded): refused"* ]]
}

@test "round trip: run in a pod, kube generate, check against the schema, kube play makes the same" {
	pod_create gen -p "127.0.0.1:$(free_port):80" --add-host db:10.1.2.3 >/dev/null
	mkdir "$Y/data"
	hkr run -d --pod gen --name app -e MODE=prod -w /tmp -m 32m --cpus 0.5 --cap-drop NET_RAW \
		--read-only -v "$Y/data:/data:ro" -v genvol:/vol --health-cmd 'true' --health-interval 2s \
		--restart always busybox sleep 1000 >/dev/null
	run hk kube generate -s -f "$Y/gen.yaml" gen
	[ "$status" -eq 0 ]
	run python3 "$BATS_TEST_DIRNAME/kube-schema.py" "$Y/gen.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	hk kube generate --type deployment gen >"$Y/dep.yaml"
	run python3 "$BATS_TEST_DIRNAME/kube-schema.py" "$Y/dep.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^kind: Service$' "$Y/gen.yaml"
	# the same settings, made again from the YAML
	local fields='{{json .Config.Cmd}} {{json .Config.Env}} {{.Config.WorkingDir}} {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{json .HostConfig.CapDrop}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.RestartPolicy.Name}} {{json .Config.Healthcheck.Test}}'
	local want want_net
	want=$(hk inspect -f "$fields" app)
	want_net=$(hk pod inspect -f '{{json .InfraConfig.PortBindings}} {{json .InfraConfig.HostAdd}}' gen)
	hk pod rm -f gen >/dev/null
	run play "$Y/gen.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(hk inspect -f "$fields" gen-app)" = "$want" ]
	[ "$(hk pod inspect -f '{{json .InfraConfig.PortBindings}} {{json .InfraConfig.HostAdd}}' gen)" = "$want_net" ]
	hk exec gen-app grep -q '10.1.2.3.*db' /etc/hosts
	[ "$(hk inspect -f '{{json .Mounts}}' gen-app | jq -c '[.[] | [.Type, .Destination, .RW]]')" = \
		'[["bind","/data",false],["volume","/vol",true]]' ]
}

@test "kube generate of a played pod writes its ConfigMaps and Secrets; playing it gives the same files" {
	cat >"$Y/cm.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {conf: "a=1"}
---
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {key: c2VjcmV0}
---
apiVersion: v1
kind: Pod
metadata: {name: files}
spec:
  containers:
  - name: c
    image: busybox
    command: [sleep, "1000"]
    volumeMounts: [{name: cm, mountPath: /cm}, {name: s, mountPath: /s}]
  volumes:
  - {name: cm, configMap: {name: cm}}
  - {name: s, secret: {secretName: s}}
YAML
	play "$Y/cm.yaml" >/dev/null
	hk kube generate files >"$Y/files.yaml"
	run python3 "$BATS_TEST_DIRNAME/kube-schema.py" "$Y/files.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^kind: ConfigMap$' "$Y/files.yaml"
	grep -q '^kind: Secret$' "$Y/files.yaml"
	run play "$Y/files.yaml" --replace
	[ "$status" -eq 0 ]
	[ "$(hk exec files-c cat /cm/conf)" = a=1 ]
	[ "$(hk exec files-c cat /s/key)" = secret ]
}

@test "kube generate of a container without a pod, and its errors" {
	hk run -d --name solo -p "127.0.0.1:$(free_port):80" busybox sleep 1000 >/dev/null
	run hk kube generate solo
	[ "$status" -eq 0 ]
	[[ $output == *"name: solo-pod"* ]]
	[[ $output == *"hostPort:"* ]]
	echo "$output" >"$Y/solo.yaml"
	run python3 "$BATS_TEST_DIRNAME/kube-schema.py" "$Y/solo.yaml"
	[ "$status" -eq 0 ]
	run hk kube generate nothere
	[ "$status" -eq 125 ]
	[[ $output == *"no such container: nothere"* ]]
	run hk kube generate -f "$Y/out.yaml" nothere
	[ "$status" -eq 125 ]
	[ ! -e "$Y/out.yaml" ]
}

@test "the workload of the CRI test runs with kube play: localhost, env, the user, the limits" {
	sed "s|IMAGE|busybox|" "$BATS_TEST_DIRNAME/data/kube-workload.yaml" >"$Y/workload.yaml"
	run play "$Y/workload.yaml"
	[ "$status" -eq 0 ]
	for i in $(seq 100); do
		hk logs workload-client 2>/dev/null | grep -q "^uid 1000 nnp 1$" && break
		sleep 0.1
	done
	hk logs workload-client | grep -qx "page from-the-pod"
	hk logs workload-client | grep -qx "uid 1000 nnp 1"
	[ "$(hk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' workload-server)" = "$((64 << 20)) 500000000" ]
}
