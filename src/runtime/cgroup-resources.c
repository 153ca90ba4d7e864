/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources to cgroup files: each resource goes to the hierarchy
 * that holds its controller, in that hierarchy's format.  A resource whose
 * controller the host lacks is an error, never silently dropped. */
#include "cgroup-internal.h"
#include "cgroup-devices.h"
#include "common/cleanup.h"
#include "common/userns.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int
missing_controller (const char *field, const char *controller, struct hk_error **err)
{
  return hk_error_set (err, ENOTSUP,
                       "linux.resources.%s: the %s cgroup controller is not available on this "
                       "host",
                       field, controller);
}

static bool
cpu_bandwidth_set (const struct oci_cpu *c)
{
  return (c->has_shares && c->shares != 0) || c->has_quota || (c->has_period && c->period != 0)
         || c->has_burst || c->has_realtime_runtime || c->has_realtime_period || c->has_idle;
}

static int
apply_cpu (const struct cgroup *cg, const struct oci_cpu *c, struct hk_error **err)
{
  bool v2;
  const struct cgroup_dir *d;
  if (cpu_bandwidth_set (c))
    {
      if ((d = cgroup_find (cg, "cpu", &v2)) == NULL)
        return missing_controller ("cpu", "cpu", err);
      if ((v2 ? cgroup_v2_cpu (d->dir, c, err) : cgroup_v1_cpu (d->dir, c, err)) < 0)
        return hk_error_prefix (err, "linux.resources.cpu");
    }
  if ((c->cpus && *c->cpus) || (c->mems && *c->mems))
    {
      if ((d = cgroup_find (cg, "cpuset", &v2)) == NULL)
        return missing_controller ("cpu.cpus", "cpuset", err);
      if (c->cpus && *c->cpus && cgroup_write (d->dir, "cpuset.cpus", c->cpus, err) < 0)
        return hk_error_prefix (err, "linux.resources.cpu.cpus: `%s`", c->cpus);
      if (c->mems && *c->mems && cgroup_write (d->dir, "cpuset.mems", c->mems, err) < 0)
        return hk_error_prefix (err, "linux.resources.cpu.mems: `%s`", c->mems);
    }
  return 0;
}

static int
apply_pids (const struct cgroup *cg, int64_t limit, struct hk_error **err)
{
  bool v2;
  const struct cgroup_dir *d = cgroup_find (cg, "pids", &v2);
  if (d == NULL)
    return missing_controller ("pids", "pids", err);
  char buf[32];
  if (limit >= 0)
    snprintf (buf, sizeof buf, "%lld", (long long) limit);
  else
    snprintf (buf, sizeof buf, "max");
  if (cgroup_write (d->dir, "pids.max", buf, err) < 0)
    return hk_error_prefix (err, "linux.resources.pids.limit");
  return 0;
}

bool
cgroup_block_io_weights_set (const struct oci_block_io *b)
{
  if ((b->has_weight && b->weight != 0) || (b->has_leaf_weight && b->leaf_weight != 0))
    return true;
  for (size_t i = 0; i < b->n_weight_devices; i++)
    {
      const struct oci_weight_device *w = &b->weight_devices[i];
      if ((w->has_weight && w->weight != 0) || (w->has_leaf_weight && w->leaf_weight != 0))
        return true;
    }
  return false;
}

static bool
block_io_set (const struct oci_block_io *b)
{
  size_t throttles = 0;
  for (int k = 0; k < THROTTLE_KIND_COUNT; k++)
    throttles += b->n_throttle[k];
  return cgroup_block_io_weights_set (b) || throttles;
}

static int
apply_block_io (const struct cgroup *cg, const struct oci_block_io *b, struct hk_error **err)
{
  if (!block_io_set (b))
    return 0;
  bool v2;
  const struct cgroup_dir *d = cgroup_find (cg, "blkio", &v2);
  if (d == NULL)
    d = cgroup_find (cg, "io", &v2);
  if (d == NULL)
    return missing_controller ("blockIO", "io (blkio)", err);
  if ((v2 ? cgroup_v2_io (d->dir, b, err) : cgroup_v1_block_io (d->dir, b, err)) < 0)
    return hk_error_prefix (err, "linux.resources.blockIO");
  return 0;
}

static int
cgroup_hugetlb (const char *dir, bool v2, const struct oci_hugepage_limit *limits, size_t n,
                struct hk_error **err)
{
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *file
          = xasprintf ("hugetlb.%s.%s", limits[i].page_size, v2 ? "max" : "limit_in_bytes");
      char buf[32];
      snprintf (buf, sizeof buf, "%llu", (unsigned long long) limits[i].limit);
      if (cgroup_write (dir, file, buf, err) < 0)
        return hk_error_prefix (err, "hugepageLimits[%zu]", i);
    }
  return 0;
}

static int
cgroup_rdma (const char *dir, const struct oci_rdma_limit *limits, size_t n,
             struct hk_error **err)
{
  for (size_t i = 0; i < n; i++)
    {
      char handles[32] = "max", objects[32] = "max";
      if (limits[i].has_hca_handles)
        snprintf (handles, sizeof handles, "%u", limits[i].hca_handles);
      if (limits[i].has_hca_objects)
        snprintf (objects, sizeof objects, "%u", limits[i].hca_objects);
      _cleanup_free_ char *line
          = xasprintf ("%s hca_handle=%s hca_object=%s", limits[i].device, handles, objects);
      if (cgroup_write (dir, "rdma.max", line, err) < 0)
        return hk_error_prefix (err, "rdma.%s", limits[i].device);
    }
  return 0;
}

