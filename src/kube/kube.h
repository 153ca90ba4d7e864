/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes YAML on one machine: `kube play` makes pods from a file's
 * Pods and Deployments (with its ConfigMaps, Secrets and
 * PersistentVolumeClaims), `kube generate` writes Pod (or Deployment) and
 * Service YAML from pods and containers, such that playing it makes them
 * again and a cluster accepts it.  See docs/kubernetes.md. */
#ifndef HAKO_KUBE_KUBE_H
#define HAKO_KUBE_KUBE_H

#include "engine/engine-context.h"

#include <stdbool.h>
#include <stdio.h>

struct kube_play_options
{
  bool down;    /* remove what the file made */
  bool replace; /* remove it first, then play */
  bool start;   /* start the pods (the default) */
  const char *cgroup_parent; /* of the pods' cgroups; NULL: /hako */
};

/* Plays TEXT (LEN bytes, read from FILE) and prints what it made on OUT.
 * The whole file is read and checked before anything is made; a failure
 * while making removes everything made so far. */
int kube_play (struct engine *e, const char *file, const char *text, size_t len,
               const struct kube_play_options *o, FILE *out, struct hk_error **err);

enum kube_generate_type
{
  KUBE_GENERATE_POD,
  KUBE_GENERATE_DEPLOYMENT,
};

struct kube_generate_options
{
  enum kube_generate_type type;
  bool service; /* -s: a Service of the published ports too */
};

/* The YAML of REFS (pods or containers, by name or ID). */
int kube_generate (struct engine *e, char *const *refs, size_t n,
                   const struct kube_generate_options *o, FILE *out, struct hk_error **err);

#endif
