/* SPDX-License-Identifier: Apache-2.0 */
/* Resource usage of a container's cgroup, from v1 or v2 files alike: what
 * `hako-runtime events --stats` prints and `hako stats` shows. */
#ifndef HAKO_RUNTIME_CGROUP_STATS_H
#define HAKO_RUNTIME_CGROUP_STATS_H

#include "cgroup.h"

#include <jansson.h>
#include <stdint.h>

#define CGROUP_STAT_UNLIMITED UINT64_MAX

struct cgroup_stats
{
  uint64_t cpu_usage_ns, cpu_user_ns, cpu_system_ns;
  uint64_t cpu_periods, cpu_throttled_periods, cpu_throttled_ns;
  uint64_t memory_usage, memory_limit, memory_max_usage, memory_failcnt;
  uint64_t memory_cache, memory_rss;
  uint64_t memory_inactive_file; /* page cache the kernel reclaims first */
  uint64_t swap_usage, swap_limit;
  uint64_t oom_kills;
  uint64_t pids_current, pids_limit;
  uint64_t io_read_bytes, io_write_bytes, io_read_ops, io_write_ops;
};

/* Reads what the hierarchies of CG provide; missing files leave zeros. */
int cgroup_stats_read (const struct cgroup *cg, struct cgroup_stats *out, struct hk_error **err);

/* runc's "stats" document (as in `runc events --stats`). */
json_t *cgroup_stats_to_json (const struct cgroup_stats *s);

/* The other way: DATA (runc's or our "stats" document) into *OUT, for
 * statistics an external runtime gives.  Missing values are zeros. */
int cgroup_stats_from_json (json_t *data, struct cgroup_stats *out, struct hk_error **err);

/* An fd that becomes readable when the kernel OOM-kills in the cgroup: an
 * eventfd armed through cgroup.event_control on v1, an inotify watch of
 * memory.events on v2.  -1 when neither is possible. */
int cgroup_oom_watch (const struct cgroup *cg, struct hk_error **err);

/* The count of OOM kills so far (v2 memory.events, v1 memory.oom_control). */
uint64_t cgroup_oom_kills (const struct cgroup *cg);

#endif
