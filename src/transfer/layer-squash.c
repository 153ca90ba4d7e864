/* SPDX-License-Identifier: Apache-2.0 */
/* Layers merged into one (layer-squash.h). */
#include "layer-squash.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "layer-diff.h"
#include "store/image-record.h"
#include "store/manifest.h"
#include "unpack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define OPAQUE_XATTR "trusted.overlay.opaque"

static bool
is_opaque (int dir_fd)
{
  char value[4];
  return fgetxattr (dir_fd, OPAQUE_XATTR, value, sizeof value) == 1 && value[0] == 'y';
}

static int
open_dir (int parent, const char *name, struct hk_error **err)
{
  int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open directory `%s`", name);
  return fd;
}

/* Every entry of DIR_FD removed: what an opaque directory hides. */
static int
clear_dir (int dir_fd, struct hk_error **err)
{
  _cleanup_close_ int fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    return hk_error_errno (err, errno, "read a directory to clear");
  take_fd (&fd);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, "..")
        && fs_remove_tree (dir_fd, de->d_name, err) < 0)
      return -1;
  return 0;
}

/* A directory's owner, mode, extended attributes (the opaque mark
 * aside: the merge decides it) and times, from SRC. */
static int
copy_dir_metadata (int dst, int src, const struct stat *st, struct hk_error **err)
{
  if (fchown (dst, st->st_uid, st->st_gid) < 0 || fchmod (dst, st->st_mode & 07777) < 0)
    return hk_error_errno (err, errno, "set a directory's owner and mode");
  char names[4096];
  ssize_t len = flistxattr (src, names, sizeof names);
  for (ssize_t i = 0; i < len; i += (ssize_t)strlen (names + i) + 1)
    {
      const char *name = names + i;
      if (strcmp (name, OPAQUE_XATTR) == 0)
        continue;
      char value[4096];
      ssize_t n = fgetxattr (src, name, value, sizeof value);
      if (n >= 0 && fsetxattr (dst, name, value, (size_t)n, 0) < 0)
        return hk_error_errno (err, errno, "set extended attribute `%s`", name);
    }
  struct timespec times[2] = { st->st_atim, st->st_mtim };
  if (futimens (dst, times) < 0)
    return hk_error_errno (err, errno, "set a directory's times");
  return 0;
}

/* A non-directory entry NAME of SRC made in DST (where nothing has that
 * name any more): a hard link to a file, a copy of anything else (a
 * whiteout is a character device). */
