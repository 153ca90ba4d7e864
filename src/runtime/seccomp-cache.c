/* SPDX-License-Identifier: Apache-2.0 */
#include "seccomp-cache.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The key holds the profile, bounded like config.json, then the filter. */
#define MAX_ENTRY_SIZE (SPEC_MAX_CONFIG_SIZE + SECCOMP_MAX_FILTER_SIZE)

/* A temporary file older than this was left by a writer that died. */
#define STALE_TEMP_SECONDS 60

static uint64_t
fnv1a (const char *s, size_t len)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
  return h;
}

static void
entry_name (const char *key, char name[static 17])
{
  snprintf (name, 17, "%016llx", (unsigned long long)fnv1a (key, strlen (key)));
}

/* Opens DIR when it can be trusted: ours, and writable by nobody else (an
 * entry planted there would become a container's filter). */
static int
open_trusted_dir (const char *dir)
{
  _cleanup_close_ int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    return -1;
  if (st.st_uid != geteuid () || (st.st_mode & 022) != 0)
    return -1;
  return take_fd (&fd);
}

int
seccomp_cache_lookup (const char *dir, const char *key, struct seccomp_program *prog)
{
  _cleanup_close_ int dfd = open_trusted_dir (dir);
  if (dfd < 0)
    return -1;
  char name[17];
  entry_name (key, name);
  _cleanup_free_ char *bytes = NULL;
  size_t len;
  struct hk_error *e = NULL;
  if (fs_read_file (dfd, name, MAX_ENTRY_SIZE, &bytes, &len, &e) < 0)
    {
      hk_error_free (e);
      return -1;
    }
  size_t key_len = strlen (key);
  if (len <= key_len || memcmp (bytes, key, key_len) != 0
      || (len - key_len) % sizeof (struct sock_filter) != 0)
    return -1;
  prog->len = (len - key_len) / sizeof (struct sock_filter);
  prog->insns = xmalloc (len - key_len);
  memcpy (prog->insns, bytes + key_len, len - key_len);
  /* Recently used: the last to be evicted. */
  utimensat (dfd, name, NULL, 0);
  return 0;
}

struct entry
{
  char name[17];
  struct timespec used;
};

static int
by_age (const void *a, const void *b)
{
  const struct entry *x = a, *y = b;
  if (x->used.tv_sec != y->used.tv_sec)
    return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
  if (x->used.tv_nsec != y->used.tv_nsec)
    return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
  return 0;
}

/* Makes room for one more entry: removes the least recently used ones
 * beyond the bound, and stale temporary files. */
static void
evict (int dfd)
{
  int fd = dup (dfd);
  DIR *d = fd < 0 ? NULL : fdopendir (fd);
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  _cleanup_free_ struct entry *entries = NULL;
  size_t n = 0, cap = 0;
  time_t now = time (NULL);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      if (de->d_type != DT_REG || fstatat (dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (de->d_name[0] == '.')
        {
          if (now - st.st_mtime > STALE_TEMP_SECONDS)
            unlinkat (dfd, de->d_name, 0);
          continue;
        }
      if (strlen (de->d_name) != 16)
        continue;
      if (n == cap)
        {
          cap = cap ? cap * 2 : SECCOMP_CACHE_MAX_ENTRIES;
          entries = xreallocarray (entries, cap, sizeof *entries);
        }
      memcpy (entries[n].name, de->d_name, 17);
      entries[n++].used = st.st_mtim;
    }
  closedir (d);
  if (n < SECCOMP_CACHE_MAX_ENTRIES)
    return;
  qsort (entries, n, sizeof *entries, by_age);
  for (size_t i = 0; i + SECCOMP_CACHE_MAX_ENTRIES <= n; i++)
    unlinkat (dfd, entries[i].name, 0);
}

void
seccomp_cache_store (const char *dir, const char *key, const struct seccomp_program *prog)
{
  if (fs_mkdir_p (dir, 0700, NULL) < 0)
    return;
  _cleanup_close_ int dfd = open_trusted_dir (dir);
  if (dfd < 0)
    return;
  evict (dfd);
  char name[17];
  entry_name (key, name);
  size_t key_len = strlen (key), bpf_len = prog->len * sizeof (struct sock_filter);
  _cleanup_free_ char *bytes = xmalloc (key_len + bpf_len);
  memcpy (bytes, key, key_len);
  memcpy (bytes + key_len, prog->insns, bpf_len);
  fs_replace_file (dfd, name, bytes, key_len + bpf_len, 0600, NULL);
}
