/* SPDX-License-Identifier: Apache-2.0 */
/* Resource writers for cgroup v1 hierarchies. */
#include "cgroup-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool
file_exists (const char *dir, const char *file)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, file);
  return access (path, F_OK) == 0;
}

static int
write_i64 (const char *dir, const char *file, int64_t value, struct hk_error **err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%lld", (long long) value);
  return cgroup_write (dir, file, buf, err);
}

int
cgroup_v1_cpuset_init (const char *dir, struct hk_error **err)
{
  _cleanup_free_ char *parent = xstrdup (dir);
  *strrchr (parent, '/') = '\0';
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  for (size_t i = 0; i < 2; i++)
    {
      _cleanup_free_ char *mine = NULL, *theirs = NULL;
      if (cgroup_read (dir, files[i], &mine, err) < 0)
        return -1;
      if (*mine != '\0')
        continue;
      if (cgroup_read (parent, files[i], &theirs, err) < 0
          || cgroup_write (dir, files[i], theirs, err) < 0)
        return -1;
    }
  return 0;
}

static int
memory_usage_check (const char *dir, int64_t limit, struct hk_error **err)
{
  _cleanup_free_ char *usage = NULL;
  if (cgroup_read (dir, "memory.usage_in_bytes", &usage, err) < 0)
    return -1;
  long long used = atoll (usage);
  if (limit > 0 && limit < used)
    return hk_error_set (err, EBUSY, "limit: %lld is below the current usage %lld",
                         (long long) limit, used);
  return 0;
}

/* The memory limit and the memory+swap limit must stay ordered (memsw >=
 * limit) after each write, so which goes first depends on the direction. */
static int
memory_limits (const char *dir, const struct oci_memory *m, struct hk_error **err)
{
  if (m->has_swap && !file_exists (dir, "memory.memsw.limit_in_bytes"))
    return hk_error_set (err, ENOTSUP,
                         "swap: swap accounting is off on this host "
                         "(memory.memsw.limit_in_bytes is missing)");
  if (!m->has_limit)
    return m->has_swap ? write_i64 (dir, "memory.memsw.limit_in_bytes", m->swap, err) : 0;
  struct hk_error *first = NULL;
  if (write_i64 (dir, "memory.limit_in_bytes", m->limit, &first) == 0)
    {
      if (m->has_swap && write_i64 (dir, "memory.memsw.limit_in_bytes", m->swap, err) < 0)
        return hk_error_prefix (err, "swap");
      return 0;
    }
  if (!m->has_swap)
    {
      *err = first;
      return hk_error_prefix (err, "limit");
    }
  hk_error_free (first);
  if (write_i64 (dir, "memory.memsw.limit_in_bytes", m->swap, err) < 0)
    return hk_error_prefix (err, "swap");
  if (write_i64 (dir, "memory.limit_in_bytes", m->limit, err) < 0)
    return hk_error_prefix (err, "limit");
  return 0;
}

