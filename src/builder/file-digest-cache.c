/* SPDX-License-Identifier: Apache-2.0 */
/* The file digest cache (file-digest-cache.h): a header line, then fixed
 * records; in memory an array with an open-addressing index by (device,
 * inode). */
#include "file-digest-cache.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEADER      "hako file digests 1\n"
#define HEADER_LEN  (sizeof HEADER - 1)
#define FILE_MAX    (256u << 20)
/* Entries of files this build did not see are kept up to this many more
 * than it saw: a file deleted from the context is forgotten, a COPY left
 * out of one build (--target) is not. */
#define UNUSED_SLACK 65536

struct record
{
  uint64_t dev, ino, size;
  int64_t mtime_sec, ctime_sec;
  uint32_t mtime_nsec, ctime_nsec;
  char hex[DIGEST_HEX_LEN];
};

struct entry
{
  struct record r;
  bool used;
};

struct file_digest_cache
{
  char *path;
  struct entry *entries;
  size_t n, cap;
  uint32_t *index; /* entry + 1, 0 for a free slot */
  size_t index_size; /* a power of two, at least twice n */
  bool changed;
};

static uint64_t
mix (uint64_t dev, uint64_t ino)
{
  uint64_t h = ino * 0x9e3779b97f4a7c15ULL ^ dev;
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 29);
}

/* The slot of (DEV, INO): its entry's, or the free one it would take. */
static size_t
slot (const struct file_digest_cache *c, uint64_t dev, uint64_t ino)
{
  size_t mask = c->index_size - 1;
  for (size_t i = mix (dev, ino) & mask;; i = (i + 1) & mask)
    {
      uint32_t e = c->index[i];
      if (e == 0 || (c->entries[e - 1].r.dev == dev && c->entries[e - 1].r.ino == ino))
        return i;
    }
}

static void
reindex (struct file_digest_cache *c)
{
  size_t size = 64;
  while (size < 2 * (c->n + 1))
    size *= 2;
  free (c->index);
  c->index = xzalloc (size * sizeof *c->index);
  c->index_size = size;
  for (size_t i = 0; i < c->n; i++)
    c->index[slot (c, c->entries[i].r.dev, c->entries[i].r.ino)] = (uint32_t)(i + 1);
}

static void
load (struct file_digest_cache *c)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  _cleanup_error_ struct hk_error *missing = NULL;
  if (fs_read_file (AT_FDCWD, c->path, FILE_MAX, &data, &len, &missing) < 0)
    return; /* none yet, or unreadable: an empty cache */
  if (len < HEADER_LEN || memcmp (data, HEADER, HEADER_LEN) != 0
      || (len - HEADER_LEN) % sizeof (struct record) != 0)
    return;
  size_t n = (len - HEADER_LEN) / sizeof (struct record);
  c->entries = xzalloc ((n + 1) * sizeof *c->entries);
  c->cap = n + 1;
  for (size_t i = 0; i < n; i++)
    memcpy (&c->entries[i].r, data + HEADER_LEN + i * sizeof (struct record),
            sizeof (struct record));
  c->n = n;
}

struct file_digest_cache *
file_digest_cache_open (const char *dir, const struct stat *context)
{
  struct file_digest_cache *c = xzalloc (sizeof *c);
  char id[64], key[DIGEST_STRING_SIZE];
  int n = snprintf (id, sizeof id, "%llu:%llu", (unsigned long long)context->st_dev,
                    (unsigned long long)context->st_ino);
  digest_of_buffer (id, (size_t)n, key);
  c->path = xasprintf ("%s/%s", dir, digest_hex (key));
  load (c);
  reindex (c);
  return c;
}

static bool
same_file (const struct record *r, const struct stat *st)
{
  return r->size == (uint64_t)st->st_size && r->mtime_sec == st->st_mtim.tv_sec
         && r->mtime_nsec == (uint32_t)st->st_mtim.tv_nsec && r->ctime_sec == st->st_ctim.tv_sec
         && r->ctime_nsec == (uint32_t)st->st_ctim.tv_nsec;
}

