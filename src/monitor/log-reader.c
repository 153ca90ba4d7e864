/* SPDX-License-Identifier: Apache-2.0 */
#include "log-reader.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long follow waits for the writer before it asks whether to go on. */
#define FOLLOW_POLL_MS 250

static bool
log_parse_line (const char *line, size_t len, json_t **doc, struct log_record *record)
{
  /* JSON_ALLOW_NUL: a NUL the container wrote is in the text as \u0000,
   * and the record must not be dropped for it. */
  *doc = json_loadb (line, len, JSON_ALLOW_NUL, NULL);
  json_t *log = json_object_get (*doc, "log");
  if (!json_is_string (log))
    {
      json_decref (*doc);
      *doc = NULL;
      return false;
    }
  const char *stream = json_string_value (json_object_get (*doc, "stream"));
  *record = (struct log_record){
    .text = json_string_value (log),
    .len = json_string_length (log),
    .is_stderr = stream != NULL && strcmp (stream, "stderr") == 0,
    .time = json_string_value (json_object_get (*doc, "time")),
  };
  return true;
}

static int
emit (const char *line, size_t len, log_record_fn fn, void *data)
{
  json_t *doc;
  struct log_record record;
  if (!log_parse_line (line, len, &doc, &record))
    return 0; /* not a record: skipped, as Docker does */
  int rc = fn (&record, data);
  json_decref (doc);
  return rc;
}

/* The files of the log, oldest first: every rotation the writer made
 * (PATH.1 is the newest, and they are numbered without a gap), then PATH. */
static char **
log_files (const char *path)
{
  size_t n = 0;
  for (;; n++)
    {
      _cleanup_free_ char *rotated = xasprintf ("%s.%zu", path, n + 1);
      if (access (rotated, F_OK) < 0)
        break;
    }
  char **files = xzalloc (sizeof (char *));
  for (size_t i = n; i >= 1; i--)
    strv_append_take (&files, xasprintf ("%s.%zu", path, i));
  strv_append (&files, path);
  return files;
}

struct scan
{
  size_t skip;  /* records not to pass on (before the tail) */
  size_t count; /* records seen */
  log_record_fn fn;
  void *data;
};

/* The complete lines of F (a last line without its newline is still
 * being written: left for follow); *END after the last. */
static int
scan_file (FILE *f, struct scan *s, off_t *end)
{
  _cleanup_free_ char *line = NULL;
  size_t size = 0;
  ssize_t len;
  *end = ftello (f);
  while ((len = getline (&line, &size, f)) > 0 && line[len - 1] == '\n')
    {
      *end += len;
      if (s->count++ >= s->skip && s->fn != NULL)
        {
          int rc = emit (line, (size_t)len - 1, s->fn, s->data);
          if (rc != 0)
            return rc;
        }
    }
  return 0;
}

static int
scan_files (char **files, struct scan *s, struct log_position *end, struct hk_error **err)
{
  for (size_t i = 0; files[i]; i++)
    {
      FILE *f = fopen (files[i], "re");
      if (f == NULL && errno == ENOENT)
        continue; /* rotated away meanwhile */
      if (f == NULL)
        return hk_error_errno (err, errno, "open the log `%s`", files[i]);
      off_t at;
      int rc = scan_file (f, s, &at);
      struct stat st;
      if (files[i + 1] == NULL && end != NULL && fstat (fileno (f), &st) == 0)
        *end = (struct log_position){ .dev = st.st_dev, .ino = st.st_ino, .offset = at };
      fclose (f);
      if (rc != 0)
        return rc;
    }
  return 0;
}

int
log_read (const char *path, size_t tail, log_record_fn fn, void *data, struct log_position *end,
          struct hk_error **err)
{
  _cleanup_strv_ char **files = log_files (path);
  if (end != NULL)
    *end = (struct log_position){ 0 };
  struct scan s = { .fn = fn, .data = data };
  if (tail != SIZE_MAX)
    {
      /* A first pass counts the records: the tail is known before
       * anything is printed, and no more than a line is in memory. */
      struct scan count = { 0 };
      int rc = scan_files (files, &count, NULL, err);
      if (rc != 0)
        return rc;
      s.skip = count.count > tail ? count.count - tail : 0;
    }
  return scan_files (files, &s, end, err);
}

/* ---- follow ---- */

struct follower
{
  const char *path;
  int fd;
  int inotify;
  char *pending; /* a line still without its newline */
  size_t pending_len;
  log_record_fn fn;
  void *data;
};

/* What FD has now, as records; a partial line waits in PENDING. */
static int
drain (struct follower *w)
{
  char buf[65536];
  ssize_t n;
  while ((n = read (w->fd, buf, sizeof buf)) > 0)
    {
      w->pending = xrealloc (w->pending, w->pending_len + (size_t)n);
      memcpy (w->pending + w->pending_len, buf, (size_t)n);
      w->pending_len += (size_t)n;
      char *start = w->pending, *nl;
      while ((nl = memchr (start, '\n', w->pending_len - (size_t)(start - w->pending))) != NULL)
        {
          int rc = emit (start, (size_t)(nl - start), w->fn, w->data);
          if (rc != 0)
            return rc;
          start = nl + 1;
        }
      w->pending_len -= (size_t)(start - w->pending);
      memmove (w->pending, start, w->pending_len);
    }
  return 0;
}

