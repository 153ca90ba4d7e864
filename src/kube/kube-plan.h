/* SPDX-License-Identifier: Apache-2.0 */
/* What a Kubernetes YAML file asks kube play for, read and checked
 * before anything is made: its pods (a Deployment's replicas each), its
 * claims, the data of its ConfigMaps and Secrets.  Reading touches no
 * engine state and no file, so the fuzz target (fuzz-kube) runs it as is. */
#ifndef HAKO_KUBE_KUBE_PLAN_H
#define HAKO_KUBE_KUBE_PLAN_H

#include "kube-pod.h"

struct kube_plan
{
  struct kube_pod *pods;
  size_t n_pods;
  char **claims; /* PersistentVolumeClaims: named volumes */
  struct kube_sources sources;
  size_t warnings;
};

/* TEXT (LEN bytes of FILE, "-" for stdin) into *PLAN, warnings to LOG
 * (NULL: none).  On error *PLAN holds what was read: clear it either way. */
int kube_plan_read (const char *file, const char *text, size_t len, const struct hk_log *log,
                    struct kube_plan *plan, struct hk_error **err);
void kube_plan_clear (struct kube_plan *p);

#endif
