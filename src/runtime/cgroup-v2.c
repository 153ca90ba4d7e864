/* SPDX-License-Identifier: Apache-2.0 */
/* Resource writers for the cgroup v2 hierarchy, and the mapping of v1
 * values onto v2 files where the runtime-spec expects it. */
#include "cgroup-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

uint64_t
cgroup_shares_to_weight (uint64_t shares)
{
  /* The linear map of [2, 262144] onto [1, 10000] that runc and crun use,
   * so that the same config gives the same weight under every runtime. */
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t
cgroup_blkio_to_io_weight (uint64_t weight)
{
  /* [10, 1000] onto [1, 10000], as crun does. */
  if (weight == 0)
    return 0;
  return 1 + (weight - 10) * 9999 / 990;
}

int
cgroup_v2_enable_controllers (const char *dir, struct hk_error **err)
{
  _cleanup_free_ char *available = NULL, *enabled = NULL;
  if (cgroup_read (dir, "cgroup.controllers", &available, err) < 0
      || cgroup_read (dir, "cgroup.subtree_control", &enabled, err) < 0)
    return -1;
  if (*available == '\0' || strcmp (available, enabled) == 0)
    return 0;
  char *save = NULL;
  for (char *c = strtok_r (available, " ", &save); c; c = strtok_r (NULL, " ", &save))
    {
      _cleanup_free_ char *word = xasprintf ("+%s", c);
      /* One at a time: one refused controller must not block the rest. */
      struct hk_error *e = NULL;
      if (cgroup_write (dir, "cgroup.subtree_control", word, &e) < 0)
        hk_error_free (e);
    }
  return 0;
}

static int
write_limit (const char *dir, const char *file, int64_t value, struct hk_error **err)
{
  char buf[32];
  if (value < 0)
    snprintf (buf, sizeof buf, "max");
  else
    snprintf (buf, sizeof buf, "%lld", (long long) value);
  return cgroup_write (dir, file, buf, err);
}

int
cgroup_v2_memory (const char *dir, const struct oci_memory *m, bool updating,
                  struct hk_error **err)
{
  if (m->has_swappiness)
    return hk_error_set (err, ENOTSUP, "swappiness: cgroup v2 has no per-cgroup swappiness");
  if (m->has_disable_oom_killer && m->disable_oom_killer)
    return hk_error_set (err, ENOTSUP, "disableOOMKiller: cgroup v2 cannot disable the OOM killer");
  if (m->has_kernel || m->has_kernel_tcp)
    return hk_error_set (err, ENOTSUP, "kernel: cgroup v2 has no separate kernel memory limit");
  if (updating && m->check_before_update && m->has_limit && m->limit > 0)
    {
      _cleanup_free_ char *usage = NULL;
      if (cgroup_read (dir, "memory.current", &usage, err) < 0)
        return -1;
      if (m->limit < atoll (usage))
        return hk_error_set (err, EBUSY, "limit: %lld is below the current usage %s",
                             (long long) m->limit, usage);
    }
  if (m->has_limit && write_limit (dir, "memory.max", m->limit, err) < 0)
    return hk_error_prefix (err, "limit");
  if (m->has_swap)
    {
      /* The spec's swap is memory + swap (v1); v2 limits swap alone. */
      int64_t swap = m->swap;
      if (swap > 0)
        {
          if (!m->has_limit || m->limit <= 0)
            return hk_error_set (err, EINVAL,
                                 "swap: on cgroup v2 a swap limit needs a memory limit");
          swap -= m->limit;
        }
      if (access (dir, F_OK) == 0)
        {
          _cleanup_free_ char *path = xasprintf ("%s/memory.swap.max", dir);
          if (access (path, F_OK) < 0)
            return hk_error_set (err, ENOTSUP, "swap: swap accounting is off on this host (no memory.swap.max)");
        }
      if (write_limit (dir, "memory.swap.max", swap, err) < 0)
        return hk_error_prefix (err, "swap");
    }
  if (m->has_reservation && write_limit (dir, "memory.low", m->reservation, err) < 0)
    return hk_error_prefix (err, "reservation");
  return 0;
}

int
cgroup_v2_cpu (const char *dir, const struct oci_cpu *c, struct hk_error **err)
{
  char buf[64];
  if (c->has_realtime_runtime || c->has_realtime_period)
    return hk_error_set (err, ENOTSUP,
                         "realtimeRuntime: cgroup v2 has no real-time CPU budget");
  if (c->has_shares && c->shares != 0)
    {
      snprintf (buf, sizeof buf, "%llu", (unsigned long long) cgroup_shares_to_weight (c->shares));
      if (cgroup_write (dir, "cpu.weight", buf, err) < 0)
        return hk_error_prefix (err, "shares");
    }
  if (c->has_quota || (c->has_period && c->period != 0))
    {
      /* cpu.max is "QUOTA PERIOD"; keep the part that is not given. */
      _cleanup_free_ char *current = NULL;
      if (cgroup_read (dir, "cpu.max", &current, err) < 0)
        return -1;
      char quota[32] = "max";
      unsigned long long period = 100000;
      sscanf (current, "%31s %llu", quota, &period);
      if (c->has_quota)
        {
          if (c->quota > 0)
            snprintf (quota, sizeof quota, "%lld", (long long) c->quota);
          else
            snprintf (quota, sizeof quota, "max");
        }
      if (c->has_period && c->period != 0)
        period = c->period;
      snprintf (buf, sizeof buf, "%s %llu", quota, period);
      if (cgroup_write (dir, "cpu.max", buf, err) < 0)
        return hk_error_prefix (err, c->has_quota ? "quota" : "period");
    }
  if (c->has_burst)
    {
      snprintf (buf, sizeof buf, "%llu", (unsigned long long) c->burst);
      if (cgroup_write (dir, "cpu.max.burst", buf, err) < 0)
        return hk_error_prefix (err, "burst");
    }
  if (c->has_idle)
    {
      snprintf (buf, sizeof buf, "%lld", (long long) c->idle);
      if (cgroup_write (dir, "cpu.idle", buf, err) < 0)
        return hk_error_prefix (err, "idle");
    }
  return 0;
}

int
cgroup_v2_io (const char *dir, const struct oci_block_io *b, struct hk_error **err)
{
  static const char *const keys[THROTTLE_KIND_COUNT] = { "rbps", "wbps", "riops", "wiops" };
  static const char *const fields[THROTTLE_KIND_COUNT] = {
    "throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice",
    "throttleWriteIOPSDevice"
  };
  char buf[96];
  _cleanup_free_ char *bfq = xasprintf ("%s/io.bfq.weight", dir);
  bool use_bfq = access (bfq, F_OK) == 0;
  _cleanup_free_ char *plain = xasprintf ("%s/io.weight", dir);
  if (cgroup_block_io_weights_set (b) && !use_bfq && access (plain, F_OK) < 0)
    return hk_error_set (err, ENOTSUP, "weight: no I/O weight control on this host (no io.weight or io.bfq.weight)");
  if (b->has_leaf_weight && b->leaf_weight != 0)
    return hk_error_set (err, ENOTSUP, "leafWeight: cgroup v2 has no leaf weight");
  if (b->has_weight && b->weight != 0)
    {
      /* io.bfq.weight takes the v1 scale; io.weight its own. */
      unsigned long long w = use_bfq ? b->weight : cgroup_blkio_to_io_weight (b->weight);
      snprintf (buf, sizeof buf, "default %llu", w);
      if (cgroup_write (dir, use_bfq ? "io.bfq.weight" : "io.weight", buf, err) < 0)
        return hk_error_prefix (err, "weight");
    }
  for (size_t i = 0; i < b->n_weight_devices; i++)
    {
      const struct oci_weight_device *w = &b->weight_devices[i];
      if (w->has_leaf_weight && w->leaf_weight != 0)
        return hk_error_set (err, ENOTSUP, "weightDevice[%zu].leafWeight: cgroup v2 has no leaf weight", i);
      if (!w->has_weight || w->weight == 0)
        continue;
      unsigned long long v = use_bfq ? w->weight : cgroup_blkio_to_io_weight (w->weight);
      snprintf (buf, sizeof buf, "%lld:%lld %llu", (long long) w->major, (long long) w->minor, v);
      if (cgroup_write (dir, use_bfq ? "io.bfq.weight" : "io.weight", buf, err) < 0)
        return hk_error_prefix (err, "weightDevice[%zu]", i);
    }
  for (int k = 0; k < THROTTLE_KIND_COUNT; k++)
    for (size_t i = 0; i < b->n_throttle[k]; i++)
      {
        const struct oci_throttle_device *t = &b->throttle[k][i];
        snprintf (buf, sizeof buf, "%lld:%lld %s=%llu", (long long) t->major, (long long) t->minor,
                  keys[k], (unsigned long long) t->rate);
        if (cgroup_write (dir, "io.max", buf, err) < 0)
          return hk_error_prefix (err, "%s[%zu]", fields[k], i);
      }
  return 0;
}
