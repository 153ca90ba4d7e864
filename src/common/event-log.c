/* SPDX-License-Identifier: Apache-2.0 */
#include "event-log.h"
#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EVENTS_DIR "events"
#define LOG_NAME "events.log"
#define ROTATED_NAME "events.log.1"

static size_t
log_max (void)
{
  const char *v = getenv ("HAKO_EVENT_LOG_MAX");
  long long n = v ? strtoll (v, NULL, 10) : 0;
  return n > 0 ? (size_t)n : EVENT_LOG_MAX_DEFAULT;
}

/* The event as its line, newline included; attributes that would make it
 * longer than EVENT_LINE_MAX are left out but the name. */
static char *
event_line (const char *type, const char *action, const char *id, json_t *attrs)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  json_int_t nano = (json_int_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
  const char *from = json_string_value (json_object_get (attrs, "image"));
  _cleanup_json_ json_t *ev = json_pack ("{s:s, s:s, s:s, s:s, s:{s:s, s:O}, s:s, s:I, s:I}",
                                         "status", action, "id", id, "Type", type, "Action", action,
                                         "Actor", "ID", id, "Attributes", attrs, "scope", "local",
                                         "time", (json_int_t)ts.tv_sec, "timeNano", nano);
  if (from && strcmp (type, "container") == 0)
    json_object_set_new (ev, "from", json_string (from));
  char *text = json_dumps (ev, JSON_COMPACT);
  if (strlen (text) + 1 > EVENT_LINE_MAX)
    {
      free (text);
      json_t *name = json_object_get (attrs, "name");
      json_t *small = name ? json_pack ("{s:O}", "name", name) : json_object ();
      json_object_set_new (json_object_get (ev, "Actor"), "Attributes", small);
      json_object_del (ev, "from");
      text = json_dumps (ev, JSON_COMPACT);
    }
  char *line = xasprintf ("%s\n", text);
  free (text);
  return line;
}

