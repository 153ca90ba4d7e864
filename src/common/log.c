/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"
#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "xalloc.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

static const char *const level_names[] = { "error", "warning", "info", "debug" };

static char *
format_line (enum hk_log_format format, enum hk_log_level level, const char *msg)
{
  struct timespec ts;
  struct tm tm;
  char stamp[64];
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  size_t n = strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (stamp + n, sizeof stamp - n, ".%09ldZ", ts.tv_nsec);

  if (format == HK_LOG_TEXT)
    return xasprintf ("%s %s: %s\n", stamp, level_names[level], msg);

  json_t *obj = json_pack ("{s:s, s:s, s:s}", "level", level_names[level], "msg", msg, "time",
                           stamp);
  char *text = json_dumps (obj, JSON_COMPACT);
  json_decref (obj);
  char *line = xasprintf ("%s\n", text ? text : "{}");
  free (text);
  return line;
}

void
hk_log (const struct hk_log *log, enum hk_log_level level, const char *fmt, ...)
{
  if (log == NULL || level > log->level)
    return;
  va_list ap;
  va_start (ap, fmt);
  _cleanup_free_ char *msg = xvasprintf (fmt, ap);
  va_end (ap);

  if (log->fd == 2)
    {
      /* Debug lines carry a monotonic clock, to see where time goes. */
      struct timespec ts;
      clock_gettime (CLOCK_MONOTONIC, &ts);
      _cleanup_free_ char *line
          = level == HK_LOG_DEBUG
                ? xasprintf ("%ld.%06ld debug: %s\n", (long) ts.tv_sec, ts.tv_nsec / 1000, msg)
                : xasprintf ("%s: %s\n", level_names[level], msg);
      fs_write_all (2, line, strlen (line));
      return;
    }
  _cleanup_free_ char *line = format_line (log->format, level, msg);
  fs_write_all (log->fd, line, strlen (line));
}
