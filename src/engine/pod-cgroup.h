/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's cgroup: the parent of its containers' cgroups, holding the
 * pod's limits (pod create -m, --cpus), which so apply to all of them
 * together. */
#ifndef HAKO_ENGINE_POD_CGROUP_H
#define HAKO_ENGINE_POD_CGROUP_H

#include "engine-context.h"
#include "pod-record.h"

/* Makes P's cgroup in every hierarchy when missing and writes its
 * limits: at pod create and before any of its containers starts (after
 * a reboot it is gone, and the runtime would make the path without the
 * limits). */
int pod_cgroup_ensure (struct engine *e, const struct pod_record *p, struct hk_error **err);

/* Removes P's cgroup (whatever still runs there is killed). */
int pod_cgroup_remove (struct engine *e, const struct pod_record *p, struct hk_error **err);

#endif
