/* SPDX-License-Identifier: Apache-2.0 */
#include "cgroup-stats.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

/* The number in DIR/FILE ("max" is unlimited); false when unreadable. */
static bool
read_u64 (const char *dir, const char *file, uint64_t *out)
{
  _cleanup_free_ char *text = NULL;
  struct hk_error *e = NULL;
  if (cgroup_read (dir, file, &text, &e) < 0)
    {
      hk_error_free (e);
      return false;
    }
  if (strncmp (text, "max", 3) == 0)
    *out = CGROUP_STAT_UNLIMITED;
  else
    *out = strtoull (text, NULL, 10);
  return true;
}

/* The value of KEY in a "key value" per line file (cpu.stat, memory.stat). */
static bool
read_keyed (const char *dir, const char *file, const char *key, uint64_t *out)
{
  _cleanup_free_ char *text = NULL;
  struct hk_error *e = NULL;
  if (cgroup_read (dir, file, &text, &e) < 0)
    {
      hk_error_free (e);
      return false;
    }
  size_t len = strlen (key);
  for (char *line = text; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    if (strncmp (line, key, len) == 0 && line[len] == ' ')
      {
        *out = strtoull (line + len + 1, NULL, 10);
        return true;
      }
  return false;
}

static void
read_cpu (const struct cgroup *cg, struct cgroup_stats *s)
{
  bool v2;
  const struct cgroup_dir *d = cgroup_find (cg, "cpuacct", &v2);
  if (d != NULL && !v2)
    {
      read_u64 (d->dir, "cpuacct.usage", &s->cpu_usage_ns);
      /* cpuacct.stat counts USER_HZ ticks (100 per second). */
      uint64_t ticks;
      if (read_keyed (d->dir, "cpuacct.stat", "user", &ticks))
        s->cpu_user_ns = ticks * 10000000ULL;
      if (read_keyed (d->dir, "cpuacct.stat", "system", &ticks))
        s->cpu_system_ns = ticks * 10000000ULL;
    }
  else if ((d = cgroup_v2_dir (cg)) != NULL)
    {
      uint64_t us;
      if (read_keyed (d->dir, "cpu.stat", "usage_usec", &us))
        s->cpu_usage_ns = us * 1000;
      if (read_keyed (d->dir, "cpu.stat", "user_usec", &us))
        s->cpu_user_ns = us * 1000;
      if (read_keyed (d->dir, "cpu.stat", "system_usec", &us))
        s->cpu_system_ns = us * 1000;
      if (read_keyed (d->dir, "cpu.stat", "throttled_usec", &us))
        s->cpu_throttled_ns = us * 1000;
    }
  if ((d = cgroup_find (cg, "cpu", &v2)) != NULL)
    {
      read_keyed (d->dir, "cpu.stat", "nr_periods", &s->cpu_periods);
      read_keyed (d->dir, "cpu.stat", "nr_throttled", &s->cpu_throttled_periods);
      if (!v2)
        read_keyed (d->dir, "cpu.stat", "throttled_time", &s->cpu_throttled_ns);
    }
}

static void
read_memory (const struct cgroup *cg, struct cgroup_stats *s)
{
  bool v2;
  const struct cgroup_dir *d = cgroup_find (cg, "memory", &v2);
  s->memory_limit = s->swap_limit = CGROUP_STAT_UNLIMITED;
  if (d == NULL)
    return;
  if (v2)
    {
      read_u64 (d->dir, "memory.current", &s->memory_usage);
      read_u64 (d->dir, "memory.max", &s->memory_limit);
      read_u64 (d->dir, "memory.peak", &s->memory_max_usage);
      read_keyed (d->dir, "memory.events", "max", &s->memory_failcnt);
      read_keyed (d->dir, "memory.stat", "file", &s->memory_cache);
      read_keyed (d->dir, "memory.stat", "anon", &s->memory_rss);
      read_keyed (d->dir, "memory.stat", "inactive_file", &s->memory_inactive_file);
      read_u64 (d->dir, "memory.swap.current", &s->swap_usage);
      read_u64 (d->dir, "memory.swap.max", &s->swap_limit);
    }
  else
    {
      read_u64 (d->dir, "memory.usage_in_bytes", &s->memory_usage);
      read_u64 (d->dir, "memory.limit_in_bytes", &s->memory_limit);
      read_u64 (d->dir, "memory.max_usage_in_bytes", &s->memory_max_usage);
      read_u64 (d->dir, "memory.failcnt", &s->memory_failcnt);
      read_keyed (d->dir, "memory.stat", "total_cache", &s->memory_cache);
      read_keyed (d->dir, "memory.stat", "total_rss", &s->memory_rss);
      read_keyed (d->dir, "memory.stat", "total_inactive_file", &s->memory_inactive_file);
      uint64_t memsw;
      if (read_u64 (d->dir, "memory.memsw.usage_in_bytes", &memsw) && memsw >= s->memory_usage)
        s->swap_usage = memsw - s->memory_usage;
      read_u64 (d->dir, "memory.memsw.limit_in_bytes", &s->swap_limit);
      /* v1 reports "no limit" as a huge page-aligned number. */
      if (s->memory_limit >= (UINT64_C (1) << 62))
        s->memory_limit = CGROUP_STAT_UNLIMITED;
      if (s->swap_limit >= (UINT64_C (1) << 62))
        s->swap_limit = CGROUP_STAT_UNLIMITED;
    }
  s->oom_kills = cgroup_oom_kills (cg);
}

static void
read_pids (const struct cgroup *cg, struct cgroup_stats *s)
{
  bool v2;
  const struct cgroup_dir *d = cgroup_find (cg, "pids", &v2);
  s->pids_limit = CGROUP_STAT_UNLIMITED;
  if (d == NULL)
    return;
  if (!read_u64 (d->dir, "pids.current", &s->pids_current))
    {
      /* Some kernels lack pids.current in v1: count the tasks. */
      _cleanup_free_ char *tasks = NULL;
      struct hk_error *e = NULL;
      if (cgroup_read (d->dir, "tasks", &tasks, &e) == 0)
        for (char *p = tasks; *p; p++)
          s->pids_current += *p == '\n' || p[1] == '\0';
      hk_error_free (e);
    }
  read_u64 (d->dir, "pids.max", &s->pids_limit);
}

/* v1 blkio.throttle.io_service_bytes_recursive lines: "8:0 Read 1234". */
static void
sum_v1_io (const char *dir, const char *file, uint64_t *read_total, uint64_t *write_total)
{
  _cleanup_free_ char *text = NULL;
  struct hk_error *e = NULL;
  if (cgroup_read (dir, file, &text, &e) < 0)
    {
      hk_error_free (e);
      return;
    }
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char dev[32], op[16];
      unsigned long long v;
      if (sscanf (line, "%31s %15s %llu", dev, op, &v) != 3)
        continue;
      if (strcmp (op, "Read") == 0)
        *read_total += v;
      else if (strcmp (op, "Write") == 0)
        *write_total += v;
    }
}

