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

/* The word at [START, END) of the header is a user column of ps. */
static bool
is_user_word (const char *start, size_t len)
{
  return (len == 3 && strncmp (start, "UID", 3) == 0)
         || (len == 4 && strncmp (start, "USER", 4) == 0);
}

/* HEADER with its UID or USER word renamed HUSER (the host's user),
 * padded or trimmed so that the columns below stay under it. */
static void
append_header (char **text, size_t *used, size_t *size, const char *header, size_t len)
{
  for (size_t i = 0; i < len;)
    {
      size_t start = i;
      while (i < len && header[i] != ' ' && header[i] != '\t')
        i++;
      size_t word = i - start;
      while (i < len && (header[i] == ' ' || header[i] == '\t'))
        i++;
      const char *piece = header + start;
      size_t piece_len = i - start;
      _cleanup_free_ char *renamed = NULL;
      if (word > 0 && is_user_word (piece, word))
        {
          /* "UID   " and "HUSER " take as much room when there is. */
          size_t blanks = piece_len - word;
          size_t pad = blanks > 2 ? blanks - 2 : 1;
          renamed = xasprintf ("HUSER%*s", (int)pad, "");
          piece = renamed;
          piece_len = strlen (renamed);
        }
      *text = xrealloc (*text, *size += piece_len);
      memcpy (*text + *used, piece, piece_len);
      *used += piece_len;
    }
}

char *
ctr_stats_ps_add_user (const char *table, const pid_t *pids, char *const *users, size_t n)
{
  const char *nl = strchr (table, '\n');
  size_t header_len = nl ? (size_t)(nl - table) : strlen (table);
  int column = pid_column (table, header_len);
  size_t width = 4;
  for (size_t i = 0; i < n; i++)
    if (strlen (users[i]) > width)
      width = strlen (users[i]);
  size_t size = width + 2 + header_len + 2, used = 0;
  char *text = xmalloc (size);
  used += (size_t)sprintf (text, "%-*s ", (int)width, "USER");
  append_header (&text, &used, &size, table, header_len);
  text[used++] = '\n';
  for (const char *line = nl ? nl + 1 : table + header_len; *line;)
    {
      const char *end = strchr (line, '\n');
      size_t len = end ? (size_t)(end - line) : strlen (line);
      long pid = column >= 0 ? word_number (line, len, column) : -1;
      const char *user = "?";
      for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
          user = users[i];
      text = xrealloc (text, size += width + 1 + len + 1);
      used += (size_t)sprintf (text + used, "%-*s ", (int)width, user);
      memcpy (text + used, line, len);
      used += len;
      text[used++] = '\n';
      line += len + (end != NULL);
    }
  text = xrealloc (text, size + 1);
  text[used] = '\0';
  return text;
}