int
cgroup_v1_memory (const char *dir, const struct oci_memory *m, bool updating,
                  struct hk_error **err)
{
  if (updating && m->check_before_update && m->has_limit && memory_usage_check (dir, m->limit, err) < 0)
    return -1;
  if (memory_limits (dir, m, err) < 0)
    return -1;
  if (m->has_reservation
      && write_i64 (dir, "memory.soft_limit_in_bytes", m->reservation, err) < 0)
    return hk_error_prefix (err, "reservation");
  if (m->has_swappiness && write_i64 (dir, "memory.swappiness", (int64_t) m->swappiness, err) < 0)
    return hk_error_prefix (err, "swappiness");
  if (m->has_disable_oom_killer
      && cgroup_write (dir, "memory.oom_control", m->disable_oom_killer ? "1" : "0", err) < 0)
    return hk_error_prefix (err, "disableOOMKiller");
  if (m->has_use_hierarchy
      && cgroup_write (dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0", err) < 0)
    return hk_error_prefix (err, "useHierarchy");
  if (m->has_kernel && write_i64 (dir, "memory.kmem.limit_in_bytes", m->kernel, err) < 0)
    return hk_error_prefix (err, "kernel");
  if (m->has_kernel_tcp
      && write_i64 (dir, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp, err) < 0)
    return hk_error_prefix (err, "kernelTCP");
  return 0;
}

static int
require_file (const char *dir, const char *file, const char *field, struct hk_error **err)
{
  if (file_exists (dir, file))
    return 0;
  return hk_error_set (err, ENOTSUP, "%s: not supported by this kernel (no %s)", field, file);
}

/* A real-time budget cannot exceed its parent's, and a new cgroup (hako's
 * own parent "hako/" too) has none: the ancestors of DIR whose budget is
 * below RUNTIME get RUNTIME, from the top down, up to the first that has
 * enough (the root has 950000 of 1000000 by default). */
static int
give_ancestors_rt_budget (const char *dir, int64_t runtime, struct hk_error **err)
{
  if (runtime <= 0)
    return 0;
  _cleanup_free_ char *path = xstrdup (dir);
  char **short_of = NULL;
  size_t n = 0;
  int rc = 0;
  for (char *slash = strrchr (path, '/'); slash != NULL && slash != path;
       slash = strrchr (path, '/'))
    {
      *slash = '\0';
      _cleanup_free_ char *value = NULL;
      struct hk_error *e = NULL;
      if (cgroup_read (path, "cpu.rt_runtime_us", &value, &e) < 0)
        {
          hk_error_free (e); /* above the hierarchy */
          break;
        }
      if (atoll (value) >= runtime)
        break;
      short_of = xreallocarray (short_of, n + 1, sizeof *short_of);
      short_of[n++] = xstrdup (path);
    }
  while (n > 0)
    {
      char *ancestor = short_of[--n];
      if (rc == 0 && write_i64 (ancestor, "cpu.rt_runtime_us", runtime, err) < 0)
        rc = hk_error_prefix (err, "give the parent cgroup a real-time budget");
      free (ancestor);
    }
  free (short_of);
  return rc;
}

int
cgroup_v1_cpu (const char *dir, const struct oci_cpu *c, struct hk_error **err)
{
  if (c->has_shares && c->shares != 0
      && write_i64 (dir, "cpu.shares", (int64_t) c->shares, err) < 0)
    return hk_error_prefix (err, "shares");
  if (c->has_period && c->period != 0
      && write_i64 (dir, "cpu.cfs_period_us", (int64_t) c->period, err) < 0)
    return hk_error_prefix (err, "period");
  if (c->has_quota && write_i64 (dir, "cpu.cfs_quota_us", c->quota == 0 ? -1 : c->quota, err) < 0)
    return hk_error_prefix (err, "quota");
  if (c->has_burst
      && (require_file (dir, "cpu.cfs_burst_us", "burst", err) < 0
          || write_i64 (dir, "cpu.cfs_burst_us", (int64_t) c->burst, err) < 0))
    return hk_error_prefix (err, "burst");
  /* The runtime must not exceed its period: set the period first. */
  if (c->has_realtime_period
      && (require_file (dir, "cpu.rt_period_us", "realtimePeriod", err) < 0
          || write_i64 (dir, "cpu.rt_period_us", (int64_t) c->realtime_period, err) < 0))
    return hk_error_prefix (err, "realtimePeriod");
  if (c->has_realtime_runtime
      && (require_file (dir, "cpu.rt_runtime_us", "realtimeRuntime", err) < 0
          || give_ancestors_rt_budget (dir, c->realtime_runtime, err) < 0
          || write_i64 (dir, "cpu.rt_runtime_us", c->realtime_runtime, err) < 0))
    return hk_error_prefix (err, "realtimeRuntime");
  if (c->has_idle
      && (require_file (dir, "cpu.idle", "idle", err) < 0
          || write_i64 (dir, "cpu.idle", c->idle, err) < 0))
    return hk_error_prefix (err, "idle");
  return 0;
}

static int
write_device_lines (const char *dir, const char *file, const char *field,
                    const void *items, size_t n, size_t stride,
                    int (*format) (const void *item, char *buf, size_t len),
                    struct hk_error **err)
{
  for (size_t i = 0; i < n; i++)
    {
      char line[128];
      if (format ((const char *) items + i * stride, line, sizeof line) < 0)
        continue;
      if (cgroup_write (dir, file, line, err) < 0)
        return hk_error_prefix (err, "%s[%zu]", field, i);
    }
  return 0;
}

static int
format_throttle (const void *item, char *buf, size_t len)
{
  const struct oci_throttle_device *t = item;
  snprintf (buf, len, "%lld:%lld %llu", (long long) t->major, (long long) t->minor,
            (unsigned long long) t->rate);
  return 0;
}

static int
format_weight (const void *item, char *buf, size_t len)
{
  const struct oci_weight_device *w = item;
  if (!w->has_weight || w->weight == 0)
    return -1;
  snprintf (buf, len, "%lld:%lld %u", (long long) w->major, (long long) w->minor, w->weight);
  return 0;
}

static int
format_leaf_weight (const void *item, char *buf, size_t len)
{
  const struct oci_weight_device *w = item;
  if (!w->has_leaf_weight || w->leaf_weight == 0)
    return -1;
  snprintf (buf, len, "%lld:%lld %u", (long long) w->major, (long long) w->minor, w->leaf_weight);
  return 0;
}

int
cgroup_v1_block_io (const char *dir, const struct oci_block_io *b, struct hk_error **err)
{
  static const char *const throttle_files[THROTTLE_KIND_COUNT] = {
    "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
    "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"
  };
  static const char *const throttle_fields[THROTTLE_KIND_COUNT] = {
    "throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice",
    "throttleWriteIOPSDevice"
  };
  /* CFQ's blkio.weight is gone from current kernels; BFQ has its own. */
  const char *weight_file = file_exists (dir, "blkio.weight") ? "blkio.weight"
                            : file_exists (dir, "blkio.bfq.weight") ? "blkio.bfq.weight"
                                                                    : NULL;
  if (cgroup_block_io_weights_set (b) && weight_file == NULL)
    return hk_error_set (err, ENOTSUP,
                         "weight: no I/O scheduler of this host supports weights (no "
                         "blkio.weight or blkio.bfq.weight)");
  if (b->has_weight && b->weight != 0 && write_i64 (dir, weight_file, b->weight, err) < 0)
    return hk_error_prefix (err, "weight");
  if (b->has_leaf_weight && b->leaf_weight != 0
      && (require_file (dir, "blkio.leaf_weight", "leafWeight", err) < 0
          || write_i64 (dir, "blkio.leaf_weight", b->leaf_weight, err) < 0))
    return hk_error_prefix (err, "leafWeight");
  if (weight_file != NULL && b->n_weight_devices > 0)
    {
      _cleanup_free_ char *file = xasprintf ("%s_device", weight_file);
      if (write_device_lines (dir, file, "weightDevice", b->weight_devices, b->n_weight_devices,
                              sizeof *b->weight_devices, format_weight, err)
              < 0
          || (file_exists (dir, "blkio.leaf_weight_device")
              && write_device_lines (dir, "blkio.leaf_weight_device", "weightDevice",
                                     b->weight_devices, b->n_weight_devices,
                                     sizeof *b->weight_devices, format_leaf_weight, err)
                     < 0))
        return -1;
    }
  for (int k = 0; k < THROTTLE_KIND_COUNT; k++)
    if (write_device_lines (dir, throttle_files[k], throttle_fields[k], b->throttle[k],
                            b->n_throttle[k], sizeof (struct oci_throttle_device),
                            format_throttle, err)
        < 0)
      return -1;
  return 0;
}

static void
format_device_number (char *buf, size_t len, int64_t n)
{
  if (n < 0)
    snprintf (buf, len, "*");
  else
    snprintf (buf, len, "%lld", (long long) n);
}

int
cgroup_v1_devices (const char *dir, const struct oci_device_rule *rules, size_t n,
                   struct hk_error **err)
{
  /* v1 applies rules in order, "a" switching the default: exactly the
   * spec's semantics. */
  for (size_t i = 0; i < n; i++)
    {
      const struct oci_device_rule *r = &rules[i];
      char line[96], major[24], minor[24];
      if (r->type == 'a')
        snprintf (line, sizeof line, "a");
      else
        {
          format_device_number (major, sizeof major, r->major);
          format_device_number (minor, sizeof minor, r->minor);
          snprintf (line, sizeof line, "%c %s:%s %s", r->type, major, minor, r->access);
        }
      if (r->type == 'a' && strcmp (r->access, "rwm") != 0)
        {
          /* "a" with partial access cannot be said in v1: spell out c and b. */
          for (const char *t = "cb"; *t; t++)
            {
              snprintf (line, sizeof line, "%c *:* %s", *t, r->access);
              if (cgroup_write (dir, r->allow ? "devices.allow" : "devices.deny", line, err) < 0)
                return hk_error_prefix (err, "devices[%zu]", i);
            }
          continue;
        }
      if (cgroup_write (dir, r->allow ? "devices.allow" : "devices.deny", line, err) < 0)
        return hk_error_prefix (err, "devices[%zu]", i);
    }
  return 0;
}
