/* SPDX-License-Identifier: Apache-2.0 */
/* Pieces shared by cgroup.c, cgroup-resources.c, cgroup-v1.c, cgroup-v2.c. */
#ifndef HAKO_RUNTIME_CGROUP_INTERNAL_H
#define HAKO_RUNTIME_CGROUP_INTERNAL_H

#include "cgroup.h"

#include <stdio.h>

/* Adds to L the cgroup mounts of a mountinfo document (those of a
 * hierarchy's root), keeping only the last mount at each mount point: an
 * earlier one is hidden by it.  A hierarchy mounted twice is listed twice. */
int cgroup_read_mountinfo (FILE *mountinfo, struct cgroup_layout *l);

/* Writes every controller of DIR's cgroup.controllers into its
 * cgroup.subtree_control, so that the cgroups below can use them. */
int cgroup_v2_enable_controllers (const char *dir, struct hk_error **err);

/* A new v1 cpuset cgroup starts with no CPUs and no memory nodes, and
 * refuses processes: copy the parent's. */
int cgroup_v1_cpuset_init (const char *dir, struct hk_error **err);

int cgroup_apply_resources (const struct cgroup *cg, const struct oci_resources *res,
                            bool updating, struct hk_error **err);

/* Per-controller writers: DIR is the container's directory in the
 * hierarchy holding the controller. */
int cgroup_v1_memory (const char *dir, const struct oci_memory *m, bool updating,
                      struct hk_error **err);
int cgroup_v2_memory (const char *dir, const struct oci_memory *m, bool updating,
                      struct hk_error **err);
int cgroup_v1_cpu (const char *dir, const struct oci_cpu *c, struct hk_error **err);
int cgroup_v2_cpu (const char *dir, const struct oci_cpu *c, struct hk_error **err);
int cgroup_v1_block_io (const char *dir, const struct oci_block_io *b, struct hk_error **err);
int cgroup_v2_io (const char *dir, const struct oci_block_io *b, struct hk_error **err);
int cgroup_v1_devices (const char *dir, const struct oci_device_rule *rules, size_t n,
                       struct hk_error **err);

/* True when B asks for a weight: a non-zero weight or leaf weight, of the
 * whole cgroup or of a device.  A weight of 0 means "not set". */
bool cgroup_block_io_weights_set (const struct oci_block_io *b);

/* cpu.shares (2..262144) to cpu.weight (1..10000), as runc and crun do. */
uint64_t cgroup_shares_to_weight (uint64_t shares);
/* blkio.weight (10..1000) to io.weight (1..10000). */
uint64_t cgroup_blkio_to_io_weight (uint64_t weight);

#endif
