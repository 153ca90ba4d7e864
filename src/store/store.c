/* SPDX-License-Identifier: Apache-2.0 */
/* Opening the store, its locks and its scratch space.  See store.h for the
 * layout and the rules that keep it consistent. */
#include "store.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "store-db.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int
open_subdir (int parent, const char *name, mode_t mode, struct hk_error **err)
{
  if (mkdirat (parent, name, mode) < 0 && errno != EEXIST)
    return hk_error_errno (err, errno, "create `%s`", name);
  int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `%s`", name);
  return fd;
}

/* Removes the scratch directories of commands that are gone: each command
 * holds an flock on its own, so one we can lock has no owner.  Runs under
 * the exclusive lock of locks/tmp so that a directory just made but not
 * yet locked by its owner is never taken for stale. */
static int
remove_stale_scratch (struct store *s, int tmp_parent, struct hk_error **err)
{
  _cleanup_close_ int dfd = dup (tmp_parent);
  if (dfd < 0)
    return hk_error_errno (err, errno, "dup");
  _cleanup_closedir_ DIR *dir = fdopendir (dfd);
  if (dir == NULL)
    return hk_error_errno (err, errno, "read `tmp`");
  take_fd (&dfd);
  struct dirent *de;
  while ((de = readdir (dir)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      _cleanup_close_ int fd
          = openat (tmp_parent, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        continue;
      if (flock (fd, LOCK_EX | LOCK_NB) < 0)
        continue; /* alive */
      hk_debug (s->log, "removing scratch of a dead command: tmp/%s", de->d_name);
      _cleanup_error_ struct hk_error *ignored = NULL;
      if (fs_remove_tree (tmp_parent, de->d_name, &ignored) < 0)
        hk_warn (s->log, "cannot clean up tmp/%s: %s", de->d_name, ignored->message);
    }
  return 0;
}

static int
make_scratch (struct store *s, int tmp_parent, struct hk_error **err)
{
  _cleanup_close_ int guard = openat (s->root_fd, "locks/tmp", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (guard < 0)
    return hk_error_errno (err, errno, "open `locks/tmp`");
  if (flock (guard, LOCK_EX) < 0)
    return hk_error_errno (err, errno, "lock `locks/tmp`");
  if (remove_stale_scratch (s, tmp_parent, err) < 0)
    return -1;
  for (int attempt = 0; attempt < 100; attempt++)
    {
      unsigned r = (unsigned)arc4random ();
      _cleanup_free_ char *name = xasprintf ("%d-%08x", (int)getpid (), r);
      if (mkdirat (tmp_parent, name, 0700) < 0)
        {
          if (errno == EEXIST)
            continue;
          return hk_error_errno (err, errno, "create `tmp/%s`", name);
        }
      int fd = openat (tmp_parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return hk_error_errno (err, errno, "open `tmp/%s`", name);
      if (flock (fd, LOCK_EX) < 0)
        {
          close (fd);
          return hk_error_errno (err, errno, "lock `tmp/%s`", name);
        }
      s->tmp_fd = fd;
      s->tmp_name = take_ptr (name);
      return 0;
    }
  return hk_error_set (err, EEXIST, "cannot make a scratch directory in `tmp`");
}

int
store_open (const char *root, const struct hk_log *log, struct store **out, struct hk_error **err)
{
  struct store *s = xzalloc (sizeof *s);
  _cleanup_store_ struct store *owned = s;
  s->root_fd = s->blobs_fd = s->layers_fd = s->links_fd = s->tmp_fd = -1;
  s->gc_lock_fd = s->content_lock_fd = -1;
  s->log = log;
  s->root = xstrdup (root);

  if (fs_mkdir_p (root, 0700, err) < 0)
    return hk_error_prefix (err, "image store");
  s->root_fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->root_fd < 0)
    return hk_error_errno (err, errno, "open image store `%s`", root);

  _cleanup_close_ int blobs = open_subdir (s->root_fd, "blobs", 0700, err);
  if (blobs < 0 || (s->blobs_fd = open_subdir (blobs, "sha256", 0700, err)) < 0
      || (s->layers_fd = open_subdir (s->root_fd, "layers", 0700, err)) < 0
      || (s->links_fd = open_subdir (s->root_fd, "l", 0700, err)) < 0)
    return hk_error_prefix (err, "image store `%s`", root);
  _cleanup_close_ int locks = open_subdir (s->root_fd, "locks", 0700, err);
  _cleanup_close_ int tmp = open_subdir (s->root_fd, "tmp", 0700, err);
  if (locks < 0 || tmp < 0)
    return hk_error_prefix (err, "image store `%s`", root);
  s->gc_lock_fd = openat (locks, "gc", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  s->content_lock_fd = openat (locks, "content", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s->gc_lock_fd < 0 || s->content_lock_fd < 0)
    return hk_error_errno (err, errno, "open locks of image store `%s`", root);

  if (make_scratch (s, tmp, err) < 0)
    return hk_error_prefix (err, "image store `%s`", root);

  _cleanup_free_ char *db_path = xasprintf ("%s/hako.db", root);
  if (store_db_open (db_path, &s->db, err) < 0)
    return -1;
  *out = take_ptr (owned);
  return 0;
}

void
store_close (struct store *s)
{
  if (s == NULL)
    return;
  if (s->tmp_fd >= 0 && s->tmp_name != NULL)
    {
      /* Our scratch: remove it while still holding its lock. */
      _cleanup_close_ int tmp = openat (s->root_fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      _cleanup_error_ struct hk_error *ignored = NULL;
      if (tmp >= 0)
        fs_remove_tree (tmp, s->tmp_name, &ignored);
    }
  if (s->db)
    sqlite3_close (s->db);
  int fds[] = { s->tmp_fd,     s->links_fd, s->layers_fd,      s->blobs_fd,
                s->gc_lock_fd, s->root_fd,  s->content_lock_fd };
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  free (s->tmp_name);
  free (s->root);
  free (s);
}

int
store_content_begin (struct store *s, struct hk_error **err)
{
  if (s->content_users++ > 0)
    return 0;
  if (flock (s->gc_lock_fd, LOCK_SH) < 0)
    {
      s->content_users--;
      return hk_error_errno (err, errno, "lock `%s/locks/gc`", s->root);
    }
  return 0;
}

void
store_content_end (struct store *s)
{
  if (s->content_users > 0 && --s->content_users == 0)
    flock (s->gc_lock_fd, LOCK_UN);
}

/* The byte of locks/content that stands for DIGEST: 60 bits of it, with
 * layers above blobs. */
static off_t
digest_lock_offset (enum store_lock_kind kind, const char *digest)
{
  const char *hex = digest_hex (digest);
  off_t off = 0;
  for (int i = 0; i < 15; i++)
    {
      char c = hex[i];
      off = off * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
    }
  return kind == STORE_LOCK_LAYER ? off + ((off_t)1 << 60) : off;
}

int
store_digest_lock (struct store *s, enum store_lock_kind kind, const char *digest, bool nonblock,
                   struct hk_error **err)
{
  struct flock fl = {
    .l_type = F_WRLCK,
    .l_whence = SEEK_SET,
    .l_start = digest_lock_offset (kind, digest),
    .l_len = 1,
  };
  for (;;)
    {
      if (fcntl (s->content_lock_fd, nonblock ? F_OFD_SETLK : F_OFD_SETLKW, &fl) == 0)
        return 1;
      if (errno == EINTR)
        continue;
      if (nonblock && (errno == EAGAIN || errno == EACCES))
        return 0;
      return hk_error_errno (err, errno, "lock %s", digest);
    }
}

void
store_digest_unlock (struct store *s, enum store_lock_kind kind, const char *digest)
{
  struct flock fl = {
    .l_type = F_UNLCK,
    .l_whence = SEEK_SET,
    .l_start = digest_lock_offset (kind, digest),
    .l_len = 1,
  };
  fcntl (s->content_lock_fd, F_OFD_SETLK, &fl);
}

int
store_tx_begin (struct store *s, struct hk_error **err)
{
  return store_db_exec (s->db, "BEGIN IMMEDIATE", err);
}

int
store_tx_commit (struct store *s, struct hk_error **err)
{
  if (store_db_exec (s->db, "COMMIT", err) < 0)
    {
      store_tx_rollback (s);
      return -1;
    }
  return 0;
}

void
store_tx_rollback (struct store *s)
{
  sqlite3_exec (s->db, "ROLLBACK", NULL, NULL, NULL);
}
