/* SPDX-License-Identifier: Apache-2.0 */
/* The step cache: a step's key (the previous step's key, the instruction,
 * its inputs) names the image it made.  Keys are files under
 * ROOT/build-cache/keys, so `builder prune` and `system prune` remove
 * them with a directory; an image they name that is gone (image prune)
 * is a miss. */
#include "builder-internal.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

void
build_key (char key[DIGEST_STRING_SIZE], const char *prev, const char *const *parts)
{
  _cleanup_sha256_ struct sha256 h;
  sha256_init (&h);
  sha256_update (&h, prev, strlen (prev) + 1);
  for (size_t i = 0; parts[i]; i++)
    sha256_update (&h, parts[i], strlen (parts[i]) + 1);
  sha256_final (&h, key);
}

static char *
keys_dir (struct build *b)
{
  return xasprintf ("%s/build-cache/keys", b->e->root);
}

int
build_cache_get (struct build *b, const char *key, char id[DIGEST_STRING_SIZE])
{
  if (b->o->no_cache || b->o->one_layer_per_stage)
    return 0;
  _cleanup_free_ char *dir = keys_dir (b);
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, digest_hex (key));
  char buf[DIGEST_STRING_SIZE + 1];
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return 0;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  if (n != DIGEST_STRING_SIZE - 1)
    return 0;
  buf[n] = '\0';
  if (!digest_is_valid (buf))
    return 0;
  _cleanup_store_image_ struct store_image *img = NULL;
  _cleanup_error_ struct hk_error *gone = NULL;
  if (store_image_get (b->e->store, buf, &img, &gone) < 0)
    return 0;
  memcpy (id, buf, DIGEST_STRING_SIZE);
  return 1;
}

void
build_cache_put (struct build *b, const char *key, const char *id)
{
  if (b->o->no_cache || b->o->one_layer_per_stage)
    return;
  _cleanup_free_ char *dir = keys_dir (b);
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_close_ int dfd = -1;
  if (fs_mkdir_p (dir, 0700, &err) == 0)
    dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  /* A cache that cannot be written costs the next build time, not this
   * one its result: say so and go on. */
  if (dfd < 0 || fs_replace_file (dfd, digest_hex (key), id, strlen (id), 0600, &err) < 0)
    hk_log (b->e->log, HK_LOG_WARNING, "build cache: %s",
            err ? err->message : "cannot open its directory");
}

char *
build_cache_mount_dir (struct build *b, const char *id, struct hk_error **err)
{
  char key[DIGEST_STRING_SIZE];
  digest_of_buffer (id, strlen (id), key);
  char *dir = xasprintf ("%s/build-cache/mounts/%s", b->e->root, digest_hex (key));
  if (fs_mkdir_p (dir, 0755, err) < 0)
    {
      free (dir);
      return NULL;
    }
  return dir;
}