static void
read_io (const struct cgroup *cg, struct cgroup_stats *s)
{
  bool v2;
  const struct cgroup_dir *d = cgroup_find (cg, "blkio", &v2);
  if (d != NULL && !v2)
    {
      sum_v1_io (d->dir, "blkio.throttle.io_service_bytes_recursive", &s->io_read_bytes,
                 &s->io_write_bytes);
      sum_v1_io (d->dir, "blkio.throttle.io_serviced_recursive", &s->io_read_ops,
                 &s->io_write_ops);
      return;
    }
  if ((d = cgroup_find (cg, "io", &v2)) == NULL)
    return;
  /* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." per device. */
  _cleanup_free_ char *text = NULL;
  struct hk_error *e = NULL;
  if (cgroup_read (d->dir, "io.stat", &text, &e) < 0)
    {
      hk_error_free (e);
      return;
    }
  char *save = NULL;
  for (char *word = strtok_r (text, " \n", &save); word; word = strtok_r (NULL, " \n", &save))
    {
      unsigned long long v;
      if (sscanf (word, "rbytes=%llu", &v) == 1)
        s->io_read_bytes += v;
      else if (sscanf (word, "wbytes=%llu", &v) == 1)
        s->io_write_bytes += v;
      else if (sscanf (word, "rios=%llu", &v) == 1)
        s->io_read_ops += v;
      else if (sscanf (word, "wios=%llu", &v) == 1)
        s->io_write_ops += v;
    }
}

