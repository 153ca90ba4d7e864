/* SPDX-License-Identifier: Apache-2.0 */
/* Export and import of checkpoints (checkpoint-transfer.h). */
#include "checkpoint-transfer.h"
#include "checkpoint-archive.h"
#include "layer-diff.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/ctr-config-json.h"
#include "engine/ctr-config-userns.h"
#include "engine/volume.h"
#include "store/rootfs.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* R's overlay upper directory, opened. */
static int
open_upper (struct engine *e, const struct ctr_record *r, struct hk_error **err)
{
  _cleanup_free_ char *image_id = NULL, *dir = NULL;
  if (image_rootfs_info (e->store, r->id, &image_id, &dir, err) < 0)
    return -1;
  _cleanup_free_ char *upper = xasprintf ("%s/upper", dir);
  int fd = open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `%s`", upper);
  return fd;
}

/* The tree at TREE_FD as a layer tar in an unnamed file of the store's
 * temporary directory. */
static int
tree_tar (struct engine *e, int tree_fd, struct hk_error **err)
{
  _cleanup_close_ int fd = openat (e->store->tmp_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    return hk_error_errno (err, errno, "make a file in the store's temporary directory");
  struct layer_diff_options o = { .mtime = -1 };
  if (layer_diff_write_fd (tree_fd, &o, fd, err) < 0)
    return -1;
  return take_fd (&fd);
}

/* The layer of R's changes. */
static int
write_layer (struct engine *e, const struct ctr_record *r, struct hk_error **err)
{
  _cleanup_close_ int upper = open_upper (e, r, err);
  if (upper < 0)
    return -1;
  int fd = tree_tar (e, upper, err);
  if (fd < 0)
    return hk_error_prefix (err, "write the changes of container %s", r->name);
  return fd;
}

/* The named volumes R mounts (-v NAME:/dir, --mount source=NAME), once
 * each; anonymous ones are made new and empty by an import. */
static char **
named_volumes (const struct ctr_record *r)
{
  char **names = NULL;
  for (size_t i = 0; i < r->config.n_mounts; i++)
    {
      const struct config_mount *m = &r->config.mounts[i];
      if (m->type == CONFIG_MOUNT_VOLUME && m->source != NULL && !strv_contains (names, m->source))
        strv_append (&names, m->source);
    }
  return names;
}

/* The content of volume NAME as a layer tar. */
static int
write_volume_tar (struct engine *e, const char *name, struct hk_error **err)
{
  struct volume *v = NULL;
  if (volume_get (e->db, e->root, name, &v, err) < 0)
    return -1;
  _cleanup_close_ int data = open (v->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (data < 0)
    hk_error_errno (err, errno, "open `%s`", v->mountpoint);
  volume_free (v);
  int fd = data < 0 ? -1 : tree_tar (e, data, err);
  if (fd < 0)
    return hk_error_prefix (err, "write the content of volume %s", name);
  return fd;
}

static int
write_archive (struct engine *e, struct ctr_record *r, int out_fd,
               const struct checkpoint_export_options *x, struct hk_error **err)
{
  bool checkpointed;
  _cleanup_free_ char *at = NULL, *restored = NULL;
  engine_checkpoint_status (e, r, &checkpointed, &at, &restored);
  _cleanup_free_ char *images = engine_checkpoint_images (e, r);
  _cleanup_close_ int images_fd = open (images, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (images_fd < 0)
    return hk_error_errno (err, errno, "open the checkpoint of container %s `%s`", r->name,
                           images);
  _cleanup_close_ int layer = write_layer (e, r, err);
  if (layer < 0)
    return -1;
  struct checkpoint_manifest m = {
    .name = r->name,
    .image = r->image_name,
    .image_id = r->image_id,
    .checkpointed_at = at,
    .config = ctr_config_to_record (&r->config),
    .volumes = x->with_volumes ? named_volumes (r) : NULL,
  };
  size_t n = strv_length (m.volumes), made = 0;
  int *volume_fds = xmalloc ((n + 1) * sizeof *volume_fds);
  while (made < n && (volume_fds[made] = write_volume_tar (e, m.volumes[made], err)) >= 0)
    made++;
  int rc = made < n ? -1
                    : checkpoint_archive_write (out_fd, x->compress, &m, layer, images_fd,
                                                volume_fds, err);
  fs_close_all (volume_fds, made);
  strv_free (m.volumes);
  json_decref (m.config);
  return rc;
}

int
transfer_checkpoint_export_check (const struct ctr_record *r, struct hk_error **err)
{
  if (ctr_config_has_userns (&r->config))
    return hk_error_set (err, ENOTSUP, "cannot export container %s: it runs in a user "
                         "namespace, whose file owners another store would not share", r->name);
  return 0;
}

int
transfer_checkpoint_export (struct engine *e, struct ctr_record *r, const char *file,
                            const struct checkpoint_export_options *x, struct hk_error **err)
{
  if (strcmp (file, "-") == 0)
    return write_archive (e, r, STDOUT_FILENO, x, err);
  _cleanup_free_ char *tmp = xasprintf ("%s.XXXXXX", file);
  _cleanup_close_ int fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "export: make `%s`", tmp);
  if (write_archive (e, r, fd, x, err) < 0 || fsync (fd) < 0 || rename (tmp, file) < 0)
    {
      if (*err == NULL)
        hk_error_errno (err, errno, "export: write `%s`", file);
      unlink (tmp);
      return hk_error_prefix (err, "export container %s to `%s` (its checkpoint stays in "
                              "the store)", r->name, file);
    }
  return 0;
}

/* --- import --- */

struct import
{
  struct engine *e;
  const char *name;  /* --name, or NULL */
  bool ignore_rootfs; /* --ignore-rootfs: the staged changes are not used */
  char *image;       /* what engine_create resolves: the name when it is that image */
  char *staging;     /* ROOT/checkpoint-import.XXXXXX */
  char **volumes_made; /* the volumes the import made, removed when it fails */
};

static ssize_t
fd_read (void *opaque, void *buf, size_t len, struct hk_error **err)
{
  ssize_t n;
  do
    n = read (*(int *)opaque, buf, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    hk_error_errno (err, errno, "read");
  return n;
}

/* Before anything is written: the name free, the image here. */
static int
check_manifest (const struct checkpoint_manifest *m, void *data, struct hk_error **err)
{
  struct import *im = data;
  const char *name = im->name ? im->name : m->name;
  if (ctr_record_check_name (name, err) < 0)
    return -1;
  _cleanup_record_ struct ctr_record *taken = NULL;
  struct hk_error *missing = NULL;
  if (ctr_record_find (im->e->db, name, &taken, &missing) == 0)
    return hk_error_set (err, EEXIST, "the name %s is in use by container %.12s (--name gives "
                         "another)", name, taken->id);
  hk_error_free (missing);
  _cleanup_free_ char *id = NULL, *by_name = NULL;
  if (store_image_resolve (im->e->store, m->image_id, NULL, &id, err) < 0)
    {
      hk_error_freep (err);
      return hk_error_set (err, ENOENT, "its image %s (%s) is not in this store: pull or load "
                           "it first", m->image, m->image_id);
    }
  struct hk_error *other = NULL;
  bool same = store_image_resolve (im->e->store, m->image, NULL, &by_name, &other) == 0
              && strcmp (by_name, id) == 0;
  hk_error_free (other);
  im->image = xstrdup (same ? m->image : id);
  for (size_t i = 0; m->volumes != NULL && m->volumes[i] != NULL; i++)
    {
      struct volume *v = NULL;
      struct hk_error *absent = NULL;
      if (volume_get (im->e->db, im->e->root, m->volumes[i], &v, &absent) == 0)
        {
          volume_free (v);
          return hk_error_set (err, EEXIST, "volume %s, whose content it holds, exists in this "
                               "store: remove it first", m->volumes[i]);
        }
      hk_error_free (absent);
    }
  return 0;
}

/* The archive's volumes made in the store, each with its content. */
static int
adopt_volumes (struct import *im, char **volumes, struct hk_error **err)
{
  for (size_t i = 0; volumes != NULL && volumes[i] != NULL; i++)
    {
      struct volume *v = NULL;
      if (volume_create (im->e->db, im->e->root, volumes[i], NULL, &v, err) < 0)
        return -1;
      strv_append (&im->volumes_made, volumes[i]);
      _cleanup_free_ char *data = xstrdup (v->mountpoint);
      volume_free (v);
      _cleanup_free_ char *content = xasprintf ("%s/volumes/%s", im->staging, volumes[i]);
      if (rmdir (data) < 0 || rename (content, data) < 0)
        return hk_error_errno (err, errno, "move the content of volume %s to `%s`", volumes[i],
                               data);
    }
  return 0;
}

static void
remove_volumes_made (struct import *im)
{
  for (size_t i = 0; im->volumes_made != NULL && im->volumes_made[i] != NULL; i++)
    {
      struct hk_error *ignored = NULL;
      if (volume_remove (im->e->db, im->e->root, im->volumes_made[i], &ignored) < 0)
        hk_error_free (ignored);
    }
}

/* The imported changes become R's upper directory (the empty one made
 * at create goes to the staging directory, removed after). */
static int
adopt_rootfs (struct import *im, struct ctr_record *r, struct hk_error **err)
{
  _cleanup_free_ char *image_id = NULL, *dir = NULL;
  if (image_rootfs_info (im->e->store, r->id, &image_id, &dir, err) < 0)
    return -1;
  _cleanup_free_ char *upper = xasprintf ("%s/upper", dir);
  _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
  /* The restore mounts it again, over the new upper directory. */
  if (image_rootfs_unmount (merged, err) < 0)
    return -1;
  _cleanup_free_ char *empty = xasprintf ("%s/upper.empty", im->staging);
  _cleanup_free_ char *rootfs = xasprintf ("%s/rootfs", im->staging);
  if (rename (upper, empty) < 0)
    return hk_error_errno (err, errno, "rename `%s` to `%s`", upper, empty);
  if (rename (rootfs, upper) < 0)
    return hk_error_errno (err, errno, "rename `%s` to `%s`", rootfs, upper);
  return 0;
}

/* ERR's message with FROM (once) replaced by TO; false when it has no FROM. */
static bool
error_replace (struct hk_error *err, const char *from, const char *to)
{
  const char *at = strstr (err->message, from);
  if (at == NULL)
    return false;
  char *message = xasprintf ("%.*s%s%s", (int) (at - err->message), err->message, to,
                             at + strlen (from));
  free (err->message);
  err->message = message;
  return true;
}

/* criu's restore log of R, whose import failed: R goes, its log stays as
 * ROOT/checkpoint-import-NAME.log (the last failed import under that name),
 * and the error names it there. */
static void
keep_restore_log (struct import *im, const struct ctr_record *r, struct hk_error *err)
{
  _cleanup_free_ char *logs = engine_checkpoint_logs (im->e, r);
  _cleanup_free_ char *log = xasprintf ("%s/restore.log", logs);
  _cleanup_free_ char *kept = xasprintf ("%s/checkpoint-import-%s.log", im->e->root, r->name);
  if (rename (log, kept) < 0)
    return; /* no log: the import failed before criu ran */
  if (!error_replace (err, log, kept))
    {
      char *message = xasprintf ("%s (criu's log: %s)", err->message, kept);
      free (err->message);
      err->message = message;
    }
}

static int
make_container (struct import *im, const struct checkpoint_manifest *m,
                const struct engine_checkpoint_options *o, struct ctr_record **out,
                struct hk_error **err)
{
  _cleanup_ctr_config_ struct ctr_config config;
  if (ctr_config_from_record (m->config, &config, err) < 0)
    return hk_error_prefix (err, "the checkpoint's config");
  _cleanup_record_ struct ctr_record *r = NULL;
  if (adopt_volumes (im, m->volumes, err) < 0
      || engine_create (im->e, im->image, &config, im->name ? im->name : m->name, &r, err) < 0)
    {
      remove_volumes_made (im);
      return -1;
    }
  _cleanup_free_ char *images = xasprintf ("%s/checkpoint", im->staging);
  if ((!im->ignore_rootfs && adopt_rootfs (im, r, err) < 0)
      || engine_checkpoint_adopt (im->e, r, images, m->checkpointed_at, err) < 0
      || engine_restore (im->e, r, o, err) < 0)
    {
      keep_restore_log (im, r, *err);
      struct hk_error *ignored = NULL;
      if (engine_remove (im->e, r, true, true, &ignored) < 0)
        hk_error_free (ignored);
      remove_volumes_made (im);
      return -1;
    }
  *out = take_ptr (r);
  return 0;
}

static int
import_from (struct import *im, int fd, const struct engine_checkpoint_options *o,
             struct ctr_record **out, struct hk_error **err)
{
  _cleanup_close_ int staging = open (im->staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (staging < 0)
    return hk_error_errno (err, errno, "open `%s`", im->staging);
  struct layer_input in = { .read = fd_read, .opaque = &fd };
  struct checkpoint_manifest m = { 0 };
  int r = checkpoint_archive_read (&in, staging, check_manifest, im, &m, err);
  if (r == 0)
    r = make_container (im, &m, o, out, err);
  checkpoint_manifest_clear (&m);
  return r;
}

int
transfer_checkpoint_import (struct engine *e, const char *file, const char *name,
                            bool ignore_rootfs, const struct engine_checkpoint_options *o,
                            struct ctr_record **out, struct hk_error **err)
{
  _cleanup_close_ int fd = strcmp (file, "-") == 0 ? dup (STDIN_FILENO)
                                                   : open (file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "import: open `%s`", file);
  struct import im = { .e = e, .name = name, .ignore_rootfs = ignore_rootfs };
  im.staging = xasprintf ("%s/checkpoint-import.XXXXXX", e->root);
  int r = -1;
  if (mkdtemp (im.staging) == NULL)
    hk_error_errno (err, errno, "import: make `%s`", im.staging);
  else
    {
      r = import_from (&im, fd, o, out, err);
      struct hk_error *rm_err = NULL;
      if (fs_remove_tree (AT_FDCWD, im.staging, &rm_err) < 0 && r == 0)
        {
          *err = take_ptr (rm_err);
          r = hk_error_prefix (err, "import: remove `%s`", im.staging);
        }
      hk_error_free (rm_err);
    }
  free (im.staging);
  free (im.image);
  strv_free (im.volumes_made);
  if (r < 0)
    return hk_error_prefix (err, "cannot restore from `%s`", file);
  return 0;
}