static int
append_locked (int dir_fd, const char *line, struct hk_error **err)
{
  _cleanup_close_ int fd
      = openat (dir_fd, LOG_NAME, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return hk_error_errno (err, errno, "open the event log");
  struct stat st;
  if (fstat (fd, &st) < 0)
    return hk_error_errno (err, errno, "stat the event log");
  if ((size_t)st.st_size + strlen (line) > log_max () && st.st_size > 0)
    {
      if (renameat (dir_fd, LOG_NAME, dir_fd, ROTATED_NAME) < 0)
        return hk_error_errno (err, errno, "rotate the event log");
      close (fd);
      fd = openat (dir_fd, LOG_NAME, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fd < 0)
        return hk_error_errno (err, errno, "open the event log after its rotation");
    }
  /* One write of the whole line (O_APPEND): never a part of it. */
  ssize_t n = write (fd, line, strlen (line));
  if (n < 0)
    return hk_error_errno (err, errno, "append to the event log");
  if ((size_t)n != strlen (line))
    return hk_error_set (err, EIO, "append to the event log: a short write (%zd bytes)", n);
  return 0;
}

static int
append (const char *root, const char *line, struct hk_error **err)
{
  _cleanup_free_ char *dir = xasprintf ("%s/%s", root, EVENTS_DIR);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return hk_error_errno (err, errno, "create `%s`", dir);
  _cleanup_close_ int dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    return hk_error_errno (err, errno, "open `%s`", dir);
  _cleanup_close_ int lock = openat (dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock < 0)
    return hk_error_errno (err, errno, "open `%s/lock`", dir);
  while (flock (lock, LOCK_EX) < 0)
    if (errno != EINTR)
      return hk_error_errno (err, errno, "lock `%s/lock`", dir);
  return append_locked (dir_fd, line, err);
}

void
event_log_emit_json (const char *root, const struct hk_log *log, const char *type,
                     const char *action, const char *id, json_t *attrs)
{
  _cleanup_free_ char *line = event_line (type, action, id ? id : "", attrs);
  struct hk_error *err = NULL;
  static const struct hk_log stderr_log = HK_LOG_INIT;
  if (append (root, line, &err) < 0)
    {
      if (log == NULL)
        log = &stderr_log;
      hk_warn (log, "event %s %s of %s not recorded: %s", type, action, id ? id : "", err->message);
      hk_error_free (err);
    }
}

void
event_log_emit (const char *root, const struct hk_log *log, const char *type, const char *action,
                const char *id, const char *const *attrs)
{
  _cleanup_json_ json_t *obj = json_object ();
  for (size_t i = 0; attrs && attrs[i] && attrs[i + 1]; i += 2)
    json_object_set_new (obj, attrs[i], json_string (attrs[i + 1]));
  event_log_emit_json (root, log, type, action, id, obj);
}

/* ---- reading ---- */

/* Whole lines of BUF[0..*LEN) to FN; a partial last line is kept at the
 * start of BUF.  False when FN said stop. */
static bool
deliver (char *buf, size_t *len, event_log_fn fn, void *data)
{
  size_t start = 0;
  for (;;)
    {
      char *nl = memchr (buf + start, '\n', *len - start);
      if (nl == NULL)
        break;
      *nl = '\0';
      json_t *ev = json_loads (buf + start, 0, NULL);
      start = (size_t)(nl - buf) + 1;
      if (ev == NULL)
        continue; /* not ours: skipped */
      bool go_on = fn (ev, data);
      json_decref (ev);
      if (!go_on)
        return false;
    }
  memmove (buf, buf + start, *len - start);
  *len -= start;
  return true;
}

struct reader
{
  char buf[2 * EVENT_LINE_MAX];
  size_t len;
};

/* What FD has from where it is to its end. Returns -1 on error, 0 when
 * FN said stop, 1 otherwise. */
static int
read_more (int fd, struct reader *r, event_log_fn fn, void *data, struct hk_error **err)
{
  for (;;)
    {
      if (r->len == sizeof r->buf)
        r->len = 0; /* a line longer than any we write: dropped */
      ssize_t n = read (fd, r->buf + r->len, sizeof r->buf - r->len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hk_error_errno (err, errno, "read the event log");
      if (n == 0)
        return 1;
      r->len += (size_t)n;
      if (!deliver (r->buf, &r->len, fn, data))
        return 0;
    }
}

static int
open_log (const char *root, const char *name)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s/%s", root, EVENTS_DIR, name);
  return open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

/* The rotation, then FD (the log, opened first so that a rotation between
 * the two reads loses nothing). */
static int
replay (const char *root, int fd, struct reader *r, event_log_fn fn, void *data,
        struct hk_error **err)
{
  _cleanup_close_ int old = open_log (root, ROTATED_NAME);
  if (old >= 0)
    {
      struct reader first = { .len = 0 };
      int rc = read_more (old, &first, fn, data, err);
      if (rc <= 0)
        return rc;
    }
  if (fd < 0)
    return 1;
  return read_more (fd, r, fn, data, err);
}

int
event_log_read_fd (int fd, event_log_fn fn, void *data, struct hk_error **err)
{
  _cleanup_free_ struct reader *r = xzalloc (sizeof *r);
  return read_more (fd, r, fn, data, err) < 0 ? -1 : 0;
}

int
event_log_read (const char *root, event_log_fn fn, void *data, struct hk_error **err)
{
  _cleanup_close_ int fd = open_log (root, LOG_NAME);
  _cleanup_free_ struct reader *r = xzalloc (sizeof *r);
  return replay (root, fd, r, fn, data, err) < 0 ? -1 : 0;
}

/* Whether the log at its path is no longer FD (rotated away). */
static bool
rotated (const char *root, int fd)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s/%s", root, EVENTS_DIR, LOG_NAME);
  struct stat now, ours;
  if (stat (path, &now) < 0)
    return false;
  return fd < 0 || fstat (fd, &ours) < 0 || now.st_ino != ours.st_ino || now.st_dev != ours.st_dev;
}

int
event_log_follow (const char *root, bool replay_first, event_log_fn fn, void *data,
                  struct hk_error **err)
{
  _cleanup_free_ char *dir = xasprintf ("%s/%s", root, EVENTS_DIR);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return hk_error_errno (err, errno, "create `%s`", dir);
  _cleanup_close_ int in = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (in < 0)
    return hk_error_errno (err, errno, "inotify_init1");
  if (inotify_add_watch (in, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
    return hk_error_errno (err, errno, "watch `%s`", dir);
  _cleanup_close_ int fd = open_log (root, LOG_NAME);
  _cleanup_free_ struct reader *r = xzalloc (sizeof *r);
  int rc = 1;
  if (replay_first)
    rc = replay (root, fd, r, fn, data, err);
  else if (fd >= 0 && lseek (fd, 0, SEEK_END) < 0)
    return hk_error_errno (err, errno, "seek to the end of the event log");
  while (rc > 0)
    {
      struct pollfd p = { .fd = in, .events = POLLIN };
      /* The timeout only re-checks a rotation that inotify missed. */
      if (poll (&p, 1, 1000) < 0 && errno != EINTR)
        return hk_error_errno (err, errno, "wait for events");
      char drain[4096];
      while (read (in, drain, sizeof drain) > 0)
        ;
      if (fd >= 0)
        rc = read_more (fd, r, fn, data, err);
      if (rc > 0 && rotated (root, fd))
        {
          /* The rename was made under the writers' lock: nothing is
           * written to the old file after it.  The rest of it, then the
           * new one from its start. */
          if (fd >= 0)
            {
              rc = read_more (fd, r, fn, data, err);
              close (take_fd (&fd));
            }
          if (rc <= 0)
            break;
          fd = open_log (root, LOG_NAME);
          r->len = 0;
          if (fd >= 0)
            rc = read_more (fd, r, fn, data, err);
        }
    }
  return rc < 0 ? -1 : 0;
}
