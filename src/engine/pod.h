/* SPDX-License-Identifier: Apache-2.0 */
/* Pods: containers that share namespaces around an infra container whose
 * process is hako-pause, in one cgroup with the pod's limits, as a
 * Kubernetes node runs them.
 *
 *   pod create   the record (its name claimed), the cgroup, the infra
 *                container (a record like any other, without an image:
 *                ports, networks, DNS and hostname are its settings)
 *   run --pod    a member: the pod's namespaces joined (the network as
 *                `container:INFRA`, IPC/UTS/pid by the infra's process),
 *                its cgroup below the pod's
 *   pod start    the infra first (a member's start starts it too)
 *   pod rm       members, infra, cgroup, record
 *
 * A pod's status is derived from its containers' (Podman's words):
 * Created, Running, Paused, Exited, or Degraded when they differ — a pod
 * whose infra process died while its members run is Degraded, and pod
 * start or restart makes it whole. */
#ifndef HAKO_ENGINE_POD_H
#define HAKO_ENGINE_POD_H

#include "engine-context.h"
#include "pod-record.h"

struct pod_create_request
{
  const char *name;         /* NULL: a random name */
  struct pod_config config; /* moved into the record */
  struct ctr_config infra;  /* the infra container's network settings, moved */
};

/* Nothing is left when it fails: no record, cgroup, container or network. */
int pod_create (struct engine *e, struct pod_create_request *req, struct pod_record **out,
                struct hk_error **err);

/* P's containers, refreshed: the infra first, then the members in the
 * order they were created. */
int pod_containers (struct engine *e, const struct pod_record *p, struct ctr_record ***out,
                    size_t *n, struct hk_error **err);

/* Created, Running, Paused, Exited or Degraded, from refreshed records. */
const char *pod_status (struct ctr_record *const *list, size_t n);

/* What run --pod does to the member's settings C: the pod's namespaces,
 * cgroup and hostname.  Settings that are the pod's (--network, -p,
 * --dns, --add-host with a shared network; --hostname with a shared UTS
 * namespace; --cgroup-parent) are refused, naming them. */
int pod_join (const struct pod_record *p, struct ctr_config *c, struct hk_error **err);

/* create for run/create --pod REF: REF names a pod, or new:NAME makes
 * one with the defaults first (*MADE, removed again when the container
 * cannot be made; else the caller's to remove should it fail later). */
int pod_create_container (struct engine *e, const char *ref, const char *image,
                          struct ctr_config *config, const char *name, struct ctr_record **out,
                          struct pod_record **made, struct hk_error **err);

int pod_start (struct engine *e, const struct pod_record *p, struct hk_error **err);
/* TIMEOUT: seconds before SIGKILL, -1 each container's own. */
int pod_stop (struct engine *e, const struct pod_record *p, int timeout, struct hk_error **err);
int pod_kill (struct engine *e, const struct pod_record *p, int signum, struct hk_error **err);
int pod_pause (struct engine *e, const struct pod_record *p, bool pause, struct hk_error **err);

/* A directory of P's for its volume NAME of KIND (kube play's
 * "volumes": an emptyDir, "configmaps", "secrets": their files):
 * ROOT/pods/ID/KIND/NAME, or with MEMORY RUNROOT/pods/ID/KIND/NAME (a
 * tmpfs).  Removed with the pod. */
char *pod_volume_dir (const struct engine *e, const struct pod_record *p, const char *kind,
                      const char *name, bool memory);

/* Refused while a container runs unless FORCE (which kills them). */
int pod_remove (struct engine *e, const struct pod_record *p, bool force, struct hk_error **err);

#endif