int
cgroup_stats_read (const struct cgroup *cg, struct cgroup_stats *out, struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  if (cg == NULL || cg->n == 0)
    return hk_error_set (err, ENOENT, "no cgroup to read statistics from");
  read_cpu (cg, out);
  read_memory (cg, out);
  read_pids (cg, out);
  read_io (cg, out);
  return 0;
}

static json_t *
limit_json (uint64_t v)
{
  /* runc writes the largest value for "no limit"; keep that shape. */
  return json_integer (v == CGROUP_STAT_UNLIMITED ? INT64_MAX : (json_int_t) v);
}

json_t *
cgroup_stats_to_json (const struct cgroup_stats *s)
{
  return json_pack (
      "{s:{s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}},"
      " s:{s:I, s:I, s:{s:I, s:o, s:I, s:I}, s:{s:I, s:o}, s:{s:I, s:I, s:I}},"
      " s:{s:I, s:o},"
      " s:{s:[{s:s, s:I}, {s:s, s:I}], s:[{s:s, s:I}, {s:s, s:I}]}}",
      "cpu", "usage", "total", (json_int_t) s->cpu_usage_ns, "kernel",
      (json_int_t) s->cpu_system_ns, "user", (json_int_t) s->cpu_user_ns, "throttling", "periods",
      (json_int_t) s->cpu_periods, "throttledPeriods", (json_int_t) s->cpu_throttled_periods,
      "throttledTime", (json_int_t) s->cpu_throttled_ns, "memory", "cache",
      (json_int_t) s->memory_cache, "oomKills", (json_int_t) s->oom_kills, "usage", "usage",
      (json_int_t) s->memory_usage, "limit", limit_json (s->memory_limit), "max",
      (json_int_t) s->memory_max_usage, "failcnt", (json_int_t) s->memory_failcnt, "swap",
      "usage", (json_int_t) s->swap_usage, "limit", limit_json (s->swap_limit), "raw", "rss",
      (json_int_t) s->memory_rss, "cache", (json_int_t) s->memory_cache, "inactive_file",
      (json_int_t) s->memory_inactive_file, "pids", "current",
      (json_int_t) s->pids_current, "limit", limit_json (s->pids_limit), "blkio",
      "ioServiceBytesRecursive", "op", "Read", "value", (json_int_t) s->io_read_bytes, "op",
      "Write", "value", (json_int_t) s->io_write_bytes, "ioServicedRecursive", "op", "Read",
      "value", (json_int_t) s->io_read_ops, "op", "Write", "value", (json_int_t) s->io_write_ops);
}

/* The number at DATA.A.B (B may be NULL); 0 when missing. */
static uint64_t
get_u64 (json_t *data, const char *a, const char *b)
{
  json_t *v = json_object_get (data, a);
  if (b != NULL)
    v = json_object_get (v, b);
  return json_is_integer (v) && json_integer_value (v) > 0 ? (uint64_t) json_integer_value (v)
                                                           : 0;
}

/* "no limit" is a huge number (v1's page-aligned one, our INT64_MAX) or 0
 * (runc's pids). */
static uint64_t
limit_value (uint64_t v)
{
  return v == 0 || v >= (UINT64_C (1) << 62) ? CGROUP_STAT_UNLIMITED : v;
}