static int
place_entry (int dst, int src, const char *name, const struct stat *st, struct hk_error **err)
{
  if (S_ISREG (st->st_mode))
    {
      if (linkat (src, name, dst, name, 0) < 0)
        return hk_error_errno (err, errno, "link `%s`", name);
      return 0;
    }
  if (S_ISLNK (st->st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (src, name, target, sizeof target - 1);
      if (n < 0)
        return hk_error_errno (err, errno, "read link `%s`", name);
      target[n] = '\0';
      if (symlinkat (target, dst, name) < 0)
        return hk_error_errno (err, errno, "create link `%s`", name);
    }
  else if (mknodat (dst, name, st->st_mode, st->st_rdev) < 0)
    return hk_error_errno (err, errno, "create `%s`", name);
  struct timespec times[2] = { st->st_atim, st->st_mtim };
  if (fchownat (dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0
      || (!S_ISLNK (st->st_mode) && fchmodat (dst, name, st->st_mode & 07777, 0) < 0)
      || utimensat (dst, name, times, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "set the metadata of `%s`", name);
  return 0;
}

static int merge_dir (int dst, int src, struct hk_error **err);

/* Entry NAME of the layer directory SRC over what DST has. */
static int
merge_entry (int dst, int src, const char *name, struct hk_error **err)
{
  struct stat s, d;
  if (fstatat (src, name, &s, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "stat `%s`", name);
  bool exists = fstatat (dst, name, &d, AT_SYMLINK_NOFOLLOW) == 0;
  if (!S_ISDIR (s.st_mode) || (exists && !S_ISDIR (d.st_mode)))
    {
      if (exists && fs_remove_tree (dst, name, err) < 0)
        return -1;
      exists = false;
    }
  if (!S_ISDIR (s.st_mode))
    return place_entry (dst, src, name, &s, err);
  if (!exists && mkdirat (dst, name, 0700) < 0)
    return hk_error_errno (err, errno, "create directory `%s`", name);
  _cleanup_close_ int sfd = open_dir (src, name, err);
  if (sfd < 0)
    return -1;
  _cleanup_close_ int dfd = open_dir (dst, name, err);
  if (dfd < 0 || merge_dir (dfd, sfd, err) < 0)
    return hk_error_prefix (err, "%s", name);
  return copy_dir_metadata (dfd, sfd, &s, err);
}

static int
merge_dir (int dst, int src, struct hk_error **err)
{
  if (is_opaque (src))
    {
      if (clear_dir (dst, err) < 0)
        return -1;
      if (fsetxattr (dst, OPAQUE_XATTR, "y", 1, 0) < 0)
        return hk_error_errno (err, errno, "mark a directory opaque");
    }
  _cleanup_close_ int fd = openat (src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    return hk_error_errno (err, errno, "read a layer directory");
  take_fd (&fd);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, "..")
        && merge_entry (dst, src, de->d_name, err) < 0)
      return -1;
  return 0;
}

/* TOP's history: its entries past BASE's first N_BASE (BASE's own
 * history) empty but the last that had a layer. */
static void
squash_history (json_t *config, size_t n_base)
{
  json_t *history = json_object_get (config, "history");
  size_t last = SIZE_MAX;
  for (size_t i = n_base; i < json_array_size (history); i++)
    {
      json_t *h = json_array_get (history, i);
      if (json_is_true (json_object_get (h, "empty_layer")))
        continue;
      json_object_set_new (h, "empty_layer", json_true ());
      last = i;
    }
  if (last != SIZE_MAX)
    json_object_del (json_array_get (history, last), "empty_layer");
}

/* The length of image ID's history. */
static int
history_length (struct store *s, const char *id, size_t *n, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  _cleanup_json_ json_t *config = NULL;
  if (store_blob_read (s, id, CONFIG_MAX_SIZE, &text, &len, err) < 0
      || json_parse_object (text, len, "image config", &config, err) < 0)
    return -1;
  *n = json_array_size (json_object_get (config, "history"));
  return 0;
}

/* The merged tree written as a layer over BASE's, and recorded. */
static int
write_layer (struct store *s, const struct store_image *base, int tree_fd, int64_t mtime,
             struct image_record_layer *nl, char diff_id[DIGEST_STRING_SIZE],
             struct hk_error **err)
{
  struct layer_diff_options lo = { .mtime = mtime };
  struct layer_diff_result diff;
  if (layer_diff_write (s, tree_fd, &lo, &diff, err) < 0)
    return hk_error_prefix (err, "write the squashed layer");
  size_t n = base->n_layers;
  memcpy (nl->blob_digest, diff.blob_digest, DIGEST_STRING_SIZE);
  nl->media_type = MEDIA_OCI_LAYER_GZIP;
  nl->blob_size = diff.blob_size;
  memcpy (diff_id, diff.diff_id, DIGEST_STRING_SIZE);
  return image_unpack_blob (s, diff.blob_digest, n ? base->layers[n - 1].chain_id : NULL,
                            diff.diff_id, &nl->info, NULL, err);
}

/* TOP's layers past BASE's, merged into the scratch directory TREE_FD. */
static int
merge_layers (struct store *s, const struct store_image *base, const struct store_image *top,
              int tree_fd, struct hk_error **err)
{
  for (size_t i = base->n_layers; i < top->n_layers; i++)
    {
      _cleanup_close_ int layer = open_dir (s->layers_fd, digest_hex (top->layers[i].chain_id),
                                            err);
      if (layer < 0 || merge_dir (tree_fd, layer, err) < 0)
        return hk_error_prefix (err, "merge layer %s", top->layers[i].diff_id);
    }
  return 0;
}

static int
squash (struct store *s, const struct store_image *base, const struct store_image *top,
        int64_t mtime, int tree_fd, char id[DIGEST_STRING_SIZE], struct hk_error **err)
{
  size_t n = base->n_layers;
  _cleanup_free_ struct image_record_layer *layers = image_record_layers_of (base, 1);
  char diff_id[DIGEST_STRING_SIZE];
  _cleanup_free_ char *text = NULL;
  size_t len, base_history;
  _cleanup_json_ json_t *config = NULL;
  if (history_length (s, base->id, &base_history, err) < 0
      || merge_layers (s, base, top, tree_fd, err) < 0
      || write_layer (s, base, tree_fd, mtime, &layers[n], diff_id, err) < 0
      || store_blob_read (s, top->id, CONFIG_MAX_SIZE, &text, &len, err) < 0
      || json_parse_object (text, len, "image config", &config, err) < 0)
    return -1;
  json_t *ids = json_object_get (json_object_get (config, "rootfs"), "diff_ids");
  if (!json_is_array (ids))
    return hk_error_set (err, EINVAL, "image %s: config without rootfs.diff_ids", top->id);
  while (json_array_size (ids) > n)
    json_array_remove (ids, json_array_size (ids) - 1);
  json_array_append_new (ids, json_string (diff_id));
  squash_history (config, base_history);
  if (image_record_new (s, config, layers, n + 1, NULL, id, err) < 0)
    return -1;
  return store_image_set_parent (s, id, base->id, err);
}

static int
squash_images (struct store *s, const struct store_image *base, const struct store_image *top,
               int64_t mtime, char id[DIGEST_STRING_SIZE], struct hk_error **err)
{
  if (top->n_layers < base->n_layers)
    return hk_error_set (err, EINVAL, "image %s is not made over %s", top->id, base->id);
  for (size_t i = 0; i < base->n_layers; i++)
    if (strcmp (top->layers[i].chain_id, base->layers[i].chain_id) != 0)
      return hk_error_set (err, EINVAL, "image %s is not made over %s", top->id, base->id);
  if (top->n_layers - base->n_layers <= 1)
    {
      memcpy (id, top->id, DIGEST_STRING_SIZE);
      return 0;
    }
  _cleanup_free_ char *name = NULL;
  _cleanup_close_ int tree = store_layer_scratch (s, &name, err);
  if (tree < 0)
    return -1;
  int rc = squash (s, base, top, mtime, tree, id, err);
  _cleanup_error_ struct hk_error *ignored = NULL;
  fs_remove_tree (s->tmp_fd, name, &ignored);
  return rc;
}

int
image_squash (struct store *s, const char *base_id, const char *top_id, int64_t mtime,
              char id[DIGEST_STRING_SIZE], struct hk_error **err)
{
  _cleanup_store_image_ struct store_image *base = NULL;
  _cleanup_store_image_ struct store_image *top = NULL;
  if (store_image_get (s, base_id, &base, err) < 0 || store_image_get (s, top_id, &top, err) < 0)
    return -1;
  if (store_content_begin (s, err) < 0)
    return -1;
  int rc = squash_images (s, base, top, mtime, id, err);
  store_content_end (s);
  return rc < 0 ? hk_error_prefix (err, "squash the layers of %s", top_id) : 0;
}