static void
watch (struct follower *w)
{
  inotify_add_watch (w->inotify, w->path, IN_MODIFY | IN_MOVE_SELF | IN_ATTRIB);
}

/* The name of the log's file INDEX: PATH for 0, PATH.INDEX else. */
static char *
file_name (const char *path, size_t index)
{
  return index == 0 ? xstrdup (path) : xasprintf ("%s.%zu", path, index);
}

/* The index our file (DEV, INO) has now among the rotations, or 0 when
 * it is gone (the writer keeps no more). */
static size_t
find_rotated (const char *path, dev_t dev, ino_t ino)
{
  for (size_t i = 1;; i++)
    {
      _cleanup_free_ char *name = file_name (path, i);
      struct stat st;
      if (stat (name, &st) < 0)
        return 0;
      if (st.st_ino == ino && st.st_dev == dev)
        return i;
    }
}

/* Opens the files written after ours, which is now rotation FROM: their
 * fds into FDS (FROM of them, the oldest first, PATH last).  False when
 * the writer rotated again meanwhile (a name no longer had the file first
 * seen): the caller tries again. */
static bool
open_newer (const char *path, size_t from, int *fds)
{
  ino_t seen[from];
  for (size_t i = 0; i < from; i++)
    {
      _cleanup_free_ char *name = file_name (path, from - 1 - i);
      struct stat st;
      seen[i] = stat (name, &st) == 0 ? st.st_ino : 0;
    }
  bool same = true;
  for (size_t i = 0; i < from; i++)
    {
      _cleanup_free_ char *name = file_name (path, from - 1 - i);
      struct stat st;
      fds[i] = open (name, O_RDONLY | O_CLOEXEC);
      same &= fds[i] >= 0 && fstat (fds[i], &st) == 0 && st.st_ino == seen[i];
    }
  if (!same)
    for (size_t i = 0; i < from; i++)
      if (fds[i] >= 0)
        close (fds[i]);
  return same;
}

/* Our file was rotated: the rest of it, then every file written after it
 * in order (several when the writer rotated more than once since we
 * looked), and on with the current one. */
static int
follow_rotations (struct follower *w, const struct stat *ours)
{
  int rc = drain (w);
  w->pending_len = 0;
  size_t index = find_rotated (w->path, ours->st_dev, ours->st_ino);
  if (rc != 0 || index == 0)
    return rc;
  /* The writer may rotate again while we open: look again, with room
   * for as many files as there are now. */
  _cleanup_free_ int *fds = NULL;
  for (int attempt = 0;; attempt++)
    {
      fds = xreallocarray (fds, index, sizeof *fds);
      if (open_newer (w->path, index, fds))
        break;
      if (attempt > 10 || (index = find_rotated (w->path, ours->st_dev, ours->st_ino)) == 0)
        return 0; /* rotating faster than we read: go on from where it is */
    }
  for (size_t i = 0; i < index; i++)
    {
      close (w->fd);
      w->fd = fds[i];
      if (rc == 0)
        rc = drain (w);
    }
  watch (w);
  return rc;
}

/* The writer rotated (PATH is another file) or, keeping no rotation,
 * truncated it. */
static int
follow_rotation (struct follower *w)
{
  struct stat ours, now;
  if (fstat (w->fd, &ours) < 0)
    return 0;
  if (stat (w->path, &now) == 0 && (now.st_ino != ours.st_ino || now.st_dev != ours.st_dev))
    return follow_rotations (w, &ours);
  if (ours.st_size < lseek (w->fd, 0, SEEK_CUR))
    {
      lseek (w->fd, 0, SEEK_SET);
      w->pending_len = 0;
    }
  return 0;
}

/* The file FROM names: PATH, or PATH.1 when it was rotated since. */
static int
open_from (const char *path, const struct log_position *from)
{
  _cleanup_free_ char *rotated = xasprintf ("%s.1", path);
  const char *candidates[] = { path, rotated };
  for (size_t i = 0; i < 2; i++)
    {
      int fd = open (candidates[i], O_RDONLY | O_CLOEXEC);
      struct stat st;
      if (fd >= 0 && fstat (fd, &st) == 0 && st.st_ino == from->ino && st.st_dev == from->dev)
        {
          lseek (fd, from->offset, SEEK_SET);
          return fd;
        }
      if (fd >= 0)
        close (fd);
    }
  return open (path, O_RDONLY | O_CLOEXEC); /* a new log: from its start */
}

int
log_follow (const char *path, const struct log_position *from, bool (*keep_going) (void *data),
            log_record_fn fn, void *data, struct hk_error **err)
{
  struct follower w = { .path = path, .fn = fn, .data = data };
  w.fd = open_from (path, from);
  if (w.fd < 0)
    return hk_error_errno (err, errno, "open the log `%s`", path);
  w.inotify = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  watch (&w);
  int rc = 0;
  for (bool last = false; rc == 0;)
    {
      if ((rc = drain (&w)) != 0 || last || (rc = follow_rotation (&w)) != 0)
        break;
      struct pollfd p = { .fd = w.inotify, .events = POLLIN };
      if (poll (&p, 1, FOLLOW_POLL_MS) > 0)
        {
          char events[4096];
          (void)!read (w.inotify, events, sizeof events);
        }
      else if (!keep_going (data))
        last = true; /* one more read for what came just before */
    }
  free (w.pending);
  close (w.fd);
  if (w.inotify >= 0)
    close (w.inotify);
  return rc;
}