static void
sum_io (json_t *list, uint64_t *read_total, uint64_t *write_total)
{
  size_t i;
  json_t *entry;
  json_array_foreach (list, i, entry)
  {
    const char *op = json_string_value (json_object_get (entry, "op"));
    uint64_t v = get_u64 (entry, "value", NULL);
    if (op != NULL && strcasecmp (op, "read") == 0)
      *read_total += v;
    else if (op != NULL && strcasecmp (op, "write") == 0)
      *write_total += v;
  }
}

int
cgroup_stats_from_json (json_t *data, struct cgroup_stats *out, struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  if (!json_is_object (data))
    return hk_error_set (err, EPROTO, "statistics: not a JSON object");
  json_t *usage = json_object_get (json_object_get (data, "cpu"), "usage");
  out->cpu_usage_ns = get_u64 (usage, "total", NULL);
  out->cpu_system_ns = get_u64 (usage, "kernel", NULL);
  out->cpu_user_ns = get_u64 (usage, "user", NULL);
  json_t *memory = json_object_get (data, "memory");
  out->memory_usage = get_u64 (memory, "usage", "usage");
  out->memory_limit = limit_value (get_u64 (memory, "usage", "limit"));
  out->memory_max_usage = get_u64 (memory, "usage", "max");
  out->memory_cache = get_u64 (memory, "cache", NULL);
  out->swap_usage = get_u64 (memory, "swap", "usage");
  out->swap_limit = limit_value (get_u64 (memory, "swap", "limit"));
  /* runc names it after memory.stat: total_inactive_file on v1. */
  out->memory_inactive_file = get_u64 (memory, "raw", "inactive_file");
  if (out->memory_inactive_file == 0)
    out->memory_inactive_file = get_u64 (memory, "raw", "total_inactive_file");
  out->oom_kills = get_u64 (memory, "oomKills", NULL);
  out->pids_current = get_u64 (data, "pids", "current");
  out->pids_limit = limit_value (get_u64 (data, "pids", "limit"));
  json_t *blkio = json_object_get (data, "blkio");
  sum_io (json_object_get (blkio, "ioServiceBytesRecursive"), &out->io_read_bytes,
          &out->io_write_bytes);
  sum_io (json_object_get (blkio, "ioServicedRecursive"), &out->io_read_ops, &out->io_write_ops);
  return 0;
}

uint64_t
cgroup_oom_kills (const struct cgroup *cg)
{
  bool v2;
  const struct cgroup_dir *d = cgroup_find (cg, "memory", &v2);
  uint64_t n = 0;
  if (d != NULL)
    read_keyed (d->dir, v2 ? "memory.events" : "memory.oom_control", "oom_kill", &n);
  return n;
}

int
cgroup_oom_watch (const struct cgroup *cg, struct hk_error **err)
{
  bool v2;
  const struct cgroup_dir *d = cgroup_find (cg, "memory", &v2);
  if (d == NULL)
    return hk_error_set (err, ENOTSUP, "no memory cgroup to watch for OOM kills");
  if (v2)
    {
      _cleanup_close_ int fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
      _cleanup_free_ char *path = xasprintf ("%s/memory.events", d->dir);
      if (fd < 0 || inotify_add_watch (fd, path, IN_MODIFY) < 0)
        return hk_error_errno (err, errno, "watch `%s`", path);
      return take_fd (&fd);
    }
  _cleanup_close_ int efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  _cleanup_free_ char *control = xasprintf ("%s/memory.oom_control", d->dir);
  _cleanup_close_ int cfd = open (control, O_RDONLY | O_CLOEXEC);
  if (efd < 0 || cfd < 0)
    return hk_error_errno (err, errno, "open `%s`", control);
  char line[64];
  snprintf (line, sizeof line, "%d %d", efd, cfd);
  if (cgroup_write (d->dir, "cgroup.event_control", line, err) < 0)
    return -1;
  return take_fd (&efd);
}