static int
apply_network (const struct cgroup *cg, const struct oci_resources *res, struct hk_error **err)
{
  bool v2;
  const struct cgroup_dir *d;
  if (res->has_net_class_id)
    {
      if ((d = cgroup_find (cg, "net_cls", &v2)) == NULL || v2)
        return missing_controller ("network.classID", "net_cls (cgroup v1)", err);
      char buf[32];
      snprintf (buf, sizeof buf, "%u", res->net_class_id);
      if (cgroup_write (d->dir, "net_cls.classid", buf, err) < 0)
        return hk_error_prefix (err, "linux.resources.network.classID");
    }
  if (res->n_net_priorities > 0)
    {
      if ((d = cgroup_find (cg, "net_prio", &v2)) == NULL || v2)
        return missing_controller ("network.priorities", "net_prio (cgroup v1)", err);
      for (size_t i = 0; i < res->n_net_priorities; i++)
        {
          _cleanup_free_ char *line = xasprintf ("%s %u", res->net_priorities[i].name,
                                                 res->net_priorities[i].priority);
          if (cgroup_write (d->dir, "net_prio.ifpriomap", line, err) < 0)
            return hk_error_prefix (err, "linux.resources.network.priorities[%zu]", i);
        }
    }
  return 0;
}

static int
apply_devices (const struct cgroup *cg, const struct oci_resources *res, struct hk_error **err)
{
  if (res->n_devices == 0)
    return 0;
  bool v2;
  const struct cgroup_dir *d = cgroup_find (cg, "devices", &v2);
  if (d != NULL && !v2)
    {
      if (cgroup_v1_devices (d->dir, res->devices, res->n_devices, err) < 0)
        return hk_error_prefix (err, "linux.resources");
      return 0;
    }
  /* cgroup v2 has no devices files: an eBPF program does the filtering.
   * In a user namespace (rootless) the kernel refuses one; there devices
   * cannot be made (mknod is refused) and only those bound in are
   * reached, so there is nothing to filter, as crun's rootless. */
  if (!userns_is_initial ())
    return 0;
  d = cgroup_v2_dir (cg);
  if (d == NULL)
    return missing_controller ("devices", "devices", err);
  if (cgroup_devices_bpf_apply (d->dir, res->devices, res->n_devices, err) < 0)
    return hk_error_prefix (err, "linux.resources.devices");
  return 0;
}

static int
apply_unified (const struct cgroup *cg, const struct oci_resources *res, struct hk_error **err)
{
  if (res->unified_keys == NULL || res->unified_keys[0] == NULL)
    return 0;
  const struct cgroup_dir *d = cgroup_v2_dir (cg);
  if (d == NULL)
    return hk_error_set (err, ENOTSUP, "linux.resources.unified: this host has no cgroup v2");
  for (size_t i = 0; res->unified_keys[i] != NULL; i++)
    if (cgroup_write (d->dir, res->unified_keys[i], res->unified_values[i], err) < 0)
      return hk_error_prefix (err, "linux.resources.unified.%s", res->unified_keys[i]);
  return 0;
}

int
cgroup_apply_resources (const struct cgroup *cg, const struct oci_resources *res, bool updating,
                        struct hk_error **err)
{
  bool v2;
  const struct cgroup_dir *d;
  if (res->has_memory)
    {
      if ((d = cgroup_find (cg, "memory", &v2)) == NULL)
        return missing_controller ("memory", "memory", err);
      if ((v2 ? cgroup_v2_memory (d->dir, &res->memory, updating, err)
              : cgroup_v1_memory (d->dir, &res->memory, updating, err))
          < 0)
        return hk_error_prefix (err, "linux.resources.memory");
    }
  if (res->has_cpu && apply_cpu (cg, &res->cpu, err) < 0)
    return -1;
  if (res->has_pids && apply_pids (cg, res->pids_limit, err) < 0)
    return -1;
  if (res->has_block_io && apply_block_io (cg, &res->block_io, err) < 0)
    return -1;
  if (res->n_hugepage_limits > 0)
    {
      if ((d = cgroup_find (cg, "hugetlb", &v2)) == NULL)
        return missing_controller ("hugepageLimits", "hugetlb", err);
      if (cgroup_hugetlb (d->dir, v2, res->hugepage_limits, res->n_hugepage_limits, err) < 0)
        return hk_error_prefix (err, "linux.resources");
    }
  if (res->n_rdma > 0)
    {
      if ((d = cgroup_find (cg, "rdma", &v2)) == NULL)
        return missing_controller ("rdma", "rdma", err);
      if (cgroup_rdma (d->dir, res->rdma, res->n_rdma, err) < 0)
        return hk_error_prefix (err, "linux.resources");
    }
  if (apply_network (cg, res, err) < 0 || apply_devices (cg, res, err) < 0
      || apply_unified (cg, res, err) < 0)
    return -1;
  return 0;
}
