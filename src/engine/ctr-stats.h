/* SPDX-License-Identifier: Apache-2.0 */
/* What `hako stats` and `hako top` show: a container's resource usage read
 * from its cgroups (v1 or v2, through the runtime library), the figures
 * Docker derives from it, and the host's `ps` rows of its processes. */
#ifndef HAKO_ENGINE_CTR_STATS_H
#define HAKO_ENGINE_CTR_STATS_H

#include "common/error.h"
#include "runtime/cgroup-stats.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* One reading of a container's cgroups. */
struct ctr_usage
{
  bool running;     /* false: not running, every figure is zero */
  uint64_t time_ns; /* CLOCK_MONOTONIC at the reading */
  struct cgroup_stats cgroup;
  uint64_t memory_limit; /* the cgroup's limit, or the host's memory */
  uint64_t net_rx_bytes; /* on the container's interfaces but lo */
  uint64_t net_tx_bytes;
};

/* CPU use between two readings, in percent of one CPU (Docker's "CPU %":
 * 200% is two CPUs busy). */
double ctr_stats_cpu_percent (const struct ctr_usage *before,
                                    const struct ctr_usage *now);

/* Memory in use as Docker counts it: usage without the inactive page
 * cache, which the kernel gives back first. */
uint64_t ctr_stats_memory_used (const struct cgroup_stats *s);

/* The limit that applies: the cgroup's, or HOST_MEMORY when unlimited. */
uint64_t ctr_stats_memory_limit (const struct cgroup_stats *s, uint64_t host_memory);

/* USED in percent of LIMIT; 0 without a limit. */
double ctr_stats_memory_percent (uint64_t used, uint64_t limit);

/* A remapped container's ps table (ctr_stats_ps_filter's) with the
 * container's view first: a column USER holding USERS[i] for the row of
 * PIDS[i] ("?" for another), and the host's user column of ps (UID or
 * USER) renamed HUSER.  Podman's `top` names them so. */
char *ctr_stats_ps_add_user (const char *table, const pid_t *pids, char *const *users, size_t n);

/* Keeps, of PS_OUTPUT (the text of a `ps` run), the header line and the
 * rows whose PID column holds one of PIDS.  A header without a PID column
 * is an error. */
int ctr_stats_ps_filter (const char *ps_output, const pid_t *pids, size_t n, char **out,
                               struct hk_error **err);

#endif