bool
file_digest_cache_get (struct file_digest_cache *c, const struct stat *st,
                       char digest[DIGEST_STRING_SIZE])
{
  uint32_t e = c->index[slot (c, st->st_dev, st->st_ino)];
  if (e == 0 || !same_file (&c->entries[e - 1].r, st))
    return false;
  c->entries[e - 1].used = true;
  memcpy (digest, "sha256:", 7);
  memcpy (digest + 7, c->entries[e - 1].r.hex, DIGEST_HEX_LEN);
  digest[DIGEST_STRING_SIZE - 1] = '\0';
  return true;
}

void
file_digest_cache_put (struct file_digest_cache *c, const struct stat *st, const char *digest,
                       int64_t now)
{
  int64_t last = st->st_mtim.tv_sec > st->st_ctim.tv_sec ? st->st_mtim.tv_sec : st->st_ctim.tv_sec;
  if (last + FILE_DIGEST_SETTLED > now || !digest_is_valid (digest))
    return; /* changed too recently to be told apart from a change to come */
  size_t s = slot (c, st->st_dev, st->st_ino);
  struct entry *e;
  if (c->index[s])
    e = &c->entries[c->index[s] - 1];
  else
    {
      if (c->n == c->cap)
        {
          c->cap = c->cap ? 2 * c->cap : 256;
          c->entries = xreallocarray (c->entries, c->cap, sizeof *c->entries);
        }
      e = &c->entries[c->n++];
      c->index[s] = (uint32_t)c->n;
      if (2 * (c->n + 1) > c->index_size)
        reindex (c);
    }
  *e = (struct entry){
    .r = { .dev = st->st_dev, .ino = st->st_ino, .size = (uint64_t)st->st_size,
           .mtime_sec = st->st_mtim.tv_sec, .mtime_nsec = (uint32_t)st->st_mtim.tv_nsec,
           .ctime_sec = st->st_ctim.tv_sec, .ctime_nsec = (uint32_t)st->st_ctim.tv_nsec },
    .used = true,
  };
  memcpy (e->r.hex, digest_hex (digest), DIGEST_HEX_LEN);
  c->changed = true;
}

int
file_digest_cache_save (struct file_digest_cache *c, struct hk_error **err)
{
  size_t used = 0;
  for (size_t i = 0; i < c->n; i++)
    used += c->entries[i].used;
  size_t keep_unused = c->n - used;
  if (keep_unused > used + UNUSED_SLACK)
    {
      keep_unused = used + UNUSED_SLACK;
      c->changed = true;
    }
  if (!c->changed)
    return 0;
  size_t len = HEADER_LEN;
  _cleanup_free_ char *data = xmalloc (HEADER_LEN + c->n * sizeof (struct record));
  memcpy (data, HEADER, HEADER_LEN);
  for (size_t i = 0; i < c->n; i++)
    {
      if (!c->entries[i].used && keep_unused == 0)
        continue;
      keep_unused -= !c->entries[i].used;
      memcpy (data + len, &c->entries[i].r, sizeof (struct record));
      len += sizeof (struct record);
    }
  _cleanup_free_ char *dir = xstrdup (c->path);
  *strrchr (dir, '/') = '\0';
  if (fs_mkdir_p (dir, 0700, err) < 0)
    return -1;
  _cleanup_close_ int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open `%s`", dir);
  if (fs_replace_file (dfd, strrchr (c->path, '/') + 1, data, len, 0600, err) < 0)
    return -1;
  c->changed = false;
  return 0;
}

void
file_digest_cache_free (struct file_digest_cache *c)
{
  if (c == NULL)
    return;
  free (c->path);
  free (c->entries);
  free (c->index);
  free (c);
}
