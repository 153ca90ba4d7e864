/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-stats.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

double
ctr_stats_cpu_percent (const struct ctr_usage *before,
                             const struct ctr_usage *now)
{
  if (!before->running || !now->running || now->time_ns <= before->time_ns
      || now->cgroup.cpu_usage_ns < before->cgroup.cpu_usage_ns)
    return 0.0;
  double cpu = (double)(now->cgroup.cpu_usage_ns - before->cgroup.cpu_usage_ns);
  return cpu / (double)(now->time_ns - before->time_ns) * 100.0;
}

uint64_t
ctr_stats_memory_used (const struct cgroup_stats *s)
{
  if (s->memory_inactive_file < s->memory_usage)
    return s->memory_usage - s->memory_inactive_file;
  return s->memory_usage;
}

uint64_t
ctr_stats_memory_limit (const struct cgroup_stats *s, uint64_t host_memory)
{
  if (s->memory_limit == CGROUP_STAT_UNLIMITED || s->memory_limit > host_memory)
    return host_memory;
  return s->memory_limit;
}

double
ctr_stats_memory_percent (uint64_t used, uint64_t limit)
{
  return limit ? (double)used / (double)limit * 100.0 : 0.0;
}

/* The index of the "PID" word in HEADER (words split by blanks), -1 when
 * there is none. */
static int
pid_column (const char *header, size_t len)
{
  int index = 0;
  for (size_t i = 0; i < len;)
    {
      while (i < len && (header[i] == ' ' || header[i] == '\t'))
        i++;
      size_t start = i;
      while (i < len && header[i] != ' ' && header[i] != '\t')
        i++;
      if (i == start)
        break;
      if (i - start == 3 && strncmp (header + start, "PID", 3) == 0)
        return index;
      index++;
    }
  return -1;
}

/* The number in word INDEX of LINE, -1 when there is none. */
static long
word_number (const char *line, size_t len, int index)
{
  size_t i = 0;
  for (int w = 0;; w++)
    {
      while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
      if (i == len)
        return -1;
      if (w == index)
        break;
      while (i < len && line[i] != ' ' && line[i] != '\t')
        i++;
    }
  char *end;
  long v = strtol (line + i, &end, 10);
  if (end == line + i || (end < line + len && *end != ' ' && *end != '\t'))
    return -1;
  return v;
}

static bool
has_pid (const pid_t *pids, size_t n, long pid)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

int
ctr_stats_ps_filter (const char *ps_output, const pid_t *pids, size_t n, char **out,
                           struct hk_error **err)
{
  const char *nl = strchr (ps_output, '\n');
  size_t header_len = nl ? (size_t)(nl - ps_output) : strlen (ps_output);
  int column = pid_column (ps_output, header_len);
  if (column < 0)
    return hk_error_set (err, EINVAL, "the output of ps has no PID column: add pid to its -o");
  size_t size = header_len + 2;
  char *text = xmalloc (size);
  memcpy (text, ps_output, header_len);
  size_t used = header_len;
  text[used++] = '\n';
  for (const char *line = nl ? nl + 1 : ps_output + header_len; *line;)
    {
      const char *end = strchr (line, '\n');
      size_t len = end ? (size_t)(end - line) : strlen (line);
      if (has_pid (pids, n, word_number (line, len, column)))
        {
          text = xrealloc (text, size += len + 1);
          memcpy (text + used, line, len);
          used += len;
          text[used++] = '\n';
        }
      line += len + (end != NULL);
    }
  text[used] = '\0';
  *out = text;
  return 0;
}
